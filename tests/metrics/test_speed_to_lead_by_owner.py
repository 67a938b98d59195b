"""Tests of ``speed_to_lead_by_owner``: speed to lead per rep: median and 90th-percentile minutes
from handoff to the first attempt, share within an hour, SLA met and missed, leads never
touched.

Hand-worked fixtures with the numbers written in the tests, and the SQL checked against
its independent Polars implementation ``tests/reference/speed_to_lead_by_owner.py``;
the workspaces it shares with its family are described in ``tests/metrics/_followup.py``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from dashboard import metrics
from tests.metrics._followup import BY_METRICS, assert_rows, check_all, rows, run

SPEED_OWNER_COLS = (
    "owner",
    "handed_off",
    "touched",
    "median_minutes_to_first_touch",
    "p90_minutes_to_first_touch",
    "within_1h_rate",
    "sla_met",
    "sla_missed",
    "sla_compliance_rate",
    "never_touched",
    "sql_rate",
)


def test_speed_by_owner_counts_exact_sla_boundary_as_met_and_running_clock_as_undecided(
    followup_ws: Path,
) -> None:
    df = run(followup_ws, "speed_to_lead_by_owner")
    # slowest median first; p90 interpolates linearly: 30 + 0.9 * (7201 - 30) = 6483.9
    assert_rows(
        df,
        [
            ("Minh", 2, 2, 3615.5, 6483.9, 0.5, 1, 1, 0.5, 0, 0.0),
            ("Bích", 3, 2, 1440.5, 1440.9, 0.0, 1, 1, 0.5, 1, 0.0),
            ("(no owner)", 1, 1, 120.0, 120.0, 0.0, 1, 0, 1.0, 0, 1.0),
            ("An", 2, 1, 3.0, 3.0, 0.5, 1, 1, 0.5, 1, 0.5),
        ],
        SPEED_OWNER_COLS,
    )


def test_speed_by_owner_sla_setting_moves_the_boundary(followup_ws: Path) -> None:
    # with a 30-minute SLA (0.5 h) F's first call at exactly 30 minutes is still met,
    # H (120 min) and C (1440 min) are now missed
    df = run(followup_ws, "speed_to_lead_by_owner", {"sla_hours": 0.5})
    got = {r[0]: r[1:] for r in rows(df, "owner", "sla_met", "sla_missed", "sla_compliance_rate")}
    assert got["Minh"] == (1, 1, 0.5)
    assert got["(no owner)"] == (0, 1, 0.0)
    assert got["Bích"] == (0, 3, 0.0)  # E's clock (handed off 1 h before now) has run out


def test_sample_shows_vu_thi_lan_and_bui_van_tai_as_the_slow_first_touchers(
    sample_workspace: Path,
) -> None:
    df = run(sample_workspace, "speed_to_lead_by_owner")
    # slowest first: Bùi Văn Tài (README: 41.0 h median), then Vũ Thị Lan (25.8 h)
    assert df["owner"].to_list()[:2] == ["Bùi Văn Tài", "Vũ Thị Lan"]
    hours = dict(zip(df["owner"], df["median_minutes_to_first_touch"] / 60, strict=True))
    assert abs(hours["Bùi Văn Tài"] - 41.0) < 0.1
    assert abs(hours["Vũ Thị Lan"] - 25.8) < 0.1
    assert all(h < 1.0 for o, h in hours.items() if o not in ("Bùi Văn Tài", "Vũ Thị Lan"))
    compliance = dict(zip(df["owner"], df["sla_compliance_rate"], strict=True))
    assert compliance["Bùi Văn Tài"] < 0.5 and compliance["Vũ Thị Lan"] < 0.5
    assert min(v for o, v in compliance.items() if hours[o] < 1) > 0.85


def test_reference_agrees_on_the_hand_fixture(followup_ws: Path) -> None:
    check_all(("speed_to_lead_by_owner",), followup_ws)
    check_all(
        ("speed_to_lead_by_owner",), followup_ws, {"attempt_outbound_only": False}, by="owner"
    )


def test_sql_matches_the_reference_on_the_sample_with_defaults(sample_workspace: Path) -> None:
    check_all(("speed_to_lead_by_owner",), sample_workspace)


def test_sql_matches_the_reference_on_the_sample_by_source(sample_workspace: Path) -> None:
    check_all(("speed_to_lead_by_owner",), sample_workspace, by="source")


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
    check_all(("speed_to_lead_by_owner",), sample_workspace, overrides, by="month")


def test_sql_matches_the_reference_on_the_sample_with_filters(sample_workspace: Path) -> None:
    f = metrics.Filters(
        date_from=dt.date(2026, 2, 1),
        date_to=dt.date(2026, 4, 30),
        sources=["Zalo OA", "Referral", "Google Ads"],
        owners=["Vũ Thị Lan", "Đỗ Quang Huy", "Nguyễn Văn An"],
    )
    check_all(("speed_to_lead_by_owner",), sample_workspace, {"sla_hours": 4}, f, by="owner")


def test_documented_columns_are_exactly_the_output_columns(followup_ws: Path) -> None:
    for name in ("speed_to_lead_by_owner",):
        metric = metrics.get(name)
        assert metric.supports_by == (name in BY_METRICS), name
        assert list(run(followup_ws, name).columns) == list(metric.columns), name


def test_reference_agrees_on_the_inbound_fixture(followup_inbound_ws: Path) -> None:
    check_all(("speed_to_lead_by_owner",), followup_inbound_ws)
    check_all(
        ("speed_to_lead_by_owner",), followup_inbound_ws, {"inbound_counts_as_contact": False}
    )
