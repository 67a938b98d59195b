"""Every page has an address that can be shared: the first page too, and "/" opens it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dashboard.pages import SECTIONS
from tests.browser import browser, dashboard_server, wait_for_app

pytestmark = pytest.mark.browser

PAGES = [url for entries in SECTIONS.values() for _, _, _, url in entries]


def test_every_page_opens_at_its_own_address_and_home_opens_the_first(
    sample_workspace: Path, tmp_path: Path
) -> None:
    workspace = tmp_path / "sample.duckdb"
    shutil.copy(sample_workspace, workspace)
    with dashboard_server(workspace) as url, browser() as b:
        page = b.page
        titles = {}
        for path in PAGES:
            # before: /review (the first page's own address) showed "Page not found"
            page.goto(f"{url}/{path}?lang=en")
            wait_for_app(page)
            page.wait_for_selector("h1", timeout=60_000)
            assert page.get_by_text("Page not found").count() == 0, path
            assert page.url.split("?")[0] == f"{url}/{path}", path
            titles[path] = page.locator("h1").first.inner_text()
        # "/" forwards to the first page's address, keeping the filters of the link
        page.goto(f"{url}/?lang=en&source=Zalo+OA")
        page.wait_for_url(f"{url}/{PAGES[0]}?*", timeout=60_000)
        wait_for_app(page)
        page.wait_for_selector("h1", timeout=60_000)
        assert page.locator("h1").first.inner_text() == titles[PAGES[0]]
        assert "source=Zalo+OA" in page.url or "source=Zalo%20OA" in page.url
        assert not b.errors, b.errors
