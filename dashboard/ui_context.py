"""The workspace a dashboard serves and the context every page reads: its facts (the
values the filters offer), the language, and the sidebar filters (kept in the URL).

Pages reach these through :mod:`dashboard.ui` (``ui.connect``, ``ui.current``, ...).
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import streamlit as st

from dashboard import metrics, shared_reader, writer
from dashboard.i18n import LANGUAGE_NAMES, LANGUAGES, t
from dashboard.workspace import Workspace, default_path

REPO = Path(__file__).resolve().parent.parent

# One process serves every browser tab, and its reads share one connection to the
# published workspace (dashboard.shared_reader); they take turns on it.
_DB_LOCK = threading.RLock()


def _poll_seconds() -> float:
    # how often a page shown during a load checks whether the load has finished;
    # HANDOFF_LOAD_POLL_S tunes it (a number of seconds from 0.1 to 600)
    raw = os.environ.get("HANDOFF_LOAD_POLL_S", "")
    try:
        value = float(raw) if raw else 5.0
    except ValueError:
        value = 5.0
    return value if 0.1 <= value <= 600 else 5.0


LOAD_POLL_SECONDS = _poll_seconds()


# ----------------------------------------------------------------------------- workspace
@contextmanager
def connect(read_only: bool = True) -> Iterator[Workspace]:
    """The workspace as published now, for this call.

    Reads take turns with other reads of this process, on the process's shared
    connection (attached afresh after a load has published); a write (a load, a settings
    change) works on its own copy, so it never makes the readers of other sessions wait,
    and waits at most ``HANDOFF_LOCK_WAIT`` seconds for another writer
    (``writer.WorkspaceBusy`` after that).
    """
    if read_only:
        with _DB_LOCK:
            path = workspace_path()
            con, cursor = shared_reader.acquire(path)
            try:
                yield Workspace.over(con, path)
            finally:
                shared_reader.release(con, cursor)
    else:
        with Workspace(workspace_path()) as ws:
            yield ws


def page_title(ctx: Context, key: str) -> None:
    """The page's title (message ``key``), followed by the load watch (:func:`load_watch`).

    Every page starts with it. The watch belongs inside the page, after the router has
    told the browser which page this is: a timed fragment started before that (in the
    sidebar) made a slow first run land on the home page, and its full-app refresh left
    the page's content undrawn.
    """
    st.title(ctx.t(key))
    load_watch(ctx)


def load_watch(ctx: Context) -> None:
    """While another session or ``handoff load`` is writing, say so and refresh after it.

    The page keeps showing the last saved data (a load publishes its data only when it is
    complete); when the load has published a new version the whole page runs again.
    """
    if ctx.version >= 0 and writer.writer_active(workspace_path()):
        _watch(ctx.version, ctx.lang)


@st.fragment(run_every=LOAD_POLL_SECONDS)
def _watch(version: int, lang: str) -> None:
    if workspace_version() != version:
        st.rerun(scope="app")
    if writer.writer_active(workspace_path()):
        st.info(t("common.loading_note", lang), icon=":material/sync:")


def workspace_path() -> Path:
    """The workspace the dashboard serves (``$HANDOFF_WORKSPACE`` or ``./handoff.duckdb``)."""
    return default_path()


def workspace_version() -> int:
    """Bumped by every load and settings change; every cache keys on it."""
    path = workspace_path()
    if not path.exists():
        return -1
    with connect() as ws:
        return ws.version


@dataclass(frozen=True)
class Facts:
    """What the filters can offer: the values present in the workspace."""

    counts: dict[str, int]
    sources: list[str]
    campaigns: list[str]
    owners: list[str]
    segments: dict[str, list[str]]
    first_day: dt.date | None
    last_day: dt.date | None
    settings: dict[str, Any]


@st.cache_data(show_spinner=False, max_entries=8)
def _facts(path: str, version: int) -> Facts:
    with connect() as ws:
        counts = ws.counts()
        con = ws.con

        def values(column: str) -> list[str]:
            rows = con.execute(
                f'SELECT DISTINCT CAST("{column}" AS VARCHAR) AS v FROM leads '
                f'WHERE "{column}" IS NOT NULL ORDER BY v LIMIT 501'
            ).fetchall()
            return [r[0] for r in rows]

        segments = {}
        for dim in metrics.dimensions(con):
            if dim in metrics.BASE_DIMENSIONS:
                continue
            vals = values(dim)
            # a column with hundreds of values is an identifier, not a segment
            if 0 < len(vals) <= 500:
                segments[dim] = vals
        span = con.execute("SELECT min(created_at)::date, max(created_at)::date FROM leads")
        first, last = span.fetchall()[0]
        return Facts(
            counts=counts,
            sources=values("source"),
            campaigns=values("campaign"),
            owners=values("owner"),
            segments=segments,
            first_day=first,
            last_day=last,
            settings=ws.settings(),
        )


def facts() -> Facts:
    """Values and counts of the current workspace version (cached)."""
    return _facts(str(workspace_path()), workspace_version())


# ----------------------------------------------------------------------------- context
@dataclass
class Context:
    """What a page needs to show anything: language, filters, settings, workspace facts."""

    lang: str
    version: int
    filters: metrics.Filters = field(default_factory=metrics.Filters)
    facts: Facts | None = None

    @property
    def currency(self) -> str:
        """The reporting currency (a shared setting)."""
        return str((self.facts.settings if self.facts else {}).get("currency") or "VND")

    @property
    def has_leads(self) -> bool:
        """True when a leads table with rows is loaded."""
        return bool(self.facts and self.facts.counts.get("leads"))

    def t(self, key: str, /, **values: object) -> str:
        """A message in the page's language."""
        return t(key, self.lang, **values)


