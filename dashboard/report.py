"""The joint review meeting's report: one self-contained HTML file that prints well to PDF.

:func:`build_report` runs the same metrics as the dashboard and ``handoff metric`` on a
read-only connection and writes them as one HTML document: no scripts, fonts, images or
style sheets are fetched (charts are inline SVG drawn from Altair charts), so the file opens
offline and can be mailed or archived. Its print style sheet lays it out on A4, one section
per page, with tables that do not split inside a row and a design that stays readable in
black and white. Every visible text comes from the message catalogue (``report.toml``) in
the chosen language, every number from a metric, formatted with :mod:`dashboard.i18n`.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import altair as alt
import polars as pl

from dashboard import charts, metrics
from dashboard.i18n import (
    LANGUAGES,
    catalogue,
    d3_locale,
    fmt_date,
    fmt_duration_minutes,
    fmt_int,
    fmt_money,
    fmt_money_short,
    fmt_number,
    fmt_pct,
    t,
)
from dashboard.review import callouts
from dashboard.settings import SETTINGS, SETTINGS_BY_KEY
from dashboard.workspace import Workspace

# Funnel stages in order (keys of the funnel metric's ``stage`` column).
STAGES = ("lead", "mql", "handed_off", "accepted", "sql", "opportunity", "won")
# disagreement_matrix values, in the order the report lists them.
MARKETING_VERDICTS = ("MQL", "not MQL")
SALES_VERDICTS = ("accepted", "rejected", "never worked")
OUTCOMES = ("won", "open", "lost", "no deal")
# Rejection reasons shown per source.
TOP_REASONS = 3
# Settings changes listed (newest first).
SETTINGS_LOG_LIMIT = 25
CHART_WIDTH = 560


# ----------------------------------------------------------------------------- plumbing
@dataclass(frozen=True)
class _Shown:
    """A metric's rows, or the inputs it needs when the workspace lacks them."""

    name: str
    frame: pl.DataFrame | None
    missing: tuple[str, ...] = ()


class _Report:
    """Runs the metrics once each and renders the report's parts in one language."""

    def __init__(self, ws: Workspace, filters: metrics.Filters, lang: str) -> None:
        self.ws = ws
        self.con = ws.con
        self.stored = ws.settings()
        self.settings = metrics.resolve_settings(self.stored, None)
        self.filters = filters
        self.lang = lang
        self.currency = str(self.settings.get("currency") or "VND")
        self._cache: dict[tuple[str, str | None], _Shown] = {}

    # -- text and numbers
    def t(self, key: str, /, **values: object) -> str:
        """A report message in the report's language."""
        return t(f"report.{key}", self.lang, **values)

    def other(self, key: str, fallback: str) -> str:
        """A message from another catalogue file, or ``fallback`` when it has none."""
        if key in catalogue():
            return t(key, self.lang)
        return fallback

    def n(self, value: float | int | None) -> str:
        return fmt_int(value, self.lang)

    def pct(self, value: float | None) -> str:
        return fmt_pct(value, self.lang)

    def money(self, value: float | None) -> str:
        return fmt_money(value, self.currency, self.lang)

    def money_short(self, value: float | None) -> str:
        return fmt_money_short(value, self.currency, self.lang)

    def num(self, value: float | None, digits: int = 1) -> str:
        return fmt_number(value, self.lang, digits)

    # -- metrics
    def metric(self, name: str, by: str | None = None) -> _Shown:
        """Run metric ``name`` with the report's settings and filters (once)."""
        key = (name, by)
        if key not in self._cache:
            got = metrics.answer(
                self.con, name, settings=self.settings, filters=self.filters, by=by
            )
            self._cache[key] = _Shown(name, got.frame, got.needs)
        return self._cache[key]

    def guidance(self, shown: _Shown) -> str | None:
        """The "needs …" or "no rows" paragraph when ``shown`` has nothing to show."""
        if shown.frame is None:
            cols = ", ".join(f"<code>{_e(m)}</code>" for m in shown.missing)
            these = self.t("needs_this_column" if len(shown.missing) == 1 else "needs_these")
            text = self.t("needs", metric=f"<strong>{_e(shown.name)}</strong>", columns=cols)
            return f'<p class="needs">{text} {_e(self.t("needs_fix", these=these))}</p>'
        if shown.frame.is_empty():
            return f'<p class="needs">{_e(self.t("no_rows"))}</p>'
        return None

    # -- charts
    def svg(self, chart: alt.TopLevelMixin, *, height: int) -> str:
        """An Altair chart as inline SVG in the house style (numbers in the language)."""
        import vl_convert as vlc

        spec = charts.style(chart, height=height).to_dict()
        svg = vlc.vegalite_to_svg(spec, format_locale=d3_locale(self.lang))
        # inline SVG in HTML needs no namespace declarations; dropping them keeps the file
        # free of any address
        svg = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg)
        return f'<div class="chart" role="img">{svg}</div>'


