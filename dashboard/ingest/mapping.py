"""Recognise what a CRM export is, which CRM wrote it, and map its columns onto the canonical model.

Recognition is rule based: explicit tables of the headers HubSpot and Salesforce write
(HubSpot UI labels and internal property names; Salesforce API names and report labels)
plus a generic synonym list in English and Vietnamese, all compared after
:func:`normalise_header`. The canonical column names themselves always match.

``recognise`` decides the table (unless given, e.g. by ``--as``) and the CRM, maps the
columns and says what it guessed; ``apply_mapping`` renames the columns and computes the
derived ones, leaving values raw (typing happens in :mod:`dashboard.ingest.canonical`).

Mapping files
-------------
A mapping file is TOML. It fixes or completes what recognition found, and is written by
:func:`save_mapping` after a user confirms a mapping::

    # Handoff mapping file
    [options]
    date_order = "dmy"                 # "dmy" or "mdy": day/month order of slash dates
    timezone = "Asia/Ho_Chi_Minh"      # time zone of dates that carry none
    decimal = ","                      # decimal separator of amounts ("." or ",")
    currency = "VND"                   # currency of amounts that carry none
    personal_data = "hash"             # "hash" or "drop" e-mail and phone
    sheet = "Leads"                    # sheet of a workbook to read (name or 0-based number)
    encoding = "utf-8"                 # text encoding of CSV files
    delimiter = ";"                    # CSV field separator
    header_row = 1                     # 1-based row holding the column names

    [options.table_for_file]           # which table a file is, by file name or pattern
    "Leads.csv" = "leads"
    "*calls*.xlsx" = "activities"

    [leads]                            # one section per canonical table
    lead_id = "Their Column"           # canonical column = source column header, exactly
    created_at = "first_contact_date"
    mql_at = "first_contact_date"      # the same source column may feed several columns
    segment_plan = "Plan"              # leads only: segment_* columns keep any text column
    owner = ""                         # empty: do not map this column at all
    currency = { value = "VND" }       # a constant written on every row

Table sections may use the table aliases of :mod:`dashboard.schema` (``[contacts]``,
``[opportunities]``, ``[tasks]``...). A section's entries win over recognition for that
table; columns it does not name are still recognised. An entry naming a column the file
does not have is an error (a column whose header differs only in case, spacing, accents
or punctuation is accepted and noted). Without ``--as`` and ``table_for_file``, a section
whose every named column is in the file decides which table the file is.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import itertools
import re
import tomllib
import unicodedata
import zoneinfo
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from dashboard import currencies
from dashboard.errors import HandoffError, Problem, as_written
from dashboard.identifiers import NAME_RULE, is_safe, suggest
from dashboard.ingest.values import FIRST_DATE, LAST_DATE
from dashboard.schema import SEGMENT_PREFIX, TABLES, Table

__all__ = [
    "Derivation",
    "MappingFile",
    "Recognition",
    "apply_mapping",
    "load_mapping",
    "normalise_header",
    "recognise",
    "resolve_table",
    "save_mapping",
]

# ---------------------------------------------------------------------------------------
# Header normalisation
# ---------------------------------------------------------------------------------------

# Letters that Unicode does not decompose into a base letter plus an accent.
_FOLD = str.maketrans(
    {
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ı": "i",
        "\ufeff": "",
    }
)
_NON_WORD = re.compile(r"[\W_]+")


def normalise_header(name: str) -> str:
    """Return ``name`` lower-cased, without accents, with every run of other characters as "_".

    Vietnamese letters lose their marks ("Nguồn" -> "nguon", "Điểm" -> "diem"); letters
    of other scripts are kept; leading and trailing "_" are trimmed, so a Salesforce
    custom field "MQL_Date__c" reads "mql_date_c". A byte-order mark is ignored.
    """
    text = str(name).translate(_FOLD)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return _NON_WORD.sub("_", text).strip("_")


def resolve_table(name: str) -> str | None:
    """The canonical table called ``name`` or one of its aliases ("contacts" -> "leads")."""
    key = normalise_header(name)
    for t in TABLES.values():
        if key == t.name or key in t.aliases:
            return t.name
    return None


# ---------------------------------------------------------------------------------------
# Recognition tables
# ---------------------------------------------------------------------------------------
#
# Where the header names come from (looked up in public material, 2024-2026 copies):
#
# HubSpot
# - Contact property labels and internal names, pairs as HubSpot defines them: "Record ID"
#   (hs_object_id), "Create Date" (createdate), "Original Source" (hs_analytics_source),
#   "Original Source Drill-Down 1/2" (hs_analytics_source_data_1/_2), "Lifecycle Stage"
#   (lifecyclestage), "Lead Status" (hs_lead_status), "Contact owner" (hubspot_owner_id),
#   "Owner Assigned Date" (hubspot_owner_assigneddate), "Became a Lead / Marketing
#   Qualified Lead / Sales Qualified Lead Date" (hs_lifecyclestage_lead_date,
#   hs_lifecyclestage_marketingqualifiedlead_date, ..._salesqualifiedlead_date),
#   "HubSpot Score" (hubspotscore), "Country/Region" (country), "State/Region" (state),
#   "Job Title" (jobtitle), "Phone Number" (phone), "Number of Employees" (numemployees):
#   property lists in public HubSpot integrations (e.g. a Hull connector's mapping, a
#   HubSpot mock server's property definitions) and SQL over exported contact tables.
# - A real export header read by a public script ("hubspot-crm-exports-all-contacts-
#   2023-02-21.csv"): "Record ID","First Name","Last Name",...,"Became a Marketing
#   Qualified Lead Date",...,"Contact owner",...,"Country/Region","Create Date",...;
#   other scripts read "First Touch Converting Campaign" from contact exports.
# - Deals export header read by a public script ("hubspot-crm-exports-all-deals-
#   2024-08-27.csv"): "Record ID","Deal Name","Last Activity Date","State","Deal Stage",
#   "Close Date","Deal owner","Amount",...,"Pipeline",... (that export had no
#   "Create Date"); "Associated Contact IDs" and "Associated Company IDs" appear as deal
#   export columns in a public test fixture and a HubSpot report-column catalogue.
#   Deal properties: dealname, dealstage (internal closedwon / closedlost), pipeline,
#   amount, closedate, createdate, hubspot_owner_id ("Deal owner"), hs_is_closed
#   ("Is Deal Closed?"), hs_is_closed_won ("Is Closed Won"), deal_currency_code.
# - Lead Status values: NEW, OPEN, IN_PROGRESS, OPEN_DEAL, UNQUALIFIED,
#   ATTEMPTED_TO_CONTACT, CONNECTED, BAD_TIMING (labels "New", "Open", "In Progress",
#   "Open Deal", "Unqualified", "Attempted to Contact", "Connected", "Bad Timing"), e.g.
#   unisales/backend LeadStatus.java and several HubSpot form plugins.
# - Calls: hs_timestamp, hs_call_direction (INBOUND/OUTBOUND), hs_call_disposition (call
#   outcome), hs_call_status, hs_call_title ("Call Title"), hs_call_body ("Call notes"),
#   hs_call_duration; engagement labels "Activity date" (hs_timestamp) and "Activity
#   assigned to" (hubspot_owner_id). A full calls-export header was not found, so the
#   UI labels of calls below are the property labels, not a verified export header.
#
# Salesforce
# - API names and field labels from the Salesforce field reference
#   (developer.salesforce.com .../sfFieldRef/salesforce_field_reference_Lead.htm,
#   _Opportunity.htm, _Task.htm, _TaskChangeEvent.htm): Lead "Converted" (IsConverted),
#   "Converted Date" (ConvertedDate), "Converted Opportunity" (ConvertedOpportunityId),
#   "Created Date" (CreatedDate), "Lead Source" (LeadSource)...; Opportunity "Opportunity
#   ID" (Id), "Closed" (IsClosed), "Won" (IsWon), "Close Date" (CloseDate), "Stage"
#   (StageName), "Opportunity Currency" (CurrencyIsoCode), "Probability (%)"; Task
#   "Activity ID" (Id), "Assigned To" (OwnerId), "Call Result" (CallDisposition), "Call
#   Type" (CallType), "Due Date" (ActivityDate), "Name" (WhoId), "Completed Date"
#   (CompletedDateTime), "Call Duration" (CallDurationInSeconds).
# - Report-export labels used by public SQL over Salesforce report exports: "Lead ID",
#   "Lead Source", "Converted", "Converted Opportunity ID", "Converted Account ID",
#   "Opportunity ID"; "Lead Owner", "Company / Account", "Create Date" in lead report
#   field lists; "Opportunity Owner","Opportunity Name","Amount" in a Perl client's test
#   fixture of a report CSV.
# - Data Loader writes datetimes as yyyy-MM-dd'T'HH:mm:ss.SSS'Z' and booleans as
#   true/false ("Data Types Supported by Data Loader", developer.salesforce.com).
# - Default Lead Status picklist: "Open - Not Contacted", "Working - Contacted",
#   "Closed - Converted", "Closed - Not Converted"; default stages end in "Closed Won" /
#   "Closed Lost" (Salesforce Sales Cloud opportunity schema).
#
# A header starting with "~" below is a weaker match: it is used, and a note tells the
# user it was guessed and how to override it.


@dataclass(frozen=True)
class _Profile:
    key: str
    crm: str
    table: str
    label: str
    columns: Mapping[str, Sequence[str]]
    evidence: Sequence[str] = ()
    # columns filled from another column only when no better column was found
    fallbacks: Mapping[str, Sequence[str]] = field(default_factory=dict)


_HS_COMMON = ("Record ID", "hs_object_id", "Create Date", "createdate")

_HUBSPOT_CONTACTS = _Profile(
    key="hubspot_contacts",
    crm="hubspot",
    table="leads",
    label="HubSpot contacts export",
    columns={
        "lead_id": ("Record ID", "hs_object_id", "Contact ID", "vid"),
        "created_at": ("Create Date", "createdate"),
        "source": ("Original Source", "hs_analytics_source"),
        "campaign": (
            "First Touch Converting Campaign",
            "hs_analytics_first_touch_converting_campaign",
            "~Original Source Drill-Down 2",
            "~hs_analytics_source_data_2",
        ),
        "owner": ("Contact owner", "hubspot_owner_id", "HubSpot Owner"),
        "lead_score": ("HubSpot Score", "hubspotscore"),
        "mql_at": (
            "Became a Marketing Qualified Lead Date",
            "hs_lifecyclestage_marketingqualifiedlead_date",
            "hs_v2_date_entered_marketingqualifiedlead",
        ),
        "handed_off_at": ("Owner Assigned Date", "hubspot_owner_assigneddate"),
        "sql_at": (
            "Became a Sales Qualified Lead Date",
            "hs_lifecyclestage_salesqualifiedlead_date",
            "hs_v2_date_entered_salesqualifiedlead",
        ),
        "status": ("Lead Status", "hs_lead_status"),
        "lifecycle_stage": ("Lifecycle Stage", "lifecyclestage"),
        "country": ("Country/Region", "country"),
        "region": ("State/Region", "state"),
        "city": ("City", "city"),
        "industry": ("Industry", "industry"),
        "company_size": ("Number of Employees", "numemployees", "Company size"),
        "job_title": ("Job Title", "jobtitle"),
        "email": ("Email", "email"),
        "phone": ("Phone Number", "phone", "Mobile Phone Number", "mobilephone"),
    },
    evidence=(
        *_HS_COMMON,
        "Contact owner",
        "hubspot_owner_id",
        "Original Source",
        "hs_analytics_source",
        "Original Source Drill-Down 1",
        "Original Source Drill-Down 2",
        "hs_analytics_source_data_1",
        "Lifecycle Stage",
        "lifecyclestage",
        "Lead Status",
        "hs_lead_status",
        "HubSpot Score",
        "hubspotscore",
        "Became a Lead Date",
        "Became a Marketing Qualified Lead Date",
        "Became a Sales Qualified Lead Date",
        "Became an Opportunity Date",
        "Became a Customer Date",
        "Became a Subscriber Date",
        "hs_lifecyclestage_lead_date",
        "hs_lifecyclestage_marketingqualifiedlead_date",
        "hs_lifecyclestage_salesqualifiedlead_date",
        "Owner Assigned Date",
        "Country/Region",
        "State/Region",
        "Phone Number",
        "Marketing contact status",
        "Number of Associated Deals",
        "firstname",
        "lastname",
    ),
)

_HUBSPOT_DEALS = _Profile(
    key="hubspot_deals",
    crm="hubspot",
    table="deals",
    label="HubSpot deals export",
    columns={
        "deal_id": ("Record ID", "hs_object_id", "Deal ID", "dealId"),
        "created_at": ("Create Date", "createdate"),
        "lead_id": ("Associated Contact IDs", "Associated Contact ID"),
        "deal_name": ("Deal Name", "dealname"),
        "closed_at": ("Close Date", "closedate"),
        "stage": ("Deal Stage", "dealstage"),
        "is_won": ("Is Closed Won", "hs_is_closed_won"),
        "is_closed": ("Is Deal Closed?", "hs_is_closed"),
        "amount": ("Amount", "amount", "Amount in company currency", "amount_in_home_currency"),
        "currency": ("Currency", "deal_currency_code"),
        "owner": ("Deal owner", "hubspot_owner_id"),
        "source": ("Original Source Type", "hs_analytics_source"),
    },
    evidence=(
        *_HS_COMMON,
        "Deal Name",
        "dealname",
        "Deal Stage",
        "dealstage",
        "Pipeline",
        "pipeline",
        "Deal owner",
        "Is Closed Won",
        "hs_is_closed_won",
        "Is Deal Closed?",
        "hs_is_closed",
        "Associated Contact IDs",
        "Associated Company IDs",
        "Associated Contact",
        "Deal Type",
        "dealtype",
        "Amount in company currency",
        "Deal probability",
        "hs_deal_stage_probability",
        "Original Source Type",
    ),
)

_HUBSPOT_CALLS = _Profile(
    key="hubspot_calls",
    crm="hubspot",
    table="activities",
    label="HubSpot calls export",
    columns={
        "activity_id": ("Record ID", "hs_object_id"),
        "lead_id": ("Associated Contact IDs", "Associated Contact ID"),
        "occurred_at": ("Activity date", "hs_timestamp", "Call date"),
        "direction": ("Call direction", "hs_call_direction"),
        "outcome": ("Call outcome", "hs_call_disposition", "Call status", "hs_call_status"),
        "owner": ("Activity assigned to", "hubspot_owner_id", "Call owner"),
        "subject": ("Call Title", "hs_call_title"),
    },
    evidence=(
        "Record ID",
        "hs_object_id",
        "Activity date",
        "hs_timestamp",
        "Activity assigned to",
        "Call direction",
        "hs_call_direction",
        "Call outcome",
        "hs_call_disposition",
        "Call Title",
        "hs_call_title",
        "Call notes",
        "hs_call_body",
        "Call duration",
        "hs_call_duration",
        "Call status",
        "hs_call_status",
        "Associated Contact IDs",
    ),
)

_SF_COMMON = ("OwnerId", "CreatedDate", "CreatedById", "LastModifiedDate", "SystemModstamp")

_SALESFORCE_LEAD = _Profile(
    key="salesforce_lead",
    crm="salesforce",
    table="leads",
    label="Salesforce leads (Data Loader or report)",
    columns={
        "lead_id": ("Id", "Lead ID"),
        "created_at": ("CreatedDate", "Created Date", "Create Date"),
        "source": ("LeadSource", "Lead Source"),
        "owner": ("Owner.Name", "Lead Owner", "OwnerId"),
        "mql_at": ("MQL_Date__c",),
        "status": ("Status", "Lead Status"),
        "temperature": ("Rating",),
        "industry": ("Industry",),
        "company_size": ("NumberOfEmployees", "No. of Employees", "Employees"),
        "country": ("Country",),
        "region": ("State", "State/Province"),
        "city": ("City",),
        "job_title": ("Title",),
        "email": ("Email",),
        "phone": ("Phone", "MobilePhone", "Mobile"),
        "converted_deal_id": (
            "ConvertedOpportunityId",
            "Converted Opportunity ID",
            "Converted Opportunity",
        ),
        "converted_contact_id": (
            "ConvertedContactId",
            "Converted Contact ID",
            "Converted Contact",
        ),
    },
    fallbacks={"sql_at": ("ConvertedDate", "Converted Date")},
    evidence=(
        *_SF_COMMON,
        "IsConverted",
        "ConvertedDate",
        "ConvertedOpportunityId",
        "ConvertedContactId",
        "ConvertedAccountId",
        "LeadSource",
        "NumberOfEmployees",
        "FirstName",
        "LastName",
        "IsDeleted",
        "MasterRecordId",
        "IsUnreadByOwner",
        "Lead ID",
        "Lead Owner",
        "Converted",
        "Converted Date",
        "Converted Opportunity ID",
        "Converted Contact ID",
        "Converted Account ID",
        "Company / Account",
    ),
)

_SALESFORCE_OPPORTUNITY = _Profile(
    key="salesforce_opportunity",
    crm="salesforce",
    table="deals",
    label="Salesforce opportunities (Data Loader or report)",
    columns={
        "deal_id": ("Id", "Opportunity ID"),
        "created_at": ("CreatedDate", "Created Date"),
        "deal_name": ("Name", "Opportunity Name"),
        "closed_at": ("CloseDate", "Close Date"),
        "stage": ("StageName", "Stage"),
        "is_won": ("IsWon", "Won"),
        "is_closed": ("IsClosed", "Closed"),
        "amount": ("Amount",),
        "currency": ("CurrencyIsoCode", "Opportunity Currency"),
        "owner": ("Owner.Name", "Opportunity Owner", "OwnerId"),
        "source": ("LeadSource", "Lead Source"),
        "contact_id": ("ContactId", "Contact ID"),
    },
    evidence=(
        *_SF_COMMON,
        "StageName",
        "IsWon",
        "IsClosed",
        "CloseDate",
        "AccountId",
        "Probability",
        "ForecastCategoryName",
        "ForecastCategory",
        "ExpectedRevenue",
        "HasOpportunityLineItem",
        "Pricebook2Id",
        "CampaignId",
        "FiscalYear",
        "FiscalQuarter",
        "NextStep",
        "Opportunity ID",
        "Opportunity Name",
        "Opportunity Owner",
        "Won",
        "Probability (%)",
        "Fiscal Period",
        "Opportunity Currency",
    ),
)

_SALESFORCE_TASK = _Profile(
    key="salesforce_task",
    crm="salesforce",
    table="activities",
    label="Salesforce tasks (Data Loader or report)",
    columns={
        "activity_id": ("Id", "Activity ID"),
        "lead_id": ("WhoId", "Lead ID", "Name ID", "Contact ID"),
        "occurred_at": (
            "CompletedDateTime",
            "Completed Date/Time",
            "Completed Date",
            "CreatedDate",
            "Created Date",
            "ActivityDate",
            "Activity Date",
            "Due Date",
            "Date",
        ),
        "type": ("TaskSubtype", "Task Subtype", "Type", "Task Type"),
        "direction": ("CallType", "Call Type"),
        "outcome": ("CallDisposition", "Call Result"),
        "owner": ("Owner.Name", "Assigned", "Assigned To", "OwnerId"),
        "subject": ("Subject",),
    },
    evidence=(
        *_SF_COMMON,
        "WhoId",
        "WhatId",
        "TaskSubtype",
        "CallType",
        "CallDisposition",
        "CallDurationInSeconds",
        "CallObject",
        "ActivityDate",
        "CompletedDateTime",
        "IsHighPriority",
        "IsRecurrence",
        "Priority",
        "Assigned",
        "Activity ID",
        "Call Result",
        "Call Type",
        "Task Subtype",
        "Call Duration",
        "Completed Date/Time",
        "Due Date",
    ),
)

_OWNER_WORDS = (
    "Owner",
    "Owner Name",
    "Assigned To",
    "Assignee",
    "Sales Rep",
    "Rep",
    "Salesperson",
    "Sales Person",
    "Sales Owner",
    "Sales Agent",
    "Account Executive",
    "Người phụ trách",
    "Nhân viên",
    "Nhân viên phụ trách",
    "Nhân viên sale",
    "Nhân viên kinh doanh",
    "Sale",
    "Người tiếp nhận",
)
_LEAD_ID_WORDS = (
    "Lead ID",
    "Lead",
    "Lead No",
    "Lead Number",
    "Lead Code",
    "Prospect ID",
    "Customer ID",
    "MQL ID",
    "Mã lead",
    "Mã khách hàng",
    "Mã KH",
    "Mã liên hệ",
    "ID khách hàng",
)

# Generic synonyms, per table and canonical column, in priority order.
_GENERIC: dict[str, dict[str, tuple[str, ...]]] = {
    "leads": {
        "lead_id": (*_LEAD_ID_WORDS, "ID", "Record ID", "Contact ID"),
        "created_at": (
            "Created At",
            "Created",
            "Created Date",
            "Create Date",
            "Date Created",
            "Creation Date",
            "Created On",
            "Created Time",
            "Lead Date",
            "Lead Created",
            "Submitted At",
            "Submission Date",
            "First Contact Date",
            "Signup Date",
            "Registration Date",
            "Ngày tạo",
            "Thời gian tạo",
            "Ngày nhận",
            "Ngày đăng ký",
            "Date",
            "Timestamp",
            "Ngày",
        ),
        "source": (
            "Lead Source",
            "Source",
            "Original Source",
            "Channel",
            "Lead Channel",
            "Marketing Channel",
            "Acquisition Channel",
            "Origin",
            "UTM Source",
            "Nguồn",
            "Nguồn khách hàng",
            "Nguồn lead",
            "Nguồn data",
            "Kênh",
            "Kênh marketing",
        ),
        "campaign": (
            "Campaign",
            "Campaign Name",
            "UTM Campaign",
            "Marketing Campaign",
            "Chiến dịch",
            "Tên chiến dịch",
        ),
        "owner": ("Lead Owner", *_OWNER_WORDS),
        "lead_score": ("Lead Score", "Score", "Scoring", "Điểm", "Điểm lead", "Điểm tiềm năng"),
        "mql_at": (
            "MQL Date",
            "Date MQL",
            "MQL Time",
            "MQL At",
            "Became MQL",
            "Marketing Qualified Date",
            "Marketing Qualified At",
            "Ngày MQL",
        ),
        "handed_off_at": (
            "Handoff Date",
            "Handoff At",
            "Handed Off",
            "Assigned At",
            "Assigned Date",
            "Assignment Date",
            "Owner Assigned Date",
            "Ngày bàn giao",
            "Ngày giao",
            "Ngày phân bổ",
            "Ngày chuyển sale",
        ),
        "accepted_at": (
            "Accepted Date",
            "Date Accepted",
            "SAL Date",
            "SAL At",
            "Sales Accepted Date",
            "Ngày tiếp nhận",
            "Ngày chấp nhận",
        ),
        "rejected_at": (
            "Rejected Date",
            "Date Rejected",
            "Rejection Date",
            "Disqualified Date",
            "Disqualified At",
            "Ngày từ chối",
            "Ngày loại",
        ),
        "rejection_reason": (
            "Rejection Reason",
            "Reject Reason",
            "Reason Rejected",
            "Disqualification Reason",
            "Disqualified Reason",
            "Unqualified Reason",
            "Lý do từ chối",
            "Lý do loại",
            "Reason",
            "Lý do",
        ),
        "sql_at": (
            "SQL Date",
            "Date SQL",
            "SQL At",
            "Became SQL",
            "Sales Qualified Date",
            "Sales Qualified At",
            "Ngày SQL",
        ),
        "status": ("Lead Status", "Status", "Trạng thái", "Tình trạng", "Trạng thái lead"),
        "lifecycle_stage": ("Lifecycle Stage", "Lifecycle", "Lead Stage", "Funnel Stage"),
        "temperature": ("Temperature", "Lead Temperature", "Rating", "Nhiệt độ"),
        "bant_budget": ("BANT Budget", "Budget Confirmed"),
        "bant_authority": ("BANT Authority", "Authority Confirmed", "Is Decision Maker"),
        "bant_need": ("BANT Need", "Need Confirmed"),
        "bant_timeline": ("BANT Timeline", "Timeline Confirmed"),
        "country": ("Country", "Country/Region", "Nation", "Quốc gia"),
        "region": (
            "Region",
            "State",
            "Province",
            "State/Province",
            "State/Region",
            "Tỉnh",
            "Tỉnh/Thành phố",
            "Tỉnh thành",
            "Khu vực",
        ),
        "city": ("City", "Town", "Thành phố"),
        "industry": ("Industry", "Sector", "Vertical", "Ngành", "Ngành nghề", "Lĩnh vực"),
        "company_size": (
            "Company Size",
            "Employees",
            "Number of Employees",
            "No. of Employees",
            "Headcount",
            "Quy mô",
            "Quy mô công ty",
            "Số nhân viên",
        ),
        "job_title": ("Job Title", "Title", "Position", "Chức vụ", "Vị trí"),
        "converted_deal_id": (
            "Converted Deal ID",
            "Converted Opportunity ID",
            "Deal ID",
            "Opportunity ID",
        ),
        "converted_contact_id": ("Converted Contact ID",),
        "email": ("Email", "E-mail", "Email Address", "Mail", "Địa chỉ email"),
        "phone": (
            "Phone",
            "Phone Number",
            "Mobile",
            "Mobile Phone",
            "Telephone",
            "Tel",
            "Số điện thoại",
            "SĐT",
            "Điện thoại",
            "Số ĐT",
        ),
    },
    "deals": {
        "deal_id": (
            "Deal ID",
            "Opportunity ID",
            "Opp ID",
            "Deal",
            "Deal Code",
            "Order ID",
            "Contract ID",
            "Mã deal",
            "Mã cơ hội",
            "Mã đơn hàng",
            "Mã hợp đồng",
            "Số hợp đồng",
            "ID",
            "Record ID",
        ),
        "created_at": (
            "Created At",
            "Created",
            "Created Date",
            "Create Date",
            "Date Created",
            "Creation Date",
            "Created On",
            "Opened At",
            "Open Date",
            "Deal Created",
            "Ngày tạo",
            "Ngày mở",
            "Thời gian tạo",
        ),
        "lead_id": _LEAD_ID_WORDS,
        "deal_name": (
            "Deal Name",
            "Opportunity Name",
            "Deal Title",
            "Name",
            "Tên deal",
            "Tên cơ hội",
            "Tên hợp đồng",
        ),
        "closed_at": (
            "Closed At",
            "Close Date",
            "Closed Date",
            "Date Closed",
            "Won Date",
            "Closing Date",
            "Ngày chốt",
            "Ngày đóng",
            "Ngày kết thúc",
            "Ngày ký",
        ),
        "stage": (
            "Stage",
            "Deal Stage",
            "Stage Name",
            "Opportunity Stage",
            "Pipeline Stage",
            "Deal Status",
            "Status",
            "Giai đoạn",
            "Trạng thái",
        ),
        "is_won": ("Is Won", "Won", "Closed Won"),
        "is_closed": ("Is Closed", "Closed"),
        "amount": (
            "Amount",
            "Deal Amount",
            "Deal Value",
            "Value",
            "Revenue",
            "Close Value",
            "Contract Value",
            "Total",
            "Số tiền",
            "Doanh thu",
            "Giá trị",
            "Giá trị deal",
            "Giá trị hợp đồng",
            "Tổng tiền",
            "Thành tiền",
        ),
        "currency": ("Currency", "Currency Code", "Tiền tệ", "Loại tiền"),
        "owner": ("Deal Owner", "Opportunity Owner", *_OWNER_WORDS),
        "source": ("Lead Source", "Source", "Deal Source", "Channel", "Nguồn", "Kênh"),
        "contact_id": ("Contact ID", "Primary Contact ID"),
    },
    "activities": {
        "activity_id": (
            "Activity ID",
            "Task ID",
            "Call ID",
            "Event ID",
            "Mã hoạt động",
            "Mã cuộc gọi",
            "ID",
            "Record ID",
        ),
        "lead_id": (*_LEAD_ID_WORDS, "Contact ID", "Associated Contact IDs"),
        "occurred_at": (
            "Occurred At",
            "Activity Date",
            "Activity Time",
            "Date/Time",
            "Datetime",
            "Timestamp",
            "Call Date",
            "Call Time",
            "Start Time",
            "Started At",
            "Thời gian",
            "Thời điểm",
            "Ngày gọi",
            "Thời gian gọi",
            "Ngày liên hệ",
            "Date",
            "Time",
            "Ngày",
        ),
        "type": (
            "Activity Type",
            "Type",
            "Channel",
            "Activity",
            "Loại",
            "Loại hoạt động",
            "Hình thức",
            "Kênh",
        ),
        "direction": ("Direction", "Call Direction", "In/Out", "Chiều", "Chiều gọi", "Hướng"),
        "outcome": (
            "Outcome",
            "Result",
            "Call Result",
            "Call Outcome",
            "Disposition",
            "Call Disposition",
            "Kết quả",
            "Kết quả gọi",
        ),
        "owner": (
            *_OWNER_WORDS,
            "Agent",
            "User",
            "Caller",
            "Made By",
            "Người gọi",
            "Người thực hiện",
        ),
        "subject": ("Subject", "Title", "Summary", "Tiêu đề", "Nội dung"),
    },
    "spend": {
        "period": ("Period", "Month", "Date", "Day", "Week", "Tháng", "Ngày", "Kỳ"),
        "period_grain": ("Period Grain", "Grain"),
        "source": ("Source", "Channel", "Platform", "Network", "Nguồn", "Kênh"),
        "campaign": ("Campaign", "Campaign Name", "Chiến dịch", "Tên chiến dịch"),
        "amount": (
            "Spend",
            "Amount Spent",
            "Ad Spend",
            "Cost",
            "Amount",
            "Chi phí",
            "Chi phí quảng cáo",
            "Số tiền",
        ),
        "currency": ("Currency", "Tiền tệ"),
    },
    "stage_history": {
        "lead_id": (*_LEAD_ID_WORDS, "ID", "Record ID", "Contact ID"),
        "stage": (
            "Stage",
            "New Stage",
            "To Stage",
            "Stage Entered",
            "Status",
            "Giai đoạn",
            "Trạng thái",
        ),
        "entered_at": (
            "Entered At",
            "Changed At",
            "Change Date",
            "Date Changed",
            "Stage Date",
            "Date",
            "Timestamp",
            "Ngày chuyển",
            "Thời gian",
            "Ngày",
        ),
        "reason": ("Reason", "Lý do"),
    },
}
assert set(_GENERIC) == set(TABLES)

# Canonical columns that point at one table more than the others (they weigh more).
_DISTINCTIVE: dict[str, frozenset[str]] = {
    "leads": frozenset(
        {
            "email",
            "phone",
            "lead_score",
            "mql_at",
            "sql_at",
            "accepted_at",
            "rejected_at",
            "rejection_reason",
            "handed_off_at",
            "lifecycle_stage",
            "temperature",
            "job_title",
            "company_size",
            "industry",
            "country",
            "region",
            "city",
            "bant_budget",
            "bant_authority",
            "bant_need",
            "bant_timeline",
        }
    ),
    "deals": frozenset(
        {"deal_id", "deal_name", "is_won", "is_closed", "closed_at", "stage", "amount"}
    ),
    "activities": frozenset(
        {"activity_id", "occurred_at", "direction", "outcome", "type", "subject"}
    ),
    "spend": frozenset({"period", "period_grain"}),
    "stage_history": frozenset({"entered_at"}),
}

# Headers every table uses alike: they never count as evidence for one table.
_SHARED_HEADERS = frozenset(
    normalise_header(h)
    for h in ("ID", "Id", "Record ID", "Name", "Title", "Status", "Date", "Ngày", "Trạng thái")
)

# Words in a file name that hint at a table or a CRM.
_TABLE_WORDS: dict[str, tuple[str, ...]] = {
    "leads": (
        "lead",
        "leads",
        "contact",
        "contacts",
        "mql",
        "mqls",
        "prospect",
        "prospects",
        "khach_hang",
        "tiem_nang",
    ),
    "deals": (
        "deal",
        "deals",
        "opportunity",
        "opportunities",
        "opp",
        "opps",
        "pipeline",
        "co_hoi",
        "don_hang",
        "hop_dong",
    ),
    "activities": (
        "activity",
        "activities",
        "task",
        "tasks",
        "call",
        "calls",
        "engagement",
        "engagements",
        "event",
        "events",
        "meetings",
        "cuoc_goi",
        "hoat_dong",
    ),
    "spend": ("spend", "cost", "costs", "budget", "ads", "ad_spend", "chi_phi", "ngan_sach"),
    "stage_history": ("history", "stage_history", "stages", "lich_su"),
}
_CRM_WORDS: dict[str, tuple[str, ...]] = {
    "hubspot": ("hubspot",),
    "salesforce": ("salesforce", "sfdc"),
}

# Salesforce id key prefixes, to tell a Lead from an Opportunity or Task export by its ids.
_SF_PREFIXES: dict[str, tuple[str, ...]] = {
    "salesforce_lead": ("00Q",),
    "salesforce_opportunity": ("006",),
    "salesforce_task": ("00T", "00U"),
}

_PROFILES: tuple[_Profile, ...] = (
    _HUBSPOT_CONTACTS,
    _HUBSPOT_DEALS,
    _HUBSPOT_CALLS,
    _SALESFORCE_LEAD,
    _SALESFORCE_OPPORTUNITY,
    _SALESFORCE_TASK,
    *(
        _Profile(key=f"generic_{t}", crm="generic", table=t, label=f"{t} file", columns={})
        for t in TABLES
    ),
)

# Headers read by derivation rules (not mapped to a canonical column of their own).
_LAST_MODIFIED = ("Last Modified Date", "lastmodifieddate", "LastModifiedDate")
_TYPE_COLUMNS = ("Type", "Task Type")

# ---------------------------------------------------------------------------------------
# Value vocabularies used by derivations
# ---------------------------------------------------------------------------------------

_REJECTED = re.compile(
    r"(^|_)(unqualified|disqualified|not_qualified|non_qualified|junk|spam|rejected|reject"
    r"|dead|lost|not_converted|invalid|bad_fit|tu_choi|khong_tiem_nang|khong_du_dieu_kien"
    r"|bi_loai|rac|that_bai)(_|$)"
)
_REJECTED_EXAMPLES = "'Closed - Not Converted', 'Unqualified', 'Disqualified', 'Junk', ..."
_TRUE_WORDS = ("true", "1", "yes", "y", "t", "x", "checked", "co")


def _squash(value: str) -> str:
    return normalise_header(value).replace("_", "")


# Deal stages that mean won or lost: English, HubSpot internal ids, Vietnamese.
_WON_STAGES = frozenset(
    {"won", "win", "closed_won", "thang", "thanh_cong", "chot_thanh_cong", "da_chot", "chot_don"}
)
_LOST_STAGES = frozenset({"lost", "lose", "closed_lost", "thua", "that_bai", "huy", "da_huy"})


def _is_won_stage(value: str) -> bool:
    return normalise_header(value) in _WON_STAGES or _squash(value).startswith("closedwon")


def _is_lost_stage(value: str) -> bool:
    return normalise_header(value) in _LOST_STAGES or _squash(value).startswith("closedlost")


def _is_rejected_status(value: str) -> bool:
    return bool(_REJECTED.search(normalise_header(value)))


_TEMPERATURES = {
    "hot": "hot",
    "nong": "hot",
    "warm": "warm",
    "am": "warm",
    "cold": "cold",
    "lanh": "cold",
}


def _temperature(value: str) -> str:
    return _TEMPERATURES.get(normalise_header(value), value)


def _direction(value: str) -> str:
    n = normalise_header(value)
    if n in {"inbound", "in", "incoming", "inbound_call", "goi_den", "cuoc_goi_den", "den"}:
        return "inbound"
    if n in {"outbound", "out", "outgoing", "outbound_call", "goi_di", "cuoc_goi_di", "di"}:
        return "outbound"
    if n == "internal":
        return "internal"
    return value


_TYPE_WORDS: dict[str, str] = {
    "call": "call",
    "calls": "call",
    "phone": "call",
    "phone_call": "call",
    "goi": "call",
    "goi_dien": "call",
    "cuoc_goi": "call",
    "dien_thoai": "call",
    "email": "email",
    "e_mail": "email",
    "mail": "email",
    "listemail": "email",
    "list_email": "email",
    "sms": "sms",
    "text": "sms",
    "tin_nhan": "sms",
    "zalo": "zalo",
    "meeting": "meeting",
    "hop": "meeting",
    "gap": "meeting",
    "gap_mat": "meeting",
    "chat": "chat",
    "whatsapp": "whatsapp",
    "linkedin": "linkedin",
    "task": "task",
}


def _activity_type(value: str) -> str:
    n = normalise_header(value)
    return _TYPE_WORDS.get(n, n or value)


# ---------------------------------------------------------------------------------------
# Public data types
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Derivation:
    """How one canonical column is computed from source columns (see ``apply_mapping``).

    ``kind`` is one of: first_id, constant, won_from_stage, closed_from_stage,
    when_closed_flag, when_closed_stage, when_rejected, rejection_text, temperature,
    direction, activity_type, coalesce. ``sources`` are source column headers; ``value``
    is the constant of a "constant" rule, or "strict" on a stage rule whose flags stay
    unknown when no stage reads as won or lost. ``fill`` rules fill a column the file does
    not have and are not written to mapping files; the others re-read a mapped column.
    """

    kind: str
    sources: tuple[str, ...] = ()
    value: str | None = None
    fill: bool = False


@dataclass
class Recognition:
    """What a file is and how its columns map onto the canonical table ``table``."""

    table: str
    crm: str
    mapping: dict[str, str]
    derived: dict[str, str]
    confidence: float
    notes: list[str]
    unmapped: list[str]
    missing_required: list[str]
    constants: dict[str, str] = field(default_factory=dict)
    rules: dict[str, Derivation] = field(default_factory=dict)
    file: str = ""


@dataclass
class MappingFile:
    """A parsed mapping file: per-table column choices, constants and reading options."""

    path: str
    tables: dict[str, dict[str, str]]
    options: dict[str, object]
    constants: dict[str, dict[str, str]] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------
# Matching
# ---------------------------------------------------------------------------------------


@dataclass
class _Index:
    """Source columns by normalised header (first occurrence wins)."""

    by_norm: dict[str, str]
    weak: dict[str, str]  # Salesforce custom fields "X__c" also read as "x"

    @classmethod
    def build(cls, columns: Sequence[str]) -> _Index:
        by_norm: dict[str, str] = {}
        weak: dict[str, str] = {}
        for col in columns:
            n = normalise_header(col)
            if n and n not in by_norm:
                by_norm[n] = col
        for col in columns:
            if str(col).rstrip().endswith("__c"):
                n = normalise_header(col)
                base = n[: -len("_c")] if n.endswith("_c") else n
                if base and base not in by_norm and base not in weak:
                    weak[base] = col
        return cls(by_norm, weak)

    def find(self, header: str) -> str | None:
        n = normalise_header(header)
        return self.by_norm.get(n) or self.weak.get(n)

    def has(self, header: str) -> bool:
        return self.find(header) is not None


@dataclass
class _Candidate:
    profile: _Profile
    mapping: dict[str, str]
    how: dict[str, str]  # canonical -> "known" | "canonical" | "guessed" | "fallback"
    ambiguous: dict[str, list[str]]
    evidence: int
    score: float
    missing: list[str]


def _ordered_columns(t: Table) -> list[str]:
    return [*t.required, *(c for c in t.column_names if c not in t.required)]


def _match(profile: _Profile, index: _Index) -> _Candidate:
    t = TABLES[profile.table]
    mapping: dict[str, str] = {}
    how: dict[str, str] = {}
    ambiguous: dict[str, list[str]] = {}
    used: set[str] = set()

    def take(canon: str, headers: Iterable[str], kind: Callable[[str], str]) -> None:
        hits: list[tuple[str, str]] = []
        for header in headers:
            col = index.find(header.lstrip("~"))
            if col is not None and col not in used and all(col != h for h, _ in hits):
                hits.append((col, kind(header)))
        if hits:
            mapping[canon], how[canon] = hits[0]
            used.add(hits[0][0])
            if len(hits) > 1:
                ambiguous[canon] = [h for h, _ in hits]

    for canon in _ordered_columns(t):
        if canon in profile.columns:
            take(canon, profile.columns[canon], lambda h: "guessed" if h[0] == "~" else "known")
    for canon in _ordered_columns(t):
        if canon not in mapping:
            synonyms = (canon, *_GENERIC[t.name].get(canon, ()))
            take(
                canon,
                synonyms,
                lambda h, c=canon: "canonical" if normalise_header(h) == c else "guessed",
            )
    for canon, headers in profile.fallbacks.items():
        if canon not in mapping:
            take(canon, headers, lambda _h: "fallback")

    evidence = sum(1 for h in dict.fromkeys(profile.evidence) if index.has(h))
    missing = [c for c in t.required if c not in mapping]
    score = 0.0
    for canon, col in mapping.items():
        score += 3 if canon in t.required else 1
        if canon in _DISTINCTIVE[t.name] and normalise_header(col) not in _SHARED_HEADERS:
            score += 2
    score += 2 * evidence - 4 * len(missing)
    return _Candidate(profile, mapping, how, ambiguous, evidence, score, missing)


def _words(file: str) -> set[str]:
    stem = Path(str(file)).name
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    tokens = normalise_header(stem).split("_")
    words = set(tokens)
    words.update(f"{a}_{b}" for a, b in itertools.pairwise(tokens))
    return words


def _sample_bonus(cand: _Candidate, sample: pl.DataFrame | None) -> float:
    """Salesforce ids carry their object's prefix: 00Q lead, 006 opportunity, 00T task."""
    if sample is None or cand.profile.crm != "salesforce":
        return 0.0
    key = TABLES[cand.profile.table].key[0]
    col = cand.mapping.get(key)
    if col is None or col not in sample.columns:
        return 0.0
    values = [str(v).strip() for v in sample.get_column(col).to_list() if v not in (None, "")]
    if not values:
        return 0.0
    own = _SF_PREFIXES[cand.profile.key]
    if sum(v.startswith(own) for v in values) >= 0.8 * len(values):
        return 5.0
    others = tuple(p for k, ps in _SF_PREFIXES.items() if k != cand.profile.key for p in ps)
    if sum(v.startswith(others) for v in values) >= 0.8 * len(values):
        return -5.0
    return 0.0


