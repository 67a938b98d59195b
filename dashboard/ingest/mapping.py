"""Map a CRM export's columns onto the canonical model; read and write mapping files.

The knowledge is data: one file per CRM export in ``profiles/*.toml`` (the headers HubSpot
and Salesforce write: HubSpot UI labels and internal property names, Salesforce API names
and report labels), generic synonyms in English and Vietnamese and the value words in
``vocabulary/``, all compared after :func:`normalise_header`; the canonical column names
themselves always match. :mod:`dashboard.ingest.knowledge` reads them.

``recognise`` (:mod:`dashboard.ingest.recognise`) decides the table (unless given, e.g. by
``--as``) and the CRM, maps the columns and says what it guessed; ``apply_mapping``
(:mod:`dashboard.ingest.derive`) renames the columns and computes the derived ones, leaving
values raw (typing happens in :mod:`dashboard.ingest.canonical`). This module holds the
mapping-file reader and writer and re-exports those names, so callers import one module.

Mapping files
-------------
A mapping file is TOML. It fixes or completes what recognition found, and is written by
:func:`save_mapping` after a user confirms a mapping::

    # Handoff mapping file
    [options]
    date_order = "dmy"                 # "dmy" or "mdy": day/month order of slash dates
    timezone = "Asia/Ho_Chi_Minh"      # time zone of dates that carry none
    decimal = ","                      # decimal separator of amounts ("." or ",")
    currency = "VND"                   # currency of amounts that carry none
    personal_data = "hash"             # "hash" or "drop" e-mail and phone
    sheet = "Leads"                    # sheet of a workbook to read (name or 0-based number)
    encoding = "utf-8"                 # text encoding of CSV files
    delimiter = ";"                    # CSV field separator
    header_row = 1                     # 1-based row holding the column names

    [options.table_for_file]           # which table a file is, by file name or pattern
    "Leads.csv" = "leads"
    "*calls*.xlsx" = "activities"

    [leads]                            # one section per canonical table
    lead_id = "Their Column"           # canonical column = source column header, exactly
    created_at = "first_contact_date"
    mql_at = "first_contact_date"      # the same source column may feed several columns
    segment_plan = "Plan"              # leads only: segment_* columns keep any text column
    owner = ""                         # empty: do not map this column at all
    currency = { value = "VND" }       # a constant written on every row

Table sections may use the table aliases of :mod:`dashboard.schema` (``[contacts]``,
``[opportunities]``, ``[tasks]``...). A section's entries win over recognition for that
table; columns it does not name are still recognised. An entry naming a column the file
does not have is an error (a column whose header differs only in case, spacing, accents
or punctuation is accepted and noted). Without ``--as`` and ``table_for_file``, a section
whose every named column is in the file decides which table the file is.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dashboard import currencies
from dashboard.errors import HandoffError, Problem, as_written
from dashboard.identifiers import NAME_RULE, is_safe, suggest
from dashboard.ingest.derive import Derivation, apply_mapping
from dashboard.ingest.knowledge import normalise_header, resolve_table
from dashboard.ingest.recognise import Recognition, recognise
from dashboard.ingest.values import FIRST_DATE, LAST_DATE
from dashboard.schema import SEGMENT_PREFIX, TABLES

__all__ = [
    "Derivation",
    "MappingFile",
    "Recognition",
    "apply_mapping",
    "load_mapping",
    "normalise_header",
    "recognise",
    "resolve_table",
    "save_mapping",
    "valid_created_fill",
]


@dataclass
class MappingFile:
    """A parsed mapping file: per-table column choices, constants and reading options."""

    path: str
    tables: dict[str, dict[str, str]]
    options: dict[str, object]
    constants: dict[str, dict[str, str]] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------
# Mapping files
# ---------------------------------------------------------------------------------------

_OPTIONS: dict[str, str] = {
    "date_order": 'day/month order of slash dates: "dmy" or "mdy"',
    "timezone": 'IANA time zone of dates that carry none, e.g. "Asia/Ho_Chi_Minh"',
    "decimal": 'decimal separator of amounts: "." or ","',
    "currency": 'ISO currency of amounts that carry none, e.g. "VND"',
    "personal_data": '"hash" or "drop" e-mail and phone after de-duplication',
    "duplicate_source": 'whose source a merged duplicate lead keeps: "first" or "latest"',
    "missing_created_at": 'date for rows with no created date: "load_date" or "YYYY-MM-DD"',
    "sheet": "sheet of a workbook to read: its name or 0-based number",
    "encoding": 'text encoding of CSV files, e.g. "utf-8" or "cp1258"',
    "delimiter": 'CSV field separator, e.g. ";"',
    "header_row": "1-based row that holds the column names",
    "table_for_file": 'table per file name or pattern: { "Leads.csv" = "leads" }',
}


def _mapping_error(path: str, message: str, fix: str, column: str | None = None) -> HandoffError:
    return HandoffError(Problem(message, fix=fix, file=path, column=column))


def _check_option(path: str, key: str, value: object) -> object:
    def bad(expected: str) -> HandoffError:
        return _mapping_error(
            path,
            f"[options] {key} = {as_written(value)} is not valid",
            f"give {expected}",
        )

    if key == "date_order":
        if value not in ("", "dmy", "mdy"):
            raise bad('"dmy" or "mdy"')
    elif key == "decimal":
        if value not in ("", ".", ","):
            raise bad('"." or ","')
    elif key == "personal_data":
        if value not in ("hash", "drop"):
            raise bad('"hash" or "drop"')
    elif key == "duplicate_source":
        if value not in ("first", "latest"):
            raise bad('"first" or "latest"')
    elif key == "missing_created_at":
        # an unquoted TOML date (missing_created_at = 2026-03-01) is read as that date
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            value = value.isoformat()
        if not valid_created_fill(value):
            raise bad('"load_date" or a date written YYYY-MM-DD')
    elif key == "currency":
        code = currencies.normalise(value) if isinstance(value, str) else None
        if code is None:
            near = currencies.close_matches(value) if isinstance(value, str) else []
            hint = f" (did you mean {' or '.join(near)}?)" if near else ""
            raise bad(currencies.FORM + hint)
        return code
    elif key == "timezone":
        if not isinstance(value, str):
            raise bad("an IANA time zone such as Asia/Ho_Chi_Minh")
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise bad("an IANA time zone such as Asia/Ho_Chi_Minh") from None
    elif key == "sheet":
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise bad("a sheet name or a 0-based sheet number")
    elif key == "header_row":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise bad("a row number ≥ 1")
    elif key == "table_for_file":
        if not isinstance(value, dict):
            raise bad('a table such as { "Leads.csv" = "leads" }')
        out: dict[str, str] = {}
        for pattern, name in value.items():
            resolved = resolve_table(str(name)) if isinstance(name, str) else None
            if resolved is None:
                raise _mapping_error(
                    path,
                    f"[options.table_for_file] {as_written(pattern)} = {as_written(name)} "
                    "is not a table",
                    f"use one of: {', '.join(TABLES)}",
                )
            out[str(pattern)] = resolved
        return out
    elif not isinstance(value, str):
        raise bad("text")
    return value


def valid_created_fill(value: object) -> bool:
    """True for a ``missing_created_at`` value: "load_date", "" or a YYYY-MM-DD date."""
    if value in ("", "load_date"):
        return True
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return False
    # the date is stored on rows: it must be a date a workspace can store
    return FIRST_DATE <= day <= LAST_DATE


def _read_section(
    where: str,
    key: str,
    value: object,
    tables: dict[str, dict[str, str]],
    constants: dict[str, dict[str, str]],
) -> None:
    """Check one [table] section of a mapping file into ``tables`` and ``constants``."""
    name = resolve_table(key)
    if name is None:
        raise _mapping_error(
            where,
            f"[{key}] is not a table",
            f"use one of: {', '.join(TABLES)} (or [options])",
        )
    if not isinstance(value, dict):
        raise _mapping_error(
            where,
            f"{key} must be a section: [{key}] followed by lines such as "
            f'{TABLES[name].key[0]} = "Your column"',
            f"write [{key}] on its own line",
        )
    t = TABLES[name]
    section = tables.setdefault(name, {})
    fixed = constants.setdefault(name, {})
    for canon, source in value.items():
        if t.extra_prefix and str(canon).startswith(t.extra_prefix) and not is_safe(canon):
            # a segment key becomes a column name in SQL: only a strict pattern passes
            raise _mapping_error(
                where,
                f"[{key}] {canon!r} cannot be a column name",
                f"rename the key to {NAME_RULE}, e.g. {suggest(canon)!r}",
                column=canon,
            )
        if not t.has_column(canon):
            segment = f", or {SEGMENT_PREFIX}<name> for a segment column" if t.extra_prefix else ""
            raise _mapping_error(
                where,
                f"[{key}] {canon} is not a column of {name}",
                f"use one of: {', '.join(t.column_names)}{segment}",
                column=canon,
            )
        if canon in section or canon in fixed:
            raise _mapping_error(
                where,
                f"{name}.{canon} is set twice",
                "keep one of the lines",
                column=canon,
            )
        if isinstance(source, str):
            section[canon] = source
        elif (
            isinstance(source, dict)
            and set(source) == {"value"}
            and isinstance(source["value"], (str, int, float, bool))
        ):
            v = source["value"]
            fixed[canon] = str(v).lower() if isinstance(v, bool) else str(v)
        else:
            raise _mapping_error(
                where,
                f"[{key}] {canon} = {as_written(source)} is neither a column name nor a constant",
                f'write {canon} = "Column name", or {canon} = {{ value = "constant" }}',
                column=canon,
            )


def load_mapping(path: str | Path) -> MappingFile:
    """Read and validate a TOML mapping file (format in the module docstring).

    Raises HandoffError naming the file and the fix when it cannot be read, is not valid
    TOML (with the line), names an unknown table, option or canonical column (listing
    the valid names), or gives a value that is neither a column name nor ``{ value = ...}``.
    """
    p = Path(path)
    where = str(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise _mapping_error(
            where,
            f"mapping file cannot be read ({exc.strerror or exc})",
            "check the path given to --mapping",
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _mapping_error(
            where, "mapping file is not UTF-8 text", "save it again as UTF-8"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        line = f" on line {found.group(1)}" if found else ""
        raise _mapping_error(
            where,
            f"mapping file is not valid TOML{line}: {exc}",
            'write one entry per line as canonical_column = "Source column", under a '
            "[table] header",
        ) from None

    tables: dict[str, dict[str, str]] = {}
    constants: dict[str, dict[str, str]] = {}
    options: dict[str, object] = {}
    for key, value in data.items():
        if key == "options":
            if not isinstance(value, dict):
                raise _mapping_error(
                    where, "options must be a [options] section", "write [options] on its own line"
                )
            for opt, opt_value in value.items():
                if opt not in _OPTIONS:
                    known = "; ".join(f"{k}: {v}" for k, v in _OPTIONS.items())
                    raise _mapping_error(
                        where,
                        f"[options] has an unknown option {opt!r}",
                        f"use one of {known}",
                    )
                options[opt] = _check_option(where, opt, opt_value)
            continue
        _read_section(where, key, value, tables, constants)
    tables = {k: v for k, v in tables.items() if v or constants.get(k)}
    constants = {k: v for k, v in constants.items() if v}
    return MappingFile(path=where, tables=tables, options=options, constants=constants)


_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _toml_string(value: str) -> str:
    out = ['"']
    for ch in value:
        code = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else _toml_string(key)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return _toml_string(str(value))


def _mapping_text(
    opts: Mapping[str, object],
    files: Mapping[str, str],
    tables: dict[str, dict[str, str]],
    fixed: dict[str, dict[str, str]],
) -> str:
    """The TOML text of a mapping file: options, table_for_file, then one section per table."""
    lines = [
        "# Handoff mapping file: which column of your export feeds each canonical column.",
        '# Load it with --mapping. Format: under [table], canonical_column = "Your column";',
        '# canonical_column = { value = "constant" } writes a constant; "" leaves a column out.',
        "# [options] holds reading options (date_order, timezone, decimal, currency, ...).",
        "",
    ]
    if opts or files:
        lines.append("[options]")
        for key, value in opts.items():
            lines.append(f"{_toml_key(str(key))} = {_toml_value(value)}")
        lines.append("")
        if files:
            lines.append("[options.table_for_file]")
            for pattern, name in files.items():
                lines.append(f"{_toml_key(str(pattern))} = {_toml_value(name)}")
            lines.append("")
    for name in TABLES:
        section = tables.get(name, {})
        consts = fixed.get(name, {})
        if not section and not consts:
            continue
        lines.append(f"[{name}]")
        for canon in [*TABLES[name].column_names, *sorted(section), *sorted(consts)]:
            if canon in section:
                lines.append(f"{_toml_key(canon)} = {_toml_value(section.pop(canon))}")
            elif canon in consts:
                lines.append(f"{_toml_key(canon)} = {{ value = {_toml_value(consts.pop(canon))} }}")
        lines.append("")
    return "\n".join(lines)


def save_mapping(
    path: str | Path,
    recognitions: list[Recognition],
    options: dict | None = None,
) -> None:
    """Write the recognitions' mappings as a TOML mapping file that ``load_mapping`` reads back.

    Written per table: every column taken from the file (including ones re-read by a
    rule, e.g. a HubSpot close date) and every constant; columns a rule fills from others
    (e.g. is_won from the deal stage) are left for recognition to derive again. The file
    name of each recognition is recorded in ``table_for_file``. Raises HandoffError when
    two recognitions of one table map a column differently (save them to separate files).
    """
    tables: dict[str, dict[str, str]] = {}
    fixed: dict[str, dict[str, str]] = {}
    table_for_file: dict[str, str] = {}
    opts: dict[str, object] = dict(options or {})
    for rec in recognitions:
        section = tables.setdefault(rec.table, {})
        consts = fixed.setdefault(rec.table, {})
        entries = {
            canon: src
            for canon, src in rec.mapping.items()
            if not (canon in rec.rules and rec.rules[canon].fill)
        }
        for canon, src in entries.items():
            if section.get(canon, src) != src:
                raise HandoffError(
                    Problem(
                        f"{rec.table}.{canon} comes from {section[canon]!r} in one file and "
                        f"{src!r} in another, which one mapping file cannot say",
                        fix="save one mapping file per file layout",
                        file=str(path),
                    )
                )
            section[canon] = src
        for canon, value in rec.constants.items():
            if consts.get(canon, value) != value:
                raise HandoffError(
                    Problem(
                        f"{rec.table}.{canon} is the constant {consts[canon]!r} in one file "
                        f"and {value!r} in another",
                        fix="save one mapping file per file layout",
                        file=str(path),
                    )
                )
            consts[canon] = value
        if rec.file:
            table_for_file[Path(rec.file).name] = rec.table
    existing = opts.get("table_for_file")
    files: dict[str, str] = dict(existing) if isinstance(existing, Mapping) else {}
    files.update(table_for_file)
    opts.pop("table_for_file", None)

    text = _mapping_text(opts, files, tables, fixed)
    Path(path).write_text(text, encoding="utf-8")
