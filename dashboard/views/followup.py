"""Follow-up discipline (sales): how fast reps first reach out after a handoff, how many
attempts they make before giving up, whether speed and persistence pay off, and who misses
the SLA or gives up too early."""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import polars as pl
import streamlit as st

from dashboard import charts, ui
from dashboard.i18n import fmt_duration_minutes, fmt_int, fmt_number, fmt_pct

ctx = ui.current()
T = ctx.t

st.title(T("pages.followup"))
st.caption(T("followup.question"))
if not ctx.has_leads:
    st.info(T("common.no_workspace"))
    st.stop()

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
# sales verdicts as lead_list names them
VERDICTS = ("accepted", "rejected", "never worked")


def pct(value: float | None) -> str:
    """A share as the page's language writes it."""
    return fmt_pct(value, ctx.lang)


def bucket_name(bucket: str | None) -> str:
    """A speed bucket's label in the page's language."""
    key = BUCKETS.get(bucket or "")
    return T(f"followup.{key}") if key else (bucket or T("common.none_value"))


def owner_name(owner: str | None) -> str:
    """An owner as shown on the page (the team row and leads without owner translated)."""
    if owner == ALL:
        return T("followup.team")
    if owner is None or owner == NO_OWNER:
        return T("followup.no_owner")
    return owner


def verdict_name(verdict: str | None) -> str:
    """Sales' verdict on a lead (accepted, rejected, never worked) in the page's language."""
    key = "followup.verdict_" + (verdict or "").replace(" ", "_")
    return T(key) if verdict in VERDICTS else (verdict or T("common.none_value"))


def lead_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """A lead list narrowed to the follow-up columns, with headings in the page's language."""
    return ui.select_text(
        frame,
        "lead_id",
        pl.col("owner").alias(T("common.owner")),
        pl.col("source").alias(T("common.source")),
        pl.col("handed_off_at").alias(T("followup.handed_off_at")),
        ui.text_col("speed_bucket", bucket_name, T("followup.speed_bucket")),
        pl.col("minutes_to_first_touch").round(0).alias(T("followup.minutes_to_first_touch")),
        pl.col("n_attempts").alias(T("followup.attempts")),
        pl.col("has_connect").alias(T("followup.has_connect")),
        pl.col("is_sla_met").alias(T("followup.sla_met")),
        pl.col("is_given_up").alias(T("followup.given_up")),
        ui.text_col("sales_verdict", verdict_name, T("followup.sales_verdict")),
        pl.col("is_sql").alias(T("followup.reached_sql")),
    )


def drill(what: str, keep: Callable[[pl.DataFrame], pl.DataFrame], key: str) -> None:
    """List the handed-off leads behind a clicked mark, with their follow-up columns."""
    ui.leads_behind(
        ctx, what, lambda fr: lead_rows(keep(fr.filter(pl.col("is_handed_off")))), key=key
    )


def owner_is(owner: str) -> pl.Expr:
    """Leads of ``owner`` as the per-owner metrics name it."""
    if owner == ALL:
        return pl.lit(True)
    if owner == NO_OWNER:
        return pl.col("owner").is_null()
    return pl.col("owner") == owner


# ----------------------------------------------------------------------------- headline
by_owner = ui.metric(ctx, "followup_by_owner")
team: dict | None = None
if ui.usable(ctx, by_owner):
    team_rows = by_owner.frame.filter(pl.col("owner") == ALL)
    team = team_rows.row(0, named=True) if team_rows.height else None
