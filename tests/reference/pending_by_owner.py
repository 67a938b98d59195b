"""Reference (Polars) for ``pending_by_owner``: per lead owner, the handed-off leads waiting for
sales' decision past the SLA, with the longest and median wait.

Written without SQL from its entry in docs/metrics.md.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from tests.reference.base import DEFAULTS, RefFilters, as_of, lead_facts


def pending_by_owner(
    t: dict[str, pl.DataFrame],
    settings: dict[str, Any] | None = None,
    f: RefFilters | None = None,
) -> pl.DataFrame:
    """Per owner: handed-off leads undecided for more than sla_hours, longest and median wait.

    Waits are counted from the handoff to the latest moment anywhere in the data; rows go
    from the most waiting leads down, then by owner with the leads without one last.
    """
    s = {**DEFAULTS, **(settings or {})}
    now = as_of(t)
    facts = lead_facts(t, s, f)
    waits: dict[str | None, list[float]] = {}
    for lead in facts.iter_rows(named=True):
        if not lead["is_handed_off"] or lead["is_accepted"] or lead["is_rejected"]:
            continue
        if lead["is_sql"]:
            continue
        hours = (now - lead["handed_off_at_eff"]).total_seconds() / 3600
        if hours > float(s["sla_hours"]):
            waits.setdefault(lead["owner"], []).append(hours)
    rows = []
    for owner, hours in waits.items():
        ordered = sorted(hours)
        mid = len(ordered) // 2
        median = ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
        rows.append(
            {
                "owner": owner,
                "leads": len(hours),
                "longest_hours": max(hours),
                "median_hours": median,
            }
        )
    rows.sort(key=lambda r: (-r["leads"], r["owner"] is None, r["owner"] or ""))
    return pl.DataFrame(
        rows,
        schema={
            "owner": pl.String,
            "leads": pl.Int64,
            "longest_hours": pl.Float64,
            "median_hours": pl.Float64,
        },
    )
