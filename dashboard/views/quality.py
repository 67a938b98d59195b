"""Lead quality (marketing and sales together): how often the two teams agree on which leads
are good, where they disagree, and which side the won deals proved right."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import altair as alt
import polars as pl
import streamlit as st

from dashboard import charts, ui
from dashboard.i18n import fmt_int, fmt_money, fmt_money_short, fmt_number, fmt_pct

ctx = ui.current()
T = ctx.t

st.title(T("pages.quality"))
st.caption(T("quality.question"))
if not ctx.has_leads:
    st.info(T("common.no_workspace"))
    st.stop()

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
NONE = T("common.none_value")
SOURCE_COLOURS = charts.colour_scale([*ctx.facts.sources, NONE])

Keep = Callable[[pl.DataFrame], pl.DataFrame]


def marketing_label(verdict: str) -> str:
    """Marketing's verdict (``MQL`` / ``not MQL``) in the page's language."""
    return T("quality.mv_mql" if verdict == "MQL" else "quality.mv_not_mql")


def sales_label(verdict: str) -> str:
    """Sales's verdict (``accepted`` / ``rejected`` / ``never worked``) in the page's language."""
    return T(SALES_KEYS[verdict])


def outcome_label(outcome: str) -> str:
    """A lead's outcome (``won`` / ``open`` / ``lost`` / ``no deal``) in the page's language."""
    return T(OUTCOME_KEYS[outcome])


def kappa_reading(kappa: float | None) -> str:
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
            return T(f"quality.kappa_{key}")
    return T("quality.kappa_almost_perfect")


def money(v: float | None) -> str:
    """An amount in full, in the reporting currency."""
    return fmt_money(v, ctx.currency, ctx.lang)


def money_short(v: float | None) -> str:
    """An amount rounded for a headline or a label."""
    return fmt_money_short(v, ctx.currency, ctx.lang)


# this page's formatters write an empty value as "–", so they see empty values too
text_col = partial(ui.text_col, format_nulls=True)


def disagreeing() -> pl.Expr:
    """Leads on which marketing's and sales's verdicts contradict each other."""
    return pl.any_horizontal(
        (pl.col("marketing_verdict") == m) & (pl.col("sales_verdict") == s) for m, s in DISAGREE
    )


def datetime_column(label: str) -> st.column_config.DatetimeColumn:
    """A timestamp column written the way the page's language writes dates."""
    fmt = "DD/MM/YYYY HH:mm" if ctx.lang == "vi" else "YYYY-MM-DD HH:mm"
    return st.column_config.DatetimeColumn(label, format=fmt)


# ----------------------------------------------------------------------------- headline
overall = ui.metric(ctx, "disagreement")
if ui.usable(ctx, overall):
    row = overall.frame.row(0, named=True)
    kappa = row["cohens_kappa"]
    cols = st.columns(4)
    cols[0].metric(
        T("quality.agreement_rate"),
        fmt_pct(row["agreement_rate"], ctx.lang),
        delta=T("quality.of_judged", n=fmt_int(row["leads_judged"], ctx.lang)),
        delta_color="off",
        delta_arrow="off",
        help=T("quality.agreement_help"),
    )
    cols[1].metric(
        T("quality.kappa"),
        fmt_number(kappa, ctx.lang, 2),
        delta=kappa_reading(kappa),
        delta_color="off",
        delta_arrow="off",
        help=T("quality.kappa_help"),
    )
    cols[2].metric(
        T("quality.false_rejections"),
        fmt_int(row["false_rejections"], ctx.lang),
        delta=T("quality.won_after", amount=money_short(row["false_rejection_revenue"])),
        delta_color="off",
        delta_arrow="off",
        help=T("quality.false_rejections_help"),
    )
    cols[3].metric(
        T("quality.missed_leads"),
        fmt_int(row["missed_leads"], ctx.lang),
        delta=T("quality.won_anyway", amount=money_short(row["missed_revenue"])),
        delta_color="off",
        delta_arrow="off",
        help=T("quality.missed_leads_help"),
    )
    if kappa is not None:
        st.markdown(
            T(
                "quality.headline_sentence",
                rate=fmt_pct(row["agreement_rate"], ctx.lang),
                n=fmt_int(row["leads_judged"], ctx.lang),
                kappa=fmt_number(kappa, ctx.lang, 2),
                reading=kappa_reading(kappa).lower(),
                never=fmt_int(row["never_worked_mqls"], ctx.lang),
            )
        )
    ui.how_computed(ctx, overall)

