"""On a phone (390 px wide) the charts fit the screen and switch to their short labels.

Each chart decides in the browser, from Vega-Lite's width signal, whether it is narrow
(dashboard.charts.NARROW_PX): the funnel's bars keep only their counts, the heatmaps
drop their cell texts and turn their stage names, the verdict matrix keeps only its
leads, and the scatter names reps by their given names.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dashboard import charts
from tests.browser import SCREENSHOTS, browser, dashboard_server, wait_for_app

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

# every chart's right edge, and the page's own width, in CSS pixels
FIT_JS = """() => ({
  page: document.documentElement.scrollWidth,
  charts: Array.from(document.querySelectorAll('[data-testid="stVegaLiteChart"]'))
    .map(c => Math.round(c.getBoundingClientRect().right)),
})"""


def test_the_charts_fit_a_phone_screen(sample_workspace: Path, tmp_path: Path) -> None:
    workspace = tmp_path / "sample.duckdb"
    shutil.copy(sample_workspace, workspace)
    assert PHONE["width"] < charts.NARROW_PX
    with dashboard_server(workspace) as url, browser() as b:
        page = b.page
        page.set_viewport_size(PHONE)
        for address in ("funnel", "quality", "followup"):
            page.goto(f"{url}/{address}")
            page.wait_for_selector('[data-testid="stMain"] h1', timeout=90_000)
            wait_for_app(page, timeout=90_000)
            fit = page.evaluate(FIT_JS)
            assert fit["charts"], address
            assert fit["page"] <= PHONE["width"], (address, fit)
            assert max(fit["charts"]) <= PHONE["width"], (address, fit)
            SCREENSHOTS.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"phone-{address}.png"), full_page=True)
        assert b.errors == []


def test_the_narrow_labels_are_chosen_by_the_chart_width() -> None:
    """The expressions the charts use: the narrow choice below NARROW_PX, else the wide."""
    expr = charts.narrow_or(0, 1).to_dict()["expr"]
    assert expr == f"width < {charts.NARROW_PX} ? 0 : 1"
    text = charts.narrow_text("count_text", "bar_text")
    assert text == f"width < {charts.NARROW_PX} ? datum['count_text'] : datum['bar_text']"
