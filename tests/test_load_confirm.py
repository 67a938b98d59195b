"""Never lose data by accident: the Data page says what a load will do, asks for a
confirmation before it removes stored rows or leaves deals without their lead, warns about a
file loaded before, and keeps "Load" off once the files are loaded."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.i18n import t
from tests.conftest import REPO, SAMPLE

APP = str(REPO / "dashboard" / "app.py")
# 50 new leads, none of the sample's ids
SMALL = ("lead_id,created_at,source\n" + "".join(
    f"N{i},2026-01-{1 + i % 28:02d},Web\n" for i in range(50)
)).encode()  # fmt: skip


def _data_page(monkeypatch: pytest.MonkeyPatch, workspace: Path) -> AppTest:
    monkeypatch.setenv("HANDOFF_WORKSPACE", str(workspace))
    from dashboard import ui

    ui.clear_caches()
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.switch_page("views/data.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _count(path: Path, table: str) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])
    finally:
        con.close()


def _orphans(path: Path, table: str) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return int(
            con.execute(
                f"SELECT count(*) FROM {table} WHERE lead_id IS NOT NULL "
                "AND lead_id NOT IN (SELECT 'N' || i::VARCHAR FROM range(50) r(i))"
            ).fetchall()[0][0]
        )
    finally:
        con.close()


def test_a_small_file_replacing_the_leads_needs_a_confirmation(
    monkeypatch, sample_workspace, tmp_path
) -> None:
    # before: one 50-row upload replaced 20,000 leads and orphaned every deal and activity
    # with no question asked
    ws = tmp_path / "ws.duckdb"
    shutil.copy(sample_workspace, ws)
    leads, deals = _count(ws, "leads"), _count(ws, "deals")
    linked_deals = _orphans(ws, "deals")
    at = _data_page(monkeypatch, ws)
    at.file_uploader(key="uploader").upload("leads.csv", SMALL, "text/csv").run()
    assert not at.exception, [e.message for e in at.exception]
    [warning] = [w.value for w in at.warning if t("data.will_do", "en") in w.value]
    assert f"replace the {leads:,} stored rows with the 50 rows" in warning
    assert f"**{linked_deals:,} stored deals** will point at a lead" in warning
    assert at.button(key="load").disabled
    assert _count(ws, "leads") == leads
    # confirmed: the load goes ahead, and Load stays off for the same files afterwards
    [box] = [c for c in at.checkbox if c.label == t("data.confirm_loss", "en")]
    box.check().run()
    assert not at.button(key="load").disabled
    at.button(key="load").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert _count(ws, "leads") == 50 and _count(ws, "deals") == deals
    assert at.button(key="load").disabled
    assert t("data.already_done", "en") in [s.value for s in at.success]


def test_appending_needs_no_confirmation_and_says_what_it_adds(
    monkeypatch, sample_workspace, tmp_path
) -> None:
    ws = tmp_path / "ws.duckdb"
    shutil.copy(sample_workspace, ws)
    at = _data_page(monkeypatch, ws)
    at.file_uploader(key="uploader").upload("leads.csv", SMALL, "text/csv").run()
    at.toggle(key="append").set_value(True).run()
    assert not at.warning or all(t("data.will_do", "en") not in w.value for w in at.warning)
    [note] = [i.value for i in at.info if t("data.will_do", "en") in i.value]
    assert "add 50 rows, of which 0 replace a stored row" in note
    assert not at.button(key="load").disabled


def test_a_file_loaded_before_is_named(monkeypatch, sample_workspace, tmp_path) -> None:
    ws = tmp_path / "ws.duckdb"
    shutil.copy(sample_workspace, ws)
    at = _data_page(monkeypatch, ws)
    content = (SAMPLE / "spend.csv").read_bytes()
    at.file_uploader(key="uploader").upload("spend.csv", content, "text/csv").run()
    assert not at.exception, [e.message for e in at.exception]
    shown = " ".join(i.value for i in [*at.info, *at.warning]).replace("\\", "")
    assert "spend.csv (the same content) was already loaded on" in shown


def test_a_new_workspace_opens_on_the_data_page_and_takes_a_first_upload(
    monkeypatch, tmp_path
) -> None:
    # before: `handoff serve` refused a workspace that did not exist yet
    from dashboard import cli

    ws = tmp_path / "new.duckdb"
    args = cli.build_parser().parse_args(["serve", "-w", str(ws)])
    cmd, env, _ = cli.serve_plan(args)
    assert env["HANDOFF_WORKSPACE"] == str(ws.resolve()) and cmd
    missing = cli.build_parser().parse_args(["serve", "-w", str(tmp_path / "no" / "w.duckdb")])
    with pytest.raises(cli.HandoffError, match="does not exist"):
        cli.serve_plan(missing)

    monkeypatch.setenv("HANDOFF_WORKSPACE", str(ws))
    from dashboard import ui

    ui.clear_caches()
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert [h.value for h in at.title][:1] == [t("pages.data", "en")]
    assert t("data.first_upload", "en") in [i.value for i in at.info]
    at.file_uploader(key="uploader").upload("leads.csv", SMALL, "text/csv").run()
    # nothing is stored yet: no question, a note of what the load does is not needed
    assert not at.button(key="load").disabled
    at.button(key="load").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert _count(ws, "leads") == 50
