"""What every reader shares: errors that name the file, header names, frame clean-up.

The readers (:mod:`dashboard.ingest.delimited`, :mod:`dashboard.ingest.excel` and the
Parquet reader in :mod:`dashboard.ingest.readers`) all end with a frame whose header
cells are unique names and whose blank cells are null; this module holds those steps.
"""

from __future__ import annotations

import polars as pl

from dashboard.errors import HandoffError, Problem, RowExample

MAX_EXAMPLES = 5

CONVERT_FIX = "open it in Excel or Google Sheets and save or export it as CSV (UTF-8) or .xlsx"


def fail(
    display: str,
    message: str,
    fix: str,
    rows: list[RowExample] | None = None,
    count: int | None = None,
) -> HandoffError:
    """The error a reader raises: the problem with the file, located, and its fix."""
    return HandoffError(
        Problem(message=message, fix=fix, file=display, rows=rows or [], count=count)
    )


def shorten(text: str, limit: int = 120) -> str:
    """``text`` without a trailing CR, cut to ``limit`` characters with "..." when longer."""
    text = text.rstrip("\r")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def short_reason(exc: Exception) -> str:
    """The first line of a library's error message (at most 160 characters)."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return first[:160]


# ---------------------------------------------------------------------------
# header names


def clean_names(raw: list[str]) -> list[str]:
    """Header cells to unique column names.

    BOM and surrounding whitespace are removed; an empty cell becomes ``column_<n>``
    (its 1-based position); a repeated name gets `` (2)``, `` (3)``... avoiding names
    that already exist in the header.
    """
    cleaned = []
    for i, cell in enumerate(raw, start=1):
        text = (cell or "").replace("\ufeff", "").strip()
        cleaned.append(text or f"column_{i}")
    taken = set(cleaned)
    names: list[str] = []
    used: set[str] = set()
    for text in cleaned:
        new, k = text, 2
        # A suffixed name must not clash with a name written elsewhere in the header.
        while new in used or (new != text and new in taken):
            new, k = f"{text} ({k})", k + 1
        names.append(new)
        used.add(new)
    return names


def name_notes(raw: list[str], names: list[str]) -> list[str]:
    """Notes on the header cells that did not become column names as written."""
    unnamed: list[str] = []
    renamed: list[str] = []
    for cell, name in zip(raw, names, strict=True):
        text = (cell or "").replace("\ufeff", "").strip()
        if not text:
            unnamed.append(name)
        elif name != text:
            renamed.append(f"{text!r} -> {name!r}")
    notes = []
    if unnamed:
        notes.append(f"columns without a header named {', '.join(unnamed)}")
    if renamed:
        notes.append(f"repeated column names made unique: {', '.join(renamed)}")
    return notes


# ---------------------------------------------------------------------------
# shared frame clean-up


def blank_to_null(frame: pl.DataFrame) -> pl.DataFrame:
    """Empty and whitespace-only strings become null; all-null untyped columns String."""
    exprs = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if dtype == pl.String:
            exprs.append(pl.when(col.str.contains(r"^\s*$")).then(None).otherwise(col).alias(name))
        elif isinstance(dtype, pl.Categorical | pl.Enum):
            as_text = col.cast(pl.String)
            exprs.append(
                pl.when(as_text.str.contains(r"^\s*$")).then(None).otherwise(as_text).alias(name)
            )
        elif dtype == pl.Null:
            exprs.append(col.cast(pl.String))
    return frame.with_columns(exprs) if exprs else frame


def drop_trailing_empty_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Drop all-empty rows at the end only, so row numbers above them stay right."""
    if frame.height == 0 or frame.width == 0:
        return frame
    filled = frame.select(pl.any_horizontal(pl.all().is_not_null()).alias("filled"))["filled"]
    positions = filled.arg_true()
    if len(positions) == 0:
        return frame.clear()
    last = int(positions[-1])
    return frame.head(last + 1) if last + 1 < frame.height else frame


def require_rows(frame: pl.DataFrame, display: str, where: str = "") -> None:
    """Refuse a frame with a header but no data rows."""
    if frame.height == 0:
        raise fail(
            display,
            f"{where}has a header but no data rows",
            "export the data again with the rows included, or choose another file",
        )
