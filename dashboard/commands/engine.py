"""``handoff export`` and ``handoff metric --engine spark``: the same metrics on other engines.

The workspace's canonical tables are written as Parquet (one ``TABLE.parquet`` per table);
Spark reads them from there or from a lake path with the same layout, and runs every
metric with the definitions and settings the workspace holds.
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl

from dashboard.commands.common import EXIT_OK, open_workspace
from dashboard.errors import HandoffError, Problem, printable
from dashboard.schema import TABLES


def export_tables(con: Any, out: Path) -> list[Path]:
    """Write every canonical table of the workspace on ``con`` to ``out/TABLE.parquet``."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in TABLES:
        path = out / f"{name}.parquet"
        # the relation API takes the path as a value: nothing is pasted into SQL
        con.table(name).write_parquet(str(path))
        written.append(path)
    return written


def cmd_export(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise HandoffError(
            Problem(f"cannot write to {printable(out)}: it is a file", fix="give a folder")
        )
    with open_workspace(args, read_only=True) as ws:
        written = export_tables(ws.con, out)
    for path in written:
        print(f"wrote {printable(path)}")
    return EXIT_OK


@contextlib.contextmanager
def _tables(args: argparse.Namespace) -> Iterator[str]:
    """Where Spark reads the tables: ``--tables``, else the workspace's, exported for it."""
    if args.tables:
        yield str(args.tables)
        return
    with tempfile.TemporaryDirectory(prefix="handoff-spark-") as tmp:
        with open_workspace(args, read_only=True) as ws:
            export_tables(ws.con, Path(tmp))
        yield tmp


def spark_frame(
    args: argparse.Namespace,
    name: str,
    *,
    overrides: dict[str, Any],
    filters: Any,
    parameters: dict[str, Any],
) -> pl.DataFrame:
    """Metric ``name`` computed on Spark, with the workspace's settings and ``overrides``."""
    from dashboard import metrics
    from dashboard.engines import spark

    with open_workspace(args, read_only=True) as ws:
        settings = metrics.resolve_settings(ws.settings(), overrides)
        # the DuckDB engine's column types, so both engines print the same JSON types
        schema = spark.duckdb_schema(
            ws.con, name, settings=settings, filters=filters, by=args.by, parameters=parameters
        )
    session = spark.session(args.spark_master)
    with _tables(args) as location:
        columns = spark.register_tables(session, location)
        return spark.run(
            session,
            columns,
            name,
            settings=settings,
            filters=filters,
            by=args.by,
            parameters=parameters,
            schema=schema,
        )
