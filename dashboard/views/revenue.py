"""Revenue by source (marketing): which lead sources bring customers and revenue, and, when
spend is loaded, what each source costs per lead, per customer and per đồng won."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import altair as alt
import polars as pl
import streamlit as st

from dashboard import charts, ui
from dashboard.charts import revenue as revenue_charts
from dashboard.i18n import NO_DECIMALS, fmt_int, fmt_money_short, fmt_pct

NO_SOURCE = "(no source)"  # how revenue_by_source names leads without a source
MONEY = (
    "won_revenue",
    "avg_deal_size",
    "revenue_per_lead",
    "revenue_per_mql",
    "open_pipeline",
    "spend",
    "cost_per_lead",
    "cost_per_mql",
    "cost_per_sql",
    "cac",
)
SPEND_COLUMNS = ("spend", "cost_per_lead", "cost_per_mql", "cost_per_sql", "cac", "roi")
# the full table's columns and their headings
TABLE_COLUMNS = {
    "source": "common.source",
    "leads": "common.leads",
    "mqls": "common.mqls",
    "sqls": "common.sqls",
    # the win rate right after the closed deals it is computed on
    "won_deals": "common.won_deals",
    "closed_deals": "revenue.closed_deals",
    "win_rate": "revenue.win_rate",
    "won_leads": "revenue.customers",
    "won_revenue": "common.won_revenue",
    "avg_deal_size": "revenue.avg_deal_size",
    "revenue_per_lead": "revenue.revenue_per_lead",
    "revenue_per_mql": "revenue.revenue_per_mql",
    "open_pipeline": "revenue.open_pipeline",
    "spend": "revenue.spend",
    "cost_per_lead": "revenue.cost_per_lead",
    "cost_per_mql": "revenue.cost_per_mql",
    "cost_per_sql": "revenue.cost_per_sql",
    "cac": "revenue.cac",
    "roi": "revenue.roi",
}

# this page's formatters write an empty value as "–", so they see empty values too
TEXT_COL = partial(ui.text_col, format_nulls=True)


@dataclass(frozen=True)
class Sources:
    """The revenue_by_source rows as this page draws them, and what it knows about spend."""

    frame: pl.DataFrame  # one row per source, with display texts for the tooltips
    spend_loaded: bool  # a spend file is loaded
    has_spend: bool  # ... and the current filters keep spend figures
    tooltip: list[alt.Tooltip]
    colours: alt.Scale


def money_short(ctx: ui.Context, v: float | None) -> str:
    """An amount rounded for a headline or a bar label."""
    return fmt_money_short(v, ctx.currency, ctx.lang)


def won_leads_of(ctx: ui.Context, src: str) -> dict[str, Any]:
    """lead_list's selection: the won leads of source ``src`` (shown as "(none)" when empty)."""
    return ui.pick("won", source=ui.source_value(ctx, src))


def show_won_leads(ctx: ui.Context, src: str, key: str) -> None:
    """The won leads behind a clicked source."""
    label = ctx.t("revenue.won_leads_of", source=src)
    ui.leads_behind(ctx, label, won_leads_of(ctx, src), key=key)


def tooltip(ctx: ui.Context, has_spend: bool) -> list[alt.Tooltip]:
    """Every chart's tooltip: the source's figures (and its costs when spend is known)."""
    T = ctx.t
    spend = [
        alt.Tooltip("spend_text:N", title=T("revenue.spend")),
        alt.Tooltip("cac_text:N", title=T("revenue.cac")),
        alt.Tooltip("roi_text:N", title=T("revenue.roi")),
    ]
    return [
        alt.Tooltip("source:N", title=T("common.source")),
        alt.Tooltip("leads_text:N", title=T("common.leads")),
        alt.Tooltip("mqls_text:N", title=T("common.mqls")),
        alt.Tooltip("won_leads_text:N", title=T("revenue.customers")),
        alt.Tooltip("won_deals_text:N", title=T("common.won_deals")),
        alt.Tooltip("revenue_text:N", title=T("common.won_revenue")),
        alt.Tooltip("win_rate_text:N", title=T("revenue.win_rate")),
        alt.Tooltip("per_lead_text:N", title=T("revenue.revenue_per_lead")),
        alt.Tooltip("per_mql_text:N", title=T("revenue.revenue_per_mql")),
        *(spend if has_spend else []),
    ]


def rate_of(ctx: ui.Context, rate: float | None, n: int | None) -> str:
    """A win rate with the closed deals it is computed on: ``61.8% of 34``."""
    if rate is None:
        return "–"
    return ctx.t("revenue.rate_of_deals", rate=fmt_pct(rate, ctx.lang), n=fmt_int(n, ctx.lang))


