"""Shared by the tests of the follow-up metrics.

Follow-up discipline metrics: speed_to_lead, speed_to_lead_by_owner, followup,
followup_by_owner and attempt_conversion.

Hand-worked fixture (default settings: SLA 24 h, give up after 14 days, outbound only).
"Now" (as_of) is 2025-03-01 00:00, the creation of lead Z. Minutes are from the handoff.

lead owner handoff     attempts counted (before resolution)   first SLA       resolution
A    An    01-10 09:00 call 09:03 no answer, call 01-11 conn. 3     met       SQL 01-12, 2 won
B    An    01-10 09:00 none                                   never missed    -
C    Bích  01-05 00:00 call 01-06 00:00 no answer             1440  met (=)   given up (54 d)
D    Bích  01-05 00:00 call 01-06 00:01, email 01-07          1441  missed    rejected 01-08
E    Bích  02-28 23:00 none                                   never undecided -
F    Minh  02-10 00:00 call 00:30 voicemail, call 02-14 23:59 30    met       given up (14d 1m)
G    Minh  02-10 00:00 call 02-15 00:01 no answer             7201  missed    not (13d 23h59m)
H    -     01-20 00:00 call 02:00 connected                   120   met       SQL 01-21

Not counted: A's inbound email before the handoff, A's outbound call before the handoff,
A's note, A's inbound reply (counted only when attempt_outbound_only is false: then A has
3 attempts), A's call after its SQL, D's connected call after its rejection (it makes D
"connected" but is not one of D's attempts), and lead Y's call (Y was never handed off).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest

from dashboard import metrics
from dashboard.errors import MissingInputsError
from tests.builders import frame
from tests.reference.attempt_conversion import attempt_conversion
from tests.reference.base import RefFilters, tables_from_workspace
from tests.reference.followup import followup
from tests.reference.followup_by_owner import followup_by_owner
from tests.reference.speed_to_lead import speed_to_lead
from tests.reference.speed_to_lead_by_owner import speed_to_lead_by_owner

NAMES = [
    "speed_to_lead",
    "speed_to_lead_by_owner",
    "followup",
    "followup_by_owner",
    "attempt_conversion",
]
BY_METRICS = {"speed_to_lead", "followup"}
REFERENCE = {
    "speed_to_lead": speed_to_lead,
    "speed_to_lead_by_owner": speed_to_lead_by_owner,
    "followup": followup,
    "followup_by_owner": followup_by_owner,
    "attempt_conversion": attempt_conversion,
}


def ts(text: str) -> dt.datetime:
    """A UTC timestamp from '2025-01-10 09:00'."""
    return dt.datetime.fromisoformat(text)


def _lead(lead_id: str, created: str, owner: str | None, handoff: str | None, **kw: Any) -> dict:
    return {
        "lead_id": lead_id,
        "created_at": ts(created),
        "owner": owner,
        "source": kw.pop("source", "Web"),
        "mql_at": None if handoff is None else ts(handoff),
        "handed_off_at": None if handoff is None else ts(handoff),
        **{k: ts(v) for k, v in kw.items()},
    }


def _act(
    n: int, lead: str, at: str, type_: str, direction: str | None, outcome: str | None
) -> dict:
    return {
        "activity_id": f"A{n:03d}",
        "lead_id": lead,
        "occurred_at": ts(at),
        "type": type_,
        "direction": direction,
        "outcome": outcome,
        "owner": "someone",
    }


def hand_tables() -> dict[str, pl.DataFrame]:
    """The hand-worked fixture of the module docstring."""
    leads = [
        _lead("A", "2025-01-10 08:00", "An", "2025-01-10 09:00", sql_at="2025-01-12 00:00"),
        _lead("B", "2025-01-10 08:00", "An", "2025-01-10 09:00"),
        _lead("C", "2025-01-04 00:00", "Bích", "2025-01-05 00:00"),
        _lead("D", "2025-01-04 00:00", "Bích", "2025-01-05 00:00", rejected_at="2025-01-08 00:00"),
        _lead("E", "2025-02-28 22:00", "Bích", "2025-02-28 23:00"),
        _lead("F", "2025-01-31 23:59", "Minh", "2025-02-10 00:00"),
        _lead("G", "2025-02-01 00:00", "Minh", "2025-02-10 00:00"),
        _lead("H", "2025-01-19 00:00", None, "2025-01-20 00:00", sql_at="2025-01-21 00:00"),
        _lead("Y", "2025-01-02 00:00", "An", None),
        _lead("Z", "2025-03-01 00:00", None, None),
    ]
    acts = [
        _act(1, "A", "2025-01-10 08:00", "email", "inbound", "replied"),
        _act(2, "A", "2025-01-10 08:30", "call", "outbound", "connected"),
        _act(3, "A", "2025-01-10 09:01", "note", "outbound", "completed"),
        _act(4, "A", "2025-01-10 09:03", "call", "outbound", "no answer"),
        _act(5, "A", "2025-01-10 09:30", "email", "inbound", "replied"),
        _act(6, "A", "2025-01-11 10:00", "Call", None, "Connected"),
        _act(7, "A", "2025-01-20 00:00", "call", "outbound", "connected"),
        _act(8, "C", "2025-01-06 00:00", "call", "outbound", "no answer"),
        _act(9, "D", "2025-01-06 00:01", "call", "outbound", "no answer"),
        _act(10, "D", "2025-01-07 00:00", "email", "outbound", "sent"),
        _act(11, "D", "2025-01-09 00:00", "call", "outbound", "connected"),
        _act(12, "F", "2025-02-10 00:30", "call", "outbound", "voicemail"),
        _act(13, "F", "2025-02-14 23:59", "call", "outbound", "no answer"),
        _act(14, "G", "2025-02-15 00:01", "call", "outbound", "no answer"),
        _act(15, "H", "2025-01-20 02:00", "call", "outbound", "connected"),
        _act(16, "Y", "2025-01-03 00:00", "call", "outbound", "connected"),
    ]

    def deal(deal_id: str, lead: str | None, created: str, closed: str) -> dict:
        return {
            "deal_id": deal_id,
            "lead_id": lead,
            "created_at": ts(created),
            "closed_at": ts(closed),
            "is_won": True,
            "is_closed": True,
            "amount": 1000.0,
            "currency": "VND",
        }

    deals = [
        deal("D1", "A", "2025-01-15 00:00", "2025-01-20 00:00"),
        deal("D2", "A", "2025-02-01 00:00", "2025-02-05 00:00"),
        deal("D3", None, "2025-01-03 00:00", "2025-01-04 00:00"),
    ]
    return {
        "leads": frame("leads", leads),
        "deals": frame("deals", deals),
        "activities": frame("activities", acts),
    }


def run(
    path: Path,
    name: str,
    overrides: dict[str, Any] | None = None,
    filters: metrics.Filters | None = None,
    by: str | None = None,
) -> pl.DataFrame:
    """The rows of metric ``name`` on the workspace at ``path``."""
    with duckdb.connect(str(path), read_only=True) as con:
        s = metrics.resolve_settings({}, overrides)
        return metrics.run(con, name, settings=s, filters=filters, by=by).frame


def rows(df: pl.DataFrame, *cols: str) -> list[tuple]:
    return [tuple(r) for r in df.select(cols).iter_rows()]


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def assert_rows(df: pl.DataFrame, expected: list[tuple], cols: tuple[str, ...]) -> None:
    got = rows(df, *cols)
    assert len(got) == len(expected), got
    for g, e in zip(got, expected, strict=True):
        for c, gv, ev in zip(cols, g, e, strict=True):
            if isinstance(ev, float) or isinstance(gv, float):
                assert close(gv, ev), (c, g, e)
            else:
                assert gv == ev, (c, g, e)


OWNER_COLS = (
    "owner",
    "handed_off",
    "mean_attempts",
    "median_attempts",
    "zero_attempt_rate",
    "one_attempt_rate",
    "given_up",
    "attempts_on_given_up",
    "sla_compliance_rate",
    "median_minutes_to_first_touch",
    "connect_rate",
    "sql_rate",
)


# --- the SQL against the Polars reference --------------------------------------------------


def compare(sql: pl.DataFrame, expected: pl.DataFrame, name: str) -> None:
    """Same columns, same rows in the same order; floats within 1e-9, nulls where nulls."""
    assert sql.columns == expected.columns, name
    assert sql.height == expected.height, (name, sql.height, expected.height)
    for c in sql.columns:
        a, b = sql[c], expected[c]
        assert (a.is_null() == b.is_null()).all(), (name, c)
        if a.dtype.is_float() or b.dtype.is_float():
            diff = (a.cast(pl.Float64) - b.cast(pl.Float64)).abs().fill_null(0.0)
            assert (diff <= 1e-9 * (1 + b.cast(pl.Float64).abs().fill_null(0.0))).all(), (name, c)
        else:
            assert a.cast(b.dtype).to_list() == b.to_list(), (name, c)


def check_all(
    names: Sequence[str],
    path: Path,
    overrides: dict[str, Any] | None = None,
    filters: metrics.Filters | None = None,
    by: str | None = None,
) -> None:
    """Each metric of ``names`` on ``path`` equals its reference (``by`` for the by metrics).

    A workspace without activities (or, for the per-owner metrics, without owners) must make
    the metric refuse with MissingInputsError rather than report zeros.
    """
    s = metrics.resolve_settings({}, overrides)
    f = filters or metrics.Filters()
    rf = RefFilters(
        date_from=f.date_from,
        date_to=f.date_to,
        sources=f.sources,
        campaigns=f.campaigns,
        owners=f.owners,
    )
    t = tables_from_workspace(str(path))
    with duckdb.connect(str(path), read_only=True) as con:
        for name in names:
            lacking = t["activities"].height == 0 or (
                "leads.owner" in metrics.get(name).needs
                and t["leads"]["owner"].null_count() == t["leads"].height
            )
            if lacking:
                with pytest.raises(MissingInputsError):
                    metrics.run(con, name, settings=s, filters=f)
                continue
            if name in BY_METRICS:
                got = metrics.run(con, name, settings=s, filters=f, by=by).frame
                want = REFERENCE[name](t, s, rf, by)
            else:
                got = metrics.run(con, name, settings=s, filters=f).frame
                want = REFERENCE[name](t, s, rf)
            compare(got, want, name)