# ----------------------------------------------------------------------------- matrix
st.subheader(T("quality.matrix_title"))
st.caption(T("quality.matrix_caption"))
matrix = ui.metric(ctx, "disagreement_matrix")
if ui.usable(ctx, matrix):
    m = matrix.frame
    # the six cells (outcomes added up) come from disagreement_cells, the table from the matrix
    cells = ui.metric(ctx, "disagreement_cells").frame.pipe(
        ui.with_text,
        text_col("marketing_verdict", marketing_label, "mv_label"),
        text_col("sales_verdict", sales_label, "sv_label"),
        text_col("leads", lambda v: fmt_int(v, ctx.lang), "leads_text"),
        text_col("share", lambda v: fmt_pct(v, ctx.lang), "share_text"),
        text_col("won_revenue", money, "revenue_text"),
        *(
            text_col(o.replace(" ", "_"), lambda v: fmt_int(v, ctx.lang), f"{o}_text")
            for o in OUTCOMES
        ),
        pl.any_horizontal(
            (pl.col("marketing_verdict") == mv) & (pl.col("sales_verdict") == sv)
            for mv, sv in DISAGREE
        )
        .fill_null(False)
        .alias("is_disagreement"),
    )
    cells = cells.pipe(
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
                [pl.lit(outcome_label(o) + " ") + pl.col(f"{o}_text") for o in pair],
                separator=" · ",
            ).alias(f"split_{i}")
            for i, pair in enumerate((OUTCOMES[:2], OUTCOMES[2:]))
        ),
        text_col(
            "won_revenue",
            lambda v: T("quality.revenue_cell", amount=money_short(v)),
            "revenue_label",
        ),
    )
    mv_order = [marketing_label(v) for v in MARKETING]
    sv_order = [sales_label(v) for v in SALES]
    dark = cells["leads"].max() or 1
    pick = alt.selection_point(name="cell", fields=["marketing_verdict", "sales_verdict"])
    x = alt.X(
        "sv_label:N",
        sort=sv_order,
        title=T("quality.sales_verdict"),
        axis=alt.Axis(labelAngle=0, orient="top"),
    )
    y = alt.Y("mv_label:N", sort=mv_order, title=T("quality.marketing_verdict"))
    tooltip = [
        alt.Tooltip("mv_label:N", title=T("quality.marketing_verdict")),
        alt.Tooltip("sv_label:N", title=T("quality.sales_verdict")),
        alt.Tooltip("leads_text:N", title=T("common.leads")),
        alt.Tooltip("share_text:N", title=T("quality.share_of_leads")),
        *(alt.Tooltip(f"{o}_text:N", title=outcome_label(o)) for o in OUTCOMES),
        alt.Tooltip("revenue_text:N", title=T("common.won_revenue")),
    ]
    base = alt.Chart(cells)
    heat = (
        base.mark_rect(strokeWidth=4)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "leads:Q",
                scale=alt.Scale(scheme=charts.HEATMAP_SCHEME, type="sqrt"),
                legend=alt.Legend(title=T("common.leads"), format="~s"),
            ),
            stroke=alt.condition(
                alt.datum.is_disagreement, alt.value(charts.BAD), alt.value("white")
            ),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.55)),
            tooltip=tooltip,
        )
        .add_params(pick)
    )
    ink = alt.condition(alt.datum.leads > 0.3 * dark, alt.value("white"), alt.value("black"))
    main = base.mark_text(fontSize=20, fontWeight="bold", dy=-30).encode(
        x=x, y=y, text="main_text:N", color=ink, tooltip=tooltip
    )
    # the outcome split on two short lines, so it fits a narrow cell in either language
    split = [
        base.mark_text(fontSize=12, dy=dy).encode(
            x=x, y=y, text=f"split_{i}:N", color=ink, tooltip=tooltip
        )
        for i, dy in enumerate((-4, 12))
    ]
    rev = base.mark_text(fontSize=13, dy=32).encode(
        x=x, y=y, text="revenue_label:N", color=ink, tooltip=tooltip
    )
    clicked = ui.chart(
        ctx,
        alt.layer(heat, main, *split, rev),
        "verdict-matrix",
        key="matrix-chart",
        height=320,
        select=True,
    )
    st.caption(T("quality.matrix_legend"))
    if clicked and clicked.get("marketing_verdict") and clicked.get("sales_verdict"):
        mv, sv = clicked["marketing_verdict"], clicked["sales_verdict"]
        ui.leads_behind(
            ctx,
            f"{marketing_label(mv)} × {sales_label(sv)}",
            lambda fr: fr.filter(
                (pl.col("marketing_verdict") == mv) & (pl.col("sales_verdict") == sv)
            ),
            key="matrix-cell",
        )
    ui.table(
        ctx,
        ui.select_text(
            m,
            ui.text_col("marketing_verdict", marketing_label, T("quality.marketing_verdict")),
            ui.text_col("sales_verdict", sales_label, T("quality.sales_verdict")),
            ui.text_col("outcome", lambda o: outcome_label(o).capitalize(), T("quality.outcome")),
            pl.col("leads").alias(T("common.leads")),
            pl.col("share").alias(T("quality.share_of_leads")),
            pl.col("won_revenue").alias(T("common.won_revenue")),
        ),
        "verdict-matrix",
        key="matrix-table",
        column_config={
            T("quality.share_of_leads"): st.column_config.NumberColumn(format="percent"),
        },
        height=300,
    )
    ui.how_computed(ctx, matrix)

