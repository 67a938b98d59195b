"""Reference (Polars) for ``rejection_reasons``: why sales rejects handed-off leads: rejections per
reason, their share of the dimension's and of all rejections, and each reason's rank.

Built on ``tests/reference/base.py``'s lead facts; no SQL. The stage history is read by
``tests/reference/_common.tables_with_history`` because the base reference does not load it.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from tests.reference._common import sorted_rows, with_dimension
from tests.reference.base import DEFAULTS, RefFilters, lead_facts

NO_REASON = "(no reason given)"


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
    return sorted_rows(out, ["rank"])