def _candidates(
    index: _Index, file: str, sample: pl.DataFrame | None, tables: Iterable[str]
) -> list[_Candidate]:
    words = _words(file)
    wanted = set(tables)
    out: list[_Candidate] = []
    for profile in _PROFILES:
        if profile.table not in wanted:
            continue
        cand = _match(profile, index)
        if profile.crm != "generic" and cand.evidence < 2:
            continue
        if words & set(_TABLE_WORDS[profile.table]) or words & set(TABLES[profile.table].aliases):
            cand.score += 4
        if profile.crm in _CRM_WORDS and words & set(_CRM_WORDS[profile.crm]):
            cand.score += 3
        cand.score += _sample_bonus(cand, sample)
        out.append(cand)
    # best first; on equal scores a CRM profile beats the generic one
    out.sort(key=lambda c: (c.score, c.profile.crm != "generic", c.evidence), reverse=True)
    return out


def _fits(cand: _Candidate) -> bool:
    t = TABLES[cand.profile.table]
    found_required = sum(1 for c in t.required if c in cand.mapping)
    return found_required >= 1 and len(cand.mapping) >= 2


# ---------------------------------------------------------------------------------------
# recognise
# ---------------------------------------------------------------------------------------


def _override_hint(table: str, canon: str, example: str = "...") -> str:
    return f'to change it, set [{table}] {canon} = "{example}" in a mapping file (--mapping)'


