"""A big file loads in batches with the same result as read whole.

``dashboard.ingest.stream`` reads leads and activities files of at least ``MIN_BYTES``
in batches of ``BATCH_ROWS`` rows. Here both are made small so that the sample files
(and hand-written ones) load in several batches, and every stored table, note, warning
and error is compared with the same files read whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from dashboard.errors import HandoffError
from dashboard.ingest import stream
from dashboard.workspace import Workspace
from tests.conftest import SAMPLE

BATCH = 4_000


@pytest.fixture
def batched(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every leads and activities file is read in batches of BATCH rows."""
    monkeypatch.setattr(stream, "MIN_BYTES", 0)
    monkeypatch.setattr(stream, "BATCH_ROWS", BATCH)
    yield


def _load(ws_path: Path, files: list[Path], *, batches: bool, monkeypatch: pytest.MonkeyPatch):
    """Load ``files`` in batches or whole; the stored tables, the report and the progress."""
    monkeypatch.setattr(stream, "MIN_BYTES", 0 if batches else 1 << 62)
    monkeypatch.setattr(stream, "BATCH_ROWS", BATCH)
    seen: list[stream.Progress] = []
    with Workspace(ws_path) as ws:
        report = ws.load(files, progress=seen.append)
    with Workspace(ws_path, read_only=True) as ws:
        tables = {
            name: _sort(ws.query(f'SELECT * FROM "{name}"'))
            for name in ("leads", "deals", "activities", "spend", "lead_merges")
        }
        log = ws.query("SELECT file_name, table_name, rows, mapping, notes FROM load_log")
        warnings = ws.query("SELECT * EXCLUDE (batch_id) FROM load_warnings")
    return tables, report, log, warnings, seen


def _sort(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(frame.columns, nulls_last=True)


def test_sample_files_in_batches_store_what_a_whole_read_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = [SAMPLE / f for f in ("leads.csv", "deals.csv", "activities.csv", "spend.csv")]
    whole = _load(tmp_path / "whole.duckdb", files, batches=False, monkeypatch=monkeypatch)
    parts = _load(tmp_path / "parts.duckdb", files, batches=True, monkeypatch=monkeypatch)
    for name, frame in whole[0].items():
        assert frame.height or name == "lead_merges", name
        assert parts[0][name].columns == frame.columns, name
        assert _sort(parts[0][name]).equals(_sort(frame)), name
    assert whole[1].counts == parts[1].counts
    assert [f.notes for f in whole[1].files] == [f.notes for f in parts[1].files]
    assert [w.message for w in whole[1].warnings] == [w.message for w in parts[1].warnings]
    assert whole[2].equals(parts[2])
    assert _sort(whole[3]).equals(_sort(parts[3]))
    # the leads and the activities were read in several batches; whole, once per file
    running = [p for p in parts[4] if not p.done]
    for name in ("leads.csv", "activities.csv"):
        counts = [p.rows for p in running if p.file == name]
        assert len(counts) >= 2, name
        assert counts == sorted(counts), name
    assert not [p for p in whole[4] if not p.done]
    assert {p.file for p in parts[4] if p.done} >= {"leads.csv", "activities.csv", "activities"}


def _activities(rows: int, *, when: str = "2025-01-02 10:{m:02d}", ids: str = "A{i}") -> str:
    lines = ["activity_id,lead_id,occurred_at,type,owner"]
    for i in range(rows):
        stamp = when.format(m=i % 60, d=f"{i % 12 + 1:02d}")
        lines.append(f"{ids.format(i=i)},L{i % 7},{stamp},call,An")
    return "\n".join(lines) + "\n"


def test_a_staged_activities_file_is_written_in_several_parts(
    tmp_path: Path, batched: None
) -> None:
    path = tmp_path / "activities.csv"
    path.write_text(_activities(3 * BATCH + 17))
    with Workspace(tmp_path / "ws.duckdb") as ws:
        [prepared] = ws.prepare([path])
        staged = prepared.canonical.staged
        assert staged is not None and len(staged.parts) >= 3
        assert prepared.canonical.rows == 3 * BATCH + 17
        assert prepared.canonical.frame.height == 20  # a preview, the rows are on disk
        ws.commit([prepared])
        stored = ws.query("SELECT activity_id FROM activities")["activity_id"].to_list()
    assert sorted(stored) == sorted(f"A{i}" for i in range(3 * BATCH + 17))
    assert not staged.folder.exists()  # the parts go once they are stored


def _outcome(path: Path, ws_path: Path) -> tuple[str, object]:
    try:
        with Workspace(ws_path) as ws:
            [prepared] = ws.prepare([path])
            staged = prepared.canonical.staged is not None
            ws.commit([prepared])
            rows = ws.query('SELECT * FROM "activities"').sort("activity_id")
        return "loaded", (rows, prepared.canonical.notes, staged)
    except HandoffError as exc:
        return "refused", str(exc)


@pytest.mark.parametrize(
    ("case", "text"),
    [
        # a bad date in the last batch: the message names its spreadsheet row
        (
            "bad date late",
            _activities(2 * BATCH) + f"A{2 * BATCH},L1,not a date,call,An\n",
        ),
        # only the last batch says the dates are day-first
        (
            "day-first decided late",
            _activities(2 * BATCH, when="{d}/{d}/2025") + f"A{2 * BATCH},L1,25/03/2025,call,An\n",
        ),
        # day-first and month-first evidence in different batches, as many of each
        (
            "ambiguous order",
            _activities(2 * BATCH, when="{d}/{d}/2025")
            + f"A{2 * BATCH},L1,25/03/2025,call,An\nA{2 * BATCH + 1},L1,03/25/2025,call,An\n",
        ),
        # ids written 12345.0 in the first batches only
        ("whole floats", _activities(BATCH, ids="{i}.0") + _activities(BATCH).split("\n", 1)[1]),
        # the same id in two batches
        ("duplicate ids", _activities(2 * BATCH) + "A1,L1,2025-01-02 10:00,call,An\n"),
        # Windows line breaks
        ("crlf", _activities(2 * BATCH).replace("\n", "\r\n")),
        # an empty row in the middle
        ("empty row", _activities(BATCH) + ",,,,\n" + _activities(BATCH).split("\n", 1)[1]),
        # a blank line in the last batch (DuckDB would skip it; a whole read does not)
        (
            "blank line late",
            _activities(2 * BATCH) + "\n" + f"A{2 * BATCH},L1,2025-01-02,call,An\n",
        ),
        ("blank crlf line", (_activities(2 * BATCH) + "\n").replace("\n", "\r\n")),
        # a quoted value over two lines, and a last line without a break
        (
            "quoted break",
            _activities(2 * BATCH) + f'A{2 * BATCH},L1,2025-01-02,call,"An\nBinh"\n',
        ),
        ("no last break", _activities(2 * BATCH).rstrip("\n")),
    ],
)
def test_a_file_that_needs_the_whole_column_gets_the_whole_file_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str, text: str
) -> None:
    path = tmp_path / "activities.csv"
    path.write_text(text)
    monkeypatch.setattr(stream, "BATCH_ROWS", BATCH)
    monkeypatch.setattr(stream, "MIN_BYTES", 1 << 62)
    whole = _outcome(path, tmp_path / "whole.duckdb")
    monkeypatch.setattr(stream, "MIN_BYTES", 0)
    parts = _outcome(path, tmp_path / "parts.duckdb")
    assert parts[0] == whole[0], case
    if whole[0] == "refused":
        assert parts[1] == whole[1], case
    else:
        rows, notes, staged = parts[1]  # type: ignore[misc]
        assert rows.equals(whole[1][0]), case  # type: ignore[index]
        assert notes == whole[1][1], case  # type: ignore[index]
        # line breaks alone are no reason to read a file whole
        assert staged or case not in {"crlf", "quoted break", "no last break"}, case
    expected = {
        "bad date late": "refused",
        "day-first decided late": "loaded",
        "ambiguous order": "refused",
        "whole floats": "loaded",
        "duplicate ids": "refused",
        "empty row": "refused",
        "crlf": "loaded",
        "blank line late": "refused",
        "blank crlf line": "loaded",
        "quoted break": "loaded",
        "no last break": "loaded",
    }
    assert whole[0] == expected[case], whole


