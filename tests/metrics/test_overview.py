"""Tests of ``overview``: headline counts of the handoff funnel: leads, MQLs, handoffs, sales
decisions, SQLs, deals, revenue and activity, and the deals that link to no lead.

Its per-lead win rate is checked against ``tests/reference/revenue_total.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard import metrics
from tests.metrics._totals import SAMPLE_FILTERS, SETTINGS, _assert_row, _run
from tests.reference.base import RefFilters, tables_from_workspace
from tests.reference.revenue_total import revenue_total


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
