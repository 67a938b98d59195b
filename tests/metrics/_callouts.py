"""Shared by the tests of the review callouts' facts and ``pending_by_owner``.

The review callouts' facts (callout_sources, callout_reps, callout_facts): a hand-worked
workspace with the numbers written here, the Polars reference on the sample, and the
figures they share with the metrics pages show (handoff, disagreement, followup_by_owner,
speed_to_lead_by_owner), which must stay equal.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from dashboard import metrics
from tests.builders import frame
from tests.reference.base import RefFilters

SETTINGS = metrics.resolve_settings({}, None)


def D(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _run(path: Path, name: str, f: metrics.Filters | None = None, by: str | None = None):
    with duckdb.connect(str(path), read_only=True) as con:
        return metrics.run(con, name, settings=SETTINGS, filters=f or metrics.Filters(), by=by)


def _frame(path: Path, name: str, f: metrics.Filters | None = None) -> pl.DataFrame:
    return _run(path, name, f).frame


def _same(actual: Any, expected: Any) -> bool:
    if expected is None or actual is None:
        return actual is expected
    if isinstance(expected, float) or isinstance(actual, float):
        return math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-9)
    return actual == expected


def _assert_row(row: dict[str, Any], expected: dict[str, Any]) -> None:
    for column, value in expected.items():
        assert _same(row[column], value), (column, row[column], value)


def _compare(sql: pl.DataFrame, reference: pl.DataFrame) -> None:
    assert sql.height == reference.height
    for a, b in zip(sql.iter_rows(named=True), reference.iter_rows(named=True), strict=True):
        assert set(b) == set(a)
        _assert_row(a, b)


# --------------------------------------------------------------------------------------
# A hand-worked workspace (every lead created in January 2025, VND):
#   A1 Zalo, owner An, MQL and handed off Jan 1 08:00, one call Jan 1 09:00, rejected Jan 5
#      ("No budget"), score 70; a deal won Feb 1 for 100: a false rejection.
#   A2 Zalo, owner An, MQL and handed off Jan 1 08:00, never called, rejected Jan 5
#      ("Timing").
#   A3 Web, owner Binh, MQL and handed off Jan 2 08:00, calls 08:30 and 10:00, SQL Jan 3;
#      a deal won Feb 2 for 300.
#   A4 Web, no owner, not an MQL (no MQL date, score 40), never handed off; a deal won
#      Feb 3 for 200: a missed lead.
#   A5 no source, owner Binh, MQL and handed off Jan 3 08:00, one call Jan 4 14:00 (30 h),
#      never decided: pending past the 24 h SLA (the data ends Feb 3).
# Leads 5, MQLs 4, handed off 4, rejected 2, SQLs 1; won revenue 600, so 150 per handed-off
# lead and 600 per SQL.
# --------------------------------------------------------------------------------------


def _tables() -> dict[str, pl.DataFrame]:
    def lead(i: str, src: str | None, owner: str | None, handoff: str | None, **kw: Any):
        return {
            "lead_id": i,
            "created_at": D("2025-01-01 07:00"),
            "source": src,
            "owner": owner,
            "mql_at": D(handoff) if handoff else None,
            "handed_off_at": D(handoff) if handoff else None,
            **{k: D(v) if k.endswith("_at") else v for k, v in kw.items()},
        }

    leads = [
        lead(
            "A1",
            "Zalo",
            "An",
            "2025-01-01 08:00",
            rejected_at="2025-01-05 00:00",
            rejection_reason="No budget",
            lead_score=70.0,
        ),
        lead(
            "A2",
            "Zalo",
            "An",
            "2025-01-01 08:00",
            rejected_at="2025-01-05 00:00",
            rejection_reason="Timing",
            lead_score=65.0,
        ),
        lead("A3", "Web", "Binh", "2025-01-02 08:00", sql_at="2025-01-03 00:00", lead_score=80.0),
        lead("A4", "Web", None, None, lead_score=40.0),
        lead("A5", None, "Binh", "2025-01-03 08:00", lead_score=75.0),
    ]

    def deal(i: str, lead_id: str, closed: str, amount: float) -> dict:
        return {
            "deal_id": i,
            "lead_id": lead_id,
            "created_at": D("2025-01-20 00:00"),
            "closed_at": D(closed),
            "is_won": True,
            "is_closed": True,
            "amount": amount,
            "currency": "VND",
        }

    deals = [
        deal("D1", "A1", "2025-02-01 00:00", 100.0),
        deal("D2", "A3", "2025-02-02 00:00", 300.0),
        deal("D3", "A4", "2025-02-03 00:00", 200.0),
    ]

    def act(i: str, lead_id: str, at: str) -> dict:
        return {
            "activity_id": i,
            "lead_id": lead_id,
            "occurred_at": D(at),
            "type": "call",
            "direction": "outbound",
            "outcome": "no answer",
        }

    activities = [
        act("T1", "A1", "2025-01-01 09:00"),
        act("T2", "A3", "2025-01-02 08:30"),
        act("T3", "A3", "2025-01-02 10:00"),
        act("T4", "A5", "2025-01-04 14:00"),
    ]
    return {
        "leads": frame("leads", leads),
        "deals": frame("deals", deals),
        "activities": frame("activities", activities),
    }


# --------------------------------------------------------------------------------------
# The reference on the hand-worked workspace and on the sample
# --------------------------------------------------------------------------------------
CASES = [
    (metrics.Filters(), RefFilters()),
    (
        metrics.Filters(sources=["Zalo OA", "Purchased list", "Google Ads"]),
        RefFilters(sources=["Zalo OA", "Purchased list", "Google Ads"]),
    ),
    (
        metrics.Filters(date_from=dt.date(2025, 3, 1), date_to=dt.date(2025, 6, 30)),
        RefFilters(date_from=dt.date(2025, 3, 1), date_to=dt.date(2025, 6, 30)),
    ),
]
