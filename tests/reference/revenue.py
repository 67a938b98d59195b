"""Reference (Polars) for revenue_by_source and attribute_lift, written without SQL.

It reads the same definitions in words as the docs (docs/metrics.md, entries revenue_by_source and
attribute_lift) and builds on ``tests/reference/base.lead_facts``.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import polars as pl

from tests.reference.base import DEFAULTS, RefFilters, lead_facts, money_known

NO_SOURCE = "(no source)"
NOT_SET = "(not set)"

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

LIFT_COLUMNS = [
    "attribute",
    "value",
    "judged",
    "sqls",
    "rejected",
    "sql_rate",
    "overall_sql_rate",
    "lift",
    "information_value",
]

# leads columns that describe a lead before sales works it (status, lifecycle_stage,
# owner and rejection_reason are left out: they record what sales did)
ATTRIBUTE_COLUMNS = (
    "source",
    "campaign",
    "temperature",
    "bant_budget",
    "bant_authority",
    "bant_need",
    "bant_timeline",
    "country",
    "region",
    "city",
    "industry",
    "company_size",
    "job_title",
)
MAX_VALUES = 30


def _ratio(num: float | int | None, den: float | int | None) -> float | None:
    if num is None or den is None or den == 0:
        return None
    return num / den


def _month_end(day: dt.date) -> dt.date:
    """First day of the month after ``day``'s month."""
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


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
            end = _month_end(start)
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
                "win_rate": _ratio(r["won_deals"], r["closed_deals"]),
                "lead_win_rate": _ratio(r["won_leads"], r["leads"]),
                "avg_deal_size": _ratio(rev, r["won_deals_in_currency"]),
                "revenue_per_lead": _ratio(rev, r["leads"]),
                "revenue_per_mql": _ratio(rev, r["mqls"]),
                "open_pipeline": r["open_pipeline"] if known else None,
                "spend": sp,
                "cost_per_lead": _ratio(sp, r["leads"]),
                "cost_per_mql": _ratio(sp, r["mqls"]),
                "cost_per_sql": _ratio(sp, r["sqls"]),
                "cac": _ratio(sp, r["won_leads"]),
                "roi": None if sp is None or rev is None else _ratio(rev - sp, sp),
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


def _score_band(score: float | None) -> str | None:
    if score is None:
        return None
    if 80 <= score <= 100:
        return "80-100"
    lo = math.floor(score / 20) * 20
    return f"{lo}-{lo + 19}"


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def attribute_lift(
    t: dict[str, pl.DataFrame],
    settings: dict[str, Any] | None = None,
    f: RefFilters | None = None,
) -> pl.DataFrame:
    """One row per attribute and value over judged leads, with SQL rate, lift and IV."""
    s = {**DEFAULTS, **(settings or {})}
    facts = lead_facts(t, s, f)
    judged = facts.filter(pl.col("sales_verdict").is_in(["accepted", "rejected"]))
    leads = t["leads"]
    columns = [c for c in ATTRIBUTE_COLUMNS if c in leads.columns]
    columns += sorted(c for c in leads.columns if c.startswith("segment_"))
    by_id = {r["lead_id"]: r for r in leads.iter_rows(named=True)}
    n_judged = judged.height
    n_sqls = int(judged["is_sql"].sum()) if n_judged else 0
    n_other = n_judged - n_sqls
    overall = _ratio(n_sqls, n_judged)

    out: list[dict[str, Any]] = []
    for attribute in [*columns, "score_band"]:
        cells: dict[str, list[int]] = {}
        n_set = 0
        for lead in judged.iter_rows(named=True):
            raw = by_id[lead["lead_id"]]
            value = (
                _score_band(raw["lead_score"])
                if attribute == "score_band"
                else _as_text(raw[attribute])
            )
            n_set += value is not None
            c = cells.setdefault(NOT_SET if value is None else value, [0, 0, 0])
            c[0] += 1
            c[1] += bool(lead["is_sql"])
            c[2] += lead["sales_verdict"] == "rejected"
        distinct = len([v for v in cells if v != NOT_SET])
        if n_set == 0 or distinct > MAX_VALUES:
            continue
        k = len(cells)
        iv: float | None = None
        if n_sqls > 0 and n_other > 0:
            iv = 0.0
            for judged_n, sqls, _ in cells.values():
                g = (sqls + 0.5) / (n_sqls + 0.5 * k)
                b = (judged_n - sqls + 0.5) / (n_other + 0.5 * k)
                iv += (g - b) * math.log(g / b)
        for value, (judged_n, sqls, rejected) in cells.items():
            rate = sqls / judged_n
            out.append(
                {
                    "attribute": attribute,
                    "value": value,
                    "judged": judged_n,
                    "sqls": sqls,
                    "rejected": rejected,
                    "sql_rate": rate,
                    "overall_sql_rate": overall,
                    "lift": _ratio(rate, overall),
                    "information_value": iv,
                }
            )
    schema = {
        "attribute": pl.String,
        "value": pl.String,
        "judged": pl.Int64,
        "sqls": pl.Int64,
        "rejected": pl.Int64,
        "sql_rate": pl.Float64,
        "overall_sql_rate": pl.Float64,
        "lift": pl.Float64,
        "information_value": pl.Float64,
    }
    frame = pl.DataFrame(out, schema=schema, orient="row")
    return frame.sort(
        ["information_value", "attribute", "sql_rate", "judged", "value"],
        descending=[True, False, True, True, False],
        nulls_last=True,
    )
