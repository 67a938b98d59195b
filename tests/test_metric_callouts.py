"""The review callouts' facts (callout_sources, callout_reps, callout_facts): a hand-worked
workspace with the numbers written here, the Polars reference on the sample, and the
figures they share with the metrics pages show (handoff, disagreement, followup_by_owner,
speed_to_lead_by_owner), which must stay equal.
"""

from __future__ import annotations

import datetime as dt
import math
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as hyp

from dashboard import metrics
from dashboard.errors import MissingInputsError
from tests import test_metric_followup
from tests import test_metric_revenue as revenue_tests
from tests.builders import frame, small_crm, workspace_from_frames
from tests.reference import callouts as ref
from tests.reference import quality as quality_ref
from tests.reference.base import RefFilters, tables_from_workspace
from tests.reference.totals import pending_by_owner, revenue_total

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


@pytest.fixture(scope="module")
def hand_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return workspace_from_frames(tmp_path_factory.mktemp("callouts") / "w.duckdb", _tables())


@pytest.mark.parametrize("name", ["callout_sources", "callout_reps", "callout_facts"])
def test_columns_are_the_documented_contract(hand_ws: Path, name: str) -> None:
    assert _frame(hand_ws, name).columns == list(metrics.get(name).columns)


def test_callout_sources_by_hand(hand_ws: Path) -> None:
    rows = {r["source"]: r for r in _frame(hand_ws, "callout_sources").iter_rows(named=True)}
    assert list(rows) == ["Web", "Zalo"]  # the lead with no source has no row
    _assert_row(
        rows["Zalo"],
        {
            "leads": 2,
            "mqls": 2,
            "sqls": 0,
            "handed_off": 2,
            "rejected": 2,
            "mql_share": 0.5,  # 2 of 4 MQLs
            "rejection_share": 1.0,  # 2 of 2 rejections
            "share_gap": 0.5,
            "rejection_rate": 1.0,
            "rest_rejection_rate": 0.0,  # the other 2 handed-off leads: no rejection
            "excess_rejections": 2.0,
            "mql_rate": 1.0,
            "rest_mql_rate": 2 / 3,  # A3, A5 of A3, A4, A5
            "sql_per_mql": 0.0,
            "rest_sql_per_mql": 0.5,  # A3 of A3, A5
            "sql_per_mql_ratio": 0.0,
            "excess_mqls": 2.0,
            "revenue_per_handed_off": 150.0,
            "rejections_impact": 300.0,
            "overrated_impact": 300.0,
        },
    )
    _assert_row(
        rows["Web"],
        {
            "leads": 2,
            "mqls": 1,
            "handed_off": 1,
            "rejected": 0,
            "share_gap": -0.25,
            "rest_rejection_rate": 2 / 3,
            "excess_rejections": 0.0,  # fewer rejections than the rest's rate: no excess
            "rest_mql_rate": 1.0,
            "sql_per_mql": 1.0,
            "rest_sql_per_mql": 0.0,
            "sql_per_mql_ratio": None,  # the rest has no SQL: nothing to compare with
            "excess_mqls": None,
            "overrated_impact": None,
        },
    )


def test_callout_reps_by_hand(hand_ws: Path) -> None:
    rows = {r["owner"]: r for r in _frame(hand_ws, "callout_reps").iter_rows(named=True)}
    assert list(rows) == ["An", "Binh"]
    _assert_row(
        rows["An"],
        {
            "handed_off": 2,
            "one_attempt_rate": 0.5,  # A1 one call, A2 none
            "team_one_attempt_rate": 0.5,  # A1 and A5 of the 4 handed-off leads
            "median_attempts": 0.5,
            "median_minutes_to_first_touch": 60.0,  # A2 never touched: no time
            "sla_compliance_rate": 0.5,  # A1 in an hour; A2 never touched, past the SLA
            "sql_rate": 0.0,
            "rest_sql_rate": 0.5,  # Binh: A3 of A3, A5
            "lost_sqls": 1.0,
            "revenue_per_sql": 600.0,
            "impact": 600.0,
        },
    )
    _assert_row(
        rows["Binh"],
        {
            "handed_off": 2,
            "one_attempt_rate": 0.5,
            "median_attempts": 1.5,
            "median_minutes_to_first_touch": (30 + 30 * 60) / 2,
            "sla_compliance_rate": 0.5,  # A5's first touch after 30 h
            "sql_rate": 0.5,
            "rest_sql_rate": 0.0,
            "lost_sqls": 0.0,  # better than the rest: nothing lost
            "impact": 0.0,
        },
    )


