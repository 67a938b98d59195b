"""Tests of ``followup``: attempts per handed-off lead before it was resolved (SQL, rejection or a
deal), as a distribution 0, 1, ..., 9, 10+, with the SQL rate at each number of attempts.

Hand-worked fixtures with the numbers written in the tests, and the SQL checked against
its independent Polars implementation ``tests/reference/followup.py``;
the workspaces it shares with its family are described in ``tests/metrics/_followup.py``.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import metrics
from tests.builders import small_crm, workspace_from_frames
from tests.metrics._followup import BY_METRICS, NAMES, OWNER_COLS, assert_rows, check_all, run

FOLLOWUP_COLS = ("attempts", "leads", "share", "sqls", "sql_rate")


def test_followup_counts_attempts_before_resolution_only(followup_ws: Path) -> None:
    df = run(followup_ws, "followup")
    assert df["attempts_order"].to_list() == list(range(11))
    # 0: B, E; 1: C, G, H; 2: A (not its call after the SQL), D (not its call after
    # the rejection), F
    expected = (
        [
            ("0", 2, 0.25, 0, 0.0),
            ("1", 3, 0.375, 1, 1 / 3),
            ("2", 3, 0.375, 1, 1 / 3),
        ]
        + [(str(n), 0, 0.0, 0, None) for n in range(3, 10)]
        + [("10+", 0, 0.0, 0, None)]
    )
    assert_rows(df, expected, FOLLOWUP_COLS)


def test_followup_counts_inbound_replies_when_outbound_only_is_off(followup_ws: Path) -> None:
    df = run(followup_ws, "followup", {"attempt_outbound_only": False})
    # A's inbound reply after the handoff becomes its 2nd attempt; its inbound e-mail before
    # the handoff still does not count
    assert df["leads"].to_list()[:4] == [2, 3, 2, 1]
    assert df.filter(pl.col("attempts") == "3")["sqls"].to_list() == [1]


def test_followup_with_calls_only_drops_other_types(followup_ws: Path) -> None:
    df = run(followup_ws, "followup", {"attempt_types": "call"})
    # D's e-mail no longer counts: D has 1 attempt
    assert df["leads"].to_list()[:3] == [2, 4, 2]


def test_empty_filter_keeps_the_fixed_rows_with_zero_counts_and_null_rates(
    followup_ws: Path,
) -> None:
    none = metrics.Filters(owners=["nobody"])
    speed = run(followup_ws, "speed_to_lead", filters=none)
    assert speed["leads"].to_list() == [0] * 6
    assert speed["share"].null_count() == 6 and speed["sql_rate"].null_count() == 6
    assert run(followup_ws, "speed_to_lead", filters=none, by="source").height == 0
    follow = run(followup_ws, "followup", filters=none)
    assert follow["leads"].to_list() == [0] * 11
    assert run(followup_ws, "speed_to_lead_by_owner", filters=none).height == 0
    owner = run(followup_ws, "followup_by_owner", filters=none)
    assert_rows(
        owner,
        [("(all)", 0, None, None, None, None, 0, None, None, None, None, None)],
        OWNER_COLS,
    )
    conv = run(followup_ws, "attempt_conversion", filters=none)
    assert conv["leads_reaching"].to_list() == [0] * 10
    assert conv["connect_rate"].null_count() == 10


def test_reference_agrees_on_the_hand_fixture(followup_ws: Path) -> None:
    check_all(("followup",), followup_ws)
    check_all(("followup",), followup_ws, {"attempt_outbound_only": False}, by="owner")


def test_sql_matches_the_reference_on_the_sample_with_defaults(sample_workspace: Path) -> None:
    check_all(("followup",), sample_workspace)


def test_sql_matches_the_reference_on_the_sample_by_source(sample_workspace: Path) -> None:
    check_all(("followup",), sample_workspace, by="source")


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
    check_all(("followup",), sample_workspace, overrides, by="month")


def test_sql_matches_the_reference_on_the_sample_with_filters(sample_workspace: Path) -> None:
    f = metrics.Filters(
        date_from=dt.date(2026, 2, 1),
        date_to=dt.date(2026, 4, 30),
        sources=["Zalo OA", "Referral", "Google Ads"],
        owners=["Vũ Thị Lan", "Đỗ Quang Huy", "Nguyễn Văn An"],
    )
    check_all(("followup",), sample_workspace, {"sla_hours": 4}, f, by="owner")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    crm=small_crm(),
    by=st.sampled_from([None, "source", "owner", "month", "country"]),
    outbound_only=st.booleans(),
    sla_hours=st.sampled_from([0.0, 1.0, 24.0, 100.0]),
    give_up_days=st.sampled_from([0, 3, 14]),
)
def test_sql_matches_the_reference_on_random_data(
    crm: dict[str, pl.DataFrame],
    by: str | None,
    outbound_only: bool,
    sla_hours: float,
    give_up_days: int,
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = workspace_from_frames(Path(tmp) / "w.duckdb", crm)
        overrides = {
            "attempt_outbound_only": outbound_only,
            "sla_hours": sla_hours,
            "give_up_days": give_up_days,
        }
        check_all(NAMES, path, overrides, by=by)


def test_documented_columns_are_exactly_the_output_columns(followup_ws: Path) -> None:
    for name in ("followup",):
        metric = metrics.get(name)
        assert metric.supports_by == (name in BY_METRICS), name
        assert list(run(followup_ws, name).columns) == list(metric.columns), name


def test_reference_agrees_on_the_inbound_fixture(followup_inbound_ws: Path) -> None:
    check_all(("followup",), followup_inbound_ws)
    check_all(("followup",), followup_inbound_ws, {"inbound_counts_as_contact": False})
