"""Definitions (joint review): the shared settings both teams sign, what a proposed change
would do to the headline numbers, saving it with who and why, the change log, the glossary
and the one-page agreement to print and sign."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import streamlit as st

from dashboard import access, agreement, metrics, safe, ui
from dashboard import glossary as glossary_mod
from dashboard.errors import HandoffError
from dashboard.i18n import fmt_int, fmt_money_short, fmt_number, fmt_pct
from dashboard.settings import SETTINGS, Setting, coerce
from dashboard.writer import WorkspaceBusy

ctx = ui.current()
T = ctx.t

st.title(T("pages.definitions"))
st.caption(T("definitions.question"))
if ctx.version < 0 or ctx.facts is None:
    st.info(T("common.no_workspace"))
    st.stop()
st.markdown(T("definitions.intro"))

stored: dict[str, Any] = {**{s.key: s.default for s in SETTINGS}, **ctx.facts.settings}
path = str(ui.workspace_path())

GROUPS = ("metrics", "review", "data")
# number inputs: (step, display format) where the generic one reads badly
NUMBER_INPUTS: dict[str, tuple[float, str]] = {
    "mql_score_threshold": (1.0, "%.1f"),
    "sla_hours": (1.0, "%.1f"),
    "callout_sla_multiple": (0.1, "%.1f"),
}
CURRENCIES = ("VND", "USD", "EUR", "GBP", "JPY", "SGD", "THB")
# headline numbers whose change a proposal shows: (message, metric, column, kind)
IMPACT = (
    ("imp_mqls", "overview", "mqls", "int"),
    ("imp_handed_off", "overview", "handed_off", "int"),
    ("imp_handoff_rate", "handoff", "handoff_rate", "rate"),
    ("imp_acceptance_rate", "handoff", "acceptance_rate", "rate"),
    ("imp_pending_past_sla", "handoff", "pending_past_sla", "int"),
    ("imp_sla_compliance_rate", "followup_by_owner", "sla_compliance_rate", "rate"),
    ("imp_mean_attempts", "followup_by_owner", "mean_attempts", "number"),
    ("imp_zero_attempt_rate", "followup_by_owner", "zero_attempt_rate", "rate"),
    ("imp_given_up", "followup_by_owner", "given_up", "int"),
    ("imp_connect_rate", "followup_by_owner", "connect_rate", "rate"),
    ("imp_won_revenue", "overview", "won_revenue", "money"),
)
HOW = {"overview": "how_counts", "handoff": "how_handoff", "followup_by_owner": "how_followup"}


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


def reset_inputs() -> None:
    """Put every input back to the saved value (also after a save or another user's change)."""
    for s in SETTINGS:
        st.session_state[widget_key(s)] = as_widget_value(s, stored[s.key])
    st.session_state["_def_version"] = ctx.version


# inputs start from the saved values, and again once the saved values changed (a save, a
# load, a change made elsewhere) or the inputs were forgotten (the user visited another page)
if st.session_state.get("_def_version") != ctx.version or any(
    widget_key(s) not in st.session_state for s in SETTINGS
):
    reset_inputs()
# a threshold proposed on the Scoring & thresholds page arrives as an unsaved change, with
# its reasoning as the reason, so the impact table shows what it would do before anyone saves
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
flash = st.session_state.pop("_def_flash", None)
if flash:
    st.success(flash, icon=":material/check_circle:")


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


def options_for(s: Setting, extra: list[str]) -> list[str]:
    """Choices of a list or currency input: the default first, then everything else known."""
    first = list(s.default) if isinstance(s.default, list) else [str(s.default)]
    current = st.session_state.get(widget_key(s))
    chosen = current if isinstance(current, list) else [current] if current else []
    stored_value = stored[s.key] if isinstance(stored[s.key], list) else [stored[s.key]]
    rest = {str(v) for v in [*extra, *chosen, *stored_value]} - set(first)
    return first + sorted(rest)


def draw_input(s: Setting, box: Any) -> None:
    """The input that fits a setting's kind, with its meaning as help."""
    key = widget_key(s)
    label = agreement.setting_label(s.key, ctx.lang)
    help_text = agreement.setting_description(s.key, ctx.lang)
    words = vocabulary(path, ctx.version)
    if s.kind in ("int", "float"):
        # the same range coerce enforces, so a refused value is never a surprise
        low, high = (
            fmt_number(x, ctx.lang, 0 if float(x).is_integer() else 2)
            for x in (s.minimum, s.maximum)
        )
        help_text += " " + T("definitions.allowed_range", low=low, high=high)
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
            options_for(s, words.get(s.key, [])),
            key=key,
            help=help_text,
            accept_new_options=True,
            placeholder=T("definitions.add_option"),
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
            options_for(s, [*CURRENCIES, *words.get("currency", [])]),
            key=key,
            help=help_text,
            accept_new_options=True,
        )
    else:
        box.text_input(label, key=key, help=help_text)


