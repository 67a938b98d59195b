"""Vietnamese numbers as a person sees them in Chromium: in a visible table, in the
browser's own number formatter with the formats the tables use, and in a downloaded CSV;
with screenshots of the sales pages at 1440×900 and on a 390-pixel phone."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import pytest
import streamlit

from dashboard.i18n import t
from tests.browser import browser, dashboard_server, full_screenshot, wait_for_app

pytestmark = pytest.mark.browser

STATIC = Path(streamlit.__file__).parent / "static"
# the browser's printf formatter Streamlit formats number columns with
SPRINTF = next(STATIC.glob("static/js/sprintfjs.*.js")).relative_to(STATIC)


def test_vietnamese_numbers_in_a_table_and_its_csv(sample_workspace: Path, tmp_path: Path) -> None:
    workspace = tmp_path / "sample.duckdb"
    shutil.copy(sample_workspace, workspace)
    with dashboard_server(workspace) as url, browser() as b:
        page = b.page
        page.set_viewport_size({"width": 1440, "height": 900})
        page.goto(f"{url}/funnel?lang=vi")
        wait_for_app(page)
        page.get_by_role("heading", name=t("pages.funnel", "vi")).wait_for(timeout=60_000)
        # the funnel's table repeats its chart: it is folded under the chart, open it
        page.get_by_text(t("common.chart_table", "vi")).first.click()
        # the grid writes its visible cells for screen readers too: wait until they are there
        page.wait_for_function(
            "() => document.querySelectorAll('[role=gridcell]').length > 0", timeout=60_000
        )
        # the funnel table: the first table, its first row the first stage (every lead)
        lead = t("funnel.stage_lead", "vi")
        table = (
            page.locator('[data-testid="stDataFrame"]')
            .filter(has=page.locator("[role=gridcell]", has_text=re.compile(f"^{lead}$")))
            .first
        )
        cells = [
            c.replace("\u2007", "") for c in table.locator("[role=gridcell]").all_inner_texts()
        ]
        assert cells[0] == lead, cells
        # 100,0% of the first stage, with a decimal comma (never 100.0%)
        assert "100,0%" in cells, cells
        assert not any(c.endswith(".0%") for c in cells), cells
        # whole numbers are drawn by the browser's printf with the formats the tables use
        written = page.evaluate(
            "async ([path, cases]) => { const m = await import('/' + path);"
            " return cases.map(([format, value]) => m.t(format, value)); }",
            [str(SPRINTF), [["%'.,d", 20000], ["%'.,d ₫", 1234567], ["%,d", 20000]]],
        )
        assert written == ["20.000", "1.234.567 ₫", "20,000"]

        # download the same table as CSV: Vietnamese headings, numbers and the filters
        with page.expect_download(timeout=60_000) as info:
            table.locator(
                "xpath=following::*[@data-testid='stDownloadButton'][contains(., 'CSV')][1]"
            ).locator("button").click()
        target = tmp_path / info.value.suggested_filename
        info.value.save_as(target)
        rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
        assert rows[0][0].startswith("# Thời gian: tất cả; Nguồn: tất cả")
        header = rows[1]
        assert header[:2] == [t("funnel.stage", "vi"), t("common.count", "vi")]
        first = dict(zip(header, rows[2], strict=True))
        assert first[t("common.count", "vi")] == "20.000"
        assert first[t("funnel.rate_from_first", "vi")] == "100,0%"
        full_screenshot(page, "formats-funnel-vi-1440", width=1440)
        assert not b.errors, b.errors


@pytest.mark.parametrize("width", [1440, 390])
def test_sales_pages_screenshots_in_vietnamese(
    sample_workspace: Path, tmp_path: Path, width: int
) -> None:
    workspace = tmp_path / "sample.duckdb"
    shutil.copy(sample_workspace, workspace)
    with dashboard_server(workspace) as url, browser() as b:
        page = b.page
        page.set_viewport_size({"width": width, "height": 900})
        for path in ("followup", "handoff", "revenue"):
            page.goto(f"{url}/{path}?lang=vi")
            wait_for_app(page)
            page.wait_for_selector("h1", timeout=60_000)
            wait_for_app(page)
            assert page.locator('[data-testid="stException"]').count() == 0, path
            full_screenshot(page, f"formats-{path}-vi-{width}", width=width)
        assert not b.errors, b.errors
