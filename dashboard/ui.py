"""What every dashboard page shares: the workspace, the sidebar filters (kept in the URL),
cached metric runs, and the building blocks every number and chart is shown with.

Pages compute nothing themselves: every figure comes from a metric in ``queries/`` run
through :func:`metric`, so the dashboard and ``handoff metric`` always agree.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import altair as alt
import polars as pl
import streamlit as st

from dashboard import charts, metrics, safe, writer
from dashboard.i18n import LANGUAGE_NAMES, LANGUAGES, fmt_int, fmt_month, t
from dashboard.workspace import Workspace, default_path

REPO = Path(__file__).resolve().parent.parent

# One process serves every browser tab. DuckDB keeps one database per file name and
# process while any handle on it is open; reads take turns so that each read opens the
# file afresh and sees the workspace a load has just published (dashboard.writer).
_DB_LOCK = threading.RLock()
# how often a page shown during a load checks whether the load has finished
LOAD_POLL_SECONDS = 5.0


# ----------------------------------------------------------------------------- workspace
@contextmanager
def connect(read_only: bool = True) -> Iterator[Workspace]:
    """The workspace, opened for this call only.

    Reads take turns with other reads of this process; a write (a load, a settings
    change) works on its own copy, so it never makes the readers of other sessions wait,
    and waits at most ``HANDOFF_LOCK_WAIT`` seconds for another writer
    (``writer.WorkspaceBusy`` after that).
    """
    if read_only:
        with _DB_LOCK, Workspace(workspace_path(), read_only=True) as ws:
            yield ws
    else:
        with Workspace(workspace_path()) as ws:
            yield ws


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

    start, end = day(q.get("from")), day(q.get("to"))
    if start or end:
        st.session_state["f_dates"] = (start or f.first_day, end or f.last_day)
    for key, param, options in (
        ("f_source", "source", f.sources),
        ("f_campaign", "campaign", f.campaigns),
        ("f_owner", "owner", f.owners),
    ):
        chosen = [v for v in q.get_all(param) if v in options]
        if chosen:
            st.session_state[key] = chosen
    seg = q.get("segment")
    if seg in f.segments:
        st.session_state["f_segment"] = seg
        st.session_state["f_segment_values"] = [
            v for v in q.get_all("segment_value") if v in f.segments[seg]
        ]
    st.session_state["_filters_initialised"] = True


def _write_url(ctx: Context) -> None:
    """Put the language and filters in the address bar so a link reproduces the view."""
    f = ctx.filters
    wanted: dict[str, str | list[str]] = {}
    if ctx.lang != "en":
        wanted["lang"] = ctx.lang
    wanted.update(f.url_params())
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


# ----------------------------------------------------------------------------- metrics
@dataclass(frozen=True)
class Shown:
    """A metric's result as a page uses it: rows, or what it needs when inputs are missing."""

    name: str
    frame: pl.DataFrame | None
    sql: str
    values: dict[str, Any]
    missing: tuple[str, ...] = ()

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
) -> Shown:
    filters = metrics.Filters(
        date_from=filters_key[0],
        date_to=filters_key[1],
        sources=list(filters_key[2]),
        campaigns=list(filters_key[3]),
        owners=list(filters_key[4]),
        segment_column=filters_key[5],
        segment_values=list(filters_key[6]),
    )
    with connect() as ws:
        settings = metrics.resolve_settings(ws.settings(), dict(overrides))
        got = metrics.answer(
            ws.con, name, settings=settings, filters=filters, by=by, parameters=dict(params)
        )
    if got.result is None:
        return Shown(name, None, metrics.get(name).sql, {}, got.needs)
    return Shown(name, got.result.frame, got.result.sql, dict(got.result.parameters))


