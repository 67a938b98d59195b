"""The metric glossary: shared definitions and one entry per metric, kept in ``queries/``.

A metric is one name: ``queries/NAME.sql``, ``NAME.toml`` (question in both languages,
columns, settings, needs, family) and ``NAME.md`` (definition in words, settings, needs,
output columns, pitfalls). ``queries/glossary.md`` holds the shared definitions. The
dashboard reads these files (they ship with the package); ``docs/metrics.md`` is written
from them by ``python -m dashboard.glossary`` and a test keeps it equal to :func:`render`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from dashboard import metrics

SHARED = metrics.QUERIES_DIR / "glossary.md"
# families in the order the glossary lists them; a metric's TOML names its family
FAMILIES = (
    "Funnel",
    "Handoff",
    "Follow-up",
    "Lead quality",
    "Scoring",
    "Revenue",
    "Review",
    "Leads",
)
DOCS = Path(__file__).resolve().parent.parent / "docs" / "metrics.md"


def shared() -> str:
    """The glossary's head: its title, how it is made, and the shared definitions."""
    return SHARED.read_text(encoding="utf-8") if SHARED.exists() else ""


def ordered() -> list[metrics.Metric]:
    """Every metric, by family (in :data:`FAMILIES` order) and then by name."""
    rank = {f: i for i, f in enumerate(FAMILIES)}
    return sorted(
        metrics.registry().values(), key=lambda m: (rank.get(m.family, len(rank)), m.name)
    )


def render() -> str:
    """docs/metrics.md: the shared definitions, then every metric with its question."""
    lines = [shared().rstrip(), "", "## Metrics", ""]
    lines.append(
        "Each metric's entry (definition, settings, needs, output columns, pitfalls) is "
        "`queries/NAME.md`, beside its SQL."
    )
    family = None
    for m in ordered():
        if m.family != family:
            family = m.family
            lines += ["", f"### {family}", ""]
        lines.append(f"- [`{m.name}`](../queries/{m.name}.md): {m.question}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write docs/metrics.md (``--check``: exit 1 when it is out of date instead)."""
    args = sys.argv[1:] if argv is None else argv
    text = render()
    if "--check" in args:
        current = DOCS.read_text(encoding="utf-8") if DOCS.exists() else ""
        if current != text:
            print("docs/metrics.md is out of date: run python -m dashboard.glossary")
            return 1
        return 0
    DOCS.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
