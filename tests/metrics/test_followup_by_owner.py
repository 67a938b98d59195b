"""Tests of ``followup_by_owner``: follow-up discipline per rep, and for everyone: attempts per
lead before resolution (mean, median, share with 0 and 1), leads given up and the attempts made
on them, SLA compliance, speed to lead, connect and SQL rates.

Hand-worked fixtures with the numbers written in the tests, and the SQL checked against
its independent Polars implementation ``tests/reference/followup_by_owner.py``;
the workspaces it shares with its family are described in ``tests/metrics/_followup.py``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest

from dashboard import metrics
from tests.builders import frame, workspace_from_frames
from tests.metrics._followup import (
    BY_METRICS,
    NAMES,
    OWNER_COLS,
    _act,
    _lead,
    assert_rows,
    check_all,
    rows,
    run,
)

SETTINGS = metrics.resolve_settings({}, None)


def test_followup_by_owner_gives_up_just_over_give_up_days_and_ends_with_all(
    followup_ws: Path,
) -> None:
    df = run(followup_ws, "followup_by_owner")
    # F's last attempt was 14 days and 1 minute before now: given up; G's 13 d 23:59: not.
    # D's connect came after its rejection, yet it makes D a connected lead.
    assert_rows(
        df,
        [
            ("An", 2, 1.0, 1.0, 0.5, 0.0, 0, None, 0.5, 3.0, 0.5, 0.5),
            ("Bích", 3, 1.0, 1.0, 1 / 3, 1 / 3, 1, 1.0, 0.5, 1440.5, 1 / 3, 0.0),
            ("Minh", 2, 1.5, 1.5, 0.0, 0.5, 1, 2.0, 0.5, 3615.5, 0.0, 0.0),
            ("(no owner)", 1, 1.0, 1.0, 0.0, 1.0, 0, None, 1.0, 120.0, 1.0, 1.0),
            ("(all)", 8, 1.125, 1.0, 0.25, 0.375, 2, 1.5, 4 / 7, 780.0, 0.375, 0.25),
        ],
        OWNER_COLS,
    )


def test_give_up_days_setting_changes_who_is_given_up(followup_ws: Path) -> None:
    # with 15 days F (14 d 00:01 silent) is no longer given up; C (54 days) still is
    df = run(followup_ws, "followup_by_owner", {"give_up_days": 15})
    assert rows(df, "owner", "given_up") == [
        ("An", 0),
        ("Bích", 1),
        ("Minh", 0),
        ("(no owner)", 0),
        ("(all)", 1),
    ]


# --- the sample's planted patterns ---------------------------------------------------------


def test_sample_shows_do_quang_huy_giving_up_after_one_attempt(sample_workspace: Path) -> None:
    df = run(sample_workspace, "followup_by_owner")
    reps = df.filter(~pl.col("owner").is_in(["(all)", "(no owner)"]))
    huy = reps.filter(pl.col("owner") == "Đỗ Quang Huy").row(0, named=True)
    others = reps.filter(pl.col("owner") != "Đỗ Quang Huy")
    # README: 83% of his leads get exactly one activity, 15-20% for the other reps
    assert huy["one_attempt_rate"] > 0.75
    assert others["one_attempt_rate"].max() < 0.3
    assert huy["median_attempts"] == 1.0
    assert others["median_attempts"].min() >= 3.0
    assert huy["given_up"] == reps["given_up"].max()
    assert huy["attempts_on_given_up"] < 1.5


def test_reference_agrees_on_the_hand_fixture(followup_ws: Path) -> None:
    check_all(("followup_by_owner",), followup_ws)
    check_all(("followup_by_owner",), followup_ws, {"attempt_outbound_only": False}, by="owner")


def test_sql_matches_the_reference_on_the_sample_with_defaults(sample_workspace: Path) -> None:
    check_all(("followup_by_owner",), sample_workspace)


def test_sql_matches_the_reference_on_the_sample_by_source(sample_workspace: Path) -> None:
    check_all(("followup_by_owner",), sample_workspace, by="source")


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
    check_all(("followup_by_owner",), sample_workspace, overrides, by="month")


def test_sql_matches_the_reference_on_the_sample_with_filters(sample_workspace: Path) -> None:
    f = metrics.Filters(
        date_from=dt.date(2026, 2, 1),
        date_to=dt.date(2026, 4, 30),
        sources=["Zalo OA", "Referral", "Google Ads"],
        owners=["Vũ Thị Lan", "Đỗ Quang Huy", "Nguyễn Văn An"],
    )
    check_all(("followup_by_owner",), sample_workspace, {"sla_hours": 4}, f, by="owner")


def test_documented_columns_are_exactly_the_output_columns(followup_ws: Path) -> None:
    for name in ("followup_by_owner",):
        metric = metrics.get(name)
        assert metric.supports_by == (name in BY_METRICS), name
        assert list(run(followup_ws, name).columns) == list(metric.columns), name


def test_inbound_connected_call_is_contact_so_the_lead_is_not_given_up(
    followup_inbound_ws: Path,
) -> None:
    with duckdb.connect(str(followup_inbound_ws), read_only=True) as con:
        metrics.prepare_session(con, SETTINGS, metrics.Filters())
        got = con.sql(
            "select lead_id, n_attempts, has_connect, is_given_up, is_never_touched,"
            " minutes_to_first_touch from touch_base order by lead_id"
        ).fetchall()
    assert got == [
        # P: one outbound attempt, then the lead called in and reached sales
        ("P", 1, True, False, False, 60.0),
        # Q: only the inbound call: contact after 120 minutes, yet no attempt
        ("Q", 0, True, False, False, 120.0),
        # R: an inbound e-mail that is not a connect is neither contact nor attempt
        ("R", 0, False, False, True, None),
    ]
    owner = run(followup_inbound_ws, "followup_by_owner").filter(pl.col("owner") == "An")
    assert owner["given_up"].to_list() == [0]
    assert owner["connect_rate"].to_list() == [2 / 3]


def test_inbound_contact_can_be_switched_off(followup_inbound_ws: Path) -> None:
    off = {"inbound_counts_as_contact": False}
    owner = run(followup_inbound_ws, "followup_by_owner", off).filter(pl.col("owner") == "An")
    # P: one unanswered attempt, silent 28 days: given up; Q and R: never touched
    assert owner["given_up"].to_list() == [1]
    assert owner["connect_rate"].to_list() == [0.0]
    speed = run(followup_inbound_ws, "speed_to_lead_by_owner", off).filter(pl.col("owner") == "An")
    assert speed["never_touched"].to_list() == [2]
    assert run(followup_inbound_ws, "speed_to_lead_by_owner").filter(pl.col("owner") == "An")[
        "never_touched"
    ].to_list() == [1]


def test_reference_agrees_on_the_inbound_fixture(followup_inbound_ws: Path) -> None:
    check_all(("followup_by_owner",), followup_inbound_ws)
    check_all(("followup_by_owner",), followup_inbound_ws, {"inbound_counts_as_contact": False})


def test_an_accepted_lead_can_be_given_up_but_an_untouched_one_is_never_touched(
    tmp_path: Path,
) -> None:
    # now = 03-01 00:00. K and U were accepted on 02-02 and are not SQL, rejected or dealt.
    # K: one unanswered call on 02-01 (28 days silent): given up although accepted.
    # U: accepted and never attempted: never touched, not given up.
    # S: same as K but an SQL: resolved, so not given up.
    leads = [
        _lead("K", "2025-02-01 00:00", "An", "2025-02-01 00:00", accepted_at="2025-02-02 00:00"),
        _lead("U", "2025-02-01 00:00", "An", "2025-02-01 00:00", accepted_at="2025-02-02 00:00"),
        _lead("S", "2025-02-01 00:00", "An", "2025-02-01 00:00", sql_at="2025-02-02 00:00"),
        _lead("Z", "2025-03-01 00:00", None, None),
    ]
    acts = [
        _act(1, "K", "2025-02-01 01:00", "call", "outbound", "no answer"),
        _act(2, "S", "2025-02-01 01:00", "call", "outbound", "no answer"),
    ]
    path = workspace_from_frames(
        tmp_path / "w.duckdb",
        {"leads": frame("leads", leads), "activities": frame("activities", acts)},
    )
    with duckdb.connect(str(path), read_only=True) as con:
        metrics.prepare_session(con, SETTINGS, metrics.Filters())
        got = con.sql(
            "select lead_id, is_given_up, is_never_touched from touch_base order by lead_id"
        ).fetchall()
    assert got == [("K", True, False), ("S", False, False), ("U", False, True)]
    owner = run(path, "followup_by_owner").filter(pl.col("owner") == "An")
    assert owner["given_up"].to_list() == [1]
    check_all(NAMES, path)
