"""Follow-up discipline (sales): how fast reps first reach out after a handoff, how many
attempts they make before giving up, whether speed and persistence pay off, and who misses
the SLA or gives up too early.

One function per section of the page, called in order by :func:`render`; the charts come
from :mod:`dashboard.charts.followup`, which the review report draws with too.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import streamlit as st

from dashboard import metrics, ui
from dashboard.charts import followup as fc
from dashboard.charts import followup_reps
from dashboard.charts.followup import ALL, BENCHMARK_ATTEMPTS, NO_OWNER, Words
from dashboard.i18n import fmt_duration_minutes, fmt_int, fmt_number, fmt_pct

# sales verdicts as lead_list names them
VERDICTS = ("accepted", "rejected", "never worked")


def verdict_name(ctx: ui.Context, verdict: str | None) -> str:
    """Sales' verdict on a lead (accepted, rejected, never worked) in the page's language."""
    key = "followup.verdict_" + (verdict or "").replace(" ", "_")
    return ctx.t(key) if verdict in VERDICTS else (verdict or ctx.t("common.none_value"))


# the follow-up columns of a lead list: column -> heading (message key)
LEAD_HEADERS = {
    "lead_id": "leads.lead_id",
    "owner": "common.owner",
    "source": "common.source",
    "handed_off_at": "followup.handed_off_at",
    "bucket_name": "followup.speed_bucket",
    "minutes_to_first_touch": "leads.minutes_to_first_touch",
    "n_attempts": "followup.attempts",
    "has_connect": "followup.has_connect",
    "is_sla_met": "followup.sla_met",
    "is_given_up": "followup.given_up",
    "verdict_name": "followup.sales_verdict",
    "is_sql": "followup.reached_sql",
}


def lead_rows(ctx: ui.Context, frame: pl.DataFrame) -> pl.DataFrame:
    """A lead list with its speed bucket and sales verdict in the page's language."""
    words = Words(ctx.lang)
    return frame.pipe(
        ui.with_text,
        ui.text_col("speed_bucket", words.bucket, "bucket_name"),
        ui.text_col("sales_verdict", lambda v: verdict_name(ctx, v), "verdict_name"),
    )


def drill(ctx: ui.Context, what: str, chosen: dict[str, Any], key: str) -> None:
    """List the handed-off leads behind a clicked mark (``chosen``: :func:`ui.pick`), with
    their follow-up columns."""
    ui.leads_behind(
        ctx,
        what,
        {**chosen, **ui.pick("handed_off")},
        key=key,
        headers=LEAD_HEADERS,
        shape=lambda fr: lead_rows(ctx, fr),
    )


def owner_is(owner: str) -> dict[str, Any]:
    """lead_list's selection of the leads of ``owner`` as the per-owner metrics name it."""
    if owner == ALL:
        return {}
    return ui.pick(owner=None if owner == NO_OWNER else owner)


def _settings(by_owner: ui.Shown) -> tuple[float, int]:
    """The SLA (hours) and the give-up window (days) ``followup_by_owner`` ran with."""
    return (
        float(by_owner.values.get("sla_hours") or 24),
        int(by_owner.values.get("give_up_days") or 14),
    )


# ----------------------------------------------------------------------------- headline
def _headline_section(ctx: ui.Context, by_owner: ui.Shown) -> dict[str, Any] | None:
    """The team's six headline figures and their caption; the team row, when there is one."""
    if not ui.usable(ctx, by_owner):
        return None
    team_rows = by_owner.frame.filter(pl.col("owner") == ALL)
    if not team_rows.height:
        return None
    team = team_rows.row(0, named=True)
    T, lang = ctx.t, ctx.lang
    sla_hours, give_up_days = _settings(by_owner)
    items = [
        (
            "followup.median_first_touch",
            fmt_duration_minutes(team["median_minutes_to_first_touch"], lang),
            T("followup.median_first_touch_help"),
        ),
        (
            "followup.within_sla",
            fmt_pct(team["sla_compliance_rate"], lang),
            T("followup.within_sla_help", sla=fmt_number(sla_hours, lang)),
        ),
        (
            "followup.mean_attempts",
            fmt_number(team["mean_attempts"], lang, 1),
            T("followup.mean_attempts_help", benchmark=fmt_number(BENCHMARK_ATTEMPTS, lang, 1)),
        ),
        (
            "followup.zero_attempts",
            fmt_pct(team["zero_attempt_rate"], lang),
            T("followup.zero_help"),
        ),
        ("followup.one_attempt", fmt_pct(team["one_attempt_rate"], lang), T("followup.one_help")),
        (
            "followup.given_up",
            fmt_int(team["given_up"], lang),
            T("followup.given_up_help", days=fmt_int(give_up_days, lang)),
        ),
    ]
    # two rows of three: the labels stay whole on a projector
    for col, (key, value, help_text) in zip([*st.columns(3), *st.columns(3)], items, strict=True):
        col.metric(T(key), value, help=help_text)
    st.caption(
        T(
            "followup.headline_caption",
            handed_off=fmt_int(team["handed_off"], lang),
            given_up_attempts=fmt_number(team["attempts_on_given_up"], lang, 1),
            connect=fmt_pct(team["connect_rate"], lang),
            sql=fmt_pct(team["sql_rate"], lang),
        )
    )
    ui.how_computed(ctx, by_owner)
    return team


