"""revenue_by_source and attribute_lift: hand-worked fixtures, the reference, the sample."""

from __future__ import annotations

import datetime as dt
import itertools
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
from tests.reference.base import RefFilters, tables_from_workspace
from tests.reference.revenue import LIFT_COLUMNS, REVENUE_COLUMNS, attribute_lift, revenue_by_source

SETTINGS = metrics.resolve_settings({}, None)
D = dt.datetime


def _run(path: Path, name: str, f: metrics.Filters | None = None, **overrides: Any) -> pl.DataFrame:
    s = {**SETTINGS, **overrides}
    with duckdb.connect(str(path), read_only=True) as con:
        return metrics.run(con, name, settings=s, filters=f or metrics.Filters()).frame


def _rows(df: pl.DataFrame, key: str = "source") -> dict[Any, dict[str, Any]]:
    return {r[key]: r for r in df.iter_rows(named=True)}


def _close(actual: float | None, expected: float | None) -> bool:
    if expected is None:
        return actual is None
    return actual is not None and math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-9)


def _assert_row(row: dict[str, Any], expected: dict[str, Any]) -> None:
    for column, value in expected.items():
        if isinstance(value, float) or value is None:
            assert _close(row[column], value), (column, row[column], value)
        else:
            assert row[column] == value, (column, row[column], value)


# --------------------------------------------------------------------------------------
# revenue_by_source: a hand-worked workspace
#
# Leads (the CRM records MQL dates, so MQL = an mql_at):
#   L1 Facebook Ads, campaign c1, owner An, created 2025-01-10, MQL, SQL;
#      two won deals D1 100,000 VND and D2 50,000 VND.
#   L2 Facebook Ads, campaign c2, created 2025-01-31 23:59 (the last minute of January),
#      MQL; a lost deal D3 30,000 VND and an open deal D4 70,000 VND.
#   L3 Zalo OA, created 2025-02-01 00:00 (the first minute of February), not an MQL;
#      a won deal D5 of 200 USD (another currency: a won deal, but no VND revenue).
#   L4 no source, created 2025-02-10, MQL, SQL; a won deal D6 of 40,000 with no currency.
#   D7 is a won deal of 999,000 VND with no lead: it belongs to no source.
# Spend:
#   S1 2025-01 month, Facebook Ads, c1, 31,000 VND (1,000 a day)
#   S2 2025-02 month, Facebook Ads, no campaign, 28,000 VND (1,000 a day)
#   S3 2025-01 month, Referral (a source with no leads), r1, 10,000 VND
#   S4 2025-01 month, Facebook Ads, c1, 5,000 USD (another currency: ignored)
#   S5 2025-02-15 day, Zalo OA, no campaign, 1,000 VND
# --------------------------------------------------------------------------------------


def _revenue_tables(spend: bool = True) -> dict[str, pl.DataFrame]:
    leads = frame(
        "leads",
        [
            {
                "lead_id": "L1",
                "created_at": D(2025, 1, 10, 10),
                "source": "Facebook Ads",
                "campaign": "c1",
                "owner": "An",
                "mql_at": D(2025, 1, 10, 11),
                "accepted_at": D(2025, 1, 11),
                "sql_at": D(2025, 1, 12),
                "country": "Vietnam",
            },
            {
                "lead_id": "L2",
                "created_at": D(2025, 1, 31, 23, 59),
                "source": "Facebook Ads",
                "campaign": "c2",
                "mql_at": D(2025, 2, 1, 9),
                "country": "Thailand",
            },
            {
                "lead_id": "L3",
                "created_at": D(2025, 2, 1, 0, 0),
                "source": "Zalo OA",
                "campaign": "z1",
            },
            {
                "lead_id": "L4",
                "created_at": D(2025, 2, 10),
                "mql_at": D(2025, 2, 10, 1),
                "accepted_at": D(2025, 2, 11),
                "sql_at": D(2025, 2, 12),
            },
        ],
    )

    def deal(i: str, lead: str | None, state: str, amount: float, cur: str | None) -> dict:
        return {
            "deal_id": i,
            "created_at": D(2025, 3, 1),
            "lead_id": lead,
            "is_won": state == "won",
            "is_closed": state != "open",
            "closed_at": None if state == "open" else D(2025, 3, 20),
            "amount": amount,
            "currency": cur,
        }

    deals = frame(
        "deals",
        [
            deal("D1", "L1", "won", 100_000.0, "VND"),
            deal("D2", "L1", "won", 50_000.0, "VND"),
            deal("D3", "L2", "lost", 30_000.0, "VND"),
            deal("D4", "L2", "open", 70_000.0, "VND"),
            deal("D5", "L3", "won", 200.0, "USD"),
            deal("D6", "L4", "won", 40_000.0, None),
            deal("D7", None, "won", 999_000.0, "VND"),
        ],
    )

    def spend_row(day: dt.date, grain: str, src: str, camp: str | None, amt: float, cur: str):
        return {
            "period": day,
            "period_grain": grain,
            "source": src,
            "campaign": camp,
            "amount": amt,
            "currency": cur,
        }

    spend_rows = [
        spend_row(dt.date(2025, 1, 1), "month", "Facebook Ads", "c1", 31_000.0, "VND"),
        spend_row(dt.date(2025, 2, 1), "month", "Facebook Ads", None, 28_000.0, "VND"),
        spend_row(dt.date(2025, 1, 1), "month", "Referral", "r1", 10_000.0, "VND"),
        spend_row(dt.date(2025, 1, 1), "month", "Facebook Ads", "c1", 5_000.0, "USD"),
        spend_row(dt.date(2025, 2, 15), "day", "Zalo OA", None, 1_000.0, "VND"),
    ]
    tables = {"leads": leads, "deals": deals}
    if spend:
        tables["spend"] = frame("spend", spend_rows)
    return tables


