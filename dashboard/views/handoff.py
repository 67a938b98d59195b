"""Handoff & SLA (sales): do MQLs reach sales, how sales decides on them and how fast, why it
rejects them, and which handed-off leads are still waiting past the SLA."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from dashboard import charts, safe, ui
from dashboard.i18n import fmt_duration_minutes, fmt_int, fmt_number, fmt_pct

ctx = ui.current()
T = ctx.t

st.title(T("pages.handoff"))
st.caption(T("handoff.question"))
if not ctx.has_leads:
    st.info(T("common.no_workspace"))
    st.stop()

# the label rejection_reasons gives to a rejection without a reason
NO_REASON = "(no reason given)"
# handoff rates drawn over time, each with a fixed meaning colour
RATES = {
    "handoff_rate": charts.PRIMARY,
    "acceptance_rate": charts.GOOD,
    "rejection_rate": charts.BAD,
}


def pct(value: float | None) -> str:
    """A share as the page's language writes it."""
    return fmt_pct(value, ctx.lang)


# ----------------------------------------------------------------------------- headline
handoff = ui.metric(ctx, "handoff")
sla_hours = float(handoff.values.get("sla_hours") or ctx.facts.settings.get("sla_hours") or 24)
if ui.usable(ctx, handoff):
    row = handoff.frame.row(0, named=True)
    items = [
        ("handoff.handoff_rate", pct(row["handoff_rate"]), "handoff.handoff_rate_help"),
        ("handoff.acceptance_rate", pct(row["acceptance_rate"]), "handoff.acceptance_rate_help"),
        ("handoff.rejection_rate", pct(row["rejection_rate"]), "handoff.rejection_rate_help"),
        (
            "handoff.median_to_accept",
            fmt_duration_minutes(
                None
                if row["median_hours_to_accept"] is None
                else row["median_hours_to_accept"] * 60,
                ctx.lang,
            ),
            "handoff.median_to_accept_help",
        ),
        (
            "handoff.pending_past_sla",
            fmt_int(row["pending_past_sla"], ctx.lang),
            "handoff.pending_past_sla_help",
        ),
        ("handoff.recycled", fmt_int(row["recycled"], ctx.lang), "handoff.recycled_help"),
    ]
    # two rows of three: the labels stay whole on a projector
    for col, (key, value, help_key) in zip([*st.columns(3), *st.columns(3)], items, strict=True):
        col.metric(T(key), value, help=T(help_key, sla=fmt_number(sla_hours, ctx.lang)))
    st.caption(
        T(
            "handoff.headline_caption",
            mqls=fmt_int(row["mqls"], ctx.lang),
            handed_off=fmt_int(row["handed_off"], ctx.lang),
            accepted=fmt_int(row["accepted"], ctx.lang),
            rejected=fmt_int(row["rejected"], ctx.lang),
            pending=fmt_int(row["pending"], ctx.lang),
            to_reject=fmt_duration_minutes(
                None
                if row["median_hours_to_reject"] is None
                else row["median_hours_to_reject"] * 60,
                ctx.lang,
            ),
        )
    )
    ui.how_computed(ctx, handoff)

