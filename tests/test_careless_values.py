"""Values a careless user types: settings, reading options, amounts and dates in files,
a closed pipe, Ctrl-C, and file names with control characters. Every case gives the exact
exit code and a message naming the allowed form; nothing is stored from a refused input."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest

from dashboard import cli, settings
from dashboard.errors import HandoffError, Problem, printable
from dashboard.ingest import values
from tests.conftest import REPO, SAMPLE, snapshot

HANDOFF = [sys.executable, "-m", "dashboard.cli"]


# ----------------------------------------------------------------------------- currency


@pytest.mark.parametrize("command", ["settings", "metric"])
def test_an_unknown_currency_is_refused_with_close_matches(
    run, sample_copy: Path, command: str
) -> None:
    before = snapshot(sample_copy)
    args = ["settings"] if command == "settings" else ["metric", "revenue_total"]
    r = run(*args, "-w", sample_copy, "--set", "currency=XYZ")
    assert r.code == 2
    assert "setting 'currency' cannot be \"XYZ\": it is not an ISO 4217 currency code" in r.err
    assert "three-letter ISO 4217 currency code such as VND, USD or EUR" in r.err
    r = run(*args, "-w", sample_copy, "--set", "currency=VDN")
    assert r.code == 2 and "(did you mean VND or VED?)" in r.err
    assert snapshot(sample_copy) == before


def test_a_currency_in_any_case_is_stored_upper_case(run, sample_copy: Path) -> None:
    r = run("settings", "-w", sample_copy, "--set", "currency=usd", "--format", "json")
    assert r.code == 0
    assert json.loads(r.out)["currency"] == "USD"


def test_the_currency_reading_option_is_checked(run, write, ws_path: Path) -> None:
    deals = write("deals.csv", "deal_id,created_at,amount\nD1,2025-01-05,100\n")
    r = run("load", deals, "-w", ws_path, "--set", "currency=dollar")
    assert r.code == 2
    assert "did you mean USD or SGD or AUD?" in r.err
    assert (
        not ws_path.exists()
        or "deals" not in snapshot(ws_path)
        or not snapshot(ws_path)["deals"][1:]
    )
    mapping = write("m.toml", '[options]\ncurrency = "XYZ"\n')
    r = run("load", deals, "-w", ws_path, "--mapping", mapping)
    assert r.code == 2
    assert '[options] currency = "XYZ" is not valid' in r.err
    r = run("load", deals, "-w", ws_path, "--set", "currency=eur")
    assert r.code == 0
    with duckdb.connect(str(ws_path), read_only=True) as con:
        assert con.execute("SELECT currency FROM deals").fetchall() == [("EUR",)]


def test_currency_cells_become_codes_and_unknown_ones_are_kept_with_a_warning(
    run, write, ws_path: Path
) -> None:
    deals = write(
        "deals.csv",
        "deal_id,created_at,amount,currency\n"
        "D1,2025-01-05,100, usd \nD2,2025-01-05,200,XYZ\nD3,2025-01-05,300,₫\n",
    )
    r = run("load", deals, "-w", ws_path)
    assert r.code == 0
    assert (
        "warning: deals.csv, column 'currency': 1 rows have a currency that is not an ISO 4217 "
        "code (XYZ); they are kept as written" in r.out
    )
    assert "[row 3: 'XYZ']" in r.out
    with duckdb.connect(str(ws_path), read_only=True) as con:
        rows = con.execute("SELECT deal_id, currency FROM deals ORDER BY 1").fetchall()
    assert rows == [("D1", "USD"), ("D2", "XYZ"), ("D3", "VND")]


# ----------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("pair", "why", "allowed"),
    [
        ("sla_hours=1e308", "(out of range)", "a number from 0 to 8760"),
        ("sla_hours=inf", "(not a finite number)", "a number from 0 to 8760"),
        ("sla_hours=nan", "(not a finite number)", "a number from 0 to 8760"),
        ("sla_hours=1e400", "(not a finite number)", "a number from 0 to 8760"),
        ("mql_score_threshold=-inf", "(not a finite number)", "a number from 0 to 1000000"),
        ("give_up_days=1.5", "(not a whole number)", "a whole number from 0 to 3650"),
        ("give_up_days=99999", "(out of range)", "a whole number from 0 to 3650"),
        ("callout_share_gap=2", "(out of range)", "a number from 0 to 1"),
    ],
)
@pytest.mark.parametrize("command", ["settings", "metric"])
def test_numbers_outside_a_settings_range_exit_2_naming_the_range(
    run, sample_copy: Path, command: str, pair: str, why: str, allowed: str
) -> None:
    before = snapshot(sample_copy)
    args = ["settings"] if command == "settings" else ["metric", "followup_by_owner"]
    r = run(*args, "-w", sample_copy, "--set", pair)
    key, value = pair.split("=")
    assert r.code == 2, r.err
    assert r.err.strip() == (
        f"handoff: setting '{key}' cannot be \"{value}\" {why}. Fix: give {allowed}"
    )
    assert snapshot(sample_copy) == before


def test_whole_number_settings_take_2_and_2_point_0(run, sample_copy: Path) -> None:
    for text in ("2", "2.0", " 2 "):
        r = run("settings", "-w", sample_copy, "--set", f"give_up_days={text}", "--format", "json")
        assert r.code == 0, r.err
        assert json.loads(r.out)["give_up_days"] == 2
    r = run("metric", "followup_by_owner", "-w", sample_copy, "--set", "give_up_days=2.0")
    assert r.code == 0, r.err


def test_stored_settings_stay_valid_json(run, sample_copy: Path) -> None:
    # before, 1e400 was stored as Infinity, which no JSON reader accepts
    run("settings", "-w", sample_copy, "--set", "sla_hours=1e400")
    r = run("settings", "-w", sample_copy, "--format", "json")
    assert r.code == 0
    assert json.loads(r.out, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))


def test_every_number_setting_states_a_finite_range() -> None:
    for s in settings.SETTINGS:
        if s.kind in ("int", "float"):
            assert 0 <= s.minimum < s.maximum < float("inf"), s.key
            assert s.minimum <= s.default <= s.maximum, s.key
            assert settings.coerce(s.key, str(s.maximum)) == s.maximum
            with pytest.raises(HandoffError, match=s.allowed()):
                settings.coerce(s.key, s.maximum * 2 + 1)


def test_the_definitions_page_gets_the_same_refusal() -> None:
    # the page calls coerce on what its inputs hold (floats and ints)
    with pytest.raises(HandoffError, match="not a whole number"):
        settings.coerce("give_up_days", 1.5)
    with pytest.raises(HandoffError, match="not a finite number"):
        settings.coerce("sla_hours", float("nan"))
    assert settings.coerce("give_up_days", 2.0) == 2


# ----------------------------------------------------------------------------- amounts


def test_an_amount_too_large_or_not_finite_is_refused_at_load(run, write, ws_path: Path) -> None:
    deals = write(
        "deals.csv",
        "deal_id,created_at,amount\nD1,2025-01-05,1e309\nD2,2025-01-05,100\n"
        "D3,2025-01-05,2000000000000000\nD4,2025-01-05,1000000000000000\n",
    )
    r = run("load", deals, "-w", ws_path)
    assert r.code == 2
    assert (
        "deals.csv, column 'amount': has 2 amounts out of range (an amount must be a finite "
        "number of at most 1,000,000,000,000,000 in any currency) "
        "[row 2: '1e309'; row 4: '2000000000000000']. Fix: correct the amounts shown"
    ) in r.err
    assert not ws_path.exists() or not snapshot(ws_path).get("deals", [None])[1:]


def test_native_infinite_amounts_are_out_of_range() -> None:
    parsed = values.parse_number(
        pl.Series([1.0, float("inf"), 5e15, float("nan")]), max_abs=values.MAX_AMOUNT
    )
    assert parsed.series.to_list() == [1.0, None, None, None]
    assert parsed.out_of_range_positions == [1, 2]
    assert parsed.bad_count == 0


# ----------------------------------------------------------------------------- dates


@pytest.mark.parametrize("date", ["9999-12-31", "1900-01-01", "1969-12-31", "2101-01-01"])
def test_a_date_outside_1970_2100_is_out_of_range_not_unreadable(
    run, write, ws_path: Path, date: str
) -> None:
    leads = write("leads.csv", f"lead_id,created_at\nL1,2025-01-05\nL2,{date}\n")
    r = run("load", leads, "-w", ws_path)
    assert r.code == 2
    assert r.err.strip() == (
        "handoff: leads.csv, column 'created_at': has 1 dates out of range (only 1970-01-01 "
        f"to 2100-12-31 can be stored) [row 3: '{date}']. Fix: correct the dates shown (a "
        "year such as 9999 or 1900 usually stands for “unknown”), or clear the cells if "
        "the date is unknown"
    )
    assert "cannot be read" not in r.err


def test_the_edges_of_the_range_load(run, write, ws_path: Path) -> None:
    leads = write(
        "leads.csv", "lead_id,created_at\nL1,1970-01-01\nL2,2100-12-31 23:59\nL3,2025-01-01\n"
    )
    assert run("load", leads, "-w", ws_path).code == 0


def test_missing_created_at_must_be_in_range(run, write, ws_path: Path) -> None:
    leads = write("leads.csv", "lead_id,created_at\nL1,\n")
    r = run("load", leads, "-w", ws_path, "--set", "missing_created_at=1900-01-01")
    assert r.code == 2 and "missing_created_at=1900-01-01 is not valid" in r.err


def _funnel_workspace(tmp_path: Path, extra_rows: list[str]) -> Path:
    leads = tmp_path / "leads.csv"
    text = (SAMPLE / "leads.csv").read_text(encoding="utf-8")
    width = text.splitlines()[0].count(",")
    rows = [f"{lead},{when}" + "," * (width - 1) for lead, when in extra_rows]
    leads.write_text(text.rstrip("\n") + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    path = tmp_path / "edge.duckdb"
    files = [leads, *(SAMPLE / f"{n}.csv" for n in ("deals", "activities", "spend"))]
    assert cli.main(["load", *map(str, files), "-w", str(path)]) == 0
    return path


def test_the_funnel_page_renders_with_leads_at_both_edges_of_the_range(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    from dashboard import ui

    # one lead in 1970 and one in 2100 among the sample's: 1,572 cohort months, which drew
    # 9,432 heatmap rows and stopped the page with Altair's MaxRowsError
    path = _funnel_workspace(tmp_path, [("L_EDGE_1", "1970-01-01"), ("L_EDGE_2", "2100-12-31")])
    monkeypatch.setenv("HANDOFF_WORKSPACE", str(path))
    ui.clear_caches()
    at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=180)
    at.run()
    at.switch_page("views/funnel.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    captions = [c.value for c in at.caption]
    assert any("The chart shows the latest 36 of the 1572 months" in c for c in captions)


# ----------------------------------------------------------------------------- the CLI


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(REPO)}


def test_a_reader_that_stops_early_is_not_an_error(sample_workspace: Path) -> None:
    for fmt in ("table", "csv", "json"):
        proc = subprocess.Popen(
            [*HANDOFF, "metric", "lead_list", "-w", str(sample_workspace), "--format", fmt],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_env(),
        )
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.read(100)  # like `| head -c 100`: read a little, then close
        proc.stdout.close()
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=120) == 0, err
        assert err == ""


def test_ctrl_c_during_a_load_exits_130_and_changes_nothing(
    sample_workspace: Path, tmp_path: Path
) -> None:
    ws = tmp_path / "ws.duckdb"
    shutil.copy(sample_workspace, ws)
    before = snapshot(ws)
    files = [str(SAMPLE / f"{n}.csv") for n in ("leads", "deals", "activities", "spend")]
    proc = subprocess.Popen(
        [*HANDOFF, "load", *files, "-w", str(ws)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    assert proc.stdout is not None
    # every file is read and checked before the transaction starts; the line naming the
    # last file is printed just before the commit: interrupt as soon as it appears
    seen = ""
    while "spend.csv: spend" not in seen:
        line = proc.stdout.readline()
        assert line, f"the load ended first: {proc.wait()} {proc.stderr.read()}"
        seen += line
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, (out, err)
    assert err.strip() == "handoff: interrupted; nothing was changed"
    assert snapshot(ws) == before


def test_a_query_interrupted_inside_the_commit_is_an_interruption(
    run, sample_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB answers a Ctrl-C during COMMIT with its own error; that was exit 1."""
    from dashboard import metrics

    before = snapshot(sample_copy)
    real = metrics.build_cache

    def interrupted_build(con: duckdb.DuckDBPyConnection, *args: object) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        real(con, *args)

    monkeypatch.setattr(metrics, "build_cache", interrupted_build)
    r = run("load", *(SAMPLE / f"{n}.csv" for n in ("leads", "deals")), "-w", sample_copy)
    assert r.code == 130, r.err
    assert r.err.strip() == "handoff: interrupted; nothing was changed"
    assert snapshot(sample_copy) == before
    r = run("settings", "-w", sample_copy, "--set", "sla_hours=4")
    assert r.code == 130
    assert snapshot(sample_copy) == before


