"""Timestamps and dates: text, Excel serials, compact numbers and native values.

:func:`parse_timestamp` and :func:`parse_date` give UTC timestamps and calendar dates;
values outside the stored range (:data:`FIRST_DATE` to :data:`LAST_DATE`) are out of
range, never stored.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from dashboard.ingest.date_text import NUMERIC, check_order, check_timezone, parse_temporal_text
from dashboard.ingest.parsed import (
    COMPACT_YEARS,
    EXCEL_MAX_SERIAL,
    EXCEL_UNIX_EPOCH,
    US_PER_DAY,
    US_PER_MINUTE,
    Parsed,
    all_null,
    as_text,
    dates_in_range,
    finish,
    join_notes,
    present_mask,
    stripped,
)


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
        return dates.cast(pl.Int64) * US_PER_DAY

    first, last = COMPACT_YEARS
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
        .then(v - (EXCEL_UNIX_EPOCH - 1))
        .when((v >= 61) & (v < EXCEL_MAX_SERIAL + 1))
        .then(v - EXCEL_UNIX_EPOCH)
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
    check_timezone(timezone)
    order = check_order(date_order)
    present = present_mask(s)
    out_type = pl.Datetime("us")
    dtype = s.dtype

    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is None:
            in_range = dates_in_range(s)
            result = _local_to_utc(s.cast(out_type), timezone)
            notes = _zone_note(timezone, True)
        else:
            result = s.dt.convert_time_zone("UTC").dt.replace_time_zone(None).cast(out_type)
            in_range = dates_in_range(result)
            notes = []
        return finish(s, result, present, join_notes(notes), in_range)
    if dtype == pl.Date:
        result = _local_to_utc(s.cast(out_type), timezone)
        return finish(s, result, present, join_notes(_zone_note(timezone, True)), dates_in_range(s))
    if dtype.is_numeric():
        return _timestamp_from_numbers(s, s, present, timezone)

    text = as_text(s)
    if text is None:
        return finish(s, all_null(s, out_type), present, None)
    t = stripped(text)
    values = t.drop_nulls()
    if len(values) and bool(values.str.contains(NUMERIC).all()):
        return _timestamp_from_numbers(s, t.cast(pl.Float64, strict=False), present, timezone)

    parts, notes = parse_temporal_text(s, t, date_order=order, months=False)
    days = parts.get_column("date").cast(pl.Int64)
    naive_us = days * US_PER_DAY + parts.get_column("time_us")
    offset = parts.get_column("offset")
    from_offset = naive_us - offset * US_PER_MINUTE
    local = _local_to_utc(_micros_to_datetime(naive_us), timezone)
    result = pl.select(
        pl.when(pl.lit(offset).is_not_null())
        .then(pl.lit(_micros_to_datetime(from_offset)))
        .otherwise(pl.lit(local))
    ).to_series()
    has_local = bool((offset.is_null() & naive_us.is_not_null()).any())
    notes.extend(_zone_note(timezone, has_local))
    in_range = dates_in_range(parts.get_column("date"))
    return finish(s, result, present, join_notes(notes), in_range)


def _timestamp_from_numbers(
    raw: pl.Series, v: pl.Series, present: pl.Series, timezone: str
) -> Parsed:
    num = _temporal_from_numbers(v, months=False)
    stamps = _micros_to_datetime(num.micros)
    in_range = dates_in_range(stamps)
    notes = [num.note]
    if not num.utc:
        stamps = _local_to_utc(stamps, timezone)
        notes.extend(_zone_note(timezone, True))
    return finish(raw, stamps, present, join_notes(notes), in_range)


def parse_date(s: pl.Series, *, date_order: str | None = None) -> Parsed:
    """Parse a column of calendar dates into ``pl.Date``.

    Accepts everything :func:`parse_timestamp` accepts (the date is taken as written;
    a time of day or offset is ignored) plus month values -- ``2024-03``, ``03/2024``,
    ``Mar 2024``, ``Mar-24``, ``Tháng 3/2024``, ``YYYYMM`` numbers -- which become the
    first day of the month. Raises :class:`AmbiguousFormat` like parse_timestamp.
    """
    order = check_order(date_order)
    present = present_mask(s)
    dtype = s.dtype
    if dtype == pl.Date:
        return finish(s, s, present, None, dates_in_range(s))
    if isinstance(dtype, pl.Datetime):
        days = s.dt.date()
        return finish(s, days, present, None, dates_in_range(days))
    if dtype.is_numeric():
        return _date_from_numbers(s, s, present)
    text = as_text(s)
    if text is None:
        return finish(s, all_null(s, pl.Date()), present, None)
    t = stripped(text)
    values = t.drop_nulls()
    if len(values) and bool(values.str.contains(NUMERIC).all()):
        return _date_from_numbers(s, t.cast(pl.Float64, strict=False), present)
    parts, notes = parse_temporal_text(s, t, date_order=order, months=True)
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
    return finish(s, result, present, join_notes(notes), dates_in_range(result))


def _date_from_numbers(raw: pl.Series, v: pl.Series, present: pl.Series) -> Parsed:
    num = _temporal_from_numbers(v, months=True)
    days = pl.select(pl.lit(num.micros).floordiv(US_PER_DAY)).to_series()
    result = days.cast(pl.Int32).cast(pl.Date)
    return finish(raw, result, present, num.note, dates_in_range(result))
