"""Metrics: finds ``queries/*.sql`` with their metadata, binds parameters, runs them.

A metric is one SQL file in ``queries/`` (its stem is the metric's name everywhere) and a
TOML file beside it with its description, grain, parameters, output columns and the
canonical columns it needs. Shared staging views in ``queries/staging/`` hold the
definitions every metric uses (the lead's stages, its cohort, its follow-up, the deals
with their money in the reporting currency and when they were won, the funnel's stage
list).

Values are always bound: metric SQL uses ``$name`` parameters; staging views read the same
values as DuckDB session variables, set here with bound ``SET VARIABLE`` statements. The
only text put into SQL are column identifiers taken from the workspace's own schema (for
``--by`` and the segment filter).

The dataclasses a metric is described and answered with (``Metric``, ``Filters``,
``Result``, ``Answer``) live in :mod:`dashboard.metric_types`; use them from here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from dashboard import identifiers, shipped
from dashboard import settings as settings_mod
from dashboard.errors import HandoffError, MissingInputsError, Problem
from dashboard.metric_sql import (
    BASE_DIMENSIONS,  # noqa: F401  (re-exported: the dimensions every page offers)
    SEGMENT_COLUMNS,  # noqa: F401  (re-exported)
    dimensions_of,
    fill_metric,
    fill_staging,
)
from dashboard.metric_types import UNITS, Answer, Filters, Metric, Result

QUERIES_DIR = shipped("queries")
# Staging views that read session variables, in the order they are created (a view only
# reads views before it).
STAGING_ORDER = (
    "deal_base",
    "lead_base",
    "attempts",
    "touch_counts",
    "touch_base",
    "lead_facts",
    "touch_facts",
)
# Staging lists that read nothing (fixed rows), created before the views.
STAGING_LISTS = ("funnel_stages",)
# Every staging view in queries/staging/, in the order they are created.
STAGING_VIEWS = (*STAGING_LISTS, *STAGING_ORDER)
# Per-lead staging that depends on settings only (not on filters). The workspace keeps a
# copy built with its stored settings at every load and settings change, so a metric only
# filters those rows instead of re-reading every activity.
CACHE_TABLES = {"lead_base": "cache_lead_base", "touch_counts": "cache_touch_counts"}
# The staging views the cached tables are computed from (themselves included): their SQL
# is in the cache key, so a change to any of them recomputes the cache.
CACHE_SOURCES = ("deal_base", "lead_base", "attempts", "touch_counts")
# The values each cached table is computed with. A per-call override (``--set``, the
# settings preview) of a value a table does not read still reads that table; only the
# tables whose values changed are computed from the workspace's tables. touch_counts reads
# lead_base's dates and flags, never its money, so currency is not among its values.
# mql_score_threshold only counts while mql_basis is 'score' (see _part_values).
CACHE_PARTS: dict[str, tuple[str, ...]] = {
    "lead_base": ("mql_basis", "mql_score_threshold", "currency", "money_known"),
    "touch_counts": (
        "mql_basis",
        "mql_score_threshold",
        "attempt_types",
        "attempt_outbound_only",
        "inbound_counts_as_contact",
        "connect_outcomes",
    ),
}
# Everything the cache key holds besides the SQL digest: each part's values, and the
# latest moment in the data (a fact of the data the cache was built from).
CACHE_VALUES = (
    *dict.fromkeys(v for part in CACHE_PARTS.values() for v in part),
    "as_of",
)


def _read_metric(sql_path: Path) -> Metric:
    meta_path = sql_path.with_suffix(".toml")
    if not meta_path.exists():
        raise RuntimeError(f"{sql_path.name} has no metadata file {meta_path.name}")
    meta = tomllib.loads(meta_path.read_text(encoding="utf-8"))
    columns = dict(meta.get("columns", {}))
    units = dict(meta.get("units", {}))
    if set(units) != set(columns) or not set(units.values()) <= set(UNITS):
        raise RuntimeError(
            f"{meta_path.name}: [units] must give every column in [columns] one of "
            f"{', '.join(UNITS)}"
        )
    return Metric(
        name=sql_path.stem,
        sql=sql_path.read_text(encoding="utf-8"),
        description=meta["description"].strip(),
        questions={k: str(v).strip() for k, v in meta["question"].items()},
        grain=meta["grain"].strip(),
        family=str(meta.get("family", "")),
        columns=columns,
        units=units,
        # a parameter listed in optional_parameters is bound as NULL unless given
        parameters={
            **dict.fromkeys(meta.get("optional_parameters", ())),
            **meta.get("parameters", {}),
        },
        settings=tuple(meta.get("settings", ())),
        needs=tuple(meta.get("needs", ())),
        supports_by=bool(meta.get("by", False)),
        path=sql_path,
    )


@cache
def registry() -> dict[str, Metric]:
    """Every metric in ``queries/``, by name, sorted by name."""
    return {p.stem: _read_metric(p) for p in sorted(QUERIES_DIR.glob("*.sql"))}


def get(name: str) -> Metric:
    """The metric called ``name``; HandoffError listing the metrics if there is none."""
    try:
        return registry()[name]
    except KeyError:
        raise HandoffError(
            Problem(f"there is no metric {name!r}", fix=f"use one of: {', '.join(registry())}")
        ) from None


@cache
def staging_sql(name: str) -> str:
    """The text of a staging view (before its identifiers are filled in)."""
    return (QUERIES_DIR / "staging" / f"{name}.sql").read_text(encoding="utf-8")


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [r[0] for r in con.execute(f"DESCRIBE {identifiers.quote(table)}").fetchall()]


def dimensions(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Dimensions ``--by`` accepts on this workspace: base ones plus its segment columns."""
    return dimensions_of(_columns(con, "leads"))


