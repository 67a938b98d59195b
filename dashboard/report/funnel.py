"""The report's funnel section."""

from __future__ import annotations

import altair as alt
import polars as pl

from dashboard import charts
from dashboard.i18n import (
    fmt_duration_minutes,
)
from dashboard.report.base import CHART_WIDTH, Col, Report, esc, html_table, section_html


def _stage(r: Report, stage: str) -> str:
    return r.t(f"stage_{stage}")


def _days(r: Report, days: float | None) -> str:
    """A duration given in days, in the largest sensible unit."""
    return fmt_duration_minutes(None if days is None else float(days) * 1440, r.lang)


def funnel_section(r: Report, number: int) -> str:
    shown = r.metric("funnel")
    lead = r.t("funnel_lead")
    missing = r.guidance(shown)
    if missing:
        return section_html("funnel", number, r.t("funnel_title"), lead, missing)
    assert shown.frame is not None
    frame = shown.frame.sort("stage_order")
    rows = frame.to_dicts()
    data = pl.DataFrame(
        {
            "label": [_stage(r, x["stage"]) for x in rows],
            "count": [x["count"] for x in rows],
            "text": [
                r.n(x["count"])
                + ("" if x["stage_order"] == 1 else f" · {r.pct(x['rate_from_first'])}")
                for x in rows
            ],
        }
    )
    order = data["label"].to_list()
    bars = (
        alt.Chart(data)
        .mark_bar(color=charts.PRIMARY)
        .encode(
            y=alt.Y("label:N", sort=order, title=None),
            x=alt.X(
                "count:Q",
                title=r.t("funnel_axis"),
                axis=alt.Axis(format=",d"),
                scale=alt.Scale(domainMax=float(data["count"].max() or 1) * 1.35),
            ),
        )
    )
    text = (
        alt.Chart(data)
        .mark_text(align="left", dx=6, fontSize=14)
        .encode(y=alt.Y("label:N", sort=order), x="count:Q", text="text:N")
    )
    chart = (bars + text).properties(width=CHART_WIDTH, title=r.t("funnel_chart_title"))
    table = html_table(
        [
            Col(r.t("col_stage"), lambda x: _stage(r, x["stage"]), numeric=False),
            Col(r.t("col_leads"), lambda x: r.n(x["count"])),
            Col(r.t("col_rate_previous"), lambda x: r.pct(x["rate_from_previous"])),
            Col(r.t("col_rate_first"), lambda x: r.pct(x["rate_from_first"])),
            Col(r.t("col_drop_off"), lambda x: r.n(x["drop_off"])),
            Col(
                r.t("col_median_time"),
                lambda x: _days(r, x["median_days_from_previous"]),
            ),
        ],
        rows,
        css="keep",
    )
    body = r.svg(chart, height=300) + table + f'<p class="note">{esc(r.t("funnel_note"))}</p>'
    return section_html("funnel", number, r.t("funnel_title"), lead, body)
