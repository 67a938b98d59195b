"""Funnel health (marketing): how many leads reach each stage, where they drop, by source
and by month, and how long each step takes."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from dashboard import safe, ui
from dashboard.charts import funnel as funnel_charts
from dashboard.i18n import fmt_int, fmt_money_short, fmt_number, fmt_pct

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
CHART_MONTHS = 36  # months the cohort heatmap shows at most (the latest)


def stage_name(ctx: ui.Context, stage: str) -> str:
    """A stage's label in the page's language."""
    return ctx.t(f"funnel.stage_{stage}")


def stage_flags(stage: str) -> tuple[str, ...]:
    """lead_list's selection flags for the leads that reached ``stage`` (none: every lead)."""
    flag = STAGE_FLAG.get(stage)
    return () if flag is None else (flag.removeprefix("is_"),)


def stage_words(ctx: ui.Context, *, first_digits: int = 2) -> funnel_charts.StageWords:
    """How this page's funnel charts write stages and figures (the share of all leads
    with ``first_digits`` decimals: small shares of the last stages need two)."""
    T = ctx.t
    return funnel_charts.StageWords(
        stage=lambda s: stage_name(ctx, s),
        count=lambda v: fmt_int(v, ctx.lang),
        rate=lambda v: fmt_pct(v, ctx.lang),
        rate_first=lambda v: fmt_pct(v, ctx.lang, first_digits),
        stage_title=T("funnel.stage"),
        count_title=T("common.count"),
        rate_title=T("funnel.rate_from_previous"),
        rate_first_title=T("funnel.rate_from_first"),
    )


def headline(ctx: ui.Context) -> None:
    """The overview's six figures."""
    overview = ui.metric(ctx, "overview")
    if not ui.usable(ctx, overview):
        return
    row = overview.frame.row(0, named=True)
    items = [
        ("common.leads", fmt_int(row["leads"], ctx.lang)),
        ("common.mqls", fmt_int(row["mqls"], ctx.lang)),
        ("common.handed_off", fmt_int(row["handed_off"], ctx.lang)),
        ("common.sqls", fmt_int(row["sqls"], ctx.lang)),
        ("common.won_deals", fmt_int(row["won_deals"], ctx.lang)),
        ("common.won_revenue", fmt_money_short(row["won_revenue"], ctx.currency, ctx.lang)),
    ]
    for col, (key, value) in zip(st.columns(6), items, strict=True):
        col.metric(ctx.t(key), value)
    if row["won_leads"] is not None and row["won_leads"] != row["won_deals"]:
        # the funnel's Won stage counts leads, the tile counts deals: say why they differ
        st.caption(
            ctx.t(
                "funnel.won_two_counts",
                deals=fmt_int(row["won_deals"], ctx.lang),
                leads=fmt_int(row["won_leads"], ctx.lang),
            )
        )
    ui.how_computed(ctx, overview)


def funnel_section(ctx: ui.Context) -> None:
    """The funnel's bars (click a stage for its leads), its velocity and its table."""
    T = ctx.t
    st.subheader(T("funnel.funnel_title"))
    funnel = ui.metric(ctx, "funnel")
    if not ui.usable(ctx, funnel):
        return
    words = stage_words(ctx)
    bars = funnel_charts.funnel_bars(
        funnel.frame,
        words,
        axis_title=T("funnel.leads_reaching"),
        of_previous=T("funnel.of_previous"),
        of_leads=T("funnel.of_leads"),
        pick=alt.selection_point(name="stage", fields=["stage"]),
    )
    clicked = ui.chart(ctx, bars, "funnel", key="funnel-chart", height=380, select=True)
    above = funnel.frame.filter(funnel.frame["rate_from_previous"] > 1)
    if above.height:
        # more leads at a stage than at the one before: they skipped it, not an error
        names = ", ".join(stage_name(ctx, s) for s in above["stage"].to_list())
        st.caption(T("funnel.skipped_stages", stages=names))
    st.caption(T("common.click_to_drill"))
    if clicked and clicked.get("stage"):
        stage = clicked["stage"]
        ui.leads_behind(
            ctx, stage_name(ctx, stage), ui.pick(*stage_flags(stage)), key="funnel-stage"
        )
    ui.how_computed(ctx, funnel)
    velocity(ctx, funnel.frame, words)
    funnel_table(ctx, funnel.frame)


def velocity(ctx: ui.Context, frame: pl.DataFrame, words: funnel_charts.StageWords) -> None:
    """The median days each stage takes from the previous one."""
    T = ctx.t
    st.subheader(T("funnel.velocity_title"))
    st.caption(T("funnel.velocity_caption"))
    chart = funnel_charts.velocity_bars(
        frame,
        words,
        days=lambda d: fmt_number(d, ctx.lang, 1),
        days_title=T("funnel.median_days"),
        timed_title=T("funnel.n_timed"),
    )
    ui.chart(ctx, chart, "stage-velocity", key="velocity-chart", height=300)


