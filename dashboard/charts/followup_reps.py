"""The follow-up page's and the report's scatter of reps: speed to lead against persistence."""

from __future__ import annotations

import altair as alt
import polars as pl

from dashboard import charts
from dashboard.charts.followup import (
    ALL,
    BENCHMARK_ATTEMPTS,
    SCATTER_TICKS,
    Words,
    framed,
    texts,
)


def _reps_with_first_touch(frame: pl.DataFrame) -> pl.DataFrame:
    """The reps of ``followup_by_owner`` (not the team row) the scatter can place."""
    return frame.filter((pl.col("owner") != ALL) & (pl.col("median_minutes_to_first_touch") > 0))


def has_reps(frame: pl.DataFrame) -> bool:
    """True when :func:`reps_scatter` has at least one rep to draw."""
    return _reps_with_first_touch(frame).height > 0


def _rep_dots(frame: pl.DataFrame, words: Words, sla_hours: float) -> pl.DataFrame:
    """The reps of ``followup_by_owner`` with a first touch (not the team row), with their
    tooltip texts and how each is named beside its circle."""
    dots = _reps_with_first_touch(frame).with_columns(
        pl.when(pl.col("is_below_team"))
        .then(pl.lit(words.t("followup.below_team")))
        .otherwise(pl.lit(words.t("followup.not_below_team")))
        .alias("below_text")
    )
    dots = dots.pipe(
        texts,
        rep=("owner", words.owner),
        speed_text=("median_minutes_to_first_touch", words.minutes),
        attempts_text=("mean_attempts", words.num),
        handed_off_text=("handed_off", words.n),
        sla_text=("sla_compliance_rate", words.pct),
        one_text=("one_attempt_rate", words.pct),
        given_up_text=("given_up", words.n),
    )
    # reps past a reference line are named in full beside their circle; the ones in the
    # crowded middle by given name, alternately above and below, so the labels stay legible
    is_outlier = (pl.col("median_minutes_to_first_touch") > sla_hours * 60) | (
        pl.col("mean_attempts") < BENCHMARK_ATTEMPTS + 1
    )
    given = pl.col("rep").str.split(" ").list.last()
    return (
        dots.with_columns(is_outlier.alias("outlier"), given.alias("given"))
        .with_columns(
            pl.when(pl.col("given").is_duplicated())
            .then(pl.col("rep").str.split(" ").list.slice(-2).list.join(" "))
            .otherwise(pl.col("given"))
            .alias("given")
        )
        .sort("median_minutes_to_first_touch")
        .with_columns((pl.int_range(pl.len()).over("outlier") % 2 == 0).alias("label_above"))
    )


def _scatter_axes(dots: pl.DataFrame, words: Words, sla_hours: float) -> tuple[alt.X, alt.Y]:
    """A log time axis wide enough for the SLA and the slowest rep's name; attempts from 0."""
    low = max(1.0, float(dots["median_minutes_to_first_touch"].min() or 1) / 2)  # layout
    # room on the right for the slowest rep's name
    high = max(sla_hours * 60 * 2, float(dots["median_minutes_to_first_touch"].max() or 1) * 5)
    ticks = {m: words.t(unit, n=n) for m, unit, n in SCATTER_TICKS}
    x = alt.X(
        "median_minutes_to_first_touch:Q",
        title=words.t("followup.scatter_x"),
        scale=alt.Scale(type="log", domain=[low, high], nice=False),
        axis=alt.Axis(
            values=[k for k in ticks if low <= k <= high],
            labelExpr="{" + ", ".join(f"{k}: '{v}'" for k, v in ticks.items()) + "}[datum.value]",
            grid=True,
        ),
    )
    y_top = max(5.0, float(dots["mean_attempts"].max() or 0) + 0.5)  # layout
    y = alt.Y(
        "mean_attempts:Q",
        title=words.t("followup.scatter_y"),
        scale=alt.Scale(domain=[0, y_top], nice=False),
    )
    return x, y