def render_staging(view: str, leads_columns: list[str]) -> str:
    """The staging view's SQL with its schema-built CASE expressions filled in."""
    return fill_staging(view, staging_sql(view), leads_columns)


def render_metric(metric: Metric, leads_columns: list[str]) -> str:
    """The metric's SQL with its column lists filled in from the leads table's schema."""
    return fill_metric(metric.sql, leads_columns)


def _meta(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    """A value from the workspace's meta table (None when absent or there is no table)."""
    try:
        rows = con.execute("SELECT value FROM meta WHERE key = $k", {"k": key}).fetchall()
    except duckdb.CatalogException:
        return None
    return rows[0][0] if rows else None


def _as_of(con: duckdb.DuckDBPyConnection) -> dt.datetime:
    """The latest moment in the data; follow-up clocks run to here, not to today.

    Read from the staging cache when there is one (it is rebuilt by every load).
    """
    stored = json.loads(_meta(con, "staging_cache") or "{}").get("as_of")
    if stored:
        return dt.datetime.fromisoformat(stored)
    return _live_as_of(con)


# The data facts every metric reads, as queries any engine in dashboard/engines runs too.
AS_OF_SQL = """select greatest(
       (select max(created_at) from leads),
       (select max(greatest(mql_at, handed_off_at, accepted_at, rejected_at, sql_at))
          from leads),
       (select max(occurred_at) from activities),
       (select max(greatest(created_at, closed_at)) from deals)) as as_of"""
MQL_DATES_SQL = "select count(mql_at) as n from leads"
MONEY_KNOWN_SQL = (
    "select count(*) as n from deals where amount is not null "
    "and (currency is null or currency = $currency)"
)
EPOCH = dt.datetime(1970, 1, 1)


def _live_as_of(con: duckdb.DuckDBPyConnection) -> dt.datetime:
    row = con.execute(AS_OF_SQL).fetchall()[0][0]
    return row or EPOCH


def _mql_basis(con: duckdb.DuckDBPyConnection) -> str:
    """'date' when the CRM records MQL dates for any lead, else 'score' (the threshold)."""
    n = con.execute(MQL_DATES_SQL).fetchall()[0][0]
    return "date" if n else "score"


def _money_known(con: duckdb.DuckDBPyConnection, currency: str) -> bool:
    """True when some deal has an amount in the reporting currency (or one with none).

    Without one, every money figure is unknown (NULL, shown as "needs deals.amount"),
    never 0: a workspace with no amounts has not earned nothing, it has not said.
    """
    n = con.execute(MONEY_KNOWN_SQL, {"currency": currency}).fetchall()[0][0]
    return bool(n)


def session_values(
    con: duckdb.DuckDBPyConnection, settings: dict[str, Any], filters: Filters, by: str | None
) -> dict[str, Any]:
    """Everything the staging views read, by name: settings, filters and data facts."""
    facts = {
        "mql_basis": _mql_basis(con),
        "money_known": _money_known(con, str(settings["currency"])),
        "as_of": _as_of(con),
    }
    return bind_values(settings, filters, by, facts)


def bind_values(
    settings: dict[str, Any], filters: Filters, by: str | None, facts: dict[str, Any]
) -> dict[str, Any]:
    """The values staging and metrics read, from settings, filters and the data facts
    (``mql_basis``, ``money_known``, ``as_of``) however an engine computed them."""
    return {
        "mql_score_threshold": float(settings["mql_score_threshold"]),
        "mql_basis": facts["mql_basis"],
        "cohort_basis": settings["cohort_basis"],
        "data_timezone": str(settings.get("timezone") or "UTC"),
        "currency": settings["currency"],
        "money_known": facts["money_known"],
        "sla_hours": float(settings["sla_hours"]),
        "give_up_days": int(settings["give_up_days"]),
        "attempt_types": [str(t).lower() for t in settings["attempt_types"]],
        "attempt_outbound_only": bool(settings["attempt_outbound_only"]),
        "inbound_counts_as_contact": bool(settings["inbound_counts_as_contact"]),
        "connect_outcomes": [str(t).lower() for t in settings["connect_outcomes"]],
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "sources": list(filters.sources),
        "campaigns": list(filters.campaigns),
        "owners": list(filters.owners),
        "segment_column": filters.segment_column or "",
        "segment_values": list(filters.segment_values),
        "breakdown": by or "",
        "as_of": facts["as_of"],
    }


_SQL_TYPES = {
    "mql_score_threshold": "DOUBLE",
    "sla_hours": "DOUBLE",
    "give_up_days": "INTEGER",
    "money_known": "BOOLEAN",
    "attempt_types": "VARCHAR[]",
    "attempt_outbound_only": "BOOLEAN",
    "inbound_counts_as_contact": "BOOLEAN",
    "connect_outcomes": "VARCHAR[]",
    "date_from": "DATE",
    "date_to": "DATE",
    "sources": "VARCHAR[]",
    "campaigns": "VARCHAR[]",
    "owners": "VARCHAR[]",
    "segment_values": "VARCHAR[]",
    "as_of": "TIMESTAMP",
}


def session_type(name: str) -> str:
    """The DuckDB type session value ``name`` is set with (every engine binds it so)."""
    return _SQL_TYPES.get(name, "VARCHAR")


def prepare_session(
    con: duckdb.DuckDBPyConnection,
    settings: dict[str, Any],
    filters: Filters,
    by: str | None = None,
    *,
    use_cache: bool = True,
) -> dict[str, Any]:
    """Set the session variables and create the staging views on ``con``; return the values.

    When the workspace's staging cache was built with the same settings and data, the
    per-lead views read it; otherwise they are computed from the tables (same rows).
    A connection already prepared with the same values (the dashboard's shared reader,
    figure after figure of one page) is left as it is.
    """
    check_dimensions(dimensions(con), filters, by)
    values = session_values(con, settings, filters, by)
    cached = cached_parts(_meta(con, "staging_cache"), values) if use_cache else set()
    leads_columns = _columns(con, "leads")
    # the views read the values when they run: they are made only from which cached
    # tables apply and the leads' columns (a load may add a segment column)
    views_key = json.dumps([sorted(cached), leads_columns])
    values_key = json.dumps(values, default=str, sort_keys=True)
    prior_values = con.execute(f"SELECT getvariable('{_VALUES_KEY}')").fetchall()[0][0]
    if prior_values != values_key:
        # forgotten first: values left half set by an error are never taken as set
        con.execute(f"RESET VARIABLE {_VALUES_KEY}")
        for name, value in values.items():
            cast = session_type(name)
            con.execute(f"SET VARIABLE {name} = CAST($v AS {cast})", {"v": value})
        con.execute(f"SET VARIABLE {_VALUES_KEY} = $k", {"k": values_key})
    if _prepared_views(con) != views_key:
        con.execute(f"DROP TABLE IF EXISTS {_VIEWS_KEY}")
        for view in STAGING_LISTS:
            con.execute(staging_sql(view))
        for view in STAGING_ORDER:
            if view in cached:
                table = CACHE_TABLES[view]
                con.execute(f"create or replace temp view {view} as select * from {table}")
                continue
            con.execute(render_staging(view, leads_columns))
        con.execute(f"CREATE TEMP TABLE {_VIEWS_KEY} (k VARCHAR)")
        con.execute(f"INSERT INTO {_VIEWS_KEY} VALUES ($k)", {"k": views_key})
    return values


# What a connection's views were last made with: a temporary table, so that a rolled-back
# transaction takes it back with the views (a session variable would outlive them), and
# what its values were last set with: a session variable, as the values are.
_VIEWS_KEY = "handoff_prepared_views"
_VALUES_KEY = "handoff_prepared_values"


def _prepared_views(con: duckdb.DuckDBPyConnection) -> str | None:
    # looked up in the catalog first: a failed statement would abort an open transaction
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = $t",
        {"t": _VIEWS_KEY},
    ).fetchall()[0][0]
    if not found:
        return None
    return con.execute(f"SELECT k FROM {_VIEWS_KEY}").fetchall()[0][0]


