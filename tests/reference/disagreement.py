"""Reference (Polars) for ``disagreement``: agreement between marketing's verdict (MQL or not) and
sales's verdict (accepted or rejected) on the leads both judged, with Cohen's kappa, and the
costly disagreements: MQLs never worked, false rejections and missed leads.

It reads the canonical tables through ``tests.reference.base.lead_facts`` and recomputes the
metric without SQL, in a different way where it can.
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl

from tests.reference._common import money_or_unknown, quality_settings
from tests.reference.base import RefFilters, lead_facts
from tests.reference.false_rejections import false_rejections

DISAGREEMENT_COUNTS = (
    "leads_judged",
    "agree_qualified",
    "agree_unqualified",
    "mql_rejected",
    "non_mql_accepted",
    "never_worked_mqls",
    "false_rejections",
    "missed_leads",
)


def kappa(a: int, b: int, c: int, d: int) -> float | None:
    """Cohen's kappa of a 2x2 table: a = yes/yes, b = yes/no, c = no/yes, d = no/no."""
    n = a + b + c + d
    if n == 0:
        return None
    p_o = (a + d) / n
    p_e = ((a + b) / n) * ((a + c) / n) + ((c + d) / n) * ((b + d) / n)
    if math.isclose(p_e, 1.0):
        return None
    return (p_o - p_e) / (1 - p_e)


def gwet_ac1(a: int, b: int, c: int, d: int) -> float | None:
    """Gwet's AC1 of a 2x2 table (same cells as ``kappa``): chance is 2 pi (1 - pi)."""
    n = a + b + c + d
    if n == 0:
        return None
    pi = ((a + b) / n + (a + c) / n) / 2  # mean share of "yes" of the two raters
    chance = 2 * pi * (1 - pi)
    return ((a + d) / n - chance) / (1 - chance)


def pabak(a: int, b: int, c: int, d: int) -> float | None:
    """Prevalence- and bias-adjusted kappa: kappa with both chance rates at 1/2."""
    n = a + b + c + d
    return None if n == 0 else ((a + d) / n - 0.5) / 0.5


def disagreement(
    t: dict[str, pl.DataFrame],
    settings: dict[str, Any] | None = None,
    f: RefFilters | None = None,
    by: str | None = None,
) -> pl.DataFrame:
    """Agreement counts, rate and kappa, never-worked MQLs, false rejections, missed leads."""
    s = quality_settings(settings)
    facts = lead_facts(t, s, f)
    if by is None:
        dim = pl.lit(None, dtype=pl.String)
    elif by == "month":
        dim = pl.col("cohort_local_at").dt.strftime("%Y-%m")
    else:
        dim = pl.col(by).cast(pl.String)
    facts = facts.with_columns(
        dim.alias("dimension"),
        pl.when(pl.col("sales_verdict") != "never worked")
        .then(pl.col("sales_verdict"))
        .when(pl.col("n_deals") > 0)
        .then(pl.lit("accepted"))
        .alias("judgement"),
    )
    fr = false_rejections(t, s, f).select(
        "lead_id", fr_revenue=pl.col("won_revenue").fill_null(0.0), is_fr=pl.lit(True)
    )
    facts = facts.join(fr, on="lead_id", how="left")
    rows = []
    for key, g in facts.group_by("dimension"):
        mql = g["is_mql"]
        j = g["judgement"]
        a = int((mql & (j == "accepted")).fill_null(False).sum())
        b = int((mql & (j == "rejected")).fill_null(False).sum())
        c = int((~mql & (j == "accepted")).fill_null(False).sum())
        d = int((~mql & (j == "rejected")).fill_null(False).sum())
        n = a + b + c + d
        missed = g.filter(~pl.col("is_mql") & pl.col("is_won"))
        rows.append(
            {
                "dimension": key[0],
                "leads_judged": n,
                "agree_qualified": a,
                "agree_unqualified": d,
                "mql_rejected": b,
                "non_mql_accepted": c,
                "agreement_rate": (a + d) / n if n else None,
                "cohens_kappa": kappa(a, b, c, d),
                "gwet_ac1": gwet_ac1(a, b, c, d),
                "pabak": pabak(a, b, c, d),
                "never_worked_mqls": g.filter(
                    pl.col("is_mql") & pl.col("judgement").is_null()
                ).height,
                "false_rejections": int(g["is_fr"].is_not_null().sum()),
                "false_rejection_revenue": money_or_unknown(
                    t, s, float(g["fr_revenue"].fill_null(0.0).sum())
                ),
                "missed_leads": missed.height,
                "missed_revenue": money_or_unknown(
                    t, s, float(missed["won_revenue"].fill_null(0.0).sum())
                ),
            }
        )
    if by is None and not rows:
        rows.append(
            {
                "dimension": None,
                **dict.fromkeys(DISAGREEMENT_COUNTS, 0),
                "agreement_rate": None,
                "cohens_kappa": None,
                "gwet_ac1": None,
                "pabak": None,
                "false_rejection_revenue": money_or_unknown(t, s, 0.0),
                "missed_revenue": money_or_unknown(t, s, 0.0),
            }
        )
    schema = {
        "dimension": pl.String,
        "leads_judged": pl.Int64,
        "agree_qualified": pl.Int64,
        "agree_unqualified": pl.Int64,
        "mql_rejected": pl.Int64,
        "non_mql_accepted": pl.Int64,
        "agreement_rate": pl.Float64,
        "cohens_kappa": pl.Float64,
        "gwet_ac1": pl.Float64,
        "pabak": pl.Float64,
        "never_worked_mqls": pl.Int64,
        "false_rejections": pl.Int64,
        "false_rejection_revenue": pl.Float64,
        "missed_leads": pl.Int64,
        "missed_revenue": pl.Float64,
    }
    out = pl.DataFrame([{k: r[k] for k in schema} for r in rows], schema=schema)
    return out.sort("dimension", nulls_last=True)
