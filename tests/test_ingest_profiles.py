"""Ingest knowledge is data: CRM profiles and word lists in TOML, recognition unchanged.

The recognition reports in ``tests/ingest_reports/`` were written by ``handoff load
--dry-run`` before the CRM tables moved out of Python into ``dashboard/ingest/profiles/``;
they must stay byte-identical. To write them again after a deliberate change of
recognition, run ``python -m tests.test_ingest_profiles`` and review the diff.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import hashlib
import io
import json
import re
import sys
import tomllib
from pathlib import Path

import polars as pl
import pytest

from dashboard import cli
from dashboard.errors import HandoffError
from dashboard.ingest import knowledge, readers
from dashboard.ingest.mapping import apply_mapping, recognise
from dashboard.schema import TABLES
from dashboard.workspace import STAGE_ALIASES

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


# --------------------------------------------------------------------------- the data files


def test_every_profile_file_is_read_in_order_then_one_generic_profile_per_table() -> None:
    files = sorted(p.stem for p in knowledge.PROFILES_DIR.glob("*.toml"))
    keys = [p.key for p in knowledge.PROFILES]
    assert sorted(keys[: len(files)]) == files
    assert keys[len(files) :] == [f"generic_{t}" for t in TABLES]
    orders = [p.order for p in knowledge.PROFILES[: len(files)]]
    assert orders == sorted(orders) and len(set(orders)) == len(orders)
    for p in knowledge.PROFILES[: len(files)]:
        assert p.crm_words and p.evidence and p.columns, p.key


ACME = """
crm = "acme"
table = "deals"
label = "Acme CRM deals export"
order = 100
crm_words = ["acme"]
evidence = ["Acme Deal No", "Acme Stage", "Acme Closing", "Acme Rep"]

[columns]
deal_id = ["Acme Deal No"]
created_at = ["Acme Opened"]
stage = ["Acme Stage"]
closed_at = ["Acme Closing"]
owner = ["Acme Rep"]
lead_id = ["Acme Person"]

[derive.closed_at]
rule = "close_date_when_closed"

