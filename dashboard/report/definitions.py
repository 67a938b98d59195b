"""The report's definitions in force, their recent changes, and the files loaded."""

from __future__ import annotations

from importlib import metadata
from typing import Any

from dashboard import agreement
from dashboard.i18n import (
    fmt_date,
)
from dashboard.report.base import SETTINGS_LOG_LIMIT, Col, Report, esc, html_table, section_html
from dashboard.settings import SETTINGS


def _setting_value(r: Report, key: str, value: Any) -> str:
    """A setting's value as people read it: the same words as the page and the agreement."""
    return agreement.format_value(key, value, r.lang)


def _logged_value(r: Report, key: str, text: str | None) -> str:
    if text is None:
        return "–"
    return _setting_value(r, key, agreement.decoded(text))


def definitions_section(r: Report, number: str) -> str:
    """Appendix ``number``: every setting in force (changed ones in bold), and the recent
    changes to them with who made them and why."""
    rows = [
        {
            "key": s.key,
            "label": r.other(f"definitions.label_{s.key}", s.key),
            "value": _setting_value(r, s.key, r.settings.get(s.key)),
            "changed": r.settings.get(s.key) != s.default,
            "meaning": r.other(f"definitions.desc_{s.key}", s.description),
        }
        for s in SETTINGS
    ]
    parts = [
        html_table(
            [
                Col(r.t("col_setting"), lambda x: x["label"], numeric=False),
                Col(r.t("col_value"), lambda x: x["value"], numeric=False),
                Col(r.t("col_meaning"), lambda x: x["meaning"], numeric=False),
            ],
            rows,
            css="settings",
            row_class=lambda x: "changed" if x["changed"] else "",
        ),
        f'<p class="note">{esc(r.t("settings_note"))}</p>',
    ]
    log = r.ws.query(
        "select changed_at, key, old_value, new_value, author, reason from settings_log "
        "order by changed_at desc limit $n",
        {"n": SETTINGS_LOG_LIMIT},
    )
    parts.append(f"<h3>{esc(r.t('changes_title'))}</h3>")
    if log.is_empty():
        parts.append(f'<p class="empty">{esc(r.t("changes_none"))}</p>')
    else:
        parts.append(
            html_table(
                [
                    Col(
                        r.t("col_changed_at"),
                        lambda x: f"{fmt_date(x['changed_at'], r.lang)} {x['changed_at']:%H:%M}",
                        numeric=False,
                    ),
                    Col(
                        r.t("col_setting"),
                        lambda x: r.other(f"definitions.label_{x['key']}", x["key"]),
                        numeric=False,
                    ),
                    Col(
                        r.t("col_old"),
                        lambda x: _logged_value(r, x["key"], x["old_value"]),
                        numeric=False,
                    ),
                    Col(
                        r.t("col_new"),
                        lambda x: _logged_value(r, x["key"], x["new_value"]),
                        numeric=False,
                    ),
                    Col(r.t("col_author"), lambda x: x["author"] or "–", numeric=False),
                    Col(r.t("col_reason"), lambda x: x["reason"] or "–", numeric=False),
                ],
                log.to_dicts(),
                css="compact",
            )
        )
    return section_html(
        "definitions",
        number,
        r.t("definitions_title"),
        r.t("definitions_lead"),
        "".join(parts),
        eyebrow=r.t("appendix"),
    )


def _versions() -> str:
    """Handoff's version and the engines' that computed the numbers."""
    names = ("handoff", "duckdb", "polars", "altair", "vl-convert-python")
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return ", ".join(found)


def _about(r: Report) -> str:
    """Where the report was made: the workspace file, when, and with which versions."""
    meta = [
        (r.t("meta_workspace"), r.ws.path.name),
        (r.t("meta_generated"), f"{fmt_date(r.generated, r.lang)} {r.generated:%H:%M}"),
        (r.t("meta_versions"), _versions()),
    ]
    dl = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in meta)
    return f'<dl class="meta">{dl}</dl>'


def provenance_section(r: Report, number: str) -> str:
    """Appendix ``number``: the workspace and versions, every file loaded with its SHA-256,
    and the rows each table holds."""
    log = r.ws.load_log()
    parts = [_about(r), f"<h3>{esc(r.t('files_title'))}</h3>"]
    if log.is_empty():
        parts.append(f'<p class="empty">{esc(r.t("files_none"))}</p>')
    else:
        parts.append(
            html_table(
                [
                    Col(r.t("col_file"), lambda x: x["file_name"], numeric=False),
                    Col(
                        r.t("col_table"),
                        lambda x: r.other(f"report.table_{x['table_name']}", x["table_name"]),
                        numeric=False,
                    ),
                    Col(r.t("col_rows"), lambda x: r.n(x["rows"])),
                    Col(
                        r.t("col_loaded_at"),
                        lambda x: f"{fmt_date(x['loaded_at'], r.lang)} {x['loaded_at']:%H:%M}",
                        numeric=False,
                    ),
                    Col(r.t("col_sha"), lambda x: x["sha256"] or "–", numeric=False),
                ],
                log.to_dicts(),
                css="files",
            )
        )
        parts.append(f'<p class="note">{esc(r.t("files_note"))}</p>')
    counts = r.ws.counts()
    parts.append(f"<h3>{esc(r.t('counts_title'))}</h3>")
    parts.append(
        html_table(
            [
                Col(
                    r.t("col_table"),
                    lambda x: f"{r.t('table_' + x['table'])} ({x['table']})",
                    numeric=False,
                ),
                Col(r.t("col_rows"), lambda x: r.n(x["rows"])),
            ],
            [{"table": k, "rows": v} for k, v in counts.items()],
            css="keep narrow",
        )
    )
    return section_html(
        "provenance",
        number,
        r.t("provenance_title"),
        r.t("provenance_lead"),
        "".join(parts),
        eyebrow=r.t("appendix"),
    )