def _e(value: object) -> str:
    """Text escaped for HTML."""
    return html.escape("" if value is None else str(value), quote=True)


@dataclass(frozen=True)
class _Col:
    """A table column: heading, how a row's cell is written, and whether it is a number."""

    heading: str
    cell: Callable[[dict[str, Any]], str]
    numeric: bool = True


def _table(
    columns: Sequence[_Col],
    rows: Sequence[dict[str, Any]],
    *,
    css: str = "",
    row_class: Callable[[dict[str, Any]], str] | None = None,
    caption: str | None = None,
) -> str:
    """An HTML table; cell texts are escaped here."""
    head = "".join(
        f'<th class="{"num" if c.numeric else ""}">{_e(c.heading)}</th>' for c in columns
    )
    body = []
    for row in rows:
        cls = row_class(row) if row_class else ""
        cells = "".join(
            f'<td class="{"num" if c.numeric else ""}">{_e(c.cell(row))}</td>' for c in columns
        )
        body.append(f'<tr class="{cls}">{cells}</tr>')
    cap = f"<caption>{_e(caption)}</caption>" if caption else ""
    return (
        f'<table class="{css}">{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _figures(items: Sequence[tuple[str, str]]) -> str:
    """A strip of headline figures: (label, value)."""
    cells = "".join(
        f'<div class="figure"><div class="value">{_e(v)}</div>'
        f'<div class="label">{_e(k)}</div></div>'
        for k, v in items
    )
    return f'<div class="figures">{cells}</div>'


def _section(anchor: str, number: int, title: str, lead: str, body: str) -> str:
    return (
        f'<section id="{anchor}"><h2><span class="no">{number}</span>{_e(title)}</h2>'
        f'<p class="lead">{_e(lead)}</p>{body}</section>'
    )


# ----------------------------------------------------------------------------- sections
def _header(r: _Report, path: Path, generated: dt.datetime) -> str:
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
    dl = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in meta)
    toc_items = [
        ("callouts", r.t("callouts_title")),
        ("funnel", r.t("funnel_title")),
        ("followup", r.t("followup_title")),
        ("quality", r.t("quality_title")),
        ("revenue", r.t("revenue_title")),
        ("definitions", r.t("definitions_title")),
        ("provenance", r.t("provenance_title")),
    ]
    toc = "".join(f'<li><a href="#{a}">{_e(title)}</a></li>' for a, title in toc_items)
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
        figures = _figures(items)
    return (
        '<header class="cover">'
        f'<p class="eyebrow">{_e(r.t("eyebrow"))}</p>'
        f"<h1>{_e(r.t('title'))}</h1>"
        f'<p class="subtitle">{_e(r.t("subtitle"))}</p>'
        f'<dl class="meta">{dl}</dl>{figures}'
        f'<nav class="toc"><h2 class="toc-title">{_e(r.t("contents"))}</h2><ol>{toc}</ol></nav>'
        "</header>"
    )


def _callouts(r: _Report, number: int) -> str:
    found = callouts(r.con, r.stored, r.filters, r.lang)
    if not found:
        body = f'<p class="empty">{_e(r.t("callouts_none"))}</p>'
    else:
        items = []
        for i, c in enumerate(found, start=1):
            page = r.other(f"pages.{c.page}", c.page)
            items.append(
                '<li class="callout">'
                f'<div class="rank">{i}</div><div class="body">'
                f"<h3>{_e(c.title)}</h3>"
                + (f"<p>{_e(c.detail)}</p>" if c.detail else "")
                + '<p class="impact">'
                f"<strong>{_e(r.t('callout_impact', value=r.money_short(c.impact)))}</strong>"
                f" · {_e(r.t('callout_page', page=page))}</p>"
                "</div></li>"
            )
        body = f'<ol class="callouts">{"".join(items)}</ol>'
        body += f'<p class="note">{_e(r.t("callouts_note"))}</p>'
    return _section("callouts", number, r.t("callouts_title"), r.t("callouts_lead"), body)


