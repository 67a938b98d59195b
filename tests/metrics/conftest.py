"""Hand-worked workspaces the metric tests share, built once per test module.

Each fixture's rows and the numbers worked out from them are described in the helper module
beside it (``tests/metrics/_FAMILY.py``) or in the test file of its metric.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from tests.builders import frame, workspace_from_frames
from tests.metrics import _followup
from tests.metrics._callouts import _tables
from tests.metrics._followup import _act, hand_tables
from tests.metrics._funnel import _fixture_tables
from tests.metrics._handoff import FIXTURE_DEALS, FIXTURE_HISTORY, FIXTURE_LEADS
from tests.metrics._quality import D, _deal, _lead
from tests.metrics._revenue import _lift_tables, _revenue_tables
from tests.metrics._unlinked import unlinked_tables
from tests.reference.base import tables_from_workspace


@pytest.fixture(scope="module")
def funnel_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("funnel") / "w.duckdb"
    return workspace_from_frames(path, _fixture_tables())


@pytest.fixture(scope="module")
def sample_tables(sample_workspace: Path) -> dict[str, pl.DataFrame]:
    return tables_from_workspace(str(sample_workspace))


# ---------------------------------------------------------------- the data time zone
#
# Times are stored in UTC; Ho Chi Minh City is UTC+7 all year.
# lead  created (UTC)      on the team's clock (Asia/Ho_Chi_Minh)
# L1    2026-02-28 20:00   2026-03-01 03:00  -> March, not February
# L2    2026-02-28 16:59   2026-02-28 23:59  -> February either way
# L3    2026-03-31 17:00   2026-04-01 00:00  -> April, not March


@pytest.fixture(scope="module")
def funnel_tz_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    leads = frame(
        "leads",
        [
            {"lead_id": "L1", "created_at": dt.datetime(2026, 2, 28, 20, 0)},
            {"lead_id": "L2", "created_at": dt.datetime(2026, 2, 28, 16, 59)},
            {"lead_id": "L3", "created_at": dt.datetime(2026, 3, 31, 17, 0)},
        ],
    )
    return workspace_from_frames(tmp_path_factory.mktemp("tz") / "w.duckdb", {"leads": leads})


@pytest.fixture(scope="module")
def followup_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("followup") / "hand.duckdb"
    return workspace_from_frames(path, hand_tables())


# --- inbound contact -------------------------------------------------------------------------
#
# lead handoff      activities                                           now = 03-01 00:00
# P    02-01 00:00  call out 02-01 01:00 no answer, call IN 02-02 00:00 connected (27 d ago)
# Q    02-01 00:00  call IN 02-01 02:00 connected (120 min after the handoff), nothing else
# R    02-01 00:00  email IN 02-01 00:30 "received" (not a connect outcome), nothing else


@pytest.fixture(scope="module")
def followup_inbound_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    leads = [
        _followup._lead("P", "2025-02-01 00:00", "An", "2025-02-01 00:00"),
        _followup._lead("Q", "2025-02-01 00:00", "An", "2025-02-01 00:00"),
        _followup._lead("R", "2025-02-01 00:00", "An", "2025-02-01 00:00"),
        _followup._lead("Z", "2025-03-01 00:00", None, None),
    ]
    acts = [
        _act(1, "P", "2025-02-01 01:00", "call", "outbound", "no answer"),
        _act(2, "P", "2025-02-02 00:00", "call", "inbound", "connected"),
        _act(3, "Q", "2025-02-01 02:00", "call", "inbound", "connected"),
        _act(4, "R", "2025-02-01 00:30", "email", "inbound", "received"),
    ]
    tables = {"leads": frame("leads", leads), "activities": frame("activities", acts)}
    return workspace_from_frames(tmp_path_factory.mktemp("inbound") / "w.duckdb", tables)


@pytest.fixture(scope="module")
def handoff_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("handoff") / "fixture.duckdb"
    return workspace_from_frames(
        path,
        {
            "leads": frame("leads", FIXTURE_LEADS),
            "deals": frame("deals", FIXTURE_DEALS),
            "stage_history": frame("stage_history", FIXTURE_HISTORY),
        },
    )


@pytest.fixture(scope="module")
def verdicts_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    jan = D("2025-01-03", "09:00")
    leads = [
        _lead("L1", jan, True, accepted_at=D("2025-01-04"), sql_at=D("2025-01-05")),
        _lead(
            "L2",
            jan,
            True,
            source="Zalo",
            rejected_at=D("2025-01-10", "12:00"),
            rejection_reason="No budget",
        ),
        _lead("L3", jan, True, rejected_at=D("2025-01-20"), rejection_reason="Bad timing"),
        _lead("L4", jan, True),
        _lead("L5", jan, False, source="Zalo"),
        _lead("L6", D("2025-01-31", "23:59"), False, rejected_at=D("2025-02-02")),
        _lead("L7", D("2025-02-01", "00:00"), False, accepted_at=D("2025-02-02")),
        _lead("L8", jan, True, accepted_at=D("2025-01-04")),
        _lead("L9", jan, False),
    ]
    deals = [
        _deal("D1", "L1", "won", 100.0, "2025-02-01"),
        _deal("D2", "L2", "won", 200.0, "2025-03-01", created_at=D("2025-02-01")),
        _deal("D3", "L2", "won", 50.0, "2025-01-05"),
        _deal("D4", "L3", "won", 300.0, "2025-01-15"),
        _deal("D5", "L5", "won", 400.0, "2025-04-01"),
        _deal("D9", "L5", "won", 5.0, "2025-05-01", currency="USD"),
        _deal("D6", "L7", "lost", 70.0, "2025-03-01"),
        _deal("D7", "L8", "open", 80.0, None),
        _deal("D8", None, "won", 999.0, "2025-02-01"),
    ]
    path = tmp_path_factory.mktemp("verdicts") / "w.duckdb"
    return workspace_from_frames(
        path, {"leads": frame("leads", leads), "deals": frame("deals", deals)}
    )


@pytest.fixture(scope="module")
def kappa_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = D("2025-01-05")
    acc = {"accepted_at": D("2025-01-06")}
    rej = {"rejected_at": D("2025-01-06")}
    leads = [
        _lead("P1", d, True, source="Perfect", **acc),
        _lead("P2", d, False, source="Perfect", **rej),
        _lead("S1", d, True, source="Same", **acc),
        _lead("S2", d, True, source="Same", **acc),
        _lead("C1", d, True, source="Constant", **acc),
        _lead("C2", d, True, source="Constant", **acc),
        _lead("C3", d, True, source="Constant", **rej),
        _lead("O1", d, True, source="Opposite", **rej),
        _lead("O2", d, False, source="Opposite", **acc),
        _lead("N1", d, True, source="Unworked"),
    ]
    path = tmp_path_factory.mktemp("kappa") / "w.duckdb"
    return workspace_from_frames(path, {"leads": frame("leads", leads)})


@pytest.fixture(scope="module")
def scores_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Scores without MQL dates (the threshold decides), owners, and an unscored lead.

    S1 10 won 100 (An, handed off) | S2 20 SQL (Bich, handed off) | S3 20 (An, not handed
    off) | S4 30 SQL won 300 (no owner) | S5 unscored (Minh). Created 01-01 .. 01-29.
    """
    leads = [
        {"lead_id": "S1", "created_at": D("2025-01-01"), "lead_score": 10.0, "owner": "An",
         "handed_off_at": D("2025-01-02"), "source": "Fixture"},
        {"lead_id": "S2", "created_at": D("2025-01-10"), "lead_score": 20.0, "owner": "Bich",
         "handed_off_at": D("2025-01-11"), "sql_at": D("2025-01-12"), "source": "Fixture"},
        {"lead_id": "S3", "created_at": D("2025-01-12"), "lead_score": 20.0, "owner": "An",
         "source": "Fixture"},
        {"lead_id": "S4", "created_at": D("2025-01-29"), "lead_score": 30.0,
         "sql_at": D("2025-02-01"), "source": "Fixture"},
        {"lead_id": "S5", "created_at": D("2025-01-15"), "owner": "Minh", "source": "Fixture"},
        # AUC special cases, reached with a source filter
        {"lead_id": "T1", "created_at": D("2025-01-01"), "lead_score": 50.0, "source": "Tied",
         "sql_at": D("2025-01-02")},
        {"lead_id": "T2", "created_at": D("2025-01-01"), "lead_score": 50.0, "source": "Tied"},
        {"lead_id": "P1", "created_at": D("2025-01-01"), "lead_score": 90.0, "source": "Perfect",
         "sql_at": D("2025-01-02")},
        {"lead_id": "P2", "created_at": D("2025-01-01"), "lead_score": 10.0, "source": "Perfect"},
        {"lead_id": "O1", "created_at": D("2025-01-01"), "lead_score": 10.0, "source": "One",
         "sql_at": D("2025-01-02")},
    ]  # fmt: skip
    # 25 leads with many ties: 5 at 40, 15 at 50 (every third an SQL), 5 at 70
    leads += [
        {"lead_id": f"E{i:02d}", "created_at": D("2025-01-01"),
         "lead_score": 40.0 if i < 5 else 50.0 if i < 20 else 70.0, "source": "Ties",
         "sql_at": D("2025-01-05") if 5 <= i < 20 and i % 3 == 0 else None}
        for i in range(25)
    ]  # fmt: skip
    # twelve leads scored 1..12 (ids out of score order) to check the decile cut
    leads += [
        {"lead_id": f"N{13 - i:02d}", "created_at": D("2025-01-01"), "lead_score": float(i),
         "source": "Twelve"}
        for i in range(1, 13)
    ]  # fmt: skip
    deals = [
        _deal("W1", "S1", "won", 100.0, "2025-02-01"),
        _deal("W2", "S4", "won", 300.0, "2025-02-10"),
        _deal("W3", "S4", "lost", 999.0, "2025-02-10"),
    ]
    path = tmp_path_factory.mktemp("scores") / "w.duckdb"
    return workspace_from_frames(
        path, {"leads": frame("leads", leads), "deals": frame("deals", deals)}
    )


@pytest.fixture(scope="module")
def revenue_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rev") / "w.duckdb"
    return workspace_from_frames(path, _revenue_tables())


@pytest.fixture(scope="module")
def lift_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return workspace_from_frames(tmp_path_factory.mktemp("lift") / "w.duckdb", _lift_tables())


@pytest.fixture(scope="module")
def callouts_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return workspace_from_frames(tmp_path_factory.mktemp("callouts") / "w.duckdb", _tables())


@pytest.fixture(scope="module")
def unlinked_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("unlinked") / "w.duckdb"
    return workspace_from_frames(path, unlinked_tables())
