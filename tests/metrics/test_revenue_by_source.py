"""Tests of ``revenue_by_source``: per lead source: leads, MQLs, SQLs, won deals, win rate, won
revenue, deal size, revenue per lead and per MQL, open pipeline; with spend, cost per lead, MQL
and SQL, acquisition cost and ROI.

Hand-worked fixtures with the numbers written in the tests, and the SQL checked against
its independent Polars implementation ``tests/reference/revenue_by_source.py``;
the workspaces it shares with its family are described in ``tests/metrics/_revenue.py``.
"""

from __future__ import annotations

import datetime as dt
import math
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import metrics
from dashboard.errors import MissingInputsError
from tests.builders import frame, small_crm, workspace_from_frames
from tests.metrics._revenue import (
    FILTERS,
    SAMPLE_CASES,
    SETTINGS,
    _assert_row,
    _check_lift,
    _compare,
    _revenue_tables,
    _run,
)
from tests.reference.base import RefFilters, tables_from_workspace
from tests.reference.revenue_by_source import REVENUE_COLUMNS, revenue_by_source


def _rows(df: pl.DataFrame, key: str = "source") -> dict[Any, dict[str, Any]]:
    return {r[key]: r for r in df.iter_rows(named=True)}


def test_revenue_columns_are_the_documented_contract(revenue_ws: Path) -> None:
    out = _run(revenue_ws, "revenue_by_source")
    assert out.columns == REVENUE_COLUMNS == list(metrics.get("revenue_by_source").columns)


def test_lead_with_two_won_deals_counts_both_deals_once_as_a_customer(revenue_ws: Path) -> None:
    fb = _rows(_run(revenue_ws, "revenue_by_source"))["Facebook Ads"]
    _assert_row(
        fb,
        {
            "leads": 2,
            "mqls": 2,
            "sqls": 1,
            "closed_deals": 3,  # D1, D2 won and D3 lost; D4 is open
            "won_deals": 2,
            "won_leads": 1,
            "won_revenue": 150_000.0,
            "win_rate": 2 / 3,
            "lead_win_rate": 0.5,  # one customer of two leads, though two deals were won
            "avg_deal_size": 75_000.0,
            "revenue_per_lead": 75_000.0,
            "revenue_per_mql": 75_000.0,
            "open_pipeline": 70_000.0,
            "spend": 59_000.0,  # January 31,000 + February 28,000; the USD row is ignored
            "cost_per_lead": 29_500.0,
            "cost_per_mql": 29_500.0,
            "cost_per_sql": 59_000.0,
            "cac": 59_000.0,  # one customer (L1), not two deals
            "roi": (150_000 - 59_000) / 59_000,
        },
    )


def test_rows_are_sources_with_leads_or_spend_ordered_by_won_revenue(revenue_ws: Path) -> None:
    out = _run(revenue_ws, "revenue_by_source")
    # Facebook 150,000; no source 40,000; Zalo 0 with one lead; Referral 0 with none
    assert out["source"].to_list() == ["Facebook Ads", "(no source)", "Zalo OA", "Referral"]


def test_deal_with_no_lead_belongs_to_no_source(revenue_ws: Path) -> None:
    out = _run(revenue_ws, "revenue_by_source")
    # D7 (999,000, no lead) is nowhere: 150,000 + 40,000 + 0 + 0
    assert out["won_revenue"].sum() == 190_000.0
    assert out["won_deals"].sum() == 4  # D1, D2, D5, D6


def test_lead_without_source_is_no_source_and_gets_zero_spend(revenue_ws: Path) -> None:
    row = _rows(_run(revenue_ws, "revenue_by_source"))["(no source)"]
    _assert_row(
        row,
        {
            "leads": 1,
            "mqls": 1,
            "sqls": 1,
            "won_deals": 1,
            "won_revenue": 40_000.0,  # a deal with no currency counts as the reporting one
            "win_rate": 1.0,
            "avg_deal_size": 40_000.0,
            "spend": 0.0,
            "cost_per_lead": 0.0,
            "cac": 0.0,
            "roi": None,  # no spend: a return on nothing is undefined, not infinite
        },
    )


