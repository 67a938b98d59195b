"""The report's revenue-by-source section."""

from __future__ import annotations

import altair as alt
import polars as pl

from dashboard import charts
from dashboard.i18n import (
    fmt_pct,
)
from dashboard.report.base import (
    CHART_WIDTH,
    Col,
    Report,
    amount_axis,
    esc,
    html_table,
    section_html,
)


def revenue_section(r: Report, number: int) -> str:
    shown = r.metric("revenue_by_source")
    lead = r.t("revenue_lead")
    missing = r.guidance(shown)
    if missing:
        return section_html("revenue", number, r.t("revenue_title"), lead, missing)
    assert shown.frame is not None
    rows = shown.frame.to_dicts()
    every_source = [
        v[0]
        for v in r.con.execute(
            "select distinct cast(source as varchar) as v from leads where source is not null "
            "order by v"
        ).fetchall()
    ]
    largest = max((float(x["won_revenue"] or 0) for x in rows), default=0.0)
    divisor, axis_title = amount_axis(r, largest)
    data = pl.DataFrame(
        {
            "source": [x["source"] for x in rows],
            "revenue": [float(x["won_revenue"] or 0) / divisor for x in rows],
            "text": [r.money_short(x["won_revenue"]) for x in rows],
        }
    )
    order = data.sort("revenue", descending=True, maintain_order=True)["source"].to_list()
    domain = [*every_source, *(s for s in data["source"] if s not in every_source)]
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("source:N", sort=order, title=None),
            x=alt.X(
                "revenue:Q",
                title=axis_title,
                axis=alt.Axis(format=",~f"),
                scale=alt.Scale(domainMax=float(data["revenue"].max() or 1) * 1.3),
            ),
            color=alt.Color("source:N", scale=charts.colour_scale(domain), legend=None),
        )
    )
    text = (
        alt.Chart(data)
        .mark_text(align="left", dx=6, fontSize=14)
        .encode(y=alt.Y("source:N", sort=order), x="revenue:Q", text="text:N")
    )
    chart = (bars + text).properties(width=CHART_WIDTH - 60, title=r.t("revenue_chart_title"))
    parts = [r.svg(chart, height=max(150, 24 * data.height))]
    parts.append(
        html_table(
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
    )
    has_spend = any(x.get("spend") is not None for x in rows)
    if has_spend:
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
        parts.append(
            f'<div class="block"><h3>{esc(r.t("cost_title"))}</h3>{cost}'
            f'<p class="note">{esc(r.t("cost_note"))}</p></div>'
        )
    else:
        parts.append(f'<p class="note">{esc(r.t("no_spend"))}</p>')
    return section_html("revenue", number, r.t("revenue_title"), lead, "".join(parts))
