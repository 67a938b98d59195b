"""The command line's outputs on the demo are pinned: a refactor that changes any metric's
rows, columns or order fails here.

Each case is a `handoff metric` call on the sample workspace; its JSON rows are stored as a
digest (floats rounded to 10 significant digits, so a different but equal summation order
is not a change). A deliberate change of a definition updates the digests with
``HANDOFF_UPDATE_GOLDEN=1 pytest tests/test_golden_cli.py`` and says why in CHANGELOG.md.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from dashboard import metrics
from tests.conftest import REPO

GOLDEN = REPO / "tests" / "golden" / "cli_outputs.json"
FILTERS = ["--from", "2026-03-01", "--to", "2026-08-31", "--source", "Zalo OA"]


def _cases() -> list[tuple[str, list[str]]]:
    cases = []
    for name, m in metrics.registry().items():
        cases.append((name, []))
        cases.append((name, FILTERS))
        cases.append((name, ["--set", "cohort_basis=mql", "--set", "sla_hours=4"]))
        if m.supports_by:
            cases.append((name, ["--by", "source"]))
    return cases


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return float(f"{value:.10g}")
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def _digest(text: str) -> dict[str, Any]:
    rows = json.loads(text)
    canon = json.dumps(_rounded(rows), ensure_ascii=False, sort_keys=False)
    columns = list(rows[0]) if rows else []
    return {
        "rows": len(rows),
        "columns": columns,
        "sha256": hashlib.sha256(canon.encode("utf-8")).hexdigest(),
    }


def test_every_metric_prints_what_it_printed_before(run, sample_workspace: Path) -> None:
    got: dict[str, Any] = {}
    for name, args in _cases():
        r = run("metric", name, "-w", sample_workspace, "--format", "json", *args)
        assert r.code == 0, (name, args, r.err)
        got[" ".join([name, *args])] = _digest(r.out)
    if os.environ.get("HANDOFF_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        pytest.skip("golden outputs written")
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    changed = sorted(k for k in expected.keys() | got.keys() if expected.get(k) != got.get(k))
    assert not changed, "outputs changed (see the module docstring): " + ", ".join(changed)