# ----------------------------------------------------------------------------- over time
st.subheader(T("handoff.trend_title"))
basis_keys = {"created": "handoff.basis_created", "mql": "handoff.basis_mql"}
basis = T(basis_keys.get(str(ctx.facts.settings.get("cohort_basis")), "handoff.basis_created"))
st.caption(T("handoff.trend_caption", basis=basis))
by_month = ui.metric(ctx, "handoff", by="month")
if ui.usable(ctx, by_month):
    m = by_month.frame.filter(pl.col("dimension").is_not_null()).with_columns(
        pl.col("dimension").str.to_date("%Y-%m").alias("month_start")
    )
    m = m.pipe(
        ui.with_text,
        ui.text_col("month_start", lambda d: ui.month_label(ctx, d), "month"),
        ui.text_col("mqls", lambda v: fmt_int(v, ctx.lang), "mqls_text"),
        ui.text_col("handed_off", lambda v: fmt_int(v, ctx.lang), "handed_off_text"),
    )
    long = (
        m.unpivot(
            index=["month_start", "month", "mqls_text", "handed_off_text"],
            on=list(RATES),
            variable_name="rate_key",
            value_name="rate",
        )
        .pipe(
            ui.with_text,
            ui.text_col("rate_key", lambda k: T(f"handoff.{k}"), "rate_name"),
            ui.text_col("rate", pct, "rate_text"),
        )
        .sort("month_start")
    )
    names = [T(f"handoff.{k}") for k in RATES]
    colour = alt.Color(
        "rate_name:N",
        scale=alt.Scale(domain=names, range=list(RATES.values())),
        legend=alt.Legend(title=None, orient="top"),
    )
    x = alt.X(
        "month_start:T",
        title=None,
        axis=alt.Axis(
            format="%m/%Y" if ctx.lang == "vi" else "%b %Y", labelAngle=0, tickCount="month"
        ),
    )
    tooltip = [
        alt.Tooltip("month:N", title=T("common.month")),
        alt.Tooltip("rate_name:N", title=T("common.rate")),
        alt.Tooltip("rate_text:N", title=T("handoff.value")),
        alt.Tooltip("mqls_text:N", title=T("common.mqls")),
        alt.Tooltip("handed_off_text:N", title=T("common.handed_off")),
    ]
    y = alt.Y(
        "rate:Q",
        title=T("handoff.share_axis"),
        axis=alt.Axis(format="%"),
        scale=alt.Scale(domain=[0, 1]),
    )
    lines = alt.Chart(long).mark_line(strokeWidth=3).encode(x=x, y=y, color=colour)
    points = (
        alt.Chart(long)
        .mark_point(filled=True, size=90)
        .encode(
            x=x, y=y, color=colour, shape=alt.Shape("rate_name:N", legend=None), tooltip=tooltip
        )
    )
    ui.chart(ctx, lines + points, "handoff-rates-by-month", key="handoff-trend", height=340)
    ui.table(
        ctx,
        m.select(
            pl.col("month_start").alias(T("common.month")),
            pl.col("mqls").alias(T("common.mqls")),
            pl.col("handed_off").alias(T("common.handed_off")),
            pl.col("handoff_rate").alias(T("handoff.handoff_rate")),
            pl.col("accepted").alias(T("common.accepted")),
            pl.col("acceptance_rate").alias(T("handoff.acceptance_rate")),
            pl.col("rejected").alias(T("common.rejected")),
            pl.col("rejection_rate").alias(T("handoff.rejection_rate")),
            pl.col("pending").alias(T("handoff.pending")),
            pl.col("pending_past_sla").alias(T("handoff.pending_past_sla")),
            pl.col("median_hours_to_accept").alias(T("handoff.median_hours_to_accept")),
            pl.col("recycled").alias(T("handoff.recycled")),
        ),
        "handoff-by-month",
        key="handoff-month-table",
        column_config={
            T("common.month"): st.column_config.DateColumn(
                format="MM/YYYY" if ctx.lang == "vi" else "MMM YYYY"
            ),
            T("handoff.handoff_rate"): st.column_config.NumberColumn(format="percent"),
            T("handoff.acceptance_rate"): st.column_config.NumberColumn(format="percent"),
            T("handoff.rejection_rate"): st.column_config.NumberColumn(format="percent"),
            T("handoff.median_hours_to_accept"): st.column_config.NumberColumn(format="%.1f"),
        },
        height=300,
    )
    ui.how_computed(ctx, by_month, by="month")

