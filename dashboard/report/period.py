"""Which period the review report covers, and its headline numbers beside the previous one's.

The report reviews one period against the one before it, as the Review page does: by
default the newest complete month whose won deals have had time to come in (no month of it
still maturing in ``funnel_cohort``'s won stage), a month or quarter named with ``--period``,
or the days given with ``--from``/``--to`` (a range that is exactly one calendar month or
quarter is that period; any other range is compared with the equally long range just
before it). Every figure is a metric's output for each period; this module only chooses the
periods and collects the figures.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import duckdb
import polars as pl

from dashboard import metrics, review
from dashboard import review_periods as periods_mod

RANGE = "range"  # the grain of a period given by its first and last day
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")


@dataclass(frozen=True)
class Reviewed:
    """The period the report covers, the one it is compared with, and their figures."""

    current: review.Period
    previous: review.Period
    comparison: review.Comparison
    # True when the current period's won deals may still come in (funnel_cohort)
    maturing: bool

    def filters(self, base: metrics.Filters) -> metrics.Filters:
        """``base`` restricted to the reviewed period's days."""
        return self.current.filters(base)


def parse_period(text: str) -> review.Period:
    """``2026-05`` as May 2026, ``2026-Q2`` as the second quarter of 2026.

    Raises ValueError saying what is expected for anything else.
    """
    value = text.strip()
    month, quarter = _MONTH.match(value), _QUARTER.match(value)
    if month and 1 <= int(month.group(2)) <= 12:
        return review.period_of(dt.date(int(month.group(1)), int(month.group(2)), 1), "month")
    if quarter:
        first_month = 3 * (int(quarter.group(2)) - 1) + 1
        return review.period_of(dt.date(int(quarter.group(1)), first_month, 1), "quarter")
    raise ValueError(f"{text!r} is not a month (YYYY-MM) or a quarter (YYYY-Qn)")


def _calendar_period(start: dt.date, end: dt.date) -> review.Period | None:
    """The calendar month or quarter that is exactly ``start``..``end``, if there is one."""
    for grain in review.GRAINS:
        p = review.period_of(start, grain)
        if p.start == start and p.end == end:
            return p
    return None


def _range_before(p: review.Period) -> review.Period:
    """The range of as many days as ``p`` that ends the day before ``p`` starts."""
    days = (p.end - p.start).days + 1
    return review.Period(RANGE, p.start - dt.timedelta(days=days), p.start - dt.timedelta(days=1))


def maturing_months(
    con: duckdb.DuckDBPyConnection, settings: dict, base: metrics.Filters
) -> set[dt.date]:
    """Cohort months whose won deals may still come in (``funnel_cohort``'s is_maturing)."""
    got = metrics.answer(
        con, "funnel_cohort", settings=metrics.resolve_settings(settings, None), filters=base
    )
    if got.frame is None or got.frame.is_empty():
        return set()
    won = got.frame.filter((pl.col("stage") == "won") & pl.col("is_maturing"))
    return set(won["cohort_month"].to_list())


def newest_mature(
    first_day: dt.date, last_day: dt.date, maturing: set[dt.date], grain: str = "month"
) -> review.Period:
    """The period the Review page opens on (:func:`review_periods.newest_mature`)."""
    return review.newest_mature(
        review.periods(first_day, last_day, grain),
        review.default_period(first_day, last_day, grain),
        maturing,
    )


def _with_agreement_beyond_chance(
    con: duckdb.DuckDBPyConnection,
    settings: dict,
    base: metrics.Filters,
    cmp: review.Comparison,
) -> review.Comparison:
    """``cmp`` with Gwet's AC1 (``disagreement``'s gwet_ac1) of both periods added."""
    resolved = metrics.resolve_settings(settings, None)
    values: list[float | None] = []
    for p in (cmp.current, cmp.previous):
        got = metrics.answer(con, "disagreement", settings=resolved, filters=p.filters(base))
        if got.needs:
            cmp.missing.setdefault("disagreement", got.needs)
        frame = got.frame
        value = frame["gwet_ac1"][0] if frame is not None and frame.height else None
        values.append(float(value) if value is not None else None)
    ac1 = review.Headline("gwet_ac1", "disagreement", "coefficient", values[0], values[1])
    return review.Comparison(
        cmp.grain, cmp.current, cmp.previous, [*cmp.headlines, ac1], cmp.missing
    )


def _compare_range(
    con: duckdb.DuckDBPyConnection,
    settings: dict,
    base: metrics.Filters,
    current: review.Period,
    previous: review.Period,
) -> review.Comparison:
    """The Review page's headline numbers for two ranges that are not calendar periods."""
    # the same metrics and columns as compare_periods, for any two ranges of days
    now, missing = periods_mod.headline_values(con, settings, current.filters(base))
    then, _ = periods_mod.headline_values(con, settings, previous.filters(base))
    heads = [
        review.Headline(key, name, kind, now[key], then[key])
        for key, name, _, kind, _ in review.HEADLINES
    ]
    return review.Comparison(RANGE, current, previous, heads, missing)


def reviewed_period(
    con: duckdb.DuckDBPyConnection,
    settings: dict,
    base: metrics.Filters,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    period: review.Period | None = None,
    grain: str = "month",
) -> Reviewed | None:
    """The period the report reviews and the one it is compared with, with their headline
    numbers (the Review page's, plus Gwet's AC1).

    ``period`` wins; else ``date_from``/``date_to`` (a missing end is the data's first or
    last lead day); else the newest mature period of ``grain``. ``base`` holds the other
    filters, applied to both periods. None when no lead is loaded.
    """
    first, last = con.execute(
        "select min(created_at)::date, max(created_at)::date from leads"
    ).fetchall()[0]
    if first is None or last is None:
        return None
    maturing = maturing_months(con, settings, base)
    if period is not None:
        current = period
    elif date_from is not None or date_to is not None:
        start, end = date_from or first, date_to or last
        current = _calendar_period(start, end) or review.Period(RANGE, start, end)
    else:
        current = newest_mature(first, last, maturing, grain)
    if current.grain == RANGE:
        previous = _range_before(current)
        cmp = _compare_range(con, settings, base, current, previous)
    else:
        previous = current.previous()
        cmp = review.compare_periods(con, settings, base, current.grain, anchor=current.start)
    cmp = _with_agreement_beyond_chance(con, settings, base, cmp)
    return Reviewed(current, previous, cmp, bool(review.months_of(current) & maturing))
