"""Column-level value parsing: dates, timestamps, amounts, booleans and text.

Every parser takes one ``pl.Series`` as a reader produced it (String from CSV,
native types from Excel/Parquet) and returns a :class:`Parsed` with a typed series
of the same length and order, the values it could not read, and a note saying what
it decided. The format of a column (day-first or month-first dates, which amount
separator is the decimal one) is decided once per column from all its values;
when the data cannot decide, :class:`AmbiguousFormat` is raised so a person can.

All work is done with Polars expressions; Python only loops over the short list of
bad examples.

The parsers live in :mod:`dashboard.ingest.dates`, :mod:`dashboard.ingest.date_text`
and :mod:`dashboard.ingest.numbers` (what they share in :mod:`dashboard.ingest.parsed`);
this module holds the booleans and text and is where callers import every parser from.
"""

from __future__ import annotations

import polars as pl

from dashboard.ingest.dates import parse_date, parse_timestamp
from dashboard.ingest.numbers import detect_currency, parse_number
from dashboard.ingest.parsed import (
    FIRST_DATE,
    LAST_DATE,
    MAX_AMBIGUOUS_EXAMPLES,
    MAX_AMOUNT,
    MAX_BAD_EXAMPLES,
    AmbiguousFormat,
    Parsed,
    all_null,
    finish,
    nfc,
    trimmed_text,
)

__all__ = [
    "FIRST_DATE",
    "LAST_DATE",
    "MAX_AMBIGUOUS_EXAMPLES",
    "MAX_AMOUNT",
    "MAX_BAD_EXAMPLES",
    "AmbiguousFormat",
    "Parsed",
    "detect_currency",
    "parse_bool",
    "parse_date",
    "parse_number",
    "parse_text",
    "parse_timestamp",
]


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
    out = pl.Boolean()
    dtype = s.dtype
    trimmed, present = trimmed_text(s)
    if dtype == pl.Boolean:
        return finish(s, s, present, None)
    if dtype.is_numeric():
        values = s.cast(pl.Float64)
        result = pl.select(
            pl.when(pl.lit(values) == 1)
            .then(pl.lit(True))
            .when(pl.lit(values) == 0)
            .then(pl.lit(False))
        ).to_series()
        return finish(s, result, present, None)
    if trimmed is None:
        return finish(s, all_null(s, out), present, None)
    words = nfc(trimmed).str.to_lowercase()
    result = words.replace_strict(_BOOL_WORDS, default=None, return_dtype=out)
    note = None
    if bool((words == "x").any()):
        note = "'x' read as true; empty cells are unknown (null), not false"
    return finish(s, result, present, note)


_WHOLE_FLOAT_TEXT = r"^-?\d+(?:\.0+)?$"


def parse_text(s: pl.Series) -> Parsed:
    """Turn any column into trimmed ``pl.String`` (Unicode NFC); empty becomes null.

    Whole floats such as Excel's ``12345.0`` become ``"12345"`` (also in a text column
    whose values are all whole numbers written with ``.0``); other numbers, booleans,
    dates and datetimes are written in their usual text form, lists and structs as JSON.
    Nothing is a bad value, except binary values that are not UTF-8 text.
    """
    out = pl.String()
    dtype = s.dtype
    note = None
    trimmed, present = trimmed_text(s)
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
        if trimmed is None and dtype.is_nested():
            json = pl.struct(pl.col("v")).struct.json_encode()
            # json_encode wraps the value as {"v":...}; keep only the value.
            result = s.to_frame("v").select(json.str.slice(5).str.strip_suffix("}")).to_series()
        elif trimmed is None:
            result = s.cast(out, strict=False)
        else:
            result = nfc(trimmed)
            values = result.drop_nulls()
            if (
                len(values)
                # the first values decide most columns without a scan of every value
                and bool(values.head(64).str.contains(_WHOLE_FLOAT_TEXT).all())
                and bool(values.str.contains(_WHOLE_FLOAT_TEXT).all())
                and bool(values.str.contains(r"\.0+$").any())
            ):
                result = result.str.replace(r"\.0+$", "")
                note = "whole numbers written like 12345.0 read as 12345"
    return finish(s, result, present, note)