# ----------------------------------------------------------------------------- over time
st.subheader(T("quality.trend_title"))
basis = T(
    "quality.basis_mql"
    if ctx.facts.settings.get("cohort_basis") == "mql"
    else "quality.basis_created"
)
st.caption(T("quality.trend_caption", basis=basis))
by_month = ui.metric(ctx, "disagreement", by="month")
if ui.usable(ctx, by_month):
    mo = (
        by_month.frame.filter(pl.col("dimension").is_not_null())
        .with_columns((pl.col("dimension") + "-01").str.to_date("%Y-%m-%d").alias("month_day"))
        .sort("month_day")
        .pipe(
            ui.with_text,
            text_col("month_day", lambda d: ui.month_label(ctx, d), "month"),
            text_col("agreement_rate", lambda v: fmt_pct(v, ctx.lang), "agreement_text"),
            text_col("cohens_kappa", lambda v: fmt_number(v, ctx.lang, 2), "kappa_text"),
            text_col("cohens_kappa", kappa_reading, "reading"),
            text_col("leads_judged", lambda v: fmt_int(v, ctx.lang), "judged_text"),
        )
    )
    months = mo["month"].to_list()
    series = {
        "agreement_rate": T("quality.agreement_rate"),
        "cohens_kappa": T("quality.kappa"),
    }
    long = mo.unpivot(
        index=["month", "agreement_text", "kappa_text", "reading", "judged_text"],
        on=list(series),
        variable_name="series",
        value_name="value",
    ).with_columns(pl.col("series").replace_strict(series).alias("series_label"))
    tooltip = [
        alt.Tooltip("month:N", title=T("common.month")),
        alt.Tooltip("agreement_text:N", title=T("quality.agreement_rate")),
        alt.Tooltip("kappa_text:N", title=T("quality.kappa")),
        alt.Tooltip("reading:N", title=T("quality.kappa_reading")),
        alt.Tooltip("judged_text:N", title=T("quality.leads_judged")),
    ]
    colour = alt.Color(
        "series_label:N",
        scale=alt.Scale(domain=list(series.values()), range=[charts.PRIMARY, charts.ACCENT]),
        legend=alt.Legend(title=None, orient="top"),
    )
    xm = alt.X("month:N", sort=months, title=None, axis=alt.Axis(labelAngle=-30))
    lines = (
        alt.Chart(long)
        .mark_line(point=alt.OverlayMarkDef(size=90), strokeWidth=3)
        .encode(
            x=xm,
            y=alt.Y(
                "value:Q",
                title=T("quality.trend_axis"),
                scale=alt.Scale(domain=[-0.2, 1]),
                # decimals written the language's way (0,6 in Vietnamese)
                axis=alt.Axis(
                    labelExpr="replace(format(datum.value, '.1f'), '.', ',')"
                    if ctx.lang == "vi"
                    else "format(datum.value, '.1f')"
                ),
            ),
            color=colour,
            strokeDash=alt.StrokeDash(
                "series_label:N",
                scale=alt.Scale(domain=list(series.values()), range=[[1, 0], [6, 3]]),
                legend=None,
            ),
            tooltip=tooltip,
        )
    )
    zero = alt.Chart(pl.DataFrame({"y": [0.0]})).mark_rule(color=charts.NEUTRAL).encode(y="y:Q")
    ui.chart(ctx, zero + lines, "agreement-by-month", key="trend-chart", height=340)
    ui.how_computed(ctx, by_month, by="month")

