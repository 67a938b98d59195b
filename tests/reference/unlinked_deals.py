"""Reference (Polars) for ``unlinked_deals``: the deals that link to no lead, per deal owner.

Written without SQL from queries/unlinked_deals.md: deals with no ``lead_id``, placed by
their own created date (on the team's clock), source and owner; a campaign filter cannot
place them, so the answer is empty while one is active.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from tests.reference.base import DEFAULTS, RefFilters, money_known

NO_OWNER = "(no owner)"
COLUMNS = {
    "owner": pl.String,
    "deals": pl.Int64,
    "closed_deals": pl.Int64,
    "won_deals": pl.Int64,
    "win_rate": pl.Float64,
    "won_revenue": pl.Float64,
    "avg_deal_size": pl.Float64,
    "open_pipeline": pl.Float64,
}


def deals_without_lead(
    t: dict[str, pl.DataFrame], settings: dict[str, Any] | None, f: RefFilters | None
) -> pl.DataFrame | None:
    """The deals with no lead in the filters; None while a campaign filter is active.

    With no lead to follow, the deal's own created date is its cohort date (the date filter
    reads it on the data time zone's clock) and the source and owner filters read the
    deal's own columns.
    """
    s = {**DEFAULTS, **(settings or {})}
    f = f or RefFilters()
    if f.campaigns:
        return None
    deals = t["deals"].filter(pl.col("lead_id").is_null())
    local = (
        pl.col("created_at")
        .dt.replace_time_zone("UTC")
        .dt.convert_time_zone(str(s.get("timezone") or "UTC"))
        .dt.replace_time_zone(None)
    )
    deals = deals.with_columns(local.alias("created_local_at"))
    if f.date_from is not None:
        start = dt.datetime.combine(f.date_from, dt.time())
        deals = deals.filter(pl.col("created_local_at") >= start)
    if f.date_to is not None:
        end = dt.datetime.combine(f.date_to + dt.timedelta(days=1), dt.time())
        deals = deals.filter(pl.col("created_local_at") < end)
    if f.sources:
        deals = deals.filter(pl.col("source").is_in(f.sources))
    if f.owners:
        deals = deals.filter(pl.col("owner").is_in(f.owners))
    return deals


def unlinked_deals(
    t: dict[str, pl.DataFrame], settings: dict[str, Any] | None = None, f: RefFilters | None = None
) -> pl.DataFrame:
    """One row per deal owner of the deals with no lead, largest won revenue first."""
    s = {**DEFAULTS, **(settings or {})}
    deals = deals_without_lead(t, s, f)
    if deals is None or deals.is_empty():
        return pl.DataFrame(schema=COLUMNS)
    known = money_known(t["deals"], s)
    rows = []
    for owner in deals["owner"].unique().to_list():
        mine = deals.filter(
            pl.col("owner").is_null() if owner is None else pl.col("owner") == owner
        )
        won_deals = closed = 0
        won_amount = open_amount = 0.0
        won_with_amount = 0
        for d in mine.iter_rows(named=True):
            won = bool(d["is_won"])
            is_closed = won or bool(d["is_closed"])
            in_currency = d["currency"] is None or d["currency"] == s["currency"]
            counted = d["amount"] is not None and in_currency
            won_deals += won
            closed += is_closed
            if won and counted:
                won_amount += d["amount"]
                won_with_amount += 1
            if not is_closed and counted:
                open_amount += d["amount"]
        revenue = won_amount if known else None
        rows.append(
            {
                "owner": NO_OWNER if owner is None else owner,
                "deals": mine.height,
                "closed_deals": closed,
                "won_deals": won_deals,
                "win_rate": won_deals / closed if closed else None,
                "won_revenue": revenue,
                "avg_deal_size": (
                    revenue / won_with_amount if revenue is not None and won_with_amount else None
                ),
                "open_pipeline": open_amount if known else None,
            }
        )
    # largest won revenue first (unknown revenue sorts as nothing), then deals, then owner
    rows.sort(key=lambda r: (-(r["won_revenue"] or 0.0), -r["deals"], r["owner"]))
    return pl.DataFrame(rows, schema=COLUMNS, orient="row")
