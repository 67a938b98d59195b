"""Cached metric runs as the pages use them, and what a page says about a result: what
it needs when inputs are missing, and "How is this computed?".

Pages reach these through :mod:`dashboard.ui` (``ui.metric``, ``ui.how_computed``, ...).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import polars as pl
import streamlit as st

from dashboard import metrics
from dashboard.i18n import catalogue

# _facts is the cached facts of ui_context, cleared with the metric runs after a change
from dashboard.ui_context import Context, _facts, connect, workspace_path


@dataclass(frozen=True)
class Shown:
    """A metric's result as a page uses it: rows, or what it needs when inputs are missing."""

    name: str
    frame: pl.DataFrame | None
    sql: str
    values: dict[str, Any]
    missing: tuple[str, ...] = ()
    # every page's rows together, when the page asked for the count (the lead list)
    total: int | None = None

    @property
    def ok(self) -> bool:
        """True when the metric ran."""
        return self.frame is not None


@st.cache_data(show_spinner=False, max_entries=2048)
def _run(
    path: str,
    version: int,
    name: str,
    filters_key: tuple,
    by: str | None,
    params: tuple,
    overrides: tuple,
    with_total: bool = False,
) -> Shown:
    filters = _filters(filters_key)
    with connect() as ws:
        settings = metrics.resolve_settings(ws.settings(), dict(overrides))
        got = metrics.answer(
            ws.con,
            name,
            settings=settings,
            filters=filters,
            by=by,
            parameters=dict(params),
            with_total=with_total,
        )
    if got.result is None:
        return Shown(name, None, metrics.get(name).sql, {}, got.needs)
    res = got.result
    return Shown(name, res.frame, res.sql, dict(res.parameters), total=res.total)


def _filters(filters_key: tuple) -> metrics.Filters:
    return metrics.Filters(
        date_from=filters_key[0],
        date_to=filters_key[1],
        sources=list(filters_key[2]),
        campaigns=list(filters_key[3]),
        owners=list(filters_key[4]),
        segment_column=filters_key[5],
        segment_values=list(filters_key[6]),
    )


def metric(
    ctx: Context,
    name: str,
    *,
    by: str | None = None,
    params: dict[str, Any] | None = None,
    overrides: dict[str, Any] | None = None,
    filters: metrics.Filters | None = None,
    with_total: bool = False,
) -> Shown:
    """Run metric ``name`` with the page's filters (cached per workspace version).

    ``with_total`` also counts every page's rows of a paged metric (``Shown.total``).
    """
    f = filters or ctx.filters
    key = (
        str(workspace_path()),
        ctx.version,
        name,
        f.key(),
        by,
        tuple(sorted((params or {}).items())),
        tuple(sorted((k, _hashable(v)) for k, v in (overrides or {}).items())),
        with_total,
    )
    # sessions asking for the same figure at once (everyone's page after a load) wait for
    # the first one's answer and read it from the cache instead of computing it again
    with _RUN_STRIPES[hash(key) % len(_RUN_STRIPES)]:
        return _run(*key)


def rows_when_asked(
    ctx: Context,
    name: str,
    *,
    params: dict[str, Any] | None = None,
    filters: metrics.Filters | None = None,
) -> Callable[[], pl.DataFrame]:
    """A function that runs ``name`` with the page's filters and settings when called.

    For downloads: a download button calls it when clicked, outside the page's run (so it
    reads no session state and keeps no copy), and only then are the rows computed.
    """
    filters_key = (filters or ctx.filters).key()
    given = dict(params or {})

    def rows() -> pl.DataFrame:
        with connect() as ws:
            settings = metrics.resolve_settings(ws.settings(), None)
            return metrics.run(
                ws.con, name, settings=settings, filters=_filters(filters_key), parameters=given
            ).frame

    return rows


# a fixed set of locks, shared by keys that hash alike: no table grows with the keys
_RUN_STRIPES = tuple(threading.Lock() for _ in range(64))


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def clear_caches() -> None:
    """Forget every cached result (after a load or a settings change)."""
    _run.clear()
    _facts.clear()