def sources(ctx: ui.Context, raw: pl.DataFrame) -> Sources:
    """The revenue_by_source rows named and rounded for display, with their texts."""
    none = ctx.t("common.none_value")
    spend_loaded = bool(ctx.facts.counts.get("spend"))
    has_spend = spend_loaded and raw["spend"].is_not_null().any()
    digits = 0 if ctx.currency in NO_DECIMALS else 2
    money = partial(money_short, ctx)
    f = raw.with_columns(
        pl.when(pl.col("source") == NO_SOURCE)
        .then(pl.lit(none))
        .otherwise(pl.col("source"))
        .alias("source"),
        *(pl.col(c).cast(pl.Float64).round(digits) for c in MONEY),
    ).pipe(
        ui.with_text,
        TEXT_COL("leads", lambda v: fmt_int(v, ctx.lang), "leads_text"),
        TEXT_COL("mqls", lambda v: fmt_int(v, ctx.lang), "mqls_text"),
        TEXT_COL("won_leads", lambda v: fmt_int(v, ctx.lang), "won_leads_text"),
        TEXT_COL("won_deals", lambda v: fmt_int(v, ctx.lang), "won_deals_text"),
        TEXT_COL("won_revenue", money, "revenue_text"),
        TEXT_COL("win_rate", lambda v: fmt_pct(v, ctx.lang), "win_rate_text"),
        # a rate beside the number of deals it is computed on (61.8% of 34 deals)
        TEXT_COL(("win_rate", "closed_deals"), partial(rate_of, ctx), "win_rate_of"),
        TEXT_COL("revenue_per_lead", money, "per_lead_text"),
        TEXT_COL("revenue_per_mql", money, "per_mql_text"),
        TEXT_COL("spend", money, "spend_text"),
        TEXT_COL("cac", money, "cac_text"),
        TEXT_COL("roi", lambda v: fmt_pct(v, ctx.lang, 0), "roi_text"),
    )
    colours = charts.colour_scale([*ctx.facts.sources, none])
    return Sources(f, spend_loaded, has_spend, tooltip(ctx, has_spend), colours)


def headline(ctx: ui.Context, has_spend: bool) -> None:
    """The headline figures: revenue_total, the same definitions over all the leads."""
    total = ui.metric(ctx, "revenue_total")
    tot = total.frame.row(0, named=True)
    items = [
        ("common.won_revenue", money_short(ctx, tot["won_revenue"])),
        ("revenue.win_rate", fmt_pct(tot["win_rate"], ctx.lang)),
        ("revenue.lead_win_rate", fmt_pct(tot["lead_win_rate"], ctx.lang)),
        ("revenue.revenue_per_lead", money_short(ctx, tot["revenue_per_lead"])),
    ]
    if has_spend:
        items += [
            ("revenue.total_spend", money_short(ctx, tot["spend"])),
            ("revenue.roi", fmt_pct(tot["roi"], ctx.lang, 0)),
        ]
    for col, (key, value) in zip(st.columns(len(items)), items, strict=True):
        help_text = ctx.t(f"{key}_help") if key.startswith("revenue.") else None
        col.metric(ctx.t(key), value, help=help_text)
    ui.how_computed(ctx, total)


def revenue_chart(ctx: ui.Context, s: Sources) -> None:
    """Won revenue per source; a click lists the source's won leads."""
    T = ctx.t
    st.subheader(T("revenue.revenue_title"))
    st.caption(T("revenue.revenue_caption"))
    f = s.frame
    order = f.sort("won_revenue", descending=True)["source"].to_list()
    chart = revenue_charts.source_bars(
        f,
        "won_revenue",
        label=partial(money_short, ctx),
        axis=lambda top: revenue_charts.money_axis(T("common.won_revenue"), top, ctx.lang),
        colours=s.colours,
        order=order,
        tooltip=s.tooltip,
        pick=alt.selection_point(name="src", fields=["source"]),
    )
    clicked = ui.chart(
        ctx,
        chart,
        "won-revenue-by-source",
        key="revenue-chart",
        height=max(280, 40 * len(order)),
        select=True,
    )
    st.caption(T("revenue.click_source"))
    if clicked and clicked.get("source"):
        show_won_leads(ctx, clicked["source"], "revenue-source")


