"""Reference (Polars) for the handoff and rejection_reasons metrics.

Built on ``tests/reference/base.py``'s lead facts; no SQL. The stage history is read here
because the base reference does not load it.
"""

from __future__ import annotations

from typing import Any

import duckdb
import polars as pl

from tests.reference.base import DEFAULTS, RefFilters, as_of, lead_facts, tables_from_workspace

# Stage names (normalised: lower case, letters and digits only) that mean "MQL".
MQL_STAGE_NAMES = ("mql", "marketingqualifiedlead", "marketingqualified", "marketingqualifiedleads")
NO_REASON = "(no reason given)"
MICROS_PER_HOUR = 3_600_000_000.0


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


def _hours(start: str, end: pl.Expr) -> pl.Expr:
    return (end - pl.col(start)).dt.total_microseconds() / MICROS_PER_HOUR


def _last_mql_entry(t: dict[str, pl.DataFrame]) -> pl.DataFrame:
    history = t.get("stage_history")
    if history is None or history.height == 0:
        return pl.DataFrame(
            {"lead_id": [], "last_mql_entry_at": []},
            schema={"lead_id": pl.String, "last_mql_entry_at": pl.Datetime("us")},
        )
    key = pl.col("stage").str.strip_chars().str.to_lowercase().str.replace_all(r"[^a-z0-9]+", "")
    return (
        history.filter(key.is_in(list(MQL_STAGE_NAMES)))
        .group_by("lead_id")
        .agg(pl.col("entered_at").max().alias("last_mql_entry_at"))
        .with_columns(pl.col("lead_id").cast(pl.String))
    )


def _rate(num: str, den: str) -> pl.Expr:
    return pl.when(pl.col(den) > 0).then(pl.col(num) / pl.col(den)).otherwise(None)


def _sorted(out: pl.DataFrame, extra: list[str] | None = None) -> pl.DataFrame:
    return out.sort(["dimension", *(extra or [])], nulls_last=True)


def handoff(
    t: dict[str, pl.DataFrame],
    settings: dict[str, Any] | None = None,
    f: RefFilters | None = None,
    by: str | None = None,
) -> pl.DataFrame:
    """Handoff counts, rates, pending past the SLA, decision times and recycled leads."""
    s = {**DEFAULTS, **(settings or {})}
    facts = with_dimension(lead_facts(t, s, f), by, s)
    facts = facts.join(_last_mql_entry(t), on="lead_id", how="left")
    now = as_of(t)
    sla_micros = float(s["sla_hours"]) * MICROS_PER_HOUR
    handed = pl.col("is_handed_off")
    acc = handed & pl.col("is_accepted")
    rej = handed & pl.col("is_rejected")
    pending = handed & ~pl.col("is_accepted") & ~pl.col("is_rejected")
    waited = (pl.lit(now) - pl.col("handed_off_at_eff")).dt.total_microseconds()
    accepted_time = pl.col("accepted_at_eff")
    recycled_again = (pl.col("mql_at_eff") > pl.col("rejected_at")).fill_null(False) | (
        pl.col("last_mql_entry_at") > pl.col("rejected_at")
    ).fill_null(False)
    per = facts.select(
        "dimension",
        pl.col("is_mql"),
        handed.alias("h"),
        (pl.col("is_mql") & handed).alias("mh"),
        acc.alias("acc"),
        rej.alias("rej"),
        (acc & rej).alias("both"),
        pending.alias("pend"),
        (pending & (waited > sla_micros)).alias("late"),
        pl.when(acc & (accepted_time >= pl.col("mql_at_eff")))
        .then(_hours("mql_at_eff", accepted_time))
        .alias("h_acc"),
        pl.when(rej & (pl.col("rejected_at") >= pl.col("mql_at_eff")))
        .then(_hours("mql_at_eff", pl.col("rejected_at")))
        .alias("h_rej"),
        (rej & recycled_again).alias("rec"),
    )
    out = per.group_by("dimension").agg(
        pl.col("is_mql").sum().alias("mqls"),
        pl.col("h").sum().alias("handed_off"),
        pl.col("mh").sum().alias("mqls_handed_off"),
        pl.col("acc").sum().alias("accepted"),
        pl.col("rej").sum().alias("rejected"),
        pl.col("both").sum().alias("accepted_and_rejected"),
        pl.col("pend").sum().alias("pending"),
        pl.col("late").sum().alias("pending_past_sla"),
        pl.col("h_acc").median().alias("median_hours_to_accept"),
        pl.col("h_rej").median().alias("median_hours_to_reject"),
        pl.col("rec").sum().alias("recycled"),
    )
    if by is None and out.height == 0:
        out = pl.DataFrame(
            {
                "dimension": [None],
                **{
                    c: [0]
                    for c in (
                        "mqls",
                        "handed_off",
                        "mqls_handed_off",
                        "accepted",
                        "rejected",
                        "accepted_and_rejected",
                        "pending",
                        "pending_past_sla",
                        "recycled",
                    )
                },
                "median_hours_to_accept": [None],
                "median_hours_to_reject": [None],
            },
            schema_overrides={
                "dimension": pl.String,
                "median_hours_to_accept": pl.Float64,
                "median_hours_to_reject": pl.Float64,
            },
        )
    out = out.select(
        "dimension",
        "mqls",
        "handed_off",
        "mqls_handed_off",
        _rate("mqls_handed_off", "mqls").alias("handoff_rate"),
        "accepted",
        _rate("accepted", "handed_off").alias("acceptance_rate"),
        "rejected",
        _rate("rejected", "handed_off").alias("rejection_rate"),
        "accepted_and_rejected",
        "pending",
        "pending_past_sla",
        "median_hours_to_accept",
        "median_hours_to_reject",
        "recycled",
        _rate("recycled", "rejected").alias("recycled_rate"),
    )
    return _sorted(out)


