"""The argument parser of ``handoff``: one function per sub-command."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from dashboard import __version__


def _workspace_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--workspace",
        "-w",
        metavar="PATH",
        help="workspace file (default: $HANDOFF_WORKSPACE or ./handoff.duckdb)",
    )


def _add_load(sub: Any) -> None:
    """The ``handoff load`` arguments."""
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
    p.add_argument(
        "--progress",
        action="store_true",
        help="print rows read per file and rows/s to stderr (default: only on a terminal)",
    )


def _add_tables(sub: Any) -> None:
    """The ``handoff tables`` arguments."""
    p = sub.add_parser("tables", help="row count of each canonical table")
    _workspace_arg(p)
    p.add_argument("--format", choices=["table", "json"], default="table")


def _add_check(sub: Any) -> None:
    """The ``handoff check`` arguments."""
    p = sub.add_parser("check", help="data-health report: warnings, coverage, load history")
    _workspace_arg(p)
    p.add_argument("--format", choices=["table", "json"], default="table")


def _add_settings(sub: Any) -> None:
    """The ``handoff settings`` arguments."""
    p = sub.add_parser("settings", help="show the shared definitions, or change them")
    _workspace_arg(p)
    p.add_argument("--set", dest="assignments", action="append", metavar="KEY=VALUE")
    p.add_argument("--author", default="", help="who makes the change (kept in the log)")
    p.add_argument("--reason", default="", help="why (kept in the log)")
    p.add_argument("--format", choices=["table", "json"], default="table")


def _add_metrics(sub: Any) -> None:
    """The ``handoff metrics`` arguments."""
    p = sub.add_parser("metrics", help="list every metric with its description")
    # accepted like every command, so scripts can pass it everywhere; the list of
    # metrics is the same for every workspace
    _workspace_arg(p)
    p.add_argument("--format", choices=["table", "json"], default="table")


def _add_metric(sub: Any) -> None:
    """The ``handoff metric`` arguments."""
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
    p.add_argument(
        "--engine",
        choices=["duckdb", "spark"],
        default="duckdb",
        help="where the metric runs (default: duckdb, on the workspace; spark: on Spark over "
        "the canonical tables, with the workspace's settings; see docs/scale.md)",
    )
    p.add_argument(
        "--spark-master",
        metavar="URL",
        help="Spark master (local[2], spark://HOST:PORT, yarn) or a Spark Connect URL "
        "(sc://HOST:PORT); default local[2]",
    )
    p.add_argument(
        "--tables",
        metavar="DIR_OR_URI",
        help="with --engine spark: where the tables are (TABLE.parquet files, as `handoff "
        "export` writes them); default: the workspace's tables",
    )


def _add_export(sub: Any) -> None:
    """The ``handoff export`` arguments."""
    p = sub.add_parser(
        "export",
        help="write the canonical tables as Parquet files (for Spark or a lake)",
        description="Write every canonical table of the workspace (leads, deals, "
        "activities, spend, stage_history) to DIR/TABLE.parquet.",
    )
    _workspace_arg(p)
    p.add_argument("--format", choices=["parquet"], default="parquet")
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="folder to write")


def _add_sql(sub: Any) -> None:
    """The ``handoff sql`` arguments."""
    p = sub.add_parser("sql", help="print the SQL a metric runs (and the staging views it reads)")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--staging", action="store_true", help="also print the staging views")


def _add_demo(sub: Any) -> None:
    """The ``handoff demo`` arguments."""
    p = sub.add_parser("demo", help="build a workspace from the sample data and open it")
    _workspace_arg(p)
    p.add_argument("--no-serve", action="store_true", help="only build the workspace")
    p.add_argument("--port", type=int, default=8501)


def _add_agreement(sub: Any) -> None:
    """The ``handoff agreement`` arguments."""
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


def _add_report(sub: Any) -> None:
    """The ``handoff report`` arguments."""
    p = sub.add_parser(
        "report",
        help="write the review meeting's report (one self-contained HTML file)",
        description="One period against the one before it: the review callouts ranked by "
        "revenue at stake and the headline numbers with their change first, then the funnel, "
        "follow-up discipline, lead-quality disagreement and revenue by source of the period, "
        "and an appendix with the definitions in force and the files loaded, as one HTML file "
        "that opens offline and prints to PDF. By default the newest month whose won deals "
        "have had time to come in, as the Review page opens on.",
    )
    _workspace_arg(p)
    p.add_argument(
        "--period",
        metavar="PERIOD",
        help="the month (YYYY-MM) or quarter (YYYY-Qn) to review against the one before it",
    )
    p.add_argument(
        "--grain",
        choices=["month", "quarter"],
        default="month",
        help="without --period or dates: review the newest mature month or quarter "
        "(default: month)",
    )
    p.add_argument(
        "--from",
        dest="date_from",
        metavar="DATE",
        help="first cohort day (YYYY-MM-DD), instead of --period; compared with as many days "
        "before it",
    )
    p.add_argument("--to", dest="date_to", metavar="DATE", help="last cohort day (YYYY-MM-DD)")
    p.add_argument("--lang", choices=["en", "vi"], default="en", help="language (default: en)")
    p.add_argument(
        "--out", type=Path, default=Path("review.html"), metavar="FILE", help="default: review.html"
    )


def _add_serve(sub: Any) -> None:
    """The ``handoff serve`` arguments."""
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


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``handoff`` and its sub-commands."""
    parser = argparse.ArgumentParser(
        prog="handoff",
        description="Marketing–sales handoff analytics on your CRM exports.",
    )
    parser.add_argument("--version", action="version", version=f"handoff {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in (
        _add_load,
        _add_tables,
        _add_check,
        _add_settings,
        _add_metrics,
        _add_metric,
        _add_export,
        _add_sql,
        _add_demo,
        _add_agreement,
        _add_report,
        _add_serve,
    ):
        add(sub)
    return parser