def efficiency(ctx: ui.Context, s: Sources) -> None:
    """Revenue per lead, per MQL and the win rate per source, side by side."""
    T = ctx.t
    st.subheader(T("revenue.efficiency_title"))
    st.caption(T("revenue.efficiency_caption"))
    money = partial(money_short, ctx)
    shown = (
        ("revenue_per_lead", money, "revenue.revenue_per_lead", True),
        ("revenue_per_mql", money, "revenue.revenue_per_mql", True),
        ("win_rate", lambda v: fmt_pct(v, ctx.lang), "revenue.win_rate", False),
    )
    texts = {"win_rate": "win_rate_of"}
    for col, (value, label, title, is_money) in zip(st.columns(3), shown, strict=True):
        with col:
            name = T(title)
            st.markdown(f"**{name}**")
            part = s.frame.filter(pl.col(value).is_not_null())
            chart = revenue_charts.source_bars(
                part,
                value,
                label=label,
                axis=(
                    partial(revenue_charts.money_axis, name, lang=ctx.lang)
                    if is_money
                    else lambda _top: revenue_charts.share_axis(name)  # noqa: B023 (called at once)
                ),
                colours=s.colours,
                order=part.sort(value, descending=True)["source"].to_list(),
                tooltip=s.tooltip,
                room=2.4 if value in texts else 1.8,
                label_column=texts.get(value),
            )
            ui.chart(
                ctx,
                chart,
                f"{value.replace('_', '-')}-by-source",
                key=f"{value}-chart",
                height=max(260, 34 * s.frame.height),
            )
    st.caption(T("revenue.win_rate_n"))


def cost(ctx: ui.Context, s: Sources) -> None:
    """ROI per source and the costs table, or what to load for them."""
    T = ctx.t
    st.subheader(T("revenue.cost_title"))
    if not s.spend_loaded:
        with st.container(border=True):
            st.markdown(f"**{T('revenue.no_spend_title')}**")
            st.markdown(T("revenue.no_spend_body"))
            st.page_link("views/data.py", label=T("common.go_to_data"), icon=":material/database:")
        return
    if not s.has_spend:
        st.info(T("revenue.spend_hidden", currency=ctx.currency))
        return
    st.caption(T("revenue.cost_caption"))
    f = s.frame
    chart = revenue_charts.roi_bars(
        f,
        label=lambda v: fmt_pct(v, ctx.lang, 0),
        axis_title=T("revenue.roi_axis"),
        tooltip=s.tooltip,
        pick=alt.selection_point(name="roi_src", fields=["source"]),
    )
    bars = f.filter(pl.col("roi").is_not_null()).height
    clicked = ui.chart(
        ctx, chart, "roi-by-source", key="roi-chart", height=max(280, 40 * bars), select=True
    )
    st.caption(T("revenue.roi_note"))
    if clicked and clicked.get("source"):
        show_won_leads(ctx, clicked["source"], "roi-source")
    ui.table(
        ctx,
        f,
        "cost-by-source",
        key="cost-table",
        metric="revenue_by_source",
        headers={
            "source": "common.source",
            "spend": "revenue.spend",
            "cost_per_lead": "revenue.cost_per_lead",
            "cost_per_mql": "revenue.cost_per_mql",
            "cost_per_sql": "revenue.cost_per_sql",
            "cac": "revenue.cac",
            "roi": "revenue.roi",
        },
        # ROI reads as a percentage (1.5 = 150 % returned over the spend)
        units={"roi": "share"},
        folded=True,
    )


def full_table(ctx: ui.Context, shown: ui.Shown, s: Sources) -> None:
    """Every figure of every source; picking a row lists the source's won leads."""
    T = ctx.t
    st.subheader(T("revenue.table_title"))
    st.caption(T("revenue.table_caption"))
    ui.how_computed(ctx, shown)
    keep = [c for c in TABLE_COLUMNS if s.has_spend or c not in SPEND_COLUMNS]
    picked = ui.table(
        ctx,
        s.frame,
        "revenue-by-source",
        key="revenue-table",
        metric="revenue_by_source",
        headers={c: TABLE_COLUMNS[c] for c in keep},
        units={"roi": "share"},
        column_config={T("common.source"): st.column_config.TextColumn(pinned=True)},
        select=True,
    )
    if picked:
        show_won_leads(ctx, picked["source"], "table-source")


def render() -> None:
    """The page: the headline, then each section in order."""
    ctx = ui.current()
    ui.page_title(ctx, "pages.revenue")
    st.caption(ctx.t("revenue.question"))
    if not ctx.has_leads:
        st.info(ctx.t("common.no_workspace"))
        return
    shown = ui.metric(ctx, "revenue_by_source")
    if not ui.usable(ctx, shown):
        return
    s = sources(ctx, shown.frame)
    headline(ctx, s.has_spend)
    revenue_chart(ctx, s)
    efficiency(ctx, s)
    cost(ctx, s)
    full_table(ctx, shown, s)


render()
