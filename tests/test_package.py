"""The package installs: a built wheel (not an editable install) carries the queries, the
glossary, the messages and the sample data, so the installed `handoff` runs on its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from this checkout, unpacked into a folder of its own."""
    root = tmp_path_factory.mktemp("pkg")
    wheels, target = root / "wheels", root / "site"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "-q", "-w", str(wheels)],
        capture_output=True,
        text=True,
        cwd=root,
    )
    assert build.returncode == 0, build.stderr
    [wheel] = wheels.glob("handoff-*.whl")
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), wheel],
        capture_output=True,
        text=True,
    )
    assert install.returncode == 0, install.stderr
    return target


def _handoff(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # the installed copy comes first on the path; the checkout is not the working directory
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("HANDOFF_WORKSPACE", None)
    return subprocess.run(
        [sys.executable, "-m", "dashboard.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
    )


def test_the_wheel_ships_queries_glossary_messages_and_sample_data(installed: Path) -> None:
    pkg = installed / "dashboard"
    assert sorted(p.stem for p in (pkg / "queries").glob("*.sql")) == sorted(
        p.stem for p in (REPO / "queries").glob("*.sql")
    )
    for name in ("overview.toml", "overview.md", "glossary.md", "staging/lead_facts.sql"):
        assert (pkg / "queries" / name).is_file(), name
    assert {p.name for p in (pkg / "messages").glob("*.toml")} == {
        p.name for p in (REPO / "dashboard" / "messages").glob("*.toml")
    }
    assert (pkg / "sample_data" / "leads.csv").is_file()


def test_the_wheel_ships_every_module_and_data_file_of_the_package(installed: Path) -> None:
    # a new sub-package or data folder missing from pyproject.toml would break only the
    # installed command, never the tests run from the checkout
    source = REPO / "dashboard"
    wanted = {
        p.relative_to(source).as_posix()
        for p in source.rglob("*")
        if p.suffix in (".py", ".toml") and "__pycache__" not in p.parts
    }
    pkg = installed / "dashboard"
    shipped = {
        p.relative_to(pkg).as_posix() for p in pkg.rglob("*") if p.suffix in (".py", ".toml")
    }
    assert sorted(wanted - shipped) == []


def test_the_installed_command_builds_the_demo_and_runs_a_metric(
    installed: Path, tmp_path: Path
) -> None:
    where = _handoff(installed, tmp_path, "--version")
    assert where.returncode == 0, where.stderr
    demo = _handoff(installed, tmp_path, "demo", "--no-serve", "-w", "demo.duckdb")
    assert demo.returncode == 0, demo.stderr
    out = _handoff(
        installed, tmp_path, "metric", "overview", "-w", "demo.duckdb", "--format", "json"
    )
    assert out.returncode == 0, out.stderr
    [row] = json.loads(out.stdout)
    assert (row["leads"], row["mqls"]) == (20_000, 8_515)
    listed = _handoff(installed, tmp_path, "metrics", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    questions = {m["name"]: m["question"] for m in json.loads(listed.stdout)}
    assert questions["overview"] == "How big is the funnel, and how much of it has sales touched?"


def test_the_installed_package_is_the_one_that_ran(installed: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(installed)}
    found = subprocess.run(
        [sys.executable, "-c", "import dashboard, sys; print(dashboard.__file__)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert found.stdout.strip().startswith(str(installed)), found.stdout


def test_the_app_does_not_patch_the_import_path() -> None:
    assert "sys.path" not in (REPO / "dashboard" / "app.py").read_text(encoding="utf-8")
