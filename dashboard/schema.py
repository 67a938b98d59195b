"""The canonical data model: every uploaded file is mapped onto these tables.

This module is the single source of truth for table names, column names, their
types and which of them are required. Readers, the column mapper, validation,
the workspace and the metrics all import from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["id", "text", "timestamp", "date", "number", "bool", "hash"]

# DuckDB type for each kind of canonical column. Timestamps are stored as naive
# TIMESTAMP values that are always UTC (the data time zone is applied on load).
DUCKDB_TYPES: dict[str, str] = {
    "id": "VARCHAR",
    "text": "VARCHAR",
    "timestamp": "TIMESTAMP",
    "date": "DATE",
    "number": "DOUBLE",
    "bool": "BOOLEAN",
    "hash": "VARCHAR",
}


@dataclass(frozen=True)
class Column:
    """One canonical column: its name, kind, whether a file must provide it, and meaning."""

    name: str
    kind: Kind
    description: str
    required: bool = False
    personal: bool = False  # personal data: used to de-duplicate, never stored raw


@dataclass(frozen=True)
class Table:
    """One canonical table. ``key`` lists the columns that identify a row (for append)."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    optional: bool = False
    extra_prefix: str | None = None  # mapped columns "<prefix>name" are kept as text segments
    aliases: tuple[str, ...] = field(default=())

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        if self.extra_prefix and name.startswith(self.extra_prefix):
            return Column(name, "text", "segment column from the source file")
        raise KeyError(f"{self.name} has no column {name!r}")

    def has_column(self, name: str) -> bool:
        try:
            self.column(name)
        except KeyError:
            return False
        return True


SEGMENT_PREFIX = "segment_"

LEADS = Table(
    name="leads",
    description="One row per lead (person or company that left contact details).",
    key=("lead_id",),
    extra_prefix=SEGMENT_PREFIX,
    aliases=("lead", "contacts", "contact", "mql", "mqls"),
    columns=(
        Column("lead_id", "id", "Unique id of the lead in the source CRM.", required=True),
        Column("created_at", "timestamp", "When the lead first left contact details.", True),
        Column("source", "text", "Acquisition source / channel (e.g. Facebook Ads)."),
        Column("campaign", "text", "Marketing campaign that produced the lead."),
        Column("owner", "text", "Sales rep the lead is assigned to."),
        Column("lead_score", "number", "Marketing lead score (higher = better)."),
        Column("mql_at", "timestamp", "When marketing qualified the lead (MQL)."),
        Column("handed_off_at", "timestamp", "When the lead was routed to a sales owner."),
        Column("accepted_at", "timestamp", "When sales accepted the lead (SAL)."),
        Column("rejected_at", "timestamp", "When sales rejected / disqualified the lead."),
        Column("rejection_reason", "text", "Why sales rejected the lead."),
        Column("sql_at", "timestamp", "When sales qualified the lead as a real opportunity."),
        Column("status", "text", "Lead status as the CRM last showed it."),
        Column("lifecycle_stage", "text", "Lifecycle stage as the CRM last showed it."),
        Column("temperature", "text", "Cold / warm / hot."),
        Column("bant_budget", "bool", "BANT: budget confirmed."),
        Column("bant_authority", "bool", "BANT: talking to the decision maker."),
        Column("bant_need", "bool", "BANT: need confirmed."),
        Column("bant_timeline", "bool", "BANT: purchase timeline confirmed."),
        Column("country", "text", "Country of the lead."),
        Column("region", "text", "Region, state or province."),
        Column("city", "text", "City."),
        Column("industry", "text", "Industry of the lead's company."),
        Column("company_size", "text", "Company size band."),
        Column("job_title", "text", "Job title of the contact."),
        Column("converted_deal_id", "id", "Deal created from this lead (Salesforce-style link)."),
        Column("converted_contact_id", "id", "Contact created from this lead on conversion."),
        Column("email", "text", "E-mail (personal; only used to de-duplicate).", personal=True),
        Column("phone", "text", "Phone (personal; only used to de-duplicate).", personal=True),
        Column("email_hash", "hash", "Salted SHA-256 of the normalised e-mail."),
        Column("phone_hash", "hash", "Salted SHA-256 of the normalised phone number."),
    ),
)

