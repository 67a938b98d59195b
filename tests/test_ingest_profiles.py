"""Ingest knowledge is data: CRM profiles and word lists in TOML, recognition unchanged.

The recognition reports in ``tests/ingest_reports/`` were written by ``handoff load
--dry-run`` before the CRM tables moved out of Python into ``dashboard/ingest/profiles/``;
they must stay byte-identical. To write them again after a deliberate change of
recognition, run ``python -m tests.test_ingest_profiles`` and review the diff.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import json
import sys
from pathlib import Path

import pytest

from dashboard import cli
from dashboard.errors import HandoffError
from dashboard.ingest import readers
from dashboard.ingest.mapping import apply_mapping, recognise
from dashboard.schema import TABLES

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
REPORTS = REPO / "tests" / "ingest_reports"
SAMPLE = REPO / "sample_data"
# every file recognition is tried on: the CRM fixtures and the sample data
FILES = sorted(FIXTURES.glob("*/*.csv")) + sorted(SAMPLE.glob("*.csv"))

# Each case: a name and the arguments after `handoff load --dry-run` (paths relative to
# tests/fixtures). Every CRM fixture alone, each set together, and the options a file needs.
CASES: dict[str, list[str]] = {
    **{
        f"{p.parent.name}__{p.stem}": [f"{p.parent.name}/{p.name}"]
        for p in sorted(FIXTURES.glob("*/*.csv"))
    },
    "hubspot__all": [
        "hubspot/hubspot-crm-exports-all-contacts.csv",
        "hubspot/hubspot-crm-exports-all-deals.csv",
    ],
    "salesforce__data_loader": [
        "salesforce/Lead.csv",
        "salesforce/Opportunity.csv",
        "salesforce/Task.csv",
    ],
    "salesforce__report_mdy": ["salesforce/report_leads.csv", "--set", "date_order=mdy"],
    "generic__english": [
        "generic/leads.csv",
        "generic/deals.csv",
        "generic/activities.csv",
        "generic/spend.csv",
    ],
    "generic__vietnamese": [
        "generic/khach_hang_tiem_nang.csv",
        "generic/co_hoi.csv",
        "generic/cuoc_goi.csv",
    ],
    "generic__leads_as_deals": ["generic/leads.csv", "--as", "deals"],
}


def dry_run(args: list[str], workspace: Path) -> str:
    """The exit code, stdout and stderr of `handoff load --dry-run`, run from tests/fixtures."""
    argv = ["load", "--dry-run", "--workspace", str(workspace)]
    argv += [str(FIXTURES / a) if a.endswith(".csv") else a for a in args]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    text = f"exit {code}\n--- stdout\n{out.getvalue()}--- stderr\n{err.getvalue()}"
    return text.replace(str(FIXTURES) + "/", "").replace(str(workspace), "WORKSPACE")


@pytest.mark.parametrize("name", sorted(CASES))
def test_recognition_report_is_unchanged(name: str, tmp_path: Path) -> None:
    expected = (REPORTS / f"{name}.txt").read_text(encoding="utf-8")
    assert dry_run(CASES[name], tmp_path / "ws.duckdb") == expected


def test_every_fixture_has_a_stored_report() -> None:
    stored = {p.stem for p in REPORTS.glob("*.txt")}
    assert stored == set(CASES)
    for p in FIXTURES.glob("*/*.csv"):
        assert f"{p.parent.name}__{p.stem}" in stored, p


def recognitions(path: Path) -> str:
    """JSON of what recognition decides for ``path`` as read, and as each table (--as).

    Holds every field of the Recognition (mapping, derived texts, rules, notes,
    confidence, unmapped columns) and a digest of the mapped frame, so any change in
    which column is taken, how a column is derived or what is said shows as a diff.
    """
    read = readers.read_file(path, name=path.name)
    out: dict[str, object] = {}
    for table in [None, *TABLES]:
        try:
            rec = recognise(
                list(read.frame.columns),
                file=path.name,
                table=table,
                sample=read.frame.head(200),
            )
        except HandoffError as exc:
            out[str(table)] = {"error": str(exc)}
            continue
        mapped = apply_mapping(read.frame, rec).write_csv()
        out[str(table)] = {
            **dataclasses.asdict(rec),
            "mapped_sha256": hashlib.sha256(mapped.encode("utf-8")).hexdigest(),
        }
    return json.dumps(out, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def _report_name(path: Path) -> str:
    return f"{path.parent.name}__{path.stem}.json"


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_recognition_and_derived_columns_are_unchanged(path: Path) -> None:
    expected = (REPORTS / _report_name(path)).read_text(encoding="utf-8")
    assert recognitions(path) == expected


def _write_reports() -> None:
    import tempfile

    REPORTS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, args in CASES.items():
            text = dry_run(args, Path(tmp) / f"{name}.duckdb")
            (REPORTS / f"{name}.txt").write_text(text, encoding="utf-8")
    for path in FILES:
        (REPORTS / _report_name(path)).write_text(recognitions(path), encoding="utf-8")
    json.dump(sorted(CASES), sys.stdout)


if __name__ == "__main__":
    _write_reports()
