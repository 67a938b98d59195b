"""Derivation rules: canonical columns computed from recognised source columns.

Rules that hold for every file of a table live here (a deal's won and closed flags from its
stage, temperatures, directions and activity types read as canonical words, the first of
several listed ids). Rules that hold for one CRM export are named in its profile file
(``profiles/NAME.toml``, ``[derive.COLUMN] rule = "..."``) and built here by kind:

- ``close_date_when_closed``: closed_at is the close date only where the deal is closed
  (the is_closed flag, else the stage), since an open deal's close date is expected only.
- ``date_where_rejected`` (``dates``, ``which``): rejected_at is the first of ``dates``
  present, where the status reads as rejected; ``which`` words the condition.
- ``rejection_text``: rejection_reason is the status text on rejected leads.
- ``constant`` (``value``, ``text``): the value on every row, when the file has no column.
- ``activity_type`` (``second``): the type, or the ``second`` column where it is empty or
  "task".
- ``coalesce`` (``or_else``, ``text``): the mapped column, or the first of ``or_else``
  present where it is empty.

``apply_mapping`` then renames the columns and evaluates the rules as Polars expressions;
values stay raw text for :mod:`dashboard.ingest.canonical`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl

from dashboard.errors import HandoffError, Problem
from dashboard.ingest import knowledge as kb
from dashboard.ingest.knowledge import Profile, normalise_header
from dashboard.schema import SEGMENT_PREFIX, TABLES, Table

if TYPE_CHECKING:
    from dashboard.ingest.recognise import Recognition

__all__ = ["Derivation", "apply_mapping", "derivations", "rule_expr"]


@dataclass(frozen=True)
class Derivation:
    """How one canonical column is computed from source columns (see ``apply_mapping``).

    ``kind`` is one of: first_id, constant, won_from_stage, closed_from_stage,
    when_closed_flag, when_closed_stage, when_rejected, rejection_text, temperature,
    direction, activity_type, coalesce. ``sources`` are source column headers; ``value``
    is the constant of a "constant" rule, or "strict" on a stage rule whose flags stay
    unknown when no stage reads as won or lost. ``fill`` rules fill a column the file does
    not have and are not written to mapping files; the others re-read a mapped column.
    """

    kind: str
    sources: tuple[str, ...] = ()
    value: str | None = None
    fill: bool = False


Rules = dict[str, tuple[Derivation, str]]


@dataclass
class _Context:
    """What a rule sees: the final mapping, what the mapping file fixed, the file's headers."""

    profile: Profile
    t: Table
    mapping: dict[str, str]
    explicit: set[str]
    constants: dict[str, str]
    find: Callable[[str], str | None]
    rules: Rules
    notes: list[str]

    def absent(self, canon: str) -> bool:
        """True when neither the file, a constant nor the mapping file provides ``canon``."""
        return (
            canon not in self.mapping and canon not in self.constants and canon not in self.explicit
        )

    def lookup(self, headers: Sequence[str]) -> str | None:
        """The file's column for the first of ``headers`` it has."""
        for h in headers:
            col = self.find(h)
            if col is not None:
                return col
        return None


# ---------------------------------------------------------------------------------------
# Rules for every file of a table
# ---------------------------------------------------------------------------------------


def _first_id(ctx: _Context) -> None:
    """Association columns list several ids: keep the first."""
    for canon in ("lead_id", "contact_id"):
        src = ctx.mapping.get(canon)
        if src and re.search(r"(^|_)associated_.*ids?$", normalise_header(src)):
            ctx.rules[canon] = (
                Derivation("first_id", (src,)),
                f"first id listed in {src!r} (several ids are separated by ';' or ',')",
            )


def _stage_flags(ctx: _Context) -> None:
    """A deal's is_won and is_closed from its stage, when the file has no such flags."""
    stage = ctx.mapping.get("stage")
    if ctx.t.name != "deals" or not stage:
        return
    # A generic file's stages may use words this table does not know: when none of
    # its stages reads as won or lost, the flags are left unknown, not false.
    strict = "strict" if ctx.profile.generic else None
    unknown = "; unknown on every row if no stage reads as won or lost" if strict else ""
    if ctx.absent("is_won"):
        ctx.rules["is_won"] = (
            Derivation("won_from_stage", (stage,), value=strict, fill=True),
            f"true where {stage!r} is 'Closed Won' (HubSpot internal 'closedwon', "
            f"'Won', 'Thắng', 'Thành công'), false for the other stages{unknown}",
        )
    if ctx.absent("is_closed"):
        ctx.rules["is_closed"] = (
            Derivation("closed_from_stage", (stage,), value=strict, fill=True),
            f"true where {stage!r} is won or 'Closed Lost' ('closedlost', 'Lost', "
            f"'Thua', 'Thất bại', 'Hủy'), false for the other stages{unknown}",
        )


