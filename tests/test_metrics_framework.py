"""The metric framework: registry, metadata, parameters, filters, needs, and the staging views."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import duckdb
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from dashboard import metrics
from dashboard.errors import MissingInputsError
from tests.builders import frame, small_crm, workspace_from_frames
from tests.reference.base import RefFilters, lead_facts, touch_facts

SETTINGS = metrics.resolve_settings({}, None)


def test_every_query_has_metadata_with_description_grain_and_columns() -> None:
    reg = metrics.registry()
    assert reg, "no metrics found"
    for m in reg.values():
        assert m.description and m.grain and m.question, m.name
        assert m.columns, f"{m.name} documents no output columns"
        for s in m.settings:
            assert s in SETTINGS, f"{m.name} names unknown setting {s}"


def test_staging_sql_uses_no_pasted_values() -> None:
    for view in metrics.STAGING_ORDER:
        sql = metrics.staging_sql(view)
        # settings and filters only arrive through getvariable(), never as literals;
        # touch_facts only joins two other views
        assert "getvariable(" in sql or view == "touch_facts"
        assert "$" not in sql


def _con(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True)


def test_missing_inputs_raise_instead_of_zeros(tmp_path: Path) -> None:
    leads = frame("leads", [{"lead_id": "A", "created_at": dt.datetime(2025, 1, 1)}])
    path = workspace_from_frames(tmp_path / "w.duckdb", {"leads": leads})
    with _con(path) as con:
        for m in metrics.registry().values():
            if any(n.startswith(("deals.", "activities.", "spend.")) for n in m.needs):
                with pytest.raises(MissingInputsError):
                    metrics.run(con, m.name, settings=SETTINGS)


def test_unknown_dimension_lists_the_valid_ones(sample_workspace: Path) -> None:
    with (
        _con(sample_workspace) as con,
        pytest.raises(Exception, match="source, campaign, owner, month"),
    ):
        metrics.prepare_session(con, SETTINGS, metrics.Filters(), by="colour")


FACT_COLUMNS = [
    "lead_id",
    "mql_at_eff",
    "handed_off_at_eff",
    "is_mql",
    "is_handed_off",
    "is_accepted",
    "is_rejected",
    "is_sql",
    "is_opportunity",
    "is_won",
    "won_revenue",
    "open_pipeline",
    "resolved_at",
    "sales_verdict",
    "outcome",
    "cohort_at",
    "cohort_month",
]
TOUCH_COLUMNS = [
    "lead_id",
    "first_touch_at",
    "n_attempts",
    "n_attempts_total",
    "has_connect",
    "first_connect_attempt",
    "is_never_touched",
    "speed_bucket",
    "is_sla_met",
    "is_given_up",
]


def _sql_view(con: duckdb.DuckDBPyConnection, view: str, cols: list[str]) -> pl.DataFrame:
    out = con.sql(f"select {', '.join(cols)} from {view}").pl()
    return out.sort("lead_id")


def _compare(sql: pl.DataFrame, ref: pl.DataFrame, cols: list[str]) -> None:
    ref = ref.select(cols).sort("lead_id")
    assert sql.height == ref.height
    for c in cols:
        a, b = sql[c], ref[c]
        if a.dtype.is_float() or b.dtype.is_float():
            assert ((a.cast(pl.Float64) - b.cast(pl.Float64)).abs().fill_null(0) < 1e-6).all(), c
            assert (a.is_null() == b.is_null()).all(), c
        else:
            assert a.cast(b.dtype).to_list() == b.to_list(), c


def _check_staging(path: Path, s: dict, f: metrics.Filters, rf: RefFilters) -> None:
    from tests.reference.base import tables_from_workspace

    t = tables_from_workspace(str(path))
    with _con(path) as con:
        metrics.prepare_session(con, s, f)
        _compare(_sql_view(con, "lead_facts", FACT_COLUMNS), lead_facts(t, s, rf), FACT_COLUMNS)
        _compare(_sql_view(con, "touch_facts", TOUCH_COLUMNS), touch_facts(t, s, rf), TOUCH_COLUMNS)


def test_staging_matches_the_reference_on_the_sample(sample_workspace: Path) -> None:
    _check_staging(sample_workspace, SETTINGS, metrics.Filters(), RefFilters())


def test_staging_matches_the_reference_with_filters_and_other_settings(
    sample_workspace: Path,
) -> None:
    s = {
        **SETTINGS,
        "cohort_basis": "mql",
        "sla_hours": 2.0,
        "give_up_days": 3,
        "attempt_types": ["call"],
        "attempt_outbound_only": False,
    }
    f = metrics.Filters(
        date_from=dt.date(2026, 2, 1),
        date_to=dt.date(2026, 4, 30),
        sources=["Zalo OA", "Referral"],
        owners=["Vũ Thị Lan", "Đỗ Quang Huy"],
    )
    rf = RefFilters(date_from=f.date_from, date_to=f.date_to, sources=f.sources, owners=f.owners)
    _check_staging(sample_workspace, s, f, rf)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    crm=small_crm(),
    threshold=st.sampled_from([0.0, 50.0, 60.0, 101.0]),
    basis=st.sampled_from(["created", "mql"]),
)
def test_staging_matches_the_reference_on_random_data(crm, threshold, basis) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = workspace_from_frames(Path(tmp) / "w.duckdb", crm)
        s = {**SETTINGS, "mql_score_threshold": threshold, "cohort_basis": basis}
        _check_staging(path, s, metrics.Filters(), RefFilters())


def test_every_metric_gives_the_same_rows_from_the_staging_cache_as_from_the_tables(
    sample_workspace: Path,
) -> None:
    with _con(sample_workspace) as con:
        stored = con.execute("select value from meta where key = 'staging_cache'").fetchall()
        assert stored, "a loaded workspace keeps a staging cache"
        for m in metrics.registry().values():
            for by in [None, "source"] if m.supports_by else [None]:
                cached = metrics.run(con, m.name, settings=SETTINGS, by=by).frame
                live = metrics.run(con, m.name, settings=SETTINGS, by=by, use_cache=False).frame
                # sums of doubles may differ in the last bit with DuckDB's parallel
                # aggregation order; anything beyond that is a real difference
                try:
                    assert_frame_equal(cached, live, rel_tol=1e-12, abs_tol=0)
                except AssertionError as exc:
                    raise AssertionError(f"{m.name} (by {by}): {exc}") from exc


def test_the_cache_follows_settings_changes_and_per_call_overrides_bypass_it(
    sample_copy: Path,
) -> None:
    from dashboard.workspace import Workspace

    with Workspace(sample_copy) as ws:
        before = metrics.run(ws.con, "followup_by_owner", settings=ws.settings()).frame
        override = metrics.resolve_settings(ws.settings(), {"give_up_days": 3})
        expected = metrics.run(
            ws.con, "followup_by_owner", settings=override, use_cache=False
        ).frame
        assert not expected.equals(before)
        assert metrics.run(ws.con, "followup_by_owner", settings=override).frame.equals(expected)
        ws.set_settings({"give_up_days": 3}, author="test", reason="cache")
        after = metrics.run(ws.con, "followup_by_owner", settings=ws.settings()).frame
        assert after.equals(expected)
        key = ws.con.execute("select value from meta where key = 'staging_cache'").fetchall()
        # rebuilt with the new settings: every cached table is read again
        values = metrics.session_values(ws.con, ws.settings(), metrics.Filters(), None)
        assert metrics.cached_parts(key[0][0], values) == set(metrics.CACHE_TABLES)


def test_the_staging_cache_key_changes_with_the_staging_sql(monkeypatch) -> None:
    # a workspace cached by an older release (other staging SQL) must be recomputed live
    values = {k: None for k in metrics.CACHE_VALUES}
    before = metrics.cache_key(values)
    monkeypatch.setattr(metrics, "staging_sql", lambda name: f"-- changed {name}")
    assert metrics.cache_key(values) != before


def test_filters_as_url_and_command_line_text_are_written_once_and_quoted() -> None:
    import shlex

    f = metrics.Filters(
        date_from=dt.date(2026, 1, 1),
        sources=["Zalo OA", "$(touch /tmp/pwned)"],
        segment_column="segment_industry",
        segment_values=["Bán lẻ"],
    )
    assert f.url_params() == {
        "from": "2026-01-01",
        "source": ["Zalo OA", "$(touch /tmp/pwned)"],
        "segment": "segment_industry",
        "segment_value": ["Bán lẻ"],
    }
    # a shell reads the command back as exactly these arguments: nothing runs
    assert shlex.split(" ".join(f.cli_args())) == [
        "--from",
        "2026-01-01",
        "--source",
        "Zalo OA",
        "--source",
        "$(touch /tmp/pwned)",
        "--segment",
        "segment_industry=Bán lẻ",
    ]
