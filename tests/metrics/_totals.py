"""Shared by the tests of the one-row totals.

One-row totals read by the pages and the report: hand-worked fixtures and the reference.

The Revenue page's headline, the review callouts and the report read these figures as the
queries return them; these tests prove the queries against numbers worked by hand and
against their independent implementations in ``tests/reference/NAME.py``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from dashboard import metrics
from tests.reference.base import RefFilters

SETTINGS = metrics.resolve_settings({}, None)
SAMPLE_FILTERS = [
    (metrics.Filters(sources=["Zalo OA", "TikTok"]), RefFilters(sources=["Zalo OA", "TikTok"])),
    (metrics.Filters(owners=["Đỗ Quang Huy"]), RefFilters(owners=["Đỗ Quang Huy"])),
]


def _run(path: Path, name: str, f: metrics.Filters | None = None, **overrides: Any) -> pl.DataFrame:
    with duckdb.connect(str(path), read_only=True) as con:
        return metrics.run(
            con, name, settings={**SETTINGS, **overrides}, filters=f or metrics.Filters()
        ).frame


def _assert_row(row: dict[str, Any], expected: dict[str, Any]) -> None:
    for column, value in expected.items():
        if value is None:
            assert row[column] is None, (column, row[column])
        elif isinstance(value, float):
            assert row[column] is not None and math.isclose(row[column], value, rel_tol=1e-9), (
                column,
                row[column],
                value,
            )
        else:
            assert row[column] == value, (column, row[column], value)


def _compare(sql: pl.DataFrame, ref: pl.DataFrame) -> None:
    assert sql.columns == ref.columns
    assert sql.height == ref.height
    for a, b in zip(sql.iter_rows(named=True), ref.iter_rows(named=True), strict=True):
        _assert_row(a, b)