def test_won_deal_in_another_currency_is_a_won_deal_without_revenue(revenue_ws: Path) -> None:
    zalo = _rows(_run(revenue_ws, "revenue_by_source"))["Zalo OA"]
    _assert_row(
        zalo,
        {
            "leads": 1,
            "mqls": 0,
            "won_deals": 1,
            "won_leads": 1,
            "won_revenue": 0.0,
            "win_rate": 1.0,
            "avg_deal_size": None,  # no won deal in VND to average over
            "revenue_per_lead": 0.0,
            "revenue_per_mql": None,
            "spend": 1_000.0,
            "cost_per_lead": 1_000.0,
            "cost_per_mql": None,
            "cost_per_sql": None,
            "cac": 1_000.0,
            "roi": -1.0,
        },
    )


def test_spend_on_a_source_with_no_leads_is_a_row_with_zero_leads(revenue_ws: Path) -> None:
    ref = _rows(_run(revenue_ws, "revenue_by_source"))["Referral"]
    _assert_row(
        ref,
        {
            "leads": 0,
            "mqls": 0,
            "sqls": 0,
            "won_deals": 0,
            "won_revenue": 0.0,
            "win_rate": None,
            "revenue_per_lead": None,
            "spend": 10_000.0,
            "cost_per_lead": None,
            "cac": None,
            "roi": -1.0,
        },
    )


def test_january_filter_keeps_the_lead_at_23_59_and_january_spend_only(revenue_ws: Path) -> None:
    f = metrics.Filters(date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 1, 31))
    rows = _rows(_run(revenue_ws, "revenue_by_source", f))
    assert set(rows) == {"Facebook Ads", "Referral"}  # L3 (Feb 1 00:00) and L4 are out
    _assert_row(rows["Facebook Ads"], {"leads": 2, "spend": 31_000.0, "cost_per_lead": 15_500.0})
    _assert_row(rows["Referral"], {"leads": 0, "spend": 10_000.0})


def test_half_month_filter_prorates_monthly_spend_by_days(revenue_ws: Path) -> None:
    f = metrics.Filters(date_from=dt.date(2025, 2, 1), date_to=dt.date(2025, 2, 14))
    out = _run(revenue_ws, "revenue_by_source", f)
    # L3 (Feb 1 00:00) and L4 are in; February spend 28,000 over 28 days, 14 inside;
    # the Zalo day row of Feb 15 is outside
    assert out["source"].to_list() == ["(no source)", "Zalo OA", "Facebook Ads"]
    rows = _rows(out)
    _assert_row(rows["Facebook Ads"], {"leads": 0, "spend": 14_000.0, "roi": -1.0})
    _assert_row(rows["Zalo OA"], {"leads": 1, "spend": 0.0, "cost_per_lead": 0.0})


def test_month_overlapping_both_ends_of_the_filter_is_split(revenue_ws: Path) -> None:
    f = metrics.Filters(date_from=dt.date(2025, 1, 15), date_to=dt.date(2025, 2, 15))
    rows = _rows(_run(revenue_ws, "revenue_by_source", f))
    # Facebook: Jan 15-31 = 17 of 31 days of 31,000 + Feb 1-15 = 15 of 28 days of 28,000
    _assert_row(rows["Facebook Ads"], {"leads": 1, "spend": 17_000.0 + 15_000.0})
    _assert_row(rows["Referral"], {"spend": 10_000.0 * 17 / 31})
    _assert_row(rows["Zalo OA"], {"leads": 1, "spend": 1_000.0})  # the day row of Feb 15


def test_campaign_filter_drops_spend_without_that_campaign_single_row(revenue_ws: Path) -> None:
    out = _run(revenue_ws, "revenue_by_source", metrics.Filters(campaigns=["c1"]))
    assert out.height == 1
    _assert_row(
        out.row(0, named=True),
        {
            "source": "Facebook Ads",
            "leads": 1,
            "won_revenue": 150_000.0,
            "spend": 31_000.0,  # S1 only: S2 has no campaign, S4 is in USD
            "roi": (150_000 - 31_000) / 31_000,
        },
    )


def test_source_filter_applies_to_spend(revenue_ws: Path) -> None:
    out = _run(revenue_ws, "revenue_by_source", metrics.Filters(sources=["Referral"]))
    assert out["source"].to_list() == ["Referral"]
    assert out["spend"].to_list() == [10_000.0]


