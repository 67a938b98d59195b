"""The Lead quality and Scoring pages are functions drawing shared chart builders.

- Each page file defines one function per section and runs them through a single
  ``render()`` call at its end; no function is long and no module is large.
- The chart builders (dashboard/charts/quality.py, scoring.py) lay out the rows they are
  given: every value a chart plots is one of the given rows' values, and they do no metric
  arithmetic (the same scan as the pages'); a click selection is there only when asked for.
- The headings the pages' tables take from module constants exist in both languages.
"""

from __future__ import annotations

import ast

import altair as alt
import polars as pl
import pytest

from dashboard import charts, i18n
from dashboard.charts import quality as quality_charts
from dashboard.charts import scoring as scoring_charts
from dashboard.views import _quality_parts, _scoring_parts
from tests.conftest import REPO
from tests.test_no_page_arithmetic import _violations

VIEWS = REPO / "dashboard" / "views"
PAGES = [VIEWS / "quality.py", VIEWS / "scoring.py"]
BUILDERS = [
    REPO / "dashboard" / "charts" / "quality.py",
    REPO / "dashboard" / "charts" / "scoring.py",
]
SIBLINGS = [VIEWS / "_quality_parts.py", VIEWS / "_scoring_parts.py"]
MAX_FUNCTION_LINES = 80
MAX_MODULE_LINES = 500


def t(key: str, /, **values: object) -> str:
    return i18n.t(key, "en", **values)


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_a_page_is_functions_run_by_one_render_call_at_its_end(path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    *body, last = tree.body
    assert ast.unparse(last) == "render()", "the file ends by calling render()"
    for node in body:
        # a docstring, imports, constants and functions: no statement runs the page
        allowed = ast.Import | ast.ImportFrom | ast.FunctionDef | ast.Assign | ast.AnnAssign
        docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        assert docstring or isinstance(node, allowed), f"{path.name}:{node.lineno} runs code"
        if isinstance(node, ast.Assign | ast.AnnAssign):
            assert "st." not in ast.unparse(node), f"{path.name}:{node.lineno} draws"
    names = {n.name for n in body if isinstance(n, ast.FunctionDef)}
    assert "render" in names


@pytest.mark.parametrize("path", PAGES + SIBLINGS + BUILDERS, ids=lambda p: p.name)
def test_functions_are_short_and_modules_small(path) -> None:
    source = path.read_text(encoding="utf-8")
    assert len(source.splitlines()) < MAX_MODULE_LINES
    long = [
        f"{node.name}: {node.end_lineno - node.lineno + 1} lines"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef) and node.end_lineno - node.lineno >= MAX_FUNCTION_LINES
    ]
    assert not long, long


@pytest.mark.parametrize(
    "path",
    [*BUILDERS, *SIBLINGS, REPO / "dashboard" / "report" / "quality.py"],
    ids=lambda p: p.name,
)
def test_builders_helpers_and_the_report_section_do_no_metric_arithmetic(path) -> None:
    assert _violations(path) == []


def test_the_table_headings_exist_in_both_languages() -> None:
    keys = [
        *(k for _, k in _quality_parts.SOURCE_TABLE),
        *_quality_parts.FALSE_REJECTION_COLUMNS.values(),
        *_quality_parts.MISSED_LEAD_COLUMNS.values(),
        *(k for _, k in _scoring_parts.CALIBRATION_TABLE),
        *(k for _, k in _scoring_parts.WHATIF_TABLE),
        *(k for _, k in _scoring_parts.ATTRIBUTES_TABLE),
    ]
    catalogue = i18n.catalogue()
    assert [k for k in keys if k not in catalogue] == []


# ----------------------------------------------------------------------------- builders
def _plotted(chart: alt.TopLevelMixin) -> list[dict]:
    """Every data row the chart's specification carries (inline datasets)."""
    spec = charts.style(chart).to_dict()
    return [row for rows in spec.get("datasets", {}).values() for row in rows]


