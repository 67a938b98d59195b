"""Checks on a whole typed table (required values, unique keys, amounts ≥ 0) and the
columns it derives (activity ids, deal closed flags, spend period grain).
"""

from __future__ import annotations

import polars as pl

from dashboard.errors import Problem, examples
from dashboard.ingest.columns import source_label
from dashboard.schema import Table

ROW_NOUN = {
    "leads": "lead",
    "deals": "deal",
    "activities": "activity",
    "spend": "period, source and campaign",
    "stage_history": "stage change",
}


def validate(
    frame: pl.DataFrame, table: Table, *, file: str, mapping: dict[str, str]
) -> tuple[pl.DataFrame, list[Problem], list[Problem]]:
    """Check the typed table (required values, unique keys, amounts ≥ 0) and complete it.

    Returns the frame with its derived columns, the blocking problems and the warnings.
    """
    problems: list[Problem] = []
    warnings: list[Problem] = []
    pos = pl.int_range(pl.len(), dtype=pl.Int64).alias("_pos")

    # required values must be present on every row
    for name in table.required:
        nulls = frame.with_columns(pos).filter(pl.col(name).is_null())
        if nulls.height:
            problems.append(
                Problem(
                    f"is empty on {nulls.height} rows but every {table.name} row needs it",
                    fix="fill the cells shown, or remove those rows",
                    file=file,
                    column=source_label(mapping, name),
                    rows=examples(nulls["_pos"].to_list(), [None] * min(nulls.height, 5)),
                    count=nulls.height,
                )
            )

    if table.name == "activities" and "activity_id" not in frame.columns:
        frame = frame.with_columns(_derived_activity_id(frame))
    if table.name == "spend":
        for name in ("source", "campaign"):
            if name not in frame.columns:
                frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(name))

    key = list(table.key)
    if all(k in frame.columns for k in key) and not problems:
        duplicated = _duplicates(frame.with_columns(pos), table, file=file, mapping=mapping)
        if duplicated is not None:
            problems.append(duplicated)

    if "amount" in frame.columns:
        neg = frame.with_columns(pos).filter(pl.col("amount") < 0)
        if neg.height:
            problems.append(
                Problem(
                    f"has {neg.height} negative amounts",
                    fix="amounts must be ≥ 0: correct the rows shown (refunds belong "
                    "outside this export)",
                    file=file,
                    column=source_label(mapping, "amount"),
                    rows=examples(neg["_pos"].to_list(), neg["amount"].to_list()),
                    count=neg.height,
                )
            )

    if table.name == "deals":
        frame = _deal_flags(frame, file=file, mapping=mapping, warnings=warnings)
    if table.name == "spend" and "period_grain" not in frame.columns:
        frame = frame.with_columns(
            pl.when(pl.col("period").dt.day().max() == 1)
            .then(pl.lit("month"))
            .otherwise(pl.lit("day"))
            .alias("period_grain")
        )
    return frame, problems, warnings


def _duplicates(
    frame: pl.DataFrame, table: Table, *, file: str, mapping: dict[str, str]
) -> Problem | None:
    """The problem of rows sharing the table's key (``frame`` has ``_pos``), or None."""
    key = list(table.key)
    dup = frame.filter(pl.struct(key).is_duplicated()).sort([*key, "_pos"], nulls_last=True)
    if not dup.height:
        return None
    label = ", ".join(source_label(mapping, k) for k in key)
    shown = dup.head(6)
    return Problem(
        f"has {dup.select(pl.struct(key).n_unique()).item()} duplicated "
        f"{'id' if len(key) == 1 else 'key'}s over {dup.height} rows; "
        f"each {ROW_NOUN.get(table.name, 'row')} must appear once",
        fix="remove the duplicate rows (or load with --append to update rows already stored)",
        file=file,
        column=label,
        rows=examples(
            shown["_pos"].to_list(),
            [
                # values as text: a date shows as 2026-03-01, not as a repr
                r[0] if len(key) == 1 else ", ".join("" if v is None else str(v) for v in r)
                for r in shown.select(key).iter_rows()
            ],
            limit=6,
        ),
        count=dup.height,
    )


def _deal_flags(
    frame: pl.DataFrame, *, file: str, mapping: dict[str, str], warnings: list[Problem]
) -> pl.DataFrame:
    """Won implies closed: ``is_closed`` is true on every won deal.

    A deal with an explicit won flag and a close date is closed when no flag says so. An
    export that marks a deal won but not closed is contradicting itself; the deal is
    stored as closed (won), with a warning, so it is never won revenue and open pipeline
    at once. (Won/lost flags from the stage text are derived by recognition, which knows
    each CRM's stage names.)
    """
    if "is_won" not in frame.columns:
        return frame
    won = pl.col("is_won").fill_null(False)
    if "is_closed" in frame.columns:
        odd = frame.with_row_index("_pos").filter(won & (pl.col("is_closed") == False))  # noqa: E712
        if odd.height:
            warnings.append(
                Problem(
                    f"{odd.height:,} deals are marked won but not closed; they are stored "
                    "as closed (won deals count as won revenue, never as open pipeline)",
                    fix="check the closed flag of those deals in the CRM export",
                    file=file,
                    column=source_label(mapping, "is_closed"),
                    rows=examples(odd["_pos"].to_list(), ["won, not closed"] * min(odd.height, 5)),
                    count=odd.height,
                    severity="warning",
                )
            )
        return frame.with_columns(
            pl.when(won).then(True).otherwise(pl.col("is_closed")).alias("is_closed")
        )
    if "closed_at" in frame.columns:
        return frame.with_columns((won | pl.col("closed_at").is_not_null()).alias("is_closed"))
    # no closed flag and no close date: only the won deals are known to be closed
    return frame.with_columns(pl.when(won).then(True).otherwise(None).alias("is_closed"))


def _derived_activity_id(frame: pl.DataFrame) -> pl.Expr:
    """A stable id from the activity's content, so --append can de-duplicate re-exports."""
    cols = [
        c
        for c in ("lead_id", "occurred_at", "type", "owner", "direction", "outcome", "subject")
        if c in frame.columns
    ]
    parts = [pl.col(c).cast(pl.String).fill_null("") for c in cols]
    return pl.concat_str(parts, separator="\x1f").hash(seed=0).cast(pl.String).alias("activity_id")
