"""The review meeting's report: one self-contained HTML file whose figures are the metrics'.

Figures are read back from the report's HTML (section by section) and compared with
``handoff metric ... --format json`` on the same workspace and filters, formatted the way
the report formats them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from html import escape as html_escape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from dashboard import i18n, metrics
from dashboard.report import build_report
from dashboard.workspace import Workspace
from tests.conftest import SAMPLE

LANGS = ("en", "vi")
SPRING = (dt.date(2026, 3, 1), dt.date(2026, 5, 31))
# the sample's newest month whose won deals have had time to come in, and the one before
MAY = (dt.date(2026, 5, 1), dt.date(2026, 5, 31))
APRIL = (dt.date(2026, 4, 1), dt.date(2026, 4, 30))
EXTERNAL = re.compile(
    r"""(?:\b(?:src|href)\s*=\s*["']?\s*|url\(\s*["']?\s*)(?:https?:)?//""", re.IGNORECASE
)


class _Sections(HTMLParser):
    """Per ``<section id>``: its table rows (cell texts) and headline figures."""

    def __init__(self) -> None:
        super().__init__()
        self.section = "cover"
        self.rows: dict[str, list[list[str]]] = {}
        self.figures: dict[str, dict[str, str]] = {}
        self.text: dict[str, list[str]] = {}
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._figure: dict[str, str] | None = None
        self._part: str | None = None
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "section" and a.get("id"):
            self.section = str(a["id"])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "div" and "figure" in classes:
            self._figure = {}
        elif tag == "div" and self._figure is not None and classes:
            self._part = classes[0]
            self._figure[self._part] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.setdefault(self.section, []).append(self._row)
            self._row = None
        elif tag == "div" and self._figure is not None:
            if self._part is not None:
                self._part = None
            else:
                label = self._figure.get("label", "")
                self.figures.setdefault(self.section, {})[label] = self._figure.get("value", "")
                self._figure = None

    def handle_data(self, data: str) -> None:
        self.text.setdefault(self.section, []).append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._figure is not None and self._part is not None:
            self._figure[self._part] += data


def parse(html: str) -> _Sections:
    p = _Sections()
    p.feed(html)
    return p


def cli_metric(run: Callable, ws: Path, name: str, *args: str) -> list[dict]:
    """``handoff metric NAME --format json`` rows."""
    res = run("metric", name, "-w", ws, "--format", "json", *args)
    assert res.code == 0, res.err
    return json.loads(res.out)


def date_args(dates: tuple[dt.date, dt.date] | None) -> list[str]:
    if not dates:
        return []
    return ["--from", dates[0].isoformat(), "--to", dates[1].isoformat()]


@pytest.fixture(scope="module")
def reports(sample_workspace: Path) -> dict[tuple[str, tuple | None], str]:
    """The sample workspace's report in both languages (May 2026 against April, the default),
    and for spring (March to May, against the 92 days before) in English."""
    out: dict[tuple[str, tuple | None], str] = {}
    for lang in LANGS:
        out[(lang, None)] = build_report(sample_workspace, lang=lang)
    out[("en", SPRING)] = build_report(
        sample_workspace, date_from=SPRING[0], date_to=SPRING[1], lang="en"
    )
    return out


@pytest.fixture(scope="module")
def leads_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with the sample leads and nothing else."""
    path = tmp_path_factory.mktemp("leads_only") / "leads.duckdb"
    with Workspace(path) as ws:
        ws.load([SAMPLE / "leads.csv"])
    return path


# ----------------------------------------------------------------------------- the file
@pytest.mark.parametrize("lang", LANGS)
def test_report_is_one_file_that_needs_no_network(reports: dict, lang: str, tmp_path: Path) -> None:
    html = reports[(lang, None)]
    out = tmp_path / f"review-{lang}.html"
    out.write_text(html, encoding="utf-8")
    assert out.stat().st_size > 10_000
    assert html.startswith("<!DOCTYPE html>")
    assert f'<html lang="{lang}">' in html
    assert not EXTERNAL.search(html), EXTERNAL.search(html)
    assert "http://" not in html and "https://" not in html
    for tag in ("<script", "<link", "<img", "<iframe", "@import", "@font-face"):
        assert tag not in html.lower(), tag
    # charts are inline SVG, one per chart
    assert html.count("<svg") >= 4


def test_report_has_every_section_in_order(reports: dict) -> None:
    html = reports[("en", None)]
    ids = re.findall(r'<section id="([a-z]+)"', html)
    assert ids == [
        "callouts",
        "changes",
        "funnel",
        "followup",
        "quality",
        "revenue",
        "definitions",
        "provenance",
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_all_text_is_in_the_chosen_language(reports: dict, lang: str) -> None:
    html = reports[(lang, None)]
    for key in ("title", "funnel_title", "followup_title", "quality_title", "revenue_title"):
        assert i18n.t(f"report.{key}", lang) in html
    other = "vi" if lang == "en" else "en"
    assert i18n.t("report.title", other) not in html
    assert i18n.t("report.definitions_title", other) not in html


# ----------------------------------------------------------------------------- figures
@pytest.mark.parametrize(("lang", "dates"), [("en", None), ("vi", None), ("en", SPRING)])
def test_funnel_counts_equal_handoff_metric(
    reports: dict, run: Callable, sample_workspace: Path, lang: str, dates: tuple | None
) -> None:
    doc = parse(reports[(lang, dates)])
    expected = cli_metric(run, sample_workspace, "funnel", *date_args(dates or MAY))
    rows = doc.rows["funnel"][1:]  # after the heading row
    assert [row[0] for row in rows] == [
        i18n.t(f"report.stage_{x['stage']}", lang) for x in expected
    ]
    assert [row[1] for row in rows] == [i18n.fmt_int(x["count"], lang) for x in expected]
    assert [row[3] for row in rows] == [i18n.fmt_pct(x["rate_from_first"], lang) for x in expected]


@pytest.mark.parametrize(("lang", "dates"), [("en", None), ("vi", None), ("en", SPRING)])
def test_quality_figures_equal_handoff_metric(
    reports: dict, run: Callable, sample_workspace: Path, lang: str, dates: tuple | None
) -> None:
    doc = parse(reports[(lang, dates)])
    agreement = cli_metric(run, sample_workspace, "disagreement", *date_args(dates or MAY))[0]
    quality = doc.figures["quality"]
    assert quality[i18n.t("report.fig_agreement", lang)] == i18n.fmt_pct(
        agreement["agreement_rate"], lang
    )
    assert quality[i18n.t("report.fig_ac1", lang)] == i18n.fmt_number(
        agreement["gwet_ac1"], lang, 2
    )
    # kappa stays in the lead-quality section, with why it sits near 0
    kappa = i18n.fmt_number(agreement["cohens_kappa"], lang, 2)
    assert quality[i18n.t("report.fig_kappa", lang)] == kappa
    assert kappa in "".join(doc.text["quality"])


@pytest.mark.parametrize("lang", LANGS)
def test_won_revenue_per_source_equals_handoff_metric(
    reports: dict, run: Callable, sample_workspace: Path, lang: str
) -> None:
    doc = parse(reports[(lang, None)])
    expected = cli_metric(run, sample_workspace, "revenue_by_source", *date_args(MAY))
    header = doc.rows["revenue"][0]
    col = header.index(i18n.t("report.col_won_revenue", lang))
    shown = {row[0]: row[col] for row in doc.rows["revenue"][1 : len(expected) + 1]}
    assert shown == {x["source"]: i18n.fmt_money(x["won_revenue"], "VND", lang) for x in expected}
    if lang == "vi":
        assert all(v.endswith(" ₫") and "," not in v for v in shown.values())
    # spend is loaded: the cost table is there, with ROI per source
    assert i18n.t("report.cost_title", lang) in reports[(lang, None)]


@pytest.mark.parametrize("lang", LANGS)
def test_costly_disagreements_and_sla_equal_handoff_metric(
    reports: dict, run: Callable, sample_workspace: Path, lang: str
) -> None:
    html = reports[(lang, None)]
    false = cli_metric(run, sample_workspace, "false_rejections", *date_args(MAY))
    missed = cli_metric(run, sample_workspace, "missed_leads", *date_args(MAY))
    for rows in (false, missed):
        revenue = i18n.fmt_money(sum(x["won_revenue"] for x in rows), "VND", lang)
        assert i18n.t("report.costly_revenue", lang, value=revenue) in html
    team = cli_metric(run, sample_workspace, "followup_by_owner", *date_args(MAY))[-1]
    assert team["owner"] == "(all)"
    doc = parse(html)
    assert doc.figures["followup"][i18n.t("report.fig_sla_compliance", lang)] == i18n.fmt_pct(
        team["sla_compliance_rate"], lang
    )
    last = doc.rows["followup"][-1]
    assert last[0] == i18n.t("report.team_row", lang)
    assert last[1] == i18n.fmt_int(team["handed_off"], lang)


def test_dates_that_are_no_calendar_period_are_compared_with_as_many_days_before(
    reports: dict,
) -> None:
    may, spring = parse(reports[("en", None)]), parse(reports[("en", SPRING)])
    assert may.rows["funnel"] != spring.rows["funnel"]
    html = reports[("en", SPRING)]
    # 92 days (1 March to 31 May) against the 92 days before them
    assert "1 Mar 2026 – 31 May 2026 compared with 29 Nov 2025 – 28 Feb 2026" in html
    assert i18n.t("report.period_custom", "en") in html


def test_callouts_are_ranked_by_revenue_impact(reports: dict, sample_workspace: Path) -> None:
    from dashboard.review import callouts

    with Workspace(sample_workspace, read_only=True) as ws:
        found = callouts(
            ws.con, ws.settings(), metrics.Filters(date_from=MAY[0], date_to=MAY[1]), "en"
        )
    assert found, "the sample data has callouts"
    html = reports[("en", None)]
    positions = [html.index(c.title.replace("'", "&#x27;")) for c in found]
    assert positions == sorted(positions)
    assert [c.impact for c in found] == sorted((c.impact for c in found), reverse=True)


def test_definitions_and_provenance_are_listed(reports: dict, sample_workspace: Path) -> None:
    html = reports[("en", None)]
    doc = parse(html)
    with Workspace(sample_workspace, read_only=True) as ws:
        log = ws.load_log()
        counts = ws.counts()
    for sha in log["sha256"]:
        assert sha in html
    rows = {r[0]: r[1] for r in doc.rows["provenance"] if len(r) == 2}
    assert rows["Leads (leads)"] == i18n.fmt_int(counts["leads"], "en")
    assert i18n.t("definitions.label_sla_hours", "en") in html
    assert i18n.t("report.changes_none", "en") in html


def test_recent_settings_changes_are_listed(sample_copy: Path) -> None:
    with Workspace(sample_copy) as ws:
        ws.set_settings({"sla_hours": 4}, author="Lan (sales)", reason="agreed in the review")
    html = build_report(sample_copy, lang="vi")
    doc = parse(html)
    change = [r for r in doc.rows["definitions"] if "Lan (sales)" in r]
    assert change, "the change is listed"
    assert change[0][-1] == "agreed in the review"
    assert change[0][2:4] == ["24", "4"]


# ----------------------------------------------------------------------------- missing inputs
@pytest.mark.parametrize("lang", LANGS)
def test_leads_only_workspace_shows_what_to_load(leads_only: Path, lang: str) -> None:
    html = build_report(leads_only, lang=lang)
    fix = i18n.t("report.needs_fix", lang, these=i18n.t("report.needs_this_column", lang))
    assert html.count('class="needs"') >= 3
    assert fix in html
    assert "<code>activities.occurred_at</code>" in html
    assert "<code>deals.is_won</code>" in html
    # what needs only leads is still there, for the newest complete month (September 2026:
    # with no deals there are no won deals to wait for); 1,869 leads created that month in
    # sample_data/leads.csv
    doc = parse(html)
    assert doc.rows["funnel"][1][1] == i18n.fmt_int(1_869, lang)
    assert not EXTERNAL.search(html)


def test_unknown_language_is_refused(sample_workspace: Path) -> None:
    with pytest.raises(ValueError, match="lang"):
        build_report(sample_workspace, lang="fr")


# ----------------------------------------------------------------------------- command line
def test_cli_writes_the_report(run: Callable, sample_workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "review.html"
    res = run(
        "report",
        "-w",
        sample_workspace,
        "--from",
        SPRING[0],
        "--to",
        SPRING[1],
        "--lang",
        "vi",
        "--out",
        out,
    )
    assert res.code == 0, res.err
    assert str(out) in res.out
    html = out.read_text(encoding="utf-8")
    assert "01/03/2026 – 31/05/2026" in html
    assert i18n.t("report.title", "vi") in html


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-02-30"], "--from '2026-02-30' is not a date"),
        (["--to", "31/05/2026"], "YYYY-MM-DD"),
        (["--from", "2026-05-01", "--to", "2026-03-01"], "is after --to"),
    ],
)
def test_cli_explains_a_bad_date(
    run: Callable, sample_workspace: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "review.html"
    res = run("report", "-w", sample_workspace, "--out", out, *args)
    assert res.code == 2
    assert message in res.err
    assert not out.exists()


def test_cli_explains_a_missing_workspace_or_folder(run: Callable, tmp_path: Path) -> None:
    res = run("report", "-w", tmp_path / "none.duckdb", "--out", tmp_path / "r.html")
    assert res.code == 2
    assert "there is no workspace" in res.err
    res = run("report", "--out", tmp_path / "no" / "such" / "r.html")
    assert res.code == 2
    assert "does not exist" in res.err


# ----------------------------------------------------------------------------- browser
@pytest.mark.browser
@pytest.mark.parametrize("lang", LANGS)
def test_report_opens_offline_in_chromium(reports: dict, lang: str, tmp_path: Path) -> None:
    from tests.browser import SCREENSHOTS, browser

    path = tmp_path / f"review-{lang}.html"
    path.write_text(reports[(lang, None)], encoding="utf-8")
    blocked: list[str] = []

    def only_files(route) -> None:  # route: playwright Route
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    with browser() as b:
        page = b.page
        page.route("**/*", only_files)
        page.set_viewport_size({"width": 1100, "height": 1000})
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        assert page.locator("section").count() == 8
        assert page.locator("svg").count() >= 4
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"report-{lang}.png"), full_page=True)
        if lang == "en":
            page.emulate_media(media="print")
            pdf = page.pdf(format="A4", print_background=True)
            assert pdf.startswith(b"%PDF")
            # A4 pages, each section starting on its own
            assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) >= 7
            (SCREENSHOTS / "report-en.pdf").write_bytes(pdf)
        assert b.errors == [], b.errors
        assert blocked == [], blocked


@pytest.mark.parametrize("lang", LANGS)
def test_reps_marked_below_the_team_are_the_metrics_is_below_team(
    reports: dict, run: Callable, sample_workspace: Path, lang: str
) -> None:
    owners = cli_metric(run, sample_workspace, "followup_by_owner", *date_args(MAY))
    below = {x["owner"] for x in owners if x["is_below_team"]}
    # the sample's two slow reps (in May 28.6 % and 36.7 % against the team's 84.0 %)
    assert below == {"Bùi Văn Tài", "Vũ Thị Lan"}
    rows = parse(reports[(lang, None)]).rows["followup"]
    marked = {row[0] for row in rows if any(cell.endswith("▼") for cell in row)}
    assert marked == below


# ----------------------------------------------------------------------------- the cover
MINUS = "\u2212"


def cover_of(html: str) -> str:
    """The report's first pages: the title block, the callouts and the period comparison."""
    return html[: html.index('<section id="funnel"')]


def headline_rows(run: Callable, ws: Path, dates: tuple[dt.date, dt.date]) -> dict[str, float]:
    """The Review page's headline numbers (and AC1) for ``dates``, from ``handoff metric``."""
    from dashboard.review import HEADLINES

    out: dict[str, float] = {}
    for key, name, column, _, owner in HEADLINES:
        rows = cli_metric(run, ws, name, *date_args(dates))
        row = next(x for x in rows if owner is None or x["owner"] == owner)
        out[key] = row[column]
    out["gwet_ac1"] = cli_metric(run, ws, "disagreement", *date_args(dates))[0]["gwet_ac1"]
    return out


def shown(kind: str, value: float, lang: str) -> str:
    if kind == "rate":
        return i18n.fmt_pct(value, lang)
    if kind == "money":
        return i18n.fmt_money_short(value, "VND", lang)
    if kind == "coefficient":
        return i18n.fmt_number(value, lang, 2)
    return i18n.fmt_int(value, lang)


def change(kind: str, now: float, then: float, lang: str) -> str:
    """How the report writes a change: rates in points, counts and money with the share."""
    diff = now - then
    sign = "+" if diff > 0 else MINUS if diff < 0 else ""
    if kind == "rate":
        return i18n.t("review.points", lang, value=sign + i18n.fmt_number(abs(diff) * 100, lang, 1))
    if kind == "coefficient":
        return sign + i18n.fmt_number(abs(diff), lang, 2)
    text = sign + shown(kind, abs(diff), lang)
    return text + (f" ({sign}{i18n.fmt_pct(abs(diff) / then, lang)})" if then else "")


KINDS = {
    "leads": "count",
    "mqls": "count",
    "acceptance_rate": "rate",
    "sqls": "count",
    "won_deals": "count",
    "won_revenue": "money",
    "sla_compliance_rate": "rate",
    "agreement_rate": "rate",
    "gwet_ac1": "coefficient",
}


def label(key: str, lang: str) -> str:
    return i18n.t("quality.ac1" if key == "gwet_ac1" else f"review.h_{key}", lang)


def test_report_opens_on_the_newest_month_whose_won_deals_have_come_in(
    reports: dict, run: Callable, sample_workspace: Path
) -> None:
    cohort = cli_metric(run, sample_workspace, "funnel_cohort")
    maturing = {x["cohort_month"][:7] for x in cohort if x["stage"] == "won" and x["is_maturing"]}
    # June is the first month still waiting for its won deals; May is the newest settled one
    assert "2026-06" in maturing and "2026-05" not in maturing
    for lang, heading in (
        ("en", "May 2026 compared with Apr 2026"),
        ("vi", "05/2026 so với 04/2026"),
    ):
        html = reports[(lang, None)]
        assert f'<p class="period">{heading}</p>' in html
        assert html_escape(i18n.t("report.period_maturing", lang)) not in html


@pytest.mark.parametrize("lang", LANGS)
def test_cover_puts_the_ranked_callouts_first(reports: dict, lang: str) -> None:
    html = reports[(lang, None)]
    cover = cover_of(html)
    # the title block, then straight to the callouts, then the period's numbers
    after_header = cover[cover.index("</header>") + len("</header>") :]
    assert after_header.lstrip().startswith('<section id="callouts">')
    assert cover.index('<section id="callouts">') < cover.index('<section id="changes">')
    assert cover.count('class="callout"') >= 3
    assert i18n.t("report.callouts_title", lang) in cover


@pytest.mark.parametrize("lang", LANGS)
def test_cover_shows_no_kappa_and_no_workspace_file(
    reports: dict, run: Callable, sample_workspace: Path, lang: str
) -> None:
    html = reports[(lang, None)]
    cover = cover_of(html)
    # before: the cover named the workspace file and the quality section led with kappa
    assert "kappa" not in cover.lower()
    assert i18n.t("report.fig_kappa", lang) not in cover
    assert sample_workspace.name not in cover
    assert sample_workspace.name not in html[: html.index("<body>")]  # nor the window title
    # agreement on the cover is the one a skewed prevalence does not drag to 0
    assert i18n.t("quality.ac1", lang) in cover
    # the workspace file is named in the appendix, with the rest of the provenance
    assert sample_workspace.name in "".join(parse(html).text["provenance"])


@pytest.mark.parametrize("lang", LANGS)
def test_cover_compares_the_period_with_the_previous_one_as_the_metrics_say(
    reports: dict, run: Callable, sample_workspace: Path, lang: str
) -> None:
    rows = parse(reports[(lang, None)]).rows["changes"]
    this, before = i18n.fmt_month(MAY[0], lang), i18n.fmt_month(APRIL[0], lang)
    assert rows[0] == [
        i18n.t("report.col_figure", lang),
        this,
        before,
        i18n.t("report.col_change", lang),
    ]
    now, then = (
        headline_rows(run, sample_workspace, MAY),
        headline_rows(run, sample_workspace, APRIL),
    )
    expected = [
        [
            label(k, lang),
            shown(kind, now[k], lang),
            shown(kind, then[k], lang),
            change(kind, now[k], then[k], lang),
        ]
        for k, kind in KINDS.items()
    ]
    assert rows[1:] == expected


def test_cover_leads_are_the_months_leads_counted_by_hand(reports: dict) -> None:
    # sample_data/leads.csv has 1,717 leads created in May 2026 and 1,638 in April (UTC,
    # the sample's time zone): 79 more, 79 / 1,638 = 4.8 %
    rows = parse(reports[("en", None)]).rows["changes"]
    assert rows[1] == ["Leads", "1,717", "1,638", "+79 (+4.8%)"]
    vi = parse(reports[("vi", None)]).rows["changes"]
    assert vi[1][1:3] == ["1.717", "1.638"]


# ----------------------------------------------------------------------------- appendix
@pytest.mark.parametrize("lang", LANGS)
def test_appendix_at_the_end_holds_the_provenance(
    reports: dict, sample_workspace: Path, lang: str
) -> None:
    import duckdb

    html = reports[(lang, None)]
    doc = parse(html)
    with Workspace(sample_workspace, read_only=True) as ws:
        shas = list(ws.load_log()["sha256"])
    provenance = "".join(doc.text["provenance"])
    for sha in shas:
        assert sha in provenance
        # hashes are nowhere before the appendix
        assert sha not in html[: html.index('<section id="definitions"')]
    assert f"duckdb {duckdb.__version__}" in provenance
    # the appendix comes after every other section, lettered, and holds the settings
    ids = re.findall(r'<section id="([a-z]+)"', html)
    assert ids[-2:] == ["definitions", "provenance"]
    appendix = html[html.index('<section id="definitions"') :]
    assert appendix.count(f'<p class="eyebrow">{i18n.t("report.appendix", lang)}</p>') == 2
    assert '<span class="no">A</span>' in appendix and '<span class="no">B</span>' in appendix
    settings = {row[0] for row in doc.rows["definitions"]}
    assert i18n.t("definitions.label_sla_hours", lang) in settings


# ----------------------------------------------------------------------------- reps
@pytest.mark.parametrize("lang", LANGS)
def test_reps_are_listed_worst_first_the_team_last(
    reports: dict, run: Callable, sample_workspace: Path, lang: str
) -> None:
    owners = cli_metric(run, sample_workspace, "followup_by_owner", *date_args(MAY))
    reps = [x for x in owners if x["owner"] != "(all)"]
    # the metric lists reps by name; the report by SLA compliance, lowest first
    worst = sorted(
        reps, key=lambda x: (x["sla_compliance_rate"], -x["median_minutes_to_first_touch"])
    )
    rows = parse(reports[(lang, None)]).rows["followup"]
    header = next(i for i, row in enumerate(rows) if row[0] == i18n.t("report.col_owner", lang))
    table = rows[header + 1 :]
    assert [row[0] for row in table[:-1]] == [x["owner"] for x in worst]
    assert [row[2].removesuffix(" ▼") for row in table[:-1]] == [
        i18n.fmt_pct(x["sla_compliance_rate"], lang) for x in worst
    ]
    assert table[0][0] == "Bùi Văn Tài"  # 28.6 % within the SLA in May, the lowest
    assert table[-1][0] == i18n.t("report.team_row", lang)


def _scales(spec: object) -> list[dict]:
    """Every x encoding's scale in a Vega-Lite spec."""
    found = []
    if isinstance(spec, dict):
        x = spec.get("encoding", {}).get("x") if isinstance(spec.get("encoding"), dict) else None
        if isinstance(x, dict) and "scale" in x:
            found.append(x["scale"])
        for value in spec.values():
            found += _scales(value)
    elif isinstance(spec, list):
        for value in spec:
            found += _scales(value)
    return found


@pytest.mark.parametrize("lang", LANGS)
def test_sla_axis_ends_at_100_percent(reports: dict, sample_workspace: Path, lang: str) -> None:
    from dashboard.report.base import Report
    from dashboard.report.followup import sla_bars, worst_first

    with Workspace(sample_workspace, read_only=True) as ws:
        r = Report(ws, metrics.Filters(date_from=MAY[0], date_to=MAY[1]), lang)
        frame = r.metric("followup_by_owner").frame
        spec = sla_bars(r, worst_first(frame), "24 h").to_dict()
    scales = _scales(spec)
    assert scales and all(s["domain"] == [0, 1] for s in scales)
    # the drawn chart: its last tick is 100 %, and nothing past it
    followup = reports[(lang, None)].split('<section id="followup"')[1].split("</section>")[0]
    assert ">100%<" in followup
    assert ">125%<" not in followup and ">120%<" not in followup


# ----------------------------------------------------------------------------- --period
def test_cli_reviews_a_quarter(run: Callable, sample_workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "q2.html"
    res = run("report", "-w", sample_workspace, "--period", "2026-Q2", "--out", out)
    assert res.code == 0, res.err
    html = out.read_text(encoding="utf-8")
    assert '<p class="period">Q2 2026 compared with Q1 2026</p>' in html
    # Q2 has a maturing month (June): the cover says its won figures are not final
    assert html_escape(i18n.t("report.period_maturing", "en")) in html
    q2 = (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    funnel = cli_metric(run, sample_workspace, "funnel", *date_args(q2))
    assert parse(html).rows["funnel"][1][1] == i18n.fmt_int(funnel[0]["count"], "en")


def test_cli_reviews_the_newest_mature_quarter(
    run: Callable, sample_workspace: Path, tmp_path: Path
) -> None:
    out = tmp_path / "quarter.html"
    res = run("report", "-w", sample_workspace, "--grain", "quarter", "--lang", "vi", "--out", out)
    assert res.code == 0, res.err
    assert '<p class="period">Quý 1/2026 so với Quý 4/2025</p>' in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2026-13"], "--period '2026-13' is not a month or a quarter"),
        (["--period", "May 2026"], "YYYY-MM"),
        (["--period", "2026-05", "--from", "2026-05-01"], "cannot be given with --from"),
    ],
)
def test_cli_explains_a_bad_period(
    run: Callable, sample_workspace: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "review.html"
    res = run("report", "-w", sample_workspace, "--out", out, *args)
    assert res.code == 2
    assert message in res.err
    assert not out.exists()
