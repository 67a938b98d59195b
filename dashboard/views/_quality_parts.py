"""The Lead quality page's words and rows: verdict labels, kappa readings, the columns its
tables show, and the metric rows with the texts its charts and tables write.

A sibling of the page (not a page itself: dashboard/pages.py lists the pages by file); it
formats and orders what the metrics computed, and computes nothing.
"""

from __future__ import annotations

from functools import partial

import polars as pl
import streamlit as st

from dashboard import ui
from dashboard.i18n import fmt_int, fmt_money, fmt_money_short, fmt_number, fmt_pct

MARKETING = ("MQL", "not MQL")
SALES = ("accepted", "rejected", "never worked")
OUTCOMES = ("won", "open", "lost", "no deal")
SALES_KEYS = {
    "accepted": "quality.sv_accepted",
    "rejected": "quality.sv_rejected",
    "never worked": "quality.sv_never_worked",
}
OUTCOME_KEYS = {
    "won": "quality.out_won",
    "open": "quality.out_open",
    "lost": "quality.out_lost",
    "no deal": "quality.out_no_deal",
}
# the two cells where the teams' verdicts contradict each other
DISAGREE = {("MQL", "rejected"), ("not MQL", "accepted")}
# rejection_reasons' value for a rejection without a reason
NO_REASON = "(no reason given)"
# the disagreement columns that count and price each lead list
TOTALS = {
    "false_rejections": ("false_rejections", "false_rejection_revenue"),
    "missed_leads": ("missed_leads", "missed_revenue"),
}
# the columns each lead list shows (message keys of their headings) and its timestamps
FALSE_REJECTION_COLUMNS = {
    "lead_id": "quality.col_lead",
    "source": "common.source",
    "campaign": "common.campaign",
    "owner": "common.owner",
    "lead_score": "quality.col_score",
    "rejected_at": "quality.col_rejected_at",
    "rejection_reason": "quality.col_reason",
    "first_won_at": "quality.col_first_won_at",
    "won_revenue": "common.won_revenue",
    "days_rejected_to_won": "quality.col_days_to_won",
}
MISSED_LEAD_COLUMNS = {
    "lead_id": "quality.col_lead",
    "source": "common.source",
    "campaign": "common.campaign",
    "owner": "common.owner",
    "lead_score": "quality.col_score",
    "created_at": "quality.col_created_at",
    "first_won_at": "quality.col_first_won_at",
    "won_revenue": "common.won_revenue",
}

# this page's formatters write an empty value as "–", so they see empty values too
text_col = partial(ui.text_col, format_nulls=True)


# ----------------------------------------------------------------------------- words
def marketing_label(ctx: ui.Context, verdict: str) -> str:
    """Marketing's verdict (``MQL`` / ``not MQL``) in the page's language."""
    return ctx.t("quality.mv_mql" if verdict == "MQL" else "quality.mv_not_mql")


def sales_label(ctx: ui.Context, verdict: str) -> str:
    """Sales's verdict (``accepted`` / ``rejected`` / ``never worked``) in the page's language."""
    return ctx.t(SALES_KEYS[verdict])


def outcome_label(ctx: ui.Context, outcome: str) -> str:
    """A lead's outcome (``won`` / ``open`` / ``lost`` / ``no deal``) in the page's language."""
    return ctx.t(OUTCOME_KEYS[outcome])


def kappa_reading(ctx: ui.Context, kappa: float | None) -> str:
    """Cohen's kappa in plain words (Landis & Koch 1977)."""
    if kappa is None:
        return "–"
    for bound, key in (
        (0.0, "poor"),
        (0.2, "slight"),
        (0.4, "fair"),
        (0.6, "moderate"),
        (0.8, "substantial"),
    ):
        if kappa < bound:
            return ctx.t(f"quality.kappa_{key}")
    return ctx.t("quality.kappa_almost_perfect")


def money(ctx: ui.Context, v: float | None) -> str:
    """An amount in full, in the reporting currency."""
    return fmt_money(v, ctx.currency, ctx.lang)


def money_short(ctx: ui.Context, v: float | None) -> str:
    """An amount rounded for a headline or a label."""
    return fmt_money_short(v, ctx.currency, ctx.lang)


def disagreeing() -> pl.Expr:
    """Leads on which marketing's and sales's verdicts contradict each other."""
    return pl.any_horizontal(
        (pl.col("marketing_verdict") == m) & (pl.col("sales_verdict") == s) for m, s in DISAGREE
    )


def datetime_column(ctx: ui.Context, label: str) -> st.column_config.DatetimeColumn:
    """A timestamp column written the way the page's language writes dates."""
    fmt = "DD/MM/YYYY HH:mm" if ctx.lang == "vi" else "YYYY-MM-DD HH:mm"
    return st.column_config.DatetimeColumn(label, format=fmt)


