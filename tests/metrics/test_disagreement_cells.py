"""Tests of ``disagreement_cells``: marketing's verdict x sales's verdict: leads, share of all
leads, won revenue and leads per deal outcome (won, open, lost, no deal) in each of the six
cells.

Hand-worked fixtures with the numbers written in the tests, and the SQL checked against
its independent Polars implementation ``tests/reference/disagreement_cells.py``;
the workspaces it shares with its family are described in ``tests/metrics/_totals.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard import metrics
from tests.metrics._totals import SAMPLE_FILTERS, SETTINGS, _compare, _run
from tests.reference.base import RefFilters, tables_from_workspace
from tests.reference.disagreement_cells import disagreement_cells


# --------------------------------------------------------------------------------------
# disagreement_cells on the verdicts workspace (tests/metrics/_quality.py): its 24 matrix cells
# (written out there) added up over the outcome, 9 leads in all.
# --------------------------------------------------------------------------------------
def test_disagreement_cells_by_hand(verdicts_ws: Path) -> None:
    out = _run(verdicts_ws, "disagreement_cells")
    assert out.columns == list(metrics.get("disagreement_cells").columns)
    got = {
        (r["marketing_verdict"], r["sales_verdict"]): (
            r["leads"],
            r["won_revenue"],
            r["won"],
            r["open"],
            r["lost"],
            r["no_deal"],
        )
        for r in out.iter_rows(named=True)
    }
    assert list(got) == [
        ("MQL", "accepted"),
        ("MQL", "rejected"),
        ("MQL", "never worked"),
        ("not MQL", "accepted"),
        ("not MQL", "rejected"),
        ("not MQL", "never worked"),
    ]
    assert got == {
        ("MQL", "accepted"): (2, 100.0, 1, 1, 0, 0),
        ("MQL", "rejected"): (2, 550.0, 2, 0, 0, 0),
        ("MQL", "never worked"): (1, 0.0, 0, 0, 0, 1),
        ("not MQL", "accepted"): (2, 400.0, 1, 0, 1, 0),
        ("not MQL", "rejected"): (1, 0.0, 0, 0, 0, 1),
        ("not MQL", "never worked"): (1, 0.0, 0, 0, 0, 1),
    }
    assert out["share"].to_list() == pytest.approx([2 / 9, 2 / 9, 1 / 9, 2 / 9, 1 / 9, 1 / 9])


def test_disagreement_cells_with_no_lead_are_six_empty_cells(verdicts_ws: Path) -> None:
    out = _run(verdicts_ws, "disagreement_cells", metrics.Filters(sources=["Nobody"]))
    assert out.height == 6
    assert out["leads"].to_list() == [0] * 6
    assert out["share"].to_list() == [None] * 6  # no lead: no share, not 0 %


@pytest.mark.parametrize(("f", "rf"), [(metrics.Filters(), RefFilters()), *SAMPLE_FILTERS])
def test_disagreement_cells_match_the_reference_on_the_sample(
    sample_workspace: Path, f: metrics.Filters, rf: RefFilters
) -> None:
    t = tables_from_workspace(str(sample_workspace))
    sql = _run(sample_workspace, "disagreement_cells", f)
    _compare(sql, disagreement_cells(t, SETTINGS, rf))
