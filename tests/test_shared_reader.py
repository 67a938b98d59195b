"""The dashboard's reads share one connection: they see each published load, never the
session of another figure, and give exactly what a fresh connection gives."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import pytest

from dashboard import metrics, shared_reader, ui
from dashboard.workspace import Workspace


@pytest.fixture
def served(sample_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The sample workspace as the dashboard serves it, with no reader open yet."""
    monkeypatch.setenv("HANDOFF_WORKSPACE", str(sample_copy))
    shared_reader.close()
    yield sample_copy
    shared_reader.close()


def _leads(ws: Workspace) -> int:
    return int(ws.con.execute("select count(*) from leads").fetchall()[0][0])


def _publish_without_the_first_lead(path: Path) -> None:
    """A load's way of publishing: a changed copy renamed over the workspace."""
    copy = path.with_name("changed.duckdb")
    shutil.copy(path, copy)
    con = duckdb.connect(str(copy))
    con.execute("delete from leads where lead_id = (select min(lead_id) from leads)")
    con.execute(
        "update meta set value = cast(cast(value as int) + 1 as varchar) where key = 'version'"
    )
    con.close()
    copy.replace(path)


def test_a_read_after_a_load_sees_the_new_data_and_one_before_it_the_old(served: Path) -> None:
    with ui.connect() as ws:
        before, version = _leads(ws), ws.version
    # another handle on the old file (a report being written) stays open meanwhile:
    # the next read must still attach the file published now
    report = duckdb.connect(str(served), read_only=True)
    try:
        _publish_without_the_first_lead(served)
        with ui.connect() as ws:
            assert (_leads(ws), ws.version) == (before - 1, version + 1)
        assert report.execute("select count(*) from leads").fetchall()[0][0] == before
    finally:
        report.close()


def test_a_read_inside_a_read_has_its_own_session(served: Path) -> None:
    settings = metrics.resolve_settings({}, None)
    may = metrics.Filters(date_from=dt.date(2025, 5, 1), date_to=dt.date(2025, 5, 31))
    with ui.connect() as outer:
        whole = metrics.run(outer.con, "funnel", settings=settings).frame
        with ui.connect() as inner:
            assert inner.con is not outer.con
            in_may = metrics.run(inner.con, "funnel", settings=settings, filters=may).frame
        # the outer session still holds its own filters
        again = metrics.run(outer.con, "funnel", settings=settings).frame
    assert again.equals(whole)
    with Workspace(served, read_only=True) as fresh:
        assert in_may.equals(metrics.run(fresh.con, "funnel", settings=settings, filters=may).frame)


# figures asked for one after another on one connection, as a page and its callouts do:
# settings, filters and breakdowns change between them, and some repeat
SEQUENCE = [
    ("overview", {}, None, None),
    ("funnel", {}, None, "source"),
    ("funnel", {"mql_score_threshold": 75}, None, "source"),
    ("speed_to_lead", {"inbound_counts_as_contact": False}, None, None),
    ("followup", {}, "may", None),
    ("overview", {}, "may", None),
    ("speed_to_lead", {}, None, None),
    ("disagreement", {"sla_hours": 2}, "may", "owner"),
    ("overview", {}, None, None),
    ("funnel", {}, None, "source"),
]


def _filters(name: str | None) -> metrics.Filters:
    if name == "may":
        return metrics.Filters(date_from=dt.date(2025, 5, 1), date_to=dt.date(2025, 5, 31))
    return metrics.Filters()


def _run(con: duckdb.DuckDBPyConnection, step: tuple) -> pl.DataFrame:
    name, overrides, filters, by = step
    settings = metrics.resolve_settings({}, overrides)
    return metrics.run(con, name, settings=settings, filters=_filters(filters), by=by).frame


def test_figures_on_the_shared_connection_equal_figures_on_fresh_ones(served: Path) -> None:
    with ui.connect() as ws:
        shared = [_run(ws.con, step) for step in SEQUENCE]
    for step, got in zip(SEQUENCE, shared, strict=True):
        with Workspace(served, read_only=True) as fresh:
            assert got.equals(_run(fresh.con, step)), step


def test_a_session_left_half_made_is_made_again(
    served: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = metrics.resolve_settings({}, None)
    render = metrics.render_staging

    def broken(view: str, columns: list[str]) -> str:
        if view == "touch_facts":
            raise RuntimeError("interrupted")
        return render(view, columns)

    with ui.connect() as ws:
        # views made from the tables, then remade from the staging cache until interrupted
        metrics.run(ws.con, "overview", settings=settings, use_cache=False)
        monkeypatch.setattr(metrics, "render_staging", broken)
        with pytest.raises(RuntimeError):
            metrics.run(ws.con, "followup", settings=settings)
        monkeypatch.setattr(metrics, "render_staging", render)
        # asked for as before the interruption: the half-made views are not taken for those
        got = metrics.run(ws.con, "followup", settings=settings, use_cache=False).frame
        # (the cached and the computed views give the same rows: the views say which ran)
        made = ws.con.execute(
            "select sql from duckdb_views() where temporary and view_name = 'lead_base'"
        ).fetchall()[0][0]
        assert "cache_lead_base" not in made
    with Workspace(served, read_only=True) as fresh:
        want = metrics.run(fresh.con, "followup", settings=settings, use_cache=False).frame
    assert got.equals(want)


def test_views_taken_back_by_a_rollback_are_made_again(sample_copy: Path) -> None:
    settings = metrics.resolve_settings({}, None)
    with Workspace(sample_copy) as ws:
        for _ in range(2):
            # a settings change that is given up: the staging cache built, then rolled back
            ws.con.execute("BEGIN")
            metrics.build_cache(ws.con, ws.settings())
            ws.con.execute("ROLLBACK")
        got = metrics.run(ws.con, "followup", settings=settings).frame
    with Workspace(sample_copy, read_only=True) as fresh:
        assert got.equals(metrics.run(fresh.con, "followup", settings=settings).frame)
