"""Reference (Polars / plain Python) for the one-row totals and per-owner groupings the
pages read (revenue_total, pending_by_owner), written without SQL from the definitions in
docs/metrics.md.

Totals are built from the reference per-source rows of ``tests/reference/revenue.py``:
every lead and every spend row belongs to exactly one source, so a total is the sum of
the sources' counts and amounts, and a ratio of totals is taken after summing.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from tests.reference.base import DEFAULTS, RefFilters, as_of, lead_facts
from tests.reference.revenue import revenue_by_source, spend_by_source

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


def _ratio(num: float | int | None, den: float | int | None) -> float | None:
    if num is None or den is None or den == 0:
        return None
    return num / den


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
    # unknown, not zero, when no deal carries an amount in the reporting currency
    known = [r["won_revenue"] for r in rows if r["won_revenue"] is not None]
    total["won_revenue"] = float(sum(known)) if known else None
    s = {**DEFAULTS, **(settings or {})}
    f = f or RefFilters()
    in_currency = t["spend"].filter(
        pl.col("currency").is_null() | (pl.col("currency") == s["currency"])
    )
    spend_known = not f.owners and not segment_filter and in_currency.height > 0
    spend = float(sum(spend_by_source(t, s, f).values())) if spend_known else None
    total["win_rate"] = _ratio(total["won_deals"], total["closed_deals"])
    total["lead_win_rate"] = _ratio(total["won_leads"], total["leads"])
    total["revenue_per_lead"] = (
        None if total["won_revenue"] is None else _ratio(total["won_revenue"], total["leads"])
    )
    total["spend"] = spend
    unknown = spend is None or total["won_revenue"] is None
    total["roi"] = None if unknown else _ratio(total["won_revenue"] - spend, spend)
    schema = {c: pl.Float64 for c in REVENUE_TOTAL_COLUMNS}
    schema.update(
        {c: pl.Int64 for c in ("leads", "mqls", "sqls", "closed_deals", "won_deals", "won_leads")}
    )
    return pl.DataFrame([total], schema=schema, orient="row").select(REVENUE_TOTAL_COLUMNS)


def pending_by_owner(
    t: dict[str, pl.DataFrame],
    settings: dict[str, Any] | None = None,
    f: RefFilters | None = None,
) -> pl.DataFrame:
    """Per owner: handed-off leads undecided for more than sla_hours, longest and median wait.

    Waits are counted from the handoff to the latest moment anywhere in the data; rows go
    from the most waiting leads down, then by owner with the leads without one last.
    """
    s = {**DEFAULTS, **(settings or {})}
    now = as_of(t)
    facts = lead_facts(t, s, f)
    waits: dict[str | None, list[float]] = {}
    for lead in facts.iter_rows(named=True):
        if not lead["is_handed_off"] or lead["is_accepted"] or lead["is_rejected"]:
            continue
        if lead["is_sql"]:
            continue
        hours = (now - lead["handed_off_at_eff"]).total_seconds() / 3600
        if hours > float(s["sla_hours"]):
            waits.setdefault(lead["owner"], []).append(hours)
    rows = []
    for owner, hours in waits.items():
        ordered = sorted(hours)
        mid = len(ordered) // 2
        median = ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
        rows.append(
            {
                "owner": owner,
                "leads": len(hours),
                "longest_hours": max(hours),
                "median_hours": median,
            }
        )
    rows.sort(key=lambda r: (-r["leads"], r["owner"] is None, r["owner"] or ""))
    return pl.DataFrame(
        rows,
        schema={
            "owner": pl.String,
            "leads": pl.Int64,
            "longest_hours": pl.Float64,
            "median_hours": pl.Float64,
        },
    )
