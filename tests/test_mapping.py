"""Recognition of CRM exports and column mapping (dashboard.ingest.mapping).

Expected mappings are written out by hand from the fixture headers; the fixtures and their
hand-worked contents are described in tests/fixtures/EXPECTED.md.
"""

from __future__ import annotations

import csv
import string
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.errors import HandoffError
from dashboard.ingest.mapping import (
    MappingFile,
    Recognition,
    apply_mapping,
    load_mapping,
    normalise_header,
    recognise,
    resolve_table,
    save_mapping,
)
from dashboard.schema import TABLES

FIXTURES = Path(__file__).parent / "fixtures"
MAPPINGS = Path(__file__).parent / "mappings"
REAL = Path("/work/shared/real_data")


def read(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False)


def recognise_file(path: Path, **kwargs: object) -> tuple[pl.DataFrame, Recognition]:
    frame = read(path)
    rec = recognise(frame.columns, file=path.name, sample=frame.head(20), **kwargs)
    return frame, rec


def direct(rec: Recognition) -> dict[str, str]:
    """The columns copied or re-read from one source column (no fill rule, no constant)."""
    return {c: s for c, s in rec.mapping.items() if not (c in rec.rules and rec.rules[c].fill)}


# ---------------------------------------------------------------------------------------
# normalise_header
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Nguồn", "nguon"),
        ("Nguồn khách hàng", "nguon_khach_hang"),
        ("Điểm", "diem"),
        ("Người phụ trách", "nguoi_phu_trach"),
        ("Ngày tạo", "ngay_tao"),
        ("Lý do từ chối", "ly_do_tu_choi"),
        ("Số ĐT", "so_dt"),
        ("MQL_Date__c", "mql_date_c"),
        ("  Lead ID ", "lead_id"),
        ("Phone #", "phone"),
        ("Country/Region", "country_region"),
        ("Is Deal Closed?", "is_deal_closed"),
        ("\ufeffRecord ID", "record_id"),
        ("Probability (%)", "probability"),
        ("E-mail", "e_mail"),
        ("CREATED AT", "created_at"),
        ("Créé le", "cree_le"),
        ("lead_id", "lead_id"),
        ("客户 编号", "客户_编号"),
        ("---", ""),
    ],
)
def test_normalise_header(header: str, expected: str) -> None:
    assert normalise_header(header) == expected


@given(st.text(max_size=40))
def test_normalise_header_is_idempotent_and_clean(header: str) -> None:
    n = normalise_header(header)
    assert normalise_header(n) == n
    assert not n.startswith("_") and not n.endswith("_")
    assert "__" not in n
    assert n == n.lower()


def test_resolve_table_accepts_aliases() -> None:
    assert resolve_table("contacts") == "leads"
    assert resolve_table("Opportunities") == "deals"
    assert resolve_table("tasks") == "activities"
    assert resolve_table("stage history") == "stage_history"
    assert resolve_table("invoices") is None


# ---------------------------------------------------------------------------------------
# HubSpot
# ---------------------------------------------------------------------------------------


def test_hubspot_contacts_export() -> None:
    frame, rec = recognise_file(FIXTURES / "hubspot" / "hubspot-crm-exports-all-contacts.csv")
    assert (rec.table, rec.crm) == ("leads", "hubspot")
    assert direct(rec) == {
        "lead_id": "Record ID",
        "created_at": "Create Date",
        "source": "Original Source",
        "campaign": "Original Source Drill-Down 2",
        "owner": "Contact owner",
        "lead_score": "HubSpot Score",
        "mql_at": "Became a Marketing Qualified Lead Date",
        "handed_off_at": "Owner Assigned Date",
        "sql_at": "Became a Sales Qualified Lead Date",
        "status": "Lead Status",
        "lifecycle_stage": "Lifecycle Stage",
        "country": "Country/Region",
        "region": "State/Region",
        "city": "City",
        "industry": "Industry",
        "company_size": "Number of Employees",
        "job_title": "Job Title",
        "email": "Email",
        "phone": "Phone Number",
    }
    assert set(rec.derived) == {"rejected_at", "rejection_reason"}
    assert "Unqualified" in rec.derived["rejected_at"]
    assert rec.unmapped == [
        "First Name",
        "Last Name",
        "Became a Customer Date",
        "Became a Lead Date",
        "Became an Opportunity Date",
        "Original Source Drill-Down 1",
    ]
    assert rec.missing_required == []
    assert rec.confidence >= 0.9
    assert any("'Original Source Drill-Down 2' as campaign" in n for n in rec.notes)

    out = apply_mapping(frame, rec)
    assert out.height == 12
    assert out["lead_id"].to_list() == [str(60100001 + i) for i in range(12)]
    rejected = out.filter(pl.col("rejected_at").is_not_null())
    assert rejected.select("lead_id", "rejected_at", "rejection_reason").rows() == [
        ("60100004", "2024-03-08 10:45", "Unqualified"),
        ("60100008", "2024-03-12 17:20", "Unqualified"),
    ]


def test_hubspot_deals_export_derives_flags_close_date_and_lead() -> None:
    frame, rec = recognise_file(FIXTURES / "hubspot" / "hubspot-crm-exports-all-deals.csv")
    assert (rec.table, rec.crm) == ("deals", "hubspot")
    assert direct(rec) == {
        "deal_id": "Record ID",
        "created_at": "Create Date",
        "lead_id": "Associated Contact IDs",
        "deal_name": "Deal Name",
        "closed_at": "Close Date",
        "stage": "Deal Stage",
        "amount": "Amount",
        "owner": "Deal owner",
        "source": "Original Source Type",
    }
    assert set(rec.derived) == {"lead_id", "closed_at", "is_won", "is_closed"}
    assert rec.unmapped == ["Pipeline"]

    out = apply_mapping(frame, rec)
    assert out.columns == [
        "deal_id",
        "created_at",
        "lead_id",
        "deal_name",
        "closed_at",
        "stage",
        "is_won",
        "is_closed",
        "amount",
        "owner",
        "source",
    ]
    assert out.select("deal_id", "lead_id", "is_won", "is_closed", "closed_at").rows() == [
        ("90200001", "60100001", "true", "true", "2024-04-10 16:00"),
        ("90200002", "60100003", "false", "false", None),
        ("90200003", "60100005", "true", "true", "2024-04-02 11:00"),
        ("90200004", "60100006", "false", "true", "2024-04-05 15:00"),
        ("90200005", "60100011", "false", "false", None),
        ("90200006", None, "true", "true", "2024-03-28 09:00"),
    ]


