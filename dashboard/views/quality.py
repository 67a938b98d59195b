"""Lead quality (marketing and sales together): how often the two teams agree on which leads
are good, where they disagree, and which side the won deals proved right.

One function per section of the page, called in order by :func:`render`; the charts are
drawn by :mod:`dashboard.charts.quality` and the words and display rows come from
:mod:`dashboard.views._quality_parts`, all from the rows the metrics return.
"""

from __future__ import annotations

from functools import partial

import polars as pl
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard import charts, ui
from dashboard.charts import quality as quality_charts
from dashboard.i18n import fmt_int, fmt_number, fmt_pct
from dashboard.views._quality_parts import (
    FALSE_REJECTION_COLUMNS,
    MARKETING,
    MISSED_LEAD_COLUMNS,
    NO_REASON,
    OUTCOMES,
    SALES,
    SOURCE_TABLE,
    TOTALS,
    kappa_reading,
    marketing_label,
    matrix_cells,
    money,
    money_short,
    outcome_label,
    reason_rows,
    sales_label,
    source_rows,
    text_col,
)


def _headline_metric(
    col: DeltaGenerator, label: str, value: str, delta: str, help_text: str
) -> None:
    """One headline figure, with its note under it (a note, not a change: no arrow)."""
    col.metric(label, value, delta=delta, delta_color="off", delta_arrow="off", help=help_text)


def headline(ctx: ui.Context) -> None:
    """The four headline figures (the money at stake first) and the sentence that reads them."""
    T = ctx.t
    overall = ui.metric(ctx, "disagreement")
    if not ui.usable(ctx, overall):
        return
    row = overall.frame.row(0, named=True)
    kappa, ac1 = row["cohens_kappa"], row["gwet_ac1"]
    # the money at stake first: that is what the meeting argues about
    cols = st.columns(4)
    _headline_metric(
        cols[0],
        T("quality.false_rejections"),
        fmt_int(row["false_rejections"], ctx.lang),
        T("quality.won_after", amount=money_short(ctx, row["false_rejection_revenue"])),
        T("quality.false_rejections_help"),
    )
    _headline_metric(
        cols[1],
        T("quality.missed_leads"),
        fmt_int(row["missed_leads"], ctx.lang),
        T("quality.won_anyway", amount=money_short(ctx, row["missed_revenue"])),
        T("quality.missed_leads_help"),
    )
    _headline_metric(
        cols[2],
        T("quality.agreement_rate"),
        fmt_pct(row["agreement_rate"], ctx.lang),
        T("quality.of_judged", n=fmt_int(row["leads_judged"], ctx.lang)),
        T("quality.agreement_help"),
    )
    _headline_metric(
        cols[3],
        T("quality.ac1"),
        fmt_number(ac1, ctx.lang, 2),
        kappa_reading(ctx, ac1),
        T("quality.ac1_help", kappa=fmt_number(kappa, ctx.lang, 2)),
    )
    if ac1 is not None:
        st.markdown(
            T(
                "quality.headline_sentence",
                rate=fmt_pct(row["agreement_rate"], ctx.lang),
                n=fmt_int(row["leads_judged"], ctx.lang),
                ac1=fmt_number(ac1, ctx.lang, 2),
                reading=kappa_reading(ctx, ac1).lower(),
                never=fmt_int(row["never_worked_mqls"], ctx.lang),
            )
        )
    if kappa is not None:
        # kappa is what a statistician will ask for; beside it, why it reads near 0 here
        st.caption(T("quality.kappa_note", kappa=fmt_number(kappa, ctx.lang, 2)))
    ui.how_computed(ctx, overall)


def matrix_table(ctx: ui.Context, matrix: pl.DataFrame) -> None:
    """The verdict matrix with each cell split by outcome, as a table."""
    ui.table(
        ctx,
        matrix.pipe(
            ui.with_text,
            ui.text_col("marketing_verdict", partial(marketing_label, ctx), "marketing_name"),
            ui.text_col("sales_verdict", partial(sales_label, ctx), "sales_name"),
            ui.text_col("outcome", lambda o: outcome_label(ctx, o).capitalize(), "outcome_name"),
        ),
        "verdict-matrix",
        key="matrix-table",
        metric="disagreement_matrix",
        headers={
            "marketing_name": "quality.marketing_verdict",
            "sales_name": "quality.sales_verdict",
            "outcome_name": "quality.outcome",
            "leads": "common.leads",
            "share": "quality.share_of_leads",
            "won_revenue": "common.won_revenue",
        },
        height=300,
        folded=True,
    )


