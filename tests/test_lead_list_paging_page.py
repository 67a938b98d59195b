"""A clicked number's lead list on a page: one page of leads, the count of all, a picker.

AppTest on the sample workspace: a click on the funnel's first stage lists its 20,000
leads 50 at a time; picking page 3 shows leads 101–150, the same rows as lead_list's
full list has there.
"""

from __future__ import annotations

from types import SimpleNamespace

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import metrics
from dashboard.i18n import t
from tests.conftest import REPO

APP = str(REPO / "dashboard" / "app.py")


def test_a_clicked_stage_lists_its_leads_one_page_at_a_time(monkeypatch, sample_workspace) -> None:
    import streamlit as st

    from dashboard import ui

    original = st.altair_chart

    def altair_chart(*args, **kwargs):
        event = original(*args, **kwargs)
        if kwargs.get("key") == "funnel-chart":
            return SimpleNamespace(selection={"pick": [{"stage": "lead"}]})
        return event

    monkeypatch.setattr(st, "altair_chart", altair_chart)
    monkeypatch.setenv("HANDOFF_WORKSPACE", str(sample_workspace))
    ui.clear_caches()
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.switch_page("views/funnel.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    with duckdb.connect(str(sample_workspace), read_only=True) as con:
        every = metrics.run(con, "lead_list", settings=metrics.resolve_settings({}, None)).frame
    pages = [n for n in at.number_input if n.key and n.key.startswith("funnel-stage-page-")]
    assert len(pages) == 1
    assert pages[0].max == -(-every.height // ui.LEAD_PAGE)
    captions = [c.value for c in at.caption]
    assert any(f"Leads 1–50 of {every.height:,}" in c for c in captions), captions
    # the list's heading for lead_id, in the page's language
    lead = t("leads.lead_id", "en")
    shown = [d.value for d in at.dataframe if lead in d.value.columns]
    assert shown[0][lead].tolist() == every["lead_id"].head(50).to_list()

    pages[0].set_value(3).run()
    assert not at.exception, [e.message for e in at.exception]
    captions = [c.value for c in at.caption]
    assert any(f"Leads 101–150 of {every.height:,}" in c for c in captions), captions
    shown = [d.value for d in at.dataframe if lead in d.value.columns]
    assert shown[0][lead].tolist() == every["lead_id"].slice(100, 50).to_list()


pytestmark = pytest.mark.filterwarnings("ignore")
