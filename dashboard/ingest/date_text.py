"""Dates and times written as text: the patterns a CRM export uses, split into parts.

ISO values are cut at fixed positions; every other family (day/month/year with any
separator, month names, Vietnamese "tháng", month-only values) is one regex, tried only
on the values no earlier family matched. Day-first or month-first is decided once per
column from all its values.
"""

from __future__ import annotations

import zoneinfo

import polars as pl

from dashboard.ingest.parsed import (
    FIRST_DATE,
    LAST_DATE,
    MAX_AMBIGUOUS_EXAMPLES,
    AmbiguousFormat,
    counted,
    minority_note,
)

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

NUMERIC = r"^[+-]?\d+(?:\.\d+)?$"

_TIME_FIELDS = ("H", "MI", "S", "F", "AP", "Z", "OFF")

_ORDER_NOTES = {
    "dmy": "day-first dates (DD/MM/YYYY)",
    "mdy": "month-first dates (MM/DD/YYYY)",
}


def check_order(date_order: str | None) -> str | None:
    """``date_order`` lower-cased ("dmy" or "mdy"), or None; ValueError for anything else."""
    if date_order is None:
        return None
    order = date_order.lower()
    if order not in _ORDER_NOTES:
        raise ValueError(f"date_order must be 'dmy' or 'mdy', not {date_order!r}")
    return order


def check_timezone(timezone: str) -> None:
    """Raise ValueError unless ``timezone`` is an IANA time zone name."""
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
                f"the column has {counted(dmy, 'day-first date')} and "
                f"{counted(mdy, 'month-first date')}",
                "set the date order of this column to day-first (DD/MM/YYYY) "
                "or month-first (MM/DD/YYYY)",
                [(p, raw[p]) for p in sorted((first_d, first_m))],
            )
        order = "dmy" if dmy > mdy else "mdy"
        minority = min(dmy, mdy)
        return order, [
            f"{_ORDER_NOTES[order]} (most values); {minority_note(minority, 'the other way round')}"
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

# standard ISO values, which need no day/month decision (public for the batched load)
ISO_FAST = _P_ISO_FAST


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


def _match_families(
    text: pl.Series, *, months: bool
) -> tuple[pl.DataFrame, list[tuple[str, str, str | None, bool]]]:
    """One struct column of captured parts per pattern family that was tried.

    Returns the frame and, per family tried, (label, month field, day field, timed).
    """
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
    return w, active


# The layout most exports write (YYYY-MM-DD or YYYY-MM-DD HH:MM:SS, no offset), with a
# possible hour, minute and second: the rest of such a value is the calendar date.
_P_PLAIN = r"^\d{4}-\d{2}-\d{2}(?:[T ](?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d)?$"


def _plain_parts(text: pl.Series) -> pl.DataFrame | None:
    """The parts of a column written only in the plain layout, or None to parse in full.

    The same parts as the general parser gives, found by a native date parse instead of
    pattern captures. A column with any other layout, or with a date that is impossible
    (2024-02-30) or outside the stored range, is left to the general parser, whose
    messages name those values.
    """
    values = text.drop_nulls()
    if not len(values) or not bool(values.head(64).str.contains(_P_PLAIN).all()):
        return None
    if not bool(values.str.contains(_P_PLAIN).all()):
        return None
    date = text.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
    given = date.drop_nulls()
    if len(given) != len(values) or not bool(given.is_between(FIRST_DATE, LAST_DATE).all()):
        return None

    def field(start: int) -> pl.Expr:
        return pl.col("t").str.slice(start, 2).cast(pl.Int64, strict=False)

    seconds = (field(11) * 60 + field(14)) * 60 + field(17)
    return pl.DataFrame({"t": text, "date": date}).select(
        "date",
        # a date without a time is midnight, as is an empty cell in the general parser
        (seconds * 1_000_000).fill_null(0).alias("time_us"),
        pl.lit(None, pl.Int64).alias("offset"),
        pl.lit(False).alias("month"),
    )


def parse_temporal_text(
    raw: pl.Series, text: pl.Series, *, date_order: str | None, months: bool
) -> tuple[pl.DataFrame, list[str]]:
    """Parse trimmed date/time strings into parts.

    Returns a frame with ``date`` (pl.Date, the calendar date as written), ``time_us``
    (Int64 microseconds since midnight, 0 for date-only values), ``offset`` (Int64
    minutes east of UTC, null when the value carries none) and ``month`` (True for
    month values such as 2024-03), plus notes on what was decided.
    """
    plain = _plain_parts(text)
    if plain is not None:
        return plain, []
    notes: list[str] = []
    w, active = _match_families(text, months=months)
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
