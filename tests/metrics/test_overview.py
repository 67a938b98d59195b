"""Tests of ``overview``: headline counts of the handoff funnel: leads, MQLs, handoffs, sales
decisions, SQLs, deals, revenue and activity, and the deals that link to no lead.

Hand-worked fixtures with the numbers written in the tests, and the SQL checked against
its independent Polars implementation ``tests/reference/overview.py``;
the workspaces it shares are described in ``tests/metrics/_totals.py`` and
``tests/metrics/_unlinked.py``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import polars as pl
import pytest

from dashboard import metrics
from tests.metrics._frames import assert_same_frame
from tests.metrics._sample import SAMPLE_CASES, both
from tests.metrics._totals import SAMPLE_FILTERS, SETTINGS, _assert_row, _run
from tests.reference.base import RefFilters, tables_from_workspace
from tests.reference.overview import overview
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


def _overview(path: Path, f: metrics.Filters | None = None, **overrides) -> pl.DataFrame:
    with duckdb.connect(str(path), read_only=True) as con:
        s = metrics.resolve_settings({}, overrides)
        return metrics.run(con, "overview", settings=s, filters=f).frame


def test_overview_by_hand(unlinked_ws: Path) -> None:
    # the workspace of tests/metrics/_unlinked.py
    row = _overview(unlinked_ws).row(0, named=True)
    assert row == {
        "leads": 3,
        "mqls": 1,  # L1: the CRM records MQL dates, so only a date counts
        "handed_off": 1,
        "accepted": 1,  # L1's SQL date
        "rejected": 1,  # L2
        "sqls": 1,
        "opportunities": 1,
        "won_leads": 1,
        "won_deals": 2,  # both of L1's deals, one of them in USD
        "won_revenue": 100.0,  # only the VND one has revenue in the reporting currency
        "activities": 3,
        "leads_with_no_activity": 1,  # L3
        "deals_without_lead": 3,
        "won_deals_without_lead": 1,
        "lead_win_rate": pytest.approx(1 / 3),
    }


def test_overview_filters_reach_the_deals_with_no_lead(unlinked_ws: Path) -> None:
    january = metrics.Filters(date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 1, 31))
    row = _overview(unlinked_ws, january).row(0, named=True)
    assert (row["leads"], row["deals_without_lead"], row["won_deals_without_lead"]) == (2, 2, 1)
    row = _overview(unlinked_ws, metrics.Filters(sources=["Web"])).row(0, named=True)
    assert (row["leads"], row["deals_without_lead"], row["won_deals_without_lead"]) == (2, 2, 1)
    row = _overview(unlinked_ws, metrics.Filters(campaigns=["Spring"])).row(0, named=True)
    assert row["leads"] == 0
    assert row["deals_without_lead"] is None and row["won_deals_without_lead"] is None


@pytest.mark.parametrize(
    ("f", "rf"),
    [
        both(),
        both(date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 1, 31)),
        both(sources=["Web"]),
        both(campaigns=["Spring"]),
    ],
)
def test_overview_matches_the_reference_on_the_hand_worked_workspace(
    unlinked_ws: Path, f: metrics.Filters, rf: RefFilters
) -> None:
    t = tables_from_workspace(str(unlinked_ws))
    assert_same_frame(_overview(unlinked_ws, f), overview(t, SETTINGS, rf))


@pytest.mark.parametrize(("f", "rf"), SAMPLE_CASES)
def test_overview_matches_the_reference_on_the_sample(
    sample_workspace: Path, f: metrics.Filters, rf: RefFilters
) -> None:
    t = tables_from_workspace(str(sample_workspace))
    assert_same_frame(_overview(sample_workspace, f), overview(t, SETTINGS, rf))


def test_overview_matches_the_reference_with_mql_cohorts_in_another_currency(
    sample_workspace: Path,
) -> None:
    overrides = {"cohort_basis": "mql", "currency": "USD", "mql_score_threshold": 50}
    t = tables_from_workspace(str(sample_workspace))
    expected = overview(t, metrics.resolve_settings({}, overrides), RefFilters())
    assert_same_frame(_overview(sample_workspace, **overrides), expected)