def test_hubspot_internal_property_names() -> None:
    contacts = recognise(
        [
            "hs_object_id",
            "createdate",
            "hs_analytics_source",
            "lifecyclestage",
            "hs_lead_status",
            "hubspot_owner_id",
            "hs_lifecyclestage_marketingqualifiedlead_date",
            "hs_lifecyclestage_salesqualifiedlead_date",
            "email",
        ],
        file="contacts.csv",
    )
    assert (contacts.table, contacts.crm) == ("leads", "hubspot")
    assert direct(contacts) == {
        "lead_id": "hs_object_id",
        "created_at": "createdate",
        "source": "hs_analytics_source",
        "owner": "hubspot_owner_id",
        "mql_at": "hs_lifecyclestage_marketingqualifiedlead_date",
        "sql_at": "hs_lifecyclestage_salesqualifiedlead_date",
        "status": "hs_lead_status",
        "lifecycle_stage": "lifecyclestage",
        "email": "email",
    }
    deals = recognise(
        [
            "hs_object_id",
            "dealname",
            "dealstage",
            "amount",
            "closedate",
            "createdate",
            "pipeline",
            "hubspot_owner_id",
            "hs_is_closed_won",
            "hs_is_closed",
        ],
        file="deals.csv",
    )
    assert (deals.table, deals.crm) == ("deals", "hubspot")
    # explicit flags are used as they are: no derivation from the stage
    assert deals.mapping["is_won"] == "hs_is_closed_won"
    assert deals.mapping["is_closed"] == "hs_is_closed"
    assert "is_won" not in deals.rules and "is_closed" not in deals.rules
    frame = pl.DataFrame(
        {
            "hs_object_id": ["1", "2"],
            "dealname": ["a", "b"],
            "dealstage": ["closedwon", "presentationscheduled"],
            "amount": ["10", "20"],
            "closedate": ["2024-01-05", "2024-02-01"],
            "createdate": ["2024-01-01", "2024-01-02"],
            "pipeline": ["default", "default"],
            "hubspot_owner_id": ["7", "7"],
            "hs_is_closed_won": ["true", "false"],
            "hs_is_closed": ["true", "false"],
        }
    )
    out = apply_mapping(frame, deals)
    assert out["closed_at"].to_list() == ["2024-01-05", None]


def test_hubspot_internal_stage_names_give_won_and_closed() -> None:
    cols = ["Record ID", "Deal Name", "Deal Stage", "Create Date", "Close Date", "Pipeline"]
    rec = recognise(cols, file="hubspot-crm-exports-all-deals-2024.csv")
    frame = pl.DataFrame(
        {
            "Record ID": ["1", "2", "3", "4"],
            "Deal Name": ["a", "b", "c", "d"],
            "Deal Stage": ["closedwon", "closedlost", "contractsent", None],
            "Create Date": ["2024-01-01 10:00"] * 4,
            "Close Date": ["2024-02-01 10:00"] * 4,
            "Pipeline": ["default"] * 4,
        }
    )
    out = apply_mapping(frame, rec)
    assert out["is_won"].to_list() == ["true", "false", "false", None]
    assert out["is_closed"].to_list() == ["true", "true", "false", None]
    assert out["closed_at"].to_list() == ["2024-02-01 10:00", "2024-02-01 10:00", None, None]


def test_generic_stage_words_unknown_to_the_table_leave_flags_unknown() -> None:
    rec = recognise(["Deal ID", "Created Date", "Stage", "Amount"], file="deals.csv")
    frame = pl.DataFrame(
        {
            "Deal ID": ["1", "2"],
            "Created Date": ["2024-01-01", "2024-01-02"],
            "Stage": ["Signed", "Demo"],
            "Amount": ["5", "6"],
        }
    )
    out = apply_mapping(frame, rec)
    assert out["is_won"].to_list() == [None, None]
    assert out["is_closed"].to_list() == [None, None]
    assert "unknown on every row" in rec.derived["is_won"]


def test_hubspot_associated_contacts_first_id_with_commas() -> None:
    cols = ["Record ID", "Deal Name", "Deal Stage", "Create Date", "Associated Contact IDs"]
    rec = recognise(cols, file="deals.csv")
    frame = pl.DataFrame(
        {
            "Record ID": ["1", "2", "3", "4"],
            "Deal Name": ["a", "b", "c", "d"],
            "Deal Stage": ["Closed Won"] * 4,
            "Create Date": ["2024-01-01 10:00"] * 4,
            "Associated Contact IDs": ["501, 502", " 503 ;504", "", ";"],
        }
    )
    assert apply_mapping(frame, rec)["lead_id"].to_list() == ["501", "503", None, None]
    assert "first id" in rec.derived["lead_id"]


def test_hubspot_deals_with_contact_names_only_are_not_linked() -> None:
    cols = ["Record ID", "Deal Name", "Deal Stage", "Create Date", "Associated Contact"]
    rec = recognise(cols, file="hubspot-crm-exports-all-deals.csv")
    assert "lead_id" not in rec.mapping
    assert any("'Associated Contact' holds contact names" in n for n in rec.notes)