def _stage(r: _Report, stage: str) -> str:
    return r.t(f"stage_{stage}")


def _days(r: _Report, days: float | None) -> str:
    """A duration given in days, in the largest sensible unit."""
    return fmt_duration_minutes(None if days is None else float(days) * 1440, r.lang)


def _amount_axis(r: _Report, largest: float) -> tuple[float, str]:
    """Divisor and axis title for amounts: billions or millions when they are that large."""
    for size, unit in ((1e9, "billions"), (1e6, "millions")):
        if largest >= size:
            return size, r.t(f"revenue_axis_{unit}", currency=r.currency)
    return 1.0, r.t("revenue_axis", currency=r.currency)


def _funnel(r: _Report, number: int) -> str:
    shown = r.metric("funnel")
    lead = r.t("funnel_lead")
    missing = r.guidance(shown)
    if missing:
        return _section("funnel", number, r.t("funnel_title"), lead, missing)
    assert shown.frame is not None
    frame = shown.frame.sort("stage_order")
    rows = frame.to_dicts()
    data = pl.DataFrame(
        {
            "label": [_stage(r, x["stage"]) for x in rows],
            "count": [x["count"] for x in rows],
            "text": [
                r.n(x["count"])
                + ("" if x["stage_order"] == 1 else f" · {r.pct(x['rate_from_first'])}")
                for x in rows
            ],
        }
    )
    order = data["label"].to_list()
    bars = (
        alt.Chart(data)
        .mark_bar(color=charts.PRIMARY)
        .encode(
            y=alt.Y("label:N", sort=order, title=None),
            x=alt.X(
                "count:Q",
                title=r.t("funnel_axis"),
                axis=alt.Axis(format=",d"),
                scale=alt.Scale(domainMax=float(data["count"].max() or 1) * 1.35),
            ),
        )
    )
    text = (
        alt.Chart(data)
        .mark_text(align="left", dx=6, fontSize=14)
        .encode(y=alt.Y("label:N", sort=order), x="count:Q", text="text:N")
    )
    chart = (bars + text).properties(width=CHART_WIDTH, title=r.t("funnel_chart_title"))
    table = _table(
        [
            _Col(r.t("col_stage"), lambda x: _stage(r, x["stage"]), numeric=False),
            _Col(r.t("col_leads"), lambda x: r.n(x["count"])),
            _Col(r.t("col_rate_previous"), lambda x: r.pct(x["rate_from_previous"])),
            _Col(r.t("col_rate_first"), lambda x: r.pct(x["rate_from_first"])),
            _Col(r.t("col_drop_off"), lambda x: r.n(x["drop_off"])),
            _Col(
                r.t("col_median_time"),
                lambda x: _days(r, x["median_days_from_previous"]),
            ),
        ],
        rows,
        css="keep",
    )
    body = r.svg(chart, height=300) + table + f'<p class="note">{_e(r.t("funnel_note"))}</p>'
    return _section("funnel", number, r.t("funnel_title"), lead, body)


