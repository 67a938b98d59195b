"""Tests of ``pending_by_owner``: per lead owner, the handed-off leads waiting for sales' decision
past the SLA, with the longest and median wait.

Hand-worked fixtures with the numbers written in the tests, and the SQL checked against
its independent Polars implementation ``tests/reference/pending_by_owner.py``;
the workspaces it shares with its family are described in ``tests/metrics/_callouts.py``.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from dashboard import metrics
from tests.metrics._callouts import CASES, SETTINGS, _compare, _frame
from tests.reference.base import RefFilters, tables_from_workspace
from tests.reference.pending_by_owner import pending_by_owner


# --------------------------------------------------------------------------------------
# pending_by_owner on the same workspace: A5 (Binh) is the one lead waiting past the SLA,
# from its handoff on Jan 3 08:00 to the data's latest moment, D3's close on Feb 3 00:00:
# 31 days less 8 hours = 736 hours. A1 and A2 are rejected, A3 is an SQL.
# --------------------------------------------------------------------------------------
def test_pending_by_owner_by_hand(callouts_ws: Path) -> None:
    out = _frame(callouts_ws, "pending_by_owner")
    assert out.columns == list(metrics.get("pending_by_owner").columns)
    assert out.to_dicts() == [
        {"owner": "Binh", "leads": 1, "longest_hours": 736.0, "median_hours": 736.0}
    ]
    # exactly the leads lead_list flags, and as many as handoff counts
    flagged = _frame(callouts_ws, "lead_list").filter(pl.col("is_pending_past_sla"))
    assert flagged["lead_id"].to_list() == ["A5"]
    assert _frame(callouts_ws, "handoff").row(0, named=True)["pending_past_sla"] == 1


def test_pending_by_owner_with_a_long_sla_has_no_rows(callouts_ws: Path) -> None:
    with duckdb.connect(str(callouts_ws), read_only=True) as con:
        out = metrics.run(con, "pending_by_owner", settings={**SETTINGS, "sla_hours": 736.0}).frame
    assert out.height == 0  # exactly sla_hours is still inside the SLA


@pytest.mark.parametrize(("f", "rf"), CASES)
def test_pending_by_owner_matches_the_reference_on_the_sample(
    sample_workspace: Path, f: metrics.Filters, rf: RefFilters
) -> None:
    t = tables_from_workspace(str(sample_workspace))
    sql = _frame(sample_workspace, "pending_by_owner", f)
    _compare(sql, pending_by_owner(t, SETTINGS, rf))
    handoff = _frame(sample_workspace, "handoff", f).row(0, named=True)
    assert sql["leads"].sum() == handoff["pending_past_sla"]
