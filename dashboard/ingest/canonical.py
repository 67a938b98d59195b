"""Turn a mapped frame (canonical names, raw values) into a typed, validated canonical table.

Every problem is located: the file, the canonical column and the source column it came
from, the first offending rows as a spreadsheet numbers them, and what to do about it.

The steps live in their own modules: :mod:`dashboard.ingest.columns` (one column to its
type), :mod:`dashboard.ingest.fills` (created dates and currencies a file leaves out),
:mod:`dashboard.ingest.validate` (checks on the whole table) and
:mod:`dashboard.ingest.people` (duplicate people merged, personal data hashed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

from dashboard.errors import HandoffError, Problem
from dashboard.ingest.columns import convert_column
from dashboard.ingest.fills import check_currencies, fill_created, fill_currency
from dashboard.ingest.load_options import Options
from dashboard.ingest.people import MERGE_SCHEMA, dedupe_people, protect_personal_data
from dashboard.ingest.validate import validate
from dashboard.schema import DUCKDB_TYPES, Table

if TYPE_CHECKING:
    from dashboard.ingest.stream import StagedRows

__all__ = ["MERGE_SCHEMA", "POLARS_TYPES", "Canonical", "Options", "canonicalise"]


POLARS_TYPES: dict[str, pl.DataType] = {
    "id": pl.String(),
    "text": pl.String(),
    "hash": pl.String(),
    "timestamp": pl.Datetime("us"),
    "date": pl.Date(),
    "number": pl.Float64(),
    "bool": pl.Boolean(),
}
assert set(POLARS_TYPES) == set(DUCKDB_TYPES)


@dataclass
class Canonical:
    """A typed canonical table ready to store, plus what was decided and warned on the way."""

    table: str
    frame: pl.DataFrame
    notes: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # leads merged into another because they are the same person (same e-mail or phone)
    merges: pl.DataFrame | None = None
    # a big file loaded in batches: its rows are here and ``frame`` holds the first 20
    staged: StagedRows | None = None

    @property
    def rows(self) -> int:
        """The number of rows of the table (in ``frame``, or staged on disk)."""
        return self.staged.rows if self.staged is not None else self.frame.height


def canonicalise(
    raw: pl.DataFrame,
    table: Table,
    *,
    file: str,
    mapping: dict[str, str],
    options: Options,
) -> Canonical:
    """Parse every column of ``raw`` to its canonical type and validate the table.

    ``raw`` has canonical column names and source values; ``mapping`` (canonical ->
    source column) is only used to name the source column in messages. Raises
    HandoffError listing every blocking problem (all columns are checked before raising,
    so a user can fix a file in one go); warnings are returned in ``Canonical.warnings``.
    """
    out, notes, created_fill = convert_columns(
        raw, table, file=file, mapping=mapping, options=options
    )
    return finish_table(
        pl.DataFrame(out),
        table,
        file=file,
        mapping=mapping,
        options=options,
        notes=notes,
        created_fill=created_fill,
    )


def convert_columns(
    raw: pl.DataFrame, table: Table, *, file: str, mapping: dict[str, str], options: Options
) -> tuple[dict[str, pl.Series], list[str], str | None]:
    """The first step of :func:`canonicalise`, row by row: every column to its type.

    Returns the typed columns, their notes and the created-date fill to apply; raises
    HandoffError listing every column that cannot be converted.
    """
    raw, created_fill = _check_required(raw, table, file=file, options=options)
    problems: list[Problem] = []
    notes: list[str] = []
    out: dict[str, pl.Series] = {}
    for name in raw.columns:
        problem = convert_column(
            raw, name, table, file=file, mapping=mapping, options=options, out=out, notes=notes
        )
        if problem is not None:
            problems.append(problem)

    if problems:
        raise HandoffError(_summary(file, problems), problems)
    return out, notes, created_fill


def finish_table(
    typed: pl.DataFrame,
    table: Table,
    *,
    file: str,
    mapping: dict[str, str],
    options: Options,
    notes: list[str],
    created_fill: str | None,
) -> Canonical:
    """The second step of :func:`canonicalise`, on the whole typed table.

    Fills created dates and currencies, validates (required values, unique keys),
    merges duplicate people and protects personal data; appends to ``notes``.
    """
    out = {name: typed.get_column(name) for name in typed.columns}
    warnings: list[Problem] = []
    if created_fill is not None:
        out["created_at"] = fill_created(
            out["created_at"], created_fill, options, table, file, mapping, warnings
        )
    if table.name in ("deals", "spend"):
        fill_currency(out, typed.height, options.currency, file, notes)
        check_currencies(out, file, mapping, notes, warnings)

    frame = pl.DataFrame(out)
    del out, typed
    frame, more_problems, found = validate(frame, table, file=file, mapping=mapping)
    warnings.extend(found)
    if more_problems:
        raise HandoffError(_summary(file, more_problems), more_problems)
    merges = None
    if table.name == "leads":
        frame, merges = dedupe_people(frame, source_from=options.duplicate_source)
        if merges.height:
            whose = "the latest" if options.duplicate_source == "latest" else "the earliest"
            notes.append(
                f"{file}: {merges.height} leads were the same person as an earlier lead "
                f"(same e-mail or phone) and were merged into it, keeping {whose} lead's "
                "source and campaign (duplicate_source)"
            )
    frame = protect_personal_data(frame, table, options, notes, file)
    return Canonical(table=table.name, frame=frame, notes=notes, warnings=warnings, merges=merges)


def _check_required(
    raw: pl.DataFrame, table: Table, *, file: str, options: Options
) -> tuple[pl.DataFrame, str | None]:
    """Refuse a file with no rows or no required column; the created-date fill, if any."""
    if raw.height == 0:
        raise HandoffError(
            Problem(
                "has a header but no data rows",
                fix="export the file again with its rows, or leave it out",
                file=file,
            )
        )

    created_fill = options.created_fill() if "created_at" in table.required else None
    if created_fill is not None and "created_at" not in raw.columns:
        # the file has no created date at all: every row gets the missing_created_at date
        raw = raw.with_columns(pl.lit(None, dtype=pl.String).alias("created_at"))
    missing = [c for c in table.required if c not in raw.columns]
    # activities and deals can derive their id; the key is not always required
    if missing:
        wanted = ", ".join(missing)
        raise HandoffError(
            Problem(
                f"is loaded as {table.name} but has no {wanted} column",
                fix=(
                    f"map a column to {wanted} in a mapping file "
                    f'([{table.name}] {missing[0]} = "Your column") and pass it with --mapping, '
                    "or load the file as another table with --as"
                ),
                file=file,
            )
        )
    return raw, created_fill


def _summary(file: str, problems: list[Problem]) -> str:
    if len(problems) == 1:
        return problems[0].render()
    return f"{file} has {len(problems)} problems; nothing was loaded"
