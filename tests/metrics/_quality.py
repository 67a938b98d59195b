"""Shared by the tests of the lead-quality and scoring metrics.

Lead-quality metrics: disagreement matrix, agreement and kappa, false rejections, missed
leads, score calibration and the threshold what-if.

Hand-worked fixtures carry expected numbers worked out on paper; the sample workspace and
random ``small_crm`` data are compared with each metric's Polars reference in
``tests/reference/NAME.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from dashboard import metrics
from tests.reference.base import RefFilters, tables_from_workspace
from tests.reference.disagreement import disagreement
from tests.reference.disagreement_matrix import disagreement_matrix
from tests.reference.false_rejections import false_rejections
from tests.reference.missed_leads import missed_leads
from tests.reference.score_calibration import score_calibration
from tests.reference.threshold_whatif import threshold_whatif

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


FIXTURE = metrics.Filters(sources=["Fixture"])


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
    names: Sequence[str],
    path: Path,
    overrides: dict[str, Any] | None = None,
    f: metrics.Filters | None = None,
    by: str | None = None,
    step: float = 5.0,
) -> None:
    """Each metric of ``names`` on ``path`` equals its reference (references run lazily)."""
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
        "disagreement_matrix": lambda: disagreement_matrix(t, s, rf),
        "disagreement": lambda: disagreement(t, s, rf, by=by),
        "false_rejections": lambda: false_rejections(t, s, rf),
        "missed_leads": lambda: missed_leads(t, s, rf),
    }
    has_scores = t["leads"]["lead_score"].drop_nulls().len() > 0
    if has_scores:
        expected["score_calibration"] = lambda: score_calibration(t, s, rf)
        expected["threshold_whatif"] = lambda: threshold_whatif(t, s, rf, step=step)
    has_won = t["deals"]["is_won"].drop_nulls().len() > 0
    for name, exp in expected.items():
        if name not in names:
            continue
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
        _same(got, exp(), name)
