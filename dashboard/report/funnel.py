"""The report's funnel section: the page's funnel bars, drawn static, and the table."""

from __future__ import annotations

import polars as pl

from dashboard.charts import funnel as funnel_charts
from dashboard.i18n import fmt_duration_minutes
from dashboard.report.base import CHART_WIDTH, Col, Report, esc, html_table, section_html


def _stage(r: Report, stage: str) -> str:
    return r.t(f"stage_{stage}")


def _days(r: Report, days: float | None) -> str:
    """A duration given in days, in the largest sensible unit."""
    return fmt_duration_minutes(None if days is None else float(days) * 1440, r.lang)


def _chart(r: Report, frame: pl.DataFrame) -> str:
    """The funnel's bars, as on the Funnel page, at the report's width."""
    words = funnel_charts.StageWords(
        stage=lambda s: _stage(r, s), count=r.n, rate=r.pct, rate_first=r.pct
    )
    chart = funnel_charts.funnel_bars(
        frame,
        words,
        axis_title=r.t("funnel_axis"),
        axis_format=",d",
        room=1.35,
        label_size=14,
        width=CHART_WIDTH,
        title=r.t("funnel_chart_title"),
    )
    return r.svg(chart, height=300)


def _table(r: Report, rows: list[dict]) -> str:
    """Every stage's count, rates, drop-off and median time."""
    return html_table(
        [
            Col(r.t("col_stage"), lambda x: _stage(r, x["stage"]), numeric=False),
            Col(r.t("col_leads"), lambda x: r.n(x["count"])),
            Col(r.t("col_rate_previous"), lambda x: r.pct(x["rate_from_previous"])),
            Col(r.t("col_rate_first"), lambda x: r.pct(x["rate_from_first"])),
            Col(r.t("col_drop_off"), lambda x: r.n(x["drop_off"])),
            Col(r.t("col_median_time"), lambda x: _days(r, x["median_days_from_previous"])),
        ],
        rows,
        css="keep",
    )


def funnel_section(r: Report, number: int) -> str:
    """The funnel section: its chart, table and note, or what the workspace lacks."""
    shown = r.metric("funnel")
    lead = r.t("funnel_lead")
    missing = r.guidance(shown)
    if missing:
        return section_html("funnel", number, r.t("funnel_title"), lead, missing)
    assert shown.frame is not None
    frame = shown.frame.sort("stage_order")
    note = f'<p class="note">{esc(r.t("funnel_note"))}</p>'
    body = _chart(r, frame) + _table(r, frame.to_dicts()) + note
    return section_html("funnel", number, r.t("funnel_title"), lead, body)
