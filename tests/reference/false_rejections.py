"""Reference (Polars) for ``false_rejections``: the leads sales rejected that later won a deal: who
rejected them, why, and what they bought after.

It reads the canonical tables through ``tests.reference.base.lead_facts`` and recomputes the
metric without SQL, in a different way where it can.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from tests.reference._common import quality_settings, won_deals
from tests.reference.base import RefFilters, lead_facts, money_known


def false_rejections(
    t: dict[str, pl.DataFrame],
    settings: dict[str, Any] | None = None,
    f: RefFilters | None = None,
) -> pl.DataFrame:
    """Rejected leads with a deal won strictly after the rejection, one row per lead."""
    s = quality_settings(settings)
    facts = lead_facts(t, s, f).filter(pl.col("rejected_at").is_not_null())
    won = won_deals(t, facts, s)
    joined = facts.select(
        "lead_id",
        "source",
        "campaign",
        "owner",
        "lead_score",
        "rejected_at",
        "rejection_reason",
    ).join(won, on="lead_id", how="inner")
    later = joined.filter(pl.col("won_at") > pl.col("rejected_at"))
    out = later.group_by(
        "lead_id", "source", "campaign", "owner", "lead_score", "rejected_at", "rejection_reason"
    ).agg(
        pl.col("won_at").min().alias("first_won_at"),
        pl.col("amount").sum().alias("won_revenue"),
    )
    out = out.with_columns(
        ((pl.col("first_won_at") - pl.col("rejected_at")).dt.total_seconds() / 86400.0).alias(
            "days_rejected_to_won"
        ),
        pl.col("won_revenue")
        if money_known(t["deals"], s)
        else pl.lit(None, pl.Float64).alias("won_revenue"),
    )
    return out.sort(["won_revenue", "lead_id"], descending=[True, False])
