"""The one-page lead definition agreement both teams sign, in Markdown and printable HTML.

The agreement states the shared definitions in plain words with the values stored in the
workspace, lists the recent changes with who made them and why, and leaves signature lines
for Marketing and Sales. All its text comes from ``messages/definitions.toml``, so it
exists in every language of the dashboard. The HTML version is self-contained (no
external fonts, styles or images) and fits one A4 page when printed.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from dashboard.i18n import catalogue, fmt_date, fmt_number, t
from dashboard.safe import md_code, md_text
from dashboard.settings import SETTINGS, SETTINGS_BY_KEY
from dashboard.workspace import Workspace

# the changes an agreement lists: enough to see the recent history, short enough for a page
RECENT_CHANGES = 5
# a long reason is cut so the page still fits on A4
REASON_CHARS = 160
# keys of choice values that are not valid message-key characters
_CHOICE_NAMES = {"": "auto", ".": "dot", ",": "comma"}


# ----------------------------------------------------------------------------- values
def setting_label(key: str, lang: str) -> str:
    """A setting's name as people read it, in ``lang`` (its key when it has no message)."""
    message = f"definitions.label_{key}"
    return t(message, lang) if message in catalogue() else key


def setting_description(key: str, lang: str) -> str:
    """What a setting means, in ``lang`` (the English description when it has no message)."""
    message = f"definitions.desc_{key}"
    if message in catalogue():
        return t(message, lang)
    setting = SETTINGS_BY_KEY.get(key)
    return setting.description if setting else ""


def choice_label(key: str, value: str, lang: str) -> str:
    """A choice setting's value in words (``cohort_basis = mql`` → "the day … an MQL")."""
    message = f"definitions.choice_{key}_{_CHOICE_NAMES.get(value, value)}"
    return t(message, lang) if message in catalogue() else (value or "–")


def _plain_number(value: float | int, lang: str) -> str:
    number = float(value)
    if number.is_integer():
        return fmt_number(number, lang, 0)
    text = fmt_number(number, lang, 2)
    return text.rstrip("0").rstrip(".,") if text[-1] == "0" else text


def format_value(key: str, value: Any, lang: str) -> str:
    """A setting's value as the page and the agreement show it, in ``lang``.

    Numbers use the language's separators (``4.5`` / ``4,5``), lists are comma-separated,
    booleans are yes/no and choices are words; unknown keys show the value as text.
    """
    setting = SETTINGS_BY_KEY.get(key)
    if value is None:
        return t("definitions.value_empty", lang)
    if setting is None:
        return str(value)
    if setting.kind in ("int", "float") and isinstance(value, int | float):
        return _plain_number(value, lang)
    if setting.kind == "bool":
        return t("definitions.value_yes" if value else "definitions.value_no", lang)
    if setting.kind == "list":
        items = [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]
        return ", ".join(items) if items else t("definitions.value_empty", lang)
    if setting.kind == "choice" and str(value) in setting.choices:
        return choice_label(key, str(value), lang)
    text = str(value)
    return text if text else t("definitions.value_empty", lang)