def _cannot_recognise(file: str, columns: Sequence[str]) -> HandoffError:
    shown = ", ".join(repr(c) for c in list(columns)[:20])
    if len(columns) > 20:
        shown += f" and {len(columns) - 20} more"
    names = ", ".join(TABLES)
    return HandoffError(
        Problem(
            f"cannot tell which table this file is: none of {names} fits its columns "
            f"({shown or 'no columns'})",
            fix=(
                f"load it with --as TABLE (one of {names}) and name its columns in a mapping "
                'file passed with --mapping, e.g. [leads] lead_id = "Your id column" and '
                'created_at = "Your date column"'
            ),
            file=file,
        )
    )


def _table_for_file(mapping: MappingFile | None, file: str) -> str | None:
    if mapping is None:
        return None
    rules = mapping.options.get("table_for_file")
    if not isinstance(rules, Mapping):
        return None
    name = Path(str(file)).name.lower()
    for pattern, table_name in rules.items():
        pat = str(pattern).lower()
        if name == pat or fnmatch.fnmatchcase(name, pat):
            return resolve_table(str(table_name))
    return None


def _resolve_entry(index: _Index, columns: Sequence[str], source: str) -> str | None:
    if source in columns:
        return source
    return index.by_norm.get(normalise_header(source))


def _mapping_sections_present(
    mapping: MappingFile, index: _Index, columns: Sequence[str]
) -> list[tuple[str, int]]:
    """Tables of the mapping file whose every named column is in the file, with entry count."""
    out: list[tuple[str, int]] = []
    for t, entries in mapping.tables.items():
        named = [s for s in entries.values() if s]
        if named and all(_resolve_entry(index, columns, s) is not None for s in named):
            out.append((t, len(named)))
    return out


