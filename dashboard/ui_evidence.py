"""The lead list a review callout's evidence link opens, shown first on its page.

Pages reach this through :mod:`dashboard.ui` (``ui.evidence_panel``). The address names
the list (``list=NAME``, see :mod:`dashboard.evidence`); the filters of the address are
already in the sidebar. A part of the address the page does not understand is ignored with
a note, and never shown.
"""

from __future__ import annotations

import streamlit as st

from dashboard import evidence
from dashboard.i18n import fmt_int
from dashboard.ui_context import URL_IGNORED, Context
from dashboard.ui_metrics import metric, usable
from dashboard.ui_tables import LEAD_LIST_COLUMNS, lead_columns, table

# columns a list shows after the lead list's own, when its metric has them: their headings
EXTRA_COLUMNS = {
    "handed_off_at": "handoff.handed_off_at",
    "hours_waiting": "handoff.hours_waiting",
    "minutes_to_first_touch": "followup.minutes_to_first_touch",
    "rejected_at": "quality.col_rejected_at",
    "first_won_at": "quality.col_first_won_at",
    "days_rejected_to_won": "quality.col_days_to_won",
}


def _close() -> None:
    """Fold the list away: the address no longer names it."""
    st.query_params.pop(evidence.LIST_PARAM, None)


def evidence_panel(ctx: Context, page: str) -> None:
    """The list the address asks this page for, with its count, before anything else."""
    params = {k: st.query_params.get_all(k) for k in st.query_params}
    name, ignored = evidence.wanted_list(page, params)
    # filter values the data does not have: the sidebar left them out as it read the link
    unknown = int(st.session_state.pop(URL_IGNORED, 0) or 0)
    if ignored or unknown:
        st.caption(ctx.t("review.link_ignored", n=fmt_int(unknown + int(ignored), ctx.lang)))
    if name is None:
        return
    spec = evidence.LISTS[name]
    shown = metric(ctx, spec.metric)
    if not usable(ctx, shown):
        return
    rows = spec.keep(shown.frame)
    with st.container(border=True, key="evidence-list"):
        st.markdown(
            f"**{ctx.t('review.evidence_from', what=ctx.t(f'review.list_{name}'))}** · "
            + ctx.t("common.leads_behind_count", n=fmt_int(rows.height, ctx.lang))
        )
        wanted = (*LEAD_LIST_COLUMNS, *EXTRA_COLUMNS)
        extra = {c: st.column_config.Column(ctx.t(key)) for c, key in EXTRA_COLUMNS.items()}
        table(
            ctx,
            rows.select([c for c in wanted if c in rows.columns]),
            f"evidence-{name.replace('_', '-')}",
            key="evidence-table",
            column_config={**lead_columns(ctx), **extra},
            height=min(420, 38 + 35 * max(rows.height, 1)),
            download=rows,
        )
        st.button(
            ctx.t("review.evidence_close"),
            icon=":material/close:",
            key="evidence-close",
            on_click=_close,
        )