def _followup(r: _Report, number: int) -> str:
    parts: list[str] = []
    sla = fmt_duration_minutes(float(r.settings["sla_hours"]) * 60, r.lang)
    speed = r.metric("speed_to_lead")
    parts.append(f"<h3>{_e(r.t('speed_title'))}</h3>")
    missing = r.guidance(speed)
    if missing:
        parts.append(missing)
    else:
        assert speed.frame is not None
        rows = speed.frame.sort("bucket_order").to_dicts()
        data = pl.DataFrame(
            {
                "label": [r.t(f"bucket_{x['bucket_order']}") for x in rows],
                "share": [float(x["share"] or 0) for x in rows],
                "text": [f"{r.pct(x['share'])} ({r.n(x['leads'])})" for x in rows],
                "never": [x["bucket_order"] == 6 for x in rows],
            }
        )
        order = data["label"].to_list()
        bars = (
            alt.Chart(data)
            .mark_bar()
            .encode(
                y=alt.Y("label:N", sort=order, title=None),
                x=alt.X(
                    "share:Q",
                    title=r.t("speed_axis"),
                    axis=alt.Axis(format="%"),
                    scale=alt.Scale(domainMax=min(1.0, float(data["share"].max() or 0) * 1.4)),
                ),
                color=alt.condition(
                    alt.datum.never, alt.value(charts.BAD), alt.value(charts.PRIMARY)
                ),
            )
        )
        text = (
            alt.Chart(data)
            .mark_text(align="left", dx=6, fontSize=14)
            .encode(y=alt.Y("label:N", sort=order), x="share:Q", text="text:N")
        )
        chart = (bars + text).properties(width=CHART_WIDTH, title=r.t("speed_chart_title"))
        parts.append(r.svg(chart, height=240))
        parts.append(
            _table(
                [
                    _Col(r.t("col_speed"), lambda x: r.t(f"bucket_{x['bucket_order']}"), False),
                    _Col(r.t("col_handed_off"), lambda x: r.n(x["leads"])),
                    _Col(r.t("col_share"), lambda x: r.pct(x["share"])),
                    _Col(r.t("col_sqls"), lambda x: r.n(x["sqls"])),
                    _Col(r.t("col_sql_rate"), lambda x: r.pct(x["sql_rate"])),
                    _Col(r.t("col_win_rate"), lambda x: r.pct(x["win_rate"])),
                ],
                rows,
                css="keep",
            )
        )
    owners = r.metric("followup_by_owner")
    parts.append(f'<h3 class="break-before">{_e(r.t("reps_title", sla=sla))}</h3>')
    missing = r.guidance(owners)
    if missing:
        parts.append(missing)
    else:
        assert owners.frame is not None
        rows = owners.frame.to_dicts()
        team = next((x for x in rows if x["owner"] == "(all)"), None)
        reps = [x for x in rows if x["owner"] not in ("(all)",)]
        team_rate = team["sla_compliance_rate"] if team else None
        if team:
            parts.append(
                _figures(
                    [
                        (r.t("fig_sla_compliance"), r.pct(team["sla_compliance_rate"])),
                        (r.t("fig_mean_attempts"), r.num(team["mean_attempts"])),
                        (r.t("fig_one_attempt"), r.pct(team["one_attempt_rate"])),
                        (r.t("fig_given_up"), r.n(team["given_up"])),
                        (
                            r.t("fig_first_touch"),
                            fmt_duration_minutes(team["median_minutes_to_first_touch"], r.lang),
                        ),
                    ]
                )
            )

        def owner_name(x: dict[str, Any]) -> str:
            if x["owner"] == "(all)":
                return r.t("team_row")
            if x["owner"] == "(no owner)":
                return r.t("no_owner")
            return str(x["owner"])

        def below(x: dict[str, Any]) -> bool:
            # followup_by_owner decides it, with the rep_below_team_gap setting
            return bool(x["is_below_team"])

        def mark(x: dict[str, Any]) -> str:
            text = r.pct(x["sla_compliance_rate"])
            return f"{text} ▼" if x["owner"] != "(all)" and below(x) else text

        data = [x for x in reps if x["sla_compliance_rate"] is not None]
        if data:
            data = sorted(data, key=lambda x: -float(x["sla_compliance_rate"]))
            frame = pl.DataFrame(
                {
                    "owner": [owner_name(x) for x in data],
                    "rate": [float(x["sla_compliance_rate"]) for x in data],
                    "text": [r.pct(x["sla_compliance_rate"]) for x in data],
                    "below": [below(x) for x in data],
                }
            )
            bars = (
                alt.Chart(frame)
                .mark_bar()
                .encode(
                    y=alt.Y("owner:N", sort=frame["owner"].to_list(), title=None),
                    x=alt.X(
                        "rate:Q",
                        title=r.t("sla_axis", sla=sla),
                        axis=alt.Axis(format="%"),
                        scale=alt.Scale(domain=[0, 1.15]),
                    ),
                    color=alt.condition(
                        alt.datum.below, alt.value(charts.BAD), alt.value(charts.PRIMARY)
                    ),
                )
            )
            text = (
                alt.Chart(frame)
                .mark_text(align="left", dx=6, fontSize=13)
                .encode(
                    y=alt.Y("owner:N", sort=frame["owner"].to_list()), x="rate:Q", text="text:N"
                )
            )
            layers = bars + text
            if team_rate is not None:
                rule = (
                    alt.Chart(pl.DataFrame({"team": [float(team_rate)]}))
                    .mark_rule(color=charts.NEUTRAL, strokeDash=[6, 4], size=2)
                    .encode(x="team:Q")
                )
                layers = layers + rule
            chart = layers.properties(width=CHART_WIDTH - 80, title=r.t("sla_chart_title"))
            parts.append(r.svg(chart, height=max(160, 24 * frame.height)))
        parts.append(
            _table(
                [
                    _Col(r.t("col_owner"), owner_name, numeric=False),
                    _Col(r.t("col_handed_off"), lambda x: r.n(x["handed_off"])),
                    _Col(r.t("col_sla_compliance"), mark),
                    _Col(
                        r.t("col_first_touch"),
                        lambda x: fmt_duration_minutes(x["median_minutes_to_first_touch"], r.lang),
                    ),
                    _Col(r.t("col_mean_attempts"), lambda x: r.num(x["mean_attempts"])),
                    _Col(r.t("col_one_attempt"), lambda x: r.pct(x["one_attempt_rate"])),
                    _Col(r.t("col_given_up"), lambda x: r.n(x["given_up"])),
                    _Col(r.t("col_sql_rate"), lambda x: r.pct(x["sql_rate"])),
                ],
                rows,
                css="compact",
                row_class=lambda x: "total" if x["owner"] == "(all)" else "",
            )
        )
        gap = fmt_number(float(r.settings["rep_below_team_gap"]) * 100, r.lang, 0)
        parts.append(f'<p class="note">{_e(r.t("reps_note", gap=gap))}</p>')
    return _section(
        "followup", number, r.t("followup_title"), r.t("followup_lead", sla=sla), "".join(parts)
    )


