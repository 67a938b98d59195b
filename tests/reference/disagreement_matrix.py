"""Reference (Polars) for ``disagreement_matrix``: every lead placed by marketing's verdict (MQL or
not), sales's verdict (accepted, rejected, never worked) and the outcome (won, open, lost, no
deal), with the won revenue in each cell.

It reads the canonical tables through ``tests.reference.base.lead_facts`` and recomputes the
metric without SQL, in a different way where it can.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from tests.reference._common import MARKETING, OUTCOMES, SALES, money_or_unknown, quality_settings
from tests.reference.base import RefFilters, lead_facts


def disagreement_matrix(
    t: dict[str, pl.DataFrame],
    settings: dict[str, Any] | None = None,
    f: RefFilters | None = None,
) -> pl.DataFrame:
    """Marketing verdict x sales verdict x outcome: leads, won revenue and share, 24 rows."""
    s = quality_settings(settings)
    facts = lead_facts(t, s, f)
    total = facts.height
    rows = []
    for m in MARKETING:
        for sv in SALES:
            for o in OUTCOMES:
                cell = facts.filter(
                    (pl.col("is_mql") == (m == "MQL"))
                    & (pl.col("sales_verdict") == sv)
                    & (pl.col("outcome") == o)
                )
                rows.append(
                    {
                        "marketing_verdict": m,
                        "sales_verdict": sv,
                        "outcome": o,
                        "leads": cell.height,
                        "won_revenue": money_or_unknown(t, s, float(cell["won_revenue"].sum())),
                        "share": cell.height / total if total else None,
                    }
                )
    return pl.DataFrame(rows, schema_overrides={"share": pl.Float64, "won_revenue": pl.Float64})
