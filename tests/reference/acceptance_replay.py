"""Reference (Polars) for ``acceptance_replay``: sales's decisions replayed with a score
bar: the accepted leads it would have turned away (their SQLs, wins and won revenue) and the
rejected leads that would have passed it.

It reads the canonical tables through ``tests.reference.base.lead_facts`` and recomputes the
metric without SQL: the judged leads are split by verdict first, then by the bar.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from tests.reference._common import money_or_unknown, quality_settings
from tests.reference.base import RefFilters, lead_facts


def acceptance_replay(
    t: dict[str, pl.DataFrame],
    settings: dict[str, Any] | None = None,
    f: RefFilters | None = None,
    min_score: float = 60.0,
) -> pl.DataFrame:
    """One row: accepted leads kept and turned away by ``min_score``, what the turned-away
    ones brought, and the rejected leads the bar would have let through."""
    s = quality_settings(settings)
    facts = lead_facts(t, s, f)
    judged = facts.filter(pl.col("sales_verdict").is_in(["accepted", "rejected"]))
    scored = judged.filter(pl.col("lead_score").is_not_null())
    accepted = scored.filter(pl.col("sales_verdict") == "accepted")
    rejected = scored.filter(pl.col("sales_verdict") == "rejected")
    away = accepted.filter(pl.col("lead_score") < min_score)
    away_won = away.filter(pl.col("is_won"))
    passing = rejected.filter(pl.col("lead_score") >= min_score).height
    row = {
        "min_score": float(min_score),
        "accepted": accepted.height,
        "accepted_kept": accepted.height - away.height,
        "turned_away": away.height,
        "turned_away_share": away.height / accepted.height if accepted.height else None,
        "turned_away_sqls": int(away["is_sql"].sum()),
        "turned_away_won": away_won.height,
        "turned_away_won_revenue": money_or_unknown(
            t, s, float(away_won["won_revenue"].fill_null(0.0).sum())
        ),
        "rejected": rejected.height,
        "rejected_passing": passing,
        "rejected_passing_share": passing / rejected.height if rejected.height else None,
        "unscored_judged": judged.height - scored.height,
    }
    return pl.DataFrame(
        [row],
        schema_overrides={
            c: pl.Float64
            for c in ("turned_away_share", "turned_away_won_revenue", "rejected_passing_share")
        },
    )
