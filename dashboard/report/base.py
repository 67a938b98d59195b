"""What every section of the review report shares: metric runs, escaping, tables, figures."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt
import polars as pl

from dashboard import charts, metrics
from dashboard.i18n import (
    catalogue,
    d3_locale,
    fmt_int,
    fmt_money,
    fmt_money_short,
    fmt_number,
    fmt_pct,
    t,
)
from dashboard.workspace import Workspace

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
class Shown:
    """A metric's rows, or the inputs it needs when the workspace lacks them."""

    name: str
    frame: pl.DataFrame | None
    missing: tuple[str, ...] = ()


class Report:
    """Runs the metrics once each and renders the report's parts in one language."""

    def __init__(
        self,
        ws: Workspace,
        filters: metrics.Filters,
        lang: str,
        generated: dt.datetime | None = None,
    ) -> None:
        self.ws = ws
        self.generated = generated or dt.datetime.now().replace(microsecond=0)
        self.con = ws.con
        self.stored = ws.settings()
        self.settings = metrics.resolve_settings(self.stored, None)
        self.filters = filters
        self.lang = lang
        self.currency = str(self.settings.get("currency") or "VND")
        self._cache: dict[tuple[str, str | None], Shown] = {}

    # -- text and numbers
    def t(self, key: str, /, **values: object) -> str:
        """A report message in the report's language."""
        return t(f"report.{key}", self.lang, **values)

    def other(self, key: str, fallback: str) -> str:
        """A message from another catalogue file, or ``fallback`` when it has none."""
        if key in catalogue():
            return t(key, self.lang)
        return fallback

    def other_t(self, key: str, /, **values: object) -> str:
        """A message of another catalogue file (the pages' own words) in the report's language."""
        return t(key, self.lang, **values)

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
    def metric(self, name: str, by: str | None = None) -> Shown:
        """Run metric ``name`` with the report's settings and filters (once)."""
        key = (name, by)
        if key not in self._cache:
            got = metrics.answer(
                self.con, name, settings=self.settings, filters=self.filters, by=by
            )
            self._cache[key] = Shown(name, got.frame, got.needs)
        return self._cache[key]

    def guidance(self, shown: Shown) -> str | None:
        """The "needs …" or "no rows" paragraph when ``shown`` has nothing to show."""
        if shown.frame is None:
            cols = ", ".join(f"<code>{esc(m)}</code>" for m in shown.missing)
            these = self.t("needs_this_column" if len(shown.missing) == 1 else "needs_these")
            text = self.t("needs", metric=f"<strong>{esc(shown.name)}</strong>", columns=cols)
            return f'<p class="needs">{text} {esc(self.t("needs_fix", these=these))}</p>'
        if shown.frame.is_empty():
            return f'<p class="needs">{esc(self.t("no_rows"))}</p>'
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


def esc(value: object) -> str:
    """Text escaped for HTML."""
    return html.escape("" if value is None else str(value), quote=True)


@dataclass(frozen=True)
class Col:
    """A table column: heading, how a row's cell is written, and whether it is a number."""

    heading: str
    cell: Callable[[dict[str, Any]], str]
    numeric: bool = True


def html_table(
    columns: Sequence[Col],
    rows: Sequence[dict[str, Any]],
    *,
    css: str = "",
    row_class: Callable[[dict[str, Any]], str] | None = None,
    caption: str | None = None,
) -> str:
    """An HTML table; cell texts are escaped here."""
    head = "".join(
        f'<th class="{"num" if c.numeric else ""}">{esc(c.heading)}</th>' for c in columns
    )
    body = []
    for row in rows:
        cls = row_class(row) if row_class else ""
        cells = "".join(
            f'<td class="{"num" if c.numeric else ""}">{esc(c.cell(row))}</td>' for c in columns
        )
        body.append(f'<tr class="{cls}">{cells}</tr>')
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return (
        f'<table class="{css}">{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def figure_row(items: Sequence[tuple[str, str]]) -> str:
    """A strip of headline figures: (label, value)."""
    cells = "".join(
        f'<div class="figure"><div class="value">{esc(v)}</div>'
        f'<div class="label">{esc(k)}</div></div>'
        for k, v in items
    )
    return f'<div class="figures">{cells}</div>'


def section_html(
    anchor: str, number: int | str, title: str, lead: str, body: str, *, eyebrow: str = ""
) -> str:
    """A numbered section (an appendix is lettered, with ``eyebrow`` above its title)."""
    above = f'<p class="eyebrow">{esc(eyebrow)}</p>' if eyebrow else ""
    return (
        f'<section id="{anchor}">{above}<h2><span class="no">{esc(number)}</span>'
        f'{esc(title)}</h2><p class="lead">{esc(lead)}</p>{body}</section>'
    )


def amount_axis(r: Report, largest: float) -> tuple[float, str]:
    """Divisor and axis title for amounts: billions or millions when they are that large."""
    for size, unit in ((1e9, "billions"), (1e6, "millions")):
        if largest >= size:
            return size, r.t(f"revenue_axis_{unit}", currency=r.currency)
    return 1.0, r.t("revenue_axis", currency=r.currency)
