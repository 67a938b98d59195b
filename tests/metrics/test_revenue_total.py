"""Tests of ``revenue_total``: over every lead in the filters: leads, MQLs, SQLs, closed and won
deals, customers, won revenue, deal win rate, lead win rate, revenue per lead; with spend, total
spend and ROI. The Revenue page's headline.

Hand-worked fixtures with the numbers written in the tests, and the SQL checked against
its independent Polars implementation ``tests/reference/revenue_total.py``;
the workspaces it shares with its family are described in ``tests/metrics/_totals.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard import metrics
from tests.builders import workspace_from_frames
from tests.metrics._revenue import _revenue_tables
from tests.metrics._totals import SETTINGS, _assert_row, _compare, _run
from tests.reference.base import RefFilters, tables_from_workspace
from tests.reference.revenue_total import REVENUE_TOTAL_COLUMNS, revenue_total


def test_revenue_total_columns_are_the_documented_contract(revenue_ws: Path) -> None:
    out = _run(revenue_ws, "revenue_total")
    assert out.columns == REVENUE_TOTAL_COLUMNS == list(metrics.get("revenue_total").columns)
    assert out.height == 1


def test_revenue_total_by_hand(revenue_ws: Path) -> None:
    _assert_row(
        _run(revenue_ws, "revenue_total").row(0, named=True),
        {
            "leads": 4,
            "mqls": 3,
            "sqls": 2,
            "closed_deals": 5,
            "won_deals": 4,
            "won_leads": 3,
            "won_revenue": 190_000.0,
            "win_rate": 0.8,
            "lead_win_rate": 0.75,  # 3 customers of 4 leads, per lead not per deal
            "revenue_per_lead": 47_500.0,
            "spend": 70_000.0,
            "roi": 120_000.0 / 70_000.0,
        },
    )


def test_revenue_total_under_an_owner_filter_has_no_spend(revenue_ws: Path) -> None:
    row = _run(revenue_ws, "revenue_total", metrics.Filters(owners=["An"])).row(0, named=True)
    _assert_row(
        row,
        {"leads": 1, "won_revenue": 150_000.0, "win_rate": 1.0, "spend": None, "roi": None},
    )


def test_revenue_total_with_no_lead_in_the_filters_is_one_row_of_nothing(
    revenue_ws: Path,
) -> None:
    row = _run(revenue_ws, "revenue_total", metrics.Filters(sources=["Nobody"])).row(0, named=True)
    _assert_row(
        row,
        {
            "leads": 0,
            "closed_deals": 0,
            "won_revenue": 0.0,
            "win_rate": None,  # no decided deal: no rate, not 0 %
            "revenue_per_lead": None,
            "spend": 0.0,  # spend is usable and none of it is Nobody's
            "roi": None,
        },
    )


def test_revenue_total_matches_the_reference_with_no_lead_in_the_filters(
    revenue_ws: Path,
) -> None:
    t = tables_from_workspace(str(revenue_ws))
    f, rf = metrics.Filters(sources=["Referral"]), RefFilters(sources=["Referral"])
    _compare(_run(revenue_ws, "revenue_total", f), revenue_total(t, SETTINGS, rf))


def test_revenue_total_matches_the_reference_with_no_lead_and_no_spend_in_the_filters(
    revenue_ws: Path,
) -> None:
    # no source row at all: the money is still known (deals carry VND amounts), so nothing
    # won is 0, not unknown
    t = tables_from_workspace(str(revenue_ws))
    f, rf = metrics.Filters(sources=["Nobody"]), RefFilters(sources=["Nobody"])
    expected = revenue_total(t, SETTINGS, rf)
    assert expected["won_revenue"].to_list() == [0.0]
    _compare(_run(revenue_ws, "revenue_total", f), expected)


def test_revenue_total_without_spend_says_unknown(tmp_path: Path) -> None:
    path = workspace_from_frames(tmp_path / "w.duckdb", _revenue_tables(spend=False))
    _assert_row(_run(path, "revenue_total").row(0, named=True), {"spend": None, "roi": None})


@pytest.mark.parametrize(
    ("f", "rf"),
    [
        (metrics.Filters(), RefFilters()),
        (metrics.Filters(sources=["Zalo OA", "TikTok"]), RefFilters(sources=["Zalo OA", "TikTok"])),
        (metrics.Filters(owners=["Đỗ Quang Huy"]), RefFilters(owners=["Đỗ Quang Huy"])),
    ],
)
def test_revenue_total_matches_the_reference_on_the_sample(
    sample_workspace: Path, f: metrics.Filters, rf: RefFilters
) -> None:
    t = tables_from_workspace(str(sample_workspace))
    _compare(_run(sample_workspace, "revenue_total", f), revenue_total(t, SETTINGS, rf))
