"""Handoff & SLA charts: handoff rates over time, rejection reasons per source, and the leads
waiting past the SLA per owner.

Each builder takes a metric's rows as the query returned them (``handoff`` by month,
``rejection_reasons`` by source, ``pending_by_owner``) and the words and formatters of the
reader's language; it only chooses what to draw and writes the labels.
"""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import polars as pl

from dashboard import charts
from dashboard.charts.funnel import Format, with_texts

# handoff rates drawn over time, each with a fixed meaning colour
RATES = {
    "handoff_rate": charts.PRIMARY,
    "acceptance_rate": charts.GOOD,
    "rejection_rate": charts.BAD,
}


def rates_over_time(
    frame: pl.DataFrame,
    *,
    rate_names: Mapping[str, str],
    month: Format,
    count: Format,
    rate: Format,
    titles: Mapping[str, str],
    month_format: str,
) -> alt.LayerChart:
    """Lines of the handoff, acceptance and rejection rates per month (``handoff`` rows by
    month with their first day in ``month_start``), in their fixed colours.

    ``rate_names`` names each rate of :data:`RATES`; ``titles`` names the axis and tooltip
    fields (keys ``month``, ``rate``, ``value``, ``mqls``, ``handed_off``, ``axis``);
    ``month_format`` is the axis' date format.
    """
    m = with_texts(
        frame,
        {
            "month": ("month_start", month),
            "mqls_text": ("mqls", count),
            "handed_off_text": ("handed_off", count),
        },
    )
    long = m.unpivot(
        index=["month_start", "month", "mqls_text", "handed_off_text"],
        on=list(RATES),
        variable_name="rate_key",
        value_name="rate",
    )
    long = with_texts(
        long,
        {"rate_name": ("rate_key", lambda k: rate_names[k]), "rate_text": ("rate", rate)},
    ).sort("month_start")
    colour = alt.Color(
        "rate_name:N",
        scale=alt.Scale(domain=[rate_names[k] for k in RATES], range=list(RATES.values())),
        legend=alt.Legend(title=None, orient="top"),
    )
    x = alt.X(
        "month_start:T",
        title=None,
        axis=alt.Axis(format=month_format, labelAngle=0, tickCount="month"),
    )
    y = alt.Y(
        "rate:Q", title=titles["axis"], axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])
    )
    tooltip = [
        alt.Tooltip("month:N", title=titles["month"]),
        alt.Tooltip("rate_name:N", title=titles["rate"]),
        alt.Tooltip("rate_text:N", title=titles["value"]),
        alt.Tooltip("mqls_text:N", title=titles["mqls"]),
        alt.Tooltip("handed_off_text:N", title=titles["handed_off"]),
    ]
    lines = alt.Chart(long).mark_line(strokeWidth=3).encode(x=x, y=y, color=colour)
    points = (
        alt.Chart(long)
        .mark_point(filled=True, size=90)
        .encode(
            x=x, y=y, color=colour, shape=alt.Shape("rate_name:N", legend=None), tooltip=tooltip
        )
    )
    return lines + points


def reason_texts(
    frame: pl.DataFrame, *, reason: Format, none_label: str, count: Format, share: Format
) -> pl.DataFrame:
    """``rejection_reasons`` rows by source with the names and texts the chart and table
    show: ``source`` (``none_label`` for leads without one), ``reason`` (written by
    ``reason``), ``count_text``, ``share_text`` and ``share_all_text``."""
    r = frame.with_columns(pl.col("dimension").fill_null(none_label).alias("source"))
    return with_texts(
        r,
        {
            "reason": ("rejection_reason", reason),
            "count_text": ("rejected", count),
            "share_text": ("share", share),
            "share_all_text": ("share_of_all", share),
        },
    )


def source_order(frame: pl.DataFrame) -> list[str]:
    """The sources of :func:`reason_texts` rows, those with the most rejections first."""
    by_rejections = frame.unique("source").sort(
        ["dimension_rejected", "source"], descending=[True, False]
    )
    return by_rejections["source"].to_list()


