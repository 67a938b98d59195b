"""Every number a page, the report or a callout shows comes from a query in queries/.

Python in the pages (dashboard/views/*.py), their charts (dashboard/charts/*.py), the review
callouts (dashboard/review.py) and the report (dashboard/report/*.py) chooses, words and
formats; it does not compute metrics. This test reads their source and fails, naming
file:line, on the simple shapes metric arithmetic takes:

- a Polars column expression combined with an arithmetic operator
  (``pl.col("won") / pl.col("closed")``, ``frame["a"] * frame["b"]``);
- an aggregate taken in Python over a metric's rows: ``.sum()``, ``.mean()``,
  ``.median()`` (on a frame, a column or an expression; a Python ``sum(...)`` over a
  metric's values too);
- an arithmetic operator between two values read from a metric row (``row["a"] - row["b"]``).

Chart geometry (an axis running past its longest bar) is layout, not a metric: a line may
say so with a trailing ``# layout``, and only for a product with a literal number.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

FILES = sorted(
    [
        *(REPO / "dashboard" / "views").glob("*.py"),
        *(REPO / "dashboard" / "charts").glob("*.py"),
        REPO / "dashboard" / "review.py",
        REPO / "dashboard" / "review_periods.py",
        REPO / "dashboard" / "setting_inputs.py",
        *(REPO / "dashboard" / "report").glob("*.py"),
    ]
)
ARITHMETIC = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)
AGGREGATES = {"sum", "mean", "median"}


def _is_column(node: ast.AST) -> bool:
    """``pl.col(...)``, ``pl.col(...).method(...)`` chains, or ``frame["name"]``."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if (
            isinstance(node.func.value, ast.Name)
            and node.func.value.id == "pl"
            and node.func.attr == "col"
        ):
            return True
        node = node.func.value
    return False


def _is_row_value(node: ast.AST) -> bool:
    """``x["name"]`` read from a mapping (a metric row), possibly wrapped in a cast."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.args
        and node.func.id in {"float", "int", "_num"}
    ):
        return _is_row_value(node.args[0])
    return (
        isinstance(node, ast.Subscript)
        and isinstance(node.slice, ast.Constant)
        and isinstance(node.slice.value, str)
    )


def _is_text(node: ast.AST) -> bool:
    """A string literal, ``pl.lit("...")``, an f-string, or a display column ``*_text``."""
    if isinstance(node, ast.Constant | ast.JoinedStr):
        return isinstance(node, ast.JoinedStr) or isinstance(node.value, str)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr == "lit" and node.args:
            return _is_text(node.args[0])
        if node.func.attr == "col" and node.args and isinstance(node.args[0], ast.Constant):
            name = node.args[0].value
            return isinstance(name, str) and (name.endswith("_text") or name == "dimension")
        if node.func.attr == "col" and node.args and isinstance(node.args[0], ast.JoinedStr):
            last = node.args[0].values[-1]
            return isinstance(last, ast.Constant) and str(last.value).endswith("_text")
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _is_text(node.left) or _is_text(node.right)
    return False


def _violations(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found: list[str] = []
    where = path.relative_to(REPO)
    for node in ast.walk(ast.parse(source)):
        line = getattr(node, "lineno", 0)
        text = lines[line - 1] if line else ""
        if isinstance(node, ast.BinOp) and isinstance(node.op, ARITHMETIC):
            sides = (node.left, node.right)
            if isinstance(node.op, ast.Add) and any(_is_text(s) for s in sides):
                continue  # joining display text, not adding numbers
            if any(_is_column(s) for s in sides):
                found.append(f"{where}:{line}: arithmetic on a column: {text.strip()}")
            elif all(_is_row_value(s) for s in sides):
                found.append(f"{where}:{line}: arithmetic between metric values: {text.strip()}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in AGGREGATES and not node.args:
                found.append(f"{where}:{line}: .{node.func.attr}() in Python: {text.strip()}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "sum"
            and node.args
            and isinstance(node.args[0], ast.GeneratorExp | ast.ListComp)
            and any(_is_row_value(n) for n in ast.walk(node.args[0].elt))
        ):
            found.append(f"{where}:{line}: sum() over metric values: {text.strip()}")
    return found


def test_pages_report_and_callouts_do_no_metric_arithmetic() -> None:
    found = [v for path in FILES for v in _violations(path)]
    assert not found, "compute these in queries/ instead:\n" + "\n".join(found)


def test_the_scan_catches_each_shape(tmp_path: Path) -> None:
    """The scanner itself: each forbidden shape is reported with its line."""
    probe = REPO / "dashboard" / "views" / "_probe_for_the_scan.py"
    probe.write_text(
        "\n".join(
            [
                "import polars as pl",
                'a = pl.col("won") / pl.col("closed")',
                'b = frame["won_revenue"].sum()',
                'c = row["won_revenue"] - row["spend"]',
                'd = sum(float(g["won_revenue"] or 0) for g in group)',
                "e = f\"{row['x']}\"",
                'f = pl.col("x").fill_null(0) * 100',
                'g = pl.col("a_text") + pl.lit(" · ") + pl.col("b_text")',
            ]
        ),
        encoding="utf-8",
    )
    try:
        lines = sorted(int(v.split(":")[1]) for v in _violations(probe))
    finally:
        probe.unlink()
    assert lines == [2, 3, 4, 5, 7]