def rejection_reasons(
    t: dict[str, pl.DataFrame],
    settings: dict[str, Any] | None = None,
    f: RefFilters | None = None,
    by: str | None = None,
) -> pl.DataFrame:
    """Rejections of handed-off leads per dimension value and reason, with shares and rank."""
    s = {**DEFAULTS, **(settings or {})}
    facts = with_dimension(lead_facts(t, s, f), by, s)
    reason = pl.col("rejection_reason").str.strip_chars()
    reason = pl.when(reason == "").then(None).otherwise(reason)
    rejected = facts.filter(pl.col("is_handed_off") & pl.col("is_rejected")).select(
        "dimension",
        reason.is_null().alias("is_unexplained"),
        reason.fill_null(NO_REASON).alias("rejection_reason"),
    )
    counts = rejected.group_by("dimension", "rejection_reason").agg(
        pl.col("is_unexplained").all(), pl.len().alias("rejected")
    )
    total = counts["rejected"].sum()
    counts = counts.sort(
        ["dimension", "rejected", "is_unexplained", "rejection_reason"],
        descending=[False, True, False, False],
        nulls_last=True,
    )
    out = counts.with_columns(
        (pl.col("rejected") / pl.col("rejected").sum().over("dimension")).alias("share"),
        (pl.col("rejected") / total).alias("share_of_all"),
        pl.int_range(1, pl.len() + 1).over("dimension").alias("rank"),
    )
    by_dimension = rejected.group_by("dimension").agg(pl.len().alias("dimension_rejected"))
    by_reason = rejected.group_by("rejection_reason").agg(pl.len().alias("reason_rejected"))
    out = out.join(by_dimension, on="dimension", how="left", nulls_equal=True).join(
        by_reason, on="rejection_reason", how="left"
    )
    out = out.select(
        "dimension",
        "rejection_reason",
        "rejected",
        "share",
        "share_of_all",
        "rank",
        "dimension_rejected",
        "reason_rejected",
    )
    return _sorted(out, ["rank"])