def recognise(
    columns: list[str],
    *,
    file: str,
    table: str | None = None,
    sample: pl.DataFrame | None = None,
    mapping: MappingFile | None = None,
) -> Recognition:
    """Decide which canonical table ``columns`` belong to, which CRM wrote them, and map them.

    The table is, in order: ``table`` (e.g. from ``--as``; aliases accepted), the mapping
    file's ``table_for_file`` option, a mapping-file section whose every named column is
    present, else the best-scoring recognition (headers, file-name words such as "deals"
    or "Opportunity", and Salesforce id prefixes in ``sample``). A mapping file's entries
    for the chosen table win over recognition. Returns the mapping with what was guessed
    in ``notes``; required columns that were not found are listed in
    ``missing_required`` (the load then fails with that message). Raises HandoffError
    when ``table`` is not a table, when no table fits the columns, or when a mapping
    file names a column the file does not have.
    """
    columns = [str(c) for c in columns]
    index = _Index.build(columns)
    fixed: str | None = None
    how_decided = ""
    if table is not None:
        fixed = resolve_table(table)
        if fixed is None:
            raise HandoffError(
                Problem(
                    f"--as {table!r} is not a table",
                    fix=f"use one of: {', '.join(TABLES)}",
                    file=file,
                )
            )
        how_decided = "given"
    if fixed is None:
        fixed = _table_for_file(mapping, file)
        if fixed is not None:
            how_decided = "table_for_file"
    if fixed is None and mapping is not None:
        present = _mapping_sections_present(mapping, index, columns)
        if present:
            best_n = max(n for _, n in present)
            tops = [t for t, n in present if n == best_n]
            if len(tops) == 1:
                fixed = tops[0]
            else:
                ranked = _candidates(index, file, sample, tops)
                fixed = ranked[0].profile.table if ranked else tops[0]
            how_decided = "mapping"

    if fixed is not None:
        ranked = _candidates(index, file, sample, [fixed])
        best = ranked[0]
        others = _candidates(index, file, sample, [t for t in TABLES if t != fixed])
        runner_up = others[0].score if others else 0.0
    else:
        ranked = _candidates(index, file, sample, TABLES)
        best = ranked[0]
        if not _fits(best):
            raise _cannot_recognise(file, columns)
        runner_up = next((c.score for c in ranked if c.profile.table != best.profile.table), 0.0)

    return _build(best, runner_up, columns, index, file, mapping, how_decided)


