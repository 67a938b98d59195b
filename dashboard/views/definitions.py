"""Definitions (joint review): the shared settings both teams sign, what a proposed change
would do to the headline numbers, saving it with who and why, the change log, the glossary
and the one-page agreement to print and sign."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import streamlit as st

from dashboard import access, agreement, metrics, safe, ui
from dashboard import glossary as glossary_mod
from dashboard import setting_inputs as inputs
from dashboard.errors import HandoffError
from dashboard.i18n import fmt_int, fmt_money_short, fmt_number, fmt_pct
from dashboard.settings import SETTINGS
from dashboard.writer import WorkspaceBusy

GROUPS = ("metrics", "review", "data")
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
# settings that apply to the next upload only, so they change no stored number
READING_ONLY = {"timezone", "date_order", "decimal", "personal_data"}
HOW = {"overview": "how_counts", "handoff": "how_handoff", "followup_by_owner": "how_followup"}


def header(ctx: ui.Context) -> None:
    """Title and question; the page stops here when no workspace is loaded."""
    ui.page_title(ctx, "pages.definitions")
    st.caption(ctx.t("definitions.question"))
    if ctx.version < 0 or ctx.facts is None:
        st.info(ctx.t("common.no_workspace"))
        st.stop()
    st.markdown(ctx.t("definitions.intro"))


def change_text(ctx: ui.Context, changes: dict[str, Any], stored: dict[str, Any]) -> str:
    """The changes as "Setting old → new; …" (values shown as their letters)."""
    return "; ".join(
        f"{agreement.setting_label(k, ctx.lang)} "
        f"{safe.md_text(agreement.format_value(k, stored[k], ctx.lang))} → "
        f"{safe.md_text(agreement.format_value(k, v, ctx.lang))}"
        for k, v in changes.items()
    )


# ----------------------------------------------------------------------------- settings
def settings_form(ctx: ui.Context, stored: dict[str, Any]) -> None:
    """Every shared setting's input, by group, noting its default and whether it is edited."""
    T = ctx.t
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
                inputs.draw_input(ctx, s, box, stored)
                notes = [
                    T(
                        "definitions.default_is",
                        value=safe.md_text(agreement.format_value(s.key, s.default, ctx.lang)),
                    )
                ]
                if stored[s.key] != s.default:
                    notes.append(T("definitions.differs_from_default"))
                if inputs.is_edited(s, stored):
                    notes.append(f":orange[**{T('definitions.edited')}**]")
                box.caption(" · ".join(notes))


# ----------------------------------------------------------------------------- impact
def fmt_value(ctx: ui.Context, kind: str, value: Any, currency: str) -> str:
    """A headline number as the page's language writes it."""
    if kind == "int":
        return fmt_int(value, ctx.lang)
    if kind == "rate":
        return fmt_pct(value, ctx.lang)
    if kind == "money":
        return fmt_money_short(value, currency, ctx.lang)
    return fmt_number(value, ctx.lang, 2)


def fmt_change(ctx: ui.Context, kind: str, now: Any, then: Any, same_currency: bool) -> str:
    """The change from now to the proposal, coloured by direction and marked ▲ ▼ =."""
    if now is None or then is None or (kind == "money" and not same_currency):
        return "–"
    diff = float(then) - float(now)
    if abs(diff) < 1e-9:
        return ":gray[=]"
    sign = "+" if diff > 0 else "−"
    if kind == "rate":
        text = f"{sign}{fmt_number(abs(diff) * 100, ctx.lang, 1)} {ctx.t('definitions.points')}"
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


def _unchanged(kind: str, now: Any, then: Any, same_currency: bool) -> bool:
    """True when the proposal leaves a headline number as it is (the "=" of the table)."""
    if kind == "money" and not same_currency:
        return False
    if now is None or then is None:
        return now is None and then is None
    return abs(float(then) - float(now)) < 1e-9


