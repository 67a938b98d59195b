"""The report's revenue-by-source section: the page's revenue bars, drawn static, and the
revenue and cost tables."""

from __future__ import annotations

import altair as alt
import polars as pl

from dashboard import charts
from dashboard.charts import revenue as revenue_charts
from dashboard.i18n import fmt_pct
from dashboard.report.base import (
    CHART_WIDTH,
    Col,
    Report,
    amount_axis,
    esc,
    html_table,
    section_html,
)


def _every_source(r: Report) -> list[str]:
    """Every source of the workspace, so each keeps the colour it has on the pages."""
    rows = r.con.execute(
        "select distinct cast(source as varchar) as v from leads where source is not null "
        "order by v"
    ).fetchall()
    return [v[0] for v in rows]


def _axis(r: Report, top: float) -> alt.Axis:
    """The amounts axis, in millions or billions when the amounts are that large."""
    size, title = amount_axis(r, top)
    return revenue_charts.scaled_axis(title, size)


def _chart(r: Report, frame: pl.DataFrame) -> str:
    """Won revenue per source, as on the Revenue page, at the report's width."""
    every = _every_source(r)
    domain = [*every, *(s for s in frame["source"] if s not in every)]
    order = frame.sort("won_revenue", descending=True, maintain_order=True)["source"]
    chart = revenue_charts.source_bars(
        frame,
        "won_revenue",
        label=r.money_short,
        axis=lambda top: _axis(r, top),
        colours=charts.colour_scale(domain),
        order=order.to_list(),
        room=1.3,
        label_size=14,
        width=CHART_WIDTH - 60,
        title=r.t("revenue_chart_title"),
    )
    return r.svg(chart, height=max(150, 24 * frame.height))


def _revenue_table(r: Report, rows: list[dict]) -> str:
    """Each source's leads, deals, win rate and revenue."""
    return html_table(
        [
            Col(r.t("col_source"), lambda x: x["source"], numeric=False),
            Col(r.t("col_leads"), lambda x: r.n(x["leads"])),
            Col(r.t("col_mqls"), lambda x: r.n(x["mqls"])),
            Col(r.t("col_sqls"), lambda x: r.n(x["sqls"])),
            Col(r.t("col_won_deals"), lambda x: r.n(x["won_deals"])),
            Col(r.t("col_win_rate"), lambda x: r.pct(x["win_rate"])),
            Col(r.t("col_won_revenue"), lambda x: r.money(x["won_revenue"])),
            Col(r.t("col_avg_deal"), lambda x: r.money(x["avg_deal_size"])),
            Col(r.t("col_revenue_per_lead"), lambda x: r.money(x["revenue_per_lead"])),
        ],
        rows,
        css="keep compact",
    )


def _cost_block(r: Report, rows: list[dict]) -> str:
    """Each source's spend and costs, or a note that no spend is loaded."""
    if not any(x.get("spend") is not None for x in rows):
        return f'<p class="note">{esc(r.t("no_spend"))}</p>'
    cost = html_table(
        [
            Col(r.t("col_source"), lambda x: x["source"], numeric=False),
            Col(r.t("col_spend"), lambda x: r.money(x["spend"])),
            Col(r.t("col_cost_per_lead"), lambda x: r.money(x["cost_per_lead"])),
            Col(r.t("col_cost_per_mql"), lambda x: r.money(x["cost_per_mql"])),
            Col(r.t("col_cost_per_sql"), lambda x: r.money(x["cost_per_sql"])),
            Col(r.t("col_cac"), lambda x: r.money(x["cac"])),
            Col(r.t("col_roi"), lambda x: fmt_pct(x["roi"], r.lang, 0)),
        ],
        rows,
        css="compact",
    )
    return (
        f'<div class="block"><h3>{esc(r.t("cost_title"))}</h3>{cost}'
        f'<p class="note">{esc(r.t("cost_note"))}</p></div>'
    )


def revenue_section(r: Report, number: int) -> str:
    """The revenue section: its chart, revenue and cost tables, or what the workspace lacks."""
    shown = r.metric("revenue_by_source")
    lead = r.t("revenue_lead")
    missing = r.guidance(shown)
    if missing:
        return section_html("revenue", number, r.t("revenue_title"), lead, missing)
    assert shown.frame is not None
    rows = shown.frame.to_dicts()
    body = _chart(r, shown.frame) + _revenue_table(r, rows) + _cost_block(r, rows)
    return section_html("revenue", number, r.t("revenue_title"), lead, body)
