"""Streamlit entry point: the sidebar (language and filters) and the page router.

Each page lives in ``dashboard/views/`` and answers one question; this file only builds
the shared context the pages read through ``ui.current()``.
"""

from __future__ import annotations

from pathlib import Path

# Every heavy module a page uses is imported here, before the router runs any page: pages
# of different sessions run in parallel threads, and two threads importing pandas or
# pyarrow for the first time at once have shown users a half-imported module's traceback.
import altair  # noqa: F401
import duckdb  # noqa: F401
import pandas  # noqa: F401
import polars  # noqa: F401
import pyarrow  # noqa: F401
import streamlit as st
import vl_convert  # noqa: F401

from dashboard import access, ui
from dashboard.i18n import t
from dashboard.pages import SECTIONS

VIEWS = Path(__file__).resolve().parent / "views"

st.set_page_config(page_title="Handoff", page_icon="🤝", layout="wide")

# before anything that reads the workspace: a dashboard started with a secret shows only
# the sign-in form until the session gives a right one
access.gate(ui.language())

ctx = ui.sidebar()
access.sidebar_note(ctx.lang)
st.session_state["_ctx"] = ctx
pages = {
    t(section, ctx.lang): [
        st.Page(
            VIEWS / file,
            title=t(key, ctx.lang),
            icon=icon,
            url_path=url,
        )
        for file, key, icon, url in entries
    ]
    for section, entries in SECTIONS.items()
}
first = next(iter(pages.values()))[0]


data_page = next(p for entries in pages.values() for p in entries if p.url_path == "data")


def _home() -> None:
    # "/" opens the first page at its own address (/review), so that address can be
    # shared and bookmarked; the filters in the link go along. With nothing loaded yet it
    # opens the Data page, ready for a first upload.
    params = [(key, st.query_params.get_all(key)) for key in st.query_params]
    st.switch_page(first if ctx.version >= 0 else data_page, query_params=params)


# the home page is hidden from the menu: it only forwards to the first page
home = st.Page(
    _home, title=first.title, icon=first.icon, url_path="home", default=True, visibility="hidden"
)
pages = {"": [home], **pages}
# The load watch ("a load is running") starts inside each page, under its title
# (ui.page_title): started here, before the router, it sent viewers to the wrong page.
st.navigation(pages, position="sidebar").run()
