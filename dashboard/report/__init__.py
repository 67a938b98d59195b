"""The joint review meeting's report: one self-contained HTML file that prints well to PDF.

:func:`build_report` runs the same metrics as the dashboard and ``handoff metric`` on a
read-only connection for one period and the one before it (:mod:`dashboard.report.period`)
and writes them as one HTML document, in the order a marketing lead presents them: the
period's callouts, its headline numbers against the previous period's, the sections, then
an appendix with the definitions and the data's provenance. No scripts, fonts, images or
style sheets are fetched (charts are inline SVG drawn from Altair charts), so the file opens
offline and can be mailed or archived. Its print style sheet lays it out on A4, one section
per page, with tables that do not split inside a row and a design that stays readable in
black and white. Every visible text comes from the message catalogue (``report.toml``) in
the chosen language, every number from a metric, formatted with :mod:`dashboard.i18n`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from dashboard import metrics, review
from dashboard.i18n import LANGUAGES, fmt_date
from dashboard.report.base import Report, esc
from dashboard.report.definitions import definitions_section, provenance_section
from dashboard.report.followup import followup_section
from dashboard.report.funnel import funnel_section
from dashboard.report.overview import callouts_section, changes_section, changes_title, cover
from dashboard.report.period import reviewed_period
from dashboard.report.quality import quality_section
from dashboard.report.revenue import revenue_section
from dashboard.workspace import Workspace

# ----------------------------------------------------------------------------- document
CSS = """
:root { --ink: #1a1a1a; --muted: #555; --rule: #c8c8c8; --soft: #f3f5f8; --accent: #0072B2;
        --bad: #D55E00; }
* { box-sizing: border-box; }
html { background: #e9ecef; }
body { margin: 0; color: var(--ink); font: 10.5pt/1.45 "Source Sans Pro", "Segoe UI",
       "Liberation Sans", "DejaVu Sans", Helvetica, Arial, sans-serif;
       -webkit-print-color-adjust: exact; print-color-adjust: exact; }
main { max-width: 210mm; margin: 24px auto; background: white; padding: 16mm 15mm;
       box-shadow: 0 1px 6px rgba(0,0,0,.15); }
h1 { font-size: 24pt; line-height: 1.15; margin: 2mm 0 1mm; }
h2 { font-size: 16pt; margin: 0 0 2mm; padding-bottom: 1.5mm; border-bottom: 2px solid var(--ink);
     break-after: avoid; }
h2 .no { display: inline-block; min-width: 9mm; color: var(--accent); }
h3 { font-size: 12pt; margin: 6mm 0 2mm; break-after: avoid; }
p { margin: 0 0 2mm; }
.eyebrow { text-transform: uppercase; letter-spacing: .08em; font-size: 9pt; color: var(--muted);
           margin: 0; }
.period { font-size: 15pt; font-weight: 600; color: var(--accent); margin: 1mm 0 0; }
.lead { color: var(--muted); margin-bottom: 4mm; }
.note { color: var(--muted); font-size: 9pt; break-before: avoid; }
.empty { font-style: italic; }
.needs { border: 1px solid var(--ink); border-left: 5px solid var(--ink); padding: 3mm 4mm;
         background: var(--soft); break-inside: avoid; }
code { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 9pt; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 1mm 5mm; margin: 5mm 0;
          padding: 3mm 4mm; border-top: 1px solid var(--rule);
          border-bottom: 1px solid var(--rule); }
dl.meta dt { font-weight: 600; } dl.meta dd { margin: 0; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(21mm, 1fr)); gap: 3mm;
           margin: 3mm 0 4mm; break-inside: avoid; }
.figure { border: 1px solid var(--rule); border-top: 3px solid var(--accent); padding: 2mm 3mm; }
.figure .value { font-size: 14pt; font-weight: 700; font-variant-numeric: tabular-nums;
                 white-space: nowrap; }
.figure .label { font-size: 8.5pt; color: var(--muted); }
nav.toc { margin-top: 6mm; break-inside: avoid; }
nav.toc .toc-title { font-size: 11pt; margin: 0 0 1mm; }
nav.toc ol { margin: 0; padding: 0; list-style: none; columns: 2; }
nav.toc .no { display: inline-block; min-width: 6mm; color: var(--accent); font-weight: 600; }
nav.toc a { color: inherit; text-decoration: none; }
table.changes td:first-child { font-weight: 600; }
table.changes td:nth-child(2) { font-weight: 700; }
section { margin-top: 10mm; }
ol.callouts { list-style: none; margin: 0; padding: 0; }
.callout { display: flex; gap: 4mm; padding: 3mm 0; border-bottom: 1px solid var(--rule);
           break-inside: avoid; }
.callout .rank { flex: 0 0 9mm; height: 9mm; border: 2px solid var(--ink); border-radius: 50%;
                 text-align: center; font-weight: 700; line-height: 8mm; }
.callout h3 { margin: 0 0 1mm; font-size: 11.5pt; }
.callout .impact { font-size: 9.5pt; margin: 1mm 0 0; }
.chart { margin: 2mm 0 4mm; break-inside: avoid; text-align: center; }
.chart svg { max-width: 100%; height: auto; }
table { width: 100%; border-collapse: collapse; margin: 2mm 0 3mm; font-size: 9.5pt;
        font-variant-numeric: tabular-nums; }
table.keep { break-inside: avoid; }
table.compact { font-size: 8.5pt; }
table.compact td:first-child { white-space: nowrap; }
table.narrow { width: auto; min-width: 70mm; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th { text-align: left; font-weight: 600; border-bottom: 1.5px solid var(--ink); padding: 1.5mm 2mm;
     vertical-align: bottom; }
td { border-bottom: 1px solid var(--rule); padding: 1.2mm 2mm; vertical-align: top; }
th.num, td.num { text-align: right; white-space: nowrap; }
tr.total td { font-weight: 700; border-top: 1.5px solid var(--ink); }
table.matrix tr.disagree td { font-weight: 700; background: #fbeee6; }
table.matrix tr.not-judged td { color: var(--muted); }
table.matrix td:nth-child(-n+3) { white-space: nowrap; }
table.settings tr.changed td:nth-child(2) { font-weight: 700; }
table.settings td:nth-child(3) { color: var(--muted); }
table.files td:nth-child(5) { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace;
                              font-size: 7pt; word-break: break-all; }
.costly-row { display: grid; grid-template-columns: 1fr 1fr; gap: 4mm; break-inside: avoid; }
.costly { border: 1px solid var(--ink); border-left: 5px solid var(--bad); padding: 3mm 4mm; }
.costly .value { font-size: 18pt; font-weight: 700; }
.costly .money { font-weight: 600; }
.break-before { break-before: auto; }
.block { break-inside: avoid; }
footer { margin-top: 10mm; padding-top: 2mm; border-top: 1px solid var(--rule); color: var(--muted);
         font-size: 8.5pt; }
@page { size: A4; margin: 14mm 13mm 16mm; }
@page { @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt;
        color: #555; } }
@media print {
  html { background: white; }
  main { max-width: none; margin: 0; padding: 0; box-shadow: none; }
  section { margin-top: 0; break-before: page; }
  section#callouts { break-before: auto; margin-top: 6mm; }
  section#changes { break-before: auto; margin-top: 8mm; }
  .break-before { break-before: page; }
  a { color: inherit; text-decoration: none; }
}
"""


def build_report(
    workspace_path: str | Path,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    lang: str = "en",
    period: review.Period | None = None,
    grain: str = "month",
) -> str:
    """The review meeting's report on the workspace at ``workspace_path``, as one HTML page.

    The report reviews one period against the one before it (:mod:`dashboard.report.period`):
    ``period`` (a month or quarter) if given, else the days ``date_from``..``date_to``
    (inclusive; a missing end is the data's first or last day; a range that is exactly a
    calendar month or quarter is that period), else the newest complete ``grain`` (month or
    quarter) whose won deals have had time to come in, as the Review page opens on. Its
    cover holds the period's review callouts ranked by revenue at stake, then its headline
    numbers beside the previous period's; the sections after it (funnel, follow-up, lead
    quality, revenue by source) cover the period; an appendix holds the definitions in
    force and the data's provenance (files and their hashes, row counts, versions). A
    metric whose inputs the workspace lacks shows what to load instead. The HTML needs
    nothing from the network. Raises ValueError for a language other than en or vi or a
    grain other than month or quarter.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, not {lang!r}")
    if grain not in review.GRAINS:
        raise ValueError(f"grain must be one of {review.GRAINS}, not {grain!r}")
    path = Path(workspace_path)
    base = metrics.Filters()
    generated = dt.datetime.now().replace(microsecond=0)
    with Workspace(path, read_only=True) as ws:
        reviewed = reviewed_period(
            ws.con,
            ws.settings(),
            base,
            date_from=date_from,
            date_to=date_to,
            period=period,
            grain=grain,
        )
        filters = (
            reviewed.filters(base)
            if reviewed is not None
            else metrics.Filters(date_from=date_from, date_to=date_to)
        )
        r = Report(ws, filters, lang, generated)
        sections = (
            ("callouts", "callouts_title", callouts_section),
            ("funnel", "funnel_title", funnel_section),
            ("followup", "followup_title", followup_section),
            ("quality", "quality_title", quality_section),
            ("revenue", "revenue_title", revenue_section),
        )
        appendix = (
            ("definitions", "definitions_title", definitions_section),
            ("provenance", "provenance_title", provenance_section),
        )
        compared = changes_title(r, reviewed)
        toc = contents(r, compared, sections, appendix)
        body = [cover(r, reviewed, generated), callouts_section(r, 1)]
        body.append(changes_section(r, 2, reviewed, toc))
        body += [build(r, i) for i, (_, _, build) in enumerate(sections[1:], start=3)]
        body += [build(r, letter) for letter, (_, _, build) in zip("AB", appendix, strict=True)]
    footer = r.t("footer", time=f"{fmt_date(generated, lang)} {generated:%H:%M}")
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(r.t('title'))}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(body)
        + f"\n<footer>{esc(footer)}</footer>\n</main>\n</body>\n</html>\n"
    )


def contents(
    r: Report,
    compared: str,
    sections: tuple[tuple[str, str, object], ...],
    appendix: tuple[tuple[str, str, object], ...],
) -> str:
    """The list of sections after the cover, the appendix lettered."""
    items = [("changes", compared, "2")]
    items += [(a, r.t(k), str(i)) for i, (a, k, _) in enumerate(sections[1:], start=3)]
    items += [(a, r.t(k), letter) for letter, (a, k, _) in zip("AB", appendix, strict=True)]
    links = "".join(
        f'<li><a href="#{a}"><span class="no">{esc(no)}</span>{esc(title)}</a></li>'
        for a, title, no in items
    )
    return (
        f'<nav class="toc"><h3 class="toc-title">{esc(r.t("contents"))}</h3><ol>{links}</ol></nav>'
    )
