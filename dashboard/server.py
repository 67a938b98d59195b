"""How the dashboard is started: one command line shared by `handoff serve` and the tests.

``python -m dashboard.server run APP ...`` is ``streamlit run APP ...`` that never asks an
outside service for this machine's public address (Streamlit does so when a page from
another origin tries to connect, to see whether that origin is the machine itself)."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

from dashboard import access, charts

APP = Path(__file__).resolve().parent / "app.py"

# The look of the dashboard: white like the charts, large type for a projector, and the
# same colour-blind-safe palette as the charts.
THEME = {
    "theme.base": "light",
    "theme.primaryColor": charts.PRIMARY,
    "theme.backgroundColor": "#FFFFFF",
    "theme.secondaryBackgroundColor": "#F2F5F9",
    "theme.textColor": "#1B2430",
    "theme.baseFontSize": "17",
    "theme.metricValueFontSize": "2.4rem",
    "theme.showSidebarBorder": "true",
    "theme.chartCategoricalColors": str(list(charts.PALETTE)).replace("'", '"'),
}


# limits of what one browser may send or receive, in megabytes: a CRM export of a million
# leads is about 150 MB as CSV, so 200 MB fits it with room; larger files load with
# `handoff load`, which has no such limit
MAX_UPLOAD_MB = 200
MAX_MESSAGE_MB = 200
# the only names a browser may use to reach a loopback dashboard: a web page that points
# its own domain at 127.0.0.1 (DNS rebinding) cannot drive it
LOOPBACK_ALLOWED_HOSTS = ("localhost", "127.0.0.1", "::1")


def browser_address(host: str) -> str:
    """The address the dashboard tells browsers (and prints): the host itself, or this
    machine's name for an all-interfaces host. Setting it keeps Streamlit from asking an
    outside service for the machine's public address."""
    if host in ("0.0.0.0", "::", ""):
        return socket.gethostname()
    return "localhost" if access.is_loopback(host) else host


def streamlit_command(
    port: int, *, host: str = "127.0.0.1", headless: bool = True, debug: bool = False
) -> list[str]:
    """The command that serves the app on ``host``:``port`` (the workspace comes from the
    env). Nothing it starts calls out: no usage statistics, no public-address lookup.
    Error details (tracebacks, file paths) reach the browser only with ``debug``."""
    cmd = [sys.executable, "-m", "dashboard.server", "run", str(APP)]
    options: list[tuple[str, str]] = [
        ("server.port", str(port)),
        ("server.address", host),
        ("browser.serverAddress", browser_address(host)),
        ("server.headless", "true" if headless else "false"),
        ("browser.gatherUsageStats", "false"),
        ("client.showErrorDetails", "full" if debug else "none"),
        ("client.toolbarMode", "minimal"),
        ("server.maxUploadSize", str(MAX_UPLOAD_MB)),
        ("server.maxMessageSize", str(MAX_MESSAGE_MB)),
        ("server.enableXsrfProtection", "true"),
        # other sites' pages may not call the dashboard from the visitor's browser
        ("server.enableCORS", "true"),
        ("server.enableStaticServing", "false"),
        ("server.runOnSave", "false"),
        ("server.fileWatcherType", "none"),
        ("global.developmentMode", "false"),
        *THEME.items(),
    ]
    if access.is_loopback(host):
        options += [("server.allowedHosts", name) for name in LOOPBACK_ALLOWED_HOSTS]
    for key, value in options:
        cmd += [f"--{key}", value]
    return cmd


def _no_public_address() -> None:
    """Streamlit's public-address lookup, answered without asking anyone: unknown."""
    return None


def main(argv: list[str] | None = None) -> None:
    """Run Streamlit's command line with ``argv`` and no public-address lookup."""
    from streamlit import net_util
    from streamlit.web import cli as streamlit_cli

    # the lookup is a request to a public service, made while a connection waits; with no
    # answer a cross-origin connection is refused, which is what it deserves anyway
    net_util.get_external_ip = _no_public_address
    sys.argv = ["streamlit", *(sys.argv[1:] if argv is None else argv)]
    streamlit_cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main()
