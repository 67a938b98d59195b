"""The report's lead-quality section: where marketing and sales disagree."""

from __future__ import annotations

from typing import Any

import polars as pl

from dashboard.report.base import (
    MARKETING_VERDICTS,
    OUTCOMES,
    SALES_VERDICTS,
    TOP_REASONS,
    Col,
    Report,
    Shown,
    esc,
    figure_row,
    html_table,
    section_html,
)


def _verdict(r: Report, kind: str, value: str) -> str:
    return r.t(f"{kind}_{value.replace(' ', '_').lower()}")


def _verdict_kind(marketing: str, sales: str) -> str:
    """Whether the two teams' verdicts on a cell agree, disagree, or sales never judged."""
    if sales == "never worked":
        return "not_judged"
    return "agree" if (marketing == "MQL") == (sales == "accepted") else "disagree"


def _headline(r: Report, d: Shown) -> str:
    """The section's headline figures from ``disagreement`` (or what it needs)."""
    missing = r.guidance(d)
    if missing:
        return missing
    assert d.frame is not None
    row = d.frame.row(0, named=True)
    figures = figure_row(
        [
            (r.t("fig_agreement"), r.pct(row["agreement_rate"])),
            (r.t("fig_ac1"), r.num(row["gwet_ac1"], 2)),
            (r.t("fig_kappa"), r.num(row["cohens_kappa"], 2)),
            (r.t("fig_judged"), r.n(row["leads_judged"])),
            (r.t("fig_mql_rejected"), r.n(row["mql_rejected"])),
            (r.t("fig_non_mql_accepted"), r.n(row["non_mql_accepted"])),
            (r.t("fig_never_worked"), r.n(row["never_worked_mqls"])),
        ]
    )
    note = r.t("kappa_note", kappa=r.num(row["cohens_kappa"], 2), ac1=r.num(row["gwet_ac1"], 2))
    return figures + f'<p class="note">{esc(note)}</p>'


def _matrix_rows(r: Report) -> list[dict[str, Any]]:
    """The six verdict cells with their outcomes added up, as disagreement_cells counts them."""
    cells = {
        (x["marketing_verdict"], x["sales_verdict"]): x
        for x in r.metric("disagreement_cells").frame.to_dicts()
    }
    rows = []
    for mv in MARKETING_VERDICTS:
        for sv in SALES_VERDICTS:
            cell = cells[(mv, sv)]
            rows.append(
                {
                    "marketing": _verdict(r, "mv", mv),
                    "sales": _verdict(r, "sv", sv),
                    "verdict": _verdict_kind(mv, sv),
                    **{o: cell[o.replace(" ", "_")] for o in OUTCOMES},
                    "total": cell["leads"],
                    "revenue": cell["won_revenue"],
                }
            )
    return rows


def _matrix(r: Report) -> str:
    """Marketing's verdict × sales's verdict as a table, one row per cell."""
    heading = f"<h3>{esc(r.t('matrix_title'))}</h3>"
    matrix = r.metric("disagreement_matrix")
    missing = r.guidance(matrix)
    if missing:
        return heading + missing
    cols = [
        Col(r.t("col_marketing"), lambda x: x["marketing"], numeric=False),
        Col(r.t("col_sales"), lambda x: x["sales"], numeric=False),
        Col(r.t("col_verdict"), lambda x: r.t(f"verdict_{x['verdict']}"), numeric=False),
        *(Col(_verdict(r, "outcome", o), lambda x, o=o: r.n(x[o])) for o in OUTCOMES),
        Col(r.t("col_total"), lambda x: r.n(x["total"])),
        Col(r.t("col_won_revenue"), lambda x: r.money(x["revenue"])),
    ]
    table = html_table(
        cols,
        _matrix_rows(r),
        css="keep compact matrix",
        row_class=lambda x: x["verdict"].replace("_", "-"),
    )
    return heading + table + f'<p class="note">{esc(r.t("matrix_note"))}</p>'


def _costly(r: Report, d: Shown) -> str:
    """The two costly lead lists' counts and revenue (or what each list needs)."""
    items = []
    # the count and revenue are disagreement's columns; the lead-list metric is run only
    # to say what it needs when the workspace lacks it
    totals = d.frame.row(0, named=True) if d.frame is not None and d.frame.height else None
    for name, label, n_col, revenue_col in (
        ("false_rejections", "false_label", "false_rejections", "false_rejection_revenue"),
        ("missed_leads", "missed_label", "missed_leads", "missed_revenue"),
    ):
        shown = r.metric(name)
        if shown.frame is None:
            items.append(r.guidance(shown) or "")
            continue
        if totals is None:
            continue  # disagreement's own "needs" paragraph opens this section
        revenue = r.t("costly_revenue", value=r.money(totals[revenue_col]))
        items.append(
            f'<div class="costly"><div class="value">{esc(r.n(totals[n_col]))}</div>'
            f'<div class="label">{esc(r.t(label))}</div>'
            f'<div class="money">{esc(revenue)}</div></div>'
        )
    return f'<h3>{esc(r.t("costly_title"))}</h3><div class="costly-row">{"".join(items)}</div>'


def _reason_rows(r: Report, frame: pl.DataFrame) -> list[dict[str, Any]]:
    """One row per source, most rejections first, with its top reasons and their shares."""
    top = frame.filter(pl.col("rank") <= TOP_REASONS)
    totals = (
        frame.unique("dimension", maintain_order=True)
        .select("dimension", pl.col("dimension_rejected").alias("total"))
        .sort("total", descending=True, maintain_order=True)
    )
    rows = []
    for src, total in totals.iter_rows():
        mine = top.filter(
            pl.col("dimension").is_null() if src is None else pl.col("dimension") == src
        ).sort("rank")
        row: dict[str, Any] = {"source": src if src is not None else r.t("no_source")}
        row["total"] = total
        for i, x in enumerate(mine.iter_rows(named=True), start=1):
            row[f"r{i}"] = f"{x['rejection_reason']} ({r.pct(x['share'])})"
        rows.append(row)
    return rows


def _reasons(r: Report) -> str:
    """Each source's rejections and its top reasons, as a table."""
    reasons = r.metric("rejection_reasons", by="source")
    heading = f"<h3>{esc(r.t('reasons_title', n=TOP_REASONS))}</h3>"
    missing = r.guidance(reasons)
    if missing:
        return heading + missing
    assert reasons.frame is not None
    cols = [
        Col(r.t("col_source"), lambda x: x["source"], numeric=False),
        Col(r.t("col_rejected"), lambda x: r.n(x["total"])),
        *(
            Col(r.t("col_reason_n", n=i), lambda x, i=i: x.get(f"r{i}", "–"), numeric=False)
            for i in range(1, TOP_REASONS + 1)
        ),
    ]
    table = html_table(cols, _reason_rows(r, reasons.frame), css="compact")
    return (
        f'<div class="block">{heading}{table}<p class="note">{esc(r.t("reasons_note"))}</p></div>'
    )


def quality_section(r: Report, number: int) -> str:
    """Section ``number``: agreement figures, the verdict matrix, the costly lists and the
    rejection reasons by source."""
    d = r.metric("disagreement")
    body = _headline(r, d) + _matrix(r) + _costly(r, d) + _reasons(r)
    return section_html("quality", number, r.t("quality_title"), r.t("quality_lead"), body)
