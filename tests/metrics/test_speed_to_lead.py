"""Tests of ``speed_to_lead``: speed to lead: handed-off leads by the time from handoff to the
first sales attempt (< 5 min, < 1 h, < 24 h, < 72 h, later, never), with the SQL and win rate of
each bucket.

Hand-worked fixtures with the numbers written in the tests, and the SQL checked against
its independent Polars implementation ``tests/reference/speed_to_lead.py``;
the workspaces it shares with its family are described in ``tests/metrics/_followup.py``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from dashboard import metrics
from tests.metrics._followup import BY_METRICS, assert_rows, check_all, run

# --- hand-worked fixture -------------------------------------------------------------------


SPEED_COLS = ("speed_bucket", "leads", "share", "sqls", "sql_rate", "won", "win_rate")


def test_speed_buckets_count_first_attempt_after_handoff_with_sla_boundary_in_72h(
    followup_ws: Path,
) -> None:
    df = run(followup_ws, "speed_to_lead")
    assert df["dimension"].to_list() == [None] * 6
    assert df["bucket_order"].to_list() == [1, 2, 3, 4, 5, 6]
    # A: the call 3 minutes after the handoff, not the call before it nor the note
    # C and D: 1440 and 1441 minutes are both "< 72 h"; A's two won deals count once
    assert_rows(
        df,
        [
            ("< 5 min", 1, 0.125, 1, 1.0, 1, 1.0),
            ("< 1 h", 1, 0.125, 0, 0.0, 0, 0.0),
            ("< 24 h", 1, 0.125, 1, 1.0, 0, 0.0),
            ("< 72 h", 2, 0.25, 0, 0.0, 0, 0.0),
            ("later", 1, 0.125, 0, 0.0, 0, 0.0),
            ("never", 2, 0.25, 0, 0.0, 0, 0.0),
        ],
        SPEED_COLS,
    )


def test_speed_buckets_by_owner_show_empty_buckets_with_null_rates(followup_ws: Path) -> None:
    df = run(followup_ws, "speed_to_lead", by="owner")
    assert df["dimension"].unique(maintain_order=True).to_list() == ["An", "Bích", "Minh", None]
    assert_rows(
        df.filter(pl.col("dimension") == "An"),
        [
            ("< 5 min", 1, 0.5, 1, 1.0, 1, 1.0),
            ("< 1 h", 0, 0.0, 0, None, 0, None),
            ("< 24 h", 0, 0.0, 0, None, 0, None),
            ("< 72 h", 0, 0.0, 0, None, 0, None),
            ("later", 0, 0.0, 0, None, 0, None),
            ("never", 1, 0.5, 0, 0.0, 0, 0.0),
        ],
        SPEED_COLS,
    )
    assert df.filter(pl.col("dimension").is_null())["leads"].to_list() == [0, 0, 1, 0, 0, 0]


def test_cohort_month_boundary_splits_leads_at_midnight_utc(followup_ws: Path) -> None:
    # F was created 2025-01-31 23:59 and G 2025-02-01 00:00
    df = run(followup_ws, "speed_to_lead", by="month")
    jan = df.filter(pl.col("dimension") == "2025-01")["leads"].to_list()
    feb = df.filter(pl.col("dimension") == "2025-02")["leads"].to_list()
    assert jan == [1, 1, 1, 2, 0, 1]  # A, F, H, C+D, -, B
    assert feb == [0, 0, 0, 0, 1, 1]  # G later, E never
    only_january = run(
        followup_ws, "speed_to_lead_by_owner", filters=metrics.Filters(date_to=dt.date(2025, 1, 31))
    )
    minh = only_january.filter(pl.col("owner") == "Minh")
    assert minh["handed_off"].to_list() == [1]
    assert minh["median_minutes_to_first_touch"].to_list() == [30.0]


def test_sample_shows_faster_first_touch_converting_better(sample_workspace: Path) -> None:
    df = run(sample_workspace, "speed_to_lead")
    rate = dict(zip(df["speed_bucket"], df["sql_rate"], strict=True))
    assert rate["< 5 min"] > rate["< 1 h"] > rate["< 24 h"] > rate["< 72 h"] > rate["later"]
    assert df["leads"].sum() == 8164  # every handed-off lead of the sample, once


def test_reference_agrees_on_the_hand_fixture(followup_ws: Path) -> None:
    check_all(("speed_to_lead",), followup_ws)
    check_all(("speed_to_lead",), followup_ws, {"attempt_outbound_only": False}, by="owner")


def test_sql_matches_the_reference_on_the_sample_with_defaults(sample_workspace: Path) -> None:
    check_all(("speed_to_lead",), sample_workspace)


def test_sql_matches_the_reference_on_the_sample_by_source(sample_workspace: Path) -> None:
    check_all(("speed_to_lead",), sample_workspace, by="source")


@pytest.mark.parametrize(
    "overrides",
    [
        {"sla_hours": 4},
        {"attempt_types": "call"},
        {"attempt_outbound_only": False},
        {"give_up_days": 3, "cohort_basis": "mql"},
    ],
    ids=["sla_4h", "calls_only", "inbound_too", "give_up_3_mql_cohort"],
)
def test_sql_matches_the_reference_on_the_sample_with_other_settings(
    sample_workspace: Path, overrides: dict[str, Any]
) -> None:
    check_all(("speed_to_lead",), sample_workspace, overrides, by="month")


def test_sql_matches_the_reference_on_the_sample_with_filters(sample_workspace: Path) -> None:
    f = metrics.Filters(
        date_from=dt.date(2026, 2, 1),
        date_to=dt.date(2026, 4, 30),
        sources=["Zalo OA", "Referral", "Google Ads"],
        owners=["Vũ Thị Lan", "Đỗ Quang Huy", "Nguyễn Văn An"],
    )
    check_all(("speed_to_lead",), sample_workspace, {"sla_hours": 4}, f, by="owner")


def test_documented_columns_are_exactly_the_output_columns(followup_ws: Path) -> None:
    for name in ("speed_to_lead",):
        metric = metrics.get(name)
        assert metric.supports_by == (name in BY_METRICS), name
        assert list(run(followup_ws, name).columns) == list(metric.columns), name


def test_reference_agrees_on_the_inbound_fixture(followup_inbound_ws: Path) -> None:
    check_all(("speed_to_lead",), followup_inbound_ws)
    check_all(("speed_to_lead",), followup_inbound_ws, {"inbound_counts_as_contact": False})
