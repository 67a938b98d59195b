"""The report's cover: the period under review, the ranked callouts, and how the period's
headline numbers moved against the previous period's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from dashboard import review
from dashboard.i18n import fmt_date, fmt_month
from dashboard.report.base import Col, Report, esc, html_table, section_html
from dashboard.report.period import RANGE, Reviewed

# the signs a change is written with (a typographic minus, as print does)
PLUS, MINUS = "+", "\u2212"


def period_label(r: Report, p: review.Period) -> str:
    """A month, quarter or range of days as the report's language writes it."""
    if p.grain == "month":
        return fmt_month(p.start, r.lang)
    if p.grain == "quarter":
        q = (p.start.month - 1) // 3 + 1
        return r.other_t("review.quarter_label", q=q, year=p.start.year)
    return period_days(r, p)


def period_days(r: Report, p: review.Period) -> str:
    """A period's first and last day."""
    return r.t("period_range", start=fmt_date(p.start, r.lang), end=fmt_date(p.end, r.lang))


def value_text(r: Report, kind: str, value: float | None) -> str:
    """A headline value as the report writes it ("–" when unknown)."""
    if value is None:
        return "–"
    if kind == "rate":
        return r.pct(value)
    if kind == "money":
        return r.money_short(value)
    if kind == "coefficient":
        return r.num(value, 2)
    return r.n(value)


def change_text(r: Report, h: review.Headline) -> str:
    """The change from the previous period as the Review page states it: rates in
    percentage points, counts and money with their relative change, AC1 in its own unit."""
    if h.change is None:
        return "–"
    sign = PLUS if h.change > 0 else MINUS if h.change < 0 else ""
    size = abs(h.change)
    if h.kind == "rate":
        return r.other_t("review.points", value=sign + r.num(size * 100, 1))
    if h.kind == "coefficient":
        return sign + r.num(size, 2)
    text = sign + (r.money_short(size) if h.kind == "money" else r.n(size))
    if h.relative_change is not None:
        text += f" ({sign}{r.pct(abs(h.relative_change))})"
    return text


def cover(r: Report, reviewed: Reviewed | None, generated: dt.datetime) -> str:
    """Title, the period under review against the previous one, how leads are counted."""
    basis = r.t("basis_mql" if r.settings.get("cohort_basis") == "mql" else "basis_created")
    stamp = f"{fmt_date(generated, r.lang)} {generated:%H:%M}"
    if reviewed is None:
        heading = r.t("period_none")
        meta = [(r.t("meta_cohort"), basis), (r.t("meta_generated"), stamp)]
    else:
        this, before = reviewed.current, reviewed.previous
        heading = r.t(
            "period_heading", this=period_label(r, this), previous=period_label(r, before)
        )
        meta = [
            (r.t("meta_period"), period_days(r, this)),
            (r.t("meta_previous"), period_days(r, before)),
            (r.t("meta_cohort"), basis),
            (r.t("meta_currency"), r.currency),
            (r.t("meta_generated"), stamp),
        ]
    dl = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in meta)
    warning = ""
    if reviewed is not None and reviewed.maturing:
        warning = f'<p class="needs">{esc(r.t("period_maturing"))}</p>'
    elif reviewed is not None and reviewed.current.grain == RANGE:
        warning = f'<p class="note">{esc(r.t("period_custom"))}</p>'
    return (
        '<header class="cover">'
        f'<p class="eyebrow">{esc(r.t("eyebrow"))}</p>'
        f"<h1>{esc(r.t('title'))}</h1>"
        f'<p class="period">{esc(heading)}</p>'
        f'<dl class="meta">{dl}</dl>{warning}'
        "</header>"
    )


def callouts_section(r: Report, number: int) -> str:
    """The review callouts of the period, largest revenue at stake first."""
    found = review.callouts(r.con, r.stored, r.filters, r.lang)
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


def headline_label(r: Report, key: str) -> str:
    """A headline's name: the Review page's, and the Lead quality page's for AC1."""
    if key == "gwet_ac1":
        return r.other_t("quality.ac1")
    return r.other_t(f"review.h_{key}")


def _shown_headlines(cmp: review.Comparison) -> Sequence[review.Headline]:
    """The headlines whose metric the workspace can answer."""
    return [h for h in cmp.headlines if h.metric not in cmp.missing]


def changes_title(r: Report, reviewed: Reviewed | None) -> str:
    """The comparison's title: "May 2026 compared with Apr 2026", as the Review page says."""
    if reviewed is None:
        return r.t("compare_title")
    this, before = period_label(r, reviewed.current), period_label(r, reviewed.previous)
    return r.other_t("review.changes_title", this=this, previous=before)


def changes_section(r: Report, number: int, reviewed: Reviewed | None, toc: str) -> str:
    """The period's headline numbers beside the previous period's, with their change."""
    title = changes_title(r, reviewed)
    if reviewed is None:
        return section_html("changes", number, title, r.t("compare_lead"), toc)
    cmp = reviewed.comparison
    this, before = period_label(r, cmp.current), period_label(r, cmp.previous)
    table = html_table(
        [
            Col(r.t("col_figure"), lambda h: headline_label(r, h.key), numeric=False),
            Col(this, lambda h: value_text(r, h.kind, h.current)),
            Col(before, lambda h: value_text(r, h.kind, h.previous)),
            Col(r.t("col_change"), lambda h: change_text(r, h)),
        ],
        list(_shown_headlines(cmp)),
        css="keep changes",
    )
    needs = ""
    for name, columns in cmp.missing.items():
        cols = ", ".join(f"<code>{esc(c)}</code>" for c in columns)
        text = r.t("needs", metric=f"<strong>{esc(name)}</strong>", columns=cols)
        needs += f'<p class="needs">{text}</p>'
    notes = f'<p class="note">{esc(r.t("compare_note"))}</p>'
    return section_html("changes", number, title, r.t("compare_lead"), table + needs + notes + toc)
