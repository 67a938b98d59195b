"""Turn a mapped frame (canonical names, raw values) into a typed, validated canonical table.

Every problem is located: the file, the canonical column and the source column it came
from, the first offending rows as a spreadsheet numbers them, and what to do about it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import polars as pl

from dashboard.errors import HandoffError, Problem, examples
from dashboard.ingest import values
from dashboard.schema import DUCKDB_TYPES, Table

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
class Options:
    """How to read values: set from the workspace settings, a mapping file or the CLI."""

    timezone: str = "UTC"
    date_order: str | None = None
    decimal: str | None = None
    currency: str | None = None
    personal_data: str = "hash"  # "hash" or "drop"
    salt: str = ""


@dataclass
class Canonical:
    """A typed canonical table ready to store, plus what was decided and warned on the way."""

    table: str
    frame: pl.DataFrame
    notes: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # leads merged into another because they are the same person (same e-mail or phone)
    merges: pl.DataFrame | None = None


def _source(mapping: dict[str, str], column: str) -> str:
    src = mapping.get(column)
    return f"{column} (from {src!r})" if src and src != column else column


def _id_text(series: pl.Series) -> pl.Series:
    """Ids as text: Excel turns 1001 into 1001.0, which must still match '1001' elsewhere."""
    parsed = values.parse_text(series).series
    return parsed


def normalise_email(series: pl.Series) -> pl.Series:
    """Lower-cased, trimmed e-mail; empty -> null."""
    return series.cast(pl.String).str.strip_chars().str.to_lowercase().replace("", None)


def normalise_phone(series: pl.Series) -> pl.Series:
    """Digits only, with a Vietnamese leading 0 and +84 read as the same number."""
    digits = pl.col("p").cast(pl.String).str.replace_all(r"[^0-9]", "")
    national = (
        pl.when(digits.str.starts_with("84") & (digits.str.len_chars() >= 11))
        .then(pl.lit("0") + digits.str.slice(2))
        .otherwise(digits)
    )
    return pl.DataFrame({"p": series}).select(national.replace("", None)).to_series()


def salted_hash(series: pl.Series, salt: str) -> pl.Series:
    """Salted SHA-256 hex of each non-null value (the raw value is never stored)."""
    # plain Python over the values, not a callback inside Polars: the Data page loads in a
    # page thread, where a Python callback inside Polars can deadlock the server
    return pl.Series(
        series.name,
        [
            None if v is None else hashlib.sha256((salt + v).encode("utf-8")).hexdigest()
            for v in series.to_list()
        ],
        dtype=pl.String,
    )


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
    problems: list[Problem] = []
    notes: list[str] = []
    out: dict[str, pl.Series] = {}

    if raw.height == 0:
        raise HandoffError(
            Problem(
                "has a header but no data rows",
                fix="export the file again with its rows, or leave it out",
                file=file,
            )
        )

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

    for name in raw.columns:
        if not table.has_column(name):
            problems.append(
                Problem(
                    f"{name!r} is not a column of {table.name}",
                    fix=f"map it to one of: {', '.join(table.column_names)}",
                    file=file,
                )
            )
            continue
        col = table.column(name)
        series = raw.get_column(name)
        label = _source(mapping, name)
        try:
            if col.kind == "timestamp":
                parsed = values.parse_timestamp(
                    series, timezone=options.timezone, date_order=options.date_order
                )
            elif col.kind == "date":
                parsed = values.parse_date(series, date_order=options.date_order)
            elif col.kind == "number":
                parsed = values.parse_number(series, decimal=options.decimal)
                if name == "amount" and "currency" not in raw.columns:
                    found = values.detect_currency(series)
                    if found:
                        out["currency"] = pl.Series(
                            "currency", [found] * raw.height, dtype=pl.String
                        )
                        notes.append(f"{file}: currency {found} read from the amounts")
            elif col.kind == "bool":
                parsed = values.parse_bool(series)
            else:
                parsed = values.parse_text(series)
        except values.AmbiguousFormat as exc:
            setting = "decimal" if col.kind == "number" else "date_order"
            how = (
                "--set decimal=. or --set decimal=,"
                if setting == "decimal"
                else "--set date_order=dmy or --set date_order=mdy"
            )
            problems.append(
                Problem(
                    exc.message,
                    fix=f"{exc.fix}: load again with {how} (or put {setting} under "
                    "[options] in a mapping file)",
                    file=file,
                    column=label,
                    rows=examples([p for p, _ in exc.examples], [v for _, v in exc.examples]),
                )
            )
            continue
        if parsed.bad_count:
            what = {
                "timestamp": "dates that cannot be read",
                "date": "dates that cannot be read",
                "number": "values that are not numbers",
                "bool": "values that are not yes/no",
            }.get(col.kind, "unreadable values")
            fix = {
                "timestamp": "write dates as YYYY-MM-DD HH:MM (or fix the rows shown), "
                "or clear the cells if the date is unknown",
                "date": "write dates as YYYY-MM-DD (or fix the rows shown)",
                "number": "write plain numbers such as 1234567 or 1.234.567 (or clear the cells)",
                "bool": "use true/false, yes/no or 1/0",
            }.get(col.kind, "fix the rows shown")
            problems.append(
                Problem(
                    f"has {parsed.bad_count} {what}",
                    fix=fix,
                    file=file,
                    column=label,
                    rows=examples(parsed.bad_positions, parsed.bad_values),
                    count=parsed.bad_count,
                )
            )
            continue
        if parsed.note:
            notes.append(f"{file}, {label}: {parsed.note}")
        out[name] = parsed.series.alias(name)

    if problems:
        raise HandoffError(_summary(file, problems), problems)

    frame = pl.DataFrame(out)
    frame, more_problems, warnings = _validate(frame, table, file=file, mapping=mapping)
    if more_problems:
        raise HandoffError(_summary(file, more_problems), more_problems)
    merges = None
    if table.name == "leads":
        frame, merges = dedupe_people(frame)
        if merges.height:
            notes.append(
                f"{file}: {merges.height} leads were the same person as an earlier lead "
                "(same e-mail or phone) and were merged into it"
            )
    frame = _personal(frame, table, options, notes, file)
    return Canonical(table=table.name, frame=frame, notes=notes, warnings=warnings, merges=merges)


MERGE_SCHEMA = {"merged_lead_id": pl.String, "kept_lead_id": pl.String, "matched_on": pl.String}


def dedupe_people(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Merge leads that are the same person (same normalised e-mail, else same phone).

    The earliest-created lead of a group is kept (ties: smallest lead_id); it takes the
    earliest of each stage timestamp and the first non-empty value of every other column
    from the group, so a stage reached under a duplicate record is not lost. Returns the
    de-duplicated frame and the merges (merged_lead_id -> kept_lead_id), which the
    workspace uses to point deals and activities at the kept lead.
    """
    merges: list[pl.DataFrame] = []
    for column, normalise in (("email", normalise_email), ("phone", normalise_phone)):
        if column not in frame.columns:
            continue
        key = normalise(frame[column]).alias("_person")
        keyed = frame.with_columns(key)
        dup_mask = keyed["_person"].is_not_null() & keyed["_person"].is_duplicated()
        if not dup_mask.any():
            continue
        dups = keyed.filter(dup_mask).sort(["_person", "created_at", "lead_id"])
        kept = dups.group_by("_person", maintain_order=True).agg(
            pl.col("lead_id").first().alias("kept_lead_id"), pl.col("lead_id").alias("_ids")
        )
        merged = (
            kept.explode("_ids")
            .filter(pl.col("_ids") != pl.col("kept_lead_id"))
            .select(
                pl.col("_ids").alias("merged_lead_id"),
                "kept_lead_id",
                pl.lit(column).alias("matched_on"),
            )
        )
        aggs = []
        for name in frame.columns:
            if name == "lead_id":
                aggs.append(pl.col(name).first())
            elif name.endswith("_at"):
                aggs.append(pl.col(name).min())
            else:
                aggs.append(pl.col(name).drop_nulls().first())
        combined = dups.group_by("_person", maintain_order=True).agg(aggs).drop("_person")
        frame = pl.concat(
            [keyed.filter(~dup_mask).drop("_person"), combined.select(frame.columns)],
            how="vertical_relaxed",
        )
        merges.append(merged)
    if not merges:
        return frame, pl.DataFrame(schema=MERGE_SCHEMA)
    return frame, pl.concat(merges)