def _temperature(ctx: _Context) -> None:
    temp = ctx.mapping.get("temperature")
    if ctx.t.name == "leads" and temp:
        ctx.rules["temperature"] = (
            Derivation("temperature", (temp,)),
            f"{temp!r} read as hot / warm / cold (nóng / ấm / lạnh too)",
        )


def _direction(ctx: _Context) -> None:
    direction = ctx.mapping.get("direction")
    if ctx.t.name == "activities" and direction:
        ctx.rules["direction"] = (
            Derivation("direction", (direction,)),
            f"{direction!r} read as inbound / outbound (gọi đến / gọi đi too)",
        )


def _activity_type(ctx: _Context, second_headers: Sequence[str] = ()) -> None:
    kind = ctx.mapping.get("type")
    if ctx.t.name != "activities" or not kind or "type" in ctx.constants:
        return
    second = ctx.lookup(second_headers) if second_headers else None
    if second is not None and second != kind:
        ctx.rules["type"] = (
            Derivation("activity_type", (kind, second)),
            f"{kind!r} (Call, Email, ...) in lower case, or {second!r} where "
            f"{kind!r} is empty or 'Task'",
        )
    else:
        ctx.rules["type"] = (
            Derivation("activity_type", (kind,)),
            f"{kind!r} read as call / email / meeting / sms / chat / zalo ... (lower case)",
        )


# ---------------------------------------------------------------------------------------
# Rules a profile names ([derive.COLUMN] in profiles/NAME.toml)
# ---------------------------------------------------------------------------------------


def _close_date_when_closed(ctx: _Context, canon: str, spec: Mapping[str, Any]) -> None:
    close = ctx.mapping.get(canon)
    if not close or canon in ctx.constants:
        return
    flag = ctx.mapping.get("is_closed")
    stage = ctx.mapping.get("stage")
    if flag:
        ctx.rules[canon] = (
            Derivation("when_closed_flag", (close, flag)),
            f"{close!r} where {flag!r} is true (on an open deal it is only the "
            "expected close date)",
        )
    elif stage:
        ctx.rules[canon] = (
            Derivation("when_closed_stage", (close, stage)),
            f"{close!r} where {stage!r} is closed won or closed lost (on an open "
            "deal it is only the expected close date)",
        )


def _date_where_rejected(ctx: _Context, canon: str, spec: Mapping[str, Any]) -> None:
    status = ctx.mapping.get("status")
    if not status or not ctx.absent(canon):
        return
    modified = ctx.lookup(spec["dates"])
    if modified is not None:
        which = spec["which"].format(status=repr(status), rejected_examples=kb.REJECTED_EXAMPLES)
        ctx.rules[canon] = (
            Derivation("when_rejected", (modified, status), fill=True),
            f"{modified!r} where {which}; it is the record's last change, so "
            "it dates the rejection approximately",
        )
    else:
        ctx.notes.append(
            f"{status!r} shows rejected leads but the file has no date to time "
            "them: export 'Last Modified Date' too, or set [leads] rejected_at "
            '= "..." in a mapping file (--mapping)'
        )


def _rejection_text(ctx: _Context, canon: str, spec: Mapping[str, Any]) -> None:
    status = ctx.mapping.get("status")
    has_rejection = "rejected_at" in ctx.rules or "rejected_at" in ctx.mapping
    if status and has_rejection and ctx.absent(canon):
        ctx.rules[canon] = (
            Derivation("rejection_text", (status,), fill=True),
            f"the text of {status!r} on rejected leads (the file has no rejection reason column)",
        )


def _constant(ctx: _Context, canon: str, spec: Mapping[str, Any]) -> None:
    if ctx.absent(canon):
        ctx.rules[canon] = (
            Derivation("constant", (), value=str(spec["value"]), fill=True),
            spec["text"],
        )