@pytest.fixture(scope="module")
def revenue_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rev") / "w.duckdb"
    return workspace_from_frames(path, _revenue_tables())


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


# --------------------------------------------------------------------------------------
# attribute_lift: a hand-worked workspace
#
# Judged leads (accepted or rejected):
#   A1 Facebook Ads, hot,  budget true,  score 85   -> SQL
#   A2 Facebook Ads, hot,  budget true,  score 100  -> accepted, not SQL
#   A3 Facebook Ads, cold, budget false, score 79.5 -> rejected
#   A4 Zalo OA,      (no temperature), budget false, score 60 -> rejected
#   A5 Zalo OA,      hot,  budget true,  score 20   -> SQL (an SQL date without acceptance)
# A6 (Zalo OA, never worked) is not judged. 5 judged, 2 SQLs: overall SQL rate 0.4.
# Every other attribute is empty on every judged lead and is left out.
# Information value with 0.5 added to each value's SQL and non-SQL counts
# (G = 2 SQLs, B = 3 others, k values):
#   source (k=2): FB g=1.5/3=0.5 b=2.5/4=0.625; Zalo g=0.5 b=1.5/4=0.375
#       IV = 0.125*ln(1.25) + 0.125*ln(4/3)
#   bant_budget (k=2): true g=2.5/3 b=1.5/4; false g=0.5/3 b=2.5/4
#   temperature (k=3): hot g=2.5/3.5 b=1.5/4.5; cold and (not set) g=0.5/3.5 b=1.5/4.5
#   score_band (k=3): 80-100 (A1, A2) g=1.5/3.5 b=1.5/4.5; 60-79 (A3, A4) g=0.5/3.5
#       b=2.5/4.5; 20-39 (A5) g=1.5/3.5 b=0.5/4.5
# --------------------------------------------------------------------------------------


def _iv(pairs: list[tuple[float, float]]) -> float:
    """Information value from (SQL share, other share) pairs worked out above."""
    return sum((g - b) * math.log(g / b) for g, b in pairs)


IV_SOURCE = 0.125 * math.log(1.25) + 0.125 * math.log(4 / 3)
IV_BUDGET = _iv([(2.5 / 3, 1.5 / 4), (0.5 / 3, 2.5 / 4)])
IV_TEMPERATURE = _iv([(2.5 / 3.5, 1.5 / 4.5), (0.5 / 3.5, 1.5 / 4.5), (0.5 / 3.5, 1.5 / 4.5)])
IV_SCORE = _iv([(1.5 / 3.5, 1.5 / 4.5), (0.5 / 3.5, 2.5 / 4.5), (1.5 / 3.5, 0.5 / 4.5)])


