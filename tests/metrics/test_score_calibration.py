"""Tests of ``score_calibration``: sQL rate and win rate by lead-score decile, with the AUC of the
score for SQL and for won: does a higher score mean a better lead?

Hand-worked fixtures with the numbers written in the tests, and the SQL checked against
its independent Polars implementation ``tests/reference/score_calibration.py``;
the workspaces it shares with its family are described in ``tests/metrics/_quality.py``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from dashboard import metrics
from tests.metrics._quality import FIXTURE, _check_all, rows, run


def test_auc_counts_ties_as_half_and_deciles_keep_tied_scores_together(scores_ws: Path) -> None:
    out = run(scores_ws, "score_calibration", filters=FIXTURE)
    assert out.height == 10
    # SQL: positives 20, 30; negatives 10, 20: pairs 1 + 1/2 + 1 + 1 = 3.5 of 4
    assert out["auc_sql"].to_list() == [pytest.approx(0.875)] * 10
    # won: positives 10 and 30; negatives 20, 20: 0 + 0 + 1 + 1 = 2 of 4
    assert out["auc_won"].to_list() == [pytest.approx(0.5)] * 10
    assert out["unscored_leads"].to_list() == [1] * 10
    assert out["scored_leads"].to_list() == [4] * 10
    # four scored leads 10, 20, 20, 30: one row per decile, except that the two leads at
    # the tied score 20 (S2, S3) share decile 2 and decile 3 stays empty
    first = out.head(4).select("decile", "min_score", "leads", "sqls", "won", "won_revenue")
    assert rows(first) == [
        {"decile": 1, "min_score": 10.0, "leads": 1, "sqls": 0, "won": 1, "won_revenue": 100.0},
        {"decile": 2, "min_score": 20.0, "leads": 2, "sqls": 1, "won": 0, "won_revenue": 0.0},
        {"decile": 3, "min_score": None, "leads": 0, "sqls": 0, "won": 0, "won_revenue": 0.0},
        {"decile": 4, "min_score": 30.0, "leads": 1, "sqls": 1, "won": 1, "won_revenue": 300.0},
    ]
    empty = out.filter(pl.col("decile") > 4)
    assert empty["leads"].to_list() == [0] * 6
    assert empty["sql_rate"].null_count() == 6
    assert empty["min_score"].null_count() == 6


def test_many_equal_scores_stay_in_one_decile(scores_ws: Path) -> None:
    out = run(scores_ws, "score_calibration", filters=metrics.Filters(sources=["Ties"]))
    # 25 leads: ntile sizes 3,3,3,3,3,2,2,2,2,2. The five 40s start at position 0
    # (decile 1), the fifteen 50s at position 5 (decile 2), the five 70s at position 20
    # (past the 15 rows of the five larger deciles: 5 + (20 - 15) // 2 + 1 = decile 8)
    assert out["leads"].to_list() == [5, 15, 0, 0, 0, 0, 0, 5, 0, 0]
    assert out["min_score"].to_list() == [
        40.0,
        50.0,
        None,
        None,
        None,
        None,
        None,
        70.0,
        None,
        None,
    ]
    assert out["max_score"].to_list() == [
        40.0,
        50.0,
        None,
        None,
        None,
        None,
        None,
        70.0,
        None,
        None,
    ]
    # SQLs among the 50s: E06, E09, E12, E15, E18
    assert out["sqls"].to_list() == [0, 5, 0, 0, 0, 0, 0, 0, 0, 0]
    assert out["sql_rate"][1] == pytest.approx(5 / 15)


def test_auc_is_half_for_tied_scores_one_when_perfect_and_empty_for_one_class(
    scores_ws: Path,
) -> None:
    def auc(source: str) -> float | None:
        out = run(scores_ws, "score_calibration", filters=metrics.Filters(sources=[source]))
        return out["auc_sql"][0]

    assert auc("Tied") == pytest.approx(0.5)
    assert auc("Perfect") == pytest.approx(1.0)
    assert auc("One") is None


def test_twelve_leads_fill_the_first_two_deciles_with_two(scores_ws: Path) -> None:
    out = run(scores_ws, "score_calibration", filters=metrics.Filters(sources=["Twelve"]))
    assert out["leads"].to_list() == [2, 2, 1, 1, 1, 1, 1, 1, 1, 1]
    assert out["min_score"].to_list() == [1.0, 3.0, 5, 6, 7, 8, 9, 10, 11, 12]
    assert out["max_score"].to_list() == [2.0, 4.0, 5, 6, 7, 8, 9, 10, 11, 12]


def test_toml_columns_are_exactly_the_sql_output(verdicts_ws: Path) -> None:
    for name in ("score_calibration",):
        out = run(verdicts_ws, name)
        assert out.columns == list(metrics.get(name).columns), name


def test_sql_matches_reference_on_the_sample(sample_workspace: Path) -> None:
    _check_all(("score_calibration",), sample_workspace)


def test_sql_matches_reference_on_the_sample_by_source(sample_workspace: Path) -> None:
    _check_all(("score_calibration",), sample_workspace, by="source")


def test_sql_matches_reference_on_the_sample_by_month_with_filters(sample_workspace: Path) -> None:
    f = metrics.Filters(
        date_from=dt.date(2026, 1, 1),
        date_to=dt.date(2026, 6, 30),
        sources=["Zalo OA", "Purchased list", "Referral"],
    )
    _check_all(
        ("score_calibration",), sample_workspace, {"currency": "VND"}, f, by="month", step=7.5
    )


def test_sql_matches_reference_on_the_sample_with_mql_cohorts(sample_workspace: Path) -> None:
    f = metrics.Filters(owners=["Vũ Thị Lan", "Đỗ Quang Huy", "Nguyễn Văn An"])
    _check_all(
        ("score_calibration",),
        sample_workspace,
        {"cohort_basis": "mql", "mql_score_threshold": 62},
        f,
    )


def test_sample_purchased_list_is_over_scored(sample_workspace: Path) -> None:
    def at_60(sources: list[str]) -> dict[str, Any]:
        out = run(sample_workspace, "threshold_whatif", filters=metrics.Filters(sources=sources))
        return rows(out.filter(pl.col("is_current")))[0]

    others = ["Facebook Ads", "Google Ads", "Website form", "Referral", "Trade show", "TikTok"]
    purchased, rest = at_60(["Purchased list"]), at_60(others)
    # leads it would send at 60 reach SQL far less often than other sources' leads
    assert purchased["sqls_per_lead_sent"] < 0.5 * rest["sqls_per_lead_sent"]
    cal = run(sample_workspace, "score_calibration", filters=metrics.Filters(sources=others))
    cal_p = run(
        sample_workspace, "score_calibration", filters=metrics.Filters(sources=["Purchased list"])
    )
    # its top decile's SQL rate is well below the top decile of the other sources
    assert cal_p["sql_rate"][9] < 0.5 * cal["sql_rate"][9]
    # and its rejected share is the highest after Zalo OA
    src = {r["dimension"]: r for r in rows(run(sample_workspace, "disagreement", by="source"))}
    assert src["Purchased list"]["agreement_rate"] < min(src[s]["agreement_rate"] for s in others)
