"""Reference (Polars) for ``attribute_lift``: for each lead attribute and value: leads sales
judged, SQLs, rejections, SQL rate and lift over the overall rate, with the attribute's
information value.

Written without SQL from its entry in docs/metrics.md, on ``tests/reference/base.lead_facts``.
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl

from tests.reference._common import ratio
from tests.reference.base import DEFAULTS, RefFilters, lead_facts

NOT_SET = "(not set)"

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
    overall = ratio(n_sqls, n_judged)

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
                    "lift": ratio(rate, overall),
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