[[notes]]
text = "Acme deals are checked by hand"
"""


def test_a_crm_export_is_added_by_one_toml_file(tmp_path: Path, monkeypatch) -> None:
    """A new profile file is recognised, mapped and derived with no Python change."""
    (tmp_path / "acme_deals.toml").write_text(ACME, encoding="utf-8")
    extra = knowledge.load_profiles(tmp_path)[0]
    monkeypatch.setattr(knowledge, "PROFILES", (extra, *knowledge.PROFILES))
    frame = pl.DataFrame(
        {
            "Acme Deal No": ["D1", "D2"],
            "Acme Opened": ["2025-01-02", "2025-01-03"],
            "Acme Stage": ["Closed Won", "Negotiation"],
            "Acme Closing": ["2025-02-01", "2025-03-01"],
            "Acme Rep": ["An", "Bich"],
            "Acme Person": ["L1", "L2"],
        }
    )
    rec = recognise(list(frame.columns), file="export.csv", sample=frame)
    assert (rec.table, rec.crm) == ("deals", "acme")
    assert rec.notes[0] == "read as deals: Acme CRM deals export (4 known headers)"
    assert "Acme deals are checked by hand" in rec.notes
    out = apply_mapping(frame, rec)
    assert out["deal_id"].to_list() == ["D1", "D2"]
    assert out["is_won"].to_list() == ["true", "false"]
    # the open deal's close date is only expected: left out by the profile's rule
    assert out["closed_at"].to_list() == ["2025-02-01", None]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('table = "deals"', 'table = "orders"'), "table 'orders' is not one of"),
        (("owner = ", "salesperson = "), "'salesperson' is not a column of deals"),
        (('rule = "close_date_when_closed"', 'rule = "guess"'), "rule 'guess'"),
        (("order = 100", "order = 100\nmood = 1"), "unknown keys ['mood']"),
        (('label = "Acme CRM deals export"', ""), "['label'] must be given"),
        (('rule = "close_date_when_closed"', 'rule = "coalesce"'), "needs ['or_else']"),
        (('text = "Acme deals', 'txt = "Acme deals'), "[[notes]]: give text"),
    ],
)
def test_a_profile_file_with_a_mistake_fails_naming_the_file(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    (tmp_path / "acme_deals.toml").write_text(ACME.replace(*change), encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(message)) as err:
        knowledge.load_profiles(tmp_path)
    assert "acme_deals.toml" in str(err.value)


def test_every_rule_a_profile_names_is_one_derive_builds() -> None:
    for p in knowledge.PROFILES:
        for canon, spec in p.derive.items():
            assert spec["rule"] in knowledge.RULE_KEYS, (p.key, canon)


# --------------------------------------------------------------------------- one copy


def _data_word_lists() -> dict[str, tuple[str, ...]]:
    """Every word list of the ingest data files, by where it is."""
    lists: dict[str, tuple[str, ...]] = {}

    def walk(where: str, value: object) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{where}.{k}", v)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            lists[where] = tuple(v for v in value if not v.startswith("@"))

    for path in [*knowledge.VOCABULARY_DIR.glob("*.toml"), *knowledge.PROFILES_DIR.glob("*.toml")]:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        raw.pop("distinctive", None)  # canonical column names, which the schema lists too
        walk(path.name, raw)
    handoff = tomllib.loads((REPO / "queries" / "handoff.toml").read_text(encoding="utf-8"))
    lists["handoff.toml.mql_stage_names"] = tuple(handoff["parameters"]["mql_stage_names"])
    return lists


def _python_string_collections(path: Path) -> list[tuple[int, set[str]]]:
    """The string constants of every list, tuple, set or dict literal in ``path``."""
    out: list[tuple[int, set[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        items: list[ast.expr | None] = []
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            items = list(node.elts)
        elif isinstance(node, ast.Dict):
            items = [*node.keys, *node.values]
        words = {i.value for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str)}
        if len(words) >= 2:
            out.append((node.lineno, words))
    return out


# Lists that share words with a data list but are another list: a setting's or a metric
# parameter's yes/no typed on the command line is not a CSV cell's flag.
NOT_COPIES = {("cli.py", "values.toml.true_words"), ("settings.py", "values.toml.true_words")}


def _copies(lists: dict[str, tuple[str, ...]], files: list[Path]) -> list[str]:
    found = []
    for path in files:
        for line, words in _python_string_collections(path):
            for where, wanted in lists.items():
                if (path.name, where) in NOT_COPIES:
                    continue
                shared = words & set(wanted)
                if len(shared) >= min(3, len(set(wanted))) and len(set(wanted)) >= 2:
                    found.append(f"{path.name}:{line} repeats {where} ({sorted(shared)[:4]})")
    return found


def test_each_word_list_has_one_copy() -> None:
    """No Python file repeats a word list of the data files (nor the MQL stage names)."""
    lists = _data_word_lists()
    files = sorted((REPO / "dashboard").rglob("*.py"))
    assert _copies(lists, files) == []
    # the loader's MQL stage names are the metric's parameter, read from one file
    assert "mql" not in knowledge.VALUES["stage_aliases"]
    assert STAGE_ALIASES["mql"] == lists["handoff.toml.mql_stage_names"]


def test_the_copy_check_finds_a_copy(tmp_path: Path) -> None:
    """The check above is not vacuous: the word lists as Python literals are found."""
    copy = tmp_path / "copy.py"
    copy.write_text(
        'WON = frozenset({"won", "win", "closed_won", "thang"})\n'
        'MQL = ("mql", "marketingqualifiedlead", "marketingqualified")\n'
        'TEMPS = {"hot": "hot", "nong": "hot"}\n',
        encoding="utf-8",
    )
    found = _copies(_data_word_lists(), [copy])
    assert any("won_stages" in f for f in found)
    assert any("mql_stage_names" in f for f in found)
    assert any("temperatures.hot" in f for f in found)
