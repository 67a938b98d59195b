"""Reference (Polars) for ``handoff``: handoff from marketing to sales: MQLs handed off, accepted,
rejected, still pending (and past the SLA), time to each decision, and rejected leads that came
back as MQLs.

Built on ``tests/reference/base.py``'s lead facts; no SQL. The stage history is read by
``tests/reference/_common.tables_with_history`` because the base reference does not load it.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from tests.reference._common import sorted_rows, with_dimension
from tests.reference.base import DEFAULTS, RefFilters, as_of, lead_facts

# Stage names (normalised: lower case, letters and digits only) that mean "MQL".
MQL_STAGE_NAMES = ("mql", "marketingqualifiedlead", "marketingqualified", "marketingqualifiedleads")
MICROS_PER_HOUR = 3_600_000_000.0


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
    return sorted_rows(out)
