"""Shared definitions are written once, in ``queries/staging/``, and every metric uses them.

Text checks on the SQL (comments removed): a metric that re-implements the won deals in
the reporting currency (their amount, their won date, won implies closed) or the funnel's
stage list, instead of reading the staging views ``deal_base`` and ``funnel_stages``,
fails here. The numbers the views
give are pinned by the golden outputs and the metric tests; this file only pins where the
definitions live.
"""

from __future__ import annotations

import re

import pytest

from dashboard import metrics

STAGING = metrics.QUERIES_DIR / "staging"
# the stage names of the forward funnel, as funnel_stages lists them
STAGE_NAMES = ("lead", "mql", "handed_off", "accepted", "sql", "opportunity", "won")
# a comparison with the reporting currency, as a metric ($currency) or a view writes it
REPORTING_CURRENCY = re.compile(
    r"\bcurrency\s*=\s*(\$currency\b|getvariable\(\s*'currency'\s*\))", re.I
)


def _code(sql: str) -> str:
    """The SQL without its ``--`` comments (string literals here hold no ``--``)."""
    return re.sub(r"--[^\n]*", "", sql)


def _metric_sql() -> dict[str, str]:
    return {name: _code(m.sql) for name, m in metrics.registry().items()}


def _staging_sql() -> dict[str, str]:
    return {p.stem: _code(p.read_text(encoding="utf-8")) for p in sorted(STAGING.glob("*.sql"))}


def _ctes(sql: str) -> dict[str, str]:
    """The bodies of a query's common table expressions (``name as ( ... )``), by name."""
    out: dict[str, str] = {}
    for found in re.finditer(r"\b([a-z_][a-z0-9_]*)\s*(?:\([^()]*\)\s*)?as\s*\(", sql, re.I):
        depth, start = 1, found.end()
        i = start
        while depth and i < len(sql):
            depth += {"(": 1, ")": -1}.get(sql[i], 0)
            i += 1
        out.setdefault(found.group(1).lower(), sql[start : i - 1])
    return out


def _reads(sql: str) -> set[str]:
    """The names a query reads with ``from`` or ``join``."""
    return {m.lower() for m in re.findall(r"\b(?:from|join)\s+([a-z_][a-z0-9_]*)", sql, re.I)}


def test_no_metric_reads_the_deals_table_itself() -> None:
    # deals reach a metric through deal_base (every deal: is_won, won_at, is_decided, the
    # amount in the reporting currency)
    offenders = [name for name, sql in _metric_sql().items() if "deals" in _reads(sql)]
    assert not offenders, f"read deal_base instead of deals: {offenders}"


def test_the_reporting_currency_is_compared_in_metrics_only_for_spend() -> None:
    # the deal-side rule (an amount counts when its currency is the reporting one, or has
    # none) is written once, in deal_base; spend has no staging view and keeps its own
    offenders = []
    for name, sql in _metric_sql().items():
        for cte, body in _ctes(sql).items():
            if REPORTING_CURRENCY.search(body) and _reads(body) != {"spend"}:
                offenders.append(f"{name}.{cte}")
        if REPORTING_CURRENCY.search(sql) and not _ctes(sql):
            offenders.append(name)
    assert not offenders, f"use deal_base.amount: {offenders}"


def test_the_deal_currency_rule_is_written_once_in_staging() -> None:
    found = {
        name: len(REPORTING_CURRENCY.findall(sql))
        for name, sql in {**_staging_sql(), **_metric_sql()}.items()
        if REPORTING_CURRENCY.search(sql) and "spend" not in _reads(sql)
    }
    assert found == {"deal_base": 1}, found


def test_the_won_date_is_written_once_in_deal_base() -> None:
    # a deal is won when it closed, or when it was created if the CRM gives no close date
    rule = re.compile(r"coalesce\(\s*(?:\w+\.)?closed_at\s*,\s*(?:\w+\.)?created_at\s*\)", re.I)
    found = [name for name, sql in {**_staging_sql(), **_metric_sql()}.items() if rule.search(sql)]
    assert found == ["deal_base"], found


def test_won_implies_closed_is_written_once_in_deal_base() -> None:
    rule = re.compile(
        r"coalesce\(\s*(?:\w+\.)?is_closed\s*,\s*false\s*\)\s*or\s*"
        r"coalesce\(\s*(?:\w+\.)?is_won\s*,\s*false\s*\)",
        re.I,
    )
    found = [name for name, sql in {**_staging_sql(), **_metric_sql()}.items() if rule.search(sql)]
    assert found == ["deal_base"], found


@pytest.mark.parametrize("name", ["funnel", "funnel_cohort"])
def test_the_funnel_metrics_read_the_stage_list_from_funnel_stages(name: str) -> None:
    assert "funnel_stages" in _reads(_metric_sql()[name])


def test_no_metric_writes_the_stage_list() -> None:
    # a (number, 'stage') row, as a VALUES list of the stages writes it
    row = re.compile(r"\(\s*\d+\s*,\s*'(" + "|".join(STAGE_NAMES) + r")'", re.I)
    offenders = [name for name, sql in _metric_sql().items() if row.search(sql)]
    assert not offenders, f"read funnel_stages instead: {offenders}"
    rows = row.findall(_staging_sql()["funnel_stages"])
    assert [r.lower() for r in rows] == list(STAGE_NAMES)


def test_the_staging_cache_key_digests_every_view_the_cached_tables_are_built_from() -> None:
    # a cached table computed from a view whose SQL is not in the key would survive a
    # change of that view's definition
    staging = set(metrics.STAGING_VIEWS)
    needed: set[str] = set()
    todo = list(metrics.CACHE_TABLES)
    while todo:
        view = todo.pop()
        if view in needed:
            continue
        needed.add(view)
        todo.extend(_reads(_code(metrics.staging_sql(view))) & staging)
    assert needed <= set(metrics.CACHE_SOURCES), needed - set(metrics.CACHE_SOURCES)


def test_every_staging_file_is_created_for_a_metric() -> None:
    assert set(metrics.STAGING_VIEWS) == set(_staging_sql())
