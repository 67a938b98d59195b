"""Reference (Polars) for ``followup_by_owner``: follow-up discipline per rep, and for everyone:
attempts per lead before resolution (mean, median, share with 0 and 1), leads given up and the
attempts made on them, SLA compliance, speed to lead, connect and SQL rates.

It reads the shared follow-up facts of ``tests.reference.base.touch_facts`` and recomputes
the metric without SQL, so the tests can compare it with its query.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from tests.reference._common import NO_OWNER, owner_facts
from tests.reference.base import DEFAULTS, RefFilters

ALL_OWNERS = "(all)"


def _owner_summary(facts: pl.DataFrame, owner: str) -> dict[str, Any]:
    """The follow-up summary of one group of handed-off leads."""
    n = facts.height
    attempts = facts["n_attempts"]
    given_up = facts.filter(pl.col("is_given_up"))
    met = int((facts["is_sla_met"] == True).fill_null(False).sum())  # noqa: E712
    missed = int((facts["is_sla_met"] == False).fill_null(False).sum())  # noqa: E712
    minutes = facts["minutes_to_first_touch"].drop_nulls()
    return {
        "owner": owner,
        "handed_off": n,
        "mean_attempts": float(attempts.mean()) if n else None,
        "median_attempts": float(attempts.cast(pl.Float64).quantile(0.5, "linear")) if n else None,
        "zero_attempt_rate": int((attempts == 0).sum()) / n if n else None,
        "one_attempt_rate": int((attempts == 1).sum()) / n if n else None,
        "given_up": given_up.height,
        "attempts_on_given_up": float(given_up["n_attempts"].mean()) if given_up.height else None,
        "sla_compliance_rate": met / (met + missed) if met + missed else None,
        "median_minutes_to_first_touch": float(minutes.quantile(0.5, "linear"))
        if minutes.len()
        else None,
        "connect_rate": int(facts["has_connect"].sum()) / n if n else None,
        "sql_rate": int(facts["is_sql"].sum()) / n if n else None,
    }


def followup_by_owner(
    t: dict[str, pl.DataFrame],
    settings: dict[str, Any] | None = None,
    f: RefFilters | None = None,
) -> pl.DataFrame:
    """Per lead owner (names, then '(no owner)'), then '(all)': the follow-up summary."""
    facts = owner_facts(t, settings, f)
    owners = sorted(o for o in facts["owner"].unique().to_list() if o != NO_OWNER)
    if NO_OWNER in facts["owner"].to_list():
        owners.append(NO_OWNER)
    rows = [_owner_summary(facts.filter(pl.col("owner") == o), o) for o in owners]
    rows.append(_owner_summary(facts, ALL_OWNERS))
    # below the team: compliance more than the gap under the (all) row's
    gap = float({**DEFAULTS, **(settings or {})}["rep_below_team_gap"])
    team = rows[-1]["sla_compliance_rate"]
    for row in rows:
        rate = row["sla_compliance_rate"]
        row["is_below_team"] = (
            row["owner"] != ALL_OWNERS
            and rate is not None
            and team is not None
            and rate < team - gap
        )
    schema = {
        "owner": pl.String,
        "handed_off": pl.Int64,
        "mean_attempts": pl.Float64,
        "median_attempts": pl.Float64,
        "zero_attempt_rate": pl.Float64,
        "one_attempt_rate": pl.Float64,
        "given_up": pl.Int64,
        "attempts_on_given_up": pl.Float64,
        "sla_compliance_rate": pl.Float64,
        "median_minutes_to_first_touch": pl.Float64,
        "connect_rate": pl.Float64,
        "sql_rate": pl.Float64,
        "is_below_team": pl.Boolean,
    }
    return pl.DataFrame(rows, schema=schema)