DEALS = Table(
    name="deals",
    description="One row per deal / opportunity.",
    key=("deal_id",),
    aliases=("deal", "opportunities", "opportunity", "closed_deals"),
    columns=(
        Column("deal_id", "id", "Unique id of the deal.", required=True),
        Column("created_at", "timestamp", "When the deal was created.", required=True),
        Column("lead_id", "id", "Lead the deal came from (may be empty)."),
        Column("deal_name", "text", "Name of the deal."),
        Column("closed_at", "timestamp", "When the deal was closed (won or lost)."),
        Column("stage", "text", "Deal stage as the CRM shows it."),
        Column("is_won", "bool", "True when the deal was closed won."),
        Column("is_closed", "bool", "True when the deal is closed (won or lost)."),
        Column("amount", "number", "Deal amount in `currency`."),
        Column("currency", "text", "ISO currency code of the amount."),
        Column("owner", "text", "Sales rep who owns the deal."),
        Column("source", "text", "Source recorded on the deal."),
        Column("contact_id", "id", "Contact the deal is associated with (CRM link)."),
    ),
)

ACTIVITIES = Table(
    name="activities",
    description="One row per sales activity (call, e-mail, meeting, message...).",
    key=("activity_id",),
    aliases=("activity", "tasks", "task", "calls", "engagements", "events"),
    columns=(
        Column("activity_id", "id", "Id of the activity (derived from its content if absent)."),
        Column("lead_id", "id", "Lead the activity was made on.", required=True),
        Column("occurred_at", "timestamp", "When the activity happened.", required=True),
        Column("type", "text", "call, email, meeting, sms, chat, zalo, ..."),
        Column("direction", "text", "outbound or inbound."),
        Column("outcome", "text", "connected, no answer, voicemail, replied, ..."),
        Column("owner", "text", "Sales rep who made the activity."),
        Column("subject", "text", "Subject line or short description."),
    ),
)

SPEND = Table(
    name="spend",
    description="Marketing spend per period, source and campaign.",
    key=("period", "source", "campaign"),
    optional=True,
    aliases=("costs", "cost", "budget", "ad_spend"),
    columns=(
        Column("period", "date", "First day of the day or month the spend covers.", True),
        Column("period_grain", "text", "'day' or 'month' (derived when absent)."),
        Column("source", "text", "Acquisition source / channel."),
        Column("campaign", "text", "Campaign."),
        Column("amount", "number", "Amount spent in `currency`.", required=True),
        Column("currency", "text", "ISO currency code of the amount."),
    ),
)

STAGE_HISTORY = Table(
    name="stage_history",
    description="Long-form lead stage changes, pivoted into the stage timestamps of leads.",
    key=("lead_id", "stage", "entered_at"),
    optional=True,
    aliases=("stages", "lead_history", "history"),
    columns=(
        Column("lead_id", "id", "Lead whose stage changed.", required=True),
        Column("stage", "text", "Stage entered (MQL, SAL, SQL, rejected, ...).", required=True),
        Column("entered_at", "timestamp", "When the stage was entered.", required=True),
        Column("reason", "text", "Reason given for the change (e.g. rejection reason)."),
    ),
)

TABLES: dict[str, Table] = {t.name: t for t in (LEADS, DEALS, ACTIVITIES, SPEND, STAGE_HISTORY)}

# Order in which tables are written in one load, so links can be resolved.
LOAD_ORDER: tuple[str, ...] = ("leads", "stage_history", "deals", "activities", "spend")

# Canonical stage columns on leads, in funnel order, and the stage names of a
# stage-history file that fill them.
STAGE_COLUMNS: dict[str, str] = {
    "mql": "mql_at",
    "handed_off": "handed_off_at",
    "accepted": "accepted_at",
    "rejected": "rejected_at",
    "sql": "sql_at",
}


def table(name: str) -> Table:
    """Return the canonical table called ``name``; raise KeyError with the valid names."""
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"unknown table {name!r}; expected one of {', '.join(TABLES)}") from None


def stored_columns(t: Table) -> list[Column]:
    """Columns as stored in the workspace: personal columns are never stored raw."""
    return [c for c in t.columns if not c.personal]
