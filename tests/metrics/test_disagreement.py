"""Tests of ``disagreement``: agreement between marketing's verdict (MQL or not) and sales's
verdict (accepted or rejected) on the leads both judged, with Cohen's kappa, and the costly
disagreements: MQLs never worked, false rejections and missed leads.

Hand-worked fixtures with the numbers written in the tests, and the SQL checked against
its independent Polars implementation ``tests/reference/disagreement.py``;
the workspaces it shares with its family are described in ``tests/metrics/_quality.py``.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import metrics
from tests.builders import small_crm, workspace_from_frames
from tests.metrics._quality import QUALITY, _check_all, rows, run


def test_agreement_and_kappa_worked_by_hand(verdicts_ws: Path) -> None:
    # judged: a = MQL&accepted {L1, L8} = 2, b = MQL&rejected {L2, L3} = 2,
    # c = not MQL&accepted {L5 by its deal, L7} = 2, d = not MQL&rejected {L6} = 1; n = 7
    # p_o = 3/7; p_e = (4/7)(4/7) + (3/7)(3/7) = 25/49; kappa = (21/49 - 25/49) / (24/49)
    [r] = rows(run(verdicts_ws, "disagreement"))
    assert r == {
        "dimension": None,
        "leads_judged": 7,
        "agree_qualified": 2,
        "agree_unqualified": 1,
        "mql_rejected": 2,
        "non_mql_accepted": 2,
        "agreement_rate": pytest.approx(3 / 7),
        "cohens_kappa": pytest.approx(-1 / 6),
        # pi = (4/7 + 4/7) / 2 = 4/7; chance = 2 (4/7)(3/7) = 24/49;
        # AC1 = (21/49 - 24/49) / (25/49) = -3/25; PABAK = 2 (3/7) - 1 = -1/7
        "gwet_ac1": pytest.approx(-3 / 25),
        "pabak": pytest.approx(-1 / 7),
        "never_worked_mqls": 1,
        "false_rejections": 1,
        "false_rejection_revenue": 200.0,
        "missed_leads": 1,
        "missed_revenue": 400.0,
    }


def test_non_mql_taken_to_a_deal_counts_as_accepted_by_sales(verdicts_ws: Path) -> None:
    # only L5 (source Zalo, no verdict dates, a won deal) and L2 are Zalo
    [r] = rows(run(verdicts_ws, "disagreement", filters=metrics.Filters(sources=["Zalo"])))
    assert (r["leads_judged"], r["non_mql_accepted"], r["mql_rejected"]) == (2, 1, 1)
    # a = d = 0: p_o = 0, p_e = (1/2)(1/2) + (1/2)(1/2) = 1/2, kappa = -1
    assert r["agreement_rate"] == 0.0
    assert r["cohens_kappa"] == pytest.approx(-1.0)


def test_month_boundary_at_midnight_utc_splits_the_cohorts(verdicts_ws: Path) -> None:
    out = rows(run(verdicts_ws, "disagreement", by="month"))
    assert [r["dimension"] for r in out] == ["2025-01", "2025-02"]
    jan, feb = out
    # January: L6 (created 23:59 on the 31st) is in; a=2, b=2, c=1 (L5), d=1 (L6), n=6
    # p_o = 1/2, p_e = (4/6)(3/6) + (2/6)(3/6) = 1/2, kappa = 0
    assert (jan["leads_judged"], jan["agree_unqualified"], jan["non_mql_accepted"]) == (6, 1, 1)
    assert jan["agreement_rate"] == pytest.approx(0.5)
    assert jan["cohens_kappa"] == pytest.approx(0.0)
    # February: only L7 (created 00:00 on the 1st): not MQL, accepted. p_o = 0, p_e = 0
    assert (feb["leads_judged"], feb["non_mql_accepted"]) == (1, 1)
    assert feb["agreement_rate"] == 0.0
    assert feb["cohens_kappa"] == pytest.approx(0.0)


def test_kappa_is_one_for_perfect_agreement_and_empty_when_chance_explains_all(
    kappa_ws: Path,
) -> None:
    out = {r["dimension"]: r for r in rows(run(kappa_ws, "disagreement", by="source"))}
    assert list(out) == ["Constant", "Opposite", "Perfect", "Same", "Unworked"]
    # Perfect: p_o = 1, p_e = 1/2 -> 1
    assert (out["Perfect"]["agreement_rate"], out["Perfect"]["cohens_kappa"]) == (1.0, 1.0)
    # Same: both always say yes: p_o = 1 and p_e = 1 -> kappa undefined; AC1's chance
    # 2 pi (1 - pi) is 0 with pi = 1, so AC1 = 1: full agreement reads as full agreement
    assert out["Same"]["agreement_rate"] == 1.0
    assert out["Same"]["cohens_kappa"] is None
    assert (out["Same"]["gwet_ac1"], out["Same"]["pabak"]) == (1.0, 1.0)
    # Constant: marketing always says MQL: p_o = 2/3 = p_e -> kappa 0 (no information)
    assert out["Constant"]["agreement_rate"] == pytest.approx(2 / 3)
    assert out["Constant"]["cohens_kappa"] == pytest.approx(0.0)
    # a = 2, b = 1, c = d = 0: pi = (3/3 + 2/3) / 2 = 5/6, chance = 2 (5/6)(1/6) = 5/18,
    # AC1 = (2/3 - 5/18) / (13/18) = 7/13; PABAK = 2 (2/3) - 1 = 1/3
    assert out["Constant"]["gwet_ac1"] == pytest.approx(7 / 13)
    assert out["Constant"]["pabak"] == pytest.approx(1 / 3)
    # Opposite: always disagree: p_o = 0, p_e = 1/2 -> -1
    assert out["Opposite"]["cohens_kappa"] == pytest.approx(-1.0)
    # Unworked: nobody judged -> rates empty, the MQL is a never-worked MQL
    assert out["Unworked"]["leads_judged"] == 0
    assert out["Unworked"]["agreement_rate"] is None
    assert out["Unworked"]["cohens_kappa"] is None
    assert out["Unworked"]["gwet_ac1"] is None and out["Unworked"]["pabak"] is None
    assert out["Unworked"]["never_worked_mqls"] == 1


def test_empty_filter_gives_zero_rows_for_lists_and_zeros_for_tables(verdicts_ws: Path) -> None:
    none = metrics.Filters(sources=["no such source"])
    matrix = run(verdicts_ws, "disagreement_matrix", filters=none)
    assert matrix.height == 24
    assert matrix["leads"].sum() == 0
    assert matrix["share"].null_count() == 24
    [r] = rows(run(verdicts_ws, "disagreement", filters=none))
    assert (r["leads_judged"], r["agreement_rate"], r["cohens_kappa"]) == (0, None, None)
    assert run(verdicts_ws, "disagreement", filters=none, by="source").height == 0
    assert run(verdicts_ws, "false_rejections", filters=none).height == 0
    assert run(verdicts_ws, "missed_leads", filters=none).height == 0
    cal = run(verdicts_ws, "score_calibration", filters=none)
    assert cal["leads"].to_list() == [0] * 10
    assert cal["auc_sql"].null_count() == 10
    what = run(verdicts_ws, "threshold_whatif", filters=none)
    assert what["leads_sent"].sum() == 0
    assert what["leads_per_rep_week"].null_count() == what.height


def test_toml_columns_are_exactly_the_sql_output(verdicts_ws: Path) -> None:
    for name in ("disagreement",):
        out = run(verdicts_ws, name)
        assert out.columns == list(metrics.get(name).columns), name


def test_sql_matches_reference_on_the_sample(sample_workspace: Path) -> None:
    _check_all(("disagreement",), sample_workspace)


def test_sql_matches_reference_on_the_sample_by_source(sample_workspace: Path) -> None:
    _check_all(("disagreement",), sample_workspace, by="source")


def test_sql_matches_reference_on_the_sample_by_month_with_filters(sample_workspace: Path) -> None:
    f = metrics.Filters(
        date_from=dt.date(2026, 1, 1),
        date_to=dt.date(2026, 6, 30),
        sources=["Zalo OA", "Purchased list", "Referral"],
    )
    _check_all(("disagreement",), sample_workspace, {"currency": "VND"}, f, by="month", step=7.5)


def test_sql_matches_reference_on_the_sample_with_mql_cohorts(sample_workspace: Path) -> None:
    f = metrics.Filters(owners=["Vũ Thị Lan", "Đỗ Quang Huy", "Nguyễn Văn An"])
    _check_all(
        ("disagreement",), sample_workspace, {"cohort_basis": "mql", "mql_score_threshold": 62}, f
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    crm=small_crm(),
    threshold=st.sampled_from([0.0, 50.0, 60.0, 101.0]),
    basis=st.sampled_from(["created", "mql"]),
    by=st.sampled_from([None, "source", "month", "owner"]),
    step=st.sampled_from([5.0, 12.5, 30.0]),
)
def test_sql_matches_reference_on_random_data(crm, threshold, basis, by, step) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = workspace_from_frames(Path(tmp) / "w.duckdb", crm)
        overrides = {"mql_score_threshold": threshold, "cohort_basis": basis}
        _check_all(QUALITY, path, overrides, by=by, step=step)


def test_sample_score_predicts_sql_and_kappa_is_near_zero(sample_workspace: Path) -> None:
    cal = run(sample_workspace, "score_calibration")
    assert cal["auc_sql"][0] > 0.8
    assert cal["sql_rate"][9] > cal["sql_rate"][0]
    # sales sees almost only MQLs, so marketing's verdict carries little information
    [r] = rows(run(sample_workspace, "disagreement"))
    assert r["agree_unqualified"] == 0
    assert -0.1 < r["cohens_kappa"] <= 0
