"""The workspace: one DuckDB file holding the canonical tables, the load log and settings.

Promises:
- every load is one transaction: if anything fails (a bad row, a crash, Ctrl-C) the
  workspace is exactly as it was before;
- readers keep seeing the last committed data while a load runs, and writers take turns
  (a second one waits a bounded time, then stops with a clear message): ``dashboard.writer``;
- raw e-mail addresses and phone numbers never reach the file;
- each successful load or settings change bumps ``version``, so caches can key on it.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from dashboard import identifiers, preparing, secret, storing, writer
from dashboard import metrics as metrics_mod
from dashboard import settings as settings_mod
from dashboard.errors import HandoffError, Problem
from dashboard.health import data_checks
from dashboard.ingest import mapping as mapping_mod
from dashboard.ingest import readers, stream
from dashboard.ingest.canonical import Options
from dashboard.preparing import FileSpec, Prepared
from dashboard.schema import (
    LOAD_ORDER,
    TABLES,
)
from dashboard.storing import FileReport

DEFAULT_PATH = "handoff.duckdb"
# stage names a stage-history file may use (read from the ingest vocabulary)
STAGE_ALIASES = storing.STAGE_ALIASES


def default_path() -> Path:
    """The workspace file: ``$HANDOFF_WORKSPACE`` if set, else ``./handoff.duckdb``."""
    return Path(os.environ.get("HANDOFF_WORKSPACE") or DEFAULT_PATH)


@dataclass
class LoadImpact:
    """What a load would change: see :meth:`Workspace.impact`."""

    # table -> (rows stored now, rows in the files, of those: rows replacing a stored one)
    tables: dict[str, tuple[int, int, int]]
    # table -> stored rows that would point at a lead no longer there (leads replaced)
    orphans: dict[str, int]
    # (file name, when) of earlier loads of files with the same content
    loaded_before: list[tuple[str, datetime]]
    append: bool = False

    @property
    def loses_data(self) -> bool:
        """True when the load removes stored rows or leaves rows without their lead."""
        # appending keeps every stored row (a row with the same id is replaced, not lost)
        removed = not self.append and any(new < stored for stored, new, _ in self.tables.values())
        return removed or any(self.orphans.values())


@dataclass
class LoadReport:
    """The outcome of one successful load: per-file reports, row counts, warnings."""

    batch_id: int
    files: list[FileReport]
    counts: dict[str, int]
    warnings: list[Problem] = field(default_factory=list)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def cannot_open(path: Path, exc: Exception) -> HandoffError:
    """The error for a workspace file DuckDB could not open, with what to do."""
    return HandoffError(
        Problem(
            f"cannot open the workspace {path}: {exc}",
            fix="close other programs using it, or choose another file with --workspace",
        )
    )


def require_published(path: Path) -> None:
    """HandoffError saying how to make one when there is no workspace at ``path``."""
    if not path.exists():
        raise HandoffError(
            Problem(
                f"there is no workspace at {path}",
                fix="load files first with `handoff load FILE...`, or run `handoff demo`",
            )
        )


class Workspace:
    """A DuckDB workspace file. Use as a context manager, or call ``close()``.

    Opened read-only, it reads the published file and never blocks a writer. Opened for
    writing, it takes the writer lock (waiting at most ``HANDOFF_LOCK_WAIT`` seconds),
    works on a private copy, and publishes the copy when it is closed without an error
    (``dashboard.writer``): readers see the old data or the new, never a half-made load.
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        read_only: bool = False,
        lock_wait: float | None = None,
    ):
        self.path = Path(path) if path is not None else default_path()
        self.read_only = read_only
        self._lock: writer.WriterLock | None = None
        self._borrowed = False
        if read_only:
            require_published(self.path)
        target = self.path
        if not read_only:
            self._lock = writer.WriterLock(self.path)
            self._lock.acquire(lock_wait)
            try:
                target = writer.start_copy(self.path)
            except OSError as exc:
                self._lock.release()
                raise HandoffError(
                    Problem(
                        f"cannot write beside the workspace {self.path}: {exc.strerror}",
                        fix="make its folder writable, or choose another file with --workspace",
                    )
                ) from None
        try:
            self.con = duckdb.connect(str(target), read_only=read_only)
        except duckdb.IOException as exc:
            self._abandon()
            raise cannot_open(self.path, exc) from None
        if not read_only:
            try:
                self._init_schema()
            except BaseException:
                self.close(publish=False)
                raise

    @classmethod
    def over(cls, con: duckdb.DuckDBPyConnection, path: Path) -> Workspace:
        """The workspace at ``path`` read through ``con``, a connection its owner keeps.

        Closing it leaves ``con`` open: the dashboard's shared reader
        (:mod:`dashboard.shared_reader`) lends its connection this way.
        """
        ws = cls.__new__(cls)
        ws.path, ws.read_only, ws._lock, ws._borrowed, ws.con = path, True, None, True, con
        return ws

    # ---------------------------------------------------------------- lifecycle
    def close(self, *, publish: bool = True) -> None:
        """Close the connection (idempotent; a borrowed one stays open for its owner).

        For a writer, ``publish`` makes its changes the workspace; ``publish=False``
        (what an error inside ``with`` does) discards them.
        """
        if self._borrowed:
            return
        with contextlib.suppress(Exception):
            self.con.close()
        if self._lock is None:
            return
        try:
            if publish:
                writer.publish_copy(self.path)
            else:
                writer.discard_copy(self.path)
        finally:
            self._abandon()

    def _abandon(self) -> None:
        """Drop an unpublished copy and give the writer lock back."""
        if self._lock is None:
            return
        lock, self._lock = self._lock, None
        try:
            writer.discard_copy(self.path)
        finally:
            lock.release()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        self.close(publish=exc_type is None)

    def _init_schema(self) -> None:
        storing.create_schema(self.con)

    # ---------------------------------------------------------------- reading
    def _meta(self, key: str) -> str | None:
        rows = self.con.execute("SELECT value FROM meta WHERE key = $k", {"k": key}).fetchall()
        return rows[0][0] if rows else None

    @property
    def version(self) -> int:
        """Increases with every successful load or settings change."""
        return int(self._meta("version") or 0)

    def query(self, sql: str, params: dict[str, Any] | None = None) -> pl.DataFrame:
        """Run ``sql`` with named ``$params`` and return a Polars frame."""
        rel = self.con.sql(sql, params=params or None) if params else self.con.sql(sql)
        if rel is None:
            return pl.DataFrame()
        return rel.pl()

    def counts(self) -> dict[str, int]:
        """Row count of each canonical table (leads, deals, activities, spend, stage_history)."""
        return {
            name: int(self.con.execute(f'SELECT count(*) FROM "{name}"').fetchall()[0][0])
            for name in ("leads", "deals", "activities", "spend", "stage_history")
        }

    def columns(self, table: str) -> list[str]:
        """Columns of a stored table, in order."""
        return [r[0] for r in self.con.execute(f'DESCRIBE "{table}"').fetchall()]

    def coverage(self) -> dict[str, dict[str, int]]:
        """For each canonical table, the number of non-empty values per column."""
        out: dict[str, dict[str, int]] = {}
        for name in TABLES:
            cols = self.columns(name)
            exprs = ", ".join(f"count({identifiers.quote(c)})" for c in cols)
            row = self.con.execute(f"SELECT {exprs} FROM {identifiers.quote(name)}").fetchall()[0]
            out[name] = dict(zip(cols, (int(v) for v in row), strict=True))
        return out

    def load_log(self) -> pl.DataFrame:
        """Every file loaded, newest first: name, size, SHA-256, table, rows, mapping, time."""
        return self.query("SELECT * FROM load_log ORDER BY load_id DESC")

    def warnings(self) -> pl.DataFrame:
        """Data-health warnings found by the latest load (kept rows that deserve a look)."""
        return self.query(
            "SELECT * FROM load_warnings WHERE batch_id = (SELECT max(batch_id) FROM load_warnings)"
        )

    # ---------------------------------------------------------------- settings
    def settings(self) -> dict[str, Any]:
        """Every setting: stored values over the defaults."""
        out = settings_mod.defaults()
        for key, value in self.con.execute("SELECT key, value FROM settings").fetchall():
            if key in out:
                out[key] = json.loads(value)
        return out

    def set_settings(
        self, changes: dict[str, Any], *, author: str = "", reason: str = ""
    ) -> dict[str, Any]:
        """Validate and store ``changes``, logging old → new with author and reason.

        Returns the settings after the change. Nothing is stored if any value is invalid.
        """
        clean = {k: settings_mod.coerce(k, v) for k, v in changes.items()}
        current = self.settings()
        now = _now()
        self.con.execute("BEGIN")
        try:
            for key, value in clean.items():
                if current.get(key) == value:
                    continue
                self.con.execute(
                    "INSERT OR REPLACE INTO settings VALUES ($k, $v, $t)",
                    {"k": key, "v": json.dumps(value), "t": now},
                )
                self.con.execute(
                    "INSERT INTO settings_log VALUES ($t, $k, $old, $new, $a, $r)",
                    {
                        "t": now,
                        "k": key,
                        "old": json.dumps(current.get(key)),
                        "new": json.dumps(value),
                        "a": author,
                        "r": reason,
                    },
                )
            if self.counts().get("leads"):
                metrics_mod.build_cache(self.con, self.settings())
            self._bump_version()
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        return self.settings()

    def _bump_version(self) -> None:
        self.con.execute(
            "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS VARCHAR) "
            "WHERE key = 'version'"
        )

    def options(self, overrides: dict[str, Any] | None = None) -> Options:
        """Value-reading options from the settings, overridden by a mapping file's [options]."""
        s = self.settings()
        o = {**s, **{k: v for k, v in (overrides or {}).items() if v not in (None, "")}}
        return Options(
            timezone=str(o.get("timezone") or "UTC"),
            date_order=(o.get("date_order") or None),
            decimal=(o.get("decimal") or None),
            currency=(o.get("currency") or None),
            personal_data=str(o.get("personal_data") or "hash"),
            duplicate_source=str(o.get("duplicate_source") or "first"),
            key=secret.hashing_key(),
            missing_created_at=(o.get("missing_created_at") or None),
            load_date=_now().date(),
        )

    # ---------------------------------------------------------------- loading
    def prepare(
        self,
        files: Sequence[FileSpec | str | Path],
        *,
        table: str | None = None,
        mapping: mapping_mod.MappingFile | None = None,
        options: dict[str, Any] | None = None,
        recognitions: dict[str, mapping_mod.Recognition] | None = None,
        progress: stream.ProgressFn | None = None,
    ) -> list[Prepared]:
        """Read, recognise and convert every file without touching the workspace.

        ``recognitions`` (by display name) lets a caller confirm or edit a mapping shown
        to the user before loading. Raises HandoffError naming the file, column and rows.
        A big activities file is converted in batches kept on disk (``dashboard.ingest.
        stream``) with the same result; ``progress`` is called after each batch and when
        each file is done, with the rows read so far.
        """
        specs = [f if isinstance(f, FileSpec) else FileSpec(Path(f)) for f in files]
        if not specs:
            raise HandoffError(Problem("no files given", fix="name at least one file to load"))
        file_options = dict(mapping.options) if mapping else {}
        opts = self.options({**file_options, **(options or {})})
        limits = readers.ReadLimits.from_settings({**self.settings(), **(options or {})})
        return preparing.prepare_files(
            specs,
            table=table,
            mapping=mapping,
            file_options=file_options,
            options=opts,
            limits=limits,
            recognitions=recognitions or {},
            progress=progress,
        )

    def load(
        self,
        files: Sequence[FileSpec | str | Path],
        *,
        table: str | None = None,
        mapping: mapping_mod.MappingFile | None = None,
        append: bool = False,
        options: dict[str, Any] | None = None,
        progress: stream.ProgressFn | None = None,
    ) -> LoadReport:
        """Load files into the workspace in one transaction (all or nothing)."""
        prepared = self.prepare(
            files, table=table, mapping=mapping, options=options, progress=progress
        )
        return self.commit(prepared, append=append, progress=progress)

    def impact(self, prepared: Sequence[Prepared], *, append: bool = False) -> LoadImpact:
        """What committing ``prepared`` would do to the stored data, without changing it.

        Per table the files provide: the rows stored now, the rows the files bring, and (when
        appending) how many of those replace a stored row; for a leads table replaced, the
        stored deals and activities whose lead would be gone; and the files loaded before
        (same content), with when.
        """
        by_table: dict[str, list[Prepared]] = {}
        for p in prepared:
            by_table.setdefault(p.table, []).append(p)
        staged = {name: storing.combine(name, items) for name, items in by_table.items()}
        tables = storing.table_impact(self.con, staged, append=append)
        orphans = {} if append or "leads" not in staged else storing.orphans(self.con, staged)
        shas = [p.sha256 for p in prepared]
        seen = self.con.execute(
            "SELECT file_name, max(loaded_at) FROM load_log WHERE list_contains($s, sha256) "
            "GROUP BY file_name ORDER BY file_name",
            {"s": shas},
        ).fetchall()
        return LoadImpact(tables=tables, orphans=orphans, loaded_before=seen, append=append)

    def commit(
        self,
        prepared: Sequence[Prepared],
        *,
        append: bool = False,
        progress: stream.ProgressFn | None = None,
    ) -> LoadReport:
        """Store prepared files in one transaction; on any failure nothing changes.

        Replace mode (default) replaces each table that the files provide; ``append``
        adds rows, and a row whose id is already stored replaces the stored row.
        ``progress`` is called when each table is stored (named by the table).
        """
        if self.read_only:
            raise HandoffError(
                Problem("the workspace is open read-only", fix="open it for writing")
            )
        by_table: dict[str, list[Prepared]] = {}
        for p in prepared:
            by_table.setdefault(p.table, []).append(p)
        staged = {name: storing.combine(name, items) for name, items in by_table.items()}

        con = self.con
        # a load's DuckDB work (inserts, links, health checks, the staging cache) spills
        # to disk beyond this, so a big load fits the machine the data came from
        before = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
        con.execute(f"SET memory_limit = '{stream.DUCKDB_LOAD_MEMORY}'")
        try:
            return self._commit(prepared, staged, append, progress)
        finally:
            with contextlib.suppress(duckdb.Error):
                con.execute("SET memory_limit = $m", {"m": before})

    def _commit(
        self,
        prepared: Sequence[Prepared],
        staged: dict[str, storing.Rows],
        append: bool,
        progress: stream.ProgressFn | None,
    ) -> LoadReport:
        """The transaction of :meth:`commit`."""
        con = self.con
        con.execute("BEGIN")
        try:
            batch_id = int(
                con.execute("SELECT coalesce(max(batch_id), 0) + 1 FROM load_log").fetchall()[0][0]
            )
            began = time.perf_counter()
            for name in LOAD_ORDER:
                if name not in staged:
                    continue
                storing.write_table(con, TABLES[name], staged[name], append=append)
                if progress is not None:
                    rows = storing.height(staged[name])
                    progress(stream.Progress(name, rows, time.perf_counter() - began, True))
            merges = [p.canonical.merges for p in prepared if p.canonical.merges is not None]
            storing.store_merges(con, merges, replace=("leads" in staged and not append))
            storing.link(con)
            warnings = [w for p in prepared for w in p.canonical.warnings]
            warnings.extend(data_checks(con, self.settings().get("currency")))
            storing.log_load(con, batch_id, prepared, append, warnings)
            metrics_mod.build_cache(con, self.settings())
            self._bump_version()
            con.execute("COMMIT")
            for p in prepared:
                if p.canonical.staged is not None:
                    p.canonical.staged.discard()
        except BaseException:
            # KeyboardInterrupt included: roll back, then let it propagate
            with contextlib.suppress(Exception):
                con.execute("ROLLBACK")
            raise
        return LoadReport(
            batch_id=batch_id,
            files=[storing.file_report(p) for p in prepared],
            counts=self.counts(),
            warnings=warnings,
        )
