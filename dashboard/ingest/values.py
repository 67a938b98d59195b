"""Column-level value parsing: dates, timestamps, amounts, booleans and text.

Every parser takes one ``pl.Series`` as a reader produced it (String from CSV,
native types from Excel/Parquet) and returns a :class:`Parsed` with a typed series
of the same length and order, the values it could not read, and a note saying what
it decided. The format of a column (day-first or month-first dates, which amount
separator is the decimal one) is decided once per column from all its values;
when the data cannot decide, :class:`AmbiguousFormat` is raised so a person can.

All work is done with Polars expressions; Python only loops over the short list of
bad examples.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass, field

import polars as pl

from dashboard import currencies

MAX_BAD_EXAMPLES = 20
MAX_AMBIGUOUS_EXAMPLES = 5

# The dates and times a workspace stores: a date written outside these days is refused as
# out of range (9999-12-31 and 1900-01-01 are placeholders for "unknown", and a chart or
# interval over a span of centuries is meaningless). Checked on the date as written (in
# the file's own time zone); a time with an offset or a native UTC time by its UTC date.
FIRST_DATE = dt.date(1970, 1, 1)
LAST_DATE = dt.date(2100, 12, 31)
# Years a number column may hold when it is read as YYYYMMDD / YYYYMM dates.
_COMPACT_YEARS = (1900, 2200)
# The largest amount stored, in any currency (10^15: a thousand trillion dong is about
# 40 billion US dollars): a bigger one is an export error or a typo such as 1e309.
MAX_AMOUNT = 1e15

# Excel's largest serial date (9999-12-31) and the serial of 1970-01-01.
_EXCEL_MAX_SERIAL = 2_958_465
_EXCEL_UNIX_EPOCH = 25_569
_US_PER_DAY = 86_400_000_000
_US_PER_MINUTE = 60_000_000


@dataclass
class Parsed:
    """The typed result of parsing one column.

    ``series`` has the same length and order as the input, with nulls where the input
    was null or empty and where a value could not be parsed. ``bad_positions`` are the
    0-based positions of the first unparseable non-empty values (at most 20) and
    ``bad_values`` the raw values there; ``bad_count`` counts all of them. Values that
    were read but lie outside what can be stored (dates before :data:`FIRST_DATE` or
    after :data:`LAST_DATE`, numbers that are not finite or above the column's bound)
    are null too, and are listed in the ``out_of_range_*`` fields, not as bad values.
    """

    series: pl.Series
    bad_positions: list[int] = field(default_factory=list)
    bad_values: list[object] = field(default_factory=list)
    bad_count: int = 0
    note: str | None = None
    out_of_range_positions: list[int] = field(default_factory=list)
    out_of_range_values: list[object] = field(default_factory=list)
    out_of_range_count: int = 0


class AmbiguousFormat(ValueError):
    """The data does not decide the column's format; the caller has to.

    ``examples`` holds ``(0-based position, raw value)`` pairs that read differently
    under the possible formats; ``fix`` says which argument settles it.
    """

    def __init__(self, message: str, fix: str, examples: list[tuple[int, object]]):
        self.message = message
        self.fix = fix
        self.examples = examples
        super().__init__(f"{message}. Fix: {fix}")


# ---------------------------------------------------------------------------
# shared helpers


def _text(s: pl.Series) -> pl.Series | None:
    """The series as String if it holds text (String/Categorical/Enum), else None."""
    if s.dtype == pl.String:
        return s
    if isinstance(s.dtype, pl.Categorical | pl.Enum):
        return s.cast(pl.String)
    return None


def _stripped(s: pl.Series) -> pl.Series:
    """Trimmed text with empty / whitespace-only values turned into nulls."""
    t = s.str.strip_chars()
    return pl.select(pl.when(t.str.len_bytes() > 0).then(t)).to_series().alias(s.name)


def _present(s: pl.Series) -> pl.Series:
    """True where the input holds a value (not null, not empty / whitespace-only)."""
    text = _text(s)
    if text is not None:
        return _stripped(text).is_not_null()
    if s.dtype.is_float():
        return s.is_not_null() & s.is_not_nan()
    return s.is_not_null()


def _finish(
    raw: pl.Series,
    result: pl.Series,
    present: pl.Series,
    note: str | None,
    in_range: pl.Series | None = None,
) -> Parsed:
    """Null out what was absent or out of range, and collect what did not parse.

    ``in_range`` is False where a value was read but cannot be stored (null where the
    value did not parse, which counts as bad, not as out of range).
    """
    result = pl.select(pl.when(pl.lit(present)).then(pl.lit(result))).to_series()
    if in_range is None:
        out = pl.Series([False] * len(raw), dtype=pl.Boolean)
    else:
        out = present & result.is_not_null() & in_range.not_().fill_null(False)
        result = pl.select(pl.when(pl.lit(out).not_()).then(pl.lit(result))).to_series()
    bad = present & result.is_null() & out.not_()
    count = int(bad.sum())
    positions = bad.arg_true().head(MAX_BAD_EXAMPLES).to_list() if count else []
    n_out = int(out.sum())
    out_positions = out.arg_true().head(MAX_BAD_EXAMPLES).to_list() if n_out else []
    return Parsed(
        result.alias(raw.name),
        positions,
        [raw[p] for p in positions],
        count,
        note,
        out_positions,
        [raw[p] for p in out_positions],
        n_out,
    )


def _dates_in_range(d: pl.Series) -> pl.Series:
    """True for dates (or datetimes, by their date) from FIRST_DATE to LAST_DATE."""
    days = d.dt.date() if isinstance(d.dtype, pl.Datetime) else d
    return days.is_between(FIRST_DATE, LAST_DATE)


def _all_null(s: pl.Series, dtype: pl.DataType) -> pl.Series:
    return pl.Series(s.name, [None] * len(s), dtype=dtype)


def _count(n: int, word: str) -> str:
    return f"1 {word}" if n == 1 else f"{n} {word}s"


def _minority(n: int, how: str) -> str:
    return f"{_count(n, 'value')} written {how} {'is' if n == 1 else 'are'} bad"


def _join_notes(notes: list[str]) -> str | None:
    return "; ".join(notes) if notes else None


# ---------------------------------------------------------------------------
# dates and timestamps

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
    "apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
    "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "oct": 10,
    "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip

# Time of day, optional AM/PM (also Vietnamese SA/CH), optional Z/UTC/GMT and offset.
_TIME = (
    r"(?:T|,?\s+)(?P<H>\d{1,2}):(?P<MI>\d{2})"
    r"(?::(?P<S>\d{2})(?:[.,](?P<F>\d{1,9}))?)?"
    r"(?:\s*(?P<AP>(?i:[ap]\.?m\.?|sa|ch)))?"
    r"(?:\s*(?P<Z>(?i:z|utc|gmt))?\s*(?P<OFF>[+-]\d{1,2}(?::?\d{2})?)?)?"
)
_WEEKDAY = r"(?:[A-Za-z]{3,9}\.?,?\s+)?"
_ORDINAL = r"(?:st|nd|rd|th)?"

_P_YMD = rf"^(?P<Y>\d{{4}})[-/.](?P<M>\d{{1,2}})[-/.](?P<D>\d{{1,2}})(?:{_TIME})?$"
_P_NUM = rf"^(?P<A>\d{{1,2}})[-/.](?P<B>\d{{1,2}})[-/.](?P<Y>\d{{4}}|\d{{2}})(?:{_TIME})?$"
_P_DMON = (
    rf"^{_WEEKDAY}(?P<D>\d{{1,2}}){_ORDINAL}[-/ .]+(?P<MON>[A-Za-z]{{3,9}})\.?[-/ ,.]+"
    rf"(?P<Y>\d{{4}}|\d{{2}})(?:{_TIME})?$"
)
_P_MOND = (
    rf"^{_WEEKDAY}(?P<MON>[A-Za-z]{{3,9}})\.?\s+(?P<D>\d{{1,2}}){_ORDINAL},?\s+"
    rf"(?P<Y>\d{{4}})(?:{_TIME})?$"
)
# Month values (parse_date only): 2024-03, 03/2024, Mar 2024, Mar-24, Tháng 3/2024.
_P_YM = r"^(?P<Y>\d{4})[-/.](?P<M>\d{1,2})$"
_P_MY = r"^(?P<M>\d{1,2})[-/.](?P<Y>\d{4})$"
_P_MONY = r"^(?P<MON>[A-Za-z]{3,9})\.?[-/ ,'’]*(?P<Y>\d{4}|\d{2})$"
_P_VNMY = (
    r"^(?i:tháng|thang|th|t)\.?\s*(?P<M>\d{1,2})\s*"
    r"(?:[-/.,]|\s+(?i:năm|nam)\s+|\s+)\s*(?P<Y>\d{4})$"
)

_NUMERIC = r"^[+-]?\d+(?:\.\d+)?$"

_TIME_FIELDS = ("H", "MI", "S", "F", "AP", "Z", "OFF")

_ORDER_NOTES = {
    "dmy": "day-first dates (DD/MM/YYYY)",
    "mdy": "month-first dates (MM/DD/YYYY)",
}


def _check_order(date_order: str | None) -> str | None:
    if date_order is None:
        return None
    order = date_order.lower()
    if order not in _ORDER_NOTES:
        raise ValueError(f"date_order must be 'dmy' or 'mdy', not {date_order!r}")
    return order


def _check_timezone(timezone: str) -> None:
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {timezone!r}; use an IANA name such as 'Asia/Ho_Chi_Minh'"
        ) from None


def _year_expr(name: str) -> pl.Expr:
    """Four-digit years as written; two-digit years pivot like POSIX (69-99 -> 19xx)."""
    raw = pl.col(name)
    y = raw.cast(pl.Int64, strict=False)
    two = raw.str.len_chars() == 2
    return pl.when(two & (y < 69)).then(y + 2000).when(two).then(y + 1900).otherwise(y)


_DAYS_IN_MONTH = dict(enumerate([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], start=1))


def _date_expr(y: pl.Expr, m: pl.Expr, d: pl.Expr) -> pl.Expr:
    """A calendar date from integer parts; null for impossible dates or absurd years.

    Integer arithmetic (days from the civil calendar) rather than formatting and
    re-parsing a string, because this runs on every value of large columns.
    """
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    days_in_month = m.replace_strict(_DAYS_IN_MONTH, default=None, return_dtype=pl.Int64) + (
        leap & (m == 2)
    ).cast(pl.Int64)
    # any year a calendar can hold: a date outside the stored range is reported as out of
    # range by the caller, not as unreadable
    ok = y.is_between(1, 9999) & d.is_between(1, days_in_month)
    # March-based year so that the leap day is the last day of the year.
    yy = y - (m <= 2).cast(pl.Int64)
    era = yy.floordiv(400)
    year_of_era = yy - era * 400
    day_of_year = (153 * ((m + 9) % 12) + 2).floordiv(5) + d - 1
    day_of_era = (
        year_of_era * 365 + year_of_era.floordiv(4) - year_of_era.floordiv(100) + day_of_year
    )
    days = era * 146_097 + day_of_era - 719_468
    return pl.when(ok).then(days.cast(pl.Int32).cast(pl.Date))


def _with_time(w: pl.DataFrame) -> pl.DataFrame:
    """Add ``time_us`` and ``offset`` from the coalesced time fields H MI S F AP Z OFF.

    ``time_us`` is microseconds since midnight: 0 for date-only values, null when the
    time or offset is impossible (25:00, 13 PM, 10:61, +25:00). ``offset`` is minutes
    east of UTC, null for values without Z/UTC/GMT or an offset.
    """
    w = w.with_columns(
        pl.col("H").cast(pl.Int64, strict=False).alias("_h"),
        pl.col("MI").cast(pl.Int64, strict=False).alias("_mi"),
        pl.col("S").cast(pl.Int64, strict=False).fill_null(0).alias("_s"),
        pl.col("F")
        .str.pad_end(6, "0")
        .str.slice(0, 6)
        .cast(pl.Int64, strict=False)
        .fill_null(0)
        .alias("_f"),
        pl.col("AP").str.to_lowercase().str.slice(0, 1).alias("_ap"),
        pl.col("OFF")
        .str.extract_groups(r"^(?P<sign>[+-])(?P<hh>\d{1,2}):?(?P<mm>\d{2})?$")
        .alias("_off"),
    )
    h, mi, sec, ap = pl.col("_h"), pl.col("_mi"), pl.col("_s"), pl.col("_ap")
    pm = ap.is_in(["p", "c"])  # PM, or CH (chiều) in Vietnamese
    h24 = (
        pl.when(ap.is_null())
        .then(pl.when(h.is_between(0, 23)).then(h))
        .otherwise(pl.when(h.is_between(1, 12)).then(h % 12 + pl.when(pm).then(12).otherwise(0)))
    )
    valid = mi.is_between(0, 59) & sec.is_between(0, 59)
    micros = ((h24 * 60 + mi) * 60 + sec) * 1_000_000 + pl.col("_f")
    off = pl.col("_off")
    off_h = off.struct.field("hh").cast(pl.Int64, strict=False)
    off_m = off.struct.field("mm").cast(pl.Int64, strict=False).fill_null(0)
    sign = pl.when(off.struct.field("sign") == "-").then(-1).otherwise(1)
    w = w.with_columns(
        pl.when(h.is_null()).then(pl.lit(0, pl.Int64)).when(valid).then(micros).alias("_t"),
        pl.when(off_h.is_between(0, 14) & off_m.is_between(0, 59))
        .then(sign * (off_h * 60 + off_m))
        .alias("_om"),
    )
    has_off = pl.col("OFF").is_not_null()
    return w.with_columns(
        # An offset that is present but impossible makes the value bad, not local.
        pl.when(has_off & pl.col("_om").is_null())
        .then(None)
        .otherwise(pl.col("_t"))
        .alias("time_us"),
        pl.when(has_off)
        .then(pl.col("_om"))
        .when(pl.col("Z").is_not_null())
        .then(pl.lit(0, pl.Int64))
        .alias("offset"),
    ).drop("_h", "_mi", "_s", "_f", "_ap", "_off", "_t", "_om")


def _decide_order(
    raw: pl.Series, a: pl.Series, b: pl.Series, date_order: str | None
) -> tuple[str, list[str]]:
    """Day-first or month-first for the D/M/Y values of a column (a, b = first two parts)."""
    if date_order is not None:
        return date_order, [f"{_ORDER_NOTES[date_order]}, as set"]
    dmy = int(((a > 12) & (b <= 12)).sum())
    mdy = int(((b > 12) & (a <= 12)).sum())
    if dmy and not mdy:
        return "dmy", [_ORDER_NOTES["dmy"]]
    if mdy and not dmy:
        return "mdy", [_ORDER_NOTES["mdy"]]
    if dmy and mdy:
        if dmy == mdy:
            first_d = int(((a > 12) & (b <= 12)).arg_true()[0])
            first_m = int(((b > 12) & (a <= 12)).arg_true()[0])
            raise AmbiguousFormat(
                f"the column has {_count(dmy, 'day-first date')} and "
                f"{_count(mdy, 'month-first date')}",
                "set the date order of this column to day-first (DD/MM/YYYY) "
                "or month-first (MM/DD/YYYY)",
                [(p, raw[p]) for p in sorted((first_d, first_m))],
            )
        order = "dmy" if dmy > mdy else "mdy"
        minority = min(dmy, mdy)
        return order, [
            f"{_ORDER_NOTES[order]} (most values); {_minority(minority, 'the other way round')}"
        ]
    differ = (a != b).fill_null(False)
    if differ.any():
        positions = differ.arg_true().head(MAX_AMBIGUOUS_EXAMPLES).to_list()
        raise AmbiguousFormat(
            "every date in the column fits both day-first (DD/MM/YYYY) and month-first "
            "(MM/DD/YYYY), and they give different dates",
            "set the date order of this column to day-first (DD/MM/YYYY) "
            "or month-first (MM/DD/YYYY)",
            [(int(p), raw[int(p)]) for p in positions],
        )
    return "dmy", []


_P_ISO_FAST = (
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)


def _with_iso_fast(w: pl.DataFrame) -> pl.DataFrame:
    """Add struct ``iso`` with the parts of standard ISO values in column ``t``.

    Handles YYYY-MM-DD[ HH:MM[:SS[.f]]][Z|+hh:mm] by cutting at fixed positions; other
    values get null parts. The fields are named like the regex groups so they coalesce.
    Intermediate columns are materialised because eager expressions are not shared.
    """
    w = w.with_columns(pl.when(pl.col("t").str.contains(_P_ISO_FAST)).then(pl.col("t")).alias("_v"))
    v = pl.col("_v")
    w = w.with_columns(
        (v.str.len_chars() >= 16).alias("_has_time"),
        (v.str.slice(16, 1) == ":").alias("_has_sec"),
    )
    has_time, has_sec = pl.col("_has_time"), pl.col("_has_sec")
    w = w.with_columns(
        pl.when(has_sec).then(v.str.slice(19)).when(has_time).then(v.str.slice(16)).alias("_rest")
    )
    rest = pl.col("_rest")
    iso = pl.struct(
        v.str.slice(0, 4).alias("Y"),
        v.str.slice(5, 2).alias("M"),
        v.str.slice(8, 2).alias("D"),
        pl.when(has_time).then(v.str.slice(11, 2)).alias("H"),
        pl.when(has_time).then(v.str.slice(14, 2)).alias("MI"),
        pl.when(has_sec).then(v.str.slice(17, 2)).alias("S"),
        rest.str.extract(r"^\.(\d+)", 1).alias("F"),
        pl.lit(None, pl.String).alias("AP"),
        pl.when(rest.str.ends_with("Z")).then(pl.lit("Z")).alias("Z"),
        rest.str.extract(r"([+-]\d{2}:?\d{2})$", 1).alias("OFF"),
    )
    return w.with_columns(iso.alias("iso")).drop("_v", "_has_time", "_has_sec", "_rest")


# (label, pattern, month field, day field or None for month values, has a time part).
# A month field named MON holds an English month name; M holds a number. The num
# family's month and day fields depend on the column's date order.
_FAMILIES: tuple[tuple[str, str, str, str | None, bool], ...] = (
    ("ymd", _P_YMD, "M", "D", True),
    ("num", _P_NUM, "", "", True),
    ("dmon", _P_DMON, "MON", "D", True),
    ("mond", _P_MOND, "MON", "D", True),
)
_MONTH_FAMILIES: tuple[tuple[str, str, str, str | None, bool], ...] = (
    ("ym", _P_YM, "M", None, False),
    ("my", _P_MY, "M", None, False),
    ("mony", _P_MONY, "MON", None, False),
    ("vnmy", _P_VNMY, "M", None, False),
)


def _parse_temporal_text(
    raw: pl.Series, text: pl.Series, *, date_order: str | None, months: bool
) -> tuple[pl.DataFrame, list[str]]:
    """Parse trimmed date/time strings into parts.

    Returns a frame with ``date`` (pl.Date, the calendar date as written), ``time_us``
    (Int64 microseconds since midnight, 0 for date-only values), ``offset`` (Int64
    minutes east of UTC, null when the value carries none) and ``month`` (True for
    month values such as 2024-03), plus notes on what was decided.
    """
    notes: list[str] = []
    # Standard ISO values (most exports) are cut at fixed positions first: far cheaper
    # than capturing regex groups. Each later pattern only sees the values no earlier
    # one matched, so the families are disjoint and their parts can be coalesced.
    w = _with_iso_fast(pl.DataFrame({"t": text}))
    w = w.with_columns(
        pl.when(pl.col("iso").struct.field("Y").is_null()).then(pl.col("t")).alias("t")
    )
    active: list[tuple[str, str, str | None, bool]] = [("iso", "M", "D", True)]
    for label, pattern, month_field, day_field, timed in (
        *_FAMILIES,
        *(_MONTH_FAMILIES if months else ()),
    ):
        if not bool(w.get_column("t").is_not_null().any()):
            break
        w = w.with_columns(pl.col("t").str.extract_groups(pattern).alias(label))
        w = w.with_columns(
            pl.when(pl.col(label).struct.field("Y").is_null()).then(pl.col("t")).alias("t")
        )
        active.append((label, month_field, day_field, timed))

    order = "dmy"
    if "num" in w.columns:
        num = w.get_column("num").struct.unnest()
        a = num.get_column("A").cast(pl.Int64, strict=False)
        b = num.get_column("B").cast(pl.Int64, strict=False)
        if bool(a.is_not_null().any()):
            order, order_notes = _decide_order(raw, a, b, date_order)
            notes.extend(order_notes)

    def part(label: str, name: str) -> pl.Expr:
        return pl.col(label).struct.field(name)

    num_month, num_day = ("A", "B") if order == "mdy" else ("B", "A")
    years, month_values, days, month_flags = [], [], [], []
    for label, month_field, day_field, _timed in active:
        m_field = num_month if label == "num" else month_field
        d_field = num_day if label == "num" else day_field
        years.append(part(label, "Y"))
        if m_field == "MON":
            month_values.append(
                part(label, "MON")
                .str.to_lowercase()
                .replace_strict(_MONTHS, default=None, return_dtype=pl.Int64)
            )
        else:
            month_values.append(part(label, m_field).cast(pl.Int64, strict=False))
        if d_field is None:
            month_flags.append(part(label, "Y").is_not_null())
        else:
            days.append(part(label, d_field).cast(pl.Int64, strict=False))
    timed_labels = [label for label, _m, _d, timed in active if timed]
    w = w.with_columns(
        pl.coalesce(years).alias("Y"),
        # Take the month from the family that matched: a month name that is not a month
        # leaves it null (a bad value) instead of falling through to another family.
        _first_matching(years, month_values).alias("M"),
        pl.coalesce(days).alias("D"),
        (pl.any_horizontal(month_flags) if month_flags else pl.lit(False)).alias("month"),
        *[pl.coalesce([part(lbl, f) for lbl in timed_labels]).alias(f) for f in _TIME_FIELDS],
    )
    w = w.with_columns(_year_expr("Y").alias("Yn"))
    day = pl.when(pl.col("month")).then(pl.lit(1, pl.Int64)).otherwise(pl.col("D"))
    w = _with_time(w)
    out = w.select(
        _date_expr(pl.col("Yn"), pl.col("M"), day).alias("date"),
        pl.col("time_us"),
        pl.col("offset"),
        pl.col("month"),
    )
    two_digit = w.select((pl.col("Y").str.len_chars() == 2).fill_null(False).any()).item()
    if two_digit:
        notes.append("two-digit years read as 2000-2068 (00-68) and 1969-1999 (69-99)")
    return out, notes


def _first_matching(year_sources: list[pl.Expr], values: list[pl.Expr]) -> pl.Expr:
    """The value from the family whose year matched (values may be null inside it)."""
    expr = pl.when(year_sources[0].is_not_null()).then(values[0])
    for y, v in zip(year_sources[1:], values[1:], strict=True):
        expr = expr.when(y.is_not_null()).then(v)
    return expr


@dataclass
class _Numeric:
    micros: pl.Series  # Int64 microseconds since 1970-01-01 (local, or UTC when utc)
    utc: bool
    note: str


def _temporal_from_numbers(v: pl.Series, *, months: bool) -> _Numeric:
    """Interpret a numeric column as Excel serials, YYYYMMDD, YYYYMM or Unix epochs.

    The interpretation is chosen for the whole column from the range of its values.
    """
    v = v.cast(pl.Float64)
    finite = v.filter(v.is_not_null() & v.is_finite())
    lo = finite.min() if len(finite) else None
    hi = finite.max() if len(finite) else None
    integral = bool((finite == finite.floor()).all()) if len(finite) else False

    def compact(first_of_month: bool) -> pl.Series:
        text = v.cast(pl.Int64, strict=False).cast(pl.String)
        if first_of_month:
            text = text + "01"
        dates = text.str.to_date("%Y%m%d", strict=False)
        return dates.cast(pl.Int64) * _US_PER_DAY

    first, last = _COMPACT_YEARS
    if lo is not None and integral and lo >= first * 10_000 + 101 and hi <= last * 10_000 + 1231:
        return _Numeric(compact(False), False, "compact dates (YYYYMMDD)")
    if months and lo is not None and integral and lo >= first * 100 + 1 and hi <= last * 100 + 12:
        return _Numeric(compact(True), False, "compact months (YYYYMM)")
    if lo is not None and lo >= 1e11 and hi < 1e14:
        micros = (v * 1000).round().cast(pl.Int64, strict=False)
        return _Numeric(micros, True, "Unix epoch milliseconds (UTC)")
    if lo is not None and lo >= 1e8 and hi < 1e11:
        micros = (v * 1_000_000).round().cast(pl.Int64, strict=False)
        return _Numeric(micros, True, "Unix epoch seconds (UTC)")
    # Excel serials: 1 = 1900-01-01; Excel counts a 1900-02-29 (serial 60) that never
    # existed, so serials before it are one day later than the usual 1899-12-30 epoch.
    days = (
        pl.when((v >= 1) & (v < 60))
        .then(v - (_EXCEL_UNIX_EPOCH - 1))
        .when((v >= 61) & (v < _EXCEL_MAX_SERIAL + 1))
        .then(v - _EXCEL_UNIX_EPOCH)
    )
    # Excel stores times as fractions of a day; round to the millisecond Excel shows.
    micros = pl.select((days * 86_400_000).round().cast(pl.Int64) * 1000).to_series()
    return _Numeric(micros, False, "Excel serial date numbers")


def _local_to_utc(naive: pl.Series, timezone: str) -> pl.Series:
    """Naive wall-clock datetimes in ``timezone`` to naive UTC.

    Wall times repeated at a DST change take the earlier instant; wall times that do
    not exist (skipped by DST) become null.
    """
    if timezone == "UTC":
        return naive
    return (
        naive.dt.replace_time_zone(timezone, ambiguous="earliest", non_existent="null")
        .dt.convert_time_zone("UTC")
        .dt.replace_time_zone(None)
    )


def _micros_to_datetime(micros: pl.Series) -> pl.Series:
    return micros.cast(pl.Int64).cast(pl.Datetime("us"))


def _zone_note(timezone: str, has_local: bool) -> list[str]:
    if has_local and timezone != "UTC":
        return [f"times without a UTC offset read as {timezone} and converted to UTC"]
    return []


def parse_timestamp(
    s: pl.Series, *, timezone: str = "UTC", date_order: str | None = None
) -> Parsed:
    """Parse a column of points in time into naive UTC ``pl.Datetime("us")``.

    Accepts ISO dates/datetimes (with ``T`` or space, fractional seconds, ``Z`` /
    ``UTC`` / ``+07:00`` / ``+0700`` offsets), ``YYYY/MM/DD``, day-first or month-first
    slash/dot/dash dates with optional ``H:MM[:SS]`` and AM/PM, dates with English month
    names, Excel serial numbers (also as text when the whole column is numeric),
    ``YYYYMMDD`` and Unix epoch numbers, and native Date/Datetime columns. Values without
    an offset (and naive native datetimes, dates and serials) are wall-clock times in
    ``timezone`` and are converted to UTC; values with an offset are converted from it.
    Impossible dates, years outside 1900-2200 and wall times skipped by a DST change are
    bad values. Raises :class:`AmbiguousFormat` when day-first and month-first readings
    differ and the data does not decide (unless ``date_order`` is "dmy" or "mdy"), and
    ``ValueError`` for an unknown time zone.
    """
    _check_timezone(timezone)
    order = _check_order(date_order)
    present = _present(s)
    out_type = pl.Datetime("us")
    dtype = s.dtype

    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is None:
            in_range = _dates_in_range(s)
            result = _local_to_utc(s.cast(out_type), timezone)
            notes = _zone_note(timezone, True)
        else:
            result = s.dt.convert_time_zone("UTC").dt.replace_time_zone(None).cast(out_type)
            in_range = _dates_in_range(result)
            notes = []
        return _finish(s, result, present, _join_notes(notes), in_range)
    if dtype == pl.Date:
        result = _local_to_utc(s.cast(out_type), timezone)
        return _finish(
            s, result, present, _join_notes(_zone_note(timezone, True)), _dates_in_range(s)
        )
    if dtype.is_numeric():
        return _timestamp_from_numbers(s, s, present, timezone)

    text = _text(s)
    if text is None:
        return _finish(s, _all_null(s, out_type), present, None)
    t = _stripped(text)
    values = t.drop_nulls()
    if len(values) and bool(values.str.contains(_NUMERIC).all()):
        return _timestamp_from_numbers(s, t.cast(pl.Float64, strict=False), present, timezone)

    parts, notes = _parse_temporal_text(s, t, date_order=order, months=False)
    days = parts.get_column("date").cast(pl.Int64)
    naive_us = days * _US_PER_DAY + parts.get_column("time_us")
    offset = parts.get_column("offset")
    from_offset = naive_us - offset * _US_PER_MINUTE
    local = _local_to_utc(_micros_to_datetime(naive_us), timezone)
    result = pl.select(
        pl.when(pl.lit(offset).is_not_null())
        .then(pl.lit(_micros_to_datetime(from_offset)))
        .otherwise(pl.lit(local))
    ).to_series()
    has_local = bool((offset.is_null() & naive_us.is_not_null()).any())
    notes.extend(_zone_note(timezone, has_local))
    in_range = _dates_in_range(parts.get_column("date"))
    return _finish(s, result, present, _join_notes(notes), in_range)


def _timestamp_from_numbers(
    raw: pl.Series, v: pl.Series, present: pl.Series, timezone: str
) -> Parsed:
    num = _temporal_from_numbers(v, months=False)
    stamps = _micros_to_datetime(num.micros)
    in_range = _dates_in_range(stamps)
    notes = [num.note]
    if not num.utc:
        stamps = _local_to_utc(stamps, timezone)
        notes.extend(_zone_note(timezone, True))
    return _finish(raw, stamps, present, _join_notes(notes), in_range)


def parse_date(s: pl.Series, *, date_order: str | None = None) -> Parsed:
    """Parse a column of calendar dates into ``pl.Date``.

    Accepts everything :func:`parse_timestamp` accepts (the date is taken as written;
    a time of day or offset is ignored) plus month values -- ``2024-03``, ``03/2024``,
    ``Mar 2024``, ``Mar-24``, ``Tháng 3/2024``, ``YYYYMM`` numbers -- which become the
    first day of the month. Raises :class:`AmbiguousFormat` like parse_timestamp.
    """
    order = _check_order(date_order)
    present = _present(s)
    dtype = s.dtype
    if dtype == pl.Date:
        return _finish(s, s, present, None, _dates_in_range(s))
    if isinstance(dtype, pl.Datetime):
        days = s.dt.date()
        return _finish(s, days, present, None, _dates_in_range(days))
    if dtype.is_numeric():
        return _date_from_numbers(s, s, present)
    text = _text(s)
    if text is None:
        return _finish(s, _all_null(s, pl.Date()), present, None)
    t = _stripped(text)
    values = t.drop_nulls()
    if len(values) and bool(values.str.contains(_NUMERIC).all()):
        return _date_from_numbers(s, t.cast(pl.Float64, strict=False), present)
    parts, notes = _parse_temporal_text(s, t, date_order=order, months=True)
    month = parts.get_column("month")
    if bool(month.any()):
        notes.append("month values (e.g. 2024-03) read as the first day of the month")
    time_us = parts.get_column("time_us")
    if bool((time_us.is_not_null() & (time_us != 0)).any()):
        notes.append("times of day ignored; the date is taken as written")
    result = pl.select(
        pl.when(pl.lit(parts.get_column("time_us")).is_not_null()).then(
            pl.lit(parts.get_column("date"))
        )
    ).to_series()
    return _finish(s, result, present, _join_notes(notes), _dates_in_range(result))


def _date_from_numbers(raw: pl.Series, v: pl.Series, present: pl.Series) -> Parsed:
    num = _temporal_from_numbers(v, months=True)
    days = pl.select(pl.lit(num.micros).floordiv(_US_PER_DAY)).to_series()
    result = days.cast(pl.Int32).cast(pl.Date)
    return _finish(raw, result, present, num.note, _dates_in_range(result))


# ---------------------------------------------------------------------------
# numbers and amounts

# Currency symbols and codes as written next to amounts, lower-cased, to ISO codes.
_CURRENCY_TOKENS: dict[str, str] = currencies.SYMBOLS

# Currencies without minor units: "1.500 ₫" can only mean one thousand five hundred.
_ZERO_DECIMAL = frozenset({"VND", "JPY", "KRW", "CLP"})

# Matched against lower-cased text: a case-insensitive alternation is several times slower.
_CUR = "|".join(re.escape(k) for k in sorted(_CURRENCY_TOKENS, key=len, reverse=True))
_SEP_CHARS = r"\s'’"  # always thousands separators: spaces, NBSP, apostrophes
_P_AMOUNT = (
    rf"^(?P<s1>[-+])?\s*(?P<open>\()?\s*(?P<s2>[-+])?\s*(?:(?P<c1>{_CUR})\s*)?(?P<s3>[-+])?\s*"
    rf"(?P<num>[0-9.,{_SEP_CHARS}]*[0-9][0-9.,{_SEP_CHARS}]*|[.,][0-9]+)"
    rf"\s*(?:(?P<c2>{_CUR}))?\s*(?P<close>\))?$"
)
_P_SCIENTIFIC = r"^[-+]?\d+(?:[.,]\d+)?[eE][-+]?\d{1,3}$"


_P_PLAIN_AMOUNT = r"^[-+]?[0-9][0-9.,]*$"
_AMOUNT_FIELDS = ("s1", "open", "s2", "c1", "s3", "num", "c2", "close")


def _amount_parts(t: pl.Series) -> pl.DataFrame:
    """The named parts of ``_P_AMOUNT`` for each trimmed value (nulls where no match).

    Plain values (digits and separators with an optional sign) are split directly;
    only the rest goes through the currency-aware regex, which is much slower.
    """
    w = pl.DataFrame({"t": t.str.replace_all("−", "-", literal=True)})
    w = w.with_columns(pl.col("t").str.contains(_P_PLAIN_AMOUNT).fill_null(False).alias("plain"))
    plain, text = pl.col("plain"), pl.col("t")
    w = w.with_columns(
        pl.when(~plain).then(text).str.to_lowercase().str.extract_groups(_P_AMOUNT).alias("full"),
        pl.when(plain & text.str.contains(r"^[-+]")).then(text.str.slice(0, 1)).alias("sign"),
        pl.when(plain).then(text.str.strip_chars_start("+-")).alias("digits"),
    )
    full = pl.col("full")
    return w.select(
        pl.coalesce(pl.col("sign"), full.struct.field("s1")).alias("s1"),
        pl.coalesce(pl.col("digits"), full.struct.field("num")).alias("num"),
        *[full.struct.field(f) for f in _AMOUNT_FIELDS if f not in ("s1", "num")],
    )


def _currencies(parts: pl.DataFrame) -> list[str]:
    tokens = pl.concat([parts.get_column("c1").drop_nulls(), parts.get_column("c2").drop_nulls()])
    codes = tokens.str.to_lowercase().replace_strict(
        _CURRENCY_TOKENS, default=None, return_dtype=pl.String
    )
    return sorted(codes.drop_nulls().unique().to_list())


def detect_currency(s: pl.Series) -> str | None:
    """The ISO 4217 code of the one currency written in the amount strings, if any.

    Recognises symbols and codes before or after the number (``₫``, ``đ``, ``VND``,
    ``$`` and ``US$`` -> USD, ``€`` -> EUR, ``¥`` -> JPY, ...). Returns None when no
    value carries a currency, when several currencies are mixed, or for non-text
    columns.
    """
    text = _text(s)
    if text is None:
        return None
    found = _currencies(_amount_parts(_stripped(text)))
    return found[0] if len(found) == 1 else None


def _decide_decimal(
    raw: pl.Series, num: pl.Series, decimal: str | None, currencies: list[str]
) -> tuple[str, str | None]:
    """Which of '.' and ',' is the decimal separator in this column, and a note."""
    core = num.str.replace_all(rf"[{_SEP_CHARS}]", "")
    n_dot = core.str.count_matches(".", literal=True)
    n_comma = core.str.count_matches(",", literal=True)
    last = core.str.extract(r"([.,])\d*$", 1)
    tail = core.str.extract(r"[.,](\d*)$", 1).str.len_chars()
    lead = core.str.extract(r"^(\d*)", 1)
    single_is_decimal = (tail != 3) | (lead == "0") | (lead == "") | (lead.str.len_chars() > 3)
    frame = pl.DataFrame(
        {"dot": n_dot, "comma": n_comma, "last": last, "single_dec": single_is_decimal}
    )
    dot, comma, lst, sd = pl.col("dot"), pl.col("comma"), pl.col("last"), pl.col("single_dec")
    flags = frame.select(
        (
            ((dot == 1) & (comma >= 1) & (lst == "."))
            | ((comma >= 2) & (dot <= 1))
            | ((dot == 1) & (comma == 0) & sd)
        )
        .fill_null(False)
        .alias("dot_ev"),
        (
            ((comma == 1) & (dot >= 1) & (lst == ","))
            | ((dot >= 2) & (comma <= 1))
            | ((comma == 1) & (dot == 0) & sd)
        )
        .fill_null(False)
        .alias("comma_ev"),
        ((dot + comma == 1) & ~sd).fill_null(False).alias("ambiguous"),
        (pl.when(dot == 1).then(pl.lit(".")).when(comma == 1).then(pl.lit(","))).alias("single"),
    )
    has_sep = bool(((n_dot + n_comma) > 0).any())
    if decimal is not None:
        return decimal, (_decimal_note(decimal) + ", as set") if has_sep else None
    dot_ev = int(flags.get_column("dot_ev").sum())
    comma_ev = int(flags.get_column("comma_ev").sum())
    if dot_ev and not comma_ev:
        return ".", _decimal_note(".")
    if comma_ev and not dot_ev:
        return ",", _decimal_note(",")
    if dot_ev and comma_ev:
        if dot_ev == comma_ev:
            first_dot = int(flags.get_column("dot_ev").arg_true()[0])
            first_comma = int(flags.get_column("comma_ev").arg_true()[0])
            raise AmbiguousFormat(
                f"the column has {_count(dot_ev, 'amount')} with '.' as the decimal separator "
                f"and {comma_ev} with ','",
                "set the decimal separator of this column to '.' or ','",
                [(p, raw[p]) for p in sorted((first_dot, first_comma))],
            )
        chosen = "." if dot_ev > comma_ev else ","
        minority = min(dot_ev, comma_ev)
        return chosen, (
            f"{_decimal_note(chosen)} (most values); {_minority(minority, 'the other way')}"
        )
    ambiguous = flags.get_column("ambiguous")
    if not bool(ambiguous.any()):
        return ".", None
    zero_decimal = [c for c in currencies if c in _ZERO_DECIMAL]
    if zero_decimal and len(currencies) == 1:
        singles = flags.get_column("single").filter(ambiguous)
        thousands = "." if int((singles == ".").sum()) >= int((singles == ",").sum()) else ","
        chosen = "," if thousands == "." else "."
        return chosen, (
            f"'{thousands}' read as the thousands separator ({currencies[0]} amounts have "
            "no decimals)"
        )
    positions = ambiguous.arg_true().head(MAX_AMBIGUOUS_EXAMPLES).to_list()
    raise AmbiguousFormat(
        "every separated amount has one separator followed by exactly three digits "
        "(like 1.500), which reads as a thousands separator or as decimals",
        "set the decimal separator of this column to '.' or ','",
        [(int(p), raw[int(p)]) for p in positions],
    )


def _decimal_note(decimal: str) -> str:
    if decimal == ",":
        return "amounts use '.' for thousands and ',' for decimals"
    return "amounts use ',' for thousands and '.' for decimals"


def parse_number(
    s: pl.Series, *, decimal: str | None = None, max_abs: float | None = None
) -> Parsed:
    """Parse numbers and amounts into ``pl.Float64``.

    Accepts plain and scientific numbers (``1.5E+06``), thousands separators in either
    convention (``1,234,567.89``, ``1.234.567,89``) and as spaces, non-breaking spaces
    or apostrophes, currency symbols or codes before or after the number, and negatives
    written with ``-`` or parentheses. Percentages and anything else are bad values.
    The decimal separator is decided once for the column (a separator followed by
    other than three digits, or the last of two different separators, is decimal; a
    repeated one is thousands); ``decimal`` ('.' or ',') overrides that. Raises
    :class:`AmbiguousFormat` when every separated value looks like ``1.500`` and
    the data cannot tell (a zero-decimal currency such as VND in the values settles it
    as thousands). Native numbers are cast; NaN is treated as empty. A number that is not
    finite (``1e309`` overflows to infinity, a native inf) or whose size is above
    ``max_abs`` is out of range (see :class:`Parsed`), never stored.
    """
    if decimal is not None and decimal not in (".", ","):
        raise ValueError(f"decimal must be '.' or ',', not {decimal!r}")
    present = _present(s)
    out = pl.Float64()
    dtype = s.dtype
    if dtype.is_numeric():
        values = s.cast(out)
        return _finish(s, values, present, None, _number_in_range(values, max_abs))
    text = _text(s)
    if text is None:
        return _finish(s, _all_null(s, out), present, None)

    t = _stripped(text)
    scientific = t.str.contains(_P_SCIENTIFIC).fill_null(False)
    sci_values = pl.select(
        pl.when(pl.lit(scientific)).then(
            pl.lit(t).str.replace(",", ".", literal=True).cast(out, strict=False)
        )
    ).to_series()
    plain_text = pl.select(pl.when(~pl.lit(scientific)).then(pl.lit(t))).to_series()
    parts = _amount_parts(plain_text)
    num = parts.get_column("num").str.strip_chars()
    currencies = _currencies(parts)
    chosen, decimal_note = _decide_decimal(s, num, decimal, currencies)

    thousands = "," if chosen == "." else "."
    escaped_dec = re.escape(chosen)
    escaped_th = re.escape(thousands)
    valid_pattern = (
        rf"^(?:\d{{1,3}}(?:[{escaped_th}{_SEP_CHARS}]\d{{3}})+|\d+)(?:{escaped_dec}\d*)?$"
        rf"|^{escaped_dec}\d+$"
    )
    signs = [parts.get_column(c) for c in ("s1", "s2", "s3")]
    frame = pl.DataFrame(
        {
            "num": num,
            "s1": signs[0],
            "s2": signs[1],
            "s3": signs[2],
            "open": parts.get_column("open"),
            "close": parts.get_column("close"),
            "c1": parts.get_column("c1"),
            "c2": parts.get_column("c2"),
        }
    )
    n_signs = pl.sum_horizontal(
        [pl.col(c).is_not_null().cast(pl.Int32) for c in ("s1", "s2", "s3")]
    )
    parens = pl.col("open").is_not_null()
    negative = (
        pl.col("s1").eq("-").fill_null(False)
        | pl.col("s2").eq("-").fill_null(False)
        | pl.col("s3").eq("-").fill_null(False)
        | parens
    )
    well_formed = (
        pl.col("num").str.contains(valid_pattern).fill_null(False)
        & (n_signs + parens.cast(pl.Int32) <= 1)
        & (parens == pl.col("close").is_not_null())
        & ~(pl.col("c1").is_not_null() & pl.col("c2").is_not_null())
    )
    magnitude = (
        pl.col("num")
        .str.replace_all(rf"[{escaped_th}{_SEP_CHARS}]", "")
        .str.replace(chosen, ".", literal=True)
        .cast(out, strict=False)
    )
    plain_values = frame.select(
        pl.when(well_formed).then(pl.when(negative).then(-magnitude).otherwise(magnitude))
    ).to_series()
    result = pl.select(pl.coalesce(pl.lit(sci_values), pl.lit(plain_values))).to_series()

    notes = [decimal_note] if decimal_note else []
    if len(currencies) == 1:
        notes.append(f"currency {currencies[0]} found in the values")
    elif len(currencies) > 1:
        notes.append(
            f"several currencies found in the values ({', '.join(currencies)}); "
            "amounts are not converted"
        )
    return _finish(s, result, present, _join_notes(notes), _number_in_range(result, max_abs))


def _number_in_range(values: pl.Series, max_abs: float | None) -> pl.Series:
    """True for finite numbers whose size is at most ``max_abs`` (when given)."""
    ok = values.is_finite()
    if max_abs is not None:
        ok = ok & (values.abs() <= max_abs)
    return ok


# ---------------------------------------------------------------------------
# booleans and text

_TRUE = "true t yes y 1 1.0 x checked có co đúng dung on ✓ ✔".split()  # noqa: SIM905
_FALSE = "false f no n 0 0.0 unchecked không khong sai off".split()  # noqa: SIM905
_BOOL_WORDS = {**dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE, False)}


def parse_bool(s: pl.Series) -> Parsed:
    """Parse yes/no values into ``pl.Boolean``.

    Accepts (trimmed, case-insensitive) true/false, t/f, yes/no, y/n, 1/0, 1.0/0.0,
    x (true; an empty cell is null, not false), checked/unchecked, on/off, ✓, and the
    Vietnamese có/không and đúng/sai with or without accents; native booleans; and the
    numbers 1 and 0. Anything else is a bad value.
    """
    present = _present(s)
    out = pl.Boolean()
    dtype = s.dtype
    if dtype == pl.Boolean:
        return _finish(s, s, present, None)
    if dtype.is_numeric():
        values = s.cast(pl.Float64)
        result = pl.select(
            pl.when(pl.lit(values) == 1)
            .then(pl.lit(True))
            .when(pl.lit(values) == 0)
            .then(pl.lit(False))
        ).to_series()
        return _finish(s, result, present, None)
    text = _text(s)
    if text is None:
        return _finish(s, _all_null(s, out), present, None)
    words = _stripped(text).str.normalize("NFC").str.to_lowercase()
    result = words.replace_strict(_BOOL_WORDS, default=None, return_dtype=out)
    note = None
    if bool((words == "x").any()):
        note = "'x' read as true; empty cells are unknown (null), not false"
    return _finish(s, result, present, note)


_WHOLE_FLOAT_TEXT = r"^-?\d+(?:\.0+)?$"


def parse_text(s: pl.Series) -> Parsed:
    """Turn any column into trimmed ``pl.String`` (Unicode NFC); empty becomes null.

    Whole floats such as Excel's ``12345.0`` become ``"12345"`` (also in a text column
    whose values are all whole numbers written with ``.0``); other numbers, booleans,
    dates and datetimes are written in their usual text form, lists and structs as JSON.
    Nothing is a bad value, except binary values that are not UTF-8 text.
    """
    present = _present(s)
    out = pl.String()
    dtype = s.dtype
    note = None
    if dtype.is_float():
        whole = s.is_finite() & (s == s.floor()) & (s.abs() < 2**53)
        result = pl.select(
            pl.when(pl.lit(whole))
            .then(pl.lit(s).cast(pl.Int64, strict=False).cast(out))
            .otherwise(pl.lit(s).cast(out))
        ).to_series()
    elif isinstance(dtype, pl.Datetime):
        result = s.dt.to_string("%Y-%m-%d %H:%M:%S")
        has_fraction = bool((s.dt.microsecond() != 0).any())
        if has_fraction:
            result = s.dt.to_string("%Y-%m-%d %H:%M:%S%.6f")
    else:
        text = _text(s)
        if text is None and dtype.is_nested():
            json = pl.struct(pl.col("v")).struct.json_encode()
            # json_encode wraps the value as {"v":...}; keep only the value.
            result = s.to_frame("v").select(json.str.slice(5).str.strip_suffix("}")).to_series()
        elif text is None:
            result = s.cast(out, strict=False)
        else:
            result = _stripped(text).str.normalize("NFC")
            values = result.drop_nulls()
            if (
                len(values)
                and bool(values.str.contains(_WHOLE_FLOAT_TEXT).all())
                and bool(values.str.contains(r"\.0+$").any())
            ):
                result = result.str.replace(r"\.0+$", "")
                note = "whole numbers written like 12345.0 read as 12345"
    return _finish(s, result, present, note)
