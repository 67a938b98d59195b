"""Reference (Polars) for the funnel metrics: ``funnel`` and ``funnel_cohort``.

Written from the metric docs, independently of the SQL: it reads the lead facts of
``tests/reference/base.py`` and the raw deals, never runs SQL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from tests.reference.base import RefFilters, as_of, lead_facts

STAGES: list[tuple[str, str]] = [
    ("lead", "Lead"),
    ("mql", "MQL"),
    ("handed_off", "Handed off"),
    ("accepted", "SAL (accepted)"),
    ("sql", "SQL"),
    ("opportunity", "Opportunity"),
    ("won", "Won"),
]


def _facts(
    t: dict[str, pl.DataFrame], settings: dict[str, Any] | None, f: RefFilters | None
) -> pl.DataFrame:
    """Lead facts plus the first won deal's close date and the --by-free stage dates."""
    facts = lead_facts(t, settings, f)
    won = (
        t["deals"]
        .filter(pl.col("lead_id").is_not_null() & pl.col("is_won").fill_null(False))
        .group_by("lead_id")
        .agg(pl.col("closed_at").min().alias("first_won_at"))
    )
    return facts.join(won, on="lead_id", how="left")


def _stage_columns() -> list[tuple[pl.Expr, pl.Expr]]:
    """(reached, date) for each stage, in order."""
    return [
        (pl.lit(True), pl.col("created_at")),
        (pl.col("is_mql"), pl.col("mql_at_eff")),
        (pl.col("is_handed_off"), pl.col("handed_off_at_eff")),
        (pl.col("is_accepted"), pl.col("accepted_at_eff")),
        (pl.col("is_sql"), pl.col("sql_at")),
        (pl.col("is_opportunity"), pl.col("first_deal_at")),
        (pl.col("is_won"), pl.col("first_won_at")),
    ]


def _dimension(facts: pl.DataFrame, by: str | None, cohort_basis: str) -> pl.Series:
    if by is None:
        return pl.Series("dimension", [None] * facts.height, dtype=pl.String)
    if by == "month":
        # cohort_local_at is the cohort date (created or MQL) on the team's clock
        return facts["cohort_local_at"].dt.strftime("%Y-%m").alias("dimension")
    return facts[by].cast(pl.String).alias("dimension")


def _days(later: dt.datetime | None, earlier: dt.datetime | None) -> float | None:
    if later is None or earlier is None:
        return None
    return (later - earlier).total_seconds() / 86400.0


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    return pl.Series(values, dtype=pl.Float64).median()


def _funnel_block(rows: list[dict], dimension: str | None) -> list[dict]:
    """The seven stage rows of one block of leads (``rows`` = per-lead reached/date lists)."""
    out: list[dict] = []
    counts = [sum(1 for r in rows if r["reached"][i]) for i in range(len(STAGES))]
    for i, (stage, label) in enumerate(STAGES):
        count = counts[i]
        prev = counts[i - 1] if i > 0 else None
        gaps: list[float] = []
        n_out = 0
        if i > 0:
            for r in rows:
                if r["reached"][i] and r["reached"][i - 1]:
                    d = _days(r["at"][i], r["at"][i - 1])
                    if d is None:
                        continue
                    if d < 0:
                        n_out += 1
                    else:
                        gaps.append(d)
        out.append(
            {
                "dimension": dimension,
                "stage_order": i + 1,
                "stage": stage,
                "stage_label": label,
                "count": count,
                "rate_from_previous": None if not prev else count / prev,
                "rate_from_first": None if not counts[0] else count / counts[0],
                "drop_off": None if prev is None else prev - count,
                "median_days_from_previous": _median(gaps) if i > 0 else None,
                "n_timed": len(gaps) if i > 0 else None,
                "n_out_of_order": n_out if i > 0 else None,
            }
        )
    return out


