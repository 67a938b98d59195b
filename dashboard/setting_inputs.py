"""The Definitions page's inputs: one per shared setting, in the type its value holds,
starting from the saved values, and the proposal the edited inputs make."""

from __future__ import annotations

import zoneinfo
from typing import Any

import streamlit as st

from dashboard import agreement, safe, ui
from dashboard.errors import HandoffError
from dashboard.i18n import fmt_number
from dashboard.settings import SETTINGS, Setting, coerce

# number inputs: (step, display format) where the generic one reads badly
NUMBER_INPUTS: dict[str, tuple[float, str]] = {
    "mql_score_threshold": (1.0, "%.1f"),
    "sla_hours": (1.0, "%.1f"),
    "callout_sla_multiple": (0.1, "%.1f"),
}
CURRENCIES = ("VND", "USD", "EUR", "GBP", "JPY", "SGD", "THB")


def widget_key(s: Setting) -> str:
    """The session-state key of a setting's input."""
    return f"def_{s.key}"


def as_widget_value(s: Setting, value: Any) -> Any:
    """A stored value in the type its input holds."""
    if s.kind == "int":
        return int(value)
    if s.kind == "float":
        return float(value)
    if s.kind == "bool":
        return bool(value)
    if s.kind == "list":
        return [str(v) for v in value]
    return str(value)


def reset_inputs(stored: dict[str, Any], version: int) -> None:
    """Put every input back to the saved value (also after a save or another user's change)."""
    for s in SETTINGS:
        st.session_state[widget_key(s)] = as_widget_value(s, stored[s.key])
    st.session_state["_def_version"] = version


def start_inputs(stored: dict[str, Any], version: int) -> None:
    """Give the inputs their starting values before any is drawn.

    They start from the saved values, and again once the saved values changed (a save, a
    load, a change made elsewhere) or the inputs were forgotten (the user visited another
    page). A threshold proposed on the Scoring & thresholds page arrives as an unsaved
    change, with its reasoning as the reason, so the impact table shows what it would do
    before anyone saves.
    """
    if st.session_state.get("_def_version") != version or any(
        widget_key(s) not in st.session_state for s in SETTINGS
    ):
        reset_inputs(stored, version)
    proposed = st.session_state.pop("proposed_mql_score_threshold", None)
    if proposed is not None:
        threshold = next(s for s in SETTINGS if s.key == "mql_score_threshold")
        st.session_state[widget_key(threshold)] = as_widget_value(threshold, float(proposed))
        st.session_state["def_reason"] = str(
            st.session_state.pop("proposed_mql_score_threshold_reason", "") or ""
        )
    if st.session_state.pop("_def_clear_form", False):
        st.session_state["def_author"] = ""
        st.session_state["def_reason"] = ""


@st.cache_data(show_spinner=False, max_entries=8)
def vocabulary(path: str, version: int) -> dict[str, list[str]]:
    """Activity types and outcomes, and deal currencies, present in the workspace."""
    out: dict[str, list[str]] = {"attempt_types": [], "connect_outcomes": [], "currency": []}
    with ui.connect() as ws:
        for key, table, column, case in (
            ("attempt_types", "activities", "type", "lower"),
            ("connect_outcomes", "activities", "outcome", "lower"),
            ("currency", "deals", "currency", "upper"),
        ):
            if column in ws.columns(table):
                rows = ws.con.execute(
                    f'SELECT DISTINCT {case}(trim("{column}")) AS v FROM "{table}" '
                    f'WHERE "{column}" IS NOT NULL ORDER BY v LIMIT 200'
                ).fetchall()
                out[key] = [r[0] for r in rows if r[0]]
    return out


def options_for(s: Setting, extra: list[str], stored: dict[str, Any]) -> list[str]:
    """Choices of a list or currency input: the default first, then everything else known."""
    first = list(s.default) if isinstance(s.default, list) else [str(s.default)]
    current = st.session_state.get(widget_key(s))
    chosen = current if isinstance(current, list) else [current] if current else []
    stored_value = stored[s.key] if isinstance(stored[s.key], list) else [stored[s.key]]
    rest = {str(v) for v in [*extra, *chosen, *stored_value]} - set(first)
    return first + sorted(rest)


def _help(ctx: ui.Context, s: Setting) -> str:
    """A setting's meaning, with the range a number must fall in."""
    help_text = agreement.setting_description(s.key, ctx.lang)
    if s.kind in ("int", "float"):
        # the same range coerce enforces, so a refused value is never a surprise
        low, high = (
            fmt_number(x, ctx.lang, 0 if float(x).is_integer() else 2)
            for x in (s.minimum, s.maximum)
        )
        help_text += " " + ctx.t("definitions.allowed_range", low=low, high=high)
    return help_text


def draw_input(ctx: ui.Context, s: Setting, box: Any, stored: dict[str, Any]) -> None:
    """The input that fits a setting's kind, with its meaning as help."""
    key = widget_key(s)
    label = agreement.setting_label(s.key, ctx.lang)
    help_text = _help(ctx, s)
    words = vocabulary(str(ui.workspace_path()), ctx.version)
    if s.kind == "int":
        box.number_input(label, min_value=0, step=1, key=key, help=help_text)
    elif s.kind == "float":
        step, shown = NUMBER_INPUTS.get(s.key, (0.01, "%.2f"))
        box.number_input(label, min_value=0.0, step=step, format=shown, key=key, help=help_text)
    elif s.kind == "bool":
        box.toggle(label, key=key, help=help_text)
    elif s.kind == "list":
        box.multiselect(
            label,
            options_for(s, words.get(s.key, []), stored),
            key=key,
            help=help_text,
            accept_new_options=True,
            placeholder=ctx.t("definitions.add_option"),
        )
    elif s.kind == "choice":
        box.selectbox(
            label,
            list(s.choices),
            format_func=lambda v, k=s.key: agreement.choice_label(k, v, ctx.lang),
            key=key,
            help=help_text,
        )
    elif s.kind == "timezone":
        zones = sorted(zoneinfo.available_timezones() | {"UTC", str(stored[s.key])})
        box.selectbox(label, zones, key=key, help=help_text)
    elif s.key == "currency":
        box.selectbox(
            label,
            options_for(s, [*CURRENCIES, *words.get("currency", [])], stored),
            key=key,
            help=help_text,
            accept_new_options=True,
        )
    else:
        box.text_input(label, key=key, help=help_text)


def is_edited(s: Setting, stored: dict[str, Any]) -> bool:
    """True when a setting's input holds something other than its saved value."""
    try:
        return coerce(s.key, st.session_state.get(widget_key(s))) != stored[s.key]
    except HandoffError:
        return True


def proposal(ctx: ui.Context, stored: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The values the inputs hold that differ from the saved ones, and what is invalid."""
    changes: dict[str, Any] = {}
    problems: list[str] = []
    for s in SETTINGS:
        raw = st.session_state.get(widget_key(s))
        label = agreement.setting_label(s.key, ctx.lang)
        if s.kind == "list" and not raw:
            problems.append(ctx.t("definitions.empty_list", setting=label))
            continue
        if s.kind in ("str", "timezone") and not str(raw or "").strip():
            problems.append(ctx.t("definitions.empty_text", setting=label))
            continue
        try:
            value = coerce(s.key, raw)
        except HandoffError:
            problems.append(
                ctx.t("definitions.invalid_value", setting=label, value=safe.md_text(raw))
            )
            continue
        if value != stored[s.key]:
            changes[s.key] = value
    return changes, problems
