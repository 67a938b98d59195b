"""Shared fixtures: paths, a CLI runner, small hand-written files, the sample workspace."""

from __future__ import annotations

import os
import shutil
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from dashboard import cli

# personal data is hashed with a key kept outside the workspace; tests (and the processes
# they start) use this one, so no test writes a key file into the real home folder
os.environ.setdefault("HANDOFF_SECRET", "handoff-tests-only-key")

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
MAPPINGS = REPO / "tests" / "mappings"
SAMPLE = REPO / "sample_data"
REAL_DATA = REPO.parent / "shared" / "real_data"


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run ``handoff`` in-process with the given arguments; return code, stdout, stderr."""

    def _run(*args: object) -> Result:
        capsys.readouterr()
        code = cli.main([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return _run


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a dedented text file into tmp_path and return its path."""

    def _write(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding=encoding)
        return path

    return _write


@pytest.fixture
def ws_path(tmp_path: Path) -> Path:
    return tmp_path / "ws.duckdb"


def snapshot(path: Path) -> dict[str, list[tuple]]:
    """Every table of a workspace file with its rows sorted: equal snapshots = equal content."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [r[0] for r in con.execute("SHOW TABLES").fetchall()]
        out: dict[str, list[tuple]] = {}
        for name in sorted(names):
            cols = [r[0] for r in con.execute(f'DESCRIBE "{name}"').fetchall()]
            rows = con.execute(f'SELECT * FROM "{name}"').fetchall()
            out[name] = [tuple(cols), *sorted(rows, key=repr)]
        return out
    finally:
        con.close()


@pytest.fixture(scope="session")
def sample_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace built once from the committed sample data (read it, don't change it)."""
    path = tmp_path_factory.mktemp("sample") / "sample.duckdb"
    cli.build_demo(path)
    return path


@pytest.fixture
def sample_copy(sample_workspace: Path, tmp_path: Path) -> Path:
    """A private copy of the sample workspace that a test may change."""
    dest = tmp_path / "sample.duckdb"
    shutil.copy(sample_workspace, dest)
    return dest
