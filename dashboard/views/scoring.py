"""Scoring & thresholds (joint review): does the lead score predict SQLs and wins, what a
different MQL threshold would change, which threshold the data suggests and why, and which
lead attributes separate the leads sales qualifies from the ones it rejects.

One function per section of the page, called in order by :func:`render`; the charts are
drawn by :mod:`dashboard.charts.scoring` and the words and display rows come from
:mod:`dashboard.views._scoring_parts`, all from the rows the metrics return.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import polars as pl
import streamlit as st

from dashboard import safe, scoring, ui
from dashboard.charts import scoring as scoring_charts
from dashboard.charts.scoring import IV_BANDS
from dashboard.i18n import fmt_int, fmt_money_short, fmt_number
from dashboard.views import _scoring_replay as replay
from dashboard.views._scoring_parts import (
    ATTRIBUTES_TABLE,
    CALIBRATION_TABLE,
    WHATIF_TABLE,
    attribute_keep,
    attribute_label,
    auc_reading,
    calibration_series,
    decile_rates,
    decile_rows,
    lift_rows,
    pct,
    score_text,
    separating_attributes,
    threshold_marks,
    total_scored,
    value_label,
    value_rows,
    whatif_curves,
)

SLIDER_KEY = replay.SLIDER_KEY
# the what-if grid: every whole threshold, so any slider position is a row of the metric
WHATIF_PARAMS = {"threshold_step": 1.0}


# ----------------------------------------------------------------------------- calibration
def auc_summary(ctx: ui.Context, first: dict[str, Any]) -> None:
    """The two AUCs as figures, and a line reading each."""
    T = ctx.t
    a, b = st.columns(2)
    a.metric(T("scoring.auc_sql_label"), pct(ctx, first["auc_sql"], 0), help=T("scoring.auc_help"))
    b.metric(T("scoring.auc_won_label"), pct(ctx, first["auc_won"], 0), help=T("scoring.auc_help"))
    lines = []
    for auc, none_key, sentence_key in (
        (first["auc_sql"], "scoring.auc_sql_none", "scoring.auc_sql_sentence"),
        (first["auc_won"], "scoring.auc_won_none", "scoring.auc_won_sentence"),
    ):
        if auc is None:
            lines.append(T(none_key))
        else:
            lines.append(T(sentence_key, auc=pct(ctx, auc, 0), reading=auc_reading(ctx, auc)))
    lines.append(T("scoring.auc_chance"))
    st.markdown("\n".join(f"- {line}" for line in lines))


def decile_leads(ctx: ui.Context, deciles: pl.DataFrame, decile: int) -> None:
    """The leads of a clicked decile (its score range; ties at its edges say so)."""
    T = ctx.t
    hit = deciles.filter(pl.col("decile") == decile)
    if hit.is_empty():
        return
    r = hit.row(0, named=True)
    low, high = r["min_score"], r["max_score"]
    st.caption(
        T(
            "scoring.decile_ties",
            low=score_text(ctx, low),
            high=score_text(ctx, high),
            n=fmt_int(r["leads"], ctx.lang),
        )
    )
    ui.leads_behind(
        ctx,
        T(
            "scoring.decile_what",
            decile=r["decile"],
            low=score_text(ctx, low),
            high=score_text(ctx, high),
        ),
        ui.pick(score=(low, high)),
        key="decile",
    )


def calibration_table(ctx: ui.Context, frame: pl.DataFrame) -> None:
    """Every decile of ``score_calibration`` as a table."""
    ui.table(
        ctx,
        frame,
        "score-calibration",
        key="calibration-table",
        metric="score_calibration",
        headers=dict(CALIBRATION_TABLE),
    )


def calibration_section(ctx: ui.Context) -> int | None:
    """Does the score predict SQLs and wins: AUCs, rates by decile. Returns the scored
    leads (None when the metric cannot run)."""
    T = ctx.t
    st.subheader(T("scoring.calibration_title"))
    st.caption(T("scoring.calibration_caption"))
    cal = ui.metric(ctx, "score_calibration")
    if not ui.usable(ctx, cal):
        return None
    frame = cal.frame
    scored_leads = total_scored(frame)
    if not scored_leads:
        st.info(T("scoring.no_scored"))
        ui.how_computed(ctx, cal)
        return scored_leads
    first = frame.row(0, named=True)
    auc_summary(ctx, first)
    deciles = decile_rows(ctx, frame)
    chart = scoring_charts.calibration(
        decile_rates(ctx, deciles),
        T,
        deciles=deciles["decile_label"].to_list(),
        series=list(calibration_series(ctx).values()),
        select=True,
    )
    clicked = ui.chart(
        ctx, chart, "score-calibration", key="calibration-chart", height=420, select=True
    )
    st.caption(T("scoring.calibration_click"))
    if clicked and clicked.get("decile") is not None:
        decile_leads(ctx, deciles, int(clicked["decile"]))
    calibration_table(ctx, frame)
    if first["unscored_leads"]:
        st.caption(T("scoring.unscored", n=fmt_int(first["unscored_leads"], ctx.lang)))
    ui.how_computed(ctx, cal)
    return scored_leads


# ----------------------------------------------------------------------------- what-if
def threshold_slider(ctx: ui.Context, current: float) -> int:
    """The what-if slider, starting at the current threshold."""
    default = min(100, max(0, round(current)))
    # start at the current setting, and again whenever the setting itself changes
    if SLIDER_KEY not in st.session_state or st.session_state.get("sc_default") != default:
        st.session_state[SLIDER_KEY] = default
        st.session_state["sc_default"] = default
    return st.slider(
        ctx.t("scoring.slider"),
        min_value=0,
        max_value=100,
        step=1,
        key=SLIDER_KEY,
        help=ctx.t("scoring.slider_help", current=score_text(ctx, current)),
    )


def whatif_figures(
    ctx: ui.Context, row: dict[str, Any], now: dict[str, Any], current: float, moved: bool
) -> None:
    """The chosen threshold's figures, each with its change from the current threshold."""
    n = partial(fmt_int, lang=ctx.lang)
    short = partial(fmt_money_short, currency=ctx.currency, lang=ctx.lang)
    one_decimal = partial(fmt_number, lang=ctx.lang, digits=1)

    def delta(key: str, fmt: Callable[[float], str]) -> str | None:
        """The change from the current threshold's row, signed, or None when unmoved."""
        if not moved or row[key] is None or now[key] is None:
            return None
        diff = row[key] - now[key]
        sign = "+" if diff > 0 else "-" if diff < 0 else ""
        return ctx.t(
            "scoring.vs_current", diff=sign + fmt(abs(diff)), current=score_text(ctx, current)
        )

    # (message key, help key, column, format, delta colour rule)
    items = [
        ("scoring.leads_sent", "scoring.leads_sent_help", "leads_sent", n, "off"),
        ("scoring.sqls_kept", "scoring.sqls_kept_help", "sqls_kept", n, "normal"),
        ("scoring.revenue_kept", "scoring.revenue_kept_help", "won_revenue_kept", short, "normal"),
        (
            "scoring.revenue_missed",
            "scoring.revenue_missed_help",
            "won_revenue_missed",
            short,
            "inverse",
        ),
        ("scoring.workload", "scoring.workload_help", "leads_per_rep_week", one_decimal, "off"),
    ]
    for col, (key, help_key, column, fmt, rule) in zip(st.columns(len(items)), items, strict=True):
        col.metric(
            ctx.t(key),
            fmt(row[column]),
            delta=delta(column, fmt),
            delta_color=rule,
            help=ctx.t(help_key),
        )


