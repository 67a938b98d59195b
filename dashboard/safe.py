"""User data stays data on the way out: CSV cells a spreadsheet would run are neutralised."""

from __future__ import annotations

import polars as pl

# A text cell starting with one of these is read by Excel, LibreOffice and Google Sheets as
# a formula (OWASP, "CSV Injection"): =HYPERLINK(...), +cmd|..., -2+3, @SUM(...), a tab or
# a carriage return before any of them.
FORMULA_START = r"^[=+\-@\t\r]"


def csv_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every text cell that a spreadsheet would run prefixed with ``'``.

    Only text columns change; numbers stay numbers (a stored -5 is a number, "-5" as text
    is neutralised). Polars expressions only, no Python callbacks.
    """
    text = [n for n, dtype in frame.schema.items() if dtype == pl.String]
    if not text:
        return frame
    return frame.with_columns(
        pl.when(pl.col(n).str.contains(FORMULA_START))
        .then(pl.lit("'") + pl.col(n))
        .otherwise(pl.col(n))
        .alias(n)
        for n in text
    )
