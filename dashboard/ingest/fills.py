"""Values a file leaves out, filled in with a note or a warning.

Rows with no created date get the ``missing_created_at`` date; deals and spend with no
currency get the load's currency, and currencies that are not ISO codes are flagged.
"""

from __future__ import annotations

import polars as pl

from dashboard import currencies
from dashboard.errors import Problem, examples
from dashboard.ingest import values
from dashboard.ingest.columns import source_label
from dashboard.ingest.load_options import Options
from dashboard.schema import Table


def fill_created(
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
            column=source_label(mapping, "created_at"),
            rows=examples(empty.arg_true().to_list(), [None] * min(n, 5)),
            count=n,
            severity="warning",
        )
    )
    return series.fill_null(value)


def fill_currency(
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


def check_currencies(
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
                column=source_label(mapping, "currency"),
                rows=examples(positions, raw.gather(positions[:5]).to_list()),
                count=n,
                severity="warning",
            )
        )
    out["currency"] = code.alias("currency")
