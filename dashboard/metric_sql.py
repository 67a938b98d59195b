"""The parts of metric SQL built from the workspace's schema, for every engine.

Only identifiers are put into SQL here: column names from the leads table's own schema
that pass the strict pattern of :mod:`dashboard.identifiers`, each quoted. Values are
never pasted in; they are bound by the engine that runs the SQL.
"""

from __future__ import annotations

import re

from dashboard import identifiers

# Dimensions any lead-level metric can be broken down by, besides the segment columns.
BASE_DIMENSIONS = ("source", "campaign", "owner", "month")
SEGMENT_COLUMNS = (
    "country",
    "region",
    "city",
    "industry",
    "company_size",
    "job_title",
    "temperature",
    "status",
    "lifecycle_stage",
)


def dimensions_of(cols: list[str]) -> list[str]:
    """Dimensions ``--by`` accepts for a leads table with columns ``cols`` (any engine)."""
    # a stored name outside the safe pattern (written before names were checked) is never
    # offered, so it never reaches the CASE below
    segs = [
        c
        for c in (
            *SEGMENT_COLUMNS,
            *sorted(c for c in cols if c.startswith("segment_") and identifiers.is_safe(c)),
        )
    ]
    return [*BASE_DIMENSIONS, *(c for c in segs if c in cols)]


def case_sql(variable: str, leads_columns: list[str]) -> str:
    """CASE over getvariable(variable) picking a leads column by name (from the schema)."""
    cols = set(leads_columns)
    arms = []
    for dim in dimensions_of(leads_columns):
        if dim == "month":
            # the cohort month on the team's clock (data_timezone), as lead_facts cuts it
            expr = (
                "strftime(timezone(getvariable('data_timezone'), timezone('UTC', "
                "case when getvariable('cohort_basis') = 'mql' then mql_at_eff "
                "else created_at end)), '%Y-%m')"
            )
        elif dim in cols:
            expr = f"cast({identifiers.quote(dim)} as varchar)"
        else:
            continue
        literal = "'" + dim.replace("'", "''") + "'"
        arms.append(f"when {literal} then {expr}")
    return f"case getvariable('{variable}') {' '.join(arms)} end"


# The leads columns attribute_lift describes leads by (besides the score band): the
# canonical ones known before sales works a lead, and every segment_* column.
ATTRIBUTE_PATTERN = re.compile(
    r"^(source|campaign|temperature|bant_budget|bant_authority|bant_need|bant_timeline"
    r"|country|region|city|industry|company_size|job_title|segment_.+)$"
)


def fill_staging(view: str, sql: str, leads_columns: list[str]) -> str:
    """Staging view ``view``'s SQL with its schema-built CASE expressions filled in."""
    if view == "lead_facts":
        sql = sql.replace("{dimension}", case_sql("breakdown", leads_columns)).replace(
            "{segment}", case_sql("segment_column", leads_columns)
        )
    return sql


def fill_metric(sql: str, leads_columns: list[str]) -> str:
    """A metric's SQL with its column lists filled in from the leads table's schema.

    Only identifiers that pass the strict pattern are used, each quoted; values are never
    pasted in.
    """
    attrs = [c for c in leads_columns if ATTRIBUTE_PATTERN.match(c) and identifiers.is_safe(c)]
    quoted = [identifiers.quote(c) for c in attrs]
    if "{attribute_columns}" in sql:
        if not attrs:
            # no describing column at all: the score band alone
            sql = sql.replace("{attribute_columns},", "").replace("{attribute_names}, ", "")
        sql = sql.replace(
            "{attribute_columns}", ", ".join(f"cast({q} as varchar) as {q}" for q in quoted)
        ).replace("{attribute_names}", ", ".join(quoted))
    return sql
