"""Reference (Polars) for ``speed_to_lead_by_owner``: speed to lead per rep: median and 90th-
percentile minutes from handoff to the first attempt, share within an hour, SLA met and missed,
leads never touched.

It reads the shared follow-up facts of ``tests.reference.base.touch_facts`` and recomputes
the metric without SQL, so the tests can compare it with its query.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from tests.reference._common import owner_facts
from tests.reference.base import RefFilters


def _rate(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    """num / den as a float, null when den is 0."""
    return pl.when(den > 0).then(num.cast(pl.Float64) / den.cast(pl.Float64)).otherwise(None)


def _median(column: str) -> pl.Expr:
    return pl.col(column).drop_nulls().quantile(0.5, interpolation="linear")


def speed_to_lead_by_owner(
    t: dict[str, pl.DataFrame],
    settings: dict[str, Any] | None = None,
    f: RefFilters | None = None,
) -> pl.DataFrame:
    """Per lead owner: first-touch speed, SLA met and missed, never touched, SQL rate."""
    facts = owner_facts(t, settings, f)
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
