"""Storing a load: the workspace's tables, writing rows, links between tables, the load log.

The functions here run inside the transaction ``Workspace.commit`` opens (``create_schema``
opens its own); they never publish anything themselves.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from dashboard import identifiers
from dashboard.errors import HandoffError, Problem
from dashboard.ingest.canonical import MERGE_SCHEMA
from dashboard.ingest.knowledge import stage_aliases
from dashboard.ingest.stream import StagedRows
from dashboard.schema import DUCKDB_TYPES, STAGE_COLUMNS, TABLES, Table, stored_columns

if TYPE_CHECKING:
    from dashboard.workspace import Prepared

SCHEMA_VERSION = 1

# a table's rows for a commit: in memory, or a big file's batches staged on disk
Rows = pl.DataFrame | StagedRows


@dataclass
class FileReport:
    """What happened to one file in a load."""

    file: str
    table: str
    crm: str
    rows: int
    mapping: dict[str, str]
    derived: dict[str, str]
    unmapped: list[str]
    notes: list[str]
    encoding: str | None
    delimiter: str | None
    sheet: str | None


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the workspace's tables if they are missing (one transaction)."""
    con.execute("BEGIN")
    try:
        con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        for t in TABLES.values():
            cols = ", ".join(f'"{c.name}" {DUCKDB_TYPES[c.kind]}' for c in stored_columns(t))
            con.execute(f'CREATE TABLE IF NOT EXISTS "{t.name}" ({cols})')
        con.execute(
            """CREATE TABLE IF NOT EXISTS load_log (
                load_id INTEGER, batch_id INTEGER, loaded_at TIMESTAMP, file_name VARCHAR,
                file_size BIGINT, sha256 VARCHAR, table_name VARCHAR, rows BIGINT,
                mode VARCHAR, crm VARCHAR, mapping VARCHAR, notes VARCHAR)"""
        )
        con.execute(
            """CREATE TABLE IF NOT EXISTS load_warnings (
                batch_id INTEGER, file_name VARCHAR, column_name VARCHAR,
                message VARCHAR, fix VARCHAR, n_rows BIGINT, examples VARCHAR)"""
        )
        con.execute(
            """CREATE TABLE IF NOT EXISTS lead_merges (
                merged_lead_id VARCHAR, kept_lead_id VARCHAR, matched_on VARCHAR)"""
        )
        con.execute(
            """CREATE TABLE IF NOT EXISTS settings (
                key VARCHAR PRIMARY KEY, value VARCHAR, updated_at TIMESTAMP)"""
        )
        con.execute(
            """CREATE TABLE IF NOT EXISTS settings_log (
                changed_at TIMESTAMP, key VARCHAR, old_value VARCHAR, new_value VARCHAR,
                author VARCHAR, reason VARCHAR)"""
        )
        con.execute(
            "INSERT INTO meta VALUES ('schema_version', $v), ('version', '0') "
            "ON CONFLICT DO NOTHING",
            {"v": str(SCHEMA_VERSION)},
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _columns(rows: Rows) -> list[str]:
    return rows.columns if isinstance(rows, StagedRows) else list(rows.columns)


def height(rows: Rows) -> int:
    """The number of rows, in memory or staged."""
    return rows.rows if isinstance(rows, StagedRows) else rows.height


def _arrow(rows: pl.DataFrame, columns: list[str] | None = None) -> object:
    return (rows if columns is None else rows.select(columns)).to_arrow()


@contextlib.contextmanager
def _source(
    con: duckdb.DuckDBPyConnection, rows: Rows, name: str, columns: list[str] | None = None
) -> Iterator[tuple[str, dict[str, object]]]:
    """What a statement reads the rows from (SQL and its parameters), while it is open.

    Rows in memory are registered as Arrow under ``name``; staged parts are read by
    DuckDB itself (``read_parquet``, the part paths bound), so no Arrow copy is made.
    """
    if isinstance(rows, StagedRows):
        yield "read_parquet($parts)", {"parts": [str(p) for p in rows.parts]}
        return
    con.register(name, _arrow(rows, columns))
    try:
        yield name, {}
    finally:
        con.unregister(name)


def write_table(con: duckdb.DuckDBPyConnection, table: Table, frame: Rows, *, append: bool) -> None:
    """Replace (or, with ``append``, upsert by key) one table's rows with ``frame``.

    ``frame`` is the rows in memory, or a file's batches staged on disk (scanned by
    DuckDB part by part, never held whole).
    """
    columns = _columns(frame)
    unsafe = [c for c in columns if not identifiers.is_safe(c)]
    if unsafe:
        # canonicalise refuses these; a name reaching here unchecked is still not SQL
        raise HandoffError(
            Problem(
                f"{unsafe[0]!r} cannot be a column name",
                fix=f"name columns {identifiers.NAME_RULE}",
                column=unsafe[0],
            )
        )
    q = identifiers.quote
    name = q(table.name)
    existing = {r[0] for r in con.execute(f"DESCRIBE {name}").fetchall()}
    for column in columns:
        if column not in existing:
            # only segment columns on leads can be new (canonicalise checked the rest)
            con.execute(f"ALTER TABLE {name} ADD COLUMN {q(column)} VARCHAR")
    with _source(con, frame, "_staged") as (src, params):
        if append:
            keys = " AND ".join(f"t.{q(k)} IS NOT DISTINCT FROM s.{q(k)}" for k in table.key)
            con.execute(
                f"DELETE FROM {name} t WHERE EXISTS (SELECT 1 FROM {src} s WHERE {keys})", params
            )
        else:
            con.execute(f"DELETE FROM {name}")
        cols = ", ".join(q(c) for c in columns)
        con.execute(f"INSERT INTO {name} ({cols}) SELECT {cols} FROM {src}", params)


def store_merges(
    con: duckdb.DuckDBPyConnection, merges: list[pl.DataFrame], *, replace: bool
) -> None:
    """Keep which duplicate lead was merged into which (``replace``: forget older merges)."""
    if replace:
        con.execute("DELETE FROM lead_merges")
    frames = [m for m in merges if m.height]
    if not frames:
        return
    con.register("_merges", pl.concat(frames).select(list(MERGE_SCHEMA)).to_arrow())
    try:
        con.execute("INSERT INTO lead_merges SELECT * FROM _merges")
    finally:
        con.unregister("_merges")


def link(con: duckdb.DuckDBPyConnection) -> None:
    """Resolve links between tables after a load (idempotent, on whole tables).

    - deals get their lead from leads.converted_deal_id (Salesforce links on the lead
      side), matching 15- and 18-character Salesforce ids;
    - activities and deals that point at a converted contact point at its lead;
    - anything that points at a lead merged into another points at the kept lead;
    - stage history fills the stage timestamps that the leads file left empty.
    """
    con.execute(
        """UPDATE deals SET lead_id = l.lead_id FROM leads l
           WHERE deals.lead_id IS NULL AND l.converted_deal_id = deals.deal_id"""
    )
    con.execute(
        """UPDATE deals SET lead_id = l.lead_id FROM leads l
           WHERE deals.lead_id IS NULL AND length(deals.deal_id) IN (15, 18)
             AND length(l.converted_deal_id) IN (15, 18)
             AND left(l.converted_deal_id, 15) = left(deals.deal_id, 15)"""
    )
    con.execute(
        """UPDATE deals SET lead_id = l.lead_id FROM leads l
           WHERE deals.lead_id IS NULL AND deals.contact_id IS NOT NULL
             AND l.converted_contact_id = deals.contact_id"""
    )
    for name in ("activities", "deals"):
        con.execute(
            f"""UPDATE "{name}" SET lead_id = l.lead_id FROM leads l
                WHERE "{name}".lead_id = l.converted_contact_id
                  AND "{name}".lead_id NOT IN (SELECT lead_id FROM leads)"""
        )
        con.execute(
            f"""UPDATE "{name}" SET lead_id = m.kept_lead_id FROM lead_merges m
                WHERE "{name}".lead_id = m.merged_lead_id"""
        )
    con.execute(
        """UPDATE stage_history SET lead_id = m.kept_lead_id FROM lead_merges m
           WHERE stage_history.lead_id = m.merged_lead_id"""
    )
    apply_stage_history(con)


def apply_stage_history(con: duckdb.DuckDBPyConnection) -> None:
    """Fill the stage timestamps the leads file left empty from the stage history."""
    n = con.execute("SELECT count(*) FROM stage_history").fetchall()[0][0]
    if not n:
        return
    cases = " ".join(
        f"WHEN stage_key IN ({', '.join(repr(a) for a in STAGE_ALIASES[k])}) THEN '{k}'"
        for k in STAGE_COLUMNS
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _stage_pivot AS
            WITH keyed AS (
                SELECT lead_id, entered_at, reason,
                       regexp_replace(lower(trim(stage)), '[^a-z0-9]+', '', 'g') AS stage_key
                FROM stage_history
            ),
            mapped AS (SELECT *, CASE {cases} END AS stage_col FROM keyed)
            SELECT lead_id,
                   min(entered_at) FILTER (WHERE stage_col = 'mql') AS mql_at,
                   min(entered_at) FILTER (WHERE stage_col = 'handed_off') AS handed_off_at,
                   min(entered_at) FILTER (WHERE stage_col = 'accepted') AS accepted_at,
                   min(entered_at) FILTER (WHERE stage_col = 'rejected') AS rejected_at,
                   arg_min(reason, entered_at) FILTER (WHERE stage_col = 'rejected')
                       AS rejection_reason,
                   min(entered_at) FILTER (WHERE stage_col = 'sql') AS sql_at
            FROM mapped GROUP BY lead_id"""
    )
    con.execute(
        """UPDATE leads SET
             mql_at = coalesce(leads.mql_at, p.mql_at),
             handed_off_at = coalesce(leads.handed_off_at, p.handed_off_at),
             accepted_at = coalesce(leads.accepted_at, p.accepted_at),
             rejected_at = coalesce(leads.rejected_at, p.rejected_at),
             rejection_reason = coalesce(leads.rejection_reason, p.rejection_reason),
             sql_at = coalesce(leads.sql_at, p.sql_at)
           FROM _stage_pivot p WHERE leads.lead_id = p.lead_id"""
    )
    con.execute("DROP TABLE _stage_pivot")


def log_load(
    con: duckdb.DuckDBPyConnection,
    batch_id: int,
    prepared: Sequence[Prepared],
    append: bool,
    warnings: list[Problem],
) -> None:
    """Record the files of one load and its warnings in the load log."""
    next_id = int(con.execute("SELECT coalesce(max(load_id), 0) FROM load_log").fetchall()[0][0])
    now = _now()
    for i, p in enumerate(prepared, start=1):
        con.execute(
            "INSERT INTO load_log VALUES ($id, $b, $t, $f, $size, $sha, $tab, $rows, $mode, "
            "$crm, $map, $notes)",
            {
                "id": next_id + i,
                "b": batch_id,
                "t": now,
                "f": p.spec.display,
                "size": p.read.size_bytes,
                "sha": p.sha256,
                "tab": p.table,
                "rows": p.canonical.rows,
                "mode": "append" if append else "replace",
                "crm": p.recognition.crm,
                "map": json.dumps(
                    {"mapping": p.recognition.mapping, "derived": p.recognition.derived},
                    ensure_ascii=False,
                ),
                "notes": json.dumps(p.canonical.notes, ensure_ascii=False),
            },
        )
    for w in warnings:
        con.execute(
            "INSERT INTO load_warnings VALUES ($b, $f, $c, $m, $fix, $n, $ex)",
            {
                "b": batch_id,
                "f": w.file,
                "c": w.column,
                "m": w.message,
                "fix": w.fix,
                "n": w.count,
                "ex": json.dumps([[r.row, str(r.value)] for r in w.rows], ensure_ascii=False),
            },
        )


# Stage names a stage-history file may use, normalised (lower case, letters and digits):
# read from the ingest vocabulary, the MQL names from the handoff metric's parameters.
STAGE_ALIASES: dict[str, tuple[str, ...]] = stage_aliases()


def _rows(p: Prepared) -> pl.DataFrame:
    staged = p.canonical.staged
    return p.canonical.frame if staged is None else staged.frame()


def combine(name: str, items: list[Prepared]) -> Rows:
    """Concatenate the files of one table in a load; the same id in two files is an error.

    One file loaded in batches stays on disk; with other files of its table it is read
    into memory to be combined with them.
    """
    if len(items) == 1:
        staged = items[0].canonical.staged
        return items[0].canonical.frame if staged is None else staged
    frames = [_rows(p) for p in items]
    combined = pl.concat(frames, how="diagonal_relaxed")
    key = list(TABLES[name].key)
    tagged = pl.concat(
        [
            frame.select(key).with_columns(pl.lit(p.spec.display).alias("_file"))
            for p, frame in zip(items, frames, strict=True)
        ],
        how="vertical_relaxed",
    )
    dup = tagged.filter(pl.struct(key).is_duplicated())
    if dup.height:
        files = sorted(set(dup["_file"].to_list()))
        sample = dup.select(key).unique(maintain_order=True).head(5).rows()
        raise HandoffError(
            Problem(
                f"the same {', '.join(key)} appears in more than one {name} file "
                f"({', '.join(files)}), e.g. {', '.join(str(s[0]) for s in sample)}",
                fix="load overlapping exports one at a time with --append (the later file "
                "wins), or remove the overlap",
                file=", ".join(files),
                column=", ".join(key),
                count=dup.height,
            )
        )
    return combined


def file_report(p: Prepared) -> FileReport:
    """What a user is told about one stored file."""
    return FileReport(
        file=p.spec.display,
        table=p.table,
        crm=p.recognition.crm,
        rows=p.canonical.rows,
        mapping=dict(p.recognition.mapping),
        derived=dict(p.recognition.derived),
        unmapped=list(p.recognition.unmapped),
        notes=list(p.canonical.notes),
        encoding=p.read.encoding,
        delimiter=p.read.delimiter,
        sheet=p.read.sheet,
    )


def table_impact(
    con: duckdb.DuckDBPyConnection, staged: dict[str, Rows], *, append: bool
) -> dict[str, tuple[int, int, int]]:
    """Per staged table: rows stored, rows staged, staged rows whose key is stored already."""
    q = identifiers.quote
    out: dict[str, tuple[int, int, int]] = {}
    for name, frame in staged.items():
        stored = int(con.execute(f"SELECT count(*) FROM {q(name)}").fetchall()[0][0])
        replacing = 0
        if append and stored and height(frame):
            key = list(TABLES[name].key)
            with _source(con, frame, "_incoming", key) as (src, params):
                match = " AND ".join(f"t.{q(k)} IS NOT DISTINCT FROM s.{q(k)}" for k in key)
                replacing = int(
                    con.execute(
                        f"SELECT count(*) FROM {src} s WHERE EXISTS "
                        f"(SELECT 1 FROM {q(name)} t WHERE {match})",
                        params,
                    ).fetchall()[0][0]
                )
        out[name] = (stored, height(frame), replacing)
    return out


def orphans(con: duckdb.DuckDBPyConnection, staged: dict[str, Rows]) -> dict[str, int]:
    """Stored deals and activities (not replaced by this load) whose lead the new leads lack."""
    leads = staged["leads"]
    if isinstance(leads, StagedRows):  # leads are typed in memory, never staged on disk
        leads = leads.frame()
    con.register("_new_leads", _arrow(leads, ["lead_id"]))
    try:
        out = {}
        for name in ("deals", "activities"):
            if name in staged:
                continue
            out[name] = int(
                con.execute(
                    f"""SELECT count(*) FROM {identifiers.quote(name)} t
                        WHERE t.lead_id IS NOT NULL
                          AND t.lead_id NOT IN (SELECT lead_id FROM _new_leads)"""
                ).fetchall()[0][0]
            )
        return out
    finally:
        con.unregister("_new_leads")