def check_dimensions(known: list[str], filters: Filters, by: str | None) -> None:
    """HandoffError naming the choices when ``by`` or the segment column is not one."""
    if by is not None and by not in known:
        raise HandoffError(
            Problem(f"cannot break down by {by!r}", fix=f"use one of: {', '.join(known)}")
        )
    if filters.segment_column and filters.segment_column not in known:
        raise HandoffError(
            Problem(
                f"there is no segment column {filters.segment_column!r}",
                fix=f"use one of: {', '.join(known)}",
            )
        )


def cache_key(values: dict[str, Any]) -> str:
    """What the per-lead staging depends on: settings, data facts and the staging SQL itself.

    The SQL's digest is part of the key so that a workspace cached by an older release is
    recomputed live (and rebuilt by its next load) instead of read with old definitions.
    """
    key = {k: values[k] for k in CACHE_VALUES}
    key["sql"] = hashlib.sha256(
        "".join(staging_sql(v) for v in CACHE_SOURCES).encode("utf-8")
    ).hexdigest()[:16]
    return json.dumps(key, default=str, sort_keys=True)


def _part_values(key: dict[str, Any], view: str) -> dict[str, Any]:
    """The values cached table ``view`` was (or would be) computed with, from a cache key.

    With the CRM's MQL dates (mql_basis 'date') lead_base never reads the score threshold,
    so a threshold override leaves both tables as they are.
    """
    names = [
        n
        for n in CACHE_PARTS[view]
        if not (n == "mql_score_threshold" and key.get("mql_basis") == "date")
    ]
    return {n: key.get(n) for n in (*names, "as_of", "sql")}


