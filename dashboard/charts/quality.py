"""Lead-quality charts: the verdict matrix, agreement over time and by source, and rejection
reasons by source.

Each builder lays out rows a metric has already computed, with the display-text columns the
caller has written (``*_text``, labels) in its own language and formats; a builder adds no
number of its own. ``t`` is the caller's message lookup (the page's or the report's), so the
titles are the catalogue's. With ``select`` the marks can be clicked (the page lists the
leads behind a click); ``width`` fixes the width for a static rendering such as the report.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import altair as alt
import polars as pl

from dashboard import charts

Words = Callable[..., str]
# opacity of the marks not clicked, when the chart can be clicked
_FADED = 0.55


def _sized(chart: alt.TopLevelMixin, width: int | None) -> alt.TopLevelMixin:
    return chart if width is None else chart.properties(width=width)


def _faded(pick: alt.Parameter | None, faded: float) -> Any:
    """Full opacity for the clicked mark (or every mark when nothing can be clicked)."""
    if pick is None:
        return alt.value(1.0)
    return alt.condition(pick, alt.value(1.0), alt.value(faded))


def _picked(chart: alt.Chart, pick: alt.Parameter | None) -> alt.Chart:
    return chart if pick is None else chart.add_params(pick)


def verdict_matrix(
    cells: pl.DataFrame,
    t: Words,
    *,
    marketing_order: Sequence[str],
    sales_order: Sequence[str],
    outcome_label: Callable[[str], str],
    outcomes: Sequence[str],
    select: bool = False,
    width: int | None = None,
) -> alt.LayerChart:
    """The six verdict cells as a heatmap: leads by colour, disagreements outlined.

    ``cells`` is ``disagreement_cells`` with ``mv_label``/``sv_label`` (the verdicts'
    words), ``main_text``, ``split_0``/``split_1`` (the outcome split on two lines),
    ``revenue_label``, the tooltip texts ``leads_text``, ``share_text``,
    ``revenue_text`` and ``<outcome>_text``, and ``is_disagreement``. A click selects a
    cell's ``marketing_verdict`` and ``sales_verdict``.
    """
    dark = cells["leads"].max() or 1
    pick = (
        alt.selection_point(name="cell", fields=["marketing_verdict", "sales_verdict"])
        if select
        else None
    )
    x = alt.X(
        "sv_label:N",
        sort=list(sales_order),
        title=t("quality.sales_verdict"),
        axis=alt.Axis(labelAngle=0, orient="top", labelFontSize=charts.narrow_or(12, 15)),
    )
    y = alt.Y("mv_label:N", sort=list(marketing_order), title=t("quality.marketing_verdict"))
    tooltip = [
        alt.Tooltip("mv_label:N", title=t("quality.marketing_verdict")),
        alt.Tooltip("sv_label:N", title=t("quality.sales_verdict")),
        alt.Tooltip("leads_text:N", title=t("common.leads")),
        alt.Tooltip("share_text:N", title=t("quality.share_of_leads")),
        *(alt.Tooltip(f"{o}_text:N", title=outcome_label(o)) for o in outcomes),
        alt.Tooltip("revenue_text:N", title=t("common.won_revenue")),
    ]
    base = alt.Chart(cells)
    heat = base.mark_rect(strokeWidth=4).encode(
        x=x,
        y=y,
        color=alt.Color(
            "leads:Q",
            scale=alt.Scale(scheme=charts.HEATMAP_SCHEME, type="sqrt"),
            legend=alt.Legend(title=t("common.leads"), format="~s"),
        ),
        stroke=alt.condition(alt.datum.is_disagreement, alt.value(charts.BAD), alt.value("white")),
        opacity=_faded(pick, _FADED),
        tooltip=tooltip,
    )
    # white text on the darker cells (the colour scale darkens past about a third)
    ink = alt.condition(alt.datum.leads > 0.3 * dark, alt.value("white"), alt.value("black"))
    # on a phone a cell shows its leads only; the share, the outcome split and the revenue,
    # which would overlap there, stay in the tooltip and the table below
    main = (
        base.transform_calculate(shown=charts.narrow_text("leads_text", "main_text"))
        .mark_text(
            fontSize=charts.narrow_or(16, 20), fontWeight="bold", dy=charts.narrow_or(0, -30)
        )
        .encode(x=x, y=y, text="shown:N", color=ink, tooltip=tooltip)
    )
    # the outcome split on two short lines, so it fits a narrow cell in either language
    split = [
        base.mark_text(fontSize=12, dy=dy, opacity=charts.narrow_or(0, 1)).encode(
            x=x, y=y, text=f"split_{i}:N", color=ink, tooltip=tooltip
        )
        for i, dy in enumerate((-4, 12))
    ]
    revenue = base.mark_text(fontSize=13, dy=32, opacity=charts.narrow_or(0, 1)).encode(
        x=x, y=y, text="revenue_label:N", color=ink, tooltip=tooltip
    )
    return _sized(alt.layer(_picked(heat, pick), main, *split, revenue), width)


def agreement_trend(
    months: pl.DataFrame,
    t: Words,
    *,
    lang: str,
    width: int | None = None,
) -> alt.LayerChart:
    """Agreement rate and Cohen's kappa per cohort month, two lines over a zero rule.

    ``months`` is ``disagreement`` by month in month order, with ``month`` (its label) and
    the tooltip texts ``agreement_text``, ``kappa_text``, ``reading`` and ``judged_text``.
    """
    series = {
        "agreement_rate": t("quality.agreement_rate"),
        "cohens_kappa": t("quality.kappa"),
    }
    long = months.unpivot(
        index=["month", "agreement_text", "kappa_text", "reading", "judged_text"],
        on=list(series),
        variable_name="series",
        value_name="value",
    ).with_columns(pl.col("series").replace_strict(series).alias("series_label"))
    names = list(series.values())
    tooltip = [
        alt.Tooltip("month:N", title=t("common.month")),
        alt.Tooltip("agreement_text:N", title=t("quality.agreement_rate")),
        alt.Tooltip("kappa_text:N", title=t("quality.kappa")),
        alt.Tooltip("reading:N", title=t("quality.kappa_reading")),
        alt.Tooltip("judged_text:N", title=t("quality.leads_judged")),
    ]
    # decimals written the language's way (0,6 in Vietnamese)
    label = "format(datum.value, '.1f')"
    if lang == "vi":
        label = f"replace({label}, '.', ',')"
    lines = (
        alt.Chart(long)
        .mark_line(point=alt.OverlayMarkDef(size=90), strokeWidth=3)
        .encode(
            x=alt.X(
                "month:N",
                sort=months["month"].to_list(),
                title=None,
                axis=alt.Axis(labelAngle=-30),
            ),
            y=alt.Y(
                "value:Q",
                title=t("quality.trend_axis"),
                scale=alt.Scale(domain=[-0.2, 1]),
                axis=alt.Axis(labelExpr=label),
            ),
            color=alt.Color(
                "series_label:N",
                scale=alt.Scale(domain=names, range=[charts.PRIMARY, charts.ACCENT]),
                legend=alt.Legend(title=None, orient="top"),
            ),
            strokeDash=alt.StrokeDash(
                "series_label:N",
                scale=alt.Scale(domain=names, range=[[1, 0], [6, 3]]),
                legend=None,
            ),
            tooltip=tooltip,
        )
    )
    zero = alt.Chart(pl.DataFrame({"y": [0.0]})).mark_rule(color=charts.NEUTRAL).encode(y="y:Q")
    return _sized(zero + lines, width)


def agreement_by_source(
    sources: pl.DataFrame,
    t: Words,
    *,
    colours: alt.Scale,
    select: bool = False,
    width: int | None = None,
) -> alt.LayerChart:
    """Agreement rate per source as bars in the rows' order, each labelled with its
    ``bar_text`` (rate and kappa).

    ``sources`` is ``disagreement`` by source with ``source`` (its label), ``bar_text`` and
    the tooltip texts ``agreement_text``, ``kappa_text``, ``reading``, ``judged_text``,
    ``mql_rejected_text`` and ``non_mql_accepted_text``. A click selects a ``source``.
    """
    order = sources["source"].to_list()
    pick = alt.selection_point(name="src", fields=["source"]) if select else None
    bars = (
        alt.Chart(sources)
        .mark_bar(cornerRadiusEnd=3)
        .encode(
            y=alt.Y("source:N", sort=order, title=None),
            x=alt.X(
                "agreement_rate:Q",
                title=t("quality.agreement_rate"),
                axis=alt.Axis(format="%", values=[0, 0.2, 0.4, 0.6, 0.8, 1.0]),
                # room right of a full bar for its label
                scale=alt.Scale(domain=[0, 1.15]),
            ),
            color=alt.Color("source:N", scale=colours, legend=None),
            opacity=_faded(pick, 0.45),
            tooltip=[
                alt.Tooltip("source:N", title=t("common.source")),
                alt.Tooltip("agreement_text:N", title=t("quality.agreement_rate")),
                alt.Tooltip("kappa_text:N", title=t("quality.kappa")),
                alt.Tooltip("reading:N", title=t("quality.kappa_reading")),
                alt.Tooltip("judged_text:N", title=t("quality.leads_judged")),
                alt.Tooltip("mql_rejected_text:N", title=t("quality.mql_rejected")),
                alt.Tooltip("non_mql_accepted_text:N", title=t("quality.non_mql_accepted")),
            ],
        )
    )
    # on a phone the label is the agreement rate alone; kappa stays in the tooltip
    labels = (
        alt.Chart(sources)
        .transform_calculate(shown=charts.narrow_text("agreement_text", "bar_text"))
        .mark_text(align="left", dx=6, fontSize=15)
        .encode(y=alt.Y("source:N", sort=order), x="agreement_rate:Q", text="shown:N")
    )
    return _sized(_picked(bars, pick) + labels, width)


def reasons_by_source(
    reasons: pl.DataFrame,
    t: Words,
    *,
    reason_order: Sequence[str],
    source_order: Sequence[str],
    select: bool = False,
    width: int | None = None,
) -> alt.Chart:
    """Each source's rejections split by reason, as 100% stacked bars.

    ``reasons`` is ``rejection_reasons`` by source with ``source`` and ``reason`` (their
    labels), ``reason_rank`` (the stacking order, the reasons' place in ``reason_order``)
    and the tooltip texts ``rejected_text`` and ``share_text``. A click selects a
    ``source`` and its ``rejection_reason``.
    """
    pick = (
        alt.selection_point(name="reason", fields=["source", "rejection_reason"])
        if select
        else None
    )
    stack = (
        alt.Chart(reasons)
        .mark_bar()
        .encode(
            y=alt.Y("source:N", sort=list(source_order), title=None),
            x=alt.X(
                "share:Q",
                stack="normalize",
                title=t("quality.share_of_rejections"),
                axis=alt.Axis(format="%"),
            ),
            color=alt.Color(
                "reason:N",
                sort=list(reason_order),
                scale=alt.Scale(domain=list(reason_order), range=list(charts.PALETTE)),
                legend=alt.Legend(title=t("quality.col_reason"), orient="right"),
            ),
            order=alt.Order("reason_rank:Q"),
            opacity=_faded(pick, 0.5),
            tooltip=[
                alt.Tooltip("source:N", title=t("common.source")),
                alt.Tooltip("reason:N", title=t("quality.col_reason")),
                alt.Tooltip("rejected_text:N", title=t("quality.rejected_leads")),
                alt.Tooltip("share_text:N", title=t("quality.share_of_source_rejections")),
            ],
        )
    )
    return _sized(_picked(stack, pick), width)
