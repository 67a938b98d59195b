"""Revenue charts, drawn by the same builders on the Revenue by source page and in the review
report.

Each builder takes rows of the ``revenue_by_source`` metric as the query returned them and
the words and formatters of the reader's language; it only chooses what to draw and writes
the labels: every number it shows is a value of those rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import altair as alt
import polars as pl

from dashboard import charts
from dashboard.charts.funnel import Format, with_texts

# an axis for the bars' values, given the largest one
AxisFor = Callable[[float], alt.Axis]


def money_axis(title: str, top: float, lang: str) -> alt.Axis:
    """An axis of amounts in the language's units (tỷ / triệu in Vietnamese), with ticks
    chosen for ``top``, the largest amount drawn."""
    units = (
        (1e9, "tỷ" if lang == "vi" else "B"),
        (1e6, "tr" if lang == "vi" else "M"),
        (1e3, "nghìn" if lang == "vi" else "k"),
        (1, ""),
    )
    size, unit = next(((s, u) for s, u in units if top >= s), (1, ""))
    number = f"format(datum.value / {size:g}, '~r')"
    if lang == "vi":
        number = f"replace({number}, '.', ',')"
    return alt.Axis(title=title, labelExpr=f"{number} + ' {unit}'", tickCount=4)


def scaled_axis(title: str, size: float) -> alt.Axis:
    """An axis of amounts written in units of ``size`` (its title names the unit), in the
    chart's number locale: the report's "Won revenue (millions VND)"."""
    return alt.Axis(title=title, labelExpr=f"format(datum.value / {size:g}, ',~f')")


def share_axis(title: str) -> alt.Axis:
    """An axis of shares, as percentages."""
    return alt.Axis(title=title, format="%", tickCount=4)


def source_bars(
    frame: pl.DataFrame,
    value: str,
    *,
    label: Format,
    axis: AxisFor,
    colours: alt.Scale,
    order: Sequence[str],
    tooltip: Sequence[alt.Tooltip] | None = None,
    pick: alt.Parameter | None = None,
    room: float = 1.4,
    label_size: int = 15,
    width: int | None = None,
    title: str | None = None,
    label_column: str | None = None,
) -> alt.LayerChart:
    """Horizontal bars of column ``value`` per ``source`` in the sources' own ``colours``,
    in ``order``, each labelled with its value written by ``label`` (or with the text of
    ``label_column``, e.g. a rate with the number of cases it is computed on).

    ``axis`` gives the value axis for the largest value; the axis runs ``room`` times past
    it to leave space for its label. ``pick`` makes the bars clickable (a page); ``width``
    and ``title`` are for a static chart (the report).
    """
    if label_column is not None:
        f = frame.with_columns(pl.col(label_column).alias("bar_text"))
    else:
        f = with_texts(frame, {"bar_text": (value, label)}, format_nulls=True)
    top = float(f[value].max() or 1)
    bars = (
        alt.Chart(f)
        .mark_bar(cornerRadiusEnd=3)
        .encode(
            y=alt.Y("source:N", sort=list(order), title=None),
            x=alt.X(
                f"{value}:Q",
                axis=axis(top),
                scale=alt.Scale(domain=[0, top * room], nice=False),  # layout
            ),
            color=alt.Color("source:N", scale=colours, legend=None),
        )
    )
    if tooltip:
        bars = bars.encode(tooltip=list(tooltip))
    if pick is not None:
        bars = bars.encode(opacity=alt.condition(pick, alt.value(1.0), alt.value(0.45)))
        bars = bars.add_params(pick)
    labels = (
        alt.Chart(f)
        .mark_text(align="left", dx=6, fontSize=label_size)
        .encode(y=alt.Y("source:N", sort=list(order)), x=f"{value}:Q", text="bar_text:N")
    )
    chart = bars + labels
    if width is not None:
        chart = chart.properties(width=width)
    if title is not None:
        chart = chart.properties(title=title)
    return chart


def roi_bars(
    frame: pl.DataFrame,
    *,
    label: Format,
    axis_title: str,
    tooltip: Sequence[alt.Tooltip],
    pick: alt.Parameter,
) -> alt.LayerChart:
    """Bars of each source's ROI (rows with one), green for a gain and orange for a loss,
    from a zero line, labelled by ``label``; clickable."""
    r = with_texts(frame.filter(pl.col("roi").is_not_null()), {"bar_text": ("roi", label)})
    order = r.sort("roi", descending=True)["source"].to_list()
    # the axis spans zero and every ROI, with room past the largest for its label
    lo, hi = min(r["roi"].min() or 0, 0), max(r["roi"].max() or 0, 0)
    span = (hi - lo) or 1  # layout
    lo = lo - 0.05 * span if lo < 0 else 0  # layout
    bars = (
        alt.Chart(r)
        .mark_bar(cornerRadiusEnd=3)
        .encode(
            y=alt.Y("source:N", sort=order, title=None),
            x=alt.X(
                "roi:Q",
                title=axis_title,
                axis=alt.Axis(format="~%"),
                scale=alt.Scale(domain=[lo, hi + 0.3 * span], nice=False),  # layout
            ),
            color=alt.condition(alt.datum.roi < 0, alt.value(charts.BAD), alt.value(charts.GOOD)),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.45)),
            tooltip=list(tooltip),
        )
        .add_params(pick)
    )
    text = (
        alt.Chart(r)
        .mark_text(align="left", dx=6, fontSize=15)
        .encode(y=alt.Y("source:N", sort=order), x="roi:Q", text="bar_text:N")
    )
    zero = (
        alt.Chart(pl.DataFrame({"x": [0.0]}))
        .mark_rule(color="black", strokeWidth=2)
        .encode(x="x:Q")
    )
    return bars + text + zero
