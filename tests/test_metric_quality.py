"""Lead-quality metrics: disagreement matrix, agreement and kappa, false rejections, missed
leads, score calibration and the threshold what-if.

Hand-worked fixtures carry expected numbers worked out on paper; the sample workspace and
random ``small_crm`` data are compared with the Polars reference in
``tests/reference/quality.py``.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import metrics
from tests.builders import frame, small_crm, workspace_from_frames
from tests.reference import quality as ref
from tests.reference.base import RefFilters, tables_from_workspace

SETTINGS = metrics.resolve_settings({}, None)
QUALITY = (
    "disagreement_matrix",
    "disagreement",
    "false_rejections",
    "missed_leads",
    "score_calibration",
    "threshold_whatif",
)


def D(day: str, hm: str = "00:00") -> dt.datetime:
    """A naive UTC timestamp from 'YYYY-MM-DD' and 'HH:MM'."""
    return dt.datetime.fromisoformat(f"{day}T{hm}")


def run(
    path: Path,
    name: str,
    *,
    overrides: dict[str, Any] | None = None,
    filters: metrics.Filters | None = None,
    by: str | None = None,
    parameters: dict[str, Any] | None = None,
) -> pl.DataFrame:
    """Run a metric on a workspace file and return its rows."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return metrics.run(
            con,
            name,
            settings=metrics.resolve_settings({}, overrides),
            filters=filters,
            by=by,
            parameters=parameters,
        ).frame
    finally:
        con.close()


def rows(df: pl.DataFrame) -> list[dict[str, Any]]:
    return df.to_dicts()


# --------------------------------------------------------------------------------------
# Hand-worked fixture: nine leads covering every verdict, several deals per lead, a deal in
# another currency, a deal with no lead, and a month boundary.
#
#   lead  MQL  sales verdict       deals                                    notes
#   L1    yes  accepted + SQL      D1 won 100 (closed 02-01)                agree_qualified
#   L2    yes  rejected 01-10 12h  D2 won 200 closed 03-01, D3 won 50       false rejection
#                                  closed 01-05 (before the rejection)      (200 after it)
#   L3    yes  rejected 01-20      D4 won 300 closed 01-15 (before)         not a false rej.
#   L4    yes  never worked        -                                        never-worked MQL
#   L5    no   accepted (deal)     D5 won 400 VND 04-01, D9 won 5 USD       missed; judged
#                                  05-01                                    accepted (deal)
#   L6    no   rejected            -      (created 2025-01-31 23:59)        agree_unqualified
#   L7    no   accepted            D6 lost (created 2025-02-01 00:00)       non_mql_accepted
#   L8    yes  accepted            D7 open                                  agree_qualified
#   L9    no   never worked        -                                        not judged
#   D8 has no lead (won 999): counted nowhere.
# --------------------------------------------------------------------------------------


def _lead(lead_id: str, created: dt.datetime, mql: bool, source: str = "Web", **kw) -> dict:
    out = {
        "lead_id": lead_id,
        "created_at": created,
        "source": source,
        "campaign": "c1",
        "owner": "An",
        "lead_score": 70.0 if mql else 40.0,
        "mql_at": created + dt.timedelta(hours=1) if mql else None,
    }
    out.update(kw)
    return out


def _deal(deal_id: str, lead_id: str | None, state: str, amount: float, closed: str | None, **kw):
    out = {
        "deal_id": deal_id,
        "lead_id": lead_id,
        "created_at": D("2025-01-02"),
        "is_won": state == "won",
        "is_closed": state != "open",
        "closed_at": D(closed) if closed else None,
        "amount": amount,
        "currency": "VND",
        "stage": state,
    }
    out.update(kw)
    return out


