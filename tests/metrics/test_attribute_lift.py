"""Tests of ``attribute_lift``: for each lead attribute and value: leads sales judged, SQLs,
rejections, SQL rate and lift over the overall rate, with the attribute's information value.

Hand-worked fixtures with the numbers written in the tests, and the SQL checked against
its independent Polars implementation ``tests/reference/attribute_lift.py``;
the workspaces it shares with its family are described in ``tests/metrics/_revenue.py``.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import duckdb
import polars as pl
import pytest

from dashboard import metrics
from tests.builders import frame, workspace_from_frames
from tests.metrics._revenue import SAMPLE_CASES, D, _assert_row, _check_lift, _lift_tables, _run
from tests.reference.attribute_lift import LIFT_COLUMNS

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


@pytest.mark.parametrize(
    ("s", "f", "rf"), SAMPLE_CASES, ids=["default", "dates", "sources", "owner"]
)
def test_lift_matches_the_reference_on_the_sample(sample_workspace: Path, s, f, rf) -> None:
    _check_lift(sample_workspace, s, f, rf)


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