def matrix_section(ctx: ui.Context) -> None:
    """Marketing's verdict × sales's verdict: a clickable heatmap and its table."""
    T = ctx.t
    st.subheader(T("quality.matrix_title"))
    st.caption(T("quality.matrix_caption"))
    matrix = ui.metric(ctx, "disagreement_matrix")
    if not ui.usable(ctx, matrix):
        return
    # the six cells (outcomes added up) come from disagreement_cells, the table from the matrix
    cells = matrix_cells(ctx, ui.metric(ctx, "disagreement_cells").frame)
    chart = quality_charts.verdict_matrix(
        cells,
        T,
        marketing_order=[marketing_label(ctx, v) for v in MARKETING],
        sales_order=[sales_label(ctx, v) for v in SALES],
        outcome_label=partial(outcome_label, ctx),
        outcomes=OUTCOMES,
        select=True,
    )
    clicked = ui.chart(ctx, chart, "verdict-matrix", key="matrix-chart", height=320, select=True)
    st.caption(T("quality.matrix_legend"))
    if clicked and clicked.get("marketing_verdict") and clicked.get("sales_verdict"):
        mv, sv = clicked["marketing_verdict"], clicked["sales_verdict"]
        ui.leads_behind(
            ctx,
            f"{marketing_label(ctx, mv)} × {sales_label(ctx, sv)}",
            ui.pick(marketing_verdict=mv, sales_verdict=sv),
            key="matrix-cell",
        )
    matrix_table(ctx, matrix.frame)
    ui.how_computed(ctx, matrix)


def trend_section(ctx: ui.Context) -> None:
    """Agreement rate and kappa per cohort month."""
    T = ctx.t
    st.subheader(T("quality.trend_title"))
    mql_basis = ctx.facts.settings.get("cohort_basis") == "mql"
    basis = T("quality.basis_mql" if mql_basis else "quality.basis_created")
    st.caption(T("quality.trend_caption", basis=basis))
    by_month = ui.metric(ctx, "disagreement", by="month")
    if not ui.usable(ctx, by_month):
        return
    months = (
        by_month.frame.filter(pl.col("dimension").is_not_null())
        .with_columns((pl.col("dimension") + "-01").str.to_date("%Y-%m-%d").alias("month_day"))
        .sort("month_day")
        .pipe(
            ui.with_text,
            text_col("month_day", lambda d: ui.month_label(ctx, d), "month"),
            text_col("agreement_rate", lambda v: fmt_pct(v, ctx.lang), "agreement_text"),
            text_col("cohens_kappa", lambda v: fmt_number(v, ctx.lang, 2), "kappa_text"),
            text_col("cohens_kappa", partial(kappa_reading, ctx), "reading"),
            text_col("leads_judged", lambda v: fmt_int(v, ctx.lang), "judged_text"),
        )
    )
    chart = quality_charts.agreement_trend(months, T, lang=ctx.lang)
    ui.chart(ctx, chart, "agreement-by-month", key="trend-chart", height=340)
    ui.how_computed(ctx, by_month, by="month")


def source_section(ctx: ui.Context) -> None:
    """Agreement per source: clickable bars (a click lists that source's disagreements)."""
    T = ctx.t
    st.subheader(T("quality.by_source_title"))
    st.caption(T("quality.by_source_caption"))
    by_source = ui.metric(ctx, "disagreement", by="source")
    if not ui.usable(ctx, by_source):
        return
    rows = source_rows(ctx, by_source.frame)
    colours = charts.colour_scale([*ctx.facts.sources, T("common.none_value")])
    chart = quality_charts.agreement_by_source(rows, T, colours=colours, select=True)
    height = max(260, 38 * rows.height)
    clicked = ui.chart(
        ctx, chart, "agreement-by-source", key="source-chart", height=height, select=True
    )
    st.caption(T("quality.by_source_click"))
    if clicked and clicked.get("source"):
        src = clicked["source"]
        ui.leads_behind(
            ctx,
            T("quality.disagreements_of", source=src),
            ui.pick("disagreeing", source=ui.source_value(ctx, src)),
            key="source-disagreements",
        )
    ui.table(
        ctx,
        rows,
        "agreement-by-source",
        key="source-table",
        metric="disagreement",
        headers=dict(SOURCE_TABLE),
        units={"source": "text", "reading": "text"},
        height=300,
        folded=True,
    )
    ui.how_computed(ctx, by_source, by="source")


