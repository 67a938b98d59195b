"""The report's follow-up discipline section: speed to lead and reps against the SLA.

Its charts are the Follow-up page's (:mod:`dashboard.charts.followup`), drawn at the
report's print width with a title above each.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import polars as pl

from dashboard import charts
from dashboard.charts import followup as fc
from dashboard.charts import followup_reps
from dashboard.charts.followup import ALL, NO_OWNER, Words
from dashboard.i18n import fmt_duration_minutes, fmt_number
from dashboard.report.base import (
    CHART_WIDTH,
    Col,
    Report,
    esc,
    figure_row,
    html_table,
    section_html,
)

# chart heights in the printed report (the page's are taller: a projector, not A4)
SPEED_HEIGHT = 280
SCATTER_HEIGHT = 400
# the scatter's legends sit beside its plot, inside the page width
SCATTER_WIDTH = CHART_WIDTH - 120
# the SLA bars: one row per rep
SLA_ROW_HEIGHT = 26


def followup_section(r: Report, number: int) -> str:
    """Speed to lead (chart and table by bucket), then the reps against the SLA (team
    figures, the speed-vs-persistence chart, the per-rep table)."""
    sla = fmt_duration_minutes(float(r.settings["sla_hours"]) * 60, r.lang)
    words = Words(r.lang)
    body = _speed_part(r, words) + _reps_part(r, words, sla)
    return section_html(
        "followup", number, r.t("followup_title"), r.t("followup_lead", sla=sla), body
    )


# ----------------------------------------------------------------------------- speed
def _speed_part(r: Report, words: Words) -> str:
    """Handed-off leads by time to first attempt, as the page's chart and as a table."""
    speed = r.metric("speed_to_lead")
    head = f"<h3>{esc(r.t('speed_title'))}</h3>"
    missing = r.guidance(speed)
    if missing:
        return head + missing
    assert speed.frame is not None
    chart = fc.speed_leads(speed.frame, words, width=CHART_WIDTH, title=r.t("speed_chart_title"))
    return (
        head
        + r.svg(chart, height=SPEED_HEIGHT)
        + _speed_table(r, speed.frame.sort("bucket_order").to_dicts())
    )


def _speed_table(r: Report, rows: list[dict[str, Any]]) -> str:
    """One row per speed bucket: leads, share, SQLs and the rates."""
    return html_table(
        [
            Col(r.t("col_speed"), lambda x: r.t(f"bucket_{x['bucket_order']}"), False),
            Col(r.t("col_handed_off"), lambda x: r.n(x["leads"])),
            Col(r.t("col_share"), lambda x: r.pct(x["share"])),
            Col(r.t("col_sqls"), lambda x: r.n(x["sqls"])),
            Col(r.t("col_sql_rate"), lambda x: r.pct(x["sql_rate"])),
            Col(r.t("col_win_rate"), lambda x: r.pct(x["win_rate"])),
        ],
        rows,
        css="keep",
    )


# ----------------------------------------------------------------------------- per rep
def _reps_part(r: Report, words: Words, sla: str) -> str:
    """The team's figures, every rep's speed against persistence, and the per-rep table."""
    owners = r.metric("followup_by_owner")
    head = f'<h3 class="break-before">{esc(r.t("reps_title", sla=sla))}</h3>'
    missing = r.guidance(owners)
    if missing:
        return head + missing
    assert owners.frame is not None
    reps = worst_first(owners.frame)
    rows = reps.to_dicts()
    team = next((x for x in rows if x["owner"] == ALL), None)
    parts = [head]
    if team:
        parts.append(_team_figures(r, team))
    if reps.filter(pl.col("owner") != ALL)["sla_compliance_rate"].is_not_null().any():
        chart = sla_bars(r, reps, sla)
        parts.append(r.svg(chart, height=SLA_ROW_HEIGHT * (reps.height - 1) + 60))
    if followup_reps.has_reps(owners.frame):
        chart = followup_reps.reps_scatter(
            owners.frame,
            words,
            sla_hours=float(r.settings["sla_hours"]),
            width=SCATTER_WIDTH,
            title=words.t("followup.scatter_title"),
        )
        parts.append(r.svg(chart, height=SCATTER_HEIGHT))
    parts.append(_reps_table(r, rows))
    gap = fmt_number(float(r.settings["rep_below_team_gap"]) * 100, r.lang, 0)
    parts.append(f'<p class="note">{esc(r.t("reps_note", gap=gap))}</p>')
    return "".join(parts)


def worst_first(frame: pl.DataFrame) -> pl.DataFrame:
    """``followup_by_owner``'s rows with the reps worst first (lowest SLA compliance, then
    slowest first touch; a rep with no rate last), the team row at the end, as the
    Follow-up page lists them."""
    reps = frame.filter(pl.col("owner") != ALL).sort(
        ["sla_compliance_rate", "median_minutes_to_first_touch"],
        descending=[False, True],
        nulls_last=True,
    )
    return pl.concat([reps, frame.filter(pl.col("owner") == ALL)])


