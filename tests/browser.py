"""Drive the dashboard in Debian's Chromium: start a server, open pages, take screenshots.

Playwright only drives the browser; the browser itself is Debian's `chromium` package,
installed by `make browser` (never downloaded by Playwright).
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from dashboard.server import streamlit_command
from tests.conftest import REPO

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = REPO / "screenshots"
VIEWPORT = {"width": 1500, "height": 1000}


def require_chromium() -> None:
    """Fail (not skip) when the browser is missing: CI must run these tests."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed; run `make browser` (part of `make test`)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def dashboard_server(workspace: Path) -> Iterator[str]:
    """Serve the dashboard on ``workspace`` in a subprocess; yield its base URL."""
    port = _free_port()
    env = {**os.environ, "HANDOFF_WORKSPACE": str(workspace)}
    log = (REPO / "screenshots").joinpath(f"server-{port}.log")
    log.parent.mkdir(exist_ok=True)
    with log.open("w") as out:
        proc = subprocess.Popen(
            streamlit_command(port), env=env, stdout=out, stderr=subprocess.STDOUT, cwd=REPO
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the dashboard did not start: {log.read_text()}")
                time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    log.unlink(missing_ok=True)


# Opened on a page's own address (e.g. /data), Streamlit's front end first looks for its
# server under that path and gets a 404 before it finds it at the root: expected, harmless.
_BASE_PATH_PROBES = ("/_stcore/health", "/_stcore/host-config")


@dataclass
class Browser:
    """A Chromium page with the console errors and failed requests it has seen."""

    page: object
    console: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        """Failed requests, then console errors, leaving out Streamlit's base-path probes
        (and the console's "Failed to load resource" lines when those were all it had)."""
        unexpected = [u for u in self.failed if not u.split(" ")[0].endswith(_BASE_PATH_PROBES)]
        console = self.console
        if not unexpected:
            console = [c for c in console if not c.startswith("Failed to load resource")]
        # the failed addresses first: an assertion message is cut, and they name the cause
        return [*unexpected, *console]


def _request_failed(out: Browser, request) -> None:  # request: playwright Request
    """Record a request that got no answer, unless the page's own next navigation cut it
    off (``net::ERR_ABORTED``): the server did not fail it, the test moved on."""
    failure = request.failure or ""
    if "ERR_ABORTED" not in failure:
        out.failed.append(f"{request.url} {failure}".strip())


@contextmanager
def browser() -> Iterator[Browser]:
    """A fresh Chromium page (Debian's binary) that records console errors."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = b.new_context(viewport=VIEWPORT, accept_downloads=True)
            page = context.new_page()
            out = Browser(page)
            page.on("console", lambda m: out.console.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: out.console.append(str(e)))
            page.on(
                "response",
                lambda r: out.failed.append(f"{r.url} {r.status}") if r.status >= 400 else None,
            )
            page.on("requestfailed", lambda r: _request_failed(out, r))
            yield out
        finally:
            b.close()


# The page has finished: connected, the script has run (the app root's state goes initial
# -> running -> notRunning), no "running" widget, no element left stale from an earlier run
# and every chart drawn (a canvas or an svg inside each Vega-Lite chart). Checked on every
# animation frame, so a busy machine only makes it later, never wrong.
SETTLED_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  if (document.querySelector('[data-testid="stElementContainer"][data-stale="true"]')) {
    return false;
  }
  return Array.from(document.querySelectorAll('[data-testid="stVegaLiteChart"]'))
    .every(c => c.querySelector('canvas, svg') !== null);
}"""

# two painted frames: whatever a resize or a finished run changed has been laid out
FRAMES_JS = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def wait_for_app(page, timeout: float = 60_000) -> None:  # page: playwright Page
    """Wait until Streamlit has finished running the page script and drawn its charts."""
    page.wait_for_selector('[data-testid="stAppViewContainer"]', timeout=timeout)
    # polled on a timer as well as frames: a busy browser may starve a page of frames
    page.wait_for_function(SETTLED_JS, timeout=timeout, polling=100)
    page.evaluate(FRAMES_JS)
    # a run that finished and started again between two frames is caught here
    page.wait_for_function(SETTLED_JS, timeout=timeout, polling=100)


def full_screenshot(page, name: str, width: int | None = None) -> Path:
    """Screenshot the whole page (Streamlit scrolls inside its own container), ``width``
    pixels wide (default: the usual viewport's)."""
    width = width or VIEWPORT["width"]
    SCREENSHOTS.mkdir(exist_ok=True)
    height = page.evaluate(
        "Math.max(...Array.from(document.querySelectorAll("
        "'[data-testid=stMain], [data-testid=stMainBlockContainer]')).map(e => e.scrollHeight))"
    )
    page.set_viewport_size({"width": width, "height": min(int(height) + 80, 14000)})
    # charts re-render at the new size: wait until it is laid out, every chart is drawn
    # again and the fonts are in
    page.evaluate(FRAMES_JS)
    page.wait_for_function(SETTLED_JS, timeout=60_000)
    page.evaluate("() => document.fonts.ready.then(() => true)")
    page.evaluate(FRAMES_JS)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    page.set_viewport_size(VIEWPORT)
    return path
