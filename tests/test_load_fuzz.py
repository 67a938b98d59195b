"""Property tests: random and mutated files never crash `handoff load` or change a workspace.

Whatever the bytes, `handoff load` must either load them (exit 0) or explain the problem
(exit 2, one paragraph, no traceback), and on error the workspace content is unchanged.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import cli
from tests.conftest import snapshot

BASE = (
    "lead_id,created_at,source,owner,lead_score,mql_at,email\n"
    "L1,2025-01-02 09:00,Facebook Ads,An,72,2025-01-02 10:00,an@example.com\n"
    "L2,2025-01-03 09:00,Zalo OA,Bích,40,,b@example.com\n"
    "L3,2025-01-04 09:00,Zalo OA,An,65,2025-01-04 09:30,\n"
)

_BASELINE: dict[str, Path] = {}


def _baseline() -> Path:
    """A workspace with one successful load, built once; each example works on a copy."""
    if "path" not in _BASELINE:
        root = Path(tempfile.mkdtemp(prefix="handoff-fuzz-"))
        src = root / "leads.csv"
        src.write_text(BASE, encoding="utf-8")
        ws = root / "base.duckdb"
        assert cli.main(["load", str(src), "--workspace", str(ws)]) == 0
        _BASELINE["path"] = ws
        _BASELINE["snapshot"] = snapshot(ws)  # type: ignore[assignment]
    return _BASELINE["path"]


def _run_load(data: bytes, name: str, extra: list[str]) -> tuple[int, str, Path]:
    base = _baseline()
    work = Path(tempfile.mkdtemp(prefix="handoff-fuzz-"))
    ws = work / "ws.duckdb"
    shutil.copy(base, ws)
    f = work / name
    f.write_bytes(data)
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(["load", str(f), "--workspace", str(ws), *extra])
    return code, err.getvalue(), ws


def _check(code: int, err: str, ws: Path) -> None:
    assert code in (0, 2), f"exit {code}: {err}"
    assert "Traceback" not in err
    if code != 0:
        assert err.startswith("handoff: ")
        assert snapshot(ws) == _BASELINE["snapshot"]
    shutil.rmtree(ws.parent, ignore_errors=True)


cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            " ",
            "NULL",
            "-1",
            "1e309",
            "=cmd|' /C calc'!A0",
            "2025-02-30",
            "31/12/2025",
            "12/31/2025",
            "0",
            "1.234,5",
            "\x00",
            '"',
            "\n",
            ";",
            "\t",
            "Có",
            "đ",
        ]
    ),
)


@st.composite
def mutated_csv(draw: st.DrawFn) -> bytes:
    lines = BASE.splitlines()
    rows = [line.split(",") for line in lines]
    for _ in range(draw(st.integers(0, 6))):
        r = draw(st.integers(0, len(rows) - 1))
        c = draw(st.integers(0, len(rows[r]) - 1))
        rows[r][c] = draw(cells)
    if draw(st.booleans()):
        del rows[draw(st.integers(0, len(rows) - 1))]
    if draw(st.booleans()):
        col = draw(st.integers(0, len(rows[0]) - 1))
        for row in rows:
            if col < len(row):
                del row[col]
    sep = draw(st.sampled_from([",", ";", "\t", "|"]))
    text = "\n".join(sep.join(row) for row in rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]))
    data = text.encode(encoding, errors="replace")
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(data)))
        data = data[:cut]
    return data


FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.slow
@FUZZ
@given(data=mutated_csv(), as_table=st.sampled_from([[], ["--as", "leads"], ["--as", "deals"]]))
def test_mutated_csv_never_crashes_and_never_changes_the_workspace_on_error(
    data: bytes, as_table: list[str]
) -> None:
    code, err, ws = _run_load(data, "leads.csv", as_table)
    _check(code, err, ws)


@pytest.mark.slow
@FUZZ
@given(
    data=st.binary(max_size=400),
    name=st.sampled_from(["x.csv", "x.xlsx", "x.parquet", "x.csv.gz", "x.tsv", "x"]),
)
def test_random_bytes_never_crash_and_never_change_the_workspace(data: bytes, name: str) -> None:
    code, err, ws = _run_load(data, name, [])
    _check(code, err, ws)