# ----------------------------------------------------------------------------- by source
st.subheader(T("quality.by_source_title"))
st.caption(T("quality.by_source_caption"))
by_source = ui.metric(ctx, "disagreement", by="source")
if ui.usable(ctx, by_source):
    s = by_source.frame.pipe(
        ui.with_text,
        pl.col("dimension").fill_null(NONE).alias("source"),
        text_col("agreement_rate", lambda v: fmt_pct(v, ctx.lang), "agreement_text"),
        text_col("cohens_kappa", lambda v: fmt_number(v, ctx.lang, 2), "kappa_text"),
        text_col("cohens_kappa", kappa_reading, "reading"),
        text_col("leads_judged", lambda v: fmt_int(v, ctx.lang), "judged_text"),
        text_col("mql_rejected", lambda v: fmt_int(v, ctx.lang), "mql_rejected_text"),
        text_col("non_mql_accepted", lambda v: fmt_int(v, ctx.lang), "non_mql_accepted_text"),
    ).sort("agreement_rate", descending=True, nulls_last=True)
    s = s.with_columns(
        (pl.col("agreement_text") + pl.lit(" · κ ") + pl.col("kappa_text")).alias("bar_text")
    )
    order = s["source"].to_list()
    pick = alt.selection_point(name="src", fields=["source"])
    bars = (
        alt.Chart(s)
        .mark_bar(cornerRadiusEnd=3)
        .encode(
            y=alt.Y("source:N", sort=order, title=None),
            x=alt.X(
                "agreement_rate:Q",
                title=T("quality.agreement_rate"),
                axis=alt.Axis(format="%", values=[0, 0.2, 0.4, 0.6, 0.8, 1.0]),
                scale=alt.Scale(domain=[0, 1.15]),
            ),
            color=alt.Color("source:N", scale=SOURCE_COLOURS, legend=None),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.45)),
            tooltip=[
                alt.Tooltip("source:N", title=T("common.source")),
                alt.Tooltip("agreement_text:N", title=T("quality.agreement_rate")),
                alt.Tooltip("kappa_text:N", title=T("quality.kappa")),
                alt.Tooltip("reading:N", title=T("quality.kappa_reading")),
                alt.Tooltip("judged_text:N", title=T("quality.leads_judged")),
                alt.Tooltip("mql_rejected_text:N", title=T("quality.mql_rejected")),
                alt.Tooltip("non_mql_accepted_text:N", title=T("quality.non_mql_accepted")),
            ],
        )
        .add_params(pick)
    )
    labels = (
        alt.Chart(s)
        .mark_text(align="left", dx=6, fontSize=15)
        .encode(y=alt.Y("source:N", sort=order), x="agreement_rate:Q", text="bar_text:N")
    )
    clicked = ui.chart(
        ctx,
        bars + labels,
        "agreement-by-source",
        key="source-chart",
        height=max(260, 38 * len(order)),
        select=True,
    )
    st.caption(T("quality.by_source_click"))
    if clicked and clicked.get("source"):
        src = clicked["source"]
        ui.leads_behind(
            ctx,
            T("quality.disagreements_of", source=src),
            lambda fr: fr.filter(ui.source_is(ctx, src) & disagreeing()),
            key="source-disagreements",
        )
    ui.table(
        ctx,
        s.select(
            pl.col("source").alias(T("common.source")),
            pl.col("leads_judged").alias(T("quality.leads_judged")),
            pl.col("agreement_rate").alias(T("quality.agreement_rate")),
            pl.col("cohens_kappa").alias(T("quality.kappa")),
            pl.col("reading").alias(T("quality.kappa_reading")),
            pl.col("agree_qualified").alias(T("quality.agree_qualified")),
            pl.col("agree_unqualified").alias(T("quality.agree_unqualified")),
            pl.col("mql_rejected").alias(T("quality.mql_rejected")),
            pl.col("non_mql_accepted").alias(T("quality.non_mql_accepted")),
            pl.col("never_worked_mqls").alias(T("quality.never_worked_mqls")),
            pl.col("false_rejections").alias(T("quality.false_rejections")),
            pl.col("false_rejection_revenue").alias(T("quality.false_rejection_revenue")),
            pl.col("missed_leads").alias(T("quality.missed_leads")),
            pl.col("missed_revenue").alias(T("quality.missed_revenue")),
        ),
        "agreement-by-source",
        key="source-table",
        column_config={
            T("quality.agreement_rate"): st.column_config.NumberColumn(format="percent"),
            T("quality.kappa"): st.column_config.NumberColumn(format="%.2f"),
        },
        height=300,
    )
    ui.how_computed(ctx, by_source, by="source")


