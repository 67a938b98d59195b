"""The review meeting: what changed since the previous period, and what to talk about.

Pure logic over metrics (no Streamlit), shared by the Review page and the review report:

- :func:`callouts` finds the disagreements worth the meeting's time (a source sales keeps
  rejecting, a source the score over-rates, reps who respond slowly or give up after one
  attempt, rejected leads that bought anyway, non-MQLs that bought, leads left waiting past
  the SLA), each with the revenue at stake, ranked by it. Every number comes from a metric
  in ``queries/``; every threshold is a ``callout_*`` setting.
- :func:`compare_periods` puts the headline numbers of one month or quarter beside the
  previous one (in :mod:`dashboard.review_periods`, re-exported here).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import polars as pl

from dashboard import metrics
from dashboard import review_periods as _periods
from dashboard.i18n import (
    fmt_duration_minutes,
    fmt_int,
    fmt_money_short,
    fmt_number,
    fmt_pct,
    t,
)

# the periods and their comparison live in review_periods; callers use them from here
GRAINS = _periods.GRAINS
HEADLINES = _periods.HEADLINES
Comparison = _periods.Comparison
Headline = _periods.Headline
Period = _periods.Period
compare_periods = _periods.compare_periods
default_period = _periods.default_period
headline_values = _periods.headline_values
months_of = _periods.months_of
newest_mature = _periods.newest_mature
period_of = _periods.period_of
periods = _periods.periods

# Callout kinds in the order they are looked for (ties in impact keep this order).
KINDS = (
    "source_rejections",
    "score_overrates_source",
    "one_attempt_rep",
    "slow_rep",
    "false_rejections",
    "missed_leads",
    "sla_pending",
)


@dataclass
class Callout:
    """One finding for the review meeting, with the numbers behind it and where to see them."""

    kind: str
    title: str
    detail: str
    impact: float
    page: str
    params: dict[str, str | list[str]]
    evidence: dict[str, float | int | str]
    # the lead list its link opens (dashboard.evidence.LISTS), and its size (a metric's)
    lead_list: str = ""
    list_count: int | None = None


# ----------------------------------------------------------------------------- helpers
class _Runner:
    """Runs metrics on one connection with one set of settings and filters, once each."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, settings: dict[str, Any], filters: metrics.Filters
    ) -> None:
        self.con = con
        self.settings = metrics.resolve_settings(settings, None)
        self.filters = filters
        self._cache: dict[tuple[str, str | None], pl.DataFrame | None] = {}

    def __call__(self, name: str, by: str | None = None) -> pl.DataFrame | None:
        """The metric's rows, or None when the workspace lacks an input it needs."""
        key = (name, by)
        if key not in self._cache:
            self._cache[key] = metrics.answer(
                self.con, name, settings=self.settings, filters=self.filters, by=by
            ).frame
        return self._cache[key]


def _num(value: Any) -> float:
    """A metric value as a float (None counts as 0)."""
    return float(value) if value is not None else 0.0


# ----------------------------------------------------------------------------- callouts
def callouts(
    con: duckdb.DuckDBPyConnection,
    settings: dict,
    filters: metrics.Filters,
    lang: str = "en",
) -> list[Callout]:
    """The review meeting's findings on the leads in ``filters``, largest impact first.

    Each kind is looked for only when the workspace has the columns its metrics need, and
    only in groups of at least ``callout_min_leads`` leads. Every figure a callout states,
    its impact included, is a column of ``callout_sources``, ``callout_reps`` or
    ``callout_facts`` (documented in docs/metrics.md); this function only compares them
    with the settings and words them. The impact is the revenue at stake in the reporting
    currency, estimated per kind:

    - ``source_rejections`` (a source's share of rejections exceeds its share of MQLs by
      ``callout_share_gap``): the source's excess rejections (its rejections minus what the
      other sources' rejection rate would give) × won revenue per handed-off lead.
    - ``score_overrates_source`` (a source reaches MQL at least as often as the others, but
      its MQLs become SQL at no more than ``callout_quality_ratio`` of the others' rate): the
      MQLs its SQLs do not justify at the others' rate × won revenue per handed-off lead
      (the sales time they take from better leads).
    - ``one_attempt_rep`` (exactly one attempt on at least ``callout_one_attempt_rate`` of
      the rep's handed-off leads) and ``slow_rep`` (median first touch at least
      ``callout_sla_multiple`` × the SLA): the SQLs the rep's leads would have made at the
      rest of the team's SQL rate × won revenue per SQL.
    - ``false_rejections`` (rejected leads that won a deal after the rejection, at least
      ``callout_false_rejection_rate`` of rejections): the revenue they won after it.
    - ``missed_leads`` (never-MQL leads that won, at least ``callout_missed_rate`` of the
      won leads): their won revenue.
    - ``sla_pending`` (handed-off leads still undecided past the SLA, at least
      ``callout_pending_rate`` of handed-off leads): their number × won revenue per
      handed-off lead.
    """
    run = _Runner(con, settings, filters)
    s = run.settings
    currency = str(s.get("currency") or "VND")
    ctx = _Ctx(run, s, filters, lang, currency)
    found: list[Callout] = []
    for finder in (
        _source_rejections,
        _score_overrates_source,
        _one_attempt_rep,
        _slow_rep,
        _false_rejections,
        _missed_leads,
        _sla_pending,
    ):
        found.extend(finder(ctx))
    order = {k: i for i, k in enumerate(KINDS)}
    return sorted(found, key=lambda c: (-c.impact, order.get(c.kind, 99)))


