"""Reference (Polars) for ``score_calibration``: sQL rate and win rate by lead-score decile, with
the AUC of the score for SQL and for won: does a higher score mean a better lead?

It reads the canonical tables through ``tests.reference.base.lead_facts`` and recomputes the
metric without SQL, in a different way where it can.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from tests.reference._common import money_or_unknown, quality_settings
from tests.reference.base import RefFilters, lead_facts


def auc(scores: list[float], labels: list[bool]) -> float | None:
    """AUC of ``scores`` for ``labels`` by counting pairs (ties count half)."""
    pos = np.sort(np.array([x for x, y in zip(scores, labels, strict=True) if y], dtype=float))
    neg = np.sort(np.array([x for x, y in zip(scores, labels, strict=True) if not y], dtype=float))
    if len(pos) == 0 or len(neg) == 0:
        return None
    below = np.searchsorted(neg, pos, side="left")
    up_to = np.searchsorted(neg, pos, side="right")
    wins = below.sum() + 0.5 * (up_to - below).sum()
    return float(wins / (len(pos) * len(neg)))


def _ntile(n: int, buckets: int = 10) -> list[int]:
    """The bucket (1-based) of each of ``n`` ordered rows, the first n % buckets one larger."""
    q, r = divmod(n, buckets)
    out = []
    for i in range(n):
        if i < r * (q + 1):
            out.append(i // (q + 1) + 1)
        else:
            out.append(r + (i - r * (q + 1)) // q + 1)
    return out


def score_calibration(
    t: dict[str, pl.DataFrame],
    settings: dict[str, Any] | None = None,
    f: RefFilters | None = None,
) -> pl.DataFrame:
    """Ten score deciles by rank (tied scores in one decile) with SQL and win rates, AUCs."""
    s = quality_settings(settings)
    facts = lead_facts(t, s, f)
    scored = facts.filter(pl.col("lead_score").is_not_null()).sort(["lead_score", "lead_id"])
    buckets = _ntile(scored.height)
    # a run of equal scores takes the bucket of its first row: ties are never split
    values = scored["lead_score"].to_list()
    for i in range(1, len(values)):
        if values[i] == values[i - 1]:
            buckets[i] = buckets[i - 1]
    scored = scored.with_columns(pl.Series("decile", buckets, dtype=pl.Int64))
    scores = scored["lead_score"].cast(pl.Float64).to_list()
    auc_sql = auc(scores, scored["is_sql"].to_list())
    auc_won = auc(scores, scored["is_won"].to_list())
    unscored = facts.height - scored.height
    scored_n = scored.height
    rows = []
    for decile in range(1, 11):
        g = scored.filter(pl.col("decile") == decile)
        n = g.height
        sqls = int(g["is_sql"].sum())
        won = int(g["is_won"].sum())
        rows.append(
            {
                "decile": decile,
                "min_score": float(g["lead_score"].min()) if n else None,
                "max_score": float(g["lead_score"].max()) if n else None,
                "leads": n,
                "sqls": sqls,
                "sql_rate": sqls / n if n else None,
                "won": won,
                "win_rate": won / n if n else None,
                "won_revenue": money_or_unknown(t, s, float(g["won_revenue"].fill_null(0.0).sum())),
                "auc_sql": auc_sql,
                "auc_won": auc_won,
                "unscored_leads": unscored,
                "scored_leads": scored_n,
            }
        )
    return pl.DataFrame(
        rows,
        schema_overrides={
            c: pl.Float64
            for c in (
                "min_score",
                "max_score",
                "sql_rate",
                "win_rate",
                "won_revenue",
                "auc_sql",
                "auc_won",
            )
        },
    )
