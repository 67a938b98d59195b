"""Reference (Polars) for ``missed_leads``: the leads marketing never qualified (never MQL) that
won a deal anyway.

It reads the canonical tables through ``tests.reference.base.lead_facts`` and recomputes the
metric without SQL, in a different way where it can.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from tests.reference._common import quality_settings, won_deals
from tests.reference.base import RefFilters, lead_facts


def missed_leads(
    t: dict[str, pl.DataFrame],
    settings: dict[str, Any] | None = None,
    f: RefFilters | None = None,
) -> pl.DataFrame:
    """Leads that are not MQLs and have a won deal, one row per lead."""
    s = quality_settings(settings)
    facts = lead_facts(t, s, f).filter(~pl.col("is_mql") & pl.col("is_won"))
    won = won_deals(t, facts, s).group_by("lead_id").agg(pl.col("won_at").min())
    out = facts.join(won, on="lead_id", how="inner").select(
        "lead_id",
        "source",
        "campaign",
        "owner",
        "lead_score",
        "created_at",
        pl.col("won_at").alias("first_won_at"),
        pl.col("won_revenue").cast(pl.Float64),
    )
    return out.sort(["won_revenue", "lead_id"], descending=[True, False])
