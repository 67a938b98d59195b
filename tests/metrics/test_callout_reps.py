"""Tests of ``callout_reps``: per lead owner, the figures of the review callouts about reps: one-
attempt rate beside the team's, median attempts, median time to first touch, SLA compliance, SQL
rate beside the rest of the team's, the SQLs lost and their revenue.

Hand-worked fixtures with the numbers written in the tests, and the SQL checked against
its independent Polars implementation ``tests/reference/callout_reps.py``;
the workspaces it shares with its family are described in ``tests/metrics/_callouts.py``.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from dashboard import metrics
from tests.metrics._callouts import CASES, SETTINGS, _assert_row, _compare, _frame
from tests.reference.base import RefFilters, tables_from_workspace
from tests.reference.callout_reps import callout_reps


@pytest.mark.parametrize("name", ["callout_reps"])
def test_columns_are_the_documented_contract(callouts_ws: Path, name: str) -> None:
    assert _frame(callouts_ws, name).columns == list(metrics.get(name).columns)


def test_callout_reps_by_hand(callouts_ws: Path) -> None:
    rows = {r["owner"]: r for r in _frame(callouts_ws, "callout_reps").iter_rows(named=True)}
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


@pytest.mark.parametrize("name", ["callout_reps"])
def test_matches_the_reference_on_the_hand_worked_workspace(callouts_ws: Path, name: str) -> None:
    t = tables_from_workspace(str(callouts_ws))
    _compare(_frame(callouts_ws, name), callout_reps(t, SETTINGS))


@pytest.mark.parametrize("name", ["callout_reps"])
@pytest.mark.parametrize(("f", "rf"), CASES)
def test_matches_the_reference_on_the_sample(
    sample_workspace: Path, name: str, f: metrics.Filters, rf: RefFilters
) -> None:
    t = tables_from_workspace(str(sample_workspace))
    _compare(_frame(sample_workspace, name, f), callout_reps(t, SETTINGS, rf))


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