# ----------------------------------------------------------------------------- speed
def _speed_section(ctx: ui.Context, words: Words) -> None:
    """Leads and SQL rate by time to first attempt, side by side; a bar lists its leads."""
    T = ctx.t
    st.subheader(T("followup.speed_title"))
    st.caption(T("followup.speed_caption"))
    speed = ui.metric(ctx, "speed_to_lead")
    if not ui.usable(ctx, speed):
        return
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{T('followup.speed_leads_title')}**")
        clicked = ui.chart(
            ctx,
            fc.speed_leads(speed.frame, words, interactive=True),
            "speed-to-lead",
            key="speed-chart",
            height=340,
            select=True,
        )
    with right:
        st.markdown(f"**{T('followup.speed_sql_title')}**")
        ui.chart(
            ctx,
            fc.speed_sql_rate(speed.frame, words),
            "speed-to-lead-sql-rate",
            key="speed-sql-chart",
            height=340,
        )
    st.caption(T("followup.hbr_caption"))
    st.caption(T("common.click_to_drill"))
    if clicked and clicked.get("speed_bucket"):
        bucket = clicked["speed_bucket"]
        drill(
            ctx,
            words.bucket(bucket),
            ui.pick(speed_bucket=bucket),
            key="followup-speed",
        )
    ui.how_computed(ctx, speed)


# ----------------------------------------------------------------------------- attempts
def _attempts_section(ctx: ui.Context, words: Words, team: dict[str, Any] | None) -> None:
    """Leads by number of attempts, against the benchmark and the team's mean."""
    T = ctx.t
    st.subheader(T("followup.attempts_title"))
    st.caption(T("followup.attempts_caption"))
    attempts = ui.metric(ctx, "followup")
    if not ui.usable(ctx, attempts):
        return
    team_mean = team["mean_attempts"] if team is not None else None
    clicked = ui.chart(
        ctx,
        fc.attempts(attempts.frame, words, team_mean=team_mean, interactive=True),
        "attempts-per-lead",
        key="attempts-chart",
        select=True,
    )
    st.caption(T("followup.attempts_note"))
    if clicked and clicked.get("attempts_order") is not None:
        n = int(clicked["attempts_order"])
        label = "10+" if n >= 10 else str(n)
        drill(
            ctx,
            T("followup.n_attempts", n=label),
            ui.pick(attempts=(10, None) if n >= 10 else (n, n)),
            key="followup-attempts",
        )
    ui.how_computed(ctx, attempts)


# ----------------------------------------------------------------------------- by attempt
def _conversion_section(ctx: ui.Context, words: Words) -> None:
    """First reach and SQL rate per attempt number: the chart, then its table."""
    T = ctx.t
    st.subheader(T("followup.conversion_title"))
    st.caption(T("followup.conversion_caption"))
    conversion = ui.metric(ctx, "attempt_conversion")
    if not ui.usable(ctx, conversion):
        return
    ui.chart(
        ctx,
        fc.conversion(conversion.frame, words),
        "conversion-by-attempt",
        key="conversion-chart",
        height=320,
    )
    ui.table(
        ctx,
        conversion.frame.sort("attempt_number"),
        "conversion-by-attempt",
        key="conversion-table",
        metric="attempt_conversion",
        headers={
            "attempt_number": "followup.attempt_number",
            "leads_reaching": "followup.leads_reaching",
            "first_connects": "followup.first_connects",
            "connect_rate": "followup.conv_connect_rate",
            "sqls_after": "followup.sqls_after",
            "sql_rate": "followup.conv_sql_rate",
        },
        height=250,
        folded=True,
    )
    ui.how_computed(ctx, conversion)


