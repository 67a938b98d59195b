"""Scoring & thresholds (joint review): does the lead score predict SQLs and wins, what a
different MQL threshold would change, which threshold the data suggests and why, and which
lead attributes separate the leads sales qualifies from the ones it rejects."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import altair as alt
import polars as pl
import streamlit as st

from dashboard import charts, safe, scoring, ui
from dashboard.i18n import (
    catalogue,
    fmt_int,
    fmt_money,
    fmt_money_short,
    fmt_number,
    fmt_pct,
)
from dashboard.scoring import fmt_threshold

ctx = ui.current()
T = ctx.t

st.title(T("pages.scoring"))
st.caption(T("scoring.question"))
if not ctx.has_leads:
    st.info(T("common.no_workspace"))
    st.stop()

DEFINITIONS = "views/definitions.py"
HAS_DEFINITIONS = (Path(__file__).resolve().parent / "definitions.py").exists()
# where the Definitions page reads a proposed threshold (a float) and why it was proposed
PROPOSED_KEY = "proposed_mql_score_threshold"
PROPOSED_REASON_KEY = "proposed_mql_score_threshold_reason"
SLIDER_KEY = "sc_threshold"
# the what-if grid: every whole threshold, so any slider position is a row of the metric
WHATIF_PARAMS = {"threshold_step": 1.0}
# calibration series, with the colours they keep on every chart of the page
SQL_COLOUR = charts.PRIMARY
WON_COLOUR = charts.GOOD
# information value bands (Siddiqi's usual reading), lowest first, with their colours
IV_BANDS = (
    (0.02, "none", charts.NEUTRAL),
    (0.1, "weak", "#56B4E9"),
    (0.3, "medium", charts.PRIMARY),
    (0.5, "strong", charts.GOOD),
    (float("inf"), "suspicious", charts.BAD),
)
NOT_SET = "(not set)"

Keep = Callable[[pl.DataFrame], pl.DataFrame]


def pct(value: float | None, digits: int = 1) -> str:
    """A share as the page's language writes it."""
    return fmt_pct(value, ctx.lang, digits)


def score_text(value: float | None) -> str:
    """A score or threshold as the page's language writes it."""
    return fmt_threshold(value, ctx.lang)


def decimal_axis(title: str) -> alt.Axis:
    """A numeric axis with at most two decimals, in the language's decimal mark."""
    label = "format(datum.value, '.2~f')"
    if ctx.lang == "vi":
        label = f"replace({label}, '.', ',')"
    return alt.Axis(title=title, labelExpr=label, tickCount=8)


def auc_reading(auc: float | None) -> str:
    """An AUC in plain words: how much better than chance the score ranks leads."""
    if auc is None:
        return "–"
    for bound, key in ((0.5, "worse"), (0.6, "chance"), (0.7, "weak"), (0.8, "useful")):
        if auc < bound:
            return T(f"scoring.auc_read_{key}")
    return T("scoring.auc_read_strong")


def iv_band(value: float | None) -> tuple[str, str]:
    """The band (message key suffix) and colour of an information value."""
    if value is None:
        return "none", charts.NEUTRAL
    for bound, key, colour in IV_BANDS:
        if value < bound:
            return key, colour
    return IV_BANDS[-1][1], IV_BANDS[-1][2]


def attribute_label(name: str) -> str:
    """A lead attribute's name in the page's language (segments by their column name)."""
    key = f"scoring.attr_{name}"
    if key in catalogue():
        return T(key)
    return name.removeprefix("segment_").replace("_", " ").capitalize()


def value_label(attribute: str, value: str) -> str:
    """An attribute value as shown: yes/no for flags, a readable label for no value."""
    if value == NOT_SET:
        return T("scoring.not_set")
    if attribute.startswith("bant_") or value in ("true", "false"):
        return T("common.yes") if value == "true" else T("common.no") if value == "false" else value
    return value