def language() -> str:
    """The language chosen in the sidebar (or in the URL's ``lang``), default English."""
    if "lang" not in st.session_state:
        wanted = st.query_params.get("lang", "en")
        st.session_state["lang"] = wanted if wanted in LANGUAGES else "en"
    return st.session_state["lang"]


_FILTER_KEYS = ("f_dates", "f_source", "f_campaign", "f_owner", "f_segment", "f_segment_values")


# how many filter values of the last link opened were not in the data
URL_IGNORED = "_url_ignored"
_URL_PARAMS = ("from", "to", "source", "campaign", "owner", "segment", "segment_value")


def _url_filters() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in _URL_PARAMS if k in st.query_params}


def _init_from_url(f: Facts) -> None:
    """Give the filter widgets their values from the URL: on a session's first run, and
    whenever a link brings filters other than the ones this session last wrote (a callout's
    evidence link, a shared link pasted into the same tab)."""
    incoming = _url_filters()
    if st.session_state.get("_filters_initialised") and (
        not incoming or incoming == st.session_state.get("_url_written")
    ):
        return
    if st.session_state.get("_filters_initialised"):
        for key in _FILTER_KEYS:
            st.session_state.pop(key, None)
    q = st.query_params

    def day(text: str | None) -> dt.date | None:
        try:
            return dt.date.fromisoformat(text) if text else None
        except ValueError:
            return None

    ignored = 0
    start, end = day(q.get("from")), day(q.get("to"))
    if start or end:
        st.session_state["f_dates"] = (start or f.first_day, end or f.last_day)
    for key, param, options in (
        ("f_source", "source", f.sources),
        ("f_campaign", "campaign", f.campaigns),
        ("f_owner", "owner", f.owners),
    ):
        chosen = [v for v in q.get_all(param) if v in options]
        # values the data does not have are left out; the page says how many (never which)
        ignored += len(q.get_all(param)) - len(chosen)
        if chosen:
            st.session_state[key] = chosen
    seg = q.get("segment")
    if seg in f.segments:
        st.session_state["f_segment"] = seg
        st.session_state["f_segment_values"] = [
            v for v in q.get_all("segment_value") if v in f.segments[seg]
        ]
    st.session_state[URL_IGNORED] = ignored
    st.session_state["_filters_initialised"] = True


