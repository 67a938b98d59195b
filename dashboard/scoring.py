"""Suggested MQL score thresholds: two rules over the rows of the ``threshold_whatif`` metric.

Pure functions (a Polars frame in, a :class:`Suggestion` out), so the Scoring page and the
tests share one implementation and every suggestion can say, with its numbers, why it was
chosen. The rules only pick a row of the metric; they compute no new figures.

- :func:`suggest_by_revenue`: the strictest threshold that still keeps a share of won
  revenue (at most ``1 - keep_share`` of it lost).
- :func:`suggest_by_efficiency`: the threshold with the most SQLs per lead sent, among the
  thresholds that still send a minimum share of the scored leads (ties: the lowest).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import polars as pl

from dashboard.i18n import fmt_int, fmt_money_short, fmt_number, fmt_pct, t

REVENUE = "revenue"
EFFICIENCY = "efficiency"
RULES = (REVENUE, EFFICIENCY)

# shares come from floating-point division: a share meant to equal the target may miss it
# by a rounding error, which must not move the suggestion
_TOLERANCE = 1e-9

COLUMNS = (
    "threshold",
    "leads_sent",
    "sqls_kept",
    "sql_share_kept",
    "won_revenue_kept",
    "won_revenue_missed",
    "revenue_share_kept",
    "sqls_per_lead_sent",
)


@dataclass(frozen=True)
class Suggestion:
    """A suggested threshold, or why there is none, with the rows that justify it.

    ``outcome`` is ``"ok"`` when ``threshold`` is set; otherwise one of ``"empty"`` (no
    scored leads), ``"no_revenue"``, ``"unreachable"`` (revenue rule), ``"no_sqls"``,
    ``"too_few_leads"`` (efficiency rule). ``row`` is the ``threshold_whatif`` row of the
    suggestion; ``neighbour`` the row it is compared with (revenue: the next stricter
    threshold, which misses the target; efficiency: the lowest threshold, sending every
    scored lead).
    """

    rule: str
    outcome: str
    target: float
    threshold: float | None = None
    row: dict[str, Any] | None = None
    neighbour: dict[str, Any] | None = None
    best_share: float | None = None
    min_leads: int | None = None
    scored_leads: int | None = None
    tied: int = 1

    @property
    def found(self) -> bool:
        """True when the rule could suggest a threshold."""
        return self.threshold is not None

    def reason(self, lang: str = "en", currency: str = "VND") -> str:
        """Why this threshold (or why none), in words with the numbers, in ``lang``."""

        def pct(v: float | None) -> str:
            return fmt_pct(v, lang)

        def money(v: float | None) -> str:
            return fmt_money_short(v, currency, lang)

        target = pct(self.target)
        if self.outcome == "empty":
            return t("scoring.reason_empty", lang)
        if self.rule == REVENUE:
            if self.outcome == "no_revenue":
                return t("scoring.reason_revenue_none", lang)
            if self.outcome == "unreachable":
                return t(
                    "scoring.reason_revenue_unreachable",
                    lang,
                    target=target,
                    best=pct(self.best_share),
                )
            row = self.row or {}
            text = t(
                "scoring.reason_revenue",
                lang,
                threshold=fmt_threshold(self.threshold, lang),
                target=target,
                sent=fmt_int(row["leads_sent"], lang),
                kept_share=pct(row["revenue_share_kept"]),
                kept=money(row["won_revenue_kept"]),
                missed=money(row["won_revenue_missed"]),
                sql_share=pct(row["sql_share_kept"]),
            )
            if self.neighbour is None:
                return text + " " + t("scoring.reason_revenue_top", lang)
            return (
                text
                + " "
                + t(
                    "scoring.reason_revenue_next",
                    lang,
                    next=fmt_threshold(self.neighbour["threshold"], lang),
                    next_share=pct(self.neighbour["revenue_share_kept"]),
                    target=target,
                )
            )
        if self.outcome == "no_sqls":
            return t("scoring.reason_efficiency_no_sqls", lang)
        if self.outcome == "too_few_leads":
            return t(
                "scoring.reason_efficiency_too_few",
                lang,
                min_share=target,
                min_leads=fmt_int(self.min_leads, lang),
            )
        row = self.row or {}
        base = self.neighbour or {}
        text = t(
            "scoring.reason_efficiency",
            lang,
            threshold=fmt_threshold(self.threshold, lang),
            rate=pct(row["sqls_per_lead_sent"]),
            sqls=fmt_int(row["sqls_kept"], lang),
            sent=fmt_int(row["leads_sent"], lang),
            min_share=target,
            min_leads=fmt_int(self.min_leads, lang),
            base_threshold=fmt_threshold(base.get("threshold"), lang),
            base_rate=pct(base.get("sqls_per_lead_sent")),
            sql_share=pct(row["sql_share_kept"]),
            revenue_share=pct(row["revenue_share_kept"]),
        )
        if self.tied > 1:
            text += " " + t("scoring.reason_efficiency_tied", lang, n=fmt_int(self.tied, lang))
        return text


def fmt_threshold(value: float | None, lang: str = "en") -> str:
    """A score threshold: whole numbers without decimals, others with one."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return fmt_number(value, lang, 0 if float(value).is_integer() else 1)