def attribute_keep(attribute: str, value: str) -> Keep | None:
    """A lead_list filter for the judged leads with this attribute value (None: not listable)."""
    judged = pl.col("sales_verdict").is_in(["accepted", "rejected"])
    if attribute in ("source", "campaign"):
        column = pl.col(attribute)
    elif attribute == "score_band":
        column = pl.col("score_band")  # lead_list's band, the one attribute_lift groups by
    elif attribute == ctx.filters.segment_column:
        column = pl.col("segment_value").cast(pl.String)
    else:
        return None
    match = column.is_null() if value == NOT_SET else column == value
    return lambda fr: fr.filter(judged & match)


def total_scored(frame: pl.DataFrame) -> int:
    """Scored leads in the filters, as score_calibration counts them."""
    return int(frame["scored_leads"][0] or 0) if frame.height else 0


# ----------------------------------------------------------------------------- calibration
st.subheader(T("scoring.calibration_title"))
st.caption(T("scoring.calibration_caption"))
cal = ui.metric(ctx, "score_calibration")
scored_leads: int | None = None
if ui.usable(ctx, cal):
    frame = cal.frame
    scored_leads = total_scored(frame)
    if not scored_leads:
        st.info(T("scoring.no_scored"))
    else:
        first = frame.row(0, named=True)
        a, b = st.columns(2)
        a.metric(
            T("scoring.auc_sql_label"),
            pct(first["auc_sql"], 0),
            help=T("scoring.auc_help"),
        )
        b.metric(
            T("scoring.auc_won_label"),
            pct(first["auc_won"], 0),
            help=T("scoring.auc_help"),
        )
        lines = []
        if first["auc_sql"] is None:
            lines.append(T("scoring.auc_sql_none"))
        else:
            lines.append(
                T(
                    "scoring.auc_sql_sentence",
                    auc=pct(first["auc_sql"], 0),
                    reading=auc_reading(first["auc_sql"]),
                )
            )
        if first["auc_won"] is None:
            lines.append(T("scoring.auc_won_none"))
        else:
            lines.append(
                T(
                    "scoring.auc_won_sentence",
                    auc=pct(first["auc_won"], 0),
                    reading=auc_reading(first["auc_won"]),
                )
            )
        lines.append(T("scoring.auc_chance"))
        st.markdown("\n".join(f"- {line}" for line in lines))

        d = frame.filter(pl.col("leads") > 0).pipe(
            ui.with_text,
            ui.text_col(
                ("decile", "min_score", "max_score"),
                lambda decile, low, high: T(
                    "scoring.decile_label",
                    decile=decile,
                    low=score_text(low),
                    high=score_text(high),
                ),
                "decile_label",
            ),
            ui.text_col("leads", lambda v: fmt_int(v, ctx.lang), "leads_text"),
            ui.text_col("sqls", lambda v: fmt_int(v, ctx.lang), "sqls_text"),
            ui.text_col("won", lambda v: fmt_int(v, ctx.lang), "won_text"),
            ui.text_col(
                "won_revenue", lambda v: fmt_money(v, ctx.currency, ctx.lang), "revenue_text"
            ),
        )
        order = d["decile_label"].to_list()
        series = {"sql_rate": T("scoring.sql_rate"), "win_rate": T("scoring.win_rate")}
        long = d.unpivot(
            index=[
                "decile",
                "decile_label",
                "leads_text",
                "sqls_text",
                "won_text",
                "revenue_text",
            ],
            on=list(series),
            variable_name="series_key",
            value_name="rate",
        ).pipe(
            ui.with_text,
            pl.col("series_key").replace_strict(series, return_dtype=pl.String).alias("series"),
            ui.text_col("rate", pct, "rate_text"),
        )
        pick = alt.selection_point(name="decile", fields=["decile"])
        x = alt.X(
            "decile_label:N",
            sort=order,
            title=T("scoring.decile_axis"),
            axis=alt.Axis(labelAngle=0, labelExpr="split(datum.label, ' · ')"),
        )
        colour = alt.Color(
            "series:N",
            scale=alt.Scale(domain=list(series.values()), range=[SQL_COLOUR, WON_COLOUR]),
            legend=alt.Legend(title=None, orient="top"),
        )
        tooltip = [
            alt.Tooltip("decile_label:N", title=T("scoring.decile")),
            alt.Tooltip("series:N", title=T("common.rate")),
            alt.Tooltip("rate_text:N", title=T("scoring.value")),
            alt.Tooltip("leads_text:N", title=T("common.leads")),
            alt.Tooltip("sqls_text:N", title=T("common.sqls")),
            alt.Tooltip("won_text:N", title=T("scoring.won_leads")),
            alt.Tooltip("revenue_text:N", title=T("common.won_revenue")),
        ]
        bars = (
            alt.Chart(long)
            .mark_bar(cornerRadiusEnd=2)
            .encode(
                x=x,
                xOffset=alt.XOffset("series:N", sort=list(series.values())),
                y=alt.Y("rate:Q", title=T("scoring.rate_axis"), axis=alt.Axis(format="%")),
                color=colour,
                opacity=alt.condition(pick, alt.value(1.0), alt.value(0.45)),
                tooltip=tooltip,
            )
            .add_params(pick)
        )
        labels = (
            alt.Chart(long)
            .mark_text(dy=-8, fontSize=12)
            .encode(
                x=x,
                xOffset=alt.XOffset("series:N", sort=list(series.values())),
                y="rate:Q",
                text="rate_text:N",
                color=colour,
            )
        )
        clicked = ui.chart(
            ctx,
            (bars + labels).properties(title=T("scoring.calibration_chart_title")),
            "score-calibration",
            key="calibration-chart",
            height=420,
            select=True,
        )
        st.caption(T("scoring.calibration_click"))
        if clicked and clicked.get("decile") is not None:
            hit = d.filter(pl.col("decile") == int(clicked["decile"]))
            if not hit.is_empty():
                r = hit.row(0, named=True)
                low, high = r["min_score"], r["max_score"]
                st.caption(
                    T(
                        "scoring.decile_ties",
                        low=score_text(low),
                        high=score_text(high),
                        n=fmt_int(r["leads"], ctx.lang),
                    )
                )
                ui.leads_behind(
                    ctx,
                    T(
                        "scoring.decile_what",
                        decile=r["decile"],
                        low=score_text(low),
                        high=score_text(high),
                    ),
                    lambda fr: fr.filter(pl.col("lead_score").is_between(low, high)),
                    key="decile",
                )
        ui.table(
            ctx,
            frame.select(
                pl.col("decile").alias(T("scoring.decile")),
                pl.col("min_score").alias(T("scoring.min_score")),
                pl.col("max_score").alias(T("scoring.max_score")),
                pl.col("leads").alias(T("common.leads")),
                pl.col("sqls").alias(T("common.sqls")),
                pl.col("sql_rate").alias(T("scoring.sql_rate")),
                pl.col("won").alias(T("scoring.won_leads")),
                pl.col("win_rate").alias(T("scoring.win_rate")),
                pl.col("won_revenue").alias(T("common.won_revenue")),
            ),
            "score-calibration",
            key="calibration-table",
            column_config={
                T("scoring.sql_rate"): st.column_config.NumberColumn(format="percent"),
                T("scoring.win_rate"): st.column_config.NumberColumn(format="percent"),
            },
        )
        if first["unscored_leads"]:
            st.caption(T("scoring.unscored", n=fmt_int(first["unscored_leads"], ctx.lang)))
    ui.how_computed(ctx, cal)