def proposal() -> tuple[dict[str, Any], list[str]]:
    """The values the inputs hold that differ from the saved ones, and what is invalid."""
    changes: dict[str, Any] = {}
    problems: list[str] = []
    for s in SETTINGS:
        raw = st.session_state.get(widget_key(s))
        label = agreement.setting_label(s.key, ctx.lang)
        if s.kind == "list" and not raw:
            problems.append(T("definitions.empty_list", setting=label))
            continue
        if s.kind in ("str", "timezone") and not str(raw or "").strip():
            problems.append(T("definitions.empty_text", setting=label))
            continue
        try:
            value = coerce(s.key, raw)
        except HandoffError:
            problems.append(T("definitions.invalid_value", setting=label, value=safe.md_text(raw)))
            continue
        if value != stored[s.key]:
            changes[s.key] = value
    return changes, problems


# ----------------------------------------------------------------------------- settings
group_of = {s.key: s.group if s.group in GROUPS else "other" for s in SETTINGS}
for group in (*GROUPS, "other"):
    members = [s for s in SETTINGS if group_of[s.key] == group]
    if not members:
        continue
    st.subheader(T(f"definitions.group_{group}"))
    if group != "other":
        st.caption(T(f"definitions.group_{group}_caption"))
    with st.container(border=True):
        cols = st.columns(2, gap="large")
        for i, s in enumerate(members):
            box = cols[i % 2]
            draw_input(s, box)
            notes = [
                T(
                    "definitions.default_is",
                    value=safe.md_text(agreement.format_value(s.key, s.default, ctx.lang)),
                )
            ]
            if stored[s.key] != s.default:
                notes.append(T("definitions.differs_from_default"))
            try:
                edited = coerce(s.key, st.session_state.get(widget_key(s))) != stored[s.key]
            except HandoffError:
                edited = True
            if edited:
                notes.append(f":orange[**{T('definitions.edited')}**]")
            box.caption(" · ".join(notes))

changes, problems = proposal()
for problem in problems:
    st.error(problem, icon=":material/error:")

# ----------------------------------------------------------------------------- impact
st.subheader(T("definitions.impact_title"))


def fmt_value(kind: str, value: Any, currency: str) -> str:
    """A headline number as the page's language writes it."""
    if kind == "int":
        return fmt_int(value, ctx.lang)
    if kind == "rate":
        return fmt_pct(value, ctx.lang)
    if kind == "money":
        return fmt_money_short(value, currency, ctx.lang)
    return fmt_number(value, ctx.lang, 2)


def fmt_change(kind: str, now: Any, then: Any, same_currency: bool) -> str:
    """The change from now to the proposal, coloured by direction and marked ▲ ▼ =."""
    if now is None or then is None or (kind == "money" and not same_currency):
        return "–"
    diff = float(then) - float(now)
    if abs(diff) < 1e-9:
        return ":gray[=]"
    sign = "+" if diff > 0 else "−"
    if kind == "rate":
        text = f"{sign}{fmt_number(abs(diff) * 100, ctx.lang, 1)} {T('definitions.points')}"
    elif kind == "int":
        text = f"{sign}{fmt_int(abs(diff), ctx.lang)}"
    elif kind == "money":
        text = f"{sign}{fmt_money_short(abs(diff), ctx.currency, ctx.lang)}"
    else:
        text = f"{sign}{fmt_number(abs(diff), ctx.lang, 2)}"
    if kind in ("int", "money", "number") and now:
        text += f" ({sign}{fmt_pct(abs(diff) / abs(float(now)), ctx.lang)})"
    return f":blue[▲ {text}]" if diff > 0 else f":orange[▼ {text}]"


def headline_row(shown: ui.Shown) -> dict[str, Any] | None:
    """The one row a headline metric gives for everything in the filters."""
    if not shown.ok or shown.frame is None or shown.frame.is_empty():
        return None
    frame = shown.frame
    if "owner" in frame.columns:
        frame = frame.filter(pl.col("owner") == "(all)")
    return frame.row(0, named=True) if frame.height else None


if not ctx.has_leads:
    st.info(T("common.no_leads"))
