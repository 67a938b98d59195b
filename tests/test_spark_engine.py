"""Every metric on Spark (local[2]) gives the DuckDB engine's rows on the demo data.

One Spark session for the whole test session; the demo's tables are exported once with
``handoff export`` and registered once. Each metric runs through the function the CLI's
``--engine spark`` calls, in six scenarios, and is compared row by row with the DuckDB
engine (same columns in the same order, same JSON types, floats to 1e-9 relative). One
test runs the real ``handoff metric --engine spark`` command.

Java is needed: a machine without it fails here with the way to install it, never skips.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dashboard import metrics
from dashboard.commands.query import _json_default
from dashboard.metric_types import Filters

pytestmark = pytest.mark.spark

# (name, --set overrides, filters, --by): the six scenarios of the engine's contract
SCENARIOS = [
    ("defaults", {}, Filters(), None),
    ("set", {"sla_hours": "4", "mql_score_threshold": "50", "give_up_days": "7"}, Filters(), None),
    (
        "date_and_source",
        {},
        Filters(
            date_from=dt.date(2026, 3, 1),
            date_to=dt.date(2026, 8, 31),
            sources=["Zalo OA", "Facebook Ads"],
        ),
        None,
    ),
    (
        "owner_and_segment",
        {},
        Filters(
            owners=["Nguyễn Văn An", "Đặng Minh Tuấn"],
            segment_column="country",
            segment_values=["Vietnam"],
        ),
        None,
    ),
    ("by_month", {}, Filters(), "month"),
    ("cohort_mql", {"cohort_basis": "mql"}, Filters(), None),
]

TEST_SPEED_CONF = {
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
    "spark.sql.adaptive.enabled": "false",
}


@pytest.fixture(scope="session")
def spark_session() -> Any:
    """The one Spark session (local[2]) of the test session."""
    from dashboard.engines import spark

    spark.java_home()  # no Java: fail with the way to install it
    session = spark.session("local[2]")
    # the demo is tiny: compiling generated code and re-planning stages cost more than
    # they save (about 15% of the matrix); no result depends on these
    for key, value in TEST_SPEED_CONF.items():
        session.conf.set(key, value)
    return session


@pytest.fixture(scope="session")
def spark_demo(tmp_path_factory: pytest.TempPathFactory, spark_session: Any) -> dict[str, Any]:
    """The demo workspace, its tables exported as Parquet, and registered on Spark."""
    from dashboard.cli import main
    from dashboard.engines import spark

    root = tmp_path_factory.mktemp("spark")
    workspace, tables = root / "demo.duckdb", root / "tables"
    assert main(["demo", "--no-serve", "--workspace", str(workspace)]) == 0
    assert main(["export", "--workspace", str(workspace), "--out", str(tables)]) == 0
    session = spark_session
    columns = spark.register_tables(session, str(tables))
    return {"workspace": workspace, "tables": tables, "spark": session, "columns": columns}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) or (a != a and b != b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _json_rows(frame: Any) -> list[dict[str, Any]]:
    """The rows as ``--format json`` prints them, read back."""
    return json.loads(json.dumps(frame.to_dicts(), ensure_ascii=False, default=_json_default))


def _compare(name: str, duck: list[dict], spark_rows: list[dict]) -> list[str]:
    problems = []
    if len(duck) != len(spark_rows):
        return [f"{name}: {len(duck)} rows on DuckDB, {len(spark_rows)} on Spark"]
    for i, (a, b) in enumerate(zip(duck, spark_rows, strict=True)):
        if list(a) != list(b):
            return [f"{name}: columns {list(a)} on DuckDB, {list(b)} on Spark"]
        for col in a:
            if not _same(a[col], b[col]):
                problems.append(f"{name} row {i} {col}: DuckDB {a[col]!r}, Spark {b[col]!r}")
    return problems[:5]


# The whole matrix (every metric in six scenarios) takes about 3 minutes on a 2-core
# machine, part of `make test`; `make test-spark` runs only the Spark tests.
@pytest.mark.spark_matrix
@pytest.mark.parametrize(
    ("scenario", "overrides", "filters", "by"), SCENARIOS, ids=[s[0] for s in SCENARIOS]
)
def test_every_metric_on_spark_equals_duckdb(
    spark_demo: dict[str, Any],
    scenario: str,
    overrides: dict[str, str],
    filters: Filters,
    by: str | None,
) -> None:
    from dashboard.engines import spark
    from dashboard.workspace import Workspace

    problems: list[str] = []
    with Workspace(spark_demo["workspace"], read_only=True) as ws:
        settings = metrics.resolve_settings(ws.settings(), overrides)
        for name, metric in metrics.registry().items():
            metric_by = by if metric.supports_by else None
            kwargs = {"settings": settings, "filters": filters, "by": metric_by}
            duck = metrics.run(ws.con, name, **kwargs).frame
            # the types the CLI takes from spark.duckdb_schema (the command test covers it)
            on_spark = spark.run(
                spark_demo["spark"], spark_demo["columns"], name, schema=duck.schema, **kwargs
            )
            problems.extend(_compare(name, _json_rows(duck), _json_rows(on_spark)))
    assert not problems, f"{scenario}:\n" + "\n".join(problems)


def test_the_spark_command_prints_what_duckdb_prints(spark_demo: dict[str, Any]) -> None:
    base = [
        sys.executable,
        "-m",
        "dashboard.cli",
        "metric",
        "funnel",
        "--workspace",
        str(spark_demo["workspace"]),
        "--format",
        "json",
        "--set",
        "sla_hours=4",
    ]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    duck = subprocess.run(base, capture_output=True, text=True, env=env, check=True)
    on_spark = subprocess.run(
        [*base, "--engine", "spark", "--tables", str(spark_demo["tables"])],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert on_spark.returncode == 0, on_spark.stderr[-2000:]
    assert not _compare("funnel", json.loads(duck.stdout), json.loads(on_spark.stdout))


def test_missing_java_fails_with_the_way_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboard.engines import spark
    from dashboard.errors import HandoffError

    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(Path("/nonexistent")))
    with pytest.raises(HandoffError, match="openjdk-17-jre-headless"):
        spark.java_home()


def test_a_lake_table_with_local_zone_times_keeps_its_utc_day(spark_session: Any) -> None:
    """A lake table's zone-aware timestamp (Spark TIMESTAMP) is read as its UTC wall-clock
    time: a lead created at 23:30 UTC on 31 January stays in January."""
    from pyspark.sql import types as T

    from dashboard.engines import spark

    moment = dt.datetime(2026, 1, 31, 23, 30, tzinfo=dt.UTC)
    frame = spark_session.createDataFrame(
        [(moment,)], T.StructType([T.StructField("created_at", T.TimestampType())])
    )
    row = spark._canonical(frame).collect()[0]
    assert isinstance(spark._canonical(frame).schema["created_at"].dataType, T.TimestampNTZType)
    assert row["created_at"] == dt.datetime(2026, 1, 31, 23, 30)