# ----------------------------------------------------------------------------- per rep
# the per-rep table: column -> heading (message key); the team row comes last
REP_HEADERS = {
    "rep": "followup.rep",
    "handed_off": "common.handed_off",
    "median_minutes_to_first_touch": "followup.median_time_first",
    "p90_minutes_to_first_touch": "followup.p90_time_first",
    "within_1h_rate": "followup.within_1h",
    "sla_compliance_rate": "followup.sla_compliance",
    "never_touched": "followup.never_touched",
    "mean_attempts": "followup.mean_attempts",
    "median_attempts": "followup.median_attempts",
    "zero_attempt_rate": "followup.zero_attempts",
    "one_attempt_rate": "followup.one_attempt",
    "given_up": "followup.given_up",
    "attempts_on_given_up": "followup.attempts_on_given_up",
    "connect_rate": "followup.connect_rate",
    "sql_rate": "followup.sql_rate",
}


def _reps_table(ctx: ui.Context, reps: pl.DataFrame) -> str | None:
    """One row per rep, worst first (lowest SLA compliance) or by name, the team last; the
    owner of the row the user selected."""
    orders = {"worst": "common.sort_worst_first", "name": "common.sort_by_name"}
    order = st.segmented_control(
        ctx.t("common.sort_by"),
        list(orders),
        default="worst",
        format_func=lambda o: ctx.t(orders[o]),
        key="reps-sort",
    )
    each = reps.filter(pl.col("owner") != ALL)
    if order == "name":
        # names in the language's alphabetical order (Vietnamese: a, ă, â, …, d, đ, …)
        each = ui.sorted_by_name(each, "rep", ctx.lang)
    else:
        # a sales manager reads the table for who needs help: the worst rep on top
        each = each.sort(
            ["sla_compliance_rate", "median_minutes_to_first_touch"],
            descending=[False, True],
            nulls_last=True,
        )
    reps = pl.concat([each, reps.filter(pl.col("owner") == ALL)])
    picked_row = ui.table(
        ctx,
        reps,
        "follow-up-by-rep",
        key="reps-table",
        metric="followup_by_owner",
        headers=REP_HEADERS,
        units={**metrics.get("speed_to_lead_by_owner").units, "rep": "text"},
        select=True,
        column_config={ctx.t("followup.rep"): st.column_config.TextColumn(pinned=True)},
    )
    st.caption(ctx.t("followup.table_click"))
    if not picked_row:
        return None
    return reps.filter(pl.col("rep") == picked_row["rep"])["owner"].first()


def _reps_section(
    ctx: ui.Context, words: Words, by_owner: ui.Shown, team: dict[str, Any] | None
) -> None:
    """Every rep's speed against their persistence, then the per-rep table; a circle or a
    row lists that rep's handed-off leads."""
    T = ctx.t
    st.subheader(T("followup.reps_title"))
    st.caption(T("followup.reps_caption"))
    speed_owner = ui.metric(ctx, "speed_to_lead_by_owner")
    if by_owner.ok and not speed_owner.ok:
        ui.usable(ctx, speed_owner)
        return
    if team is None or not ui.usable(ctx, speed_owner):
        return
    sla_hours, _ = _settings(by_owner)
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
    ).pipe(ui.with_text, ui.text_col("owner", words.owner, "rep"))
    st.markdown(f"**{T('followup.scatter_title')}**")
    st.caption(
        T(
            "followup.scatter_caption",
            sla=fmt_number(sla_hours, ctx.lang),
            benchmark=fmt_number(BENCHMARK_ATTEMPTS, ctx.lang, 1),
        )
    )
    clicked = ui.chart(
        ctx,
        followup_reps.reps_scatter(by_owner.frame, words, sla_hours=sla_hours, interactive=True),
        "speed-vs-persistence",
        key="reps-scatter",
        height=480,
        select=True,
    )
    st.caption(T("followup.scatter_click"))
    picked = _reps_table(ctx, reps)
    chosen = clicked.get("owner") if clicked else None
    chosen = chosen or picked
    if chosen:
        drill(ctx, words.owner(chosen), owner_is(chosen), key="followup-rep")
    ui.how_computed(ctx, speed_owner)


# ----------------------------------------------------------------------------- the page
def render() -> None:
    """The Follow-up discipline page, section by section."""
    ctx = ui.current()
    ui.page_title(ctx, "pages.followup")
    st.caption(ctx.t("followup.question"))
    if not ctx.has_leads:
        st.info(ctx.t("common.no_workspace"))
        return
    # a review callout's link: its lead list first
    ui.evidence_panel(ctx, "followup")
    words = Words(ctx.lang)
    by_owner = ui.metric(ctx, "followup_by_owner")
    team = _headline_section(ctx, by_owner)
    _speed_section(ctx, words)
    _attempts_section(ctx, words, team)
    _conversion_section(ctx, words)
    _reps_section(ctx, words, by_owner, team)


render()
