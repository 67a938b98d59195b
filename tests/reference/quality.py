"""Reference (Polars) for the lead-quality metrics: disagreement, calibration, what-if.

Each function reads the canonical tables through ``tests.reference.base.lead_facts`` and
recomputes one metric of ``queries/`` without SQL, in a different way where it can (the AUC
by counting pairs instead of summing ranks, deciles by explicit row arithmetic).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl

from tests.reference.base import DEFAULTS, RefFilters, lead_facts, money_known

MARKETING = ["MQL", "not MQL"]
SALES = ["accepted", "rejected", "never worked"]
OUTCOMES = ["won", "open", "lost", "no deal"]
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


def _settings(settings: dict[str, Any] | None) -> dict[str, Any]:
    return {**DEFAULTS, **(settings or {})}


def _money(t: dict[str, pl.DataFrame], s: dict[str, Any], value: float) -> float | None:
    """``value``, or None (unknown, not 0) when no deal has an amount in the currency."""
    return value if money_known(t["deals"], s) else None


def _won_deals(t: dict[str, pl.DataFrame], facts: pl.DataFrame, s: dict[str, Any]) -> pl.DataFrame:
    """Won deals of the leads in ``facts``: lead_id, won_at and amount in the currency."""
    deals = t["deals"].filter(pl.col("is_won").fill_null(False))
    deals = deals.filter(pl.col("lead_id").is_in(facts["lead_id"].implode()))
    in_currency = pl.col("currency").is_null() | (pl.col("currency") == s["currency"])
    return deals.select(
        "lead_id",
        pl.coalesce("closed_at", "created_at").alias("won_at"),
        pl.when(in_currency)
        .then(pl.col("amount").fill_null(0.0))
        .otherwise(0.0)
        .cast(pl.Float64)
        .alias("amount"),
    )


def disagreement_matrix(
    t: dict[str, pl.DataFrame],
    settings: dict[str, Any] | None = None,
    f: RefFilters | None = None,
) -> pl.DataFrame:
    """Marketing verdict x sales verdict x outcome: leads, won revenue and share, 24 rows."""
    s = _settings(settings)
    facts = lead_facts(t, s, f)
    total = facts.height
    rows = []
    for m in MARKETING:
        for sv in SALES:
            for o in OUTCOMES:
                cell = facts.filter(
                    (pl.col("is_mql") == (m == "MQL"))
                    & (pl.col("sales_verdict") == sv)
                    & (pl.col("outcome") == o)
                )
                rows.append(
                    {
                        "marketing_verdict": m,
                        "sales_verdict": sv,
                        "outcome": o,
                        "leads": cell.height,
                        "won_revenue": _money(t, s, float(cell["won_revenue"].sum())),
                        "share": cell.height / total if total else None,
                    }
                )
    return pl.DataFrame(rows, schema_overrides={"share": pl.Float64, "won_revenue": pl.Float64})


def false_rejection_leads(
    t: dict[str, pl.DataFrame],
    settings: dict[str, Any] | None = None,
    f: RefFilters | None = None,
) -> pl.DataFrame:
    """Rejected leads with a deal won strictly after the rejection, one row per lead."""
    s = _settings(settings)
    facts = lead_facts(t, s, f).filter(pl.col("rejected_at").is_not_null())
    won = _won_deals(t, facts, s)
    joined = facts.select(
        "lead_id",
        "source",
        "campaign",
        "owner",
        "lead_score",
        "rejected_at",
        "rejection_reason",
    ).join(won, on="lead_id", how="inner")
    later = joined.filter(pl.col("won_at") > pl.col("rejected_at"))
    out = later.group_by(
        "lead_id", "source", "campaign", "owner", "lead_score", "rejected_at", "rejection_reason"
    ).agg(
        pl.col("won_at").min().alias("first_won_at"),
        pl.col("amount").sum().alias("won_revenue"),
    )
    out = out.with_columns(
        ((pl.col("first_won_at") - pl.col("rejected_at")).dt.total_seconds() / 86400.0).alias(
            "days_rejected_to_won"
        ),
        pl.col("won_revenue")
        if money_known(t["deals"], s)
        else pl.lit(None, pl.Float64).alias("won_revenue"),
    )
    return out.sort(["won_revenue", "lead_id"], descending=[True, False])


def missed_leads(
    t: dict[str, pl.DataFrame],
    settings: dict[str, Any] | None = None,
    f: RefFilters | None = None,
) -> pl.DataFrame:
    """Leads that are not MQLs and have a won deal, one row per lead."""
    s = _settings(settings)
    facts = lead_facts(t, s, f).filter(~pl.col("is_mql") & pl.col("is_won"))
    won = _won_deals(t, facts, s).group_by("lead_id").agg(pl.col("won_at").min())
    out = facts.join(won, on="lead_id", how="inner").select(
        "lead_id",
        "source",
        "campaign",
        "owner",
        "lead_score",
        "created_at",
        pl.col("won_at").alias("first_won_at"),
        pl.col("won_revenue").cast(pl.Float64),
    )
    return out.sort(["won_revenue", "lead_id"], descending=[True, False])


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


def disagreement(
    t: dict[str, pl.DataFrame],
    settings: dict[str, Any] | None = None,
    f: RefFilters | None = None,
    by: str | None = None,
) -> pl.DataFrame:
    """Agreement counts, rate and kappa, never-worked MQLs, false rejections, missed leads."""
    s = _settings(settings)
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
    fr = false_rejection_leads(t, s, f).select(
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
                "never_worked_mqls": g.filter(
                    pl.col("is_mql") & pl.col("judgement").is_null()
                ).height,
                "false_rejections": int(g["is_fr"].is_not_null().sum()),
                "false_rejection_revenue": _money(
                    t, s, float(g["fr_revenue"].fill_null(0.0).sum())
                ),
                "missed_leads": missed.height,
                "missed_revenue": _money(t, s, float(missed["won_revenue"].fill_null(0.0).sum())),
            }
        )
    if by is None and not rows:
        rows.append(
            {
                "dimension": None,
                **dict.fromkeys(DISAGREEMENT_COUNTS, 0),
                "agreement_rate": None,
                "cohens_kappa": None,
                "false_rejection_revenue": _money(t, s, 0.0),
                "missed_revenue": _money(t, s, 0.0),
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
        "never_worked_mqls": pl.Int64,
        "false_rejections": pl.Int64,
        "false_rejection_revenue": pl.Float64,
        "missed_leads": pl.Int64,
        "missed_revenue": pl.Float64,
    }
    out = pl.DataFrame([{k: r[k] for k in schema} for r in rows], schema=schema)
    return out.sort("dimension", nulls_last=True)


def auc(scores: list[float], labels: list[bool]) -> float | None:
    """AUC of ``scores`` for ``labels`` by counting pairs (ties count half)."""
    pos = np.sort(np.array([x for x, y in zip(scores, labels, strict=True) if y], dtype=float))
    neg = np.sort(np.array([x for x, y in zip(scores, labels, strict=True) if not y], dtype=float))
    if len(pos) == 0 or len(neg) == 0:
        return None
    below = np.searchsorted(neg, pos, side="left")
    up_to = np.searchsorted(neg, pos, side="right")
    wins = below.sum() + 0.5 * (up_to - below).sum()
    return float(wins / (len(pos) * len(neg)))


def _ntile(n: int, buckets: int = 10) -> list[int]:
    """The bucket (1-based) of each of ``n`` ordered rows, the first n % buckets one larger."""
    q, r = divmod(n, buckets)
    out = []
    for i in range(n):
        if i < r * (q + 1):
            out.append(i // (q + 1) + 1)
        else:
            out.append(r + (i - r * (q + 1)) // q + 1)
    return out


def score_calibration(
    t: dict[str, pl.DataFrame],
    settings: dict[str, Any] | None = None,
    f: RefFilters | None = None,
) -> pl.DataFrame:
    """Ten score deciles by rank (tied scores in one decile) with SQL and win rates, AUCs."""
    s = _settings(settings)
    facts = lead_facts(t, s, f)
    scored = facts.filter(pl.col("lead_score").is_not_null()).sort(["lead_score", "lead_id"])
    buckets = _ntile(scored.height)
    # a run of equal scores takes the bucket of its first row: ties are never split
    values = scored["lead_score"].to_list()
    for i in range(1, len(values)):
        if values[i] == values[i - 1]:
            buckets[i] = buckets[i - 1]
    scored = scored.with_columns(pl.Series("decile", buckets, dtype=pl.Int64))
    scores = scored["lead_score"].cast(pl.Float64).to_list()
    auc_sql = auc(scores, scored["is_sql"].to_list())
    auc_won = auc(scores, scored["is_won"].to_list())
    unscored = facts.height - scored.height
    scored_n = scored.height
    rows = []
    for decile in range(1, 11):
        g = scored.filter(pl.col("decile") == decile)
        n = g.height
        sqls = int(g["is_sql"].sum())
        won = int(g["is_won"].sum())
        rows.append(
            {
                "decile": decile,
                "min_score": float(g["lead_score"].min()) if n else None,
                "max_score": float(g["lead_score"].max()) if n else None,
                "leads": n,
                "sqls": sqls,
                "sql_rate": sqls / n if n else None,
                "won": won,
                "win_rate": won / n if n else None,
                "won_revenue": _money(t, s, float(g["won_revenue"].fill_null(0.0).sum())),
                "auc_sql": auc_sql,
                "auc_won": auc_won,
                "unscored_leads": unscored,
                "scored_leads": scored_n,
            }
        )
    return pl.DataFrame(
        rows,
        schema_overrides={
            c: pl.Float64
            for c in (
                "min_score",
                "max_score",
                "sql_rate",
                "win_rate",
                "won_revenue",
                "auc_sql",
                "auc_won",
            )
        },
    )


def threshold_whatif(
    t: dict[str, pl.DataFrame],
    settings: dict[str, Any] | None = None,
    f: RefFilters | None = None,
    step: float = 5.0,
) -> pl.DataFrame:
    """Leads sent, SQLs and revenue kept or missed for thresholds 0, step, ... 100 and the
    current threshold."""
    s = _settings(settings)
    facts = lead_facts(t, s, f)
    scored = facts.filter(pl.col("lead_score").is_not_null())
    current = float(s["mql_score_threshold"])
    grid = {round(i * step, 6) for i in range(math.floor(100 / step) + 1)} | {current}
    all_sqls = int(scored["is_sql"].sum())
    all_revenue = _money(t, s, float(scored["won_revenue"].fill_null(0.0).sum()))
    reps = facts.filter(pl.col("is_handed_off") & pl.col("owner").is_not_null())["owner"]
    n_reps = reps.n_unique()
    cohort = facts["cohort_at"].drop_nulls()
    span_days = (cohort.max() - cohort.min()).total_seconds() / 86400 if cohort.len() else 0.0
    weeks = max(1.0, span_days / 7)
    rows = []
    for thr in sorted(grid):
        sent = scored.filter(pl.col("lead_score") >= thr)
        below = scored.filter(pl.col("lead_score") < thr)
        sqls = int(sent["is_sql"].sum())
        kept = _money(t, s, float(sent["won_revenue"].fill_null(0.0).sum()))
        rows.append(
            {
                "threshold": thr,
                "is_current": thr == current,
                "leads_sent": sent.height,
                "sqls_kept": sqls,
                "sql_share_kept": sqls / all_sqls if all_sqls else None,
                "won_kept": int(sent["is_won"].sum()),
                "won_revenue_kept": kept,
                "won_revenue_missed": _money(
                    t, s, float(below["won_revenue"].fill_null(0.0).sum())
                ),
                "revenue_share_kept": kept / all_revenue
                if all_revenue and kept is not None
                else None,
                "sqls_per_lead_sent": sqls / sent.height if sent.height else None,
                "leads_per_rep_week": sent.height / n_reps / weeks if n_reps else None,
                "unscored_leads": facts.height - scored.height,
            }
        )
    return pl.DataFrame(
        rows,
        schema_overrides={
            c: pl.Float64
            for c in (
                "sql_share_kept",
                "won_revenue_kept",
                "won_revenue_missed",
                "revenue_share_kept",
                "sqls_per_lead_sent",
                "leads_per_rep_week",
            )
        },
    )


def disagreement_cells(
    t: dict[str, pl.DataFrame],
    settings: dict[str, Any] | None = None,
    f: RefFilters | None = None,
) -> pl.DataFrame:
    """Marketing verdict x sales verdict: leads, share, won revenue, leads per outcome."""
    facts = lead_facts(t, _settings(settings), f)
    total = facts.height
    rows = []
    for m in MARKETING:
        for sv in SALES:
            cell = facts.filter(
                (pl.col("is_mql") == (m == "MQL")) & (pl.col("sales_verdict") == sv)
            )
            rows.append(
                {
                    "marketing_verdict": m,
                    "sales_verdict": sv,
                    "leads": cell.height,
                    "share": cell.height / total if total else None,
                    "won_revenue": float(cell["won_revenue"].sum()),
                    **{
                        o.replace(" ", "_"): cell.filter(pl.col("outcome") == o).height
                        for o in OUTCOMES
                    },
                }
            )
    return pl.DataFrame(rows, schema_overrides={"share": pl.Float64})