def _verdict(r: _Report, kind: str, value: str) -> str:
    return r.t(f"{kind}_{value.replace(' ', '_').lower()}")


def _quality(r: _Report, number: int) -> str:
    parts: list[str] = []
    d = r.metric("disagreement")
    missing = r.guidance(d)
    if missing:
        parts.append(missing)
    else:
        assert d.frame is not None
        row = d.frame.row(0, named=True)
        parts.append(
            _figures(
                [
                    (r.t("fig_agreement"), r.pct(row["agreement_rate"])),
                    (r.t("fig_kappa"), r.num(row["cohens_kappa"], 2)),
                    (r.t("fig_judged"), r.n(row["leads_judged"])),
                    (r.t("fig_mql_rejected"), r.n(row["mql_rejected"])),
                    (r.t("fig_non_mql_accepted"), r.n(row["non_mql_accepted"])),
                    (r.t("fig_never_worked"), r.n(row["never_worked_mqls"])),
                ]
            )
        )
        parts.append(f'<p class="note">{_e(r.t("kappa_note"))}</p>')

    matrix = r.metric("disagreement_matrix")
    parts.append(f"<h3>{_e(r.t('matrix_title'))}</h3>")
    missing = r.guidance(matrix)
    if missing:
        parts.append(missing)
    else:
        assert matrix.frame is not None
        # the six cells with their outcomes added up, as disagreement_cells counts them
        cells = {
            (x["marketing_verdict"], x["sales_verdict"]): x
            for x in r.metric("disagreement_cells").frame.to_dicts()
        }
        rows = []
        for mv in MARKETING_VERDICTS:
            for sv in SALES_VERDICTS:
                cell = cells[(mv, sv)]
                if sv == "never worked":
                    verdict = "not_judged"
                elif (mv == "MQL") == (sv == "accepted"):
                    verdict = "agree"
                else:
                    verdict = "disagree"
                rows.append(
                    {
                        "marketing": _verdict(r, "mv", mv),
                        "sales": _verdict(r, "sv", sv),
                        "verdict": verdict,
                        **{o: cell[o.replace(" ", "_")] for o in OUTCOMES},
                        "total": cell["leads"],
                        "revenue": cell["won_revenue"],
                    }
                )
        cols = [
            _Col(r.t("col_marketing"), lambda x: x["marketing"], numeric=False),
            _Col(r.t("col_sales"), lambda x: x["sales"], numeric=False),
            _Col(r.t("col_verdict"), lambda x: r.t(f"verdict_{x['verdict']}"), numeric=False),
        ]
        for o in OUTCOMES:
            cols.append(_Col(_verdict(r, "outcome", o), lambda x, o=o: r.n(x[o])))
        cols += [
            _Col(r.t("col_total"), lambda x: r.n(x["total"])),
            _Col(r.t("col_won_revenue"), lambda x: r.money(x["revenue"])),
        ]
        parts.append(
            _table(
                cols,
                rows,
                css="keep compact matrix",
                row_class=lambda x: x["verdict"].replace("_", "-"),
            )
        )
        parts.append(f'<p class="note">{_e(r.t("matrix_note"))}</p>')

    parts.append(f"<h3>{_e(r.t('costly_title'))}</h3>")
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
        n, revenue = totals[n_col], totals[revenue_col]
        items.append(
            f'<div class="costly"><div class="value">{_e(r.n(n))}</div>'
            f'<div class="label">{_e(r.t(label))}</div>'
            f'<div class="money">{_e(r.t("costly_revenue", value=r.money(revenue)))}</div></div>'
        )
    parts.append(f'<div class="costly-row">{"".join(items)}</div>')

    reasons = r.metric("rejection_reasons", by="source")
    heading = f"<h3>{_e(r.t('reasons_title', n=TOP_REASONS))}</h3>"
    missing = r.guidance(reasons)
    if missing:
        parts.append(heading + missing)
    else:
        assert reasons.frame is not None
        f = reasons.frame.filter(pl.col("rank") <= TOP_REASONS)
        totals = (
            reasons.frame.unique("dimension", maintain_order=True)
            .select("dimension", pl.col("dimension_rejected").alias("total"))
            .sort("total", descending=True, maintain_order=True)
        )
        rows = []
        for src, total in totals.iter_rows():
            mine = f.filter(
                pl.col("dimension").is_null() if src is None else pl.col("dimension") == src
            ).sort("rank")
            row: dict[str, Any] = {"source": src if src is not None else r.t("no_source")}
            row["total"] = total
            for i, x in enumerate(mine.iter_rows(named=True), start=1):
                row[f"r{i}"] = f"{x['rejection_reason']} ({r.pct(x['share'])})"
            rows.append(row)
        cols = [
            _Col(r.t("col_source"), lambda x: x["source"], numeric=False),
            _Col(r.t("col_rejected"), lambda x: r.n(x["total"])),
        ]
        for i in range(1, TOP_REASONS + 1):
            cols.append(
                _Col(r.t("col_reason_n", n=i), lambda x, i=i: x.get(f"r{i}", "–"), numeric=False)
            )
        parts.append(
            f'<div class="block">{heading}{_table(cols, rows, css="compact")}'
            f'<p class="note">{_e(r.t("reasons_note"))}</p></div>'
        )
    return _section("quality", number, r.t("quality_title"), r.t("quality_lead"), "".join(parts))


