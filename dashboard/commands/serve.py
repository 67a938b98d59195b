"""``handoff demo`` and ``serve``: build the sample workspace, run the dashboard server."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from dashboard.commands.common import EXIT_INTERRUPTED, EXIT_OK, SAMPLE_DIR
from dashboard.errors import HandoffError, Problem


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
    # a workspace that does not exist yet is made by the first upload on the Data page;
    # only its folder must exist
    if not path.parent.resolve().is_dir():
        raise HandoffError(
            Problem(
                f"the folder of the workspace {path} does not exist",
                fix="create the folder, or choose another file with --workspace",
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