# ----------------------------------------------------------------------------- lead lists
# the disagreement columns that count and price each lead list
TOTALS = {
    "false_rejections": ("false_rejections", "false_rejection_revenue"),
    "missed_leads": ("missed_leads", "missed_revenue"),
}


def lead_table(name: str, columns: dict[str, str], dates: tuple[str, ...], key: str) -> None:
    """A lead list metric as a table, with its total count and revenue above it."""
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
            amount=money(totals[revenue_col]),
        )
    )
    labels = {c: T(label) for c, label in columns.items()}
    config: dict[str, object] = {
        labels[c]: datetime_column(labels[c]) for c in dates if c in labels
    }
    config[labels["lead_id"]] = st.column_config.TextColumn(labels["lead_id"], pinned=True)
    if "days_rejected_to_won" in labels:
        config[labels["days_rejected_to_won"]] = st.column_config.NumberColumn(format="%.0f")
    ui.table(
        ctx,
        f.select(pl.col(c).alias(labels[c]) for c in columns if c in f.columns),
        name.replace("_", "-"),
        key=key,
        column_config=config,
        height=320,
    )
    ui.how_computed(ctx, shown)


st.subheader(T("quality.false_rejections_title"))
st.caption(T("quality.false_rejections_caption"))
lead_table(
    "false_rejections",
    {
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
    },
    ("rejected_at", "first_won_at"),
    key="false-rejections",
)

st.subheader(T("quality.missed_leads_title"))
st.caption(T("quality.missed_leads_caption"))
lead_table(
    "missed_leads",
    {
        "lead_id": "quality.col_lead",
        "source": "common.source",
        "campaign": "common.campaign",
        "owner": "common.owner",
        "lead_score": "quality.col_score",
        "created_at": "quality.col_created_at",
        "first_won_at": "quality.col_first_won_at",
        "won_revenue": "common.won_revenue",
    },
    ("created_at", "first_won_at"),
    key="missed-leads",
)

