"""Reference (Polars) for the review callouts' facts: callout_sources, callout_reps and
callout_facts, written without SQL from their entries in docs/metrics.md and built on
``tests/reference/base.lead_facts`` and ``touch_facts``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from tests.reference.base import DEFAULTS, RefFilters, as_of, lead_facts, touch_facts


def _ratio(num: float | int | None, den: float | int | None) -> float | None:
    if num is None or den is None or den == 0:
        return None
    return num / den


def callout_sources(
    t: dict[str, pl.DataFrame], settings: dict[str, Any] | None = None, f: RefFilters | None = None
) -> pl.DataFrame:
    """Per source: shares, rates beside the other leads', excesses and their impacts."""
    s = {**DEFAULTS, **(settings or {})}
    facts = lead_facts(t, s, f)
    n = {
        "leads": facts.height,
        "mqls": int(facts["is_mql"].sum()),
        "sqls": int(facts["is_sql"].sum()),
        "handed_off": int(facts["is_handed_off"].sum()),
        "rejected": int((facts["is_handed_off"] & facts["is_rejected"]).sum()),
    }
    per_handed = _ratio(float(facts["won_revenue"].sum()), n["handed_off"]) or 0.0
    out = []
    for source in sorted(x for x in facts["source"].unique().to_list() if x is not None):
        mine = facts.filter(pl.col("source") == source)
        leads, mqls, sqls = mine.height, int(mine["is_mql"].sum()), int(mine["is_sql"].sum())
        handed = int(mine["is_handed_off"].sum())
        rejected = int((mine["is_handed_off"] & mine["is_rejected"]).sum())
        rest_rej = _ratio(n["rejected"] - rejected, n["handed_off"] - handed)
        excess_rej = max(0.0, rejected - handed * (rest_rej or 0.0))
        rest_sql = _ratio(n["sqls"] - sqls, n["mqls"] - mqls)
        sql_per_mql = _ratio(sqls, mqls)
        excess_mqls = max(0.0, mqls - sqls / rest_sql) if rest_sql else None
        mql_share, rej_share = _ratio(mqls, n["mqls"]), _ratio(rejected, n["rejected"])
        out.append(
            {
                "source": source,
                "leads": leads,
                "mqls": mqls,
                "sqls": sqls,
                "handed_off": handed,
                "rejected": rejected,
                "mql_share": mql_share,
                "rejection_share": rej_share,
                "share_gap": None if None in (mql_share, rej_share) else rej_share - mql_share,
                "rejection_rate": _ratio(rejected, handed),
                "rest_rejection_rate": rest_rej,
                "excess_rejections": excess_rej,
                "mql_rate": _ratio(mqls, leads),
                "rest_mql_rate": _ratio(n["mqls"] - mqls, n["leads"] - leads),
                "sql_per_mql": sql_per_mql,
                "rest_sql_per_mql": rest_sql,
                "sql_per_mql_ratio": _ratio(sql_per_mql, rest_sql),
                "excess_mqls": excess_mqls,
                "revenue_per_handed_off": per_handed,
                "rejections_impact": excess_rej * per_handed,
                "overrated_impact": None if excess_mqls is None else excess_mqls * per_handed,
            }
        )
    return pl.DataFrame(out, infer_schema_length=None)