def _lift_tables() -> dict[str, pl.DataFrame]:
    def lead(i: str, src: str, temp: str | None, budget: bool | None, score: float, v: str):
        return {
            "lead_id": i,
            "created_at": D(2025, 1, 5),
            "source": src,
            "temperature": temp,
            "bant_budget": budget,
            "lead_score": score,
            "mql_at": D(2025, 1, 5, 1),
            "handed_off_at": D(2025, 1, 5, 2),
            "accepted_at": D(2025, 1, 6) if v in ("accepted", "sqlacc") else None,
            "sql_at": D(2025, 1, 7) if v in ("sql", "sqlacc") else None,
            "rejected_at": D(2025, 1, 6) if v == "rejected" else None,
        }

    leads = [
        lead("A1", "Facebook Ads", "hot", True, 85.0, "sqlacc"),
        lead("A2", "Facebook Ads", "hot", True, 100.0, "accepted"),
        lead("A3", "Facebook Ads", "cold", False, 79.5, "rejected"),
        lead("A4", "Zalo OA", None, False, 60.0, "rejected"),
        lead("A5", "Zalo OA", "hot", True, 20.0, "sql"),
        lead("A6", "Zalo OA", "warm", None, 70.0, "never"),
    ]
    return {"leads": frame("leads", leads)}


@pytest.fixture(scope="module")
def lift_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return workspace_from_frames(tmp_path_factory.mktemp("lift") / "w.duckdb", _lift_tables())


def test_lift_rows_in_order_of_information_value_then_sql_rate(lift_ws: Path) -> None:
    out = _run(lift_ws, "attribute_lift")
    assert out.columns == LIFT_COLUMNS == list(metrics.get("attribute_lift").columns)
    assert list(zip(out["attribute"], out["value"], strict=True)) == [
        ("score_band", "20-39"),
        ("score_band", "80-100"),
        ("score_band", "60-79"),
        ("bant_budget", "true"),
        ("bant_budget", "false"),
        ("temperature", "hot"),
        ("temperature", "(not set)"),
        ("temperature", "cold"),
        ("source", "Zalo OA"),
        ("source", "Facebook Ads"),
    ]


def test_lift_counts_rates_and_information_values_by_hand(lift_ws: Path) -> None:
    rows = {
        (r["attribute"], r["value"]): r
        for r in _run(lift_ws, "attribute_lift").iter_rows(named=True)
    }
    expected = {
        ("source", "Facebook Ads"): (3, 1, 1, 1 / 3, IV_SOURCE),
        ("source", "Zalo OA"): (2, 1, 1, 0.5, IV_SOURCE),
        ("bant_budget", "true"): (3, 2, 0, 2 / 3, IV_BUDGET),
        ("bant_budget", "false"): (2, 0, 2, 0.0, IV_BUDGET),
        ("temperature", "hot"): (3, 2, 0, 2 / 3, IV_TEMPERATURE),
        ("temperature", "cold"): (1, 0, 1, 0.0, IV_TEMPERATURE),
        ("temperature", "(not set)"): (1, 0, 1, 0.0, IV_TEMPERATURE),
        ("score_band", "80-100"): (2, 1, 0, 0.5, IV_SCORE),
        ("score_band", "60-79"): (2, 0, 2, 0.0, IV_SCORE),
        ("score_band", "20-39"): (1, 1, 0, 1.0, IV_SCORE),
    }
    assert set(rows) == set(expected)
    for key, (judged, sqls, rejected, rate, iv) in expected.items():
        _assert_row(
            rows[key],
            {
                "judged": judged,
                "sqls": sqls,
                "rejected": rejected,
                "sql_rate": rate,
                "overall_sql_rate": 0.4,
                "lift": rate / 0.4,
                "information_value": iv,
            },
        )


def test_attribute_with_more_than_30_values_is_left_out(tmp_path: Path) -> None:
    def leads(n: int) -> pl.DataFrame:
        return frame(
            "leads",
            [
                {
                    "lead_id": f"C{i:02d}",
                    "created_at": D(2025, 1, 1),
                    "campaign": f"camp {i}",
                    "rejected_at": None if i % 2 else D(2025, 1, 2),
                    "sql_at": D(2025, 1, 2) if i % 2 else None,
                }
                for i in range(n)
            ],
        )

    p30 = workspace_from_frames(tmp_path / "a.duckdb", {"leads": leads(30)})
    p31 = workspace_from_frames(tmp_path / "b.duckdb", {"leads": leads(31)})
    assert set(_run(p30, "attribute_lift")["attribute"]) == {"campaign"}
    assert _run(p31, "attribute_lift").height == 0  # campaign was the only attribute