def matrix_cells(ctx: ui.Context, cells: pl.DataFrame) -> pl.DataFrame:
    """``disagreement_cells`` with the texts the verdict matrix shows."""
    T = ctx.t
    n = partial(fmt_int, lang=ctx.lang)
    cells = cells.pipe(
        ui.with_text,
        text_col("marketing_verdict", partial(marketing_label, ctx), "mv_label"),
        text_col("sales_verdict", partial(sales_label, ctx), "sv_label"),
        text_col("leads", n, "leads_text"),
        text_col("share", lambda v: fmt_pct(v, ctx.lang), "share_text"),
        text_col("won_revenue", partial(money, ctx), "revenue_text"),
        *(text_col(o.replace(" ", "_"), n, f"{o}_text") for o in OUTCOMES),
        disagreeing().fill_null(False).alias("is_disagreement"),
    )
    return cells.pipe(
        ui.with_text,
        (
            pl.col("leads_text")
            + pl.lit(" · ")
            + pl.col("share_text")
            + pl.when(pl.col("is_disagreement"))
            .then(pl.lit(" · " + T("quality.disagreement_mark")))
            .otherwise(pl.lit(""))
        ).alias("main_text"),
        *(
            pl.concat_str(
                [pl.lit(outcome_label(ctx, o) + " ") + pl.col(f"{o}_text") for o in pair],
                separator=" · ",
            ).alias(f"split_{i}")
            for i, pair in enumerate((OUTCOMES[:2], OUTCOMES[2:]))
        ),
        text_col(
            "won_revenue",
            lambda v: T("quality.revenue_cell", amount=money_short(ctx, v)),
            "revenue_label",
        ),
    )


def source_rows(ctx: ui.Context, frame: pl.DataFrame) -> pl.DataFrame:
    """``disagreement`` by source with its texts, most agreeing source first."""
    n = partial(fmt_int, lang=ctx.lang)
    rows = frame.pipe(
        ui.with_text,
        pl.col("dimension").fill_null(ctx.t("common.none_value")).alias("source"),
        text_col("agreement_rate", lambda v: fmt_pct(v, ctx.lang), "agreement_text"),
        text_col("cohens_kappa", lambda v: fmt_number(v, ctx.lang, 2), "kappa_text"),
        text_col("cohens_kappa", partial(kappa_reading, ctx), "reading"),
        text_col("leads_judged", n, "judged_text"),
        text_col("mql_rejected", n, "mql_rejected_text"),
        text_col("non_mql_accepted", n, "non_mql_accepted_text"),
    ).sort("agreement_rate", descending=True, nulls_last=True)
    return rows.with_columns(
        (pl.col("agreement_text") + pl.lit(" · κ ") + pl.col("kappa_text")).alias("bar_text")
    )


# the by-source table's columns, in order, with the message keys of their headings
SOURCE_TABLE = (
    ("source", "common.source"),
    ("leads_judged", "quality.leads_judged"),
    ("agreement_rate", "quality.agreement_rate"),
    ("cohens_kappa", "quality.kappa"),
    ("reading", "quality.kappa_reading"),
    ("agree_qualified", "quality.agree_qualified"),
    ("agree_unqualified", "quality.agree_unqualified"),
    ("mql_rejected", "quality.mql_rejected"),
    ("non_mql_accepted", "quality.non_mql_accepted"),
    ("never_worked_mqls", "quality.never_worked_mqls"),
    ("false_rejections", "quality.false_rejections"),
    ("false_rejection_revenue", "quality.false_rejection_revenue"),
    ("missed_leads", "quality.missed_leads"),
    ("missed_revenue", "quality.missed_revenue"),
)


def reason_rows(ctx: ui.Context, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[str], list[str]]:
    """``rejection_reasons`` by source with its texts, and the reasons' and sources' orders."""
    rows = frame.pipe(
        ui.with_text,
        pl.col("dimension").fill_null(ctx.t("common.none_value")).alias("source"),
        pl.when(pl.col("rejection_reason") == NO_REASON)
        .then(pl.lit(ctx.t("quality.no_reason")))
        .otherwise(pl.col("rejection_reason"))
        .alias("reason"),
        text_col("rejected", lambda v: fmt_int(v, ctx.lang), "rejected_text"),
        text_col("share", lambda v: fmt_pct(v, ctx.lang), "share_text"),
    )
    # reasons in order of how often they occur overall, so the stacks read alike
    reason_order = (
        rows.unique("reason").sort(["reason_rejected", "reason"], descending=[True, False])
    )["reason"].to_list()
    source_order = (
        rows.unique("source").sort(["dimension_rejected", "source"], descending=[True, False])
    )["source"].to_list()
    rows = rows.with_columns(
        pl.col("reason")
        .replace_strict({v: i for i, v in enumerate(reason_order)}, return_dtype=pl.Int32)
        .alias("reason_rank")
    )
    return rows, reason_order, source_order