def test_hubspot_calls_export() -> None:
    cols = [
        "Record ID",
        "Activity date",
        "Call Title",
        "Call notes",
        "Call direction",
        "Call outcome",
        "Call duration",
        "Activity assigned to",
        "Associated Contact IDs",
    ]
    rec = recognise(cols, file="hubspot-crm-exports-all-calls-2024-05-01.csv")
    assert (rec.table, rec.crm) == ("activities", "hubspot")
    assert direct(rec) == {
        "activity_id": "Record ID",
        "lead_id": "Associated Contact IDs",
        "occurred_at": "Activity date",
        "direction": "Call direction",
        "outcome": "Call outcome",
        "owner": "Activity assigned to",
        "subject": "Call Title",
    }
    frame = pl.DataFrame(
        {
            c: v
            for c, v in zip(
                cols,
                [
                    ["11", "12"],
                    ["2024-03-01 09:00", "2024-03-01 10:00"],
                    ["Intro", "Follow-up"],
                    ["", ""],
                    ["OUTBOUND", "Inbound"],
                    ["Connected", "No answer"],
                    ["00:05:00", "00:00:00"],
                    ["Minh Nguyen", "Thu Ha"],
                    ["601;602", "603"],
                ],
                strict=True,
            )
        }
    )
    out = apply_mapping(frame, rec)
    assert out["type"].to_list() == ["call", "call"]
    assert out["direction"].to_list() == ["outbound", "inbound"]
    assert out["lead_id"].to_list() == ["601", "603"]


def test_hubspot_contacts_without_a_date_note_rejections_instead_of_guessing() -> None:
    cols = ["Record ID", "Create Date", "Lead Status", "Lifecycle Stage", "Contact owner"]
    rec = recognise(cols, file="contacts.csv")
    assert "rejected_at" not in rec.mapping and "rejected_at" not in rec.rules
    assert any("no date to time them" in n for n in rec.notes)


# ---------------------------------------------------------------------------------------
# Salesforce
# ---------------------------------------------------------------------------------------


def test_salesforce_lead_data_loader_export() -> None:
    frame, rec = recognise_file(FIXTURES / "salesforce" / "Lead.csv")
    assert (rec.table, rec.crm) == ("leads", "salesforce")
    assert direct(rec) == {
        "lead_id": "Id",
        "created_at": "CreatedDate",
        "source": "LeadSource",
        "owner": "OwnerId",
        "mql_at": "MQL_Date__c",
        "status": "Status",
        "temperature": "Rating",
        "country": "Country",
        "region": "State",
        "city": "City",
        "industry": "Industry",
        "company_size": "NumberOfEmployees",
        "job_title": "Title",
        "converted_deal_id": "ConvertedOpportunityId",
        "converted_contact_id": "ConvertedContactId",
        "email": "Email",
        "phone": "Phone",
        "sql_at": "ConvertedDate",
    }
    assert "no SQL date column" in rec.derived["sql_at"]
    assert rec.mapping["rejected_at"] == "LastModifiedDate"
    assert rec.mapping["rejection_reason"] == "Status"
    assert rec.unmapped == ["FirstName", "LastName", "Company", "IsConverted", "ConvertedAccountId"]

    out = apply_mapping(frame, rec)
    assert out.height == 12
    rejected = out.filter(pl.col("rejected_at").is_not_null())
    assert rejected["lead_id"].to_list() == [
        "00Q5g00000BxK04EAV",
        "00Q5g00000BxK07EAV",
        "00Q5g00000BxK11EAV",
    ]
    assert set(rejected["rejection_reason"].to_list()) == {"Closed - Not Converted"}
    assert out["temperature"].to_list() == [
        "hot",
        "warm",
        "hot",
        "cold",
        "",
        "warm",
        "cold",
        "hot",
        "warm",
        "cold",
        "warm",
        "hot",
    ]
    assert out.filter(pl.col("sql_at") != "")["lead_id"].to_list() == [
        "00Q5g00000BxK01EAV",
        "00Q5g00000BxK03EAV",
        "00Q5g00000BxK06EAV",
        "00Q5g00000BxK09EAV",
    ]


def test_salesforce_explicit_sql_date_and_reason_win_over_derivations() -> None:
    cols = [
        "Id",
        "CreatedDate",
        "OwnerId",
        "LeadSource",
        "Status",
        "IsConverted",
        "ConvertedDate",
        "LastModifiedDate",
        "SQL_Date__c",
        "Disqualified_Reason__c",
    ]
    rec = recognise(cols, file="Lead.csv")
    assert rec.mapping["sql_at"] == "SQL_Date__c"
    assert rec.mapping["rejection_reason"] == "Disqualified_Reason__c"
    assert "sql_at" not in rec.derived and "rejection_reason" not in rec.derived
    assert rec.rules["rejected_at"].kind == "when_rejected"
    assert "ConvertedDate" in rec.unmapped


@pytest.mark.parametrize(
    ("status", "rejected"),
    [
        ("Closed - Not Converted", True),
        ("Unqualified", True),
        ("Disqualified", True),
        ("Junk", True),
        ("Closed - Lost", True),
        ("Open - Not Contacted", False),
        ("Working - Contacted", False),
        ("Closed - Converted", False),
        ("Nurturing", False),
    ],
)
def test_salesforce_rejection_from_status(status: str, rejected: bool) -> None:
    cols = ["Id", "CreatedDate", "OwnerId", "Status", "ConvertedDate", "LastModifiedDate"]
    rec = recognise(cols, file="Lead.csv")
    frame = pl.DataFrame(
        {
            "Id": ["00Q1"],
            "CreatedDate": ["2024-01-01T00:00:00.000Z"],
            "OwnerId": ["005"],
            "Status": [status],
            "ConvertedDate": [""],
            "LastModifiedDate": ["2024-01-09T10:00:00.000Z"],
        }
    )
    out = apply_mapping(frame, rec)
    assert out["rejected_at"].to_list() == (["2024-01-09T10:00:00.000Z"] if rejected else [None])
    assert out["rejection_reason"].to_list() == ([status] if rejected else [None])


