"""Right numbers in every case: load currency, won implies closed, unknown money, deal dates,
deals with no lead, files with no created date. Every expected figure is worked by hand
from the few rows written here."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from dashboard import metrics
from dashboard.health import health_report
from dashboard.ingest.mapping import load_mapping
from dashboard.workspace import Workspace

LEADS = """
lead_id,created_at,source,owner,lead_score,mql_at
L1,2025-01-02 09:00,Web,An,72,2025-01-02 10:00
L2,2025-01-03 09:00,Web,Bich,40,
L3,2025-01-04 09:00,Ads,An,65,2025-01-04 09:30
"""

# D1 won 100, D2 lost, D3 open 30 (no lead), D4 won 50 with no lead
DEALS_NO_CURRENCY = """
deal_id,created_at,lead_id,stage,amount
D1,2025-02-01 10:00,L1,Closed Won,100
D2,2025-02-03 10:00,L3,Closed Lost,20
D3,2025-02-04 10:00,,Negotiation,30
D4,2025-02-05 10:00,,Closed Won,50
"""


def _metric(ws: Workspace, name: str, **overrides: Any) -> pl.DataFrame:
    s = metrics.resolve_settings(ws.settings(), overrides or None)
    return metrics.run(ws.con, name, settings=s).frame


def _messages(ws: Workspace) -> list[str]:
    return [w.message for w in health_report(ws).warnings]


# ------------------------------------------------------------------ 1. load currency
def test_currency_option_is_stored_on_every_deal_that_carries_none(
    ws_path: Path, write: Any
) -> None:
    files = [write("leads.csv", LEADS), write("deals.csv", DEALS_NO_CURRENCY)]
    with Workspace(ws_path) as ws:
        report = ws.load(files, options={"currency": "BRL"})
        stored = ws.query("SELECT DISTINCT currency FROM deals")["currency"].to_list()
        assert stored == ["BRL"]
        notes = [n for f in report.files for n in f.notes]
        assert "deals.csv: amounts carry no currency; taken as BRL" in notes


def test_brl_deals_with_reporting_currency_usd_count_no_revenue_and_warn(
    ws_path: Path, write: Any
) -> None:
    files = [write("leads.csv", LEADS), write("deals.csv", DEALS_NO_CURRENCY)]
    with Workspace(ws_path) as ws:
        ws.load(files, options={"currency": "BRL"})
        ws.set_settings({"currency": "USD"})
        overview = _metric(ws, "overview").row(0, named=True)
        # the one won deal of a lead (D1) is a won deal, but its BRL 100 is not USD
        assert overview["won_deals"] == 1
        assert overview["won_revenue"] is None
        messages = _messages(ws)
    assert any(
        "4 amounts in deals are in BRL, not in the reporting currency USD" in m for m in messages
    ), messages


def test_mapping_file_currency_is_the_currency_of_amounts_without_one(
    ws_path: Path, write: Any
) -> None:
    mapping = write("m.toml", '[options]\ncurrency = "USD"\n')
    files = [write("leads.csv", LEADS), write("deals.csv", DEALS_NO_CURRENCY)]
    with Workspace(ws_path) as ws:
        ws.load(files, mapping=load_mapping(mapping))
        ws.set_settings({"currency": "USD"})
        assert _metric(ws, "overview")["won_revenue"].to_list() == [100.0]
        # a blank cell in a currency column gets the load currency too
        mixed = write(
            "deals2.csv", "deal_id,created_at,lead_id,amount,currency\nD9,2025-02-01,L1,5,\n"
        )
        ws.load([mixed], options={"currency": "EUR"}, append=True)
        assert ws.query("SELECT currency FROM deals WHERE deal_id = 'D9'").item() == "EUR"


# ------------------------------------------------------------------ 2. won implies closed
WON_NOT_CLOSED = """
deal_id,created_at,lead_id,is_won,is_closed,amount,currency
D1,2025-02-01 10:00,L1,true,false,100,VND
D2,2025-02-02 10:00,L2,false,false,40,VND
"""


def test_a_won_deal_is_closed_and_never_open_pipeline(ws_path: Path, write: Any) -> None:
    files = [write("leads.csv", LEADS), write("deals.csv", WON_NOT_CLOSED)]
    with Workspace(ws_path) as ws:
        report = ws.load(files)
        assert dict(ws.query("SELECT deal_id, is_closed FROM deals").rows()) == {
            "D1": True,
            "D2": False,
        }
        warned = [w for w in report.warnings if "marked won but not closed" in w.message]
        assert len(warned) == 1 and warned[0].count == 1
        assert warned[0].rows[0].row == 2
        rows = {r["source"]: r for r in _metric(ws, "revenue_by_source").iter_rows(named=True)}
    # Web: L1 won 100 (closed, not pipeline), L2 open 40
    assert rows["Web"]["won_revenue"] == 100.0
    assert rows["Web"]["open_pipeline"] == 40.0
    assert rows["Web"]["closed_deals"] == 1


def test_staging_treats_a_stored_won_but_open_deal_as_closed(ws_path: Path, write: Any) -> None:
    # a workspace stored before the load canonicalised the flag
    files = [write("leads.csv", LEADS), write("deals.csv", WON_NOT_CLOSED)]
    with Workspace(ws_path) as ws:
        ws.load(files)
        ws.con.execute("UPDATE deals SET is_closed = false WHERE deal_id = 'D1'")
        lead = (
            _metric(ws, "lead_list", mql_score_threshold=61)
            .filter(pl.col("lead_id") == "L1")
            .row(0, named=True)
        )
    assert lead["won_revenue"] == 100.0
    assert lead["open_pipeline"] == 0.0
    assert lead["outcome"] == "won"


# ------------------------------------------------------------------ 3. unknown is not zero
DEALS_NO_AMOUNT = """
deal_id,created_at,lead_id,stage,closed_at
D1,2025-02-01 10:00,L1,Closed Won,2025-02-10
D2,2025-02-03 10:00,L3,Negotiation,
"""


def test_no_amount_column_makes_every_money_figure_unknown(ws_path: Path, write: Any) -> None:
    files = [write("leads.csv", LEADS), write("deals.csv", DEALS_NO_AMOUNT)]
    with Workspace(ws_path) as ws:
        ws.load(files)
        overview = _metric(ws, "overview").row(0, named=True)
        assert overview["won_deals"] == 1
        assert overview["won_revenue"] is None
        rbs = _metric(ws, "revenue_by_source")
        for column in (
            "won_revenue",
            "open_pipeline",
            "avg_deal_size",
            "revenue_per_lead",
            "revenue_per_mql",
            "roi",
        ):
            assert rbs[column].to_list() == [None, None], column
        assert rbs["won_deals"].sum() == 1
        dis = _metric(ws, "disagreement").row(0, named=True)
        assert dis["missed_revenue"] is None
        assert dis["false_rejection_revenue"] is None
        whatif = _metric(ws, "threshold_whatif")
        assert whatif["won_revenue_kept"].null_count() == whatif.height
        assert whatif["won_revenue_missed"].null_count() == whatif.height
        matrix = _metric(ws, "disagreement_matrix")
        assert matrix["won_revenue"].null_count() == matrix.height
        deciles = _metric(ws, "score_calibration")
        assert deciles["won_revenue"].null_count() == deciles.height


def test_known_amounts_keep_zero_for_sources_that_won_nothing(ws_path: Path, write: Any) -> None:
    files = [write("leads.csv", LEADS), write("deals.csv", DEALS_NO_CURRENCY)]
    with Workspace(ws_path) as ws:
        ws.load(files)
        rows = {r["source"]: r for r in _metric(ws, "revenue_by_source").iter_rows(named=True)}
        dis = _metric(ws, "disagreement").row(0, named=True)
    # Ads: L3's only deal was lost: revenue known to be 0
    assert rows["Ads"]["won_revenue"] == 0.0
    assert rows["Web"]["won_revenue"] == 100.0
    assert dis["missed_revenue"] == 0.0


def test_false_rejection_revenue_is_unknown_without_amounts(ws_path: Path, write: Any) -> None:
    leads = write(
        "leads.csv",
        "lead_id,created_at,source,rejected_at\nL1,2025-01-02,Web,2025-01-10\n",
    )
    deals = write(
        "deals.csv",
        "deal_id,created_at,lead_id,stage,closed_at\nD1,2025-02-01,L1,Closed Won,2025-03-01\n",
    )
    with Workspace(ws_path) as ws:
        ws.load([leads, deals])
        fr = _metric(ws, "false_rejections")
    assert fr["lead_id"].to_list() == ["L1"]
    assert fr["won_revenue"].to_list() == [None]


# ------------------------------------------------------------------ 4. won before the lead
def test_a_deal_won_before_its_lead_was_created_is_warned(ws_path: Path, write: Any) -> None:
    deals = write(
        "deals.csv",
        "deal_id,created_at,lead_id,stage,closed_at,amount\n"
        "D1,2024-12-01,L1,Closed Won,2024-12-20,10\n"
        "D2,2025-01-05,L2,Closed Won,2025-01-06,10\n"
        "D3,2024-11-01,L3,Closed Lost,2024-11-02,10\n",
    )
    with Workspace(ws_path) as ws:
        report = ws.load([write("leads.csv", LEADS), deals])
        messages = [w.message for w in report.warnings]
        assert messages == _messages(ws)
    # D1 was won on 2024-12-20, L1 created 2025-01-02; D3 is lost, D2 after its lead
    assert "1 won deals were won before their lead was created (e.g. deal_id D1)" in messages


# ------------------------------------------------------------------ 5. deals with no lead
def test_deals_with_no_lead_are_counted_in_overview_and_check(ws_path: Path, write: Any) -> None:
    files = [write("leads.csv", LEADS), write("deals.csv", DEALS_NO_CURRENCY)]
    with Workspace(ws_path) as ws:
        ws.load(files)
        overview = _metric(ws, "overview").row(0, named=True)
        # D3 (open) and D4 (won) link to no lead; the lead figures count D1 only
        assert (overview["deals_without_lead"], overview["won_deals_without_lead"]) == (2, 1)
        assert overview["won_deals"] == 1
        assert overview["won_revenue"] == 100.0
        assert any("2 deals (1 of them won) link to no lead" in m for m in _messages(ws))
        february_5 = metrics.Filters(date_from=dt.date(2025, 2, 5), date_to=dt.date(2025, 2, 5))
        s = metrics.resolve_settings(ws.settings(), None)
        one_day = metrics.run(ws.con, "overview", settings=s, filters=february_5).frame.row(
            0, named=True
        )
        assert one_day["deals_without_lead"] == 1
        by_campaign = metrics.run(
            ws.con, "overview", settings=s, filters=metrics.Filters(campaigns=["x"])
        ).frame.row(0, named=True)
        assert by_campaign["deals_without_lead"] is None
        unlinked = _metric(ws, "unlinked_deals").to_dicts()
    # D3 and D4 have no owner column: one row; D4 won 50, D3 open 30
    assert unlinked == [
        {
            "owner": "(no owner)",
            "deals": 2,
            "closed_deals": 1,
            "won_deals": 1,
            "win_rate": 1.0,
            "won_revenue": 50.0,
            "avg_deal_size": 50.0,
            "open_pipeline": 30.0,
        }
    ]


# ------------------------------------------------------------------ 6. no created date
NO_DATES = """
lead_id,source
L1,Web
L2,Ads
"""


def test_missing_created_at_load_date_gives_rows_the_load_date_with_a_warning(
    ws_path: Path, write: Any
) -> None:
    mapping = write("m.toml", '[options]\nmissing_created_at = "load_date"\n')
    with Workspace(ws_path) as ws:
        report = ws.load(
            [write("leads.csv", NO_DATES)], mapping=load_mapping(mapping), table="leads"
        )
        created = ws.query("SELECT DISTINCT created_at FROM leads")["created_at"].to_list()
    assert [c.date() for c in created] == [dt.datetime.now(dt.UTC).date()]
    warned = [w for w in report.warnings if "have no created date" in w.message]
    assert len(warned) == 1 and warned[0].count == 2
    assert "given the load date" in warned[0].message


def test_missing_created_at_date_fills_only_the_empty_cells(ws_path: Path, write: Any) -> None:
    deals = write(
        "deals.csv",
        "deal_id,created_at,stage\nD1,2017-03-01,Won\nD2,,Prospecting\nD3,,Prospecting\n",
    )
    with Workspace(ws_path) as ws:
        report = ws.load([deals], options={"missing_created_at": "2017-12-31"})
        stored = dict(ws.query("SELECT deal_id, created_at::date FROM deals").rows())
    assert stored == {
        "D1": dt.date(2017, 3, 1),
        "D2": dt.date(2017, 12, 31),
        "D3": dt.date(2017, 12, 31),
    }
    (warned,) = [w for w in report.warnings if "have no created date" in w.message]
    assert warned.count == 2
    assert [r.row for r in warned.rows] == [3, 4]
    assert "2017-12-31" in warned.message


def test_missing_created_at_must_be_load_date_or_a_date(write: Any) -> None:
    from dashboard.errors import HandoffError

    with pytest.raises(HandoffError, match="missing_created_at"):
        load_mapping(write("m.toml", '[options]\nmissing_created_at = "yesterday"\n'))


def test_cli_load_takes_missing_created_at(run: Any, write: Any, ws_path: Path) -> None:
    leads = write("leads.csv", NO_DATES)
    result = run(
        "load",
        leads,
        "--as",
        "leads",
        "--set",
        "missing_created_at=2024-01-01",
        "--workspace",
        ws_path,
    )
    assert result.code == 0, result.err
    assert "2 leads have no created date" in result.out + result.err
    bad = run(
        "load", leads, "--as", "leads", "--set", "missing_created_at=soon", "--workspace", ws_path
    )
    assert bad.code == 2


# ------------------------------------------------------------------ messages
def test_duplicate_spend_keys_show_dates_as_dates_not_reprs(ws_path: Path, write: Any) -> None:
    from dashboard.errors import HandoffError

    spend = write(
        "spend.csv",
        "period,source,campaign,amount\n2026-03-01,Web,A,10\n2026-03-01,Web,A,20\n",
    )
    with Workspace(ws_path) as ws, pytest.raises(HandoffError) as info:
        ws.load([spend], table="spend")
    text = info.value.render()
    assert "datetime.date" not in text
    assert "2026-03-01, Web, A" in text


@pytest.mark.parametrize(
    ("toml", "shown"),
    [
        ("[options]\ndecimal = 2026-03-01\n", "[options] decimal = 2026-03-01 is not valid"),
        ("[options]\ndate_order = true\n", "[options] date_order = true is not valid"),
        ("[options]\ndate_order = 'ymd'\n", '[options] date_order = "ymd" is not valid'),
        (
            "[leads]\nlead_id = 2026-03-01T10:00:00\n",
            "[leads] lead_id = 2026-03-01 10:00:00 is neither a column name nor a constant",
        ),
    ],
)
def test_mapping_file_messages_show_values_as_written_not_reprs(
    write: Any, toml: str, shown: str
) -> None:
    from dashboard.errors import HandoffError

    with pytest.raises(HandoffError) as info:
        load_mapping(write("m.toml", toml))
    text = info.value.render()
    assert shown in text
    assert "datetime." not in text and "True" not in text


def test_an_unquoted_toml_date_is_a_valid_missing_created_at(write: Any) -> None:
    mapping = load_mapping(write("m.toml", "[options]\nmissing_created_at = 2026-03-01\n"))
    assert mapping.options["missing_created_at"] == "2026-03-01"


def test_a_bad_setting_value_is_shown_as_written() -> None:
    from dashboard.errors import HandoffError
    from dashboard.settings import coerce

    with pytest.raises(HandoffError) as info:
        coerce("sla_hours", dt.date(2026, 3, 1))
    assert "datetime" not in info.value.render()
    assert "2026-03-01" in info.value.render()


# ------------------------------------------------------------------ the dashboard
@pytest.mark.parametrize(("page", "label"), [("revenue.py", "Won revenue"), ("review.py", None)])
def test_pages_show_unknown_money_as_needs_not_zero(
    monkeypatch: pytest.MonkeyPatch, sample_copy: Path, page: str, label: str | None
) -> None:
    from streamlit.testing.v1 import AppTest

    from dashboard import ui
    from tests.conftest import REPO

    with Workspace(sample_copy) as ws:
        ws.con.execute("UPDATE deals SET amount = NULL")
        # a settings change rebuilds the staging cache and bumps the version
        ws.set_settings({"sla_hours": 25})
    monkeypatch.setenv("HANDOFF_WORKSPACE", str(sample_copy))
    ui.clear_caches()
    at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=120)
    at.run()
    at.switch_page(f"views/{page}")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    values = {m.label: m.value for m in at.metric}
    assert not [v for v in values.values() if v in ("₫0", "0 ₫")], values
    if label:
        assert values[label] == "–"
    assert any("Money is unknown" in i.value for i in at.info)


# ------------------------------------------------------------------ 5. one "accepted"
# H1 handed off, accepted; H2 handed off, no decision, but a rep opened a deal on it;
# H3 handed off, rejected, then a deal; H4 handed off, nothing at all.
HANDED_OFF = """
lead_id,created_at,source,owner,mql_at,handed_off_at,accepted_at,rejected_at
H1,2025-01-02 09:00,Web,An,2025-01-02 10:00,2025-01-02 11:00,2025-01-02 12:00,
H2,2025-01-03 09:00,Web,An,2025-01-03 10:00,2025-01-03 11:00,,
H3,2025-01-04 09:00,Web,An,2025-01-04 10:00,2025-01-04 11:00,,2025-01-04 15:00
H4,2025-01-05 09:00,Web,An,2025-01-05 10:00,2025-01-05 11:00,,
"""
HANDED_OFF_DEALS = """
deal_id,created_at,lead_id,stage,amount
E2,2025-01-03 16:00,H2,Negotiation,10
E3,2025-01-06 10:00,H3,Negotiation,20
"""


def test_accepted_is_one_definition_for_handoff_funnel_and_disagreement(
    ws_path: Path, write: Any
) -> None:
    files = [write("leads.csv", HANDED_OFF), write("deals.csv", HANDED_OFF_DEALS)]
    with Workspace(ws_path) as ws:
        ws.load(files)
        handoff = _metric(ws, "handoff").row(0, named=True)
        # H1 by its date, H2 by its deal; H3 was rejected first; H4 is still pending
        assert (handoff["accepted"], handoff["rejected"], handoff["pending"]) == (2, 1, 1)
        # H2 is accepted when its deal opened, 6 h after the MQL; H1 after 2 h: median 4 h
        assert handoff["median_hours_to_accept"] == pytest.approx(4.0)
        funnel = _metric(ws, "funnel")
        sal = funnel.filter(pl.col("stage") == "accepted").row(0, named=True)
        assert sal["count"] == 2
        pending = _metric(ws, "pending_by_owner", sla_hours=1)
        assert pending["leads"].to_list() == [1]  # H4 only: H2 has a deal
        verdicts = _metric(ws, "lead_list").select("lead_id", "sales_verdict").sort("lead_id")
        assert verdicts["sales_verdict"].to_list() == [
            "accepted",
            "accepted",
            "rejected",
            "never worked",
        ]
        cells = _metric(ws, "disagreement_cells").filter(pl.col("marketing_verdict") == "MQL")
        by_verdict = dict(zip(cells["sales_verdict"], cells["leads"], strict=True))
        assert by_verdict == {"accepted": 2, "rejected": 1, "never worked": 1}
