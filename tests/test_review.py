"""The review meeting: callouts find the sample's planted patterns (and nothing on a dataset
without any), rank them by impact, compare periods with the metrics' own numbers, and the
Review page shows them in both languages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import metrics, review, safe
from dashboard.i18n import fmt_int, fmt_pct
from tests.builders import frame, workspace_from_frames
from tests.conftest import REPO

APP = str(REPO / "dashboard" / "app.py")


def _con(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True)


def _settings(**overrides: object) -> dict:
    return metrics.resolve_settings({}, overrides)


@pytest.fixture(scope="module")
def sample_callouts(sample_workspace: Path) -> list[review.Callout]:
    con = _con(sample_workspace)
    try:
        return review.callouts(con, _settings(), metrics.Filters(), "en")
    finally:
        con.close()


def _subjects(found: list[review.Callout], kind: str) -> list[str]:
    return [
        str(c.evidence.get("source") or c.evidence.get("owner") or "")
        for c in found
        if c.kind == kind
    ]


# ----------------------------------------------------------------------------- sample
def test_zalo_oa_is_called_out_for_rejections_with_no_budget(sample_callouts) -> None:
    assert _subjects(sample_callouts, "source_rejections") == ["Zalo OA"]
    (c,) = [c for c in sample_callouts if c.kind == "source_rejections"]
    assert c.evidence["top_reason"] == "No budget"
    assert round(c.evidence["mql_share"], 3) == 0.302
    assert round(c.evidence["rejection_share"], 3) == 0.559
    assert c.title == "Zalo OA: 30.2% of MQLs but 55.9% of sales rejections, top reason 'No budget'"
    assert c.page == "handoff" and c.params == {"source": ["Zalo OA"]}


def test_purchased_list_is_called_over_scored(sample_callouts) -> None:
    assert _subjects(sample_callouts, "score_overrates_source") == ["Purchased list"]
    (c,) = [c for c in sample_callouts if c.kind == "score_overrates_source"]
    assert round(c.evidence["sql_per_mql"], 3) == 0.085
    assert c.page == "scoring"


def test_do_quang_huy_gives_up_after_one_attempt(sample_callouts) -> None:
    assert _subjects(sample_callouts, "one_attempt_rep") == ["Đỗ Quang Huy"]
    (c,) = [c for c in sample_callouts if c.kind == "one_attempt_rep"]
    assert c.evidence["median_attempts"] == 1
    assert c.params == {"owner": ["Đỗ Quang Huy"]} and c.page == "followup"


def test_vu_thi_lan_and_bui_van_tai_are_slow(sample_callouts) -> None:
    assert sorted(_subjects(sample_callouts, "slow_rep")) == ["Bùi Văn Tài", "Vũ Thị Lan"]
    hours = {
        c.evidence["owner"]: c.evidence["median_minutes_to_first_touch"] / 60
        for c in sample_callouts
        if c.kind == "slow_rep"
    }
    assert round(hours["Vũ Thị Lan"], 1) == 25.8
    assert round(hours["Bùi Văn Tài"], 1) == 41.0


def test_rejected_then_won_and_never_mql_won_are_called_out(sample_callouts) -> None:
    (fr,) = [c for c in sample_callouts if c.kind == "false_rejections"]
    assert fr.evidence["false_rejections"] == 105
    assert fr.evidence["top_source"] == "Zalo OA" and fr.evidence["top_source_count"] == 64
    assert fr.evidence["top_reason"] == "No budget" and fr.evidence["top_reason_count"] == 62
    assert fr.impact == fr.evidence["false_rejection_revenue"]
    (ml,) = [c for c in sample_callouts if c.kind == "missed_leads"]
    assert ml.evidence["missed_leads"] == 93
    assert ml.evidence["max_score"] == 59
    assert ml.impact == ml.evidence["missed_revenue"]


def test_only_the_planted_patterns_are_called_out(sample_callouts) -> None:
    assert sorted(c.kind for c in sample_callouts) == sorted(
        [
            "source_rejections",
            "score_overrates_source",
            "one_attempt_rep",
            "slow_rep",
            "slow_rep",
            "false_rejections",
            "missed_leads",
        ]
    )


def test_callouts_are_ranked_by_impact(sample_callouts) -> None:
    impacts = [c.impact for c in sample_callouts]
    assert impacts == sorted(impacts, reverse=True)
    assert all(i > 0 for i in impacts)


def test_false_rejection_impact_equals_the_disagreement_metric(sample_workspace) -> None:
    con = _con(sample_workspace)
    try:
        found = review.callouts(con, _settings(), metrics.Filters(), "en")
        row = metrics.run(con, "disagreement", settings=_settings()).frame.row(0, named=True)
    finally:
        con.close()
    (fr,) = [c for c in found if c.kind == "false_rejections"]
    assert fr.impact == row["false_rejection_revenue"]


def test_thresholds_come_from_the_settings(sample_workspace) -> None:
    con = _con(sample_workspace)
    try:
        # 1.5 × the 24 h SLA is 36 h: only Bùi Văn Tài (41 h) is still slow
        found = review.callouts(
            con, _settings(callout_sla_multiple=1.5, callout_share_gap=0.5), metrics.Filters()
        )
    finally:
        con.close()
    assert _subjects(found, "slow_rep") == ["Bùi Văn Tài"]
    assert _subjects(found, "source_rejections") == []


def test_vietnamese_titles_use_vietnamese_numbers_and_short_money(sample_workspace) -> None:
    con = _con(sample_workspace)
    try:
        found = review.callouts(con, _settings(), metrics.Filters(), "vi")
    finally:
        con.close()
    titles = {c.kind: c.title for c in found}
    assert titles["false_rejections"] == "105 lead bị sales từ chối vẫn mua hàng: 14,2 tỷ ₫"
    assert "30,2%" in titles["source_rejections"]


def test_filters_carry_into_the_evidence_params(sample_workspace) -> None:
    con = _con(sample_workspace)
    try:
        found = review.callouts(
            con,
            _settings(),
            metrics.Filters(date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 6, 30)),
        )
    finally:
        con.close()
    (zalo,) = [c for c in found if c.kind == "source_rejections"]
    assert zalo.params == {"from": "2026-01-01", "to": "2026-06-30", "source": ["Zalo OA"]}


# ----------------------------------------------------------------------------- no pattern
SOURCES = ["Facebook Ads", "Zalo OA", "Google Ads", "Referral"]
REPS = ["An", "Bích", "Minh"]
REASONS = ["No budget", "No need", "Bad timing", "Competitor"]


def _alike(tmp_path: Path) -> Path:
    """Every source and rep alike: same funnel, same follow-up, no late or missed wins."""
    t0 = dt.datetime(2025, 1, 1, 2)
    leads, deals, activities = [], [], []
    n = 0
    for s in SOURCES:
        for r in REPS:
            for i in range(20):
                lead_id = f"L{n:04d}"
                created = t0 + dt.timedelta(days=n % 240, hours=i % 5)
                n += 1
                row = {
                    "lead_id": lead_id,
                    "created_at": created,
                    "source": s,
                    "campaign": "c1",
                    "owner": r,
                    "lead_score": 70.0 if i < 12 else 40.0,
                }
                if i < 12:
                    mql = created + dt.timedelta(hours=1)
                    handed = mql + dt.timedelta(hours=1)
                    row.update(mql_at=mql, handed_off_at=handed)
                    decided = handed + dt.timedelta(days=3)
                    if i < 8:
                        row["accepted_at"] = handed + dt.timedelta(hours=2)
                    else:
                        row.update(rejected_at=decided, rejection_reason=REASONS[i - 8])
                    if i < 4:
                        row["sql_at"] = decided
                    for k, gap in enumerate((dt.timedelta(minutes=30), dt.timedelta(days=1))):
                        activities.append(
                            {
                                "activity_id": f"A{lead_id}{k}",
                                "lead_id": lead_id,
                                "occurred_at": handed + gap,
                                "type": "call",
                                "direction": "outbound",
                                "outcome": "connected" if k == 1 else "no answer",
                                "owner": r,
                            }
                        )
                    if i < 2:
                        deals.append(
                            {
                                "deal_id": f"D{lead_id}",
                                "created_at": decided + dt.timedelta(days=1),
                                "lead_id": lead_id,
                                "closed_at": decided + dt.timedelta(days=20),
                                "is_won": True,
                                "is_closed": True,
                                "amount": 100_000_000.0,
                                "currency": "VND",
                                "stage": "Closed Won",
                                "owner": r,
                                "source": s,
                            }
                        )
                leads.append(row)
    return workspace_from_frames(
        tmp_path / "alike.duckdb",
        {
            "leads": frame("leads", leads),
            "deals": frame("deals", deals),
            "activities": frame("activities", activities),
        },
    )


def test_nothing_is_called_out_when_every_source_and_rep_is_alike(tmp_path) -> None:
    path = _alike(tmp_path)
    con = _con(path)
    try:
        for lang in ("en", "vi"):
            assert review.callouts(con, _settings(), metrics.Filters(), lang) == []
        # the groups are big enough to be judged, so the silence is a finding, not a skip
        handoff = metrics.run(con, "handoff", settings=_settings(), by="source").frame
        assert handoff["mqls"].min() >= _settings()["callout_min_leads"]
    finally:
        con.close()


def test_a_planted_one_attempt_rep_is_found_in_the_built_dataset(tmp_path) -> None:
    path = _alike(tmp_path)
    # Minh's second attempt never happens: exactly one attempt on every lead
    con = duckdb.connect(str(path))
    con.execute("delete from activities where owner = 'Minh' and outcome = 'connected'")
    con.close()
    con = _con(path)
    try:
        found = review.callouts(con, _settings(), metrics.Filters())
    finally:
        con.close()
    assert [(c.kind, c.evidence["owner"]) for c in found] == [("one_attempt_rep", "Minh")]


# ----------------------------------------------------------------------------- periods
def test_periods_and_their_bounds() -> None:
    q = review.period_of(dt.date(2026, 11, 17), "quarter")
    assert (q.start, q.end) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert q.previous() == review.Period("quarter", dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    m = review.period_of(dt.date(2024, 2, 10))
    assert (m.start, m.end) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert m.previous().start == dt.date(2024, 1, 1)
    first, last = dt.date(2025, 11, 1), dt.date(2026, 10, 31)
    assert review.default_period(first, last, "month").start == dt.date(2026, 10, 1)
    assert review.default_period(first, last, "quarter").start == dt.date(2026, 7, 1)
    assert len(review.periods(first, last, "month")) == 12
    assert review.periods(first, last, "quarter")[-1].start == dt.date(2025, 10, 1)


def _expected(con, filters: metrics.Filters) -> dict[str, float | None]:
    s = _settings()

    def one(name: str, column: str, owner: str | None = None) -> float | None:
        f = metrics.run(con, name, settings=s, filters=filters).frame
        if owner:
            f = f.filter(f["owner"] == owner)
        value = f[column][0]
        return None if value is None else float(value)

    return {
        "leads": one("overview", "leads"),
        "mqls": one("overview", "mqls"),
        "acceptance_rate": one("handoff", "acceptance_rate"),
        "sqls": one("overview", "sqls"),
        "won_deals": one("overview", "won_deals"),
        "won_revenue": one("overview", "won_revenue"),
        "sla_compliance_rate": one("followup_by_owner", "sla_compliance_rate", "(all)"),
        "agreement_rate": one("disagreement", "agreement_rate"),
    }


@pytest.mark.parametrize("grain", ["month", "quarter"])
def test_period_comparison_equals_the_metrics_on_each_periods_dates(
    sample_workspace, grain
) -> None:
    con = _con(sample_workspace)
    base = metrics.Filters(sources=["Zalo OA", "Referral"])
    try:
        cmp = review.compare_periods(con, _settings(), base, grain=grain)
        now = _expected(
            con,
            metrics.Filters(
                sources=base.sources, date_from=cmp.current.start, date_to=cmp.current.end
            ),
        )
        then = _expected(
            con,
            metrics.Filters(
                sources=base.sources, date_from=cmp.previous.start, date_to=cmp.previous.end
            ),
        )
    finally:
        con.close()
    assert cmp.current.end == (dt.date(2026, 10, 31) if grain == "month" else dt.date(2026, 9, 30))
    assert cmp.previous.end == cmp.current.start - dt.timedelta(days=1)
    assert not cmp.missing
    for h in cmp.headlines:
        assert h.current == now[h.key], h.key
        assert h.previous == then[h.key], h.key
        assert h.change == pytest.approx(now[h.key] - then[h.key])


def test_compare_periods_with_an_anchor(sample_workspace) -> None:
    con = _con(sample_workspace)
    try:
        cmp = review.compare_periods(
            con, _settings(), metrics.Filters(), "month", anchor=dt.date(2026, 2, 14)
        )
    finally:
        con.close()
    # the README's seasonality: February 1,127 leads, January 1,722
    assert cmp.get("leads").current == 1127
    assert cmp.get("leads").previous == 1722


# ----------------------------------------------------------------------------- the page
def _app(monkeypatch: pytest.MonkeyPatch, workspace: Path, lang: str) -> AppTest:
    monkeypatch.setenv("HANDOFF_WORKSPACE", str(workspace))
    from dashboard import ui

    ui.clear_caches()
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("views/review.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_review_page_shows_the_comparison_and_the_callouts(
    monkeypatch, sample_workspace, sample_callouts, lang
) -> None:
    at = _app(monkeypatch, sample_workspace, lang)
    con = _con(sample_workspace)
    try:
        # the page opens on the newest month whose won deals have had time to come in: May
        # 2026 (funnel_cohort's won stage is still maturing from June, 123 days to mature)
        cmp = review.compare_periods(
            con, _settings(), metrics.Filters(), "month", anchor=dt.date(2026, 5, 1)
        )
        found = review.callouts(con, _settings(), metrics.Filters(), lang)
    finally:
        con.close()
    shown = {m.label: m.value for m in at.metric}
    from dashboard.i18n import t

    assert shown[t("review.h_leads", lang)] == fmt_int(cmp.get("leads").current, lang)
    assert shown[t("review.h_sqls", lang)] == fmt_int(cmp.get("sqls").current, lang)
    assert shown[t("review.h_acceptance_rate", lang)] == fmt_pct(
        cmp.get("acceptance_rate").current, lang
    )
    text = "\n".join(m.value for m in at.markdown)
    # a callout is plain text: the page writes it as escaped Markdown (shown as its letters)
    titles = [safe.md_text(c.title) for c in found]
    for title in titles:
        assert f"**{title}**" in text
    # ranked: the first card is the largest impact
    assert text.index(titles[0]) < text.index(titles[-1])


def test_review_page_switches_to_quarters(monkeypatch, sample_workspace) -> None:
    at = _app(monkeypatch, sample_workspace, "en")
    at.button_group(key="review_grain").set_value("quarter").run()
    assert not at.exception
    # Q2 2026 holds June, still maturing: the newest mature quarter is Q1 2026
    assert "Q1 2026 compared with Q4 2025" in [h.value for h in at.subheader]


def test_review_page_opens_on_a_mature_period_and_marks_one_that_is_not(
    monkeypatch, sample_workspace
) -> None:
    # before: it opened on September 2026, whose deals are still coming in, and showed
    # "Won deals ↓ −96.7 %" in red for what is only time
    at = _app(monkeypatch, sample_workspace, "en")
    picker = at.selectbox(key="review_period_month")
    assert picker.value.start == dt.date(2026, 5, 1)
    assert not at.warning
    heads = [h.value for h in at.subheader]
    # the callouts, what the meeting talks about, come before the period's figures
    assert heads.index("What to talk about") < heads.index("May 2026 compared with Apr 2026")
    picker.set_value(review.period_of(dt.date(2026, 9, 1))).run()
    assert [w.value for w in at.warning] == [
        "Deals from this period's leads are still coming in: its won figures are not final, "
        "and a fall against the previous period may only be time. The page opens on the "
        "newest period that has had time to mature."
    ]


def test_review_page_on_a_leads_only_workspace_shows_what_it_needs(monkeypatch, tmp_path) -> None:
    leads = [
        {"lead_id": f"L{i}", "created_at": dt.datetime(2025, 1 + i % 6, 1 + i % 27)}
        for i in range(60)
    ]
    path = workspace_from_frames(tmp_path / "leads.duckdb", {"leads": frame("leads", leads)})
    at = _app(monkeypatch, path, "en")
    text = "\n".join(m.value for m in at.markdown)
    assert "This view needs data that is not loaded" in text


# ----------------------------------------------------------------------------- evidence
def test_every_callout_kind_on_the_sample_names_a_lead_list_of_its_page(sample_callouts) -> None:
    from dashboard import evidence

    kinds = {c.kind for c in sample_callouts}
    assert len(kinds) >= 5, kinds
    for c in sample_callouts:
        assert evidence.LISTS[c.lead_list].page == c.page, c.kind
        assert c.list_count is not None and c.list_count > 0, c.kind
        assert evidence.link_params(c.params, c.lead_list) == {**c.params, "list": c.lead_list}


def _open_link(monkeypatch, workspace: Path, page: str, params: dict) -> AppTest:
    """The app opened on ``page`` with ``params`` in its address, as a link opens it."""
    monkeypatch.setenv("HANDOFF_WORKSPACE", str(workspace))
    from dashboard import ui

    ui.clear_caches()
    at = AppTest.from_file(APP, default_timeout=180)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(f"views/{page}.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_each_evidence_link_opens_its_lead_list_with_the_count_the_callout_states(
    monkeypatch, sample_workspace, sample_callouts
) -> None:
    # before: the link opened the top of the page with the filters set, and the meeting
    # had to find the leads the callout talked about
    from dashboard.evidence import link_params
    from dashboard.i18n import t

    seen = set()
    for c in sample_callouts:
        if c.lead_list in seen:
            continue
        seen.add(c.lead_list)
        at = _open_link(monkeypatch, sample_workspace, c.page, link_params(c.params, c.lead_list))
        what = t(f"review.list_{c.lead_list}", "en")
        heading = t("review.evidence_from", "en", what=what)
        count = t("common.leads_behind_count", "en", n=fmt_int(c.list_count))
        assert f"**{heading}** · {count}" in [m.value for m in at.markdown], c.kind
        # the list is the page's first table, with one row per lead counted
        assert at.dataframe[0].value.shape[0] == c.list_count, c.kind
    assert seen == {"false_rejections", "handed_off", "missed_leads", "mqls", "rejected"}
    # the sample's share pending past the SLA is under the callout's bar: the list still
    # counts what callout_facts counts
    con = _con(sample_workspace)
    try:
        facts = metrics.run(con, "callout_facts", settings=_settings()).frame.row(0, named=True)
    finally:
        con.close()
    at = _open_link(monkeypatch, sample_workspace, "handoff", {"list": "pending_past_sla"})
    assert at.dataframe[0].value.shape[0] == facts["pending_past_sla"] > 0


def test_a_link_with_unknown_values_ignores_them_with_a_note(monkeypatch, sample_workspace) -> None:
    from dashboard.i18n import t

    def heading_of(text: str) -> bool:
        return text.startswith("**" + t("review.evidence_from", "en", what=""))

    hostile = "<img src=x onerror=alert(1)> **bold**"
    at = _open_link(
        monkeypatch, sample_workspace, "handoff", {"list": hostile, "source": "No such source"}
    )
    note = t("review.link_ignored", "en", n="2")
    assert note in [c.value for c in at.caption]
    assert not any(hostile in m.value for m in [*at.markdown, *at.caption])
    assert not any(heading_of(m.value) for m in at.markdown)
    # a list of another page is not shown here, and not called unknown
    at = _open_link(monkeypatch, sample_workspace, "handoff", {"list": "missed_leads"})
    assert not any(heading_of(m.value) for m in at.markdown)
    assert t("review.link_ignored", "en", n="1") not in [c.value for c in at.caption]
