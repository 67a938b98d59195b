"""Plain pandas versions of Handoff metrics, as an analyst would write them (benchmark only).

The benchmark reads the sample files into pandas DataFrames once (``read_frames``), then
times each function in ``IMPLEMENTED``: every call derives what it needs (the lead facts,
the follow-up facts) from the raw frames, as the DuckDB metrics derive them from the staging
views on every run. The definitions follow ``docs/metrics.md`` and each metric's
``queries/<name>.sql``; ``compare`` checks the totals against the DuckDB result (same column
names), so a drift in either implementation shows up as a warning in the benchmark output.

Only the default settings and no filters are implemented (cohort by created date, no
``--by``); that is what the benchmark times.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

Frames = dict[str, pd.DataFrame]
Settings = Mapping[str, Any]

TIME_COLUMNS: dict[str, tuple[str, ...]] = {
    "leads": ("created_at", "mql_at", "handed_off_at", "accepted_at", "rejected_at", "sql_at"),
    "deals": ("created_at", "closed_at"),
    "activities": ("occurred_at",),
    "spend": ("period",),
}
SPEED_BUCKETS = ("< 5 min", "< 1 h", "< 24 h", "< 72 h", "later", "never")


def read_frames(files: Mapping[str, Path]) -> Frames:
    """Read each table's CSV with pandas (pyarrow engine), timestamps parsed."""
    frames: Frames = {}
    for table, path in files.items():
        frame = pd.read_csv(path, engine="pyarrow")
        for col in TIME_COLUMNS.get(table, ()):
            if col in frame.columns and not pd.api.types.is_datetime64_any_dtype(frame[col]):
                frame[col] = pd.to_datetime(frame[col])
        frames[table] = frame
    return frames


# --------------------------------------------------------------------------- shared facts


def lead_facts(frames: Frames, settings: Settings) -> pd.DataFrame:
    """One row per lead with its stages, deal outcome and verdicts (as lead_facts.sql)."""
    leads = frames["leads"]
    deals = frames["deals"]
    currency = settings["currency"]
    if leads["mql_at"].notna().any():
        mql_at_eff = leads["mql_at"]
    else:
        mql_at_eff = leads["created_at"].where(
            leads["lead_score"] >= settings["mql_score_threshold"]
        )
    handed = leads["handed_off_at"].fillna(mql_at_eff.where(leads["owner"].notna()))

    d = deals[deals["lead_id"].notna()]
    won = d["is_won"].fillna(False).astype(bool)
    closed = d["is_closed"].fillna(False).astype(bool)
    money = d["currency"].isna() | (d["currency"] == currency)
    per_lead = (
        pd.DataFrame(
            {
                "lead_id": d["lead_id"],
                "created_at": d["created_at"],
                "won": won,
                "open": ~closed,
                "won_closed_at": d["closed_at"].where(won),
                "won_amount": d["amount"].where(won & money, 0.0),
                "open_amount": d["amount"].where(~closed & money, 0.0),
            }
        )
        .groupby("lead_id")
        .agg(
            n_deals=("created_at", "size"),
            first_deal_at=("created_at", "min"),
            has_won_deal=("won", "any"),
            has_open_deal=("open", "any"),
            first_won_at=("won_closed_at", "min"),
            n_won_deals=("won", "sum"),
            won_revenue=("won_amount", "sum"),
            open_pipeline=("open_amount", "sum"),
        )
    )
    lf = leads.assign(mql_at_eff=mql_at_eff, handed_off_at_eff=handed).merge(
        per_lead, left_on="lead_id", right_index=True, how="left"
    )
    lf["n_deals"] = lf["n_deals"].fillna(0).astype("int64")
    lf["n_won_deals"] = lf["n_won_deals"].fillna(0).astype("int64")
    lf["won_revenue"] = lf["won_revenue"].fillna(0.0)
    lf["open_pipeline"] = lf["open_pipeline"].fillna(0.0)
    lf["is_won"] = lf["has_won_deal"].fillna(False).astype(bool)
    lf["has_open_deal"] = lf["has_open_deal"].fillna(False).astype(bool)
    lf["is_mql"] = lf["mql_at_eff"].notna()
    lf["is_handed_off"] = lf["handed_off_at_eff"].notna()
    # accepted: an accepted or SQL date, or a deal on a lead sales never rejected (as
    # lead_base.sql: a rep who opened a deal accepted the lead)
    dated = lf["accepted_at"].fillna(lf["sql_at"])
    by_deal = (lf["n_deals"] > 0) & lf["rejected_at"].isna()
    lf["is_accepted"] = dated.notna() | by_deal
    lf["accepted_at_eff"] = dated.where(dated.notna() | ~by_deal, lf["first_deal_at"])
    lf["is_rejected"] = lf["rejected_at"].notna()
    lf["is_sql"] = lf["sql_at"].notna()
    lf["is_opportunity"] = lf["n_deals"] > 0
    lf["resolved_at"] = lf[["sql_at", "rejected_at", "first_deal_at"]].min(axis=1)
    lf["sales_verdict"] = np.select(
        [lf["is_accepted"], lf["is_rejected"]], ["accepted", "rejected"], "never worked"
    )
    lf["cohort_at"] = lf["created_at"]
    return lf


