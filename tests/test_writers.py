"""A load while people are watching: readers keep the last committed data, writers take turns.

Other processes hold the workspace here the way a dashboard page or a second
``handoff load`` does: a helper process opens it (read-only, or for writing) and keeps it
open until the test lets it go.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import writer
from dashboard.workspace import Workspace
from tests.conftest import REPO

SAMPLE = REPO / "sample_data"
LEADS = SAMPLE / "leads.csv"

# a helper process: open the workspace as told, say "ready", wait for a line on stdin
HOLDER = """
import sys, duckdb
from dashboard.workspace import Workspace
path, how = sys.argv[1], sys.argv[2]
if how == "reader":
    con = duckdb.connect(path, read_only=True)
    con.execute("SELECT count(*) FROM leads").fetchall()
else:
    ws = Workspace(path)
    ws.set_settings({"sla_hours": 48}, author="test", reason="a load in progress")
print("ready", flush=True)
sys.stdin.readline()
if how == "writer":
    ws.close()
"""


@contextmanager
def held(path: Path, how: str) -> Iterator[subprocess.Popen[str]]:
    """Another process holding ``path`` open (``reader``, or ``writer`` mid-change)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path), how],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.strip() == "ready", proc.stderr.read() if proc.stderr else line
        yield proc
    finally:
        if proc.poll() is None:
            assert proc.stdin is not None
            proc.stdin.write("\n")
            proc.stdin.flush()
            proc.wait(timeout=60)


def handoff(*args: object, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the ``handoff`` command in its own process, as a user does."""
    return subprocess.run(
        [sys.executable, "-m", "dashboard.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def overview(path: Path) -> dict:
    out = handoff("metric", "overview", "--workspace", path, "--format", "json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def sla(path: Path) -> float:
    """The SLA setting stored in the published workspace."""
    with Workspace(path, read_only=True) as ws:
        return float(ws.settings()["sla_hours"])


def test_a_load_succeeds_while_a_page_holds_the_workspace(sample_copy: Path) -> None:
    # before: "cannot open the workspace ... close other programs using it"
    with held(sample_copy, "reader"):
        out = handoff("load", LEADS, "--append", "--workspace", sample_copy)
        assert out.returncode == 0, out.stderr
        assert "loaded 1 file(s) (append)" in out.stdout


def test_readers_see_the_last_committed_data_during_a_load(sample_copy: Path) -> None:
    before = overview(sample_copy)
    with held(sample_copy, "writer"):
        # before: a page or `handoff metric` failed with "cannot open the workspace"
        assert overview(sample_copy) == before
        assert writer.writer_active(sample_copy)
        assert sla(sample_copy) == 24  # the change in progress is not visible yet
    assert not writer.writer_active(sample_copy)
    assert sla(sample_copy) == 48  # published whole when the writer finished


def test_a_second_writer_waits_a_bounded_time_then_stops_cleanly(sample_copy: Path) -> None:
    with held(sample_copy, "writer") as proc:
        started = time.monotonic()
        out = handoff("load", LEADS, "--workspace", sample_copy, env={"HANDOFF_LOCK_WAIT": "1"})
        waited = time.monotonic() - started
    assert out.returncode == 2, out.stderr
    assert "Traceback" not in out.stderr
    assert "another load or settings change is writing" in out.stderr
    assert f"process {proc.pid}" in out.stderr
    assert "HANDOFF_LOCK_WAIT" in out.stderr
    assert waited >= 1  # it did wait before giving up
    assert sla(sample_copy) == 48  # the first writer's change is kept


def test_a_second_writer_that_waits_long_enough_goes_after_the_first(sample_copy: Path) -> None:
    with held(sample_copy, "writer"):
        second = subprocess.Popen(
            [sys.executable, "-m", "dashboard.cli", "settings", "--set", "sla_hours=72",
             "--author", "b", "--reason", "second", "--workspace", str(sample_copy)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
            env={**os.environ, "HANDOFF_LOCK_WAIT": "120"},
        )  # fmt: skip
    # it waited for the lock rather than failing, and went after the first writer: had it
    # written first, the first writer's publish (48) would have replaced its 72
    _, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert sla(sample_copy) == 72  # applied on top of the first change, not lost


def test_a_bad_lock_wait_is_a_clear_error(sample_copy: Path) -> None:
    out = handoff("load", LEADS, "--workspace", sample_copy, env={"HANDOFF_LOCK_WAIT": "soon"})
    assert out.returncode == 2
    assert "HANDOFF_LOCK_WAIT=soon is not a number of seconds" in out.stderr


def test_a_failed_change_leaves_the_file_and_no_copy(sample_copy: Path) -> None:
    before = sample_copy.read_bytes()
    with pytest.raises(RuntimeError), Workspace(sample_copy) as ws:
        ws.set_settings({"sla_hours": 72}, author="a", reason="b")
        raise RuntimeError("the change fails after writing")
    assert sample_copy.read_bytes() == before
    assert not writer.work_path(sample_copy).exists()
    assert not writer.writer_active(sample_copy)


def test_a_copy_left_by_a_crashed_writer_is_discarded(sample_copy: Path) -> None:
    writer.work_path(sample_copy).write_bytes(b"half a workspace")
    with Workspace(sample_copy) as ws:
        ws.set_settings({"sla_hours": 36}, author="a", reason="b")
    assert sla(sample_copy) == 36
    assert not writer.work_path(sample_copy).exists()


def test_a_page_during_a_load_shows_the_last_data_and_a_note(
    sample_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HANDOFF_WORKSPACE", str(sample_copy))
    with held(sample_copy, "writer"):
        at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=120)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert not at.error, [e.value for e in at.error]
        notes = [i.value for i in at.info]
        assert any("A load is running" in n for n in notes), notes
        # the page shows figures from the committed data, not an error box
        assert at.metric, "the first page shows its tiles"
