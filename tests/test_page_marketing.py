"""The Lead quality and Revenue by source pages (AppTest on the sample workspace): they run in
both languages, their headline numbers equal the metrics for the same filters, and they say
what to upload when an input is missing."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import metrics
from dashboard.i18n import fmt_int, fmt_money, fmt_money_short, fmt_number, fmt_pct, t
from tests.conftest import REPO

APP = str(REPO / "dashboard" / "app.py")
FILTERS = metrics.Filters(
    date_from=dt.date(2026, 1, 1),
    date_to=dt.date(2026, 6, 30),
    sources=["Zalo OA", "Referral"],
)


def _app(monkeypatch: pytest.MonkeyPatch, workspace: Path, page: str, **query: object) -> AppTest:
    """The app on ``workspace``, switched to ``views/<page>`` with ``query`` in the URL."""
    monkeypatch.setenv("HANDOFF_WORKSPACE", str(workspace))
    from dashboard import ui

    ui.clear_caches()
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(f"views/{page}")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _metric(workspace: Path, name: str, filters: metrics.Filters) -> pl.DataFrame:
    con = duckdb.connect(str(workspace), read_only=True)
    try:
        settings = metrics.resolve_settings({}, None)
        return metrics.run(con, name, settings=settings, filters=filters).frame
    finally:
        con.close()


def _filtered(monkeypatch: pytest.MonkeyPatch, workspace: Path, page: str, **q: object) -> AppTest:
    return _app(
        monkeypatch,
        workspace,
        page,
        source=["Zalo OA", "Referral"],
        **{"from": "2026-01-01", "to": "2026-06-30"},
        **q,
    )


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


@pytest.fixture(scope="module")
def no_spend_workspace(sample_workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample workspace without its marketing spend."""
    path = tmp_path_factory.mktemp("nospend") / "nospend.duckdb"
    shutil.copy(sample_workspace, path)
    con = duckdb.connect(str(path))
    try:
        con.execute("DELETE FROM spend")
    finally:
        con.close()
    return path


@pytest.fixture
def leads_only(tmp_path: Path, run, write) -> Path:
    """A workspace with a leads file and nothing else."""
    ws = tmp_path / "leads-only.duckdb"
    leads = write(
        "leads.csv",
        "lead_id,created_at,source\nA,2026-01-01,Web\nB,2026-01-02,Zalo OA\n",
    )
    r = run("load", leads, "-w", ws)
    assert r.code == 0, r.err
    return ws


# ----------------------------------------------------------------------------- quality
@pytest.mark.parametrize("lang", ["en", "vi"])
def test_quality_page_runs_in_both_languages(monkeypatch, sample_workspace, lang) -> None:
    at = _app(monkeypatch, sample_workspace, "quality.py", lang=lang)
    assert at.title[0].value == t("pages.quality", lang)
    assert len(at.metric) == 4


def test_quality_headline_equals_the_disagreement_metric(monkeypatch, sample_workspace) -> None:
    at = _filtered(monkeypatch, sample_workspace, "quality.py")
    row = _metric(sample_workspace, "disagreement", FILTERS).row(0, named=True)
    shown = {m.label: m.value for m in at.metric}
    assert shown["Agreement rate"] == fmt_pct(row["agreement_rate"])
    assert shown["Agreement beyond chance"] == fmt_number(row["gwet_ac1"], "en", 2)
    assert shown["False rejections"] == fmt_int(row["false_rejections"])
    assert shown["Missed leads"] == fmt_int(row["missed_leads"])
    assert row["leads_judged"] > 0


def test_quality_lead_list_totals_equal_their_metrics(monkeypatch, sample_workspace) -> None:
    at = _filtered(monkeypatch, sample_workspace, "quality.py")
    text = _markdown(at)
    for name in ("false_rejections", "missed_leads"):
        frame = _metric(sample_workspace, name, FILTERS)
        total = t(
            f"quality.{name}_total",
            "en",
            n=fmt_int(frame.height),
            amount=fmt_money(frame["won_revenue"].sum(), "VND", "en"),
        )
        assert total in text, name


def test_quality_agreement_beyond_chance_is_read_in_plain_words(
    monkeypatch, sample_workspace
) -> None:
    at = _app(monkeypatch, sample_workspace, "quality.py", lang="vi")
    ac1 = next(m for m in at.metric if m.label == t("quality.ac1", "vi"))
    readings = {
        t(f"quality.kappa_{k}", "vi")
        for k in ("poor", "slight", "fair", "moderate", "substantial", "almost_perfect")
    }
    assert ac1.proto.delta in readings


def test_quality_leads_with_the_money_and_explains_kappa(monkeypatch, sample_workspace) -> None:
    # before: the page opened on Cohen's kappa "-0.02, no better than chance", for every
    # source, even at 80% agreement; now the money at stake comes first, then agreement
    # beyond chance as Gwet's AC1 (from the metric), and kappa with why it reads near 0
    at = _filtered(monkeypatch, sample_workspace, "quality.py")
    labels = [m.label for m in at.metric][:4]
    assert labels == [
        t("quality.false_rejections", "en"),
        t("quality.missed_leads", "en"),
        t("quality.agreement_rate", "en"),
        t("quality.ac1", "en"),
    ]
    [row] = _metric(sample_workspace, "disagreement", FILTERS).to_dicts()
    ac1 = next(m for m in at.metric if m.label == t("quality.ac1", "en"))
    assert ac1.value == fmt_number(row["gwet_ac1"], "en", 2)
    captions = " ".join(c.value for c in at.caption)
    assert t("quality.kappa_note", "en", kappa=fmt_number(row["cohens_kappa"], "en", 2)) in (
        captions
    )


