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
from dashboard.ui_metrics import metric

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


def source_is(ctx: Context, label: str) -> pl.Expr:
    """Leads of the source a chart or table shows as ``label`` (the "(none)" label stands
    for leads without a source, as the metrics group them)."""
    if label == ctx.t("common.none_value"):
        return pl.col("source").is_null()
    return pl.col("source") == label


def month_label(ctx: Context, value: dt.date | None) -> str:
    """A cohort month as the page's language writes it."""
    return fmt_month(value, ctx.lang)
