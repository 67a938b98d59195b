"""Docs stay honest: every metric is documented, every documented metric exists, links work."""

from __future__ import annotations

import re

import duckdb

from dashboard import glossary, metrics
from dashboard.settings import SETTINGS
from tests.conftest import REPO

GLOSSARY = REPO / "docs" / "metrics.md"
PARTS = ("Definition", "Settings", "Needs", "Output columns", "Pitfalls")


def _paragraph(text: str, part: str) -> str:
    """The text of a **Part.** paragraph of a glossary entry (up to the next bold label)."""
    found = re.search(rf"\*\*{part}\.\*\*(.*?)(?=\n\*\*[A-Z][^*]*\.\*\*|\Z)", text, re.S)
    assert found, part
    return found.group(1)


def test_docs_metrics_md_is_written_from_the_queries_folder() -> None:
    # a metric is one name: the glossary page is generated from queries/, never edited apart
    assert GLOSSARY.read_text(encoding="utf-8") == glossary.render(), (
        "run python -m dashboard.glossary"
    )
    for m in metrics.registry().values():
        assert f"[`{m.name}`](../queries/{m.name}.md): {m.question}" in glossary.render()


def test_every_metric_has_its_question_in_both_languages_and_a_family() -> None:
    for m in metrics.registry().values():
        assert set(m.questions) == {"en", "vi"}, m.name
        assert all(q.endswith("?") for q in m.questions.values()), m.name
        assert m.family in glossary.FAMILIES, (m.name, m.family)


def test_every_glossary_entry_says_definition_settings_needs_columns_and_pitfalls() -> None:
    for m in metrics.registry().values():
        text = m.glossary_path.read_text(encoding="utf-8")
        assert text.startswith(f"# {m.name}\n"), m.name
        for part in PARTS:
            assert f"**{part}" in text, f"{m.name} lacks {part}"


def test_each_entry_names_exactly_the_settings_and_columns_its_toml_declares() -> None:
    known = {s.key for s in SETTINGS}
    for m in metrics.registry().values():
        text = m.glossary()
        settings = set(re.findall(r"`([a-z_]+)`", _paragraph(text, "Settings"))) & known
        assert settings == set(m.settings), (m.name, settings ^ set(m.settings))
        named = re.findall(r"`([a-z_0-9]+)`", _paragraph(text, "Output columns"))
        # every column, in the query's order (values such as `won` may be named beside them)
        columns = [c for c in named if c in m.columns]
        assert list(dict.fromkeys(columns)) == list(m.columns), (
            m.name,
            [c for c in m.columns if c not in columns],
        )


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