# ----------------------------------------------------------------------------- what-if
st.subheader(T("scoring.whatif_title"))
st.caption(T("scoring.whatif_caption"))
whatif = ui.metric(ctx, "threshold_whatif", params=WHATIF_PARAMS)
suggestion_frame: pl.DataFrame | None = None
current_threshold = float(
    whatif.values.get("mql_score_threshold", ctx.facts.settings.get("mql_score_threshold", 60))
)
if ui.usable(ctx, whatif):
    w = whatif.frame
    if not w["leads_sent"].max():
        st.info(T("scoring.no_scored"))
    else:
        suggestion_frame = w
        default = min(100, max(0, round(current_threshold)))
        # start at the current setting, and again whenever the setting itself changes
        if SLIDER_KEY not in st.session_state or st.session_state.get("sc_default") != default:
            st.session_state[SLIDER_KEY] = default
            st.session_state["sc_default"] = default
        chosen = st.slider(
            T("scoring.slider"),
            min_value=0,
            max_value=100,
            step=1,
            key=SLIDER_KEY,
            help=T("scoring.slider_help", current=score_text(current_threshold)),
        )
        row = w.filter(pl.col("threshold") == float(chosen)).row(0, named=True)
        now = w.filter(pl.col("is_current")).row(0, named=True)
        moved = float(chosen) != current_threshold

        def delta(key: str, fmt: Callable[[float], str]) -> str | None:
            """The change from the current threshold's row, signed, or None when unmoved."""
            if not moved or row[key] is None or now[key] is None:
                return None
            diff = row[key] - now[key]
            sign = "+" if diff > 0 else "-" if diff < 0 else ""
            return T(
                "scoring.vs_current",
                diff=sign + fmt(abs(diff)),
                current=score_text(current_threshold),
            )

        items = [
            (
                "scoring.leads_sent",
                fmt_int(row["leads_sent"], ctx.lang),
                delta("leads_sent", lambda v: fmt_int(v, ctx.lang)),
                "off",
                "scoring.leads_sent_help",
            ),
            (
                "scoring.sqls_kept",
                fmt_int(row["sqls_kept"], ctx.lang),
                delta("sqls_kept", lambda v: fmt_int(v, ctx.lang)),
                "normal",
                "scoring.sqls_kept_help",
            ),
            (
                "scoring.revenue_kept",
                fmt_money_short(row["won_revenue_kept"], ctx.currency, ctx.lang),
                delta(
                    "won_revenue_kept",
                    lambda v: fmt_money_short(v, ctx.currency, ctx.lang),
                ),
                "normal",
                "scoring.revenue_kept_help",
            ),
            (
                "scoring.revenue_missed",
                fmt_money_short(row["won_revenue_missed"], ctx.currency, ctx.lang),
                delta(
                    "won_revenue_missed",
                    lambda v: fmt_money_short(v, ctx.currency, ctx.lang),
                ),
                "inverse",
                "scoring.revenue_missed_help",
            ),
            (
                "scoring.workload",
                fmt_number(row["leads_per_rep_week"], ctx.lang, 1),
                delta("leads_per_rep_week", lambda v: fmt_number(v, ctx.lang, 1)),
                "off",
                "scoring.workload_help",
            ),
        ]
        for col, (key, value, change, colour_rule, help_key) in zip(
            st.columns(len(items)), items, strict=True
        ):
            col.metric(T(key), value, delta=change, delta_color=colour_rule, help=T(help_key))
        st.markdown(
            T(
                "scoring.whatif_summary",
                threshold=score_text(chosen),
                sql_share=pct(row["sql_share_kept"]),
                revenue_share=pct(row["revenue_share_kept"]),
                rate=pct(row["sqls_per_lead_sent"]),
            )
        )

        curves = {
            "sql_share_kept": (T("scoring.sql_share_kept"), SQL_COLOUR),
            "revenue_share_kept": (T("scoring.revenue_share_kept"), WON_COLOUR),
        }
        wl = (
            w.pipe(
                ui.with_text,
                ui.text_col("threshold", score_text, "threshold_text"),
                ui.text_col("leads_sent", lambda v: fmt_int(v, ctx.lang), "sent_text"),
            )
            .unpivot(
                index=["threshold", "threshold_text", "sent_text"],
                on=list(curves),
                variable_name="curve_key",
                value_name="share",
            )
            .pipe(
                ui.with_text,
                pl.col("curve_key")
                .replace_strict({k: v[0] for k, v in curves.items()}, return_dtype=pl.String)
                .alias("curve"),
                ui.text_col("share", pct, "share_text"),
            )
        )
        names = [v[0] for v in curves.values()]
        lines = (
            alt.Chart(wl)
            .mark_line(point=alt.OverlayMarkDef(size=28, filled=True), strokeWidth=3)
            .encode(
                x=alt.X(
                    "threshold:Q",
                    title=T("scoring.threshold_axis"),
                    scale=alt.Scale(domain=[0, 100]),
                ),
                y=alt.Y(
                    "share:Q",
                    title=T("scoring.share_kept_axis"),
                    axis=alt.Axis(format="%"),
                    scale=alt.Scale(domain=[0, 1]),
                ),
                color=alt.Color(
                    "curve:N",
                    scale=alt.Scale(domain=names, range=[v[1] for v in curves.values()]),
                    legend=alt.Legend(title=None, orient="top"),
                ),
                tooltip=[
                    alt.Tooltip("threshold_text:N", title=T("scoring.threshold")),
                    alt.Tooltip("curve:N", title=T("scoring.curve")),
                    alt.Tooltip("share_text:N", title=T("scoring.value")),
                    alt.Tooltip("sent_text:N", title=T("scoring.leads_sent")),
                ],
            )
        )
        marks = pl.DataFrame(
            {
                "threshold": [float(chosen), current_threshold],
                "label": [
                    T("scoring.rule_chosen", threshold=score_text(chosen)),
                    T("scoring.rule_current", threshold=score_text(current_threshold)),
                ],
                "kind": ["chosen", "current"],
            }
        )
        rules = (
            alt.Chart(marks)
            .mark_rule(strokeWidth=2)
            .encode(
                x="threshold:Q",
                color=alt.Color(
                    "kind:N",
                    scale=alt.Scale(
                        domain=["chosen", "current"], range=["#000000", charts.NEUTRAL]
                    ),
                    legend=None,
                ),
                strokeDash=alt.StrokeDash(
                    "kind:N",
                    scale=alt.Scale(domain=["chosen", "current"], range=[[1, 0], [6, 4]]),
                    legend=None,
                ),
                tooltip=[alt.Tooltip("label:N", title=T("scoring.threshold"))],
            )
        )
        # the two labels sit at different heights so they stay readable when the rules meet
        rule_text = (
            alt.Chart(marks)
            .mark_text(align="left", dx=6, fontSize=14, fontWeight="bold")
            .encode(
                x="threshold:Q",
                y=alt.Y("y:Q", scale=alt.Scale(domain=[0, 1])),
                text="label:N",
                color=alt.Color(
                    "kind:N",
                    scale=alt.Scale(
                        domain=["chosen", "current"], range=["#000000", charts.NEUTRAL]
                    ),
                    legend=None,
                ),
            )
            .transform_calculate(y="datum.kind == 'chosen' ? 0.08 : 0.16")
        )
        ui.chart(
            ctx,
            alt.layer(lines, rules, rule_text)
            .resolve_scale(color="independent", strokeDash="independent")
            .properties(title=T("scoring.whatif_chart_title")),
            "threshold-whatif",
            key="whatif-chart",
            height=400,
        )
        st.caption(T("scoring.whatif_replay"))
        with st.expander(T("scoring.whatif_table_title"), icon=":material/table:"):
            ui.table(
                ctx,
                w.select(
                    pl.col("threshold").alias(T("scoring.threshold")),
                    pl.col("leads_sent").alias(T("scoring.leads_sent")),
                    pl.col("sqls_kept").alias(T("scoring.sqls_kept")),
                    pl.col("sql_share_kept").alias(T("scoring.sql_share_kept")),
                    pl.col("won_kept").alias(T("scoring.won_kept")),
                    pl.col("won_revenue_kept").alias(T("scoring.revenue_kept")),
                    pl.col("won_revenue_missed").alias(T("scoring.revenue_missed")),
                    pl.col("revenue_share_kept").alias(T("scoring.revenue_share_kept")),
                    pl.col("sqls_per_lead_sent").alias(T("scoring.sqls_per_lead_sent")),
                    pl.col("leads_per_rep_week").alias(T("scoring.workload")),
                ),
                "threshold-whatif",
                key="whatif-table",
                column_config={
                    T("scoring.sql_share_kept"): st.column_config.NumberColumn(format="percent"),
                    T("scoring.revenue_share_kept"): st.column_config.NumberColumn(
                        format="percent"
                    ),
                    T("scoring.sqls_per_lead_sent"): st.column_config.NumberColumn(
                        format="percent"
                    ),
                    T("scoring.workload"): st.column_config.NumberColumn(format="%.1f"),
                },
                height=360,
            )
        if row["unscored_leads"]:
            st.caption(T("scoring.unscored", n=fmt_int(row["unscored_leads"], ctx.lang)))
    ui.how_computed(ctx, whatif)

