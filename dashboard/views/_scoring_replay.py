"""The Scoring page's threshold proposal, and what it offers when the CRM records MQL
dates: then the MQL score threshold decides no lead's stage, and what a score bar would
change is what sales accepts. The replay (``acceptance_replay``) shows the accepted leads a
bar would have turned away, what they brought, and the rejected leads it would have let
through.

A sibling of the page (not a page itself: dashboard/pages.py lists the pages by file); the
figures are the metric's columns, and this module only words and draws them.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard import ui
from dashboard.i18n import fmt_int, fmt_money_short, fmt_pct
from dashboard.views._scoring_parts import score_text

DEFINITIONS = "views/definitions.py"
HAS_DEFINITIONS = (Path(__file__).resolve().parent / "definitions.py").exists()
# where the Definitions page reads a proposed threshold (a float) and why it was proposed
PROPOSED_KEY = "proposed_mql_score_threshold"
PROPOSED_REASON_KEY = "proposed_mql_score_threshold_reason"
# the what-if slider's and the replay slider's widget keys; the suggestion's buttons move them
SLIDER_KEY = "sc_threshold"
REPLAY_KEY = "sc_replay_bar"
# the session value that says where marketing's MQL verdict comes from
MQL_BASIS = "mql_basis"


def crm_mql_dates(shown: ui.Shown) -> bool:
    """True when the leads carry MQL dates from the CRM, so the score threshold decides no
    lead's MQL stage (the staging's ``mql_basis`` the metric ran with)."""
    return shown.values.get(MQL_BASIS) == "date"


def basis_note(ctx: ui.Context) -> None:
    """Say that the MQL threshold changes nothing here, and where the replay is."""
    st.info(ctx.t("scoring.crm_mql_dates"), icon=":material/event_available:")


def replay_button(ctx: ui.Context, box: DeltaGenerator, value: float) -> None:
    """In place of "Propose this threshold": move the replay to the suggested score."""

    def move(bar: float = value) -> None:
        """Set the replay slider before the next run draws it."""
        st.session_state[REPLAY_KEY] = min(100, max(0, round(bar)))

    box.button(
        ctx.t("scoring.replay_this"),
        icon=":material/replay:",
        type="primary",
        key="sc_replay",
        on_click=move,
        help=ctx.t("scoring.replay_this_help"),
        width="stretch",
    )


def suggestion_actions(ctx: ui.Context, value: float, reason: str, crm_dates: bool) -> None:
    """Buttons: show the suggestion in the what-if, and propose it on Definitions (or, when
    the CRM's MQL dates make the threshold change nothing, replay it as sales's bar)."""
    T = ctx.t

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
    if crm_dates:
        replay_button(ctx, b, value)
        return
    if b.button(
        T("scoring.propose"),
        icon=":material/send:",
        type="primary",
        key="sc_propose",
        disabled=not HAS_DEFINITIONS,
        help=T("scoring.propose_help") if HAS_DEFINITIONS else T("scoring.propose_unavailable"),
        width="stretch",
    ):
        st.session_state[PROPOSED_KEY] = value
        st.session_state[PROPOSED_REASON_KEY] = reason
        st.switch_page(DEFINITIONS)


def _figures(ctx: ui.Context, r: dict[str, Any]) -> None:
    """The turned-away leads, those of them that won, and the rejected leads passing."""
    T, lang = ctx.t, ctx.lang
    money = fmt_money_short(r["turned_away_won_revenue"], ctx.currency, lang)
    items = (
        (
            "scoring.replay_turned_away",
            fmt_int(r["turned_away"], lang),
            T(
                "scoring.replay_of_accepted",
                share=fmt_pct(r["turned_away_share"], lang),
                n=fmt_int(r["accepted"], lang),
            ),
        ),
        ("scoring.replay_won", fmt_int(r["turned_away_won"], lang), money),
        ("scoring.replay_sqls", fmt_int(r["turned_away_sqls"], lang), None),
        (
            "scoring.replay_passing",
            fmt_int(r["rejected_passing"], lang),
            T(
                "scoring.replay_of_rejected",
                share=fmt_pct(r["rejected_passing_share"], lang),
                n=fmt_int(r["rejected"], lang),
            ),
        ),
    )
    for col, (key, value, note) in zip(st.columns(len(items)), items, strict=True):
        col.metric(
            T(key),
            value,
            delta=note,
            delta_color="off",
            delta_arrow="off",
            help=T(f"{key}_help") if key != "scoring.replay_sqls" else None,
        )


def replay_section(ctx: ui.Context, start: float) -> None:
    """What a score bar on what sales accepts would have changed, replayed on the data."""
    T = ctx.t
    st.subheader(T("scoring.replay_title"))
    st.caption(T("scoring.replay_caption"))
    if REPLAY_KEY not in st.session_state:
        st.session_state[REPLAY_KEY] = min(100, max(0, round(start)))
    bar = st.slider(
        T("scoring.replay_slider"),
        min_value=0,
        max_value=100,
        step=1,
        key=REPLAY_KEY,
        help=T("scoring.replay_slider_help"),
    )
    shown = ui.metric(ctx, "acceptance_replay", params={"min_score": float(bar)})
    if not ui.usable(ctx, shown):
        return
    r = shown.frame.row(0, named=True)
    n = {k: fmt_int(r[k], ctx.lang) for k in ("accepted", "rejected", "rejected_passing")}
    if not r["accepted"] and not r["rejected"]:
        st.info(T("scoring.replay_no_judged"))
    elif not r["turned_away"]:
        # a bar that changes nothing says so, instead of a row of zeros
        st.info(
            T(
                "scoring.replay_nobody_away",
                bar=score_text(ctx, bar),
                passing=n["rejected_passing"],
                accepted=n["accepted"],
                rejected=n["rejected"],
            )
        )
    else:
        _figures(ctx, r)
        st.markdown(
            T(
                "scoring.replay_summary",
                bar=score_text(ctx, bar),
                away=fmt_int(r["turned_away"], ctx.lang),
                sqls=fmt_int(r["turned_away_sqls"], ctx.lang),
                won=fmt_int(r["turned_away_won"], ctx.lang),
                revenue=fmt_money_short(r["turned_away_won_revenue"], ctx.currency, ctx.lang),
                accepted=n["accepted"],
                rejected=n["rejected"],
                passing=n["rejected_passing"],
            )
        )
        ui.leads_behind(
            ctx,
            T("scoring.replay_leads", bar=score_text(ctx, bar)),
            # scores below the bar: lead_list's range is inclusive, so it ends at the
            # largest number below the bar
            ui.pick("accepted", score=(None, math.nextafter(float(bar), -math.inf))),
            key="replay",
        )
    if r["unscored_judged"]:
        st.caption(T("scoring.replay_unscored", n=fmt_int(r["unscored_judged"], ctx.lang)))
    ui.how_computed(ctx, shown)
