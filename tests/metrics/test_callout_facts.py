"""Tests of ``callout_facts``: one row of the figures the review callouts about leads state: false
rejections and their revenue, share and commonest source and reason; missed leads, their
revenue, share and scores; leads pending past the SLA, their share and the revenue at stake.

Hand-worked fixtures with the numbers written in the tests, and the SQL checked against
its independent Polars implementation ``tests/reference/callout_facts.py``;
the workspaces it shares with its family are described in ``tests/metrics/_callouts.py``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as hyp

from dashboard import metrics
from dashboard.errors import MissingInputsError
from tests.builders import small_crm, workspace_from_frames
from tests.metrics._callouts import CASES, SETTINGS, _assert_row, _compare, _frame, _run, _same
from tests.metrics._revenue import FILTERS
from tests.reference.base import RefFilters, tables_from_workspace
from tests.reference.callout_facts import callout_facts
from tests.reference.callout_reps import callout_reps
from tests.reference.callout_sources import callout_sources
from tests.reference.disagreement_cells import disagreement_cells
from tests.reference.pending_by_owner import pending_by_owner
from tests.reference.revenue_total import revenue_total


@pytest.mark.parametrize("name", ["callout_facts"])
def test_columns_are_the_documented_contract(callouts_ws: Path, name: str) -> None:
    assert _frame(callouts_ws, name).columns == list(metrics.get(name).columns)


def test_callout_facts_by_hand(callouts_ws: Path) -> None:
    _assert_row(
        _frame(callouts_ws, "callout_facts").row(0, named=True),
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


def test_callout_facts_with_no_lead_in_the_filters(callouts_ws: Path) -> None:
    row = _frame(callouts_ws, "callout_facts", metrics.Filters(sources=["Nobody"])).row(
        0, named=True
    )
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


@pytest.mark.parametrize("name", ["callout_facts"])
def test_matches_the_reference_on_the_hand_worked_workspace(callouts_ws: Path, name: str) -> None:
    t = tables_from_workspace(str(callouts_ws))
    _compare(_frame(callouts_ws, name), callout_facts(t, SETTINGS))


@pytest.mark.parametrize("name", ["callout_facts"])
@pytest.mark.parametrize(("f", "rf"), CASES)
def test_matches_the_reference_on_the_sample(
    sample_workspace: Path, name: str, f: metrics.Filters, rf: RefFilters
) -> None:
    t = tables_from_workspace(str(sample_workspace))
    _compare(_frame(sample_workspace, name, f), callout_facts(t, SETTINGS, rf))


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
# Random small workspaces (tests/builders.small_crm): every new query against its reference
# --------------------------------------------------------------------------------------
@hyp_settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(crm=small_crm(), filters=FILTERS, sla=hyp.sampled_from([4.0, 24.0]))
def test_new_queries_match_their_references_on_random_data(crm, filters, sla) -> None:
    f, rf = filters
    s = {**SETTINGS, "sla_hours": sla}
    with tempfile.TemporaryDirectory() as tmp:
        path = workspace_from_frames(Path(tmp) / "w.duckdb", crm)
        t = tables_from_workspace(str(path))
        checks = {
            "callout_sources": callout_sources,
            "callout_reps": callout_reps,
            "callout_facts": callout_facts,
            "pending_by_owner": pending_by_owner,
            "revenue_total": revenue_total,
            "disagreement_cells": disagreement_cells,
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
