"""Turn a mapped frame (canonical names, raw values) into a typed, validated canonical table.

Every problem is located: the file, the canonical column and the source column it came
from, the first offending rows as a spreadsheet numbers them, and what to do about it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass, field

import polars as pl

from dashboard import currencies
from dashboard.errors import HandoffError, Problem, examples
from dashboard.identifiers import NAME_RULE, is_safe, suggest
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
    # whose source and campaign a merged duplicate keeps: "first" or "latest" lead's
    duplicate_source: str = "first"
    # HMAC key for e-mail and phone (dashboard.secret: never stored in the workspace)
    key: bytes = b""
    # "load_date" or a YYYY-MM-DD date given to rows with no created date (None: stop)
    missing_created_at: str | None = None
    # the date of this load, for missing_created_at = "load_date"
    load_date: dt.date | None = None

    def created_fill(self) -> str | None:
        """The date (YYYY-MM-DD) rows with no created date get, or None to stop on them."""
        if not self.missing_created_at:
            return None
        if self.missing_created_at == "load_date":
            return (self.load_date or dt.date.today()).isoformat()
        return self.missing_created_at


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


def keyed_hash(series: pl.Series, key: bytes) -> pl.Series:
    """HMAC-SHA256 hex of each non-null value under ``key`` (the raw value is never stored).

    The hashes only de-duplicate and match people across loads made with the same key;
    without the key they cannot be checked against guessed values.
    """
    # plain Python over the values, not a callback inside Polars: the Data page loads in a
    # page thread, where a Python callback inside Polars can deadlock the server
    return pl.Series(
        series.name,
        [
            None if v is None else hmac.new(key, v.encode("utf-8"), hashlib.sha256).hexdigest()
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

    for name in raw.columns:
        if not is_safe(name):
            # every canonical name reaches SQL as a column name: refuse anything else
            problems.append(
                Problem(
                    f"{name!r} cannot be a column name",
                    fix=f"name the column {NAME_RULE} in the mapping, e.g. {suggest(name)!r}",
                    file=file,
                    column=_source(mapping, name),
                )
            )
            continue
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
                # amounts have a bound in any currency; other numbers need only be finite
                bound = values.MAX_AMOUNT if name == "amount" else None
                parsed = values.parse_number(series, decimal=options.decimal, max_abs=bound)
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
        if parsed.out_of_range_count:
            problems.append(_out_of_range(parsed, col.kind, name, file=file, column=label))
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
        if parsed.bad_count or parsed.out_of_range_count:
            continue
        if parsed.note:
            notes.append(f"{file}, {label}: {parsed.note}")
        out[name] = parsed.series.alias(name)

    if problems:
        raise HandoffError(_summary(file, problems), problems)

    warnings: list[Problem] = []
    if created_fill is not None:
        out["created_at"] = _fill_created(
            out["created_at"], created_fill, options, table, file, mapping, warnings
        )
    if table.name in ("deals", "spend"):
        _fill_currency(out, raw.height, options.currency, file, notes)
        _check_currencies(out, file, mapping, notes, warnings)

    frame = pl.DataFrame(out)
    frame, more_problems, found = _validate(frame, table, file=file, mapping=mapping)
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
    frame = _personal(frame, table, options, notes, file)
    return Canonical(table=table.name, frame=frame, notes=notes, warnings=warnings, merges=merges)


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


def _fill_created(
    series: pl.Series,
    fill: str,
    options: Options,
    table: Table,
    file: str,
    mapping: dict[str, str],
    warnings: list[Problem],
) -> pl.Series:
    """Give rows with no created date the ``missing_created_at`` date, with a warning.

    The date is read like any date of the file (midnight in the data time zone, stored in
    UTC), so it sorts with the real dates around it.
    """
    empty = series.is_null()
    n = int(empty.sum())
    if not n:
        return series
    value = values.parse_timestamp(pl.Series([fill]), timezone=options.timezone).series[0]
    how = "the load date" if options.missing_created_at == "load_date" else "the date"
    warnings.append(
        Problem(
            f"{n:,} {table.name} have no created date and were given {how} {fill} "
            "(missing_created_at): their cohort, ages and durations are not real",
            fix="export the file with its created dates, or load those rows with "
            "missing_created_at set to a better date",
            file=file,
            column=_source(mapping, "created_at"),
            rows=examples(empty.arg_true().to_list(), [None] * min(n, 5)),
            count=n,
            severity="warning",
        )
    )
    return series.fill_null(value)


def _fill_currency(
    out: dict[str, pl.Series], height: int, currency: str | None, file: str, notes: list[str]
) -> None:
    """Store the load's currency on every row that carries none.

    The load's currency is the ``currency`` reading option (mapping file or ``--set``),
    else the reporting currency setting at load time; a currency written in the amounts
    or in the file's own currency column always wins. So a stored amount's currency never
    changes meaning when the reporting currency setting changes later.
    """
    if not currency or "amount" not in out:
        return
    if "currency" not in out:
        out["currency"] = pl.Series("currency", [currency] * height, dtype=pl.String)
        notes.append(f"{file}: amounts carry no currency; taken as {currency}")
        return
    n = int(out["currency"].is_null().sum())
    if n:
        out["currency"] = out["currency"].fill_null(currency)
        notes.append(f"{file}: {n:,} rows with no currency; taken as {currency}")


def _check_currencies(
    out: dict[str, pl.Series],
    file: str,
    mapping: dict[str, str],
    notes: list[str],
    warnings: list[Problem],
) -> None:
    """Store currency cells as ISO 4217 codes; warn about, and keep, codes that are not.

    ``usd`` and `` USD `` become ``USD``, a symbol such as ``₫`` or ``$`` its code. A
    value that is no ISO 4217 code (``XYZ``, ``Dollars``) is kept upper-cased and the load
    warns: its amounts are in no known currency, so they never count in the reporting
    currency's figures, and the fix is to correct the export.
    """
    if "currency" not in out:
        return
    raw = out["currency"]
    frame = pl.DataFrame({"c": raw.str.strip_chars()})
    text = pl.col("c")
    upper = text.str.to_uppercase()
    symbol = text.str.to_lowercase().replace_strict(
        currencies.SYMBOLS, default=None, return_dtype=pl.String
    )
    codes = list(currencies.CODES)
    frame = frame.select(
        pl.when(upper.is_in(codes)).then(upper).otherwise(pl.coalesce(symbol, upper)).alias("c")
    )
    code = frame.get_column("c")
    if not bool((code.fill_null("") == raw.fill_null("")).all()):
        notes.append(f"{file}: currencies stored as ISO 4217 codes (e.g. usd as USD, ₫ as VND)")
    unknown = code.is_not_null() & ~code.is_in(codes)
    n = int(unknown.sum())
    if n:
        positions = unknown.arg_true().to_list()
        found = code.filter(unknown).unique().sort().head(5).to_list()
        warnings.append(
            Problem(
                f"{n:,} rows have a currency that is not an ISO 4217 code "
                f"({', '.join(found)}); they are kept as written, and their amounts count "
                "in no money figure (they are not in the reporting currency)",
                fix=f"write {currencies.FORM} in the export, then load it again",
                file=file,
                column=_source(mapping, "currency"),
                rows=examples(positions, raw.gather(positions[:5]).to_list()),
                count=n,
                severity="warning",
            )
        )
    out["currency"] = code.alias("currency")


MERGE_SCHEMA = {"merged_lead_id": pl.String, "kept_lead_id": pl.String, "matched_on": pl.String}


# the attribution columns that duplicate_source decides (first touch or last touch)
ATTRIBUTION_COLUMNS = ("source", "campaign")


def dedupe_people(
    frame: pl.DataFrame, *, source_from: str = "first"
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Merge leads that are the same person (same normalised e-mail, else same phone).

    The earliest-created lead of a group is kept (ties: smallest lead_id); it takes the
    earliest of each stage timestamp and the first non-empty value of every other column
    from the group, so a stage reached under a duplicate record is not lost. Source and
    campaign come from the earliest lead with one (``source_from="first"``) or the latest
    (``"latest"``), so a team can credit the first or the last touch. Returns the
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
            elif name in ATTRIBUTION_COLUMNS and source_from == "latest":
                aggs.append(pl.col(name).drop_nulls().last())
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
                            # values as text: a date shows as 2026-03-01, not as a repr
                            r[0]
                            if len(key) == 1
                            else ", ".join("" if v is None else str(v) for v in r)
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
        frame = _deal_flags(frame, file=file, mapping=mapping, warnings=warnings)
    if table.name == "spend" and "period_grain" not in frame.columns:
        frame = frame.with_columns(
            pl.when(pl.col("period").dt.day().max() == 1)
            .then(pl.lit("month"))
            .otherwise(pl.lit("day"))
            .alias("period_grain")
        )
    return frame, problems, warnings


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
                    column=_source(mapping, "is_closed"),
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
            hashed = keyed_hash(normalise(frame[column]), options.key)
            frame = frame.with_columns(hashed.alias(f"{column}_hash"))
        frame = frame.drop(column)
        notes.append(f"{file}: {what} {done}; raw values are not stored")
    return frame