def _revenue(r: _Report, number: int) -> str:
    shown = r.metric("revenue_by_source")
    lead = r.t("revenue_lead")
    missing = r.guidance(shown)
    if missing:
        return _section("revenue", number, r.t("revenue_title"), lead, missing)
    assert shown.frame is not None
    rows = shown.frame.to_dicts()
    every_source = [
        v[0]
        for v in r.con.execute(
            "select distinct cast(source as varchar) as v from leads where source is not null "
            "order by v"
        ).fetchall()
    ]
    largest = max((float(x["won_revenue"] or 0) for x in rows), default=0.0)
    divisor, axis_title = _amount_axis(r, largest)
    data = pl.DataFrame(
        {
            "source": [x["source"] for x in rows],
            "revenue": [float(x["won_revenue"] or 0) / divisor for x in rows],
            "text": [r.money_short(x["won_revenue"]) for x in rows],
        }
    )
    order = data.sort("revenue", descending=True, maintain_order=True)["source"].to_list()
    domain = [*every_source, *(s for s in data["source"] if s not in every_source)]
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("source:N", sort=order, title=None),
            x=alt.X(
                "revenue:Q",
                title=axis_title,
                axis=alt.Axis(format=",~f"),
                scale=alt.Scale(domainMax=float(data["revenue"].max() or 1) * 1.3),
            ),
            color=alt.Color("source:N", scale=charts.colour_scale(domain), legend=None),
        )
    )
    text = (
        alt.Chart(data)
        .mark_text(align="left", dx=6, fontSize=14)
        .encode(y=alt.Y("source:N", sort=order), x="revenue:Q", text="text:N")
    )
    chart = (bars + text).properties(width=CHART_WIDTH - 60, title=r.t("revenue_chart_title"))
    parts = [r.svg(chart, height=max(150, 24 * data.height))]
    parts.append(
        _table(
            [
                _Col(r.t("col_source"), lambda x: x["source"], numeric=False),
                _Col(r.t("col_leads"), lambda x: r.n(x["leads"])),
                _Col(r.t("col_mqls"), lambda x: r.n(x["mqls"])),
                _Col(r.t("col_sqls"), lambda x: r.n(x["sqls"])),
                _Col(r.t("col_won_deals"), lambda x: r.n(x["won_deals"])),
                _Col(r.t("col_win_rate"), lambda x: r.pct(x["win_rate"])),
                _Col(r.t("col_won_revenue"), lambda x: r.money(x["won_revenue"])),
                _Col(r.t("col_avg_deal"), lambda x: r.money(x["avg_deal_size"])),
                _Col(r.t("col_revenue_per_lead"), lambda x: r.money(x["revenue_per_lead"])),
            ],
            rows,
            css="keep compact",
        )
    )
    has_spend = any(x.get("spend") is not None for x in rows)
    if has_spend:
        cost = _table(
            [
                _Col(r.t("col_source"), lambda x: x["source"], numeric=False),
                _Col(r.t("col_spend"), lambda x: r.money(x["spend"])),
                _Col(r.t("col_cost_per_lead"), lambda x: r.money(x["cost_per_lead"])),
                _Col(r.t("col_cost_per_mql"), lambda x: r.money(x["cost_per_mql"])),
                _Col(r.t("col_cost_per_sql"), lambda x: r.money(x["cost_per_sql"])),
                _Col(r.t("col_cac"), lambda x: r.money(x["cac"])),
                _Col(r.t("col_roi"), lambda x: fmt_pct(x["roi"], r.lang, 0)),
            ],
            rows,
            css="compact",
        )
        parts.append(
            f'<div class="block"><h3>{_e(r.t("cost_title"))}</h3>{cost}'
            f'<p class="note">{_e(r.t("cost_note"))}</p></div>'
        )
    else:
        parts.append(f'<p class="note">{_e(r.t("no_spend"))}</p>')
    return _section("revenue", number, r.t("revenue_title"), lead, "".join(parts))


