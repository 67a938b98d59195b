"""Reference (Polars) for ``funnel``: the forward funnel lead → MQL → handed off → accepted (SAL) →
SQL → opportunity → won: how many leads reached each stage, the rates between stages and the
median days from one stage to the next.

Written from the metric docs, independently of the SQL: it reads the lead facts of
``tests/reference/base.py`` and the raw deals, never runs SQL.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from tests.reference._common import STAGES, days_between, per_lead, stage_facts
from tests.reference.base import RefFilters


def _dimension(facts: pl.DataFrame, by: str | None, cohort_basis: str) -> pl.Series:
    if by is None:
        return pl.Series("dimension", [None] * facts.height, dtype=pl.String)
    if by == "month":
        # cohort_local_at is the cohort date (created or MQL) on the team's clock
        return facts["cohort_local_at"].dt.strftime("%Y-%m").alias("dimension")
    return facts[by].cast(pl.String).alias("dimension")


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
                    d = days_between(r["at"][i], r["at"][i - 1])
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
    facts = stage_facts(t, s, f)
    dims = _dimension(facts, by, s.get("cohort_basis", "created")).to_list()
    leads = per_lead(facts)
    groups: dict[str | None, list[dict]] = {}
    for d, lead in zip(dims, leads, strict=True):
        groups.setdefault(d, []).append(lead)
    if by is None:
        groups.setdefault(None, [])
    keys = sorted(groups, key=lambda k: (k is None, k or ""))
    rows = [row for k in keys for row in _funnel_block(groups[k], k)]
    return pl.DataFrame(rows, schema=FUNNEL_SCHEMA, orient="row")