def callout_reps(
    t: dict[str, pl.DataFrame], settings: dict[str, Any] | None = None, f: RefFilters | None = None
) -> pl.DataFrame:
    """Per owner: one-attempt rate beside the team's, speed, SQL rate beside the rest's."""
    s = {**DEFAULTS, **(settings or {})}
    facts = lead_facts(t, s, f)
    touched = touch_facts(t, s, f)
    per_sql = _ratio(float(facts["won_revenue"].sum()), int(facts["is_sql"].sum())) or 0.0
    team_one = _ratio(int((touched["n_attempts"] == 1).sum()), touched.height)
    reps = touched.filter(pl.col("owner").is_not_null())
    out = []
    for owner in sorted(reps["owner"].unique().to_list()):
        mine = reps.filter(pl.col("owner") == owner)
        rest = reps.filter(pl.col("owner") != owner)
        handed, sqls = mine.height, int(mine["is_sql"].sum())
        sql_rate = sqls / handed
        rest_rate = _ratio(int(rest["is_sql"].sum()), rest.height) or 0.0
        decided = mine["is_sla_met"].drop_nulls()
        lost = max(0.0, handed * (rest_rate - sql_rate))
        out.append(
            {
                "owner": owner,
                "handed_off": handed,
                "one_attempt_rate": int((mine["n_attempts"] == 1).sum()) / handed,
                "team_one_attempt_rate": team_one,
                "median_attempts": float(mine["n_attempts"].median()),
                "median_minutes_to_first_touch": mine["minutes_to_first_touch"].median(),
                "sla_compliance_rate": _ratio(int(decided.sum()), decided.len()),
                "sql_rate": sql_rate,
                "rest_sql_rate": rest_rate,
                "lost_sqls": lost,
                "revenue_per_sql": per_sql,
                "impact": lost * per_sql,
            }
        )
    return pl.DataFrame(out, infer_schema_length=None)


def _top(frame: pl.DataFrame, column: str) -> tuple[str, int]:
    counts: dict[str, int] = {}
    for value in frame[column].to_list():
        if value is not None:
            counts[value] = counts.get(value, 0) + 1
    if not counts:
        return "", 0
    best = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    return best[0], best[1]


def callout_facts(
    t: dict[str, pl.DataFrame], settings: dict[str, Any] | None = None, f: RefFilters | None = None
) -> pl.DataFrame:
    """One row: false rejections, missed leads and leads pending past the SLA."""
    s = {**DEFAULTS, **(settings or {})}
    facts = lead_facts(t, s, f)
    by_id = {r["lead_id"]: r for r in facts.iter_rows(named=True)}
    false_rev: dict[str, float] = {}
    for deal in t["deals"].iter_rows(named=True):
        lead = by_id.get(deal["lead_id"])
        if lead is None or not deal["is_won"] or lead["rejected_at"] is None:
            continue
        won_at = deal["closed_at"] or deal["created_at"]
        if won_at <= lead["rejected_at"]:
            continue
        counted = deal["currency"] is None or deal["currency"] == s["currency"]
        amount = (deal["amount"] or 0.0) if counted else 0.0
        false_rev[lead["lead_id"]] = false_rev.get(lead["lead_id"], 0.0) + amount
    false_rows = facts.filter(pl.col("lead_id").is_in(list(false_rev)))
    handed = facts.filter(pl.col("is_handed_off"))
    rejected = int(handed["is_rejected"].sum())
    now = as_of(t)
    sla = dt.timedelta(hours=float(s["sla_hours"]))
    pending = handed.filter(
        ~pl.col("is_accepted")
        & ~pl.col("is_rejected")
        & (pl.lit(now) - pl.col("handed_off_at_eff") > sla)
    ).height
    missed = facts.filter(~pl.col("is_mql") & pl.col("is_won"))
    won_leads = int((facts["outcome"] == "won").sum())
    scores = missed["lead_score"].drop_nulls()
    per_handed = _ratio(float(facts["won_revenue"].sum()), handed.height) or 0.0
    source, n_source = _top(false_rows, "source")
    reason, n_reason = _top(false_rows, "rejection_reason")
    row = {
        "false_rejections": len(false_rev),
        "false_rejection_revenue": float(sum(false_rev.values())),
        "rejected": rejected,
        "false_rejection_rate": _ratio(len(false_rev), rejected),
        "top_source": source,
        "top_source_count": n_source,
        "top_reason": reason,
        "top_reason_count": n_reason,
        "missed_leads": missed.height,
        "missed_revenue": float(missed["won_revenue"].sum()),
        "won_leads": won_leads,
        "missed_rate": _ratio(missed.height, won_leads),
        "missed_mean_score": float(scores.mean()) if scores.len() else None,
        "missed_max_score": float(scores.max()) if scores.len() else None,
        "pending_past_sla": pending,
        "handed_off": handed.height,
        "pending_rate": _ratio(pending, handed.height),
        "revenue_per_handed_off": per_handed,
        "pending_impact": pending * per_handed,
    }
    return pl.DataFrame([row], infer_schema_length=None)
