"""Docs stay honest: every metric is documented, every documented metric exists, links work."""

from __future__ import annotations

import re

import duckdb

from dashboard import metrics
from tests.conftest import REPO

GLOSSARY = REPO / "docs" / "metrics.md"


def _entries() -> list[str]:
    return re.findall(r"^## ([a-z_]+)\s*$", GLOSSARY.read_text(encoding="utf-8"), flags=re.M)


def test_every_query_has_a_glossary_entry_and_every_entry_a_query() -> None:
    entries = _entries()
    assert len(entries) == len(set(entries)), "a metric is documented twice"
    assert set(entries) == set(metrics.registry())


def test_every_glossary_entry_says_question_definition_settings_needs_and_pitfalls() -> None:
    text = GLOSSARY.read_text(encoding="utf-8")
    sections = re.split(r"^## ", text, flags=re.M)[1:]
    for section in sections:
        name = section.split("\n", 1)[0].strip()
        if name not in metrics.registry():
            continue
        for part in ("Question", "Definition", "Settings", "Needs", "Pitfalls"):
            assert f"**{part}" in section, f"{name} lacks {part}"


def test_documented_output_columns_are_exactly_what_each_query_returns(sample_workspace) -> None:
    settings = metrics.resolve_settings({}, None)
    con = duckdb.connect(str(sample_workspace), read_only=True)
    try:
        for m in metrics.registry().values():
            result = metrics.run(con, m.name, settings=settings)
            assert list(result.frame.columns) == list(m.columns), m.name
    finally:
        con.close()


def test_readme_links_point_to_files_that_exist() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#]+)\)", readme):
        if target.startswith("http"):
            continue
        assert (REPO / target).exists(), target
    assert "docs/metrics.md" in readme
    assert "docs/performance.md" in readme
