"""End to end, as a user would, in Debian's Chromium: upload the sample files, confirm the
mapping, read the headline numbers, filter, switch to Vietnamese, open "How is this
computed?", download a table, and look at every page."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from dashboard.i18n import fmt_int, t
from dashboard.pages import SECTIONS
from tests.browser import browser, dashboard_server, full_screenshot, wait_for_app
from tests.conftest import SAMPLE

pytestmark = pytest.mark.browser

SAMPLE_FILES = ["leads.csv", "deals.csv", "activities.csv", "spend.csv"]

# where the app stands, for the message of a step that did not happen
PROBE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const options = document.querySelectorAll('[role="option"]').length;
  return `script ${app && app.getAttribute('data-test-script-state')}, options shown ${options}`;
}"""


def _metric_value(page, label: str) -> str:
    """The value of the st.metric whose label is ``label``."""
    box = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(f"^{label}$"))
    )
    return box.locator('[data-testid="stMetricValue"]').first.inner_text().strip()


def _overview(run, workspace: Path, *args: str) -> dict:
    r = run("metric", "overview", "-w", workspace, "--format", "json", *args)
    assert r.code == 0, r.err
    return json.loads(r.out)[0]


def test_a_user_uploads_the_sample_and_explores_it(tmp_path: Path, run) -> None:
    workspace = tmp_path / "fresh.duckdb"
    with dashboard_server(workspace) as url, browser() as b:
        page = b.page
        # 1. upload the four sample files on the Data page
        page.goto(f"{url}/data")
        wait_for_app(page)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            [str(SAMPLE / f) for f in SAMPLE_FILES]
        )
        load = page.get_by_role("button", name="Load 4 file(s)")
        load.wait_for(timeout=120_000)
        # the recognised table and mapping of each file are shown before loading
        for table in ("leads", "deals", "activities", "spend"):
            assert page.get_by_text(f"table {table},", exact=False).count() >= 1
        full_screenshot(page, "data-upload-mapping")
        # 2. confirm the mapping: load
        load.click()
        page.get_by_text("Loaded 4 file(s)").wait_for(timeout=120_000)
        wait_for_app(page)

        # 3. the overview numbers
        page.goto(f"{url}/funnel")
        wait_for_app(page)
        total = _overview(run, workspace)
        assert _metric_value(page, "Leads") == fmt_int(total["leads"]) == "20,000"
        assert _metric_value(page, "SQLs") == fmt_int(total["sqls"])

        # 4. change a filter: only Zalo OA leads
        source = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first
        source.click()
        # picked as a person picks from a long list: type, then Enter. A pointer click on
        # the last option was seen to miss under load (the menu still open, scrolled,
        # "Zalo OA" highlighted, nothing picked); typing does not depend on where it is
        page.keyboard.type("Zalo OA")
        page.get_by_role("option", name="Zalo OA").wait_for(timeout=60_000)
        page.keyboard.press("Enter")
        # the pick is in the box before the menu is closed
        try:
            source.filter(has_text="Zalo OA").wait_for(timeout=60_000)
        except Exception as exc:
            full_screenshot(page, "upload-explore-pick-failed")
            raise AssertionError(
                f"the pick Zalo OA never reached the source box at {page.url}: "
                f"box {source.inner_text()!r}, state {page.evaluate(PROBE_JS)}"
            ) from exc
        page.keyboard.press("Escape")
        wait_for_app(page)
        zalo = _overview(run, workspace, "--source", "Zalo OA")
        try:
            page.wait_for_function(
                "v => Array.from(document.querySelectorAll('[data-testid=stMetricValue]'))"
                ".some(e => e.innerText.trim() === v)",
                arg=fmt_int(zalo["leads"]),
                timeout=60_000,
            )
        except Exception as exc:
            full_screenshot(page, "upload-explore-filter-failed")
            shown = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
            raise AssertionError(
                f"{zalo['leads']} Zalo OA leads never shown at {page.url}: metrics {shown}, "
                f"source box {source.inner_text()!r}"
            ) from exc
        assert _metric_value(page, "Leads") == fmt_int(zalo["leads"])
        assert "source=Zalo+OA" in page.url or "source=Zalo%20OA" in page.url

        # 5. switch to Vietnamese: same numbers, Vietnamese separators and words
        page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
        page.get_by_role("option", name="Tiếng Việt").click()
        wait_for_app(page)
        page.get_by_role("heading", name="Sức khỏe phễu").wait_for(timeout=60_000)
        assert _metric_value(page, "Lead") == fmt_int(zalo["leads"], "vi")
        assert "lang=vi" in page.url

        # 6. open "How is this computed?" and read the SQL
        page.get_by_text("Số liệu này được tính thế nào?").first.click()
        page.get_by_text("lead_facts").first.wait_for(timeout=30_000)
        full_screenshot(page, "funnel-vi-filtered")

        # 7. download a table as CSV
        # the funnel's table is folded under its chart: open it, then download it
        page.get_by_text(t("common.chart_table", "vi")).first.click()
        csv_button = page.locator('[data-testid="stDownloadButton"]').filter(has_text="CSV").first
        try:
            with page.expect_download(timeout=60_000) as info:
                csv_button.click()
        except Exception as exc:
            full_screenshot(page, "upload-explore-download-failed")
            raise AssertionError(
                f"no CSV download at {page.url}: button {csv_button.inner_text()!r}, "
                f"state {page.evaluate(PROBE_JS)}"
            ) from exc
        download = info.value
        target = tmp_path / download.suggested_filename
        download.save_as(target)
        rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
        # the first line says the filters the table was made with, then the table
        assert rows[0][0].startswith("# Thời gian:") and "Zalo OA" in rows[0][0]
        assert len(rows) > 2 and len(rows[1]) > 1
        assert not b.errors, b.errors


PAGES = [(file, url) for entries in SECTIONS.values() for file, _, _, url in entries]


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_every_page_renders_without_errors_and_is_screenshotted(
    sample_workspace: Path, tmp_path: Path, lang: str
) -> None:
    workspace = tmp_path / "sample.duckdb"
    shutil.copy(sample_workspace, workspace)
    home = PAGES[0][1]
    with dashboard_server(workspace) as url, browser() as b:
        page = b.page
        for file, path in PAGES:
            address = f"{url}/" if path == home else f"{url}/{path}"
            page.goto(f"{address}?lang={lang}")
            wait_for_app(page)
            # wait for the page's title (a condition, not a fixed time: a busy machine is slow)
            page.wait_for_selector("h1", timeout=60_000)
            wait_for_app(page)
            assert page.locator('[data-testid="stException"]').count() == 0, file
            assert page.locator("h1").count() >= 1, file
            full_screenshot(page, f"page-{path}-{lang}")
        assert not b.errors, b.errors
