"""Revenue by source (marketing): which lead sources bring customers and revenue, and, when
spend is loaded, what each source costs per lead, per customer and per đồng won."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import altair as alt
import polars as pl
import streamlit as st

from dashboard import charts, ui
from dashboard.i18n import NO_DECIMALS, fmt_int, fmt_money_short, fmt_pct

ctx = ui.current()
T = ctx.t

st.title(T("pages.revenue"))
st.caption(T("revenue.question"))
if not ctx.has_leads:
    st.info(T("common.no_workspace"))
    st.stop()

NO_SOURCE = "(no source)"  # how revenue_by_source names leads without a source
NONE = T("common.none_value")
SOURCE_COLOURS = charts.colour_scale([*ctx.facts.sources, NONE])
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


def money_short(v: float | None) -> str:
    """An amount rounded for a headline or a bar label."""
    return fmt_money_short(v, ctx.currency, ctx.lang)


# this page's formatters write an empty value as "–", so they see empty values too
text_col = partial(ui.text_col, format_nulls=True)


def won_leads_of(src: str) -> Callable[[pl.DataFrame], pl.DataFrame]:
    """A lead_list filter: the won leads of source ``src`` (shown as "(none)" when empty)."""
    return lambda fr: fr.filter(ui.source_is(ctx, src) & pl.col("is_won"))


def show_won_leads(src: str, key: str) -> None:
    """The won leads behind a clicked source."""
    ui.leads_behind(ctx, T("revenue.won_leads_of", source=src), won_leads_of(src), key=key)


def money_axis(title: str, top: float) -> alt.Axis:
    """An axis of amounts in the page's language and units (tỷ / triệu in Vietnamese)."""
    units = (
        (1e9, "tỷ" if ctx.lang == "vi" else "B"),
        (1e6, "tr" if ctx.lang == "vi" else "M"),
        (1e3, "nghìn" if ctx.lang == "vi" else "k"),
        (1, ""),
    )
    size, unit = next(((s, u) for s, u in units if top >= s), (1, ""))
    number = f"format(datum.value / {size:g}, '~r')"
    if ctx.lang == "vi":
        number = f"replace({number}, '.', ',')"
    return alt.Axis(title=title, labelExpr=f"{number} + ' {unit}'", tickCount=4)


def source_bars(
    frame: pl.DataFrame,
    value: str,
    text: str,
    title: str,
    *,
    money: bool,
    order: list[str],
    pick: alt.Parameter | None = None,
    room: float = 1.4,
) -> alt.LayerChart:
    """Horizontal bars of ``value`` per source in the sources' own colours, labelled.

    ``room`` is how far the axis runs past the longest bar, to leave space for its label.
    """
    top = frame[value].max() or 1
    bars = (
        alt.Chart(frame)
        .mark_bar(cornerRadiusEnd=3)
        .encode(
            y=alt.Y("source:N", sort=order, title=None),
            x=alt.X(
                f"{value}:Q",
                axis=money_axis(title, top)
                if money
                else alt.Axis(title=title, format="%", tickCount=4),
                scale=alt.Scale(domain=[0, top * room], nice=False),
            ),
            color=alt.Color("source:N", scale=SOURCE_COLOURS, legend=None),
            tooltip=TOOLTIP,
        )
    )
    if pick is not None:
        bars = bars.encode(opacity=alt.condition(pick, alt.value(1.0), alt.value(0.45))).add_params(
            pick
        )
    labels = (
        alt.Chart(frame)
        .mark_text(align="left", dx=6, fontSize=15)
        .encode(y=alt.Y("source:N", sort=order), x=f"{value}:Q", text=f"{text}:N")
    )
    return bars + labels


# ----------------------------------------------------------------------------- data
shown = ui.metric(ctx, "revenue_by_source")
if not ui.usable(ctx, shown):
    st.stop()