# ----------------------------------------------------------------------------- suggestion
st.subheader(T("scoring.suggest_title"))
st.caption(T("scoring.suggest_caption"))
if suggestion_frame is None:
    st.info(T("scoring.suggest_unavailable"))
else:
    rule = st.radio(
        T("scoring.rule"),
        scoring.RULES,
        format_func=lambda r: T(f"scoring.rule_{r}"),
        captions=[T(f"scoring.rule_{r}_caption") for r in scoring.RULES],
        horizontal=True,
        key="sc_rule",
    )
    if rule == scoring.REVENUE:
        share = st.number_input(
            T("scoring.keep_share"),
            min_value=1,
            max_value=100,
            value=95,
            step=1,
            key="sc_keep_share",
            help=T("scoring.keep_share_help"),
        )
    else:
        share = st.number_input(
            T("scoring.min_sent_share"),
            min_value=0,
            max_value=100,
            value=10,
            step=1,
            key="sc_min_sent_share",
            help=T("scoring.min_sent_share_help"),
        )
    suggestion = scoring.suggest(
        suggestion_frame, rule, share / 100, scored_leads=scored_leads or None
    )
    reason = suggestion.reason(ctx.lang, ctx.currency)
    with st.container(border=True):
        if suggestion.found:
            value = suggestion.threshold
            change = value - current_threshold
            st.metric(
                T("scoring.suggested"),
                score_text(value),
                delta=(
                    T(
                        "scoring.vs_current",
                        diff=("+" if change > 0 else "-") + score_text(abs(change)),
                        current=score_text(current_threshold),
                    )
                    if change
                    else T("scoring.same_as_current")
                ),
                delta_color="off",
            )
            st.markdown(reason)

            def show_in_whatif(threshold: float = value) -> None:
                """Move the what-if slider to the suggestion (runs before the next rerun)."""
                st.session_state[SLIDER_KEY] = min(100, max(0, round(threshold)))

            a, b, _ = st.columns([2, 2, 4])
            a.button(
                T("scoring.show_in_whatif"),
                icon=":material/tune:",
                on_click=show_in_whatif,
                key="sc_show",
                width="stretch",
            )
            if b.button(
                T("scoring.propose"),
                icon=":material/send:",
                type="primary",
                key="sc_propose",
                disabled=not HAS_DEFINITIONS,
                help=T("scoring.propose_help")
                if HAS_DEFINITIONS
                else T("scoring.propose_unavailable"),
                width="stretch",
            ):
                st.session_state[PROPOSED_KEY] = value
                st.session_state[PROPOSED_REASON_KEY] = reason
                st.switch_page(DEFINITIONS)
        else:
            st.warning(reason)

