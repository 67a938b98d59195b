"""`overview` and `revenue_by_source` on the HubSpot and Salesforce exports as the CRMs write
them (tests/fixtures/EXPECTED.md has every expected figure worked out by hand)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import FIXTURES


@pytest.fixture
def hubspot(run, tmp_path: Path) -> Path:
    ws = tmp_path / "hubspot.duckdb"
    files = sorted((FIXTURES / "hubspot").glob("*.csv"), reverse=True)  # deals first
    r = run("load", *files, "-w", ws)
    assert r.code == 0, r.err
    return ws


@pytest.fixture
def salesforce(run, tmp_path: Path) -> Path:
    ws = tmp_path / "salesforce.duckdb"
    sf = FIXTURES / "salesforce"
    r = run("load", sf / "Task.csv", sf / "Opportunity.csv", sf / "Lead.csv", "-w", ws)
    assert r.code == 0, r.err
    return ws


def _json(run, *args: object) -> list[dict]:
    r = run(*args, "--format", "json")
    assert r.code == 0, r.err
    return json.loads(r.out)


def test_overview_on_the_hubspot_exports(run, hubspot) -> None:
    [row] = _json(run, "metric", "overview", "-w", hubspot)
    assert row == {
        "leads": 12,
        "mqls": 8,
        "handed_off": 10,  # every lead with an owner (Owner Assigned Date)
        "accepted": 6,  # the SQLs; HubSpot has no separate acceptance date here
        "rejected": 2,
        "sqls": 6,
        "opportunities": 5,
        "won_leads": 2,
        "won_deals": 2,  # 90200006 is won too, but has no contact: in no cohort
        "won_revenue": 370_000_000.0,
        "activities": 0,
        "leads_with_no_activity": 12,
        "lead_win_rate": 2 / 12,
        "deals_without_lead": 1,  # 90200006
        "won_deals_without_lead": 1,
    }


def test_revenue_by_source_on_the_hubspot_exports(run, hubspot) -> None:
    rows = {r["source"]: r for r in _json(run, "metric", "revenue_by_source", "-w", hubspot)}
    assert sum(r["leads"] for r in rows.values()) == 12
    paid = rows["Paid Search"]
    assert (paid["leads"], paid["mqls"], paid["sqls"]) == (3, 3, 3)
    assert (paid["won_deals"], paid["won_revenue"]) == (2, 370_000_000.0)
    assert paid["win_rate"] == 1.0 and paid["avg_deal_size"] == 185_000_000.0
    assert paid["open_pipeline"] == 90_000_000.0
    assert rows["Paid Social"]["open_pipeline"] == 45_000_000.0
    email = rows["Email Marketing"]
    assert (email["won_deals"], email["win_rate"]) == (0, 0.0)  # one deal, closed lost
    assert rows["Organic Search"]["win_rate"] is None  # no closed deal: no rate, not 0
    assert all(r["spend"] is None and r["roi"] is None for r in rows.values())
    # ordered by won revenue
    assert next(iter(rows)) == "Paid Search"


def test_overview_on_the_salesforce_exports(run, salesforce) -> None:
    [row] = _json(run, "metric", "overview", "-w", salesforce, "--set", "currency=USD")
    assert row == {
        "leads": 12,
        "mqls": 8,
        "handed_off": 8,  # no handoff dates: MQLs with an owner
        "accepted": 4,
        "rejected": 3,
        "sqls": 4,
        "opportunities": 4,  # linked through Lead.ConvertedOpportunityId
        "won_leads": 2,
        "won_deals": 2,
        "won_revenue": 78_000.0,
        "activities": 10,  # T07 reaches L01 through its converted contact
        "leads_with_no_activity": 5,
        "lead_win_rate": 2 / 12,
        "deals_without_lead": 1,  # an opportunity no lead converted into, not won
        "won_deals_without_lead": 0,
    }
    # amounts in USD do not count in another reporting currency: revenue is unknown, not 0
    [vnd] = _json(run, "metric", "overview", "-w", salesforce)
    assert vnd["won_deals"] == 2 and vnd["won_revenue"] is None


def test_revenue_by_source_on_the_salesforce_exports(run, salesforce) -> None:
    rows = {
        r["source"]: r
        for r in _json(
            run, "metric", "revenue_by_source", "-w", salesforce, "--set", "currency=USD"
        )
    }
    assert list(rows)[:2] == ["Web", "Partner Referral"]
    web = rows["Web"]
    assert (web["leads"], web["mqls"], web["sqls"], web["won_deals"]) == (5, 5, 2, 1)
    assert web["won_revenue"] == 48_000.0 and web["win_rate"] == 0.5  # L01 won, L06 lost
    assert web["revenue_per_lead"] == 9_600.0
    partner = rows["Partner Referral"]
    assert (partner["won_revenue"], partner["win_rate"]) == (30_000.0, 1.0)
    assert partner["open_pipeline"] == 25_000.0  # XyZ02; XyZ05 has no lead
    assert rows["Purchased List"]["mqls"] == 0
    assert sum(r["leads"] for r in rows.values()) == 12
