"""dashboard/ingest/ stays in modules a reader can hold in mind.

No module passes 500 lines and no function 80, not counting module-level data tables
(a top-level name bound to a literal dict, list, tuple or set: word lists, patterns,
option descriptions), which are read as data rather than as code.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

INGEST = Path(__file__).resolve().parent.parent / "dashboard" / "ingest"
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80

_DATA = (ast.Dict, ast.List, ast.Tuple, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)


def _is_data_table(node: ast.stmt) -> bool:
    value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
    if isinstance(value, ast.Call) and value.args:  # frozenset({...}), re.compile(...)
        value = value.args[0] if isinstance(value.args[0], _DATA) else value
    return isinstance(value, _DATA)


def code_lines(tree: ast.Module, total: int) -> int:
    """Lines of a module less the lines its top-level data tables span."""
    data = sum(
        node.end_lineno - node.lineno + 1  # type: ignore[operator]
        for node in tree.body
        if _is_data_table(node)
    )
    return total - data


def long_functions(tree: ast.Module) -> list[tuple[str, int]]:
    """(name, lines) of every function or method, nested ones included, over the limit."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            lines = node.end_lineno - node.lineno + 1  # type: ignore[operator]
            if lines > MAX_FUNCTION_LINES:
                out.append((f"{node.name} (line {node.lineno})", lines))
    return out


MODULES = sorted(INGEST.glob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_module_is_at_most_500_lines_of_code(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    lines = code_lines(ast.parse(text), len(text.splitlines()))
    assert lines <= MAX_MODULE_LINES, (
        f"{path.name} has {lines} lines besides data tables; split it by responsibility"
    )


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_function_passes_80_lines(path: Path) -> None:
    long = long_functions(ast.parse(path.read_text(encoding="utf-8")))
    assert not long, f"{path.name}: functions over {MAX_FUNCTION_LINES} lines: {long}"


def test_the_checks_see_code_and_skip_data() -> None:
    source = "WORDS = {\n 'a': 1,\n 'b': 2,\n}\n\n\ndef f():\n" + "    x = 1\n" * 81
    tree = ast.parse(source)
    assert code_lines(tree, len(source.splitlines())) == len(source.splitlines()) - 4
    assert long_functions(tree) == [("f (line 7)", 82)]
