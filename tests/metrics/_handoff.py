"""Shared by the tests of ``handoff`` and ``rejection_reasons``.

The handoff and rejection_reasons metrics: hand-worked fixtures, the Polars reference on
the sample and on random data, and the sample's planted Zalo OA pattern.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest

from dashboard import metrics
from tests.reference._common import tables_with_history
from tests.reference.base import RefFilters
from tests.reference.handoff import handoff
from tests.reference.rejection_reasons import rejection_reasons

SETTINGS = metrics.resolve_settings({}, None)


def ts(month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, minute)


# --------------------------------------------------------------------------- fixture
#
# Thirteen leads, worked out on paper. The data's latest moment (as_of) is L11's creation,
# 2025-03-01 00:00: nothing else is later.
#
# lead src  created      MQL          owner handoff(eff)  accepted / SQL    rejected (reason)
# L1   Zalo 01-05 08:00  01-05 09:00  An    01-05 10:00   acc 01-05 12:00    -
# L2   Zalo 01-06        01-06 01:00  An    (01-06 01:00) SQL 01-07 01:00    -
# L3   Zalo 01-09        01-10        An    01-10         acc 01-10 06:00    01-12 (No budget)
# L4   Ref  01-14        01-15        Minh  01-15         -                  01-15 10:00 (none)
# L5   Ref  01-01        01-20        Minh  01-02         -                  01-03 (No budget)
# L6   Ref  01-31 23:59  -            Minh  01-20         -                  -
# L7   Zalo 02-01 00:00  02-28 00:00  Bích  (02-28 00:00) -                  -
# L8   Zalo 02-20        02-27 23:59  Bích  (02-27 23:59) -                  -
# L9   Zalo 02-20        02-28 00:01  Bích  (02-28 00:01) -                  -
# L10  FB   01-08        01-08        -     -             -                  -
# L11  FB   03-01 00:00  -            -     -             -                  -
# L12  FB   01-02        01-03        An    01-03         -                  01-04 (" Student ")
# L13  FB   01-03        -            -     -             -                  01-04 (Duplicate)
#
# Stage history: L12 "Marketing Qualified Lead" on 01-25 (after its rejection: recycled);
# L4 "MQL" on 01-14 (before its rejection: not recycled).
# L5 became an MQL on 01-20, after its rejection on 01-03: recycled.
# L13 was rejected but never handed off: it is in neither metric.


def _lead(lead_id: str, source: str, created: dt.datetime, **stages: Any) -> dict[str, Any]:
    return {"lead_id": lead_id, "source": source, "created_at": created, **stages}


FIXTURE_LEADS = [
    _lead(
        "L1",
        "Zalo OA",
        ts(1, 5, 8),
        mql_at=ts(1, 5, 9),
        owner="An",
        handed_off_at=ts(1, 5, 10),
        accepted_at=ts(1, 5, 12),
    ),
    _lead("L2", "Zalo OA", ts(1, 6), mql_at=ts(1, 6, 1), owner="An", sql_at=ts(1, 7, 1)),
    _lead(
        "L3",
        "Zalo OA",
        ts(1, 9),
        mql_at=ts(1, 10),
        owner="An",
        handed_off_at=ts(1, 10),
        accepted_at=ts(1, 10, 6),
        rejected_at=ts(1, 12),
        rejection_reason="No budget",
    ),
    _lead(
        "L4",
        "Referral",
        ts(1, 14),
        mql_at=ts(1, 15),
        owner="Minh",
        handed_off_at=ts(1, 15),
        rejected_at=ts(1, 15, 10),
    ),
    _lead(
        "L5",
        "Referral",
        ts(1, 1),
        mql_at=ts(1, 20),
        owner="Minh",
        handed_off_at=ts(1, 2),
        rejected_at=ts(1, 3),
        rejection_reason="No budget",
    ),
    _lead("L6", "Referral", ts(1, 31, 23, 59), owner="Minh", handed_off_at=ts(1, 20)),
    _lead("L7", "Zalo OA", ts(2, 1), mql_at=ts(2, 28), owner="Bích"),
    _lead("L8", "Zalo OA", ts(2, 20), mql_at=ts(2, 27, 23, 59), owner="Bích"),
    _lead("L9", "Zalo OA", ts(2, 20), mql_at=ts(2, 28, 0, 1), owner="Bích"),
    _lead("L10", "Facebook Ads", ts(1, 8), mql_at=ts(1, 8)),
    _lead("L11", "Facebook Ads", ts(3, 1)),
    _lead(
        "L12",
        "Facebook Ads",
        ts(1, 2),
        mql_at=ts(1, 3),
        owner="An",
        handed_off_at=ts(1, 3),
        rejected_at=ts(1, 4),
        rejection_reason=" Student ",
    ),
    _lead(
        "L13",
        "Facebook Ads",
        ts(1, 3),
        rejected_at=ts(1, 4),
        rejection_reason="Duplicate",
    ),
]

FIXTURE_HISTORY = [
    {"lead_id": "L12", "stage": "Marketing Qualified Lead", "entered_at": ts(1, 25)},
    {"lead_id": "L4", "stage": "MQL", "entered_at": ts(1, 14)},
]

# deals do not change handoff numbers: L2 has two, one deal has no lead
FIXTURE_DEALS = [
    {"deal_id": "D1", "lead_id": "L2", "created_at": ts(1, 10), "is_won": True,
     "is_closed": True, "closed_at": ts(1, 20), "amount": 1000.0, "currency": "VND"},
    {"deal_id": "D2", "lead_id": "L2", "created_at": ts(1, 12), "is_won": False,
     "is_closed": False, "amount": 500.0, "currency": "VND"},
    {"deal_id": "D3", "lead_id": None, "created_at": ts(1, 5), "is_won": True,
     "is_closed": True, "closed_at": ts(1, 6), "amount": 700.0, "currency": "VND"},
]  # fmt: skip


def run_metric(
    path: Path,
    name: str,
    *,
    by: str | None = None,
    overrides: dict[str, Any] | None = None,
    filters: metrics.Filters | None = None,
) -> list[dict[str, Any]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        result = metrics.run(
            con,
            name,
            settings=metrics.resolve_settings({}, overrides),
            filters=filters,
            by=by,
        )
        return result.frame.to_dicts()
    finally:
        con.close()


def approx_row(row: dict[str, Any]) -> dict[str, Any]:
    return {k: pytest.approx(v) if isinstance(v, float) else v for k, v in row.items()}


# --------------------------------------------------------------------------- reference


def _compare(sql_rows: list[dict[str, Any]], ref: pl.DataFrame) -> None:
    sql = pl.DataFrame(sql_rows, schema=ref.schema if not sql_rows else None)
    assert list(sql.columns) == list(ref.columns)
    assert sql.height == ref.height, (sql, ref)
    for c in ref.columns:
        a, b = sql[c], ref[c]
        if a.dtype.is_float() or b.dtype.is_float():
            a, b = a.cast(pl.Float64), b.cast(pl.Float64)
            assert (a.is_null() == b.is_null()).all(), c
            assert ((a - b).abs().fill_null(0) < 1e-9).all(), (c, sql, ref)
        elif a.dtype.is_integer() or b.dtype.is_integer():
            assert a.cast(pl.Int64).to_list() == b.cast(pl.Int64).to_list(), c
        else:
            assert a.to_list() == b.to_list(), c


def _check(
    names: Sequence[str],
    path: Path,
    *,
    by: str | None = None,
    overrides: dict[str, Any] | None = None,
    filters: metrics.Filters | None = None,
) -> None:
    f = filters or metrics.Filters()
    rf = RefFilters(
        date_from=f.date_from,
        date_to=f.date_to,
        sources=f.sources,
        campaigns=f.campaigns,
        owners=f.owners,
    )
    s = metrics.resolve_settings({}, overrides)
    t = tables_with_history(str(path))
    references = {"handoff": handoff, "rejection_reasons": rejection_reasons}
    for name in names:
        ref = references[name]
        rows = run_metric(path, name, by=by, overrides=overrides, filters=f)
        _compare(rows, ref(t, s, rf, by))