def test_salesforce_opportunity_export() -> None:
    frame, rec = recognise_file(FIXTURES / "salesforce" / "Opportunity.csv")
    assert (rec.table, rec.crm) == ("deals", "salesforce")
    assert direct(rec) == {
        "deal_id": "Id",
        "created_at": "CreatedDate",
        "deal_name": "Name",
        "closed_at": "CloseDate",
        "stage": "StageName",
        "is_won": "IsWon",
        "is_closed": "IsClosed",
        "amount": "Amount",
        "currency": "CurrencyIsoCode",
        "owner": "OwnerId",
        "source": "LeadSource",
        "contact_id": "ContactId",
    }
    assert rec.unmapped == ["AccountId", "Probability", "CampaignId", "Type"]
    assert any("ConvertedOpportunityId" in n for n in rec.notes)
    out = apply_mapping(frame, rec)
    assert out["closed_at"].to_list() == ["2024-04-02", None, "2024-04-05", "2024-04-15", None]


def test_salesforce_task_export() -> None:
    frame, rec = recognise_file(FIXTURES / "salesforce" / "Task.csv")
    assert (rec.table, rec.crm) == ("activities", "salesforce")
    assert direct(rec) == {
        "activity_id": "Id",
        "lead_id": "WhoId",
        "type": "TaskSubtype",
        "direction": "CallType",
        "outcome": "CallDisposition",
        "owner": "OwnerId",
        "subject": "Subject",
    }
    assert rec.rules["occurred_at"].sources == ("CompletedDateTime", "CreatedDate")
    assert rec.unmapped == ["WhatId", "Status", "Priority", "ActivityDate", "CallDurationInSeconds"]
    out = apply_mapping(frame, rec)
    assert out["type"].to_list() == [
        "call",
        "call",
        "email",
        "call",
        "call",
        "call",
        "meeting",
        "call",
        "call",
        "email",
    ]
    assert out["direction"].to_list()[:6] == [
        "outbound",
        "outbound",
        "",
        "outbound",
        "outbound",
        "inbound",
    ]
    # T03 has no CompletedDateTime: its CreatedDate is used
    assert out["occurred_at"][2] == "2024-03-02T08:05:00.000Z"
    # T07 was logged on a contact: WhoId is kept, contacts resolve to leads later
    assert out["lead_id"][6] == "0035g00000Con01AAA"


def test_salesforce_lead_report_labels() -> None:
    frame, rec = recognise_file(FIXTURES / "salesforce" / "report_leads.csv")
    assert (rec.table, rec.crm) == ("leads", "salesforce")
    assert direct(rec) == {
        "lead_id": "Lead ID",
        "created_at": "Create Date",
        "source": "Lead Source",
        "owner": "Lead Owner",
        "status": "Lead Status",
        "temperature": "Rating",
        "country": "Country",
        "industry": "Industry",
        "job_title": "Title",
        "converted_deal_id": "Converted Opportunity ID",
        "email": "Email",
        "phone": "Phone",
        "sql_at": "Converted Date",
    }
    assert rec.mapping["rejected_at"] == "Last Modified Date"
    assert rec.unmapped == ["First Name", "Last Name", "Company / Account", "Converted"]
    out = apply_mapping(frame, rec)
    assert out.filter(pl.col("rejected_at").is_not_null())["lead_id"].to_list() == [
        "00Q5g00000BxK04",
        "00Q5g00000BxK07",
    ]


def test_salesforce_opportunity_and_task_report_labels() -> None:
    opp = recognise(
        [
            "Opportunity Owner",
            "Opportunity Name",
            "Account Name",
            "Stage",
            "Amount",
            "Close Date",
            "Created Date",
            "Won",
            "Closed",
            "Opportunity ID",
            "Lead Source",
            "Probability (%)",
        ],
        file="report1710000000000.csv",
    )
    assert (opp.table, opp.crm) == ("deals", "salesforce")
    assert direct(opp) == {
        "deal_id": "Opportunity ID",
        "created_at": "Created Date",
        "deal_name": "Opportunity Name",
        "closed_at": "Close Date",
        "stage": "Stage",
        "is_won": "Won",
        "is_closed": "Closed",
        "amount": "Amount",
        "owner": "Opportunity Owner",
        "source": "Lead Source",
    }
    task = recognise(
        [
            "Activity ID",
            "Assigned",
            "Subject",
            "Task Subtype",
            "Call Type",
            "Call Result",
            "Date",
            "Lead ID",
            "Contact ID",
        ],
        file="report1710000000001.csv",
    )
    assert (task.table, task.crm) == ("activities", "salesforce")
    assert direct(task) == {
        "activity_id": "Activity ID",
        "occurred_at": "Date",
        "type": "Task Subtype",
        "direction": "Call Type",
        "outcome": "Call Result",
        "owner": "Assigned",
        "subject": "Subject",
    }
    assert task.rules["lead_id"].sources == ("Lead ID", "Contact ID")


@pytest.mark.parametrize(
    ("prefix", "table"),
    [("00Q5g00000", "leads"), ("0065g00000", "deals")],
)
def test_salesforce_id_prefix_in_sample_breaks_ties(prefix: str, table: str) -> None:
    cols = ["Id", "Name", "CreatedDate", "OwnerId", "LastModifiedDate"]
    sample = pl.DataFrame(
        {
            "Id": [f"{prefix}AbC{i}EAV" for i in range(3)],
            "Name": ["x", "y", "z"],
            "CreatedDate": ["2024-01-01T00:00:00.000Z"] * 3,
            "OwnerId": ["0055g00000AbCd1AAA"] * 3,
            "LastModifiedDate": ["2024-01-02T00:00:00.000Z"] * 3,
        }
    )
    rec = recognise(cols, file="extract.csv", sample=sample)
    assert (rec.table, rec.crm) == (table, "salesforce")


# ---------------------------------------------------------------------------------------
# Generic files (English and Vietnamese)
# ---------------------------------------------------------------------------------------


