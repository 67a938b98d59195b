"""How the dashboard is started: one command line shared by `handoff serve` and the tests."""

from __future__ import annotations

import sys
from pathlib import Path

from dashboard import charts

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


def streamlit_command(port: int, *, headless: bool = True) -> list[str]:
    """The command that serves the app on ``port`` (the workspace comes from the env)."""
    cmd = [sys.executable, "-m", "streamlit", "run", str(APP)]
    options = {
        "server.port": str(port),
        "server.headless": "true" if headless else "false",
        "browser.gatherUsageStats": "false",
        "client.toolbarMode": "minimal",
        **THEME,
    }
    for key, value in options.items():
        cmd += [f"--{key}", value]
    return cmd
