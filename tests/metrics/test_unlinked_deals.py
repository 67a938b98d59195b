"""Tests of ``unlinked_deals``: the deals that link to no lead, per deal owner.

The hand-worked workspace is described in ``tests/metrics/_unlinked.py``; the SQL is also
checked against its independent Polars implementation ``tests/reference/unlinked_deals.py``.
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
from tests.reference.base import RefFilters, tables_from_workspace
from tests.reference.unlinked_deals import unlinked_deals

SETTINGS = metrics.resolve_settings({}, None)


def _run(path: Path, f: metrics.Filters | None = None, **overrides) -> pl.DataFrame:
    with duckdb.connect(str(path), read_only=True) as con:
        s = metrics.resolve_settings({}, overrides)
        return metrics.run(con, "unlinked_deals", settings=s, filters=f).frame


def test_columns_are_the_documented_contract(unlinked_ws: Path) -> None:
    assert _run(unlinked_ws).columns == list(metrics.get("unlinked_deals").columns)


def test_one_row_per_owner_by_hand(unlinked_ws: Path) -> None:
    rows = _run(unlinked_ws).rows(named=True)
    # An's won D3 first (70 VND); the two owners with no revenue follow, by owner
    assert [r["owner"] for r in rows] == ["An", "(no owner)", "Bích"]
    an, nobody, bich = rows
    assert an == {
        "owner": "An",
        "deals": 1,
        "closed_deals": 1,
        "won_deals": 1,
        "win_rate": 1.0,
        "won_revenue": 70.0,
        "avg_deal_size": 70.0,
        "open_pipeline": 0.0,
    }
    # D4 is open: not closed, no win rate, its 30 VND are pipeline
    assert (nobody["deals"], nobody["closed_deals"], nobody["win_rate"]) == (1, 0, None)
    assert (nobody["won_revenue"], nobody["avg_deal_size"], nobody["open_pipeline"]) == (
        0.0,
        None,
        30.0,
    )
    # D5 is lost: closed, a win rate of 0
    assert (bich["closed_deals"], bich["won_deals"], bich["win_rate"]) == (1, 0, 0.0)


def test_date_source_and_owner_filters_read_the_deal_itself(unlinked_ws: Path) -> None:
    january = metrics.Filters(date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 1, 31))
    assert _run(unlinked_ws, january)["owner"].to_list() == ["An", "(no owner)"]
    web = metrics.Filters(sources=["Web"])
    assert _run(unlinked_ws, web)["owner"].to_list() == ["An", "Bích"]
    bich = metrics.Filters(owners=["Bích"])
    assert _run(unlinked_ws, bich)["deals"].to_list() == [1]


def test_a_campaign_filter_cannot_place_a_deal_with_no_lead(unlinked_ws: Path) -> None:
    assert _run(unlinked_ws, metrics.Filters(campaigns=["Spring"])).is_empty()


def test_money_is_unknown_in_a_currency_no_deal_has(unlinked_ws: Path) -> None:
    out = _run(unlinked_ws, currency="EUR")
    assert out["won_revenue"].null_count() == out.height == 3
    # with no revenue to order by, deals then owner decide: one deal each, so by owner
    assert out["owner"].to_list() == ["(no owner)", "An", "Bích"]
    assert out["won_deals"].to_list() == [0, 1, 0]


@pytest.mark.parametrize(
    ("f", "rf"),
    [
        both(),
        both(date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 1, 31)),
        both(sources=["Web"]),
        both(campaigns=["Spring"]),
    ],
)
def test_matches_the_reference_on_the_hand_worked_workspace(
    unlinked_ws: Path, f: metrics.Filters, rf: RefFilters
) -> None:
    t = tables_from_workspace(str(unlinked_ws))
    assert_same_frame(_run(unlinked_ws, f), unlinked_deals(t, SETTINGS, rf))


@pytest.mark.parametrize(("f", "rf"), SAMPLE_CASES)
def test_matches_the_reference_on_the_sample(
    sample_workspace: Path, f: metrics.Filters, rf: RefFilters
) -> None:
    t = tables_from_workspace(str(sample_workspace))
    expected = unlinked_deals(t, SETTINGS, rf)
    assert expected.height > 0  # the sample has deals with no lead
    assert_same_frame(_run(sample_workspace, f), expected)