def _rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"not a threshold_whatif frame: missing {', '.join(missing)}")
    return frame.select(COLUMNS).sort("threshold").to_dicts()


def _check_share(name: str, value: float) -> None:
    if not 0 <= value <= 1:
        raise ValueError(f"{name} must be a share between 0 and 1, not {value}")


def suggest_by_revenue(frame: pl.DataFrame, keep_share: float) -> Suggestion:
    """The highest threshold whose leads still hold at least ``keep_share`` of won revenue.

    That is the strictest threshold losing at most ``1 - keep_share`` of the won revenue of
    the scored leads. None (outcome ``"unreachable"``) when no threshold on the grid keeps
    that much, and ``"no_revenue"`` when the scored leads have no won revenue at all.
    """
    _check_share("keep_share", keep_share)
    rows = _rows(frame)
    if not rows or not any(r["leads_sent"] for r in rows):
        return Suggestion(REVENUE, "empty", keep_share)
    shares = [r for r in rows if r["revenue_share_kept"] is not None]
    if not shares:
        return Suggestion(REVENUE, "no_revenue", keep_share)
    keeping = [r for r in shares if r["revenue_share_kept"] >= keep_share - _TOLERANCE]
    if not keeping:
        best = max(r["revenue_share_kept"] for r in shares)
        return Suggestion(REVENUE, "unreachable", keep_share, best_share=best)
    chosen = max(keeping, key=lambda r: r["threshold"])
    stricter = [r for r in shares if r["threshold"] > chosen["threshold"]]
    neighbour = min(stricter, key=lambda r: r["threshold"]) if stricter else None
    return Suggestion(
        REVENUE,
        "ok",
        keep_share,
        threshold=float(chosen["threshold"]),
        row=chosen,
        neighbour=neighbour,
        best_share=max(r["revenue_share_kept"] for r in shares),
    )


def suggest_by_efficiency(
    frame: pl.DataFrame, min_sent_share: float, *, scored_leads: int | None = None
) -> Suggestion:
    """The threshold with the most SQLs per lead sent among those sending enough leads.

    A threshold qualifies when it sends at least ``min_sent_share`` of the scored leads
    (and at least one lead), so the rule cannot pick a threshold that sends a handful.
    Equal rates (compared exactly, as fractions) go to the lowest threshold: of two
    equally efficient thresholds, the lower one drops no lead without need.
    ``scored_leads`` defaults to the most leads any threshold sends (the lowest one).
    """
    _check_share("min_sent_share", min_sent_share)
    rows = _rows(frame)
    scored = (
        scored_leads
        if scored_leads is not None
        else max((r["leads_sent"] for r in rows), default=0)
    )
    if not rows or not scored:
        return Suggestion(EFFICIENCY, "empty", min_sent_share)
    if not any(r["sqls_kept"] for r in rows):
        return Suggestion(EFFICIENCY, "no_sqls", min_sent_share, scored_leads=scored)
    min_leads = max(1, math.ceil(min_sent_share * scored - _TOLERANCE))
    candidates = [r for r in rows if r["leads_sent"] >= min_leads]
    if not candidates:
        return Suggestion(
            EFFICIENCY,
            "too_few_leads",
            min_sent_share,
            min_leads=min_leads,
            scored_leads=scored,
        )
    rate = {id(r): Fraction(r["sqls_kept"], r["leads_sent"]) for r in candidates}
    best = max(rate.values())
    tied = [r for r in candidates if rate[id(r)] == best]
    chosen = min(tied, key=lambda r: r["threshold"])
    return Suggestion(
        EFFICIENCY,
        "ok",
        min_sent_share,
        threshold=float(chosen["threshold"]),
        row=chosen,
        neighbour=rows[0],
        min_leads=min_leads,
        scored_leads=scored,
        tied=len(tied),
    )


def suggest(
    frame: pl.DataFrame, rule: str, share: float, *, scored_leads: int | None = None
) -> Suggestion:
    """Apply ``rule`` (:data:`REVENUE` or :data:`EFFICIENCY`) with its share parameter."""
    if rule == REVENUE:
        return suggest_by_revenue(frame, share)
    if rule == EFFICIENCY:
        return suggest_by_efficiency(frame, share, scored_leads=scored_leads)
    raise ValueError(f"unknown rule {rule!r}: use one of {', '.join(RULES)}")