def metric(
    ctx: Context,
    name: str,
    *,
    by: str | None = None,
    params: dict[str, Any] | None = None,
    overrides: dict[str, Any] | None = None,
    filters: metrics.Filters | None = None,
) -> Shown:
    """Run metric ``name`` with the page's filters (cached per workspace version)."""
    f = filters or ctx.filters
    key = (
        str(workspace_path()),
        ctx.version,
        name,
        f.key(),
        by,
        tuple(sorted((params or {}).items())),
        tuple(sorted((k, _hashable(v)) for k, v in (overrides or {}).items())),
    )
    # sessions asking for the same figure at once (everyone's page after a load) wait for
    # the first one's answer and read it from the cache instead of computing it again
    with _RUN_STRIPES[hash(key) % len(_RUN_STRIPES)]:
        return _run(*key)


# a fixed set of locks, shared by keys that hash alike: no table grows with the keys
_RUN_STRIPES = tuple(threading.Lock() for _ in range(64))


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def clear_caches() -> None:
    """Forget every cached result (after a load or a settings change)."""
    _run.clear()
    _facts.clear()


# ----------------------------------------------------------------------------- blocks
DOWNLOAD = ":material/download:"
IMAGE = ":material/image:"


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
            st.dataframe(
                pl.DataFrame(
                    {"setting": list(used), "value": [_show_value(v) for v in used.values()]}
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


def _excel_bytes(frame: pl.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.write_excel(buf, autofit=True)
    return buf.getvalue()


def _download_buttons(
    name: str, key: str, files: list[tuple[str, Callable, str, str, str]]
) -> None:
    """A row of download buttons; each file is ``(label, make, extension, mime, icon)`` and
    is only made when its button is clicked."""
    stamp = dt.date.today().isoformat()
    columns = st.columns([1] * len(files) + [8])
    for column, (label, make, ext, mime, icon) in zip(columns, files, strict=False):
        column.download_button(
            label,
            data=make,
            file_name=f"{name}-{stamp}.{ext}",
            mime=mime,
            icon=icon,
            key=f"{key}-{ext}",
            on_click="ignore",
        )


def downloads(ctx: Context, frame: pl.DataFrame, name: str, *, key: str) -> None:
    """CSV and Excel download buttons for a table (files are made only when clicked)."""
    _download_buttons(
        name,
        key,
        [
            # text a spreadsheet would run as a formula is neutralised (Excel keeps strings)
            (
                ctx.t("common.download_csv"),
                lambda: safe.csv_safe(frame).write_csv(),
                "csv",
                "text/csv",
                DOWNLOAD,
            ),
            (
                ctx.t("common.download_excel"),
                lambda: _excel_bytes(frame),
                "xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                DOWNLOAD,
            ),
        ],
    )


def default_column_config(frame: pl.DataFrame) -> dict[str, Any]:
    """Readable defaults: shares as percentages, counts with separators, dates as dates."""
    config: dict[str, Any] = {}
    for name, dtype in frame.schema.items():
        lowered = name.lower()
        if dtype.is_float() and (
            lowered.endswith(("rate", "share", "_rate_kept", "share_kept")) or lowered == "share"
        ):
            config[name] = st.column_config.NumberColumn(format="percent")
        elif dtype.is_integer() or dtype.is_float():
            config[name] = st.column_config.NumberColumn(format="localized")
        elif dtype == pl.Date:
            config[name] = st.column_config.DateColumn(format="YYYY-MM-DD")
    return config


# the longest text a table cell sends to the browser; the downloads keep the whole value
DISPLAY_CHARS = 200


def for_display(frame: pl.DataFrame, limit: int = DISPLAY_CHARS) -> pl.DataFrame:
    """``frame`` with every text value cut to ``limit`` characters (an ellipsis marks a cut).

    A page never sends a giant value to the browser: one 200 MB cell once made every page
    fail with a message-size error. Polars expressions only (no Python callbacks).
    """
    text = [n for n, dtype in frame.schema.items() if dtype == pl.String]
    if not text:
        return frame
    return frame.with_columns(
        pl.when(pl.col(n).str.len_chars() > limit)
        .then(pl.col(n).str.slice(0, limit - 1) + "…")
        .otherwise(pl.col(n))
        .alias(n)
        for n in text
    )


def table(
    ctx: Context,
    frame: pl.DataFrame,
    name: str,
    *,
    key: str,
    column_config: dict[str, Any] | None = None,
    select: bool = False,
    height: int | str = "auto",
    download: pl.DataFrame | None = None,
) -> dict | None:
    """A table with CSV and Excel downloads; with ``select``, the clicked row (or None).

    ``download`` gives the rows to download when they differ from the ones shown (e.g. every
    column of a lead list).
    """
    config = {**default_column_config(frame), **(column_config or {})}
    event = st.dataframe(
        for_display(frame),
        hide_index=True,
        column_config=config,
        placeholder="–",
        key=key,
        on_select="rerun" if select else "ignore",
        selection_mode="single-row",
        height=height,
    )
    downloads(ctx, frame if download is None else download, name, key=f"{key}-dl")
    if select and event is not None:
        rows = event.selection.rows if hasattr(event, "selection") else []
        if rows:
            return frame.row(rows[0], named=True)
    return None


def _png(spec: dict) -> bytes:
    import vl_convert as vlc

    return vlc.vegalite_to_png(spec, scale=2)


def _svg(spec: dict) -> str:
    import vl_convert as vlc

    return vlc.vegalite_to_svg(spec)


def chart(
    ctx: Context,
    c: alt.TopLevelMixin,
    name: str,
    *,
    key: str,
    height: int = 360,
    select: bool = False,
) -> dict | None:
    """A styled chart with PNG and SVG downloads; with ``select``, the clicked mark's fields."""
    styled = charts.style(c, height=height)
    event = st.altair_chart(
        styled,
        theme=None,
        width="stretch",
        key=key,
        on_select="rerun" if select else "ignore",
    )
    spec = styled.to_dict()
    _download_buttons(
        name,
        key,
        [
            (ctx.t("common.download_png"), lambda: _png(spec), "png", "image/png", IMAGE),
            (ctx.t("common.download_svg"), lambda: _svg(spec), "svg", "image/svg+xml", IMAGE),
        ],
    )
    if select and event is not None:
        selection = getattr(event, "selection", None) or {}
        for points in dict(selection).values():
            if points:
                return dict(points[0]) if isinstance(points, list) else dict(points)
    return None


# the columns a lead list shows, in order (lead_list has more; the download has them all)
LEAD_LIST_COLUMNS = (
    "lead_id",
    "created_at",
    "source",
    "campaign",
    "owner",
    "lead_score",
    "marketing_verdict",
    "sales_verdict",
    "rejection_reason",
    "outcome",
    "won_revenue",
    "speed_bucket",
    "n_attempts",
)


def lead_columns(ctx: Context) -> dict[str, Any]:
    """Headings and formats for the columns of a lead list, in the page's language."""
    return {
        "lead_id": st.column_config.TextColumn(ctx.t("leads.lead_id"), pinned=True),
        "created_at": st.column_config.DatetimeColumn(
            ctx.t("leads.created_at"),
            format="DD/MM/YYYY HH:mm" if ctx.lang == "vi" else "YYYY-MM-DD HH:mm",
        ),
        "won_revenue": st.column_config.NumberColumn(
            ctx.t("leads.won_revenue"), format="localized"
        ),
        "lead_score": st.column_config.NumberColumn(ctx.t("leads.lead_score"), format="%.0f"),
        **{
            c: st.column_config.Column(ctx.t(f"leads.{c}"))
            for c in LEAD_LIST_COLUMNS
            if c not in ("lead_id", "created_at", "won_revenue", "lead_score")
        },
    }


def leads_behind(
    ctx: Context,
    what: str,
    keep: Callable[[pl.DataFrame], pl.DataFrame],
    *,
    key: str,
    filters: metrics.Filters | None = None,
) -> None:
    """List the leads behind a clicked number: the ``lead_list`` metric, narrowed by ``keep``.

    ``what`` is plain text (it names a clicked source, rep, reason or segment value) and is
    shown as its letters, never as Markdown.
    """
    shown = metric(ctx, "lead_list", filters=filters)
    if not shown.ok or shown.frame is None:
        return
    rows = keep(shown.frame)
    with st.container(border=True):
        st.markdown(
            f"**{ctx.t('common.leads_behind', what=safe.md_text(what))}** · "
            + ctx.t("common.leads_behind_count", n=fmt_int(rows.height, ctx.lang))
        )
        shown_rows = rows.select([c for c in LEAD_LIST_COLUMNS if c in rows.columns])
        table(
            ctx,
            shown_rows,
            f"leads-{key}",
            key=f"{key}-leads",
            column_config=lead_columns(ctx),
            height=320,
            download=rows,
        )


@dataclass(frozen=True)
class Text:
    """A display-text column to add to a frame: ``fmt`` applied to ``columns``' values.

    Made by :func:`text_col` and resolved by :func:`with_text` / :func:`select_text`,
    which format in plain Python over the column's values: a page thread never runs a
    Python callback inside Polars (those hold Polars' locks and froze the server under
    many viewers).
    """

    columns: tuple[str, ...]
    fmt: Callable[..., str]
    alias: str
    format_nulls: bool = False


def text_col(
    name: str | tuple[str, ...],
    fmt: Callable[..., str],
    alias: str,
    *,
    format_nulls: bool = False,
) -> Text:
    """Column ``name`` as display text (tooltips and labels), formatted by ``fmt``.

    Empty values stay empty unless ``format_nulls``, when ``fmt`` also receives them (the
    i18n formatters write an empty value as "–"). With a tuple of names, ``fmt`` receives
    one value of each column per row. Use it inside :func:`with_text` or
    :func:`select_text` (``frame.pipe(ui.with_text, ...)``).
    """
    columns = (name,) if isinstance(name, str) else tuple(name)
    return Text(columns, fmt, alias, format_nulls)


def _text_series(frame: pl.DataFrame, text: Text) -> pl.Series:
    if len(text.columns) > 1:
        rows = zip(*(frame.get_column(c).to_list() for c in text.columns), strict=True)
        return pl.Series(text.alias, [text.fmt(*row) for row in rows], dtype=pl.String)
    values = frame.get_column(text.columns[0]).to_list()
    # each distinct value is formatted once (a lead list repeats a few values many times)
    seen: dict[Any, str | None] = {}
    out: list[str | None] = []
    for v in values:
        if v is None and not text.format_nulls:
            out.append(None)
            continue
        try:
            shown = seen[v]
        except KeyError:
            shown = seen[v] = text.fmt(v)
        except TypeError:  # an unhashable value (a list): format it on its own
            shown = text.fmt(v)
        out.append(shown)
    return pl.Series(text.alias, out, dtype=pl.String)


def _resolve(frame: pl.DataFrame, columns: tuple[Any, ...]) -> list[Any]:
    return [_text_series(frame, c) if isinstance(c, Text) else c for c in columns]


def with_text(frame: pl.DataFrame, *columns: pl.Expr | Text) -> pl.DataFrame:
    """``frame.with_columns(*columns)`` where :class:`Text` columns are formatted in Python
    over ``frame``'s values (every column is computed from ``frame`` as it is given)."""
    return frame.with_columns(_resolve(frame, columns))


def select_text(frame: pl.DataFrame, *columns: str | pl.Expr | Text) -> pl.DataFrame:
    """``frame.select(*columns)`` where :class:`Text` columns are formatted in Python."""
    return frame.select(_resolve(frame, columns))


def source_is(ctx: Context, label: str) -> pl.Expr:
    """Leads of the source a chart or table shows as ``label`` (the "(none)" label stands
    for leads without a source, as the metrics group them)."""
    if label == ctx.t("common.none_value"):
        return pl.col("source").is_null()
    return pl.col("source") == label


def month_label(ctx: Context, value: dt.date | None) -> str:
    """A cohort month as the page's language writes it."""
    return fmt_month(value, ctx.lang)
