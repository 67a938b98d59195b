"""Every output column of every metric has a unit (``[units]`` in queries/NAME.toml), and the
values the metric gives on the sample data are values of that unit."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import polars as pl
import pytest

from dashboard import metrics
from dashboard.metric_types import UNITS

NUMERIC = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt32, pl.UInt64, pl.Float32, pl.Float64)
DURATIONS = {"minutes", "hours", "days"}


def _says(metric: metrics.Metric, column: str, *words: str) -> bool:
    """Whether the column's description allows the exception (e.g. 'negative')."""
    text = metric.columns[column].lower()
    return any(w in text for w in words)


def test_every_column_has_a_unit_from_the_vocabulary() -> None:
    for m in metrics.registry().values():
        assert set(m.units) == set(m.columns), m.name
        assert set(m.units.values()) <= set(UNITS), m.name


def test_a_metadata_file_without_units_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.sql").write_text("select 1 as n", encoding="utf-8")
    (tmp_path / "x.toml").write_text(
        'description = "d"\ngrain = "g"\n[question]\nen = "q"\nvi = "q"\n'
        '[columns]\nn = "a number"\n',
        encoding="utf-8",
    )
    with pytest.raises(RuntimeError, match=r"\[units\] must give every column"):
        metrics._read_metric(tmp_path / "x.sql")


@pytest.fixture(scope="module")
def outputs(sample_workspace: Path) -> dict[str, pl.DataFrame]:
    con = duckdb.connect(str(sample_workspace), read_only=True)
    try:
        settings = metrics.resolve_settings({}, None)
        out = {}
        for name in metrics.registry():
            out[name] = metrics.run(con, name, settings=settings).frame
            if metrics.get(name).supports_by:
                out[f"{name} --by source"] = metrics.run(
                    con, name, settings=settings, by="source"
                ).frame
        return out
    finally:
        con.close()


def test_values_on_the_sample_are_values_of_their_unit(outputs) -> None:
    wrong: list[str] = []
    for key, frame in outputs.items():
        m = metrics.get(key.split()[0])
        assert list(frame.columns) == list(m.columns), key
        for column, unit in m.units.items():
            s = frame[column]
            v = s.drop_nulls()
            where = f"{key}.{column} ({unit})"
            if unit == "text":
                ok = s.dtype == pl.String
            elif unit == "flag":
                ok = s.dtype == pl.Boolean
            elif unit == "timestamp":
                ok = isinstance(s.dtype, pl.Datetime)
            elif unit == "month":
                ok = s.dtype == pl.Date or (
                    s.dtype == pl.String and all(re.fullmatch(r"\d{4}-\d{2}", x) for x in v)
                )
            elif s.dtype not in NUMERIC and not isinstance(s.dtype, pl.Decimal):
                ok = False
            elif unit == "share":
                high = 1 if not _says(m, column, "exceed") else float("inf")
                low = -1 if _says(m, column, "minus", " - ") else 0
                ok = v.is_empty() or (v.min() >= low and v.max() <= high + 1e-12)
            elif unit == "coefficient":
                ok = v.is_empty() or (v.min() >= -1 - 1e-12 and v.max() <= 1 + 1e-12)
            elif unit in ("count", "money", *DURATIONS):
                ok = v.is_empty() or v.min() >= 0 or _says(m, column, "negative", "minus")
            elif unit == "order":
                ok = v.is_empty() or v.min() >= 0
            else:  # ratio, score: any number
                ok = True
            if not ok:
                wrong.append(where)
    assert wrong == []