def test_callout_facts_by_hand(hand_ws: Path) -> None:
    _assert_row(
        _frame(hand_ws, "callout_facts").row(0, named=True),
        {
            "false_rejections": 1,
            "false_rejection_revenue": 100.0,
            "rejected": 2,
            "false_rejection_rate": 0.5,
            "top_source": "Zalo",
            "top_source_count": 1,
            "top_reason": "No budget",
            "top_reason_count": 1,
            "missed_leads": 1,
            "missed_revenue": 200.0,
            "won_leads": 3,
            "missed_rate": 1 / 3,
            "missed_mean_score": 40.0,
            "missed_max_score": 40.0,
            "pending_past_sla": 1,
            "handed_off": 4,
            "pending_rate": 0.25,
            "revenue_per_handed_off": 150.0,
            "pending_impact": 150.0,
        },
    )


def test_callout_facts_with_no_lead_in_the_filters(hand_ws: Path) -> None:
    row = _frame(hand_ws, "callout_facts", metrics.Filters(sources=["Nobody"])).row(0, named=True)
    _assert_row(
        row,
        {
            "false_rejections": 0,
            "false_rejection_rate": None,  # no rejection: no share, not 0 %
            "top_source": "",
            "top_source_count": 0,
            "missed_rate": None,
            "missed_max_score": None,
            "pending_rate": None,
            "pending_impact": 0.0,
        },
    )


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


@pytest.mark.parametrize("name", ["callout_sources", "callout_reps", "callout_facts"])
def test_matches_the_reference_on_the_hand_worked_workspace(hand_ws: Path, name: str) -> None:
    t = tables_from_workspace(str(hand_ws))
    _compare(_frame(hand_ws, name), getattr(ref, name)(t, SETTINGS))


@pytest.mark.parametrize("name", ["callout_sources", "callout_reps", "callout_facts"])
@pytest.mark.parametrize(("f", "rf"), CASES)
def test_matches_the_reference_on_the_sample(
    sample_workspace: Path, name: str, f: metrics.Filters, rf: RefFilters
) -> None:
    t = tables_from_workspace(str(sample_workspace))
    _compare(_frame(sample_workspace, name, f), getattr(ref, name)(t, SETTINGS, rf))


# --------------------------------------------------------------------------------------
# The figures the callouts share with the metrics the pages show stay equal
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("f", "_rf"), CASES)
def test_shared_figures_equal_the_metrics_pages_show(
    sample_workspace: Path, f: metrics.Filters, _rf: RefFilters
) -> None:
    facts = _frame(sample_workspace, "callout_facts", f).row(0, named=True)
    handoff = _frame(sample_workspace, "handoff", f).row(0, named=True)
    dis = _frame(sample_workspace, "disagreement", f).row(0, named=True)
    for column in ("rejected", "handed_off", "pending_past_sla"):
        assert facts[column] == handoff[column], column
    for column in ("false_rejections", "false_rejection_revenue", "missed_leads"):
        assert _same(facts[column], dis[column]), column
    assert _same(facts["missed_revenue"], dis["missed_revenue"])
    false_rows = _frame(sample_workspace, "false_rejections", f)
    assert facts["false_rejections"] == false_rows.height

    by_source = _run(sample_workspace, "handoff", f, by="source").frame
    handoff_rows = {r["dimension"]: r for r in by_source.iter_rows(named=True)}
    revenue_rows = {
        r["source"]: r
        for r in _frame(sample_workspace, "revenue_by_source", f).iter_rows(named=True)
    }
    for row in _frame(sample_workspace, "callout_sources", f).iter_rows(named=True):
        h, r = handoff_rows[row["source"]], revenue_rows[row["source"]]
        assert (row["mqls"], row["handed_off"], row["rejected"]) == (
            h["mqls"],
            h["handed_off"],
            h["rejected"],
        )
        assert _same(row["rejection_rate"], h["rejection_rate"])
        assert (row["leads"], row["sqls"]) == (r["leads"], r["sqls"])

    followup = {
        r["owner"]: r
        for r in _frame(sample_workspace, "followup_by_owner", f).iter_rows(named=True)
    }
    speed = {
        r["owner"]: r
        for r in _frame(sample_workspace, "speed_to_lead_by_owner", f).iter_rows(named=True)
    }
    reps = _frame(sample_workspace, "callout_reps", f)
    for row in reps.iter_rows(named=True):
        fo, sp = followup[row["owner"]], speed[row["owner"]]
        for column in ("handed_off", "one_attempt_rate", "median_attempts", "sql_rate"):
            assert _same(row[column], fo[column]), column
        assert _same(row["team_one_attempt_rate"], followup["(all)"]["one_attempt_rate"])
        for column in ("median_minutes_to_first_touch", "sla_compliance_rate"):
            assert _same(row[column], sp[column]), column


