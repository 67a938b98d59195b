"""How pages show rows and charts: tables and charts with their downloads, lead lists,
and display-text columns formatted without Python callbacks inside Polars.

Pages reach these through :mod:`dashboard.ui` (``ui.table``, ``ui.chart``, ...).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Mapping
from typing import Any

import altair as alt
import duckdb
import polars as pl
import streamlit as st

from dashboard import charts, metrics, safe, table_format
from dashboard.i18n import fmt_date, fmt_int, fmt_month
from dashboard.ui_context import Context
from dashboard.ui_metrics import metric, rows_when_asked

DOWNLOAD = ":material/download:"
IMAGE = ":material/image:"


def style(ctx: Context) -> table_format.Style:
    """How the page writes values: its language, the reporting currency, the display
    time zone (the ``display_timezone`` setting)."""
    settings = ctx.facts.settings if ctx.facts else {}
    zone = str(settings.get("display_timezone") or "Asia/Ho_Chi_Minh")
    return table_format.Style(ctx.lang, ctx.currency, zone)


def filter_parts(ctx: Context) -> list[tuple[str, list[str]]]:
    """The page's filters as (label, values) pairs, in its language ("all" when unset)."""
    f, T = ctx.filters, ctx.t
    every = [T("common.filters_all")]
    if f.date_from or f.date_to:
        period = [f"{fmt_date(f.date_from, ctx.lang)} – {fmt_date(f.date_to, ctx.lang)}"]
    else:
        period = every
    parts = [
        (T("common.filters_period"), period),
        (T("common.source"), list(f.sources) or every),
        (T("common.campaign"), list(f.campaigns) or every),
        (T("common.owner"), list(f.owners) or every),
    ]
    if f.segment_column and f.segment_values:
        parts.append((T("common.filters_segment", column=f.segment_column), f.segment_values))
    return parts


def csv_bytes(ctx: Context, frame: pl.DataFrame, plans: list[table_format.Plan]) -> bytes:
    """The CSV a spreadsheet opens: a first line saying the filters, then the table as the
    page writes it; user text that a spreadsheet would run is neutralised."""
    line = io.StringIO()
    csv.writer(line, lineterminator="\n").writerow([table_format.filter_line(filter_parts(ctx))])
    body = table_format.for_csv(safe.csv_safe(frame), plans, style(ctx)).write_csv()
    # a byte-order mark: Excel reads the file as UTF-8 (Vietnamese letters intact)
    return (line.getvalue() + body).encode("utf-8-sig")


def excel_bytes(ctx: Context, frame: pl.DataFrame, plans: list[table_format.Plan]) -> bytes:
    """An Excel workbook: the filters in the first row, the table from the third, numbers
    kept numeric under a number format."""
    import xlsxwriter

    rows, formats = table_format.for_excel(frame, plans, style(ctx))
    buf = io.BytesIO()
    with xlsxwriter.Workbook(buf) as book:
        sheet = book.add_worksheet()
        sheet.write_string(0, 0, table_format.filter_line(filter_parts(ctx)))
        rows.write_excel(book, worksheet=sheet, position="A3", column_formats=formats, autofit=True)
    return buf.getvalue()


def _download_buttons(
    name: str, key: str, files: list[tuple[str, Callable, str, str, str]]
) -> None:
    """A row of download buttons; each file is ``(label, make, extension, mime, icon)`` and
    is only made when its button is clicked."""
    stamp = dt.date.today().isoformat()
    # one row of buttons as wide as their labels: in fixed columns "Excel" was cut to "Ex…"
    row = st.container(horizontal=True, gap="small")
    for label, make, ext, mime, icon in files:
        row.download_button(
            label,
            data=make,
            file_name=f"{name}-{stamp}.{ext}",
            mime=mime,
            icon=icon,
            key=f"{key}-{ext}",
            on_click="ignore",
        )


def column_plans(
    ctx: Context,
    frame: pl.DataFrame,
    *,
    metric: str | None = None,
    headers: Mapping[str, str] | None = None,
    units: Mapping[str, str] | None = None,
) -> list[table_format.Plan]:
    """How each column of ``frame`` is shown: ``headers`` (message keys by column; a column
    without one keeps its name), its unit from ``units``, else the metric's ``[units]``,
    else its type."""
    known = dict(metrics.get(metric).units) if metric else {}
    known.update(units or {})
    words = {c: ctx.t(k) for c, k in (headers or {}).items()}
    return table_format.plans(frame, words, known, style(ctx))


def _chosen(frame: pl.DataFrame, headers: Mapping[str, str] | None) -> pl.DataFrame:
    return frame.select(list(headers)) if headers else frame


