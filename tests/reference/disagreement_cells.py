"""Reference (Polars) for ``disagreement_cells``: marketing's verdict x sales's verdict: leads,
share of all leads, won revenue and leads per deal outcome (won, open, lost, no deal) in each of
the six cells.

It reads the canonical tables through ``tests.reference.base.lead_facts`` and recomputes the
metric without SQL, in a different way where it can.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from tests.reference._common import MARKETING, OUTCOMES, SALES, quality_settings
from tests.reference.base import RefFilters, lead_facts


def disagreement_cells(
    t: dict[str, pl.DataFrame],
    settings: dict[str, Any] | None = None,
    f: RefFilters | None = None,
) -> pl.DataFrame:
    """Marketing verdict x sales verdict: leads, share, won revenue, leads per outcome."""
    facts = lead_facts(t, quality_settings(settings), f)
    total = facts.height
    rows = []
    for m in MARKETING:
        for sv in SALES:
            cell = facts.filter(
                (pl.col("is_mql") == (m == "MQL")) & (pl.col("sales_verdict") == sv)
            )
            rows.append(
                {
                    "marketing_verdict": m,
                    "sales_verdict": sv,
                    "leads": cell.height,
                    "share": cell.height / total if total else None,
                    "won_revenue": float(cell["won_revenue"].sum()),
                    **{
                        o.replace(" ", "_"): cell.filter(pl.col("outcome") == o).height
                        for o in OUTCOMES
                    },
                }
            )
    return pl.DataFrame(rows, schema_overrides={"share": pl.Float64})
