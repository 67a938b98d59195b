"""Exports are not weapons: CSV cells that a spreadsheet would run as formulas are written
neutralised, by the command line and by every download; numbers stay numbers."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

from dashboard.safe import csv_safe

HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]


def test_formula_cells_are_neutralised_and_numbers_are_not() -> None:
    frame = pl.DataFrame(
        {
            "source": [*HOSTILE, "\t=1", "Zalo OA", None],
            "amount": [-5.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        }
    )
    out = csv_safe(frame)
    assert out["source"].to_list() == [*(f"'{v}" for v in HOSTILE), "'\t=1", "Zalo OA", None]
    assert out["amount"].to_list() == frame["amount"].to_list()
    back = pl.read_csv(io.StringIO(out.write_csv()))
    assert not any(str(v).startswith(("=", "+", "-", "@")) for v in back["source"].drop_nulls())
    assert back["amount"][0] == -5.0


def test_metric_csv_output_neutralises_a_hostile_source(run, tmp_path: Path, write) -> None:
    leads = write(
        "leads.csv",
        'lead_id,created_at,source\nA,2025-01-01,"=HYPERLINK(""http://evil.example"")"\n'
        "B,2025-01-02,@SUM(A1)\n",
    )
    ws = tmp_path / "w.duckdb"
    assert run("load", leads, "-w", ws).code == 0
    out = run("metric", "lead_list", "-w", ws, "--format", "csv")
    assert out.code == 0, out.err
    lines = out.out.splitlines()
    assert any("'=HYPERLINK" in line for line in lines)
    assert any("'@SUM(A1)" in line for line in lines)
    assert not any(",=" in line or ",@" in line for line in lines[1:])


def test_personal_data_is_hashed_with_a_key_kept_outside_the_workspace(
    tmp_path: Path, write, monkeypatch
) -> None:
    import hashlib
    import hmac
    import stat

    from dashboard import secret
    from dashboard.workspace import Workspace

    leads = write("leads.csv", "lead_id,created_at,email\nA,2025-01-01,Lan@Example.com\n")
    ws_path = tmp_path / "w.duckdb"
    with Workspace(ws_path) as ws:
        ws.load([leads])
        [stored] = ws.query("SELECT email_hash FROM leads")["email_hash"].to_list()
        meta = dict(ws.query("SELECT key, value FROM meta").rows())
    key = b"handoff-tests-only-key"
    assert stored == hmac.new(key, b"lan@example.com", hashlib.sha256).hexdigest()
    # nothing in the file can rebuild the hash: no salt, no key
    assert "salt" not in meta and key.decode() not in ws_path.read_bytes().decode("latin-1")
    # without HANDOFF_SECRET the key is created once, outside the workspace, owner-only
    monkeypatch.delenv("HANDOFF_SECRET")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    first = secret.hashing_key()
    assert secret.hashing_key() == first and len(first) == 64
    mode = stat.S_IMODE(secret.key_path().stat().st_mode)
    assert mode == 0o600, oct(mode)