@pytest.fixture(scope="module")
def verdicts_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    jan = D("2025-01-03", "09:00")
    leads = [
        _lead("L1", jan, True, accepted_at=D("2025-01-04"), sql_at=D("2025-01-05")),
        _lead(
            "L2",
            jan,
            True,
            source="Zalo",
            rejected_at=D("2025-01-10", "12:00"),
            rejection_reason="No budget",
        ),
        _lead("L3", jan, True, rejected_at=D("2025-01-20"), rejection_reason="Bad timing"),
        _lead("L4", jan, True),
        _lead("L5", jan, False, source="Zalo"),
        _lead("L6", D("2025-01-31", "23:59"), False, rejected_at=D("2025-02-02")),
        _lead("L7", D("2025-02-01", "00:00"), False, accepted_at=D("2025-02-02")),
        _lead("L8", jan, True, accepted_at=D("2025-01-04")),
        _lead("L9", jan, False),
    ]
    deals = [
        _deal("D1", "L1", "won", 100.0, "2025-02-01"),
        _deal("D2", "L2", "won", 200.0, "2025-03-01", created_at=D("2025-02-01")),
        _deal("D3", "L2", "won", 50.0, "2025-01-05"),
        _deal("D4", "L3", "won", 300.0, "2025-01-15"),
        _deal("D5", "L5", "won", 400.0, "2025-04-01"),
        _deal("D9", "L5", "won", 5.0, "2025-05-01", currency="USD"),
        _deal("D6", "L7", "lost", 70.0, "2025-03-01"),
        _deal("D7", "L8", "open", 80.0, None),
        _deal("D8", None, "won", 999.0, "2025-02-01"),
    ]
    path = tmp_path_factory.mktemp("verdicts") / "w.duckdb"
    return workspace_from_frames(
        path, {"leads": frame("leads", leads), "deals": frame("deals", deals)}
    )


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


def test_rejected_mql_that_later_won_counts_as_false_rejection(verdicts_ws: Path) -> None:
    out = rows(run(verdicts_ws, "false_rejections"))
    # L3's only win closed before its rejection: not a false rejection
    assert out == [
        {
            "lead_id": "L2",
            "source": "Zalo",
            "campaign": "c1",
            "owner": "An",
            "lead_score": 70.0,
            "rejected_at": D("2025-01-10", "12:00"),
            "rejection_reason": "No budget",
            "first_won_at": D("2025-03-01"),
            "won_revenue": 200.0,  # D3 (50) won before the rejection and is left out
            # 2025-01-10 12:00 -> 2025-03-01 00:00 = 21.5 + 28 days
            "days_rejected_to_won": pytest.approx(49.5),
        }
    ]


def test_non_mql_with_a_won_deal_is_a_missed_lead(verdicts_ws: Path) -> None:
    out = rows(run(verdicts_ws, "missed_leads"))
    assert out == [
        {
            "lead_id": "L5",
            "source": "Zalo",
            "campaign": "c1",
            "owner": "An",
            "lead_score": 40.0,
            "created_at": D("2025-01-03", "09:00"),
            "first_won_at": D("2025-04-01"),
            "won_revenue": 400.0,
        }
    ]


def test_win_at_the_rejection_moment_is_not_later_but_a_win_without_close_date_is(
    tmp_path: Path,
) -> None:
    leads = [
        _lead("R1", D("2025-01-01"), True, rejected_at=D("2025-03-01")),
        _lead("R2", D("2025-01-01"), True, rejected_at=D("2025-03-01")),
        _lead("R3", D("2025-01-01"), True, rejected_at=D("2025-03-01")),
    ]
    deals = [
        _deal("E1", "R1", "won", 10.0, "2025-03-01"),  # same instant: not after
        _deal("E2", "R2", "won", 20.0, None, created_at=D("2025-03-02")),  # no close date
        _deal("E3", "R3", "won", 30.0, "2025-02-28", created_at=D("2025-02-01")),
        _deal("E4", "R3", "won", 40.0, "2025-03-05", created_at=D("2025-02-01")),
        _deal("E5", "R3", "won", 50.0, "2025-03-04", created_at=D("2025-02-01")),
    ]
    path = workspace_from_frames(
        tmp_path / "w.duckdb", {"leads": frame("leads", leads), "deals": frame("deals", deals)}
    )
    out = run(path, "false_rejections").select("lead_id", "first_won_at", "won_revenue")
    # R3: a deal created before the rejection but won after it counts; E3 (won before) not
    assert rows(out) == [
        {"lead_id": "R3", "first_won_at": D("2025-03-04"), "won_revenue": 90.0},
        {"lead_id": "R2", "first_won_at": D("2025-03-02"), "won_revenue": 20.0},
    ]
    [r] = rows(run(path, "disagreement"))
    assert (r["false_rejections"], r["false_rejection_revenue"]) == (2, 110.0)


