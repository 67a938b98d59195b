"""Data page: upload CRM exports, confirm how they map, load them; then see what is stored,
how healthy it is, which metrics it unlocks, and where it came from."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import polars as pl
import streamlit as st

from dashboard import access, metrics, safe, ui
from dashboard.errors import HandoffError
from dashboard.health import HealthReport, health_report
from dashboard.i18n import fmt_date, fmt_int, fmt_pct
from dashboard.ingest import mapping as mapping_mod
from dashboard.ingest.stream import Progress
from dashboard.schema import TABLES
from dashboard.workspace import FileSpec, Prepared
from dashboard.writer import WorkspaceBusy

NOT_USED = "—"


# ----------------------------------------------------------------------------- upload
def _prepare(
    files: list[Path],
    edits: dict[str, tuple[str, dict[str, str]]],
    progress: Callable[[Progress], None] | None = None,
) -> list[Prepared]:
    """Read and recognise the uploaded files, applying the user's table and column choices.

    ``progress`` hears the rows read so far while a big file is read in batches."""
    recognitions: dict[str, mapping_mod.Recognition] = {}
    specs = [FileSpec(f) for f in files]
    # reading only needs the settings: the stored workspace when there is one (readers
    # never wait for a writer), else a new one with the default settings
    with ui.connect(read_only=ui.workspace_path().exists()) as ws:
        for spec in specs:
            if spec.display not in edits:
                continue
            table, columns = edits[spec.display]
            read = ws_read(spec, ws.settings())
            chosen = {k: v for k, v in columns.items() if v and v != NOT_USED}
            recognitions[spec.display] = mapping_mod.recognise(
                list(read.columns),
                file=spec.display,
                table=table,
                sample=read.head(200),
                mapping=mapping_mod.MappingFile(
                    path="(the Data page)", tables={table: chosen}, options={}
                ),
            )
        return ws.prepare(specs, recognitions=recognitions, progress=progress)


def ws_read(spec: FileSpec, settings: dict[str, Any]) -> pl.DataFrame:
    """The raw frame of a file, as the readers see it (within the workspace's file limits)."""
    from dashboard.ingest import readers

    limits = readers.ReadLimits.from_settings(settings)
    return readers.read_file(spec.path, name=spec.display, limits=limits).frame


def uploader(ctx: ui.Context) -> list[Any] | None:
    """The file uploader for an editor; a viewer of a shared dashboard never loads files."""
    if access.can_edit():
        return st.file_uploader(
            ctx.t("data.upload"),
            type=["csv", "tsv", "txt", "gz", "xlsx", "xlsm", "parquet"],
            accept_multiple_files=True,
            help=ctx.t("data.upload_help"),
            key="uploader",
        )
    st.info(ctx.t("access.editor_needed_data"), icon=":material/lock:")
    return None


def _read_files(
    ctx: ui.Context, paths: list[Path], edits: dict[str, tuple[str, dict[str, str]]]
) -> list[Prepared]:
    """Read and recognise each file with a progress bar; nothing when one cannot be read."""
    T = ctx.t
    try:
        with st.status(T("data.reading"), expanded=False) as status:
            bar = st.progress(0.0)
            prepared = []

            def show(step: Progress) -> None:
                rows, rate = fmt_int(step.rows, ctx.lang), fmt_int(step.rows_per_second, ctx.lang)
                name = safe.md_text(step.file)
                status.update(label=T("data.reading_rows", file=name, rows=rows, rate=rate))

            for i, p in enumerate(paths):
                status.update(label=T("data.reading_file", file=safe.md_text(p.name)))
                prepared.extend(_prepare([p], edits, show))
                bar.progress((i + 1) / len(paths))
            status.update(label=T("data.read_done", n=len(paths)), state="complete")
    except HandoffError as exc:
        st.error(safe.error_md(exc))
        prepared = []
    return prepared


def _mapping_editor(ctx: ui.Context, p: Prepared) -> None:
    """One file's table and column choices; a changed choice is kept for the next read."""
    T = ctx.t
    rec = p.recognition
    left, right = st.columns([1, 2])
    table = left.selectbox(
        T("data.table"),
        list(TABLES),
        index=list(TABLES).index(rec.table),
        key=f"table-{p.spec.display}",
    )
    file_columns = list(p.read.frame.columns)
    rows = [
        {
            "canonical": c.name,
            "their_column": rec.mapping.get(c.name, NOT_USED),
            "required": c.required,
            "meaning": c.description,
        }
        for c in TABLES[table].columns
        if not c.personal or c.name in rec.mapping
    ]
    edited = right.data_editor(
        pl.DataFrame(rows),
        hide_index=True,
        disabled=["canonical", "required", "meaning"],
        column_config={
            "canonical": st.column_config.TextColumn(T("data.canonical")),
            "their_column": st.column_config.SelectboxColumn(
                T("data.their_column"), options=[NOT_USED, *file_columns]
            ),
            "required": st.column_config.CheckboxColumn(T("data.required")),
            "meaning": st.column_config.TextColumn(T("data.meaning")),
        },
        key=f"map-{p.spec.display}",
        height=260,
    )
    chosen = {
        r["canonical"]: r["their_column"]
        for r in edited.iter_rows(named=True)
        if r["their_column"] != NOT_USED
    }
    if table != rec.table or chosen != rec.mapping:
        st.session_state["mapping_edits"][p.spec.display] = (table, chosen)
        st.button(T("data.apply_mapping"), key=f"apply-{p.spec.display}", type="secondary")


def _recognised_file(ctx: ui.Context, p: Prepared) -> None:
    """How one file was recognised: its summary, notes, mapping and a preview."""
    T = ctx.t
    rec = p.recognition
    with st.container(border=True):
        st.markdown(
            T(
                "data.file_summary",
                file=safe.md_text(p.spec.display),
                table=rec.table,
                crm=rec.crm,
                rows=fmt_int(p.canonical.rows, ctx.lang),
                confidence=fmt_pct(rec.confidence, ctx.lang, 0),
            )
        )
        # the conversion notes already start with the reading and recognition notes
        for note in p.canonical.notes:
            st.caption(f":material/info: {safe.md_text(note)}")
        _mapping_editor(ctx, p)
        for canon, how in rec.derived.items():
            st.caption(f"↳ `{canon}`: {safe.md_text(how)}")
        with st.expander(T("data.preview", rows=min(20, p.canonical.rows))):
            st.dataframe(p.canonical.frame.head(20), hide_index=True)


def _load_controls(ctx: ui.Context, prepared: list[Prepared], folder: Path) -> None:
    """Append toggle, "Load" and the mapping download; loads on "Load" and reruns after."""
    T = ctx.t
    append = st.toggle(T("data.append"), help=T("data.append_help"), key="append")
    ready = _what_the_load_does(ctx, prepared, append)
    shas = tuple(p.sha256 for p in prepared)
    done = st.session_state.get("loaded_shas") == shas
    if done:
        st.success(T("data.already_done"), icon=":material/check_circle:")
    go = st.button(
        T("data.load_button", n=len(prepared)),
        type="primary",
        key="load",
        width="content",
        disabled=done or not ready,
    )
    mapping_file = folder / "handoff-mapping.toml"
    try:
        mapping_mod.save_mapping(mapping_file, [p.recognition for p in prepared])
        st.download_button(
            T("data.save_mapping"),
            data=mapping_file.read_bytes(),
            file_name="handoff-mapping.toml",
            mime="application/toml",
            on_click="ignore",
            icon=":material/download:",
            key="save-mapping",
        )
    except HandoffError as exc:
        st.caption(safe.error_md(exc))
    if not (go and access.can_edit()):
        return
    report, problem = None, None
    with st.status(T("data.loading"), expanded=True) as status:

        def stored(step: Progress) -> None:
            rows = fmt_int(step.rows, ctx.lang)
            status.write(T("data.progress_stored", table=step.file, rows=rows))

        try:
            with ui.connect(read_only=False) as ws:
                report = ws.commit(prepared, append=append, progress=stored)
            status.update(label=T("data.load_done"), state="complete", expanded=False)
        except WorkspaceBusy:
            problem = T("common.busy") + "\n\n" + T("data.nothing_changed")
        except HandoffError as exc:
            problem = safe.error_md(exc) + "\n\n" + T("data.nothing_changed")
        if problem is not None:
            status.update(state="error", expanded=False)
    if problem is not None:
        st.error(problem)
    if report is not None:
        ui.clear_caches()
        st.session_state.pop("mapping_edits", None)
        st.session_state["last_load"] = report
        # the same files stay in the uploader: Load stays off until they change
        st.session_state["loaded_shas"] = shas
        st.rerun()


def _what_the_load_does(ctx: ui.Context, prepared: list[Prepared], append: bool) -> bool:
    """Say what "Load" will change; True when it may go ahead.

    A load that removes stored rows or leaves deals and activities without their lead
    needs a ticked confirmation first (a 50-row file replacing 20,000 leads is a mistake
    more often than not).
    """
    T = ctx.t
    if not ui.workspace_path().exists():
        return True
    with ui.connect() as ws:
        impact = ws.impact(prepared, append=append)
    n = partial(fmt_int, lang=ctx.lang)
    lines = []
    for table, (stored, new, replacing) in impact.tables.items():
        if append:
            lines.append(T("data.will_add", table=table, new=n(new), replacing=n(replacing)))
        else:
            lines.append(T("data.will_replace", table=table, stored=n(stored), new=n(new)))
    for table, count in impact.orphans.items():
        if count:
            lines.append(T("data.will_orphan", table=table, n=n(count)))
    for name, when in impact.loaded_before:
        lines.append(
            T("data.loaded_before", file=safe.md_text(name), when=fmt_date(when, ctx.lang))
        )
    text = "\n".join(f"- {line}" for line in lines)
    if not impact.loses_data:
        st.info(T("data.will_do") + "\n\n" + text, icon=":material/info:")
        return True
    st.warning(T("data.will_do") + "\n\n" + text, icon=":material/warning:")
    key = "confirm-" + "-".join(p.sha256[:12] for p in prepared) + ("-append" if append else "")
    return st.checkbox(T("data.confirm_loss"), key=key)


def _read_and_load(ctx: ui.Context, uploaded: list[Any], folder: Path) -> None:
    """Show how the uploaded files map and load them on "Load", keeping them in ``folder``.

    ``folder`` exists only for this run of the page: the raw files are written there to be
    read, and deleted with it when the run ends, whether the load succeeded, failed, or
    the user is only looking at the preview (the uploader keeps the bytes for the next run).
    """
    paths = []
    for up in uploaded:
        target = folder / Path(up.name).name
        target.write_bytes(up.getvalue())
        paths.append(target)
    edits: dict[str, tuple[str, dict[str, str]]] = st.session_state.setdefault("mapping_edits", {})
    edits = {k: v for k, v in edits.items() if k in {p.name for p in paths}}
    prepared = _read_files(ctx, paths, edits)
    if prepared:
        st.subheader(ctx.t("data.recognised"))
        for p in prepared:
            _recognised_file(ctx, p)
        _load_controls(ctx, prepared, folder)


def upload(ctx: ui.Context) -> None:
    """The upload section: choose files, confirm how they map, load them."""
    uploaded = uploader(ctx)
    if uploaded:
        # the raw exports hold personal data: on disk only while this run reads and loads them
        with tempfile.TemporaryDirectory(
            prefix="handoff-upload-", ignore_cleanup_errors=True
        ) as tmp:
            _read_and_load(ctx, uploaded, Path(tmp))


def last_load(ctx: ui.Context) -> None:
    """What the last load of this session stored, and what it warned about."""
    if "last_load" not in st.session_state:
        return
    report = st.session_state["last_load"]
    counts = ", ".join(f"{k} {fmt_int(v, ctx.lang)}" for k, v in report.counts.items() if v)
    st.success(ctx.t("data.loaded", n=len(report.files), counts=counts))
    for w in report.warnings:
        st.warning(safe.problem_md(w))


# ----------------------------------------------------------------------------- what is stored
def stored_report() -> tuple[HealthReport, list[dict[str, str]]]:
    """The workspace's health report, and the metrics it lacks the inputs for."""
    with ui.connect() as ws:
        report = health_report(ws)
        unavailable = []
        for m in metrics.registry().values():
            missing = metrics.check_needs(ws.con, m)
            if missing:
                unavailable.append({"metric": m.name, "needs": ", ".join(missing)})
    return report, unavailable


def table_counts(ctx: ui.Context, report: HealthReport) -> None:
    """The rows stored in each table."""
    st.subheader(ctx.t("data.tables"))
    cols = st.columns(len(report.counts))
    for col, (table_name, n) in zip(cols, report.counts.items(), strict=True):
        col.metric(ctx.t(f"data.table_{table_name}"), fmt_int(n, ctx.lang))


def health(ctx: ui.Context, report: HealthReport, unavailable: list[dict[str, str]]) -> None:
    """The metrics that need inputs the workspace lacks, and the data's warnings."""
    T = ctx.t
    st.subheader(T("data.health"))
    if unavailable:
        st.warning(T("data.unavailable", n=len(unavailable)))
        st.dataframe(
            pl.DataFrame(unavailable),
            hide_index=True,
            column_config={
                "metric": st.column_config.TextColumn(T("data.col_metric")),
                "needs": st.column_config.TextColumn(T("data.col_needs")),
            },
        )
    else:
        st.success(T("data.all_available"))
    if report.warnings:
        for w in report.warnings:
            st.warning(safe.problem_md(w))
    else:
        st.success(T("data.no_warnings"))


def coverage(ctx: ui.Context, report: HealthReport) -> None:
    """How many rows of each table hold a value in each column."""
    frame = pl.DataFrame(
        [
            {
                "table": tname,
                "column": c,
                "rows": n,
                "share": (n / report.counts[tname]) if report.counts[tname] else 0.0,
            }
            for tname, cols_ in report.coverage.items()
            for c, n in cols_.items()
            if report.counts.get(tname)
        ],
        schema={"table": pl.String, "column": pl.String, "rows": pl.Int64, "share": pl.Float64},
    )
    with st.expander(ctx.t("data.coverage")):
        ui.table(
            ctx,
            frame,
            "coverage",
            key="coverage",
            headers={
                "table": "data.col_table",
                "column": "data.col_column",
                "rows": "data.col_rows_filled",
                "share": "data.col_share_filled",
            },
            units={"share": "share"},
        )


def history(ctx: ui.Context, report: HealthReport) -> None:
    """Every load: when, which file, into which table, how many rows."""
    st.subheader(ctx.t("data.history"))
    if report.loads:
        frame = pl.DataFrame(report.loads).select(
            "loaded_at", "file_name", "table_name", "rows", "mode", "crm", "file_size", "sha256"
        )
        ui.table(
            ctx,
            frame,
            "load-history",
            key="history",
            headers={
                "loaded_at": "data.col_loaded_at",
                "file_name": "data.col_file",
                "table_name": "data.col_table",
                "rows": "data.col_rows",
                "mode": "data.col_mode",
                "crm": "data.col_crm",
                "file_size": "data.col_size",
                "sha256": "data.col_fingerprint",
            },
            units={"loaded_at": "timestamp"},
        )
    else:
        st.write(ctx.t("data.nothing_loaded"))


def render() -> None:
    """The Data page, section by section."""
    ctx = ui.current()
    ui.page_title(ctx, "pages.data")
    st.caption(ctx.t("data.subtitle"))
    upload(ctx)
    last_load(ctx)
    if not ui.workspace_path().exists():
        st.info(ctx.t("data.first_upload"), icon=":material/upload_file:")
        st.stop()
    report, unavailable = stored_report()
    table_counts(ctx, report)
    health(ctx, report, unavailable)
    coverage(ctx, report)
    history(ctx, report)


render()