def _summary(file: str, problems: list[Problem]) -> str:
    if len(problems) == 1:
        return problems[0].render()
    return f"{file} has {len(problems)} problems; nothing was loaded"


ROW_NOUN = {
    "leads": "lead",
    "deals": "deal",
    "activities": "activity",
    "spend": "period, source and campaign",
    "stage_history": "stage change",
}


def _validate(
    frame: pl.DataFrame, table: Table, *, file: str, mapping: dict[str, str]
) -> tuple[pl.DataFrame, list[Problem], list[Problem]]:
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
                    column=_source(mapping, name),
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
        dup = (
            frame.with_columns(pos)
            .filter(pl.struct(key).is_duplicated())
            .sort([*key, "_pos"], nulls_last=True)
        )
        if dup.height:
            label = ", ".join(_source(mapping, k) for k in key)
            shown = dup.head(6)
            problems.append(
                Problem(
                    f"has {dup.select(pl.struct(key).n_unique()).item()} duplicated "
                    f"{'id' if len(key) == 1 else 'key'}s over {dup.height} rows; "
                    f"each {ROW_NOUN.get(table.name, 'row')} must appear once",
                    fix="remove the duplicate rows (or load with --append to update rows "
                    "already stored)",
                    file=file,
                    column=label,
                    rows=examples(
                        shown["_pos"].to_list(),
                        [
                            r[0] if len(key) == 1 else tuple(r)
                            for r in shown.select(key).iter_rows()
                        ],
                        limit=6,
                    ),
                    count=dup.height,
                )
            )

    if "amount" in frame.columns:
        neg = frame.with_columns(pos).filter(pl.col("amount") < 0)
        if neg.height:
            problems.append(
                Problem(
                    f"has {neg.height} negative amounts",
                    fix="amounts must be ≥ 0: correct the rows shown (refunds belong "
                    "outside this export)",
                    file=file,
                    column=_source(mapping, "amount"),
                    rows=examples(neg["_pos"].to_list(), neg["amount"].to_list()),
                    count=neg.height,
                )
            )

    if table.name == "deals":
        frame = _deal_flags(frame)
    if table.name == "spend" and "period_grain" not in frame.columns:
        frame = frame.with_columns(
            pl.when(pl.col("period").dt.day().max() == 1)
            .then(pl.lit("month"))
            .otherwise(pl.lit("day"))
            .alias("period_grain")
        )
    return frame, problems, warnings