def test_generic_leads_with_odd_headers() -> None:
    frame, rec = recognise_file(FIXTURES / "generic" / "leads.csv")
    assert (rec.table, rec.crm) == ("leads", "generic")
    assert rec.mapping == {
        "lead_id": " Lead ID",
        "created_at": "CREATED AT",
        "source": "lead-source",
        "campaign": "Campaign Name",
        "owner": "Owner Name",
        "lead_score": "Lead Score",
        "mql_at": "MQL date",
        "rejected_at": "Rejected Date",
        "rejection_reason": "Rejection Reason",
        "sql_at": "SQL_Date",
        "status": "Status",
        "email": "E-mail",
        "phone": "Phone #",
    }
    assert rec.derived == {}
    assert rec.unmapped == []
    assert any(
        n.startswith("guessed 'Owner Name' as owner; to change it, set [leads] owner =")
        and n.endswith("in a mapping file (--mapping)")
        for n in rec.notes
    )
    out = apply_mapping(frame, rec)
    assert out.columns[:3] == ["lead_id", "created_at", "source"]
    assert out["lead_id"].to_list() == [f"G-{i:03d}" for i in range(1, 11)]


def test_generic_deals_activities_and_spend() -> None:
    _, deals = recognise_file(FIXTURES / "generic" / "deals.csv")
    assert (deals.table, deals.crm) == ("deals", "generic")
    assert direct(deals) == {
        "deal_id": "Deal ID",
        "created_at": "Created",
        "lead_id": "Lead ID",
        "closed_at": "Close Date",
        "stage": "Stage",
        "amount": "Value",
        "currency": "Currency",
        "owner": "Deal Owner",
    }
    assert deals.rules["is_won"].sources == ("Stage",)
    assert apply_mapping(read(FIXTURES / "generic" / "deals.csv"), deals).select(
        "deal_id", "is_won", "is_closed", "closed_at"
    ).rows() == [
        ("D-101", "true", "true", "2024-04-20 15:00"),
        ("D-102", "false", "true", "2024-04-25 11:00"),
        ("D-103", "false", "false", None),
        ("D-104", "true", "true", "2024-05-20 09:00"),
    ]

    frame, acts = recognise_file(FIXTURES / "generic" / "activities.csv")
    assert (acts.table, acts.crm) == ("activities", "generic")
    assert acts.mapping == {
        "activity_id": "activity_id",
        "lead_id": "lead_id",
        "occurred_at": "Date/Time",
        "type": "Type",
        "direction": "Direction",
        "outcome": "Outcome",
        "owner": "Rep",
    }
    out = apply_mapping(frame, acts)
    assert out["type"].to_list() == [
        "call",
        "call",
        "email",
        "call",
        "call",
        "call",
        "call",
        "call",
    ]
    assert out["direction"].to_list()[4] == "inbound"

    _, spend = recognise_file(FIXTURES / "generic" / "spend.csv")
    assert (spend.table, spend.crm) == ("spend", "generic")
    assert spend.mapping == {
        "period": "Month",
        "source": "Channel",
        "campaign": "Campaign",
        "amount": "Spend",
    }


def test_vietnamese_leads() -> None:
    frame, rec = recognise_file(FIXTURES / "generic" / "khach_hang_tiem_nang.csv")
    assert (rec.table, rec.crm) == ("leads", "generic")
    assert rec.mapping == {
        "lead_id": "Mã khách hàng",
        "created_at": "Ngày tạo",
        "source": "Nguồn",
        "campaign": "Chiến dịch",
        "owner": "Người phụ trách",
        "lead_score": "Điểm",
        "rejected_at": "Ngày từ chối",
        "rejection_reason": "Lý do từ chối",
        "status": "Trạng thái",
        "region": "Tỉnh/Thành phố",
        "phone": "Số điện thoại",
    }
    out = apply_mapping(frame, rec)
    assert out.filter(pl.col("rejection_reason").is_not_null())["lead_id"].to_list() == [
        "KH003",
        "KH005",
    ]


def test_vietnamese_deals_and_calls() -> None:
    _, deals = recognise_file(FIXTURES / "generic" / "co_hoi.csv")
    assert deals.table == "deals"
    assert direct(deals) == {
        "deal_id": "Mã cơ hội",
        "created_at": "Ngày tạo",
        "lead_id": "Mã khách hàng",
        "closed_at": "Ngày chốt",
        "stage": "Giai đoạn",
        "amount": "Giá trị",
        "owner": "Nhân viên",
    }
    out = apply_mapping(read(FIXTURES / "generic" / "co_hoi.csv"), deals)
    assert out.select("deal_id", "is_won", "is_closed").rows() == [
        ("CH01", "true", "true"),
        ("CH02", "true", "true"),
        ("CH03", "false", "false"),
    ]
    frame, calls = recognise_file(FIXTURES / "generic" / "cuoc_goi.csv")
    assert calls.table == "activities"
    assert calls.mapping == {
        "lead_id": "Mã khách hàng",
        "occurred_at": "Thời gian",
        "type": "Loại",
        "direction": "Chiều gọi",
        "outcome": "Kết quả",
        "owner": "Nhân viên",
    }
    out = apply_mapping(frame, calls)
    assert out["type"].to_list() == ["call", "call", "zalo", "call", "call", "call"]
    assert out["direction"].to_list() == [
        "outbound",
        "outbound",
        "outbound",
        "outbound",
        "inbound",
        "outbound",
    ]


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        (["Lead ID", "Created Date", "Nguồn khách hàng", "Nhân viên"], "Nguồn khách hàng"),
        (["ID", "Date Created", "Kênh", "Sale"], "Kênh"),
        (["lead_id", "created_at", "source"], "source"),
    ],
)
def test_generic_source_synonyms(columns: list[str], expected: str) -> None:
    rec = recognise(columns, file="export.csv")
    assert rec.table == "leads"
    assert rec.mapping["source"] == expected


def test_canonical_names_always_match_and_are_not_guesses() -> None:
    cols = TABLES["leads"].column_names
    rec = recognise(cols, file="anything.csv")
    assert rec.table == "leads"
    assert rec.mapping == {c: c for c in cols}
    assert not any(n.startswith("guessed") for n in rec.notes)


