"""The report's cover and its ranked callouts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from dashboard.i18n import (
    fmt_date,
)
from dashboard.report.base import Report, esc, figure_row, section_html
from dashboard.review import callouts


def cover(r: Report, path: Path, generated: dt.datetime) -> str:
    first, last = r.con.execute(
        "select min(created_at)::date, max(created_at)::date from leads"
    ).fetchall()[0]
    start = r.filters.date_from or first
    end = r.filters.date_to or last
    if start is None and end is None:
        period = r.t("period_none")
    else:
        period = r.t("period_range", start=fmt_date(start, r.lang), end=fmt_date(end, r.lang))
    if r.filters.date_from or r.filters.date_to:
        period += " · " + r.t("period_filtered")
    else:
        period += " · " + r.t("period_all")
    basis = r.t("basis_mql" if r.settings.get("cohort_basis") == "mql" else "basis_created")
    stamp = f"{fmt_date(generated, r.lang)} {generated:%H:%M}"
    meta = [
        (r.t("meta_period"), period),
        (r.t("meta_cohort"), basis),
        (r.t("meta_generated"), stamp),
        (r.t("meta_workspace"), path.name),
        (r.t("meta_currency"), r.currency),
    ]
    dl = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in meta)
    toc_items = [
        ("callouts", r.t("callouts_title")),
        ("funnel", r.t("funnel_title")),
        ("followup", r.t("followup_title")),
        ("quality", r.t("quality_title")),
        ("revenue", r.t("revenue_title")),
        ("definitions", r.t("definitions_title")),
        ("provenance", r.t("provenance_title")),
    ]
    toc = "".join(f'<li><a href="#{a}">{esc(title)}</a></li>' for a, title in toc_items)
    figures = ""
    overview = r.metric("overview")
    if overview.frame is not None and not overview.frame.is_empty():
        row = overview.frame.row(0, named=True)
        items = [
            (r.t("fig_leads"), r.n(row["leads"])),
            (r.t("fig_mqls"), r.n(row["mqls"])),
            (r.t("fig_sqls"), r.n(row["sqls"])),
            (r.t("fig_won_deals"), r.n(row["won_deals"])),
            (r.t("fig_won_revenue"), r.money_short(row["won_revenue"])),
        ]
        agreement = r.metric("disagreement")
        if agreement.frame is not None and not agreement.frame.is_empty():
            items.append((r.t("fig_agreement"), r.pct(agreement.frame["agreement_rate"][0])))
        figures = figure_row(items)
    return (
        '<header class="cover">'
        f'<p class="eyebrow">{esc(r.t("eyebrow"))}</p>'
        f"<h1>{esc(r.t('title'))}</h1>"
        f'<p class="subtitle">{esc(r.t("subtitle"))}</p>'
        f'<dl class="meta">{dl}</dl>{figures}'
        f'<nav class="toc"><h2 class="toc-title">{esc(r.t("contents"))}</h2><ol>{toc}</ol></nav>'
        "</header>"
    )


def callouts_section(r: Report, number: int) -> str:
    found = callouts(r.con, r.stored, r.filters, r.lang)
    if not found:
        body = f'<p class="empty">{esc(r.t("callouts_none"))}</p>'
    else:
        items = []
        for i, c in enumerate(found, start=1):
            page = r.other(f"pages.{c.page}", c.page)
            items.append(
                '<li class="callout">'
                f'<div class="rank">{i}</div><div class="body">'
                f"<h3>{esc(c.title)}</h3>"
                + (f"<p>{esc(c.detail)}</p>" if c.detail else "")
                + '<p class="impact">'
                f"<strong>{esc(r.t('callout_impact', value=r.money_short(c.impact)))}</strong>"
                f" · {esc(r.t('callout_page', page=page))}</p>"
                "</div></li>"
            )
        body = f'<ol class="callouts">{"".join(items)}</ol>'
        body += f'<p class="note">{esc(r.t("callouts_note"))}</p>'
    return section_html("callouts", number, r.t("callouts_title"), r.t("callouts_lead"), body)
