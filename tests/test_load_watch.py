"""A page opened while a load is running stays the page that was asked for, and refreshes
itself, content and all, when the load publishes.

The "a load is running" note is a timed fragment that reruns the whole page when a new
version of the workspace is published. Started in the sidebar, before the page router,
it broke in two ways the soak test found on a busy server: a slow first run landed on
the home page (the Review meeting) instead of the page the viewer opened, and the
page's refresh after the load left only the note on screen, the page's own content
never drawn. Here the note's timer is made faster than any page run, so both are
certain on the old code.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dashboard.workspace import Workspace
from tests.browser import browser, dashboard_server, full_screenshot, wait_for_app

# the note's fragment reruns faster than any page run: the race is certain
FAST_POLL_S = "0.2"
NOTE = "A load is running"

CONTENT_JS = """title => {
  const main = document.querySelector('[data-testid="stMain"]');
  const h1 = main && main.querySelector('h1');
  return h1 !== null && h1.innerText === title
    && main.querySelectorAll('[data-testid="stVegaLiteChart"], [data-testid="stMetric"]')
       .length > 0;
}"""


@pytest.mark.browser
@pytest.mark.parametrize(
    "address,title", [("handoff", "Handoff & SLA"), ("funnel", "Funnel health")]
)
def test_a_page_opened_during_a_load_is_the_page_asked_for_and_refreshes_after_it(
    sample_workspace: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    address: str,
    title: str,
) -> None:
    workspace = tmp_path / "sample.duckdb"
    shutil.copy(sample_workspace, workspace)
    monkeypatch.setenv("HANDOFF_LOAD_POLL_S", FAST_POLL_S)
    with dashboard_server(workspace) as url, browser() as b:
        page = b.page
        # a writer (as `handoff load` is) holds the workspace while the page opens
        writer = Workspace(workspace, read_only=False)
        try:
            page.goto(f"{url}/{address}")
            page.wait_for_function(CONTENT_JS, arg=title, timeout=90_000, polling=100)
            page.get_by_text(NOTE).first.wait_for(timeout=90_000)
            assert page.evaluate("location.pathname") == f"/{address}"
            # the load publishes a new version: a settings change, as a load would
            before = writer.version
            writer.set_settings({"sla_hours": 25}, author="test", reason="load watch")
            assert writer.version == before + 1
        finally:
            writer.close(publish=True)
        # the page notices, reruns itself and shows its own content again, note gone
        page.wait_for_function(
            f"""title => !document.body.innerText.includes({NOTE!r}) && ({CONTENT_JS})(title)""",
            arg=title,
            timeout=90_000,
            polling=100,
        )
        wait_for_app(page, timeout=90_000)
        full_screenshot(page, f"load-watch-{address}")
        assert page.evaluate("location.pathname") == f"/{address}"
        assert page.locator('[data-testid="stMain"] h1').first.inner_text() == title
        assert b.errors == []


def test_the_poll_interval_setting_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboard import ui_context

    for raw, expected in (("0.5", 0.5), ("", 5.0), ("abc", 5.0), ("0", 5.0), ("1e9", 5.0)):
        monkeypatch.setenv("HANDOFF_LOAD_POLL_S", raw)
        assert ui_context._poll_seconds() == expected, raw


def test_every_page_starts_with_its_title_and_the_load_watch() -> None:
    """A page that drew its own st.title would skip the load watch (or start it in the
    wrong place): every page starts with ui.page_title."""
    views = Path(__file__).resolve().parent.parent / "dashboard" / "views"
    pages = [p for p in views.glob("*.py") if not p.name.startswith("_")]
    assert len(pages) >= 9
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "ui.page_title(ctx, " in text, page.name
        assert "st.title(" not in text, page.name