def _typed(ctx: _Context, canon: str, spec: Mapping[str, Any]) -> None:
    _activity_type(ctx, spec.get("second", ()))


def _coalesce(ctx: _Context, canon: str, spec: Mapping[str, Any]) -> None:
    if canon in ctx.explicit:
        return
    first = ctx.mapping.get(canon)
    other = ctx.lookup(spec["or_else"])
    if first and other and first != other:
        text = spec.get("text", "{first}, or {other} where {first} is empty")
        ctx.rules[canon] = (
            Derivation("coalesce", (first, other), fill=True),
            text.format(first=repr(first), other=repr(other)),
        )


_PROFILE_RULES: dict[str, Callable[[_Context, str, Mapping[str, Any]], None]] = {
    "close_date_when_closed": _close_date_when_closed,
    "date_where_rejected": _date_where_rejected,
    "rejection_text": _rejection_text,
    "constant": _constant,
    "activity_type": _typed,
    "coalesce": _coalesce,
}
assert set(_PROFILE_RULES) == set(kb.RULE_KEYS)


def _profile_notes(ctx: _Context) -> None:
    for note in ctx.profile.notes:
        if note.unless_mapped is not None and note.unless_mapped in ctx.mapping:
            continue
        header = ctx.find(note.header) if note.header is not None else None
        if note.header is not None and header is None:
            continue
        ctx.notes.append(note.text.format(header=repr(header)))


def derivations(
    profile: Profile,
    t: Table,
    mapping: dict[str, str],
    explicit: set[str],
    constants: dict[str, str],
    find: Callable[[str], str | None],
) -> tuple[Rules, list[str]]:
    """Rules computing canonical columns from the final mapping, with notes for the user.

    ``explicit`` are the columns a mapping file set, ``constants`` its constants, ``find``
    the file's column for a header (or None). Table rules come first, then the profile's
    rules in the order its file lists them, then its notes; the table rules a profile may
    refine (the activity type) come last, only when the profile names no such rule.
    """
    ctx = _Context(profile, t, mapping, explicit, constants, find, {}, [])
    _first_id(ctx)
    _stage_flags(ctx)
    _direction(ctx)
    for canon, spec in profile.derive.items():
        _PROFILE_RULES[spec["rule"]](ctx, canon, spec)
    _profile_notes(ctx)
    _temperature(ctx)
    if not any(spec["rule"] == "activity_type" for spec in profile.derive.values()):
        _activity_type(ctx)
    return ctx.rules, ctx.notes


# ---------------------------------------------------------------------------------------
# Evaluating rules
# ---------------------------------------------------------------------------------------


def _text(col: str) -> pl.Expr:
    return pl.col(col).cast(pl.String)


def _blank(col: str) -> pl.Expr:
    return _text(col).str.strip_chars().fill_null("") == ""


def _values_where(frame: pl.DataFrame, col: str, predicate: Callable[[str], bool]) -> list[str]:
    values = frame.get_column(col).cast(pl.String).unique().drop_nulls().to_list()
    return [v for v in values if predicate(v)]


def _recode(frame: pl.DataFrame, col: str, fn: Callable[[str], str]) -> pl.Expr:
    # the distinct values are recoded in Python once; the frame is replaced in Polars
    values = frame.get_column(col).cast(pl.String).unique().drop_nulls().to_list()
    table = {v: fn(v) for v in values}
    changed = {k: v for k, v in table.items() if k != v}
    return _text(col).replace(changed) if changed else _text(col)


def _stage_expr(frame: pl.DataFrame, rule: Derivation) -> pl.Expr:
    s = rule.sources
    won = _values_where(frame, s[0], kb.is_won_stage)
    lost = _values_where(frame, s[0], kb.is_lost_stage)
    if rule.value == "strict" and not won and not lost:
        return pl.lit(None, dtype=pl.String)
    hit = won if rule.kind == "won_from_stage" else won + lost
    return (
        pl.when(_blank(s[0]))
        .then(pl.lit(None, dtype=pl.String))
        .when(_text(s[0]).is_in(hit))
        .then(pl.lit("true"))
        .otherwise(pl.lit("false"))
    )