def decoded(value: Any) -> Any:
    """A logged value: stored as JSON text, given back as the value it encodes."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def read_log(ws: Workspace) -> list[dict[str, Any]]:
    """Every settings change of the workspace, newest first, with values decoded.

    Each entry has ``changed_at`` (UTC), ``key``, ``old_value``, ``new_value``, ``author``
    and ``reason``.
    """
    rows = ws.con.execute(
        "SELECT changed_at, key, old_value, new_value, author, reason FROM settings_log "
        "ORDER BY changed_at DESC, key"
    ).fetchall()
    names = ("changed_at", "key", "old_value", "new_value", "author", "reason")
    out = []
    for row in rows:
        entry = dict(zip(names, row, strict=True))
        entry["old_value"] = decoded(entry["old_value"])
        entry["new_value"] = decoded(entry["new_value"])
        out.append(entry)
    return out


# ----------------------------------------------------------------------------- content
def _stamp(moment: dt.date | dt.datetime, lang: str) -> str:
    if isinstance(moment, dt.datetime):
        return f"{fmt_date(moment, lang)} {moment:%H:%M} UTC"
    return fmt_date(moment, lang)


def definitions(
    settings: dict[str, Any], lang: str, value: Callable[[str], str] = str
) -> list[str]:
    """The definitions in plain words with the current values (``**bold**`` marks terms).

    ``value`` is applied to every setting's value before it is put into the sentence:
    :func:`dashboard.safe.md_text` for Markdown, so a stage or type name written with
    Markdown or HTML in it stays text; the message's own marks are kept.
    """
    s = {x.key: settings.get(x.key, x.default) for x in SETTINGS}

    def v(key: str) -> str:
        return value(format_value(key, s[key], lang))

    cohort = v("cohort_basis")
    direction = t(
        "definitions.def_attempt_outbound"
        if s["attempt_outbound_only"]
        else "definitions.def_attempt_any",
        lang,
    )
    return [
        t("definitions.def_lead", lang, cohort=cohort),
        t("definitions.def_mql", lang, threshold=v("mql_score_threshold")),
        t("definitions.def_handoff", lang),
        t("definitions.def_sla", lang, hours=v("sla_hours")),
        t("definitions.def_attempt", lang, types=v("attempt_types"), direction=direction),
        t("definitions.def_connect", lang, outcomes=v("connect_outcomes")),
        t("definitions.def_inbound_contact", lang, value=v("inbound_counts_as_contact")),
        t("definitions.def_given_up", lang, days=v("give_up_days")),
        t("definitions.def_cohort", lang, cohort=cohort),
        t("definitions.def_currency", lang, currency=v("currency")),
        t(
            "definitions.def_timezone",
            lang,
            timezone=v("timezone"),
            date_order=v("date_order"),
            decimal=v("decimal"),
            personal_data=v("personal_data"),
            duplicate_source=v("duplicate_source"),
        ),
        t(
            "definitions.def_limits",
            lang,
            file_mb=v("max_file_mb"),
            line_kb=v("max_line_kb"),
            cell_chars=v("max_cell_chars"),
        ),
    ]


def _stored_line(settings: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    """Every setting's key with its value, exactly as stored (the technical record)."""
    out = []
    for s in SETTINGS:
        value = settings.get(s.key, s.default)
        if s.kind == "list":
            text = ", ".join(map(str, value)) if value else "[]"
        elif s.kind == "bool":
            text = "true" if value else "false"
        elif s.kind in ("int", "float"):
            text = _plain_number(value, "en")
        else:
            text = f'"{value}"' if value in ("", ".", ",") else str(value)
        out.append((s.key, text))
    return out


def _changes(log: Sequence[dict[str, Any]], lang: str) -> list[dict[str, str]]:
    out = []
    for entry in list(log)[:RECENT_CHANGES]:
        key = str(entry.get("key", ""))
        label = setting_label(key, lang)
        reason = (entry.get("reason") or "").strip()
        if len(reason) > REASON_CHARS:
            reason = reason[: REASON_CHARS - 1].rstrip() + "…"
        when = entry.get("changed_at")
        out.append(
            {
                "when": _stamp(when, lang) if isinstance(when, dt.date) else str(when or ""),
                "setting": label,
                "old": format_value(key, decoded(entry.get("old_value")), lang),
                "new": format_value(key, decoded(entry.get("new_value")), lang),
                "author": (entry.get("author") or "").strip() or "–",
                "reason": reason or t("definitions.doc_no_reason", lang),
            }
        )
    return out


# ----------------------------------------------------------------------------- markdown
def agreement_markdown(
    settings: dict[str, Any],
    log: Sequence[dict[str, Any]],
    lang: str,
    workspace_name: str,
    generated_at: dt.date | dt.datetime,
) -> str:
    """The agreement as Markdown: title, date, definitions, recent changes, signatures.

    ``settings`` are the stored settings (missing keys take their defaults), ``log`` the
    settings changes newest first (as :func:`read_log` gives them).
    """
    T = lambda key, **kw: t(key, lang, **kw)  # noqa: E731
    lines = [
        f"# {T('definitions.doc_title')}",
        "",
        T(
            "definitions.doc_meta",
            workspace=md_text(workspace_name),
            date=_stamp(generated_at, lang),
        ),
        "",
        T("definitions.doc_lead"),
        "",
        f"## {T('definitions.doc_definitions')}",
        "",
    ]
    lines += [f"- {text}" for text in definitions(settings, lang, md_text)]
    lines += ["", f"**{T('definitions.doc_settings')}:** "]
    lines[-1] += " · ".join(md_code(f"{k} = {v}") for k, v in _stored_line(settings, lang))
    lines += ["", f"## {T('definitions.doc_changes')}", ""]
    changes = _changes(log, lang)
    if not changes:
        lines.append(T("definitions.doc_no_changes"))
    for c in changes:
        # who changed what and why was typed by a person: every part of it is text
        c = {k: md_text(v) for k, v in c.items()}
        by = T("definitions.doc_change_by", author=c["author"])
        lines.append(
            f"- {c['when']} · **{c['setting']}**: {c['old']} → {c['new']} · {by}: {c['reason']}"
        )
    name, signature, date = (
        T("definitions.sign_name"),
        T("definitions.sign_signature"),
        T("definitions.sign_date"),
    )
    lines += [
        "",
        f"## {T('definitions.doc_signatures')}",
        "",
        f"| | {T('definitions.sign_marketing')} | {T('definitions.sign_sales')} |",
        "| --- | --- | --- |",
        f"| {name} | | |",
        f"| {signature} | | |",
        f"| {date} | | |",
        "",
    ]
    return "\n".join(lines)