# ----------------------------------------------------------------------------- reasons
st.subheader(T("handoff.reasons_title"))
st.caption(T("handoff.reasons_caption"))
reasons = ui.metric(ctx, "rejection_reasons", by="source")
if ui.usable(ctx, reasons):

    def reason_label(reason: str) -> str:
        return T("handoff.no_reason") if reason == NO_REASON else reason

    r = reasons.frame.pipe(
        ui.with_text,
        pl.col("dimension").fill_null(T("common.none_value")).alias("source"),
        ui.text_col("rejection_reason", reason_label, "reason"),
        ui.text_col("rejected", lambda v: fmt_int(v, ctx.lang), "count_text"),
        ui.text_col("share", pct, "share_text"),
        ui.text_col("share_of_all", pct, "share_all_text"),
    )
    # reasons in order of all rejections, sources by their number of rejections
    reason_order = (
        r.unique("reason").sort(["reason_rejected", "reason"], descending=[True, False])
    )["reason"].to_list()
    source_order = (
        r.unique("source").sort(["dimension_rejected", "source"], descending=[True, False])
    )["source"].to_list()
    pick = alt.selection_point(name="cell", fields=["source", "reason"])
    heat = (
        alt.Chart(r)
        .mark_rect(stroke="white", strokeWidth=1)
        .encode(
            x=alt.X(
                "reason:N",
                sort=reason_order,
                title=None,
                axis=alt.Axis(orient="top", labelAngle=-30, labelAlign="left"),
            ),
            y=alt.Y("source:N", sort=source_order, title=None),
            color=alt.Color(
                "share:Q",
                scale=alt.Scale(scheme=charts.HEATMAP_SCHEME, domain=[0, 0.5], clamp=True),
                legend=alt.Legend(format="%", title=T("handoff.share_legend")),
            ),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.6)),
            tooltip=[
                alt.Tooltip("source:N", title=T("common.source")),
                alt.Tooltip("reason:N", title=T("handoff.reason")),
                alt.Tooltip("count_text:N", title=T("common.rejected")),
                alt.Tooltip("share_text:N", title=T("handoff.share_of_source")),
                alt.Tooltip("share_all_text:N", title=T("handoff.share_of_all")),
            ],
        )
        .add_params(pick)
    )
    labels = (
        alt.Chart(r)
        .mark_text(fontSize=14)
        .encode(
            x=alt.X("reason:N", sort=reason_order),
            y=alt.Y("source:N", sort=source_order),
            text="count_text:N",
            color=alt.condition(alt.datum.share > 0.27, alt.value("white"), alt.value("black")),
        )
    )
    clicked = ui.chart(
        ctx,
        heat + labels,
        "rejection-reasons-by-source",
        key="reasons-heat",
        height=max(320, 40 * len(source_order)),
        select=True,
    )
    st.caption(T("handoff.reasons_click"))
    if clicked and clicked.get("source") and clicked.get("reason"):
        src, reason = clicked["source"], clicked["reason"]
        raw = NO_REASON if reason == T("handoff.no_reason") else reason
        given = pl.col("rejection_reason").str.strip_chars()
        reason_is = (given.is_null() | (given == "")) if raw == NO_REASON else given == raw
        ui.leads_behind(
            ctx,
            f"{src} · {reason}",
            lambda fr: fr.filter(pl.col("is_rejected") & ui.source_is(ctx, src) & reason_is),
            key="handoff-reason",
        )
    ui.table(
        ctx,
        r.select(
            pl.col("source").alias(T("common.source")),
            pl.col("reason").alias(T("handoff.reason")),
            pl.col("rejected").alias(T("common.rejected")),
            pl.col("share").alias(T("handoff.share_of_source")),
            pl.col("share_of_all").alias(T("handoff.share_of_all")),
            pl.col("rank").alias(T("handoff.rank")),
        ),
        "rejection-reasons-by-source",
        key="reasons-table",
        column_config={
            T("handoff.share_of_source"): st.column_config.NumberColumn(format="percent"),
            T("handoff.share_of_all"): st.column_config.NumberColumn(format="percent"),
        },
        height=300,
    )
    ui.how_computed(ctx, reasons, by="source")

# ----------------------------------------------------------------------------- pending
st.subheader(T("handoff.pending_title"))
sla_text = fmt_number(sla_hours, ctx.lang)
st.caption(T("handoff.pending_caption", sla=sla_text))
leads = ui.metric(ctx, "lead_list")
if not handoff.ok:
    # without handoff dates there is nothing pending: say what to upload instead
    ui.needs(ctx, handoff)
