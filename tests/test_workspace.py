"""The workspace: loading, replacing, appending, linking, personal data, atomicity."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dashboard import storing, writer
from dashboard.errors import HandoffError
from dashboard.workspace import Workspace
from tests.conftest import REPO, snapshot

LEADS = """
lead_id,created_at,source,owner,lead_score,mql_at,rejected_at,rejection_reason,email,phone
L1,2025-01-02 09:00,Facebook Ads,An,72,2025-01-02 10:00,,,an@example.com,0901 234 567
L2,2025-01-03 09:00,Zalo OA,Bich,40,,,,bich@example.com,
L3,2025-01-04 09:00,Zalo OA,An,65,2025-01-04 09:30,2025-01-05 09:00,No budget,,+84 912 000 111
"""

DEALS = """
deal_id,created_at,lead_id,stage,amount,currency
D1,2025-02-01 10:00,L1,Closed Won,"120,000,000",VND
D2,2025-02-03 10:00,L3,Closed Lost,"50,000,000",VND
D3,2025-02-04 10:00,,Negotiation,"10,000,000",VND
"""

ACTIVITIES = """
lead_id,occurred_at,type,direction,outcome,owner
L1,2025-01-02 10:05,call,outbound,connected,An
L1,2025-01-03 11:00,email,outbound,sent,An
L3,2025-01-04 12:00,call,outbound,no answer,An
"""


@pytest.fixture
def three_files(write) -> list[Path]:
    return [
        write("leads.csv", LEADS),
        write("deals.csv", DEALS),
        write("activities.csv", ACTIVITIES),
    ]


def test_load_gives_typed_canonical_tables(ws_path: Path, three_files: list[Path]) -> None:
    with Workspace(ws_path) as ws:
        report = ws.load(three_files)
        assert report.counts == {
            "leads": 3,
            "deals": 3,
            "activities": 3,
            "spend": 0,
            "stage_history": 0,
        }
        leads = ws.query("SELECT * FROM leads ORDER BY lead_id")
        assert leads["source"].to_list() == ["Facebook Ads", "Zalo OA", "Zalo OA"]
        assert leads["mql_at"].to_list()[0] == dt.datetime(2025, 1, 2, 10, 0)
        assert leads["lead_score"].to_list() == [72.0, 40.0, 65.0]
        deals = ws.query("SELECT * FROM deals ORDER BY deal_id")
        assert deals["amount"].to_list() == [120_000_000.0, 50_000_000.0, 10_000_000.0]
        assert deals["is_won"].to_list() == [True, False, False]
        assert deals["is_closed"].to_list() == [True, True, False]
        acts = ws.query("SELECT * FROM activities")
        assert acts["activity_id"].n_unique() == 3  # derived from content when absent


def test_raw_email_and_phone_never_reach_the_workspace_file(
    ws_path: Path, three_files: list[Path]
) -> None:
    with Workspace(ws_path) as ws:
        ws.load(three_files)
        assert "email" not in ws.columns("leads")
        hashes = ws.query("SELECT email_hash FROM leads ORDER BY lead_id")["email_hash"].to_list()
        assert hashes[0] is not None and len(hashes[0]) == 64
        assert hashes[2] is None
        ws.con.execute("CHECKPOINT")
    data = ws_path.read_bytes()
    for raw in (b"an@example.com", b"bich@example.com", b"0901 234 567", b"912 000 111"):
        assert raw not in data


def test_personal_data_can_be_dropped(ws_path: Path, three_files: list[Path]) -> None:
    with Workspace(ws_path) as ws:
        ws.load(three_files, options={"personal_data": "drop"})
        assert ws.query("SELECT count(email_hash) AS n FROM leads")["n"][0] == 0


def test_same_person_by_email_is_merged_and_links_follow(ws_path: Path, write) -> None:
    leads = write(
        "leads.csv",
        """
        lead_id,created_at,source,mql_at,email
        A,2025-01-01 08:00,Website form,,Lan@Example.com
        B,2025-01-05 08:00,Zalo OA,2025-01-05 09:00,lan@example.com
        C,2025-01-06 08:00,Referral,,c@example.com
        """,
    )
    deals = write(
        "deals.csv",
        """
        deal_id,created_at,lead_id,stage,amount
        D1,2025-02-01,B,Closed Won,100
        """,
    )
    with Workspace(ws_path) as ws:
        ws.load([leads, deals])
        rows = ws.query("SELECT lead_id, source, mql_at FROM leads ORDER BY lead_id").rows()
        # the earliest record is kept; the MQL reached under the duplicate is not lost
        assert rows == [
            ("A", "Website form", dt.datetime(2025, 1, 5, 9, 0)),
            ("C", "Referral", None),
        ]
        assert ws.query("SELECT lead_id FROM deals")["lead_id"].to_list() == ["A"]
        assert ws.query("SELECT * FROM lead_merges").rows() == [("B", "A", "email")]


@pytest.mark.parametrize(
    ("how", "source", "campaign"),
    [("first", "Website form", "Spring"), ("latest", "Zalo OA", "Tet")],
)
def test_duplicate_source_decides_which_lead_s_source_the_merged_lead_keeps(
    ws_path: Path, write, how: str, source: str, campaign: str
) -> None:
    leads = write(
        "leads.csv",
        """
        lead_id,created_at,source,campaign,email
        A,2025-01-01 08:00,Website form,Spring,lan@example.com
        B,2025-01-05 08:00,Zalo OA,Tet,LAN@example.com
        """,
    )
    with Workspace(ws_path) as ws:
        report = ws.load([leads], options={"duplicate_source": how})
        # the earliest lead is kept either way; only its attribution follows the setting
        assert ws.query("SELECT lead_id, source, campaign FROM leads").rows() == [
            ("A", source, campaign)
        ]
        notes = " ".join(n for f in report.files for n in f.notes)
        assert f"keeping the {'latest' if how == 'latest' else 'earliest'} lead's source" in notes


def test_loading_again_replaces_the_table(ws_path: Path, three_files: list[Path], write) -> None:
    with Workspace(ws_path) as ws:
        ws.load(three_files)
        ws.load([write("leads2.csv", "lead_id,created_at\nX1,2025-03-01\n")], table="leads")
        assert ws.counts()["leads"] == 1
        assert ws.counts()["deals"] == 3  # other tables untouched


def test_append_adds_rows_and_a_stored_id_is_replaced(
    ws_path: Path, three_files: list[Path], write
) -> None:
    more = write(
        "more.csv",
        """
        lead_id,created_at,source
        L3,2025-01-04 09:00,Trade show
        L4,2025-01-09 09:00,Referral
        """,
    )
    with Workspace(ws_path) as ws:
        ws.load(three_files)
        ws.load([more], table="leads", append=True)
        rows = ws.query("SELECT lead_id, source FROM leads ORDER BY lead_id").rows()
        assert rows == [
            ("L1", "Facebook Ads"),
            ("L2", "Zalo OA"),
            ("L3", "Trade show"),
            ("L4", "Referral"),
        ]


def test_duplicate_ids_are_an_error_naming_file_column_and_rows(ws_path: Path, write) -> None:
    bad = write(
        "dups.csv",
        """
        lead_id,created_at
        A,2025-01-01
        B,2025-01-02
        A,2025-01-03
        """,
    )
    with Workspace(ws_path) as ws, pytest.raises(HandoffError) as info:
        ws.load([bad])
    text = info.value.render()
    assert "dups.csv" in text and "lead_id" in text
    assert "row 2: 'A'" in text and "row 4: 'A'" in text
    assert "Fix:" in text


def test_same_id_in_two_files_of_one_load_is_an_error(ws_path: Path, write) -> None:
    a = write("a.csv", "lead_id,created_at\nA,2025-01-01\n")
    b = write("b.csv", "lead_id,created_at\nA,2025-01-02\n")
    with Workspace(ws_path) as ws, pytest.raises(HandoffError, match=r"a\.csv, b\.csv"):
        ws.load([a, b], table="leads")


def test_negative_amount_is_an_error(ws_path: Path, write) -> None:
    bad = write("deals.csv", "deal_id,created_at,amount\nD1,2025-01-01,100\nD2,2025-01-02,-5\n")
    with Workspace(ws_path) as ws, pytest.raises(HandoffError) as info:
        ws.load([bad], table="deals")
    assert "row 3: -5.0" in info.value.render()


def test_missing_required_column_says_how_to_map_it(ws_path: Path, write) -> None:
    bad = write("deals.csv", "deal_id,amount\nD1,100\n")
    with Workspace(ws_path) as ws, pytest.raises(HandoffError) as info:
        ws.load([bad], table="deals")
    text = info.value.render()
    assert "created_at" in text and "--mapping" in text


def test_unparseable_dates_name_the_rows(ws_path: Path, write) -> None:
    bad = write("leads.csv", "lead_id,created_at\nA,2025-01-01\nB,not a date\nC,2025-13-45\n")
    with Workspace(ws_path) as ws, pytest.raises(HandoffError) as info:
        ws.load([bad])
    text = info.value.render()
    assert "created_at" in text
    assert "row 3: 'not a date'" in text and "row 4: '2025-13-45'" in text


def test_salesforce_style_links_resolve_on_the_lead_side(ws_path: Path, write) -> None:
    leads = write(
        "leads.csv",
        """
        lead_id,created_at,converted_deal_id,converted_contact_id
        00Q000000000001AAA,2025-01-01,006000000000001AAA,003000000000001AAA
        00Q000000000002AAA,2025-01-02,006000000000002,
        """,
    )
    deals = write(
        "deals.csv",
        """
        deal_id,created_at,amount
        006000000000001AAA,2025-02-01,10
        006000000000002AAQ,2025-02-02,20
        """,
    )
    acts = write(
        "acts.csv",
        """
        lead_id,occurred_at,type
        003000000000001AAA,2025-01-03,call
        """,
    )
    with Workspace(ws_path) as ws:
        ws.load([leads, deals, acts])
        links = ws.query("SELECT deal_id, lead_id FROM deals ORDER BY deal_id").rows()
        assert links == [
            ("006000000000001AAA", "00Q000000000001AAA"),
            ("006000000000002AAQ", "00Q000000000002AAA"),  # 15-char id matches 18-char
        ]
        assert ws.query("SELECT lead_id FROM activities").rows() == [("00Q000000000001AAA",)]


def test_stage_history_fills_empty_stage_timestamps(ws_path: Path, write) -> None:
    leads = write(
        "leads.csv", "lead_id,created_at,mql_at\nA,2025-01-01,\nB,2025-01-01,2025-01-02\n"
    )
    history = write(
        "history.csv",
        """
        lead_id,stage,entered_at,reason
        A,Marketing Qualified Lead,2025-01-03 10:00,
        A,SAL,2025-01-04 10:00,
        B,MQL,2025-01-09 10:00,
        B,Disqualified,2025-01-10 10:00,No budget
        """,
    )
    with Workspace(ws_path) as ws:
        ws.load([leads, history], options={})
        rows = ws.query(
            "SELECT lead_id, mql_at, accepted_at, rejected_at, rejection_reason "
            "FROM leads ORDER BY lead_id"
        ).rows()
    assert rows == [
        ("A", dt.datetime(2025, 1, 3, 10), dt.datetime(2025, 1, 4, 10), None, None),
        # the leads file's own MQL date wins over the history
        ("B", dt.datetime(2025, 1, 2), None, dt.datetime(2025, 1, 10, 10), "No budget"),
    ]


def test_unknown_leads_and_stage_order_are_warnings_not_errors(ws_path: Path, write) -> None:
    leads = write(
        "leads.csv", "lead_id,created_at,mql_at,sql_at\nA,2025-01-05,2025-01-06,2025-01-04\n"
    )
    deals = write("deals.csv", "deal_id,created_at,lead_id\nD1,2025-02-01,ZZZ\n")
    with Workspace(ws_path) as ws:
        report = ws.load([leads, deals])
    messages = [w.message for w in report.warnings]
    assert any("1 deals point to leads that are not loaded" in m for m in messages)
    assert any("1 leads have sql_at before mql_at" in m for m in messages)


def test_load_log_records_file_hash_size_rows_and_mapping(
    ws_path: Path, three_files: list[Path]
) -> None:
    import hashlib

    with Workspace(ws_path) as ws:
        ws.load(three_files)
        log = ws.load_log().sort("load_id")
    assert log["file_name"].to_list() == ["leads.csv", "deals.csv", "activities.csv"]
    assert log["sha256"][0] == hashlib.sha256(three_files[0].read_bytes()).hexdigest()
    assert log["file_size"][0] == three_files[0].stat().st_size
    assert log["rows"].to_list() == [3, 3, 3]
    assert '"source": "source"' in log["mapping"][0]


def test_version_increases_with_loads_and_settings(ws_path: Path, three_files) -> None:
    with Workspace(ws_path) as ws:
        v0 = ws.version
        ws.load(three_files)
        v1 = ws.version
        ws.set_settings({"sla_hours": 4}, author="Hà", reason="new SLA")
        assert v0 < v1 < ws.version
        assert ws.settings()["sla_hours"] == 4.0
        log = ws.query("SELECT key, old_value, new_value, author, reason FROM settings_log")
        assert log.rows() == [("sla_hours", "24.0", "4.0", "Hà", "new SLA")]


# ---------------------------------------------------------------- atomicity


@pytest.mark.parametrize("exc", [RuntimeError("disk on fire"), KeyboardInterrupt()])
def test_failure_mid_load_leaves_the_workspace_exactly_as_before(
    ws_path: Path, three_files: list[Path], write, monkeypatch, exc: BaseException
) -> None:
    with Workspace(ws_path) as ws:
        ws.load(three_files)
    before = snapshot(ws_path)

    new_leads = write("new.csv", "lead_id,created_at,segment_tier\nN1,2025-05-01,gold\n")
    calls = {"n": 0}

    def boom(con: object) -> None:
        calls["n"] += 1
        raise exc

    # the leads table has already been replaced (and a column added) when this runs
    monkeypatch.setattr(storing, "link", boom)
    with Workspace(ws_path) as ws, pytest.raises(type(exc)):
        ws.load([new_leads, three_files[1]])
    assert calls["n"] == 1
    assert snapshot(ws_path) == before


def test_a_killed_load_leaves_the_workspace_as_before(
    ws_path: Path, three_files: list[Path], tmp_path: Path
) -> None:
    with Workspace(ws_path) as ws:
        ws.load(three_files)
    before = snapshot(ws_path)
    ready = tmp_path / "ready"
    script = f"""
import time
from pathlib import Path
from dashboard import storing
from dashboard.workspace import Workspace

def slow_link(con):
    Path({str(ready)!r}).write_text("x")
    time.sleep(60)

storing.link = slow_link
with Workspace({str(ws_path)!r}) as ws:
    ws.load([{str(three_files[0])!r}], append=False)
"""
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=REPO)
    try:
        for _ in range(300):
            if ready.exists():
                break
            time.sleep(0.1)
        assert ready.exists(), "the load never reached the point of the kill"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert snapshot(ws_path) == before
    # the next writer discards the killed one's copy and is not blocked by its lock
    with Workspace(ws_path, lock_wait=0) as ws:
        ws.set_settings({"sla_hours": 8}, author="a", reason="after the kill")
    assert not writer.work_path(ws_path).exists()
