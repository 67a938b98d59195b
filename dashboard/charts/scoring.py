"""Scoring charts: calibration by score decile, the threshold what-if curves, how well each
lead attribute separates SQLs from rejections, and the lift of one attribute's values.

Each builder lays out rows a metric has already computed, with the display-text columns the
caller has written (``*_text``, labels) in its own language and formats; a builder adds no
number of its own. ``t`` is the caller's message lookup, so the titles are the catalogue's.
With ``select`` the marks can be clicked (the page lists the leads behind a click);
``width`` fixes the width for a static rendering such as the report.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import altair as alt
import polars as pl

from dashboard import charts

Words = Callable[..., str]

# calibration series, with the colours they keep on every chart of the page
SQL_COLOUR = charts.PRIMARY
WON_COLOUR = charts.GOOD
# information value bands (Siddiqi's usual reading), lowest first, with their colours
IV_BANDS = (
    (0.02, "none", charts.NEUTRAL),
    (0.1, "weak", "#56B4E9"),
    (0.3, "medium", charts.PRIMARY),
    (0.5, "strong", charts.GOOD),
    (float("inf"), "suspicious", charts.BAD),
)
# opacity of the marks not clicked, when the chart can be clicked
_FADED = 0.45
# the what-if's two threshold rules: the slider's choice and the setting in force
_RULE_KINDS = ["chosen", "current"]


def _sized(chart: alt.TopLevelMixin, width: int | None) -> alt.TopLevelMixin:
    return chart if width is None else chart.properties(width=width)


def _faded(pick: alt.Parameter | None) -> Any:
    """Full opacity for the clicked mark (or every mark when nothing can be clicked)."""
    if pick is None:
        return alt.value(1.0)
    return alt.condition(pick, alt.value(1.0), alt.value(_FADED))


def _picked(chart: alt.Chart, pick: alt.Parameter | None) -> alt.Chart:
    return chart if pick is None else chart.add_params(pick)


def decimal_axis(title: str, lang: str) -> alt.Axis:
    """A numeric axis with at most two decimals, in the language's decimal mark."""
    label = "format(datum.value, '.2~f')"
    if lang == "vi":
        label = f"replace({label}, '.', ',')"
    return alt.Axis(title=title, labelExpr=label, tickCount=8)


def calibration(
    rates: pl.DataFrame,
    t: Words,
    *,
    deciles: Sequence[str],
    series: Sequence[str],
    select: bool = False,
    width: int | None = None,
) -> alt.LayerChart:
    """SQL rate and win rate per score decile, side by side and labelled.

    ``rates`` has one row per decile and rate: ``decile``, ``decile_label`` (in the order
    ``deciles``), ``series`` (the rate's name, one of ``series``), ``rate``, and the texts
    ``rate_text``, ``leads_text``, ``sqls_text``, ``won_text`` and ``revenue_text``. A click
    selects a ``decile``.
    """
    pick = alt.selection_point(name="decile", fields=["decile"]) if select else None
    x = alt.X(
        "decile_label:N",
        sort=list(deciles),
        title=t("scoring.decile_axis"),
        axis=alt.Axis(labelAngle=0, labelExpr="split(datum.label, ' · ')"),
    )
    offset = alt.XOffset("series:N", sort=list(series))
    colour = alt.Color(
        "series:N",
        scale=alt.Scale(domain=list(series), range=[SQL_COLOUR, WON_COLOUR]),
        legend=alt.Legend(title=None, orient="top"),
    )
    tooltip = [
        alt.Tooltip("decile_label:N", title=t("scoring.decile")),
        alt.Tooltip("series:N", title=t("common.rate")),
        alt.Tooltip("rate_text:N", title=t("scoring.value")),
        alt.Tooltip("leads_text:N", title=t("common.leads")),
        alt.Tooltip("sqls_text:N", title=t("common.sqls")),
        alt.Tooltip("won_text:N", title=t("scoring.won_leads")),
        alt.Tooltip("revenue_text:N", title=t("common.won_revenue")),
    ]
    bars = (
        alt.Chart(rates)
        .mark_bar(cornerRadiusEnd=2)
        .encode(
            x=x,
            xOffset=offset,
            y=alt.Y("rate:Q", title=t("scoring.rate_axis"), axis=alt.Axis(format="%")),
            color=colour,
            opacity=_faded(pick),
            tooltip=tooltip,
        )
    )
    labels = (
        alt.Chart(rates)
        .mark_text(dy=-8, fontSize=12)
        .encode(x=x, xOffset=offset, y="rate:Q", text="rate_text:N", color=colour)
    )
    chart = (_picked(bars, pick) + labels).properties(title=t("scoring.calibration_chart_title"))
    return _sized(chart, width)