if team is not None:
    sla_hours = float(by_owner.values.get("sla_hours") or 24)
    give_up_days = int(by_owner.values.get("give_up_days") or 14)
    items = [
        (
            "followup.median_first_touch",
            fmt_duration_minutes(team["median_minutes_to_first_touch"], ctx.lang),
            T("followup.median_first_touch_help"),
        ),
        (
            "followup.within_sla",
            pct(team["sla_compliance_rate"]),
            T("followup.within_sla_help", sla=fmt_number(sla_hours, ctx.lang)),
        ),
        (
            "followup.mean_attempts",
            fmt_number(team["mean_attempts"], ctx.lang, 1),
            T(
                "followup.mean_attempts_help",
                benchmark=fmt_number(BENCHMARK_ATTEMPTS, ctx.lang, 1),
            ),
        ),
        ("followup.zero_attempts", pct(team["zero_attempt_rate"]), T("followup.zero_help")),
        ("followup.one_attempt", pct(team["one_attempt_rate"]), T("followup.one_help")),
        (
            "followup.given_up",
            fmt_int(team["given_up"], ctx.lang),
            T("followup.given_up_help", days=fmt_int(give_up_days, ctx.lang)),
        ),
    ]
    # two rows of three: the labels stay whole on a projector
    for col, (key, value, help_text) in zip([*st.columns(3), *st.columns(3)], items, strict=True):
        col.metric(T(key), value, help=help_text)
    st.caption(
        T(
            "followup.headline_caption",
            handed_off=fmt_int(team["handed_off"], ctx.lang),
            given_up_attempts=fmt_number(team["attempts_on_given_up"], ctx.lang, 1),
            connect=pct(team["connect_rate"]),
            sql=pct(team["sql_rate"]),
        )
    )
    ui.how_computed(ctx, by_owner)

# ----------------------------------------------------------------------------- speed
st.subheader(T("followup.speed_title"))
st.caption(T("followup.speed_caption"))
speed = ui.metric(ctx, "speed_to_lead")
if ui.usable(ctx, speed):
    s = speed.frame.sort("bucket_order").pipe(
        ui.with_text,
        ui.text_col("speed_bucket", bucket_name, "bucket"),
        ui.text_col("leads", lambda v: fmt_int(v, ctx.lang), "leads_text"),
        ui.text_col("share", pct, "share_text"),
        ui.text_col("sql_rate", pct, "sql_rate_text"),
        ui.text_col("win_rate", pct, "win_rate_text"),
        # the first hour is what the published benchmark is about
        (pl.col("bucket_order") <= 2).alias("within_hour"),
    )
    labels_expr = (
        "{"
        + ", ".join(f"{o}: '{b}'" for o, b in zip(s["bucket_order"], s["bucket"], strict=True))
        + "}[datum.value] || ''"
    )
    x = alt.X(
        "bucket_order:Q",
        title=T("followup.time_to_first_touch"),
        scale=alt.Scale(domain=[0.5, 6.5], nice=False),
        axis=alt.Axis(
            values=list(range(1, 7)),
            labelExpr=labels_expr,
            grid=False,
            labelOverlap=False,
            labelFontSize=13,
        ),
    )
    tooltip = [
        alt.Tooltip("bucket:N", title=T("followup.speed_bucket")),
        alt.Tooltip("leads_text:N", title=T("common.handed_off")),
        alt.Tooltip("share_text:N", title=T("common.share")),
        alt.Tooltip("sql_rate_text:N", title=T("followup.sql_rate")),
        alt.Tooltip("win_rate_text:N", title=T("followup.win_rate")),
    ]
    rule_at = alt.Chart(pl.DataFrame({"x": [2.5]}))
    benchmark_rule = rule_at.mark_rule(color=charts.NEUTRAL, strokeDash=[6, 4], size=2).encode(
        x="x:Q"
    )
    benchmark_text = rule_at.mark_text(
        align="left", dx=6, dy=4, baseline="top", fontSize=14, color="#333333", lineBreak="\n"
    ).encode(x="x:Q", y=alt.value(0), text=alt.value(T("followup.hbr_annotation")))
    pick = alt.selection_point(name="bucket", fields=["speed_bucket"])
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{T('followup.speed_leads_title')}**")
        bars = (
            alt.Chart(s)
            .mark_bar(width=40, cornerRadiusEnd=3)
            .encode(
                x=x,
                y=alt.Y("leads:Q", title=T("common.handed_off"), axis=alt.Axis(format="~s")),
                color=alt.condition(
                    alt.datum.speed_bucket == "never",
                    alt.value(charts.BAD),
                    alt.value(charts.PRIMARY),
                ),
                opacity=alt.condition(pick, alt.value(1.0), alt.value(0.5)),
                tooltip=tooltip,
            )
            .add_params(pick)
        )
        text = (
            alt.Chart(s).mark_text(dy=-8, fontSize=14).encode(x=x, y="leads:Q", text="share_text:N")
        )
        clicked = ui.chart(
            ctx,
            bars + text + benchmark_rule,
            "speed-to-lead",
            key="speed-chart",
            height=340,
            select=True,
        )
    with right:
        st.markdown(f"**{T('followup.speed_sql_title')}**")
        rate_bars = (
            alt.Chart(s)
            .mark_bar(width=40, cornerRadiusEnd=3)
            .encode(
                x=x,
                y=alt.Y("sql_rate:Q", title=T("followup.sql_rate"), axis=alt.Axis(format="%")),
                color=alt.condition(
                    alt.datum.within_hour, alt.value(charts.GOOD), alt.value(charts.NEUTRAL)
                ),
                tooltip=tooltip,
            )
        )
        rate_text = (
            alt.Chart(s)
            .mark_text(dy=-8, fontSize=14)
            .encode(x=x, y="sql_rate:Q", text="sql_rate_text:N")
        )
        ui.chart(
            ctx,
            rate_bars + rate_text + benchmark_rule + benchmark_text,
            "speed-to-lead-sql-rate",
            key="speed-sql-chart",
            height=340,
        )
    st.caption(T("followup.hbr_caption"))
    st.caption(T("common.click_to_drill"))
    if clicked and clicked.get("speed_bucket"):
        bucket = clicked["speed_bucket"]
        drill(
            bucket_name(bucket),
            lambda fr: fr.filter(pl.col("speed_bucket") == bucket),
            key="followup-speed",
        )
    ui.how_computed(ctx, speed)

