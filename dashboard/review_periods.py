"""The review meeting's periods: calendar months and quarters, and the headline numbers of
one period beside the previous one's (:func:`compare_periods`).

Pure logic over metrics (no Streamlit); :mod:`dashboard.review` re-exports every name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import duckdb
import polars as pl

from dashboard import metrics

GRAINS = ("month", "quarter")


@dataclass(frozen=True)
class Period:
    """One calendar month or quarter (both ends inclusive)."""

    grain: str
    start: dt.date
    end: dt.date

    def filters(self, base: metrics.Filters) -> metrics.Filters:
        """``base`` with its dates replaced by this period's."""
        return replace(base, date_from=self.start, date_to=self.end)

    def previous(self) -> Period:
        """The period just before this one."""
        return period_of(self.start - dt.timedelta(days=1), self.grain)


def period_of(day: dt.date, grain: str = "month") -> Period:
    """The month or quarter containing ``day``."""
    if grain not in GRAINS:
        raise ValueError(f"grain must be one of {GRAINS}, not {grain!r}")
    first_month = day.month if grain == "month" else 3 * ((day.month - 1) // 3) + 1
    start = dt.date(day.year, first_month, 1)
    months = 1 if grain == "month" else 3
    y, m = divmod(first_month - 1 + months, 12)
    end = dt.date(day.year + y, m + 1, 1) - dt.timedelta(days=1)
    return Period(grain, start, end)


def periods(first_day: dt.date, last_day: dt.date, grain: str = "month") -> list[Period]:
    """Every month or quarter from the one holding ``first_day`` to ``last_day``'s, newest first."""
    out = []
    p = period_of(last_day, grain)
    while p.end >= first_day:
        out.append(p)
        p = p.previous()
    return out


def default_period(first_day: dt.date, last_day: dt.date, grain: str = "month") -> Period:
    """The last complete period in the data: ``last_day``'s own if it ends that period,
    else the one before (unless that is before the data starts)."""
    p = period_of(last_day, grain)
    if last_day < p.end and p.previous().end >= first_day:
        return p.previous()
    return p


def months_of(p: Period) -> set[dt.date]:
    """The first day of every calendar month ``p`` touches."""
    months, day = set(), p.start.replace(day=1)
    while day <= p.end:
        months.add(day)
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months


def newest_mature(choices: list[Period], last_complete: Period, maturing: set[dt.date]) -> Period:
    """The newest complete period whose won deals have had time to come in.

    The meeting compares finished periods: opening on a month whose deals are still
    arriving shows a fall that is only time. ``choices`` are newest first; when every
    complete period is still maturing, the last complete one (the page then says so).
    """
    older = choices[choices.index(last_complete) :]
    return next((p for p in older if not months_of(p) & maturing), last_complete)


@dataclass(frozen=True)
class Headline:
    """One headline number in two periods. ``kind`` is "count", "rate" (0..1) or "money"."""

    key: str
    metric: str
    kind: str
    current: float | None
    previous: float | None

    @property
    def change(self) -> float | None:
        """current − previous (for rates, in shares: 0.02 = 2 points); None if either is."""
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous

    @property
    def relative_change(self) -> float | None:
        """change / previous; None when previous is empty or zero."""
        if self.change is None or not self.previous:
            return None
        return self.change / self.previous


@dataclass
class Comparison:
    """This period's headline numbers beside the previous period's."""

    grain: str
    current: Period
    previous: Period
    headlines: list[Headline]
    missing: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def get(self, key: str) -> Headline:
        """The headline called ``key``; KeyError if there is none."""
        for h in self.headlines:
            if h.key == key:
                return h
        raise KeyError(key)


# headline key → (metric, column, kind, row picker: None = first row, else owner value)
HEADLINES: tuple[tuple[str, str, str, str, str | None], ...] = (
    ("leads", "overview", "leads", "count", None),
    ("mqls", "overview", "mqls", "count", None),
    ("acceptance_rate", "handoff", "acceptance_rate", "rate", None),
    ("sqls", "overview", "sqls", "count", None),
    ("won_deals", "overview", "won_deals", "count", None),
    ("won_revenue", "overview", "won_revenue", "money", None),
    ("sla_compliance_rate", "followup_by_owner", "sla_compliance_rate", "rate", "(all)"),
    ("agreement_rate", "disagreement", "agreement_rate", "rate", None),
)


# A metric's rows under some filters, or None and what it needs (metrics.answer's parts).
Answerer = Callable[[str, metrics.Filters], tuple[pl.DataFrame | None, tuple[str, ...]]]


def answer_on(con: duckdb.DuckDBPyConnection, settings: dict) -> Answerer:
    """Metrics answered on ``con`` with ``settings`` (the report's and the CLI's way)."""
    resolved = metrics.resolve_settings(settings, None)

    def answer(name: str, filters: metrics.Filters) -> tuple[pl.DataFrame | None, tuple[str, ...]]:
        got = metrics.answer(con, name, settings=resolved, filters=filters)
        return got.frame, got.needs

    return answer


def headline_values(
    con: duckdb.DuckDBPyConnection | None,
    settings: dict,
    filters: metrics.Filters,
    answer: Answerer | None = None,
) -> tuple[dict[str, float | None], dict[str, tuple[str, ...]]]:
    """Each headline's value (:data:`HEADLINES`) under ``filters``, read from its metric's
    query, and what the metrics that cannot answer need (None values for them).

    The metrics are run on ``con`` with ``settings``, or asked of ``answer`` (the
    dashboard's cached figures, which the page shows beside them).
    """
    if answer is None:
        if con is None:
            raise ValueError("headline_values needs a connection or an answer function")
        answer = answer_on(con, settings)
    frames: dict[str, pl.DataFrame | None] = {}
    missing: dict[str, tuple[str, ...]] = {}
    out: dict[str, float | None] = {}
    for key, name, column, _, owner in HEADLINES:
        if name not in frames:
            frames[name], needs = answer(name, filters)
            if needs:
                missing[name] = needs
        frame = frames[name]
        if frame is None:
            out[key] = None
            continue
        if owner is not None:
            frame = frame.filter(pl.col("owner") == owner)
        value = frame[column][0] if frame.height else None
        out[key] = float(value) if value is not None else None
    return out, missing


def compare_periods(
    con: duckdb.DuckDBPyConnection | None,
    settings: dict,
    filters: metrics.Filters,
    grain: str = "month",
    anchor: dt.date | None = None,
    answer: Answerer | None = None,
) -> Comparison:
    """Headline metrics of the period holding ``anchor`` and of the one before it.

    ``anchor`` defaults to a day in the last complete period of the data (by lead created
    date; it needs ``con``). The other filters (source, campaign, owner, segment) apply to
    both periods; their dates are replaced by each period's. Headlines whose metric lacks
    inputs are None, and ``missing`` names what they need. ``answer`` is as for
    :func:`headline_values`.
    """
    if anchor is None:
        if con is None:
            raise ValueError("compare_periods needs a connection to find the default period")
        first, last = con.execute(
            "select min(created_at)::date, max(created_at)::date from leads"
        ).fetchall()[0]
        this = default_period(first, last, grain) if last else period_of(dt.date.today(), grain)
    else:
        this = period_of(anchor, grain)
    before = this.previous()
    now, missing = headline_values(con, settings, this.filters(filters), answer)
    then, _ = headline_values(con, settings, before.filters(filters), answer)
    heads = [Headline(key, name, kind, now[key], then[key]) for key, name, _, kind, _ in HEADLINES]
    return Comparison(grain, this, before, heads, missing)
