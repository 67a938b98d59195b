"""One writer at a time, and readers that never wait for it.

A change to a workspace (a load, a settings change, a first schema) is made on a private
copy of the file and published by renaming the copy over the workspace when it is
complete. So:

- readers (dashboard pages, ``handoff metric``) open the published file and keep seeing
  the last committed data while a load runs; nothing they hold blocks a writer;
- a failed or interrupted change leaves the published file untouched (the copy is
  deleted);
- writers take turns through an advisory lock on ``<workspace>.lock``: a second writer
  waits up to ``HANDOFF_LOCK_WAIT`` seconds (default 30) and then stops with a message
  saying who holds the lock, never a traceback.

The lock is ``fcntl.flock``, released by the operating system when the holder exits or
dies, so a crash never leaves a workspace locked.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

from dashboard.errors import HandoffError, Problem

DEFAULT_WAIT_SECONDS = 30.0
MAX_WAIT_SECONDS = 24 * 3600.0
# how often a waiting writer tries the lock again
_POLL_SECONDS = 0.1


class WorkspaceBusy(HandoffError):
    """Another process or page is writing the workspace and did not finish in time."""


def lock_path(workspace: Path) -> Path:
    """The lock file beside ``workspace`` (kept: deleting lock files races)."""
    return workspace.with_name(workspace.name + ".lock")


def work_path(workspace: Path) -> Path:
    """The private copy a writer changes before publishing it."""
    return workspace.with_name(workspace.name + ".writing")


def lock_wait() -> float:
    """Seconds a writer waits for another one: ``$HANDOFF_LOCK_WAIT``, default 30."""
    raw = os.environ.get("HANDOFF_LOCK_WAIT", "").strip()
    if not raw:
        return DEFAULT_WAIT_SECONDS
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not 0 <= value <= MAX_WAIT_SECONDS:  # also false for nan
        raise HandoffError(
            Problem(
                f"HANDOFF_LOCK_WAIT={raw} is not a number of seconds",
                fix=f"set it to a number from 0 to {MAX_WAIT_SECONDS:.0f}, or unset it "
                f"for the default ({DEFAULT_WAIT_SECONDS:.0f} s)",
            )
        )
    return value


def _holder(path: Path) -> str:
    """Who holds the lock, as recorded in the lock file by the holder (best effort)."""
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return ""
    if not isinstance(info, dict) or "since" not in info:
        return ""
    return f" (process {info.get('pid')}, since {info.get('since')} UTC)"


class WriterLock:
    """The exclusive right to change one workspace, held until ``release()``."""

    def __init__(self, workspace: Path):
        self.workspace = workspace
        self.path = lock_path(workspace)
        self._fd: int | None = None

    def acquire(self, wait: float | None = None) -> None:
        """Take the lock, waiting up to ``wait`` seconds; raise WorkspaceBusy after that."""
        limit = lock_wait() if wait is None else wait
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + limit
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _holder(self.path)
                    os.close(fd)
                    raise WorkspaceBusy(
                        Problem(
                            f"another load or settings change is writing {self.workspace}"
                            f"{holder}; waited {limit:g} s",
                            fix="run the command again when it has finished (the dashboard "
                            "keeps showing the last saved data meanwhile), or set "
                            "HANDOFF_LOCK_WAIT=SECONDS to wait longer",
                        )
                    ) from None
                time.sleep(_POLL_SECONDS)
        self._fd = fd
        record = {
            "pid": os.getpid(),
            "since": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(record).encode("utf-8"), 0)

    def release(self) -> None:
        """Give the lock back (idempotent)."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def writer_active(workspace: Path) -> bool:
    """True while some process holds the workspace's writer lock (a load is running)."""
    path = lock_path(workspace)
    if not path.exists():
        return False
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def start_copy(workspace: Path) -> Path:
    """The writer's private copy of ``workspace`` (absent when there is no workspace yet).

    Call with the lock held. A copy left by a writer that died is discarded first.
    """
    work = work_path(workspace)
    discard_copy(workspace)
    if workspace.exists():
        shutil.copyfile(workspace, work)
        shutil.copymode(workspace, work)
        # changes not yet checkpointed into the file live in its write-ahead log
        if _wal(workspace).exists():
            shutil.copyfile(_wal(workspace), _wal(work))
    return work


def publish_copy(workspace: Path) -> None:
    """Make the writer's copy the workspace, atomically (readers see old or new, whole)."""
    work = work_path(workspace)
    with contextlib.suppress(FileNotFoundError):
        # the copy was closed cleanly, so its changes are in the file, not in a log
        _wal(work).unlink()
    os.replace(work, workspace)
    with contextlib.suppress(FileNotFoundError):
        # a log of the old file must not be replayed into the new one
        _wal(workspace).unlink()
    with contextlib.suppress(OSError):
        fd = os.open(workspace.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def discard_copy(workspace: Path) -> None:
    """Delete the writer's copy and its log, if any."""
    work = work_path(workspace)
    for p in (work, _wal(work)):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
