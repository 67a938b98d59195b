"""Shared by the tests of ``funnel`` and ``funnel_cohort``.

The funnel metrics (``funnel``, ``funnel_cohort``): hand-worked fixtures, the Polars
reference on the sample and on random data, and the sample's known funnel.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import polars as pl

from dashboard import metrics
from tests.builders import frame

SETTINGS = metrics.resolve_settings({}, None)
D = dt.datetime


def _run(
    path: Path,
    name: str,
    *,
    s: dict | None = None,
    f: metrics.Filters | None = None,
    by: str | None = None,
) -> pl.DataFrame:
    with duckdb.connect(str(path), read_only=True) as con:
        return metrics.run(con, name, settings={**SETTINGS, **(s or {})}, filters=f, by=by).frame


def _col(df: pl.DataFrame, column: str) -> list:
    return df[column].to_list()


def _approx(values: list, expected: list) -> bool:
    if len(values) != len(expected):
        return False
    for v, e in zip(values, expected, strict=True):
        if e is None or v is None:
            if e is not v:
                return False
        elif abs(v - e) > 1e-9:
            return False
    return True


# ---------------------------------------------------------------- hand-worked fixture
#
# L1 created 2025-01-31 23:59 (January), MQL 1 h later on 1 February, handed off 2 h after
# that, accepted a day later, SQL two days later, two won deals (counts once).
# L2 created 2025-02-01 00:00 (February), MQL at noon, owner set and no handoff date (so
# handed off at the MQL time), then rejected: not in the forward chain after handoff.
# L3 created 2025-01-10, no MQL date, SQL on 01-20 (skipped MQL, handoff and acceptance:
# accepted through its SQL date), one lost deal on 01-25.
# L4 created 2025-02-10: nothing else.
# L5 created 2025-01-15, MQL 01-16, handed off 01-17, accepted 01-19, no SQL.
# D4 is a won deal with no lead: ignored.
# The latest moment in the data is D2's close, 2025-03-10 00:00.


def _fixture_tables() -> dict[str, pl.DataFrame]:
    leads = [
        {
            "lead_id": "L1",
            "created_at": D(2025, 1, 31, 23, 59),
            "source": "Facebook Ads",
            "owner": "An",
            "lead_score": 80.0,
            "mql_at": D(2025, 2, 1, 0, 59),
            "handed_off_at": D(2025, 2, 1, 2, 59),
            "accepted_at": D(2025, 2, 2, 2, 59),
            "sql_at": D(2025, 2, 4, 2, 59),
        },
        {
            "lead_id": "L2",
            "created_at": D(2025, 2, 1, 0, 0),
            "source": "Zalo OA",
            "owner": "Bích",
            "lead_score": 65.0,
            "mql_at": D(2025, 2, 1, 12, 0),
            "rejected_at": D(2025, 2, 2, 0, 0),
            "rejection_reason": "No budget",
        },
        {
            "lead_id": "L3",
            "created_at": D(2025, 1, 10),
            "source": "Referral",
            "lead_score": 40.0,
            "sql_at": D(2025, 1, 20),
        },
        {"lead_id": "L4", "created_at": D(2025, 2, 10), "source": "Referral", "lead_score": 10.0},
        {
            "lead_id": "L5",
            "created_at": D(2025, 1, 15),
            "source": "Referral",
            "owner": "Minh",
            "lead_score": 70.0,
            "mql_at": D(2025, 1, 16),
            "handed_off_at": D(2025, 1, 17),
            "accepted_at": D(2025, 1, 19),
        },
    ]
    deals = [
        {
            "deal_id": "D1",
            "lead_id": "L1",
            "created_at": D(2025, 2, 5, 2, 59),
            "closed_at": D(2025, 2, 15, 2, 59),
            "is_won": True,
            "is_closed": True,
            "amount": 1000.0,
            "currency": "VND",
        },
        {
            "deal_id": "D2",
            "lead_id": "L1",
            "created_at": D(2025, 3, 1),
            "closed_at": D(2025, 3, 10),
            "is_won": True,
            "is_closed": True,
            "amount": 500.0,
            "currency": "VND",
        },
        {
            "deal_id": "D3",
            "lead_id": "L3",
            "created_at": D(2025, 1, 25),
            "closed_at": D(2025, 2, 1),
            "is_won": False,
            "is_closed": True,
            "amount": 700.0,
            "currency": "VND",
        },
        {
            "deal_id": "D4",
            "lead_id": None,
            "created_at": D(2025, 3, 5),
            "closed_at": D(2025, 3, 6),
            "is_won": True,
            "is_closed": True,
            "amount": 9000.0,
            "currency": "VND",
        },
    ]
    return {"leads": frame("leads", leads), "deals": frame("deals", deals)}


# ---------------------------------------------------------------- reference comparison


def _compare(sql: pl.DataFrame, expected: pl.DataFrame) -> None:
    assert sql.columns == expected.columns
    assert sql.height == expected.height, (sql.height, expected.height)
    for c in expected.columns:
        a, b = sql[c], expected[c]
        if b.dtype == pl.Float64:
            a = a.cast(pl.Float64)
            assert (a.is_null() == b.is_null()).all(), c
            assert ((a - b).abs().fill_null(0) < 1e-9).all(), c
        else:
            assert a.cast(b.dtype).to_list() == b.to_list(), c


HCM = {"timezone": "Asia/Ho_Chi_Minh"}