@dataclass
class _Ctx:
    run: _Runner
    settings: dict[str, Any]
    filters: metrics.Filters
    lang: str
    currency: str

    def t(self, key: str, **values: object) -> str:
        return t(f"review.{key}", self.lang, **values)

    def pct(self, value: float | None) -> str:
        return fmt_pct(value, self.lang)

    def money(self, value: float | None) -> str:
        return fmt_money_short(value, self.currency, self.lang)

    def n(self, value: float | int | None) -> str:
        return fmt_int(value, self.lang)

    def params(self, **extra: str | list[str]) -> dict[str, str | list[str]]:
        # the URL parameters of the filters in force, so the evidence view keeps them
        return {**self.filters.url_params(), **extra}

    @property
    def min_leads(self) -> int:
        return int(self.settings["callout_min_leads"])


def _source_rejections(c: _Ctx) -> list[Callout]:
    facts = c.run("callout_sources")
    if facts is None:
        return []
    reasons = c.run("rejection_reasons", by="source")
    gap = float(c.settings["callout_share_gap"])
    out = []
    for row in facts.iter_rows(named=True):
        source = row["source"]
        if _num(row["mqls"]) < c.min_leads or row["share_gap"] is None:
            continue
        if row["share_gap"] < gap:
            continue
        impact = _num(row["rejections_impact"])
        top_reason, top_share = "", None
        if reasons is not None:
            mine = reasons.filter((pl.col("dimension") == source) & (pl.col("rank") == 1))
            if mine.height:
                top_reason = str(mine["rejection_reason"][0])
                top_share = float(mine["share"][0])
        values = {
            "source": source,
            "mql_share": c.pct(row["mql_share"]),
            "rej_share": c.pct(row["rejection_share"]),
            "rate": c.pct(row["rejection_rate"]),
            "rest_rate": c.pct(_num(row["rest_rejection_rate"])),
            "reason": top_reason,
            "reason_share": c.pct(top_share),
            "impact": c.money(impact),
        }
        title_key = "source_rejections_title" if top_reason else "source_rejections_title_bare"
        out.append(
            Callout(
                kind="source_rejections",
                title=c.t(title_key, **values),
                detail=c.t(
                    "source_rejections_detail" if top_reason else "source_rejections_detail_bare",
                    **values,
                ),
                impact=impact,
                page="handoff",
                params=c.params(source=[source]),
                lead_list="rejected",
                list_count=int(row["rejected"]),
                evidence={
                    "source": source,
                    "mqls": int(row["mqls"]),
                    "rejected": int(row["rejected"]),
                    "mql_share": _num(row["mql_share"]),
                    "rejection_share": _num(row["rejection_share"]),
                    "rejection_rate": _num(row["rejection_rate"]),
                    "rest_rejection_rate": _num(row["rest_rejection_rate"]),
                    "excess_rejections": _num(row["excess_rejections"]),
                    "top_reason": top_reason,
                    "top_reason_share": top_share if top_share is not None else 0.0,
                },
            )
        )
    return out


