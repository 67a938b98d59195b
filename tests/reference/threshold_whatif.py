"""Reference (Polars) for ``threshold_whatif``: for every MQL score threshold from 0 to 100: the
scored leads sales would get, the SQLs and won revenue kept, the won revenue missed below the
threshold, and the load per rep and week.

It reads the canonical tables through ``tests.reference.base.lead_facts`` and recomputes the
metric without SQL, in a different way where it can.
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl

from tests.reference._common import money_or_unknown, quality_settings
from tests.reference.base import RefFilters, lead_facts


def threshold_whatif(
    t: dict[str, pl.DataFrame],
    settings: dict[str, Any] | None = None,
    f: RefFilters | None = None,
    step: float = 5.0,
) -> pl.DataFrame:
    """Leads sent, SQLs and revenue kept or missed for thresholds 0, step, ... 100 and the
    current threshold."""
    s = quality_settings(settings)
    facts = lead_facts(t, s, f)
    scored = facts.filter(pl.col("lead_score").is_not_null())
    current = float(s["mql_score_threshold"])
    grid = {round(i * step, 6) for i in range(math.floor(100 / step) + 1)} | {current}
    all_sqls = int(scored["is_sql"].sum())
    all_revenue = money_or_unknown(t, s, float(scored["won_revenue"].fill_null(0.0).sum()))
    reps = facts.filter(pl.col("is_handed_off") & pl.col("owner").is_not_null())["owner"]
    n_reps = reps.n_unique()
    cohort = facts["cohort_at"].drop_nulls()
    span_days = (cohort.max() - cohort.min()).total_seconds() / 86400 if cohort.len() else 0.0
    weeks = max(1.0, span_days / 7)
    rows = []
    for thr in sorted(grid):
        sent = scored.filter(pl.col("lead_score") >= thr)
        below = scored.filter(pl.col("lead_score") < thr)
        sqls = int(sent["is_sql"].sum())
        kept = money_or_unknown(t, s, float(sent["won_revenue"].fill_null(0.0).sum()))
        rows.append(
            {
                "threshold": thr,
                "is_current": thr == current,
                "leads_sent": sent.height,
                "sqls_kept": sqls,
                "sql_share_kept": sqls / all_sqls if all_sqls else None,
                "won_kept": int(sent["is_won"].sum()),
                "won_revenue_kept": kept,
                "won_revenue_missed": money_or_unknown(
                    t, s, float(below["won_revenue"].fill_null(0.0).sum())
                ),
                "revenue_share_kept": kept / all_revenue
                if all_revenue and kept is not None
                else None,
                "sqls_per_lead_sent": sqls / sent.height if sent.height else None,
                "leads_per_rep_week": sent.height / n_reps / weeks if n_reps else None,
                "unscored_leads": facts.height - scored.height,
            }
        )
    return pl.DataFrame(
        rows,
        schema_overrides={
            c: pl.Float64
            for c in (
                "sql_share_kept",
                "won_revenue_kept",
                "won_revenue_missed",
                "revenue_share_kept",
                "sqls_per_lead_sent",
                "leads_per_rep_week",
            )
        },
    )
