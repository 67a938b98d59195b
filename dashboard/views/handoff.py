"""Handoff & SLA (sales): do MQLs reach sales, how sales decides on them and how fast, why it
rejects them, and which handed-off leads are still waiting past the SLA."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import altair as alt
import polars as pl
import streamlit as st

from dashboard import safe, ui
from dashboard.charts import handoff as handoff_charts
from dashboard.i18n import fmt_duration_minutes, fmt_int, fmt_number, fmt_pct

# the label rejection_reasons gives to a rejection without a reason
NO_REASON = "(no reason given)"


def pct(ctx: ui.Context, value: float | None) -> str:
    """A share as the page's language writes it."""
    return fmt_pct(value, ctx.lang)


def hours(ctx: ui.Context, value: float | None) -> str:
    """A duration given in hours, in the largest sensible unit."""
    return fmt_duration_minutes(None if value is None else value * 60, ctx.lang)


def sla_hours(ctx: ui.Context, handoff: ui.Shown) -> float:
    """The SLA the handoff metric used (the setting when the metric could not run)."""
    return float(handoff.values.get("sla_hours") or ctx.facts.settings.get("sla_hours") or 24)


def headline(ctx: ui.Context, handoff: ui.Shown) -> None:
    """The handoff metric's six figures and the counts behind them."""
    if not ui.usable(ctx, handoff):
        return
    T = ctx.t
    row = handoff.frame.row(0, named=True)
    items = [
        ("handoff.handoff_rate", pct(ctx, row["handoff_rate"])),
        ("handoff.acceptance_rate", pct(ctx, row["acceptance_rate"])),
        ("handoff.rejection_rate", pct(ctx, row["rejection_rate"])),
        ("handoff.median_to_accept", hours(ctx, row["median_hours_to_accept"])),
        ("handoff.pending_past_sla", fmt_int(row["pending_past_sla"], ctx.lang)),
    ]
    # a rejected lead shows as recycled through its later MQL entries, which only a stage
    # history export has: without one, a 0 would read as "none" when it is "not known"
    no_history = not (ctx.facts and ctx.facts.counts.get("stage_history"))
    if row["recycled"] or not no_history:
        items.append(("handoff.recycled", fmt_int(row["recycled"], ctx.lang)))
    sla = fmt_number(sla_hours(ctx, handoff), ctx.lang)
    # two rows of three: the labels stay whole on a projector
    cols = [*st.columns(3), *st.columns(3)]
    for col, (key, value) in zip(cols, items, strict=False):
        col.metric(T(key), value, help=T(f"{key}_help", sla=sla))
    if len(items) < len(cols):
        cols[len(items)].caption(T("handoff.recycled_needs_history"))
    st.caption(
        T(
            "handoff.headline_caption",
            mqls=fmt_int(row["mqls"], ctx.lang),
            handed_off=fmt_int(row["handed_off"], ctx.lang),
            accepted=fmt_int(row["accepted"], ctx.lang),
            rejected=fmt_int(row["rejected"], ctx.lang),
            pending=fmt_int(row["pending"], ctx.lang),
            to_reject=hours(ctx, row["median_hours_to_reject"]),
        )
    )
    ui.how_computed(ctx, handoff)


def trend(ctx: ui.Context) -> None:
    """The handoff rates per cohort month, and the month table."""
    T = ctx.t
    st.subheader(T("handoff.trend_title"))
    basis_keys = {"created": "handoff.basis_created", "mql": "handoff.basis_mql"}
    basis = T(basis_keys.get(str(ctx.facts.settings.get("cohort_basis")), "handoff.basis_created"))
    st.caption(T("handoff.trend_caption", basis=basis))
    by_month = ui.metric(ctx, "handoff", by="month")
    if not ui.usable(ctx, by_month):
        return
    m = by_month.frame.filter(pl.col("dimension").is_not_null()).with_columns(
        pl.col("dimension").str.to_date("%Y-%m").alias("month_start")
    )
    chart = handoff_charts.rates_over_time(
        m,
        rate_names={k: T(f"handoff.{k}") for k in handoff_charts.RATES},
        month=lambda d: ui.month_label(ctx, d),
        count=lambda v: fmt_int(v, ctx.lang),
        rate=lambda v: pct(ctx, v),
        titles={
            "month": T("common.month"),
            "rate": T("common.rate"),
            "value": T("handoff.value"),
            "mqls": T("common.mqls"),
            "handed_off": T("common.handed_off"),
            "axis": T("handoff.share_axis"),
        },
        month_format="%m/%Y" if ctx.lang == "vi" else "%b %Y",
    )
    ui.chart(ctx, chart, "handoff-rates-by-month", key="handoff-trend", height=340)
    month_table(ctx, m)
    ui.how_computed(ctx, by_month, by="month")


