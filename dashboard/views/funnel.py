"""Funnel health (marketing): how many leads reach each stage, where they drop, by source
and by month, and how long each step takes."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from dashboard import charts, safe, ui
from dashboard.i18n import fmt_int, fmt_money_short, fmt_number, fmt_pct

ctx = ui.current()
T = ctx.t

st.title(T("pages.funnel"))
st.caption(T("funnel.question"))
if not ctx.has_leads:
    st.info(T("common.no_workspace"))
    st.stop()

# flag in lead_list that says a lead reached each funnel stage
STAGE_FLAG = {
    "lead": None,
    "mql": "is_mql",
    "handed_off": "is_handed_off",
    "accepted": "is_accepted",
    "sql": "is_sql",
    "opportunity": "is_opportunity",
    "won": "is_won",
}


def stage_name(stage: str) -> str:
    """A stage's label in the page's language."""
    return T(f"funnel.stage_{stage}")


def keep_stage(stage: str):
    flag = STAGE_FLAG.get(stage)
    return (lambda f: f) if flag is None else (lambda f: f.filter(pl.col(flag)))


# ----------------------------------------------------------------------------- headline
overview = ui.metric(ctx, "overview")
if ui.usable(ctx, overview):
    row = overview.frame.row(0, named=True)
    cols = st.columns(6)
    items = [
        ("common.leads", fmt_int(row["leads"], ctx.lang)),
        ("common.mqls", fmt_int(row["mqls"], ctx.lang)),
        ("common.handed_off", fmt_int(row["handed_off"], ctx.lang)),
        ("common.sqls", fmt_int(row["sqls"], ctx.lang)),
        ("common.won_deals", fmt_int(row["won_deals"], ctx.lang)),
        ("common.won_revenue", fmt_money_short(row["won_revenue"], ctx.currency, ctx.lang)),
    ]
    for col, (key, value) in zip(cols, items, strict=True):
        col.metric(T(key), value)
    ui.how_computed(ctx, overview)

# ----------------------------------------------------------------------------- funnel
st.subheader(T("funnel.funnel_title"))
funnel = ui.metric(ctx, "funnel")
if ui.usable(ctx, funnel):
    f = funnel.frame.pipe(
        ui.with_text,
        ui.text_col("stage", stage_name, "label"),
        ui.text_col("count", lambda v: fmt_int(v, ctx.lang), "count_text"),
        ui.text_col("rate_from_previous", lambda v: fmt_pct(v, ctx.lang), "prev_text"),
        ui.text_col("rate_from_first", lambda v: fmt_pct(v, ctx.lang, 2), "first_text"),
    )
    f = f.with_columns(
        pl.when(pl.col("stage_order") == 1)
        .then(pl.col("count_text"))
        .otherwise(
            pl.col("count_text")
            + pl.lit(" · ")
            + pl.col("prev_text")
            + pl.lit(T("funnel.of_previous"))
            + pl.lit(" · ")
            + pl.col("first_text")
            + pl.lit(T("funnel.of_leads"))
        )
        .alias("bar_text")
    )
    order = f["label"].to_list()
    tooltip = [
        alt.Tooltip("label:N", title=T("funnel.stage")),
        alt.Tooltip("count_text:N", title=T("common.count")),
        alt.Tooltip("prev_text:N", title=T("funnel.rate_from_previous")),
        alt.Tooltip("first_text:N", title=T("funnel.rate_from_first")),
    ]
    pick = alt.selection_point(name="stage", fields=["stage"])
    bars = (
        alt.Chart(f)
        .mark_bar(color=charts.PRIMARY, cornerRadiusEnd=3)
        .encode(
            y=alt.Y("label:N", sort=order, title=None),
            # widths are the counts themselves: a funnel drawn with equal steps would hide
            # where leads are actually lost
            x=alt.X("count:Q", title=T("funnel.leads_reaching"), axis=alt.Axis(format="~s")),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.45)),
            tooltip=tooltip,
        )
        .add_params(pick)
    )
    text = (
        alt.Chart(f)
        .mark_text(align="left", dx=6, fontSize=15)
        .encode(y=alt.Y("label:N", sort=order), x="count:Q", text="bar_text:N")
    )
    clicked = ui.chart(ctx, bars + text, "funnel", key="funnel-chart", height=380, select=True)
    st.caption(T("common.click_to_drill"))
    if clicked and clicked.get("stage"):
        stage = clicked["stage"]
        ui.leads_behind(ctx, stage_name(stage), keep_stage(stage), key="funnel-stage")
    ui.how_computed(ctx, funnel)

    st.subheader(T("funnel.velocity_title"))
    st.caption(T("funnel.velocity_caption"))
    v = f.filter(pl.col("stage_order") > 1).pipe(
        ui.with_text,
        ui.text_col("median_days_from_previous", lambda d: fmt_number(d, ctx.lang, 1), "days_text"),
    )
    velocity = (
        alt.Chart(v)
        .mark_bar(color=charts.ACCENT)
        .encode(
            y=alt.Y("label:N", sort=order, title=None),
            x=alt.X("median_days_from_previous:Q", title=T("funnel.median_days")),
            tooltip=[
                alt.Tooltip("label:N", title=T("funnel.stage")),
                alt.Tooltip("days_text:N", title=T("funnel.median_days")),
                alt.Tooltip("n_timed:Q", title=T("funnel.n_timed")),
            ],
        )
    )
    vtext = (
        alt.Chart(v)
        .mark_text(align="left", dx=6, fontSize=15)
        .encode(y=alt.Y("label:N", sort=order), x="median_days_from_previous:Q", text="days_text:N")
    )
    ui.chart(ctx, velocity + vtext, "stage-velocity", key="velocity-chart", height=300)
    ui.table(
        ctx,
        f.select(
            pl.col("label").alias(T("funnel.stage")),
            pl.col("count").alias(T("common.count")),
            pl.col("rate_from_previous").alias(T("funnel.rate_from_previous")),
            pl.col("rate_from_first").alias(T("funnel.rate_from_first")),
            pl.col("drop_off").alias(T("funnel.drop_off")),
            pl.col("median_days_from_previous").alias(T("funnel.median_days")),
        ),
        "funnel",
        key="funnel-table",
        column_config={
            T("funnel.rate_from_previous"): st.column_config.NumberColumn(format="percent"),
            T("funnel.rate_from_first"): st.column_config.NumberColumn(format="percent"),
            T("funnel.median_days"): st.column_config.NumberColumn(format="%.1f"),
        },
    )

# ----------------------------------------------------------------------------- by source
st.subheader(T("funnel.by_source_title"))
st.caption(T("funnel.by_source_caption"))
by_source = ui.metric(ctx, "funnel", by="source")
if ui.usable(ctx, by_source):
    s = by_source.frame.pipe(
        ui.with_text,
        pl.col("dimension").fill_null(T("common.none_value")).alias("source"),
        ui.text_col("stage", stage_name, "label"),
        ui.text_col("rate_from_first", lambda v: fmt_pct(v, ctx.lang), "first_text"),
        ui.text_col("count", lambda v: fmt_int(v, ctx.lang), "count_text"),
    ).filter(pl.col("stage_order") > 1)
    stage_order = [stage_name(x) for x in STAGE_FLAG if x != "lead"]
    pick = alt.selection_point(name="cell", fields=["source", "stage"])
    heat = (
        alt.Chart(s)
        .mark_rect()
        .encode(
            x=alt.X("label:N", sort=stage_order, title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("source:N", title=None),
            color=alt.Color(
                "rate_from_first:Q",
                scale=alt.Scale(scheme=charts.HEATMAP_SCHEME, type="sqrt"),
                legend=alt.Legend(format="%", title=T("funnel.rate_from_first")),
            ),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.6)),
            tooltip=[
                alt.Tooltip("source:N", title=T("common.source")),
                alt.Tooltip("label:N", title=T("funnel.stage")),
                alt.Tooltip("count_text:N", title=T("common.count")),
                alt.Tooltip("first_text:N", title=T("funnel.rate_from_first")),
            ],
        )
        .add_params(pick)
    )
    labels = (
        alt.Chart(s)
        .mark_text(fontSize=14)
        .encode(
            x=alt.X("label:N", sort=stage_order),
            y="source:N",
            text="first_text:N",
            color=alt.condition(
                alt.datum.rate_from_first > 0.15, alt.value("white"), alt.value("black")
            ),
        )
    )
    clicked = ui.chart(ctx, heat + labels, "funnel-by-source", key="source-heat", select=True)
    if clicked and clicked.get("source") and clicked.get("stage"):
        src, stage = clicked["source"], clicked["stage"]
        keep = keep_stage(stage)
        ui.leads_behind(
            ctx,
            f"{src} · {stage_name(stage)}",
            lambda fr: keep(fr.filter(ui.source_is(ctx, src))),
            key="funnel-source",
        )
    ui.table(
        ctx,
        ui.select_text(
            by_source.frame,
            pl.col("dimension").alias(T("common.source")),
            ui.text_col("stage", stage_name, T("funnel.stage")),
            pl.col("count").alias(T("common.count")),
            pl.col("rate_from_previous").alias(T("funnel.rate_from_previous")),
            pl.col("rate_from_first").alias(T("funnel.rate_from_first")),
        ),
        "funnel-by-source",
        key="source-table",
        column_config={
            T("funnel.rate_from_previous"): st.column_config.NumberColumn(format="percent"),
            T("funnel.rate_from_first"): st.column_config.NumberColumn(format="percent"),
        },
        height=300,
    )
    ui.how_computed(ctx, by_source, by="source")

# ----------------------------------------------------------------------------- cohorts
CHART_MONTHS = 36  # months the cohort heatmap shows at most (the latest)
st.subheader(T("funnel.cohort_title"))
basis = (
    T("funnel.basis_mql")
    if ctx.facts.settings.get("cohort_basis") == "mql"
    else T("funnel.basis_created")
)
st.caption(
    T(
        "funnel.cohort_caption",
        basis=basis,
        timezone=safe.md_text(ctx.facts.settings.get("timezone") or "UTC"),
    )
)
cohort = ui.metric(ctx, "funnel_cohort")
if ui.usable(ctx, cohort):
    c = cohort.frame.filter(pl.col("stage_order") > 1).pipe(
        ui.with_text,
        ui.text_col("cohort_month", lambda d: ui.month_label(ctx, d), "month"),
        ui.text_col("stage", stage_name, "label"),
        ui.text_col("rate_from_first", lambda v: fmt_pct(v, ctx.lang), "first_text"),
        ui.text_col("count", lambda v: fmt_int(v, ctx.lang), "count_text"),
        pl.when(pl.col("is_maturing"))
        .then(pl.lit(T("funnel.maturing")))
        .otherwise(pl.lit(""))
        .alias("maturing_text"),
    )
    # The heatmap draws one row per month of the span: a single old lead (1970) among this
    # year's would stretch it over hundreds of months, unreadable and past Altair's
    # 5,000-row limit. It shows the latest months; the table below keeps every month.
    all_months = c["cohort_month"].unique().sort()
    if len(all_months) > CHART_MONTHS:
        c = c.filter(pl.col("cohort_month") >= all_months[-CHART_MONTHS])
        st.caption(T("funnel.cohort_latest", shown=CHART_MONTHS, total=len(all_months)))
    months = c.sort("cohort_month")["month"].unique(maintain_order=True).to_list()
    stage_order = [stage_name(x) for x in STAGE_FLAG if x != "lead"]
    heat = (
        alt.Chart(c)
        .mark_rect()
        .encode(
            x=alt.X("label:N", sort=stage_order, title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("month:N", sort=months, title=None),
            color=alt.Color(
                "rate_from_first:Q",
                scale=alt.Scale(scheme=charts.HEATMAP_SCHEME, type="sqrt"),
                legend=alt.Legend(format="%", title=T("funnel.rate_from_first")),
            ),
            opacity=alt.condition(alt.datum.is_maturing, alt.value(0.45), alt.value(1.0)),
            tooltip=[
                alt.Tooltip("month:N", title=T("common.month")),
                alt.Tooltip("label:N", title=T("funnel.stage")),
                alt.Tooltip("count_text:N", title=T("common.count")),
                alt.Tooltip("first_text:N", title=T("funnel.rate_from_first")),
                alt.Tooltip("maturing_text:N", title=" "),
            ],
        )
    )
    labels = (
        alt.Chart(c)
        .mark_text(fontSize=13)
        .encode(
            x=alt.X("label:N", sort=stage_order),
            y=alt.Y("month:N", sort=months),
            text="first_text:N",
            color=alt.condition(
                alt.datum.rate_from_first > 0.15, alt.value("white"), alt.value("black")
            ),
        )
    )
    ui.chart(
        ctx, heat + labels, "funnel-cohorts", key="cohort-heat", height=max(300, 28 * len(months))
    )
    if c["is_maturing"].any():
        st.caption(T("funnel.maturing_note"))
    ui.table(
        ctx,
        cohort.frame,
        "funnel-cohorts",
        key="cohort-table",
        column_config={"rate_from_first": st.column_config.NumberColumn(format="percent")},
        height=300,
    )
    ui.how_computed(ctx, cohort)
