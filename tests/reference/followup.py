"""Reference (Polars) for the follow-up metrics: speed to lead, attempts, conversion.

Each function reads the shared follow-up facts from ``tests.reference.base.touch_facts`` and
recomputes one metric without SQL, so the tests can compare it with ``queries/<name>.sql``.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from tests.reference.base import DEFAULTS, RefFilters, touch_facts

SPEED_BUCKETS = ["< 5 min", "< 1 h", "< 24 h", "< 72 h", "later", "never"]
NO_OWNER = "(no owner)"
ALL_OWNERS = "(all)"


def _rate(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    """num / den as a float, null when den is 0."""
    return pl.when(den > 0).then(num.cast(pl.Float64) / den.cast(pl.Float64)).otherwise(None)


def _facts(
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


def _dimension_values(facts: pl.DataFrame, by: str | None) -> list[str | None]:
    """The groups to show: each dimension value present; without --by the one null group."""
    if by is None:
        return [None]
    values = facts["dimension"].unique().to_list()
    return sorted(v for v in values if v is not None) + ([None] if None in values else [])


def _grid(
    facts: pl.DataFrame, by: str | None, key: str, labels: list[tuple[int, str]], label_col: str
) -> pl.DataFrame:
    """Leads and SQLs (and won leads) per dimension value and bucket, with empty buckets."""
    rows = []
    for dim in _dimension_values(facts, by):
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


def speed_to_lead(
    t: dict[str, pl.DataFrame],
    settings: dict[str, Any] | None = None,
    f: RefFilters | None = None,
    by: str | None = None,
) -> pl.DataFrame:
    """Handed-off leads per dimension value and speed bucket, with SQL and win rates."""
    facts = _facts(t, settings, f, by)
    order = {b: i + 1 for i, b in enumerate(SPEED_BUCKETS)}
    facts = facts.with_columns(
        pl.col("speed_bucket").replace_strict(order, return_dtype=pl.Int64).alias("bucket_key")
    )
    labels = [(i + 1, b) for i, b in enumerate(SPEED_BUCKETS)]
    out = _grid(facts, by, "bucket_key", labels, "speed_bucket")
    return out.rename({"order": "bucket_order"}).select(
        "dimension",
        "bucket_order",
        "speed_bucket",
        "leads",
        "share",
        "sqls",
        "sql_rate",
        "won",
        "win_rate",
    )


def followup(
    t: dict[str, pl.DataFrame],
    settings: dict[str, Any] | None = None,
    f: RefFilters | None = None,
    by: str | None = None,
) -> pl.DataFrame:
    """Handed-off leads per dimension value and attempts before resolution (0..9, 10+)."""
    facts = _facts(t, settings, f, by)
    facts = facts.with_columns(
        pl.when(pl.col("n_attempts") >= 10)
        .then(10)
        .otherwise(pl.col("n_attempts"))
        .cast(pl.Int64)
        .alias("attempts_key")
    )
    labels = [(i, "10+" if i == 10 else str(i)) for i in range(11)]
    out = _grid(facts, by, "attempts_key", labels, "attempts")
    return out.rename({"order": "attempts_order"}).select(
        "dimension", "attempts_order", "attempts", "leads", "share", "sqls", "sql_rate"
    )


def _owner_facts(
    t: dict[str, pl.DataFrame], settings: dict[str, Any] | None, f: RefFilters | None
) -> pl.DataFrame:
    facts = touch_facts(t, settings, f)
    return facts.with_columns(pl.col("owner").fill_null(NO_OWNER))


def _median(column: str) -> pl.Expr:
    return pl.col(column).drop_nulls().quantile(0.5, interpolation="linear")


def speed_to_lead_by_owner(
    t: dict[str, pl.DataFrame],
    settings: dict[str, Any] | None = None,
    f: RefFilters | None = None,
) -> pl.DataFrame:
    """Per lead owner: first-touch speed, SLA met and missed, never touched, SQL rate."""
    facts = _owner_facts(t, settings, f)
    m = pl.col("minutes_to_first_touch")
    met = pl.col("is_sla_met")
    out = facts.group_by("owner").agg(
        pl.len().alias("handed_off"),
        m.is_not_null().sum().alias("touched"),
        _median("minutes_to_first_touch").alias("median_minutes_to_first_touch"),
        m.drop_nulls().quantile(0.9, interpolation="linear").alias("p90_minutes_to_first_touch"),
        (m < 60).fill_null(False).sum().alias("within_1h"),
        (met == True).fill_null(False).sum().alias("sla_met"),  # noqa: E712
        (met == False).fill_null(False).sum().alias("sla_missed"),  # noqa: E712
        pl.col("is_never_touched").sum().alias("never_touched"),
        pl.col("is_sql").sum().alias("sqls"),
    )
    out = out.with_columns(
        _rate(pl.col("within_1h"), pl.col("handed_off")).alias("within_1h_rate"),
        _rate(pl.col("sla_met"), pl.col("sla_met") + pl.col("sla_missed")).alias(
            "sla_compliance_rate"
        ),
        _rate(pl.col("sqls"), pl.col("handed_off")).alias("sql_rate"),
    )
    out = out.sort(
        ["median_minutes_to_first_touch", "owner"],
        descending=[True, False],
        nulls_last=True,
    )
    return out.select(
        "owner",
        "handed_off",
        "touched",
        "median_minutes_to_first_touch",
        "p90_minutes_to_first_touch",
        "within_1h_rate",
        "sla_met",
        "sla_missed",
        "sla_compliance_rate",
        "never_touched",
        "sql_rate",
    )


def _owner_summary(facts: pl.DataFrame, owner: str) -> dict[str, Any]:
    """The follow-up summary of one group of handed-off leads."""
    n = facts.height
    attempts = facts["n_attempts"]
    given_up = facts.filter(pl.col("is_given_up"))
    met = int((facts["is_sla_met"] == True).fill_null(False).sum())  # noqa: E712
    missed = int((facts["is_sla_met"] == False).fill_null(False).sum())  # noqa: E712
    minutes = facts["minutes_to_first_touch"].drop_nulls()
    return {
        "owner": owner,
        "handed_off": n,
        "mean_attempts": float(attempts.mean()) if n else None,
        "median_attempts": float(attempts.cast(pl.Float64).quantile(0.5, "linear")) if n else None,
        "zero_attempt_rate": int((attempts == 0).sum()) / n if n else None,
        "one_attempt_rate": int((attempts == 1).sum()) / n if n else None,
        "given_up": given_up.height,
        "attempts_on_given_up": float(given_up["n_attempts"].mean()) if given_up.height else None,
        "sla_compliance_rate": met / (met + missed) if met + missed else None,
        "median_minutes_to_first_touch": float(minutes.quantile(0.5, "linear"))
        if minutes.len()
        else None,
        "connect_rate": int(facts["has_connect"].sum()) / n if n else None,
        "sql_rate": int(facts["is_sql"].sum()) / n if n else None,
    }


def followup_by_owner(
    t: dict[str, pl.DataFrame],
    settings: dict[str, Any] | None = None,
    f: RefFilters | None = None,
) -> pl.DataFrame:
    """Per lead owner (names, then '(no owner)'), then '(all)': the follow-up summary."""
    facts = _owner_facts(t, settings, f)
    owners = sorted(o for o in facts["owner"].unique().to_list() if o != NO_OWNER)
    if NO_OWNER in facts["owner"].to_list():
        owners.append(NO_OWNER)
    rows = [_owner_summary(facts.filter(pl.col("owner") == o), o) for o in owners]
    rows.append(_owner_summary(facts, ALL_OWNERS))
    # below the team: compliance more than the gap under the (all) row's
    gap = float({**DEFAULTS, **(settings or {})}["rep_below_team_gap"])
    team = rows[-1]["sla_compliance_rate"]
    for row in rows:
        rate = row["sla_compliance_rate"]
        row["is_below_team"] = (
            row["owner"] != ALL_OWNERS
            and rate is not None
            and team is not None
            and rate < team - gap
        )
    schema = {
        "owner": pl.String,
        "handed_off": pl.Int64,
        "mean_attempts": pl.Float64,
        "median_attempts": pl.Float64,
        "zero_attempt_rate": pl.Float64,
        "one_attempt_rate": pl.Float64,
        "given_up": pl.Int64,
        "attempts_on_given_up": pl.Float64,
        "sla_compliance_rate": pl.Float64,
        "median_minutes_to_first_touch": pl.Float64,
        "connect_rate": pl.Float64,
        "sql_rate": pl.Float64,
        "is_below_team": pl.Boolean,
    }
    return pl.DataFrame(rows, schema=schema)


def attempt_conversion(
    t: dict[str, pl.DataFrame],
    settings: dict[str, Any] | None = None,
    f: RefFilters | None = None,
) -> pl.DataFrame:
    """For n = 1..10: leads with at least n attempts, first connects at n, SQLs among them."""
    facts = touch_facts(t, settings, f)
    rows = []
    for n in range(1, 11):
        reaching = facts.filter(pl.col("n_attempts") >= n)
        first = reaching.filter(pl.col("first_connect_attempt") == n).height
        sqls = int(reaching["is_sql"].sum())
        k = reaching.height
        rows.append(
            {
                "attempt_number": n,
                "leads_reaching": k,
                "first_connects": first,
                "connect_rate": first / k if k else None,
                "sqls_after": sqls,
                "sql_rate": sqls / k if k else None,
            }
        )
    schema = {
        "attempt_number": pl.Int64,
        "leads_reaching": pl.Int64,
        "first_connects": pl.Int64,
        "connect_rate": pl.Float64,
        "sqls_after": pl.Int64,
        "sql_rate": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema)