def as_of(frames: Frames) -> pd.Timestamp:
    """The latest moment in the data (what follow-up clocks run to)."""
    leads, deals, acts = frames["leads"], frames["deals"], frames["activities"]
    stamps = [leads[c].max() for c in TIME_COLUMNS["leads"]]
    stamps += [acts["occurred_at"].max(), deals["created_at"].max(), deals["closed_at"].max()]
    return max(s for s in stamps if pd.notna(s))


def touch_facts(frames: Frames, lf: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Handed-off leads with their follow-up after the handoff (as touch_facts.sql).

    The first touch is the first attempt or, with ``inbound_counts_as_contact``, the first
    inbound contact (an inbound activity of an attempt type with a connect outcome) at or
    after the handoff, whichever is earlier; an inbound contact also makes the lead
    connected, but it is never an attempt (as touch_counts.sql).
    """
    acts = frames["activities"]
    connects = [c.lower() for c in settings["connect_outcomes"]]
    is_type = acts["type"].str.lower().isin([t.lower() for t in settings["attempt_types"]])
    direction = acts["direction"].str.lower()
    mask = is_type
    if settings["attempt_outbound_only"]:
        mask = mask & (direction.isna() | (direction == "outbound"))
    handed = lf[lf["is_handed_off"]]
    a = acts.loc[mask, ["lead_id", "occurred_at", "outcome"]].merge(
        handed[["lead_id", "handed_off_at_eff", "resolved_at"]], on="lead_id"
    )
    a = a[a["occurred_at"] >= a["handed_off_at_eff"]]
    a = a.assign(
        is_connect=a["outcome"].str.lower().isin(connects),
        before=a["resolved_at"].isna() | (a["occurred_at"] <= a["resolved_at"]),
    )
    per_lead = a.groupby("lead_id").agg(
        first_attempt_at=("occurred_at", "min"),
        last_attempt_at=("occurred_at", "max"),
        n_attempts=("before", "sum"),
        n_attempts_total=("occurred_at", "size"),
        has_connect=("is_connect", "any"),
    )
    tf = handed.merge(per_lead, left_on="lead_id", right_index=True, how="left")
    if settings["inbound_counts_as_contact"]:
        inbound = (
            is_type
            & direction.notna()
            & (direction != "outbound")
            & acts["outcome"].str.lower().isin(connects)
        )
        ib = acts.loc[inbound, ["lead_id", "occurred_at"]].merge(
            handed[["lead_id", "handed_off_at_eff"]], on="lead_id"
        )
        ib = ib[ib["occurred_at"] >= ib["handed_off_at_eff"]]
        first_inbound = ib.groupby("lead_id")["occurred_at"].min().rename("first_inbound_at")
        tf = tf.merge(first_inbound, left_on="lead_id", right_index=True, how="left")
    else:
        tf["first_inbound_at"] = pd.NaT
    tf["first_touch_at"] = tf[["first_attempt_at", "first_inbound_at"]].min(axis=1)
    tf["n_attempts"] = tf["n_attempts"].fillna(0).astype("int64")
    tf["n_attempts_total"] = tf["n_attempts_total"].fillna(0).astype("int64")
    tf["has_connect"] = (
        tf["has_connect"].fillna(False).astype(bool) | tf["first_inbound_at"].notna()
    )
    minutes = (tf["first_touch_at"] - tf["handed_off_at_eff"]).dt.total_seconds() / 60.0
    tf["minutes_to_first_touch"] = minutes
    # never touched: no first touch (a lead that only called in was touched)
    tf["is_never_touched"] = tf["first_touch_at"].isna()
    tf["speed_bucket"] = np.select(
        [
            tf["first_touch_at"].isna(),
            minutes < 5,
            minutes < 60,
            minutes < 24 * 60,
            minutes < 72 * 60,
        ],
        list(SPEED_BUCKETS[-1:] + SPEED_BUCKETS[:4]),
        "later",
    )
    now = as_of(frames)
    sla = float(settings["sla_hours"])
    # the SLA is missed once strictly more than sla_hours have passed without a touch
    running = now <= tf["handed_off_at_eff"] + pd.Timedelta(hours=sla)
    met = pd.Series(pd.NA, index=tf.index, dtype="boolean")
    touched = tf["first_touch_at"].notna()
    met[touched] = minutes[touched] <= sla * 60
    met[~touched & ~running] = False
    tf["is_sla_met"] = met
    tf["is_given_up"] = (
        (tf["n_attempts_total"] > 0)
        & ~tf["is_sql"]
        & ~tf["is_rejected"]
        & ~tf["is_opportunity"]
        & ~tf["has_connect"]
        & ((now - tf["last_attempt_at"]) > pd.Timedelta(days=int(settings["give_up_days"])))
    )
    return tf


def _rate(num: pd.Series | float, den: pd.Series | float) -> Any:
    """num / den, empty (NaN) where den is 0."""
    if isinstance(den, pd.Series):
        return num / den.where(den != 0)
    return num / den if den else np.nan


# --------------------------------------------------------------------------- metrics


def overview(frames: Frames, settings: Settings) -> pd.DataFrame:
    """Headline counts (overview.sql)."""
    lf = lead_facts(frames, settings)
    deals = frames["deals"].merge(lf[["lead_id"]], on="lead_id")
    won = deals["is_won"].fillna(False).astype(bool)
    money = deals["currency"].isna() | (deals["currency"] == settings["currency"])
    acts = frames["activities"]
    # merge and unique(), not Series.isin against 10M strings: pandas 3.1's isin on str
    # columns is pathologically slow there (minutes), which would flatter DuckDB unfairly
    on_leads = len(acts[["lead_id"]].merge(lf[["lead_id"]], on="lead_id"))
    touched = lf["lead_id"].isin(acts["lead_id"].unique())
    return pd.DataFrame(
        {
            "leads": [len(lf)],
            "mqls": [lf["is_mql"].sum()],
            "handed_off": [lf["is_handed_off"].sum()],
            "accepted": [lf["is_accepted"].sum()],
            "rejected": [lf["is_rejected"].sum()],
            "sqls": [lf["is_sql"].sum()],
            "opportunities": [lf["is_opportunity"].sum()],
            "won_deals": [won.sum()],
            "won_revenue": [deals.loc[won & money, "amount"].sum()],
            "activities": [on_leads],
            "leads_with_no_activity": [int((~touched).sum())],
        }
    )


def funnel(frames: Frames, settings: Settings) -> pd.DataFrame:
    """Stage counts, rates and median days between stages (funnel.sql, no --by)."""
    lf = lead_facts(frames, settings)
    stages = [
        ("lead", "Lead", pd.Series(True, index=lf.index), lf["created_at"]),
        ("mql", "MQL", lf["is_mql"], lf["mql_at_eff"]),
        ("handed_off", "Handed off", lf["is_handed_off"], lf["handed_off_at_eff"]),
        ("accepted", "SAL (accepted)", lf["is_accepted"], lf["accepted_at_eff"]),
        ("sql", "SQL", lf["is_sql"], lf["sql_at"]),
        ("opportunity", "Opportunity", lf["is_opportunity"], lf["first_deal_at"]),
        ("won", "Won", lf["is_won"], lf["first_won_at"]),
    ]
    rows = []
    for i, (key, label, reached, at) in enumerate(stages):
        row: dict[str, Any] = {
            "stage_order": i + 1,
            "stage": key,
            "stage_label": label,
            "count": int(reached.sum()),
        }
        if i:
            prev_reached, prev_at = stages[i - 1][2], stages[i - 1][3]
            both = reached & prev_reached & at.notna() & prev_at.notna()
            days = (at[both] - prev_at[both]).dt.total_seconds() / 86400.0
            ok = days[days >= 0]
            row["median_days_from_previous"] = ok.median() if len(ok) else np.nan
            row["n_timed"] = len(ok)
            row["n_out_of_order"] = int((days < 0).sum())
        rows.append(row)
    out = pd.DataFrame(rows)
    first = out["count"].iloc[0]
    prev = out["count"].shift(1)
    out["rate_from_previous"] = _rate(out["count"], prev)
    out["rate_from_first"] = out["count"] / first if first else np.nan
    out["drop_off"] = prev - out["count"]
    return out


def speed_to_lead(frames: Frames, settings: Settings) -> pd.DataFrame:
    """Handed-off leads by speed-to-lead bucket with SQL and win rates (speed_to_lead.sql)."""
    tf = touch_facts(frames, lead_facts(frames, settings), settings)
    g = tf.groupby("speed_bucket").agg(
        leads=("lead_id", "size"), sqls=("is_sql", "sum"), won=("is_won", "sum")
    )
    out = g.reindex(list(SPEED_BUCKETS), fill_value=0).reset_index()
    out.insert(0, "bucket_order", range(1, 7))
    out["share"] = _rate(out["leads"], out["leads"].sum())
    out["sql_rate"] = _rate(out["sqls"], out["leads"])
    out["win_rate"] = _rate(out["won"], out["leads"])
    return out


def speed_to_lead_by_owner(frames: Frames, settings: Settings) -> pd.DataFrame:
    """Per owner: median/p90 minutes to first touch, SLA met and missed."""
    tf = touch_facts(frames, lead_facts(frames, settings), settings)
    tf = tf.assign(
        owner=tf["owner"].fillna("(no owner)"),
        within=tf["minutes_to_first_touch"] < 60,
        met=tf["is_sla_met"].fillna(False).astype(bool),
        missed=(~tf["is_sla_met"].fillna(True)).astype(bool),
    )
    out = tf.groupby("owner").agg(
        handed_off=("lead_id", "size"),
        touched=("minutes_to_first_touch", "count"),
        median_minutes_to_first_touch=("minutes_to_first_touch", "median"),
        p90_minutes_to_first_touch=("minutes_to_first_touch", lambda s: s.quantile(0.9)),
        within_1h=("within", "sum"),
        sla_met=("met", "sum"),
        sla_missed=("missed", "sum"),
        never_touched=("is_never_touched", "sum"),
        sqls=("is_sql", "sum"),
    )
    out["within_1h_rate"] = _rate(out["within_1h"], out["handed_off"])
    out["sla_compliance_rate"] = _rate(out["sla_met"], out["sla_met"] + out["sla_missed"])
    out["sql_rate"] = _rate(out["sqls"], out["handed_off"])
    out = out.drop(columns=["within_1h", "sqls"]).reset_index()
    return out.sort_values(["median_minutes_to_first_touch", "owner"], ascending=[False, True])


def followup(frames: Frames, settings: Settings) -> pd.DataFrame:
    """Attempts per handed-off lead before resolution, 0..9 and 10+ (followup.sql)."""
    tf = touch_facts(frames, lead_facts(frames, settings), settings)
    g = (
        tf.assign(attempts_order=tf["n_attempts"].clip(upper=10))
        .groupby("attempts_order")
        .agg(leads=("lead_id", "size"), sqls=("is_sql", "sum"))
        .reindex(range(11), fill_value=0)
        .reset_index()
    )
    g["attempts"] = [str(i) for i in range(10)] + ["10+"]
    g["share"] = _rate(g["leads"], g["leads"].sum())
    g["sql_rate"] = _rate(g["sqls"], g["leads"])
    return g


def disagreement(frames: Frames, settings: Settings) -> pd.DataFrame:
    """Marketing × sales agreement, Cohen's kappa and costly disagreements."""
    lf = lead_facts(frames, settings)
    judgement = pd.Series(
        np.select(
            [
                lf["sales_verdict"] == "accepted",
                lf["sales_verdict"] == "rejected",
                lf["n_deals"] > 0,
            ],
            ["accepted", "rejected", "accepted"],
            "",
        ),
        index=lf.index,
    )
    mql = lf["is_mql"]
    acc, rej = judgement == "accepted", judgement == "rejected"
    deals = frames["deals"]
    won = deals[deals["is_won"].fillna(False).astype(bool)]
    money = won["currency"].isna() | (won["currency"] == settings["currency"])
    won = won.assign(
        won_at=won["closed_at"].fillna(won["created_at"]),
        amount=won["amount"].fillna(0).where(money, 0),
    ).merge(lf.loc[lf["rejected_at"].notna(), ["lead_id", "rejected_at"]], on="lead_id")
    fr = won[won["won_at"] > won["rejected_at"]].groupby("lead_id")["amount"].sum()
    missed = ~mql & lf["is_won"]
    n = int((acc | rej).sum())
    aq, au = int((mql & acc).sum()), int((~mql & rej).sum())
    mr, na = int((mql & rej).sum()), int((~mql & acc).sum())
    p_o = _rate(aq + au, n)
    p_e = ((aq + mr) * (aq + na) + (au + na) * (au + mr)) / (n * n) if n else np.nan
    kappa = (p_o - p_e) / (1 - p_e) if n and p_e < 1 else np.nan
    return pd.DataFrame(
        {
            "leads_judged": [n],
            "agree_qualified": [aq],
            "agree_unqualified": [au],
            "mql_rejected": [mr],
            "non_mql_accepted": [na],
            "agreement_rate": [p_o],
            "cohens_kappa": [kappa],
            "never_worked_mqls": [int((mql & (judgement == "")).sum())],
            "false_rejections": [len(fr)],
            "false_rejection_revenue": [float(fr.sum())],
            "missed_leads": [int(missed.sum())],
            "missed_revenue": [float(lf.loc[missed, "won_revenue"].sum())],
        }
    )


def _ntile(position: np.ndarray, n: int, buckets: int) -> np.ndarray:
    """The bucket DuckDB's ntile(buckets) over n ordered rows gives the row at 0-based
    ``position``: equal sizes, the first n % buckets one row larger."""
    q, rem = divmod(n, buckets)
    big = rem * (q + 1)
    return np.where(position < big, position // (q + 1), rem + (position - big) // max(q, 1)) + 1


def score_calibration(frames: Frames, settings: Settings) -> pd.DataFrame:
    """SQL and win rate by score decile, AUC for SQL and won (score_calibration.sql)."""
    lf = lead_facts(frames, settings)
    scored = lf.loc[lf["lead_score"].notna(), ["lead_id", "lead_score", "is_sql", "is_won"]]
    scored = scored.assign(
        score=scored["lead_score"].astype(float),
        won_revenue=lf.loc[scored.index, "won_revenue"],
    )
    # ties are never split: each lead takes the decile of the first lead with its score
    # (its position is the number of lower scores, as rank() - 1 in the query)
    first_position = scored["score"].rank(method="min").to_numpy(dtype="int64") - 1
    scored["decile"] = _ntile(first_position, len(scored), 10)
    out = (
        scored.groupby("decile")
        .agg(
            min_score=("score", "min"),
            max_score=("score", "max"),
            leads=("score", "size"),
            sqls=("is_sql", "sum"),
            won=("is_won", "sum"),
            won_revenue=("won_revenue", "sum"),
        )
        .reindex(range(1, 11))
    )
    out[["leads", "sqls", "won", "won_revenue"]] = out[
        ["leads", "sqls", "won", "won_revenue"]
    ].fillna(0)
    out["sql_rate"] = _rate(out["sqls"], out["leads"])
    out["win_rate"] = _rate(out["won"], out["leads"])
    rank = scored["score"].rank(method="average")
    for flag, col in (("is_sql", "auc_sql"), ("is_won", "auc_won")):
        pos = scored[flag].astype(bool)
        n_pos, n_neg = int(pos.sum()), int((~pos).sum())
        auc = (
            (rank[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)
            if n_pos * n_neg
            else np.nan
        )
        out[col] = auc
    out["unscored_leads"] = int(lf["lead_score"].isna().sum())
    out["scored_leads"] = len(scored)
    return out.reset_index()


def threshold_whatif(frames: Frames, settings: Settings, step: float = 5.0) -> pd.DataFrame:
    """Leads sent, SQLs and revenue kept and missed per score threshold (threshold_whatif.sql)."""
    lf = lead_facts(frames, settings)
    current = float(settings["mql_score_threshold"])
    scored = lf[lf["lead_score"].notna()]
    score = scored["lead_score"].astype(float)
    all_sqls = int(scored["is_sql"].sum())
    all_rev = float(scored["won_revenue"].sum())
    n_reps = lf.loc[lf["is_handed_off"], "owner"].nunique()
    span = (lf["cohort_at"].max() - lf["cohort_at"].min()).total_seconds() / 86400.0 / 7.0
    n_weeks = max(1.0, span)
    grid = sorted({round(i * step, 6) for i in range(int(100 // step) + 1)} | {current})
    rows = []
    for t in grid:
        sent = score >= t
        n_sent = int(sent.sum())
        sqls = int((sent & scored["is_sql"]).sum())
        kept = float(scored.loc[sent, "won_revenue"].sum())
        rows.append(
            {
                "threshold": t,
                "is_current": t == current,
                "leads_sent": n_sent,
                "sqls_kept": sqls,
                "sql_share_kept": _rate(sqls, all_sqls),
                "won_kept": int((sent & scored["is_won"]).sum()),
                "won_revenue_kept": kept,
                "won_revenue_missed": float(scored.loc[~sent, "won_revenue"].sum()),
                "revenue_share_kept": _rate(kept, all_rev),
                "sqls_per_lead_sent": _rate(sqls, n_sent),
                "leads_per_rep_week": n_sent / n_reps / n_weeks if n_reps else np.nan,
                "unscored_leads": int(lf["lead_score"].isna().sum()),
            }
        )
    return pd.DataFrame(rows)


def revenue_by_source(frames: Frames, settings: Settings) -> pd.DataFrame:
    """Per source: funnel counts, won revenue, pipeline and, with spend, cost ratios."""
    lf = lead_facts(frames, settings)
    lf = lf.assign(source=lf["source"].fillna("(no source)"))
    out = lf.groupby("source").agg(
        leads=("lead_id", "size"),
        mqls=("is_mql", "sum"),
        sqls=("is_sql", "sum"),
        won_leads=("is_won", "sum"),
        won_revenue=("won_revenue", "sum"),
        open_pipeline=("open_pipeline", "sum"),
    )
    deals = frames["deals"].drop(columns="source").merge(lf[["lead_id", "source"]], on="lead_id")
    won = deals["is_won"].fillna(False).astype(bool)
    closed = deals["is_closed"].fillna(False).astype(bool) | won
    in_currency = (
        won
        & deals["amount"].notna()
        & (deals["currency"].isna() | (deals["currency"] == settings["currency"]))
    )
    per_source = deals.assign(closed=closed, won=won, in_currency=in_currency).groupby("source")
    out["closed_deals"] = per_source["closed"].sum().reindex(out.index, fill_value=0)
    out["won_deals"] = per_source["won"].sum().reindex(out.index, fill_value=0)
    won_in_currency = per_source["in_currency"].sum().reindex(out.index, fill_value=0)
    out["win_rate"] = _rate(out["won_deals"], out["closed_deals"])
    out["avg_deal_size"] = _rate(out["won_revenue"], won_in_currency)
    out["revenue_per_lead"] = _rate(out["won_revenue"], out["leads"])
    out["revenue_per_mql"] = _rate(out["won_revenue"], out["mqls"])
    spend = frames["spend"]
    money = spend["currency"].isna() | (spend["currency"] == settings["currency"])
    cost = spend[money].groupby("source")["amount"].sum()
    out["spend"] = cost.reindex(out.index).fillna(0.0)
    out["cost_per_lead"] = _rate(out["spend"], out["leads"])
    out["cost_per_mql"] = _rate(out["spend"], out["mqls"])
    out["cost_per_sql"] = _rate(out["spend"], out["sqls"])
    out["cac"] = _rate(out["spend"], out["won_leads"])
    out["roi"] = _rate(out["won_revenue"] - out["spend"], out["spend"])
    return out.reset_index()


IMPLEMENTED: dict[str, Callable[[Frames, Settings], pd.DataFrame]] = {
    "overview": overview,
    "funnel": funnel,
    "speed_to_lead": speed_to_lead,
    "speed_to_lead_by_owner": speed_to_lead_by_owner,
    "followup": followup,
    "disagreement": disagreement,
    "revenue_by_source": revenue_by_source,
    "score_calibration": score_calibration,
    "threshold_whatif": threshold_whatif,
}


# --------------------------------------------------------------------------- checking


def compare(name: str, result: pd.DataFrame, duck_path: Path) -> dict[str, Any]:
    """Compare row count and per-column totals of the numeric columns both results have."""
    duck = pd.read_parquet(duck_path)
    problems: list[str] = []
    if len(duck) != len(result):
        problems.append(f"{len(result)} rows in pandas, {len(duck)} in DuckDB")
    checked: list[str] = []
    for col in result.columns:
        if col not in duck.columns or col == "dimension":
            continue
        a, b = result[col], duck[col]
        if not (pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b)):
            continue
        checked.append(col)
        sa, sb = float(a.astype(float).sum()), float(b.astype(float).sum())
        if not np.isclose(sa, sb, rtol=1e-6, atol=1e-9):
            problems.append(f"{col}: total {sa:.6g} in pandas, {sb:.6g} in DuckDB")
    missing = [c for c in duck.columns if c not in result.columns and c != "dimension"]
    return {"ok": not problems, "checked": checked, "problems": problems, "not_in_pandas": missing}