def test_quality_page_says_what_to_upload_with_leads_only(monkeypatch, leads_only) -> None:
    at = _app(monkeypatch, leads_only, "quality.py")
    text = _markdown(at)
    assert t("common.needs_title", "en") in text
    assert "deals.is_won" in text


# ----------------------------------------------------------------------------- revenue
@pytest.mark.parametrize("lang", ["en", "vi"])
def test_revenue_page_runs_in_both_languages(monkeypatch, sample_workspace, lang) -> None:
    at = _app(monkeypatch, sample_workspace, "revenue.py", lang=lang)
    assert at.title[0].value == t("pages.revenue", lang)
    # won revenue, deal and lead win rates, revenue per lead; spend is loaded: spend and ROI
    assert len(at.metric) == 6


def test_revenue_headline_equals_the_revenue_by_source_metric(
    monkeypatch, sample_workspace
) -> None:
    at = _filtered(monkeypatch, sample_workspace, "revenue.py", lang="vi")
    f = _metric(sample_workspace, "revenue_by_source", FILTERS)
    shown = {m.label: m.value for m in at.metric}
    revenue = f["won_revenue"].sum()
    spend = f["spend"].sum()
    assert shown[t("common.won_revenue", "vi")] == fmt_money_short(revenue, "VND", "vi")
    assert shown[t("revenue.win_rate", "vi")] == fmt_pct(
        f["won_deals"].sum() / f["closed_deals"].sum(), "vi"
    )
    assert shown[t("revenue.revenue_per_lead", "vi")] == fmt_money_short(
        revenue / f["leads"].sum(), "VND", "vi"
    )
    # per lead: customers over leads, not won deals over leads
    assert shown[t("revenue.lead_win_rate", "vi")] == fmt_pct(
        f["won_leads"].sum() / f["leads"].sum(), "vi"
    )
    assert shown[t("revenue.total_spend", "vi")] == fmt_money_short(spend, "VND", "vi")
    assert shown[t("revenue.roi", "vi")] == fmt_pct((revenue - spend) / spend, "vi", 0)
    # the won revenue of the filtered sources equals the overview for the same filters
    overview = _metric(sample_workspace, "overview", FILTERS).row(0, named=True)
    assert revenue == pytest.approx(overview["won_revenue"])


def test_revenue_without_spend_says_which_file_adds_it(monkeypatch, no_spend_workspace) -> None:
    at = _app(monkeypatch, no_spend_workspace, "revenue.py")
    text = _markdown(at)
    assert t("revenue.no_spend_title", "en") in text
    assert "spend.csv" in text
    labels = {m.label for m in at.metric}
    assert t("revenue.roi", "en") not in labels and t("revenue.total_spend", "en") not in labels
    # no empty cost columns in the full table
    table = at.dataframe[-1].value
    assert t("revenue.cac", "en") not in table.columns
    assert t("common.won_revenue", "en") in table.columns


def test_revenue_spend_hidden_under_an_owner_filter(monkeypatch, sample_workspace) -> None:
    at = _app(monkeypatch, sample_workspace, "revenue.py", owner="Đỗ Quang Huy")
    assert any("owner or segment filter" in (i.value or "") for i in at.info)
    assert t("revenue.roi", "en") not in {m.label for m in at.metric}


def test_revenue_page_says_what_to_upload_with_leads_only(monkeypatch, leads_only) -> None:
    at = _app(monkeypatch, leads_only, "revenue.py")
    text = _markdown(at)
    assert t("common.needs_title", "en") in text
    assert "deals.is_won" in text


def test_funnel_says_why_won_deals_and_won_leads_differ(monkeypatch, sample_workspace) -> None:
    at = _app(monkeypatch, sample_workspace, "funnel.py")
    con = duckdb.connect(str(sample_workspace), read_only=True)
    try:
        [row] = metrics.run(
            con, "overview", settings=metrics.resolve_settings({}, None)
        ).frame.to_dicts()
    finally:
        con.close()
    assert row["won_deals"] != row["won_leads"]  # 524 deals from 515 leads on the demo
    note = t(
        "funnel.won_two_counts",
        "en",
        deals=fmt_int(row["won_deals"]),
        leads=fmt_int(row["won_leads"]),
    )
    assert note in [c.value for c in at.caption]


def test_funnel_explains_a_stage_above_100_percent_of_the_one_before(monkeypatch, tmp_path) -> None:
    # before: "119.3% of previous" with no word on why a stage can exceed the one before
    from tests.builders import frame, workspace_from_frames

    day = dt.datetime(2026, 1, 5, 9)
    leads = [
        {
            "lead_id": "L1",
            "created_at": day,
            "mql_at": day,
            "handed_off_at": day,
            "accepted_at": day,
        },
        # accepted by sales with no handoff recorded: SAL 2 > handed off 1
        {"lead_id": "L2", "created_at": day, "mql_at": day, "accepted_at": day},
    ]
    path = workspace_from_frames(tmp_path / "w.duckdb", {"leads": frame("leads", leads)})
    at = _app(monkeypatch, path, "funnel.py")
    captions = [c.value for c in at.caption]
    assert t("funnel.skipped_stages", "en", stages="SAL (accepted)") in captions