def _build(
    best: _Candidate,
    runner_up: float,
    columns: Sequence[str],
    index: _Index,
    file: str,
    mapping_file: MappingFile | None,
    how_decided: str,
) -> Recognition:
    profile = best.profile
    t = TABLES[profile.table]
    mapping = dict(best.mapping)
    notes: list[str] = []
    derived: dict[str, str] = {}
    constants: dict[str, str] = {}
    explicit: set[str] = set()

    label = profile.label if profile.crm != "generic" else f"generic {t.name} file"
    decided = {
        "given": "as asked (--as)",
        "table_for_file": "as the mapping file's table_for_file says",
        "mapping": "because the mapping file names its columns",
    }.get(how_decided, "")
    notes.append(
        f"read as {t.name}: {label}"
        + (f" ({best.evidence} known headers)" if profile.crm != "generic" else "")
        + (f", {decided}" if decided else "")
    )

    crm = profile.crm
    section = mapping_file.tables.get(t.name, {}) if mapping_file is not None else {}
    section_constants = mapping_file.constants.get(t.name, {}) if mapping_file is not None else {}
    if mapping_file is not None and (section or section_constants):
        crm = "mapping file"
        problems: list[Problem] = []
        for canon, source in section.items():
            explicit.add(canon)
            if source == "":
                mapping.pop(canon, None)
                notes.append(f"{canon} is left out, as the mapping file says")
                continue
            found = _resolve_entry(index, columns, source)
            if found is None:
                shown = ", ".join(repr(c) for c in columns[:40])
                problems.append(
                    Problem(
                        f"[{t.name}] {canon} = {source!r} names a column that {file} does "
                        f"not have (its columns: {shown})",
                        fix=f"write one of the file's column names there, or remove the "
                        f"line from {mapping_file.path}",
                        file=mapping_file.path,
                        column=canon,
                    )
                )
                continue
            if found != source:
                notes.append(
                    f"mapping file: [{t.name}] {canon} = {source!r} matched the column {found!r}"
                )
            mapping[canon] = found
        if problems:
            raise HandoffError(
                problems[0]
                if len(problems) == 1
                else f"{mapping_file.path} names {len(problems)} columns that {file} does not have",
                problems if len(problems) > 1 else None,
            )
        for canon, value in section_constants.items():
            explicit.add(canon)
            mapping.pop(canon, None)
            constants[canon] = value
            derived[canon] = f"{as_written(value)} on every row (constant from the mapping file)"
        notes.append(
            f"{len(section) + len(section_constants)} {t.name} columns set by mapping file "
            f"{mapping_file.path}; the rest recognised as {label}"
        )

    for canon, how in best.how.items():
        if how == "fallback" and canon in mapping and canon not in explicit:
            derived[canon] = (
                f"{mapping[canon]!r}: the day the lead was converted, used as the SQL date "
                "because the file has no SQL date column"
            )

    rules, rule_notes = _derivations(profile, t, mapping, explicit, constants, index)
    for canon, (_rule, text) in rules.items():
        derived[canon] = text
    notes.extend(rule_notes)
    rule_map = {canon: rule for canon, (rule, _text) in rules.items()}
    guesses = [
        f"guessed {best.mapping[canon]!r} as {canon}; {_override_hint(t.name, canon)}"
        for canon, how in best.how.items()
        if how == "guessed" and canon not in explicit
    ]
    notes[1:1] = guesses
    for canon, hits in best.ambiguous.items():
        if canon in explicit or mapping.get(canon) != hits[0]:
            continue
        alternatives = [
            h for h in hits[1:] if canon not in rule_map or h not in rule_map[canon].sources
        ]
        if alternatives:
            others = ", ".join(repr(h) for h in alternatives)
            notes.append(
                f"{hits[0]!r} and {others} could all be {canon}; used {hits[0]!r}; to use "
                f'another, set [{t.name}] {canon} = "{alternatives[0]}" in a mapping file '
                "(--mapping)"
            )
    for canon, rule in rule_map.items():
        if rule.fill and rule.sources and canon not in mapping:
            mapping[canon] = rule.sources[0]

    provided = set(mapping) | set(constants) | set(rule_map)
    missing = [c for c in t.required if c not in provided]
    used = set(mapping.values()) | {s for r in rule_map.values() for s in r.sources}
    unmapped = [c for c in columns if c not in used]

    confidence = _confidence(best, runner_up, t, missing, how_decided, crm)
    return Recognition(
        table=t.name,
        crm=crm,
        mapping=mapping,
        derived=derived,
        confidence=confidence,
        notes=notes,
        unmapped=unmapped,
        missing_required=missing,
        constants=constants,
        rules=rule_map,
        file=file,
    )