def lead_table(ctx: ui.Context, name: str, columns: dict[str, str], key: str) -> None:
    """A lead list metric as a table, with its total count and revenue above it."""
    T = ctx.t
    st.subheader(T(f"quality.{name}_title"))
    st.caption(T(f"quality.{name}_caption"))
    shown = ui.metric(ctx, name)
    if not ui.usable(ctx, shown):
        if shown.ok:
            st.caption(T(f"quality.{name}_none"))
        return
    f = shown.frame
    # the count and revenue are disagreement's (the same leads; test_report checks it)
    totals = ui.metric(ctx, "disagreement").frame.row(0, named=True)
    n_col, revenue_col = TOTALS[name]
    st.markdown(
        T(
            f"quality.{name}_total",
            n=fmt_int(totals[n_col], ctx.lang),
            amount=money(ctx, totals[revenue_col]),
        )
    )
    ui.table(
        ctx,
        f,
        name.replace("_", "-"),
        key=key,
        metric=name,
        headers={c: label for c, label in columns.items() if c in f.columns},
        column_config={T(columns["lead_id"]): st.column_config.TextColumn(pinned=True)},
        height=320,
    )
    ui.how_computed(ctx, shown)


def lead_lists(ctx: ui.Context) -> None:
    """The two costly lists: rejected then won, and never MQL but won."""
    lead_table(
        ctx,
        "false_rejections",
        FALSE_REJECTION_COLUMNS,
        key="false-rejections",
    )
    lead_table(ctx, "missed_leads", MISSED_LEAD_COLUMNS, key="missed-leads")


def reason_leads(ctx: ui.Context, src: str, reason: str) -> None:
    """The handed-off leads of ``src`` that sales rejected for ``reason``."""
    shown = ctx.t("quality.no_reason") if reason == NO_REASON else reason
    ui.leads_behind(
        ctx,
        f"{src} · {shown}",
        # a blank reason is no reason, as rejection_reasons counts it
        ui.pick(
            "rejected",
            "handed_off",
            source=ui.source_value(ctx, src),
            rejection_reason=None if reason == NO_REASON else reason,
        ),
        key="reason-leads",
    )


def reasons_section(ctx: ui.Context) -> None:
    """Why sales rejects each source's leads: stacked bars (a click lists the leads)."""
    T = ctx.t
    st.subheader(T("quality.reasons_title"))
    st.caption(T("quality.reasons_caption"))
    reasons = ui.metric(ctx, "rejection_reasons", by="source")
    if not ui.usable(ctx, reasons):
        return
    rows, reason_order, source_order = reason_rows(ctx, reasons.frame)
    chart = quality_charts.reasons_by_source(
        rows, T, reason_order=reason_order, source_order=source_order, select=True
    )
    height = max(220, 34 * len(source_order))
    clicked = ui.chart(
        ctx, chart, "rejection-reasons-by-source", key="reasons-chart", height=height, select=True
    )
    st.caption(T("common.click_to_drill"))
    if clicked and clicked.get("source") and clicked.get("rejection_reason"):
        reason_leads(ctx, clicked["source"], clicked["rejection_reason"])
    ui.table(
        ctx,
        rows,
        "rejection-reasons-by-source",
        key="reasons-table",
        metric="rejection_reasons",
        headers={
            "source": "common.source",
            "rank": "quality.rank",
            "reason": "quality.col_reason",
            "rejected": "quality.rejected_leads",
            "share": "quality.share_of_source_rejections",
            "share_of_all": "quality.share_of_all_rejections",
        },
        units={"source": "text", "reason": "text"},
        height=300,
        folded=True,
    )
    ui.how_computed(ctx, reasons, by="source")


def render() -> None:
    """The page: its title, then each section in order (or where to load data first)."""
    ctx = ui.current()
    ui.page_title(ctx, "pages.quality")
    st.caption(ctx.t("quality.question"))
    if not ctx.has_leads:
        st.info(ctx.t("common.no_workspace"))
        st.stop()
    # a review callout's link: its lead list first
    ui.evidence_panel(ctx, "quality")
    headline(ctx)
    matrix_section(ctx)
    trend_section(ctx)
    source_section(ctx)
    lead_lists(ctx)
    reasons_section(ctx)


render()
