"""Threshold suggestions (dashboard/scoring.py) on hand-worked frames, and the Scoring &
thresholds page: its numbers equal the metrics for the same threshold, it runs in both
languages, and it says what to upload when the workspace lacks scores."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import metrics, scoring
from dashboard.i18n import fmt_int, fmt_money_short, fmt_number, fmt_pct, t
from tests.builders import frame, workspace_from_frames
from tests.conftest import REPO

APP = str(REPO / "dashboard" / "app.py")
PAGE = "views/scoring.py"


# ----------------------------------------------------------------------------- hand frames
def whatif_frame(
    thresholds: list[float],
    sent: list[int],
    sqls: list[int],
    revenue_kept: list[float],
    total_sqls: int | None = None,
    total_revenue: float | None = None,
) -> pl.DataFrame:
    """A threshold_whatif frame built by hand: shares worked out from the counts given."""
    total_sqls = max(sqls) if total_sqls is None else total_sqls
    total_revenue = max(revenue_kept) if total_revenue is None else total_revenue
    return pl.DataFrame(
        {
            "threshold": [float(x) for x in thresholds],
            "is_current": [False] * len(thresholds),
            "leads_sent": sent,
            "sqls_kept": sqls,
            "sql_share_kept": [s / total_sqls if total_sqls else None for s in sqls],
            "won_kept": [0] * len(thresholds),
            "won_revenue_kept": [float(r) for r in revenue_kept],
            "won_revenue_missed": [float(total_revenue - r) for r in revenue_kept],
            "revenue_share_kept": [
                r / total_revenue if total_revenue else None for r in revenue_kept
            ],
            "sqls_per_lead_sent": [s / n if n else None for s, n in zip(sqls, sent, strict=True)],
            "leads_per_rep_week": [n / 2 for n in sent],
            "unscored_leads": [0] * len(thresholds),
        },
        schema_overrides={"sql_share_kept": pl.Float64, "revenue_share_kept": pl.Float64},
    )


# Ten scored leads, worked on paper:
#   threshold   0    20   40    60    80   100
#   sent        10   8    6     4     2    0
#   SQLs        4    4    3     3     1    0      → SQLs per lead .4 .5 .5 .75 .5 –
#   revenue     1000 1000 950   900   500  0      → share kept 1 1 .95 .9 .5 0
PAPER = whatif_frame(
    [0, 20, 40, 60, 80, 100],
    [10, 8, 6, 4, 2, 0],
    [4, 4, 3, 3, 1, 0],
    [1000, 1000, 950, 900, 500, 0],
)


@pytest.mark.parametrize(
    ("keep", "expected"),
    [(0.95, 40.0), (0.9, 60.0), (0.96, 20.0), (1.0, 20.0), (0.5, 80.0), (0.0, 100.0)],
)
def test_revenue_rule_picks_the_strictest_threshold_keeping_the_share(keep, expected) -> None:
    s = scoring.suggest_by_revenue(PAPER, keep)
    assert s.outcome == "ok" and s.threshold == expected


def test_revenue_rule_explains_itself_with_the_next_stricter_threshold() -> None:
    s = scoring.suggest_by_revenue(PAPER, 0.95)
    assert s.row["leads_sent"] == 6
    assert s.neighbour["threshold"] == 60.0
    assert s.neighbour["revenue_share_kept"] == pytest.approx(0.9)
    text = s.reason("en", "VND")
    assert "**40**" in text and "95.0%" in text and "90.0%" in text and "6 leads" in text
    vi = s.reason("vi", "VND")
    assert "**40**" in vi and "95,0%" in vi


def test_revenue_rule_at_the_top_threshold_has_no_stricter_neighbour() -> None:
    s = scoring.suggest_by_revenue(PAPER, 0.0)
    assert s.threshold == 100.0 and s.neighbour is None
    assert t("scoring.reason_revenue_top", "en") in s.reason()


def test_a_share_just_under_the_target_by_rounding_still_counts() -> None:
    frame = PAPER.with_columns(
        pl.when(pl.col("threshold") == 40)
        .then(0.95 - 1e-12)
        .otherwise(pl.col("revenue_share_kept"))
        .alias("revenue_share_kept")
    )
    assert scoring.suggest_by_revenue(frame, 0.95).threshold == 40.0


def test_an_unreachable_revenue_target_suggests_nothing_and_says_the_best_share() -> None:
    # negative scores: even threshold 0 leaves 100 of 1,000 won below it
    frame = whatif_frame(
        [0, 50, 100], [8, 4, 0], [3, 2, 0], [900, 600, 0], total_sqls=4, total_revenue=1000
    )
    s = scoring.suggest_by_revenue(frame, 0.95)
    assert not s.found and s.outcome == "unreachable"
    assert s.best_share == pytest.approx(0.9)
    assert "90.0%" in s.reason() and "95.0%" in s.reason()


def test_no_won_revenue_means_the_revenue_rule_cannot_suggest() -> None:
    frame = whatif_frame([0, 50, 100], [8, 4, 0], [3, 2, 0], [0, 0, 0])
    s = scoring.suggest_by_revenue(frame, 0.95)
    assert s.outcome == "no_revenue" and s.threshold is None
    assert s.reason("vi") == t("scoring.reason_revenue_none", "vi")


@pytest.mark.parametrize(
    ("min_share", "expected", "min_leads"),
    [
        (0.1, 60.0, 1),  # any threshold sending a lead: .75 at 60 is the best
        (0.4, 60.0, 4),  # 60 sends exactly 4 = 40% of 10
        (0.41, 20.0, 5),  # 60 no longer qualifies; 20 and 40 tie at .5 → the lower
        (1.0, 0.0, 10),  # only threshold 0 sends every scored lead
        (0.0, 60.0, 1),  # at least one lead, never an empty threshold
    ],
)
def test_efficiency_rule_picks_the_best_rate_among_thresholds_sending_enough(
    min_share, expected, min_leads
) -> None:
    s = scoring.suggest_by_efficiency(PAPER, min_share)
    assert s.outcome == "ok"
    assert s.threshold == expected
    assert s.min_leads == min_leads


def test_efficiency_ties_go_to_the_lower_threshold_and_are_reported() -> None:
    s = scoring.suggest_by_efficiency(PAPER, 0.5)
    assert s.threshold == 20.0 and s.tied == 2
    assert s.row["sqls_per_lead_sent"] == pytest.approx(0.5)
    assert s.neighbour["threshold"] == 0.0
    text = s.reason()
    assert "**20**" in text and "50.0%" in text and "40.0%" in text
    assert t("scoring.reason_efficiency_tied", "en", n="2") in text


def test_efficiency_ties_are_exact_fractions_not_rounded_floats() -> None:
    # 1/3 and 2/6 are the same rate; 0.3333 would not be
    frame = whatif_frame([0, 10, 20], [9, 6, 3], [3, 2, 1], [90, 60, 30])
    s = scoring.suggest_by_efficiency(frame, 0.1)
    assert s.threshold == 0.0 and s.tied == 3


def test_efficiency_counts_the_minimum_against_the_scored_leads_given() -> None:
    # 20 scored leads (some below threshold 0): 40% is 8, so 60 (4 leads) no longer
    # qualifies and 20 (8 leads, .5) beats 0 (10 leads, .4)
    s = scoring.suggest_by_efficiency(PAPER, 0.4, scored_leads=20)
    assert s.threshold == 20.0 and s.min_leads == 8
    s = scoring.suggest_by_efficiency(PAPER, 0.6, scored_leads=20)
    assert s.outcome == "too_few_leads" and s.min_leads == 12
    assert "12 leads" in s.reason()


def test_efficiency_without_any_sql_suggests_nothing() -> None:
    frame = whatif_frame([0, 50, 100], [8, 4, 0], [0, 0, 0], [100, 50, 0])
    s = scoring.suggest_by_efficiency(frame, 0.1)
    assert s.outcome == "no_sqls" and not s.found


def test_a_frame_without_scored_leads_suggests_nothing_under_either_rule() -> None:
    frame = whatif_frame([0, 50, 100], [0, 0, 0], [0, 0, 0], [0, 0, 0])
    for rule in scoring.RULES:
        s = scoring.suggest(frame, rule, 0.5)
        assert s.outcome == "empty" and s.reason() == t("scoring.reason_empty", "en")


def test_rules_reject_shares_outside_0_to_1_and_frames_of_another_metric() -> None:
    with pytest.raises(ValueError):
        scoring.suggest_by_revenue(PAPER, 95)
    with pytest.raises(ValueError):
        scoring.suggest_by_efficiency(PAPER, -0.1)
    with pytest.raises(ValueError):
        scoring.suggest_by_revenue(pl.DataFrame({"threshold": [0.0]}), 0.9)
    with pytest.raises(ValueError):
        scoring.suggest(PAPER, "magic", 0.5)


def test_score_bands_match_attribute_lift_so_a_band_lists_its_judged_leads(
    sample_workspace,
) -> None:
    bands = _metric(sample_workspace, "attribute_lift").filter(pl.col("attribute") == "score_band")
    leads = _metric(sample_workspace, "lead_list").filter(
        pl.col("sales_verdict").is_in(["accepted", "rejected"])
    )
    listed = leads.with_columns(pl.col("score_band").fill_null("(not set)").alias("value"))
    listed = listed.group_by("value").len()
    joined = bands.join(listed, on="value", how="full", coalesce=True)
    assert joined.height == bands.height
    assert joined["judged"].to_list() == joined["len"].to_list()


def test_score_band_edges_are_defined_once_in_sql(tmp_path) -> None:
    scores = [0.0, 19.9, 20.0, 79.99, 80.0, 100.0, None]
    leads = frame(
        "leads",
        [
            {"lead_id": f"L{i}", "created_at": dt.datetime(2025, 1, 1), "lead_score": v}
            for i, v in enumerate(scores)
        ],
    )
    path = workspace_from_frames(tmp_path / "w.duckdb", {"leads": leads})
    with duckdb.connect(str(path), read_only=True) as con:
        out = metrics.run(con, "lead_list", settings=metrics.resolve_settings({}, None)).frame
    assert out.sort("lead_id")["score_band"].to_list() == [
        "0-19",
        "0-19",
        "20-39",
        "60-79",
        "80-100",
        "80-100",
        None,
    ]


# ----------------------------------------------------------------------------- the page
def _app(monkeypatch: pytest.MonkeyPatch, workspace: Path, lang: str = "en") -> AppTest:
    monkeypatch.setenv("HANDOFF_WORKSPACE", str(workspace))
    from dashboard import ui

    ui.clear_caches()
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _metric(workspace: Path, name: str, **parameters: object) -> pl.DataFrame:
    con = duckdb.connect(str(workspace), read_only=True)
    try:
        settings = metrics.resolve_settings({}, None)
        return metrics.run(con, name, settings=settings, parameters=parameters or None).frame
    finally:
        con.close()


def _shown(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_page_runs_in_both_languages_and_shows_the_auc_of_the_metric(
    monkeypatch, sample_workspace, lang
) -> None:
    at = _app(monkeypatch, sample_workspace, lang)
    assert at.title[0].value == t("pages.scoring", lang)
    cal = _metric(sample_workspace, "score_calibration").row(0, named=True)
    shown = _shown(at)
    assert shown[t("scoring.auc_sql_label", lang)] == fmt_pct(cal["auc_sql"], lang, 0)
    assert shown[t("scoring.auc_won_label", lang)] == fmt_pct(cal["auc_won"], lang, 0)
    text = " ".join(m.value for m in at.markdown)
    assert t("scoring.auc_chance", lang) in text


@pytest.mark.parametrize("threshold", [45, 47, 60, 83])
def test_slider_numbers_equal_the_whatif_row_of_that_threshold(
    monkeypatch, sample_workspace, threshold
) -> None:
    at = _app(monkeypatch, sample_workspace)
    # the default is the current setting (60)
    assert at.slider(key="sc_threshold").value == 60
    at.slider(key="sc_threshold").set_value(threshold).run()
    assert not at.exception
    # the metric on its default grid (step 5) where it has the row, else on step 1
    params = {} if threshold % 5 == 0 else {"threshold_step": 1.0}
    frame = _metric(sample_workspace, "threshold_whatif", **params)
    row = frame.filter(pl.col("threshold") == float(threshold)).row(0, named=True)
    shown = _shown(at)
    assert shown[t("scoring.leads_sent", "en")] == fmt_int(row["leads_sent"])
    assert shown[t("scoring.sqls_kept", "en")] == fmt_int(row["sqls_kept"])
    assert shown[t("scoring.revenue_kept", "en")] == fmt_money_short(row["won_revenue_kept"])
    assert shown[t("scoring.revenue_missed", "en")] == fmt_money_short(row["won_revenue_missed"])
    assert shown[t("scoring.workload", "en")] == fmt_number(row["leads_per_rep_week"], "en", 1)


def test_suggestions_shown_are_the_rules_applied_to_the_metric(
    monkeypatch, sample_workspace
) -> None:
    at = _app(monkeypatch, sample_workspace)
    frame = _metric(sample_workspace, "threshold_whatif", threshold_step=1.0)
    scored = int(_metric(sample_workspace, "score_calibration")["leads"].sum())

    expected = scoring.suggest_by_revenue(frame, 0.95)
    assert _shown(at)[t("scoring.suggested", "en")] == fmt_number(expected.threshold)
    assert expected.reason() in [m.value for m in at.markdown]

    at.number_input(key="sc_keep_share").set_value(80).run()
    expected = scoring.suggest_by_revenue(frame, 0.80)
    assert _shown(at)[t("scoring.suggested", "en")] == fmt_number(expected.threshold)

    at.radio(key="sc_rule").set_value(scoring.EFFICIENCY).run()
    at.number_input(key="sc_min_sent_share").set_value(25).run()
    expected = scoring.suggest_by_efficiency(frame, 0.25, scored_leads=scored)
    assert expected.row["leads_sent"] >= 0.25 * scored
    assert _shown(at)[t("scoring.suggested", "en")] == fmt_number(expected.threshold)
    assert expected.reason() in [m.value for m in at.markdown]

    # "Show in the what-if" moves the slider to the suggestion
    at.button(key="sc_show").click().run()
    assert at.slider(key="sc_threshold").value == round(expected.threshold)


def test_propose_hands_the_threshold_to_the_definitions_page(monkeypatch, sample_copy) -> None:
    # without MQL dates from the CRM the threshold decides who is an MQL: proposing it
    # previews real changes on the Definitions page
    con = duckdb.connect(str(sample_copy))
    try:
        con.execute("UPDATE leads SET mql_at = NULL")
    finally:
        con.close()
    at = _app(monkeypatch, sample_copy)
    assert t("scoring.crm_mql_dates", "en") not in [i.value for i in at.info]
    assert not [s for s in at.slider if s.key == "sc_replay_bar"]
    button = at.button(key="sc_propose")
    frame = _metric(sample_copy, "threshold_whatif", threshold_step=1.0)
    button.click().run()
    assert not at.exception
    # the Definitions page opens with the suggestion as an unsaved change and its reasoning
    expected = scoring.suggest_by_revenue(frame, 0.95).threshold
    assert at.number_input(key="def_mql_score_threshold").value == expected
    assert at.text_input(key="def_reason").value
    assert t("definitions.nothing_changes", "en") not in [i.value for i in at.info]
    assert any(":orange[▼" in m.value or ":blue[▲" in m.value for m in at.markdown)


def test_without_scores_or_verdicts_the_page_says_what_to_upload(
    monkeypatch, tmp_path, run, write
) -> None:
    ws = tmp_path / "leads-only.duckdb"
    r = run("load", write("leads.csv", "lead_id,created_at,source\nA,2026-01-01,Web\n"), "-w", ws)
    assert r.code == 0, r.err
    at = _app(monkeypatch, ws)
    text = " ".join(m.value for m in at.markdown)
    assert t("common.needs_title", "en") in text
    for name in ("score_calibration", "threshold_whatif", "attribute_lift"):
        assert f"**{name}**" in text
    assert not at.slider
    assert any(t("scoring.suggest_unavailable", "en") in i.value for i in at.info)


def test_scores_without_deals_say_the_revenue_rule_has_nothing_to_keep(
    monkeypatch, tmp_path, run, write
) -> None:
    ws = tmp_path / "no-deals.duckdb"
    rows = ["lead_id,created_at,source,owner,lead_score,sql_at,rejected_at"]
    for i in range(40):
        sql = "2026-01-05" if i % 3 == 0 and i >= 20 else ""
        rejected = "2026-01-06" if not sql and i % 2 == 0 else ""
        rows.append(f"L{i},2026-01-0{1 + i % 3},Web,An,{i * 2.5},{sql},{rejected}")
    r = run("load", write("leads.csv", "\n".join(rows) + "\n"), "-w", ws)
    assert r.code == 0, r.err
    at = _app(monkeypatch, ws, "vi")
    assert any(t("scoring.reason_revenue_none", "vi") in w.value for w in at.warning)
    at.radio(key="sc_rule").set_value(scoring.EFFICIENCY).run()
    assert not at.exception
    frame = _metric(ws, "threshold_whatif", threshold_step=1.0)
    expected = scoring.suggest_by_efficiency(frame, 0.1, scored_leads=40)
    assert expected.found
    assert _shown(at)[t("scoring.suggested", "vi")] == fmt_number(expected.threshold, "vi")


# ----------------------------------------------------------------------------- CRM MQL dates
def test_with_crm_mql_dates_the_page_replays_a_bar_on_what_sales_accepts(
    monkeypatch, sample_workspace
) -> None:
    # before: "Propose this threshold" led to a Definitions preview where every number was
    # "=", because the demo's MQL stage comes from the CRM's dates, not from the score
    at = _app(monkeypatch, sample_workspace)
    assert t("scoring.crm_mql_dates", "en") in [i.value for i in at.info]
    assert not [b for b in at.button if b.key == "sc_propose"]
    assert at.slider(key="sc_replay_bar").value == 60
    for bar in (60, 51):
        if bar != 60:
            at.slider(key="sc_replay_bar").set_value(bar).run()
            assert not at.exception, [e.message for e in at.exception]
        r = _metric(sample_workspace, "acceptance_replay", min_score=float(bar)).row(0, named=True)
        shown = _shown(at)
        assert shown[t("scoring.replay_turned_away", "en")] == fmt_int(r["turned_away"])
        assert shown[t("scoring.replay_won", "en")] == fmt_int(r["turned_away_won"])
        assert shown[t("scoring.replay_passing", "en")] == fmt_int(r["rejected_passing"])
        summary = t(
            "scoring.replay_summary",
            "en",
            bar=fmt_number(bar),
            away=fmt_int(r["turned_away"]),
            accepted=fmt_int(r["accepted"]),
            sqls=fmt_int(r["turned_away_sqls"]),
            won=fmt_int(r["turned_away_won"]),
            revenue=fmt_money_short(r["turned_away_won_revenue"]),
            passing=fmt_int(r["rejected_passing"]),
            rejected=fmt_int(r["rejected"]),
        )
        assert summary in [m.value for m in at.markdown]
        # the list of the turned-away leads has as many rows as the metric counts
        count = t("common.leads_behind_count", "en", n=fmt_int(r["turned_away"]))
        assert any(count in m.value for m in at.markdown)
    # the suggestion's button moves the replay to the suggested score
    frame = _metric(sample_workspace, "threshold_whatif", threshold_step=1.0)
    at.button(key="sc_replay").click().run()
    expected = scoring.suggest_by_revenue(frame, 0.95).threshold
    assert at.slider(key="sc_replay_bar").value == round(expected)


def test_a_bar_that_turns_nobody_away_says_so(monkeypatch, sample_workspace) -> None:
    at = _app(monkeypatch, sample_workspace)
    at.slider(key="sc_replay_bar").set_value(0).run()
    r = _metric(sample_workspace, "acceptance_replay", min_score=0.0).row(0, named=True)
    assert r["turned_away"] == 0
    said = t(
        "scoring.replay_nobody_away",
        "en",
        bar="0",
        accepted=fmt_int(r["accepted"]),
        passing=fmt_int(r["rejected_passing"]),
        rejected=fmt_int(r["rejected"]),
    )
    assert said in [i.value for i in at.info]
    assert t("scoring.replay_turned_away", "en") not in _shown(at)