def funnel_table(ctx: ui.Context, frame: pl.DataFrame) -> None:
    """The funnel's rows as a table."""
    ui.table(
        ctx,
        frame.pipe(ui.with_text, ui.text_col("stage", lambda s: stage_name(ctx, s), "stage_name")),
        "funnel",
        key="funnel-table",
        metric="funnel",
        headers={
            "stage_name": "funnel.stage",
            "count": "common.count",
            "rate_from_previous": "funnel.rate_from_previous",
            "rate_from_first": "funnel.rate_from_first",
            "drop_off": "funnel.drop_off",
            "median_days_from_previous": "funnel.median_time",
            "n_timed": "funnel.n_timed",
        },
        folded=True,
    )


def by_source(ctx: ui.Context) -> None:
    """The stage × source heatmap (click a cell for its leads) and its table."""
    T = ctx.t
    st.subheader(T("funnel.by_source_title"))
    st.caption(T("funnel.by_source_caption"))
    shown = ui.metric(ctx, "funnel", by="source")
    if not ui.usable(ctx, shown):
        return
    heat = funnel_charts.source_heatmap(
        shown.frame,
        stage_words(ctx, first_digits=1),
        none_label=T("common.none_value"),
        source_title=T("common.source"),
        pick=alt.selection_point(name="cell", fields=["source", "stage"]),
    )
    clicked = ui.chart(ctx, heat, "funnel-by-source", key="source-heat", select=True)
    if clicked and clicked.get("source") and clicked.get("stage"):
        src, stage = clicked["source"], clicked["stage"]
        ui.leads_behind(
            ctx,
            f"{src} · {stage_name(ctx, stage)}",
            ui.pick(*stage_flags(stage), source=ui.source_value(ctx, src)),
            key="funnel-source",
        )
    ui.table(
        ctx,
        shown.frame.pipe(
            ui.with_text, ui.text_col("stage", lambda s: stage_name(ctx, s), "stage_name")
        ),
        "funnel-by-source",
        key="source-table",
        metric="funnel",
        headers={
            "dimension": "common.source",
            "stage_name": "funnel.stage",
            "count": "common.count",
            "rate_from_previous": "funnel.rate_from_previous",
            "rate_from_first": "funnel.rate_from_first",
        },
        height=300,
        folded=True,
    )
    ui.how_computed(ctx, shown, by="source")


def cohorts(ctx: ui.Context) -> None:
    """The stage × cohort month heatmap (the latest months) and the table of every month."""
    T = ctx.t
    st.subheader(T("funnel.cohort_title"))
    settings = ctx.facts.settings
    basis = T(
        "funnel.basis_mql" if settings.get("cohort_basis") == "mql" else "funnel.basis_created"
    )
    timezone = safe.md_text(settings.get("timezone") or "UTC")
    st.caption(T("funnel.cohort_caption", basis=basis, timezone=timezone))
    cohort = ui.metric(ctx, "funnel_cohort")
    if not ui.usable(ctx, cohort):
        return
    # The heatmap draws one row per month of the span: a single old lead (1970) among this
    # year's would stretch it over hundreds of months, unreadable and past Altair's
    # 5,000-row limit. It shows the latest months; the table below keeps every month.
    c = cohort.frame
    all_months = c["cohort_month"].unique().sort()
    if len(all_months) > CHART_MONTHS:
        c = c.filter(pl.col("cohort_month") >= all_months[-CHART_MONTHS])
        st.caption(T("funnel.cohort_latest", shown=CHART_MONTHS, total=len(all_months)))
    heat, n_months = funnel_charts.cohort_heatmap(
        c,
        stage_words(ctx, first_digits=1),
        month=lambda d: ui.month_label(ctx, d),
        month_title=T("common.month"),
        maturing=T("funnel.maturing"),
    )
    height = max(300, 28 * n_months)  # layout
    ui.chart(ctx, heat, "funnel-cohorts", key="cohort-heat", height=height)
    if c.filter(pl.col("stage_order") > 1)["is_maturing"].any():
        st.caption(T("funnel.maturing_note"))
    ui.table(
        ctx,
        cohort.frame.pipe(
            ui.with_text, ui.text_col("stage", lambda s: stage_name(ctx, s), "stage_name")
        ),
        "funnel-cohorts",
        key="cohort-table",
        metric="funnel_cohort",
        headers={
            "cohort_month": "common.month",
            "stage_name": "funnel.stage",
            "count": "common.count",
            "rate_from_first": "funnel.rate_from_first",
            "is_maturing": "funnel.is_maturing",
            "maturity_days": "funnel.maturity_days",
        },
        height=300,
        folded=True,
    )
    ui.how_computed(ctx, cohort)


def render() -> None:
    """The page: the headline, then each section in order."""
    ctx = ui.current()
    ui.page_title(ctx, "pages.funnel")
    st.caption(ctx.t("funnel.question"))
    if not ctx.has_leads:
        st.info(ctx.t("common.no_workspace"))
        return
    headline(ctx)
    funnel_section(ctx)
    by_source(ctx)
    cohorts(ctx)


render()