def cached_parts(stored_key: str | None, values: dict[str, Any]) -> set[str]:
    """The cached tables a session with ``values`` can read: those whose own values match.

    ``stored_key`` is the workspace's cache key (None when it has no cache). A table
    computed with other values of what it reads is left out, and its view is computed from
    the workspace's tables, so the rows are always the ones the uncached views give.
    """
    if not stored_key:
        return set()
    stored = json.loads(stored_key)
    wanted = json.loads(cache_key(values))
    return {
        view for view in CACHE_TABLES if _part_values(stored, view) == _part_values(wanted, view)
    }


def build_cache(con: duckdb.DuckDBPyConnection, settings: dict[str, Any]) -> None:
    """Store the per-lead staging computed with ``settings`` in the workspace.

    Called by the workspace inside the transaction of every load and settings change, so
    the cache can never describe other data or other settings than the ones stored.
    """
    full = {**settings_mod.defaults(), **settings}
    # forget the old cache first, so as_of and the views are computed from the tables
    con.execute("DELETE FROM meta WHERE key = 'staging_cache'")
    values = prepare_session(con, full, Filters(), None, use_cache=False)
    for view, table in CACHE_TABLES.items():
        con.execute(f"create or replace table {table} as select * from {view}")
    con.execute(
        "INSERT OR REPLACE INTO meta VALUES ('staging_cache', $v)", {"v": cache_key(values)}
    )


