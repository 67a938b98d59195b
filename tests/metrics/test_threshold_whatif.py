"""Tests of ``threshold_whatif``: for every MQL score threshold from 0 to 100: the scored leads
sales would get, the SQLs and won revenue kept, the won revenue missed below the threshold, and
the load per rep and week.

Hand-worked fixtures with the numbers written in the tests, and the SQL checked against
its independent Polars implementation ``tests/reference/threshold_whatif.py``;
the workspaces it shares with its family are described in ``tests/metrics/_quality.py``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import polars as pl
import pytest

from dashboard import metrics
from tests.builders import frame, workspace_from_frames
from tests.metrics._quality import FIXTURE, D, _check_all, rows, run


def test_threshold_whatif_worked_by_hand(scores_ws: Path) -> None:
    out = run(
        scores_ws,
        "threshold_whatif",
        overrides={"mql_score_threshold": 25},
        filters=FIXTURE,
        parameters={"threshold_step": 10.0},
    )
    # 0, 10, ..., 100 plus the current 25
    assert out["threshold"].to_list() == [0.0, 10, 20, 25, 30, 40, 50, 60, 70, 80, 90, 100]
    assert out.filter(pl.col("is_current"))["threshold"].to_list() == [25.0]
    by_t = {r["threshold"]: r for r in rows(out)}
    # reps: An and Bich received handed-off leads (S4 has no owner, S5 is not handed off);
    # weeks: 2025-01-01 .. 2025-01-29 = 28 days = 4 weeks
    cols = ("leads_sent", "sqls_kept", "won_kept", "won_revenue_kept", "won_revenue_missed")
    assert tuple(by_t[0.0][c] for c in cols) == (4, 2, 2, 400.0, 0.0)
    assert tuple(by_t[20.0][c] for c in cols) == (3, 2, 1, 300.0, 100.0)
    assert tuple(by_t[25.0][c] for c in cols) == (1, 1, 1, 300.0, 100.0)
    assert tuple(by_t[40.0][c] for c in cols) == (0, 0, 0, 0.0, 400.0)
    assert by_t[0.0]["leads_per_rep_week"] == pytest.approx(4 / 2 / 4)
    assert by_t[20.0]["leads_per_rep_week"] == pytest.approx(3 / 2 / 4)
    assert by_t[20.0]["sqls_per_lead_sent"] == pytest.approx(2 / 3)
    assert by_t[20.0]["revenue_share_kept"] == pytest.approx(0.75)
    assert by_t[25.0]["sql_share_kept"] == pytest.approx(0.5)
    assert by_t[40.0]["sqls_per_lead_sent"] is None
    assert by_t[40.0]["sql_share_kept"] == 0.0
    assert set(out["unscored_leads"].to_list()) == {1}


def test_single_lead_counts_as_one_week_for_one_rep(tmp_path: Path) -> None:
    leads = [
        {
            "lead_id": "X",
            "created_at": D("2025-03-01"),
            "lead_score": 65.0,
            "owner": "An",
            "sql_at": D("2025-03-02"),
        }
    ]
    path = workspace_from_frames(tmp_path / "w.duckdb", {"leads": frame("leads", leads)})
    out = run(path, "threshold_whatif")
    assert out.height == 21  # 0, 5, ..., 100; the current 60 is on the grid
    [cur] = rows(out.filter(pl.col("is_current")))
    assert (cur["threshold"], cur["leads_sent"], cur["sqls_kept"]) == (60.0, 1, 1)
    assert cur["leads_per_rep_week"] == 1.0
    cal = run(path, "score_calibration")
    assert cal["leads"].to_list() == [1] + [0] * 9
    assert cal["auc_sql"].null_count() == 10  # one class only
    [r] = rows(run(path, "disagreement"))
    # score 65 >= 60 with no MQL dates: an MQL; SQL: accepted -> p_e = 1, kappa empty
    assert (r["leads_judged"], r["agree_qualified"], r["cohens_kappa"]) == (1, 1, None)


def test_threshold_step_must_be_positive(verdicts_ws: Path) -> None:
    with pytest.raises(duckdb.Error, match="threshold_step"):
        run(verdicts_ws, "threshold_whatif", parameters={"threshold_step": 0.0})


def test_toml_columns_are_exactly_the_sql_output(verdicts_ws: Path) -> None:
    for name in ("threshold_whatif",):
        out = run(verdicts_ws, name)
        assert out.columns == list(metrics.get(name).columns), name


def test_sql_matches_reference_on_the_sample(sample_workspace: Path) -> None:
    _check_all(("threshold_whatif",), sample_workspace)


def test_sql_matches_reference_on_the_sample_by_source(sample_workspace: Path) -> None:
    _check_all(("threshold_whatif",), sample_workspace, by="source")


def test_sql_matches_reference_on_the_sample_by_month_with_filters(sample_workspace: Path) -> None:
    f = metrics.Filters(
        date_from=dt.date(2026, 1, 1),
        date_to=dt.date(2026, 6, 30),
        sources=["Zalo OA", "Purchased list", "Referral"],
    )
    _check_all(
        ("threshold_whatif",), sample_workspace, {"currency": "VND"}, f, by="month", step=7.5
    )


def test_sql_matches_reference_on_the_sample_with_mql_cohorts(sample_workspace: Path) -> None:
    f = metrics.Filters(owners=["Vũ Thị Lan", "Đỗ Quang Huy", "Nguyễn Văn An"])
    _check_all(
        ("threshold_whatif",),
        sample_workspace,
        {"cohort_basis": "mql", "mql_score_threshold": 62},
        f,
    )
