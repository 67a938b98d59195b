"""Tests of ``false_rejections``: the leads sales rejected that later won a deal: who rejected
them, why, and what they bought after.

Hand-worked fixtures with the numbers written in the tests, and the SQL checked against
its independent Polars implementation ``tests/reference/false_rejections.py``;
the workspaces it shares with its family are described in ``tests/metrics/_quality.py``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dashboard import metrics
from tests.builders import frame, workspace_from_frames
from tests.metrics._quality import D, _check_all, _deal, _lead, rows, run


def test_rejected_mql_that_later_won_counts_as_false_rejection(verdicts_ws: Path) -> None:
    out = rows(run(verdicts_ws, "false_rejections"))
    # L3's only win closed before its rejection: not a false rejection
    assert out == [
        {
            "lead_id": "L2",
            "source": "Zalo",
            "campaign": "c1",
            "owner": "An",
            "lead_score": 70.0,
            "rejected_at": D("2025-01-10", "12:00"),
            "rejection_reason": "No budget",
            "first_won_at": D("2025-03-01"),
            "won_revenue": 200.0,  # D3 (50) won before the rejection and is left out
            # 2025-01-10 12:00 -> 2025-03-01 00:00 = 21.5 + 28 days
            "days_rejected_to_won": pytest.approx(49.5),
        }
    ]


def test_win_at_the_rejection_moment_is_not_later_but_a_win_without_close_date_is(
    tmp_path: Path,
) -> None:
    leads = [
        _lead("R1", D("2025-01-01"), True, rejected_at=D("2025-03-01")),
        _lead("R2", D("2025-01-01"), True, rejected_at=D("2025-03-01")),
        _lead("R3", D("2025-01-01"), True, rejected_at=D("2025-03-01")),
    ]
    deals = [
        _deal("E1", "R1", "won", 10.0, "2025-03-01"),  # same instant: not after
        _deal("E2", "R2", "won", 20.0, None, created_at=D("2025-03-02")),  # no close date
        _deal("E3", "R3", "won", 30.0, "2025-02-28", created_at=D("2025-02-01")),
        _deal("E4", "R3", "won", 40.0, "2025-03-05", created_at=D("2025-02-01")),
        _deal("E5", "R3", "won", 50.0, "2025-03-04", created_at=D("2025-02-01")),
    ]
    path = workspace_from_frames(
        tmp_path / "w.duckdb", {"leads": frame("leads", leads), "deals": frame("deals", deals)}
    )
    out = run(path, "false_rejections").select("lead_id", "first_won_at", "won_revenue")
    # R3: a deal created before the rejection but won after it counts; E3 (won before) not
    assert rows(out) == [
        {"lead_id": "R3", "first_won_at": D("2025-03-04"), "won_revenue": 90.0},
        {"lead_id": "R2", "first_won_at": D("2025-03-02"), "won_revenue": 20.0},
    ]
    [r] = rows(run(path, "disagreement"))
    assert (r["false_rejections"], r["false_rejection_revenue"]) == (2, 110.0)


def test_toml_columns_are_exactly_the_sql_output(verdicts_ws: Path) -> None:
    for name in ("false_rejections",):
        out = run(verdicts_ws, name)
        assert out.columns == list(metrics.get(name).columns), name


def test_sql_matches_reference_on_the_sample(sample_workspace: Path) -> None:
    _check_all(("false_rejections",), sample_workspace)


def test_sql_matches_reference_on_the_sample_by_source(sample_workspace: Path) -> None:
    _check_all(("false_rejections",), sample_workspace, by="source")


def test_sql_matches_reference_on_the_sample_by_month_with_filters(sample_workspace: Path) -> None:
    f = metrics.Filters(
        date_from=dt.date(2026, 1, 1),
        date_to=dt.date(2026, 6, 30),
        sources=["Zalo OA", "Purchased list", "Referral"],
    )
    _check_all(
        ("false_rejections",), sample_workspace, {"currency": "VND"}, f, by="month", step=7.5
    )


def test_sql_matches_reference_on_the_sample_with_mql_cohorts(sample_workspace: Path) -> None:
    f = metrics.Filters(owners=["Vũ Thị Lan", "Đỗ Quang Huy", "Nguyễn Văn An"])
    _check_all(
        ("false_rejections",),
        sample_workspace,
        {"cohort_basis": "mql", "mql_score_threshold": 62},
        f,
    )


# --------------------------------------------------------------------------------------
# Planted patterns of the sample (sample_data/README.md)
# --------------------------------------------------------------------------------------


def test_sample_has_105_false_rejections_mostly_zalo_no_budget(sample_workspace: Path) -> None:
    out = run(sample_workspace, "false_rejections")
    assert out.height == 105
    assert (out["source"] == "Zalo OA").sum() == 64
    assert (out["rejection_reason"] == "No budget").sum() == 62
    assert (out["rejection_reason"] == "Bad timing").sum() == 21
    assert (out["days_rejected_to_won"] > 0).all()
    assert out["won_revenue"].to_list() == sorted(out["won_revenue"].to_list(), reverse=True)
