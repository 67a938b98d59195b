"""What every dashboard page shares: the workspace, the sidebar filters (kept in the URL),
cached metric runs, and the building blocks every number and chart is shown with.

Pages compute nothing themselves: every figure comes from a metric in ``queries/`` run
through :func:`metric`, so the dashboard and ``handoff metric`` always agree.

Pages use every name as ``ui.<name>``; the code lives in three modules by responsibility:

- :mod:`dashboard.ui_context`: the workspace (``connect``, ``load_watch``,
  ``workspace_version``, ``facts``), the page ``Context``, the language and the sidebar;
- :mod:`dashboard.ui_metrics`: cached metric runs (``metric``, ``Shown``), what a result
  needs, "How is this computed?";
- :mod:`dashboard.ui_tables`: tables, charts and their downloads, lead lists, display text.
"""

from __future__ import annotations

from dashboard.display_text import Text, select_text, text_col, with_text
from dashboard.ui_context import (
    LOAD_POLL_SECONDS,
    REPO,
    Context,
    Facts,
    connect,
    current,
    facts,
    language,
    load_watch,
    page_title,
    sidebar,
    workspace_path,
    workspace_version,
)
from dashboard.ui_evidence import evidence_panel
from dashboard.ui_metrics import (
    MONEY_COLUMNS,
    Shown,
    clear_caches,
    glossary_sections,
    how_computed,
    metric,
    money_needs,
    needs,
    usable,
)
from dashboard.ui_tables import (
    DISPLAY_CHARS,
    DOWNLOAD,
    IMAGE,
    LEAD_LIST_COLUMNS,
    LEAD_PAGE,
    chart,
    column_plans,
    downloads,
    for_display,
    lead_columns,
    lead_headers,
    leads_behind,
    month_label,
    pick,
    sorted_by_name,
    source_is,
    source_value,
    style,
    table,
)

__all__ = [
    "DISPLAY_CHARS",
    "DOWNLOAD",
    "IMAGE",
    "LEAD_LIST_COLUMNS",
    "LEAD_PAGE",
    "LOAD_POLL_SECONDS",
    "MONEY_COLUMNS",
    "REPO",
    "Context",
    "Facts",
    "Shown",
    "Text",
    "chart",
    "clear_caches",
    "column_plans",
    "connect",
    "current",
    "downloads",
    "evidence_panel",
    "facts",
    "for_display",
    "glossary_sections",
    "how_computed",
    "language",
    "lead_columns",
    "lead_headers",
    "leads_behind",
    "load_watch",
    "metric",
    "money_needs",
    "month_label",
    "needs",
    "page_title",
    "pick",
    "select_text",
    "sidebar",
    "sorted_by_name",
    "source_is",
    "source_value",
    "style",
    "table",
    "text_col",
    "usable",
    "with_text",
    "workspace_path",
    "workspace_version",
]