elif ui.usable(ctx, leads):
    as_of = handoff.values.get("as_of")
    # the same leads as handoff.pending_past_sla, flagged by the lead_list metric
    waiting = (
        leads.frame.filter(pl.col("is_pending_past_sla"))
        .rename({"hours_waiting": "hours"})
        .with_columns(pl.col("owner").fill_null(T("handoff.no_owner")).alias("owner_label"))
        .sort("hours", descending=True)
    )
    st.caption(
        T(
            "handoff.as_of",
            moment=as_of.strftime("%d/%m/%Y %H:%M" if ctx.lang == "vi" else "%Y-%m-%d %H:%M"),
        )
    )
    if waiting.is_empty():
        st.success(T("handoff.none_pending", sla=sla_text))
    else:
        # counted per owner by pending_by_owner (the same leads as `waiting`)
        per_owner = (
            ui.metric(ctx, "pending_by_owner")
            .frame.rename({"longest_hours": "longest"})
            .pipe(
                ui.with_text,
                pl.col("owner").fill_null(T("handoff.no_owner")).alias("owner_label"),
                ui.text_col("leads", lambda v: fmt_int(v, ctx.lang), "leads_text"),
                ui.text_col(
                    "longest", lambda h: fmt_duration_minutes(h * 60, ctx.lang), "longest_text"
                ),
            )
        )
        left, right = st.columns([2, 3])
        with left:
            st.markdown(f"**{T('handoff.per_owner_title')}**")
            owner_order = per_owner["owner_label"].to_list()
            pick = alt.selection_point(name="owner", fields=["owner_label"])
            bars = (
                alt.Chart(per_owner)
                .mark_bar(color=charts.BAD, cornerRadiusEnd=3)
                .encode(
                    y=alt.Y("owner_label:N", sort=owner_order, title=None),
                    x=alt.X("leads:Q", title=T("handoff.leads_waiting"), axis=alt.Axis(format="d")),
                    opacity=alt.condition(pick, alt.value(1.0), alt.value(0.5)),
                    tooltip=[
                        alt.Tooltip("owner_label:N", title=T("common.owner")),
                        alt.Tooltip("leads_text:N", title=T("handoff.leads_waiting")),
                        alt.Tooltip("longest_text:N", title=T("handoff.longest_wait")),
                    ],
                )
                .add_params(pick)
            )
            text = (
                alt.Chart(per_owner)
                .mark_text(align="left", dx=5, fontSize=14)
                .encode(
                    y=alt.Y("owner_label:N", sort=owner_order), x="leads:Q", text="leads_text:N"
                )
            )
            clicked = ui.chart(
                ctx,
                bars + text,
                "pending-past-sla-by-owner",
                key="pending-owner-chart",
                height=max(220, 34 * len(owner_order)),
                select=True,
            )
            st.caption(T("handoff.per_owner_click"))
        chosen = clicked.get("owner_label") if clicked else None
        shown_rows = waiting.filter(pl.col("owner_label") == chosen) if chosen else waiting
        with right:
            title = (
                T("handoff.list_title_owner", owner=safe.md_text(chosen))
                if chosen
                else T("handoff.list_title")
            )
            st.markdown(
                f"**{title}** · "
                + T("common.leads_behind_count", n=fmt_int(shown_rows.height, ctx.lang))
            )
            ui.table(
                ctx,
                shown_rows.select(
                    "lead_id",
                    pl.col("owner_label").alias(T("common.owner")),
                    pl.col("source").alias(T("common.source")),
                    pl.col("handed_off_at").alias(T("handoff.handed_off_at")),
                    pl.col("hours").round(1).alias(T("handoff.hours_waiting")),
                    pl.col("n_attempts").alias(T("handoff.attempts")),
                    pl.col("first_touch_at").alias(T("handoff.first_touch_at")),
                ),
                "pending-past-sla",
                key="pending-table",
                column_config={
                    **ui.lead_columns(ctx),
                    T("handoff.hours_waiting"): st.column_config.NumberColumn(format="%.1f"),
                    T("handoff.handed_off_at"): st.column_config.DatetimeColumn(
                        format="DD/MM/YYYY HH:mm" if ctx.lang == "vi" else "YYYY-MM-DD HH:mm"
                    ),
                    T("handoff.first_touch_at"): st.column_config.DatetimeColumn(
                        format="DD/MM/YYYY HH:mm" if ctx.lang == "vi" else "YYYY-MM-DD HH:mm"
                    ),
                },
                height=min(420, 38 + 35 * max(shown_rows.height, 1)),
            )
    ui.how_computed(ctx, leads)
