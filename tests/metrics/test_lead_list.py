"""Tests of ``lead_list``: the leads behind any number: one row per lead with its stages, both
teams' verdicts, follow-up and outcome.

Hand-worked fixtures with the numbers written in the tests, and the SQL checked against
its independent Polars implementation ``tests/reference/lead_list.py``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import polars as pl
import pytest

from dashboard import metrics
from tests.builders import frame, workspace_from_frames
from tests.metrics._frames import assert_same_frame
from tests.metrics._sample import SAMPLE_CASES
from tests.reference.base import RefFilters, as_of, lead_facts, tables_from_workspace, touch_facts
from tests.reference.lead_list import lead_list, score_band

SETTINGS = metrics.resolve_settings({}, None)
T0 = dt.datetime(2025, 3, 1, 9, 0)


def _run(path: Path, name: str, **kw) -> pl.DataFrame:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return metrics.run(con, name, settings=kw.pop("settings", SETTINGS), **kw).frame
    finally:
        con.close()


def test_flags_equal_the_reference_definitions_on_the_sample(sample_workspace: Path) -> None:
    got = _run(sample_workspace, "lead_list").sort("lead_id")
    t = tables_from_workspace(str(sample_workspace))
    facts = lead_facts(t, SETTINGS).sort("lead_id")
    touch = touch_facts(t, SETTINGS).select(
        "lead_id", "speed_bucket", "n_attempts", "is_sla_met", "is_given_up"
    )
    ref = facts.join(touch, on="lead_id", how="left").sort("lead_id")
    assert got["lead_id"].to_list() == ref["lead_id"].to_list()
    for col in ("is_mql", "is_handed_off", "is_accepted", "is_rejected", "is_sql", "is_won"):
        assert got[col].to_list() == ref[col].to_list(), col
    for col in ("sales_verdict", "outcome", "speed_bucket", "n_attempts", "is_given_up"):
        assert got[col].to_list() == ref[col].to_list(), col
    assert got["won_revenue"].to_list() == ref["won_revenue"].to_list()
    # pending past the SLA, written independently: no decision and > sla_hours waited
    now = as_of(t)
    pending = ref.filter(
        pl.col("is_handed_off")
        & ~pl.col("is_accepted")
        & ~pl.col("is_rejected")
        & ~pl.col("is_sql")
        & ((pl.lit(now) - pl.col("handed_off_at_eff")) > dt.timedelta(hours=24))
    )
    assert sorted(got.filter(pl.col("is_pending_past_sla"))["lead_id"]) == sorted(
        pending["lead_id"]
    )
    handoff = _run(sample_workspace, "handoff").row(0, named=True)
    assert got["is_pending_past_sla"].sum() == handoff["pending_past_sla"] == pending.height


def test_hand_worked_leads_with_their_follow_up_and_waiting_time(tmp_path: Path) -> None:
    leads = frame(
        "leads",
        [
            # A: handed off, two calls (one before the handoff), then SQL
            {
                "lead_id": "A",
                "created_at": T0,
                "owner": "An",
                "mql_at": T0,
                "handed_off_at": T0 + dt.timedelta(hours=1),
                "sql_at": T0 + dt.timedelta(days=2),
            },
            # B: handed off, never touched, no decision: waited until the last moment
            {
                "lead_id": "B",
                "created_at": T0,
                "owner": "Bích",
                "mql_at": T0,
                "handed_off_at": T0 + dt.timedelta(hours=2),
            },
            # C: never an MQL, never handed off, bought anyway
            {"lead_id": "C", "created_at": T0 + dt.timedelta(days=1)},
        ],
    )
    deals = frame(
        "deals",
        [
            {
                "deal_id": "D1",
                "lead_id": "C",
                "created_at": T0 + dt.timedelta(days=3),
                "closed_at": T0 + dt.timedelta(days=10),
                "is_won": True,
                "is_closed": True,
                "amount": 5_000_000.0,
                "currency": "VND",
            }
        ],
    )
    acts = frame(
        "activities",
        [
            {"activity_id": "a0", "lead_id": "A", "occurred_at": T0, "type": "call"},
            {
                "activity_id": "a1",
                "lead_id": "A",
                "occurred_at": T0 + dt.timedelta(hours=1, minutes=3),
                "type": "call",
                "outcome": "connected",
            },
        ],
    )
    path = workspace_from_frames(
        tmp_path / "w.duckdb", {"leads": leads, "deals": deals, "activities": acts}
    )
    rows = {r["lead_id"]: r for r in _run(path, "lead_list").iter_rows(named=True)}
    a, b, c = rows["A"], rows["B"], rows["C"]
    assert (a["speed_bucket"], a["n_attempts"], a["is_sla_met"]) == ("< 5 min", 1, True)
    assert a["is_pending"] is False and a["hours_waiting"] is None
    # the data's last moment is C's won deal closing at T0 + 10 days; B was handed off at
    # T0 + 2 h: 10 * 24 - 2 = 238 hours of waiting, far past the 24-hour SLA
    assert b["is_pending"] is True and b["hours_waiting"] == 238.0
    assert b["is_pending_past_sla"] is True and b["speed_bucket"] == "never"
    assert (c["marketing_verdict"], c["sales_verdict"], c["outcome"]) == (
        "not MQL",
        "accepted",  # a deal is sales accepting the lead
        "won",
    )
    assert c["won_revenue"] == 5_000_000.0 and c["speed_bucket"] is None
    # 238 hours is not past a 300-hour SLA
    s = metrics.resolve_settings({}, {"sla_hours": 300})
    later = {r["lead_id"]: r for r in _run(path, "lead_list", settings=s).iter_rows(named=True)}
    assert later["B"]["is_pending_past_sla"] is False
    # the reference, worked out from the definition in words, agrees row for row
    t = tables_from_workspace(str(path))
    assert_same_frame(_run(path, "lead_list"), lead_list(t, SETTINGS))
    assert_same_frame(_run(path, "lead_list", settings=s), lead_list(t, s))


def test_score_bands_are_twenties_with_100_in_the_last() -> None:
    assert [score_band(x) for x in (None, 0.0, 19.9, 20.0, 59.5, 79.99, 80.0, 100.0)] == [
        None,
        "0-19",
        "0-19",
        "20-39",
        "40-59",
        "60-79",
        "80-100",
        "80-100",
    ]


@pytest.mark.parametrize(("f", "rf"), SAMPLE_CASES)
def test_matches_the_reference_on_the_sample(
    sample_workspace: Path, f: metrics.Filters, rf: RefFilters
) -> None:
    t = tables_from_workspace(str(sample_workspace))
    assert_same_frame(_run(sample_workspace, "lead_list", filters=f), lead_list(t, SETTINGS, rf))


@pytest.mark.parametrize(
    "overrides",
    [{"sla_hours": 4, "give_up_days": 3}, {"cohort_basis": "mql", "attempt_outbound_only": False}],
)
def test_matches_the_reference_on_the_sample_with_other_settings(
    sample_workspace: Path, overrides: dict
) -> None:
    s = metrics.resolve_settings({}, overrides)
    t = tables_from_workspace(str(sample_workspace))
    assert_same_frame(_run(sample_workspace, "lead_list", settings=s), lead_list(t, s))