def reasons_heatmap(
    frame: pl.DataFrame, *, titles: Mapping[str, str], pick: alt.Parameter
) -> alt.LayerChart:
    """Each source's rejections by reason (:func:`reason_texts` rows), coloured by the
    share of the source's rejections and labelled with the count; cells are clickable.

    Reasons run in order of all rejections, sources by their number of rejections.
    ``titles`` names the legend and tooltip fields (keys ``legend``, ``source``,
    ``reason``, ``rejected``, ``share_of_source``, ``share_of_all``).
    """
    reason_order = frame.unique("reason").sort(
        ["reason_rejected", "reason"], descending=[True, False]
    )["reason"]
    sources = source_order(frame)
    x = alt.X(
        "reason:N",
        sort=reason_order.to_list(),
        title=None,
        axis=alt.Axis(orient="top", labelAngle=-30, labelAlign="left"),
    )
    heat = (
        alt.Chart(frame)
        .mark_rect(stroke="white", strokeWidth=1)
        .encode(
            x=x,
            y=alt.Y("source:N", sort=sources, title=None),
            color=alt.Color(
                "share:Q",
                scale=alt.Scale(scheme=charts.HEATMAP_SCHEME, domain=[0, 0.5], clamp=True),
                legend=alt.Legend(format="%", title=titles["legend"]),
            ),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.6)),
            tooltip=[
                alt.Tooltip("source:N", title=titles["source"]),
                alt.Tooltip("reason:N", title=titles["reason"]),
                alt.Tooltip("count_text:N", title=titles["rejected"]),
                alt.Tooltip("share_text:N", title=titles["share_of_source"]),
                alt.Tooltip("share_all_text:N", title=titles["share_of_all"]),
            ],
        )
        .add_params(pick)
    )
    labels = (
        alt.Chart(frame)
        .mark_text(fontSize=14)
        .encode(
            x=alt.X("reason:N", sort=reason_order.to_list()),
            y=alt.Y("source:N", sort=sources),
            text="count_text:N",
            # dark cells get white text
            color=alt.condition(alt.datum.share > 0.27, alt.value("white"), alt.value("black")),
        )
    )
    return heat + labels


def owner_texts(
    frame: pl.DataFrame, *, no_owner: str, count: Format, duration: Format
) -> pl.DataFrame:
    """``pending_by_owner`` rows with ``owner_label`` (``no_owner`` for leads without one),
    ``leads_text`` and ``longest_text`` (the longest wait, in hours, written by
    ``duration``)."""
    f = frame.rename({"longest_hours": "longest"}).with_columns(
        pl.col("owner").fill_null(no_owner).alias("owner_label")
    )
    return with_texts(f, {"leads_text": ("leads", count), "longest_text": ("longest", duration)})


def owner_bars(
    frame: pl.DataFrame, *, axis_title: str, titles: Mapping[str, str], pick: alt.Parameter
) -> alt.LayerChart:
    """Bars of each owner's leads waiting past the SLA (:func:`owner_texts` rows, in their
    order), labelled with the count; clickable. ``titles`` names the tooltip fields
    (keys ``owner``, ``longest``)."""
    order = frame["owner_label"].to_list()
    bars = (
        alt.Chart(frame)
        .mark_bar(color=charts.BAD, cornerRadiusEnd=3)
        .encode(
            y=alt.Y("owner_label:N", sort=order, title=None),
            x=alt.X("leads:Q", title=axis_title, axis=alt.Axis(format="d")),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.5)),
            tooltip=[
                alt.Tooltip("owner_label:N", title=titles["owner"]),
                alt.Tooltip("leads_text:N", title=axis_title),
                alt.Tooltip("longest_text:N", title=titles["longest"]),
            ],
        )
        .add_params(pick)
    )
    text = (
        alt.Chart(frame)
        .mark_text(align="left", dx=5, fontSize=14)
        .encode(y=alt.Y("owner_label:N", sort=order), x="leads:Q", text="leads_text:N")
    )
    return bars + text
