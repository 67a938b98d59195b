"""Tests of ``handoff``: handoff from marketing to sales: MQLs handed off, accepted, rejected,
still pending (and past the SLA), time to each decision, and rejected leads that came back as
MQLs.

Hand-worked fixtures with the numbers written in the tests, and the SQL checked against
its independent Polars implementation ``tests/reference/handoff.py``;
the workspaces it shares with its family are described in ``tests/metrics/_handoff.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import tomllib
from pathlib import Path

import duckdb
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import metrics
from dashboard.errors import MissingInputsError
from dashboard.workspace import STAGE_ALIASES
from tests.builders import frame, small_crm, workspace_from_frames
from tests.metrics._handoff import _check, _compare, _lead, approx_row, run_metric, ts
from tests.reference._common import tables_with_history
from tests.reference.base import RefFilters
from tests.reference.handoff import MQL_STAGE_NAMES, handoff
from tests.reference.rejection_reasons import rejection_reasons

# --------------------------------------------------------------------------- hand-worked


def test_overall_row_counts_handoffs_decisions_pending_and_recycled(handoff_ws: Path) -> None:
    rows = run_metric(handoff_ws, "handoff")
    assert rows == [
        approx_row(
            {
                "dimension": None,
                "mqls": 10,  # every lead with an MQL date: not L6, L11, L13
                "handed_off": 10,  # L1-L9 and L12 (L6 without being an MQL)
                "mqls_handed_off": 9,
                "handoff_rate": 0.9,
                "accepted": 3,  # L1, L2 (by its SQL date), L3
                "acceptance_rate": 0.3,
                "rejected": 4,  # L3, L4, L5, L12; not L13 (never handed off)
                "rejection_rate": 0.4,
                "accepted_and_rejected": 1,  # L3
                "pending": 4,  # L6, L7, L8, L9
                "pending_past_sla": 2,  # L6, L8 (L7 waited exactly 24 h, L9 23 h 59)
                "median_hours_to_accept": 6.0,  # L1 3 h, L2 24 h, L3 6 h
                "median_hours_to_reject": 24.0,  # L3 48 h, L4 10 h, L12 24 h; L5 negative
                "recycled": 2,  # L5 (MQL date after rejection), L12 (stage history)
                "recycled_rate": 0.5,
            }
        )
    ]


def test_counts_reconcile_with_leads_both_accepted_and_rejected(handoff_ws: Path) -> None:
    (row,) = run_metric(handoff_ws, "handoff")
    assert (
        row["accepted"] + row["rejected"] - row["accepted_and_rejected"] + row["pending"]
        == row["handed_off"]
    )


def test_pending_lead_is_past_the_sla_only_after_exactly_sla_hours(handoff_ws: Path) -> None:
    # as_of is 03-01 00:00: L7 handed off 24 h before (not past), L8 24 h 01 min (past),
    # L9 23 h 59 min (not past), L6 on 01-20 (past)
    (row,) = run_metric(handoff_ws, "handoff", filters=metrics.Filters(sources=["Zalo OA"]))
    assert row["pending"] == 3
    assert row["pending_past_sla"] == 1
    (row,) = run_metric(
        handoff_ws,
        "handoff",
        overrides={"sla_hours": 24.0 + 1 / 60},
        filters=metrics.Filters(sources=["Zalo OA"]),
    )
    assert row["pending_past_sla"] == 0  # L8's 24 h 01 min is now exactly the SLA
    (row,) = run_metric(handoff_ws, "handoff", overrides={"sla_hours": 4})
    assert row["pending_past_sla"] == 4  # all four pending leads waited more than 4 h


def test_lead_handed_off_without_mql_counts_as_handed_off_but_not_in_handoff_rate(
    handoff_ws: Path,
) -> None:
    rows = run_metric(handoff_ws, "handoff", by="source")
    referral = next(r for r in rows if r["dimension"] == "Referral")
    # L4, L5 are MQLs and handed off; L6 handed off with no MQL date
    assert (referral["mqls"], referral["handed_off"], referral["mqls_handed_off"]) == (2, 3, 2)
    assert referral["handoff_rate"] == pytest.approx(1.0)
    assert referral["rejection_rate"] == pytest.approx(2 / 3)
    assert (referral["pending"], referral["pending_past_sla"]) == (1, 1)


def test_by_source_gives_one_sorted_row_per_source(handoff_ws: Path) -> None:
    rows = run_metric(handoff_ws, "handoff", by="source")
    assert [r["dimension"] for r in rows] == ["Facebook Ads", "Referral", "Zalo OA"]
    fb, ref, zalo = rows
    assert fb == approx_row(
        {
            "dimension": "Facebook Ads",
            "mqls": 2,
            "handed_off": 1,
            "mqls_handed_off": 1,
            "handoff_rate": 0.5,
            "accepted": 0,
            "acceptance_rate": 0.0,
            "rejected": 1,
            "rejection_rate": 1.0,
            "accepted_and_rejected": 0,
            "pending": 0,
            "pending_past_sla": 0,
            "median_hours_to_accept": None,
            "median_hours_to_reject": 24.0,
            "recycled": 1,
            "recycled_rate": 1.0,
        }
    )
    assert ref["median_hours_to_accept"] is None
    assert ref["median_hours_to_reject"] == pytest.approx(10.0)  # L4 only; L5 is negative
    assert (ref["recycled"], ref["recycled_rate"]) == (1, pytest.approx(0.5))
    assert zalo == approx_row(
        {
            "dimension": "Zalo OA",
            "mqls": 6,
            "handed_off": 6,
            "mqls_handed_off": 6,
            "handoff_rate": 1.0,
            "accepted": 3,
            "acceptance_rate": 0.5,
            "rejected": 1,
            "rejection_rate": 1 / 6,
            "accepted_and_rejected": 1,
            "pending": 3,
            "pending_past_sla": 1,
            "median_hours_to_accept": 6.0,
            "median_hours_to_reject": 48.0,
            "recycled": 0,
            "recycled_rate": 0.0,
        }
    )


def test_by_month_puts_leads_in_their_created_month_across_the_boundary(
    handoff_ws: Path,
) -> None:
    rows = run_metric(handoff_ws, "handoff", by="month")
    got = [
        (r["dimension"], r["mqls"], r["handed_off"], r["pending"], r["pending_past_sla"])
        for r in rows
    ]
    # L6 (created 01-31 23:59) is January; L7 (02-01 00:00) is February
    assert got == [("2025-01", 7, 7, 1, 1), ("2025-02", 3, 3, 3, 1), ("2025-03", 0, 0, 0, 0)]
    march = rows[2]
    assert march["handoff_rate"] is None and march["acceptance_rate"] is None
    assert march["recycled_rate"] is None


def test_recycled_needs_an_mql_after_the_rejection(handoff_ws: Path) -> None:
    # L4's stage-history MQL entry is before its rejection: not recycled
    (row,) = run_metric(handoff_ws, "handoff", filters=metrics.Filters(sources=["Referral"]))
    assert (row["rejected"], row["recycled"]) == (2, 1)  # L5 only


def test_empty_filter_gives_one_row_of_zeros_without_by_and_no_rows_with_by(
    handoff_ws: Path,
) -> None:
    empty = metrics.Filters(sources=["TikTok"])
    (row,) = run_metric(handoff_ws, "handoff", filters=empty)
    assert row["dimension"] is None
    assert row["mqls"] == row["handed_off"] == row["pending"] == row["recycled"] == 0
    assert row["handoff_rate"] is None and row["acceptance_rate"] is None
    assert row["median_hours_to_accept"] is None
    assert run_metric(handoff_ws, "handoff", filters=empty, by="source") == []
    assert run_metric(handoff_ws, "rejection_reasons", filters=empty) == []
    assert run_metric(handoff_ws, "rejection_reasons", filters=empty, by="source") == []


def test_single_lead_gives_a_single_row(tmp_path: Path) -> None:
    lead = _lead(
        "X1",
        "Referral",
        ts(1, 31, 23, 59),
        mql_at=ts(2, 1),
        owner="An",
        rejected_at=ts(2, 1, 2),
        rejection_reason="No need",
    )
    path = workspace_from_frames(tmp_path / "one.duckdb", {"leads": frame("leads", [lead])})
    (row,) = run_metric(path, "handoff", by="month")
    assert row["dimension"] == "2025-01"
    assert (row["mqls"], row["handed_off"], row["rejected"], row["pending"]) == (1, 1, 1, 0)
    assert row["median_hours_to_reject"] == pytest.approx(2.0)
    assert row["rejection_rate"] == pytest.approx(1.0)
    assert run_metric(path, "rejection_reasons", by="month") == [
        {
            "dimension": "2025-01",
            "rejection_reason": "No need",
            "rejected": 1,
            "share": 1.0,
            "share_of_all": 1.0,
            "rank": 1,
            "dimension_rejected": 1,
            "reason_rejected": 1,
        }
    ]


def test_missing_handoff_columns_raise_instead_of_zeros(tmp_path: Path) -> None:
    leads = frame("leads", [{"lead_id": "A", "created_at": ts(1, 1), "mql_at": ts(1, 2)}])
    path = workspace_from_frames(tmp_path / "w.duckdb", {"leads": leads})
    for name in ("handoff", "rejection_reasons"):
        with pytest.raises(MissingInputsError):
            run_metric(path, name)


def test_mql_stage_names_are_the_ones_the_loader_reads_as_mql() -> None:
    meta = tomllib.loads(metrics.get("handoff").path.with_suffix(".toml").read_text("utf-8"))
    assert tuple(meta["parameters"]["mql_stage_names"]) == STAGE_ALIASES["mql"]
    assert STAGE_ALIASES["mql"] == MQL_STAGE_NAMES


def test_fixture_matches_the_reference(handoff_ws: Path) -> None:
    for by in (None, "source", "month"):
        _check(("handoff",), handoff_ws, by=by)


@pytest.mark.parametrize("by", [None, "source", "month"])
def test_sample_matches_the_reference(sample_workspace: Path, by: str | None) -> None:
    _check(("handoff",), sample_workspace, by=by)


def test_sample_matches_the_reference_with_a_4_hour_sla_and_filters(
    sample_workspace: Path,
) -> None:
    _check(("handoff",), sample_workspace, by="owner", overrides={"sla_hours": 4})
    _check(
        ("handoff",),
        sample_workspace,
        by="month",
        overrides={"sla_hours": 4, "cohort_basis": "mql"},
        filters=metrics.Filters(
            date_from=dt.date(2026, 2, 1),
            date_to=dt.date(2026, 9, 30),
            sources=["Zalo OA", "Referral", "Purchased list"],
        ),
    )


@st.composite
def crm_with_history(draw: st.DrawFn) -> dict[str, pl.DataFrame]:
    """small_crm() plus extra rejections and a stage history with MQL entries.

    small_crm() only rejects leads handed off after an MQL date and never accepted; here
    some leads also get a rejection at a random time (accepted ones, not handed-off ones,
    ones rejected before their MQL date), with reasons that are blank or need trimming.
    """
    crm = draw(small_crm())
    leads = crm["leads"]
    ids = leads["lead_id"].to_list()
    extra = [
        draw(st.one_of(st.none(), st.integers(0, 60 * 24 * 100))) if draw(st.booleans()) else None
        for _ in ids
    ]
    reasons = [draw(st.sampled_from(["No budget", " Student ", "", None])) for _ in ids]
    rejected_at = [
        old if minutes is None else dt.datetime(2025, 1, 1) + dt.timedelta(minutes=minutes)
        for old, minutes in zip(leads["rejected_at"].to_list(), extra, strict=True)
    ]
    reason = [
        old if minutes is None else new
        for old, new, minutes in zip(
            leads["rejection_reason"].to_list(), reasons, extra, strict=True
        )
    ]
    crm["leads"] = leads.with_columns(
        pl.Series("rejected_at", rejected_at, dtype=leads["rejected_at"].dtype),
        pl.Series("rejection_reason", reason, dtype=pl.String),
    )
    rows = [
        {
            "lead_id": draw(st.sampled_from(ids)),
            "stage": draw(st.sampled_from(["MQL", "Marketing Qualified Lead", " mql ", "SQL"])),
            "entered_at": dt.datetime(2025, 1, 1)
            + dt.timedelta(minutes=draw(st.integers(0, 60 * 24 * 100))),
        }
        for _ in range(draw(st.integers(0, 6)))
    ]
    # the stage history's key is (lead_id, stage, entered_at)
    history = frame("stage_history", rows).unique(["lead_id", "stage", "entered_at"])
    return {**crm, "stage_history": history}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    crm=crm_with_history(),
    by=st.sampled_from([None, "source", "month", "owner"]),
    sla=st.sampled_from([0.0, 4.0, 24.0, 240.0]),
    threshold=st.sampled_from([0.0, 60.0]),
    basis=st.sampled_from(["created", "mql"]),
)
def test_random_data_matches_the_reference(crm, by, sla, threshold, basis) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = workspace_from_frames(Path(tmp) / "w.duckdb", crm)
        overrides = {"sla_hours": sla, "mql_score_threshold": threshold, "cohort_basis": basis}
        con = duckdb.connect(str(path), read_only=True)
        try:
            missing = {
                name: metrics.check_needs(con, metrics.get(name))
                for name in ("handoff", "rejection_reasons")
            }
        finally:
            con.close()
        t = tables_with_history(str(path))
        s = metrics.resolve_settings({}, overrides)
        for name, ref in (("handoff", handoff), ("rejection_reasons", rejection_reasons)):
            if missing[name]:
                with pytest.raises(MissingInputsError):
                    run_metric(path, name, by=by, overrides=overrides)
                continue
            rows = run_metric(path, name, by=by, overrides=overrides)
            _compare(rows, ref(t, s, RefFilters(), by))


# --------------------------------------------------------------------------- sample


def test_sample_zalo_oa_gets_a_third_of_mqls_but_over_half_of_rejections(
    sample_workspace: Path,
) -> None:
    rows = {r["dimension"]: r for r in run_metric(sample_workspace, "handoff", by="source")}
    zalo = rows["Zalo OA"]
    all_mqls = sum(r["mqls"] for r in rows.values())
    all_rejected = sum(r["rejected"] for r in rows.values())
    # sample_data/README.md: 30.2% of MQLs, 55.9% of rejections, 70.7% of its handoffs
    # rejected against 24.2% for the other sources
    assert zalo["mqls"] / all_mqls == pytest.approx(0.302, abs=0.001)
    assert zalo["rejected"] / all_rejected == pytest.approx(0.559, abs=0.001)
    assert zalo["rejection_rate"] == pytest.approx(0.707, abs=0.001)
    others_rejected = all_rejected - zalo["rejected"]
    others_handed = sum(r["handed_off"] for r in rows.values()) - zalo["handed_off"]
    assert others_rejected / others_handed == pytest.approx(0.242, abs=0.001)
    assert max(rows.values(), key=lambda r: r["rejection_rate"])["dimension"] == "Zalo OA"


def test_sample_headline_matches_the_documented_funnel(sample_workspace: Path) -> None:
    (row,) = run_metric(sample_workspace, "handoff")
    # README: 8,515 MQLs -> 8,164 handed off -> 4,625 accepted, 3,120 rejected, 419 pending
    assert (row["mqls"], row["handed_off"]) == (8515, 8164)
    assert (row["accepted"], row["rejected"], row["pending"]) == (4625, 3120, 419)
    assert row["accepted_and_rejected"] == 0


def test_cli_prints_handoff_by_source_with_a_4_hour_sla_as_json(run, sample_workspace) -> None:
    r = run(
        "metric",
        "handoff",
        "-w",
        sample_workspace,
        "--by",
        "source",
        "--set",
        "sla_hours=4",
        "--format",
        "json",
    )
    assert r.code == 0, r.err
    rows = json.loads(r.out)
    assert len(rows) == 8
    assert list(rows[0]) == list(metrics.get("handoff").columns)
    assert sum(row["pending_past_sla"] for row in rows) <= sum(row["pending"] for row in rows)