def _activity_type_expr(frame: pl.DataFrame, s: tuple[str, ...]) -> pl.Expr:
    if len(s) == 1:
        return pl.when(_blank(s[0])).then(None).otherwise(_recode(frame, s[0], kb.activity_type))
    primary = _recode(frame, s[0], kb.activity_type)
    secondary = _recode(frame, s[1], kb.activity_type)
    use_second = _blank(s[0]) | (primary == "task")
    return (
        pl.when(use_second & ~_blank(s[1]))
        .then(secondary)
        .when(_blank(s[0]))
        .then(None)
        .otherwise(primary)
    )


def rule_expr(frame: pl.DataFrame, rule: Derivation) -> pl.Expr:
    """The Polars expression computing ``rule`` over ``frame`` (values stay text)."""
    s = rule.sources
    if rule.kind == "constant":
        return pl.lit(rule.value, dtype=pl.String)
    if rule.kind == "first_id":
        return _text(s[0]).str.extract(r"^[\s;,]*([^;,]*[^;,\s])", 1)
    if rule.kind in ("won_from_stage", "closed_from_stage"):
        return _stage_expr(frame, rule)
    if rule.kind == "when_closed_flag":
        flag = _text(s[1]).str.strip_chars().str.to_lowercase().is_in(list(kb.TRUE_WORDS))
        return pl.when(flag).then(pl.col(s[0])).otherwise(None)
    if rule.kind == "when_closed_stage":
        closed = _values_where(frame, s[1], lambda v: kb.is_won_stage(v) or kb.is_lost_stage(v))
        return pl.when(_text(s[1]).is_in(closed)).then(pl.col(s[0])).otherwise(None)
    if rule.kind == "when_rejected":
        rejected = _values_where(frame, s[1], kb.is_rejected_status)
        return pl.when(_text(s[1]).is_in(rejected)).then(pl.col(s[0])).otherwise(None)
    if rule.kind == "rejection_text":
        rejected = _values_where(frame, s[0], kb.is_rejected_status)
        return pl.when(_text(s[0]).is_in(rejected)).then(_text(s[0])).otherwise(None)
    if rule.kind == "temperature":
        return _recode(frame, s[0], kb.temperature)
    if rule.kind == "direction":
        return _recode(frame, s[0], kb.direction)
    if rule.kind == "activity_type":
        return _activity_type_expr(frame, s)
    if rule.kind == "coalesce":
        parts = [pl.when(_blank(c)).then(None).otherwise(_text(c)) for c in s]
        return pl.coalesce(parts)
    raise ValueError(f"unknown derivation {rule.kind!r}")


def apply_mapping(frame: pl.DataFrame, rec: Recognition) -> pl.DataFrame:
    """Return ``frame`` with canonical column names: only mapped, derived and constant ones.

    Values stay raw (text as read, derived flags as "true"/"false") for the canonical
    parser; row order and row count are preserved. Columns come in the schema's order,
    then segment columns. Raises HandoffError when a mapped column is not in ``frame``.
    """
    t = TABLES[rec.table]
    from_rules = [s for r in rec.rules.values() for s in r.sources]
    needed = list(dict.fromkeys([*rec.mapping.values(), *from_rules]))
    absent = [c for c in needed if c not in frame.columns]
    if absent:
        raise HandoffError(
            Problem(
                f"has no column {', '.join(repr(c) for c in absent)} although the mapping "
                f"for {rec.table} uses it",
                fix="check the mapping file, or export the file again with that column",
                file=rec.file or None,
            )
        )
    order = [c for c in t.column_names if c in rec.mapping or c in rec.rules or c in rec.constants]
    order += [
        c
        for c in [*rec.mapping, *rec.constants]
        if c.startswith(SEGMENT_PREFIX) and c not in order and t.has_column(c)
    ]
    exprs: list[pl.Expr] = []
    for canon in order:
        if canon in rec.constants:
            expr = pl.lit(rec.constants[canon], dtype=pl.String)
        elif canon in rec.rules:
            expr = rule_expr(frame, rec.rules[canon])
        else:
            expr = pl.col(rec.mapping[canon])
        exprs.append(expr.alias(f"\x00{canon}"))
    out = frame.with_columns(exprs) if exprs else frame
    return out.select([pl.col(f"\x00{c}").alias(c) for c in order])
