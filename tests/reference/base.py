"""Reference (Polars) for the shared definitions: lead facts and follow-up facts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import duckdb
import polars as pl

DEFAULTS: dict[str, Any] = {
    "mql_score_threshold": 60.0,
    "sla_hours": 24.0,
    "give_up_days": 14,
    "attempt_types": ["call", "email", "sms", "chat", "zalo", "meeting", "whatsapp", "linkedin"],
    "attempt_outbound_only": True,
    "inbound_counts_as_contact": True,
    "connect_outcomes": ["connected", "replied", "completed", "meeting held", "answered", "held"],
    "cohort_basis": "created",
    "currency": "VND",
    "rep_below_team_gap": 0.05,
    "timezone": "UTC",
}


@dataclass
class RefFilters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sources: list[str] = field(default_factory=list)
    campaigns: list[str] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)


def tables_from_workspace(path: str) -> dict[str, pl.DataFrame]:
    """The canonical tables of a workspace file, read whole into Polars."""
    con = duckdb.connect(path, read_only=True)
    try:
        return {
            t: con.sql(f'select * from "{t}"').pl()
            for t in ("leads", "deals", "activities", "spend")
        }
    finally:
        con.close()


def as_of(t: dict[str, pl.DataFrame]) -> dt.datetime:
    """Latest moment anywhere in the data."""
    leads, deals, acts = t["leads"], t["deals"], t["activities"]
    candidates = [
        leads[c].max()
        for c in ("created_at", "mql_at", "handed_off_at", "accepted_at", "rejected_at", "sql_at")
    ]
    candidates += [acts["occurred_at"].max(), deals["created_at"].max(), deals["closed_at"].max()]
    present = [c for c in candidates if c is not None]
    return max(present) if present else dt.datetime(1970, 1, 1)


def money_known(deals: pl.DataFrame, settings: dict[str, Any] | None = None) -> bool:
    """True when some deal has an amount in the reporting currency (or with no currency).

    Without one every money figure is unknown (null), never 0.
    """
    currency = {**DEFAULTS, **(settings or {})}["currency"]
    in_currency = pl.col("currency").is_null() | (pl.col("currency") == currency)
    return deals.filter(pl.col("amount").is_not_null() & in_currency).height > 0


def lead_facts(
    t: dict[str, pl.DataFrame], settings: dict[str, Any] | None = None, f: RefFilters | None = None
) -> pl.DataFrame:
    """One row per lead in the filters with its stages, deal outcome and cohort."""
    s = {**DEFAULTS, **(settings or {})}
    f = f or RefFilters()
    leads = t["leads"]
    deals = t["deals"]
    uses_dates = leads["mql_at"].drop_nulls().len() > 0
    if uses_dates:
        mql_eff = pl.col("mql_at")
    else:
        mql_eff = (
            pl.when(pl.col("lead_score") >= s["mql_score_threshold"])
            .then(pl.col("created_at"))
            .otherwise(None)
        )
    out = leads.with_columns(mql_eff.alias("mql_at_eff"))
    out = out.with_columns(
        pl.coalesce(
            pl.col("handed_off_at"),
            pl.when(pl.col("owner").is_not_null()).then(pl.col("mql_at_eff")),
        ).alias("handed_off_at_eff")
    )
    in_currency = pl.col("currency").is_null() | (pl.col("currency") == s["currency"])
    # won implies closed: a won deal is never open, whatever its closed flag says
    is_open = ~(pl.col("is_closed").fill_null(False) | pl.col("is_won").fill_null(False))
    known = money_known(deals, s)
    linked = deals.filter(pl.col("lead_id").is_not_null())
    per_lead = linked.group_by("lead_id").agg(
        pl.len().alias("n_deals"),
        pl.col("created_at").min().alias("first_deal_at"),
        pl.col("is_won").fill_null(False).sum().alias("n_won_deals"),
        pl.col("amount")
        .filter(pl.col("is_won").fill_null(False) & in_currency)
        .sum()
        .alias("won_revenue"),
        pl.col("amount").filter(is_open & in_currency).sum().alias("open_pipeline"),
        is_open.any().alias("has_open_deal"),
    )
    out = out.join(per_lead, on="lead_id", how="left").with_columns(
        pl.col("n_deals").fill_null(0),
        pl.col("n_won_deals").fill_null(0),
        # unknown (null), not 0, when no deal has an amount in the reporting currency
        (pl.col("won_revenue").fill_null(0.0) if known else pl.lit(None, pl.Float64)).alias(
            "won_revenue"
        ),
        (pl.col("open_pipeline").fill_null(0.0) if known else pl.lit(None, pl.Float64)).alias(
            "open_pipeline"
        ),
        pl.col("has_open_deal").fill_null(False),
    )
    out = out.with_columns(
        pl.col("mql_at_eff").is_not_null().alias("is_mql"),
        pl.col("handed_off_at_eff").is_not_null().alias("is_handed_off"),
        # one definition of accepted: an accepted or SQL date, or a deal on a lead sales
        # never rejected; accepted_at_eff is when (accepted, else SQL, else first deal)
        (
            pl.col("accepted_at").is_not_null()
            | pl.col("sql_at").is_not_null()
            | ((pl.col("n_deals") > 0) & pl.col("rejected_at").is_null())
        ).alias("is_accepted"),
        pl.when(pl.col("accepted_at").is_not_null() | pl.col("sql_at").is_not_null())
        .then(pl.coalesce("accepted_at", "sql_at"))
        .when((pl.col("n_deals") > 0) & pl.col("rejected_at").is_null())
        .then(pl.col("first_deal_at"))
        .alias("accepted_at_eff"),
        pl.col("rejected_at").is_not_null().alias("is_rejected"),
        pl.col("sql_at").is_not_null().alias("is_sql"),
        (pl.col("n_deals") > 0).alias("is_opportunity"),
        (pl.col("n_won_deals") > 0).alias("is_won"),
        pl.min_horizontal("sql_at", "rejected_at", "first_deal_at").alias("resolved_at"),
    )
    out = out.with_columns(
        pl.when(pl.col("is_accepted"))
        .then(pl.lit("accepted"))
        .when(pl.col("is_rejected"))
        .then(pl.lit("rejected"))
        .when(pl.col("n_deals") > 0)
        .then(pl.lit("accepted"))
        .otherwise(pl.lit("never worked"))
        .alias("sales_verdict"),
        pl.when(pl.col("is_won"))
        .then(pl.lit("won"))
        .when(pl.col("has_open_deal"))
        .then(pl.lit("open"))
        .when(pl.col("n_deals") > 0)
        .then(pl.lit("lost"))
        .otherwise(pl.lit("no deal"))
        .alias("outcome"),
        (pl.col("mql_at_eff") if s["cohort_basis"] == "mql" else pl.col("created_at")).alias(
            "cohort_at"
        ),
    )
    # months and date filters on the team's clock: the UTC moment in the data time zone
    local = (
        pl.col("cohort_at")
        .dt.replace_time_zone("UTC")
        .dt.convert_time_zone(str(s.get("timezone") or "UTC"))
        .dt.replace_time_zone(None)
    )
    out = out.with_columns(local.alias("cohort_local_at"))
    out = out.with_columns(
        pl.col("cohort_local_at").dt.truncate("1mo").dt.date().alias("cohort_month")
    )
    if f.date_from is not None:
        out = out.filter(pl.col("cohort_local_at") >= dt.datetime.combine(f.date_from, dt.time()))
    if f.date_to is not None:
        end = dt.datetime.combine(f.date_to + dt.timedelta(days=1), dt.time())
        out = out.filter(pl.col("cohort_local_at") < end)
    for column, values in (("source", f.sources), ("campaign", f.campaigns), ("owner", f.owners)):
        if values:
            out = out.filter(pl.col(column).is_in(values))
    return out


def attempts(
    t: dict[str, pl.DataFrame], facts: pl.DataFrame, settings: dict[str, Any] | None = None
) -> pl.DataFrame:
    """Activities that count as attempts on leads in ``facts``, after the handoff."""
    s = {**DEFAULTS, **(settings or {})}
    acts = t["activities"].with_columns(
        pl.col("type").str.to_lowercase().alias("type_l"),
        pl.col("direction").str.to_lowercase().alias("direction_l"),
        pl.col("outcome").str.to_lowercase().alias("outcome_l"),
    )
    acts = acts.filter(pl.col("type_l").is_in(s["attempt_types"]))
    if s["attempt_outbound_only"]:
        acts = acts.filter(pl.col("direction_l").is_null() | (pl.col("direction_l") == "outbound"))
    acts = acts.join(
        facts.select("lead_id", "handed_off_at_eff", "resolved_at"), on="lead_id", how="inner"
    )
    acts = acts.filter(pl.col("occurred_at") >= pl.col("handed_off_at_eff"))
    acts = acts.sort(["lead_id", "occurred_at", "activity_id"]).with_columns(
        pl.int_range(1, pl.len() + 1).over("lead_id").alias("attempt_number"),
        pl.col("outcome_l").is_in(s["connect_outcomes"]).fill_null(False).alias("is_connect"),
        (pl.col("resolved_at").is_null() | (pl.col("occurred_at") <= pl.col("resolved_at"))).alias(
            "is_before_resolution"
        ),
    )
    return acts


def touch_facts(
    t: dict[str, pl.DataFrame], settings: dict[str, Any] | None = None, f: RefFilters | None = None
) -> pl.DataFrame:
    """One row per handed-off lead with first touch, attempts, connects, SLA and give-up."""
    s = {**DEFAULTS, **(settings or {})}
    facts = lead_facts(t, s, f)
    handed = facts.filter(pl.col("is_handed_off"))
    att = attempts(t, handed, s)
    per = att.group_by("lead_id").agg(
        pl.col("occurred_at").min().alias("first_touch_at"),
        pl.col("occurred_at").max().alias("last_attempt_at"),
        pl.col("is_before_resolution").sum().alias("n_attempts"),
        pl.len().alias("n_attempts_total"),
        pl.col("is_connect").any().alias("has_connect"),
        pl.col("attempt_number").filter(pl.col("is_connect")).min().alias("first_connect_attempt"),
    )
    # inbound contact: the lead called or wrote in (not outbound) and reached sales
    acts = t["activities"].with_columns(
        pl.col("type").str.to_lowercase().alias("type_l"),
        pl.col("direction").str.to_lowercase().alias("direction_l"),
        pl.col("outcome").str.to_lowercase().alias("outcome_l"),
    )
    inbound = (
        acts.filter(
            pl.lit(bool(s["inbound_counts_as_contact"]))
            & pl.col("direction_l").is_not_null()
            & (pl.col("direction_l") != "outbound")
            & pl.col("type_l").is_in(s["attempt_types"])
            & pl.col("outcome_l").is_in(s["connect_outcomes"]).fill_null(False)
        )
        .join(handed.select("lead_id", "handed_off_at_eff"), on="lead_id", how="inner")
        .filter(pl.col("occurred_at") >= pl.col("handed_off_at_eff"))
        .group_by("lead_id")
        .agg(pl.col("occurred_at").min().alias("first_inbound_at"))
    )
    now = as_of(t)
    out = (
        handed.join(per, on="lead_id", how="left")
        .join(inbound, on="lead_id", how="left")
        .with_columns(
            pl.col("n_attempts").fill_null(0),
            pl.col("n_attempts_total").fill_null(0),
            (
                pl.col("has_connect").fill_null(False) | pl.col("first_inbound_at").is_not_null()
            ).alias("has_connect"),
            pl.min_horizontal("first_touch_at", "first_inbound_at").alias("first_touch_at"),
        )
        .drop("first_inbound_at")
    )
    minutes = (pl.col("first_touch_at") - pl.col("handed_off_at_eff")).dt.total_seconds() / 60.0
    out = out.with_columns(minutes.alias("minutes_to_first_touch"))
    m = pl.col("minutes_to_first_touch")
    sla = dt.timedelta(hours=float(s["sla_hours"]))
    out = out.with_columns(
        pl.col("first_touch_at").is_null().alias("is_never_touched"),
        pl.when(pl.col("first_touch_at").is_null())
        .then(pl.lit("never"))
        .when(m < 5)
        .then(pl.lit("< 5 min"))
        .when(m < 60)
        .then(pl.lit("< 1 h"))
        .when(m < 24 * 60)
        .then(pl.lit("< 24 h"))
        .when(m < 72 * 60)
        .then(pl.lit("< 72 h"))
        .otherwise(pl.lit("later"))
        .alias("speed_bucket"),
        pl.when(pl.col("first_touch_at").is_not_null())
        .then(m <= float(s["sla_hours"]) * 60)
        .when(pl.lit(now) <= pl.col("handed_off_at_eff") + sla)
        .then(None)
        .otherwise(False)
        .alias("is_sla_met"),
        (
            (pl.col("n_attempts_total") > 0)
            & ~pl.col("is_sql")
            & ~pl.col("is_rejected")
            & ~pl.col("is_opportunity")
            & ~pl.col("has_connect")
            & (
                (pl.lit(now) - pl.col("last_attempt_at"))
                > dt.timedelta(days=int(s["give_up_days"]))
            )
        ).alias("is_given_up"),
    )
    return out