def test_segment_columns_of_the_workspace_are_attributes(tmp_path: Path) -> None:
    path = workspace_from_frames(tmp_path / "w.duckdb", _lift_tables())
    with duckdb.connect(str(path)) as con:
        con.execute("alter table leads add column segment_plan varchar")
        con.execute(
            "update leads set segment_plan = case when lead_id in ('A1','A5') then 'pro' end"
        )
    rows = _run(path, "attribute_lift").filter(pl.col("attribute") == "segment_plan")
    assert sorted(zip(rows["value"], rows["sqls"], rows["judged"], strict=True)) == [
        ("(not set)", 0, 3),
        ("pro", 2, 2),
    ]


def test_lift_filter_with_no_judged_lead_gives_no_rows(lift_ws: Path) -> None:
    out = _run(lift_ws, "attribute_lift", metrics.Filters(sources=["Nobody"]))
    assert out.height == 0 and out.columns == LIFT_COLUMNS


def test_lift_single_rejected_lead_is_one_row_with_no_lift_or_information_value(
    tmp_path: Path,
) -> None:
    leads = frame(
        "leads",
        [
            {
                "lead_id": "R1",
                "created_at": D(2025, 1, 1),
                "source": "Referral",
                "rejected_at": D(2025, 1, 2),
            },
            # an SQL in March, outside the filter below
            {
                "lead_id": "S1",
                "created_at": D(2025, 3, 1),
                "source": "Website form",
                "sql_at": D(2025, 3, 2),
            },
        ],
    )
    path = workspace_from_frames(tmp_path / "w.duckdb", {"leads": leads})
    out = _run(path, "attribute_lift", metrics.Filters(date_to=dt.date(2025, 1, 31)))
    assert out.height == 1
    # no SQL at all: the overall rate is 0, so lift (x / 0) and the IV are undefined
    _assert_row(
        out.row(0, named=True),
        {
            "attribute": "source",
            "value": "Referral",
            "judged": 1,
            "sqls": 0,
            "rejected": 1,
            "sql_rate": 0.0,
            "overall_sql_rate": 0.0,
            "lift": None,
            "information_value": None,
        },
    )


# --------------------------------------------------------------------------------------
# The reference: sample workspace and random data
# --------------------------------------------------------------------------------------


def _compare(sql: pl.DataFrame, ref: pl.DataFrame, keys: list[str]) -> None:
    assert sql.columns == ref.columns
    assert sql.height == ref.height, (sql.height, ref.height)
    a, b = sql.sort(keys), ref.sort(keys)
    for c in sql.columns:
        x, y = a[c], b[c]
        if x.dtype.is_float() or y.dtype.is_float():
            x, y = x.cast(pl.Float64), y.cast(pl.Float64)
            assert (x.is_null() == y.is_null()).all(), c
            diff = ((x - y).abs() / y.abs().clip(lower_bound=1.0)).fill_null(0)
            assert (diff < 1e-9).all(), (c, a.select(keys, c), b.select(keys, c))
        else:
            assert x.cast(y.dtype).to_list() == y.to_list(), c


def _check_revenue(path: Path, s: dict, f: metrics.Filters, rf: RefFilters) -> None:
    t = tables_from_workspace(str(path))
    sql = _run(path, "revenue_by_source", f, **s)
    ref = revenue_by_source(t, {**SETTINGS, **s}, rf)
    _compare(sql, ref, ["source"])
    # the order is by won revenue (exact sums of whole amounts), then leads, then name
    assert sql["source"].to_list() == ref["source"].to_list()


def _check_lift(path: Path, s: dict, f: metrics.Filters, rf: RefFilters) -> None:
    t = tables_from_workspace(str(path))
    sql = _run(path, "attribute_lift", f, **s)
    ref = attribute_lift(t, {**SETTINGS, **s}, rf)
    _compare(sql, ref, ["attribute", "value"])
    _assert_lift_order(sql)