def downloads(
    ctx: Context,
    frame: pl.DataFrame | Callable[[], pl.DataFrame],
    name: str,
    *,
    key: str,
    metric: str | None = None,
    headers: Mapping[str, str] | None = None,
    units: Mapping[str, str] | None = None,
) -> None:
    """CSV and Excel download buttons for a table (files are made only when clicked;
    ``frame`` may be a function giving the rows, called only when a button is).

    Both say the filters on their first line and use the page's headers; the CSV writes
    numbers as the page does (``20.000``, ``42,6%`` in Vietnamese), the Excel file keeps
    them numeric under a number format. ``metric``, ``headers`` and ``units`` as for
    :func:`table`.
    """

    def made() -> tuple[pl.DataFrame, list[table_format.Plan]]:
        rows = _chosen(frame() if callable(frame) else frame, headers)
        return rows, column_plans(ctx, rows, metric=metric, headers=headers, units=units)

    _download_buttons(
        name,
        key,
        [
            (
                ctx.t("common.download_csv"),
                lambda: csv_bytes(ctx, *made()),
                "csv",
                "text/csv",
                DOWNLOAD,
            ),
            (
                ctx.t("common.download_excel"),
                lambda: excel_bytes(ctx, *made()),
                "xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                DOWNLOAD,
            ),
        ],
    )


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
    metric: str | None = None,
    headers: Mapping[str, str] | None = None,
    units: Mapping[str, str] | None = None,
    column_config: dict[str, Any] | None = None,
    select: bool = False,
    height: int | str = "auto",
    download: pl.DataFrame | Callable[[], pl.DataFrame] | None = None,
    download_headers: Mapping[str, str] | None = None,
    folded: bool = False,
) -> dict | None:
    """A table with CSV and Excel downloads; with ``select``, the clicked row (or None).

    ``folded`` puts it in a closed expander ("The numbers behind the chart"): for a table
    that repeats the chart above it, so the page's answers stay in view.

    ``headers`` maps the columns to show, in order, to the message keys of their headings
    (without it every column shows under its own name). Each column is formatted by its
    unit: ``units`` (by column), else the ``metric``'s ``[units]``, else its type; numbers
    in the page's language, durations in minutes, hours or days (the header says which),
    times in the display time zone. ``column_config`` (keyed by heading) adds to that
    (pinning, widths). ``download`` gives the rows to download when they differ from the
    ones shown (every lead of a paged list, with every column), or a function giving them
    when a button is clicked, under ``download_headers``. The selected row
    is returned as the metric gave it (keyed by column, values unformatted).
    """
    # a table repeating its chart folds under it; any other stands open
    place = (
        st.expander(ctx.t("common.chart_table"), icon=":material/table:")
        if folded
        else contextlib.nullcontext()
    )
    with place:
        rows = _chosen(frame, headers)
        plans = column_plans(ctx, rows, metric=metric, headers=headers, units=units)
        shown, config = table_format.for_grid(rows, plans, style(ctx))
        event = st.dataframe(
            for_display(shown),
            hide_index=True,
            column_config={**config, **(column_config or {})},
            placeholder="–",
            key=key,
            on_select="rerun" if select else "ignore",
            selection_mode="single-row",
            height=height,
        )
        if download is None:
            downloads(ctx, rows, name, key=f"{key}-dl", metric=metric, headers=headers, units=units)
        else:
            downloads(
                ctx,
                download,
                name,
                key=f"{key}-dl",
                metric=metric,
                headers=download_headers,
                units=units,
            )
        if select and event is not None:
            picked = event.selection.rows if hasattr(event, "selection") else []
            if picked:
                return rows.row(picked[0], named=True)
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


def lead_headers(frame: pl.DataFrame, columns: tuple[str, ...] | None = None) -> dict[str, str]:
    """The message keys heading a lead list's columns (``columns``, else all of ``frame``'s,
    in order): every ``lead_list`` column has one in ``messages/leads.toml``."""
    wanted = columns if columns is not None else tuple(frame.columns)
    return {c: f"leads.{c}" for c in wanted if c in frame.columns}


def lead_columns(ctx: Context) -> dict[str, Any]:
    """What a lead list adds to its formats: the lead's id pinned at the left."""
    return {ctx.t("leads.lead_id"): st.column_config.TextColumn(pinned=True)}


# leads one page of a lead list shows; the download has every lead
LEAD_PAGE = 50
# lead_list's selection flags (queries/lead_list.sql) and the columns a match can name
PICK_FLAGS = (
    "mql",
    "handed_off",
    "accepted",
    "rejected",
    "sql",
    "opportunity",
    "won",
    "pending_past_sla",
    "judged",
    "disagreeing",
)
PICK_COLUMNS = (
    "source",
    "campaign",
    "owner",
    "score_band",
    "segment_value",
    "marketing_verdict",
    "sales_verdict",
    "speed_bucket",
    "rejection_reason",
)


