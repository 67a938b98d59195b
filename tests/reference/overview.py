"""Reference (Polars) for ``overview``: the headline counts of the handoff funnel.

Written without SQL from queries/overview.md, on ``tests/reference/base.lead_facts``: one
row over the leads in the filters, the deals and activities reached through them, and the
deals that link to no lead counted beside them.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from tests.reference.base import DEFAULTS, RefFilters, lead_facts, money_known
from tests.reference.unlinked_deals import deals_without_lead

COLUMNS = {
    "leads": pl.Int64,
    "mqls": pl.Int64,
    "handed_off": pl.Int64,
    "accepted": pl.Int64,
    "rejected": pl.Int64,
    "sqls": pl.Int64,
    "opportunities": pl.Int64,
    "won_leads": pl.Int64,
    "won_deals": pl.Int64,
    "won_revenue": pl.Float64,
    "activities": pl.Int64,
    "leads_with_no_activity": pl.Int64,
    "deals_without_lead": pl.Int64,
    "won_deals_without_lead": pl.Int64,
    "lead_win_rate": pl.Float64,
}


def overview(
    t: dict[str, pl.DataFrame], settings: dict[str, Any] | None = None, f: RefFilters | None = None
) -> pl.DataFrame:
    """One row: counts of the filtered leads' stages, deals and activities; unlinked deals."""
    s = {**DEFAULTS, **(settings or {})}
    facts = lead_facts(t, s, f)
    ids = set(facts["lead_id"].to_list())
    leads = facts.height

    def count(column: str) -> int:
        return int(facts[column].sum())

    # won deals and their amounts counted deal by deal, not from the per-lead sums
    won_deals = 0
    won_amount = 0.0
    for d in t["deals"].iter_rows(named=True):
        if d["lead_id"] in ids and d["is_won"]:
            won_deals += 1
            in_currency = d["currency"] is None or d["currency"] == s["currency"]
            if d["amount"] is not None and in_currency:
                won_amount += d["amount"]
    touched = [a for a in t["activities"]["lead_id"].to_list() if a in ids]
    unlinked = deals_without_lead(t, s, f)
    row = {
        "leads": leads,
        "mqls": count("is_mql"),
        "handed_off": count("is_handed_off"),
        "accepted": count("is_accepted"),
        "rejected": count("is_rejected"),
        "sqls": count("is_sql"),
        "opportunities": count("is_opportunity"),
        "won_leads": count("is_won"),
        "won_deals": won_deals,
        "won_revenue": won_amount if money_known(t["deals"], s) else None,
        "activities": len(touched),
        "leads_with_no_activity": len(ids - set(touched)),
        "deals_without_lead": None if unlinked is None else unlinked.height,
        "won_deals_without_lead": (
            None if unlinked is None else int(unlinked["is_won"].fill_null(False).sum())
        ),
        "lead_win_rate": count("is_won") / leads if leads else None,
    }
    return pl.DataFrame([row], schema=COLUMNS, orient="row")
