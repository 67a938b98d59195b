"""Run the metrics on Spark over the canonical tables, with the DuckDB engine's results.

The metric and staging SQL is the same text the DuckDB engine runs, translated by
:mod:`dashboard.engines.portable`. Settings, filters and data facts are bound as Spark
named parameters (``spark.sql(query, args=...)``), never written into the SQL. Two traps
are closed here: the session time zone is pinned to UTC and every time is a
``TIMESTAMP_NTZ`` (UTC wall-clock time, as the workspace stores it), so neither a Python
datetime nor a lake table with local-zone timestamps shifts a cohort to another day.

Staging views become Spark temp views, created from the same SQL in the same order. Each
per-lead staging view is computed once and checkpointed on the executors (Spark has no
workspace cache; the checkpoint holds the same rows the DuckDB cache holds), so a metric
plans over a short lineage instead of the whole staging chain again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Any

import polars as pl

from dashboard import metrics
from dashboard.engines import portable
from dashboard.errors import HandoffError, MissingInputsError, Problem
from dashboard.metric_types import Filters
from dashboard.schema import TABLES

JAVA_FIX = (
    "Spark needs Java 17 or newer: install it (Debian/Ubuntu: "
    "`sudo apt-get install openjdk-17-jre-headless`) or set JAVA_HOME to a Java 17 install"
)
PYSPARK_FIX = "install the Spark extra: pip install -c requirements.lock -e '.[dev]'"

# Settings of a local session: small, quiet, and a shuffle as wide as the machine.
LOCAL_CONF = {
    "spark.sql.shuffle.partitions": "2",
    "spark.ui.enabled": "false",
    "spark.driver.memory": "1g",
}
# Settings every session gets: the ones results depend on.
RESULT_CONF = {
    "spark.sql.session.timeZone": "UTC",
    # DuckDB's TIMESTAMP has no zone: parquet times are read as TIMESTAMP_NTZ
    "spark.sql.parquet.inferTimestampNTZ.enabled": "true",
    "spark.sql.ansi.enabled": "true",
}


def java_home() -> str:
    """The Java Spark will start with (JAVA_HOME or ``java`` on PATH); HandoffError if none."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return home
    java = shutil.which("java")
    if java:
        return str(Path(java).resolve().parent.parent)
    raise HandoffError(Problem("Java was not found (JAVA_HOME is unset and no `java`)", JAVA_FIX))


def session(master: str | None = None) -> Any:
    """The Spark session to run on: ``master`` (``local[2]`` when not given), or a Spark
    Connect server when ``master`` is an ``sc://`` URL. Reuses the running session."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise HandoffError(Problem("pyspark is not installed", PYSPARK_FIX)) from None
    builder = SparkSession.builder.appName("handoff")
    if master and master.startswith("sc://"):
        builder = builder.remote(master)
    elif master is None and os.environ.get("PYSPARK_GATEWAY_PORT"):
        # started by spark-submit: its --master and --conf stand
        pass
    else:
        java_home()
        master = master or "local[2]"
        builder = builder.master(master)
        if master.startswith("local"):
            for key, value in LOCAL_CONF.items():
                builder = builder.config(key, value)
    for key, value in RESULT_CONF.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    for key, value in RESULT_CONF.items():
        # a reused session gets them too
        spark.conf.set(key, value)
    return spark


def _read_table(spark: Any, location: str, name: str) -> Any:
    """Table ``name`` under ``location``: ``NAME.parquet`` (a file or a folder) or ``NAME/``."""
    for path in (f"{location.rstrip('/')}/{name}.parquet", f"{location.rstrip('/')}/{name}"):
        # pyspark raises AnalysisException subclasses that differ between versions
        with contextlib.suppress(Exception):
            return spark.read.parquet(path)
    raise HandoffError(
        Problem(
            f"there is no table {name!r} under {location}",
            fix="write the tables with `handoff export --format parquet --out DIR` and give "
            "--tables DIR",
        )
    )


def _canonical(frame: Any) -> Any:
    """The table with DuckDB's types: times as UTC wall clock, decimals as doubles."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    for field in frame.schema.fields:
        if isinstance(field.dataType, T.TimestampType):
            # a local-zone timestamp, read in the session's UTC: its UTC wall-clock time
            frame = frame.withColumn(field.name, F.col(field.name).cast("timestamp_ntz"))
        elif isinstance(field.dataType, T.DecimalType):
            frame = frame.withColumn(field.name, F.col(field.name).cast("double"))
    return frame


