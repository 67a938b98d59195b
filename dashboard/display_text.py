"""Display text for tables and charts: a column's values formatted for a reader.

Used by the pages (through ``ui``), the chart builders and the report alike. Formatting
runs in plain Python over the column's values, once per distinct value: no Python
callback ever runs inside Polars (a page thread holding Polars' locks froze the server
under many viewers).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl


@dataclass(frozen=True)
class Text:
    """A display-text column to add to a frame: ``fmt`` applied to ``columns``' values.

    Made by :func:`text_col` and resolved by :func:`with_text` / :func:`select_text`,
    which format in plain Python over the column's values: a page thread never runs a
    Python callback inside Polars (those hold Polars' locks and froze the server under
    many viewers).
    """

    columns: tuple[str, ...]
    fmt: Callable[..., str]
    alias: str
    format_nulls: bool = False


def text_col(
    name: str | tuple[str, ...],
    fmt: Callable[..., str],
    alias: str,
    *,
    format_nulls: bool = False,
) -> Text:
    """Column ``name`` as display text (tooltips and labels), formatted by ``fmt``.

    Empty values stay empty unless ``format_nulls``, when ``fmt`` also receives them (the
    i18n formatters write an empty value as "–"). With a tuple of names, ``fmt`` receives
    one value of each column per row. Use it inside :func:`with_text` or
    :func:`select_text` (``frame.pipe(ui.with_text, ...)``).
    """
    columns = (name,) if isinstance(name, str) else tuple(name)
    return Text(columns, fmt, alias, format_nulls)


def _text_series(frame: pl.DataFrame, text: Text) -> pl.Series:
    if len(text.columns) > 1:
        rows = zip(*(frame.get_column(c).to_list() for c in text.columns), strict=True)
        return pl.Series(text.alias, [text.fmt(*row) for row in rows], dtype=pl.String)
    values = frame.get_column(text.columns[0]).to_list()
    # each distinct value is formatted once (a lead list repeats a few values many times)
    seen: dict[Any, str | None] = {}
    out: list[str | None] = []
    for v in values:
        if v is None and not text.format_nulls:
            out.append(None)
            continue
        try:
            shown = seen[v]
        except KeyError:
            shown = seen[v] = text.fmt(v)
        except TypeError:  # an unhashable value (a list): format it on its own
            shown = text.fmt(v)
        out.append(shown)
    return pl.Series(text.alias, out, dtype=pl.String)


def _resolve(frame: pl.DataFrame, columns: tuple[Any, ...]) -> list[Any]:
    return [_text_series(frame, c) if isinstance(c, Text) else c for c in columns]


def with_text(frame: pl.DataFrame, *columns: pl.Expr | Text) -> pl.DataFrame:
    """``frame.with_columns(*columns)`` where :class:`Text` columns are formatted in Python
    over ``frame``'s values (every column is computed from ``frame`` as it is given)."""
    return frame.with_columns(_resolve(frame, columns))


def select_text(frame: pl.DataFrame, *columns: str | pl.Expr | Text) -> pl.DataFrame:
    """``frame.select(*columns)`` where :class:`Text` columns are formatted in Python."""
    return frame.select(_resolve(frame, columns))


def formatted(
    frame: pl.DataFrame,
    columns: Mapping[str, tuple[str, Callable[[Any], str]]],
    *,
    format_nulls: bool = False,
) -> pl.DataFrame:
    """``frame`` with display-text columns given as ``alias -> (column, fmt)``."""
    return with_text(
        frame,
        *(
            text_col(name, fmt, alias, format_nulls=format_nulls)
            for alias, (name, fmt) in columns.items()
        ),
    )
