"""Recognition: which canonical table a file is, which CRM wrote it, which column is which.

Rule based: every CRM profile (``profiles/*.toml``, read by
:mod:`dashboard.ingest.knowledge`) and one generic profile per table are scored against the
file's headers, compared after :func:`normalise_header`: a required column found counts 3, any
other 1, a column that points at one table 2 more, each known header of the profile 2, a
missing required column -4; words in the file name ("deals", "Opportunity", "hubspot") and
Salesforce id prefixes in a sample of rows add to it. The best profile's columns are taken;
columns it does not name are filled from the generic synonyms. Derivation rules
(:mod:`dashboard.ingest.derive`) then compute what the file does not hold directly.

The scores are computed in :mod:`dashboard.ingest.scoring`.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from dashboard.errors import HandoffError, Problem, as_written
from dashboard.ingest.derive import Derivation, derivations
from dashboard.ingest.knowledge import (
    HeaderIndex,
    normalise_header,
    resolve_table,
)
from dashboard.ingest.scoring import Candidate, candidates, fits
from dashboard.schema import TABLES, Table

if TYPE_CHECKING:
    from dashboard.ingest.mapping import MappingFile

__all__ = ["Recognition", "recognise"]


@dataclass
class Recognition:
    """What a file is and how its columns map onto the canonical table ``table``."""

    table: str
    crm: str
    mapping: dict[str, str]
    derived: dict[str, str]
    confidence: float
    notes: list[str]
    unmapped: list[str]
    missing_required: list[str]
    constants: dict[str, str] = field(default_factory=dict)
    rules: dict[str, Derivation] = field(default_factory=dict)
    file: str = ""


def _override_hint(table: str, canon: str, example: str = "...") -> str:
    return f'to change it, set [{table}] {canon} = "{example}" in a mapping file (--mapping)'


def _cannot_recognise(file: str, columns: Sequence[str]) -> HandoffError:
    shown = ", ".join(repr(c) for c in list(columns)[:20])
    if len(columns) > 20:
        shown += f" and {len(columns) - 20} more"
    names = ", ".join(TABLES)
    return HandoffError(
        Problem(
            f"cannot tell which table this file is: none of {names} fits its columns "
            f"({shown or 'no columns'})",
            fix=(
                f"load it with --as TABLE (one of {names}) and name its columns in a mapping "
                'file passed with --mapping, e.g. [leads] lead_id = "Your id column" and '
                'created_at = "Your date column"'
            ),
            file=file,
        )
    )


def _table_for_file(mapping: MappingFile | None, file: str) -> str | None:
    if mapping is None:
        return None
    rules = mapping.options.get("table_for_file")
    if not isinstance(rules, Mapping):
        return None
    name = Path(str(file)).name.lower()
    for pattern, table_name in rules.items():
        pat = str(pattern).lower()
        if name == pat or fnmatch.fnmatchcase(name, pat):
            return resolve_table(str(table_name))
    return None


def _resolve_entry(index: HeaderIndex, columns: Sequence[str], source: str) -> str | None:
    if source in columns:
        return source
    return index.by_norm.get(normalise_header(source))


def _mapping_sections_present(
    mapping: MappingFile, index: HeaderIndex, columns: Sequence[str]
) -> list[tuple[str, int]]:
    """Tables of the mapping file whose every named column is in the file, with entry count."""
    out: list[tuple[str, int]] = []
    for t, entries in mapping.tables.items():
        named = [s for s in entries.values() if s]
        if named and all(_resolve_entry(index, columns, s) is not None for s in named):
            out.append((t, len(named)))
    return out


def recognise(
    columns: list[str],
    *,
    file: str,
    table: str | None = None,
    sample: pl.DataFrame | None = None,
    mapping: MappingFile | None = None,
) -> Recognition:
    """Decide which canonical table ``columns`` belong to, which CRM wrote them, and map them.

    The table is, in order: ``table`` (e.g. from ``--as``; aliases accepted), the mapping
    file's ``table_for_file`` option, a mapping-file section whose every named column is
    present, else the best-scoring recognition (headers, file-name words such as "deals"
    or "Opportunity", and Salesforce id prefixes in ``sample``). A mapping file's entries
    for the chosen table win over recognition. Returns the mapping with what was guessed
    in ``notes``; required columns that were not found are listed in
    ``missing_required`` (the load then fails with that message). Raises HandoffError
    when ``table`` is not a table, when no table fits the columns, or when a mapping
    file names a column the file does not have.
    """
    columns = [str(c) for c in columns]
    index = HeaderIndex.build(columns)
    fixed: str | None = None
    how_decided = ""
    if table is not None:
        fixed = resolve_table(table)
        if fixed is None:
            raise HandoffError(
                Problem(
                    f"--as {table!r} is not a table",
                    fix=f"use one of: {', '.join(TABLES)}",
                    file=file,
                )
            )
        how_decided = "given"
    if fixed is None:
        fixed = _table_for_file(mapping, file)
        if fixed is not None:
            how_decided = "table_for_file"
    if fixed is None and mapping is not None:
        present = _mapping_sections_present(mapping, index, columns)
        if present:
            best_n = max(n for _, n in present)
            tops = [t for t, n in present if n == best_n]
            if len(tops) == 1:
                fixed = tops[0]
            else:
                ranked = candidates(index, file, sample, tops)
                fixed = ranked[0].profile.table if ranked else tops[0]
            how_decided = "mapping"

    if fixed is not None:
        ranked = candidates(index, file, sample, [fixed])
        best = ranked[0]
        others = candidates(index, file, sample, [t for t in TABLES if t != fixed])
        runner_up = others[0].score if others else 0.0
    else:
        ranked = candidates(index, file, sample, TABLES)
        best = ranked[0]
        if not fits(best):
            raise _cannot_recognise(file, columns)
        runner_up = next((c.score for c in ranked if c.profile.table != best.profile.table), 0.0)

    return _build(best, runner_up, columns, index, file, mapping, how_decided)


@dataclass
class _Draft:
    """A recognition being put together: the mapping and what is said about it."""

    mapping: dict[str, str]
    notes: list[str] = field(default_factory=list)
    derived: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    explicit: set[str] = field(default_factory=set)


def _read_as(best: Candidate, t: Table, how_decided: str) -> str:
    label = best.profile.label if not best.profile.generic else f"generic {t.name} file"
    decided = {
        "given": "as asked (--as)",
        "table_for_file": "as the mapping file's table_for_file says",
        "mapping": "because the mapping file names its columns",
    }.get(how_decided, "")
    return (
        f"read as {t.name}: {label}"
        + (f" ({best.evidence} known headers)" if not best.profile.generic else "")
        + (f", {decided}" if decided else "")
    )


def _apply_section(
    draft: _Draft,
    t: Table,
    label: str,
    columns: Sequence[str],
    index: HeaderIndex,
    file: str,
    mapping_file: MappingFile,
) -> None:
    """Let the mapping file's section for ``t`` win over recognition (entries, constants)."""
    section = mapping_file.tables.get(t.name, {})
    section_constants = mapping_file.constants.get(t.name, {})
    problems: list[Problem] = []
    for canon, source in section.items():
        draft.explicit.add(canon)
        if source == "":
            draft.mapping.pop(canon, None)
            draft.notes.append(f"{canon} is left out, as the mapping file says")
            continue
        found = _resolve_entry(index, columns, source)
        if found is None:
            shown = ", ".join(repr(c) for c in columns[:40])
            problems.append(
                Problem(
                    f"[{t.name}] {canon} = {source!r} names a column that {file} does "
                    f"not have (its columns: {shown})",
                    fix=f"write one of the file's column names there, or remove the "
                    f"line from {mapping_file.path}",
                    file=mapping_file.path,
                    column=canon,
                )
            )
            continue
        if found != source:
            draft.notes.append(
                f"mapping file: [{t.name}] {canon} = {source!r} matched the column {found!r}"
            )
        draft.mapping[canon] = found
    if problems:
        raise HandoffError(
            problems[0]
            if len(problems) == 1
            else f"{mapping_file.path} names {len(problems)} columns that {file} does not have",
            problems if len(problems) > 1 else None,
        )
    for canon, value in section_constants.items():
        draft.explicit.add(canon)
        draft.mapping.pop(canon, None)
        draft.constants[canon] = value
        draft.derived[canon] = f"{as_written(value)} on every row (constant from the mapping file)"
    draft.notes.append(
        f"{len(section) + len(section_constants)} {t.name} columns set by mapping file "
        f"{mapping_file.path}; the rest recognised as {label}"
    )