def whatif_table(ctx: ui.Context, whatif: pl.DataFrame) -> None:
    """Every threshold of the what-if grid as a table, folded away."""
    T = ctx.t
    with st.expander(T("scoring.whatif_table_title"), icon=":material/table:"):
        ui.table(
            ctx,
            whatif,
            "threshold-whatif",
            key="whatif-table",
            metric="threshold_whatif",
            headers=dict(WHATIF_TABLE),
            units={"sqls_per_lead_sent": "share"},
            height=360,
        )


def whatif_chart(ctx: ui.Context, whatif: pl.DataFrame, chosen: int, current: float) -> None:
    """The kept-share curves with the chosen and current thresholds marked."""
    curves, names = whatif_curves(ctx, whatif)
    chart = scoring_charts.threshold_whatif(
        curves,
        threshold_marks(ctx, chosen, current),
        ctx.t,
        names=[v[0] for v in names.values()],
        colours=[v[1] for v in names.values()],
    )
    ui.chart(ctx, chart, "threshold-whatif", key="whatif-chart", height=400)


def whatif_section(ctx: ui.Context, whatif: ui.Shown) -> tuple[pl.DataFrame | None, float]:
    """What a different MQL threshold would change. Returns the what-if rows (None when
    there are none to suggest from) and the current threshold."""
    T = ctx.t
    st.subheader(T("scoring.whatif_title"))
    st.caption(T("scoring.whatif_caption"))
    if replay.crm_mql_dates(whatif):
        replay.basis_note(ctx)
    settings_threshold = ctx.facts.settings.get("mql_score_threshold", 60)
    current = float(whatif.values.get("mql_score_threshold", settings_threshold))
    if not ui.usable(ctx, whatif):
        return None, current
    w = whatif.frame
    if not w["leads_sent"].max():
        st.info(T("scoring.no_scored"))
        ui.how_computed(ctx, whatif)
        return None, current
    whatif_view(ctx, w, current)
    st.caption(T("scoring.whatif_replay"))
    whatif_table(ctx, w)
    unscored = w.filter(pl.col("is_current"))["unscored_leads"]
    if unscored.len() and unscored[0]:
        st.caption(T("scoring.unscored", n=fmt_int(unscored[0], ctx.lang)))
    ui.how_computed(ctx, whatif)
    return w, current


