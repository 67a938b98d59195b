"""Funnel charts, drawn by the same builders on the Funnel page and in the review report.

Each builder takes a metric's rows as the query returned them (``funnel``,
``funnel_cohort``) and the words and formatters of the reader's language; it only chooses
what to draw and writes the labels: every number it shows is a value of those rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt
import polars as pl

from dashboard import charts, display_text

# the funnel's stages in order, as the funnel metrics name them
STAGES = ("lead", "mql", "handed_off", "accepted", "sql", "opportunity", "won")

Format = Callable[[Any], str]


def with_texts(
    frame: pl.DataFrame,
    columns: Mapping[str, tuple[str, Format]],
    *,
    format_nulls: bool = False,
) -> pl.DataFrame:
    """``frame`` with display-text columns: ``alias -> (column, fmt)``."""
    return display_text.formatted(frame, columns, format_nulls=format_nulls)


@dataclass(frozen=True)
class StageWords:
    """How the funnel charts write stages and figures, in the reader's language.

    The titles name the tooltip fields; a static chart (the report's) leaves them empty.
    """

    stage: Format  # a stage key ("mql") as its label
    count: Format  # a number of leads
    rate: Format  # a share: the rate from the previous stage
    rate_first: Format  # a share: the rate from the first stage (all leads)
    stage_title: str = ""
    count_title: str = ""
    rate_title: str = ""
    rate_first_title: str = ""

    @property
    def tooltips(self) -> bool:
        return bool(self.stage_title)


def stage_texts(frame: pl.DataFrame, words: StageWords) -> pl.DataFrame:
    """A funnel metric's rows with their display texts: ``label`` (the stage),
    ``count_text``, ``first_text`` and, when the rows have it, ``prev_text``."""
    columns = {
        "label": ("stage", words.stage),
        "count_text": ("count", words.count),
        "first_text": ("rate_from_first", words.rate_first),
    }
    if "rate_from_previous" in frame.columns:
        columns["prev_text"] = ("rate_from_previous", words.rate)
    return with_texts(frame, columns)


def funnel_bars(
    frame: pl.DataFrame,
    words: StageWords,
    *,
    axis_title: str,
    of_leads: str = "",
    of_previous: str | None = None,
    axis_format: str = "~s",
    room: float | None = None,
    pick: alt.Parameter | None = None,
    label_size: int = 15,
    width: int | None = None,
    title: str | None = None,
) -> alt.LayerChart:
    """Bars of the leads reaching each stage (rows of the ``funnel`` metric), labelled with
    the count and the share of all leads (``of_leads`` follows it); with ``of_previous``
    the label also gives the rate from the previous stage.

    ``room`` makes the axis run that many times past the longest bar, for its label;
    ``pick`` makes the bars clickable (a page); ``width`` and ``title`` are for a static
    chart (the report).
    """
    f = stage_texts(frame.sort("stage_order"), words)
    parts = [pl.col("count_text")]
    if of_previous is not None:
        parts += [pl.lit(" · "), pl.col("prev_text"), pl.lit(of_previous)]
    parts += [pl.lit(" · "), pl.col("first_text"), pl.lit(of_leads)]
    f = f.with_columns(
        pl.when(pl.col("stage_order") == 1)
        .then(pl.col("count_text"))
        .otherwise(pl.concat_str(parts))
        .alias("bar_text")
    )
    order = f["label"].to_list()
    scale = (
        alt.Scale()
        if room is None
        else alt.Scale(domainMax=float(f["count"].max() or 1) * room)  # layout
    )
    bars = (
        alt.Chart(f)
        .mark_bar(color=charts.PRIMARY, cornerRadiusEnd=3)
        .encode(
            y=alt.Y("label:N", sort=order, title=None),
            # widths are the counts themselves: a funnel drawn with equal steps would hide
            # where leads are actually lost
            x=alt.X("count:Q", title=axis_title, axis=alt.Axis(format=axis_format), scale=scale),
        )
    )
    if words.tooltips:
        bars = bars.encode(
            tooltip=[
                alt.Tooltip("label:N", title=words.stage_title),
                alt.Tooltip("count_text:N", title=words.count_title),
                alt.Tooltip("prev_text:N", title=words.rate_title),
                alt.Tooltip("first_text:N", title=words.rate_first_title),
            ]
        )
    if pick is not None:
        bars = bars.encode(opacity=alt.condition(pick, alt.value(1.0), alt.value(0.45)))
        bars = bars.add_params(pick)
    # on a phone the bar's label is the count alone: the rates are in the table below it
    text = (
        alt.Chart(f)
        .transform_calculate(shown=charts.narrow_text("count_text", "bar_text"))
        .mark_text(align="left", dx=6, fontSize=label_size)
        .encode(y=alt.Y("label:N", sort=order), x="count:Q", text="shown:N")
    )
    chart = bars + text
    if width is not None:
        chart = chart.properties(width=width)
    if title is not None:
        chart = chart.properties(title=title)
    return chart


def velocity_bars(
    frame: pl.DataFrame,
    words: StageWords,
    *,
    days: Format,
    days_title: str,
    timed_title: str,
) -> alt.LayerChart:
    """Bars of the median days each stage takes from the previous one (``funnel`` rows),
    labelled with ``days``; the first stage, which has no previous one, is left out."""
    f = stage_texts(frame.sort("stage_order"), words)
    order = f["label"].to_list()
    v = with_texts(
        f.filter(pl.col("stage_order") > 1),
        {"days_text": ("median_days_from_previous", days)},
    )
    bars = (
        alt.Chart(v)
        .mark_bar(color=charts.ACCENT)
        .encode(
            y=alt.Y("label:N", sort=order, title=None),
            x=alt.X("median_days_from_previous:Q", title=days_title),
            tooltip=[
                alt.Tooltip("label:N", title=words.stage_title),
                alt.Tooltip("days_text:N", title=days_title),
                alt.Tooltip("n_timed:Q", title=timed_title),
            ],
        )
    )
    text = (
        alt.Chart(v)
        .mark_text(align="left", dx=6, fontSize=15)
        .encode(y=alt.Y("label:N", sort=order), x="median_days_from_previous:Q", text="days_text:N")
    )
    return bars + text


def _stage_heat(
    frame: pl.DataFrame,
    words: StageWords,
    *,
    row: str,
    row_order: Sequence[str] | None,
    legend_title: str,
    opacity: Any,
    tooltip: list[alt.Tooltip],
    label_size: int,
) -> tuple[alt.Chart, alt.Chart]:
    """A stage × ``row`` heatmap of the share of leads reaching each stage, and its cell
    labels (a layer each, so a caller can add a selection to the cells)."""
    stage_order = [words.stage(s) for s in STAGES if s != "lead"]
    y_sort = list(row_order) if row_order is not None else None
    heat = (
        alt.Chart(frame)
        .mark_rect()
        .encode(
            x=alt.X(
                "label:N",
                sort=stage_order,
                title=None,
                # stage names turn on a phone, where seven of them side by side overlap
                axis=alt.Axis(
                    labelAngle=charts.narrow_or(-50, 0),
                    labelAlign=charts.narrow_or("right", "center"),
                ),
            ),
            y=alt.Y(f"{row}:N", sort=y_sort, title=None),
            color=alt.Color(
                "rate_from_first:Q",
                scale=alt.Scale(scheme=charts.HEATMAP_SCHEME, type="sqrt"),
                legend=alt.Legend(format="%", title=legend_title),
            ),
            opacity=opacity,
            tooltip=tooltip,
        )
    )
    # on a phone the cells are too narrow for their shares: the colour and tooltip remain
    labels = (
        alt.Chart(frame)
        .mark_text(fontSize=label_size, opacity=charts.narrow_or(0, 1))
        .encode(
            x=alt.X("label:N", sort=stage_order),
            y=alt.Y(f"{row}:N", sort=y_sort),
            text="first_text:N",
            # dark cells get white text
            color=alt.condition(
                alt.datum.rate_from_first > 0.15, alt.value("white"), alt.value("black")
            ),
        )
    )
    return heat, labels


def source_heatmap(
    frame: pl.DataFrame,
    words: StageWords,
    *,
    none_label: str,
    source_title: str,
    pick: alt.Parameter,
) -> alt.LayerChart:
    """Share of each source's leads reaching each stage (``funnel`` rows by source, the
    source in ``dimension``; leads without one are ``none_label``); cells are clickable."""
    s = stage_texts(frame, words).with_columns(
        pl.col("dimension").fill_null(none_label).alias("source")
    )
    s = s.filter(pl.col("stage_order") > 1)
    heat, labels = _stage_heat(
        s,
        words,
        row="source",
        row_order=None,
        legend_title=words.rate_first_title,
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.6)),
        tooltip=[
            alt.Tooltip("source:N", title=source_title),
            alt.Tooltip("label:N", title=words.stage_title),
            alt.Tooltip("count_text:N", title=words.count_title),
            alt.Tooltip("first_text:N", title=words.rate_first_title),
        ],
        label_size=14,
    )
    return heat.add_params(pick) + labels


def cohort_heatmap(
    frame: pl.DataFrame,
    words: StageWords,
    *,
    month: Format,
    month_title: str,
    maturing: str,
) -> tuple[alt.LayerChart, int]:
    """Share of each cohort month's leads reaching each stage (``funnel_cohort`` rows);
    months still maturing are faded and say ``maturing`` in their tooltip.

    Returns the chart and its number of months (for its height).
    """
    c = stage_texts(frame.filter(pl.col("stage_order") > 1), words)
    c = with_texts(c, {"month": ("cohort_month", month)}).with_columns(
        pl.when(pl.col("is_maturing"))
        .then(pl.lit(maturing))
        .otherwise(pl.lit(""))
        .alias("maturing_text")
    )
    months = c.sort("cohort_month")["month"].unique(maintain_order=True).to_list()
    heat, labels = _stage_heat(
        c,
        words,
        row="month",
        row_order=months,
        legend_title=words.rate_first_title,
        opacity=alt.condition(alt.datum.is_maturing, alt.value(0.45), alt.value(1.0)),
        tooltip=[
            alt.Tooltip("month:N", title=month_title),
            alt.Tooltip("label:N", title=words.stage_title),
            alt.Tooltip("count_text:N", title=words.count_title),
            alt.Tooltip("first_text:N", title=words.rate_first_title),
            alt.Tooltip("maturing_text:N", title=" "),
        ],
        label_size=13,
    )
    return heat + labels, len(months)