def test_owner_filter_makes_spend_columns_null_because_spend_cannot_be_split(
    revenue_ws: Path,
) -> None:
    out = _run(revenue_ws, "revenue_by_source", metrics.Filters(owners=["An"]))
    assert out["source"].to_list() == ["Facebook Ads"]  # no spend-only rows either
    row = out.row(0, named=True)
    _assert_row(row, {"leads": 1, "won_revenue": 150_000.0})
    for c in ("spend", "cost_per_lead", "cost_per_mql", "cost_per_sql", "cac", "roi"):
        assert row[c] is None, c


def test_segment_filter_makes_spend_columns_null(revenue_ws: Path) -> None:
    f = metrics.Filters(segment_column="country", segment_values=["Vietnam"])
    out = _run(revenue_ws, "revenue_by_source", f)
    assert out["source"].to_list() == ["Facebook Ads"]
    assert out["spend"].to_list() == [None]
    assert out["roi"].to_list() == [None]


def test_empty_spend_table_gives_null_cost_columns_and_no_spend_rows(tmp_path: Path) -> None:
    path = workspace_from_frames(tmp_path / "w.duckdb", _revenue_tables(spend=False))
    out = _run(path, "revenue_by_source")
    assert out.columns == REVENUE_COLUMNS
    assert out["source"].to_list() == ["Facebook Ads", "(no source)", "Zalo OA"]
    for c in ("spend", "cost_per_lead", "cost_per_mql", "cost_per_sql", "cac", "roi"):
        assert out[c].null_count() == 3, c
    assert out["won_revenue"].to_list() == [150_000.0, 40_000.0, 0.0]


def test_spend_only_in_another_currency_counts_as_no_spend(tmp_path: Path) -> None:
    tables = _revenue_tables(spend=False)
    tables["spend"] = frame(
        "spend",
        [
            {
                "period": dt.date(2025, 1, 1),
                "period_grain": "month",
                "source": "Facebook Ads",
                "amount": 5_000.0,
                "currency": "USD",
            }
        ],
    )
    path = workspace_from_frames(tmp_path / "w.duckdb", tables)
    out = _run(path, "revenue_by_source")
    assert out["spend"].null_count() == out.height == 3
    usd = _rows(_run(path, "revenue_by_source", currency="USD"))
    _assert_row(usd["Facebook Ads"], {"spend": 5_000.0, "won_revenue": 0.0})
    _assert_row(usd["Zalo OA"], {"won_revenue": 200.0, "spend": 0.0})


def test_filter_matching_no_lead_and_no_spend_gives_no_rows(revenue_ws: Path) -> None:
    out = _run(revenue_ws, "revenue_by_source", metrics.Filters(sources=["Nobody"]))
    assert out.height == 0
    assert out.columns == REVENUE_COLUMNS


def _check_revenue(path: Path, s: dict, f: metrics.Filters, rf: RefFilters) -> None:
    t = tables_from_workspace(str(path))
    sql = _run(path, "revenue_by_source", f, **s)
    ref = revenue_by_source(t, {**SETTINGS, **s}, rf)
    _compare(sql, ref, ["source"])
    # the order is by won revenue (exact sums of whole amounts), then leads, then name
    assert sql["source"].to_list() == ref["source"].to_list()


@pytest.mark.parametrize(
    ("s", "f", "rf"), SAMPLE_CASES, ids=["default", "dates", "sources", "owner"]
)
def test_revenue_matches_the_reference_on_the_sample(sample_workspace: Path, s, f, rf) -> None:
    _check_revenue(sample_workspace, s, f, rf)


