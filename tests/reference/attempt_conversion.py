"""Reference (Polars) for ``attempt_conversion``: conversion by attempt number: for n = 1 to 10,
the handed-off leads that got at least n attempts before resolution, the share first reached on
attempt n, and the share that became SQL.

It reads the shared follow-up facts of ``tests.reference.base.touch_facts`` and recomputes
the metric without SQL, so the tests can compare it with its query.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from tests.reference.base import RefFilters, touch_facts


def attempt_conversion(
    t: dict[str, pl.DataFrame],
    settings: dict[str, Any] | None = None,
    f: RefFilters | None = None,
) -> pl.DataFrame:
    """For n = 1..10: leads with at least n attempts, first connects at n, SQLs among them."""
    facts = touch_facts(t, settings, f)
    rows = []
    for n in range(1, 11):
        reaching = facts.filter(pl.col("n_attempts") >= n)
        first = reaching.filter(pl.col("first_connect_attempt") == n).height
        sqls = int(reaching["is_sql"].sum())
        k = reaching.height
        rows.append(
            {
                "attempt_number": n,
                "leads_reaching": k,
                "first_connects": first,
                "connect_rate": first / k if k else None,
                "sqls_after": sqls,
                "sql_rate": sqls / k if k else None,
            }
        )
    schema = {
        "attempt_number": pl.Int64,
        "leads_reaching": pl.Int64,
        "first_connects": pl.Int64,
        "connect_rate": pl.Float64,
        "sqls_after": pl.Int64,
        "sql_rate": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema)