# ----------------------------------------------------------------------------- html
_CSS = """
@page { size: A4; margin: 13mm 15mm; }
* { box-sizing: border-box; }
body { font-family: "Segoe UI", "Helvetica Neue", Arial, sans-serif; font-size: 10pt;
  line-height: 1.36; color: #111; max-width: 180mm; margin: 8mm auto; }
h1 { font-size: 17pt; margin: 0 0 1mm; color: #0072B2; }
h2 { font-size: 11.5pt; margin: 4mm 0 1.5mm; border-bottom: 1px solid #bbb;
  padding-bottom: 0.8mm; }
.meta { color: #555; margin: 0 0 2mm; }
.lead { margin: 0 0 1mm; }
ul { margin: 0; padding-left: 5mm; }
li { margin: 0 0 1mm; }
.stored { font-size: 8pt; color: #444; margin: 2mm 0 0; }
.stored code { font-family: Consolas, "DejaVu Sans Mono", monospace; }
.changes li { font-size: 9pt; }
.sign { display: flex; gap: 10mm; margin-top: 2mm; }
.sign > div { flex: 1; border: 1px solid #999; border-radius: 2mm; padding: 2mm 3mm; }
.sign h3 { font-size: 10.5pt; margin: 0 0 1mm; }
.line { display: flex; align-items: flex-end; height: 9mm; }
.line span { width: 20mm; color: #444; }
.line i { flex: 1; border-bottom: 1px solid #333; }
@media print { body { margin: 0 auto; } h2, .sign { break-inside: avoid; } }
"""


def _inline(text: str) -> str:
    """Escape ``text`` for HTML and turn ``**bold**`` and ``code`` marks into tags."""
    out = html.escape(text, quote=True)
    out = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", out)
    return re.sub(r"`(.+?)`", r"<code>\1</code>", out)


def agreement_html(
    settings: dict[str, Any],
    log: Sequence[dict[str, Any]],
    lang: str,
    workspace_name: str,
    generated_at: dt.date | dt.datetime,
) -> str:
    """The agreement as one self-contained HTML page, printable on one A4 sheet.

    Same content as :func:`agreement_markdown`; every value is escaped and nothing is
    loaded from elsewhere (no links, fonts, scripts or images).
    """
    T = lambda key, **kw: t(key, lang, **kw)  # noqa: E731
    esc = html.escape
    parts = [
        "<!doctype html>",
        f'<html lang="{esc(lang)}">',
        '<head><meta charset="utf-8">',
        f"<title>{esc(T('definitions.doc_title'))} · {esc(workspace_name)}</title>",
        f"<style>{_CSS}</style></head>",
        "<body>",
        f"<h1>{esc(T('definitions.doc_title'))}</h1>",
        '<p class="meta">'
        + esc(T("definitions.doc_meta", workspace=workspace_name, date=_stamp(generated_at, lang)))
        + "</p>",
        f'<p class="lead">{_inline(T("definitions.doc_lead"))}</p>',
        f"<h2>{esc(T('definitions.doc_definitions'))}</h2>",
        "<ul>",
        *(f"<li>{_inline(text)}</li>" for text in definitions(settings, lang)),
        "</ul>",
        f'<p class="stored"><strong>{esc(T("definitions.doc_settings"))}:</strong> '
        + " · ".join(f"<code>{esc(k)} = {esc(v)}</code>" for k, v in _stored_line(settings, lang))
        + "</p>",
        f"<h2>{esc(T('definitions.doc_changes'))}</h2>",
    ]
    changes = _changes(log, lang)
    if changes:
        parts.append('<ul class="changes">')
        for c in changes:
            by = T("definitions.doc_change_by", author=c["author"])
            parts.append(
                f"<li>{esc(c['when'])} · <strong>{esc(c['setting'])}</strong>: "
                f"{esc(c['old'])} → {esc(c['new'])} · {esc(by)}: {esc(c['reason'])}</li>"
            )
        parts.append("</ul>")
    else:
        parts.append(f"<p>{esc(T('definitions.doc_no_changes'))}</p>")
    parts.append(f"<h2>{esc(T('definitions.doc_signatures'))}</h2>")
    parts.append('<div class="sign">')
    for team in ("definitions.sign_marketing", "definitions.sign_sales"):
        parts.append(f"<div><h3>{esc(T(team))}</h3>")
        for field in (
            "definitions.sign_name",
            "definitions.sign_signature",
            "definitions.sign_date",
        ):
            parts.append(f'<div class="line"><span>{esc(T(field))}</span><i></i></div>')
        parts.append("</div>")
    parts += ["</div>", "</body>", "</html>", ""]
    return "\n".join(parts)
