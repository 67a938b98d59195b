"""Reference (Polars) for ``followup``: attempts per handed-off lead before it was resolved (SQL,
rejection or a deal), as a distribution 0, 1, ..., 9, 10+, with the SQL rate at each number of
attempts.

It reads the shared follow-up facts of ``tests.reference.base.touch_facts`` and recomputes
the metric without SQL, so the tests can compare it with its query.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from tests.reference._common import bucket_grid, followup_facts
from tests.reference.base import RefFilters


def followup(
    t: dict[str, pl.DataFrame],
    settings: dict[str, Any] | None = None,
    f: RefFilters | None = None,
    by: str | None = None,
) -> pl.DataFrame:
    """Handed-off leads per dimension value and attempts before resolution (0..9, 10+)."""
    facts = followup_facts(t, settings, f, by)
    facts = facts.with_columns(
        pl.when(pl.col("n_attempts") >= 10)
        .then(10)
        .otherwise(pl.col("n_attempts"))
        .cast(pl.Int64)
        .alias("attempts_key")
    )
    labels = [(i, "10+" if i == 10 else str(i)) for i in range(11)]
    out = bucket_grid(facts, by, "attempts_key", labels, "attempts")
    return out.rename({"order": "attempts_order"}).select(
        "dimension", "attempts_order", "attempts", "leads", "share", "sqls", "sql_rate"
    )
