"""Tests of ``funnel_cohort``: cohort table of the forward funnel: for each month's leads, how many
reached each stage (lead → MQL → handed off → accepted → SQL → opportunity → won), with a flag
on months too recent for a stage to have filled.

Hand-worked fixtures with the numbers written in the tests, and the SQL checked against
its independent Polars implementation ``tests/reference/funnel_cohort.py``;
the workspaces it shares with its family are described in ``tests/metrics/_funnel.py``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from dashboard import metrics
from tests.builders import frame, workspace_from_frames
from tests.metrics._funnel import HCM, SETTINGS, D, _approx, _col, _compare, _run
from tests.reference.funnel_cohort import funnel_cohort


def test_funnel_cohort_splits_months_at_midnight_utc(funnel_ws: Path) -> None:
    df = _run(funnel_ws, "funnel_cohort")
    assert _col(df, "cohort_month") == [dt.date(2025, 1, 1)] * 7 + [dt.date(2025, 2, 1)] * 7
    assert _col(df, "stage_order") == [1, 2, 3, 4, 5, 6, 7] * 2
    jan = df.filter(pl.col("cohort_month") == dt.date(2025, 1, 1))
    feb = df.filter(pl.col("cohort_month") == dt.date(2025, 2, 1))
    assert _col(jan, "count") == [3, 2, 2, 3, 2, 2, 1]
    assert _approx(_col(jan, "rate_from_first"), [1, 2 / 3, 2 / 3, 1, 2 / 3, 2 / 3, 1 / 3])
    assert _col(feb, "count") == [2, 1, 1, 0, 0, 0, 0]
    assert _approx(_col(feb, "rate_from_first"), [1, 0.5, 0.5, 0, 0, 0, 0])


def test_funnel_cohort_maturity_is_the_90th_percentile_days_to_each_stage(
    funnel_ws: Path,
) -> None:
    df = _run(funnel_ws, "funnel_cohort")
    # days from creation to each stage, 90th percentile with linear interpolation:
    # MQL [1/24, 0.5, 1] → 0.5 + 0.8 × 0.5 = 0.9; handoff [0.125, 0.5, 2] → 1.7;
    # accepted [1.125, 4, 10] → 8.8; SQL [3.125, 10] → 3.125 + 0.9 × 6.875 = 9.3125;
    # deal [4.125, 15] → 13.9125; won [14.125]
    expected = [0.0, 0.9, 1.7, 8.8, 9.3125, 13.9125, 14.125]
    assert _approx(_col(df, "maturity_days"), expected * 2)
    # now = 2025-03-10 00:00, 9 days after February ends, 37 after January ends
    jan = df.filter(pl.col("cohort_month") == dt.date(2025, 1, 1))
    feb = df.filter(pl.col("cohort_month") == dt.date(2025, 2, 1))
    assert _col(jan, "is_maturing") == [False] * 7
    assert _col(feb, "is_maturing") == [False, False, False, False, True, True, True]


def test_funnel_cohort_on_mql_date_drops_leads_that_never_became_mqls(funnel_ws: Path) -> None:
    df = _run(funnel_ws, "funnel_cohort", s={"cohort_basis": "mql"})
    jan = df.filter(pl.col("cohort_month") == dt.date(2025, 1, 1))
    feb = df.filter(pl.col("cohort_month") == dt.date(2025, 2, 1))
    # L5 became an MQL in January; L1 (created 31 January) and L2 in February
    assert _col(jan, "count") == [1, 1, 1, 1, 0, 0, 0]
    assert _col(feb, "count") == [2, 2, 2, 1, 1, 1, 1]
    assert df.height == 14


def test_funnel_cohort_with_no_leads_has_no_rows(funnel_ws: Path) -> None:
    df = _run(funnel_ws, "funnel_cohort", f=metrics.Filters(sources=["Nobody"]))
    assert df.is_empty()
    assert df.columns == list(metrics.get("funnel_cohort").columns)


def test_funnel_cohort_fills_a_month_with_no_leads(tmp_path: Path) -> None:
    leads = frame(
        "leads",
        [
            {"lead_id": "A", "created_at": D(2025, 1, 5)},
            {"lead_id": "B", "created_at": D(2025, 3, 5)},
        ],
    )
    path = workspace_from_frames(tmp_path / "w.duckdb", {"leads": leads})
    df = _run(path, "funnel_cohort")
    feb = df.filter(pl.col("cohort_month") == dt.date(2025, 2, 1))
    assert _col(feb, "count") == [0] * 7
    assert _col(feb, "rate_from_first") == [None] * 7
    assert df.height == 21


def test_funnel_cohort_matches_the_reference_on_the_sample(
    sample_workspace: Path, sample_tables: dict[str, pl.DataFrame]
) -> None:
    _compare(_run(sample_workspace, "funnel_cohort"), funnel_cohort(sample_tables, SETTINGS))


def test_sample_cohort_shows_the_tet_dip(sample_workspace: Path) -> None:
    df = _run(sample_workspace, "funnel_cohort").filter(pl.col("stage") == "lead")
    leads = dict(zip(_col(df, "cohort_month"), _col(df, "count"), strict=True))
    assert leads[dt.date(2026, 1, 1)] == 1_722
    assert leads[dt.date(2026, 2, 1)] == 1_127
    assert leads[dt.date(2026, 3, 1)] == 1_662
    assert len(leads) == 12
    # the export ends on 31 October 2026: that month's won stage is still filling
    last = _run(sample_workspace, "funnel_cohort").filter(
        pl.col("cohort_month") == dt.date(2026, 10, 1)
    )
    assert _col(last, "is_maturing") == [True] * 7


def _leads_per_month(df: pl.DataFrame) -> dict[dt.date, int]:
    first = df.filter(pl.col("stage_order") == 1)
    return dict(zip(_col(first, "cohort_month"), _col(first, "count"), strict=True))


def test_cohort_months_are_cut_at_midnight_in_the_data_time_zone(funnel_tz_ws: Path) -> None:
    utc = _leads_per_month(_run(funnel_tz_ws, "funnel_cohort"))
    assert utc == {dt.date(2026, 2, 1): 2, dt.date(2026, 3, 1): 1}
    hcm = _leads_per_month(_run(funnel_tz_ws, "funnel_cohort", s=HCM))
    assert hcm == {dt.date(2026, 2, 1): 1, dt.date(2026, 3, 1): 1, dt.date(2026, 4, 1): 1}
    by_month = _run(funnel_tz_ws, "funnel", s=HCM, by="month").filter(pl.col("stage") == "lead")
    assert dict(zip(_col(by_month, "dimension"), _col(by_month, "count"), strict=True)) == {
        "2026-02": 1,
        "2026-03": 1,
        "2026-04": 1,
    }
