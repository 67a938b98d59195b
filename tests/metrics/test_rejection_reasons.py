"""Tests of ``rejection_reasons``: why sales rejects handed-off leads: rejections per reason, their
share of the dimension's and of all rejections, and each reason's rank.

Hand-worked fixtures with the numbers written in the tests, and the SQL checked against
its independent Polars implementation ``tests/reference/rejection_reasons.py``;
the workspaces it shares with its family are described in ``tests/metrics/_handoff.py``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from dashboard import metrics
from dashboard.errors import MissingInputsError
from tests.builders import frame, workspace_from_frames
from tests.metrics._handoff import _check, _lead, approx_row, run_metric, ts


def test_rejection_reasons_overall_ranks_missing_reason_after_a_tied_given_one(
    handoff_ws: Path,
) -> None:
    rows = run_metric(handoff_ws, "rejection_reasons")
    assert rows == [
        approx_row(r)
        for r in (
            {
                "dimension": None,
                "rejection_reason": "No budget",  # L3 (accepted first) and L5
                "rejected": 2,
                "share": 0.5,
                "share_of_all": 0.5,
                "rank": 1,
                "dimension_rejected": 4,
                "reason_rejected": 2,
            },
            {
                "dimension": None,
                "rejection_reason": "Student",  # L12, trimmed
                "rejected": 1,
                "share": 0.25,
                "share_of_all": 0.25,
                "rank": 2,
                "dimension_rejected": 4,
                "reason_rejected": 1,
            },
            {
                "dimension": None,
                "rejection_reason": "(no reason given)",  # L4
                "rejected": 1,
                "share": 0.25,
                "share_of_all": 0.25,
                "rank": 3,
                "dimension_rejected": 4,
                "reason_rejected": 1,
            },
        )
    ]


def test_rejection_reasons_by_source_share_within_source_and_of_all(handoff_ws: Path) -> None:
    rows = run_metric(handoff_ws, "rejection_reasons", by="source")
    got = [
        (r["dimension"], r["rejection_reason"], r["rejected"], r["share"], r["share_of_all"])
        for r in rows
    ]
    # L13 (Duplicate) was never handed off: not a rejection of a handoff
    assert got == [
        ("Facebook Ads", "Student", 1, 1.0, 0.25),
        ("Referral", "No budget", 1, 0.5, 0.25),
        ("Referral", "(no reason given)", 1, 0.5, 0.25),
        ("Zalo OA", "No budget", 1, 1.0, 0.25),
    ]
    assert [r["rank"] for r in rows] == [1, 1, 2, 1]
    # the totals pages order by: the source's rejections, the reason's across sources
    assert [(r["dimension_rejected"], r["reason_rejected"]) for r in rows] == [
        (1, 1),
        (2, 2),
        (2, 1),
        (1, 2),
    ]


def test_rejections_without_any_reason_column_raise_for_rejection_reasons(
    tmp_path: Path,
) -> None:
    lead = _lead("A", "Referral", ts(1, 1), mql_at=ts(1, 1), owner="An", rejected_at=ts(1, 2))
    path = workspace_from_frames(tmp_path / "w.duckdb", {"leads": frame("leads", [lead])})
    assert run_metric(path, "handoff")[0]["rejected"] == 1
    with pytest.raises(MissingInputsError):
        run_metric(path, "rejection_reasons")


def test_fixture_matches_the_reference(handoff_ws: Path) -> None:
    for by in (None, "source", "month"):
        _check(("rejection_reasons",), handoff_ws, by=by)


@pytest.mark.parametrize("by", [None, "source", "month"])
def test_sample_matches_the_reference(sample_workspace: Path, by: str | None) -> None:
    _check(("rejection_reasons",), sample_workspace, by=by)


def test_sample_matches_the_reference_with_a_4_hour_sla_and_filters(
    sample_workspace: Path,
) -> None:
    _check(("rejection_reasons",), sample_workspace, by="owner", overrides={"sla_hours": 4})
    _check(
        ("rejection_reasons",),
        sample_workspace,
        by="month",
        overrides={"sla_hours": 4, "cohort_basis": "mql"},
        filters=metrics.Filters(
            date_from=dt.date(2026, 2, 1),
            date_to=dt.date(2026, 9, 30),
            sources=["Zalo OA", "Referral", "Purchased list"],
        ),
    )


def test_sample_zalo_oa_top_rejection_reason_is_no_budget(sample_workspace: Path) -> None:
    rows = run_metric(sample_workspace, "rejection_reasons", by="source")
    zalo = [r for r in rows if r["dimension"] == "Zalo OA"]
    top = zalo[0]
    assert (top["rank"], top["rejection_reason"]) == (1, "No budget")
    # README: "No budget" is 45.4% of Zalo OA's rejection reasons
    assert top["share"] == pytest.approx(0.454, abs=0.001)
    assert sum(r["share_of_all"] for r in zalo) == pytest.approx(0.559, abs=0.001)
    no_budget = [r for r in rows if r["rejection_reason"] == "No budget"]
    # no other source comes near: its share is under half of Zalo OA's, and Zalo OA alone
    # gives more than three quarters of all "No budget" rejections
    assert all(r["share"] < top["share"] / 2 for r in no_budget if r is not top)
    assert top["rejected"] / sum(r["rejected"] for r in no_budget) > 0.75


def test_rejection_reasons_add_up_to_the_handoff_rejections(sample_workspace: Path) -> None:
    handoff_rows = run_metric(sample_workspace, "handoff", by="month")
    reasons = pl.DataFrame(run_metric(sample_workspace, "rejection_reasons", by="month"))
    per_month = dict(reasons.group_by("dimension").agg(pl.col("rejected").sum()).iter_rows())
    for r in handoff_rows:
        assert per_month.get(r["dimension"], 0) == r["rejected"]
    shares = reasons.group_by("dimension").agg(pl.col("share").sum())["share"]
    assert ((shares - 1).abs() < 1e-9).all()
    assert reasons["share_of_all"].sum() == pytest.approx(1.0)
