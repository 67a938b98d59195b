"""The follow-up discipline charts, drawn the same way on the page and in the review report.

Each builder takes a metric's rows as the query returned them and the :class:`Words` of one
language, and returns an Altair chart. The builders never compute a metric: they choose rows
(the team row, reps with a first touch), word and format the numbers the queries gave, and
lay out the axes. The page asks for ``interactive=True`` (click a mark to list its leads);
the report passes its print ``width`` and a ``title``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import altair as alt
import polars as pl

from dashboard import charts, display_text
from dashboard.i18n import fmt_duration_minutes, fmt_int, fmt_number, fmt_pct, t

# the brief: reps make on average 1.3 call attempts before giving up on a lead
BENCHMARK_ATTEMPTS = 1.3
# speed buckets as the metrics name them, in order, with their message keys
BUCKETS = {
    "< 5 min": "bucket_5min",
    "< 1 h": "bucket_1h",
    "< 24 h": "bucket_24h",
    "< 72 h": "bucket_72h",
    "later": "bucket_later",
    "never": "bucket_never",
}
# labels the per-owner metrics give to leads without an owner and to the whole team
NO_OWNER = "(no owner)"
ALL = "(all)"
# the benchmark speaks of the first hour: the line sits between "< 1 h" and "< 24 h"
FIRST_HOUR_EDGE = 2.5
# the log axis of the scatter: where its ticks go (minutes) and how each is written
SCATTER_TICKS = (
    (1, "followup.unit_min", 1),
    (5, "followup.unit_min", 5),
    (15, "followup.unit_min", 15),
    (60, "followup.unit_h", 1),
    (240, "followup.unit_h", 4),
    (1440, "followup.unit_d", 1),
    (4320, "followup.unit_d", 3),
    (10080, "followup.unit_d", 7),
    (43200, "followup.unit_d", 30),
)


@dataclass(frozen=True)
class Words:
    """The words and number formats the follow-up charts show, in one language."""

    lang: str

    def t(self, key: str, /, **values: object) -> str:
        """The message ``key`` (e.g. ``followup.scatter_x``) in this language."""
        return t(key, self.lang, **values)

    def pct(self, value: float | None) -> str:
        """A share, as this language writes it."""
        return fmt_pct(value, self.lang)

    def n(self, value: float | int | None) -> str:
        """A count, as this language writes it."""
        return fmt_int(value, self.lang)

    def num(self, value: float | int | None, digits: int = 1) -> str:
        """A number with ``digits`` decimals, as this language writes it."""
        return fmt_number(value, self.lang, digits)

    def minutes(self, value: float | None) -> str:
        """A duration given in minutes, in the largest unit that reads well."""
        return fmt_duration_minutes(value, self.lang)

    def bucket(self, bucket: str | None) -> str:
        """A speed bucket's label."""
        key = BUCKETS.get(bucket or "")
        return self.t(f"followup.{key}") if key else (bucket or self.t("common.none_value"))

    def owner(self, owner: str | None) -> str:
        """An owner as shown (the team row and leads without owner translated)."""
        if owner == ALL:
            return self.t("followup.team")
        if owner is None or owner == NO_OWNER:
            return self.t("followup.no_owner")
        return owner


def texts(frame: pl.DataFrame, **columns: tuple[str, Callable[[Any], str]]) -> pl.DataFrame:
    """``frame`` with display-text columns: ``alias=(column, fmt)``, empty values kept empty."""
    return display_text.formatted(frame, columns)


def framed(chart: alt.LayerChart, width: int | None, title: str | None) -> alt.LayerChart:
    """The report's print width and title, when it gives them (the page stretches)."""
    if width is not None:
        chart = chart.properties(width=width)
    if title is not None:
        chart = chart.properties(title=title)
    return chart


# ----------------------------------------------------------------------------- speed
def _speed_frame(frame: pl.DataFrame, words: Words) -> pl.DataFrame:
    """``speed_to_lead`` rows in bucket order, with their labels and tooltip texts."""
    return (
        frame.sort("bucket_order")
        .pipe(
            texts,
            bucket=("speed_bucket", words.bucket),
            leads_text=("leads", words.n),
            share_text=("share", words.pct),
            sql_rate_text=("sql_rate", words.pct),
            win_rate_text=("win_rate", words.pct),
        )
        # the first hour is what the published benchmark is about
        .with_columns((pl.col("bucket_order") <= 2).alias("within_hour"))
    )


def _speed_x(s: pl.DataFrame, words: Words) -> alt.X:
    labels = ", ".join(f"{o}: '{b}'" for o, b in zip(s["bucket_order"], s["bucket"], strict=True))
    return alt.X(
        "bucket_order:Q",
        title=words.t("followup.time_to_first_touch"),
        scale=alt.Scale(domain=[0.5, 6.5], nice=False),
        axis=alt.Axis(
            values=list(range(1, 7)),
            labelExpr="{" + labels + "}[datum.value] || ''",
            grid=False,
            labelOverlap=False,
            labelFontSize=13,
        ),
    )


