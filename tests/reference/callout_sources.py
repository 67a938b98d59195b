"""Reference (Polars) for ``callout_sources``: per lead source, the figures of the review callouts
about sources: shares of MQLs and of rejections, rejection and SQL rates beside the other
sources', the excess rejections and excess MQLs, and the revenue at stake.

Written without SQL from its entry in docs/metrics.md, on
``tests/reference/base.lead_facts`` and ``touch_facts``.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from tests.reference._common import ratio
from tests.reference.base import DEFAULTS, RefFilters, lead_facts


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
    per_handed = ratio(float(facts["won_revenue"].sum()), n["handed_off"]) or 0.0
    out = []
    for source in sorted(x for x in facts["source"].unique().to_list() if x is not None):
        mine = facts.filter(pl.col("source") == source)
        leads, mqls, sqls = mine.height, int(mine["is_mql"].sum()), int(mine["is_sql"].sum())
        handed = int(mine["is_handed_off"].sum())
        rejected = int((mine["is_handed_off"] & mine["is_rejected"]).sum())
        rest_rej = ratio(n["rejected"] - rejected, n["handed_off"] - handed)
        excess_rej = max(0.0, rejected - handed * (rest_rej or 0.0))
        rest_sql = ratio(n["sqls"] - sqls, n["mqls"] - mqls)
        sql_per_mql = ratio(sqls, mqls)
        excess_mqls = max(0.0, mqls - sqls / rest_sql) if rest_sql else None
        mql_share, rej_share = ratio(mqls, n["mqls"]), ratio(rejected, n["rejected"])
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
                "rejection_rate": ratio(rejected, handed),
                "rest_rejection_rate": rest_rej,
                "excess_rejections": excess_rej,
                "mql_rate": ratio(mqls, leads),
                "rest_mql_rate": ratio(n["mqls"] - mqls, n["leads"] - leads),
                "sql_per_mql": sql_per_mql,
                "rest_sql_per_mql": rest_sql,
                "sql_per_mql_ratio": ratio(sql_per_mql, rest_sql),
                "excess_mqls": excess_mqls,
                "revenue_per_handed_off": per_handed,
                "rejections_impact": excess_rej * per_handed,
                "overrated_impact": None if excess_mqls is None else excess_mqls * per_handed,
            }
        )
    return pl.DataFrame(out, infer_schema_length=None)
