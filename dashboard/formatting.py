"""Plain-text rendering of result tables for the terminal."""

from __future__ import annotations

import math
from datetime import date, datetime

import polars as pl


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer() and abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def text_table(frame: pl.DataFrame, *, max_width: int = 60) -> str:
    """Render ``frame`` as an aligned text table: numbers right-aligned, text left."""
    if frame.width == 0:
        return "(no columns)"
    rows = [[_cell(v)[:max_width] for v in row] for row in frame.iter_rows()]
    headers = list(frame.columns)
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    numeric = [dtype.is_numeric() for dtype in frame.dtypes]

    def fmt(cells: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if num else c.ljust(w)
            for c, w, num in zip(cells, widths, numeric, strict=True)
        ).rstrip()

    out = [fmt(headers), fmt(["-" * w for w in widths])]
    out.extend(fmt(r) for r in rows)
    if not rows:
        out.append("(no rows)")
    return "\n".join(out)