def _speed_tooltip(words: Words) -> list[alt.Tooltip]:
    return [
        alt.Tooltip("bucket:N", title=words.t("followup.speed_bucket")),
        alt.Tooltip("leads_text:N", title=words.t("common.handed_off")),
        alt.Tooltip("share_text:N", title=words.t("common.share")),
        alt.Tooltip("sql_rate_text:N", title=words.t("followup.sql_rate")),
        alt.Tooltip("win_rate_text:N", title=words.t("followup.win_rate")),
    ]


def _first_hour_rule() -> alt.Chart:
    return (
        alt.Chart(pl.DataFrame({"x": [FIRST_HOUR_EDGE]}))
        .mark_rule(color=charts.NEUTRAL, strokeDash=[6, 4], size=2)
        .encode(x="x:Q")
    )


def speed_leads(
    frame: pl.DataFrame,
    words: Words,
    *,
    interactive: bool = False,
    width: int | None = None,
    title: str | None = None,
) -> alt.LayerChart:
    """Handed-off leads per speed bucket (``speed_to_lead`` rows), labelled with their share;
    "never" in the warning colour, a dashed line at the end of the first hour.

    With ``interactive``, a click selects a bucket (selection ``bucket``, field
    ``speed_bucket``) and dims the others.
    """
    s = _speed_frame(frame, words)
    x = _speed_x(s, words)
    bars = (
        alt.Chart(s)
        .mark_bar(width=40, cornerRadiusEnd=3)
        .encode(
            x=x,
            y=alt.Y("leads:Q", title=words.t("common.handed_off"), axis=alt.Axis(format="~s")),
            color=alt.condition(
                alt.datum.speed_bucket == "never", alt.value(charts.BAD), alt.value(charts.PRIMARY)
            ),
            tooltip=_speed_tooltip(words),
        )
    )
    if interactive:
        pick = alt.selection_point(name="bucket", fields=["speed_bucket"])
        bars = bars.encode(opacity=alt.condition(pick, alt.value(1.0), alt.value(0.5))).add_params(
            pick
        )
    text = alt.Chart(s).mark_text(dy=-8, fontSize=14).encode(x=x, y="leads:Q", text="share_text:N")
    return framed(bars + text + _first_hour_rule(), width, title)


def speed_sql_rate(
    frame: pl.DataFrame, words: Words, *, width: int | None = None, title: str | None = None
) -> alt.LayerChart:
    """The SQL rate per speed bucket (``speed_to_lead`` rows): first-hour buckets in the good
    colour, with the published first-hour benchmark written beside the line."""
    s = _speed_frame(frame, words)
    x = _speed_x(s, words)
    bars = (
        alt.Chart(s)
        .mark_bar(width=40, cornerRadiusEnd=3)
        .encode(
            x=x,
            y=alt.Y("sql_rate:Q", title=words.t("followup.sql_rate"), axis=alt.Axis(format="%")),
            color=alt.condition(
                alt.datum.within_hour, alt.value(charts.GOOD), alt.value(charts.NEUTRAL)
            ),
            tooltip=_speed_tooltip(words),
        )
    )
    text = (
        alt.Chart(s)
        .mark_text(dy=-8, fontSize=14)
        .encode(x=x, y="sql_rate:Q", text="sql_rate_text:N")
    )
    note = (
        alt.Chart(pl.DataFrame({"x": [FIRST_HOUR_EDGE]}))
        .mark_text(
            align="left", dx=6, dy=4, baseline="top", fontSize=14, color="#333333", lineBreak="\n"
        )
        .encode(x="x:Q", y=alt.value(0), text=alt.value(words.t("followup.hbr_annotation")))
    )
    return framed(bars + text + _first_hour_rule() + note, width, title)


