"""Shared by the tests of ``revenue_by_source``, ``attribute_lift`` and ``revenue_total``.

revenue_by_source and attribute_lift: hand-worked fixtures, the reference, the sample.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
from hypothesis import strategies as st

from dashboard import metrics
from tests.builders import frame
from tests.reference.attribute_lift import attribute_lift
from tests.reference.base import RefFilters, tables_from_workspace

SETTINGS = metrics.resolve_settings({}, None)
D = dt.datetime


def _run(path: Path, name: str, f: metrics.Filters | None = None, **overrides: Any) -> pl.DataFrame:
    s = {**SETTINGS, **overrides}
    with duckdb.connect(str(path), read_only=True) as con:
        return metrics.run(con, name, settings=s, filters=f or metrics.Filters()).frame


def _close(actual: float | None, expected: float | None) -> bool:
    if expected is None:
        return actual is None
    return actual is not None and math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-9)


def _assert_row(row: dict[str, Any], expected: dict[str, Any]) -> None:
    for column, value in expected.items():
        if isinstance(value, float) or value is None:
            assert _close(row[column], value), (column, row[column], value)
        else:
            assert row[column] == value, (column, row[column], value)


# --------------------------------------------------------------------------------------
# revenue_by_source: a hand-worked workspace
#
# Leads (the CRM records MQL dates, so MQL = an mql_at):
#   L1 Facebook Ads, campaign c1, owner An, created 2025-01-10, MQL, SQL;
#      two won deals D1 100,000 VND and D2 50,000 VND.
#   L2 Facebook Ads, campaign c2, created 2025-01-31 23:59 (the last minute of January),
#      MQL; a lost deal D3 30,000 VND and an open deal D4 70,000 VND.
#   L3 Zalo OA, created 2025-02-01 00:00 (the first minute of February), not an MQL;
#      a won deal D5 of 200 USD (another currency: a won deal, but no VND revenue).
#   L4 no source, created 2025-02-10, MQL, SQL; a won deal D6 of 40,000 with no currency.
#   D7 is a won deal of 999,000 VND with no lead: it belongs to no source.
# Spend:
#   S1 2025-01 month, Facebook Ads, c1, 31,000 VND (1,000 a day)
#   S2 2025-02 month, Facebook Ads, no campaign, 28,000 VND (1,000 a day)
#   S3 2025-01 month, Referral (a source with no leads), r1, 10,000 VND
#   S4 2025-01 month, Facebook Ads, c1, 5,000 USD (another currency: ignored)
#   S5 2025-02-15 day, Zalo OA, no campaign, 1,000 VND
# --------------------------------------------------------------------------------------


def _revenue_tables(spend: bool = True) -> dict[str, pl.DataFrame]:
    leads = frame(
        "leads",
        [
            {
                "lead_id": "L1",
                "created_at": D(2025, 1, 10, 10),
                "source": "Facebook Ads",
                "campaign": "c1",
                "owner": "An",
                "mql_at": D(2025, 1, 10, 11),
                "accepted_at": D(2025, 1, 11),
                "sql_at": D(2025, 1, 12),
                "country": "Vietnam",
            },
            {
                "lead_id": "L2",
                "created_at": D(2025, 1, 31, 23, 59),
                "source": "Facebook Ads",
                "campaign": "c2",
                "mql_at": D(2025, 2, 1, 9),
                "country": "Thailand",
            },
            {
                "lead_id": "L3",
                "created_at": D(2025, 2, 1, 0, 0),
                "source": "Zalo OA",
                "campaign": "z1",
            },
            {
                "lead_id": "L4",
                "created_at": D(2025, 2, 10),
                "mql_at": D(2025, 2, 10, 1),
                "accepted_at": D(2025, 2, 11),
                "sql_at": D(2025, 2, 12),
            },
        ],
    )

    def deal(i: str, lead: str | None, state: str, amount: float, cur: str | None) -> dict:
        return {
            "deal_id": i,
            "created_at": D(2025, 3, 1),
            "lead_id": lead,
            "is_won": state == "won",
            "is_closed": state != "open",
            "closed_at": None if state == "open" else D(2025, 3, 20),
            "amount": amount,
            "currency": cur,
        }

    deals = frame(
        "deals",
        [
            deal("D1", "L1", "won", 100_000.0, "VND"),
            deal("D2", "L1", "won", 50_000.0, "VND"),
            deal("D3", "L2", "lost", 30_000.0, "VND"),
            deal("D4", "L2", "open", 70_000.0, "VND"),
            deal("D5", "L3", "won", 200.0, "USD"),
            deal("D6", "L4", "won", 40_000.0, None),
            deal("D7", None, "won", 999_000.0, "VND"),
        ],
    )

    def spend_row(day: dt.date, grain: str, src: str, camp: str | None, amt: float, cur: str):
        return {
            "period": day,
            "period_grain": grain,
            "source": src,
            "campaign": camp,
            "amount": amt,
            "currency": cur,
        }

    spend_rows = [
        spend_row(dt.date(2025, 1, 1), "month", "Facebook Ads", "c1", 31_000.0, "VND"),
        spend_row(dt.date(2025, 2, 1), "month", "Facebook Ads", None, 28_000.0, "VND"),
        spend_row(dt.date(2025, 1, 1), "month", "Referral", "r1", 10_000.0, "VND"),
        spend_row(dt.date(2025, 1, 1), "month", "Facebook Ads", "c1", 5_000.0, "USD"),
        spend_row(dt.date(2025, 2, 15), "day", "Zalo OA", None, 1_000.0, "VND"),
    ]
    tables = {"leads": leads, "deals": deals}
    if spend:
        tables["spend"] = frame("spend", spend_rows)
    return tables


def _lift_tables() -> dict[str, pl.DataFrame]:
    def lead(i: str, src: str, temp: str | None, budget: bool | None, score: float, v: str):
        return {
            "lead_id": i,
            "created_at": D(2025, 1, 5),
            "source": src,
            "temperature": temp,
            "bant_budget": budget,
            "lead_score": score,
            "mql_at": D(2025, 1, 5, 1),
            "handed_off_at": D(2025, 1, 5, 2),
            "accepted_at": D(2025, 1, 6) if v in ("accepted", "sqlacc") else None,
            "sql_at": D(2025, 1, 7) if v in ("sql", "sqlacc") else None,
            "rejected_at": D(2025, 1, 6) if v == "rejected" else None,
        }

    leads = [
        lead("A1", "Facebook Ads", "hot", True, 85.0, "sqlacc"),
        lead("A2", "Facebook Ads", "hot", True, 100.0, "accepted"),
        lead("A3", "Facebook Ads", "cold", False, 79.5, "rejected"),
        lead("A4", "Zalo OA", None, False, 60.0, "rejected"),
        lead("A5", "Zalo OA", "hot", True, 20.0, "sql"),
        lead("A6", "Zalo OA", "warm", None, 70.0, "never"),
    ]
    return {"leads": frame("leads", leads)}


# --------------------------------------------------------------------------------------
# The reference: sample workspace and random data
# --------------------------------------------------------------------------------------


def _compare(sql: pl.DataFrame, ref: pl.DataFrame, keys: list[str]) -> None:
    assert sql.columns == ref.columns
    assert sql.height == ref.height, (sql.height, ref.height)
    a, b = sql.sort(keys), ref.sort(keys)
    for c in sql.columns:
        x, y = a[c], b[c]
        if x.dtype.is_float() or y.dtype.is_float():
            x, y = x.cast(pl.Float64), y.cast(pl.Float64)
            assert (x.is_null() == y.is_null()).all(), c
            diff = ((x - y).abs() / y.abs().clip(lower_bound=1.0)).fill_null(0)
            assert (diff < 1e-9).all(), (c, a.select(keys, c), b.select(keys, c))
        else:
            assert x.cast(y.dtype).to_list() == y.to_list(), c


def _check_lift(path: Path, s: dict, f: metrics.Filters, rf: RefFilters) -> None:
    t = tables_from_workspace(str(path))
    sql = _run(path, "attribute_lift", f, **s)
    ref = attribute_lift(t, {**SETTINGS, **s}, rf)
    _compare(sql, ref, ["attribute", "value"])
    _assert_lift_order(sql)


def _assert_lift_order(out: pl.DataFrame) -> None:
    """Attributes come in blocks by information value; values by SQL rate inside."""
    attrs = list(dict.fromkeys(out["attribute"].to_list()))
    assert len(attrs) == out["attribute"].n_unique()  # each attribute is one block
    ivs = [out.filter(pl.col("attribute") == a)["information_value"][0] for a in attrs]
    known = [v for v in ivs if v is not None]
    assert all(x >= y - 1e-12 for x, y in itertools.pairwise(known))
    assert ivs[: len(known)] == known  # NULLs last
    for a in attrs:
        rates = out.filter(pl.col("attribute") == a)["sql_rate"].to_list()
        assert rates == sorted(rates, reverse=True)


SAMPLE_CASES = [
    ({}, metrics.Filters(), RefFilters()),
    (
        {},
        metrics.Filters(date_from=dt.date(2026, 1, 15), date_to=dt.date(2026, 3, 10)),
        RefFilters(date_from=dt.date(2026, 1, 15), date_to=dt.date(2026, 3, 10)),
    ),
    (
        {"cohort_basis": "mql"},
        metrics.Filters(sources=["Referral", "Zalo OA", "Trade show"]),
        RefFilters(sources=["Referral", "Zalo OA", "Trade show"]),
    ),
    (
        {},
        metrics.Filters(owners=["Vũ Thị Lan"], date_from=dt.date(2026, 4, 1)),
        RefFilters(owners=["Vũ Thị Lan"], date_from=dt.date(2026, 4, 1)),
    ),
]


FILTERS = st.sampled_from(
    [
        (metrics.Filters(), RefFilters()),
        (
            metrics.Filters(date_from=dt.date(2025, 1, 20), date_to=dt.date(2025, 2, 10)),
            RefFilters(date_from=dt.date(2025, 1, 20), date_to=dt.date(2025, 2, 10)),
        ),
        (
            metrics.Filters(sources=["Facebook Ads", "Referral"]),
            RefFilters(sources=["Facebook Ads", "Referral"]),
        ),
        (metrics.Filters(campaigns=["c1"]), RefFilters(campaigns=["c1"])),
        (metrics.Filters(owners=["An", "Minh"]), RefFilters(owners=["An", "Minh"])),
    ]
)
