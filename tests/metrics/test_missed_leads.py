"""Tests of ``missed_leads``: the leads marketing never qualified (never MQL) that won a deal
anyway.

Hand-worked fixtures with the numbers written in the tests, and the SQL checked against
its independent Polars implementation ``tests/reference/missed_leads.py``;
the workspaces it shares with its family are described in ``tests/metrics/_quality.py``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dashboard import metrics
from tests.metrics._quality import D, _check_all, rows, run


def test_non_mql_with_a_won_deal_is_a_missed_lead(verdicts_ws: Path) -> None:
    out = rows(run(verdicts_ws, "missed_leads"))
    assert out == [
        {
            "lead_id": "L5",
            "source": "Zalo",
            "campaign": "c1",
            "owner": "An",
            "lead_score": 40.0,
            "created_at": D("2025-01-03", "09:00"),
            "first_won_at": D("2025-04-01"),
            "won_revenue": 400.0,
        }
    ]


def test_toml_columns_are_exactly_the_sql_output(verdicts_ws: Path) -> None:
    for name in ("missed_leads",):
        out = run(verdicts_ws, name)
        assert out.columns == list(metrics.get(name).columns), name


def test_sql_matches_reference_on_the_sample(sample_workspace: Path) -> None:
    _check_all(("missed_leads",), sample_workspace)


def test_sql_matches_reference_on_the_sample_by_source(sample_workspace: Path) -> None:
    _check_all(("missed_leads",), sample_workspace, by="source")


def test_sql_matches_reference_on_the_sample_by_month_with_filters(sample_workspace: Path) -> None:
    f = metrics.Filters(
        date_from=dt.date(2026, 1, 1),
        date_to=dt.date(2026, 6, 30),
        sources=["Zalo OA", "Purchased list", "Referral"],
    )
    _check_all(("missed_leads",), sample_workspace, {"currency": "VND"}, f, by="month", step=7.5)


def test_sql_matches_reference_on_the_sample_with_mql_cohorts(sample_workspace: Path) -> None:
    f = metrics.Filters(owners=["Vũ Thị Lan", "Đỗ Quang Huy", "Nguyễn Văn An"])
    _check_all(
        ("missed_leads",), sample_workspace, {"cohort_basis": "mql", "mql_score_threshold": 62}, f
    )


def test_sample_has_93_missed_leads_scored_just_under_the_threshold(
    sample_workspace: Path,
) -> None:
    out = run(sample_workspace, "missed_leads")
    assert out.height == 93
    assert out["lead_score"].mean() == pytest.approx(49.6, abs=0.05)
    assert out["lead_score"].max() == 59
    [r] = rows(run(sample_workspace, "disagreement"))
    assert (r["false_rejections"], r["missed_leads"]) == (105, 93)
