"""The lead lists a review callout's evidence link opens, and how a link names them.

A callout's link carries its view in the address: the page, the filters (period, source,
owner, segment) and ``list=NAME``, one of :data:`LISTS`. The target page opens with those
filters set and the list shown first, so the meeting lands on the leads the callout
counts. Pure logic (no Streamlit): which metric lists the leads, which of its rows belong
to the list, and what of an address is understood. A value a link brings is only ever
compared with known names; it is never shown, pasted into SQL or written as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import polars as pl

# the address parameter that names the list
LIST_PARAM = "list"


@dataclass(frozen=True)
class EvidenceList:
    """One list of leads a callout counts: the page it is on, the metric whose rows are the
    leads, and which of those rows it keeps (the page's filters already apply)."""

    page: str
    metric: str
    keep: Callable[[pl.DataFrame], pl.DataFrame]


def _flag(column: str, *more: str) -> Callable[[pl.DataFrame], pl.DataFrame]:
    """Keep the rows where every one of the flag columns is true."""
    return lambda frame: frame.filter(pl.all_horizontal(pl.col(c) for c in (column, *more)))


def _all(frame: pl.DataFrame) -> pl.DataFrame:
    return frame


# every list a callout can open: what it counts is the callout's stated number
LISTS: dict[str, EvidenceList] = {
    # callout_sources.rejected: handed-off leads of the source that sales rejected
    "rejected": EvidenceList("handoff", "lead_list", _flag("is_handed_off", "is_rejected")),
    # callout_facts.pending_past_sla (as handoff): waiting past the SLA
    "pending_past_sla": EvidenceList("handoff", "lead_list", _flag("is_pending_past_sla")),
    # callout_sources.mqls: the source's MQLs
    "mqls": EvidenceList("scoring", "lead_list", _flag("is_mql")),
    # callout_reps.handed_off (as followup_by_owner): the rep's handed-off leads
    "handed_off": EvidenceList("followup", "lead_list", _flag("is_handed_off")),
    # callout_facts.false_rejections and missed_leads: those metrics list their leads
    "false_rejections": EvidenceList("quality", "false_rejections", _all),
    "missed_leads": EvidenceList("quality", "missed_leads", _all),
}


def wanted_list(page: str, params: Mapping[str, Sequence[str]]) -> tuple[str | None, bool]:
    """The list an address asks ``page`` to show, and whether the address named a list
    no page has (an unknown or misspelt name, or several names): that part is ignored."""
    asked = list(params.get(LIST_PARAM, []))
    if not asked:
        return None, False
    name = asked[-1]
    if name not in LISTS:
        return None, True
    # another page's list (the address kept it while the user moved on): nothing to say
    return (name, len(asked) > 1) if LISTS[name].page == page else (None, False)


def link_params(
    filters: Mapping[str, str | list[str]], lead_list: str
) -> dict[str, str | list[str]]:
    """The address parameters of an evidence link: the callout's filters and its list."""
    return {**filters, LIST_PARAM: lead_list} if lead_list else dict(filters)