def _setting_value(r: _Report, key: str, value: Any) -> str:
    """A setting's value as people read it."""
    if isinstance(value, bool):
        return r.t("yes") if value else r.t("no")
    setting = SETTINGS_BY_KEY.get(key)
    if setting is not None and setting.kind == "choice":
        slug = {"": "auto", ".": "dot", ",": "comma"}.get(str(value), str(value))
        return r.other(f"definitions.choice_{key}_{slug}", str(value) or r.t("automatic"))
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "–"
    if isinstance(value, float):
        return r.num(value, 2).rstrip("0").rstrip(",.") if value % 1 else r.n(value)
    if isinstance(value, int):
        return r.n(value)
    return str(value) if value not in ("", None) else r.t("automatic")


def _logged_value(r: _Report, key: str, text: str | None) -> str:
    if text is None:
        return "–"
    try:
        return _setting_value(r, key, json.loads(text))
    except ValueError:
        return text


def _definitions(r: _Report, number: int) -> str:
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
        _table(
            [
                _Col(r.t("col_setting"), lambda x: x["label"], numeric=False),
                _Col(r.t("col_value"), lambda x: x["value"], numeric=False),
                _Col(r.t("col_meaning"), lambda x: x["meaning"], numeric=False),
            ],
            rows,
            css="settings",
            row_class=lambda x: "changed" if x["changed"] else "",
        ),
        f'<p class="note">{_e(r.t("settings_note"))}</p>',
    ]
    log = r.ws.query(
        "select changed_at, key, old_value, new_value, author, reason from settings_log "
        "order by changed_at desc limit $n",
        {"n": SETTINGS_LOG_LIMIT},
    )
    parts.append(f"<h3>{_e(r.t('changes_title'))}</h3>")
    if log.is_empty():
        parts.append(f'<p class="empty">{_e(r.t("changes_none"))}</p>')
    else:
        parts.append(
            _table(
                [
                    _Col(
                        r.t("col_changed_at"),
                        lambda x: f"{fmt_date(x['changed_at'], r.lang)} {x['changed_at']:%H:%M}",
                        numeric=False,
                    ),
                    _Col(
                        r.t("col_setting"),
                        lambda x: r.other(f"definitions.label_{x['key']}", x["key"]),
                        numeric=False,
                    ),
                    _Col(
                        r.t("col_old"),
                        lambda x: _logged_value(r, x["key"], x["old_value"]),
                        numeric=False,
                    ),
                    _Col(
                        r.t("col_new"),
                        lambda x: _logged_value(r, x["key"], x["new_value"]),
                        numeric=False,
                    ),
                    _Col(r.t("col_author"), lambda x: x["author"] or "–", numeric=False),
                    _Col(r.t("col_reason"), lambda x: x["reason"] or "–", numeric=False),
                ],
                log.to_dicts(),
                css="compact",
            )
        )
    return _section(
        "definitions",
        number,
        r.t("definitions_title"),
        r.t("definitions_lead"),
        "".join(parts),
    )


