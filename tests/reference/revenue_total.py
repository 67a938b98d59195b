"""Reference (Polars) for ``revenue_total``: over every lead in the filters: leads, MQLs, SQLs,
closed and won deals, customers, won revenue, deal win rate, lead win rate, revenue per lead;
with spend, total spend and ROI. The Revenue page's headline.

Written without SQL from its entry in docs/metrics.md. Totals are built from the reference
per-source rows of ``tests/reference/revenue_by_source.py``: every lead and every spend row
belongs to exactly one source, so a total is the sum of the sources' counts and amounts, and a
ratio of totals is taken after summing.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from tests.reference._common import ratio
from tests.reference.base import DEFAULTS, RefFilters, money_known
from tests.reference.revenue_by_source import revenue_by_source, spend_by_source

REVENUE_TOTAL_COLUMNS = [
    "leads",
    "mqls",
    "sqls",
    "closed_deals",
    "won_deals",
    "won_leads",
    "won_revenue",
    "win_rate",
    "lead_win_rate",
    "revenue_per_lead",
    "spend",
    "roi",
]


def revenue_total(
    t: dict[str, pl.DataFrame],
    settings: dict[str, Any] | None = None,
    f: RefFilters | None = None,
    *,
    segment_filter: bool = False,
) -> pl.DataFrame:
    """One row: the per-source counts summed, then the ratios of the sums.

    Spend is every spend row inside the filters, summed; unknown (None) when the workspace
    has none in the currency or an owner or segment filter is active.
    """
    rows = revenue_by_source(t, settings, f, segment_filter=segment_filter).to_dicts()
    total: dict[str, Any] = {
        c: sum(r[c] for r in rows)
        for c in ("leads", "mqls", "sqls", "closed_deals", "won_deals", "won_leads")
    }
    s = {**DEFAULTS, **(settings or {})}
    # unknown, not zero, when no deal carries an amount in the reporting currency; known
    # money with no source row in the filters is nothing won: 0
    known = [r["won_revenue"] for r in rows if r["won_revenue"] is not None]
    total["won_revenue"] = float(sum(known)) if money_known(t["deals"], s) else None
    f = f or RefFilters()
    in_currency = t["spend"].filter(
        pl.col("currency").is_null() | (pl.col("currency") == s["currency"])
    )
    spend_known = not f.owners and not segment_filter and in_currency.height > 0
    spend = float(sum(spend_by_source(t, s, f).values())) if spend_known else None
    total["win_rate"] = ratio(total["won_deals"], total["closed_deals"])
    total["lead_win_rate"] = ratio(total["won_leads"], total["leads"])
    total["revenue_per_lead"] = (
        None if total["won_revenue"] is None else ratio(total["won_revenue"], total["leads"])
    )
    total["spend"] = spend
    unknown = spend is None or total["won_revenue"] is None
    total["roi"] = None if unknown else ratio(total["won_revenue"] - spend, spend)
    schema = {c: pl.Float64 for c in REVENUE_TOTAL_COLUMNS}
    schema.update(
        {c: pl.Int64 for c in ("leads", "mqls", "sqls", "closed_deals", "won_deals", "won_leads")}
    )
    return pl.DataFrame([total], schema=schema, orient="row").select(REVENUE_TOTAL_COLUMNS)
