"""What every ``handoff`` command shares: exit codes, the call's state, opening the workspace."""

from __future__ import annotations

import argparse
from typing import Any

from dashboard import shipped

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_INPUT = 2
EXIT_NEEDS = 3
EXIT_INTERRUPTED = 130

SAMPLE_DIR = shipped("sample_data")


class _Run:
    """What one ``handoff`` call has done so far, for the message an interruption gets."""

    def __init__(self) -> None:
        self.interrupted = False  # Ctrl-C (SIGINT) arrived during the call
        self.stored = False  # a change is committed to the workspace


RUN = _Run()


def stored() -> None:
    """Record that this call's change is committed: an interruption now changes nothing back."""
    RUN.stored = True


def open_workspace(args: argparse.Namespace, *, read_only: bool = False) -> Any:
    """The workspace ``--workspace`` names (a ``Workspace``; for writing, it waits its turn)."""
    from dashboard.workspace import Workspace

    return Workspace(args.workspace, read_only=read_only)
