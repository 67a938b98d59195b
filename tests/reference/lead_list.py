"""Reference (Polars) for ``lead_list``: one row per lead with its stages, both teams'
verdicts, follow-up and outcome.

Written without SQL from queries/lead_list.md: the flags are the shared definitions of
``tests/reference/base.lead_facts`` and ``touch_facts``; pending, the waiting time and the
score band are worked out here from their words.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from tests.reference.base import DEFAULTS, RefFilters, as_of, lead_facts, touch_facts

COLUMNS = [
    "lead_id",
    "created_at",
    "source",
    "campaign",
    "owner",
    "lead_score",
    "cohort_month",
    "mql_at",
    "handed_off_at",
    "accepted_at",
    "rejected_at",
    "rejection_reason",
    "sql_at",
    "is_mql",
    "is_handed_off",
    "is_accepted",
    "is_rejected",
    "is_sql",
    "is_opportunity",
    "is_won",
    "marketing_verdict",
    "sales_verdict",
    "outcome",
    "won_revenue",
    "open_pipeline",
    "first_touch_at",
    "minutes_to_first_touch",
    "speed_bucket",
    "n_attempts",
    "has_connect",
    "is_sla_met",
    "is_given_up",
    "is_pending",
    "hours_waiting",
    "is_pending_past_sla",
    "score_band",
    "segment_value",
]
FOLLOW_UP = [
    "first_touch_at",
    "minutes_to_first_touch",
    "speed_bucket",
    "n_attempts",
    "has_connect",
    "is_sla_met",
    "is_given_up",
]


def score_band(score: float | None) -> str | None:
    """The score in bands of 20: 0-19, 20-39, 40-59, 60-79 and 80-100 (100 in the last)."""
    if score is None:
        return None
    low = min(int(score // 20) * 20, 80)
    return f"{low}-{100 if low == 80 else low + 19}"


def lead_list(
    t: dict[str, pl.DataFrame], settings: dict[str, Any] | None = None, f: RefFilters | None = None
) -> pl.DataFrame:
    """Every lead in the filters, ordered by creation time (then id), one column per fact."""
    s = {**DEFAULTS, **(settings or {})}
    facts = lead_facts(t, s, f)
    touch = touch_facts(t, s, f).select("lead_id", *FOLLOW_UP)
    now = as_of(t)
    sla = dt.timedelta(hours=float(s["sla_hours"]))
    rows = []
    follow_up = {r["lead_id"]: r for r in touch.iter_rows(named=True)}
    for lead in facts.iter_rows(named=True):
        pending = (
            lead["is_handed_off"]
            and not lead["is_accepted"]
            and not lead["is_rejected"]
            and not lead["is_sql"]
        )
        waited = now - lead["handed_off_at_eff"] if pending else None
        touched = follow_up.get(lead["lead_id"], {})
        rows.append(
            {
                **{c: lead[c] for c in COLUMNS[:7]},
                "mql_at": lead["mql_at_eff"],
                "handed_off_at": lead["handed_off_at_eff"],
                **{c: lead[c] for c in COLUMNS[9:20]},
                "marketing_verdict": "MQL" if lead["is_mql"] else "not MQL",
                "sales_verdict": lead["sales_verdict"],
                "outcome": lead["outcome"],
                "won_revenue": lead["won_revenue"],
                "open_pipeline": lead["open_pipeline"],
                **{c: touched.get(c) for c in FOLLOW_UP},
                "is_pending": pending,
                "hours_waiting": None if waited is None else waited.total_seconds() / 3600,
                "is_pending_past_sla": waited is not None and waited > sla,
                "score_band": score_band(lead["lead_score"]),
                "segment_value": None,
            }
        )
    schema = {c: facts.schema.get(c) for c in COLUMNS[:20] if c in facts.schema}
    schema.update(
        mql_at=facts.schema["mql_at_eff"],
        handed_off_at=facts.schema["handed_off_at_eff"],
        marketing_verdict=pl.String,
        sales_verdict=pl.String,
        outcome=pl.String,
        won_revenue=pl.Float64,
        open_pipeline=pl.Float64,
        **{c: touch.schema[c] for c in FOLLOW_UP},
        is_pending=pl.Boolean,
        hours_waiting=pl.Float64,
        is_pending_past_sla=pl.Boolean,
        score_band=pl.String,
        segment_value=pl.String,
    )
    out = pl.DataFrame(rows, schema={c: schema[c] for c in COLUMNS}, orient="row")
    return out.sort(["created_at", "lead_id"], maintain_order=True)