def _score_overrates_source(c: _Ctx) -> list[Callout]:
    facts = c.run("callout_sources")
    if facts is None:
        return []
    ratio = float(c.settings["callout_quality_ratio"])
    out = []
    for row in facts.iter_rows(named=True):
        source = row["source"]
        if source == "(no source)" or _num(row["mqls"]) < c.min_leads:
            continue
        needed = ("mql_rate", "rest_mql_rate", "sql_per_mql", "sql_per_mql_ratio")
        if any(row[k] is None for k in needed) or not row["rest_sql_per_mql"]:
            continue
        if row["mql_rate"] < row["rest_mql_rate"] or row["sql_per_mql_ratio"] > ratio:
            continue
        impact = _num(row["overrated_impact"])
        values = {
            "source": source,
            "mql_rate": c.pct(row["mql_rate"]),
            "rest_mql_rate": c.pct(row["rest_mql_rate"]),
            "sql_rate": c.pct(row["sql_per_mql"]),
            "rest_sql_rate": c.pct(row["rest_sql_per_mql"]),
            "excess": c.n(row["excess_mqls"]),
            "impact": c.money(impact),
        }
        out.append(
            Callout(
                kind="score_overrates_source",
                title=c.t("score_overrates_title", **values),
                detail=c.t("score_overrates_detail", **values),
                impact=impact,
                page="scoring",
                params=c.params(source=[source]),
                lead_list="mqls",
                list_count=int(row["mqls"]),
                evidence={
                    "source": source,
                    "leads": int(row["leads"]),
                    "mqls": int(row["mqls"]),
                    "sqls": int(row["sqls"]),
                    "mql_rate": row["mql_rate"],
                    "rest_mql_rate": row["rest_mql_rate"],
                    "sql_per_mql": row["sql_per_mql"],
                    "rest_sql_per_mql": row["rest_sql_per_mql"],
                    "excess_mqls": _num(row["excess_mqls"]),
                },
            )
        )
    return out


def _one_attempt_rep(c: _Ctx) -> list[Callout]:
    reps = c.run("callout_reps")
    if reps is None:
        return []
    limit = float(c.settings["callout_one_attempt_rate"])
    out = []
    for row in reps.iter_rows(named=True):
        if _num(row["handed_off"]) < c.min_leads or _num(row["one_attempt_rate"]) < limit:
            continue
        impact = _num(row["impact"])
        team_rate = row["team_one_attempt_rate"]
        values = {
            "owner": row["owner"],
            "rate": c.pct(row["one_attempt_rate"]),
            "team_rate": c.pct(team_rate),
            "median": fmt_int(row["median_attempts"], c.lang),
            "sql_rate": c.pct(row["sql_rate"]),
            "rest_sql_rate": c.pct(row["rest_sql_rate"]),
            "impact": c.money(impact),
        }
        out.append(
            Callout(
                kind="one_attempt_rep",
                title=c.t("one_attempt_title", **values),
                detail=c.t("one_attempt_detail", **values),
                impact=impact,
                page="followup",
                params=c.params(owner=[row["owner"]]),
                lead_list="handed_off",
                list_count=int(row["handed_off"]),
                evidence={
                    "owner": row["owner"],
                    "handed_off": int(row["handed_off"]),
                    "one_attempt_rate": _num(row["one_attempt_rate"]),
                    "team_one_attempt_rate": _num(team_rate),
                    "median_attempts": _num(row["median_attempts"]),
                    "sql_rate": _num(row["sql_rate"]),
                    "rest_sql_rate": _num(row["rest_sql_rate"]),
                },
            )
        )
    return out


def _slow_rep(c: _Ctx) -> list[Callout]:
    reps = c.run("callout_reps")
    if reps is None:
        return []
    # the setting is in hours, the metric in minutes; the SLA is worded in minutes
    sla_minutes = float(c.settings["sla_hours"]) * 60
    limit = float(c.settings["callout_sla_multiple"]) * sla_minutes
    out = []
    for row in reps.iter_rows(named=True):
        median = row["median_minutes_to_first_touch"]
        if _num(row["handed_off"]) < c.min_leads or median is None or median < limit:
            continue
        impact = _num(row["impact"])
        values = {
            "owner": row["owner"],
            "median": fmt_duration_minutes(median, c.lang),
            "sla": fmt_duration_minutes(sla_minutes, c.lang),
            "compliance": c.pct(row["sla_compliance_rate"]),
            "sql_rate": c.pct(row["sql_rate"]),
            "rest_sql_rate": c.pct(row["rest_sql_rate"]),
            "impact": c.money(impact),
        }
        out.append(
            Callout(
                kind="slow_rep",
                title=c.t("slow_rep_title", **values),
                detail=c.t("slow_rep_detail", **values),
                impact=impact,
                page="followup",
                params=c.params(owner=[row["owner"]]),
                lead_list="handed_off",
                list_count=int(row["handed_off"]),
                evidence={
                    "owner": row["owner"],
                    "handed_off": int(row["handed_off"]),
                    "median_minutes_to_first_touch": float(median),
                    "sla_minutes": sla_minutes,
                    "sla_compliance_rate": _num(row["sla_compliance_rate"]),
                    "sql_rate": _num(row["sql_rate"]),
                    "rest_sql_rate": _num(row["rest_sql_rate"]),
                },
            )
        )
    return out


