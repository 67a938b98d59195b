"""Reference (Polars) for ``funnel_cohort``: cohort table of the forward funnel: for each month's
leads, how many reached each stage (lead → MQL → handed off → accepted → SQL → opportunity →
won), with a flag on months too recent for a stage to have filled.

Written from the metric docs, independently of the SQL: it reads the lead facts of
``tests/reference/base.py`` and the raw deals, never runs SQL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from tests.reference._common import STAGES, days_between, per_lead, stage_facts
from tests.reference.base import RefFilters, as_of

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
    facts = stage_facts(t, settings, f)
    now = as_of(t)
    months = facts["cohort_month"].to_list()
    cohort_at = facts["cohort_at"].to_list()
    leads = per_lead(facts)
    # 90th percentile (linear interpolation) of days from cohort date to each stage's date
    maturity: list[float] = []
    for i in range(len(STAGES)):
        gaps = [
            max(days_between(lead["at"][i], c) or 0.0, 0.0)
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