def _provenance(r: _Report, number: int) -> str:
    log = r.ws.load_log()
    parts = [f"<h3>{_e(r.t('files_title'))}</h3>"]
    if log.is_empty():
        parts.append(f'<p class="empty">{_e(r.t("files_none"))}</p>')
    else:
        parts.append(
            _table(
                [
                    _Col(r.t("col_file"), lambda x: x["file_name"], numeric=False),
                    _Col(
                        r.t("col_table"),
                        lambda x: r.other(f"report.table_{x['table_name']}", x["table_name"]),
                        numeric=False,
                    ),
                    _Col(r.t("col_rows"), lambda x: r.n(x["rows"])),
                    _Col(
                        r.t("col_loaded_at"),
                        lambda x: f"{fmt_date(x['loaded_at'], r.lang)} {x['loaded_at']:%H:%M}",
                        numeric=False,
                    ),
                    _Col(r.t("col_sha"), lambda x: x["sha256"] or "–", numeric=False),
                ],
                log.to_dicts(),
                css="files",
            )
        )
        parts.append(f'<p class="note">{_e(r.t("files_note"))}</p>')
    counts = r.ws.counts()
    parts.append(f"<h3>{_e(r.t('counts_title'))}</h3>")
    parts.append(
        _table(
            [
                _Col(
                    r.t("col_table"),
                    lambda x: f"{r.t('table_' + x['table'])} ({x['table']})",
                    numeric=False,
                ),
                _Col(r.t("col_rows"), lambda x: r.n(x["rows"])),
            ],
            [{"table": k, "rows": v} for k, v in counts.items()],
            css="keep narrow",
        )
    )
    return _section(
        "provenance", number, r.t("provenance_title"), r.t("provenance_lead"), "".join(parts)
    )


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
.subtitle { color: var(--muted); font-size: 11.5pt; }
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
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(24mm, 1fr)); gap: 3mm;
           margin: 3mm 0 4mm; break-inside: avoid; }
.figure { border: 1px solid var(--rule); border-top: 3px solid var(--accent); padding: 2mm 3mm; }
.figure .value { font-size: 14pt; font-weight: 700; font-variant-numeric: tabular-nums;
                 white-space: nowrap; }
.figure .label { font-size: 8.5pt; color: var(--muted); }
nav.toc { margin-top: 5mm; }
nav.toc .toc-title { font-size: 11pt; border: 0; margin: 0 0 1mm; padding: 0; }
nav.toc ol { margin: 0; padding-left: 6mm; columns: 2; }
nav.toc a { color: inherit; text-decoration: none; }
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
  section#callouts { break-before: auto; margin-top: 8mm; }
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
) -> str:
    """The review meeting's report on the workspace at ``workspace_path``, as one HTML page.

    Leads are those of the cohort days ``date_from``..``date_to`` (inclusive; None means the
    workspace's first or last day). The page holds the review callouts ranked by revenue
    impact, the funnel, follow-up discipline, lead-quality disagreement, revenue by source,
    the definitions in force with their recent changes, and the files the numbers come from.
    A metric whose inputs the workspace lacks shows what to load instead. The HTML needs
    nothing from the network. Raises ValueError for a language other than en or vi.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, not {lang!r}")
    path = Path(workspace_path)
    filters = metrics.Filters(date_from=date_from, date_to=date_to)
    generated = dt.datetime.now().replace(microsecond=0)
    with Workspace(path, read_only=True) as ws:
        r = _Report(ws, filters, lang)
        body = [_header(r, path, generated)]
        builders = (_callouts, _funnel, _followup, _quality, _revenue, _definitions, _provenance)
        body += [build(r, i) for i, build in enumerate(builders, start=1)]
    footer = r.t("footer", time=f"{fmt_date(generated, lang)} {generated:%H:%M}")
    title = f"{r.t('title')} · {path.name}"
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(body)
        + f"\n<footer>{_e(footer)}</footer>\n</main>\n</body>\n</html>\n"
    )
