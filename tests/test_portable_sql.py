"""Every query keeps to the portable subset, and the Spark translation refuses what it
does not know.

The subset is what means the same on DuckDB and Spark (dashboard/engines/portable.py).
Every file in queries/ and queries/staging/ is checked, so a new metric that breaks the
subset fails here with the construct and its portable spelling.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard import metric_sql, metrics
from dashboard.engines import portable
from dashboard.schema import LEADS
from tests.conftest import REPO

# a leads schema with every canonical column and a segment column, as a workspace has
LEADS_COLUMNS = [c.name for c in LEADS.columns] + ["segment_tier"]
QUERY_FILES = sorted((REPO / "queries").glob("*.sql")) + sorted(
    (REPO / "queries" / "staging").glob("*.sql")
)


def _rendered(path: Path) -> str:
    """The file's SQL as an engine runs it (schema-built column lists filled in)."""
    text = path.read_text(encoding="utf-8")
    if path.parent.name == "staging":
        return metric_sql.fill_staging(path.stem, text, LEADS_COLUMNS)
    return metric_sql.fill_metric(text, LEADS_COLUMNS)


def test_every_query_file_is_checked() -> None:
    names = {p.stem for p in QUERY_FILES}
    assert set(metrics.registry()) <= names
    assert set(metrics.STAGING_VIEWS) <= names


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_query_keeps_to_the_portable_subset(path: Path) -> None:
    found = portable.violations(_rendered(path))
    assert not found, f"{path.relative_to(REPO)} uses constructs outside the portable subset:\n" + (
        "\n".join(f"  - {v}" for v in found)
    )


@pytest.mark.parametrize(
    ("sql", "construct", "spelling"),
    [
        ("select to_microseconds(5) from t", "to_microseconds", "date_diff('microsecond'"),
        ("select a - to_days(2) from t", "to_days", "date_diff('microsecond'"),
        ("select i from range(1, 11) r(i)", "range(a, b)", "generate_series"),
        ("select * from generate_series(1, 3) g(i)", "generate_series(...) in FROM", "unnest"),
        ("select len(xs) from t", "len(list)", "array_length(list)"),
        ("select a from t union all by name select a from u", "UNION ALL BY NAME", "same order"),
        ("select columns('^a')::varchar from t", "COLUMNS(...)", "from the schema"),
        ("unpivot t on columns(* exclude (a))", "COLUMNS(...)", "from the schema"),
        ("select epoch(a - b) from t", "epoch(a - b)", "epoch(a) - epoch(b)"),
        ("select a / 60.0 from t", "decimal literal 60.0", "60e0"),
        ("select rank() over (order by a) - 1 from t", "window expression", "parentheses"),
        ("select * replace (1 as a) from t", "REPLACE", "list the columns"),
        ("select list_unique(xs) from t", "list_unique", "no known Spark spelling"),
        ("select timezone('UTC', a) from t", "timezone", "timezone(tz, timezone('UTC', t))"),
    ],
)
def test_a_construct_outside_the_subset_is_named_with_its_spelling(
    sql: str, construct: str, spelling: str
) -> None:
    found = " | ".join(portable.violations(sql))
    assert construct in found and spelling in found, found


@pytest.mark.parametrize(
    "sql",
    [
        "select a / 60e0, (rank() over (order by a)) - 1 from t",
        "select unnest(generate_series(1, 10)) as n",
        "select epoch(a) - epoch(b), date_diff('microsecond', a, b) from t",
        "select array_length(getvariable('xs')) from t",
        "select timezone(getvariable('tz'), timezone('UTC', a)) from t",
    ],
)
def test_portable_spellings_pass(sql: str) -> None:
    assert portable.violations(sql) == []


def test_translation_rules_for_what_has_no_portable_spelling() -> None:
    sql = portable.to_spark(
        "select quantile_cont(x, 0.5e0) as m, epoch(t) as e, error('bad') as f, "
        "getvariable('sla_hours') as s, $as_of as a from v",
        {"sla_hours": "DOUBLE", "as_of": "TIMESTAMP"},
    )
    # exact percentile, never an approximate one
    assert "PERCENTILE(x, 0.5e0)" in sql
    assert "APPROX" not in sql.upper() and "PERCENTILE_" not in sql.upper()
    assert "UNIX_MICROS(CAST(t AS TIMESTAMP_NTZ)) / 1e6" in sql
    assert "RAISE_ERROR('bad')" in sql
    assert "CAST(:sla_hours AS DOUBLE)" in sql
    assert "CAST(:as_of AS TIMESTAMP_NTZ)" in sql


def test_the_local_clock_rule_reads_utc_on_the_zone_clock() -> None:
    sql = portable.to_spark(
        "select timezone(getvariable('data_timezone'), timezone('UTC', t)) from v",
        {"data_timezone": "VARCHAR"},
    )
    assert "CAST(FROM_UTC_TIMESTAMP(t, CAST(:data_timezone AS STRING)) AS TIMESTAMP_NTZ)" in sql


def test_translation_refuses_what_it_does_not_know() -> None:
    with pytest.raises(portable.NotPortable, match="list_unique"):
        portable.to_spark("select list_unique(xs) from t", {})
    with pytest.raises(portable.NotPortable, match="no value to bind"):
        portable.to_spark("select getvariable('nowhere') from t", {})
    with pytest.raises(portable.NotPortable, match="60e0"):
        portable.to_spark("select a / 60.0 from t", {})