def _assert_lift_order(out: pl.DataFrame) -> None:
    """Attributes come in blocks by information value; values by SQL rate inside."""
    attrs = list(dict.fromkeys(out["attribute"].to_list()))
    assert len(attrs) == out["attribute"].n_unique()  # each attribute is one block
    ivs = [out.filter(pl.col("attribute") == a)["information_value"][0] for a in attrs]
    known = [v for v in ivs if v is not None]
    assert all(x >= y - 1e-12 for x, y in itertools.pairwise(known))
    assert ivs[: len(known)] == known  # NULLs last
    for a in attrs:
        rates = out.filter(pl.col("attribute") == a)["sql_rate"].to_list()
        assert rates == sorted(rates, reverse=True)


SAMPLE_CASES = [
    ({}, metrics.Filters(), RefFilters()),
    (
        {},
        metrics.Filters(date_from=dt.date(2026, 1, 15), date_to=dt.date(2026, 3, 10)),
        RefFilters(date_from=dt.date(2026, 1, 15), date_to=dt.date(2026, 3, 10)),
    ),
    (
        {"cohort_basis": "mql"},
        metrics.Filters(sources=["Referral", "Zalo OA", "Trade show"]),
        RefFilters(sources=["Referral", "Zalo OA", "Trade show"]),
    ),
    (
        {},
        metrics.Filters(owners=["Vũ Thị Lan"], date_from=dt.date(2026, 4, 1)),
        RefFilters(owners=["Vũ Thị Lan"], date_from=dt.date(2026, 4, 1)),
    ),
]


@pytest.mark.parametrize(
    ("s", "f", "rf"), SAMPLE_CASES, ids=["default", "dates", "sources", "owner"]
)
def test_revenue_matches_the_reference_on_the_sample(sample_workspace: Path, s, f, rf) -> None:
    _check_revenue(sample_workspace, s, f, rf)


@pytest.mark.parametrize(
    ("s", "f", "rf"), SAMPLE_CASES, ids=["default", "dates", "sources", "owner"]
)
def test_lift_matches_the_reference_on_the_sample(sample_workspace: Path, s, f, rf) -> None:
    _check_lift(sample_workspace, s, f, rf)


FILTERS = st.sampled_from(
    [
        (metrics.Filters(), RefFilters()),
        (
            metrics.Filters(date_from=dt.date(2025, 1, 20), date_to=dt.date(2025, 2, 10)),
            RefFilters(date_from=dt.date(2025, 1, 20), date_to=dt.date(2025, 2, 10)),
        ),
        (
            metrics.Filters(sources=["Facebook Ads", "Referral"]),
            RefFilters(sources=["Facebook Ads", "Referral"]),
        ),
        (metrics.Filters(campaigns=["c1"]), RefFilters(campaigns=["c1"])),
        (metrics.Filters(owners=["An", "Minh"]), RefFilters(owners=["An", "Minh"])),
    ]
)


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


def test_sample_lift_shows_zalo_and_purchased_list_as_the_weakest_sources(
    sample_workspace: Path,
) -> None:
    out = _run(sample_workspace, "attribute_lift")
    sources = out.filter(pl.col("attribute") == "source")
    assert set(sources["value"].tail(2)) == {"Zalo OA", "Purchased list"}
    assert (sources["lift"].tail(2) < 0.6).all()
    # campaign has 43 values: left out; job_title, city are empty in the sample: left out
    assert not {"campaign", "city", "job_title"} & set(out["attribute"])


def test_sample_bant_flags_separate_most_because_sales_records_them(
    sample_workspace: Path,
) -> None:
    out = _run(sample_workspace, "attribute_lift")
    order = list(dict.fromkeys(out["attribute"].to_list()))
    # the BANT flags are set by sales while working the lead: above 0.5 (suspicious)
    assert set(order[:4]) == {"bant_budget", "bant_authority", "bant_need", "bant_timeline"}
    assert (
        out.filter(pl.col("attribute").str.starts_with("bant_"))["information_value"] > 0.5
    ).all()
    # a BANT flag that is not set means sales never qualified the lead: no SQL
    assert out.filter(pl.col("value") == "(not set)", pl.col("attribute") == "bant_budget")[
        "sqls"
    ].to_list() == [0]


def test_sample_score_bands_rank_in_score_order(sample_workspace: Path) -> None:
    bands = _run(sample_workspace, "attribute_lift").filter(pl.col("attribute") == "score_band")
    assert bands["value"].to_list() == ["80-100", "60-79", "40-59", "20-39", "0-19"]
