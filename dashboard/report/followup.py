"""The report's follow-up discipline section: speed to lead and reps against the SLA."""

from __future__ import annotations

from typing import Any

import altair as alt
import polars as pl

from dashboard import charts
from dashboard.i18n import (
    fmt_duration_minutes,
    fmt_number,
)
from dashboard.report.base import (
    CHART_WIDTH,
    Col,
    Report,
    esc,
    figure_row,
    html_table,
    section_html,
)


def followup_section(r: Report, number: int) -> str:
    parts: list[str] = []
    sla = fmt_duration_minutes(float(r.settings["sla_hours"]) * 60, r.lang)
    speed = r.metric("speed_to_lead")
    parts.append(f"<h3>{esc(r.t('speed_title'))}</h3>")
    missing = r.guidance(speed)
    if missing:
        parts.append(missing)
    else:
        assert speed.frame is not None
        rows = speed.frame.sort("bucket_order").to_dicts()
        data = pl.DataFrame(
            {
                "label": [r.t(f"bucket_{x['bucket_order']}") for x in rows],
                "share": [float(x["share"] or 0) for x in rows],
                "text": [f"{r.pct(x['share'])} ({r.n(x['leads'])})" for x in rows],
                "never": [x["bucket_order"] == 6 for x in rows],
            }
        )
        order = data["label"].to_list()
        bars = (
            alt.Chart(data)
            .mark_bar()
            .encode(
                y=alt.Y("label:N", sort=order, title=None),
                x=alt.X(
                    "share:Q",
                    title=r.t("speed_axis"),
                    axis=alt.Axis(format="%"),
                    scale=alt.Scale(domainMax=min(1.0, float(data["share"].max() or 0) * 1.4)),
                ),
                color=alt.condition(
                    alt.datum.never, alt.value(charts.BAD), alt.value(charts.PRIMARY)
                ),
            )
        )
        text = (
            alt.Chart(data)
            .mark_text(align="left", dx=6, fontSize=14)
            .encode(y=alt.Y("label:N", sort=order), x="share:Q", text="text:N")
        )
        chart = (bars + text).properties(width=CHART_WIDTH, title=r.t("speed_chart_title"))
        parts.append(r.svg(chart, height=240))
        parts.append(
            html_table(
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
        )
    owners = r.metric("followup_by_owner")
    parts.append(f'<h3 class="break-before">{esc(r.t("reps_title", sla=sla))}</h3>')
    missing = r.guidance(owners)
    if missing:
        parts.append(missing)
    else:
        assert owners.frame is not None
        rows = owners.frame.to_dicts()
        team = next((x for x in rows if x["owner"] == "(all)"), None)
        reps = [x for x in rows if x["owner"] not in ("(all)",)]
        team_rate = team["sla_compliance_rate"] if team else None
        if team:
            parts.append(
                figure_row(
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
            )

        def owner_name(x: dict[str, Any]) -> str:
            if x["owner"] == "(all)":
                return r.t("team_row")
            if x["owner"] == "(no owner)":
                return r.t("no_owner")
            return str(x["owner"])

        def below(x: dict[str, Any]) -> bool:
            # followup_by_owner decides it, with the rep_below_team_gap setting
            return bool(x["is_below_team"])

        def mark(x: dict[str, Any]) -> str:
            text = r.pct(x["sla_compliance_rate"])
            return f"{text} ▼" if x["owner"] != "(all)" and below(x) else text

        data = [x for x in reps if x["sla_compliance_rate"] is not None]
        if data:
            data = sorted(data, key=lambda x: -float(x["sla_compliance_rate"]))
            frame = pl.DataFrame(
                {
                    "owner": [owner_name(x) for x in data],
                    "rate": [float(x["sla_compliance_rate"]) for x in data],
                    "text": [r.pct(x["sla_compliance_rate"]) for x in data],
                    "below": [below(x) for x in data],
                }
            )
            bars = (
                alt.Chart(frame)
                .mark_bar()
                .encode(
                    y=alt.Y("owner:N", sort=frame["owner"].to_list(), title=None),
                    x=alt.X(
                        "rate:Q",
                        title=r.t("sla_axis", sla=sla),
                        axis=alt.Axis(format="%"),
                        scale=alt.Scale(domain=[0, 1.15]),
                    ),
                    color=alt.condition(
                        alt.datum.below, alt.value(charts.BAD), alt.value(charts.PRIMARY)
                    ),
                )
            )
            text = (
                alt.Chart(frame)
                .mark_text(align="left", dx=6, fontSize=13)
                .encode(
                    y=alt.Y("owner:N", sort=frame["owner"].to_list()), x="rate:Q", text="text:N"
                )
            )
            layers = bars + text
            if team_rate is not None:
                rule = (
                    alt.Chart(pl.DataFrame({"team": [float(team_rate)]}))
                    .mark_rule(color=charts.NEUTRAL, strokeDash=[6, 4], size=2)
                    .encode(x="team:Q")
                )
                layers = layers + rule
            chart = layers.properties(width=CHART_WIDTH - 80, title=r.t("sla_chart_title"))
            parts.append(r.svg(chart, height=max(160, 24 * frame.height)))
        parts.append(
            html_table(
                [
                    Col(r.t("col_owner"), owner_name, numeric=False),
                    Col(r.t("col_handed_off"), lambda x: r.n(x["handed_off"])),
                    Col(r.t("col_sla_compliance"), mark),
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
                row_class=lambda x: "total" if x["owner"] == "(all)" else "",
            )
        )
        gap = fmt_number(float(r.settings["rep_below_team_gap"]) * 100, r.lang, 0)
        parts.append(f'<p class="note">{esc(r.t("reps_note", gap=gap))}</p>')
    return section_html(
        "followup", number, r.t("followup_title"), r.t("followup_lead", sla=sla), "".join(parts)
    )