def month_table(ctx: ui.Context, m: pl.DataFrame) -> None:
    """Every figure of the handoff metric per month (no recycled column when no stage
    history is loaded: nothing else can show a lead recycled, so it would be all 0)."""
    headers = {
        "month_start": "common.month",
        "mqls": "common.mqls",
        "handed_off": "common.handed_off",
        "handoff_rate": "handoff.handoff_rate",
        "accepted": "common.accepted",
        "acceptance_rate": "handoff.acceptance_rate",
        "rejected": "common.rejected",
        "rejection_rate": "handoff.rejection_rate",
        "pending": "handoff.pending",
        "pending_past_sla": "handoff.pending_past_sla",
        "median_hours_to_accept": "handoff.median_time_to_accept",
        "recycled": "handoff.recycled",
    }
    if (
        not (ctx.facts and ctx.facts.counts.get("stage_history"))
        and not (m["recycled"].fill_null(0) > 0).any()
    ):
        headers.pop("recycled")
    ui.table(
        ctx,
        m,
        "handoff-by-month",
        key="handoff-month-table",
        metric="handoff",
        headers=headers,
        units={"month_start": "month"},
        height=300,
        folded=True,
    )


def reasons(ctx: ui.Context) -> None:
    """Rejection reasons per source (click a cell for its leads), and their table."""
    T = ctx.t
    st.subheader(T("handoff.reasons_title"))
    st.caption(T("handoff.reasons_caption"))
    shown = ui.metric(ctx, "rejection_reasons", by="source")
    if not ui.usable(ctx, shown):
        return
    r = handoff_charts.reason_texts(
        shown.frame,
        reason=lambda x: T("handoff.no_reason") if x == NO_REASON else x,
        none_label=T("common.none_value"),
        count=lambda v: fmt_int(v, ctx.lang),
        share=lambda v: pct(ctx, v),
    )
    heat = handoff_charts.reasons_heatmap(
        r,
        titles={
            "legend": T("handoff.share_legend"),
            "source": T("common.source"),
            "reason": T("handoff.reason"),
            "rejected": T("common.rejected"),
            "share_of_source": T("handoff.share_of_source"),
            "share_of_all": T("handoff.share_of_all"),
        },
        pick=alt.selection_point(name="cell", fields=["source", "reason"]),
    )
    n_sources = len(handoff_charts.source_order(r))
    clicked = ui.chart(
        ctx,
        heat,
        "rejection-reasons-by-source",
        key="reasons-heat",
        height=max(320, 40 * n_sources),
        select=True,
    )
    st.caption(T("handoff.reasons_click"))
    if clicked and clicked.get("source") and clicked.get("reason"):
        reason_leads(ctx, clicked["source"], clicked["reason"])
    reasons_table(ctx, r)
    ui.how_computed(ctx, shown, by="source")


def reason_leads(ctx: ui.Context, src: str, reason: str) -> None:
    """The rejected leads of source ``src`` with ``reason`` (as the heatmap labels it)."""
    raw = NO_REASON if reason == ctx.t("handoff.no_reason") else reason
    ui.leads_behind(
        ctx,
        f"{src} · {reason}",
        # a blank reason is no reason, as rejection_reasons counts it
        ui.pick(
            "rejected",
            source=ui.source_value(ctx, src),
            rejection_reason=None if raw == NO_REASON else raw,
        ),
        key="handoff-reason",
    )


def reasons_table(ctx: ui.Context, r: pl.DataFrame) -> None:
    """Every source's rejections by reason, with shares and rank."""
    ui.table(
        ctx,
        r,
        "rejection-reasons-by-source",
        key="reasons-table",
        metric="rejection_reasons",
        headers={
            "source": "common.source",
            "reason": "handoff.reason",
            "rejected": "common.rejected",
            "share": "handoff.share_of_source",
            "share_of_all": "handoff.share_of_all",
            "rank": "handoff.rank",
        },
        units={"source": "text", "reason": "text"},
        height=300,
        folded=True,
    )


