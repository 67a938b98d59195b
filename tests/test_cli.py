"""The `handoff` command line: load, tables, check, settings, exit codes and messages."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import REPO, snapshot

LEADS = """
Lead ID,Created Date,Lead Source,Owner
A1,2025-01-02 09:00,Facebook Ads,An
A2,2025-01-03 09:00,Zalo OA,Bich
"""


def test_load_prints_what_it_recognised_and_tables_counts_as_json(run, write, ws_path) -> None:
    f = write("leads.csv", LEADS)
    r = run("load", f, "--workspace", ws_path)
    assert r.code == 0, r.err
    assert "leads.csv: leads" in r.out
    assert "Lead Source -> source" in r.out
    assert "leads 2" in r.out
    r = run("tables", "--workspace", ws_path, "--format", "json")
    assert r.code == 0
    assert json.loads(r.out) == {"leads": 2, "deals": 0, "activities": 0, "spend": 0}


def test_workspace_comes_from_the_environment(run, write, tmp_path, monkeypatch) -> None:
    target = tmp_path / "env.duckdb"
    monkeypatch.setenv("HANDOFF_WORKSPACE", str(target))
    assert run("load", write("leads.csv", LEADS)).code == 0
    assert target.exists()


def test_bad_input_exits_non_zero_with_one_paragraph_and_no_traceback(run, write, ws_path) -> None:
    ok = write("leads.csv", LEADS)
    run("load", ok, "--workspace", ws_path)
    before = snapshot(ws_path)
    bad = write("bad.csv", "Lead ID,Created Date\nA1,2025-01-02\nA1,2025-01-03\n")
    r = run("load", bad, "--workspace", ws_path)
    assert r.code == 2
    assert "Traceback" not in r.err
    assert "bad.csv" in r.err and "row 2" in r.err and "Fix:" in r.err
    assert snapshot(ws_path) == before


def test_one_bad_file_in_a_call_loads_nothing(run, write, ws_path) -> None:
    run("load", write("leads.csv", LEADS), "--workspace", ws_path)
    before = snapshot(ws_path)
    good = write("leads2.csv", "lead_id,created_at\nB1,2025-02-01\n")
    bad = write("deals.csv", "deal_id,created_at,amount\nD1,2025-02-01,abc\n")
    r = run("load", good, bad, "--workspace", ws_path)
    assert r.code == 2
    assert "deals.csv" in r.err and "amount" in r.err and "'abc'" in r.err
    assert snapshot(ws_path) == before


def test_debug_shows_the_traceback(run, write, ws_path) -> None:
    bad = write("bad.csv", "lead_id,created_at\nA1,never\n")
    r = run("--debug", "load", bad, "--workspace", ws_path)
    assert r.code == 2
    assert "Traceback" in r.err


def test_missing_file_is_a_clear_error(run, ws_path) -> None:
    r = run("load", "nope.csv", "--workspace", ws_path)
    assert r.code == 2 and "nope.csv does not exist" in r.err


def test_save_mapping_then_reuse_it(run, write, ws_path, tmp_path) -> None:
    f = write("export.csv", "Ref,Arrived,Channel\nX1,2025-01-02,Referral\nX2,2025-01-03,TikTok\n")
    mapping = write(
        "m.toml",
        """
        [leads]
        lead_id = "Ref"
        created_at = "Arrived"
        source = "Channel"
        """,
    )
    saved = tmp_path / "saved.toml"
    r = run("load", f, "--workspace", ws_path, "--mapping", mapping, "--save-mapping", saved)
    assert r.code == 0, r.err
    assert saved.exists()
    other = tmp_path / "other.duckdb"
    r = run("load", f, "--workspace", other, "--mapping", saved)
    assert r.code == 0, r.err
    assert "Channel -> source" in r.out


def test_reading_options_apply_to_one_load(run, write, ws_path) -> None:
    f = write("leads.csv", "lead_id,created_at\nA,03/05/2025\nB,04/06/2025\n")
    r = run("load", f, "--workspace", ws_path)
    assert r.code == 2 and "date" in r.err.lower()
    r = run("load", f, "--workspace", ws_path, "--set", "date_order=dmy")
    assert r.code == 0, r.err
    r = run("load", f, "--workspace", ws_path, "--set", "sla_hours=3")
    assert r.code == 2 and "not a reading option" in r.err


def test_check_reports_warnings_coverage_and_history(run, write, ws_path) -> None:
    leads = write("leads.csv", LEADS)
    deals = write("deals.csv", "deal_id,created_at,lead_id,amount\nD1,2025-02-01,ZZ,5\n")
    assert run("load", leads, deals, "--workspace", ws_path).code == 0
    r = run("check", "--workspace", ws_path)
    assert r.code == 0
    assert "1 deals point to leads that are not loaded" in r.out
    assert "leads.csv -> leads" in r.out
    assert "Empty columns" in r.out
    r = run("check", "--workspace", ws_path, "--format", "json")
    data = json.loads(r.out)
    assert data["counts"]["deals"] == 1
    assert data["warnings"][0]["rows"] == 1


def test_settings_show_and_change_with_validation(run, ws_path, write) -> None:
    run("load", write("leads.csv", LEADS), "--workspace", ws_path)
    r = run("settings", "--workspace", ws_path, "--set", "sla_hours=4", "--author", "Minh")
    assert r.code == 0
    assert json.loads(run("settings", "-w", ws_path, "--format", "json").out)["sla_hours"] == 4.0
    r = run("settings", "--workspace", ws_path, "--set", "cohort_basis=weekly")
    assert r.code == 2 and "cohort_basis" in r.err


def test_check_on_missing_workspace_says_how_to_start(run, tmp_path) -> None:
    r = run("check", "--workspace", tmp_path / "none.duckdb")
    assert r.code == 2 and "handoff demo" in r.err


def test_console_script_is_installed_in_the_project_venv() -> None:
    exe = REPO / ".venv" / "bin" / "handoff"
    out = subprocess.run([exe, "--help"], capture_output=True, text=True, check=True)
    for command in ("load", "tables", "check", "demo", "serve"):
        assert command in out.stdout


def test_demo_builds_the_sample_workspace_without_serving(run, tmp_path: Path) -> None:
    target = tmp_path / "demo.duckdb"
    r = run("demo", "--workspace", target, "--no-serve")
    assert r.code == 0, r.err
    counts = json.loads(run("tables", "-w", target, "--format", "json").out)
    assert counts["leads"] == 20_000
    assert counts["deals"] > 0 and counts["activities"] > 0 and counts["spend"] > 0
