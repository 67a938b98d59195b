"""The test layout follows the metrics: a metric is one name.

Every metric ``NAME`` (a ``queries/NAME.sql`` with its ``queries/NAME.toml``) has exactly
``tests/metrics/test_NAME.py`` (its hand-worked fixtures and its check against the
reference) and ``tests/reference/NAME.py`` (its independent Polars implementation, with a
public function named ``NAME``). Every other file there is a shared helper.
"""

from __future__ import annotations

import ast
from pathlib import Path

from dashboard import metrics
from tests.conftest import REPO

TESTS = REPO / "tests" / "metrics"
REFERENCE = REPO / "tests" / "reference"
# helpers every metric's tests or references may share; helpers are named _*.py
SHARED_TESTS = {"__init__.py", "conftest.py"}
SHARED_REFERENCE = {"__init__.py", "base.py", "_common.py"}
# the references read the workspace's tables; only these may open it with DuckDB
READS_THE_WORKSPACE = {"base.py", "_common.py"}


def _names() -> set[str]:
    return set(metrics.registry())


def _python_files(folder: Path) -> list[Path]:
    files = [p for p in folder.iterdir() if p.name != "__pycache__"]
    assert all(p.is_file() and p.suffix == ".py" for p in files), files
    return files


def _top_level_functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_every_query_with_metadata_is_a_metric() -> None:
    sql = {p.stem for p in (REPO / "queries").glob("*.sql")}
    toml = {p.stem for p in (REPO / "queries").glob("*.toml")}
    assert sql == toml == _names()


def test_every_metric_has_its_test_file_and_its_reference() -> None:
    missing = [
        str(p.relative_to(REPO))
        for name in sorted(_names())
        for p in (TESTS / f"test_{name}.py", REFERENCE / f"{name}.py")
        if not p.is_file()
    ]
    assert missing == []


def test_every_reference_defines_a_public_function_named_after_its_metric() -> None:
    lacking = [n for n in sorted(_names()) if n not in _top_level_functions(REFERENCE / f"{n}.py")]
    assert lacking == []


def test_every_file_in_tests_metrics_belongs_to_a_metric_or_is_shared() -> None:
    names = _names()
    stray = []
    for path in _python_files(TESTS):
        if path.name in SHARED_TESTS:
            continue
        if path.name.startswith("_"):
            # a shared helper holds no tests: each test lives in its metric's file
            tests = {f for f in _top_level_functions(path) if f.startswith("test_")}
            if tests:
                stray.append(f"{path.name}: {sorted(tests)}")
            continue
        # a metric's tests live in test_NAME.py, or in test_NAME_<part>.py when one file
        # would be too long (test_lead_list_pages.py: the lead list's paged selections)
        stem = path.stem.removeprefix("test_")
        owned = stem in names or any(stem.startswith(f"{n}_") for n in names)
        if not (path.name.startswith("test_") and owned):
            stray.append(path.name)
    assert stray == []


def test_every_file_in_tests_reference_belongs_to_a_metric_or_is_shared() -> None:
    names = _names()
    stray = [
        p.name
        for p in _python_files(REFERENCE)
        if p.name not in SHARED_REFERENCE and p.stem not in names
    ]
    assert stray == []


def test_references_never_run_the_metric_sql() -> None:
    # independent means independent: no reference uses the package that runs the metrics,
    # and only the table readers open the workspace
    offenders = []
    for path in _python_files(REFERENCE):
        imported = _imports(path)
        if any(m == "dashboard" or m.startswith("dashboard.") for m in imported):
            offenders.append(f"{path.name} imports dashboard")
        if "duckdb" in imported and path.name not in READS_THE_WORKSPACE:
            offenders.append(f"{path.name} imports duckdb")
    assert offenders == []


def test_no_metric_tests_are_left_in_family_files() -> None:
    assert sorted(p.name for p in (REPO / "tests").glob("test_metric_*.py")) == []