# ----------------------------------------------------------------------------- attempts
st.subheader(T("followup.attempts_title"))
st.caption(T("followup.attempts_caption"))
attempts = ui.metric(ctx, "followup")
if ui.usable(ctx, attempts):
    a = attempts.frame.sort("attempts_order").pipe(
        ui.with_text,
        ui.text_col("leads", lambda v: fmt_int(v, ctx.lang), "leads_text"),
        ui.text_col("share", pct, "share_text"),
        ui.text_col("sql_rate", pct, "sql_rate_text"),
        (pl.col("attempts_order") <= 1).alias("too_few"),
    )
    x = alt.X(
        "attempts_order:Q",
        title=T("followup.attempts_axis"),
        scale=alt.Scale(domain=[-0.6, 10.6], nice=False),
        axis=alt.Axis(
            values=list(range(11)),
            labelExpr="datum.value == 10 ? '10+' : datum.label",
            grid=False,
            format="d",
        ),
    )
    pick = alt.selection_point(name="attempts", fields=["attempts_order"])
    bars = (
        alt.Chart(a)
        .mark_bar(width=40, cornerRadiusEnd=3)
        .encode(
            x=x,
            y=alt.Y("leads:Q", title=T("common.handed_off"), axis=alt.Axis(format="~s")),
            color=alt.condition(
                alt.datum.too_few, alt.value(charts.BAD), alt.value(charts.PRIMARY)
            ),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.5)),
            tooltip=[
                alt.Tooltip("attempts:N", title=T("followup.attempts")),
                alt.Tooltip("leads_text:N", title=T("common.handed_off")),
                alt.Tooltip("share_text:N", title=T("common.share")),
                alt.Tooltip("sql_rate_text:N", title=T("followup.sql_rate")),
            ],
        )
        .add_params(pick)
    )
    text = alt.Chart(a).mark_text(dy=-8, fontSize=13).encode(x=x, y="leads:Q", text="share_text:N")
    refs = [
        {
            "x": BENCHMARK_ATTEMPTS,
            "label": T("followup.benchmark_label", n=fmt_number(BENCHMARK_ATTEMPTS, ctx.lang, 1)),
            "kind": "benchmark",
        }
    ]
    if team is not None and team["mean_attempts"] is not None:
        refs.append(
            {
                "x": float(team["mean_attempts"]),
                "label": T(
                    "followup.team_mean_label", n=fmt_number(team["mean_attempts"], ctx.lang, 1)
                ),
                "kind": "team",
            }
        )
    ref = alt.Chart(pl.DataFrame(refs))
    ref_colour = alt.Color(
        "kind:N",
        scale=alt.Scale(domain=["benchmark", "team"], range=[charts.NEUTRAL, charts.ACCENT]),
        legend=None,
    )
    ref_rules = ref.mark_rule(strokeDash=[6, 4], size=3).encode(x="x:Q", color=ref_colour)
    # one label per line, stacked so the two never overlap
    ref_text = alt.layer(
        *(
            alt.Chart(pl.DataFrame([r]))
            .mark_text(align="left", dx=6, baseline="top", fontSize=14, fontWeight="bold")
            .encode(x="x:Q", y=alt.value(4 + 22 * i), text="label:N", color=ref_colour)
            for i, r in enumerate(refs)
        )
    )
    clicked = ui.chart(
        ctx,
        bars + text + ref_rules + ref_text,
        "attempts-per-lead",
        key="attempts-chart",
        select=True,
    )
    st.caption(T("followup.attempts_note"))
    if clicked and clicked.get("attempts_order") is not None:
        n = int(clicked["attempts_order"])
        label = "10+" if n >= 10 else str(n)
        drill(
            T("followup.n_attempts", n=label),
            lambda fr: fr.filter(
                (pl.col("n_attempts") >= 10) if n >= 10 else (pl.col("n_attempts") == n)
            ),
            key="followup-attempts",
        )
    ui.how_computed(ctx, attempts)

