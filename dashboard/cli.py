"""The ``handoff`` command: load CRM exports, check them, and print what is stored.

Exit codes: 0 success; 1 unexpected failure; 2 bad input or usage (a message says which
file, column and rows, and the fix); 3 a metric needs columns the workspace does not have;
130 interrupted.

This module runs a call (errors, interruptions, closed pipes); the sub-commands live in
``dashboard/commands/`` and the argument parser in ``dashboard/commands/parser.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
import traceback
from collections.abc import Iterator, Sequence

from dashboard.commands import data, engine, query, serve
from dashboard.commands.common import (
    EXIT_FAILURE,
    EXIT_INPUT,
    EXIT_INTERRUPTED,
    EXIT_NEEDS,
    EXIT_OK,
    RUN,
)
from dashboard.commands.parser import build_parser
from dashboard.commands.serve import build_demo, serve_plan
from dashboard.errors import HandoffError, MissingInputsError, printable

__all__ = ["COMMANDS", "build_demo", "build_parser", "main", "serve_plan"]

# the state of the current call (tests set it the way the SIGINT handler does)
_RUN = RUN


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


COMMANDS = {
    "load": data.cmd_load,
    "tables": data.cmd_tables,
    "check": data.cmd_check,
    "settings": data.cmd_settings,
    "metrics": query.cmd_metrics,
    "metric": query.cmd_metric,
    "export": engine.cmd_export,
    "sql": query.cmd_sql,
    "demo": serve.cmd_demo,
    "serve": serve.cmd_serve,
    "agreement": query.cmd_agreement,
    "report": query.cmd_report,
}


if __name__ == "__main__":
    sys.exit(main())