def test_appending_a_batched_file_replaces_the_rows_it_repeats(
    tmp_path: Path, batched: None
) -> None:
    first = tmp_path / "first.csv"
    first.write_text(_activities(2 * BATCH))
    again = tmp_path / "again.csv"  # the last BATCH rows again, then BATCH new ones
    rows = _activities(3 * BATCH).split("\n")
    again.write_text("\n".join([rows[0], *rows[1 + BATCH :]]))
    with Workspace(tmp_path / "ws.duckdb") as ws:
        ws.load([first])
        [prepared] = ws.prepare([again])
        assert prepared.canonical.staged is not None
        impact = ws.impact([prepared], append=True)
        assert impact.tables["activities"] == (2 * BATCH, 2 * BATCH, BATCH)
        ws.commit([prepared], append=True)
        assert ws.counts()["activities"] == 3 * BATCH


def test_invalid_utf8_past_the_first_batches_reads_as_a_whole_file_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "activities.csv"
    # a Windows-1252 owner name far past the sample the encoding is detected from
    late = f"A{3 * BATCH},L1,2025-01-02 10:00,call,".encode() + "Bích Hà".encode("cp1252")
    path.write_bytes(_activities(3 * BATCH).encode() + late + b"\n")
    monkeypatch.setattr(stream, "SAMPLE_BYTES", 4096)
    monkeypatch.setattr(stream, "BATCH_ROWS", BATCH)
    monkeypatch.setattr(stream, "MIN_BYTES", 1 << 62)
    whole = _outcome(path, tmp_path / "whole.duckdb")
    monkeypatch.setattr(stream, "MIN_BYTES", 0)
    parts = _outcome(path, tmp_path / "parts.duckdb")
    assert parts[0] == whole[0]
    if whole[0] == "loaded":
        assert parts[1][0].equals(whole[1][0])  # type: ignore[index]
        assert parts[1][1] == whole[1][1]  # type: ignore[index]
    else:
        assert parts[1] == whole[1]