def _scatter_lines(words: Words, sla_hours: float) -> alt.LayerChart:
    """The SLA (a time) and the brief's benchmark (attempts) as labelled dashed lines."""
    sla = alt.Chart(
        pl.DataFrame(
            {
                "x": [sla_hours * 60],
                "label": [words.t("followup.sla_rule", sla=words.num(sla_hours, 0))],
            }
        )
    )
    bench = alt.Chart(
        pl.DataFrame(
            {
                "y": [BENCHMARK_ATTEMPTS],
                "label": [words.t("followup.benchmark_label", n=words.num(BENCHMARK_ATTEMPTS))],
            }
        )
    )
    return (
        sla.mark_rule(color=charts.BAD, strokeDash=[6, 4], size=2).encode(x="x:Q")
        + sla.mark_text(align="right", dx=-6, baseline="top", fontSize=14, color=charts.BAD).encode(
            x="x:Q", y=alt.value(4), text="label:N"
        )
        + bench.mark_rule(color=charts.NEUTRAL, strokeDash=[6, 4], size=2).encode(y="y:Q")
        + bench.mark_text(
            align="left", baseline="bottom", dy=-4, fontSize=14, color="#333333"
        ).encode(y="y:Q", x=alt.value(6), text="label:N")
    )


def reps_scatter(
    frame: pl.DataFrame,
    words: Words,
    *,
    sla_hours: float,
    interactive: bool = False,
    width: int | None = None,
    title: str | None = None,
) -> alt.LayerChart:
    """Each rep of ``followup_by_owner`` as a circle: median time to first touch (log x)
    against mean attempts (y), sized by handed-off leads, in the warning colour when the
    query flags the rep below the team's SLA compliance; the SLA and the benchmark as lines.

    With ``interactive``, a click selects a rep (selection ``rep``, field ``owner``).
    """
    dots = _rep_dots(frame, words, sla_hours)
    x, y = _scatter_axes(dots, words, sla_hours)
    points = (
        alt.Chart(dots)
        .mark_circle(stroke="black", strokeWidth=1, opacity=0.9)
        .encode(
            x=x,
            y=y,
            size=alt.Size(
                "handed_off:Q",
                title=words.t("common.handed_off"),
                scale=alt.Scale(range=[150, 900]),
                # the caption says what the size is; a legend beside the plot would halve it
                # on a phone, and one under it would not fit beside the colours' legend
                legend=None,
            ),
            # the reps below the team's SLA compliance, as followup_by_owner flags them (the
            # rep_below_team_gap setting; the report's table marks the same reps)
            color=alt.Color(
                "below_text:N",
                title=words.t("followup.sla_compliance"),
                scale=alt.Scale(
                    domain=[words.t("followup.below_team"), words.t("followup.not_below_team")],
                    range=[charts.BAD, charts.PRIMARY],
                ),
                # under the plot, not beside it: on a phone a legend beside it halves the plot
                legend=alt.Legend(orient="bottom", direction="horizontal"),
            ),
            tooltip=[
                alt.Tooltip("rep:N", title=words.t("followup.rep")),
                alt.Tooltip("speed_text:N", title=words.t("followup.median_first_touch")),
                alt.Tooltip("attempts_text:N", title=words.t("followup.mean_attempts")),
                alt.Tooltip("handed_off_text:N", title=words.t("common.handed_off")),
                alt.Tooltip("sla_text:N", title=words.t("followup.sla_compliance")),
                alt.Tooltip("one_text:N", title=words.t("followup.one_attempt")),
                alt.Tooltip("given_up_text:N", title=words.t("followup.given_up")),
            ],
        )
    )
    if interactive:
        points = points.add_params(alt.selection_point(name="rep", fields=["owner"]))
    # on a phone the reps that stand out are named by their given name too, smaller, so
    # the names stay inside the plot and off each other
    full_names = (
        alt.Chart(dots.filter(pl.col("outlier")))
        .transform_calculate(shown=charts.narrow_text("given", "rep"))
        .mark_text(
            align="left",
            dx=charts.narrow_or(10, 16),
            fontSize=charts.narrow_or(12, 15),
            fontWeight="bold",
        )
        .encode(x=x, y=y, text="shown:N")
    )
    short_names = [
        alt.Chart(dots.filter(~pl.col("outlier") & (pl.col("label_above") == above)))
        .mark_text(dy=-20 if above else 22, fontSize=charts.narrow_or(11, 13))
        .encode(x=x, y=y, text="given:N")
        for above in (True, False)
    ]
    names = alt.layer(full_names, *short_names)
    return framed(_scatter_lines(words, sla_hours) + points + names, width, title)
