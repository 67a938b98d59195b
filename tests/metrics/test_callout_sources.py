"""Tests of ``callout_sources``: per lead source, the figures of the review callouts about sources:
shares of MQLs and of rejections, rejection and SQL rates beside the other sources', the excess
rejections and excess MQLs, and the revenue at stake.

Hand-worked fixtures with the numbers written in the tests, and the SQL checked against
its independent Polars implementation ``tests/reference/callout_sources.py``;
the workspaces it shares with its family are described in ``tests/metrics/_callouts.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard import metrics
from tests.metrics._callouts import CASES, SETTINGS, _assert_row, _compare, _frame
from tests.reference.base import RefFilters, tables_from_workspace
from tests.reference.callout_sources import callout_sources


@pytest.mark.parametrize("name", ["callout_sources"])
def test_columns_are_the_documented_contract(callouts_ws: Path, name: str) -> None:
    assert _frame(callouts_ws, name).columns == list(metrics.get(name).columns)


def test_callout_sources_by_hand(callouts_ws: Path) -> None:
    rows = {r["source"]: r for r in _frame(callouts_ws, "callout_sources").iter_rows(named=True)}
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


@pytest.mark.parametrize("name", ["callout_sources"])
def test_matches_the_reference_on_the_hand_worked_workspace(callouts_ws: Path, name: str) -> None:
    t = tables_from_workspace(str(callouts_ws))
    _compare(_frame(callouts_ws, name), callout_sources(t, SETTINGS))


@pytest.mark.parametrize("name", ["callout_sources"])
@pytest.mark.parametrize(("f", "rf"), CASES)
def test_matches_the_reference_on_the_sample(
    sample_workspace: Path, name: str, f: metrics.Filters, rf: RefFilters
) -> None:
    t = tables_from_workspace(str(sample_workspace))
    _compare(_frame(sample_workspace, name, f), callout_sources(t, SETTINGS, rf))
