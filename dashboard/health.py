"""Data health: checks on what is stored, the coverage of optional columns, load history.

The same checks run at the end of every load (their warnings are printed and logged)
and in ``handoff check`` / the Data page, so both always describe the stored data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import duckdb

from dashboard.errors import Problem
from dashboard.schema import TABLES

if TYPE_CHECKING:
    from dashboard.workspace import Workspace

# Stage timestamps that must not come before another one on the same lead.
STAGE_ORDER: tuple[tuple[str, str], ...] = (
    ("created_at", "mql_at"),
    ("mql_at", "handed_off_at"),
    ("handed_off_at", "accepted_at"),
    ("handed_off_at", "rejected_at"),
    ("mql_at", "sql_at"),
    ("accepted_at", "sql_at"),
)


def data_checks(
    con: duckdb.DuckDBPyConnection, reporting_currency: str | None = None
) -> list[Problem]:
    """Warnings about stored rows that are kept but deserve a look.

    Deals or activities pointing to leads that are not loaded, deals with no lead, deals
    won before their lead was created, stage timestamps out of order, and amounts in
    several currencies, or in another currency than ``reporting_currency``, with no
    exchange rates.
    """
    return [
        *_link_checks(con),
        *_stage_checks(con),
        *_currency_checks(con, reporting_currency),
    ]


def _link_checks(con: duckdb.DuckDBPyConnection) -> list[Problem]:
    """Deals with no lead, deals won before their lead, rows pointing at missing leads."""
    out: list[Problem] = []
    n, won = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE is_won) FROM deals WHERE lead_id IS NULL"
    ).fetchall()[0]
    if n:
        out.append(
            Problem(
                f"{n:,} deals ({won:,} of them won) link to no lead; every lead-based figure "
                "leaves them out (the overview counts them in deals_without_lead, and "
                "`handoff metric unlinked_deals` shows them by owner)",
                fix="export the deals with their lead or contact id, or load the leads they "
                "came from",
                file="deals",
                column="lead_id",
                count=int(n),
                severity="warning",
            )
        )
    n, ids = con.execute(
        """SELECT count(*), list(d.deal_id ORDER BY d.deal_id)[1:5]
           FROM deals d JOIN leads l USING (lead_id)
           WHERE d.is_won AND coalesce(d.closed_at, d.created_at) < l.created_at"""
    ).fetchall()[0]
    if n:
        out.append(
            Problem(
                f"{n:,} won deals were won before their lead was created "
                f"(e.g. deal_id {', '.join(map(str, ids or []))})",
                fix="check those deals' close dates and their leads' created dates in the "
                "CRM; the deals are kept and counted as given",
                file="deals",
                column="closed_at",
                count=int(n),
                severity="warning",
            )
        )
    for name in ("deals", "activities"):
        n, ids = con.execute(
            f"""SELECT count(*), list(DISTINCT lead_id ORDER BY lead_id)[1:5] FROM "{name}" t
                WHERE lead_id IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM leads l WHERE l.lead_id = t.lead_id)"""
        ).fetchall()[0]
        if n:
            out.append(
                Problem(
                    f"{n:,} {name} point to leads that are not loaded "
                    f"(e.g. lead_id {', '.join(map(str, ids or []))})",
                    fix=f"load the leads file that contains them, or check that the {name} "
                    "file's lead column holds lead ids",
                    file=name,
                    column="lead_id",
                    count=int(n),
                    severity="warning",
                )
            )
    return out


def _stage_checks(con: duckdb.DuckDBPyConnection) -> list[Problem]:
    """Leads whose stage timestamps are out of order."""
    out: list[Problem] = []
    for earlier, later in STAGE_ORDER:
        n, ids = con.execute(
            f"""SELECT count(*), list(lead_id ORDER BY lead_id)[1:5] FROM leads
                WHERE "{later}" < "{earlier}" """
        ).fetchall()[0]
        if n:
            out.append(
                Problem(
                    f"{n:,} leads have {later} before {earlier} "
                    f"(e.g. lead_id {', '.join(map(str, ids or []))})",
                    fix="check those stage dates in the CRM; the leads are kept and measured "
                    "as given",
                    file="leads",
                    column=later,
                    count=int(n),
                    severity="warning",
                )
            )
    return out


def _currency_checks(
    con: duckdb.DuckDBPyConnection, reporting_currency: str | None
) -> list[Problem]:
    """Amounts in several currencies, or in another than the reporting one."""
    out: list[Problem] = []
    for name in ("deals", "spend"):
        currencies = con.execute(
            f'SELECT list(DISTINCT currency ORDER BY currency) FROM "{name}" '
            "WHERE currency IS NOT NULL"
        ).fetchall()[0][0]
        if currencies and len(currencies) > 1:
            out.append(
                Problem(
                    f"amounts are in several currencies ({', '.join(currencies)}) and no "
                    "exchange rates are loaded; money totals count only amounts in the "
                    "reporting currency",
                    fix="convert the amounts to one currency before exporting, or set the "
                    "reporting currency with `handoff settings --set currency=...`",
                    file=name,
                    column="currency",
                    severity="warning",
                )
            )
        if not reporting_currency:
            continue
        n, others = con.execute(
            f"""SELECT count(*), list(DISTINCT currency ORDER BY currency) FROM "{name}"
                WHERE amount IS NOT NULL AND currency IS DISTINCT FROM $c
                  AND currency IS NOT NULL""",
            {"c": reporting_currency},
        ).fetchall()[0]
        if n:
            out.append(
                Problem(
                    f"{n:,} amounts in {name} are in {', '.join(others)}, not in the reporting "
                    f"currency {reporting_currency}, and no exchange rates are loaded: money "
                    "totals leave them out",
                    fix=f"set the reporting currency with `handoff settings --set "
                    f"currency={others[0]}`, or load the file again with --set currency=... "
                    "if its amounts are in another currency than the one stored",
                    file=name,
                    column="currency",
                    count=int(n),
                    severity="warning",
                )
            )
    return out


@dataclass
class HealthReport:
    """What is stored, how complete it is, what looks wrong, and where it came from."""

    counts: dict[str, int]
    coverage: dict[str, dict[str, int]]
    warnings: list[Problem]
    loads: list[dict[str, Any]]
    settings: dict[str, Any] = field(default_factory=dict)

    def empty_columns(self) -> dict[str, list[str]]:
        """Per table with rows, the canonical columns that hold no value at all."""
        out: dict[str, list[str]] = {}
        for table, cols in self.coverage.items():
            if self.counts.get(table):
                out[table] = [c for c, n in cols.items() if n == 0]
        return out

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form of the report."""
        return {
            "counts": self.counts,
            "coverage": {
                t: {c: (n / self.counts[t] if self.counts.get(t) else 0.0) for c, n in cols.items()}
                for t, cols in self.coverage.items()
            },
            "warnings": [
                {
                    "table": w.file,
                    "column": w.column,
                    "message": w.message,
                    "fix": w.fix,
                    "rows": w.count,
                }
                for w in self.warnings
            ],
            "loads": self.loads,
        }

    def to_text(self) -> str:
        """The report as a person reads it in a terminal."""
        lines = ["Tables:"]
        for table, n in self.counts.items():
            lines.append(f"  {table:<14} {n:>12,} rows")
        lines.append("")
        if self.warnings:
            lines.append(f"Warnings ({len(self.warnings)}):")
            lines.extend(f"  - {w.render()}" for w in self.warnings)
        else:
            lines.append("Warnings: none")
        lines.append("")
        lines.append("Coverage of optional columns (share of rows with a value):")
        for table, cols in self.coverage.items():
            total = self.counts.get(table) or 0
            if not total:
                continue
            parts = [
                f"{c} {n / total:.0%}"
                for c, n in cols.items()
                if not TABLES[table].has_column(c) or not TABLES[table].column(c).required
            ]
            lines.append(f"  {table}: " + ", ".join(parts))
        empty = {t: cs for t, cs in self.empty_columns().items() if cs}
        if empty:
            lines.append("")
            lines.append("Empty columns (metrics that need them say so instead of showing zeros):")
            for table, cols in empty.items():
                lines.append(f"  {table}: {', '.join(cols)}")
        lines.append("")
        if self.loads:
            lines.append("Load history (newest first):")
            for entry in self.loads[:20]:
                lines.append(
                    f"  {entry['loaded_at']:%Y-%m-%d %H:%M} {entry['file_name']} -> "
                    f"{entry['table_name']} ({entry['rows']:,} rows, {entry['mode']}, "
                    f"{entry['crm']}, sha256 {entry['sha256'][:12]}…)"
                )
        else:
            lines.append("Load history: nothing loaded yet")
        return "\n".join(lines)


def health_report(ws: Workspace) -> HealthReport:
    """Build the data-health report of a workspace."""
    loads = ws.load_log().to_dicts()
    for entry in loads:
        entry["mapping"] = json.loads(entry["mapping"]) if entry.get("mapping") else {}
        entry["notes"] = json.loads(entry["notes"]) if entry.get("notes") else []
    return HealthReport(
        counts=ws.counts(),
        coverage=ws.coverage(),
        warnings=data_checks(ws.con, ws.settings().get("currency")),
        loads=loads,
        settings=ws.settings(),
    )
