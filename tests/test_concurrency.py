"""Safe for many viewers: page code runs no Python callbacks inside Polars or DuckDB, heavy
modules are imported before any page runs, and a load and the pages share the workspace
file without error boxes or failed loads."""

from __future__ import annotations

import ast
import datetime as dt
import re

import polars as pl

from dashboard import ui
from tests.conftest import REPO

DASHBOARD = REPO / "dashboard"

# A Python callback inside Polars (map_elements, DataFrame/Series .apply) or a DuckDB
# Python UDF (create_function) holds the engine's locks while it waits for the GIL: with
# many page threads this froze the server for good.
FORBIDDEN = re.compile(r"map_elements|\.apply\(|create_function")


def test_no_python_callbacks_inside_polars_or_duckdb_in_the_dashboard() -> None:
    found = [
        f"{path.relative_to(REPO)}:{n}: {line.strip()}"
        for path in sorted(DASHBOARD.rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if FORBIDDEN.search(line)
    ]
    assert not found, "\n".join(found)


HEAVY = {"pandas", "pyarrow", "altair", "vl_convert", "polars", "duckdb"}


def test_the_app_imports_every_heavy_module_before_the_router_runs_a_page() -> None:
    tree = ast.parse((DASHBOARD / "app.py").read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Expr | ast.Assign) and "navigation" in ast.unparse(node):
            break
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert not HEAVY - imported, sorted(HEAVY - imported)


def test_text_columns_format_each_value_and_keep_empty_values_empty() -> None:
    frame = pl.DataFrame({"n": [1200, None, 1200, 7], "d": [dt.date(2026, 1, 1)] * 4})
    out = frame.pipe(
        ui.with_text,
        ui.text_col("n", lambda v: f"<{v}>", "plain"),
        ui.text_col("n", lambda v: "–" if v is None else f"<{v}>", "nulls", format_nulls=True),
        ui.text_col(("n", "d"), lambda n, d: f"{n}@{d:%m}", "both"),
        (pl.col("n") * 2).alias("double"),
    )
    assert out["plain"].to_list() == ["<1200>", None, "<1200>", "<7>"]
    assert out["nulls"].to_list() == ["<1200>", "–", "<1200>", "<7>"]
    assert out["both"].to_list() == ["1200@01", "None@01", "1200@01", "7@01"]
    assert out["double"].to_list() == [2400, None, 2400, 14]
    assert out.schema["plain"] == pl.String


def test_select_text_keeps_the_order_of_the_columns_asked_for() -> None:
    frame = pl.DataFrame({"stage": ["mql", "sql"], "count": [3, 1]})
    out = ui.select_text(
        frame, ui.text_col("stage", str.upper, "Stage"), pl.col("count").alias("Count")
    )
    assert out.columns == ["Stage", "Count"]
    assert out.rows() == [("MQL", 3), ("SQL", 1)]