# --------------------------------------------------------------------------------------
# pending_by_owner on the same workspace: A5 (Binh) is the one lead waiting past the SLA,
# from its handoff on Jan 3 08:00 to the data's latest moment, D3's close on Feb 3 00:00:
# 31 days less 8 hours = 736 hours. A1 and A2 are rejected, A3 is an SQL.
# --------------------------------------------------------------------------------------
def test_pending_by_owner_by_hand(hand_ws: Path) -> None:
    out = _frame(hand_ws, "pending_by_owner")
    assert out.columns == list(metrics.get("pending_by_owner").columns)
    assert out.to_dicts() == [
        {"owner": "Binh", "leads": 1, "longest_hours": 736.0, "median_hours": 736.0}
    ]
    # exactly the leads lead_list flags, and as many as handoff counts
    flagged = _frame(hand_ws, "lead_list").filter(pl.col("is_pending_past_sla"))
    assert flagged["lead_id"].to_list() == ["A5"]
    assert _frame(hand_ws, "handoff").row(0, named=True)["pending_past_sla"] == 1


def test_pending_by_owner_with_a_long_sla_has_no_rows(hand_ws: Path) -> None:
    with duckdb.connect(str(hand_ws), read_only=True) as con:
        out = metrics.run(con, "pending_by_owner", settings={**SETTINGS, "sla_hours": 736.0}).frame
    assert out.height == 0  # exactly sla_hours is still inside the SLA


@pytest.mark.parametrize(("f", "rf"), CASES)
def test_pending_by_owner_matches_the_reference_on_the_sample(
    sample_workspace: Path, f: metrics.Filters, rf: RefFilters
) -> None:
    t = tables_from_workspace(str(sample_workspace))
    sql = _frame(sample_workspace, "pending_by_owner", f)
    _compare(sql, pending_by_owner(t, SETTINGS, rf))
    handoff = _frame(sample_workspace, "handoff", f).row(0, named=True)
    assert sql["leads"].sum() == handoff["pending_past_sla"]


# --------------------------------------------------------------------------------------
# followup_by_owner.is_below_team on test_metric_followup's hand-worked workspace: the team
# meets the SLA on 4 of 7 decided leads (0.5714...); An, Bích and Minh on 0.5, the leads
# with no owner on 1.0. "Below" is strictly more than rep_below_team_gap under the team.
# --------------------------------------------------------------------------------------
followup_ws = test_metric_followup.hand_ws


@pytest.mark.parametrize(
    ("gap", "below"),
    [
        (0.05, ["An", "Bích", "Minh"]),  # 0.5 < 0.5714 - 0.05 = 0.5214
        (0.07, ["An", "Bích", "Minh"]),  # 0.5 < 0.5714 - 0.07 = 0.5014
        (0.08, []),  # 0.5 is not under 0.4914
    ],
)
def test_rep_below_team_follows_the_setting(followup_ws: Path, gap: float, below: list) -> None:
    with duckdb.connect(str(followup_ws), read_only=True) as con:
        out = metrics.run(
            con, "followup_by_owner", settings={**SETTINGS, "rep_below_team_gap": gap}
        ).frame
    assert out.filter(pl.col("is_below_team"))["owner"].to_list() == below
    assert out.filter(pl.col("owner") == "(all)")["is_below_team"].to_list() == [False]


# --------------------------------------------------------------------------------------
# Random small workspaces (tests/builders.small_crm): every new query against its reference
# --------------------------------------------------------------------------------------
@hyp_settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(crm=small_crm(), filters=revenue_tests.FILTERS, sla=hyp.sampled_from([4.0, 24.0]))
def test_new_queries_match_their_references_on_random_data(crm, filters, sla) -> None:
    f, rf = filters
    s = {**SETTINGS, "sla_hours": sla}
    with tempfile.TemporaryDirectory() as tmp:
        path = workspace_from_frames(Path(tmp) / "w.duckdb", crm)
        t = tables_from_workspace(str(path))
        checks = {
            "callout_sources": ref.callout_sources,
            "callout_reps": ref.callout_reps,
            "callout_facts": ref.callout_facts,
            "pending_by_owner": pending_by_owner,
            "revenue_total": revenue_total,
            "disagreement_cells": quality_ref.disagreement_cells,
        }
        with duckdb.connect(str(path), read_only=True) as con:
            for name, reference in checks.items():
                try:
                    sql = metrics.run(con, name, settings=s, filters=f).frame
                except MissingInputsError:
                    continue  # the query says what it needs instead of answering
                expected = reference(t, s, rf)
                if name in ("callout_sources", "callout_reps") and expected.is_empty():
                    assert sql.is_empty(), name
                    continue
                _compare(sql.select(expected.columns), expected)