def _params(chart: alt.TopLevelMixin) -> list[str]:
    spec = chart.to_dict()
    found = [p["name"] for p in spec.get("params", [])]
    for layer in spec.get("layer", []):
        found += [p["name"] for p in layer.get("params", [])]
    return found


CELLS = pl.DataFrame(
    {
        "marketing_verdict": ["MQL", "not MQL"],
        "sales_verdict": ["rejected", "accepted"],
        "mv_label": ["MQL", "Not MQL"],
        "sv_label": ["Rejected", "Accepted"],
        "leads": [30, 7],
        "main_text": ["30 · 81.1% · disagree", "7 · 18.9% · disagree"],
        "split_0": ["won 1 · open 2", "won 3 · open 0"],
        "split_1": ["lost 4 · no deal 23", "lost 1 · no deal 3"],
        "revenue_label": ["₫1M won", "₫9M won"],
        "leads_text": ["30", "7"],
        "share_text": ["81.1%", "18.9%"],
        "revenue_text": ["₫1,000,000", "₫9,000,000"],
        **{f"{o}_text": ["1", "2"] for o in ("won", "open", "lost", "no deal")},
        "is_disagreement": [True, True],
    }
)
SOURCES = pl.DataFrame(
    {
        "source": ["Referral", "Zalo OA"],
        "agreement_rate": [0.8, 0.25],
        "bar_text": ["80.0% · κ 0.10", "25.0% · κ -0.20"],
        **{
            c: ["a", "b"]
            for c in (
                "agreement_text",
                "kappa_text",
                "reading",
                "judged_text",
                "mql_rejected_text",
                "non_mql_accepted_text",
            )
        },
    }
)
LIFT = pl.DataFrame(
    {
        "value": ["Referral", "Web"],
        "value_label": ["Referral", "Web"],
        "lift": [1.5, 0.4],
        **{
            c: ["a", "b"]
            for c in ("lift_text", "judged_text", "sqls_text", "rejected_text", "rate_text")
        },
    }
)


def _matrix(select: bool, width: int | None = None) -> alt.TopLevelMixin:
    return quality_charts.verdict_matrix(
        CELLS,
        t,
        marketing_order=["MQL", "Not MQL"],
        sales_order=["Accepted", "Rejected", "Never worked"],
        outcome_label=str,
        outcomes=("won", "open", "lost", "no deal"),
        select=select,
        width=width,
    )


def test_the_verdict_matrix_plots_the_given_cells_and_nothing_else() -> None:
    plotted = _plotted(_matrix(select=False))
    given = CELLS.to_dicts()
    assert plotted and all(row in given for row in plotted)


def test_agreement_by_source_plots_the_given_rates() -> None:
    chart = quality_charts.agreement_by_source(SOURCES, t, colours=charts.colour_scale(["x"]))
    rates = {row["agreement_rate"] for row in _plotted(chart)}
    assert rates == {0.8, 0.25}


def test_the_lift_chart_plots_the_given_lifts_and_its_rule_at_one() -> None:
    chart = scoring_charts.attribute_lift(LIFT, t, title="Source", lang="en")
    plotted = _plotted(chart)
    assert {row["lift"] for row in plotted if "lift" in row} == {1.5, 0.4}
    assert [row for row in plotted if "lift" not in row] == [{"x": 1.0}]


def test_a_chart_can_be_clicked_only_when_asked_and_takes_a_fixed_width() -> None:
    assert _params(_matrix(select=True)) == ["cell"]
    assert _params(_matrix(select=False)) == []
    assert _matrix(select=False, width=560).to_dict()["width"] == 560
    lift = scoring_charts.attribute_lift(LIFT, t, title="Source", lang="vi", select=True)
    assert _params(lift) == ["value"]


def test_decimal_axes_write_the_languages_decimal_mark() -> None:
    assert "replace(" in scoring_charts.decimal_axis("Lift", "vi").to_dict()["labelExpr"]
    assert "replace(" not in scoring_charts.decimal_axis("Lift", "en").to_dict()["labelExpr"]