# A fragment: moving the slider (a step of the arrow keys is one change) redraws only the
# figures and the chart below it, from the rows already read, not the whole page.
@st.fragment
def whatif_view(ctx: ui.Context, w: pl.DataFrame, current: float) -> None:
    """The slider and what the chosen threshold would change: figures, summary, chart."""
    chosen = threshold_slider(ctx, current)
    row = w.filter(pl.col("threshold") == float(chosen)).row(0, named=True)
    now = w.filter(pl.col("is_current")).row(0, named=True)
    whatif_figures(ctx, row, now, current, moved=float(chosen) != current)
    st.markdown(
        ctx.t(
            "scoring.whatif_summary",
            threshold=score_text(ctx, chosen),
            sql_share=pct(ctx, row["sql_share_kept"]),
            revenue_share=pct(ctx, row["revenue_share_kept"]),
            rate=pct(ctx, row["sqls_per_lead_sent"]),
        )
    )
    whatif_chart(ctx, w, chosen, current)


# ----------------------------------------------------------------------------- suggestion
def rule_inputs(ctx: ui.Context) -> tuple[str, int]:
    """The suggestion rule and its share (in percent), as the user chose them."""
    T = ctx.t
    rule = st.radio(
        T("scoring.rule"),
        scoring.RULES,
        format_func=lambda r: T(f"scoring.rule_{r}"),
        captions=[T(f"scoring.rule_{r}_caption") for r in scoring.RULES],
        horizontal=True,
        key="sc_rule",
    )
    if rule == scoring.REVENUE:
        label, help_text = T("scoring.keep_share"), T("scoring.keep_share_help")
        value, low, key = 95, 1, "sc_keep_share"
    else:
        label, help_text = T("scoring.min_sent_share"), T("scoring.min_sent_share_help")
        value, low, key = 10, 0, "sc_min_sent_share"
    share = st.number_input(
        label, min_value=low, max_value=100, value=value, step=1, key=key, help=help_text
    )
    return rule, share


def suggestion_section(
    ctx: ui.Context,
    whatif: pl.DataFrame | None,
    scored_leads: int | None,
    current: float,
    crm_dates: bool = False,
) -> None:
    """The threshold a rule suggests from the what-if rows, and why."""
    T = ctx.t
    st.subheader(T("scoring.suggest_title"))
    st.caption(T("scoring.suggest_caption"))
    if whatif is None:
        st.info(T("scoring.suggest_unavailable"))
        return
    rule, share = rule_inputs(ctx)
    suggestion = scoring.suggest(whatif, rule, share / 100, scored_leads=scored_leads or None)
    reason = suggestion.reason(ctx.lang, ctx.currency)
    with st.container(border=True):
        if not suggestion.found:
            st.warning(reason)
            return
        value = suggestion.threshold
        change = value - current
        st.metric(
            T("scoring.suggested"),
            score_text(ctx, value),
            delta=(
                T(
                    "scoring.vs_current",
                    diff=("+" if change > 0 else "-") + score_text(ctx, abs(change)),
                    current=score_text(ctx, current),
                )
                if change
                else T("scoring.same_as_current")
            ),
            delta_color="off",
        )
        st.markdown(reason)
        replay.suggestion_actions(ctx, value, reason, crm_dates)