raw = shown.frame
spend_loaded = bool(ctx.facts.counts.get("spend"))
has_spend = spend_loaded and raw["spend"].is_not_null().any()
digits = 0 if ctx.currency in NO_DECIMALS else 2
f = raw.with_columns(
    pl.when(pl.col("source") == NO_SOURCE)
    .then(pl.lit(NONE))
    .otherwise(pl.col("source"))
    .alias("source"),
    *(pl.col(c).cast(pl.Float64).round(digits) for c in MONEY),
)
f = f.pipe(
    ui.with_text,
    text_col("leads", lambda v: fmt_int(v, ctx.lang), "leads_text"),
    text_col("mqls", lambda v: fmt_int(v, ctx.lang), "mqls_text"),
    text_col("won_leads", lambda v: fmt_int(v, ctx.lang), "won_leads_text"),
    text_col("won_deals", lambda v: fmt_int(v, ctx.lang), "won_deals_text"),
    text_col("won_revenue", money_short, "revenue_text"),
    text_col("win_rate", lambda v: fmt_pct(v, ctx.lang), "win_rate_text"),
    text_col("revenue_per_lead", money_short, "per_lead_text"),
    text_col("revenue_per_mql", money_short, "per_mql_text"),
    text_col("spend", money_short, "spend_text"),
    text_col("cac", money_short, "cac_text"),
    text_col("roi", lambda v: fmt_pct(v, ctx.lang, 0), "roi_text"),
)
TOOLTIP = [
    alt.Tooltip("source:N", title=T("common.source")),
    alt.Tooltip("leads_text:N", title=T("common.leads")),
    alt.Tooltip("mqls_text:N", title=T("common.mqls")),
    alt.Tooltip("won_leads_text:N", title=T("revenue.customers")),
    alt.Tooltip("won_deals_text:N", title=T("common.won_deals")),
    alt.Tooltip("revenue_text:N", title=T("common.won_revenue")),
    alt.Tooltip("win_rate_text:N", title=T("revenue.win_rate")),
    alt.Tooltip("per_lead_text:N", title=T("revenue.revenue_per_lead")),
    alt.Tooltip("per_mql_text:N", title=T("revenue.revenue_per_mql")),
    *(
        [
            alt.Tooltip("spend_text:N", title=T("revenue.spend")),
            alt.Tooltip("cac_text:N", title=T("revenue.cac")),
            alt.Tooltip("roi_text:N", title=T("revenue.roi")),
        ]
        if has_spend
        else []
    ),
]

# ----------------------------------------------------------------------------- headline
# the headline is revenue_total: the same definitions over all the leads at once
total = ui.metric(ctx, "revenue_total")
tot = total.frame.row(0, named=True)
items = [
    ("common.won_revenue", money_short(tot["won_revenue"])),
    ("revenue.win_rate", fmt_pct(tot["win_rate"], ctx.lang)),
    ("revenue.lead_win_rate", fmt_pct(tot["lead_win_rate"], ctx.lang)),
    ("revenue.revenue_per_lead", money_short(tot["revenue_per_lead"])),
]
if has_spend:
    items += [
        ("revenue.total_spend", money_short(tot["spend"])),
        ("revenue.roi", fmt_pct(tot["roi"], ctx.lang, 0)),
    ]
for col, (key, value) in zip(st.columns(len(items)), items, strict=True):
    col.metric(T(key), value, help=T(f"{key}_help") if key.startswith("revenue.") else None)
ui.how_computed(ctx, total)

# ----------------------------------------------------------------------------- revenue
st.subheader(T("revenue.revenue_title"))
st.caption(T("revenue.revenue_caption"))
order = f.sort("won_revenue", descending=True)["source"].to_list()
pick = alt.selection_point(name="src", fields=["source"])
clicked = ui.chart(
    ctx,
    source_bars(
        f,
        "won_revenue",
        "revenue_text",
        T("common.won_revenue"),
        money=True,
        order=order,
        pick=pick,
    ),
    "won-revenue-by-source",
    key="revenue-chart",
    height=max(280, 40 * len(order)),
    select=True,
)
st.caption(T("revenue.click_source"))
if clicked and clicked.get("source"):
    show_won_leads(clicked["source"], "revenue-source")

st.subheader(T("revenue.efficiency_title"))
st.caption(T("revenue.efficiency_caption"))
cols = st.columns(3)
for col, (value, text, label, is_money) in zip(
    cols,
    (
        ("revenue_per_lead", "per_lead_text", "revenue.revenue_per_lead", True),
        ("revenue_per_mql", "per_mql_text", "revenue.revenue_per_mql", True),
        ("win_rate", "win_rate_text", "revenue.win_rate", False),
    ),
    strict=True,
):
    with col:
        st.markdown(f"**{T(label)}**")
        part = f.filter(pl.col(value).is_not_null())
        ui.chart(
            ctx,
            source_bars(
                part,
                value,
                text,
                T(label),
                money=is_money,
                room=1.8,
                order=part.sort(value, descending=True)["source"].to_list(),
            ),
            f"{value.replace('_', '-')}-by-source",
            key=f"{value}-chart",
            height=max(260, 34 * len(order)),
        )

