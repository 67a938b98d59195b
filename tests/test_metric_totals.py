"""One-row totals read by the pages and the report: hand-worked fixtures and the reference.

The Revenue page's headline, the review callouts and the report read these figures as the
queries return them; these tests prove the queries against numbers worked by hand and
against the independent implementation in ``tests/reference/totals.py``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest

from dashboard import metrics
from tests import test_metric_quality
from tests.builders import workspace_from_frames
from tests.reference import quality as quality_ref
from tests.reference.base import RefFilters, tables_from_workspace
from tests.reference.totals import REVENUE_TOTAL_COLUMNS, revenue_total
from tests.test_metric_revenue import _revenue_tables

SETTINGS = metrics.resolve_settings({}, None)
# the hand-worked verdicts workspace of tests/test_metric_quality.py, shared as a fixture
verdicts_ws = test_metric_quality.verdicts_ws
SAMPLE_FILTERS = [
    (metrics.Filters(sources=["Zalo OA", "TikTok"]), RefFilters(sources=["Zalo OA", "TikTok"])),
    (metrics.Filters(owners=["Đỗ Quang Huy"]), RefFilters(owners=["Đỗ Quang Huy"])),
]


def _run(path: Path, name: str, f: metrics.Filters | None = None, **overrides: Any) -> pl.DataFrame:
    with duckdb.connect(str(path), read_only=True) as con:
        return metrics.run(
            con, name, settings={**SETTINGS, **overrides}, filters=f or metrics.Filters()
        ).frame


def _assert_row(row: dict[str, Any], expected: dict[str, Any]) -> None:
    for column, value in expected.items():
        if value is None:
            assert row[column] is None, (column, row[column])
        elif isinstance(value, float):
            assert row[column] is not None and math.isclose(row[column], value, rel_tol=1e-9), (
                column,
                row[column],
                value,
            )
        else:
            assert row[column] == value, (column, row[column], value)


def _compare(sql: pl.DataFrame, ref: pl.DataFrame) -> None:
    assert sql.columns == ref.columns
    assert sql.height == ref.height
    for a, b in zip(sql.iter_rows(named=True), ref.iter_rows(named=True), strict=True):
        _assert_row(a, b)


# --------------------------------------------------------------------------------------
# revenue_total on the revenue_by_source workspace (tests/test_metric_revenue.py):
#   leads L1..L4; MQLs L1, L2, L4; SQLs L1, L4; customers L1, L3, L4.
#   closed deals D1, D2 (won), D3 (lost), D5 (won, USD), D6 (won, no currency) = 5, won 4;
#   D4 is open and D7 has no lead. Won revenue in VND: 100,000 + 50,000 + 40,000 = 190,000.
#   Spend in VND: January Facebook 31,000 + February Facebook 28,000 + Referral 10,000
#   (a source with no leads) + Zalo day row 1,000 = 70,000; ROI = 120,000 / 70,000.
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def revenue_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tot") / "w.duckdb"
    return workspace_from_frames(path, _revenue_tables())


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


# --------------------------------------------------------------------------------------
# disagreement_cells on test_metric_quality's verdicts workspace: its 24 matrix cells
# (written out there) added up over the outcome, 9 leads in all.
# --------------------------------------------------------------------------------------
def test_disagreement_cells_by_hand(verdicts_ws: Path) -> None:
    out = _run(verdicts_ws, "disagreement_cells")
    assert out.columns == list(metrics.get("disagreement_cells").columns)
    got = {
        (r["marketing_verdict"], r["sales_verdict"]): (
            r["leads"],
            r["won_revenue"],
            r["won"],
            r["open"],
            r["lost"],
            r["no_deal"],
        )
        for r in out.iter_rows(named=True)
    }
    assert list(got) == [
        ("MQL", "accepted"),
        ("MQL", "rejected"),
        ("MQL", "never worked"),
        ("not MQL", "accepted"),
        ("not MQL", "rejected"),
        ("not MQL", "never worked"),
    ]
    assert got == {
        ("MQL", "accepted"): (2, 100.0, 1, 1, 0, 0),
        ("MQL", "rejected"): (2, 550.0, 2, 0, 0, 0),
        ("MQL", "never worked"): (1, 0.0, 0, 0, 0, 1),
        ("not MQL", "accepted"): (2, 400.0, 1, 0, 1, 0),
        ("not MQL", "rejected"): (1, 0.0, 0, 0, 0, 1),
        ("not MQL", "never worked"): (1, 0.0, 0, 0, 0, 1),
    }
    assert out["share"].to_list() == pytest.approx([2 / 9, 2 / 9, 1 / 9, 2 / 9, 1 / 9, 1 / 9])


def test_disagreement_cells_with_no_lead_are_six_empty_cells(verdicts_ws: Path) -> None:
    out = _run(verdicts_ws, "disagreement_cells", metrics.Filters(sources=["Nobody"]))
    assert out.height == 6
    assert out["leads"].to_list() == [0] * 6
    assert out["share"].to_list() == [None] * 6  # no lead: no share, not 0 %


@pytest.mark.parametrize(("f", "rf"), [(metrics.Filters(), RefFilters()), *SAMPLE_FILTERS])
def test_disagreement_cells_match_the_reference_on_the_sample(
    sample_workspace: Path, f: metrics.Filters, rf: RefFilters
) -> None:
    t = tables_from_workspace(str(sample_workspace))
    sql = _run(sample_workspace, "disagreement_cells", f)
    _compare(sql, quality_ref.disagreement_cells(t, SETTINGS, rf))


@pytest.mark.parametrize(("f", "rf"), SAMPLE_FILTERS)
def test_overview_lead_win_rate_matches_the_reference_on_the_sample(
    sample_workspace: Path, f: metrics.Filters, rf: RefFilters
) -> None:
    # overview states the same per-lead win rate as the Revenue headline
    t = tables_from_workspace(str(sample_workspace))
    ref = revenue_total(t, SETTINGS, rf).row(0, named=True)
    row = _run(sample_workspace, "overview", f).row(0, named=True)
    assert row["won_leads"] == ref["won_leads"]
    _assert_row(row, {"lead_win_rate": ref["lead_win_rate"]})
