"""Data page: what is loaded, how healthy it is, and where it came from."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard.health import health_report
from dashboard.workspace import Workspace, default_path

st.title("Data")
path = default_path()
if not path.exists():
    st.info(
        f"No workspace at `{path}` yet. Load your CRM exports with "
        "`handoff load FILE...`, or build the sample with `handoff demo`."
    )
    st.stop()

with Workspace(path, read_only=True) as ws:
    report = health_report(ws)

st.subheader("Tables")
cols = st.columns(len(report.counts))
for col, (table, n) in zip(cols, report.counts.items(), strict=True):
    col.metric(table.replace("_", " ").capitalize(), f"{n:,}")

st.subheader("Data health")
if report.warnings:
    for w in report.warnings:
        st.warning(w.render())
else:
    st.success(
        "No warnings: every deal and activity points to a loaded lead, stage dates are in order."
    )

coverage = pl.DataFrame(
    [
        {
            "table": t,
            "column": c,
            "rows with a value": n,
            "share": (n / report.counts[t]) if report.counts[t] else 0.0,
        }
        for t, cols_ in report.coverage.items()
        for c, n in cols_.items()
        if report.counts.get(t)
    ]
)
st.dataframe(
    coverage,
    hide_index=True,
    column_config={
        "share": st.column_config.ProgressColumn(
            "share", format="percent", min_value=0, max_value=1
        )
    },
)

st.subheader("Load history")
if report.loads:
    st.dataframe(
        pl.DataFrame(report.loads).select(
            "loaded_at", "file_name", "table_name", "rows", "mode", "crm", "file_size", "sha256"
        ),
        hide_index=True,
    )
else:
    st.write("Nothing loaded yet.")
