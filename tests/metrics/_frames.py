"""Comparing a metric's rows with its reference's, for the metric tests that need no more."""

from __future__ import annotations

import polars as pl


def assert_same_frame(sql: pl.DataFrame, ref: pl.DataFrame) -> None:
    """Same columns in the same order, same rows in the same order.

    Floats agree within 1e-9 (relative), nulls stand where nulls stand, other values are
    equal after casting the SQL column to the reference's type.
    """
    assert sql.columns == ref.columns
    assert sql.height == ref.height, (sql.height, ref.height)
    for c in ref.columns:
        a, b = sql[c], ref[c]
        assert (a.is_null() == b.is_null()).all(), c
        if a.dtype.is_float() or b.dtype.is_float():
            a, b = a.cast(pl.Float64), b.cast(pl.Float64)
            diff = (a - b).abs().fill_null(0.0)
            assert (diff <= 1e-9 * (1 + b.abs().fill_null(0.0))).all(), c
        else:
            assert a.cast(b.dtype).to_list() == b.to_list(), c
