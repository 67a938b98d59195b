"""What Handoff knows about CRM exports, read from the data files shipped beside this module.

- ``profiles/*.toml``: one file per CRM export (HubSpot contacts, Salesforce tasks, ...):
  the headers it writes, the headers that tell it apart, its derivation rules and notes.
- ``vocabulary/generic.toml``: header synonyms of files no profile knows, the columns that
  point at a table, and the file-name words that hint at one.
- ``vocabulary/values.toml``: the words cell values are read by (won and lost stages,
  rejected statuses, true flags, temperatures, directions, activity types, stage names).

Every header and word is compared after :func:`normalise_header`. The files are read and
checked once, at import: a profile naming an unknown table, column or rule fails loudly
(a packaging or editing mistake, never user input).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dashboard import shipped
from dashboard.schema import STAGE_COLUMNS, TABLES

HERE = Path(__file__).resolve().parent
PROFILES_DIR = HERE / "profiles"
VOCABULARY_DIR = HERE / "vocabulary"

# ---------------------------------------------------------------------------------------
# Header normalisation
# ---------------------------------------------------------------------------------------

# Letters that Unicode does not decompose into a base letter plus an accent.
_FOLD = str.maketrans(
    {
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ı": "i",
        "\ufeff": "",
    }
)
_NON_WORD = re.compile(r"[\W_]+")


def normalise_header(name: str) -> str:
    """Return ``name`` lower-cased, without accents, with every run of other characters as "_".

    Vietnamese letters lose their marks ("Nguồn" -> "nguon", "Điểm" -> "diem"); letters
    of other scripts are kept; leading and trailing "_" are trimmed, so a Salesforce
    custom field "MQL_Date__c" reads "mql_date_c". A byte-order mark is ignored.
    """
    text = str(name).translate(_FOLD)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return _NON_WORD.sub("_", text).strip("_")


def resolve_table(name: str) -> str | None:
    """The canonical table called ``name`` or one of its aliases ("contacts" -> "leads")."""
    key = normalise_header(name)
    for t in TABLES.values():
        if key == t.name or key in t.aliases:
            return t.name
    return None


@dataclass
class HeaderIndex:
    """A file's columns by normalised header (first occurrence wins)."""

    by_norm: dict[str, str]
    weak: dict[str, str]  # Salesforce custom fields "X__c" also read as "x"

    @classmethod
    def build(cls, columns: Sequence[str]) -> HeaderIndex:
        by_norm: dict[str, str] = {}
        weak: dict[str, str] = {}
        for col in columns:
            n = normalise_header(col)
            if n and n not in by_norm:
                by_norm[n] = col
        for col in columns:
            if str(col).rstrip().endswith("__c"):
                n = normalise_header(col)
                base = n[: -len("_c")] if n.endswith("_c") else n
                if base and base not in by_norm and base not in weak:
                    weak[base] = col
        return cls(by_norm, weak)

    def find(self, header: str) -> str | None:
        """The file's column whose header reads as ``header``, or None."""
        n = normalise_header(header)
        return self.by_norm.get(n) or self.weak.get(n)

    def has(self, header: str) -> bool:
        return self.find(header) is not None


# ---------------------------------------------------------------------------------------
# Profiles
# ---------------------------------------------------------------------------------------

# The rules a profile's [derive.COLUMN] may name, with the keys each one takes.
RULE_KEYS: dict[str, frozenset[str]] = {
    "close_date_when_closed": frozenset(),
    "date_where_rejected": frozenset({"dates", "which"}),
    "rejection_text": frozenset(),
    "constant": frozenset({"value", "text"}),
    "activity_type": frozenset({"second"}),
    "coalesce": frozenset({"or_else", "text"}),
}
_RULE_NEEDS: dict[str, frozenset[str]] = {
    "date_where_rejected": frozenset({"dates", "which"}),
    "constant": frozenset({"value", "text"}),
    "coalesce": frozenset({"or_else"}),
}
_PROFILE_KEYS = frozenset(
    {
        "crm",
        "table",
        "label",
        "order",
        "crm_words",
        "id_prefixes",
        "evidence",
        "columns",
        "fallbacks",
        "derive",
        "notes",
    }
)


@dataclass(frozen=True)
class Fallback:
    """A column filled from ``headers`` only when nothing better was found; ``text`` says so."""

    headers: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class Note:
    """A note for the user: always, or only when ``unless_mapped`` is not mapped and
    ``header`` is in the file (``{header}`` in ``text`` is that column)."""

    text: str
    unless_mapped: str | None = None
    header: str | None = None