def _per_lead(facts: pl.DataFrame) -> list[dict]:
    cols = _stage_columns()
    reached = facts.select([c[0].alias(f"r{i}") for i, c in enumerate(cols)]).rows()
    at = facts.select([c[1].alias(f"a{i}") for i, c in enumerate(cols)]).rows()
    return [{"reached": list(r), "at": list(a)} for r, a in zip(reached, at, strict=True)]


FUNNEL_SCHEMA = {
    "dimension": pl.String,
    "stage_order": pl.Int64,
    "stage": pl.String,
    "stage_label": pl.String,
    "count": pl.Int64,
    "rate_from_previous": pl.Float64,
    "rate_from_first": pl.Float64,
    "drop_off": pl.Int64,
    "median_days_from_previous": pl.Float64,
    "n_timed": pl.Int64,
    "n_out_of_order": pl.Int64,
}


def funnel(
    t: dict[str, pl.DataFrame],
    settings: dict[str, Any] | None = None,
    f: RefFilters | None = None,
    by: str | None = None,
) -> pl.DataFrame:
    """The seven-stage funnel, one block per ``by`` value (one NULL block without ``by``)."""
    s = settings or {}
    facts = _facts(t, s, f)
    dims = _dimension(facts, by, s.get("cohort_basis", "created")).to_list()
    leads = _per_lead(facts)
    groups: dict[str | None, list[dict]] = {}
    for d, lead in zip(dims, leads, strict=True):
        groups.setdefault(d, []).append(lead)
    if by is None:
        groups.setdefault(None, [])
    keys = sorted(groups, key=lambda k: (k is None, k or ""))
    rows = [row for k in keys for row in _funnel_block(groups[k], k)]
    return pl.DataFrame(rows, schema=FUNNEL_SCHEMA, orient="row")


COHORT_SCHEMA = {
    "cohort_month": pl.Date,
    "stage_order": pl.Int64,
    "stage": pl.String,
    "stage_label": pl.String,
    "count": pl.Int64,
    "rate_from_first": pl.Float64,
    "is_maturing": pl.Boolean,
    "maturity_days": pl.Float64,
}


def _next_month(d: dt.date) -> dt.date:
    return dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)


def funnel_cohort(
    t: dict[str, pl.DataFrame],
    settings: dict[str, Any] | None = None,
    f: RefFilters | None = None,
) -> pl.DataFrame:
    """Month × stage cohort table with the per-stage maturity window and flag."""
    facts = _facts(t, settings, f)
    now = as_of(t)
    months = facts["cohort_month"].to_list()
    cohort_at = facts["cohort_at"].to_list()
    leads = _per_lead(facts)
    # 90th percentile (linear interpolation) of days from cohort date to each stage's date
    maturity: list[float] = []
    for i in range(len(STAGES)):
        gaps = [
            max(_days(lead["at"][i], c) or 0.0, 0.0)
            for lead, c in zip(leads, cohort_at, strict=True)
            if lead["reached"][i] and lead["at"][i] is not None and c is not None
        ]
        q = pl.Series(gaps, dtype=pl.Float64).quantile(0.9, interpolation="linear")
        maturity.append(0.0 if q is None else q)
    present = sorted({m for m in months if m is not None})
    rows: list[dict] = []
    if present:
        month = present[0]
        while month <= present[-1]:
            block = [lead for lead, m in zip(leads, months, strict=True) if m == month]
            first = len(block)
            end = dt.datetime.combine(_next_month(month), dt.time())
            for i, (stage, label) in enumerate(STAGES):
                count = sum(1 for lead in block if lead["reached"][i])
                rows.append(
                    {
                        "cohort_month": month,
                        "stage_order": i + 1,
                        "stage": stage,
                        "stage_label": label,
                        "count": count,
                        "rate_from_first": count / first if first else None,
                        "is_maturing": now < end + dt.timedelta(days=maturity[i]),
                        "maturity_days": maturity[i],
                    }
                )
            month = _next_month(month)
    return pl.DataFrame(rows, schema=COHORT_SCHEMA, orient="row")