def test_ambiguous_columns_pick_by_priority_and_say_so() -> None:
    rec = recognise(["Lead Number", "Prospect ID", "Lead Source", "Date"], file="Leads.csv")
    assert rec.mapping["lead_id"] == "Lead Number"
    assert any(
        "'Lead Number' and 'Prospect ID' could all be lead_id" in n
        and 'set [leads] lead_id = "Prospect ID"' in n
        for n in rec.notes
    )
    assert "Prospect ID" in rec.unmapped


# ---------------------------------------------------------------------------------------
# File-name hints, --as, the "cannot recognise" error
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "table"),
    [
        ("export.csv", "deals"),
        ("leads.csv", "leads"),
        ("hubspot-crm-exports-all-contacts-2024-05-01.csv", "leads"),
        ("Lead.csv", "leads"),
        ("Opportunity.csv", "deals"),
        ("khach_hang.xlsx", "leads"),
    ],
)
def test_file_name_is_a_hint(file: str, table: str) -> None:
    rec = recognise(["ID", "Created Date", "Owner", "Name"], file=file)
    assert rec.table == table


def test_as_overrides_recognition() -> None:
    cols = read(FIXTURES / "generic" / "leads.csv").columns
    rec = recognise(cols, file="leads.csv", table="deals")
    assert rec.table == "deals"
    assert rec.missing_required == ["deal_id"]
    assert rec.mapping["lead_id"] == " Lead ID"
    assert any("as asked (--as)" in n for n in rec.notes)
    assert recognise(cols, file="x.csv", table="contacts").table == "leads"


def test_as_with_unknown_table() -> None:
    with pytest.raises(HandoffError) as err:
        recognise(["a"], file="x.csv", table="invoices")
    assert "'invoices' is not a table" in str(err.value)
    assert "leads, deals, activities, spend, stage_history" in str(err.value)


def test_cannot_recognise_names_file_columns_and_fix() -> None:
    with pytest.raises(HandoffError) as err:
        recognise(["foo", "bar", "Ghi chú"], file="mystery.csv")
    text = str(err.value)
    assert text.startswith("mystery.csv: cannot tell which table this file is")
    assert "'foo', 'bar', 'Ghi chú'" in text
    assert "--as TABLE" in text and "--mapping" in text
    assert err.value.problems[0].file == "mystery.csv"


def test_missing_required_is_reported_not_raised() -> None:
    rec = recognise(["Lead ID", "Lead Source", "Owner", "Email"], file="leads.csv")
    assert rec.table == "leads"
    assert rec.missing_required == ["created_at"]
    assert rec.confidence < 0.9


# ---------------------------------------------------------------------------------------
# Mapping files
# ---------------------------------------------------------------------------------------


def write(tmp_path: Path, text: str, name: str = "mapping.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_mapping_file_entries_win_and_support_constants_segments_and_reuse(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        """
[leads]
owner = "Status"
mql_at = "CREATED AT"
source = { value = "Facebook Ads" }
segment_campaign = "Campaign Name"
lead_score = ""
""",
    )
    mf = load_mapping(path)
    frame, rec = recognise_file(FIXTURES / "generic" / "leads.csv", mapping=mf)
    assert rec.crm == "mapping file"
    assert rec.mapping["owner"] == "Status"
    assert rec.mapping["mql_at"] == "CREATED AT"
    assert rec.mapping["created_at"] == "CREATED AT"
    assert rec.mapping["segment_campaign"] == "Campaign Name"
    assert "lead_score" not in rec.mapping and "Lead Score" in rec.unmapped
    assert "source" not in rec.mapping and rec.constants == {"source": "Facebook Ads"}
    assert rec.confidence == 1.0
    out = apply_mapping(frame, rec)
    assert out["source"].to_list() == ["Facebook Ads"] * 10
    assert out["mql_at"].to_list() == out["created_at"].to_list()
    assert out.columns[-1] == "segment_campaign"
    assert "lead_score" not in out.columns


def test_mapping_file_column_absent_from_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[leads]\nowner = "Sales Person"\n')
    with pytest.raises(HandoffError) as err:
        recognise_file(FIXTURES / "generic" / "leads.csv", mapping=load_mapping(path))
    problem = err.value.problems[0]
    assert problem.file == str(path)
    assert problem.column == "owner"
    text = str(err.value)
    assert "[leads] owner = 'Sales Person'" in text
    assert "'Owner Name'" in text and "'CREATED AT'" in text


def test_mapping_file_accepts_header_spelled_differently(tmp_path: Path) -> None:
    path = write(tmp_path, '[leads]\nowner = "owner  name"\n')
    _, rec = recognise_file(FIXTURES / "generic" / "leads.csv", mapping=load_mapping(path))
    assert rec.mapping["owner"] == "Owner Name"
    assert any("matched the column 'Owner Name'" in n for n in rec.notes)


def test_mapping_file_section_decides_the_table(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[leads]
lead_id = "mql_id"
created_at = "first_contact_date"

[deals]
deal_id = "mql_id"
lead_id = "mql_id"
created_at = "won_date"
""",
    )
    mf = load_mapping(path)
    leads = recognise(["mql_id", "first_contact_date", "origin"], file="a.csv", mapping=mf)
    deals = recognise(["mql_id", "seller_id", "won_date"], file="b.csv", mapping=mf)
    assert (leads.table, deals.table) == ("leads", "deals")
    assert deals.mapping["deal_id"] == deals.mapping["lead_id"] == "mql_id"