@dataclass(frozen=True)
class Profile:
    """One CRM export layout: the headers it writes, its evidence, rules and notes."""

    key: str
    crm: str
    table: str
    label: str
    columns: Mapping[str, Sequence[str]]
    evidence: Sequence[str] = ()
    fallbacks: Mapping[str, Fallback] = field(default_factory=dict)
    crm_words: tuple[str, ...] = ()
    id_prefixes: tuple[str, ...] = ()
    derive: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    notes: tuple[Note, ...] = ()
    order: int = 0

    @property
    def generic(self) -> bool:
        """True for the built-in profile of a file no CRM profile knows."""
        return self.crm == "generic"


def _strings(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where} must be a list of strings")
    return tuple(value)


def _read(path: Path) -> dict[str, Any]:
    with path.open("rb") as f:
        return tomllib.load(f)


def _profile(path: Path) -> Profile:
    """Read and check one ``profiles/NAME.toml`` (its key is NAME)."""
    raw = _read(path)
    where = path.name
    unknown = set(raw) - _PROFILE_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    absent = {"crm", "table", "label", "columns"} - set(raw)
    if absent:
        raise ValueError(f"{where}: {sorted(absent)} must be given")
    table = raw.get("table")
    if table not in TABLES:
        raise ValueError(f"{where}: table {table!r} is not one of {list(TABLES)}")
    t = TABLES[table]
    columns = {c: _strings(h, f"{where} [columns] {c}") for c, h in raw["columns"].items()}
    fallbacks = {
        c: Fallback(_strings(f["headers"], f"{where} [fallbacks.{c}]"), str(f["text"]))
        for c, f in raw.get("fallbacks", {}).items()
    }
    derive = dict(raw.get("derive", {}))
    for canon, rule in derive.items():
        kind = rule.get("rule")
        if kind not in RULE_KEYS or set(rule) - {"rule"} - RULE_KEYS[kind]:
            raise ValueError(f"{where} [derive.{canon}]: rule {kind!r} or its keys are unknown")
        if _RULE_NEEDS.get(kind, frozenset()) - set(rule):
            raise ValueError(
                f"{where} [derive.{canon}]: rule {kind!r} needs {sorted(_RULE_NEEDS[kind])}"
            )
    for n in raw.get("notes", []):
        if "text" not in n or set(n) - {"text", "unless_mapped", "header"}:
            raise ValueError(f"{where} [[notes]]: give text (and unless_mapped, header)")
    notes = tuple(Note(**n) for n in raw.get("notes", []))
    for canon in [
        *columns,
        *fallbacks,
        *derive,
        *(n.unless_mapped for n in notes if n.unless_mapped),
    ]:
        if not t.has_column(canon):
            raise ValueError(f"{where}: {canon!r} is not a column of {table}")
    return Profile(
        key=path.stem,
        crm=str(raw["crm"]),
        table=table,
        label=str(raw["label"]),
        columns=columns,
        evidence=_strings(raw.get("evidence", []), f"{where} evidence"),
        fallbacks=fallbacks,
        crm_words=_strings(raw.get("crm_words", []), f"{where} crm_words"),
        id_prefixes=_strings(raw.get("id_prefixes", []), f"{where} id_prefixes"),
        derive=derive,
        notes=notes,
        order=int(raw.get("order", 0)),
    )


def load_profiles(folder: Path = PROFILES_DIR) -> tuple[Profile, ...]:
    """Every CRM profile in ``folder`` by ``order``, then one generic profile per table."""
    crm = sorted((_profile(p) for p in folder.glob("*.toml")), key=lambda p: (p.order, p.key))
    generic = tuple(
        Profile(key=f"generic_{t}", crm="generic", table=t, label=f"{t} file", columns={})
        for t in TABLES
    )
    return (*crm, *generic)


PROFILES: tuple[Profile, ...] = load_profiles()

# ---------------------------------------------------------------------------------------
# Generic header synonyms
# ---------------------------------------------------------------------------------------


