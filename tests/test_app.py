"""The dashboard app as a whole (AppTest): every page runs in both languages, filters live in
the URL, and headline numbers equal `handoff metric` for the same filters."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import metrics
from dashboard.i18n import fmt_int, t
from dashboard.pages import SECTIONS
from tests.conftest import REPO

APP = str(REPO / "dashboard" / "app.py")
PAGES = [file for entries in SECTIONS.values() for file, *_ in entries]


def _app(monkeypatch: pytest.MonkeyPatch, workspace: Path) -> AppTest:
    monkeypatch.setenv("HANDOFF_WORKSPACE", str(workspace))
    from dashboard import ui

    ui.clear_caches()
    return AppTest.from_file(APP, default_timeout=120)


def _overview(workspace: Path, filters: metrics.Filters) -> dict:
    con = duckdb.connect(str(workspace), read_only=True)
    try:
        settings = metrics.resolve_settings({}, None)
        return metrics.run(con, "overview", settings=settings, filters=filters).frame.row(
            0, named=True
        )
    finally:
        con.close()


def _param(at: AppTest, key: str) -> list[str]:
    value = at.query_params[key]
    return value if isinstance(value, list) else [value]


def test_every_page_file_exists() -> None:
    for file in PAGES:
        assert (REPO / "dashboard" / "views" / file).exists(), file


@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_without_an_exception(monkeypatch, sample_workspace, page, lang) -> None:
    at = _app(monkeypatch, sample_workspace)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page(f"views/{page}")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title, f"{page} shows no title"


def test_headline_numbers_equal_the_metric_and_follow_the_url_filters(
    monkeypatch, sample_workspace
) -> None:
    at = _app(monkeypatch, sample_workspace)
    at.query_params["source"] = ["Zalo OA", "Referral"]
    at.query_params["from"] = "2026-01-01"
    at.query_params["to"] = "2026-03-31"
    at.run()
    at.switch_page("views/funnel.py")
    at.run()
    assert not at.exception
    expected = _overview(
        sample_workspace,
        metrics.Filters(
            date_from=dt.date(2026, 1, 1),
            date_to=dt.date(2026, 3, 31),
            sources=["Zalo OA", "Referral"],
        ),
    )
    shown = {m.label: m.value for m in at.metric}
    assert shown["Leads"] == fmt_int(expected["leads"])
    assert shown["MQLs"] == fmt_int(expected["mqls"])
    assert shown["SQLs"] == fmt_int(expected["sqls"])
    assert expected["leads"] < 20_000
    # the filters are kept in the URL, so the link reproduces the view
    assert _param(at, "source") == ["Zalo OA", "Referral"]
    assert _param(at, "from") == ["2026-01-01"]


def test_changing_a_filter_changes_the_numbers(monkeypatch, sample_workspace) -> None:
    at = _app(monkeypatch, sample_workspace)
    at.run()
    at.switch_page("views/funnel.py")
    at.run()
    before = {m.label: m.value for m in at.metric}["Leads"]
    assert before == fmt_int(20_000)
    at.multiselect(key="f_owner").set_value(["Đỗ Quang Huy"]).run()
    after = {m.label: m.value for m in at.metric}["Leads"]
    expected = _overview(sample_workspace, metrics.Filters(owners=["Đỗ Quang Huy"]))["leads"]
    assert after == fmt_int(expected) and after != before
    assert _param(at, "owner") == ["Đỗ Quang Huy"]


def test_vietnamese_formats_numbers_with_dots(monkeypatch, sample_workspace) -> None:
    at = _app(monkeypatch, sample_workspace)
    at.query_params["lang"] = "vi"
    at.run()
    at.switch_page("views/funnel.py")
    at.run()
    shown = {m.label: m.value for m in at.metric}
    assert shown["Lead"] == "20.000"
    assert shown["Doanh thu thắng"].endswith("tỷ ₫")


def test_pages_say_what_to_upload_when_only_leads_are_loaded(
    monkeypatch, tmp_path, run, write
) -> None:
    ws = tmp_path / "leads-only.duckdb"
    r = run("load", write("leads.csv", "lead_id,created_at,source\nA,2026-01-01,Web\n"), "-w", ws)
    assert r.code == 0, r.err
    at = _app(monkeypatch, ws)
    at.run()
    at.switch_page("views/funnel.py")
    at.run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    # the funnel runs on leads alone; nothing on it may crash or show zeros for deals
    assert "Funnel" in at.title[0].value or at.title
    for page in PAGES:
        at.switch_page(f"views/{page}")
        at.run()
        assert not at.exception, (page, [e.message for e in at.exception])
    del text


def test_without_a_workspace_the_app_opens_on_the_data_page(monkeypatch, tmp_path) -> None:
    at = _app(monkeypatch, tmp_path / "none.duckdb")
    at.run()
    assert not at.exception
    # ready for a first upload, with a friendly start rather than a table of metric names
    assert [i.value for i in at.info] == [t("data.first_upload", "en")]
    assert at.get("file_uploader")