@pytest.fixture(scope="module")
def kappa_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = D("2025-01-05")
    acc = {"accepted_at": D("2025-01-06")}
    rej = {"rejected_at": D("2025-01-06")}
    leads = [
        _lead("P1", d, True, source="Perfect", **acc),
        _lead("P2", d, False, source="Perfect", **rej),
        _lead("S1", d, True, source="Same", **acc),
        _lead("S2", d, True, source="Same", **acc),
        _lead("C1", d, True, source="Constant", **acc),
        _lead("C2", d, True, source="Constant", **acc),
        _lead("C3", d, True, source="Constant", **rej),
        _lead("O1", d, True, source="Opposite", **rej),
        _lead("O2", d, False, source="Opposite", **acc),
        _lead("N1", d, True, source="Unworked"),
    ]
    path = tmp_path_factory.mktemp("kappa") / "w.duckdb"
    return workspace_from_frames(path, {"leads": frame("leads", leads)})


def test_kappa_is_one_for_perfect_agreement_and_empty_when_chance_explains_all(
    kappa_ws: Path,
) -> None:
    out = {r["dimension"]: r for r in rows(run(kappa_ws, "disagreement", by="source"))}
    assert list(out) == ["Constant", "Opposite", "Perfect", "Same", "Unworked"]
    # Perfect: p_o = 1, p_e = 1/2 -> 1
    assert (out["Perfect"]["agreement_rate"], out["Perfect"]["cohens_kappa"]) == (1.0, 1.0)
    # Same: both always say yes: p_o = 1 and p_e = 1 -> kappa undefined
    assert out["Same"]["agreement_rate"] == 1.0
    assert out["Same"]["cohens_kappa"] is None
    # Constant: marketing always says MQL: p_o = 2/3 = p_e -> kappa 0 (no information)
    assert out["Constant"]["agreement_rate"] == pytest.approx(2 / 3)
    assert out["Constant"]["cohens_kappa"] == pytest.approx(0.0)
    # Opposite: always disagree: p_o = 0, p_e = 1/2 -> -1
    assert out["Opposite"]["cohens_kappa"] == pytest.approx(-1.0)
    # Unworked: nobody judged -> rates empty, the MQL is a never-worked MQL
    assert out["Unworked"]["leads_judged"] == 0
    assert out["Unworked"]["agreement_rate"] is None
    assert out["Unworked"]["cohens_kappa"] is None
    assert out["Unworked"]["never_worked_mqls"] == 1