def _facts(c: _Ctx) -> dict[str, Any] | None:
    """The one row of callout_facts, or None when the workspace lacks its inputs."""
    f = c.run("callout_facts")
    return f.row(0, named=True) if f is not None and f.height else None


def _false_rejections(c: _Ctx) -> list[Callout]:
    row = _facts(c)
    if row is None:
        return []
    n, revenue, rate = (
        int(row["false_rejections"]),
        row["false_rejection_revenue"],
        row["false_rejection_rate"],
    )
    if rate is None or rate < float(c.settings["callout_false_rejection_rate"]) or not n:
        return []
    source, reason = row["top_source"], row["top_reason"]
    values = {
        "n": c.n(n),
        "revenue": c.money(revenue),
        "rate": c.pct(rate),
        "source": source,
        "n_source": c.n(row["top_source_count"]),
        "reason": reason,
        "n_reason": c.n(row["top_reason_count"]),
    }
    detail = c.t("false_rejections_detail", **values) if source and reason else ""
    return [
        Callout(
            kind="false_rejections",
            title=c.t("false_rejections_title", **values),
            detail=(detail + " " + c.t("false_rejections_why")).strip(),
            impact=revenue,
            page="quality",
            params=c.params(),
            lead_list="false_rejections",
            list_count=n,
            evidence={
                "false_rejections": n,
                "false_rejection_revenue": revenue,
                "rejected": int(row["rejected"]),
                "rate": rate,
                "top_source": source,
                "top_source_count": int(row["top_source_count"]),
                "top_reason": reason,
                "top_reason_count": int(row["top_reason_count"]),
            },
        )
    ]


def _missed_leads(c: _Ctx) -> list[Callout]:
    row = _facts(c)
    if row is None:
        return []
    n, revenue, rate = int(row["missed_leads"]), row["missed_revenue"], row["missed_rate"]
    if rate is None or rate < float(c.settings["callout_missed_rate"]) or not n:
        return []
    mean_score, max_score = row["missed_mean_score"], row["missed_max_score"]
    has_scores = max_score is not None
    values = {
        "n": c.n(n),
        "revenue": c.money(revenue),
        "rate": c.pct(rate),
        "threshold": fmt_int(c.settings["mql_score_threshold"], c.lang),
        "mean_score": fmt_number(mean_score, c.lang, 1) if has_scores else "–",
        "max_score": fmt_number(max_score, c.lang, 0) if has_scores else "–",
    }
    detail = c.t("missed_leads_detail" if has_scores else "missed_leads_detail_bare", **values)
    return [
        Callout(
            kind="missed_leads",
            title=c.t("missed_leads_title", **values),
            detail=detail,
            impact=revenue,
            page="quality",
            params=c.params(),
            lead_list="missed_leads",
            list_count=n,
            evidence={
                "missed_leads": n,
                "missed_revenue": revenue,
                "won_leads": int(row["won_leads"]),
                "rate": rate,
                "mean_score": _num(mean_score),
                "max_score": _num(max_score),
            },
        )
    ]


def _sla_pending(c: _Ctx) -> list[Callout]:
    row = _facts(c)
    if row is None:
        return []
    pending, rate = int(row["pending_past_sla"]), row["pending_rate"]
    if rate is None or rate < float(c.settings["callout_pending_rate"]) or not pending:
        return []
    impact = _num(row["pending_impact"])
    values = {
        "n": c.n(pending),
        "rate": c.pct(rate),
        "sla": fmt_duration_minutes(float(c.settings["sla_hours"]) * 60, c.lang),
        "impact": c.money(impact),
    }
    return [
        Callout(
            kind="sla_pending",
            title=c.t("sla_pending_title", **values),
            detail=c.t("sla_pending_detail", **values),
            impact=impact,
            page="handoff",
            params=c.params(),
            lead_list="pending_past_sla",
            list_count=pending,
            evidence={
                "pending_past_sla": pending,
                "handed_off": int(row["handed_off"]),
                "rate": rate,
            },
        )
    ]
