"""Chart style shared by the dashboard and the review report: large type for a projector,
a colour-blind-safe palette, and one colour per source on every page."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt

# Okabe–Ito, reordered so the first colours are the most distinct; safe for the common
# forms of colour blindness. Yellow comes last: it is weak on a white projector screen.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#56B4E9",
    "#CC79A7",
    "#7F7F7F",
    "#000000",
    "#B07AA1",
    "#9C755F",
    "#F0E442",
)
# Fixed meanings used across pages.
GOOD = "#009E73"
BAD = "#D55E00"
NEUTRAL = "#7F7F7F"
PRIMARY = "#0072B2"
ACCENT = "#E69F00"
# Sequential scheme for heatmaps (perceptually uniform, colour-blind safe).
HEATMAP_SCHEME = "blues"

FONT = "Source Sans Pro, Segoe UI, Helvetica, Arial, sans-serif"

# A chart drawn narrower than this many pixels (on a phone) writes shorter labels. The
# browser decides, with Vega-Lite's own width signal: one chart serves a projector and a
# phone, and the page does not need to know the screen.
NARROW_PX = 560


def narrow_or(narrow: object, wide: object) -> alt.ExprRef:
    """A mark property that is ``narrow`` on a narrow chart and ``wide`` otherwise."""
    return alt.ExprRef(expr=f"width < {NARROW_PX} ? {narrow!r} : {wide!r}")


def narrow_text(narrow_field: str, wide_field: str) -> str:
    """A Vega expression choosing between two text fields by the chart's width."""
    return f"width < {NARROW_PX} ? datum[{narrow_field!r}] : datum[{wide_field!r}]"


def colour_scale(values: Sequence[str | None]) -> alt.Scale:
    """A scale giving each value (e.g. every source in the workspace) its own fixed colour.

    Pass every value the workspace has, not only the ones on screen, so a source keeps its
    colour when a filter removes the others.
    """
    domain = [v if v is not None else "(none)" for v in values]
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(domain))]
    return alt.Scale(domain=domain, range=colours)


def style(chart: alt.TopLevelMixin, *, height: int = 360) -> alt.TopLevelMixin:
    """Apply the house style: readable from the back of a meeting room."""
    return (
        chart.properties(height=height)
        .configure(font=FONT, background="white")
        .configure_axis(
            labelFontSize=15,
            titleFontSize=15,
            labelLimit=260,
            titlePadding=10,
            gridColor="#e6e6e6",
        )
        .configure_legend(labelFontSize=15, titleFontSize=15, symbolSize=180, labelLimit=260)
        .configure_title(fontSize=18, anchor="start", offset=12)
        .configure_header(labelFontSize=15, titleFontSize=15)
        .configure_text(fontSize=14)
        .configure_view(strokeWidth=0)
        .configure_range(category=list(PALETTE))
    )