@pytest.fixture(scope="module")
def scores_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Scores without MQL dates (the threshold decides), owners, and an unscored lead.

    S1 10 won 100 (An, handed off) | S2 20 SQL (Bich, handed off) | S3 20 (An, not handed
    off) | S4 30 SQL won 300 (no owner) | S5 unscored (Minh). Created 01-01 .. 01-29.
    """
    leads = [
        {"lead_id": "S1", "created_at": D("2025-01-01"), "lead_score": 10.0, "owner": "An",
         "handed_off_at": D("2025-01-02"), "source": "Fixture"},
        {"lead_id": "S2", "created_at": D("2025-01-10"), "lead_score": 20.0, "owner": "Bich",
         "handed_off_at": D("2025-01-11"), "sql_at": D("2025-01-12"), "source": "Fixture"},
        {"lead_id": "S3", "created_at": D("2025-01-12"), "lead_score": 20.0, "owner": "An",
         "source": "Fixture"},
        {"lead_id": "S4", "created_at": D("2025-01-29"), "lead_score": 30.0,
         "sql_at": D("2025-02-01"), "source": "Fixture"},
        {"lead_id": "S5", "created_at": D("2025-01-15"), "owner": "Minh", "source": "Fixture"},
        # AUC special cases, reached with a source filter
        {"lead_id": "T1", "created_at": D("2025-01-01"), "lead_score": 50.0, "source": "Tied",
         "sql_at": D("2025-01-02")},
        {"lead_id": "T2", "created_at": D("2025-01-01"), "lead_score": 50.0, "source": "Tied"},
        {"lead_id": "P1", "created_at": D("2025-01-01"), "lead_score": 90.0, "source": "Perfect",
         "sql_at": D("2025-01-02")},
        {"lead_id": "P2", "created_at": D("2025-01-01"), "lead_score": 10.0, "source": "Perfect"},
        {"lead_id": "O1", "created_at": D("2025-01-01"), "lead_score": 10.0, "source": "One",
         "sql_at": D("2025-01-02")},
    ]  # fmt: skip
    # 25 leads with many ties: 5 at 40, 15 at 50 (every third an SQL), 5 at 70
    leads += [
        {"lead_id": f"E{i:02d}", "created_at": D("2025-01-01"),
         "lead_score": 40.0 if i < 5 else 50.0 if i < 20 else 70.0, "source": "Ties",
         "sql_at": D("2025-01-05") if 5 <= i < 20 and i % 3 == 0 else None}
        for i in range(25)
    ]  # fmt: skip
    # twelve leads scored 1..12 (ids out of score order) to check the decile cut
    leads += [
        {"lead_id": f"N{13 - i:02d}", "created_at": D("2025-01-01"), "lead_score": float(i),
         "source": "Twelve"}
        for i in range(1, 13)
    ]  # fmt: skip
    deals = [
        _deal("W1", "S1", "won", 100.0, "2025-02-01"),
        _deal("W2", "S4", "won", 300.0, "2025-02-10"),
        _deal("W3", "S4", "lost", 999.0, "2025-02-10"),
    ]
    path = tmp_path_factory.mktemp("scores") / "w.duckdb"
    return workspace_from_frames(
        path, {"leads": frame("leads", leads), "deals": frame("deals", deals)}
    )


FIXTURE = metrics.Filters(sources=["Fixture"])


def test_auc_counts_ties_as_half_and_deciles_keep_tied_scores_together(scores_ws: Path) -> None:
    out = run(scores_ws, "score_calibration", filters=FIXTURE)
    assert out.height == 10
    # SQL: positives 20, 30; negatives 10, 20: pairs 1 + 1/2 + 1 + 1 = 3.5 of 4
    assert out["auc_sql"].to_list() == [pytest.approx(0.875)] * 10
    # won: positives 10 and 30; negatives 20, 20: 0 + 0 + 1 + 1 = 2 of 4
    assert out["auc_won"].to_list() == [pytest.approx(0.5)] * 10
    assert out["unscored_leads"].to_list() == [1] * 10
    assert out["scored_leads"].to_list() == [4] * 10
    # four scored leads 10, 20, 20, 30: one row per decile, except that the two leads at
    # the tied score 20 (S2, S3) share decile 2 and decile 3 stays empty
    first = out.head(4).select("decile", "min_score", "leads", "sqls", "won", "won_revenue")
    assert rows(first) == [
        {"decile": 1, "min_score": 10.0, "leads": 1, "sqls": 0, "won": 1, "won_revenue": 100.0},
        {"decile": 2, "min_score": 20.0, "leads": 2, "sqls": 1, "won": 0, "won_revenue": 0.0},
        {"decile": 3, "min_score": None, "leads": 0, "sqls": 0, "won": 0, "won_revenue": 0.0},
        {"decile": 4, "min_score": 30.0, "leads": 1, "sqls": 1, "won": 1, "won_revenue": 300.0},
    ]
    empty = out.filter(pl.col("decile") > 4)
    assert empty["leads"].to_list() == [0] * 6
    assert empty["sql_rate"].null_count() == 6
    assert empty["min_score"].null_count() == 6


def test_many_equal_scores_stay_in_one_decile(scores_ws: Path) -> None:
    out = run(scores_ws, "score_calibration", filters=metrics.Filters(sources=["Ties"]))
    # 25 leads: ntile sizes 3,3,3,3,3,2,2,2,2,2. The five 40s start at position 0
    # (decile 1), the fifteen 50s at position 5 (decile 2), the five 70s at position 20
    # (past the 15 rows of the five larger deciles: 5 + (20 - 15) // 2 + 1 = decile 8)
    assert out["leads"].to_list() == [5, 15, 0, 0, 0, 0, 0, 5, 0, 0]
    assert out["min_score"].to_list() == [
        40.0,
        50.0,
        None,
        None,
        None,
        None,
        None,
        70.0,
        None,
        None,
    ]
    assert out["max_score"].to_list() == [
        40.0,
        50.0,
        None,
        None,
        None,
        None,
        None,
        70.0,
        None,
        None,
    ]
    # SQLs among the 50s: E06, E09, E12, E15, E18
    assert out["sqls"].to_list() == [0, 5, 0, 0, 0, 0, 0, 0, 0, 0]
    assert out["sql_rate"][1] == pytest.approx(5 / 15)


def test_auc_is_half_for_tied_scores_one_when_perfect_and_empty_for_one_class(
    scores_ws: Path,
) -> None:
    def auc(source: str) -> float | None:
        out = run(scores_ws, "score_calibration", filters=metrics.Filters(sources=[source]))
        return out["auc_sql"][0]

    assert auc("Tied") == pytest.approx(0.5)
    assert auc("Perfect") == pytest.approx(1.0)
    assert auc("One") is None


def test_twelve_leads_fill_the_first_two_deciles_with_two(scores_ws: Path) -> None:
    out = run(scores_ws, "score_calibration", filters=metrics.Filters(sources=["Twelve"]))
    assert out["leads"].to_list() == [2, 2, 1, 1, 1, 1, 1, 1, 1, 1]
    assert out["min_score"].to_list() == [1.0, 3.0, 5, 6, 7, 8, 9, 10, 11, 12]
    assert out["max_score"].to_list() == [2.0, 4.0, 5, 6, 7, 8, 9, 10, 11, 12]


def test_threshold_whatif_worked_by_hand(scores_ws: Path) -> None:
    out = run(
        scores_ws,
        "threshold_whatif",
        overrides={"mql_score_threshold": 25},
        filters=FIXTURE,
        parameters={"threshold_step": 10.0},
    )
    # 0, 10, ..., 100 plus the current 25
    assert out["threshold"].to_list() == [0.0, 10, 20, 25, 30, 40, 50, 60, 70, 80, 90, 100]
    assert out.filter(pl.col("is_current"))["threshold"].to_list() == [25.0]
    by_t = {r["threshold"]: r for r in rows(out)}
    # reps: An and Bich received handed-off leads (S4 has no owner, S5 is not handed off);
    # weeks: 2025-01-01 .. 2025-01-29 = 28 days = 4 weeks
    cols = ("leads_sent", "sqls_kept", "won_kept", "won_revenue_kept", "won_revenue_missed")
    assert tuple(by_t[0.0][c] for c in cols) == (4, 2, 2, 400.0, 0.0)
    assert tuple(by_t[20.0][c] for c in cols) == (3, 2, 1, 300.0, 100.0)
    assert tuple(by_t[25.0][c] for c in cols) == (1, 1, 1, 300.0, 100.0)
    assert tuple(by_t[40.0][c] for c in cols) == (0, 0, 0, 0.0, 400.0)
    assert by_t[0.0]["leads_per_rep_week"] == pytest.approx(4 / 2 / 4)
    assert by_t[20.0]["leads_per_rep_week"] == pytest.approx(3 / 2 / 4)
    assert by_t[20.0]["sqls_per_lead_sent"] == pytest.approx(2 / 3)
    assert by_t[20.0]["revenue_share_kept"] == pytest.approx(0.75)
    assert by_t[25.0]["sql_share_kept"] == pytest.approx(0.5)
    assert by_t[40.0]["sqls_per_lead_sent"] is None
    assert by_t[40.0]["sql_share_kept"] == 0.0
    assert set(out["unscored_leads"].to_list()) == {1}


def test_single_lead_counts_as_one_week_for_one_rep(tmp_path: Path) -> None:
    leads = [
        {
            "lead_id": "X",
            "created_at": D("2025-03-01"),
            "lead_score": 65.0,
            "owner": "An",
            "sql_at": D("2025-03-02"),
        }
    ]
    path = workspace_from_frames(tmp_path / "w.duckdb", {"leads": frame("leads", leads)})
    out = run(path, "threshold_whatif")
    assert out.height == 21  # 0, 5, ..., 100; the current 60 is on the grid
    [cur] = rows(out.filter(pl.col("is_current")))
    assert (cur["threshold"], cur["leads_sent"], cur["sqls_kept"]) == (60.0, 1, 1)
    assert cur["leads_per_rep_week"] == 1.0
    cal = run(path, "score_calibration")
    assert cal["leads"].to_list() == [1] + [0] * 9
    assert cal["auc_sql"].null_count() == 10  # one class only
    [r] = rows(run(path, "disagreement"))
    # score 65 >= 60 with no MQL dates: an MQL; SQL: accepted -> p_e = 1, kappa empty
    assert (r["leads_judged"], r["agree_qualified"], r["cohens_kappa"]) == (1, 1, None)


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


def test_threshold_step_must_be_positive(verdicts_ws: Path) -> None:
    with pytest.raises(duckdb.Error, match="threshold_step"):
        run(verdicts_ws, "threshold_whatif", parameters={"threshold_step": 0.0})


def test_toml_columns_are_exactly_the_sql_output(verdicts_ws: Path) -> None:
    for name in QUALITY:
        out = run(verdicts_ws, name)
        assert out.columns == list(metrics.get(name).columns), name


# --------------------------------------------------------------------------------------
# SQL against the Polars reference
# --------------------------------------------------------------------------------------


def _same(sql: pl.DataFrame, expected: pl.DataFrame, name: str) -> None:
    assert sql.columns == expected.columns, name
    assert sql.height == expected.height, name
    for c in sql.columns:
        a, b = sql[c], expected[c]
        if (
            a.dtype.is_numeric()
            and b.dtype.is_numeric()
            and (a.dtype.is_float() or b.dtype.is_float())
        ):
            assert (a.is_null() == b.is_null()).all(), (name, c)
            diff = (a.cast(pl.Float64) - b.cast(pl.Float64)).abs().fill_null(0)
            assert (diff <= 1e-6 * (1 + b.cast(pl.Float64).abs().fill_null(0))).all(), (name, c)
        else:
            assert a.cast(b.dtype).to_list() == b.to_list(), (name, c)


def _check_all(
    path: Path,
    overrides: dict[str, Any] | None = None,
    f: metrics.Filters | None = None,
    by: str | None = None,
    step: float = 5.0,
) -> None:
    t = tables_from_workspace(str(path))
    f = f or metrics.Filters()
    rf = RefFilters(
        date_from=f.date_from,
        date_to=f.date_to,
        sources=f.sources,
        campaigns=f.campaigns,
        owners=f.owners,
    )
    s = metrics.resolve_settings({}, overrides)
    expected = {
        "disagreement_matrix": ref.disagreement_matrix(t, s, rf),
        "disagreement": ref.disagreement(t, s, rf, by=by),
        "false_rejections": ref.false_rejection_leads(t, s, rf),
        "missed_leads": ref.missed_leads(t, s, rf),
    }
    has_scores = t["leads"]["lead_score"].drop_nulls().len() > 0
    if has_scores:
        expected["score_calibration"] = ref.score_calibration(t, s, rf)
        expected["threshold_whatif"] = ref.threshold_whatif(t, s, rf, step=step)
    has_won = t["deals"]["is_won"].drop_nulls().len() > 0
    for name, exp in expected.items():
        if name in ("false_rejections", "missed_leads") and not has_won:
            continue
        got = run(
            path,
            name,
            overrides=overrides,
            filters=f,
            by=by if name == "disagreement" else None,
            parameters={"threshold_step": step} if name == "threshold_whatif" else None,
        )
        _same(got, exp, name)


def test_sql_matches_reference_on_the_sample(sample_workspace: Path) -> None:
    _check_all(sample_workspace)


def test_sql_matches_reference_on_the_sample_by_source(sample_workspace: Path) -> None:
    _check_all(sample_workspace, by="source")


def test_sql_matches_reference_on_the_sample_by_month_with_filters(sample_workspace: Path) -> None:
    f = metrics.Filters(
        date_from=dt.date(2026, 1, 1),
        date_to=dt.date(2026, 6, 30),
        sources=["Zalo OA", "Purchased list", "Referral"],
    )
    _check_all(sample_workspace, {"currency": "VND"}, f, by="month", step=7.5)


def test_sql_matches_reference_on_the_sample_with_mql_cohorts(sample_workspace: Path) -> None:
    f = metrics.Filters(owners=["Vũ Thị Lan", "Đỗ Quang Huy", "Nguyễn Văn An"])
    _check_all(sample_workspace, {"cohort_basis": "mql", "mql_score_threshold": 62}, f)


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
        _check_all(path, overrides, by=by, step=step)


# --------------------------------------------------------------------------------------
# Planted patterns of the sample (sample_data/README.md)
# --------------------------------------------------------------------------------------


def test_sample_has_105_false_rejections_mostly_zalo_no_budget(sample_workspace: Path) -> None:
    out = run(sample_workspace, "false_rejections")
    assert out.height == 105
    assert (out["source"] == "Zalo OA").sum() == 64
    assert (out["rejection_reason"] == "No budget").sum() == 62
    assert (out["rejection_reason"] == "Bad timing").sum() == 21
    assert (out["days_rejected_to_won"] > 0).all()
    assert out["won_revenue"].to_list() == sorted(out["won_revenue"].to_list(), reverse=True)


def test_sample_has_93_missed_leads_scored_just_under_the_threshold(
    sample_workspace: Path,
) -> None:
    out = run(sample_workspace, "missed_leads")
    assert out.height == 93
    assert out["lead_score"].mean() == pytest.approx(49.6, abs=0.05)
    assert out["lead_score"].max() == 59
    [r] = rows(run(sample_workspace, "disagreement"))
    assert (r["false_rejections"], r["missed_leads"]) == (105, 93)


def test_sample_purchased_list_is_over_scored(sample_workspace: Path) -> None:
    def at_60(sources: list[str]) -> dict[str, Any]:
        out = run(sample_workspace, "threshold_whatif", filters=metrics.Filters(sources=sources))
        return rows(out.filter(pl.col("is_current")))[0]

    others = ["Facebook Ads", "Google Ads", "Website form", "Referral", "Trade show", "TikTok"]
    purchased, rest = at_60(["Purchased list"]), at_60(others)
    # leads it would send at 60 reach SQL far less often than other sources' leads
    assert purchased["sqls_per_lead_sent"] < 0.5 * rest["sqls_per_lead_sent"]
    cal = run(sample_workspace, "score_calibration", filters=metrics.Filters(sources=others))
    cal_p = run(
        sample_workspace, "score_calibration", filters=metrics.Filters(sources=["Purchased list"])
    )
    # its top decile's SQL rate is well below the top decile of the other sources
    assert cal_p["sql_rate"][9] < 0.5 * cal["sql_rate"][9]
    # and its rejected share is the highest after Zalo OA
    src = {r["dimension"]: r for r in rows(run(sample_workspace, "disagreement", by="source"))}
    assert src["Purchased list"]["agreement_rate"] < min(src[s]["agreement_rate"] for s in others)


def test_sample_score_predicts_sql_and_kappa_is_near_zero(sample_workspace: Path) -> None:
    cal = run(sample_workspace, "score_calibration")
    assert cal["auc_sql"][0] > 0.8
    assert cal["sql_rate"][9] > cal["sql_rate"][0]
    # sales sees almost only MQLs, so marketing's verdict carries little information
    [r] = rows(run(sample_workspace, "disagreement"))
    assert r["agree_unqualified"] == 0
    assert -0.1 < r["cohens_kappa"] <= 0
