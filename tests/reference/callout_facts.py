"""Reference (Polars) for ``callout_facts``: one row of the figures the review callouts about leads
state: false rejections and their revenue, share and commonest source and reason; missed leads,
their revenue, share and scores; leads pending past the SLA, their share and the revenue at
stake.

Written without SQL from its entry in docs/metrics.md, on
``tests/reference/base.lead_facts`` and ``touch_facts``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from tests.reference._common import ratio
from tests.reference.base import DEFAULTS, RefFilters, as_of, lead_facts


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
    per_handed = ratio(float(facts["won_revenue"].sum()), handed.height) or 0.0
    source, n_source = _top(false_rows, "source")
    reason, n_reason = _top(false_rows, "rejection_reason")
    row = {
        "false_rejections": len(false_rev),
        "false_rejection_revenue": float(sum(false_rev.values())),
        "rejected": rejected,
        "false_rejection_rate": ratio(len(false_rev), rejected),
        "top_source": source,
        "top_source_count": n_source,
        "top_reason": reason,
        "top_reason_count": n_reason,
        "missed_leads": missed.height,
        "missed_revenue": float(missed["won_revenue"].sum()),
        "won_leads": won_leads,
        "missed_rate": ratio(missed.height, won_leads),
        "missed_mean_score": float(scores.mean()) if scores.len() else None,
        "missed_max_score": float(scores.max()) if scores.len() else None,
        "pending_past_sla": pending,
        "handed_off": handed.height,
        "pending_rate": ratio(pending, handed.height),
        "revenue_per_handed_off": per_handed,
        "pending_impact": pending * per_handed,
    }
    return pl.DataFrame([row], infer_schema_length=None)
