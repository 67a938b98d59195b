"""Build workspaces straight from Polars frames, and random small ones with hypothesis."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
from hypothesis import strategies as st

from dashboard.ingest.canonical import POLARS_TYPES
from dashboard.schema import TABLES, stored_columns
from dashboard.workspace import Workspace

T0 = dt.datetime(2025, 1, 1)


def frame(table: str, rows: list[dict]) -> pl.DataFrame:
    """A frame with every stored column of ``table`` typed canonically (absent ones null)."""
    t = TABLES[table]
    schema = {c.name: POLARS_TYPES[c.kind] for c in stored_columns(t)}
    data = {name: [r.get(name) for r in rows] for name in schema}
    return pl.DataFrame(data, schema=schema)


def workspace_from_frames(path: Path, tables: dict[str, pl.DataFrame]) -> Path:
    """Write canonical frames into a fresh workspace file (no file reading or mapping)."""
    with Workspace(path) as ws:
        for name, f in tables.items():
            ws.con.register("_f", f.to_arrow())
            cols = ", ".join(f'"{c}"' for c in f.columns)
            ws.con.execute(f'INSERT INTO "{name}" ({cols}) SELECT {cols} FROM _f')
            ws.con.unregister("_f")
    return path


def _ts(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


SOURCES = ["Facebook Ads", "Zalo OA", "Referral", None]
OWNERS = ["An", "Bích", "Minh", None]
TYPES = ["call", "email", "zalo", "note", "meeting"]
OUTCOMES = ["connected", "no answer", "voicemail", "replied", None]


@st.composite
def small_crm(draw: st.DrawFn, max_leads: int = 25) -> dict[str, pl.DataFrame]:
    """Random small leads/deals/activities/spend tables with every stage combination.

    Times are minutes after 2025-01-01 so day, hour and 5-minute boundaries all occur.
    """
    n = draw(st.integers(1, max_leads))
    with_mql_dates = draw(st.booleans())
    leads = []
    for i in range(n):
        created = draw(st.integers(0, 60 * 24 * 90))
        step = st.one_of(st.none(), st.integers(0, 60 * 24 * 10))

        def after(base: int | None, gap: int | None) -> int | None:
            return None if base is None or gap is None else base + gap

        mql = after(created, draw(step)) if with_mql_dates else None
        handed = after(mql, draw(step)) if draw(st.booleans()) else None
        accepted = after(handed if handed is not None else mql, draw(step))
        rejected = None if accepted is not None else after(handed, draw(step))
        sql = after(accepted, draw(step)) if accepted is not None else None
        leads.append(
            {
                "lead_id": f"L{i:03d}",
                "created_at": _ts(created),
                "source": draw(st.sampled_from(SOURCES)),
                "campaign": draw(st.sampled_from(["c1", "c2", None])),
                "owner": draw(st.sampled_from(OWNERS)),
                "lead_score": draw(st.one_of(st.none(), st.integers(0, 100).map(float))),
                "mql_at": None if mql is None else _ts(mql),
                "handed_off_at": None if handed is None else _ts(handed),
                "accepted_at": None if accepted is None else _ts(accepted),
                "rejected_at": None if rejected is None else _ts(rejected),
                "rejection_reason": None
                if rejected is None
                else draw(st.sampled_from(["No budget", "Student", None])),
                "sql_at": None if sql is None else _ts(sql),
                "country": draw(st.sampled_from(["Vietnam", "Thailand"])),
            }
        )
    deals = []
    for j in range(draw(st.integers(0, n + 3))):
        lead = draw(st.one_of(st.none(), st.integers(0, n - 1)))
        created = draw(st.integers(0, 60 * 24 * 120))
        closed = draw(st.sampled_from(["won", "lost", "open"]))
        deals.append(
            {
                "deal_id": f"D{j:03d}",
                "created_at": _ts(created),
                "lead_id": None if lead is None else f"L{lead:03d}",
                "is_won": closed == "won",
                "is_closed": closed != "open",
                "closed_at": None if closed == "open" else _ts(created + 60 * 24 * 7),
                "amount": float(draw(st.integers(0, 1000)) * 1000),
                "currency": draw(st.sampled_from(["VND", "VND", "USD", None])),
                "stage": closed,
            }
        )
    activities = []
    for k in range(draw(st.integers(0, 4 * n))):
        lead = draw(st.integers(0, n - 1))
        activities.append(
            {
                "activity_id": f"A{k:04d}",
                "lead_id": f"L{lead:03d}",
                "occurred_at": _ts(draw(st.integers(0, 60 * 24 * 100))),
                "type": draw(st.sampled_from(TYPES)),
                "direction": draw(st.sampled_from(["outbound", "inbound", None])),
                "outcome": draw(st.sampled_from(OUTCOMES)),
                "owner": draw(st.sampled_from(OWNERS)),
            }
        )
    spend = [
        {
            "period": dt.date(2025, m, 1),
            "period_grain": "month",
            "source": s,
            "campaign": None,
            "amount": float(draw(st.integers(0, 500)) * 1000),
            "currency": "VND",
        }
        for m in (1, 2, 3)
        for s in ("Facebook Ads", "Zalo OA")
        if draw(st.booleans())
    ]
    return {
        "leads": frame("leads", leads),
        "deals": frame("deals", deals),
        "activities": frame("activities", activities),
        "spend": frame("spend", spend),
    }