def _rules(marks: pl.DataFrame, t: Words) -> tuple[alt.Chart, alt.Chart]:
    """The chosen and current thresholds as rules, with their labels at two heights."""
    colour = alt.Color(
        "kind:N",
        scale=alt.Scale(domain=_RULE_KINDS, range=["#000000", charts.NEUTRAL]),
        legend=None,
    )
    rules = (
        alt.Chart(marks)
        .mark_rule(strokeWidth=2)
        .encode(
            x="threshold:Q",
            color=colour,
            strokeDash=alt.StrokeDash(
                "kind:N",
                scale=alt.Scale(domain=_RULE_KINDS, range=[[1, 0], [6, 4]]),
                legend=None,
            ),
            tooltip=[alt.Tooltip("label:N", title=t("scoring.threshold"))],
        )
    )
    # the two labels sit at different heights so they stay readable when the rules meet
    text = (
        alt.Chart(marks)
        .mark_text(align="left", dx=6, fontSize=14, fontWeight="bold")
        .encode(
            x="threshold:Q",
            y=alt.Y("y:Q", scale=alt.Scale(domain=[0, 1])),
            text="label:N",
            color=colour,
        )
        .transform_calculate(y="datum.kind == 'chosen' ? 0.08 : 0.16")
    )
    return rules, text