def _confidence(
    best: _Candidate,
    runner_up: float,
    t: Table,
    missing: list[str],
    how_decided: str,
    crm: str,
) -> float:
    """0..1: half for the required columns found, 0.3 for CRM evidence, 0.2 for the margin."""
    required_share = 1 - len(missing) / len(t.required) if t.required else 1.0
    if crm == "mapping file" and not missing:
        return 1.0
    if best.profile.crm != "generic":
        evidence = 0.3 * min(best.evidence, 4) / 4
    else:
        evidence = 0.3 * min(len(best.mapping), 5) / 5
    if how_decided:
        margin = 0.2
    elif best.score <= 0:
        margin = 0.0
    else:
        margin = 0.2 * max(0.0, min(1.0, (best.score - max(runner_up, 0.0)) / best.score))
    return round(max(0.0, min(1.0, 0.5 * required_share + evidence + margin)), 2)


def _derivations(
    profile: _Profile,
    t: Table,
    mapping: dict[str, str],
    explicit: set[str],
    constants: dict[str, str],
    index: _Index,
) -> tuple[dict[str, tuple[Derivation, str]], list[str]]:
    """Rules computing canonical columns from the final mapping (see ``Derivation``)."""
    rules: dict[str, tuple[Derivation, str]] = {}
    notes: list[str] = []

    def absent(canon: str) -> bool:
        return canon not in mapping and canon not in constants and canon not in explicit

    def lookup(headers: Sequence[str]) -> str | None:
        for h in headers:
            col = index.find(h)
            if col is not None:
                return col
        return None

    # Association columns list several ids: keep the first.
    for canon in ("lead_id", "contact_id"):
        src = mapping.get(canon)
        if src and re.search(r"(^|_)associated_.*ids?$", normalise_header(src)):
            rules[canon] = (
                Derivation("first_id", (src,)),
                f"first id listed in {src!r} (several ids are separated by ';' or ',')",
            )

    if t.name == "deals":
        stage = mapping.get("stage")
        if stage:
            # A generic file's stages may use words this table does not know: when none of
            # its stages reads as won or lost, the flags are left unknown, not false.
            strict = "strict" if profile.crm == "generic" else None
            unknown = "; unknown on every row if no stage reads as won or lost" if strict else ""
            if absent("is_won"):
                rules["is_won"] = (
                    Derivation("won_from_stage", (stage,), value=strict, fill=True),
                    f"true where {stage!r} is 'Closed Won' (HubSpot internal 'closedwon', "
                    f"'Won', 'Thắng', 'Thành công'), false for the other stages{unknown}",
                )
            if absent("is_closed"):
                rules["is_closed"] = (
                    Derivation("closed_from_stage", (stage,), value=strict, fill=True),
                    f"true where {stage!r} is won or 'Closed Lost' ('closedlost', 'Lost', "
                    f"'Thua', 'Thất bại', 'Hủy'), false for the other stages{unknown}",
                )
        close = mapping.get("closed_at")
        if profile.crm in ("hubspot", "salesforce") and close and "closed_at" not in constants:
            flag = mapping.get("is_closed")
            if flag:
                rules["closed_at"] = (
                    Derivation("when_closed_flag", (close, flag)),
                    f"{close!r} where {flag!r} is true (on an open deal it is only the "
                    "expected close date)",
                )
            elif stage:
                rules["closed_at"] = (
                    Derivation("when_closed_stage", (close, stage)),
                    f"{close!r} where {stage!r} is closed won or closed lost (on an open "
                    "deal it is only the expected close date)",
                )
        if profile.key == "hubspot_deals" and "lead_id" not in mapping:
            named = index.find("Associated Contact")
            if named is not None:
                notes.append(
                    f"{named!r} holds contact names, not ids, so deals are not linked to "
                    "leads: export the deals with 'Associated Contact IDs', or set "
                    '[deals] lead_id = "..." in a mapping file (--mapping)'
                )
        if profile.key == "salesforce_opportunity":
            notes.append(
                "Salesforce opportunities carry no lead id: they are linked to leads "
                "through the leads' ConvertedOpportunityId (converted_deal_id)"
            )

    if t.name == "leads":
        status = mapping.get("status")
        if profile.key in ("salesforce_lead", "hubspot_contacts") and status:
            if absent("rejected_at"):
                modified = lookup(_LAST_MODIFIED)
                if modified is not None:
                    which = (
                        "Lead Status is 'Unqualified'"
                        if profile.crm == "hubspot"
                        else f"{status!r} reads as disqualified ({_REJECTED_EXAMPLES})"
                    )
                    rules["rejected_at"] = (
                        Derivation("when_rejected", (modified, status), fill=True),
                        f"{modified!r} where {which}; it is the record's last change, so "
                        "it dates the rejection approximately",
                    )
                else:
                    notes.append(
                        f"{status!r} shows rejected leads but the file has no date to time "
                        "them: export 'Last Modified Date' too, or set [leads] rejected_at "
                        '= "..." in a mapping file (--mapping)'
                    )
            has_rejection = "rejected_at" in rules or "rejected_at" in mapping
            if has_rejection and absent("rejection_reason"):
                rules["rejection_reason"] = (
                    Derivation("rejection_text", (status,), fill=True),
                    f"the text of {status!r} on rejected leads (the file has no rejection "
                    "reason column)",
                )
        temp = mapping.get("temperature")
        if temp:
            rules["temperature"] = (
                Derivation("temperature", (temp,)),
                f"{temp!r} read as hot / warm / cold (nóng / ấm / lạnh too)",
            )

    if t.name == "activities":
        direction = mapping.get("direction")
        if direction:
            rules["direction"] = (
                Derivation("direction", (direction,)),
                f"{direction!r} read as inbound / outbound (gọi đến / gọi đi too)",
            )
        if profile.key == "hubspot_calls" and absent("type"):
            rules["type"] = (
                Derivation("constant", (), value="call", fill=True),
                "'call' on every row: every row of a HubSpot calls export is a call",
            )
        kind = mapping.get("type")
        if kind and "type" not in constants:
            second = lookup(_TYPE_COLUMNS) if profile.key == "salesforce_task" else None
            if second is not None and second != kind:
                rules["type"] = (
                    Derivation("activity_type", (kind, second)),
                    f"{kind!r} (Call, Email, ...) in lower case, or {second!r} where "
                    f"{kind!r} is empty or 'Task'",
                )
            else:
                rules["type"] = (
                    Derivation("activity_type", (kind,)),
                    f"{kind!r} read as call / email / meeting / sms / chat / zalo ... (lower case)",
                )
        if profile.key == "salesforce_task" and "occurred_at" not in explicit:
            first = mapping.get("occurred_at")
            created = lookup(("CreatedDate", "Created Date"))
            if first and created and first != created:
                rules["occurred_at"] = (
                    Derivation("coalesce", (first, created), fill=True),
                    f"{first!r}, or {created!r} where {first!r} is empty",
                )
        if profile.key == "salesforce_task" and "lead_id" not in explicit:
            first = mapping.get("lead_id")
            contact = lookup(("Contact ID",))
            if first and contact and first != contact:
                rules["lead_id"] = (
                    Derivation("coalesce", (first, contact), fill=True),
                    f"{first!r}, or {contact!r} where {first!r} is empty (contacts are "
                    "matched to leads through converted_contact_id)",
                )
    return rules, notes