def pick(
    *flags: str,
    score: tuple[float, float] | None = None,
    attempts: tuple[int | None, int | None] | None = None,
    **match: str | None,
) -> dict[str, Any]:
    """The ``lead_list`` parameters that select the leads behind a clicked number.

    ``flags`` name lead_list's only_ flags (``"won"`` keeps the won leads); each keyword
    (at most two) keeps the leads whose column holds that value, None standing for none;
    ``score`` and ``attempts`` are inclusive ranges (None: open). The values are bound
    into the query, never written into it.
    """
    unknown = [f for f in flags if f not in PICK_FLAGS]
    unknown += [c for c in match if c not in PICK_COLUMNS]
    if unknown or len(match) > 2:
        raise ValueError(f"lead_list cannot select by {unknown or list(match)}")
    out: dict[str, Any] = {f"only_{f}": True for f in flags}
    for n, (column, value) in enumerate(match.items(), start=1):
        out[f"match_{n}_column"] = column
        out[f"match_{n}_value"] = value
    if score is not None:
        out["score_from"], out["score_to"] = score
    if attempts is not None:
        out["attempts_from"], out["attempts_to"] = attempts
    return out


def leads_behind(
    ctx: Context,
    what: str,
    chosen: dict[str, Any],
    *,
    key: str,
    filters: metrics.Filters | None = None,
    headers: Mapping[str, str] | None = None,
    shape: Callable[[pl.DataFrame], pl.DataFrame] | None = None,
) -> None:
    """List the leads behind a clicked number: the ``lead_list`` metric, one page at a time.

    ``chosen`` is the selection (:func:`pick`), computed by lead_list's SQL; the page shows
    ``LEAD_PAGE`` leads and a page picker, the downloads every lead chosen, with every
    column. ``shape`` turns the page's rows into the rows shown; the list shows
    ``headers``' columns (column -> message key; by default :data:`LEAD_LIST_COLUMNS`).
    ``what`` is plain text (it names a clicked source, rep, reason or segment value) and is
    shown as its letters, never as Markdown.
    """
    # a page picker per selection: another click starts at its first page
    picker = f"{key}-page-{abs(hash(tuple(sorted(chosen.items())))) % 10**12}"
    number = int(st.session_state.get(picker, 1))
    shown = metric(
        ctx,
        "lead_list",
        filters=filters,
        params={**chosen, "page_size": LEAD_PAGE, "page_offset": (number - 1) * LEAD_PAGE},
        with_total=True,
    )
    if not shown.ok or shown.frame is None:
        return
    total = int(shown.total or 0)
    rows = shown.frame
    with st.container(border=True):
        st.markdown(
            f"**{ctx.t('common.leads_behind', what=safe.md_text(what))}** · "
            + ctx.t("common.leads_behind_count", n=fmt_int(total, ctx.lang))
        )
        shown_rows = shape(rows) if shape is not None else rows
        table(
            ctx,
            shown_rows,
            f"leads-{key}",
            key=f"{key}-leads",
            metric="lead_list",
            headers=headers or lead_headers(shown_rows, LEAD_LIST_COLUMNS),
            column_config=lead_columns(ctx),
            height=320,
            download=rows_when_asked(ctx, "lead_list", params=chosen, filters=filters),
            download_headers=lead_headers(rows),
        )
        pages = max(1, -(-total // LEAD_PAGE))
        if number > pages:  # fewer leads since the page was picked (new data)
            st.session_state[picker] = 1
            st.rerun()
        if pages > 1:
            first = (number - 1) * LEAD_PAGE + 1
            left, right = st.columns([1, 3])
            left.number_input(
                ctx.t("common.leads_page", pages=fmt_int(pages, ctx.lang)),
                min_value=1,
                max_value=pages,
                step=1,
                key=picker,
            )
            right.caption(
                ctx.t(
                    "common.leads_showing",
                    first=fmt_int(first, ctx.lang),
                    last=fmt_int(first + rows.height - 1, ctx.lang),
                    n=fmt_int(total, ctx.lang),
                )
            )


def source_is(ctx: Context, label: str) -> pl.Expr:
    """Leads of the source a chart or table shows as ``label`` (the "(none)" label stands
    for leads without a source, as the metrics group them)."""
    if label == ctx.t("common.none_value"):
        return pl.col("source").is_null()
    return pl.col("source") == label


def source_value(ctx: Context, label: str) -> str | None:
    """The source a chart or table shows as ``label``, for :func:`pick` (None: no source)."""
    return None if label == ctx.t("common.none_value") else label


def month_label(ctx: Context, value: dt.date | None) -> str:
    """A cohort month as the page's language writes it."""
    return fmt_month(value, ctx.lang)


# ICU collations the languages sort names by (DuckDB's built-in icu extension)
COLLATIONS = {"en": "en", "vi": "vi"}


def sorted_by_name(frame: pl.DataFrame, column: str, lang: str) -> pl.DataFrame:
    """``frame``'s rows in the alphabetical order of ``column`` in ``lang`` (Vietnamese:
    a ă â b c d đ e ê …, accents after their letter), empty names last.

    Sorted by DuckDB's ICU collation, not in Python: no callback runs over user strings.
    """
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", column):
        raise ValueError(f"not a column name: {column!r}")
    collation = COLLATIONS.get(lang, "en")
    con = duckdb.connect()
    try:
        con.register("named_rows", frame)
        return con.sql(
            f'SELECT * FROM named_rows ORDER BY "{column}" COLLATE {collation} NULLS LAST'
        ).pl()
    finally:
        con.close()