def _deal_flags(frame: pl.DataFrame) -> pl.DataFrame:
    """A deal with an explicit won flag and a close date is closed when no flag says so.

    (Won/lost flags from the stage text are derived by recognition, which knows each CRM's
    stage names.)
    """
    if (
        "is_won" in frame.columns
        and "is_closed" not in frame.columns
        and "closed_at" in frame.columns
    ):
        frame = frame.with_columns(
            (pl.col("is_won").fill_null(False) | pl.col("closed_at").is_not_null()).alias(
                "is_closed"
            )
        )
    return frame


def _derived_activity_id(frame: pl.DataFrame) -> pl.Expr:
    """A stable id from the activity's content, so --append can de-duplicate re-exports."""
    cols = [
        c
        for c in ("lead_id", "occurred_at", "type", "owner", "direction", "outcome", "subject")
        if c in frame.columns
    ]
    parts = [pl.col(c).cast(pl.String).fill_null("") for c in cols]
    return pl.concat_str(parts, separator="\x1f").hash(seed=0).cast(pl.String).alias("activity_id")


def _personal(
    frame: pl.DataFrame, table: Table, options: Options, notes: list[str], file: str
) -> pl.DataFrame:
    """Replace raw e-mail / phone with salted hashes (or drop them) before anything is stored."""
    if table.name != "leads":
        return frame
    done = "hashed" if options.personal_data == "hash" else "dropped"
    for column, normalise, what in (
        ("email", normalise_email, "e-mail addresses"),
        ("phone", normalise_phone, "phone numbers"),
    ):
        if column not in frame.columns:
            continue
        if options.personal_data == "hash":
            hashed = salted_hash(normalise(frame[column]), options.salt)
            frame = frame.with_columns(hashed.alias(f"{column}_hash"))
        frame = frame.drop(column)
        notes.append(f"{file}: {what} {done}; raw values are not stored")
    return frame


def empty_frame(table: Table, columns: list[str] | None = None) -> pl.DataFrame:
    """An empty frame with the stored canonical columns of ``table`` (or just ``columns``)."""
    names = columns or [c.name for c in table.columns if not c.personal]
    return pl.DataFrame(schema={n: POLARS_TYPES[table.column(n).kind] for n in names})


def duckdb_type(table: Table, column: str) -> str:
    """DuckDB type of a canonical column."""
    return DUCKDB_TYPES[table.column(column).kind]
