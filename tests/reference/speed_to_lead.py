"""Reference (Polars) for ``speed_to_lead``: speed to lead: handed-off leads by the time from
handoff to the first sales attempt (< 5 min, < 1 h, < 24 h, < 72 h, later, never), with the SQL
and win rate of each bucket.

It reads the shared follow-up facts of ``tests.reference.base.touch_facts`` and recomputes
the metric without SQL, so the tests can compare it with its query.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from tests.reference._common import bucket_grid, followup_facts
from tests.reference.base import RefFilters

SPEED_BUCKETS = ["< 5 min", "< 1 h", "< 24 h", "< 72 h", "later", "never"]


def speed_to_lead(
    t: dict[str, pl.DataFrame],
    settings: dict[str, Any] | None = None,
    f: RefFilters | None = None,
    by: str | None = None,
) -> pl.DataFrame:
    """Handed-off leads per dimension value and speed bucket, with SQL and win rates."""
    facts = followup_facts(t, settings, f, by)
    order = {b: i + 1 for i, b in enumerate(SPEED_BUCKETS)}
    facts = facts.with_columns(
        pl.col("speed_bucket").replace_strict(order, return_dtype=pl.Int64).alias("bucket_key")
    )
    labels = [(i + 1, b) for i, b in enumerate(SPEED_BUCKETS)]
    out = bucket_grid(facts, by, "bucket_key", labels, "speed_bucket")
    return out.rename({"order": "bucket_order"}).select(
        "dimension",
        "bucket_order",
        "speed_bucket",
        "leads",
        "share",
        "sqls",
        "sql_rate",
        "won",
        "win_rate",
    )