def threshold_whatif(
    curves: pl.DataFrame,
    marks: pl.DataFrame,
    t: Words,
    *,
    names: Sequence[str],
    colours: Sequence[str],
    width: int | None = None,
) -> alt.LayerChart:
    """The shares of SQLs and won revenue an MQL threshold keeps, with two threshold rules.

    ``curves`` has one row per threshold and curve: ``threshold``, ``curve`` (one of
    ``names``, drawn in ``colours``), ``share`` and the texts ``threshold_text``,
    ``share_text`` and ``sent_text``. ``marks`` has the two rules: ``threshold``, ``label``
    and ``kind`` (``chosen`` or ``current``).
    """
    lines = (
        alt.Chart(curves)
        .mark_line(point=alt.OverlayMarkDef(size=28, filled=True), strokeWidth=3)
        .encode(
            x=alt.X(
                "threshold:Q",
                title=t("scoring.threshold_axis"),
                scale=alt.Scale(domain=[0, 100]),
            ),
            y=alt.Y(
                "share:Q",
                title=t("scoring.share_kept_axis"),
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            color=alt.Color(
                "curve:N",
                scale=alt.Scale(domain=list(names), range=list(colours)),
                legend=alt.Legend(title=None, orient="top"),
            ),
            tooltip=[
                alt.Tooltip("threshold_text:N", title=t("scoring.threshold")),
                alt.Tooltip("curve:N", title=t("scoring.curve")),
                alt.Tooltip("share_text:N", title=t("scoring.value")),
                alt.Tooltip("sent_text:N", title=t("scoring.leads_sent")),
            ],
        )
    )
    rules, text = _rules(marks, t)
    chart = (
        alt.layer(lines, rules, text)
        .resolve_scale(color="independent", strokeDash="independent")
        .properties(title=t("scoring.whatif_chart_title"))
    )
    return _sized(chart, width)


def separation(
    attributes: pl.DataFrame,
    t: Words,
    *,
    bands: Sequence[str],
    lang: str,
    select: bool = False,
    width: int | None = None,
) -> alt.LayerChart:
    """Each attribute's information value as a bar coloured by its band, in the rows' order.

    ``attributes`` has ``attribute``, ``attribute_label``, ``information_value``, ``band``
    (the band's name, one of ``bands``, lowest first as in :data:`IV_BANDS`) and
    ``iv_text``. A click selects an ``attribute``.
    """
    order = attributes["attribute_label"].to_list()
    pick = alt.selection_point(name="attribute", fields=["attribute"]) if select else None
    bars = (
        alt.Chart(attributes)
        .mark_bar(cornerRadiusEnd=3)
        .encode(
            y=alt.Y("attribute_label:N", sort=order, title=None),
            x=alt.X("information_value:Q", axis=decimal_axis(t("scoring.information_value"), lang)),
            color=alt.Color(
                "band:N",
                scale=alt.Scale(domain=list(bands), range=[c for _, _, c in IV_BANDS]),
                legend=alt.Legend(title=t("scoring.separation"), orient="top"),
            ),
            opacity=_faded(pick),
            tooltip=[
                alt.Tooltip("attribute_label:N", title=t("scoring.attribute")),
                alt.Tooltip("iv_text:N", title=t("scoring.information_value")),
                alt.Tooltip("band:N", title=t("scoring.separation")),
            ],
        )
    )
    text = (
        alt.Chart(attributes)
        .mark_text(align="left", dx=6, fontSize=14)
        .encode(y=alt.Y("attribute_label:N", sort=order), x="information_value:Q", text="iv_text:N")
    )
    chart = (_picked(bars, pick) + text).properties(title=t("scoring.attributes_chart_title"))
    return _sized(chart, width)


def attribute_lift(
    values: pl.DataFrame,
    t: Words,
    *,
    title: str,
    lang: str,
    select: bool = False,
    width: int | None = None,
) -> alt.LayerChart:
    """The lift of each value of one attribute, green at or above 1 and orange below, with a
    dashed rule at 1 (the overall SQL rate).

    ``values`` has ``value``, ``value_label`` (in the rows' order), ``lift`` and the texts
    ``lift_text``, ``judged_text``, ``sqls_text``, ``rejected_text`` and ``rate_text``. A
    click selects a ``value``.
    """
    order = values["value_label"].to_list()
    pick = alt.selection_point(name="value", fields=["value"]) if select else None
    bars = (
        alt.Chart(values)
        .mark_bar(cornerRadiusEnd=3)
        .encode(
            y=alt.Y("value_label:N", sort=order, title=None),
            x=alt.X("lift:Q", axis=decimal_axis(t("scoring.lift_axis"), lang)),
            color=alt.condition(alt.datum.lift >= 1, alt.value(charts.GOOD), alt.value(charts.BAD)),
            opacity=_faded(pick),
            tooltip=[
                alt.Tooltip("value_label:N", title=t("scoring.value_column")),
                alt.Tooltip("judged_text:N", title=t("scoring.judged")),
                alt.Tooltip("sqls_text:N", title=t("common.sqls")),
                alt.Tooltip("rejected_text:N", title=t("common.rejected")),
                alt.Tooltip("rate_text:N", title=t("scoring.sql_rate")),
                alt.Tooltip("lift_text:N", title=t("scoring.lift")),
            ],
        )
    )
    one = (
        alt.Chart(pl.DataFrame({"x": [1.0]}))
        .mark_rule(color=charts.NEUTRAL, strokeDash=[6, 4], strokeWidth=2)
        .encode(x="x:Q")
    )
    text = (
        alt.Chart(values)
        .mark_text(align="left", dx=6, fontSize=14)
        .encode(y=alt.Y("value_label:N", sort=order), x="lift:Q", text="lift_text:N")
    )
    return _sized((_picked(bars, pick) + one + text).properties(title=title), width)