def needs(ctx: Context, shown: Shown) -> None:
    """Say what to upload instead of drawing an empty chart."""
    cols = ", ".join(f"`{m}`" for m in shown.missing)
    these = ctx.t(
        "common.needs_this_column" if len(shown.missing) == 1 else "common.needs_these_columns"
    )
    with st.container(border=True):
        st.markdown(f"**{ctx.t('common.needs_title')}**")
        st.markdown(ctx.t("common.needs_body", metric=shown.name, columns=cols, these=these))
        st.page_link("views/data.py", label=ctx.t("common.go_to_data"), icon=":material/database:")


def usable(ctx: Context, shown: Shown) -> bool:
    """True when ``shown`` has rows; otherwise show the "needs …" or "no rows" guidance."""
    if not shown.ok:
        needs(ctx, shown)
        return False
    if shown.frame is None or shown.frame.is_empty():
        st.info(ctx.t("common.no_rows"))
        return False
    money_needs(ctx, shown)
    return True


# money columns that are NULL (unknown) when no deal has an amount in the reporting currency
MONEY_COLUMNS = ("won_revenue", "won_revenue_kept", "false_rejection_revenue")


def money_needs(ctx: Context, shown: Shown) -> bool:
    """Say "needs deals.amount" when the metric's money is unknown; True when it said so.

    The queries return NULL (not 0) for every amount when no deal has one in the reporting
    currency; the tables show those cells as "–", and this note says why, once per metric.
    """
    frame = shown.frame
    cols = [c for c in MONEY_COLUMNS if frame is not None and c in frame.columns]
    if not cols or frame is None or frame.is_empty():
        return False
    if any(frame[c].is_not_null().any() for c in cols):
        return False
    st.info(ctx.t("common.needs_money", currency=ctx.currency), icon=":material/payments:")
    return True


@cache
def glossary_sections() -> dict[str, str]:
    """Each metric's glossary entry (``queries/NAME.md``, without its title), by name."""
    return {name: m.glossary() for name, m in metrics.registry().items() if m.glossary()}


def _cli(ctx: Context, shown: Shown, by: str | None) -> str:
    args = ["handoff", "metric", shown.name, *ctx.filters.cli_args()]
    if by:
        args += ["--by", by]
    return " ".join(args)


def how_computed(
    ctx: Context, shown: Shown, *, by: str | None = None, label: str | None = None
) -> None:
    """The "How is this computed?" expander: question, definition, settings, filters, SQL.

    ``label`` names the number when a page has several expanders close together.
    """
    m = metrics.get(shown.name)
    title = ctx.t("common.how_computed") + (f" · {label}" if label else "")
    with st.expander(title, icon=":material/calculate:"):
        question = m.questions.get(ctx.lang, m.question)
        st.markdown(f"**{ctx.t('common.question')}.** {question}")
        section = glossary_sections().get(shown.name)
        if section:
            st.markdown(f"**{ctx.t('common.definition')}**")
            st.markdown(section)
        used = {s: shown.values.get(s, "") for s in m.settings if s in shown.values}
        if used:
            st.markdown(f"**{ctx.t('common.settings_used')}**")
            words = catalogue()
            st.dataframe(
                pl.DataFrame(
                    {
                        ctx.t("common.col_setting"): [
                            ctx.t(f"definitions.label_{k}")
                            if f"definitions.label_{k}" in words
                            else k
                            for k in used
                        ],
                        # the key the command line's --set takes
                        ctx.t("common.col_setting_key"): list(used),
                        ctx.t("common.col_value"): [_show_value(v) for v in used.values()],
                    }
                ),
                hide_index=True,
            )
        st.markdown(f"**{ctx.t('common.cli_equivalent')}**")
        st.code(_cli(ctx, shown, by), language="bash")
        st.markdown(f"**{ctx.t('common.sql')}**")
        st.code(shown.sql, language="sql")


def _show_value(v: Any) -> str:
    if isinstance(v, list | tuple):
        return ", ".join(map(str, v))
    return str(v)