def test_duckdb_interruption_without_keyboard_interrupt_still_exits_130(
    run, sample_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dashboard import workspace

    def commit(self: object, *args: object, **kwargs: object) -> None:
        cli._RUN.interrupted = True  # what the SIGINT handler records
        raise RuntimeError("Query interrupted")

    monkeypatch.setattr(workspace.Workspace, "commit", commit)
    r = run("load", SAMPLE / "spend.csv", "-w", sample_copy)
    assert r.code == 130
    assert r.err.strip() == "handoff: interrupted; nothing was changed"


# ----------------------------------------------------------------------------- file names


def test_printable_escapes_control_characters() -> None:
    assert printable("a\nb\x1b[2J\tc\u202ed.csv") == "a\\nb\\x1b[2J\\tc\\u202ed.csv"
    assert printable("Khách hàng (2025).csv") == "Khách hàng (2025).csv"
    problem = Problem("is empty", file="evil\n- fake line.csv", fix="x")
    assert problem.render() == "evil\\n- fake line.csv: is empty. Fix: x"
    assert "\n" not in HandoffError(problem).render()


def test_file_names_with_newlines_and_escapes_are_printed_escaped(
    run, tmp_path: Path, ws_path: Path
) -> None:
    name = "leads\n\x1b[31mred.csv"
    path = tmp_path / name
    path.write_text("lead_id,created_at\nL1,2025-01-05\nL2,9999-12-31\n", encoding="utf-8")
    r = run("load", path, "-w", ws_path)
    assert r.code == 2
    assert "leads\\n\\x1b[31mred.csv, column 'created_at': has 1 dates out of range" in r.err
    assert "\x1b" not in r.err and r.err.count("\n") == 1
    path.write_text("lead_id,created_at\nL1,2025-01-05\n", encoding="utf-8")
    r = run("load", path, "-w", ws_path)
    assert r.code == 0
    assert "leads\\n\\x1b[31mred.csv: leads from" in r.out
    assert "\x1b" not in r.out
    r = run("load", tmp_path / "no\nsuch.csv", "-w", ws_path)
    assert r.code == 2 and "no\\nsuch.csv does not exist" in r.err
