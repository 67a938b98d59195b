"""One read-only connection to the published workspace, shared by the dashboard's reads.

Opening the workspace file costs about as much as a small query, and a page asks for a
dozen figures; each of them also sets up the same session (settings, filters, staging
views). So the dashboard keeps one connection: an in-memory DuckDB database with the
published file attached read-only as ``workspace``. Reads take turns on it (the caller
holds a lock), a figure asked for with the session of the one before reuses that session
(:func:`dashboard.metrics.prepare_session`), and DuckDB keeps the pages it has read.

A load publishes a new file by renaming it over the workspace (:mod:`dashboard.writer`).
Every read first compares the file's identity (inode, modification time, size) with the
one attached; when it differs, the connection is closed and the new file attached on a
fresh one, so no session, view or variable of the old data survives. Attaching (unlike
``duckdb.connect`` on the file) never hands back a database another handle in the
process still has open on the old file.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dashboard.workspace import cannot_open, require_published

CATALOG = "workspace"


@dataclass
class _Attached:
    path: Path
    identity: tuple[int, int, int]
    con: duckdb.DuckDBPyConnection


_current: _Attached | None = None
# how many reads are inside one another (all in the thread holding the caller's lock)
_depth = 0


def _identity(path: Path) -> tuple[int, int, int]:
    st = os.stat(path)
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def _attach(path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"ATTACH $p AS {CATALOG} (READ_ONLY)", {"p": str(path)})
        con.execute(f"USE {CATALOG}")
    except duckdb.Error as exc:
        con.close()
        raise cannot_open(path, exc) from None
    return con


def acquire(path: Path) -> tuple[duckdb.DuckDBPyConnection, bool]:
    """A connection reading the workspace as published now, and whether it is a cursor.

    The caller holds the reads' lock until :func:`release`. The outermost read gets the
    shared connection (attached afresh when a load has published since); a read inside
    another gets its own cursor on it, so neither disturbs the other's results.
    """
    global _current, _depth
    require_published(path)
    if _depth and _current is not None:
        cursor = _current.con.cursor()
        cursor.execute(f"USE {CATALOG}")
        _depth += 1
        return cursor, True
    identity = _identity(path)
    if _current is None or (_current.path, _current.identity) != (path, identity):
        close()
        _current = _Attached(path, identity, _attach(path))
    _depth += 1
    return _current.con, False


def release(con: duckdb.DuckDBPyConnection, cursor: bool) -> None:
    """End a read begun by :func:`acquire` (a cursor is closed; the shared one stays)."""
    global _depth
    _depth -= 1
    if cursor:
        con.close()


def close() -> None:
    """Close the shared connection (the next read attaches the file again)."""
    global _current
    if _current is not None:
        attached, _current = _current, None
        # an error here means it was closed already: nothing holds the old file any more
        with contextlib.suppress(duckdb.Error):
            attached.con.close()
