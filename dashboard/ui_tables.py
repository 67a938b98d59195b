"""How pages show rows and charts: tables and charts with their downloads, lead lists,
and display-text columns formatted without Python callbacks inside Polars.

Pages reach these through :mod:`dashboard.ui` (``ui.table``, ``ui.chart``, ...).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import altair as alt
import polars as pl
import streamlit as st

from dashboard import charts, metrics, safe
from dashboard.i18n import fmt_int, fmt_month
from dashboard.ui_context import Context
from dashboard.ui_metrics import metric, rows_when_asked

DOWNLOAD = ":material/download:"
IMAGE = ":material/image:"


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


def downloads(
    ctx: Context, frame: pl.DataFrame | Callable[[], pl.DataFrame], name: str, *, key: str
) -> None:
    """CSV and Excel download buttons for a table (files are made only when clicked).

    ``frame`` may be a function giving the rows: it is called only when a button is.
    """
    rows = frame if callable(frame) else (lambda: frame)
    _download_buttons(
        name,
        key,
        [
            # text a spreadsheet would run as a formula is neutralised (Excel keeps strings)
            (
                ctx.t("common.download_csv"),
                lambda: safe.csv_safe(rows()).write_csv(),
                "csv",
                "text/csv",
                DOWNLOAD,
            ),
            (
                ctx.t("common.download_excel"),
                lambda: _excel_bytes(rows()),
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
    download: pl.DataFrame | Callable[[], pl.DataFrame] | None = None,
) -> dict | None:
    """A table with CSV and Excel downloads; with ``select``, the clicked row (or None).

    ``download`` gives the rows to download when they differ from the ones shown (e.g. every
    lead of a paged lead list, with every column), or a function giving them when clicked.
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
    shape: Callable[[pl.DataFrame], pl.DataFrame] | None = None,
) -> None:
    """List the leads behind a clicked number: the ``lead_list`` metric, one page at a time.

    ``chosen`` is the selection (:func:`pick`), computed by lead_list's SQL; the page shows
    ``LEAD_PAGE`` leads and a page picker, the downloads every lead chosen. ``shape`` turns
    the page's rows into the columns shown (the default: ``LEAD_LIST_COLUMNS``). ``what``
    is plain text (it names a clicked source, rep, reason or segment value) and is shown
    as its letters, never as Markdown.
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
        if shape is not None:
            shown_rows = shape(rows)
        else:
            shown_rows = rows.select([c for c in LEAD_LIST_COLUMNS if c in rows.columns])
        table(
            ctx,
            shown_rows,
            f"leads-{key}",
            key=f"{key}-leads",
            column_config=lead_columns(ctx),
            height=320,
            download=rows_when_asked(ctx, "lead_list", params=chosen, filters=filters),
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