else:
    proposed_currency = str(changes.get("currency", ctx.currency))
    now_runs: dict[str, ui.Shown] = {}
    then_runs: dict[str, ui.Shown] = {}
    for name in HOW:
        now_runs[name] = ui.metric(ctx, name)
        used = {k: v for k, v in changes.items() if k in metrics.get(name).settings}
        then_runs[name] = ui.metric(ctx, name, overrides=used) if used else now_runs[name]
    st.caption(
        T(
            "definitions.impact_caption_proposed"
            if changes
            else "definitions.impact_caption_current"
        )
    )
    if changes:
        summary = "; ".join(
            f"**{agreement.setting_label(k, ctx.lang)}** "
            f"{safe.md_text(agreement.format_value(k, stored[k], ctx.lang))} → "
            f"{safe.md_text(agreement.format_value(k, v, ctx.lang))}"
            for k, v in changes.items()
        )
        st.markdown(T("definitions.proposal", changes=summary))
    header = [T("definitions.col_number"), T("definitions.col_current")]
    if changes:
        header += [T("definitions.col_proposed"), T("definitions.col_change")]
    lines = [
        "| " + " | ".join(header) + " |",
        "| :-- | " + " | ".join("--:" for _ in header[1:]) + " |",
    ]
    records: list[dict[str, Any]] = []
    for message, name, column, kind in IMPACT:
        now_row, then_row = headline_row(now_runs[name]), headline_row(then_runs[name])
        if now_row is None or then_row is None:
            continue
        now, then = now_row[column], then_row[column]
        cells = [T(f"definitions.{message}"), fmt_value(kind, now, ctx.currency)]
        if changes:
            cells += [
                fmt_value(kind, then, proposed_currency),
                fmt_change(kind, now, then, proposed_currency == ctx.currency),
            ]
        lines.append("| " + " | ".join(cells) + " |")
        records.append(
            {
                T("definitions.col_number"): T(f"definitions.{message}"),
                T("definitions.col_current"): None if now is None else float(now),
                T("definitions.col_proposed"): None if then is None else float(then),
            }
        )
    if records:
        st.markdown("\n".join(lines))
        if changes:
            st.caption(T("definitions.impact_legend"))
            if set(changes) <= {"timezone", "date_order", "decimal", "personal_data"}:
                st.caption(T("definitions.reading_only"))
        ui.downloads(ctx, pl.DataFrame(records), "definitions-impact", key="impact-dl")
    for shown in now_runs.values():
        if not shown.ok:
            ui.needs(ctx, shown)
    ran = [name for name, shown in now_runs.items() if shown.ok]
    if ran:
        for col, name in zip(st.columns(len(ran)), ran, strict=True):
            with col:
                st.caption(T(f"definitions.{HOW[name]}"))
                ui.how_computed(ctx, now_runs[name])

# ----------------------------------------------------------------------------- saving
st.subheader(T("definitions.save_title"))
st.caption(T("definitions.save_caption"))
# a viewer may try a change and see its impact, but only an editor saves one
editor = access.can_edit()
if not editor:
    st.info(T("access.editor_needed_definitions"), icon=":material/lock:")
with st.container(border=True):
    a, b = st.columns([1, 2])
    author = a.text_input(
        T("definitions.author"),
        key="def_author",
        placeholder=T("definitions.author_placeholder"),
        disabled=not editor,
    )
    reason = b.text_input(
        T("definitions.reason"),
        key="def_reason",
        placeholder=T("definitions.reason_placeholder"),
        disabled=not editor,
    )
    c1, c2, _ = st.columns([2, 2, 4])
    save = c1.button(
        T("definitions.save"),
        type="primary",
        icon=":material/save:",
        key="def_save",
        disabled=not editor or (not changes and not problems),
        width="stretch",
    )
    c2.button(
        T("definitions.discard"),
        icon=":material/undo:",
        key="def_discard",
        on_click=reset_inputs,
        disabled=not changes and not problems,
        width="stretch",
    )
    if save and editor:
        if problems:
            st.error(T("definitions.invalid", problem=" ".join(problems)))
        elif not changes:
            st.info(T("definitions.nothing_to_save"))
        elif not author.strip():
            st.error(T("definitions.need_author"), icon=":material/person:")
        elif not reason.strip():
            st.error(T("definitions.need_reason"), icon=":material/edit_note:")
        else:
            try:
                with ui.connect(read_only=False) as ws:
                    ws.set_settings(changes, author=author.strip(), reason=reason.strip())
            except WorkspaceBusy:
                st.error(T("common.busy"))
            except HandoffError as exc:
                st.error(T("definitions.invalid", problem=safe.error_md(exc)))
            except duckdb.Error:
                st.error(T("common.busy"))
            else:
                ui.clear_caches()
                st.session_state["_def_flash"] = T(
                    "definitions.saved",
                    author=safe.md_text(author.strip()),
                    changes="; ".join(
                        f"{agreement.setting_label(k, ctx.lang)} "
                        f"{safe.md_text(agreement.format_value(k, stored[k], ctx.lang))} → "
                        f"{safe.md_text(agreement.format_value(k, v, ctx.lang))}"
                        for k, v in changes.items()
                    ),
                )
                st.session_state["_def_clear_form"] = True
                st.rerun()


