"""``handoff metrics``, ``metric``, ``sql``, ``agreement`` and ``report``: what the data says."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import polars as pl

from dashboard.commands.common import EXIT_OK, open_workspace
from dashboard.errors import HandoffError, Problem, printable
from dashboard.formatting import text_table
from dashboard.ingest.knowledge import TRUE_WORDS


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
                        "units": m.units,
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
    overrides = parse_assignments(args.assignments)
    if getattr(args, "engine", "duckdb") == "spark":
        from dashboard.commands.engine import spark_frame

        frame = spark_frame(
            args, args.name, overrides=overrides, filters=filters, parameters=params
        )
    else:
        with open_workspace(args, read_only=True) as ws:
            resolved = metrics.resolve_settings(ws.settings(), overrides)
            frame = metrics.run(
                ws.con,
                args.name,
                settings=resolved,
                filters=filters,
                by=args.by,
                parameters=params,
            ).frame
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
                # the same yes-words a file's true/false column is read with
                out[key] = text.strip().lower() in TRUE_WORDS
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
    with open_workspace(args, read_only=True) as ws:
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


def _report_period(args: argparse.Namespace):  # -> review.Period | None
    """``--period`` as a month or quarter; it cannot be given with ``--from``/``--to``."""
    from dashboard.report.period import parse_period

    if not args.period:
        return None
    if args.date_from or args.date_to:
        raise HandoffError(
            Problem(
                "--period cannot be given with --from or --to",
                fix="review a month or quarter with --period, or any days with --from and --to",
            )
        )
    try:
        return parse_period(args.period)
    except ValueError:
        raise HandoffError(
            Problem(
                f"--period {args.period!r} is not a month or a quarter",
                fix="write a month as YYYY-MM (2026-05) or a quarter as YYYY-Qn (2026-Q2)",
            )
        ) from None


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
    period = _report_period(args)
    path = Path(args.workspace) if args.workspace else default_path()
    text = build_report(
        path,
        date_from=date_from,
        date_to=date_to,
        lang=args.lang,
        period=period,
        grain=args.grain,
    )
    args.out.write_text(text, encoding="utf-8")
    print(f"report written to {printable(args.out)}")
    return EXIT_OK