def pending(ctx: ui.Context, handoff: ui.Shown) -> None:
    """The handed-off leads still waiting past the SLA: per owner and as a list."""
    T = ctx.t
    st.subheader(T("handoff.pending_title"))
    sla = fmt_number(sla_hours(ctx, handoff), ctx.lang)
    st.caption(T("handoff.pending_caption", sla=sla))
    # only the leads waiting past the SLA, chosen by lead_list's SQL
    leads = ui.metric(ctx, "lead_list", params=ui.pick("pending_past_sla"))
    if not handoff.ok:
        # without handoff dates there is nothing pending: say what to upload instead
        ui.needs(ctx, handoff)
        return
    if not leads.ok or leads.frame is None:
        ui.needs(ctx, leads)
        return
    ui.money_needs(ctx, leads)
    as_of = handoff.values.get("as_of")
    zone = ui.style(ctx).timezone
    local = as_of.replace(tzinfo=as_of.tzinfo or dt.UTC).astimezone(zoneinfo.ZoneInfo(zone))
    moment = local.strftime("%d/%m/%Y %H:%M" if ctx.lang == "vi" else "%Y-%m-%d %H:%M")
    # the same leads as handoff.pending_past_sla, flagged by the lead_list metric
    waiting = (
        leads.frame.filter(pl.col("is_pending_past_sla"))
        .rename({"hours_waiting": "hours"})
        .with_columns(pl.col("owner").fill_null(T("handoff.no_owner")).alias("owner_label"))
        .sort("hours", descending=True)
    )
    st.caption(T("handoff.as_of", moment=moment, zone=safe.md_text(zone)))
    if waiting.is_empty():
        st.success(T("handoff.none_pending", sla=sla))
    else:
        left, right = st.columns([2, 3])
        with left:
            chosen = owner_chart(ctx)
        with right:
            shown = waiting.filter(pl.col("owner_label") == chosen) if chosen else waiting
            pending_list(ctx, shown, chosen)
    ui.how_computed(ctx, leads)


def owner_chart(ctx: ui.Context) -> str | None:
    """The leads waiting past the SLA per owner; returns the clicked owner's label."""
    T = ctx.t
    # counted per owner by pending_by_owner (the same leads as the list)
    per_owner = handoff_charts.owner_texts(
        ui.metric(ctx, "pending_by_owner").frame,
        no_owner=T("handoff.no_owner"),
        count=lambda v: fmt_int(v, ctx.lang),
        duration=lambda h: hours(ctx, h),
    )
    st.markdown(f"**{T('handoff.per_owner_title')}**")
    chart = handoff_charts.owner_bars(
        per_owner,
        axis_title=T("handoff.leads_waiting"),
        titles={"owner": T("common.owner"), "longest": T("handoff.longest_wait")},
        pick=alt.selection_point(name="owner", fields=["owner_label"]),
    )
    clicked = ui.chart(
        ctx,
        chart,
        "pending-past-sla-by-owner",
        key="pending-owner-chart",
        height=max(220, 34 * per_owner.height),
        select=True,
    )
    st.caption(T("handoff.per_owner_click"))
    return clicked.get("owner_label") if clicked else None


def pending_list(ctx: ui.Context, rows: pl.DataFrame, chosen: str | None) -> None:
    """The waiting leads (of the ``chosen`` owner, when one is), longest wait first."""
    T = ctx.t
    title = (
        T("handoff.list_title_owner", owner=safe.md_text(chosen))
        if chosen
        else T("handoff.list_title")
    )
    count = T("common.leads_behind_count", n=fmt_int(rows.height, ctx.lang))
    st.markdown(f"**{title}** · {count}")
    ui.table(
        ctx,
        rows,
        "pending-past-sla",
        key="pending-table",
        metric="lead_list",
        headers={
            "lead_id": "leads.lead_id",
            "owner_label": "common.owner",
            "source": "common.source",
            "handed_off_at": "handoff.handed_off_at",
            "hours": "handoff.time_waiting",
            "n_attempts": "handoff.attempts",
            "first_touch_at": "handoff.first_touch_at",
        },
        units={"hours": "hours", "owner_label": "text"},
        column_config=ui.lead_columns(ctx),
        height=min(420, 38 + 35 * max(rows.height, 1)),
    )


def render() -> None:
    """The page: the headline, then each section in order."""
    ctx = ui.current()
    ui.page_title(ctx, "pages.handoff")
    st.caption(ctx.t("handoff.question"))
    if not ctx.has_leads:
        st.info(ctx.t("common.no_workspace"))
        return
    # a review callout's link: its lead list first
    ui.evidence_panel(ctx, "handoff")
    handoff = ui.metric(ctx, "handoff")
    headline(ctx, handoff)
    # the leads a manager acts on today come first, the trends after
    pending(ctx, handoff)
    trend(ctx)
    reasons(ctx)


render()
