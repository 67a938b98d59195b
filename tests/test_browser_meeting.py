"""The meeting-ready flows in Debian's Chromium, as a user meets them: a first upload into a
workspace that does not exist yet; the Review page opening on a mature period; a callout's
evidence link landing on the lead list it counts; the Scoring page replaying a score bar
when the CRM's MQL dates make the threshold change nothing; and a small file that would replace the
stored leads asking for a confirmation before it loads."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from dashboard import metrics, review
from dashboard.i18n import fmt_int, fmt_month, t
from tests.browser import browser, dashboard_server, full_screenshot, wait_for_app
from tests.conftest import SAMPLE

pytestmark = pytest.mark.browser

SAMPLE_FILES = ["leads.csv", "deals.csv", "activities.csv", "spend.csv"]
# 50 new leads, none of the sample's ids
SMALL = "lead_id,created_at,source\n" + "".join(
    f"N{i},2026-01-{1 + i % 28:02d},Web\n" for i in range(50)
)


def _metric_value(page, label: str) -> str:
    """The value of the st.metric whose label is ``label``."""
    box = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(f"^{label}$"))
    )
    return box.locator('[data-testid="stMetricValue"]').first.inner_text().strip()


def test_a_first_upload_into_a_new_workspace(tmp_path: Path) -> None:
    workspace = tmp_path / "new" / "acme.duckdb"
    workspace.parent.mkdir()
    with dashboard_server(workspace) as url, browser() as b:
        page = b.page
        # the home address of a workspace that does not exist opens the Data page's start
        page.goto(f"{url}/")
        page.wait_for_url(f"{url}/data*", timeout=60_000)
        wait_for_app(page)
        page.get_by_text(t("data.first_upload", "en")[:40]).wait_for(timeout=60_000)
        full_screenshot(page, "meeting-first-start")
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            [str(SAMPLE / f) for f in SAMPLE_FILES]
        )
        load = page.get_by_role("button", name="Load 4 file(s)")
        load.wait_for(timeout=120_000)
        assert load.is_enabled()  # nothing stored yet: nothing to confirm
        load.click()
        page.get_by_text("Loaded 4 file(s)").wait_for(timeout=180_000)
        wait_for_app(page)
        assert workspace.exists()
        # the pages now show the loaded numbers
        page.goto(f"{url}/funnel")
        wait_for_app(page)
        assert _metric_value(page, "Leads") == "20,000"
        full_screenshot(page, "meeting-first-funnel")
        assert not b.errors, b.errors


def _first_callout(path: Path) -> review.Callout:
    con = duckdb.connect(str(path), read_only=True)
    try:
        settings = metrics.resolve_settings({}, None)
        return review.callouts(con, settings, metrics.Filters(), "en")[0]
    finally:
        con.close()


def test_review_opens_mature_its_evidence_lands_on_the_list_and_a_replacing_load_asks(
    sample_workspace: Path, tmp_path: Path
) -> None:
    workspace = tmp_path / "sample.duckdb"
    shutil.copy(sample_workspace, workspace)
    first = _first_callout(workspace)
    small = tmp_path / "leads.csv"
    small.write_text(SMALL, encoding="utf-8")
    with dashboard_server(workspace) as url, browser() as b:
        page = b.page
        # 1. /review opens on the newest mature month (May 2026), not the last one in the
        # data (September 2026, whose deals are still coming in)
        page.goto(f"{url}/review")
        wait_for_app(page)
        picker = page.locator('[data-testid="stSelectbox"]').filter(
            has_text=t("review.period", "en")
        )
        # the chosen value is the box's text, or its search input's value
        shown = picker.evaluate(
            "e => [e.innerText, ...Array.from(e.querySelectorAll('input')).map(i => i.value),"
            " ...Array.from(e.querySelectorAll('[value]')).map(i => i.getAttribute('value'))]"
            ".join(' | ')"
        )
        assert fmt_month(dt.date(2026, 5, 1), "en") in shown, shown
        assert fmt_month(dt.date(2026, 9, 1), "en") not in shown, shown
        assert page.get_by_text(t("review.period_maturing", "en")[:40]).count() == 0
        full_screenshot(page, "meeting-review")

        # 2. the first callout's evidence link lands on its lead list, with its count
        label = t(
            "review.evidence_count",
            "en",
            n=fmt_int(first.list_count),
            page=t(f"pages.{first.page}", "en"),
        )
        page.get_by_role("link", name=label).first.click()
        page.wait_for_url(re.compile(rf"/{first.page}\?.*list={first.lead_list}"), timeout=60_000)
        wait_for_app(page)
        panel = page.locator(".st-key-evidence-list")
        panel.wait_for(timeout=60_000)
        count = t("common.leads_behind_count", "en", n=fmt_int(first.list_count))
        assert count in panel.inner_text()
        # the list is in view on landing: at the top of the page, under its title
        box = panel.bounding_box()
        assert box is not None and box["y"] < 1000
        full_screenshot(page, "meeting-evidence")

        # 3. Scoring: the CRM's MQL dates make the threshold change nothing; the page says
        # so and replays a bar on what sales accepts instead of proposing the threshold
        page.goto(f"{url}/scoring")
        wait_for_app(page)
        page.get_by_text(t("scoring.crm_mql_dates", "en")[:40]).wait_for(timeout=60_000)
        page.get_by_role("heading", name=t("scoring.replay_title", "en")).wait_for()
        assert page.get_by_role("button", name=t("scoring.propose", "en")).count() == 0
        full_screenshot(page, "meeting-scoring")

        # 4. a 50-lead file over the 20,000 stored leads: say what it does, ask first
        page.goto(f"{url}/data")
        wait_for_app(page)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(small))
        load = page.get_by_role("button", name="Load 1 file(s)")
        load.wait_for(timeout=120_000)
        wait_for_app(page)
        warning = page.locator('[data-testid="stAlert"]').filter(has_text=t("data.will_do", "en"))
        assert "replace the 20,000 stored rows with the 50 rows" in warning.inner_text()
        assert "will point at a lead" in warning.inner_text()
        assert load.is_disabled()
        full_screenshot(page, "meeting-confirm")
        page.get_by_text(t("data.confirm_loss", "en")[:30]).click()
        wait_for_app(page)
        assert load.is_enabled()
        load.click()
        page.get_by_text("Loaded 1 file(s)").wait_for(timeout=120_000)
        wait_for_app(page)
        assert page.get_by_role("button", name="Load 1 file(s)").is_disabled()
        assert not b.errors, b.errors
    con = duckdb.connect(str(workspace), read_only=True)
    try:
        assert con.execute("select count(*) from leads").fetchall()[0][0] == 50
    finally:
        con.close()
