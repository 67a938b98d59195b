"""Helpers several metric references share (each metric's own steps stay in its file).

No SQL: they work on the Polars frames of ``tests/reference/base.py``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import polars as pl

from tests.reference.base import (
    DEFAULTS,
    RefFilters,
    lead_facts,
    money_known,
    tables_from_workspace,
    touch_facts,
)

NO_SOURCE = "(no source)"


def ratio(num: float | int | None, den: float | int | None) -> float | None:
    """num / den, or None (no rate) when either is unknown or den is 0."""
    if num is None or den is None or den == 0:
        return None
    return num / den


def month_end(day: dt.date) -> dt.date:
    """First day of the month after ``day``'s month."""
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


NO_OWNER = "(no owner)"


def followup_facts(
    t: dict[str, pl.DataFrame],
    settings: dict[str, Any] | None,
    f: RefFilters | None,
    by: str | None,
) -> pl.DataFrame:
    """touch_facts with a ``dimension`` column: the --by value (null without --by)."""
    facts = touch_facts(t, settings, f)
    if by is None:
        return facts.with_columns(pl.lit(None, dtype=pl.String).alias("dimension"))
    if by == "month":
        return facts.with_columns(pl.col("cohort_local_at").dt.strftime("%Y-%m").alias("dimension"))
    return facts.with_columns(pl.col(by).cast(pl.String).alias("dimension"))


def dimension_values(facts: pl.DataFrame, by: str | None) -> list[str | None]:
    """The groups to show: each dimension value present; without --by the one null group."""
    if by is None:
        return [None]
    values = facts["dimension"].unique().to_list()
    return sorted(v for v in values if v is not None) + ([None] if None in values else [])


def bucket_grid(
    facts: pl.DataFrame, by: str | None, key: str, labels: list[tuple[int, str]], label_col: str
) -> pl.DataFrame:
    """Leads and SQLs (and won leads) per dimension value and bucket, with empty buckets."""
    rows = []
    for dim in dimension_values(facts, by):
        group = facts.filter(
            pl.col("dimension").is_null() if dim is None else pl.col("dimension") == dim
        )
        total = group.height
        for order, label in labels:
            cell = group.filter(pl.col(key) == order)
            leads = cell.height
            sqls = int(cell["is_sql"].sum())
            won = int(cell["is_won"].sum())
            rows.append(
                {
                    "dimension": dim,
                    "order": order,
                    label_col: label,
                    "leads": leads,
                    "share": leads / total if total else None,
                    "sqls": sqls,
                    "sql_rate": sqls / leads if leads else None,
                    "won": won,
                    "win_rate": won / leads if leads else None,
                }
            )
    schema = {
        "dimension": pl.String,
        "order": pl.Int64,
        label_col: pl.String,
        "leads": pl.Int64,
        "share": pl.Float64,
        "sqls": pl.Int64,
        "sql_rate": pl.Float64,
        "won": pl.Int64,
        "win_rate": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def owner_facts(
    t: dict[str, pl.DataFrame], settings: dict[str, Any] | None, f: RefFilters | None
) -> pl.DataFrame:
    facts = touch_facts(t, settings, f)
    return facts.with_columns(pl.col("owner").fill_null(NO_OWNER))


STAGES: list[tuple[str, str]] = [
    ("lead", "Lead"),
    ("mql", "MQL"),
    ("handed_off", "Handed off"),
    ("accepted", "SAL (accepted)"),
    ("sql", "SQL"),
    ("opportunity", "Opportunity"),
    ("won", "Won"),
]


def stage_facts(
    t: dict[str, pl.DataFrame], settings: dict[str, Any] | None, f: RefFilters | None
) -> pl.DataFrame:
    """Lead facts plus the first won deal's close date and the --by-free stage dates."""
    facts = lead_facts(t, settings, f)
    won = (
        t["deals"]
        .filter(pl.col("lead_id").is_not_null() & pl.col("is_won").fill_null(False))
        .group_by("lead_id")
        .agg(pl.col("closed_at").min().alias("first_won_at"))
    )
    return facts.join(won, on="lead_id", how="left")


def stage_columns() -> list[tuple[pl.Expr, pl.Expr]]:
    """(reached, date) for each stage, in order."""
    return [
        (pl.lit(True), pl.col("created_at")),
        (pl.col("is_mql"), pl.col("mql_at_eff")),
        (pl.col("is_handed_off"), pl.col("handed_off_at_eff")),
        (pl.col("is_accepted"), pl.col("accepted_at_eff")),
        (pl.col("is_sql"), pl.col("sql_at")),
        (pl.col("is_opportunity"), pl.col("first_deal_at")),
        (pl.col("is_won"), pl.col("first_won_at")),
    ]


def days_between(later: dt.datetime | None, earlier: dt.datetime | None) -> float | None:
    if later is None or earlier is None:
        return None
    return (later - earlier).total_seconds() / 86400.0


def per_lead(facts: pl.DataFrame) -> list[dict]:
    cols = stage_columns()
    reached = facts.select([c[0].alias(f"r{i}") for i, c in enumerate(cols)]).rows()
    at = facts.select([c[1].alias(f"a{i}") for i, c in enumerate(cols)]).rows()
    return [{"reached": list(r), "at": list(a)} for r, a in zip(reached, at, strict=True)]


def tables_with_history(path: str) -> dict[str, pl.DataFrame]:
    """The canonical tables of a workspace file plus its stage history, read into Polars."""
    t = tables_from_workspace(path)
    con = duckdb.connect(path, read_only=True)
    try:
        t["stage_history"] = con.sql("select * from stage_history").pl()
    finally:
        con.close()
    return t


def with_dimension(facts: pl.DataFrame, by: str | None, settings: dict[str, Any]) -> pl.DataFrame:
    """Add the ``dimension`` column: the --by value of each lead (null without --by)."""
    if by is None:
        dim = pl.lit(None, dtype=pl.String)
    elif by == "month":
        dim = pl.col("cohort_local_at").dt.strftime("%Y-%m")
    else:
        dim = pl.col(by).cast(pl.String)
    return facts.with_columns(dim.alias("dimension"))


def sorted_rows(out: pl.DataFrame, extra: list[str] | None = None) -> pl.DataFrame:
    return out.sort(["dimension", *(extra or [])], nulls_last=True)


MARKETING = ["MQL", "not MQL"]
SALES = ["accepted", "rejected", "never worked"]
OUTCOMES = ["won", "open", "lost", "no deal"]


def quality_settings(settings: dict[str, Any] | None) -> dict[str, Any]:
    return {**DEFAULTS, **(settings or {})}


def money_or_unknown(t: dict[str, pl.DataFrame], s: dict[str, Any], value: float) -> float | None:
    """``value``, or None (unknown, not 0) when no deal has an amount in the currency."""
    return value if money_known(t["deals"], s) else None


def won_deals(t: dict[str, pl.DataFrame], facts: pl.DataFrame, s: dict[str, Any]) -> pl.DataFrame:
    """Won deals of the leads in ``facts``: lead_id, won_at and amount in the currency."""
    deals = t["deals"].filter(pl.col("is_won").fill_null(False))
    deals = deals.filter(pl.col("lead_id").is_in(facts["lead_id"].implode()))
    in_currency = pl.col("currency").is_null() | (pl.col("currency") == s["currency"])
    return deals.select(
        "lead_id",
        pl.coalesce("closed_at", "created_at").alias("won_at"),
        pl.when(in_currency)
        .then(pl.col("amount").fill_null(0.0))
        .otherwise(0.0)
        .cast(pl.Float64)
        .alias("amount"),
    )
