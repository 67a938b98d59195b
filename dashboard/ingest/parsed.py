"""What every value parser returns, and the helpers they share.

A parser's :class:`Parsed` holds the typed series, the values it could not read and a
note; :class:`AmbiguousFormat` is raised when the data cannot decide a column's format.
The limits on what is stored (first and last date, largest amount) live here too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

MAX_BAD_EXAMPLES = 20
MAX_AMBIGUOUS_EXAMPLES = 5

# The dates and times a workspace stores: a date written outside these days is refused as
# out of range (9999-12-31 and 1900-01-01 are placeholders for "unknown", and a chart or
# interval over a span of centuries is meaningless). Checked on the date as written (in
# the file's own time zone); a time with an offset or a native UTC time by its UTC date.
FIRST_DATE = dt.date(1970, 1, 1)
LAST_DATE = dt.date(2100, 12, 31)
# Years a number column may hold when it is read as YYYYMMDD / YYYYMM dates.
COMPACT_YEARS = (1900, 2200)
# The largest amount stored, in any currency (10^15: a thousand trillion dong is about
# 40 billion US dollars): a bigger one is an export error or a typo such as 1e309.
MAX_AMOUNT = 1e15

# Excel's largest serial date (9999-12-31) and the serial of 1970-01-01.
EXCEL_MAX_SERIAL = 2_958_465
EXCEL_UNIX_EPOCH = 25_569
US_PER_DAY = 86_400_000_000
US_PER_MINUTE = 60_000_000


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


def as_text(s: pl.Series) -> pl.Series | None:
    """The series as String if it holds text (String/Categorical/Enum), else None."""
    if s.dtype == pl.String:
        return s
    if isinstance(s.dtype, pl.Categorical | pl.Enum):
        return s.cast(pl.String)
    return None


def stripped(s: pl.Series) -> pl.Series:
    """Trimmed text with empty / whitespace-only values turned into nulls."""
    t = s.str.strip_chars()
    return pl.select(pl.when(t.str.len_bytes() > 0).then(t)).to_series().alias(s.name)


def nfc(s: pl.Series) -> pl.Series:
    """``s`` (String) in Unicode NFC: the same values as ``s.str.normalize("NFC")``.

    ASCII text is always NFC, so only the distinct values with other characters are
    normalised: a column of ids or hashes costs one length check, a column of a few
    dozen names one normalisation per name (normalising every row was most of a load's
    text parsing).
    """
    wide = s.str.len_bytes() != s.str.len_chars()
    if not bool(wide.any()):
        return s
    distinct = s.filter(wide).unique()
    normal = distinct.str.normalize("NFC")
    changed = distinct != normal
    if not bool(changed.any()):
        return s
    return s.replace(distinct.filter(changed), normal.filter(changed))


def trimmed_text(s: pl.Series) -> tuple[pl.Series | None, pl.Series]:
    """The text of ``s`` trimmed (:func:`stripped`; None when ``s`` holds no text) and
    where it holds a value (:func:`present_mask`), trimming once for both."""
    text = as_text(s)
    if text is None:
        return None, present_mask(s)
    trimmed = stripped(text)
    return trimmed, trimmed.is_not_null()


def present_mask(s: pl.Series) -> pl.Series:
    """True where the input holds a value (not null, not empty / whitespace-only)."""
    text = as_text(s)
    if text is not None:
        return stripped(text).is_not_null()
    if s.dtype.is_float():
        return s.is_not_null() & s.is_not_nan()
    return s.is_not_null()


def finish(
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
        out = pl.repeat(False, len(raw), dtype=pl.Boolean, eager=True)
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


def dates_in_range(d: pl.Series) -> pl.Series:
    """True for dates (or datetimes, by their date) from FIRST_DATE to LAST_DATE."""
    days = d.dt.date() if isinstance(d.dtype, pl.Datetime) else d
    return days.is_between(FIRST_DATE, LAST_DATE)


def all_null(s: pl.Series, dtype: pl.DataType) -> pl.Series:
    """A series of nulls of ``dtype``, as long as ``s`` and named like it."""
    return pl.Series(s.name, [None] * len(s), dtype=dtype)


def counted(n: int, word: str) -> str:
    """ "1 value", "3 values": ``n`` with ``word`` in the singular or plural."""
    return f"1 {word}" if n == 1 else f"{n} {word}s"


def minority_note(n: int, how: str) -> str:
    """The note for values written in a minority format, which are read as bad."""
    return f"{counted(n, 'value')} written {how} {'is' if n == 1 else 'are'} bad"


def join_notes(notes: list[str]) -> str | None:
    """The notes as one "; "-separated note, or None when there are none."""
    return "; ".join(notes) if notes else None