@st.composite
def judged_crm(draw: st.DrawFn) -> dict[str, pl.DataFrame]:
    """small_crm() with sales verdicts, temperature and BANT budget drawn on every lead.

    small_crm() rarely holds both an SQL and a rejection, which attribute_lift needs.
    """
    crm = draw(small_crm())
    leads = crm["leads"]
    n = leads.height
    verdicts = draw(st.lists(st.sampled_from(["keep", "sql", "rejected"]), min_size=n, max_size=n))
    temps = draw(st.lists(st.sampled_from(["hot", "warm", "cold", None]), min_size=n, max_size=n))
    budget = draw(st.lists(st.sampled_from([True, False, None]), min_size=n, max_size=n))
    day = dt.timedelta(days=1)
    v = pl.Series(verdicts)
    crm["leads"] = leads.with_columns(
        pl.when(v == "sql")
        .then(pl.col("created_at") + day)
        .when(v == "rejected")
        .then(None)
        .otherwise(pl.col("sql_at"))
        .alias("sql_at"),
        pl.when(v == "sql")
        .then(None)
        .when(v == "rejected")
        .then(pl.col("created_at") + day)
        .otherwise(pl.col("rejected_at"))
        .alias("rejected_at"),
        pl.when(v == "rejected").then(None).otherwise(pl.col("accepted_at")).alias("accepted_at"),
        pl.Series("temperature", temps, dtype=pl.String),
        pl.Series("bant_budget", budget, dtype=pl.Boolean),
    )
    return crm


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    crm=judged_crm(),
    filters=FILTERS,
    threshold=st.sampled_from([50.0, 60.0]),
    currency=st.sampled_from(["VND", "USD"]),
)
def test_both_metrics_match_the_reference_on_random_data(crm, filters, threshold, currency) -> None:
    f, rf = filters
    s = {"mql_score_threshold": threshold, "currency": currency}
    with tempfile.TemporaryDirectory() as tmp:
        path = workspace_from_frames(Path(tmp) / "w.duckdb", crm)
        leads, deals = crm["leads"], crm["deals"]
        # each metric refuses to run (instead of showing zeros) when an input is empty
        if leads["source"].is_null().all() or deals["is_won"].is_null().all():
            with pytest.raises(MissingInputsError):
                _run(path, "revenue_by_source", f, **s)
        else:
            _check_revenue(path, s, f, rf)
        if leads["sql_at"].is_null().all() or leads["rejected_at"].is_null().all():
            with pytest.raises(MissingInputsError):
                _run(path, "attribute_lift", f, **s)
        else:
            _check_lift(path, s, f, rf)


# --------------------------------------------------------------------------------------
# The sample's planted patterns (sample_data/README.md)
# --------------------------------------------------------------------------------------


def test_sample_won_revenue_is_overview_minus_deals_with_no_lead(sample_workspace: Path) -> None:
    out = _run(sample_workspace, "revenue_by_source")
    overview = _run(sample_workspace, "overview").row(0, named=True)
    with duckdb.connect(str(sample_workspace), read_only=True) as con:
        total, no_lead = con.sql(
            "select sum(amount) filter (where is_won),"
            " sum(amount) filter (where is_won and lead_id is null) from deals"
        ).fetchall()[0]
    assert math.isclose(total, 77_714_799_000)  # the README's "worth 77.7 billion"
    assert math.isclose(out["won_revenue"].sum(), total - no_lead)
    # overview already reaches deals through leads, so it leaves out the same deals
    assert math.isclose(out["won_revenue"].sum(), overview["won_revenue"])
    assert out["won_deals"].sum() == overview["won_deals"]
    assert out["leads"].sum() == 20_000 and out["mqls"].sum() == 8_515
    assert out["sqls"].sum() == 1_784


def test_sample_referral_has_the_highest_roi_on_its_small_spend(sample_workspace: Path) -> None:
    out = _run(sample_workspace, "revenue_by_source")
    assert out.height == 8  # the 8 sources, every lead has one
    best = out.sort("roi", descending=True).row(0, named=True)
    assert best["source"] == "Referral"
    assert math.isclose(best["spend"], 45_090_000)  # "45 million ₫ of referral gifts"
    assert round(out["spend"].sum() / 1e9, 2) == 3.58  # "spend of 3.58 billion ₫"
    # 37% of closed deals are won (the README counts deals with no lead too)
    assert round(out["won_deals"].sum() / out["closed_deals"].sum(), 2) == 0.37


def test_sample_purchased_list_has_11_won_deals_and_low_sql_rate(sample_workspace: Path) -> None:
    rows = _rows(_run(sample_workspace, "revenue_by_source"))
    pl_row = rows["Purchased list"]
    assert pl_row["won_deals"] == 11
    # only 8.5% of its MQLs become SQL; the other sources (but Zalo OA) 20-31%
    assert pl_row["sqls"] / pl_row["mqls"] < 0.09
    others = [r for s, r in rows.items() if s not in ("Purchased list", "Zalo OA")]
    assert all(r["sqls"] / r["mqls"] > 0.2 for r in others)
