"""Tests of ``disagreement_matrix``: every lead placed by marketing's verdict (MQL or not), sales's
verdict (accepted, rejected, never worked) and the outcome (won, open, lost, no deal), with the
won revenue in each cell.

Hand-worked fixtures with the numbers written in the tests, and the SQL checked against
its independent Polars implementation ``tests/reference/disagreement_matrix.py``;
the workspaces it shares with its family are described in ``tests/metrics/_quality.py``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from dashboard import metrics
from tests.metrics._quality import _check_all, rows, run


def test_matrix_has_all_24_cells_in_fixed_order_with_zeros(verdicts_ws: Path) -> None:
    out = run(verdicts_ws, "disagreement_matrix")
    assert out.height == 24
    keys = [(r["marketing_verdict"], r["sales_verdict"], r["outcome"]) for r in rows(out)]
    assert keys[:4] == [
        ("MQL", "accepted", "won"),
        ("MQL", "accepted", "open"),
        ("MQL", "accepted", "lost"),
        ("MQL", "accepted", "no deal"),
    ]
    assert keys[-1] == ("not MQL", "never worked", "no deal")
    nonzero = {
        (r["marketing_verdict"], r["sales_verdict"], r["outcome"]): (r["leads"], r["won_revenue"])
        for r in rows(out)
        if r["leads"]
    }
    assert nonzero == {
        ("MQL", "accepted", "won"): (1, 100.0),
        ("MQL", "accepted", "open"): (1, 0.0),
        ("MQL", "rejected", "won"): (2, 550.0),  # L2 250 (both wins) + L3 300
        ("MQL", "never worked", "no deal"): (1, 0.0),
        ("not MQL", "accepted", "lost"): (1, 0.0),
        ("not MQL", "rejected", "no deal"): (1, 0.0),
        # a deal without an accept date is sales accepting the lead; USD is left out
        ("not MQL", "accepted", "won"): (1, 400.0),
        ("not MQL", "never worked", "no deal"): (1, 0.0),
    }
    assert out["share"].sum() == pytest.approx(1.0)
    assert out.filter(pl.col("outcome") == "won", pl.col("sales_verdict") == "rejected")[
        "share"
    ].to_list() == [pytest.approx(2 / 9), 0.0]


def test_toml_columns_are_exactly_the_sql_output(verdicts_ws: Path) -> None:
    for name in ("disagreement_matrix",):
        out = run(verdicts_ws, name)
        assert out.columns == list(metrics.get(name).columns), name


def test_sql_matches_reference_on_the_sample(sample_workspace: Path) -> None:
    _check_all(("disagreement_matrix",), sample_workspace)


def test_sql_matches_reference_on_the_sample_by_source(sample_workspace: Path) -> None:
    _check_all(("disagreement_matrix",), sample_workspace, by="source")


def test_sql_matches_reference_on_the_sample_by_month_with_filters(sample_workspace: Path) -> None:
    f = metrics.Filters(
        date_from=dt.date(2026, 1, 1),
        date_to=dt.date(2026, 6, 30),
        sources=["Zalo OA", "Purchased list", "Referral"],
    )
    _check_all(
        ("disagreement_matrix",), sample_workspace, {"currency": "VND"}, f, by="month", step=7.5
    )


def test_sql_matches_reference_on_the_sample_with_mql_cohorts(sample_workspace: Path) -> None:
    f = metrics.Filters(owners=["Vũ Thị Lan", "Đỗ Quang Huy", "Nguyễn Văn An"])
    _check_all(
        ("disagreement_matrix",),
        sample_workspace,
        {"cohort_basis": "mql", "mql_score_threshold": 62},
        f,
    )
