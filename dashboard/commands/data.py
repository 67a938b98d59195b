"""``handoff load``, ``tables``, ``check`` and ``settings``: what goes in and what is stored."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from dashboard.commands.common import EXIT_OK, open_workspace, stored
from dashboard.errors import HandoffError, Problem, printable
from dashboard.formatting import text_table

if TYPE_CHECKING:
    from dashboard.ingest.stream import Progress


def _reading_options(assignments: list[str] | None) -> dict[str, Any]:
    """The ``--set`` reading options of a load, checked (exit 2 naming a bad one)."""
    from dashboard.ingest import mapping as mapping_mod
    from dashboard.settings import parse_assignments

    # missing_created_at is a reading option only, not a setting: validated here
    fills = [a for a in assignments or [] if a.split("=", 1)[0].strip() == "missing_created_at"]
    options = parse_assignments([a for a in assignments or [] if a not in fills])
    for pair in fills:
        value = pair.split("=", 1)[1].strip() if "=" in pair else ""
        if not mapping_mod.valid_created_fill(value):
            raise HandoffError(
                Problem(
                    f"--set missing_created_at={value} is not valid",
                    fix="give missing_created_at=load_date or a date written YYYY-MM-DD",
                )
            )
        options["missing_created_at"] = value
    bad = set(options) - {
        "timezone",
        "date_order",
        "decimal",
        "currency",
        "personal_data",
        "duplicate_source",
        "missing_created_at",
        "max_file_mb",
        "max_line_kb",
        "max_cell_chars",
    }
    if bad:
        raise HandoffError(
            Problem(
                f"{', '.join(sorted(bad))} is not a reading option",
                fix="use `handoff settings --set` to change metric definitions",
            )
        )
    return options


def _progress_printer(args: argparse.Namespace) -> Callable[[Progress], None] | None:
    """Per-file progress on stderr: with --progress, or when stderr is a terminal."""
    from dashboard.i18n import fmt_int, t
    from dashboard.schema import TABLES

    tty = sys.stderr.isatty()
    if not (getattr(args, "progress", False) or tty):
        return None

    def show(p: Progress) -> None:
        values = {"rows": fmt_int(p.rows), "rate": fmt_int(p.rows_per_second)}
        if p.file in TABLES and p.done:
            line = t("data.progress_stored", table=printable(p.file), rows=values["rows"])
        else:
            key = "data.progress_read" if p.done else "data.progress_reading"
            line = t(key, file=printable(p.file), **values)
        # on a terminal a file's running count is rewritten in place
        end = "\r" if tty and not p.done else "\n"
        print(line.ljust(60) if tty else line, end=end, file=sys.stderr, flush=True)

    return show


def cmd_load(args: argparse.Namespace) -> int:
    from dashboard.ingest import mapping as mapping_mod
    from dashboard.workspace import FileSpec, default_path

    for f in args.files:
        if not f.exists():
            raise HandoffError(
                Problem(f"{printable(f)} does not exist", fix="check the path and the file name")
            )
    options = _reading_options(args.assignments)
    mapping = mapping_mod.load_mapping(args.mapping) if args.mapping else None
    sheet: str | int | None = args.sheet
    if sheet is not None and str(sheet).isdigit():
        sheet = int(sheet)
    specs = [FileSpec(f, sheet=sheet) for f in args.files]
    # a dry run only reads the settings: it never waits for, or blocks, a writer
    read_only = bool(args.dry_run) and Path(args.workspace or default_path()).exists()
    with open_workspace(args, read_only=read_only) as ws:
        progress = _progress_printer(args)
        prepared = ws.prepare(
            specs, table=args.table, mapping=mapping, options=options, progress=progress
        )
        if args.save_mapping:
            mapping_mod.save_mapping(
                args.save_mapping,
                [p.recognition for p in prepared],
                # the options of the mapping file used go along, overridden by --set
                options={
                    k: v
                    for k, v in {**(mapping.options if mapping else {}), **options}.items()
                    if k != "personal_data"
                },
            )
        for p in prepared:
            _print_recognition(p)
        if args.dry_run:
            print("dry run: nothing was stored")
            return EXIT_OK
        report = ws.commit(prepared, append=args.append, progress=progress)
    # published when the workspace closed above
    stored()
    print(
        f"loaded {len(report.files)} file(s) ({'append' if args.append else 'replace'}): "
        + ", ".join(f"{k} {v:,}" for k, v in report.counts.items() if v or k != "stage_history")
    )
    if args.save_mapping:
        print(f"mapping saved to {printable(args.save_mapping)}")
    for w in report.warnings:
        print(f"warning: {w.render()}")
    return EXIT_OK


def _print_recognition(p: Any) -> None:
    rec = p.recognition
    # file names, headers and sheet names come from the user: printed escaped
    sheet = f" (sheet {printable(p.read.sheet)})" if p.read.sheet else ""
    print(
        f"{printable(p.spec.display)}: {rec.table} from {rec.crm} export, "
        f"{p.canonical.rows:,} rows{sheet}"
    )
    for canonical, source in rec.mapping.items():
        arrow = f"{source} -> {canonical}" if source != canonical else canonical
        print(f"  {printable(arrow)}")
    for canonical, how in rec.derived.items():
        print(f"  {canonical}: {printable(how)}")
    if rec.unmapped:
        print(f"  not used: {printable(', '.join(rec.unmapped))}")
    for note in p.canonical.notes:
        print(f"  note: {printable(note)}")


def cmd_tables(args: argparse.Namespace) -> int:
    with open_workspace(args, read_only=True) as ws:
        counts = ws.counts()
    if args.format == "json":
        print(json.dumps({k: counts[k] for k in ("leads", "deals", "activities", "spend")}))
    else:
        frame = pl.DataFrame({"table": list(counts), "rows": list(counts.values())})
        print(text_table(frame))
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from dashboard.health import health_report

    with open_workspace(args, read_only=True) as ws:
        report = health_report(ws)
    if args.format == "json":
        print(json.dumps(report.to_dict(), ensure_ascii=False, default=str, indent=2))
    else:
        print(report.to_text())
    return EXIT_OK


def cmd_settings(args: argparse.Namespace) -> int:
    from dashboard.settings import SETTINGS, parse_assignments

    changes = parse_assignments(args.assignments)
    with open_workspace(args, read_only=not changes) as ws:
        if changes:
            current = ws.set_settings(changes, author=args.author, reason=args.reason)
        else:
            current = ws.settings()
    if changes:
        # published when the workspace closed above
        stored()
    if args.format == "json":
        print(json.dumps(current, ensure_ascii=False))
        return EXIT_OK
    frame = pl.DataFrame(
        {
            "setting": [s.key for s in SETTINGS],
            "value": [json.dumps(current[s.key], ensure_ascii=False) for s in SETTINGS],
            "meaning": [s.description for s in SETTINGS],
        }
    )
    print(text_table(frame))
    return EXIT_OK