def check_needs(con: duckdb.DuckDBPyConnection, metric: Metric) -> list[str]:
    """The ``table.column`` inputs a metric needs that hold no value in the workspace."""
    missing: list[str] = []
    for need in metric.needs:
        # "a|b" means either column will do
        options = need.split("|")
        ok = False
        for option in options:
            table, column = option.split(".")
            if column not in _columns(con, table):
                continue
            sql = f"select count({identifiers.quote(column)}) from {identifiers.quote(table)}"
            if con.execute(sql).fetchall()[0][0]:
                ok = True
                break
        if not ok:
            missing.append(" or ".join(options))
    return missing


def resolve_settings(stored: dict[str, Any], overrides: dict[str, Any] | None) -> dict[str, Any]:
    """Stored settings with per-call overrides (validated) on top."""
    out = {**settings_mod.defaults(), **stored}
    for key, value in (overrides or {}).items():
        out[key] = settings_mod.coerce(key, value)
    return out


def answer(
    con: duckdb.DuckDBPyConnection,
    name: str,
    *,
    settings: dict[str, Any],
    filters: Filters | None = None,
    by: str | None = None,
    parameters: dict[str, Any] | None = None,
    with_total: bool = False,
) -> Answer:
    """:func:`run`, with a missing input answered as "needs ..." instead of an exception.

    The one place pages, the report and the review turn a missing column into guidance.
    """
    try:
        res = run(
            con,
            name,
            settings=settings,
            filters=filters,
            by=by,
            parameters=parameters,
            with_total=with_total,
        )
    except MissingInputsError as exc:
        return Answer(name, None, tuple(exc.needs))
    return Answer(name, res)


def metric_values(
    metric: Metric,
    session: dict[str, Any],
    settings: dict[str, Any],
    parameters: dict[str, Any] | None,
) -> dict[str, Any]:
    """The values of the metric's ``$name`` parameters: its own, then settings and session."""
    params = {**metric.parameters, **(parameters or {})}
    available = {**session, **params, **settings}
    unknown = [n for n in metric.bound_names if n not in available]
    if unknown:
        raise RuntimeError(f"{metric.path.name} uses unknown parameters: {', '.join(unknown)}")
    return {n: available[n] for n in metric.bound_names}


def run(
    con: duckdb.DuckDBPyConnection,
    name: str,
    *,
    settings: dict[str, Any],
    filters: Filters | None = None,
    by: str | None = None,
    parameters: dict[str, Any] | None = None,
    use_cache: bool = True,
    with_total: bool = False,
) -> Result:
    """Run metric ``name`` on ``con`` and return its rows with the SQL and values used.

    ``settings`` are the resolved settings (stored + overrides). Raises MissingInputsError
    when the workspace lacks a column the metric needs, instead of returning zeros. With
    ``with_total``, a metric that pages its rows (``page_size``, ``page_offset``: the
    lead list) also counts the rows of every page (``Result.total``), with the same SQL.
    """
    metric = get(name)
    if by is not None and not metric.supports_by:
        raise HandoffError(Problem(f"{name} cannot be broken down with --by", fix="leave out --by"))
    missing = check_needs(con, metric)
    if missing:
        raise MissingInputsError(name, missing)
    filters = filters or Filters()
    session = prepare_session(con, settings, filters, by, use_cache=use_cache)
    bound = metric_values(metric, session, settings, parameters)
    sql = render_metric(metric, _columns(con, "leads"))
    rel = con.sql(sql, params=bound) if bound else con.sql(sql)
    frame = rel.pl() if rel is not None else pl.DataFrame()
    total = None
    if with_total:
        if not {"page_size", "page_offset"} <= set(bound):
            raise RuntimeError(f"{metric.path.name} has no page to count the rows of")
        every = {**bound, "page_size": None, "page_offset": 0}
        total = con.sql(f"select count(*) from ({sql})", params=every).fetchall()[0][0]
    return Result(metric, frame, sql, {**session, **bound}, settings, total)
