"""Nothing in a mapping file, a header or a value is ever run as SQL.

Hostile mapping keys and headers must be refused with a message naming the file, the key
and the fix; the workspace stays as it was and no file is written.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from dashboard import identifiers, metrics
from dashboard.errors import HandoffError
from dashboard.ingest.canonical import Options, canonicalise
from dashboard.schema import TABLES
from dashboard.workspace import Workspace
from tests.conftest import snapshot

LEADS = "lead_id,created_at,source,Plan\nL1,2025-01-02,Zalo,Pro\nL2,2025-01-03,Web,Free\n"
SPEND = "period,source,amount\n2025-01-01,Zalo,1000\n"


def _hostile_keys(out: Path) -> list[str]:
    target = str(out).replace("'", "''")
    return [
        'segment_x" VARCHAR; COMMIT; DROP TABLE spend; --',
        'segment_x" INTEGER; DROP TABLE spend; --',
        f"segment_y\" VARCHAR; COPY (SELECT value FROM meta WHERE key = 'salt') TO '{target}'; --",
        "segment_z' ; DROP TABLE spend; --",
        "segment_Plan Type",
    ]


def _toml_key(key: str) -> str:
    return '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.fixture
def loaded(ws_path: Path, write) -> Path:
    with Workspace(ws_path) as ws:
        ws.load([write("leads.csv", LEADS), write("spend.csv", SPEND)])
    return ws_path


@pytest.mark.parametrize("index", range(5))
def test_hostile_segment_key_in_a_mapping_file_is_refused(
    run, write, loaded: Path, tmp_path: Path, index: int
) -> None:
    out = tmp_path / "stolen.csv"
    key = _hostile_keys(out)[index]
    mapping = write(
        "m.toml",
        f'[leads]\nlead_id = "lead_id"\ncreated_at = "created_at"\n{_toml_key(key)} = "Plan"\n',
    )
    before = snapshot(loaded)
    r = run("load", write("leads.csv", LEADS), "--workspace", loaded, "--mapping", mapping)
    assert r.code == 2, r.out
    assert "m.toml" in r.err and (key in r.err or repr(key) in r.err)
    assert "lower-case letters" in r.err  # the fix says what a valid name is
    assert snapshot(loaded) == before  # spend is still there, nothing changed
    assert not out.exists()


@pytest.mark.parametrize("index", range(5))
def test_hostile_column_names_reaching_canonicalise_are_refused(tmp_path: Path, index: int) -> None:
    key = _hostile_keys(tmp_path / "stolen.csv")[index]
    raw = pl.DataFrame({"lead_id": ["L1"], "created_at": ["2025-01-02"], key: ["x"]})
    with pytest.raises(HandoffError) as err:
        canonicalise(
            raw, TABLES["leads"], file="leads.csv", mapping={key: "Plan"}, options=Options()
        )
    text = err.value.render() if hasattr(err.value, "render") else str(err.value)
    assert "leads.csv" in text and "lower-case letters" in text


def test_a_stored_column_with_quotes_is_never_pasted_into_metric_sql(
    loaded: Path, tmp_path: Path
) -> None:
    """A workspace written before names were checked may hold any name: metrics skip it."""
    out = tmp_path / "stolen.csv"
    evil = f"segment_q\" as varchar) end; COPY leads TO '{out}'; select (\"x"
    con = duckdb.connect(str(loaded))
    con.execute(f"ALTER TABLE leads ADD COLUMN {identifiers.quote(evil)} VARCHAR")
    con.close()
    with Workspace(loaded) as ws:
        assert evil not in metrics.dimensions(ws.con)
        result = metrics.run(ws.con, "funnel", settings=ws.settings(), by="source", use_cache=False)
        assert result.frame.height > 0
    assert not out.exists()


def test_quote_doubles_inner_quotes() -> None:
    con = duckdb.connect()
    name = 'a"b; DROP TABLE t; --'
    con.execute(f"CREATE TABLE t ({identifiers.quote(name)} INTEGER)")
    assert [r[0] for r in con.execute("DESCRIBE t").fetchall()] == [name]


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("segment_plan", True),
        (" segment_plan ", False),
        ("segment_Plan", False),
        ("segment_gói", False),
        ("segment_" + "a" * 55, True),
        ("segment_" + "a" * 56, False),
        ('segment_x"', False),
        ("1segment", False),
    ],
)
def test_safe_names(name: str, safe: bool) -> None:
    assert identifiers.is_safe(name) is safe
