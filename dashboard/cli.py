"""The ``handoff`` command: load CRM exports, check them, and print what is stored.

Exit codes: 0 success; 1 unexpected failure; 2 bad input or usage (a message says which
file, column and rows, and the fix); 3 a metric needs columns the workspace does not have;
130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import threading
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from dashboard import __version__, shipped
from dashboard.errors import HandoffError, MissingInputsError, Problem, printable
from dashboard.formatting import text_table

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_INPUT = 2
EXIT_NEEDS = 3
EXIT_INTERRUPTED = 130

SAMPLE_DIR = shipped("sample_data")


def _workspace_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--workspace",
        "-w",
        metavar="PATH",
        help="workspace file (default: $HANDOFF_WORKSPACE or ./handoff.duckdb)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``handoff`` and its sub-commands."""
    parser = argparse.ArgumentParser(
        prog="handoff",
        description="Marketing–sales handoff analytics on your CRM exports.",
    )
    parser.add_argument("--version", action="version", version=f"handoff {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "load",
        help="load CRM export files into the workspace (all files in one transaction)",
        description="Load files (CSV, TSV, .csv.gz, Excel, Parquet). Each file is recognised "
        "(HubSpot, Salesforce or generic headers) and mapped onto the canonical tables. "
        "All files of one call are loaded in one transaction: if any file fails, nothing "
        "changes.",
    )
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    _workspace_arg(p)
    p.add_argument(
        "--as",
        dest="table",
        choices=["leads", "deals", "activities", "spend", "stage_history"],
        help="load every file as this table instead of recognising it",
    )
    p.add_argument("--mapping", type=Path, metavar="TOML", help="column mapping file to use")
    p.add_argument(
        "--save-mapping", type=Path, metavar="TOML", help="write the mapping used to this file"
    )
    p.add_argument(
        "--append",
        action="store_true",
        help="add rows to what is stored (rows with a stored id replace it) instead of "
        "replacing the table",
    )
    p.add_argument("--sheet", help="Excel sheet to read (name or 0-based number)")
    p.add_argument(
        "--set",
        dest="assignments",
        action="append",
        metavar="KEY=VALUE",
        help="reading option for this load: timezone, date_order (dmy|mdy), decimal (.|,), "
        "currency, personal_data (hash|drop), duplicate_source (first|latest), "
        "missing_created_at (load_date|YYYY-MM-DD), max_file_mb, max_line_kb, max_cell_chars",
    )
    p.add_argument("--dry-run", action="store_true", help="read and check the files, store nothing")

    p = sub.add_parser("tables", help="row count of each canonical table")
    _workspace_arg(p)
    p.add_argument("--format", choices=["table", "json"], default="table")

    p = sub.add_parser("check", help="data-health report: warnings, coverage, load history")
    _workspace_arg(p)
    p.add_argument("--format", choices=["table", "json"], default="table")

    p = sub.add_parser("settings", help="show the shared definitions, or change them")
    _workspace_arg(p)
    p.add_argument("--set", dest="assignments", action="append", metavar="KEY=VALUE")
    p.add_argument("--author", default="", help="who makes the change (kept in the log)")
    p.add_argument("--reason", default="", help="why (kept in the log)")
    p.add_argument("--format", choices=["table", "json"], default="table")

    p = sub.add_parser("metrics", help="list every metric with its description")
    # accepted like every command, so scripts can pass it everywhere; the list of
    # metrics is the same for every workspace
    _workspace_arg(p)
    p.add_argument("--format", choices=["table", "json"], default="table")

    p = sub.add_parser(
        "metric",
        help="print a metric as a table, CSV or JSON",
        description="Print a metric. Filters select leads (deals and activities follow their "
        "lead); --set overrides a shared setting for this call only.",
    )
    p.add_argument("name", metavar="NAME")
    _workspace_arg(p)
    p.add_argument("--from", dest="date_from", metavar="DATE", help="first cohort day (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="last cohort day (YYYY-MM-DD)")
    p.add_argument("--source", action="append", default=[], metavar="S")
    p.add_argument("--campaign", action="append", default=[], metavar="C")
    p.add_argument("--owner", action="append", default=[], metavar="O")
    p.add_argument(
        "--segment",
        metavar="COLUMN=VALUE",
        action="append",
        default=[],
        help="keep leads whose segment column has this value (repeat for several values)",
    )
    p.add_argument(
        "--by",
        metavar="DIM",
        help="break down by source, campaign, owner, month or a segment column",
    )
    p.add_argument("--set", dest="assignments", action="append", metavar="KEY=VALUE")
    p.add_argument(
        "--param",
        dest="params",
        action="append",
        metavar="KEY=VALUE",
        help="a metric parameter (see `handoff metrics`)",
    )
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")

    p = sub.add_parser("sql", help="print the SQL a metric runs (and the staging views it reads)")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--staging", action="store_true", help="also print the staging views")

    p = sub.add_parser("demo", help="build a workspace from the sample data and open it")
    _workspace_arg(p)
    p.add_argument("--no-serve", action="store_true", help="only build the workspace")
    p.add_argument("--port", type=int, default=8501)

    p = sub.add_parser(
        "agreement",
        help="write the one-page lead definition agreement (Markdown or printable HTML)",
        description="The shared definitions in plain words with the stored values, the "
        "recent changes with who and why, and signature lines for Marketing and Sales.",
    )
    _workspace_arg(p)
    p.add_argument("--lang", choices=["en", "vi"], default="en", help="language (default: en)")
    p.add_argument("--format", choices=["md", "html"], default="md", help="default: md")
    p.add_argument("--out", type=Path, metavar="FILE", help="write here instead of stdout")

    p = sub.add_parser(
        "report",
        help="write the review meeting's report (one self-contained HTML file)",
        description="The review callouts ranked by revenue at stake, the funnel, follow-up "
        "discipline, lead-quality disagreement, revenue by source, the definitions in force "
        "and the files loaded, as one HTML file that opens offline and prints to PDF.",
    )
    _workspace_arg(p)
    p.add_argument("--from", dest="date_from", metavar="DATE", help="first cohort day (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="last cohort day (YYYY-MM-DD)")
    p.add_argument("--lang", choices=["en", "vi"], default="en", help="language (default: en)")
    p.add_argument(
        "--out", type=Path, default=Path("review.html"), metavar="FILE", help="default: review.html"
    )

    p = sub.add_parser(
        "serve",
        help="open the dashboard on a workspace",
        description="Serve the dashboard. By default only this machine can open it "
        "(127.0.0.1) and everyone here is an editor. To share it, give --host and an access "
        "secret: --password (or $HANDOFF_PASSWORD) lets everyone who knows it in as an "
        "editor; adding --editor-password (or $HANDOFF_EDITOR_PASSWORD) makes --password "
        "view-only. Prefer the environment variables: a command line is visible to other "
        "users of the machine.",
    )
    _workspace_arg(p)
    p.add_argument("--port", type=int, default=8501)
    p.add_argument(
        "--host",
        default="127.0.0.1",
        metavar="HOST",
        help="address to listen on (default: 127.0.0.1, this machine only; 0.0.0.0 for "
        "every interface, which needs --password)",
    )
    p.add_argument(
        "--password",
        metavar="SECRET",
        help="access secret (default: $HANDOFF_PASSWORD); needed for any host but loopback",
    )
    p.add_argument(
        "--editor-password",
        metavar="SECRET",
        help="a second secret for editors (default: $HANDOFF_EDITOR_PASSWORD); with it, "
        "--password only lets people view",
    )
    p.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show error details (tracebacks, file paths) in the browser",
    )
    return parser


class _Run:
    """What one ``handoff`` call has done so far, for the message an interruption gets."""

    def __init__(self) -> None:
        self.interrupted = False  # Ctrl-C (SIGINT) arrived during the call
        self.stored = False  # a change is committed to the workspace


_RUN = _Run()


def _stored() -> None:
    """Record that this call's change is committed: an interruption now changes nothing back."""
    _RUN.stored = True


@contextlib.contextmanager
def _watch_interrupts() -> Iterator[None]:
    """Note every Ctrl-C while the call runs, then raise KeyboardInterrupt as usual.

    DuckDB turns a Ctrl-C that arrives during a query (the COMMIT of a load included) into
    its own error ("Query interrupted"), not KeyboardInterrupt; the note lets ``main``
    still answer it as an interruption (exit 130) rather than as an unexpected failure.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_sigint(signum: int, frame: object) -> None:
        _RUN.interrupted = True
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _quiet_stdout() -> None:
    """After a closed pipe (``handoff metric ... | head``): send what is left to devnull.

    As the Python documentation advises for SIGPIPE, so that the final flush at exit does
    not fail again; a stdout without a file descriptor (tests) is left alone.
    """
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _interrupted_message() -> str:
    if _RUN.stored:
        return (
            "handoff: interrupted after the change was stored; "
            "run `handoff check` or `handoff settings` to see it"
        )
    return "handoff: interrupted; nothing was changed"


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``handoff``; return the exit code (also used as the console script).

    0 success; 2 a problem with the input (one paragraph); 3 a metric needs columns; 130
    interrupted by Ctrl-C (a load or settings change is one transaction: nothing is
    changed unless the message says it was already stored); 1 anything unexpected. A
    reader that stops early (``| head``) is not an error: exit 0, no message.
    """
    _RUN.interrupted = _RUN.stored = False
    try:
        with _watch_interrupts():
            parser = build_parser()
            args = parser.parse_args(argv)
            if not args.command:
                parser.print_help()
                return EXIT_INPUT
            return _dispatch(args)
    except KeyboardInterrupt:
        print(_interrupted_message(), file=sys.stderr)
        return EXIT_INTERRUPTED


def _dispatch(args: argparse.Namespace) -> int:
    try:
        code = COMMANDS[args.command](args)
        sys.stdout.flush()  # a closed pipe shows here, inside the handlers below
        return code
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_OK
    except KeyboardInterrupt:
        raise
    except MissingInputsError as exc:
        print(f"handoff: {exc.render()}", file=sys.stderr)
        return EXIT_NEEDS
    except HandoffError as exc:
        if _RUN.interrupted:
            raise KeyboardInterrupt from None
        if args.debug:
            traceback.print_exc()
        print(f"handoff: {exc.render()}", file=sys.stderr)
        return EXIT_INPUT
    except Exception as exc:  # an unexpected failure still gets one paragraph, not a trace
        if _RUN.interrupted:  # DuckDB's own error for a Ctrl-C during a query
            raise KeyboardInterrupt from None
        if args.debug:
            traceback.print_exc()
        print(
            printable(
                f"handoff: unexpected error ({type(exc).__name__}: {exc}). Nothing was "
                "changed. Run again with --debug for details and report it with that output."
            ),
            file=sys.stderr,
        )
        return EXIT_FAILURE


def _open(args: argparse.Namespace, *, read_only: bool = False):  # -> Workspace
    from dashboard.workspace import Workspace

    return Workspace(args.workspace, read_only=read_only)


def cmd_load(args: argparse.Namespace) -> int:
    from dashboard.ingest import mapping as mapping_mod
    from dashboard.settings import parse_assignments
    from dashboard.workspace import FileSpec, default_path

    for f in args.files:
        if not f.exists():
            raise HandoffError(
                Problem(f"{printable(f)} does not exist", fix="check the path and the file name")
            )
    # missing_created_at is a reading option only, not a setting: validated here
    fills = [
        a for a in args.assignments or [] if a.split("=", 1)[0].strip() == "missing_created_at"
    ]
    options = parse_assignments([a for a in args.assignments or [] if a not in fills])
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
    mapping = mapping_mod.load_mapping(args.mapping) if args.mapping else None
    sheet: str | int | None = args.sheet
    if sheet is not None and str(sheet).isdigit():
        sheet = int(sheet)
    specs = [FileSpec(f, sheet=sheet) for f in args.files]
    # a dry run only reads the settings: it never waits for, or blocks, a writer
    read_only = bool(args.dry_run) and Path(args.workspace or default_path()).exists()
    with _open(args, read_only=read_only) as ws:
        prepared = ws.prepare(specs, table=args.table, mapping=mapping, options=options)
        if args.save_mapping:
            mapping_mod.save_mapping(
                args.save_mapping,
                [p.recognition for p in prepared],
                options={k: v for k, v in options.items() if k != "personal_data"},
            )
        for p in prepared:
            _print_recognition(p)
        if args.dry_run:
            print("dry run: nothing was stored")
            return EXIT_OK
        report = ws.commit(prepared, append=args.append)
    # published when the workspace closed above
    _stored()
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
        f"{p.canonical.frame.height:,} rows{sheet}"
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
    with _open(args, read_only=True) as ws:
        counts = ws.counts()
    if args.format == "json":
        print(json.dumps({k: counts[k] for k in ("leads", "deals", "activities", "spend")}))
    else:
        frame = pl.DataFrame({"table": list(counts), "rows": list(counts.values())})
        print(text_table(frame))
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from dashboard.health import health_report

    with _open(args, read_only=True) as ws:
        report = health_report(ws)
    if args.format == "json":
        print(json.dumps(report.to_dict(), ensure_ascii=False, default=str, indent=2))
    else:
        print(report.to_text())
    return EXIT_OK


def cmd_settings(args: argparse.Namespace) -> int:
    from dashboard.settings import SETTINGS, parse_assignments

    changes = parse_assignments(args.assignments)
    with _open(args, read_only=not changes) as ws:
        if changes:
            current = ws.set_settings(changes, author=args.author, reason=args.reason)
        else:
            current = ws.settings()
    if changes:
        # published when the workspace closed above
        _stored()
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


def cmd_metrics(args: argparse.Namespace) -> int:
    from dashboard import metrics

    reg = metrics.registry()
    if args.format == "json":
        print(
            json.dumps(
                [
                    {
                        "name": m.name,
                        "description": m.description,
                        "grain": m.grain,
                        "question": m.question,
                        "by": m.supports_by,
                        "parameters": m.parameters,
                        "settings": list(m.settings),
                        "needs": list(m.needs),
                        "columns": m.columns,
                    }
                    for m in reg.values()
                ],
                ensure_ascii=False,
            )
        )
        return EXIT_OK
    frame = pl.DataFrame(
        {
            "metric": list(reg),
            "description": [m.description for m in reg.values()],
        }
    )
    print(text_table(frame, max_width=200))
    return EXIT_OK


def _date(text: str | None, flag: str):  # -> dt.date | None
    import datetime as dt

    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise HandoffError(
            Problem(f"{flag} {text!r} is not a date", fix="write it as YYYY-MM-DD")
        ) from None


def _pairs(items: list[str] | None, flag: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or []:
        if "=" not in item:
            raise HandoffError(
                Problem(f"{flag} {item!r} is not key=value", fix=f"write {flag} key=value")
            )
        key, value = item.split("=", 1)
        out.setdefault(key.strip(), value.strip())
    return out


def cmd_metric(args: argparse.Namespace) -> int:
    from dashboard import metrics
    from dashboard.settings import parse_assignments

    metric = metrics.get(args.name)
    segment_column = None
    segment_values: list[str] = []
    for item in args.segment:
        if "=" not in item:
            raise HandoffError(
                Problem(
                    f"--segment {item!r} is not COLUMN=VALUE",
                    fix="write e.g. --segment country=Vietnam",
                )
            )
        column, value = item.split("=", 1)
        if segment_column not in (None, column.strip()):
            raise HandoffError(
                Problem(
                    "--segment takes one column at a time", fix="repeat it with the same column"
                )
            )
        segment_column = column.strip()
        segment_values.append(value.strip())
    filters = metrics.Filters(
        date_from=_date(args.date_from, "--from"),
        date_to=_date(args.date_to, "--to"),
        sources=args.source,
        campaigns=args.campaign,
        owners=args.owner,
        segment_column=segment_column,
        segment_values=segment_values,
    )
    params = _metric_params(metric, _pairs(args.params, "--param"))
    with _open(args, read_only=True) as ws:
        resolved = metrics.resolve_settings(ws.settings(), parse_assignments(args.assignments))
        result = metrics.run(
            ws.con, args.name, settings=resolved, filters=filters, by=args.by, parameters=params
        )
    frame = result.frame
    if args.format == "json":
        print(json.dumps(frame.to_dicts(), ensure_ascii=False, default=_json_default))
    elif args.format == "csv":
        from dashboard.safe import csv_safe

        # a cell such as =HYPERLINK(...) must not run when the file is opened in a spreadsheet
        sys.stdout.write(csv_safe(frame).write_csv())
    else:
        print(text_table(frame))
    return EXIT_OK


def _metric_params(metric: Any, given: dict[str, str]) -> dict[str, Any]:
    """Convert --param values to the type of the metric's declared default."""
    out: dict[str, Any] = {}
    for key, text in given.items():
        if key not in metric.parameters:
            known = ", ".join(metric.parameters) or "none"
            raise HandoffError(
                Problem(f"{metric.name} has no parameter {key!r}", fix=f"its parameters: {known}")
            )
        default = metric.parameters[key]
        try:
            if isinstance(default, bool):
                out[key] = text.lower() in {"1", "true", "yes"}
            elif isinstance(default, int):
                out[key] = int(text)
            elif isinstance(default, float):
                out[key] = float(text)
            elif isinstance(default, list):
                out[key] = [v.strip() for v in text.split(",") if v.strip()]
            else:
                out[key] = text
        except ValueError:
            raise HandoffError(
                Problem(
                    f"--param {key}={text!r} is not a {type(default).__name__}",
                    fix=f"give a value like {default!r}",
                )
            ) from None
    return out


def _json_default(value: object) -> object:
    import datetime as dt

    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def cmd_sql(args: argparse.Namespace) -> int:
    from dashboard import metrics

    metric = metrics.get(args.name)
    if args.staging:
        for view in metrics.STAGING_VIEWS:
            print(f"-- staging view {view} (queries/staging/{view}.sql)")
            print(metrics.staging_sql(view))
    print(f"-- {metric.name} (queries/{metric.path.name})")
    print(metric.sql)
    return EXIT_OK


def cmd_agreement(args: argparse.Namespace) -> int:
    import datetime as dt

    from dashboard import agreement
    from dashboard.workspace import default_path

    path = Path(args.workspace) if args.workspace else default_path()
    if not path.exists():
        raise HandoffError(
            Problem(
                f"there is no workspace at {path}",
                fix="load files with `handoff load FILE...` or build the sample with "
                "`handoff demo`",
            )
        )
    with _open(args, read_only=True) as ws:
        settings, log = ws.settings(), agreement.read_log(ws)
    build = agreement.agreement_html if args.format == "html" else agreement.agreement_markdown
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    text = build(settings, log, args.lang, path.name, now)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"agreement written to {printable(args.out)}")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from dashboard.report import build_report
    from dashboard.workspace import default_path

    date_from, date_to = _date(args.date_from, "--from"), _date(args.date_to, "--to")
    if date_from and date_to and date_from > date_to:
        raise HandoffError(
            Problem(
                f"--from {args.date_from} is after --to {args.date_to}",
                fix="give the first day with --from and the last day with --to",
            )
        )
    if not args.out.parent.is_dir():
        raise HandoffError(
            Problem(
                f"cannot write {printable(args.out)}: the folder "
                f"{printable(args.out.parent)} does not exist",
                fix="create the folder or choose another --out",
            )
        )
    path = Path(args.workspace) if args.workspace else default_path()
    text = build_report(path, date_from=date_from, date_to=date_to, lang=args.lang)
    args.out.write_text(text, encoding="utf-8")
    print(f"report written to {printable(args.out)}")
    return EXIT_OK


def build_demo(workspace: str | Path | None) -> Any:
    """Create (or replace) a workspace holding the sample data; return the load report."""
    from dashboard.workspace import Workspace

    files = sorted(
        p
        for p in SAMPLE_DIR.iterdir()
        if p.name.endswith((".csv", ".csv.gz")) and not p.name.startswith("_")
    )
    with Workspace(workspace) as ws:
        return ws.load(files)


def cmd_demo(args: argparse.Namespace) -> int:
    report = build_demo(args.workspace)
    print(
        "sample workspace ready: "
        + ", ".join(f"{k} {v:,}" for k, v in report.counts.items() if k != "stage_history")
    )
    if args.no_serve:
        return EXIT_OK
    return cmd_serve(args)


# how long a stopped dashboard may take to finish before it is killed
STOP_GRACE_S = 10.0


def serve_plan(args: argparse.Namespace) -> tuple[list[str], dict[str, str], str]:
    """The dashboard's command line, its environment and the URL to print, for ``args``.

    Raises HandoffError when the workspace is missing or the dashboard would be reachable
    from other machines without an access secret. The environment carries only salted
    hashes of the secrets, never the secrets."""
    import os

    from dashboard import access
    from dashboard.server import browser_address, streamlit_command
    from dashboard.workspace import default_path

    host = str(getattr(args, "host", "127.0.0.1") or "127.0.0.1")
    password = getattr(args, "password", None) or os.environ.get(access.PASSWORD_ENV) or None
    editor_password = (
        getattr(args, "editor_password", None) or os.environ.get(access.EDITOR_PASSWORD_ENV) or None
    )
    if editor_password and not password:
        raise HandoffError(
            Problem(
                "--editor-password was given without --password",
                fix="add --password (or HANDOFF_PASSWORD) for viewers, or use --password "
                "alone to let everyone who knows it edit",
            )
        )
    if editor_password and editor_password == password:
        raise HandoffError(
            Problem(
                "the editor secret is the same as the viewer secret",
                fix="choose two different secrets, or use --password alone to let everyone "
                "who knows it edit",
            )
        )
    if not access.is_loopback(host) and not password:
        raise HandoffError(
            Problem(
                f"--host {host} lets other machines open the dashboard, and no access "
                "secret is set",
                fix="set one: `HANDOFF_PASSWORD=... handoff serve --host "
                f"{host}` (or --password SECRET); add HANDOFF_EDITOR_PASSWORD to keep "
                "loading and definitions for editors. Leave out --host to keep it on "
                "this machine",
            )
        )
    path = Path(args.workspace) if args.workspace else default_path()
    if not path.exists():
        raise HandoffError(
            Problem(
                f"there is no workspace at {path}",
                fix="load files with `handoff load FILE...` or build the sample with "
                "`handoff demo`",
            )
        )
    env = access.child_env(os.environ, password, editor_password)
    env["HANDOFF_WORKSPACE"] = str(path.resolve())
    cmd = streamlit_command(args.port, host=host, debug=bool(getattr(args, "debug", False)))
    shown = browser_address(host)
    if ":" in shown:
        shown = f"[{shown}]"
    return cmd, env, f"http://{shown}:{args.port}"


def _die_with_parent() -> None:
    """In the dashboard process (Linux): be stopped when `handoff serve` itself dies, even
    by SIGKILL, so no dashboard keeps serving on its own."""
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def cmd_serve(args: argparse.Namespace) -> int:
    import signal
    import subprocess
    import threading

    cmd, env, url = serve_plan(args)
    print(f"Handoff dashboard on {url} (Ctrl-C to stop)", flush=True)
    # its own session: a terminal's Ctrl-C reaches `handoff serve` once, which passes it on
    proc = subprocess.Popen(
        cmd,
        env=env,
        start_new_session=True,
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
    )
    stopping: list[int] = []

    def kill_if_running() -> None:
        if proc.poll() is None:
            proc.kill()

    def stop(signum: int, _frame: object) -> None:
        # pass the signal on, and kill the dashboard if it has not stopped in time
        if proc.poll() is None:
            proc.send_signal(signum)
        if not stopping:
            stopping.append(signum)
            timer = threading.Timer(STOP_GRACE_S, kill_if_running)
            timer.daemon = True
            timer.start()

    handled = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
    previous = {sig: signal.signal(sig, stop) for sig in handled}
    try:
        code = proc.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        kill_if_running()
    if stopping:
        return EXIT_INTERRUPTED if stopping[0] == signal.SIGINT else EXIT_OK
    return code if code >= 0 else 128 - code


COMMANDS = {
    "load": cmd_load,
    "tables": cmd_tables,
    "check": cmd_check,
    "settings": cmd_settings,
    "metrics": cmd_metrics,
    "metric": cmd_metric,
    "sql": cmd_sql,
    "demo": cmd_demo,
    "serve": cmd_serve,
    "agreement": cmd_agreement,
    "report": cmd_report,
}


if __name__ == "__main__":
    sys.exit(main())