def test_mapping_file_table_for_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[options.table_for_file]\n"*calls*.csv" = "activities"\n"weird.csv" = "contacts"\n',
    )
    mf = load_mapping(path)
    rec = recognise(["Lead ID", "Created Date", "Owner"], file="weird.csv", mapping=mf)
    assert rec.table == "leads"
    rec = recognise(["Lead ID", "Date", "Owner"], file="May calls.csv", mapping=mf)
    assert rec.table == "activities"
    assert rec.mapping["occurred_at"] == "Date"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[leads]\nlead_id = "a"\nowner = \n', "not valid TOML on line 3"),
        ('[invoices]\nid = "a"\n', "[invoices] is not a table"),
        ('[leads]\nrevenue = "a"\n', "[leads] revenue is not a column of leads"),
        ("[leads]\nlead_id = 5\n", "neither a column name nor a constant"),
        ('[options]\ndate_format = "dmy"\n', "unknown option 'date_format'"),
        ('[options]\ndate_order = "ymd"\n', 'date_order = "ymd" is not valid'),
        ('[options]\ntimezone = "Mars/Base"\n', 'timezone = "Mars/Base" is not valid'),
        ('[options.table_for_file]\n"a.csv" = "orders"\n', '"a.csv" = "orders" is not a table'),
        ('[leads]\nowner = "a"\n[contacts]\nowner = "b"\n', "leads.owner is set twice"),
        ("leads = 3\n", "leads must be a section"),
    ],
)
def test_load_mapping_errors(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(HandoffError) as err:
        load_mapping(path)
    assert expected in str(err.value)
    assert err.value.problems[0].file == str(path)
    assert err.value.problems[0].fix


def test_load_mapping_lists_valid_columns(tmp_path: Path) -> None:
    path = write(tmp_path, '[deals]\nclose_date = "Close"\n')
    with pytest.raises(HandoffError) as err:
        load_mapping(path)
    assert "deal_id, created_at, lead_id" in err.value.problems[0].fix
    path = write(tmp_path, '[leads]\nsource_detail = "x"\n')
    with pytest.raises(HandoffError) as err:
        load_mapping(path)
    assert "segment_<name>" in err.value.problems[0].fix


def test_load_mapping_missing_file(tmp_path: Path) -> None:
    with pytest.raises(HandoffError) as err:
        load_mapping(tmp_path / "nope.toml")
    assert "cannot be read" in str(err.value)


def test_load_mapping_aliases_and_options(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[options]
date_order = "dmy"
timezone = "Asia/Ho_Chi_Minh"
decimal = ","
sheet = 0

[contacts]
lead_id = "Mã KH"
segment_tier = { value = 1 }
""",
    )
    mf = load_mapping(path)
    assert mf.tables == {"leads": {"lead_id": "Mã KH"}}
    assert mf.constants == {"leads": {"segment_tier": "1"}}
    assert mf.options == {
        "date_order": "dmy",
        "timezone": "Asia/Ho_Chi_Minh",
        "decimal": ",",
        "sheet": 0,
    }


# ---------------------------------------------------------------------------------------
# save_mapping / load_mapping round trip
# ---------------------------------------------------------------------------------------


def test_save_then_load_reproduces_recognition(tmp_path: Path) -> None:
    files = [
        FIXTURES / "hubspot" / "hubspot-crm-exports-all-deals.csv",
        FIXTURES / "salesforce" / "Task.csv",
        FIXTURES / "generic" / "khach_hang_tiem_nang.csv",
    ]
    recs = [recognise_file(f)[1] for f in files]
    path = tmp_path / "saved.toml"
    save_mapping(path, recs, options={"timezone": "Asia/Ho_Chi_Minh"})
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Handoff mapping file")
    mf = load_mapping(path)
    # fill rules (is_won from the stage, occurred_at coalesced) are re-derived, not pinned
    assert "is_won" not in mf.tables["deals"]
    assert mf.tables["deals"]["closed_at"] == "Close Date"
    assert "occurred_at" not in mf.tables["activities"]
    assert mf.options["timezone"] == "Asia/Ho_Chi_Minh"
    assert mf.options["table_for_file"] == {
        "hubspot-crm-exports-all-deals.csv": "deals",
        "Task.csv": "activities",
        "khach_hang_tiem_nang.csv": "leads",
    }
    for f, before in zip(files, recs, strict=True):
        frame, after = recognise_file(f, mapping=mf)
        assert after.table == before.table
        assert after.mapping == before.mapping
        assert after.rules == before.rules
        assert after.crm == "mapping file"
        assert apply_mapping(frame, after).equals(apply_mapping(frame, before))


def test_save_mapping_refuses_conflicting_layouts(tmp_path: Path) -> None:
    a = recognise(["Lead ID", "Created Date", "Owner"], file="a.csv")
    b = recognise(["Lead ID", "Date Created", "Owner"], file="b.csv")
    with pytest.raises(HandoffError) as err:
        save_mapping(tmp_path / "m.toml", [a, b])
    assert "leads.created_at comes from 'Created Date' in one file and 'Date Created'" in str(
        err.value
    )


_header_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30
)


@st.composite
def mapping_files(draw: st.DrawFn) -> tuple[dict, dict, dict]:
    tables: dict[str, dict[str, str]] = {}
    constants: dict[str, dict[str, str]] = {}
    for name in draw(st.sets(st.sampled_from(sorted(TABLES)), min_size=1)):
        columns = TABLES[name].column_names
        chosen = draw(st.sets(st.sampled_from(columns), min_size=1, max_size=6))
        if name == "leads":
            segs = draw(
                st.sets(st.text(alphabet=string.ascii_lowercase + "_", min_size=1, max_size=8))
            )
            chosen |= {f"segment_{s}" for s in segs}
        split = draw(st.sets(st.sampled_from(sorted(chosen))))
        tables[name] = {c: draw(_header_text) for c in sorted(chosen) if c not in split}
        constants[name] = {c: draw(_header_text) for c in sorted(split)}
    options = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "date_order": st.sampled_from(["dmy", "mdy"]),
                "timezone": st.sampled_from(["UTC", "Asia/Ho_Chi_Minh", "Europe/Paris"]),
                "decimal": st.sampled_from([".", ","]),
                "currency": st.sampled_from(["VND", "USD"]),
                "sheet": st.one_of(st.integers(0, 9), _header_text),
                "table_for_file": st.dictionaries(
                    _header_text, st.sampled_from(sorted(TABLES)), max_size=3
                ),
            },
        )
    )
    return tables, constants, options


@settings(max_examples=60, deadline=None)
@given(mapping_files())
def test_any_mapping_round_trips(tmp_path_factory, drawn) -> None:
    tables, constants, options = drawn
    recs = [
        Recognition(
            table=name,
            crm="mapping file",
            mapping=dict(tables[name]),
            derived={},
            confidence=1.0,
            notes=[],
            unmapped=[],
            missing_required=[],
            constants=dict(constants[name]),
        )
        for name in tables
    ]
    path = tmp_path_factory.mktemp("roundtrip") / "m.toml"
    save_mapping(path, recs, options=options)
    loaded = load_mapping(path)
    assert isinstance(loaded, MappingFile)
    assert loaded.tables == {k: v for k, v in tables.items() if v or constants[k]}
    assert loaded.constants == {k: v for k, v in constants.items() if v}
    expected_options = {k: v for k, v in options.items() if k != "table_for_file"}
    if options.get("table_for_file"):
        expected_options["table_for_file"] = options["table_for_file"]
    assert loaded.options == expected_options


# ---------------------------------------------------------------------------------------
# apply_mapping
# ---------------------------------------------------------------------------------------


def test_apply_mapping_keeps_rows_and_raw_values() -> None:
    rec = recognise(["Lead ID", "Created Date", "Score"], file="leads.csv")
    frame = pl.DataFrame(
        {
            "Lead ID": ["b", "a", "c"],
            "Created Date": ["03/01/2024", "2024-01-02", ""],
            "Score": [3, 1, 2],
        }
    )
    out = apply_mapping(frame, rec)
    assert out.columns == ["lead_id", "created_at", "lead_score"]
    assert out.rows() == [("b", "03/01/2024", 3), ("a", "2024-01-02", 1), ("c", "", 2)]


def test_apply_mapping_on_an_empty_frame() -> None:
    rec = recognise(["Record ID", "Deal Name", "Deal Stage", "Create Date"], file="deals.csv")
    frame = pl.DataFrame(
        {c: [] for c in ["Record ID", "Deal Name", "Deal Stage", "Create Date"]},
        schema={c: pl.String for c in ["Record ID", "Deal Name", "Deal Stage", "Create Date"]},
    )
    out = apply_mapping(frame, rec)
    assert out.height == 0
    assert "is_won" in out.columns


def test_apply_mapping_names_a_missing_column() -> None:
    rec = recognise(["Lead ID", "Created Date", "Owner"], file="leads.csv")
    with pytest.raises(HandoffError) as err:
        apply_mapping(pl.DataFrame({"Lead ID": ["1"], "Created Date": ["2024-01-01"]}), rec)
    assert "has no column 'Owner'" in str(err.value)
    assert str(err.value).startswith("leads.csv: ")


# ---------------------------------------------------------------------------------------
# Mapping files for the real datasets (read from ../shared/real_data when present)
# ---------------------------------------------------------------------------------------


def header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as f:
        return next(csv.reader(f))


def real(path: str) -> Path:
    p = REAL / path
    if not p.exists():
        pytest.skip(f"{p} is not available")
    return p


def test_olist_mapping() -> None:
    mf = load_mapping(MAPPINGS / "olist.toml")
    mql = real("olist_marketing_funnel/olist_marketing_qualified_leads_dataset.csv")
    leads = recognise(header(mql), file=mql.name, mapping=mf)
    assert leads.table == "leads" and leads.missing_required == []
    assert direct(leads) == {
        "lead_id": "mql_id",
        "created_at": "first_contact_date",
        "mql_at": "first_contact_date",
        "source": "origin",
        "campaign": "landing_page_id",
    }
    closed = real("olist_marketing_funnel/olist_closed_deals_dataset.csv")
    deals = recognise(header(closed), file=closed.name, mapping=mf)
    assert deals.table == "deals" and deals.missing_required == []
    assert direct(deals) == {
        "deal_id": "mql_id",
        "lead_id": "mql_id",
        "created_at": "won_date",
        "closed_at": "won_date",
        "owner": "sr_id",
    }
    assert deals.constants == {"stage": "Won", "is_won": "true", "is_closed": "true"}
    assert "amount" not in deals.mapping
    frame = pl.read_csv(closed, infer_schema=False, n_rows=5)
    out = apply_mapping(frame, deals)
    assert out["deal_id"].to_list() == frame["mql_id"].to_list()
    assert out["is_won"].to_list() == ["true"] * 5


def test_x_education_mapping_has_no_created_date() -> None:
    mf = load_mapping(MAPPINGS / "x_education.toml")
    path = real("x_education_leads/Leads.csv")
    rec = recognise(header(path), file=path.name, mapping=mf)
    assert rec.table == "leads"
    assert rec.mapping["lead_id"] == "Prospect ID"
    assert rec.mapping["segment_converted"] == "Converted"
    assert rec.missing_required == ["created_at"]


def test_maven_mapping() -> None:
    mf = load_mapping(MAPPINGS / "maven.toml")
    path = real("maven_crm_sales_opportunities/sales_pipeline.csv")
    rec = recognise(header(path), file=path.name, mapping=mf)
    assert rec.table == "deals" and rec.missing_required == []
    assert direct(rec) == {
        "deal_id": "opportunity_id",
        "created_at": "engage_date",
        "closed_at": "close_date",
        "stage": "deal_stage",
        "amount": "close_value",
        "owner": "sales_agent",
        "deal_name": "product",
    }
    assert mf.options["currency"] == "USD"


def test_olist_is_not_recognised_as_deals_without_its_mapping() -> None:
    """Without the mapping file the closed-deals file names neither a deal id nor a date
    the deal was created, so recognition asks for --as and a mapping file."""
    path = real("olist_marketing_funnel/olist_closed_deals_dataset.csv")
    with pytest.raises(HandoffError) as err:
        recognise(header(path), file=path.name)
    assert "--as TABLE" in str(err.value)