def _guess_notes(
    draft: _Draft, best: Candidate, t: Table, rule_map: Mapping[str, Derivation]
) -> None:
    """Say which columns were guessed (after the first note) and which were ambiguous."""
    guesses = [
        f"guessed {best.mapping[canon]!r} as {canon}; {_override_hint(t.name, canon)}"
        for canon, how in best.how.items()
        if how == "guessed" and canon not in draft.explicit
    ]
    draft.notes[1:1] = guesses
    for canon, hits in best.ambiguous.items():
        if canon in draft.explicit or draft.mapping.get(canon) != hits[0]:
            continue
        alternatives = [
            h for h in hits[1:] if canon not in rule_map or h not in rule_map[canon].sources
        ]
        if alternatives:
            others = ", ".join(repr(h) for h in alternatives)
            draft.notes.append(
                f"{hits[0]!r} and {others} could all be {canon}; used {hits[0]!r}; to use "
                f'another, set [{t.name}] {canon} = "{alternatives[0]}" in a mapping file '
                "(--mapping)"
            )


def _build(
    best: Candidate,
    runner_up: float,
    columns: Sequence[str],
    index: HeaderIndex,
    file: str,
    mapping_file: MappingFile | None,
    how_decided: str,
) -> Recognition:
    profile = best.profile
    t = TABLES[profile.table]
    draft = _Draft(mapping=dict(best.mapping))
    draft.notes.append(_read_as(best, t, how_decided))
    label = profile.label if not profile.generic else f"generic {t.name} file"

    crm = profile.crm
    if mapping_file is not None and (
        mapping_file.tables.get(t.name) or mapping_file.constants.get(t.name)
    ):
        crm = "mapping file"
        _apply_section(draft, t, label, columns, index, file, mapping_file)
    mapping = draft.mapping

    for canon, how in best.how.items():
        if how == "fallback" and canon in mapping and canon not in draft.explicit:
            draft.derived[canon] = profile.fallbacks[canon].text.format(column=repr(mapping[canon]))

    rules, rule_notes = derivations(
        profile, t, mapping, draft.explicit, draft.constants, index.find
    )
    for canon, (_rule, text) in rules.items():
        draft.derived[canon] = text
    draft.notes.extend(rule_notes)
    rule_map = {canon: rule for canon, (rule, _text) in rules.items()}
    _guess_notes(draft, best, t, rule_map)
    for canon, rule in rule_map.items():
        if rule.fill and rule.sources and canon not in mapping:
            mapping[canon] = rule.sources[0]

    provided = set(mapping) | set(draft.constants) | set(rule_map)
    missing = [c for c in t.required if c not in provided]
    used = set(mapping.values()) | {s for r in rule_map.values() for s in r.sources}
    unmapped = [c for c in columns if c not in used]

    confidence = _confidence(best, runner_up, t, missing, how_decided, crm)
    return Recognition(
        table=t.name,
        crm=crm,
        mapping=mapping,
        derived=draft.derived,
        confidence=confidence,
        notes=draft.notes,
        unmapped=unmapped,
        missing_required=missing,
        constants=draft.constants,
        rules=rule_map,
        file=file,
    )


def _confidence(
    best: Candidate,
    runner_up: float,
    t: Table,
    missing: list[str],
    how_decided: str,
    crm: str,
) -> float:
    """0..1: half for the required columns found, 0.3 for CRM evidence, 0.2 for the margin."""
    required_share = 1 - len(missing) / len(t.required) if t.required else 1.0
    if crm == "mapping file" and not missing:
        return 1.0
    if not best.profile.generic:
        evidence = 0.3 * min(best.evidence, 4) / 4
    else:
        evidence = 0.3 * min(len(best.mapping), 5) / 5
    if how_decided:
        margin = 0.2
    elif best.score <= 0:
        margin = 0.0
    else:
        margin = 0.2 * max(0.0, min(1.0, (best.score - max(runner_up, 0.0)) / best.score))
    return round(max(0.0, min(1.0, 0.5 * required_share + evidence + margin)), 2)