# ----------------------------------------------------------------------------- agreement
@st.cache_data(show_spinner=False, max_entries=8)
def change_log(path: str, version: int) -> list[dict[str, Any]]:
    """The workspace's settings changes, newest first."""
    with ui.connect() as ws:
        return agreement.read_log(ws)


log = change_log(path, ctx.version)
st.subheader(T("definitions.agreement_title"))
st.caption(T("definitions.agreement_caption"))
if changes:
    st.caption(T("definitions.agreement_unsaved"))
now_utc = dt.datetime.now(dt.UTC).replace(tzinfo=None)
workspace_name = Path(path).name
doc_md = agreement.agreement_markdown(stored, log, ctx.lang, workspace_name, now_utc)
stamp = now_utc.date().isoformat()
d1, d2, _ = st.columns([2, 2, 4])
d1.download_button(
    T("definitions.download_md"),
    data=doc_md,
    file_name=f"lead-definition-agreement-{stamp}.md",
    mime="text/markdown",
    icon=":material/description:",
    key="agreement-md",
    on_click="ignore",
    width="stretch",
)
d2.download_button(
    T("definitions.download_html"),
    data=lambda: agreement.agreement_html(stored, log, ctx.lang, workspace_name, now_utc),
    file_name=f"lead-definition-agreement-{stamp}.html",
    mime="text/html",
    icon=":material/print:",
    key="agreement-html",
    on_click="ignore",
    width="stretch",
)
with st.expander(T("definitions.preview"), icon=":material/visibility:"):
    # the document's headings, two levels down so the preview sits inside the page
    st.markdown(re.sub(r"^(#{1,2}) ", lambda m: "#" * (len(m[1]) + 2) + " ", doc_md, flags=re.M))

# ----------------------------------------------------------------------------- change log
st.subheader(T("definitions.log_title"))
st.caption(T("definitions.log_caption"))
if not log:
    st.info(T("definitions.log_empty"))
else:
    frame = pl.DataFrame(
        {
            T("definitions.log_time"): [e["changed_at"] for e in log],
            T("definitions.log_setting"): [
                agreement.setting_label(e["key"], ctx.lang) for e in log
            ],
            T("definitions.log_old"): [
                agreement.format_value(e["key"], e["old_value"], ctx.lang) for e in log
            ],
            T("definitions.log_new"): [
                agreement.format_value(e["key"], e["new_value"], ctx.lang) for e in log
            ],
            T("definitions.log_author"): [e["author"] or "–" for e in log],
            T("definitions.log_reason"): [e["reason"] or "–" for e in log],
        },
        schema_overrides={T("definitions.log_time"): pl.Datetime("us")},
    )
    ui.table(
        ctx,
        frame,
        "definitions-change-log",
        key="change-log",
        column_config={
            T("definitions.log_time"): st.column_config.DatetimeColumn(
                format="DD/MM/YYYY HH:mm" if ctx.lang == "vi" else "YYYY-MM-DD HH:mm"
            )
        },
        height=min(420, 38 + 35 * len(log)),
    )

# ----------------------------------------------------------------------------- glossary
st.subheader(T("definitions.glossary_title"))
st.caption(T("definitions.glossary_caption"))
if ctx.lang != "en":
    st.caption(T("definitions.glossary_english"))


def _tidy(markdown: str) -> str:
    """Glossary Markdown for the page: no top title, smaller headings, no repository links."""
    text = re.sub(r"\A# .*\n+", "", markdown.strip() + "\n")
    text = re.sub(r"\[([^\]]+)\]\((?!https?://)[^)]*\)", r"\1", text)
    return re.sub(r"^(#{2,3}) ", lambda m: "#" * (len(m.group(1)) + 2) + " ", text, flags=re.M)


@st.cache_data(show_spinner=False)
def glossary(names: tuple[str, ...]) -> tuple[str, dict[str, str]]:
    """The shared definitions (the glossary's head) and each metric's entry."""
    intro = glossary_mod.shared()
    entries = {k: v for k, v in ui.glossary_sections().items() if k in names}
    # the expander is already titled "Shared definitions"
    intro = re.sub(r"^## Shared definitions\s*$\n?", "", intro, flags=re.M)
    return _tidy(intro), {k: _tidy(v) for k, v in entries.items()}


names = tuple(sorted(metrics.registry()))
intro, entries = glossary(names)
if not intro and not entries:
    st.info(T("definitions.glossary_missing"))
if intro:
    with st.expander(T("definitions.glossary_shared"), icon=":material/handshake:"):
        st.markdown(intro)
if entries:
    st.markdown(f"**{T('definitions.glossary_metrics')}**")
    for n in names:
        if n not in entries:
            continue
        m = metrics.get(n)
        question = m.questions.get(ctx.lang, m.question)
        with st.expander(f"`{n}` · {question}"):
            st.markdown(entries[n])