def impact_table(
    ctx: ui.Context,
    changes: dict[str, Any],
    now_runs: dict[str, ui.Shown],
    then_runs: dict[str, ui.Shown],
) -> None:
    """The headline numbers now and with the proposal, with their downloads. A proposal
    that moves none of them says so plainly instead of a column of "=" signs."""
    T = ctx.t
    proposed_currency = str(changes.get("currency", ctx.currency))
    shown = []
    for message, name, column, kind in IMPACT:
        now_row, then_row = headline_row(now_runs[name]), headline_row(then_runs[name])
        if now_row is not None and then_row is not None:
            shown.append((message, kind, now_row[column], then_row[column]))
    same_money = proposed_currency == ctx.currency
    moves = any(not _unchanged(kind, now, then, same_money) for _, kind, now, then in shown)
    compare = bool(changes) and moves
    if changes and shown and not moves:
        unchanged_note(ctx, changes, now_runs)
    header = [T("definitions.col_number"), T("definitions.col_current")]
    if compare:
        header += [T("definitions.col_proposed"), T("definitions.col_change")]
    lines = [
        "| " + " | ".join(header) + " |",
        "| :-- | " + " | ".join("--:" for _ in header[1:]) + " |",
    ]
    records: list[dict[str, Any]] = []
    for message, kind, now, then in shown:
        cells = [T(f"definitions.{message}"), fmt_value(ctx, kind, now, ctx.currency)]
        if compare:
            cells += [
                fmt_value(ctx, kind, then, proposed_currency),
                fmt_change(ctx, kind, now, then, same_money),
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
        if compare:
            st.caption(T("definitions.impact_legend"))
            if set(changes) <= READING_ONLY:
                st.caption(T("definitions.reading_only"))
        ui.downloads(ctx, pl.DataFrame(records), "definitions-impact", key="impact-dl")


def unchanged_note(ctx: ui.Context, changes: dict[str, Any], now_runs: dict[str, ui.Shown]) -> None:
    """Say that the proposal changes none of the headline numbers, and why when it is known."""
    T = ctx.t
    why = []
    crm_dates = now_runs["overview"].values.get("mql_basis") == "date"
    if "mql_score_threshold" in changes and crm_dates:
        why.append(T("definitions.threshold_unused"))
    if set(changes) <= READING_ONLY:
        why.append(T("definitions.reading_only"))
    st.info(" ".join([T("definitions.nothing_changes"), *why]), icon=":material/equal:")


def impact(ctx: ui.Context, changes: dict[str, Any], stored: dict[str, Any]) -> None:
    """What the proposed change would do to the headline numbers, and how they are computed."""
    T = ctx.t
    st.subheader(T("definitions.impact_title"))
    if not ctx.has_leads:
        st.info(T("common.no_leads"))
        return
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
    impact_table(ctx, changes, now_runs, then_runs)
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
def _save(
    ctx: ui.Context, changes: dict[str, Any], stored: dict[str, Any], author: str, reason: str
) -> None:
    """Save the changes with who and why; say what is missing or what went wrong."""
    T = ctx.t
    if not author.strip():
        st.error(T("definitions.need_author"), icon=":material/person:")
        return
    if not reason.strip():
        st.error(T("definitions.need_reason"), icon=":material/edit_note:")
        return
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
            changes=change_text(ctx, changes, stored),
        )
        st.session_state["_def_clear_form"] = True
        st.rerun()


def saving(
    ctx: ui.Context, changes: dict[str, Any], problems: list[str], stored: dict[str, Any]
) -> None:
    """Who proposes the change and why, "Save" and "Discard"."""
    T = ctx.t
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
            on_click=inputs.reset_inputs,
            args=(stored, ctx.version),
            disabled=not changes and not problems,
            width="stretch",
        )
        if not (save and editor):
            return
        if problems:
            st.error(T("definitions.invalid", problem=" ".join(problems)))
        elif not changes:
            st.info(T("definitions.nothing_to_save"))
        else:
            _save(ctx, changes, stored, author, reason)


# ----------------------------------------------------------------------------- agreement
@st.cache_data(show_spinner=False, max_entries=8)
def change_log(path: str, version: int) -> list[dict[str, Any]]:
    """The workspace's settings changes, newest first."""
    with ui.connect() as ws:
        return agreement.read_log(ws)


def agreement_document(
    ctx: ui.Context, changes: dict[str, Any], stored: dict[str, Any], log: list[dict[str, Any]]
) -> None:
    """The one-page agreement: Markdown and printable HTML downloads, and a preview."""
    T = ctx.t
    st.subheader(T("definitions.agreement_title"))
    st.caption(T("definitions.agreement_caption"))
    if changes:
        st.caption(T("definitions.agreement_unsaved"))
    now_utc = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    workspace_name = Path(ui.workspace_path()).name
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
        st.markdown(
            re.sub(r"^(#{1,2}) ", lambda m: "#" * (len(m[1]) + 2) + " ", doc_md, flags=re.M)
        )


# ----------------------------------------------------------------------------- change log
def change_log_table(ctx: ui.Context, log: list[dict[str, Any]]) -> None:
    """Every saved change: when, which setting, old and new value, who and why."""
    T = ctx.t
    st.subheader(T("definitions.log_title"))
    st.caption(T("definitions.log_caption"))
    if not log:
        st.info(T("definitions.log_empty"))
        return
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
        height=min(420, 38 + 35 * len(log)),
    )


# ----------------------------------------------------------------------------- glossary
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


def glossary_section(ctx: ui.Context) -> None:
    """The shared definitions and every metric's glossary entry."""
    T = ctx.t
    st.subheader(T("definitions.glossary_title"))
    st.caption(T("definitions.glossary_caption"))
    if ctx.lang != "en":
        st.caption(T("definitions.glossary_english"))
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


def render() -> None:
    """The Definitions page, section by section."""
    ctx = ui.current()
    header(ctx)
    saved = ctx.facts.settings if ctx.facts else {}  # header stops without a workspace
    stored: dict[str, Any] = {**{s.key: s.default for s in SETTINGS}, **saved}
    inputs.start_inputs(stored, ctx.version)
    flash = st.session_state.pop("_def_flash", None)
    if flash:
        st.success(flash, icon=":material/check_circle:")
    settings_form(ctx, stored)
    changes, problems = inputs.proposal(ctx, stored)
    for problem in problems:
        st.error(problem, icon=":material/error:")
    impact(ctx, changes, stored)
    saving(ctx, changes, problems, stored)
    log = change_log(str(ui.workspace_path()), ctx.version)
    agreement_document(ctx, changes, stored, log)
    change_log_table(ctx, log)
    glossary_section(ctx)


render()
