"""Tests of ``attempt_conversion``: conversion by attempt number: for n = 1 to 10, the handed-off
leads that got at least n attempts before resolution, the share first reached on attempt n, and
the share that became SQL.

Hand-worked fixtures with the numbers written in the tests, and the SQL checked against
its independent Polars implementation ``tests/reference/attempt_conversion.py``;
the workspaces it shares with its family are described in ``tests/metrics/_followup.py``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from dashboard import metrics
from tests.builders import frame, workspace_from_frames
from tests.metrics._followup import BY_METRICS, _act, _lead, assert_rows, check_all, rows, run

CONVERSION_COLS = (
    "attempt_number",
    "leads_reaching",
    "first_connects",
    "connect_rate",
    "sqls_after",
    "sql_rate",
)


def test_attempt_conversion_counts_first_connect_at_its_attempt_number(followup_ws: Path) -> None:
    df = run(followup_ws, "attempt_conversion")
    # n=1: A C D F G H reach it; H connects on its 1st. n=2: A D F; A connects on its 2nd.
    # D's connect after its rejection would be its 3rd attempt, which it never reaches.
    expected = [
        (1, 6, 1, 1 / 6, 2, 1 / 3),
        (2, 3, 1, 1 / 3, 1, 1 / 3),
    ] + [(n, 0, 0, None, 0, None) for n in range(3, 11)]
    assert_rows(df, expected, CONVERSION_COLS)


def test_single_lead_with_eleven_calls_lands_in_ten_plus_and_reaches_every_number(
    tmp_path: Path,
) -> None:
    lead = _lead("S", "2025-01-01 00:00", "An", "2025-01-01 00:00")
    acts = [
        _act(i, "S", f"2025-01-01 {i:02d}:00", "call", "outbound", "no answer")
        for i in range(1, 11)
    ] + [_act(11, "S", "2025-01-01 11:00", "call", "outbound", "connected")]
    path = workspace_from_frames(
        tmp_path / "one.duckdb",
        {"leads": frame("leads", [lead]), "activities": frame("activities", acts)},
    )
    follow = run(path, "followup")
    assert follow["leads"].to_list() == [0] * 10 + [1]
    assert follow["share"].to_list()[-1] == 1.0
    conv = run(path, "attempt_conversion")
    assert conv["leads_reaching"].to_list() == [1] * 10
    assert conv["first_connects"].to_list() == [0] * 10  # the connect was the 11th
    owner = run(path, "followup_by_owner")
    assert rows(owner, "owner", "handed_off", "mean_attempts", "connect_rate") == [
        ("An", 1, 11.0, 1.0),
        ("(all)", 1, 11.0, 1.0),
    ]
    speed = run(path, "speed_to_lead_by_owner")
    assert rows(speed, "owner", "median_minutes_to_first_touch", "within_1h_rate") == [
        ("An", 60.0, 0.0)
    ]


def test_reference_agrees_on_the_hand_fixture(followup_ws: Path) -> None:
    check_all(("attempt_conversion",), followup_ws)
    check_all(("attempt_conversion",), followup_ws, {"attempt_outbound_only": False}, by="owner")


def test_sql_matches_the_reference_on_the_sample_with_defaults(sample_workspace: Path) -> None:
    check_all(("attempt_conversion",), sample_workspace)


def test_sql_matches_the_reference_on_the_sample_by_source(sample_workspace: Path) -> None:
    check_all(("attempt_conversion",), sample_workspace, by="source")


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
    check_all(("attempt_conversion",), sample_workspace, overrides, by="month")


def test_sql_matches_the_reference_on_the_sample_with_filters(sample_workspace: Path) -> None:
    f = metrics.Filters(
        date_from=dt.date(2026, 2, 1),
        date_to=dt.date(2026, 4, 30),
        sources=["Zalo OA", "Referral", "Google Ads"],
        owners=["Vũ Thị Lan", "Đỗ Quang Huy", "Nguyễn Văn An"],
    )
    check_all(("attempt_conversion",), sample_workspace, {"sla_hours": 4}, f, by="owner")


def test_documented_columns_are_exactly_the_output_columns(followup_ws: Path) -> None:
    for name in ("attempt_conversion",):
        metric = metrics.get(name)
        assert metric.supports_by == (name in BY_METRICS), name
        assert list(run(followup_ws, name).columns) == list(metric.columns), name


def test_reference_agrees_on_the_inbound_fixture(followup_inbound_ws: Path) -> None:
    check_all(("attempt_conversion",), followup_inbound_ws)
    check_all(("attempt_conversion",), followup_inbound_ws, {"inbound_counts_as_contact": False})
