"""Reference (Polars) for ``revenue_by_source``: per lead source: leads, MQLs, SQLs, won deals, win
rate, won revenue, deal size, revenue per lead and per MQL, open pipeline; with spend, cost per
lead, MQL and SQL, acquisition cost and ROI.

Written without SQL from its entry in docs/metrics.md, on ``tests/reference/base.lead_facts``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from tests.reference._common import NO_SOURCE, month_end, ratio
from tests.reference.base import DEFAULTS, RefFilters, lead_facts, money_known

REVENUE_COLUMNS = [
    "source",
    "leads",
    "mqls",
    "sqls",
    "closed_deals",
    "won_deals",
    "won_leads",
    "won_revenue",
    "win_rate",
    "lead_win_rate",
    "avg_deal_size",
    "revenue_per_lead",
    "revenue_per_mql",
    "open_pipeline",
    "spend",
    "cost_per_lead",
    "cost_per_mql",
    "cost_per_sql",
    "cac",
    "roi",
]


def spend_by_source(
    t: dict[str, pl.DataFrame],
    settings: dict[str, Any] | None = None,
    f: RefFilters | None = None,
) -> dict[str, float]:
    """Spend per source in the currency, inside the date/source/campaign filters.

    Day rows count whole when their day is inside the dates; month rows count for the
    share of the month's days inside the dates. Only sources with a row inside the
    dates appear.
    """
    s = {**DEFAULTS, **(settings or {})}
    f = f or RefFilters()
    out: dict[str, float] = {}
    for row in t["spend"].iter_rows(named=True):
        if row["amount"] is None or row["period"] is None:
            continue
        if row["currency"] is not None and row["currency"] != s["currency"]:
            continue
        if f.sources and row["source"] not in f.sources:
            continue
        if f.campaigns and row["campaign"] not in f.campaigns:
            continue
        period: dt.date = row["period"]
        if (row["period_grain"] or "").lower() == "month":
            start = period.replace(day=1)
            end = month_end(start)
        else:
            start = period
            end = period + dt.timedelta(days=1)
        lo = max(start, f.date_from) if f.date_from else start
        hi = min(end, f.date_to + dt.timedelta(days=1)) if f.date_to else end
        inside = (hi - lo).days
        if inside <= 0:
            continue
        key = row["source"] if row["source"] is not None else NO_SOURCE
        out[key] = out.get(key, 0.0) + row["amount"] * inside / (end - start).days
    return out


def revenue_by_source(
    t: dict[str, pl.DataFrame],
    settings: dict[str, Any] | None = None,
    f: RefFilters | None = None,
    *,
    segment_filter: bool = False,
) -> pl.DataFrame:
    """One row per source: funnel counts, deals, revenue, pipeline and spend ratios.

    Spend cannot be split by owner or segment: with an owner filter, or
    ``segment_filter`` (RefFilters has no segment filter), every spend column is null.
    """
    s = {**DEFAULTS, **(settings or {})}
    f = f or RefFilters()
    facts = lead_facts(t, s, f).with_columns(
        pl.col("source").fill_null(NO_SOURCE).alias("source_key")
    )
    key_of = dict(zip(facts["lead_id"].to_list(), facts["source_key"].to_list(), strict=True))
    rows: dict[str, dict[str, Any]] = {}

    def row(source: str) -> dict[str, Any]:
        if source not in rows:
            rows[source] = {
                "leads": 0,
                "mqls": 0,
                "sqls": 0,
                "closed_deals": 0,
                "won_deals": 0,
                "won_deals_in_currency": 0,
                "won_leads": 0,
                "won_revenue": 0.0,
                "open_pipeline": 0.0,
            }
        return rows[source]

    for lead in facts.iter_rows(named=True):
        r = row(lead["source_key"])
        r["leads"] += 1
        r["mqls"] += bool(lead["is_mql"])
        r["sqls"] += bool(lead["is_sql"])
    for deal in t["deals"].iter_rows(named=True):
        source = key_of.get(deal["lead_id"])
        if source is None:
            continue  # no lead, or a lead outside the filters
        r = row(source)
        won = bool(deal["is_won"])
        in_currency = deal["currency"] is None or deal["currency"] == s["currency"]
        r["closed_deals"] += bool(deal["is_closed"]) or won
        r["won_deals"] += won
        if won and in_currency and deal["amount"] is not None:
            r["won_deals_in_currency"] += 1
            r["won_revenue"] += deal["amount"]
        if not (deal["is_closed"] or won) and in_currency and deal["amount"] is not None:
            r["open_pipeline"] += deal["amount"]
    won_leads = facts.filter(pl.col("is_won")).group_by("source_key").len()
    for source, n in won_leads.iter_rows():
        row(source)["won_leads"] = n

    spend_known = (
        not f.owners
        and not segment_filter
        and (
            t["spend"]
            .filter(pl.col("currency").is_null() | (pl.col("currency") == s["currency"]))
            .height
            > 0
        )
    )
    spend = spend_by_source(t, s, f) if spend_known else {}
    for source in spend:
        row(source)

    known = money_known(t["deals"], s)
    out = []
    for source, r in rows.items():
        sp = spend.get(source, 0.0) if spend_known else None
        # unknown, not 0, when no deal has an amount in the reporting currency
        rev = r["won_revenue"] if known else None
        out.append(
            {
                "source": source,
                "leads": r["leads"],
                "mqls": r["mqls"],
                "sqls": r["sqls"],
                "closed_deals": r["closed_deals"],
                "won_deals": r["won_deals"],
                "won_leads": r["won_leads"],
                "won_revenue": rev,
                "win_rate": ratio(r["won_deals"], r["closed_deals"]),
                "lead_win_rate": ratio(r["won_leads"], r["leads"]),
                "avg_deal_size": ratio(rev, r["won_deals_in_currency"]),
                "revenue_per_lead": ratio(rev, r["leads"]),
                "revenue_per_mql": ratio(rev, r["mqls"]),
                "open_pipeline": r["open_pipeline"] if known else None,
                "spend": sp,
                "cost_per_lead": ratio(sp, r["leads"]),
                "cost_per_mql": ratio(sp, r["mqls"]),
                "cost_per_sql": ratio(sp, r["sqls"]),
                "cac": ratio(sp, r["won_leads"]),
                "roi": None if sp is None or rev is None else ratio(rev - sp, sp),
            }
        )
    out.sort(key=lambda x: (-(x["won_revenue"] or 0.0), -x["leads"], x["source"]))
    schema = {c: pl.Float64 for c in REVENUE_COLUMNS}
    schema.update(
        {
            "source": pl.String,
            **{
                c: pl.Int64
                for c in ("leads", "mqls", "sqls", "closed_deals", "won_deals", "won_leads")
            },
        }
    )
    return pl.DataFrame(out, schema=schema, orient="row").select(REVENUE_COLUMNS)