# ----------------------------------------------------------------------------- reasons
st.subheader(T("quality.reasons_title"))
st.caption(T("quality.reasons_caption"))
reasons = ui.metric(ctx, "rejection_reasons", by="source")
if ui.usable(ctx, reasons):
    NO_REASON = "(no reason given)"
    r = reasons.frame.pipe(
        ui.with_text,
        pl.col("dimension").fill_null(NONE).alias("source"),
        pl.when(pl.col("rejection_reason") == NO_REASON)
        .then(pl.lit(T("quality.no_reason")))
        .otherwise(pl.col("rejection_reason"))
        .alias("reason"),
        text_col("rejected", lambda v: fmt_int(v, ctx.lang), "rejected_text"),
        text_col("share", lambda v: fmt_pct(v, ctx.lang), "share_text"),
    )
    # reasons in order of how often they occur overall, so the stacks read alike
    reason_order = (
        r.unique("reason").sort(["reason_rejected", "reason"], descending=[True, False])
    )["reason"].to_list()
    src_order = (
        r.unique("source").sort(["dimension_rejected", "source"], descending=[True, False])
    )["source"].to_list()
    r = r.with_columns(
        pl.col("reason")
        .replace_strict({v: i for i, v in enumerate(reason_order)}, return_dtype=pl.Int32)
        .alias("reason_rank")
    )
    pick = alt.selection_point(name="reason", fields=["source", "rejection_reason"])
    stack = (
        alt.Chart(r)
        .mark_bar()
        .encode(
            y=alt.Y("source:N", sort=src_order, title=None),
            x=alt.X(
                "share:Q",
                stack="normalize",
                title=T("quality.share_of_rejections"),
                axis=alt.Axis(format="%"),
            ),
            color=alt.Color(
                "reason:N",
                sort=reason_order,
                scale=alt.Scale(domain=reason_order, range=list(charts.PALETTE)),
                legend=alt.Legend(title=T("quality.col_reason"), orient="right"),
            ),
            order=alt.Order("reason_rank:Q"),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.5)),
            tooltip=[
                alt.Tooltip("source:N", title=T("common.source")),
                alt.Tooltip("reason:N", title=T("quality.col_reason")),
                alt.Tooltip("rejected_text:N", title=T("quality.rejected_leads")),
                alt.Tooltip("share_text:N", title=T("quality.share_of_source_rejections")),
            ],
        )
        .add_params(pick)
    )
    clicked = ui.chart(
        ctx,
        stack,
        "rejection-reasons-by-source",
        key="reasons-chart",
        height=max(220, 34 * len(src_order)),
        select=True,
    )
    st.caption(T("common.click_to_drill"))
    if clicked and clicked.get("source") and clicked.get("rejection_reason"):
        src, reason = clicked["source"], clicked["rejection_reason"]
        cleaned = pl.col("rejection_reason").str.strip_chars()
        same_reason = (
            cleaned.is_null() | (cleaned == "") if reason == NO_REASON else cleaned == reason
        )
        ui.leads_behind(
            ctx,
            f"{src} · {T('quality.no_reason') if reason == NO_REASON else reason}",
            lambda fr: fr.filter(
                ui.source_is(ctx, src)
                & pl.col("is_rejected")
                & pl.col("is_handed_off")
                & same_reason
            ),
            key="reason-leads",
        )
    ui.table(
        ctx,
        r.select(
            pl.col("source").alias(T("common.source")),
            pl.col("rank").alias(T("quality.rank")),
            pl.col("reason").alias(T("quality.col_reason")),
            pl.col("rejected").alias(T("quality.rejected_leads")),
            pl.col("share").alias(T("quality.share_of_source_rejections")),
            pl.col("share_of_all").alias(T("quality.share_of_all_rejections")),
        ),
        "rejection-reasons-by-source",
        key="reasons-table",
        column_config={
            T("quality.share_of_source_rejections"): st.column_config.NumberColumn(
                format="percent"
            ),
            T("quality.share_of_all_rejections"): st.column_config.NumberColumn(format="percent"),
        },
        height=300,
    )
    ui.how_computed(ctx, reasons, by="source")