def sla_bars(r: Report, reps: pl.DataFrame, sla: str) -> alt.LayerChart:
    """Each rep's SLA compliance as a bar, worst rep on top, on an axis from 0 to 100 %
    (a share cannot pass it); the reps ``followup_by_owner`` flags below the team in the
    warning colour, the team's compliance as a dashed line."""
    team = reps.filter(pl.col("owner") == ALL)
    shown = reps.filter((pl.col("owner") != ALL) & pl.col("sla_compliance_rate").is_not_null())
    rows = shown.to_dicts()
    bars = shown.with_columns(
        pl.Series("rep", [_owner_name(r, x) for x in rows], dtype=pl.String),
        pl.Series("text", [r.pct(x["sla_compliance_rate"]) for x in rows], dtype=pl.String),
        pl.when(pl.col("is_below_team"))
        .then(pl.lit(r.other_t("followup.below_team")))
        .otherwise(pl.lit(r.other_t("followup.not_below_team")))
        .alias("flag"),
    )
    order = bars["rep"].to_list()
    x = alt.X(
        "sla_compliance_rate:Q",
        title=r.t("sla_axis", sla=sla),
        scale=alt.Scale(domain=[0, 1], nice=False, clamp=True),
        axis=alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1]),
    )
    y = alt.Y("rep:N", sort=order, title=None)
    base = alt.Chart(bars)
    layers = base.mark_bar(cornerRadiusEnd=3).encode(
        x=x,
        y=y,
        color=alt.Color(
            "flag:N",
            title=None,
            scale=alt.Scale(
                domain=[r.other_t("followup.below_team"), r.other_t("followup.not_below_team")],
                range=[charts.BAD, charts.PRIMARY],
            ),
            legend=alt.Legend(orient="bottom"),
        ),
    ) + base.mark_text(align="left", dx=4, fontSize=12).encode(x=x, y=y, text="text:N")
    if team.height and team["sla_compliance_rate"][0] is not None:
        line = alt.Chart(
            pl.DataFrame(
                {
                    "x": [team["sla_compliance_rate"][0]],
                    "label": [r.t("sla_team_line", rate=r.pct(team["sla_compliance_rate"][0]))],
                }
            )
        )
        layers = (
            layers
            + line.mark_rule(color=charts.NEUTRAL, strokeDash=[6, 4], size=2).encode(
                x=alt.X("x:Q", scale=alt.Scale(domain=[0, 1], nice=False))
            )
            + line.mark_text(align="right", dx=-4, baseline="bottom", fontSize=12).encode(
                x="x:Q", y=alt.value(-4), text="label:N"
            )
        )
    return layers.properties(width=CHART_WIDTH - 140, title=r.t("sla_chart_title"))


def _team_figures(r: Report, team: dict[str, Any]) -> str:
    """The team row of ``followup_by_owner`` as headline figures."""
    return figure_row(
        [
            (r.t("fig_sla_compliance"), r.pct(team["sla_compliance_rate"])),
            (r.t("fig_mean_attempts"), r.num(team["mean_attempts"])),
            (r.t("fig_one_attempt"), r.pct(team["one_attempt_rate"])),
            (r.t("fig_given_up"), r.n(team["given_up"])),
            (
                r.t("fig_first_touch"),
                fmt_duration_minutes(team["median_minutes_to_first_touch"], r.lang),
            ),
        ]
    )


def _owner_name(r: Report, x: dict[str, Any]) -> str:
    """A row's owner as the report writes it (the team row and leads without owner)."""
    if x["owner"] == ALL:
        return r.t("team_row")
    if x["owner"] == NO_OWNER:
        return r.t("no_owner")
    return str(x["owner"])


def _sla_cell(r: Report, x: dict[str, Any]) -> str:
    """SLA compliance, marked ▼ for a rep ``followup_by_owner`` flags below the team (the
    rep_below_team_gap setting)."""
    text = r.pct(x["sla_compliance_rate"])
    return f"{text} ▼" if x["owner"] != ALL and x["is_below_team"] else text


def _reps_table(r: Report, rows: list[dict[str, Any]]) -> str:
    """One row per rep, worst first (as :func:`worst_first` orders them), the team row in
    bold at the end."""
    return html_table(
        [
            Col(r.t("col_owner"), lambda x: _owner_name(r, x), numeric=False),
            Col(r.t("col_handed_off"), lambda x: r.n(x["handed_off"])),
            Col(r.t("col_sla_compliance"), lambda x: _sla_cell(r, x)),
            Col(
                r.t("col_first_touch"),
                lambda x: fmt_duration_minutes(x["median_minutes_to_first_touch"], r.lang),
            ),
            Col(r.t("col_mean_attempts"), lambda x: r.num(x["mean_attempts"])),
            Col(r.t("col_one_attempt"), lambda x: r.pct(x["one_attempt_rate"])),
            Col(r.t("col_given_up"), lambda x: r.n(x["given_up"])),
            Col(r.t("col_sql_rate"), lambda x: r.pct(x["sql_rate"])),
        ],
        rows,
        css="compact",
        row_class=lambda x: "total" if x["owner"] == ALL else "",
    )