# ----------------------------------------------------------------------------- cost
st.subheader(T("revenue.cost_title"))
if not spend_loaded:
    with st.container(border=True):
        st.markdown(f"**{T('revenue.no_spend_title')}**")
        st.markdown(T("revenue.no_spend_body"))
        st.page_link("views/data.py", label=T("common.go_to_data"), icon=":material/database:")
elif not has_spend:
    st.info(T("revenue.spend_hidden", currency=ctx.currency))
else:
    st.caption(T("revenue.cost_caption"))
    r = f.filter(pl.col("roi").is_not_null())
    roi_order = r.sort("roi", descending=True)["source"].to_list()
    lo, hi = min(r["roi"].min() or 0, 0), max(r["roi"].max() or 0, 0)
    span = (hi - lo) or 1
    lo = lo - 0.05 * span if lo < 0 else 0
    roi_pick = alt.selection_point(name="roi_src", fields=["source"])
    roi_bars = (
        alt.Chart(r)
        .mark_bar(cornerRadiusEnd=3)
        .encode(
            y=alt.Y("source:N", sort=roi_order, title=None),
            x=alt.X(
                "roi:Q",
                title=T("revenue.roi_axis"),
                axis=alt.Axis(format="~%"),
                scale=alt.Scale(domain=[lo, hi + 0.3 * span], nice=False),
            ),
            color=alt.condition(alt.datum.roi < 0, alt.value(charts.BAD), alt.value(charts.GOOD)),
            opacity=alt.condition(roi_pick, alt.value(1.0), alt.value(0.45)),
            tooltip=TOOLTIP,
        )
        .add_params(roi_pick)
    )
    roi_text = (
        alt.Chart(r)
        .mark_text(align="left", dx=6, fontSize=15)
        .encode(y=alt.Y("source:N", sort=roi_order), x="roi:Q", text="roi_text:N")
    )
    zero = (
        alt.Chart(pl.DataFrame({"x": [0.0]}))
        .mark_rule(color="black", strokeWidth=2)
        .encode(x="x:Q")
    )
    clicked = ui.chart(
        ctx,
        roi_bars + roi_text + zero,
        "roi-by-source",
        key="roi-chart",
        height=max(280, 40 * len(roi_order)),
        select=True,
    )
    st.caption(T("revenue.roi_note"))
    if clicked and clicked.get("source"):
        show_won_leads(clicked["source"], "roi-source")
    ui.table(
        ctx,
        f.select(
            pl.col("source").alias(T("common.source")),
            pl.col("spend").alias(T("revenue.spend")),
            pl.col("cost_per_lead").alias(T("revenue.cost_per_lead")),
            pl.col("cost_per_mql").alias(T("revenue.cost_per_mql")),
            pl.col("cost_per_sql").alias(T("revenue.cost_per_sql")),
            pl.col("cac").alias(T("revenue.cac")),
            pl.col("roi").alias(T("revenue.roi")),
        ),
        "cost-by-source",
        key="cost-table",
        column_config={T("revenue.roi"): st.column_config.NumberColumn(format="percent")},
    )

# ----------------------------------------------------------------------------- table
st.subheader(T("revenue.table_title"))
st.caption(T("revenue.table_caption"))
ui.how_computed(ctx, shown)
names = {
    "source": "common.source",
    "leads": "common.leads",
    "mqls": "common.mqls",
    "sqls": "common.sqls",
    "closed_deals": "revenue.closed_deals",
    "won_deals": "common.won_deals",
    "won_leads": "revenue.customers",
    "won_revenue": "common.won_revenue",
    "win_rate": "revenue.win_rate",
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
keep = [c for c in names if has_spend or c not in SPEND_COLUMNS]
picked = ui.table(
    ctx,
    f.select(pl.col(c).alias(T(names[c])) for c in keep),
    "revenue-by-source",
    key="revenue-table",
    column_config={
        T("common.source"): st.column_config.TextColumn(T("common.source"), pinned=True),
        T("revenue.win_rate"): st.column_config.NumberColumn(format="percent"),
        T("revenue.roi"): st.column_config.NumberColumn(format="percent"),
    },
    select=True,
)
if picked:
    show_won_leads(picked[T("common.source")], "table-source")