# ---------------------------------------------------------------------------------------
# apply_mapping
# ---------------------------------------------------------------------------------------


def _text(col: str) -> pl.Expr:
    return pl.col(col).cast(pl.String)


def _blank(col: str) -> pl.Expr:
    return _text(col).str.strip_chars().fill_null("") == ""


def _values_where(frame: pl.DataFrame, col: str, predicate: Callable[[str], bool]) -> list[str]:
    values = frame.get_column(col).cast(pl.String).unique().drop_nulls().to_list()
    return [v for v in values if predicate(v)]


def _recode(frame: pl.DataFrame, col: str, fn: Callable[[str], str]) -> pl.Expr:
    values = frame.get_column(col).cast(pl.String).unique().drop_nulls().to_list()
    table = {v: fn(v) for v in values}
    changed = {k: v for k, v in table.items() if k != v}
    return _text(col).replace(changed) if changed else _text(col)


def _rule_expr(frame: pl.DataFrame, rule: Derivation) -> pl.Expr:
    s = rule.sources
    if rule.kind == "constant":
        return pl.lit(rule.value, dtype=pl.String)
    if rule.kind == "first_id":
        return _text(s[0]).str.extract(r"^[\s;,]*([^;,]*[^;,\s])", 1)
    if rule.kind in ("won_from_stage", "closed_from_stage"):
        won = _values_where(frame, s[0], _is_won_stage)
        lost = _values_where(frame, s[0], _is_lost_stage)
        if rule.value == "strict" and not won and not lost:
            return pl.lit(None, dtype=pl.String)
        hit = won if rule.kind == "won_from_stage" else won + lost
        return (
            pl.when(_blank(s[0]))
            .then(pl.lit(None, dtype=pl.String))
            .when(_text(s[0]).is_in(hit))
            .then(pl.lit("true"))
            .otherwise(pl.lit("false"))
        )
    if rule.kind == "when_closed_flag":
        flag = _text(s[1]).str.strip_chars().str.to_lowercase().is_in(list(_TRUE_WORDS))
        return pl.when(flag).then(pl.col(s[0])).otherwise(None)
    if rule.kind == "when_closed_stage":
        closed = _values_where(frame, s[1], lambda v: _is_won_stage(v) or _is_lost_stage(v))
        return pl.when(_text(s[1]).is_in(closed)).then(pl.col(s[0])).otherwise(None)
    if rule.kind == "when_rejected":
        rejected = _values_where(frame, s[1], _is_rejected_status)
        return pl.when(_text(s[1]).is_in(rejected)).then(pl.col(s[0])).otherwise(None)
    if rule.kind == "rejection_text":
        rejected = _values_where(frame, s[0], _is_rejected_status)
        return pl.when(_text(s[0]).is_in(rejected)).then(_text(s[0])).otherwise(None)
    if rule.kind == "temperature":
        return _recode(frame, s[0], _temperature)
    if rule.kind == "direction":
        return _recode(frame, s[0], _direction)
    if rule.kind == "activity_type":
        if len(s) == 1:
            return pl.when(_blank(s[0])).then(None).otherwise(_recode(frame, s[0], _activity_type))
        primary = _recode(frame, s[0], _activity_type)
        secondary = _recode(frame, s[1], _activity_type)
        use_second = _blank(s[0]) | (primary == "task")
        return (
            pl.when(use_second & ~_blank(s[1]))
            .then(secondary)
            .when(_blank(s[0]))
            .then(None)
            .otherwise(primary)
        )
    if rule.kind == "coalesce":
        parts = [pl.when(_blank(c)).then(None).otherwise(_text(c)) for c in s]
        return pl.coalesce(parts)
    raise ValueError(f"unknown derivation {rule.kind!r}")


def apply_mapping(frame: pl.DataFrame, rec: Recognition) -> pl.DataFrame:
    """Return ``frame`` with canonical column names: only mapped, derived and constant ones.

    Values stay raw (text as read, derived flags as "true"/"false") for the canonical
    parser; row order and row count are preserved. Columns come in the schema's order,
    then segment columns. Raises HandoffError when a mapped column is not in ``frame``.
    """
    t = TABLES[rec.table]
    from_rules = [s for r in rec.rules.values() for s in r.sources]
    needed = list(dict.fromkeys([*rec.mapping.values(), *from_rules]))
    absent = [c for c in needed if c not in frame.columns]
    if absent:
        raise HandoffError(
            Problem(
                f"has no column {', '.join(repr(c) for c in absent)} although the mapping "
                f"for {rec.table} uses it",
                fix="check the mapping file, or export the file again with that column",
                file=rec.file or None,
            )
        )
    order = [c for c in t.column_names if c in rec.mapping or c in rec.rules or c in rec.constants]
    order += [
        c
        for c in [*rec.mapping, *rec.constants]
        if c.startswith(SEGMENT_PREFIX) and c not in order and t.has_column(c)
    ]
    exprs: list[pl.Expr] = []
    for canon in order:
        if canon in rec.constants:
            expr = pl.lit(rec.constants[canon], dtype=pl.String)
        elif canon in rec.rules:
            expr = _rule_expr(frame, rec.rules[canon])
        else:
            expr = pl.col(rec.mapping[canon])
        exprs.append(expr.alias(f"\x00{canon}"))
    out = frame.with_columns(exprs) if exprs else frame
    return out.select([pl.col(f"\x00{c}").alias(c) for c in order])


# ---------------------------------------------------------------------------------------
# Mapping files
# ---------------------------------------------------------------------------------------

_OPTIONS: dict[str, str] = {
    "date_order": 'day/month order of slash dates: "dmy" or "mdy"',
    "timezone": 'IANA time zone of dates that carry none, e.g. "Asia/Ho_Chi_Minh"',
    "decimal": 'decimal separator of amounts: "." or ","',
    "currency": 'ISO currency of amounts that carry none, e.g. "VND"',
    "personal_data": '"hash" or "drop" e-mail and phone after de-duplication',
    "duplicate_source": 'whose source a merged duplicate lead keeps: "first" or "latest"',
    "missing_created_at": 'date for rows with no created date: "load_date" or "YYYY-MM-DD"',
    "sheet": "sheet of a workbook to read: its name or 0-based number",
    "encoding": 'text encoding of CSV files, e.g. "utf-8" or "cp1258"',
    "delimiter": 'CSV field separator, e.g. ";"',
    "header_row": "1-based row that holds the column names",
    "table_for_file": 'table per file name or pattern: { "Leads.csv" = "leads" }',
}


def _mapping_error(path: str, message: str, fix: str, column: str | None = None) -> HandoffError:
    return HandoffError(Problem(message, fix=fix, file=path, column=column))