# ----------------------------------------------------------------------------- attributes
st.subheader(T("scoring.attributes_title"))
st.caption(T("scoring.attributes_caption"))
lift = ui.metric(ctx, "attribute_lift")
if ui.usable(ctx, lift):
    lf = lift.frame.pipe(
        ui.with_text,
        ui.text_col("attribute", attribute_label, "attribute_label"),
        ui.text_col(("attribute", "value"), value_label, "value_label"),
        ui.text_col("information_value", lambda v: iv_band(v)[0], "band_key"),
    ).pipe(
        ui.with_text,
        ui.text_col("band_key", lambda k: T(f"scoring.iv_{k}"), "band"),
    )
    overall = lf.row(0, named=True)["overall_sql_rate"]
    per_attribute = (
        lf.group_by("attribute", "attribute_label", maintain_order=True)
        .agg(
            pl.col("information_value").first(),
            pl.col("band").first(),
            pl.col("band_key").first(),
        )
        .filter(pl.col("information_value").is_not_null())
        .head(10)
    )
    if per_attribute.is_empty():
        st.info(T("scoring.attributes_no_separation"))
    else:
        top = per_attribute.row(0, named=True)
        st.markdown(
            T(
                "scoring.attributes_summary",
                attribute=safe.md_text(top["attribute_label"]),
                iv=fmt_number(top["information_value"], ctx.lang, 2),
                band=top["band"],
                overall=pct(overall),
            )
        )
        pa = per_attribute.pipe(
            ui.with_text,
            ui.text_col("information_value", lambda v: fmt_number(v, ctx.lang, 2), "iv_text"),
        )
        band_domain = [T(f"scoring.iv_{key}") for _, key, _ in IV_BANDS]
        band_colours = [colour for _, _, colour in IV_BANDS]
        order = pa["attribute_label"].to_list()
        pick = alt.selection_point(name="attribute", fields=["attribute"])
        iv_bars = (
            alt.Chart(pa)
            .mark_bar(cornerRadiusEnd=3)
            .encode(
                y=alt.Y("attribute_label:N", sort=order, title=None),
                x=alt.X(
                    "information_value:Q",
                    axis=decimal_axis(T("scoring.information_value")),
                ),
                color=alt.Color(
                    "band:N",
                    scale=alt.Scale(domain=band_domain, range=band_colours),
                    legend=alt.Legend(title=T("scoring.separation"), orient="top"),
                ),
                opacity=alt.condition(pick, alt.value(1.0), alt.value(0.45)),
                tooltip=[
                    alt.Tooltip("attribute_label:N", title=T("scoring.attribute")),
                    alt.Tooltip("iv_text:N", title=T("scoring.information_value")),
                    alt.Tooltip("band:N", title=T("scoring.separation")),
                ],
            )
            .add_params(pick)
        )
        iv_text = (
            alt.Chart(pa)
            .mark_text(align="left", dx=6, fontSize=14)
            .encode(
                y=alt.Y("attribute_label:N", sort=order),
                x="information_value:Q",
                text="iv_text:N",
            )
        )
        clicked = ui.chart(
            ctx,
            (iv_bars + iv_text).properties(title=T("scoring.attributes_chart_title")),
            "attribute-separation",
            key="attributes-chart",
            height=max(240, 40 * pa.height),
            select=True,
        )
        if (pa["band_key"] == "suspicious").any():
            st.warning(T("scoring.iv_suspicious_note"))
        st.caption(T("scoring.iv_bands"))

        picked = clicked.get("attribute") if clicked else None
        attribute = picked if picked in pa["attribute"].to_list() else top["attribute"]
        values = lf.filter(pl.col("attribute") == attribute).pipe(
            ui.with_text,
            ui.text_col("sql_rate", pct, "rate_text"),
            ui.text_col("lift", lambda v: fmt_number(v, ctx.lang, 2), "lift_text"),
            ui.text_col("judged", lambda v: fmt_int(v, ctx.lang), "judged_text"),
            ui.text_col("sqls", lambda v: fmt_int(v, ctx.lang), "sqls_text"),
            ui.text_col("rejected", lambda v: fmt_int(v, ctx.lang), "rejected_text"),
            (pl.col("lift") >= 1).alias("is_better"),
        )
        value_order = values["value_label"].to_list()
        pick_value = alt.selection_point(name="value", fields=["value"])
        lift_bars = (
            alt.Chart(values)
            .mark_bar(cornerRadiusEnd=3)
            .encode(
                y=alt.Y("value_label:N", sort=value_order, title=None),
                x=alt.X("lift:Q", axis=decimal_axis(T("scoring.lift_axis"))),
                color=alt.condition(
                    alt.datum.lift >= 1, alt.value(charts.GOOD), alt.value(charts.BAD)
                ),
                opacity=alt.condition(pick_value, alt.value(1.0), alt.value(0.45)),
                tooltip=[
                    alt.Tooltip("value_label:N", title=T("scoring.value_column")),
                    alt.Tooltip("judged_text:N", title=T("scoring.judged")),
                    alt.Tooltip("sqls_text:N", title=T("common.sqls")),
                    alt.Tooltip("rejected_text:N", title=T("common.rejected")),
                    alt.Tooltip("rate_text:N", title=T("scoring.sql_rate")),
                    alt.Tooltip("lift_text:N", title=T("scoring.lift")),
                ],
            )
            .add_params(pick_value)
        )
        one = (
            alt.Chart(pl.DataFrame({"x": [1.0]}))
            .mark_rule(color=charts.NEUTRAL, strokeDash=[6, 4], strokeWidth=2)
            .encode(x="x:Q")
        )
        lift_text = (
            alt.Chart(values)
            .mark_text(align="left", dx=6, fontSize=14)
            .encode(
                y=alt.Y("value_label:N", sort=value_order),
                x="lift:Q",
                text="lift_text:N",
            )
        )
        clicked_value = ui.chart(
            ctx,
            (lift_bars + one + lift_text).properties(
                title=T(
                    "scoring.lift_chart_title",
                    attribute=attribute_label(attribute),
                    overall=pct(overall),
                )
            ),
            "attribute-lift",
            key=f"lift-chart-{attribute}",
            height=max(200, 36 * values.height),
            select=True,
        )
        st.caption(T("scoring.lift_click"))
        if clicked_value and clicked_value.get("value") is not None:
            value = str(clicked_value["value"])
            keep = attribute_keep(attribute, value)
            what = f"{attribute_label(attribute)} = {value_label(attribute, value)}"
            if keep is None:
                label = safe.md_text(attribute_label(attribute))
                st.info(T("scoring.lift_not_listable", attribute=label))
            else:
                ui.leads_behind(ctx, what, keep, key="attribute-value")

    ui.table(
        ctx,
        lf.select(
            pl.col("attribute_label").alias(T("scoring.attribute")),
            pl.col("value_label").alias(T("scoring.value_column")),
            pl.col("judged").alias(T("scoring.judged")),
            pl.col("sqls").alias(T("common.sqls")),
            pl.col("rejected").alias(T("common.rejected")),
            pl.col("sql_rate").alias(T("scoring.sql_rate")),
            pl.col("lift").alias(T("scoring.lift")),
            pl.col("information_value").alias(T("scoring.information_value")),
            pl.col("band").alias(T("scoring.separation")),
        ),
        "attribute-lift",
        key="attributes-table",
        column_config={
            T("scoring.sql_rate"): st.column_config.NumberColumn(format="percent"),
            T("scoring.lift"): st.column_config.NumberColumn(format="%.2f"),
            T("scoring.information_value"): st.column_config.NumberColumn(format="%.3f"),
        },
        height=360,
    )
    ui.how_computed(ctx, lift)
