"""Reference (Polars) for ``callout_reps``: per lead owner, the figures of the review callouts
about reps: one-attempt rate beside the team's, median attempts, median time to first touch, SLA
compliance, SQL rate beside the rest of the team's, the SQLs lost and their revenue.

Written without SQL from its entry in docs/metrics.md, on
``tests/reference/base.lead_facts`` and ``touch_facts``.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from tests.reference._common import ratio
from tests.reference.base import DEFAULTS, RefFilters, lead_facts, touch_facts


def callout_reps(
    t: dict[str, pl.DataFrame], settings: dict[str, Any] | None = None, f: RefFilters | None = None
) -> pl.DataFrame:
    """Per owner: one-attempt rate beside the team's, speed, SQL rate beside the rest's."""
    s = {**DEFAULTS, **(settings or {})}
    facts = lead_facts(t, s, f)
    touched = touch_facts(t, s, f)
    per_sql = ratio(float(facts["won_revenue"].sum()), int(facts["is_sql"].sum())) or 0.0
    team_one = ratio(int((touched["n_attempts"] == 1).sum()), touched.height)
    reps = touched.filter(pl.col("owner").is_not_null())
    out = []
    for owner in sorted(reps["owner"].unique().to_list()):
        mine = reps.filter(pl.col("owner") == owner)
        rest = reps.filter(pl.col("owner") != owner)
        handed, sqls = mine.height, int(mine["is_sql"].sum())
        sql_rate = sqls / handed
        rest_rate = ratio(int(rest["is_sql"].sum()), rest.height) or 0.0
        decided = mine["is_sla_met"].drop_nulls()
        lost = max(0.0, handed * (rest_rate - sql_rate))
        out.append(
            {
                "owner": owner,
                "handed_off": handed,
                "one_attempt_rate": int((mine["n_attempts"] == 1).sum()) / handed,
                "team_one_attempt_rate": team_one,
                "median_attempts": float(mine["n_attempts"].median()),
                "median_minutes_to_first_touch": mine["minutes_to_first_touch"].median(),
                "sla_compliance_rate": ratio(int(decided.sum()), decided.len()),
                "sql_rate": sql_rate,
                "rest_sql_rate": rest_rate,
                "lost_sqls": lost,
                "revenue_per_sql": per_sql,
                "impact": lost * per_sql,
            }
        )
    return pl.DataFrame(out, infer_schema_length=None)