# ----------------------------------------------------------------------------- attempts
def attempts(
    frame: pl.DataFrame,
    words: Words,
    *,
    team_mean: float | None,
    interactive: bool = False,
    width: int | None = None,
    title: str | None = None,
) -> alt.LayerChart:
    """Handed-off leads by attempts made (``followup`` rows), labelled with their share; 0 and
    1 attempt in the warning colour, with the brief's benchmark and ``team_mean`` (the team
    row of ``followup_by_owner``; no line when unknown) as labelled dashed lines.

    With ``interactive``, a click selects a bar (selection ``attempts``, field
    ``attempts_order``) and dims the others.
    """
    a = (
        frame.sort("attempts_order")
        .pipe(
            texts,
            leads_text=("leads", words.n),
            share_text=("share", words.pct),
            sql_rate_text=("sql_rate", words.pct),
        )
        .with_columns((pl.col("attempts_order") <= 1).alias("too_few"))
    )
    x = alt.X(
        "attempts_order:Q",
        title=words.t("followup.attempts_axis"),
        scale=alt.Scale(domain=[-0.6, 10.6], nice=False),
        axis=alt.Axis(
            values=list(range(11)),
            labelExpr="datum.value == 10 ? '10+' : datum.label",
            grid=False,
            format="d",
        ),
    )
    bars = (
        alt.Chart(a)
        .mark_bar(width=40, cornerRadiusEnd=3)
        .encode(
            x=x,
            y=alt.Y("leads:Q", title=words.t("common.handed_off"), axis=alt.Axis(format="~s")),
            color=alt.condition(
                alt.datum.too_few, alt.value(charts.BAD), alt.value(charts.PRIMARY)
            ),
            tooltip=[
                alt.Tooltip("attempts:N", title=words.t("followup.attempts")),
                alt.Tooltip("leads_text:N", title=words.t("common.handed_off")),
                alt.Tooltip("share_text:N", title=words.t("common.share")),
                alt.Tooltip("sql_rate_text:N", title=words.t("followup.sql_rate")),
            ],
        )
    )
    if interactive:
        pick = alt.selection_point(name="attempts", fields=["attempts_order"])
        bars = bars.encode(opacity=alt.condition(pick, alt.value(1.0), alt.value(0.5))).add_params(
            pick
        )
    text = alt.Chart(a).mark_text(dy=-8, fontSize=13).encode(x=x, y="leads:Q", text="share_text:N")
    return framed(bars + text + _attempt_lines(words, team_mean), width, title)


def _attempt_lines(words: Words, team_mean: float | None) -> alt.LayerChart:
    """The benchmark and the team's mean as dashed lines, their labels stacked on the left."""
    refs: list[dict[str, Any]] = [
        {
            "x": BENCHMARK_ATTEMPTS,
            "label": words.t("followup.benchmark_label", n=words.num(BENCHMARK_ATTEMPTS)),
            "kind": "benchmark",
        }
    ]
    if team_mean is not None:
        refs.append(
            {
                "x": float(team_mean),
                "label": words.t("followup.team_mean_label", n=words.num(team_mean)),
                "kind": "team",
            }
        )
    colour = alt.Color(
        "kind:N",
        scale=alt.Scale(domain=["benchmark", "team"], range=[charts.NEUTRAL, charts.ACCENT]),
        legend=None,
    )
    rules = (
        alt.Chart(pl.DataFrame(refs))
        .mark_rule(strokeDash=[6, 4], size=3)
        .encode(x="x:Q", color=colour)
    )
    # one label per line, stacked so the two never overlap
    labels = alt.layer(
        *(
            alt.Chart(pl.DataFrame([r]))
            .mark_text(align="left", dx=6, baseline="top", fontSize=14, fontWeight="bold")
            .encode(x="x:Q", y=alt.value(4 + 22 * i), text="label:N", color=colour)
            for i, r in enumerate(refs)
        )
    )
    return rules + labels


# ----------------------------------------------------------------------------- by attempt
def conversion(
    frame: pl.DataFrame, words: Words, *, width: int | None = None, title: str | None = None
) -> alt.LayerChart:
    """Per attempt number (``attempt_conversion`` rows): the share first reached on that
    attempt and the SQL rate of the leads that got that far, as two lines."""
    long = (
        frame.sort("attempt_number")
        .unpivot(
            index=["attempt_number", "leads_reaching"],
            on=["sql_rate", "connect_rate"],
            variable_name="rate_key",
            value_name="rate",
        )
        .pipe(
            texts,
            rate_name=("rate_key", lambda k: words.t(f"followup.conv_{k}")),
            rate_text=("rate", words.pct),
            reaching_text=("leads_reaching", words.n),
        )
    )
    names = [words.t("followup.conv_sql_rate"), words.t("followup.conv_connect_rate")]
    colour = alt.Color(
        "rate_name:N",
        scale=alt.Scale(domain=names, range=[charts.GOOD, charts.PRIMARY]),
        legend=alt.Legend(title=None, orient="top"),
    )
    x = alt.X(
        "attempt_number:Q",
        title=words.t("followup.attempt_number"),
        scale=alt.Scale(domain=[1, 10], nice=False),
        axis=alt.Axis(values=list(range(1, 11)), format="d"),
    )
    y = alt.Y("rate:Q", title=words.t("common.rate"), axis=alt.Axis(format="%"))
    tooltip = [
        alt.Tooltip("attempt_number:Q", title=words.t("followup.attempt_number")),
        alt.Tooltip("rate_name:N", title=words.t("common.rate")),
        alt.Tooltip("rate_text:N", title=words.t("followup.value")),
        alt.Tooltip("reaching_text:N", title=words.t("followup.leads_reaching")),
    ]
    lines = alt.Chart(long).mark_line(strokeWidth=3).encode(x=x, y=y, color=colour)
    points = (
        alt.Chart(long)
        .mark_point(filled=True, size=90)
        .encode(
            x=x, y=y, color=colour, shape=alt.Shape("rate_name:N", legend=None), tooltip=tooltip
        )
    )
    return framed(lines + points, width, title)


# ----------------------------------------------------------------------------- per rep