# ----------------------------------------------------------------------------- by attempt
st.subheader(T("followup.conversion_title"))
st.caption(T("followup.conversion_caption"))
conversion = ui.metric(ctx, "attempt_conversion")
if ui.usable(ctx, conversion):
    c = conversion.frame.sort("attempt_number")
    long = c.unpivot(
        index=["attempt_number", "leads_reaching"],
        on=["sql_rate", "connect_rate"],
        variable_name="rate_key",
        value_name="rate",
    ).pipe(
        ui.with_text,
        ui.text_col("rate_key", lambda k: T(f"followup.conv_{k}"), "rate_name"),
        ui.text_col("rate", pct, "rate_text"),
        ui.text_col("leads_reaching", lambda v: fmt_int(v, ctx.lang), "reaching_text"),
    )
    names = [T("followup.conv_sql_rate"), T("followup.conv_connect_rate")]
    colour = alt.Color(
        "rate_name:N",
        scale=alt.Scale(domain=names, range=[charts.GOOD, charts.PRIMARY]),
        legend=alt.Legend(title=None, orient="top"),
    )
    x = alt.X(
        "attempt_number:Q",
        title=T("followup.attempt_number"),
        scale=alt.Scale(domain=[1, 10], nice=False),
        axis=alt.Axis(values=list(range(1, 11)), format="d"),
    )
    y = alt.Y("rate:Q", title=T("common.rate"), axis=alt.Axis(format="%"))
    tooltip = [
        alt.Tooltip("attempt_number:Q", title=T("followup.attempt_number")),
        alt.Tooltip("rate_name:N", title=T("common.rate")),
        alt.Tooltip("rate_text:N", title=T("followup.value")),
        alt.Tooltip("reaching_text:N", title=T("followup.leads_reaching")),
    ]
    lines = alt.Chart(long).mark_line(strokeWidth=3).encode(x=x, y=y, color=colour)
    points = (
        alt.Chart(long)
        .mark_point(filled=True, size=90)
        .encode(
            x=x, y=y, color=colour, shape=alt.Shape("rate_name:N", legend=None), tooltip=tooltip
        )
    )
    ui.chart(ctx, lines + points, "conversion-by-attempt", key="conversion-chart", height=320)
    ui.table(
        ctx,
        c.select(
            pl.col("attempt_number").alias(T("followup.attempt_number")),
            pl.col("leads_reaching").alias(T("followup.leads_reaching")),
            pl.col("first_connects").alias(T("followup.first_connects")),
            pl.col("connect_rate").alias(T("followup.conv_connect_rate")),
            pl.col("sqls_after").alias(T("followup.sqls_after")),
            pl.col("sql_rate").alias(T("followup.conv_sql_rate")),
        ),
        "conversion-by-attempt",
        key="conversion-table",
        column_config={
            T("followup.conv_connect_rate"): st.column_config.NumberColumn(format="percent"),
            T("followup.conv_sql_rate"): st.column_config.NumberColumn(format="percent"),
        },
        height=250,
    )
    ui.how_computed(ctx, conversion)

