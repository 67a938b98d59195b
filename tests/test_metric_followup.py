"""Follow-up discipline metrics: speed_to_lead, speed_to_lead_by_owner, followup,
followup_by_owner and attempt_conversion.

Hand-worked fixture (default settings: SLA 24 h, give up after 14 days, outbound only).
"Now" (as_of) is 2025-03-01 00:00, the creation of lead Z. Minutes are from the handoff.

lead owner handoff     attempts counted (before resolution)   first SLA       resolution
A    An    01-10 09:00 call 09:03 no answer, call 01-11 conn. 3     met       SQL 01-12, 2 won
B    An    01-10 09:00 none                                   never missed    -
C    Bích  01-05 00:00 call 01-06 00:00 no answer             1440  met (=)   given up (54 d)
D    Bích  01-05 00:00 call 01-06 00:01, email 01-07          1441  missed    rejected 01-08
E    Bích  02-28 23:00 none                                   never undecided -
F    Minh  02-10 00:00 call 00:30 voicemail, call 02-14 23:59 30    met       given up (14d 1m)
G    Minh  02-10 00:00 call 02-15 00:01 no answer             7201  missed    not (13d 23h59m)
H    -     01-20 00:00 call 02:00 connected                   120   met       SQL 01-21

Not counted: A's inbound email before the handoff, A's outbound call before the handoff,
A's note, A's inbound reply (counted only when attempt_outbound_only is false: then A has
3 attempts), A's call after its SQL, D's connected call after its rejection (it makes D
"connected" but is not one of D's attempts), and lead Y's call (Y was never handed off).
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
from tests.reference import followup as ref
from tests.reference.base import RefFilters, tables_from_workspace

SETTINGS = metrics.resolve_settings({}, None)
NAMES = [
    "speed_to_lead",
    "speed_to_lead_by_owner",
    "followup",
    "followup_by_owner",
    "attempt_conversion",
]
BY_METRICS = {"speed_to_lead", "followup"}
REFERENCE = {
    "speed_to_lead": ref.speed_to_lead,
    "speed_to_lead_by_owner": ref.speed_to_lead_by_owner,
    "followup": ref.followup,
    "followup_by_owner": ref.followup_by_owner,
    "attempt_conversion": ref.attempt_conversion,
}


def ts(text: str) -> dt.datetime:
    """A UTC timestamp from '2025-01-10 09:00'."""
    return dt.datetime.fromisoformat(text)


def _lead(lead_id: str, created: str, owner: str | None, handoff: str | None, **kw: Any) -> dict:
    return {
        "lead_id": lead_id,
        "created_at": ts(created),
        "owner": owner,
        "source": kw.pop("source", "Web"),
        "mql_at": None if handoff is None else ts(handoff),
        "handed_off_at": None if handoff is None else ts(handoff),
        **{k: ts(v) for k, v in kw.items()},
    }


def _act(
    n: int, lead: str, at: str, type_: str, direction: str | None, outcome: str | None
) -> dict:
    return {
        "activity_id": f"A{n:03d}",
        "lead_id": lead,
        "occurred_at": ts(at),
        "type": type_,
        "direction": direction,
        "outcome": outcome,
        "owner": "someone",
    }


def hand_tables() -> dict[str, pl.DataFrame]:
    """The hand-worked fixture of the module docstring."""
    leads = [
        _lead("A", "2025-01-10 08:00", "An", "2025-01-10 09:00", sql_at="2025-01-12 00:00"),
        _lead("B", "2025-01-10 08:00", "An", "2025-01-10 09:00"),
        _lead("C", "2025-01-04 00:00", "Bích", "2025-01-05 00:00"),
        _lead("D", "2025-01-04 00:00", "Bích", "2025-01-05 00:00", rejected_at="2025-01-08 00:00"),
        _lead("E", "2025-02-28 22:00", "Bích", "2025-02-28 23:00"),
        _lead("F", "2025-01-31 23:59", "Minh", "2025-02-10 00:00"),
        _lead("G", "2025-02-01 00:00", "Minh", "2025-02-10 00:00"),
        _lead("H", "2025-01-19 00:00", None, "2025-01-20 00:00", sql_at="2025-01-21 00:00"),
        _lead("Y", "2025-01-02 00:00", "An", None),
        _lead("Z", "2025-03-01 00:00", None, None),
    ]
    acts = [
        _act(1, "A", "2025-01-10 08:00", "email", "inbound", "replied"),
        _act(2, "A", "2025-01-10 08:30", "call", "outbound", "connected"),
        _act(3, "A", "2025-01-10 09:01", "note", "outbound", "completed"),
        _act(4, "A", "2025-01-10 09:03", "call", "outbound", "no answer"),
        _act(5, "A", "2025-01-10 09:30", "email", "inbound", "replied"),
        _act(6, "A", "2025-01-11 10:00", "Call", None, "Connected"),
        _act(7, "A", "2025-01-20 00:00", "call", "outbound", "connected"),
        _act(8, "C", "2025-01-06 00:00", "call", "outbound", "no answer"),
        _act(9, "D", "2025-01-06 00:01", "call", "outbound", "no answer"),
        _act(10, "D", "2025-01-07 00:00", "email", "outbound", "sent"),
        _act(11, "D", "2025-01-09 00:00", "call", "outbound", "connected"),
        _act(12, "F", "2025-02-10 00:30", "call", "outbound", "voicemail"),
        _act(13, "F", "2025-02-14 23:59", "call", "outbound", "no answer"),
        _act(14, "G", "2025-02-15 00:01", "call", "outbound", "no answer"),
        _act(15, "H", "2025-01-20 02:00", "call", "outbound", "connected"),
        _act(16, "Y", "2025-01-03 00:00", "call", "outbound", "connected"),
    ]

    def deal(deal_id: str, lead: str | None, created: str, closed: str) -> dict:
        return {
            "deal_id": deal_id,
            "lead_id": lead,
            "created_at": ts(created),
            "closed_at": ts(closed),
            "is_won": True,
            "is_closed": True,
            "amount": 1000.0,
            "currency": "VND",
        }

    deals = [
        deal("D1", "A", "2025-01-15 00:00", "2025-01-20 00:00"),
        deal("D2", "A", "2025-02-01 00:00", "2025-02-05 00:00"),
        deal("D3", None, "2025-01-03 00:00", "2025-01-04 00:00"),
    ]
    return {
        "leads": frame("leads", leads),
        "deals": frame("deals", deals),
        "activities": frame("activities", acts),
    }


@pytest.fixture(scope="module")
def hand_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("followup") / "hand.duckdb"
    return workspace_from_frames(path, hand_tables())


def run(
    path: Path,
    name: str,
    overrides: dict[str, Any] | None = None,
    filters: metrics.Filters | None = None,
    by: str | None = None,
) -> pl.DataFrame:
    """The rows of metric ``name`` on the workspace at ``path``."""
    with duckdb.connect(str(path), read_only=True) as con:
        s = metrics.resolve_settings({}, overrides)
        return metrics.run(con, name, settings=s, filters=filters, by=by).frame


def rows(df: pl.DataFrame, *cols: str) -> list[tuple]:
    return [tuple(r) for r in df.select(cols).iter_rows()]


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def assert_rows(df: pl.DataFrame, expected: list[tuple], cols: tuple[str, ...]) -> None:
    got = rows(df, *cols)
    assert len(got) == len(expected), got
    for g, e in zip(got, expected, strict=True):
        for c, gv, ev in zip(cols, g, e, strict=True):
            if isinstance(ev, float) or isinstance(gv, float):
                assert close(gv, ev), (c, g, e)
            else:
                assert gv == ev, (c, g, e)


# --- hand-worked fixture -------------------------------------------------------------------


SPEED_COLS = ("speed_bucket", "leads", "share", "sqls", "sql_rate", "won", "win_rate")


def test_speed_buckets_count_first_attempt_after_handoff_with_sla_boundary_in_72h(
    hand_ws: Path,
) -> None:
    df = run(hand_ws, "speed_to_lead")
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


def test_speed_buckets_by_owner_show_empty_buckets_with_null_rates(hand_ws: Path) -> None:
    df = run(hand_ws, "speed_to_lead", by="owner")
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


def test_cohort_month_boundary_splits_leads_at_midnight_utc(hand_ws: Path) -> None:
    # F was created 2025-01-31 23:59 and G 2025-02-01 00:00
    df = run(hand_ws, "speed_to_lead", by="month")
    jan = df.filter(pl.col("dimension") == "2025-01")["leads"].to_list()
    feb = df.filter(pl.col("dimension") == "2025-02")["leads"].to_list()
    assert jan == [1, 1, 1, 2, 0, 1]  # A, F, H, C+D, -, B
    assert feb == [0, 0, 0, 0, 1, 1]  # G later, E never
    only_january = run(
        hand_ws, "speed_to_lead_by_owner", filters=metrics.Filters(date_to=dt.date(2025, 1, 31))
    )
    minh = only_january.filter(pl.col("owner") == "Minh")
    assert minh["handed_off"].to_list() == [1]
    assert minh["median_minutes_to_first_touch"].to_list() == [30.0]


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
    hand_ws: Path,
) -> None:
    df = run(hand_ws, "speed_to_lead_by_owner")
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


def test_speed_by_owner_sla_setting_moves_the_boundary(hand_ws: Path) -> None:
    # with a 30-minute SLA (0.5 h) F's first call at exactly 30 minutes is still met,
    # H (120 min) and C (1440 min) are now missed
    df = run(hand_ws, "speed_to_lead_by_owner", {"sla_hours": 0.5})
    got = {r[0]: r[1:] for r in rows(df, "owner", "sla_met", "sla_missed", "sla_compliance_rate")}
    assert got["Minh"] == (1, 1, 0.5)
    assert got["(no owner)"] == (0, 1, 0.0)
    assert got["Bích"] == (0, 3, 0.0)  # E's clock (handed off 1 h before now) has run out


FOLLOWUP_COLS = ("attempts", "leads", "share", "sqls", "sql_rate")


def test_followup_counts_attempts_before_resolution_only(hand_ws: Path) -> None:
    df = run(hand_ws, "followup")
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


def test_followup_counts_inbound_replies_when_outbound_only_is_off(hand_ws: Path) -> None:
    df = run(hand_ws, "followup", {"attempt_outbound_only": False})
    # A's inbound reply after the handoff becomes its 2nd attempt; its inbound e-mail before
    # the handoff still does not count
    assert df["leads"].to_list()[:4] == [2, 3, 2, 1]
    assert df.filter(pl.col("attempts") == "3")["sqls"].to_list() == [1]


def test_followup_with_calls_only_drops_other_types(hand_ws: Path) -> None:
    df = run(hand_ws, "followup", {"attempt_types": "call"})
    # D's e-mail no longer counts: D has 1 attempt
    assert df["leads"].to_list()[:3] == [2, 4, 2]


OWNER_COLS = (
    "owner",
    "handed_off",
    "mean_attempts",
    "median_attempts",
    "zero_attempt_rate",
    "one_attempt_rate",
    "given_up",
    "attempts_on_given_up",
    "sla_compliance_rate",
    "median_minutes_to_first_touch",
    "connect_rate",
    "sql_rate",
)


def test_followup_by_owner_gives_up_just_over_give_up_days_and_ends_with_all(
    hand_ws: Path,
) -> None:
    df = run(hand_ws, "followup_by_owner")
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


def test_give_up_days_setting_changes_who_is_given_up(hand_ws: Path) -> None:
    # with 15 days F (14 d 00:01 silent) is no longer given up; C (54 days) still is
    df = run(hand_ws, "followup_by_owner", {"give_up_days": 15})
    assert rows(df, "owner", "given_up") == [
        ("An", 0),
        ("Bích", 1),
        ("Minh", 0),
        ("(no owner)", 0),
        ("(all)", 1),
    ]


CONVERSION_COLS = (
    "attempt_number",
    "leads_reaching",
    "first_connects",
    "connect_rate",
    "sqls_after",
    "sql_rate",
)


def test_attempt_conversion_counts_first_connect_at_its_attempt_number(hand_ws: Path) -> None:
    df = run(hand_ws, "attempt_conversion")
    # n=1: A C D F G H reach it; H connects on its 1st. n=2: A D F; A connects on its 2nd.
    # D's connect after its rejection would be its 3rd attempt, which it never reaches.
    expected = [
        (1, 6, 1, 1 / 6, 2, 1 / 3),
        (2, 3, 1, 1 / 3, 1, 1 / 3),
    ] + [(n, 0, 0, None, 0, None) for n in range(3, 11)]
    assert_rows(df, expected, CONVERSION_COLS)


def test_empty_filter_keeps_the_fixed_rows_with_zero_counts_and_null_rates(
    hand_ws: Path,
) -> None:
    none = metrics.Filters(owners=["nobody"])
    speed = run(hand_ws, "speed_to_lead", filters=none)
    assert speed["leads"].to_list() == [0] * 6
    assert speed["share"].null_count() == 6 and speed["sql_rate"].null_count() == 6
    assert run(hand_ws, "speed_to_lead", filters=none, by="source").height == 0
    follow = run(hand_ws, "followup", filters=none)
    assert follow["leads"].to_list() == [0] * 11
    assert run(hand_ws, "speed_to_lead_by_owner", filters=none).height == 0
    owner = run(hand_ws, "followup_by_owner", filters=none)
    assert_rows(
        owner,
        [("(all)", 0, None, None, None, None, 0, None, None, None, None, None)],
        OWNER_COLS,
    )
    conv = run(hand_ws, "attempt_conversion", filters=none)
    assert conv["leads_reaching"].to_list() == [0] * 10
    assert conv["connect_rate"].null_count() == 10


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


def test_sample_shows_faster_first_touch_converting_better(sample_workspace: Path) -> None:
    df = run(sample_workspace, "speed_to_lead")
    rate = dict(zip(df["speed_bucket"], df["sql_rate"], strict=True))
    assert rate["< 5 min"] > rate["< 1 h"] > rate["< 24 h"] > rate["< 72 h"] > rate["later"]
    assert df["leads"].sum() == 8164  # every handed-off lead of the sample, once


# --- the SQL against the Polars reference --------------------------------------------------


def compare(sql: pl.DataFrame, expected: pl.DataFrame, name: str) -> None:
    """Same columns, same rows in the same order; floats within 1e-9, nulls where nulls."""
    assert sql.columns == expected.columns, name
    assert sql.height == expected.height, (name, sql.height, expected.height)
    for c in sql.columns:
        a, b = sql[c], expected[c]
        assert (a.is_null() == b.is_null()).all(), (name, c)
        if a.dtype.is_float() or b.dtype.is_float():
            diff = (a.cast(pl.Float64) - b.cast(pl.Float64)).abs().fill_null(0.0)
            assert (diff <= 1e-9 * (1 + b.cast(pl.Float64).abs().fill_null(0.0))).all(), (name, c)
        else:
            assert a.cast(b.dtype).to_list() == b.to_list(), (name, c)


def check_all(
    path: Path,
    overrides: dict[str, Any] | None = None,
    filters: metrics.Filters | None = None,
    by: str | None = None,
) -> None:
    """Every follow-up metric on ``path`` equals its reference (``by`` for the by metrics).

    A workspace without activities (or, for the per-owner metrics, without owners) must make
    the metric refuse with MissingInputsError rather than report zeros.
    """
    s = metrics.resolve_settings({}, overrides)
    f = filters or metrics.Filters()
    rf = RefFilters(
        date_from=f.date_from,
        date_to=f.date_to,
        sources=f.sources,
        campaigns=f.campaigns,
        owners=f.owners,
    )
    t = tables_from_workspace(str(path))
    with duckdb.connect(str(path), read_only=True) as con:
        for name in NAMES:
            lacking = t["activities"].height == 0 or (
                "leads.owner" in metrics.get(name).needs
                and t["leads"]["owner"].null_count() == t["leads"].height
            )
            if lacking:
                with pytest.raises(MissingInputsError):
                    metrics.run(con, name, settings=s, filters=f)
                continue
            if name in BY_METRICS:
                got = metrics.run(con, name, settings=s, filters=f, by=by).frame
                want = REFERENCE[name](t, s, rf, by)
            else:
                got = metrics.run(con, name, settings=s, filters=f).frame
                want = REFERENCE[name](t, s, rf)
            compare(got, want, name)


def test_reference_agrees_on_the_hand_fixture(hand_ws: Path) -> None:
    check_all(hand_ws)
    check_all(hand_ws, {"attempt_outbound_only": False}, by="owner")


def test_sql_matches_the_reference_on_the_sample_with_defaults(sample_workspace: Path) -> None:
    check_all(sample_workspace)


def test_sql_matches_the_reference_on_the_sample_by_source(sample_workspace: Path) -> None:
    check_all(sample_workspace, by="source")


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
    check_all(sample_workspace, overrides, by="month")


def test_sql_matches_the_reference_on_the_sample_with_filters(sample_workspace: Path) -> None:
    f = metrics.Filters(
        date_from=dt.date(2026, 2, 1),
        date_to=dt.date(2026, 4, 30),
        sources=["Zalo OA", "Referral", "Google Ads"],
        owners=["Vũ Thị Lan", "Đỗ Quang Huy", "Nguyễn Văn An"],
    )
    check_all(sample_workspace, {"sla_hours": 4}, f, by="owner")


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
        check_all(path, overrides, by=by)


def test_documented_columns_are_exactly_the_output_columns(hand_ws: Path) -> None:
    for name in NAMES:
        metric = metrics.get(name)
        assert metric.supports_by == (name in BY_METRICS), name
        assert list(run(hand_ws, name).columns) == list(metric.columns), name


# --- inbound contact -------------------------------------------------------------------------
#
# lead handoff      activities                                           now = 03-01 00:00
# P    02-01 00:00  call out 02-01 01:00 no answer, call IN 02-02 00:00 connected (27 d ago)
# Q    02-01 00:00  call IN 02-01 02:00 connected (120 min after the handoff), nothing else
# R    02-01 00:00  email IN 02-01 00:30 "received" (not a connect outcome), nothing else


@pytest.fixture(scope="module")
def inbound_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    leads = [
        _lead("P", "2025-02-01 00:00", "An", "2025-02-01 00:00"),
        _lead("Q", "2025-02-01 00:00", "An", "2025-02-01 00:00"),
        _lead("R", "2025-02-01 00:00", "An", "2025-02-01 00:00"),
        _lead("Z", "2025-03-01 00:00", None, None),
    ]
    acts = [
        _act(1, "P", "2025-02-01 01:00", "call", "outbound", "no answer"),
        _act(2, "P", "2025-02-02 00:00", "call", "inbound", "connected"),
        _act(3, "Q", "2025-02-01 02:00", "call", "inbound", "connected"),
        _act(4, "R", "2025-02-01 00:30", "email", "inbound", "received"),
    ]
    tables = {"leads": frame("leads", leads), "activities": frame("activities", acts)}
    return workspace_from_frames(tmp_path_factory.mktemp("inbound") / "w.duckdb", tables)


def test_inbound_connected_call_is_contact_so_the_lead_is_not_given_up(inbound_ws: Path) -> None:
    with duckdb.connect(str(inbound_ws), read_only=True) as con:
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
    owner = run(inbound_ws, "followup_by_owner").filter(pl.col("owner") == "An")
    assert owner["given_up"].to_list() == [0]
    assert owner["connect_rate"].to_list() == [2 / 3]


def test_inbound_contact_can_be_switched_off(inbound_ws: Path) -> None:
    off = {"inbound_counts_as_contact": False}
    owner = run(inbound_ws, "followup_by_owner", off).filter(pl.col("owner") == "An")
    # P: one unanswered attempt, silent 28 days: given up; Q and R: never touched
    assert owner["given_up"].to_list() == [1]
    assert owner["connect_rate"].to_list() == [0.0]
    speed = run(inbound_ws, "speed_to_lead_by_owner", off).filter(pl.col("owner") == "An")
    assert speed["never_touched"].to_list() == [2]
    assert run(inbound_ws, "speed_to_lead_by_owner").filter(pl.col("owner") == "An")[
        "never_touched"
    ].to_list() == [1]


def test_reference_agrees_on_the_inbound_fixture(inbound_ws: Path) -> None:
    check_all(inbound_ws)
    check_all(inbound_ws, {"inbound_counts_as_contact": False})


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
    check_all(path)