def _expand(words: Sequence[str], shared: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """The list with every "@name" replaced by the shared list [words] name."""
    out: list[str] = []
    for w in words:
        out.extend(shared[w[1:]] if w.startswith("@") else (w,))
    return tuple(out)


_GENERIC_RAW = _read(VOCABULARY_DIR / "generic.toml")
_SHARED_WORDS = {k: _strings(v, f"[words] {k}") for k, v in _GENERIC_RAW["words"].items()}

# Generic synonyms, per table and canonical column, in priority order.
GENERIC: dict[str, dict[str, tuple[str, ...]]] = {
    t: {c: _expand(words, _SHARED_WORDS) for c, words in _GENERIC_RAW["synonyms"][t].items()}
    for t in TABLES
}
# Canonical columns that point at one table more than the others (they weigh more).
DISTINCTIVE: dict[str, frozenset[str]] = {
    t: frozenset(_GENERIC_RAW["distinctive"][t]) for t in TABLES
}
# Headers every table uses alike: they never count as evidence for one table.
SHARED_HEADERS = frozenset(normalise_header(h) for h in _GENERIC_RAW["shared_headers"])
# Words in a file name that hint at a table.
TABLE_WORDS: dict[str, tuple[str, ...]] = {
    t: _strings(_GENERIC_RAW["file_words"][t], f"[file_words] {t}") for t in TABLES
}

for _t, _cols in GENERIC.items():
    for _c in [*_cols, *DISTINCTIVE[_t]]:
        if not TABLES[_t].has_column(_c):
            raise ValueError(f"generic.toml: {_c!r} is not a column of {_t}")

# ---------------------------------------------------------------------------------------
# Value words
# ---------------------------------------------------------------------------------------

VALUES: dict[str, Any] = _read(VOCABULARY_DIR / "values.toml")


def _inverse(table: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """{word: canonical value} from {canonical value: [words]}."""
    return {word: value for value, words in table.items() for word in words}


WON_STAGES = frozenset(VALUES["won_stages"])
LOST_STAGES = frozenset(VALUES["lost_stages"])
TRUE_WORDS: tuple[str, ...] = tuple(VALUES["true_words"])
REJECTED_EXAMPLES: str = VALUES["rejected_examples"]
_REJECTED = re.compile(
    r"(^|_)(" + "|".join(re.escape(w) for w in VALUES["rejected_words"]) + r")(_|$)"
)
_TEMPERATURES = _inverse(VALUES["temperatures"])
_DIRECTIONS = _inverse(VALUES["directions"])
_TYPE_WORDS = _inverse(VALUES["activity_types"])


def _squash(value: str) -> str:
    return normalise_header(value).replace("_", "")


def is_won_stage(value: str) -> bool:
    """True for a deal stage that means won ("Closed Won", "closedwon", "Thắng", ...)."""
    return normalise_header(value) in WON_STAGES or _squash(value).startswith(VALUES["won_prefix"])


def is_lost_stage(value: str) -> bool:
    """True for a deal stage that means lost ("Closed Lost", "closedlost", "Hủy", ...)."""
    return normalise_header(value) in LOST_STAGES or _squash(value).startswith(
        VALUES["lost_prefix"]
    )


def is_rejected_status(value: str) -> bool:
    """True for a lead status that reads as rejected ("Unqualified", "Closed - Not Converted")."""
    return bool(_REJECTED.search(normalise_header(value)))


def temperature(value: str) -> str:
    """ "hot", "warm" or "cold" for a word meaning it (English or Vietnamese), else ``value``."""
    return _TEMPERATURES.get(normalise_header(value), value)


def direction(value: str) -> str:
    """ "inbound", "outbound" or "internal" for a word meaning it, else ``value``."""
    return _DIRECTIONS.get(normalise_header(value), value)


def activity_type(value: str) -> str:
    """The canonical activity type ("call", "email", ...) of ``value``, else it normalised."""
    n = normalise_header(value)
    return _TYPE_WORDS.get(n, n or value)


def stage_aliases() -> dict[str, tuple[str, ...]]:
    """Stage names a stage-history file may use, normalised, by the lead date they set.

    The MQL names are the handoff metric's ``mql_stage_names`` parameter
    (``queries/handoff.toml``), so the loader and the metric read one list.
    """
    handoff = _read(shipped("queries") / "handoff.toml")
    mql = _strings(handoff["parameters"]["mql_stage_names"], "mql_stage_names")
    rest = {k: _strings(v, f"[stage_aliases] {k}") for k, v in VALUES["stage_aliases"].items()}
    out = {"mql": mql, **rest}
    for stage, names in out.items():
        # compared with a key of letters and digits only, and written into the staging SQL
        if stage not in STAGE_COLUMNS or not all(re.fullmatch(r"[a-z0-9]+", n) for n in names):
            raise ValueError(f"stage names of {stage!r} must be lower-case letters and digits")
    return out