def register_tables(spark: Any, location: str) -> dict[str, list[str]]:
    """Register every canonical table under ``location`` as a temp view; their columns.

    Which columns hold a value is read here, once per table (one pass each), so a metric's
    inputs are checked without a Spark job per metric.
    """
    from pyspark.sql import functions as F

    forget(spark)
    columns, filled = {}, set()
    for name in TABLES:
        frame = _canonical(_read_table(spark, location, name))
        frame.createOrReplaceTempView(name)
        columns[name] = list(frame.columns)
        counts = frame.select(
            [F.count(F.col(f"`{c}`")).alias(f"c{i}") for i, c in enumerate(frame.columns)]
        )
        row = counts.collect()[0]
        filled |= {(name, c) for i, c in enumerate(frame.columns) if row[f"c{i}"]}
    _FILLED[id(spark)] = filled
    return columns


def _arg(value: Any) -> Any:
    """A value as Spark binds it; the SQL casts it to its type (times never go through a
    Python datetime, which Spark would read on the machine's clock)."""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def _duckdb_type(value: Any) -> str:
    """The DuckDB type a ``$`` parameter of this Python value is bound as."""
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, int):
        return "BIGINT"
    if isinstance(value, float):
        return "DOUBLE"
    if isinstance(value, list | tuple):
        return "VARCHAR[]"
    if isinstance(value, dt.datetime):
        return "TIMESTAMP"
    if isinstance(value, dt.date):
        return "DATE"
    return "VARCHAR"


def _sql(spark: Any, duck_sql: str, values: dict[str, Any], types: dict[str, str]) -> Any:
    """Run a portable DuckDB query on Spark with ``values`` bound; its DataFrame."""
    spark_sql = portable.to_spark(duck_sql, types)
    read = [n for n in values if f":{n}" in spark_sql]
    return spark.sql(spark_sql, args={n: _arg(values[n]) for n in read})


def _facts(spark: Any, currency: str) -> dict[str, Any]:
    """The data facts the staging reads, by the same queries the DuckDB engine runs."""
    as_of = _sql(spark, metrics.AS_OF_SQL, {}, {}).collect()[0][0]
    n_mql = _sql(spark, metrics.MQL_DATES_SQL, {}, {}).collect()[0][0]
    n_money = _sql(
        spark, metrics.MONEY_KNOWN_SQL, {"currency": currency}, {"currency": "VARCHAR"}
    ).collect()[0][0]
    return {
        "mql_basis": "date" if n_mql else "score",
        "money_known": bool(n_money),
        "as_of": as_of or metrics.EPOCH,
    }


def _missing(spark: Any, metric: metrics.Metric) -> list[str]:
    """The ``table.column`` inputs the metric needs that hold no value (as check_needs)."""
    filled = _FILLED.get(id(spark), set())
    missing = []
    for need in metric.needs:
        options = need.split("|")
        if not any(tuple(option.split(".")) in filled for option in options):
            missing.append(" or ".join(options))
    return missing


# The (table, column) pairs that hold a value, per session (read by register_tables).
_FILLED: dict[int, set[tuple[str, str]]] = {}

# The staging a session holds: the key of the values it was created with, per session.
_PREPARED: dict[int, tuple[str, dict[str, Any], dict[str, str], list[Any]]] = {}


