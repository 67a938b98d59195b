"""One mapped column to its canonical type, or the located problem that stops it.

Every problem names the file, the canonical column and the source column it came from,
the first offending rows as a spreadsheet numbers them, and what to do about it.
"""

from __future__ import annotations

import polars as pl

from dashboard.errors import Problem, examples
from dashboard.identifiers import NAME_RULE, is_safe, suggest
from dashboard.ingest import values
from dashboard.ingest.load_options import Options
from dashboard.schema import Column, Table


def source_label(mapping: dict[str, str], column: str) -> str:
    """How messages name a column: the canonical name, and the source column it came from."""
    src = mapping.get(column)
    return f"{column} (from {src!r})" if src and src != column else column


def convert_column(
    raw: pl.DataFrame,
    name: str,
    table: Table,
    *,
    file: str,
    mapping: dict[str, str],
    options: Options,
    out: dict[str, pl.Series],
    notes: list[str],
) -> Problem | None:
    """Parse one column into ``out`` (with its notes), or return the problem that stops it."""
    if not is_safe(name):
        # every canonical name reaches SQL as a column name: refuse anything else
        return Problem(
            f"{name!r} cannot be a column name",
            fix=f"name the column {NAME_RULE} in the mapping, e.g. {suggest(name)!r}",
            file=file,
            column=source_label(mapping, name),
        )
    if not table.has_column(name):
        return Problem(
            f"{name!r} is not a column of {table.name}",
            fix=f"map it to one of: {', '.join(table.column_names)}",
            file=file,
        )
    col = table.column(name)
    label = source_label(mapping, name)
    try:
        parsed = _parse_values(col, raw, options=options, file=file, out=out, notes=notes)
    except values.AmbiguousFormat as exc:
        return _ambiguous(exc, col.kind, file=file, column=label)
    if parsed.out_of_range_count:
        return _out_of_range(parsed, col.kind, name, file=file, column=label)
    if parsed.bad_count:
        return _unreadable(parsed, col.kind, file=file, column=label)
    if parsed.note:
        notes.append(f"{file}, {label}: {parsed.note}")
    out[name] = parsed.series.alias(name)
    return None


def _parse_values(
    col: Column,
    raw: pl.DataFrame,
    *,
    options: Options,
    file: str,
    out: dict[str, pl.Series],
    notes: list[str],
) -> values.Parsed:
    """The column parsed by the parser of its kind (an amount may also give the currency)."""
    series = raw.get_column(col.name)
    if col.kind == "timestamp":
        return values.parse_timestamp(
            series, timezone=options.timezone, date_order=options.date_order
        )
    if col.kind == "date":
        return values.parse_date(series, date_order=options.date_order)
    if col.kind == "number":
        # amounts have a bound in any currency; other numbers need only be finite
        bound = values.MAX_AMOUNT if col.name == "amount" else None
        parsed = values.parse_number(series, decimal=options.decimal, max_abs=bound)
        if col.name == "amount" and "currency" not in raw.columns:
            found = values.detect_currency(series)
            if found:
                out["currency"] = pl.Series("currency", [found] * raw.height, dtype=pl.String)
                notes.append(f"{file}: currency {found} read from the amounts")
        return parsed
    if col.kind == "bool":
        return values.parse_bool(series)
    return values.parse_text(series)


def _ambiguous(exc: values.AmbiguousFormat, kind: str, *, file: str, column: str) -> Problem:
    """The problem of a column whose format the data cannot decide, and the option that does."""
    setting = "decimal" if kind == "number" else "date_order"
    how = (
        "--set decimal=. or --set decimal=,"
        if setting == "decimal"
        else "--set date_order=dmy or --set date_order=mdy"
    )
    return Problem(
        exc.message,
        fix=f"{exc.fix}: load again with {how} (or put {setting} under "
        "[options] in a mapping file)",
        file=file,
        column=column,
        rows=examples([p for p, _ in exc.examples], [v for _, v in exc.examples]),
    )


def _unreadable(parsed: values.Parsed, kind: str, *, file: str, column: str) -> Problem:
    """The problem of values that cannot be read as the column's kind."""
    what = {
        "timestamp": "dates that cannot be read",
        "date": "dates that cannot be read",
        "number": "values that are not numbers",
        "bool": "values that are not yes/no",
    }.get(kind, "unreadable values")
    fix = {
        "timestamp": "write dates as YYYY-MM-DD HH:MM (or fix the rows shown), "
        "or clear the cells if the date is unknown",
        "date": "write dates as YYYY-MM-DD (or fix the rows shown)",
        "number": "write plain numbers such as 1234567 or 1.234.567 (or clear the cells)",
        "bool": "use true/false, yes/no or 1/0",
    }.get(kind, "fix the rows shown")
    return Problem(
        f"has {parsed.bad_count} {what}",
        fix=fix,
        file=file,
        column=column,
        rows=examples(parsed.bad_positions, parsed.bad_values),
        count=parsed.bad_count,
    )


def _out_of_range(
    parsed: values.Parsed, kind: str, name: str, *, file: str, column: str
) -> Problem:
    """The problem of values that were read but cannot be stored: which, why, and the fix."""
    n = parsed.out_of_range_count
    if kind in ("timestamp", "date"):
        first, last = values.FIRST_DATE.isoformat(), values.LAST_DATE.isoformat()
        message = f"has {n} dates out of range (only {first} to {last} can be stored)"
        fix = (
            "correct the dates shown (a year such as 9999 or 1900 usually stands for "
            "“unknown”), or clear the cells if the date is unknown"
        )
    elif name == "amount":
        message = (
            f"has {n} amounts out of range (an amount must be a finite number of at most "
            f"{values.MAX_AMOUNT:,.0f} in any currency)"
        )
        fix = (
            "correct the amounts shown (a value such as 1e309 or inf is an export error "
            "or a typo), or clear the cells if the amount is unknown"
        )
    else:
        message = f"has {n} numbers too large to store (not finite, such as 1e309 or inf)"
        fix = "correct the numbers shown, or clear the cells"
    return Problem(
        message,
        fix=fix,
        file=file,
        column=column,
        rows=examples(parsed.out_of_range_positions, parsed.out_of_range_values),
        count=n,
    )
