"""Streamlit entry point: a router only. Each page lives in dashboard/views/."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

VIEWS = Path(__file__).resolve().parent / "views"

st.set_page_config(page_title="Handoff", page_icon="🤝", layout="wide")

pages = [
    st.Page(VIEWS / "data.py", title="Data", icon="🗂️", url_path="data", default=True),
]
st.navigation(pages).run()