def prepare(
    spark: Any,
    columns: dict[str, list[str]],
    settings: dict[str, Any],
    filters: Filters,
    by: str | None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Create the staging temp views for these settings and filters; the values and types.

    Every per-lead staging view is computed once and kept as a local checkpoint (its rows
    on the executors, its lineage cut) while the same settings and filters are asked for
    again, as DuckDB keeps its cache; metrics then plan over a short lineage. A checkpoint
    lives in executor memory and spills to executor disk: see docs/scale.md.
    """
    leads = columns["leads"]
    metrics.check_dimensions(metrics.dimensions_of(leads), filters, by)
    key = repr((sorted(settings.items()), filters, by, sorted(columns.items())))
    held = _PREPARED.get(id(spark))
    if held and held[0] == key:
        return held[1], held[2]
    for frame in held[3] if held else []:
        frame.unpersist()
    values = metrics.bind_values(settings, filters, by, _facts(spark, str(settings["currency"])))
    types = {name: metrics.session_type(name) for name in values}
    cached = []
    for view in metrics.STAGING_VIEWS:
        frame = _sql(spark, metrics.render_staging(view, leads), values, types)
        if view in metrics.STAGING_ORDER:
            frame = frame.localCheckpoint()
            cached.append(frame)
        frame.createOrReplaceTempView(view)
    _PREPARED[id(spark)] = (key, values, types, cached)
    return values, types


def forget(spark: Any) -> None:
    """Drop the staging and the filled-column facts held for ``spark`` (after its tables
    were registered again)."""
    _FILLED.pop(id(spark), None)
    for frame in _PREPARED.pop(id(spark), (None, None, None, []))[3]:
        frame.unpersist()


def duckdb_schema(con: Any, name: str, **kwargs: Any) -> pl.Schema:
    """The column types the DuckDB engine answers metric ``name`` with (nothing is read:
    the query is bound and planned with no row asked for)."""
    metric = metrics.get(name)
    session_values = metrics.prepare_session(
        con, kwargs["settings"], kwargs.get("filters") or Filters(), kwargs.get("by")
    )
    bound = metrics.metric_values(
        metric, session_values, kwargs["settings"], kwargs.get("parameters")
    )
    sql = metrics.render_metric(metric, [r[0] for r in con.execute("DESCRIBE leads").fetchall()])
    return con.sql(sql, params=bound).limit(0).pl().schema


def run(
    spark: Any,
    columns: dict[str, list[str]],
    name: str,
    *,
    settings: dict[str, Any],
    filters: Filters | None = None,
    by: str | None = None,
    parameters: dict[str, Any] | None = None,
    schema: pl.Schema | None = None,
) -> pl.DataFrame:
    """Metric ``name`` computed on Spark over the registered tables: the rows and columns
    :func:`dashboard.metrics.run` gives on DuckDB for the same arguments.

    ``schema`` (from :func:`duckdb_schema`) gives each column DuckDB's type: Spark's
    integer types differ (``rank()`` is an INT, a sum of BIGINTs a BIGINT, not a HUGEINT)
    while the values are the same.
    """
    metric = metrics.get(name)
    if by is not None and not metric.supports_by:
        raise HandoffError(Problem(f"{name} cannot be broken down with --by", fix="leave out --by"))
    missing = _missing(spark, metric)
    if missing:
        raise MissingInputsError(name, missing)
    session_values, types = prepare(spark, columns, settings, filters or Filters(), by)
    bound = metrics.metric_values(metric, session_values, settings, parameters)
    types = {**{n: _duckdb_type(v) for n, v in bound.items()}, **types}
    sql = metrics.render_metric(metric, columns["leads"])
    frame = pl.from_arrow(_sql(spark, sql, {**session_values, **bound}, types).toArrow())
    if schema is not None:
        frame = frame.cast(dict(schema))
    return frame