# ----------------------------------------------------------------------------- attributes
def value_lift(ctx: ui.Context, lift: pl.DataFrame, attribute: str, overall: float) -> None:
    """The lift of ``attribute``'s values (a click lists the leads with that value)."""
    T = ctx.t
    values = value_rows(ctx, lift, attribute)
    title = T(
        "scoring.lift_chart_title",
        attribute=attribute_label(ctx, attribute),
        overall=pct(ctx, overall),
    )
    chart = scoring_charts.attribute_lift(values, T, title=title, lang=ctx.lang, select=True)
    clicked = ui.chart(
        ctx,
        chart,
        "attribute-lift",
        key=f"lift-chart-{attribute}",
        height=max(200, 36 * values.height),
        select=True,
    )
    st.caption(T("scoring.lift_click"))
    if not clicked or clicked.get("value") is None:
        return
    value = str(clicked["value"])
    chosen = attribute_keep(ctx, attribute, value)
    if chosen is None:
        label = safe.md_text(attribute_label(ctx, attribute))
        st.info(T("scoring.lift_not_listable", attribute=label))
    else:
        what = f"{attribute_label(ctx, attribute)} = {value_label(ctx, attribute, value)}"
        ui.leads_behind(ctx, what, chosen, key="attribute-value")


def separation(ctx: ui.Context, lift: pl.DataFrame) -> None:
    """Which attributes separate SQLs from rejections, then the clicked (or best) one's
    values."""
    T = ctx.t
    overall = lift.row(0, named=True)["overall_sql_rate"]
    attributes = separating_attributes(ctx, lift)
    if attributes.is_empty():
        st.info(T("scoring.attributes_no_separation"))
        return
    top = attributes.row(0, named=True)
    st.markdown(
        T(
            "scoring.attributes_summary",
            attribute=safe.md_text(top["attribute_label"]),
            iv=fmt_number(top["information_value"], ctx.lang, 2),
            band=top["band"],
            overall=pct(ctx, overall),
        )
    )
    bands = [T(f"scoring.iv_{key}") for _, key, _ in IV_BANDS]
    chart = scoring_charts.separation(attributes, T, bands=bands, lang=ctx.lang, select=True)
    clicked = ui.chart(
        ctx,
        chart,
        "attribute-separation",
        key="attributes-chart",
        height=max(240, 40 * attributes.height),
        select=True,
    )
    if (attributes["band_key"] == "suspicious").any():
        st.warning(T("scoring.iv_suspicious_note"))
    st.caption(T("scoring.iv_bands"))
    picked = clicked.get("attribute") if clicked else None
    listed = attributes["attribute"].to_list()
    value_lift(ctx, lift, picked if picked in listed else top["attribute"], overall)


def attributes_table(ctx: ui.Context, lift: pl.DataFrame) -> None:
    """Every attribute value of ``attribute_lift`` as a table."""
    ui.table(
        ctx,
        lift,
        "attribute-lift",
        key="attributes-table",
        metric="attribute_lift",
        headers=dict(ATTRIBUTES_TABLE),
        height=360,
    )


def attributes_section(ctx: ui.Context) -> None:
    """Which lead attributes separate the leads sales qualifies from the ones it rejects."""
    T = ctx.t
    st.subheader(T("scoring.attributes_title"))
    st.caption(T("scoring.attributes_caption"))
    lift = ui.metric(ctx, "attribute_lift")
    if not ui.usable(ctx, lift):
        return
    rows = lift_rows(ctx, lift.frame)
    separation(ctx, rows)
    attributes_table(ctx, rows)
    ui.how_computed(ctx, lift)


def render() -> None:
    """The page: its title, then each section in order (or where to load data first)."""
    ctx = ui.current()
    ui.page_title(ctx, "pages.scoring")
    st.caption(ctx.t("scoring.question"))
    if not ctx.has_leads:
        st.info(ctx.t("common.no_workspace"))
        st.stop()
    # a review callout's link: its lead list first
    ui.evidence_panel(ctx, "scoring")
    scored_leads = calibration_section(ctx)
    shown = ui.metric(ctx, "threshold_whatif", params=WHATIF_PARAMS)
    whatif, current = whatif_section(ctx, shown)
    # with the CRM's MQL dates the threshold changes nothing: offer what a bar would change
    crm_dates = replay.crm_mql_dates(shown)
    suggestion_section(ctx, whatif, scored_leads, current, crm_dates)
    if crm_dates:
        replay.replay_section(ctx, current)
    attributes_section(ctx)


render()