def _check_option(path: str, key: str, value: object) -> object:
    def bad(expected: str) -> HandoffError:
        return _mapping_error(
            path,
            f"[options] {key} = {as_written(value)} is not valid",
            f"give {expected}",
        )

    if key == "date_order":
        if value not in ("", "dmy", "mdy"):
            raise bad('"dmy" or "mdy"')
    elif key == "decimal":
        if value not in ("", ".", ","):
            raise bad('"." or ","')
    elif key == "personal_data":
        if value not in ("hash", "drop"):
            raise bad('"hash" or "drop"')
    elif key == "duplicate_source":
        if value not in ("first", "latest"):
            raise bad('"first" or "latest"')
    elif key == "missing_created_at":
        # an unquoted TOML date (missing_created_at = 2026-03-01) is read as that date
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            value = value.isoformat()
        if not valid_created_fill(value):
            raise bad('"load_date" or a date written YYYY-MM-DD')
    elif key == "currency":
        code = currencies.normalise(value) if isinstance(value, str) else None
        if code is None:
            near = currencies.close_matches(value) if isinstance(value, str) else []
            hint = f" (did you mean {' or '.join(near)}?)" if near else ""
            raise bad(currencies.FORM + hint)
        return code
    elif key == "timezone":
        if not isinstance(value, str):
            raise bad("an IANA time zone such as Asia/Ho_Chi_Minh")
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise bad("an IANA time zone such as Asia/Ho_Chi_Minh") from None
    elif key == "sheet":
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise bad("a sheet name or a 0-based sheet number")
    elif key == "header_row":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise bad("a row number ≥ 1")
    elif key == "table_for_file":
        if not isinstance(value, dict):
            raise bad('a table such as { "Leads.csv" = "leads" }')
        out: dict[str, str] = {}
        for pattern, name in value.items():
            resolved = resolve_table(str(name)) if isinstance(name, str) else None
            if resolved is None:
                raise _mapping_error(
                    path,
                    f"[options.table_for_file] {as_written(pattern)} = {as_written(name)} "
                    "is not a table",
                    f"use one of: {', '.join(TABLES)}",
                )
            out[str(pattern)] = resolved
        return out
    elif not isinstance(value, str):
        raise bad("text")
    return value


def valid_created_fill(value: object) -> bool:
    """True for a ``missing_created_at`` value: "load_date", "" or a YYYY-MM-DD date."""
    if value in ("", "load_date"):
        return True
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return False
    # the date is stored on rows: it must be a date a workspace can store
    return FIRST_DATE <= day <= LAST_DATE


def load_mapping(path: str | Path) -> MappingFile:
    """Read and validate a TOML mapping file (format in the module docstring).

    Raises HandoffError naming the file and the fix when it cannot be read, is not valid
    TOML (with the line), names an unknown table, option or canonical column (listing
    the valid names), or gives a value that is neither a column name nor ``{ value = ...}``.
    """
    p = Path(path)
    where = str(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise _mapping_error(
            where,
            f"mapping file cannot be read ({exc.strerror or exc})",
            "check the path given to --mapping",
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _mapping_error(
            where, "mapping file is not UTF-8 text", "save it again as UTF-8"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        line = f" on line {found.group(1)}" if found else ""
        raise _mapping_error(
            where,
            f"mapping file is not valid TOML{line}: {exc}",
            'write one entry per line as canonical_column = "Source column", under a '
            "[table] header",
        ) from None

    tables: dict[str, dict[str, str]] = {}
    constants: dict[str, dict[str, str]] = {}
    options: dict[str, object] = {}
    for key, value in data.items():
        if key == "options":
            if not isinstance(value, dict):
                raise _mapping_error(
                    where, "options must be a [options] section", "write [options] on its own line"
                )
            for opt, opt_value in value.items():
                if opt not in _OPTIONS:
                    known = "; ".join(f"{k}: {v}" for k, v in _OPTIONS.items())
                    raise _mapping_error(
                        where,
                        f"[options] has an unknown option {opt!r}",
                        f"use one of {known}",
                    )
                options[opt] = _check_option(where, opt, opt_value)
            continue
        name = resolve_table(key)
        if name is None:
            raise _mapping_error(
                where,
                f"[{key}] is not a table",
                f"use one of: {', '.join(TABLES)} (or [options])",
            )
        if not isinstance(value, dict):
            raise _mapping_error(
                where,
                f"{key} must be a section: [{key}] followed by lines such as "
                f'{TABLES[name].key[0]} = "Your column"',
                f"write [{key}] on its own line",
            )
        t = TABLES[name]
        section = tables.setdefault(name, {})
        fixed = constants.setdefault(name, {})
        for canon, source in value.items():
            if t.extra_prefix and str(canon).startswith(t.extra_prefix) and not is_safe(canon):
                # a segment key becomes a column name in SQL: only a strict pattern passes
                raise _mapping_error(
                    where,
                    f"[{key}] {canon!r} cannot be a column name",
                    f"rename the key to {NAME_RULE}, e.g. {suggest(canon)!r}",
                    column=canon,
                )
            if not t.has_column(canon):
                segment = (
                    f", or {SEGMENT_PREFIX}<name> for a segment column" if t.extra_prefix else ""
                )
                raise _mapping_error(
                    where,
                    f"[{key}] {canon} is not a column of {name}",
                    f"use one of: {', '.join(t.column_names)}{segment}",
                    column=canon,
                )
            if canon in section or canon in fixed:
                raise _mapping_error(
                    where,
                    f"{name}.{canon} is set twice",
                    "keep one of the lines",
                    column=canon,
                )
            if isinstance(source, str):
                section[canon] = source
            elif (
                isinstance(source, dict)
                and set(source) == {"value"}
                and isinstance(source["value"], (str, int, float, bool))
            ):
                v = source["value"]
                fixed[canon] = str(v).lower() if isinstance(v, bool) else str(v)
            else:
                raise _mapping_error(
                    where,
                    f"[{key}] {canon} = {as_written(source)} is neither a column name nor a "
                    "constant",
                    f'write {canon} = "Column name", or {canon} = {{ value = "constant" }}',
                    column=canon,
                )
    tables = {k: v for k, v in tables.items() if v or constants.get(k)}
    constants = {k: v for k, v in constants.items() if v}
    return MappingFile(path=where, tables=tables, options=options, constants=constants)


_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _toml_string(value: str) -> str:
    out = ['"']
    for ch in value:
        code = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else _toml_string(key)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return _toml_string(str(value))


def save_mapping(
    path: str | Path,
    recognitions: list[Recognition],
    options: dict | None = None,
) -> None:
    """Write the recognitions' mappings as a TOML mapping file that ``load_mapping`` reads back.

    Written per table: every column taken from the file (including ones re-read by a
    rule, e.g. a HubSpot close date) and every constant; columns a rule fills from others
    (e.g. is_won from the deal stage) are left for recognition to derive again. The file
    name of each recognition is recorded in ``table_for_file``. Raises HandoffError when
    two recognitions of one table map a column differently (save them to separate files).
    """
    tables: dict[str, dict[str, str]] = {}
    fixed: dict[str, dict[str, str]] = {}
    table_for_file: dict[str, str] = {}
    opts: dict[str, object] = dict(options or {})
    for rec in recognitions:
        section = tables.setdefault(rec.table, {})
        consts = fixed.setdefault(rec.table, {})
        entries = {
            canon: src
            for canon, src in rec.mapping.items()
            if not (canon in rec.rules and rec.rules[canon].fill)
        }
        for canon, src in entries.items():
            if section.get(canon, src) != src:
                raise HandoffError(
                    Problem(
                        f"{rec.table}.{canon} comes from {section[canon]!r} in one file and "
                        f"{src!r} in another, which one mapping file cannot say",
                        fix="save one mapping file per file layout",
                        file=str(path),
                    )
                )
            section[canon] = src
        for canon, value in rec.constants.items():
            if consts.get(canon, value) != value:
                raise HandoffError(
                    Problem(
                        f"{rec.table}.{canon} is the constant {consts[canon]!r} in one file "
                        f"and {value!r} in another",
                        fix="save one mapping file per file layout",
                        file=str(path),
                    )
                )
            consts[canon] = value
        if rec.file:
            table_for_file[Path(rec.file).name] = rec.table
    existing = opts.get("table_for_file")
    files: dict[str, str] = dict(existing) if isinstance(existing, Mapping) else {}
    files.update(table_for_file)
    opts.pop("table_for_file", None)

    lines = [
        "# Handoff mapping file: which column of your export feeds each canonical column.",
        '# Load it with --mapping. Format: under [table], canonical_column = "Your column";',
        '# canonical_column = { value = "constant" } writes a constant; "" leaves a column out.',
        "# [options] holds reading options (date_order, timezone, decimal, currency, ...).",
        "",
    ]
    if opts or files:
        lines.append("[options]")
        for key, value in opts.items():
            lines.append(f"{_toml_key(str(key))} = {_toml_value(value)}")
        lines.append("")
        if files:
            lines.append("[options.table_for_file]")
            for pattern, name in files.items():
                lines.append(f"{_toml_key(str(pattern))} = {_toml_value(name)}")
            lines.append("")
    for name in TABLES:
        section = tables.get(name, {})
        consts = fixed.get(name, {})
        if not section and not consts:
            continue
        lines.append(f"[{name}]")
        for canon in [*TABLES[name].column_names, *sorted(section), *sorted(consts)]:
            if canon in section:
                lines.append(f"{_toml_key(canon)} = {_toml_value(section.pop(canon))}")
            elif canon in consts:
                lines.append(f"{_toml_key(canon)} = {{ value = {_toml_value(consts.pop(canon))} }}")
        lines.append("")
    Path(path).write_text("\n".join(lines), encoding="utf-8")
