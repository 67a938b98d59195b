"""Review meeting (marketing and sales together, the home page): what changed since the
previous month or quarter, and the disagreements worth the meeting's time, ranked by the
revenue at stake, each with a link to the page that shows the evidence."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.util
from pathlib import Path

import polars as pl
import streamlit as st

from dashboard import evidence, metrics, review, safe, ui
from dashboard.i18n import (
    fmt_date,
    fmt_duration_minutes,
    fmt_int,
    fmt_money_short,
    fmt_month,
    fmt_number,
    fmt_pct,
)

VIEWS = Path(__file__).resolve().parent
KIND_COLOURS = {
    "source_rejections": "red",
    "score_overrates_source": "orange",
    "one_attempt_rep": "violet",
    "slow_rep": "violet",
    "false_rejections": "blue",
    "missed_leads": "blue",
    "sla_pending": "gray",
}


def _filters(key: tuple) -> metrics.Filters:
    return metrics.Filters(
        date_from=key[0],
        date_to=key[1],
        sources=list(key[2]),
        campaigns=list(key[3]),
        owners=list(key[4]),
        segment_column=key[5],
        segment_values=list(key[6]),
    )


def _compare(ctx: ui.Context, grain: str, anchor: dt.date) -> review.Comparison:
    """The headlines of the period and the one before, from the page's cached figures
    (the same ones the "how computed" notes under them show)."""

    def answer(name: str, filters: metrics.Filters) -> tuple[pl.DataFrame | None, tuple[str, ...]]:
        shown = ui.metric(ctx, name, filters=filters)
        return shown.frame, shown.missing

    return review.compare_periods(
        None, ctx.facts.settings, ctx.filters, grain=grain, anchor=anchor, answer=answer
    )


@st.cache_data(show_spinner=False, max_entries=64)
def _callouts(path: str, version: int, filters_key: tuple, lang: str) -> list[review.Callout]:
    with ui.connect() as ws:
        return review.callouts(ws.con, ws.settings(), _filters(filters_key), lang)


def period_label(ctx: ui.Context, p: review.Period) -> str:
    """A month or quarter as the page's language writes it."""
    if p.grain == "month":
        return fmt_month(p.start, ctx.lang)
    return ctx.t("review.quarter_label", q=(p.start.month - 1) // 3 + 1, year=p.start.year)


def delta_text(ctx: ui.Context, h: review.Headline) -> str | None:
    """The change from the previous period, formatted for st.metric's arrow."""
    if h.change is None:
        return None
    # st.metric reads the direction of the arrow from a leading sign
    sign = "+" if h.change > 0 else "-" if h.change < 0 else ""
    size = abs(h.change)
    if h.kind == "rate":
        return ctx.t("review.points", value=sign + fmt_number(size * 100, ctx.lang, 1))
    if h.kind == "money":
        text = sign + fmt_money_short(size, ctx.currency, ctx.lang)
    else:
        text = sign + fmt_int(size, ctx.lang)
    if h.relative_change is not None:
        text += f" ({sign}{fmt_pct(abs(h.relative_change), ctx.lang)})"
    return text


def value_text(ctx: ui.Context, kind: str, value: float | None) -> str:
    """A headline value as the page's language writes it."""
    if value is None:
        return "–"
    if kind == "rate":
        return fmt_pct(value, ctx.lang)
    if kind == "money":
        return fmt_money_short(value, ctx.currency, ctx.lang)
    return fmt_int(value, ctx.lang)


def header(ctx: ui.Context) -> None:
    """Title and question; the page stops here when no leads are loaded."""
    ui.page_title(ctx, "pages.review")
    st.caption(ctx.t("review.question"))
    if not ctx.has_leads:
        st.info(ctx.t("common.no_workspace"))
        st.stop()


# ----------------------------------------------------------------------------- period
def period_picker(ctx: ui.Context) -> review.Comparison:
    """The month or quarter to review; its headline numbers beside the previous period's."""
    f = ctx.facts
    # wide enough for "Quarter" / "Quý" in the segmented control, never clipped
    left, right, _ = st.columns([1.5, 2, 2.5])
    grain = left.segmented_control(
        ctx.t("review.grain"),
        review.GRAINS,
        default="month",
        required=True,
        format_func=lambda g: ctx.t(f"review.grain_{g}"),
        key="review_grain",
    )
    choices = review.periods(f.first_day, f.last_day, grain)
    maturing = maturing_months(ctx)
    default = review.newest_mature(
        choices, review.default_period(f.first_day, f.last_day, grain), maturing
    )
    period = right.selectbox(
        ctx.t("review.period"),
        choices,
        index=choices.index(default),
        format_func=lambda p: period_label(ctx, p),
        help=ctx.t("review.period_help"),
        key=f"review_period_{grain}",
    )
    if review.months_of(period) & maturing:
        # a period whose deals are still coming in: its won figures are not final yet
        st.warning(ctx.t("review.period_maturing"), icon=":material/hourglass_top:")
    return _compare(ctx, grain, period.start)


def maturing_months(ctx: ui.Context) -> set[dt.date]:
    """Cohort months whose won deals may still come in (``funnel_cohort``'s is_maturing)."""
    cohort = ui.metric(ctx, "funnel_cohort")
    if not cohort.ok:
        return set()
    won = cohort.frame.filter((cohort.frame["stage"] == "won") & cohort.frame["is_maturing"])
    return set(won["cohort_month"].to_list())


def changes(ctx: ui.Context, cmp: review.Comparison) -> None:
    """The headline numbers with their change, what they need, and how they are computed."""
    T = ctx.t
    by_mql = ctx.facts.settings.get("cohort_basis") == "mql"
    basis = T("review.basis_mql" if by_mql else "review.basis_created")
    this, previous = period_label(ctx, cmp.current), period_label(ctx, cmp.previous)
    st.subheader(T("review.changes_title", this=this, previous=previous))
    st.caption(T("review.changes_caption", basis=basis))
    shown_heads = [h for h in cmp.headlines if h.metric not in cmp.missing]
    for start in range(0, len(shown_heads), 4):
        row = shown_heads[start : start + 4]
        for col, h in zip(st.columns(4), row, strict=False):
            col.metric(
                T(f"review.h_{h.key}"),
                value_text(ctx, h.kind, h.current),
                delta=delta_text(ctx, h),
                help=T(
                    "review.previous_value",
                    previous=value_text(ctx, h.kind, h.previous),
                    period=previous,
                ),
                border=True,
            )
    period_ctx = dataclasses.replace(ctx, filters=cmp.current.filters(ctx.filters))
    for name in cmp.missing:
        ui.needs(period_ctx, ui.metric(period_ctx, name))
    used = [n for n in dict.fromkeys(h.metric for h in cmp.headlines) if n not in cmp.missing]
    for col, name in zip(st.columns(len(used) or 1), used, strict=False):
        with col:
            labels = [T(f"review.h_{h.key}") for h in cmp.headlines if h.metric == name]
            st.caption(", ".join(labels))
            ui.how_computed(period_ctx, ui.metric(period_ctx, name))


# ----------------------------------------------------------------------------- callouts
def callout_scope(ctx: ui.Context, cmp: review.Comparison) -> metrics.Filters:
    """The leads the callouts look at: the sidebar's filters, or the reviewed period's."""
    T = ctx.t
    f = ctx.facts
    st.subheader(T("review.callouts_title"))
    scope = st.radio(
        T("review.scope"),
        ("filters", "period"),
        format_func=lambda s: T(f"review.scope_{s}"),
        horizontal=True,
        key="review_scope",
    )
    scope_filters = cmp.current.filters(ctx.filters) if scope == "period" else ctx.filters
    if scope_filters.date_from or scope_filters.date_to:
        scope_text = T(
            "review.scope_dates",
            start=fmt_date(scope_filters.date_from or f.first_day, ctx.lang),
            end=fmt_date(scope_filters.date_to or f.last_day, ctx.lang),
        )
    else:
        scope_text = T("review.scope_all_dates")
    st.caption(T("review.callouts_caption", scope=scope_text))
    return scope_filters


def callout_card(ctx: ui.Context, i: int, c: review.Callout, money_unknown: bool) -> None:
    """One callout: its rank and kind, what it says, the revenue at stake, the evidence link."""
    T = ctx.t
    with st.container(border=True):
        text, side = st.columns([3, 1.2], vertical_alignment="center")
        with text:
            st.badge(
                f"{T('review.rank', n=i)} · {T(f'review.kind_{c.kind}')}",
                color=KIND_COLOURS.get(c.kind, "blue"),
            )
            # a callout is plain text naming a source or a rep: shown as its letters
            st.markdown(f"**{safe.md_text(c.title)}**")
            st.markdown(safe.md_text(c.detail))
            # the evidence link under the text, where its label has the card's width
            evidence_link(ctx, c)
        with side:
            st.metric(
                T("review.at_stake"),
                value_text(ctx, "money", None if money_unknown else c.impact),
                help=T("review.at_stake_help"),
            )


def evidence_link(ctx: ui.Context, c: review.Callout) -> None:
    """The link to the lead list a callout talks about: its page, filters and list."""
    T = ctx.t
    page_name = T(f"pages.{c.page}")
    available = (VIEWS / f"{c.page}.py").exists()
    label = (
        T("review.evidence_count", n=fmt_int(c.list_count, ctx.lang), page=page_name)
        if c.list_count is not None
        else T("review.evidence", page=page_name)
    )
    # a link whose address holds the view: the page, its filters and the lead list
    st.page_link(
        f"views/{c.page}.py" if available else "views/review.py",
        label=label,
        icon=":material/arrow_forward:",
        query_params=evidence.link_params(c.params, c.lead_list),
        disabled=not available,
        help=None if available else T("review.evidence_missing", page=page_name),
    )


def callout_list(ctx: ui.Context, scope_filters: metrics.Filters) -> None:
    """The callouts found in the scope, largest revenue at stake first."""
    found = _callouts(str(ui.workspace_path()), ctx.version, scope_filters.key(), ctx.lang)
    # with no deal amount in the currency the revenue at stake is unknown: "–" and why, not ₫0
    scope_overview = ui.metric(dataclasses.replace(ctx, filters=scope_filters), "overview")
    money_unknown = bool(found) and ui.money_needs(ctx, scope_overview)
    if not found:
        st.success(ctx.t("review.no_callouts"), icon=":material/handshake:")
    for i, c in enumerate(found, start=1):
        callout_card(ctx, i, c, money_unknown)


def how_found(ctx: ui.Context) -> None:
    """How the callouts are found: each kind's rule with the settings' thresholds."""
    T = ctx.t
    s = ctx.facts.settings

    def pct0(value: object) -> str:
        """A threshold share as a whole percentage."""
        return fmt_pct(float(value), ctx.lang, 0)

    with st.expander(T("review.how_title"), icon=":material/calculate:"):
        st.markdown(T("review.how_intro", min_leads=fmt_int(s["callout_min_leads"], ctx.lang)))
        rules = (
            T(
                "review.how_source_rejections",
                gap=fmt_number(float(s["callout_share_gap"]) * 100, ctx.lang, 0),
            ),
            T("review.how_score_overrates_source", ratio=pct0(s["callout_quality_ratio"])),
            T("review.how_one_attempt_rep", rate=pct0(s["callout_one_attempt_rate"])),
            T(
                "review.how_slow_rep",
                multiple=fmt_number(float(s["callout_sla_multiple"]), ctx.lang, 1),
                sla=fmt_duration_minutes(float(s["sla_hours"]) * 60, ctx.lang),
            ),
            T("review.how_false_rejections", rate=pct0(s["callout_false_rejection_rate"])),
            T("review.how_missed_leads", rate=pct0(s["callout_missed_rate"])),
            T("review.how_sla_pending", rate=pct0(s["callout_pending_rate"])),
        )
        st.markdown("\n".join(f"- {line}" for line in rules))


# ----------------------------------------------------------------------------- report
def report_download(ctx: ui.Context, cmp: review.Comparison) -> None:
    """The review report of the period the page shows (against the one before), as one
    HTML file."""
    if importlib.util.find_spec("dashboard.report") is None:
        return
    from dashboard import report

    st.subheader(ctx.t("review.report_title"))
    st.caption(ctx.t("review.report_caption"))
    path = ui.workspace_path()
    st.download_button(
        ctx.t("review.report_download"),
        data=lambda: report.build_report(path, period=cmp.current, grain=cmp.grain, lang=ctx.lang),
        file_name=f"handoff-review-{dt.date.today().isoformat()}.html",
        mime="text/html",
        icon=":material/download:",
        on_click="ignore",
        key="review-report",
    )


def render() -> None:
    """The Review page, section by section."""
    ctx = ui.current()
    header(ctx)
    cmp = period_picker(ctx)
    # what to talk about first (the ranked callouts), then how the period's figures moved
    scope_filters = callout_scope(ctx, cmp)
    callout_list(ctx, scope_filters)
    changes(ctx, cmp)
    how_found(ctx)
    report_download(ctx, cmp)


render()
