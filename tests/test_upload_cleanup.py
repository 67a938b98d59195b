"""Uploaded raw files are deleted as soon as the Data page has read and loaded them: no
``handoff-upload-*`` folder stays in the temporary directory after a load, a failed load or
a preview."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO

APP = str(REPO / "dashboard" / "app.py")
LEADS = b"lead_id,created_at,source\nA,2026-01-01,Web\nB,2026-01-02,Referral\n"
# a lead id twice: the load is refused with a message, nothing is stored
DUPLICATES = b"lead_id,created_at,source\nA,2026-01-01,Web\nA,2026-01-02,Referral\n"


@pytest.fixture
def tmpdir_(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A private temporary directory for everything the page writes with ``tempfile``."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _data_page(monkeypatch: pytest.MonkeyPatch, workspace: Path) -> AppTest:
    monkeypatch.setenv("HANDOFF_WORKSPACE", str(workspace))
    from dashboard import ui

    ui.clear_caches()
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("views/data.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _left(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("handoff-upload-*"))


def test_a_preview_leaves_no_uploaded_file_behind(monkeypatch, tmp_path, tmpdir_) -> None:
    at = _data_page(monkeypatch, tmp_path / "ws.duckdb")
    at.file_uploader(key="uploader").upload("leads.csv", LEADS, "text/csv").run()
    assert not at.exception, [e.message for e in at.exception]
    shown = [m.value.replace("\\", "") for m in at.markdown]
    assert any("leads.csv" in m for m in shown), "the file was read and shown"
    assert _left(tmpdir_) == []


def test_a_successful_load_leaves_no_uploaded_file_behind(monkeypatch, tmp_path, tmpdir_) -> None:
    ws = tmp_path / "ws.duckdb"
    at = _data_page(monkeypatch, ws)
    at.file_uploader(key="uploader").upload("leads.csv", LEADS, "text/csv").run()
    at.button(key="load").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.success, "the load reported success"
    assert ws.exists()
    assert _left(tmpdir_) == []
    # the next run (the uploader still holds the file) reads it again and deletes it again
    at.run()
    assert _left(tmpdir_) == []


def test_a_file_refused_while_reading_leaves_no_uploaded_file_behind(
    monkeypatch, tmp_path, tmpdir_
) -> None:
    at = _data_page(monkeypatch, tmp_path / "ws.duckdb")
    at.file_uploader(key="uploader").upload("leads.csv", DUPLICATES, "text/csv").run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("duplicated" in e.value for e in at.error), "the file was refused with a message"
    assert _left(tmpdir_) == []


def test_a_failed_load_leaves_no_uploaded_file_behind(monkeypatch, tmp_path, tmpdir_) -> None:
    from dashboard.errors import HandoffError
    from dashboard.workspace import Workspace

    def refused(self, *args, **kwargs):
        raise HandoffError("the workspace refused the load")

    monkeypatch.setattr(Workspace, "commit", refused)
    at = _data_page(monkeypatch, tmp_path / "ws.duckdb")
    at.file_uploader(key="uploader").upload("leads.csv", LEADS, "text/csv").run()
    at.button(key="load").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("refused" in e.value for e in at.error), "the load failed with a message"
    assert _left(tmpdir_) == []


def test_an_unexpected_error_while_reading_leaves_no_uploaded_file_behind(
    monkeypatch, tmp_path, tmpdir_
) -> None:
    from dashboard.workspace import Workspace

    def broken(self, *args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Workspace, "prepare", broken)
    at = _data_page(monkeypatch, tmp_path / "ws.duckdb")
    at.file_uploader(key="uploader").upload("leads.csv", LEADS, "text/csv").run()
    assert at.exception, "the error reached the page"
    assert _left(tmpdir_) == []
