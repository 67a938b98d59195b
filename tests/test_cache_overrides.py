"""A per-call override of a setting (``--set``, the settings preview) reads the parts of the
staging cache that the setting does not touch, and computes the others from the tables.

Every metric with every override must give exactly the rows of the uncached computation
(``use_cache=False``), and only the parts the override touches may be recomputed.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dashboard import metrics
from dashboard.errors import MissingInputsError
from dashboard.workspace import Workspace
from tests.metrics._frames import assert_same_frame

# one changed value per setting the staging reads, each different from the default
OVERRIDES: dict[str, Any] = {
    "mql_score_threshold": 75,
    "sla_hours": 2,
    "give_up_days": 3,
    "attempt_types": ["call"],
    "attempt_outbound_only": False,
    "inbound_counts_as_contact": False,
    "connect_outcomes": ["connected"],
    "cohort_basis": "mql",
    "currency": "USD",
    "timezone": "Asia/Ho_Chi_Minh",
}


def _frame(con: Any, name: str, settings: dict[str, Any], *, use_cache: bool) -> Any:
    try:
        return metrics.run(con, name, settings=settings, use_cache=use_cache).frame
    except MissingInputsError as exc:
        return ("needs", tuple(exc.needs))


@pytest.fixture(scope="module")
def demo(sample_workspace: Path) -> Iterator[Workspace]:
    ws = Workspace(sample_workspace, read_only=True)
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def score_based(sample_workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The demo without MQL dates, so marketing's verdict is the score threshold."""
    path = tmp_path_factory.mktemp("score") / "score.duckdb"
    shutil.copy(sample_workspace, path)
    ws = Workspace(path)
    ws.con.execute("BEGIN")
    ws.con.execute("update leads set mql_at = null")
    metrics.build_cache(ws.con, ws.settings())
    ws.con.execute("COMMIT")
    yield ws
    ws.close()


def _parts(ws: Workspace, overrides: dict[str, Any]) -> set[str]:
    settings = metrics.resolve_settings(ws.settings(), overrides)
    values = metrics.session_values(ws.con, settings, metrics.Filters(), None)
    return metrics.cached_parts(metrics._meta(ws.con, "staging_cache"), values)


@pytest.mark.parametrize("setting", sorted(OVERRIDES))
def test_every_metric_with_an_override_equals_the_uncached_computation(
    demo: Workspace, setting: str
) -> None:
    settings = metrics.resolve_settings(demo.settings(), {setting: OVERRIDES[setting]})
    for name in metrics.registry():
        cached = _frame(demo.con, name, settings, use_cache=True)
        live = _frame(demo.con, name, settings, use_cache=False)
        if isinstance(live, tuple):
            assert cached == live, name
        else:
            # floats agree to 1e-9: DuckDB's parallel sums differ in the last bits run to run
            assert cached.schema == live.schema, name
            assert_same_frame(cached, live)


def test_a_threshold_override_on_mql_by_score_equals_the_uncached_computation(
    score_based: Workspace,
) -> None:
    settings = metrics.resolve_settings(score_based.settings(), {"mql_score_threshold": 75})
    assert _parts(score_based, {"mql_score_threshold": 75}) == set()
    for name in ("funnel", "handoff", "lead_list", "followup", "speed_to_lead"):
        cached = _frame(score_based.con, name, settings, use_cache=True)
        assert_same_frame(cached, _frame(score_based.con, name, settings, use_cache=False))


def test_an_override_recomputes_only_the_parts_it_touches(
    demo: Workspace, score_based: Workspace
) -> None:
    both = set(metrics.CACHE_TABLES)
    assert _parts(demo, {}) == both
    # durations are applied over the cached counts; the cohort and clock are per filter
    for setting in ("sla_hours", "give_up_days", "cohort_basis", "timezone"):
        assert _parts(demo, {setting: OVERRIDES[setting]}) == both, setting
    # the demo has MQL dates, so the score threshold changes no staging row
    assert _parts(demo, {"mql_score_threshold": 75}) == both
    # money is in lead_base only; the follow-up counts never read it
    assert _parts(demo, {"currency": "USD"}) == {"touch_counts"}
    for setting in (
        "attempt_types",
        "attempt_outbound_only",
        "inbound_counts_as_contact",
        "connect_outcomes",
    ):
        assert _parts(demo, {setting: OVERRIDES[setting]}) == {"lead_base"}, setting
    assert _parts(score_based, {"mql_score_threshold": 75}) == set()
    assert _parts(score_based, {"sla_hours": 2}) == both


def _code(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)


def _variables(view: str, *, skip: frozenset[str] = frozenset()) -> set[str]:
    """Session variables a staging view reads, itself and through the views it reads."""
    sql = _code(metrics.staging_sql(view))
    found = set(re.findall(r"getvariable\(\s*'([a-z_]+)'\s*\)", sql))
    reads = set(re.findall(r"\b(?:from|join)\s+([a-z_]+)", sql, re.I)) & set(metrics.STAGING_VIEWS)
    for other in reads - {view} - skip:
        found |= _variables(other, skip=skip)
    return found


def test_each_cached_part_declares_every_value_its_views_read() -> None:
    for view in metrics.CACHE_TABLES:
        skip = frozenset({"lead_base"}) if view != "lead_base" else frozenset()
        read = _variables(view, skip=skip)
        if view != "lead_base":
            # what it reads through lead_base: every lead_base value but its money
            read |= set(metrics.CACHE_PARTS["lead_base"]) - {"currency", "money_known"}
        assert read <= {*metrics.CACHE_PARTS[view], "as_of"}, (view, read)


def test_the_follow_up_counts_read_no_money_from_lead_base() -> None:
    # the reason currency is not among touch_counts' values
    for view in ("touch_counts", "attempts"):
        sql = _code(metrics.staging_sql(view))
        assert not re.search(r"won_revenue|open_pipeline|amount|currency", sql), view
