"""A hand-worked workspace for ``overview`` and ``unlinked_deals`` (reporting currency VND).

lead created     source stages                                   deals
L1   2025-01-05  Web    MQL 01-05, handed off 01-06 (An), SQL 01-08  D1 won 100 VND, D2 won 50 USD
L2   2025-01-10  Ads    rejected 01-12 (never an MQL)                 -
L3   2025-02-01  Web    none                                          -

Activities: L1 a call and an e-mail, L2 a call; L3 none.

Deals with no lead (in no lead-based figure):
D3 created 2025-01-15, owner An,   source Web, won, 70 VND
D4 created 2025-01-20, no owner,   source Ads, open, 30 VND
D5 created 2025-03-01, owner Bích, source Web, lost, 10 VND
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from tests.builders import frame

D = dt.datetime


def unlinked_tables() -> dict[str, pl.DataFrame]:
    """The tables above, every other column empty."""
    leads = frame(
        "leads",
        [
            {
                "lead_id": "L1",
                "created_at": D(2025, 1, 5),
                "source": "Web",
                "owner": "An",
                "mql_at": D(2025, 1, 5),
                "handed_off_at": D(2025, 1, 6),
                "sql_at": D(2025, 1, 8),
            },
            {
                "lead_id": "L2",
                "created_at": D(2025, 1, 10),
                "source": "Ads",
                "rejected_at": D(2025, 1, 12),
                "rejection_reason": "No budget",
            },
            {"lead_id": "L3", "created_at": D(2025, 2, 1), "source": "Web"},
        ],
    )

    def deal(deal_id, lead_id, created, state, amount, currency="VND", **kw) -> dict:
        return {
            "deal_id": deal_id,
            "lead_id": lead_id,
            "created_at": created,
            "is_won": state == "won",
            "is_closed": state != "open",
            "closed_at": None if state == "open" else created + dt.timedelta(days=5),
            "amount": amount,
            "currency": currency,
            **kw,
        }

    deals = frame(
        "deals",
        [
            deal("D1", "L1", D(2025, 1, 9), "won", 100.0),
            deal("D2", "L1", D(2025, 1, 10), "won", 50.0, "USD"),
            deal("D3", None, D(2025, 1, 15), "won", 70.0, owner="An", source="Web"),
            deal("D4", None, D(2025, 1, 20), "open", 30.0, source="Ads"),
            deal("D5", None, D(2025, 3, 1), "lost", 10.0, owner="Bích", source="Web"),
        ],
    )
    acts = frame(
        "activities",
        [
            {
                "activity_id": "A1",
                "lead_id": "L1",
                "occurred_at": D(2025, 1, 6, 10),
                "type": "call",
            },
            {"activity_id": "A2", "lead_id": "L1", "occurred_at": D(2025, 1, 7), "type": "email"},
            {"activity_id": "A3", "lead_id": "L2", "occurred_at": D(2025, 1, 11), "type": "call"},
        ],
    )
    return {"leads": leads, "deals": deals, "activities": acts}
