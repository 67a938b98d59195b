"""End to end: real-looking CRM exports load with no mapping file, in any order, correctly.

Expected values come from tests/fixtures/EXPECTED.md, worked out by hand from the rows.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest

from dashboard.workspace import Workspace
from tests.conftest import FIXTURES

HUBSPOT = [
    FIXTURES / "hubspot" / "hubspot-crm-exports-all-contacts.csv",
    FIXTURES / "hubspot" / "hubspot-crm-exports-all-deals.csv",
]
SALESFORCE = [FIXTURES / "salesforce" / n for n in ("Lead.csv", "Opportunity.csv", "Task.csv")]


def _by(ws: Workspace, sql: str) -> dict:
    return dict(ws.query(sql).rows())


@pytest.mark.parametrize("order", list(itertools.permutations(range(2))))
def test_hubspot_contacts_and_deals_load_with_no_mapping(ws_path: Path, order) -> None:
    with Workspace(ws_path) as ws:
        report = ws.load([HUBSPOT[i] for i in order])
        assert {f.crm for f in report.files} == {"hubspot"}
        assert report.counts["leads"] == 12 and report.counts["deals"] == 6
        assert _by(ws, "SELECT source, count(*) FROM leads GROUP BY 1") == {
            "Paid Search": 3,
            "Organic Search": 2,
            "Paid Social": 2,
            "Referrals": 1,
            "Email Marketing": 1,
            "Direct Traffic": 1,
            "Offline Sources": 1,
            "Social Media": 1,
        }
        assert ws.query("SELECT count(mql_at) AS n FROM leads")["n"][0] == 8
        assert ws.query("SELECT count(sql_at) AS n FROM leads")["n"][0] == 6
        assert ws.query("SELECT count(handed_off_at) AS n FROM leads")["n"][0] == 10
        rejected = ws.query(
            "SELECT lead_id, rejection_reason FROM leads WHERE rejected_at IS NOT NULL "
            "ORDER BY lead_id"
        ).rows()
        assert rejected == [("60100004", "Unqualified"), ("60100008", "Unqualified")]
        deals = ws.query(
            "SELECT deal_id, lead_id, is_won, is_closed, closed_at, amount FROM deals "
            "ORDER BY deal_id"
        ).rows()
        assert deals == [
            ("90200001", "60100001", True, True, dt.datetime(2024, 4, 10, 16), 120e6),
            ("90200002", "60100003", False, False, None, 45e6),
            ("90200003", "60100005", True, True, dt.datetime(2024, 4, 2, 11), 250e6),
            ("90200004", "60100006", False, True, dt.datetime(2024, 4, 5, 15), 30e6),
            ("90200005", "60100011", False, False, None, 90e6),
            ("90200006", None, True, True, dt.datetime(2024, 3, 28, 9), 15e6),
        ]
        won_by_source = _by(
            ws,
            "SELECT l.source, sum(d.amount) FROM deals d JOIN leads l USING (lead_id) "
            "WHERE d.is_won GROUP BY 1",
        )
        assert won_by_source == {"Paid Search": 370e6}


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_salesforce_lead_opportunity_task_load_in_any_order(ws_path: Path, order) -> None:
    with Workspace(ws_path) as ws:
        report = ws.load([SALESFORCE[i] for i in order])
        assert {f.crm for f in report.files} == {"salesforce"}
        assert report.counts["leads"] == 12
        assert report.counts["deals"] == 5
        assert report.counts["activities"] == 10
        assert _by(ws, "SELECT source, count(*) FROM leads GROUP BY 1") == {
            "Web": 5,
            "Partner Referral": 2,
            "Purchased List": 2,
            "Phone Inquiry": 2,
            "Other": 1,
        }
        assert ws.query("SELECT count(mql_at) AS n FROM leads")["n"][0] == 8
        assert ws.query("SELECT count(sql_at) AS n FROM leads")["n"][0] == 4
        assert ws.query("SELECT count(rejected_at) AS n FROM leads")["n"][0] == 3
        links = _by(
            ws,
            "SELECT right(left(deal_id, 15), 2), right(left(lead_id, 15), 2) FROM deals",
        )
        assert links == {"01": "01", "02": "03", "03": "06", "04": "09", "05": None}
        won = _by(
            ws,
            "SELECT l.source, sum(d.amount) FROM deals d JOIN leads l USING (lead_id) "
            "WHERE d.is_won GROUP BY 1",
        )
        assert won == {"Web": 48000.0, "Partner Referral": 30000.0}
        per_lead = _by(
            ws,
            "SELECT right(left(lead_id, 15), 2), count(*) FROM activities GROUP BY 1",
        )
        # T07 was logged on L01's contact and follows the conversion back to the lead
        assert per_lead == {"01": 2, "02": 2, "04": 2, "06": 1, "08": 1, "11": 1, "12": 1}
        types = _by(ws, "SELECT type, count(*) FROM activities GROUP BY 1")
        assert types == {"call": 7, "email": 2, "meeting": 1}
        # one opportunity has no lead, and the USD amounts are not in the default VND
        assert sorted(ws.warnings()["column_name"].to_list()) == ["currency", "lead_id"]


def test_salesforce_times_are_stored_in_utc(ws_path: Path) -> None:
    with Workspace(ws_path) as ws:
        ws.load(SALESFORCE, options={"timezone": "Asia/Ho_Chi_Minh"})
        first = ws.query("SELECT occurred_at FROM activities WHERE activity_id LIKE '%Tsk01%'")[
            "occurred_at"
        ][0]
    # "...T02:20:00.000Z" carries its zone: the data time zone does not shift it
    assert first == dt.datetime(2024, 3, 1, 2, 20)


def test_salesforce_report_export_needs_and_takes_the_date_order(ws_path: Path) -> None:
    report_file = FIXTURES / "salesforce" / "report_leads.csv"
    with Workspace(ws_path) as ws:
        with pytest.raises(Exception, match="date_order"):
            ws.load([report_file])
        ws.load([report_file], options={"date_order": "mdy", "timezone": "Asia/Ho_Chi_Minh"})
        assert ws.counts()["leads"] == 8
        rejected = ws.query(
            "SELECT right(lead_id, 2) AS l, rejected_at FROM leads "
            "WHERE rejected_at IS NOT NULL ORDER BY 1"
        ).rows()
    assert [r[0] for r in rejected] == ["04", "07"]
    # 3/10/2024 local midnight in UTC+7 is 17:00 the day before in UTC
    assert rejected[0][1] == dt.datetime(2024, 3, 9, 17)


def test_generic_english_set_loads(ws_path: Path) -> None:
    g = FIXTURES / "generic"
    with Workspace(ws_path) as ws:
        report = ws.load([g / "leads.csv", g / "deals.csv", g / "activities.csv", g / "spend.csv"])
        assert report.counts == {
            "leads": 10,
            "deals": 4,
            "activities": 8,
            "spend": 4,
            "stage_history": 0,
        }
        assert _by(ws, "SELECT source, count(*) FROM leads GROUP BY 1") == {
            "Facebook Ads": 3,
            "Google Ads": 3,
            "Referral": 2,
            "Website": 2,
        }
        assert ws.query("SELECT sum(amount) AS s FROM deals WHERE is_won")["s"][0] == 7500.0
        assert ws.query("SELECT count(*) AS n FROM deals WHERE NOT is_closed")["n"][0] == 1
        assert ws.query("SELECT sum(amount) AS s FROM spend")["s"][0] == 2400.0


def test_vietnamese_set_loads(ws_path: Path) -> None:
    g = FIXTURES / "generic"
    files = [g / "khach_hang_tiem_nang.csv", g / "co_hoi.csv", g / "cuoc_goi.csv"]
    with Workspace(ws_path) as ws:
        report = ws.load(files)
        assert [f.table for f in report.files] == ["leads", "deals", "activities"]
        assert _by(ws, "SELECT source, count(*) FROM leads GROUP BY 1") == {
            "Facebook": 3,
            "Zalo": 2,
            "Google": 2,
            "Giới thiệu": 1,
        }
        won = _by(
            ws,
            "SELECT l.source, sum(d.amount) FROM deals d JOIN leads l USING (lead_id) "
            "WHERE d.is_won GROUP BY 1",
        )
        assert won == {"Facebook": 120_000_000.0, "Zalo": 45_500_000.0}
        reasons = ws.query(
            "SELECT lead_id, rejection_reason, rejected_at FROM leads "
            "WHERE rejected_at IS NOT NULL ORDER BY lead_id"
        ).rows()
        assert reasons == [
            ("KH003", "Không có ngân sách", dt.datetime(2024, 5, 6, 10)),
            ("KH005", "Sai đối tượng", dt.datetime(2024, 5, 15, 9)),
        ]
        directions = _by(ws, "SELECT direction, count(*) FROM activities GROUP BY 1")
        assert directions.get("inbound") == 1
