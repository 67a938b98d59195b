"""How well each profile fits a file's headers: the scores recognition ranks by.

A required column found counts 3, any other 1, a column that points at one table 2 more,
each known header of the profile 2, a missing required column -4; words in the file
name and Salesforce id prefixes in a sample of rows add to it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from dashboard.ingest import knowledge
from dashboard.ingest.knowledge import (
    DISTINCTIVE,
    GENERIC,
    SHARED_HEADERS,
    TABLE_WORDS,
    HeaderIndex,
    Profile,
    normalise_header,
)
from dashboard.schema import TABLES, Table


@dataclass
class Candidate:
    """One profile matched against a file: the columns it found and its score."""

    profile: Profile
    mapping: dict[str, str]
    how: dict[str, str]  # canonical -> "known" | "canonical" | "guessed" | "fallback"
    ambiguous: dict[str, list[str]]
    evidence: int
    score: float
    missing: list[str]


def _ordered_columns(t: Table) -> list[str]:
    return [*t.required, *(c for c in t.column_names if c not in t.required)]


def _match(profile: Profile, index: HeaderIndex) -> Candidate:
    t = TABLES[profile.table]
    mapping: dict[str, str] = {}
    how: dict[str, str] = {}
    ambiguous: dict[str, list[str]] = {}
    used: set[str] = set()

    def take(canon: str, headers: Iterable[str], kind: Callable[[str], str]) -> None:
        hits: list[tuple[str, str]] = []
        for header in headers:
            col = index.find(header.lstrip("~"))
            if col is not None and col not in used and all(col != h for h, _ in hits):
                hits.append((col, kind(header)))
        if hits:
            mapping[canon], how[canon] = hits[0]
            used.add(hits[0][0])
            if len(hits) > 1:
                ambiguous[canon] = [h for h, _ in hits]

    for canon in _ordered_columns(t):
        if canon in profile.columns:
            take(canon, profile.columns[canon], lambda h: "guessed" if h[0] == "~" else "known")
    for canon in _ordered_columns(t):
        if canon not in mapping:
            synonyms = (canon, *GENERIC[t.name].get(canon, ()))
            take(
                canon,
                synonyms,
                lambda h, c=canon: "canonical" if normalise_header(h) == c else "guessed",
            )
    for canon, fallback in profile.fallbacks.items():
        if canon not in mapping:
            take(canon, fallback.headers, lambda _h: "fallback")

    evidence = sum(1 for h in dict.fromkeys(profile.evidence) if index.has(h))
    missing = [c for c in t.required if c not in mapping]
    score = 0.0
    for canon, col in mapping.items():
        score += 3 if canon in t.required else 1
        if canon in DISTINCTIVE[t.name] and normalise_header(col) not in SHARED_HEADERS:
            score += 2
    score += 2 * evidence - 4 * len(missing)
    return Candidate(profile, mapping, how, ambiguous, evidence, score, missing)


def _words(file: str) -> set[str]:
    stem = Path(str(file)).name
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    tokens = normalise_header(stem).split("_")
    words = set(tokens)
    words.update(f"{a}_{b}" for a, b in itertools.pairwise(tokens))
    return words


def _sample_bonus(cand: Candidate, sample: pl.DataFrame | None) -> float:
    """Ids that carry their object's prefix (Salesforce: 00Q lead, 006 opportunity, 00T task)
    point at the profile whose ``id_prefixes`` they start with, and away from the CRM's others."""
    if sample is None or not cand.profile.id_prefixes:
        return 0.0
    key = TABLES[cand.profile.table].key[0]
    col = cand.mapping.get(key)
    if col is None or col not in sample.columns:
        return 0.0
    values = [str(v).strip() for v in sample.get_column(col).to_list() if v not in (None, "")]
    if not values:
        return 0.0
    own = cand.profile.id_prefixes
    if sum(v.startswith(own) for v in values) >= 0.8 * len(values):
        return 5.0
    others = tuple(
        prefix
        for p in knowledge.PROFILES
        if p.crm == cand.profile.crm and p.key != cand.profile.key
        for prefix in p.id_prefixes
    )
    if sum(v.startswith(others) for v in values) >= 0.8 * len(values):
        return -5.0
    return 0.0


def candidates(
    index: HeaderIndex, file: str, sample: pl.DataFrame | None, tables: Iterable[str]
) -> list[Candidate]:
    """Every profile of ``tables`` that fits the headers at all, scored, best first."""
    words = _words(file)
    wanted = set(tables)
    out: list[Candidate] = []
    # read at each call, so a profile added at run time (a test's) is tried too
    for profile in knowledge.PROFILES:
        if profile.table not in wanted:
            continue
        cand = _match(profile, index)
        if not profile.generic and cand.evidence < 2:
            continue
        if words & set(TABLE_WORDS[profile.table]) or words & set(TABLES[profile.table].aliases):
            cand.score += 4
        if words & set(profile.crm_words):
            cand.score += 3
        cand.score += _sample_bonus(cand, sample)
        out.append(cand)
    # best first; on equal scores a CRM profile beats the generic one
    out.sort(key=lambda c: (c.score, not c.profile.generic, c.evidence), reverse=True)
    return out


def fits(cand: Candidate) -> bool:
    """True when the candidate found a required column and at least one more."""
    t = TABLES[cand.profile.table]
    found_required = sum(1 for c in t.required if c in cand.mapping)
    return found_required >= 1 and len(cand.mapping) >= 2