# ----------------------------------------------------------------------------- per rep
st.subheader(T("followup.reps_title"))
st.caption(T("followup.reps_caption"))
speed_owner = ui.metric(ctx, "speed_to_lead_by_owner")
if by_owner.ok and not speed_owner.ok:
    ui.usable(ctx, speed_owner)
elif team is not None and ui.usable(ctx, speed_owner):
    sla_hours = float(by_owner.values.get("sla_hours") or 24)
    reps = by_owner.frame.join(
        speed_owner.frame.select(
            "owner",
            "touched",
            "p90_minutes_to_first_touch",
            "within_1h_rate",
            "sla_met",
            "sla_missed",
            "never_touched",
        ),
        on="owner",
        how="left",
    ).pipe(ui.with_text, ui.text_col("owner", owner_name, "rep"))
    people = reps.filter(pl.col("owner") != ALL)

    # the scatter: speed (x) against persistence (y)
    st.markdown(f"**{T('followup.scatter_title')}**")
    st.caption(
        T(
            "followup.scatter_caption",
            sla=fmt_number(sla_hours, ctx.lang),
            benchmark=fmt_number(BENCHMARK_ATTEMPTS, ctx.lang, 1),
        )
    )
    dots = people.filter(pl.col("median_minutes_to_first_touch") > 0).pipe(
        ui.with_text,
        pl.when(pl.col("is_below_team"))
        .then(pl.lit(T("followup.below_team")))
        .otherwise(pl.lit(T("followup.not_below_team")))
        .alias("below_text"),
        ui.text_col(
            "median_minutes_to_first_touch",
            lambda v: fmt_duration_minutes(v, ctx.lang),
            "speed_text",
        ),
        ui.text_col("mean_attempts", lambda v: fmt_number(v, ctx.lang, 1), "attempts_text"),
        ui.text_col("handed_off", lambda v: fmt_int(v, ctx.lang), "handed_off_text"),
        ui.text_col("sla_compliance_rate", pct, "sla_text"),
        ui.text_col("one_attempt_rate", pct, "one_text"),
        ui.text_col("given_up", lambda v: fmt_int(v, ctx.lang), "given_up_text"),
    )
    low = max(1.0, float(dots["median_minutes_to_first_touch"].min() or 1) / 2)
    # room on the right for the slowest rep's name
    high = max(sla_hours * 60 * 2, float(dots["median_minutes_to_first_touch"].max() or 1) * 5)
    ticks = {
        1: T("followup.unit_min", n=1),
        5: T("followup.unit_min", n=5),
        15: T("followup.unit_min", n=15),
        60: T("followup.unit_h", n=1),
        240: T("followup.unit_h", n=4),
        1440: T("followup.unit_d", n=1),
        4320: T("followup.unit_d", n=3),
        10080: T("followup.unit_d", n=7),
        43200: T("followup.unit_d", n=30),
    }
    tick_expr = "{" + ", ".join(f"{k}: '{v}'" for k, v in ticks.items()) + "}[datum.value]"
    x = alt.X(
        "median_minutes_to_first_touch:Q",
        title=T("followup.scatter_x"),
        scale=alt.Scale(type="log", domain=[low, high], nice=False),
        axis=alt.Axis(
            values=[k for k in ticks if low <= k <= high], labelExpr=tick_expr, grid=True
        ),
    )
    y_top = max(5.0, float(dots["mean_attempts"].max() or 0) + 0.5)
    y = alt.Y(
        "mean_attempts:Q",
        title=T("followup.scatter_y"),
        scale=alt.Scale(domain=[0, y_top], nice=False),
    )
    pick = alt.selection_point(name="rep", fields=["owner"])
    points = (
        alt.Chart(dots)
        .mark_circle(stroke="black", strokeWidth=1, opacity=0.9)
        .encode(
            x=x,
            y=y,
            size=alt.Size(
                "handed_off:Q",
                title=T("common.handed_off"),
                scale=alt.Scale(range=[150, 900]),
                legend=alt.Legend(orient="right", format="~s"),
            ),
            # the reps below the team's SLA compliance, as followup_by_owner flags them (the
            # rep_below_team_gap setting; the report marks the same reps)
            color=alt.Color(
                "below_text:N",
                title=T("followup.sla_compliance"),
                scale=alt.Scale(
                    domain=[T("followup.below_team"), T("followup.not_below_team")],
                    range=[charts.BAD, charts.PRIMARY],
                ),
                legend=alt.Legend(orient="right"),
            ),
            tooltip=[
                alt.Tooltip("rep:N", title=T("followup.rep")),
                alt.Tooltip("speed_text:N", title=T("followup.median_first_touch")),
                alt.Tooltip("attempts_text:N", title=T("followup.mean_attempts")),
                alt.Tooltip("handed_off_text:N", title=T("common.handed_off")),
                alt.Tooltip("sla_text:N", title=T("followup.sla_compliance")),
                alt.Tooltip("one_text:N", title=T("followup.one_attempt")),
                alt.Tooltip("given_up_text:N", title=T("followup.given_up")),
            ],
        )
        .add_params(pick)
    )
    # reps past a reference line are named in full beside their circle; the ones in the
    # crowded middle by given name, alternately above and below, so the labels stay legible
    is_outlier = (pl.col("median_minutes_to_first_touch") > sla_hours * 60) | (
        pl.col("mean_attempts") < BENCHMARK_ATTEMPTS + 1
    )
    given = pl.col("rep").str.split(" ").list.last()
    dots = (
        dots.with_columns(is_outlier.alias("outlier"), given.alias("given"))
        .with_columns(
            pl.when(pl.col("given").is_duplicated())
            .then(pl.col("rep").str.split(" ").list.slice(-2).list.join(" "))
            .otherwise(pl.col("given"))
            .alias("given")
        )
        .sort("median_minutes_to_first_touch")
        .with_columns(
            (pl.int_range(pl.len()).over("outlier") % 2 == 0).alias("label_above"),
        )
    )
    full_names = (
        alt.Chart(dots.filter(pl.col("outlier")))
        .mark_text(align="left", dx=16, fontSize=15, fontWeight="bold")
        .encode(x=x, y=y, text="rep:N")
    )
    short_names = [
        alt.Chart(dots.filter(~pl.col("outlier") & (pl.col("label_above") == above)))
        .mark_text(dy=-20 if above else 22, fontSize=13)
        .encode(x=x, y=y, text="given:N")
        for above in (True, False)
    ]
    names = alt.layer(full_names, *short_names)
    sla_rule = alt.Chart(
        pl.DataFrame(
            {
                "x": [sla_hours * 60],
                "label": [T("followup.sla_rule", sla=fmt_number(sla_hours, ctx.lang))],
            }
        )
    )
    sla_marks = sla_rule.mark_rule(color=charts.BAD, strokeDash=[6, 4], size=2).encode(
        x="x:Q"
    ) + sla_rule.mark_text(
        align="right", dx=-6, baseline="top", fontSize=14, color=charts.BAD
    ).encode(x="x:Q", y=alt.value(4), text="label:N")
    bench_rule = alt.Chart(
        pl.DataFrame(
            {
                "y": [BENCHMARK_ATTEMPTS],
                "label": [
                    T("followup.benchmark_label", n=fmt_number(BENCHMARK_ATTEMPTS, ctx.lang, 1))
                ],
            }
        )
    )
    bench_marks = bench_rule.mark_rule(color=charts.NEUTRAL, strokeDash=[6, 4], size=2).encode(
        y="y:Q"
    ) + bench_rule.mark_text(
        align="left", baseline="bottom", dy=-4, fontSize=14, color="#333333"
    ).encode(y="y:Q", x=alt.value(6), text="label:N")
    clicked = ui.chart(
        ctx,
        sla_marks + bench_marks + points + names,
        "speed-vs-persistence",
        key="reps-scatter",
        height=480,
        select=True,
    )
    st.caption(T("followup.scatter_click"))

    # the table: one row per rep, the team last
    table_frame = reps.select(
        pl.col("rep").alias(T("followup.rep")),
        pl.col("handed_off").alias(T("common.handed_off")),
        pl.col("median_minutes_to_first_touch").alias(T("followup.median_minutes")),
        pl.col("p90_minutes_to_first_touch").alias(T("followup.p90_minutes")),
        pl.col("within_1h_rate").alias(T("followup.within_1h")),
        pl.col("sla_compliance_rate").alias(T("followup.sla_compliance")),
        pl.col("never_touched").alias(T("followup.never_touched")),
        pl.col("mean_attempts").alias(T("followup.mean_attempts")),
        pl.col("median_attempts").alias(T("followup.median_attempts")),
        pl.col("zero_attempt_rate").alias(T("followup.zero_attempts")),
        pl.col("one_attempt_rate").alias(T("followup.one_attempt")),
        pl.col("given_up").alias(T("followup.given_up")),
        pl.col("attempts_on_given_up").alias(T("followup.attempts_on_given_up")),
        pl.col("connect_rate").alias(T("followup.connect_rate")),
        pl.col("sql_rate").alias(T("followup.sql_rate")),
    )
    percent = st.column_config.NumberColumn(format="percent")
    picked_row = ui.table(
        ctx,
        table_frame,
        "follow-up-by-rep",
        key="reps-table",
        select=True,
        column_config={
            T("followup.rep"): st.column_config.TextColumn(pinned=True),
            T("followup.median_minutes"): st.column_config.NumberColumn(format="%.0f"),
            T("followup.p90_minutes"): st.column_config.NumberColumn(format="%.0f"),
            T("followup.within_1h"): percent,
            T("followup.sla_compliance"): st.column_config.ProgressColumn(
                format="percent", min_value=0.0, max_value=1.0
            ),
            T("followup.mean_attempts"): st.column_config.NumberColumn(format="%.2f"),
            T("followup.median_attempts"): st.column_config.NumberColumn(format="%.1f"),
            T("followup.zero_attempts"): percent,
            T("followup.one_attempt"): percent,
            T("followup.attempts_on_given_up"): st.column_config.NumberColumn(format="%.1f"),
            T("followup.connect_rate"): percent,
            T("followup.sql_rate"): percent,
        },
    )
    st.caption(T("followup.table_click"))
    chosen = None
    if clicked and clicked.get("owner"):
        chosen = clicked["owner"]
    elif picked_row:
        rep = picked_row[T("followup.rep")]
        chosen = reps.filter(pl.col("rep") == rep)["owner"].first()
    if chosen:
        drill(owner_name(chosen), lambda fr: fr.filter(owner_is(chosen)), key="followup-rep")
    ui.how_computed(ctx, speed_owner)