def _write_url(ctx: Context) -> None:
    """Put the language and filters in the address bar so a link reproduces the view."""
    f = ctx.filters
    wanted: dict[str, str | list[str]] = {}
    if ctx.lang != "en":
        wanted["lang"] = ctx.lang
    wanted.update(f.url_params())
    # the lead list an evidence link opened stays in the address while the page shows it
    if "list" in st.query_params:
        wanted["list"] = st.query_params.get_all("list")
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    as_lists = {k: v if isinstance(v, list) else [v] for k, v in wanted.items()}
    if current != as_lists:
        st.query_params.from_dict(wanted)
    st.session_state["_url_written"] = {k: v for k, v in as_lists.items() if k in _URL_PARAMS}


def _clear_filters() -> None:
    for key in _FILTER_KEYS:
        st.session_state.pop(key, None)


def sidebar() -> Context:
    """Draw the language switch and the filters; return the page context."""
    lang = language()
    st.sidebar.selectbox(
        t("common.language", lang),
        LANGUAGES,
        format_func=lambda code: LANGUAGE_NAMES[code],
        key="lang",
    )
    lang = st.session_state["lang"]
    version = workspace_version()
    ctx = Context(lang=lang, version=version)
    if version < 0:
        _write_url(ctx)
        return ctx
    f = facts()
    ctx.facts = f
    if not f.counts.get("leads"):
        _write_url(ctx)
        return ctx
    _init_from_url(f)
    side = st.sidebar
    side.header(ctx.t("common.filters"))
    filters = metrics.Filters()
    if f.first_day and f.last_day:
        if "f_dates" not in st.session_state:
            st.session_state["f_dates"] = (f.first_day, f.last_day)
        picked = side.date_input(
            ctx.t("common.date_range"),
            min_value=min(f.first_day, dt.date(2000, 1, 1)),
            max_value=max(f.last_day, dt.date.today()) + dt.timedelta(days=366),
            format="DD/MM/YYYY" if lang == "vi" else "YYYY-MM-DD",
            help=ctx.t("common.date_range_help"),
            key="f_dates",
        )
        if isinstance(picked, tuple) and len(picked) == 2:
            start, end = picked
            if start != f.first_day:
                filters.date_from = start
            if end != f.last_day:
                filters.date_to = end
        elif isinstance(picked, tuple) and len(picked) == 1:
            # the user has picked the first day and not yet the last
            filters.date_from = picked[0]
    for key, label, options, attr in (
        ("f_source", "common.source", f.sources, "sources"),
        ("f_campaign", "common.campaign", f.campaigns, "campaigns"),
        ("f_owner", "common.owner", f.owners, "owners"),
    ):
        if options:
            chosen = side.multiselect(
                ctx.t(label), options, key=key, placeholder=ctx.t("common.all")
            )
            setattr(filters, attr, list(chosen))
    if f.segments:
        seg = side.selectbox(
            ctx.t("common.segment"),
            [None, *f.segments],
            format_func=lambda c: ctx.t("common.segment_none") if c is None else _label(c),
            key="f_segment",
        )
        if seg:
            chosen = side.multiselect(
                ctx.t("common.segment_values"),
                f.segments[seg],
                key="f_segment_values",
                placeholder=ctx.t("common.all"),
            )
            filters.segment_column = seg
            filters.segment_values = list(chosen)
    side.button(ctx.t("common.reset_filters"), on_click=_clear_filters, width="stretch")
    side.caption(ctx.t("common.link_hint"))
    ctx.filters = filters
    _write_url(ctx)
    return ctx


def _label(column: str) -> str:
    return column.removeprefix("segment_").replace("_", " ").capitalize()


def current() -> Context:
    """The context the app's sidebar built for this run (pages call this)."""
    ctx = st.session_state.get("_ctx")
    if ctx is None:  # a page run on its own (tests): build it here
        ctx = sidebar()
        st.session_state["_ctx"] = ctx
    return ctx
