"""`handoff metrics`, `handoff metric` and `handoff sql` on the sample workspace."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from dashboard import metrics


def test_metrics_lists_every_metric_with_its_description(run) -> None:
    r = run("metrics", "--format", "json")
    assert r.code == 0
    listed = {m["name"]: m["description"] for m in json.loads(r.out)}
    assert set(listed) == set(metrics.registry())
    assert all(listed.values())
    table = run("metrics").out
    for name in metrics.registry():
        assert name in table


def test_metrics_accepts_workspace_like_every_command(run, sample_workspace) -> None:
    with_ws = run("metrics", "--workspace", sample_workspace, "--format", "json")
    assert with_ws.code == 0, with_ws.err
    assert json.loads(with_ws.out) == json.loads(run("metrics", "--format", "json").out)
    assert run("metrics", "-w", sample_workspace).code == 0


def test_metric_json_is_an_array_of_rows_with_numbers_as_numbers(run, sample_workspace) -> None:
    r = run("metric", "overview", "-w", sample_workspace, "--format", "json")
    assert r.code == 0, r.err
    rows = json.loads(r.out)
    assert isinstance(rows, list) and len(rows) == 1
    assert rows[0]["leads"] == 20_000
    assert isinstance(rows[0]["won_revenue"], float)


def test_metric_csv_and_table_formats(run, sample_workspace) -> None:
    r = run("metric", "overview", "-w", sample_workspace, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(r.out)))
    assert rows[0]["leads"] == "20000"
    r = run("metric", "overview", "-w", sample_workspace)
    assert "leads" in r.out.splitlines()[0] and "20,000" in r.out


def test_filters_narrow_the_leads(run, sample_workspace) -> None:
    def leads(*args: object) -> int:
        r = run("metric", "overview", "-w", sample_workspace, "--format", "json", *args)
        assert r.code == 0, r.err
        return json.loads(r.out)[0]["leads"]

    total = leads()
    zalo = leads("--source", "Zalo OA")
    both = leads("--source", "Zalo OA", "--source", "Referral")
    assert 0 < zalo < both < total
    q1 = leads("--from", "2026-01-01", "--to", "2026-03-31")
    assert 0 < q1 < total
    assert leads("--owner", "nobody at all") == 0


def test_a_metric_missing_its_inputs_exits_3_with_what_it_needs(run, write, tmp_path) -> None:
    ws = tmp_path / "w.duckdb"
    run("load", write("leads.csv", "lead_id,created_at\nA,2025-01-01\n"), "-w", ws)
    needing = [
        m
        for m in metrics.registry().values()
        if any(n.startswith(("deals.", "activities.", "spend.")) for n in m.needs)
    ]
    assert needing, "expected metrics that need deals, activities or spend"
    for m in needing:
        r = run("metric", m.name, "-w", ws)
        assert r.code == 3, (m.name, r.err)
        assert "needs" in r.err and m.name in r.err


def test_bad_arguments_are_explained(run, sample_workspace) -> None:
    r = run("metric", "nonsense", "-w", sample_workspace)
    assert r.code == 2 and "overview" in r.err
    r = run("metric", "overview", "-w", sample_workspace, "--from", "01/02/2026")
    assert r.code == 2 and "YYYY-MM-DD" in r.err
    r = run("metric", "overview", "-w", sample_workspace, "--set", "sla_hours=soon")
    assert r.code == 2 and "sla_hours" in r.err


def test_sql_prints_the_query_and_optionally_the_staging_views(run) -> None:
    r = run("sql", "overview")
    assert r.code == 0
    assert (Path(metrics.QUERIES_DIR) / "overview.sql").read_text(encoding="utf-8") in r.out
    r = run("sql", "overview", "--staging")
    assert "create or replace temp view lead_facts" in r.out


def test_set_overrides_a_setting_for_one_call_only(run, sample_copy: Path) -> None:
    def mqls(*args: object) -> int:
        r = run("metric", "overview", "-w", sample_copy, "--format", "json", *args)
        return json.loads(r.out)[0]["mqls"]

    base = mqls()
    assert mqls("--set", "cohort_basis=mql") <= base
    assert mqls() == base
