"""Deterministic demo data for Handoff: a B2B software company selling CRM software in Vietnam.

``generate()`` builds the four canonical tables (leads, deals, activities, spend) with the
column names of :mod:`dashboard.schema`; ``write()`` stores them as CSV or Parquet. The same
arguments always give the same rows, so the committed demo files can be checked against a
fresh run. Everything is vectorised with NumPy and Polars (no Python loop per lead), so a
million leads with ten million activities take seconds, not minutes.

With ``patterns=True`` six findings are planted for the joint review meeting (see
``sample_data/README.md``): a high-volume source sales keeps rejecting (Zalo OA, "No
budget"), a source the lead score over-rates (Purchased list), a rep who gives up after one
attempt (Đỗ Quang Huy), two slow responders (Vũ Thị Lan, Bùi Văn Tài), rejected MQLs that
later bought, and non-MQLs that bought. With ``patterns=False`` the data has the same shape
but every source, score and rep behaves alike.

Command line::

    python -m sample_data.generate                      # rewrite the committed demo files
    python -m sample_data.generate --leads 1000000 --activities-per-lead 10 \\
        --deals-per-lead 0.3 --out /tmp/bench --format parquet   # benchmark data
"""

from __future__ import annotations

import argparse
import calendar
import gzip
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

TABLES: tuple[str, ...] = ("leads", "deals", "activities", "spend")
FORMATS: tuple[str, ...] = ("csv", "csv.gz", "parquet")
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
DATE_FORMAT = "%Y-%m-%d"
DEFAULT_DIR = Path(__file__).resolve().parent

MINUTE = 60.0
HOUR = 3_600.0
DAY = 86_400.0
LOCAL_OFFSET = 7 * HOUR  # Vietnam is UTC+7; stored timestamps are naive UTC
MQL_THRESHOLD = 60  # lead score at or above which marketing calls a lead an MQL


# --------------------------------------------------------------------------- the company


@dataclass(frozen=True)
class Source:
    """One acquisition source and how its leads behave."""

    name: str
    share: float  # share of leads in an ordinary month
    quality: float  # mean true buying intent (latent, in standard deviations)
    score_bias: float  # lead-score points the scoring model over-rates it (patterns only)
    explicit_mql: float  # chance a below-threshold lead is marked MQL by hand
    cost_per_lead: float  # VND spent per lead (trade shows cost per event instead)
    sizes: tuple[float, float, float, float, float]  # company-size mix


SOURCES: tuple[Source, ...] = (
    Source("Facebook Ads", 0.22, -0.10, 0.0, 0.03, 160_000, (0.38, 0.33, 0.18, 0.08, 0.03)),
    Source("Zalo OA", 0.32, 0.25, 0.0, 0.04, 110_000, (0.40, 0.34, 0.17, 0.07, 0.02)),
    Source("Google Ads", 0.14, 0.25, 0.0, 0.05, 320_000, (0.22, 0.32, 0.26, 0.14, 0.06)),
    Source("Website form", 0.11, 0.30, 0.0, 0.12, 60_000, (0.20, 0.30, 0.27, 0.15, 0.08)),
    Source("Referral", 0.05, 0.75, 0.0, 0.20, 50_000, (0.15, 0.30, 0.30, 0.17, 0.08)),
    Source("Trade show", 0.05, 0.40, 0.0, 0.15, 0.0, (0.12, 0.28, 0.32, 0.18, 0.10)),
    Source("TikTok", 0.08, -0.45, 0.0, 0.02, 120_000, (0.48, 0.32, 0.13, 0.05, 0.02)),
    Source("Purchased list", 0.06, -0.90, 30.0, 0.00, 35_000, (0.25, 0.35, 0.25, 0.11, 0.04)),
)
SOURCE_NAMES: tuple[str, ...] = tuple(s.name for s in SOURCES)
ZALO = SOURCE_NAMES.index("Zalo OA")
PURCHASED = SOURCE_NAMES.index("Purchased list")
TRADE_SHOW = SOURCE_NAMES.index("Trade show")
PAID_SOCIAL = (SOURCE_NAMES.index("Facebook Ads"), ZALO, SOURCE_NAMES.index("TikTok"))

# Trade shows by calendar month ({year} is filled in).
TRADE_SHOWS: dict[int, str] = {
    4: "Vietnam Expo {year}",
    6: "Saigon Tech Summit {year}",
    8: "Hội thảo Chuyển đổi số SME {year}",
    11: "Techfest Việt Nam {year}",
}
TRADE_SHOW_COST = 240_000_000  # VND per event (booth, travel, print)

# Lunar new year (Tết) by year; leads dip around it, promotions run before it.
TET: dict[int, date] = {
    2020: date(2020, 1, 25),
    2021: date(2021, 2, 12),
    2022: date(2022, 2, 1),
    2023: date(2023, 1, 22),
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 3),
    2031: date(2031, 1, 23),
    2032: date(2032, 2, 11),
    2033: date(2033, 1, 31),
    2034: date(2034, 2, 19),
    2035: date(2035, 2, 8),
}

REPS: tuple[str, ...] = (
    "Nguyễn Văn An",
    "Trần Thị Bích",
    "Lê Hoàng Minh",
    "Phạm Thu Hà",
    "Hoàng Đức Thắng",
    "Vũ Thị Lan",
    "Đặng Minh Tuấn",
    "Bùi Văn Tài",
    "Đỗ Quang Huy",
    "Ngô Thị Mai",
    "Dương Quốc Bảo",
    "Lý Thanh Tâm",
)
REP_WEIGHTS = np.array([1.2, 1.0, 1.1, 1.0, 0.9, 1.0, 1.1, 0.9, 1.0, 0.8, 1.0, 0.7])
GIVE_UP_REP = "Đỗ Quang Huy"  # makes one attempt on most leads, then nothing
SLOW_REPS: tuple[str, ...] = ("Vũ Thị Lan", "Bùi Văn Tài")  # first touch after 1-2 days
# Median minutes from handoff to first touch per rep (patterns on); everyone else ~30 min.
REP_RESPONSE_MINUTES = np.array([12, 25, 40, 18, 55, 27 * 60, 30, 40 * 60, 35, 20, 45, 28.0])
EVEN_RESPONSE_MINUTES = 30.0
GIVE_UP_SHARE = 0.85  # share of the give-up rep's leads that get exactly one attempt

COUNTRIES = ("Vietnam", "Singapore", "Thailand", "Cambodia", "Japan", "Laos")
COUNTRY_P = (0.93, 0.025, 0.015, 0.012, 0.01, 0.008)
REGIONS = (
    "TP. Hồ Chí Minh",
    "Hà Nội",
    "Đà Nẵng",
    "Hải Phòng",
    "Bình Dương",
    "Đồng Nai",
    "Cần Thơ",
    "Bắc Ninh",
    "Quảng Ninh",
    "Khánh Hòa",
)
REGION_P = (0.37, 0.31, 0.07, 0.05, 0.05, 0.04, 0.04, 0.03, 0.02, 0.02)
INDUSTRIES = (
    "Retail",
    "Manufacturing",
    "Logistics",
    "Real estate",
    "Education",
    "Healthcare",
    "Financial services",
    "F&B",
    "IT services",
    "Construction",
)
INDUSTRY_P = (0.17, 0.15, 0.1, 0.09, 0.1, 0.06, 0.07, 0.12, 0.08, 0.06)
INDUSTRY_EFFECT = np.array([0.0, 0.15, 0.2, 0.05, -0.2, 0.1, 0.25, -0.15, 0.2, 0.0])
SIZES = ("1-10", "11-50", "51-200", "201-1000", "1000+")
SIZE_EFFECT = np.array([-0.35, -0.1, 0.15, 0.35, 0.45])
SIZE_DEAL_MEDIAN = np.array([28e6, 60e6, 130e6, 260e6, 450e6])  # VND

REASONS = (
    "No budget",
    "Not decision maker",
    "Wrong contact info",
    "Student / job seeker",
    "Competitor",
    "Duplicate",
    "No need",
    "Bad timing",
)
REASON_MIX = np.array([0.16, 0.14, 0.10, 0.07, 0.07, 0.08, 0.21, 0.17])
REASON_MIX_ZALO = np.array([0.46, 0.07, 0.07, 0.12, 0.02, 0.04, 0.12, 0.10])
REASON_MIX_PURCHASED = np.array([0.08, 0.26, 0.30, 0.02, 0.04, 0.08, 0.16, 0.06])
NO_BUDGET, NOT_DM, NO_NEED, BAD_TIMING = 0, 1, 6, 7

TYPES = ("call", "email", "zalo", "meeting")
CALL, EMAIL, ZALO_MSG, MEETING = range(4)
DIRECTIONS = ("outbound", "inbound")
OUTCOMES = ("connected", "no answer", "voicemail", "busy", "replied", "sent", "completed")
CONNECTED, NO_ANSWER, VOICEMAIL, BUSY, REPLIED, SENT, COMPLETED = range(7)

STATUSES = (
    "New",
    "Nurturing",
    "MQL",
    "Assigned",
    "Working",
    "Disqualified",
    "SQL",
    "Opportunity",
    "Closed lost",
    "Customer",
)
TEMPERATURES = ("cold", "warm", "hot")
OPEN_STAGES = ("Qualification", "Demo", "Proposal", "Negotiation")
STAGES = (*OPEN_STAGES, "Closed Won", "Closed Lost")

# Attempt limit of an ordinary rep before giving up on a lead that never answers.
ATTEMPT_LIMIT_P = np.array([0.06, 0.09, 0.14, 0.18, 0.2, 0.15, 0.11, 0.07])
_HOURS_AM = (0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 0.7, 1.4, 2.6, 3.4, 3.6, 3.3)
_HOURS_PM = (2.4, 2.8, 3.3, 3.4, 3.1, 2.7, 2.1, 2.1, 2.3, 2.0, 1.3, 0.6)
HOUR_P_LOCAL = np.array([*_HOURS_AM, *_HOURS_PM])  # leads by local hour of the day

# Planted rates: share of all leads that are rejected-then-won / never-MQL-but-won.
FALSE_REJECTION_RATE = {True: 0.005, False: 0.0003}
MISSED_LEAD_RATE = {True: 0.005, False: 0.0003}

# Follow-up activities (after the first connect) per lead, before scaling.
FOLLOW_WORKING = 8.0  # connected, not (yet) SQL
FOLLOW_SQL = 18.0  # SQL without a deal
FOLLOW_DEAL_PER_WEEK = 4.5  # per week of an open or closed deal


# --------------------------------------------------------------------------- helpers


def _seconds(d: date) -> float:
    return float(np.datetime64(d, "s").astype(np.int64))


def _add_months(d: date, months: int) -> date:
    m = d.month - 1 + months
    year, month = d.year + m // 12, m % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _lognormal(
    rng: np.random.Generator, median: float | np.ndarray, sigma: float, n: int
) -> np.ndarray:
    return np.asarray(median) * np.exp(sigma * rng.standard_normal(n))


def _pick(rng: np.random.Generator, p: Sequence[float] | np.ndarray, n: int) -> np.ndarray:
    """n category codes drawn with probabilities p (normalised)."""
    cdf = np.cumsum(np.asarray(p, dtype=float))
    cdf /= cdf[-1]
    return np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), len(cdf) - 1)


def _pick_rows(rng: np.random.Generator, p: np.ndarray) -> np.ndarray:
    """One category code per row of the probability matrix p (rows normalised)."""
    cdf = np.cumsum(p, axis=1)
    u = rng.random(len(p)) * cdf[:, -1]
    return np.minimum((cdf < u[:, None]).sum(axis=1), p.shape[1] - 1)


def _labels(codes: np.ndarray, labels: Sequence[str], name: str) -> pl.Series:
    """Text series from integer codes; a negative code is null."""
    lut = pl.Series(name, [*labels, None], dtype=pl.String)
    return lut.gather(np.where(codes < 0, len(labels), codes).astype(np.int64)).alias(name)


def _timestamps(t: np.ndarray, name: str) -> pl.Series:
    """Datetime series (microseconds, naive UTC) from float seconds; NaN is null."""
    micro = np.where(np.isnan(t), 0, np.floor(np.nan_to_num(t)) * 1_000_000).astype(np.int64)
    s = pl.Series(name, micro, dtype=pl.Int64).cast(pl.Datetime("us"))
    return pl.select(
        pl.when(pl.lit(pl.Series(np.isnan(t)))).then(None).otherwise(s).alias(name)
    ).to_series()


def _ids(prefix: str, n: int, min_width: int, name: str) -> pl.Series:
    """Ids ``prefix000001``..., zero-padded to at least ``min_width`` digits."""
    width = max(min_width, len(str(n)))
    seq = pl.int_range(1, n + 1, eager=True, dtype=pl.Int64).cast(pl.String).str.zfill(width)
    return (prefix + seq).alias(name)


def _censor(t: np.ndarray, end: float) -> np.ndarray:
    return np.where(t < end, t, np.nan)


def _segments(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For rows repeated ``counts`` times: the owner index of each row and its rank in it."""
    owner = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    rank = np.arange(len(owner)) - starts[owner]
    return owner, rank


@dataclass(frozen=True)
class _Calendar:
    start: date
    end: date
    t0: float
    t1: float
    month_starts: tuple[date, ...]

    @staticmethod
    def make(start: date, months: int) -> _Calendar:
        end = _add_months(start, months)
        first = date(start.year, start.month, 1)
        starts = []
        d = first
        while d < end:
            starts.append(d)
            d = _add_months(d, 1)
        return _Calendar(start, end, _seconds(start), _seconds(end), tuple(starts))

    def month_index(self, t: np.ndarray) -> np.ndarray:
        months = t.astype(np.int64).astype("datetime64[s]").astype("datetime64[M]")
        first = np.datetime64(self.month_starts[0], "M")
        return (months - first).astype(np.int64)


def _tet_months(month: date) -> bool:
    """True for the month of Tết and the month of the pre-Tết promotions."""
    for tet in (TET.get(month.year), TET.get(month.year + 1)):
        if tet is None:
            continue
        promo = date.fromordinal(tet.toordinal() - 25)
        if (month.year, month.month) in ((tet.year, tet.month), (promo.year, promo.month)):
            return True
    return False


def _tet_year(month: date) -> int:
    tet = TET.get(month.year)
    return month.year if tet is not None and month <= tet else month.year + 1


def _campaigns(source: str, month: date) -> list[tuple[str, float]]:
    """Campaigns of a source that run in a month, with their share of its leads."""
    y, m = month.year, month.month
    tet = _tet_months(month)
    tet_name = f"Tết {_tet_year(month)} khuyến mãi"
    out: list[tuple[str, float]]
    if source == "Facebook Ads":
        out = [("FB Lead Ads - CRM cho SME", 3.0), ("FB Retargeting website", 1.0)]
        if tet:
            out.append((tet_name, 3.0))
        if m == 11:
            out.append((f"Black Friday {y}", 2.0))
        if m in (6, 7):
            out.append((f"Khuyến mãi giữa năm {y}", 1.5))
    elif source == "Zalo OA":
        out = [("Zalo OA - Tư vấn miễn phí", 3.0), ("Zalo Ads - Dùng thử 14 ngày", 2.0)]
        if tet:
            out.append((tet_name, 3.0))
    elif source == "Google Ads":
        out = [
            ("Google Search - phần mềm CRM", 3.0),
            ("Google Search - thương hiệu", 1.0),
            ("Google Display - remarketing", 1.0),
        ]
    elif source == "Website form":
        out = [
            ("Website - Đăng ký demo", 3.0),
            (f"Webinar CRM tháng {m}", 2.0),
            ("Ebook Quy trình bán hàng B2B", 1.0),
        ]
    elif source == "Referral":
        out = [("Khách hàng giới thiệu", 3.0), ("Đối tác triển khai", 1.0)]
    elif source == "Trade show":
        out = [(TRADE_SHOWS[m].format(year=y), 1.0)] if m in TRADE_SHOWS else []
    elif source == "TikTok":
        out = [("TikTok - Video demo CRM", 2.0), ("TikTok Live bán hàng", 1.0)]
        if tet:
            out.append((f"TikTok Tết {_tet_year(month)}", 2.0))
    elif source == "Purchased list":
        q = (m - 1) // 3 + 1
        out = [(f"Danh sách DN Hà Nội Q{q}/{y}", 1.0), (f"Danh sách DN TP.HCM Q{q}/{y}", 1.2)]
    else:
        raise KeyError(source)
    return out


# --------------------------------------------------------------------------- leads


def _created_at(rng: np.random.Generator, n: int, cal: _Calendar) -> np.ndarray:
    """Sorted lead creation times: weekday rhythm, growth, a dip around Tết."""
    n_days = (cal.end - cal.start).days
    day = np.arange(n_days)
    ordinal = cal.start.toordinal() + day
    weekday = (ordinal - 1) % 7  # date.fromordinal(1) is a Monday
    w = np.where(weekday < 5, 1.0, np.where(weekday == 5, 0.55, 0.4))
    w = w * (1.0 + 0.3 * day / max(n_days, 1))
    for tet in TET.values():
        d = (ordinal - tet.toordinal()).astype(float)
        w = w * (1.0 - 0.75 * np.exp(-(((d - 3.0) / 6.0) ** 2)))  # the holiday itself
        w = w * (1.0 + 0.25 * np.exp(-(((d + 20.0) / 9.0) ** 2)))  # pre-Tết promotions
    day_of = _pick(rng, w, n)
    hour = _pick(rng, HOUR_P_LOCAL, n)
    sec = hour * HOUR + rng.integers(0, 3600, n)
    t = cal.t0 + day_of * DAY + sec - LOCAL_OFFSET
    t = np.where(t < cal.t0, t + DAY, t)
    return np.sort(t)


def _make_leads(rng: np.random.Generator, n: int, cal: _Calendar, patterns: bool) -> dict:
    created = _created_at(rng, n, cal)
    month = cal.month_index(created)
    n_months = len(cal.month_starts)

    # Source by month (Tết promotions, trade-show months), then campaign by source and month.
    shares = np.array([s.share for s in SOURCES])
    weights = np.tile(shares, (n_months, 1))
    for mi, ms in enumerate(cal.month_starts):
        if _tet_months(ms):
            weights[mi, list(PAID_SOCIAL)] *= 1.3
        weights[mi, TRADE_SHOW] = shares[TRADE_SHOW] * 3.0 if ms.month in TRADE_SHOWS else 0.0
    source = np.empty(n, dtype=np.int64)
    u = rng.random(n)
    for mi in range(n_months):
        sel = month == mi
        cdf = np.cumsum(weights[mi]) / weights[mi].sum()
        source[sel] = np.minimum(np.searchsorted(cdf, u[sel], side="right"), len(SOURCES) - 1)

    campaign_names: list[str] = []
    campaign_code: dict[str, int] = {}
    campaign = np.empty(n, dtype=np.int64)
    u = rng.random(n)
    order = np.lexsort((source, month))
    keys = month[order] * len(SOURCES) + source[order]
    bounds = np.flatnonzero(np.diff(keys)) + 1
    for group in np.split(order, bounds):
        if len(group) == 0:
            continue
        mi, si = int(month[group[0]]), int(source[group[0]])
        options = _campaigns(SOURCE_NAMES[si], cal.month_starts[mi])
        codes = []
        for name, _ in options:
            if name not in campaign_code:
                campaign_code[name] = len(campaign_names)
                campaign_names.append(name)
            codes.append(campaign_code[name])
        cdf = np.cumsum([w for _, w in options]) / sum(w for _, w in options)
        pick = np.minimum(np.searchsorted(cdf, u[group], side="right"), len(options) - 1)
        campaign[group] = np.asarray(codes)[pick]

    # Segments.
    country = _pick(rng, COUNTRY_P, n)
    region = np.where(country == 0, _pick(rng, REGION_P, n), -1)
    industry = _pick(rng, INDUSTRY_P, n)
    size = _pick_rows(rng, np.array([s.sizes for s in SOURCES])[source])

    # True buying intent (z) and the lead score, which sees only part of it.
    quality = np.array([s.quality for s in SOURCES])
    observed = (
        quality[source] + SIZE_EFFECT[size] + INDUSTRY_EFFECT[industry]
    ) + 0.75 * rng.standard_normal(n)
    z = observed + 0.6 * rng.standard_normal(n)
    bias = np.array([s.score_bias for s in SOURCES]) if patterns else np.zeros(len(SOURCES))
    score = np.clip(np.round(53.0 + 16.0 * observed + bias[source]), 0, 100).astype(np.int64)

    return {
        "n": n,
        "created": created,
        "month": month,
        "source": source,
        "campaign": campaign,
        "campaign_names": campaign_names,
        "country": country,
        "region": region,
        "industry": industry,
        "size": size,
        "z": z,
        "score": score,
    }


# --------------------------------------------------------------------------- the funnel


def _funnel(rng: np.random.Generator, lead: dict, cal: _Calendar, patterns: bool) -> dict:
    """MQL, handoff, sales decision, attempts and SQL for every lead.

    Adds the stage times (censored at the end of the window) to ``lead`` and returns the
    attempts as activity arrays.
    """
    n, created, source, z, score = (
        lead["n"],
        lead["created"],
        lead["source"],
        lead["z"],
        lead["score"],
    )
    end = cal.t1

    # MQL: score over the threshold, or marked by hand.
    explicit_rate = np.array([s.explicit_mql for s in SOURCES])[source]
    by_score = score >= MQL_THRESHOLD
    explicit = ~by_score & (rng.random(n) < explicit_rate)
    mql = by_score | explicit
    quick = rng.random(n) < 0.55
    delay = np.where(
        explicit | quick,
        rng.uniform(1, 45, n) * MINUTE,
        np.clip(_lognormal(rng, 2 * DAY, 1.0, n), 5 * MINUTE, 30 * DAY),
    )
    mql_at = np.where(mql, created + delay, np.nan)

    # Handoff: most MQLs are routed to a rep within minutes to a day.
    handed = mql & (rng.random(n) < 0.96)
    handoff_delay = np.clip(_lognormal(rng, 25 * MINUTE, 1.3, n), 1 * MINUTE, 24 * HOUR)
    handed_off_at = np.where(handed, mql_at + handoff_delay, np.nan)
    owner = np.where(handed, _pick(rng, REP_WEIGHTS, n), -1)

    # Sales decision: accept, reject (with a reason) or leave pending.
    zalo = source == ZALO
    purchased = source == PURCHASED
    logit = -0.55 - 0.9 * z
    if patterns:
        logit = logit + 2.6 * zalo - 0.4 * purchased
    pending = rng.random(n) < 0.05
    rejected = handed & ~pending & (rng.random(n) < _sigmoid(logit))
    accepted = handed & ~pending & ~rejected
    mix = np.tile(REASON_MIX, (n, 1))
    if patterns:
        mix[zalo] = REASON_MIX_ZALO
        mix[purchased] = REASON_MIX_PURCHASED
    reason = np.where(rejected, _pick_rows(rng, mix), -1)

    # Attempts: first touch after a rep-specific delay, then attempts until a connect or the
    # rep's attempt limit.
    minutes = REP_RESPONSE_MINUTES if patterns else np.full(len(REPS), EVEN_RESPONSE_MINUTES)
    response = np.clip(
        _lognormal(rng, minutes[np.maximum(owner, 0)] * MINUTE, 1.0, n), 1 * MINUTE, 20 * DAY
    )
    first_touch = handed_off_at + response
    touched = handed & (rng.random(n) >= 0.06)
    limit = _pick(rng, ATTEMPT_LIMIT_P, n) + 1
    give_up = REPS.index(GIVE_UP_REP)
    one_done = (
        touched & (owner == give_up) & (rng.random(n) < GIVE_UP_SHARE)
        if patterns
        else np.zeros(n, dtype=bool)
    )
    limit = np.where(one_done, 1, limit)
    p_connect = np.clip(0.36 + 0.05 * z, 0.1, 0.7)
    if patterns:
        p_connect = np.where(purchased, p_connect * 0.6, p_connect)
    first_connect = rng.geometric(p_connect)
    connected = touched & (first_connect <= limit)
    n_attempts = np.where(touched, np.minimum(first_connect, limit), 0).astype(np.int64)

    a_lead, a_rank = _segments(n_attempts)
    gap = np.clip(_lognormal(rng, 18 * HOUR, 0.9, len(a_lead)), 10 * MINUTE, 10 * DAY)
    gap[a_rank == 0] = 0.0
    cs = np.cumsum(gap)
    starts = np.cumsum(n_attempts) - n_attempts
    a_time = first_touch[a_lead] + cs - cs[starts[a_lead]]
    last_attempt = np.full(n, np.nan)
    last_pos = starts + n_attempts - 1
    has = n_attempts > 0
    last_attempt[has] = a_time[last_pos[has]]
    connect_at = np.where(connected, last_attempt, np.nan)
    a_type = _pick(rng, [0.7, 0.1, 0.2], len(a_lead))  # call, email, zalo
    a_connect = connected[a_lead] & (a_rank == n_attempts[a_lead] - 1)
    miss = _pick(rng, [0.6, 0.15, 0.25], len(a_lead)) + NO_ANSWER
    a_outcome = np.where(
        a_type == CALL, np.where(a_connect, CONNECTED, miss), np.where(a_connect, REPLIED, SENT)
    )

    accepted_at = np.where(
        accepted,
        handed_off_at + np.clip(_lognormal(rng, 90 * MINUTE, 1.2, n), MINUTE, 5 * DAY),
        np.nan,
    )
    reject_after = np.where(
        has,
        last_attempt + _lognormal(rng, 3 * HOUR, 1.0, n),
        handed_off_at + _lognormal(rng, 20 * HOUR, 1.0, n),
    )
    rejected_at = np.where(rejected, reject_after, np.nan)

    # SQL: needs a connect; answering fast matters a lot.
    wait = first_touch - handed_off_at
    speed = np.select(
        [wait < 5 * MINUTE, wait < HOUR, wait < 24 * HOUR, wait < 72 * HOUR],
        [1.2, 0.9, -0.2, -1.1],
        -1.6,
    )
    p_sql = _sigmoid(-1.3 + 1.1 * z + speed)
    sql = accepted & connected & ~one_done & (rng.random(n) < p_sql)
    sql_at = np.where(
        sql,
        np.fmax(connect_at, accepted_at)
        + np.clip(_lognormal(rng, 2 * DAY, 0.8, n), HOUR, 30 * DAY),
        np.nan,
    )

    # The export is taken at the end of the window: nothing after it has happened yet.
    mql_at = _censor(mql_at, end)
    handed_off_at = _censor(handed_off_at, end)
    accepted_at = _censor(accepted_at, end)
    rejected_at = _censor(rejected_at, end)
    sql_at = _censor(sql_at, end)
    owner = np.where(np.isnan(handed_off_at), -1, owner)
    reason = np.where(np.isnan(rejected_at), -1, reason)

    lead.update(
        mql_at=mql_at,
        handed_off_at=handed_off_at,
        accepted_at=accepted_at,
        rejected_at=rejected_at,
        sql_at=sql_at,
        owner=owner,
        reason=reason,
        connect_at=_censor(connect_at, end),
        first_touch=_censor(np.where(touched, first_touch, np.nan), end),
        one_done=one_done,
    )
    attempts = {
        "lead": a_lead,
        "t": a_time,
        "type": np.where(a_type == 1, EMAIL, np.where(a_type == 2, ZALO_MSG, CALL)),
        "direction": np.zeros(len(a_lead), dtype=np.int64),
        "outcome": a_outcome,
        "owner": owner[a_lead],
    }
    return attempts


# --------------------------------------------------------------------------- deals


def _amounts(rng: np.random.Generator, size: np.ndarray) -> np.ndarray:
    """Deal amounts in VND by company size, 20M-800M, rounded to 1,000."""
    raw = _lognormal(rng, SIZE_DEAL_MEDIAN[size], 0.45, len(size))
    return (np.round(np.clip(raw, 20e6, 800e6) / 1000.0) * 1000.0).astype(np.int64)


def _close(
    rng: np.random.Generator, created: np.ndarray, won_p: np.ndarray | float, end: float
) -> tuple[np.ndarray, np.ndarray]:
    """Closing time (NaN while still open at the end of the window) and whether it was won."""
    n = len(created)
    cycle = np.clip(_lognormal(rng, 30 * DAY, 0.6, n), 3 * DAY, 240 * DAY)
    closed = _censor(created + cycle, end)
    won = (rng.random(n) < won_p) & ~np.isnan(closed)
    return closed, won


def _between(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Uniform times between lo and hi (hi >= lo)."""
    return lo + rng.random(len(lo)) * (hi - lo)


def _choose(
    rng: np.random.Generator, eligible: np.ndarray, weight: np.ndarray, expected: float
) -> np.ndarray:
    """Indices drawn independently with chance proportional to weight, ``expected`` in all."""
    w = np.where(eligible, weight, 0.0)
    total = w.sum()
    u = rng.random(len(w))
    if total <= 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(u < np.minimum(1.0, expected * w / total))


def _late_win(
    rng: np.random.Generator, after: np.ndarray, gap_max: float, end: float
) -> tuple[np.ndarray, np.ndarray]:
    """A deal created 5 days to ``gap_max`` after ``after`` and closed won before ``end``.

    Callers pass only times at least 40 days before ``end``, so both ranges are non-empty.
    """
    created = _between(rng, after + 5 * DAY, np.minimum(after + gap_max, end - 25 * DAY))
    closed = _between(rng, created + 5 * DAY, np.minimum(created + 60 * DAY, end - HOUR))
    return created, closed


# Kinds of deals (kept in the arrays for the activities that go with them).
PIPELINE, REPEAT, FALSE_REJECTION, MISSED_LEAD, NO_LEAD, EXTRA = range(6)


def _extra_deals(
    rng: np.random.Generator, lead: dict, cal: _Calendar, expected: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``expected`` further opportunities on handed-off leads sales did not reject.

    Only used when ``deals_per_lead`` asks for more deals than the funnel makes (benchmark
    data). Leads with more buying intent get more of them (Poisson per lead, weight
    ``exp(z)``); each opens between the lead's handoff (or acceptance, or SQL) and the end
    of the window, and closes won or lost like a pipeline deal.
    """
    end = cal.t1
    anchor = np.fmax(np.fmax(lead["handed_off_at"], lead["accepted_at"]), lead["sql_at"])
    eligible = np.isnan(lead["rejected_at"]) & (anchor < end - DAY)
    w = np.where(eligible, np.exp(lead["z"]), 0.0)
    if expected <= 0 or w.sum() <= 0:
        empty = np.zeros(0)
        return np.zeros(0, dtype=np.int64), empty, empty, np.zeros(0, dtype=bool)
    counts = rng.poisson(expected * w / w.sum())
    idx, _ = _segments(counts)
    created = _between(rng, anchor[idx] + HOUR, np.full(len(idx), end - HOUR))
    closed, won = _close(rng, created, _sigmoid(-2.3 + 1.0 * lead["z"][idx]), end)
    return idx, created, closed, won


def _deals(
    rng: np.random.Generator,
    lead: dict,
    cal: _Calendar,
    patterns: bool,
    per_lead: float | None = None,
    extra_rng: np.random.Generator | None = None,
) -> dict:
    """All deals as arrays; ``lead`` is the lead index, or -1 for a deal without a lead.

    ``per_lead`` (with ``extra_rng``) adds :func:`_extra_deals` until there are about
    ``per_lead * n`` deals in all; None keeps the natural rate (about 0.08 per lead).
    """
    n, z, end = lead["n"], lead["z"], cal.t1
    parts: list[tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    # Opportunities from SQLs.
    sql = ~np.isnan(lead["sql_at"])
    opp = np.flatnonzero(sql & (rng.random(n) < 0.75))
    created = _censor(lead["sql_at"][opp] + _lognormal(rng, 3 * DAY, 0.7, len(opp)), end)
    opp, created = opp[~np.isnan(created)], created[~np.isnan(created)]
    closed, won = _close(rng, created, _sigmoid(-2.3 + 1.0 * z[opp]), end)
    parts.append((PIPELINE, opp, created, closed, won))

    # A few customers buy again: a second deal on the same lead.
    again = won & (closed < end - 30 * DAY) & (rng.random(len(opp)) < 0.08)
    created2 = _between(rng, closed[again] + 14 * DAY, np.full(again.sum(), end))
    closed2, won2 = _close(rng, created2, 0.55, end)
    parts.append((REPEAT, opp[again], created2, closed2, won2))

    # Rejected MQLs that came back later and bought (false rejections).
    rejected_at, reason = lead["rejected_at"], lead["reason"]
    eligible = ~np.isnan(rejected_at) & (rejected_at < end - 40 * DAY)
    weight = np.select(
        [np.isin(reason, [NO_BUDGET, BAD_TIMING]), np.isin(reason, [NO_NEED, NOT_DM])],
        [3.0, 1.0],
        0.2,
    ) * np.exp(0.5 * z)
    chosen = _choose(rng, eligible, weight, FALSE_REJECTION_RATE[patterns] * n)
    c5, closed5 = _late_win(rng, rejected_at[chosen], 150 * DAY, end)
    parts.append((FALSE_REJECTION, chosen, c5, closed5, np.ones(len(chosen), dtype=bool)))

    # Leads that never became MQL but bought (missed leads); a rep picked them up.
    eligible = np.isnan(lead["mql_at"]) & (lead["created"] < end - 40 * DAY)
    chosen = _choose(rng, eligible, np.exp(z), MISSED_LEAD_RATE[patterns] * n)
    c6, closed6 = _late_win(rng, lead["created"][chosen], 120 * DAY, end)
    parts.append((MISSED_LEAD, chosen, c6, closed6, np.ones(len(chosen), dtype=bool)))
    lead["owner"][chosen] = _pick(rng, REP_WEIGHTS, len(chosen))
    lead["missed"] = chosen

    # Deals without a lead (about 3% of all deals).
    n_free = round(sum(len(p[1]) for p in parts) * 0.03 / 0.97)
    created_free = rng.uniform(cal.t0, end, n_free)
    closed_free, won_free = _close(rng, created_free, 0.35, end)
    parts.append((NO_LEAD, np.full(n_free, -1), created_free, closed_free, won_free))

    if per_lead is not None and extra_rng is not None:
        current = sum(len(p[1]) for p in parts)
        idx, c7, closed7, won7 = _extra_deals(extra_rng, lead, cal, per_lead * n - current)
        if len(idx):
            parts.append((EXTRA, idx, c7, closed7, won7))

    lead_idx = np.concatenate([p[1] for p in parts]).astype(np.int64)
    kind = np.concatenate([np.full(len(p[1]), p[0]) for p in parts])
    created = np.floor(np.concatenate([p[2] for p in parts]))
    closed = np.floor(np.concatenate([p[3] for p in parts]))
    won = np.concatenate([p[4] for p in parts])
    m = len(lead_idx)
    linked = lead_idx >= 0
    at = np.maximum(lead_idx, 0)
    size = np.where(linked, lead["size"][at], _pick(rng, [0.2, 0.3, 0.28, 0.15, 0.07], m))
    amount = _amounts(rng, size)
    owner = np.where(linked, lead["owner"][at], _pick(rng, REP_WEIGHTS, m))
    free_sources = np.array(
        [SOURCE_NAMES.index("Referral"), TRADE_SHOW, SOURCE_NAMES.index("Website form"), -1]
    )
    source = np.where(linked, lead["source"][at], free_sources[_pick(rng, [7, 3, 2, 8], m)])
    is_closed = ~np.isnan(closed)
    open_stage = _pick(rng, [0.3, 0.3, 0.25, 0.15], m)
    stage = np.where(is_closed, np.where(won, len(OPEN_STAGES), len(OPEN_STAGES) + 1), open_stage)
    order = np.lexsort((np.arange(m), lead_idx, created))
    return {
        "lead": lead_idx[order],
        "kind": kind[order],
        "created": created[order],
        "closed": closed[order],
        "won": won[order],
        "is_closed": is_closed[order],
        "stage": stage[order],
        "amount": amount[order],
        "owner": owner[order],
        "source": source[order],
    }


# --------------------------------------------------------------------------- activities


def _activity_part(
    lead: np.ndarray,
    t: np.ndarray,
    type_: np.ndarray | int,
    direction: np.ndarray | int,
    outcome: np.ndarray | int,
    owner: np.ndarray,
) -> dict[str, np.ndarray]:
    k = len(lead)
    return {
        "lead": lead.astype(np.int64),
        "t": t.astype(float),
        "type": np.broadcast_to(np.asarray(type_, dtype=np.int64), (k,)),
        "direction": np.broadcast_to(np.asarray(direction, dtype=np.int64), (k,)),
        "outcome": np.broadcast_to(np.asarray(outcome, dtype=np.int64), (k,)),
        "owner": owner.astype(np.int64),
    }


def _business_hours(rng: np.random.Generator, t: np.ndarray) -> np.ndarray:
    """Move each time to a random moment of the same local working day (08:00-18:00)."""
    local_day = np.floor((t + LOCAL_OFFSET) / DAY)
    return local_day * DAY + rng.uniform(8 * HOUR, 18 * HOUR, len(t)) - LOCAL_OFFSET


def _activities(
    rng: np.random.Generator,
    lead: dict,
    attempts: dict[str, np.ndarray],
    deals: dict,
    cal: _Calendar,
    per_lead: float | None,
) -> dict[str, np.ndarray]:
    """Every sales activity: attempts, follow-ups and a few touches outside the handoff."""
    n, end = lead["n"], cal.t1
    created, owner = lead["created"], lead["owner"]
    handoff, mql_at = lead["handed_off_at"], lead["mql_at"]
    parts = [attempts]

    # A few leads write in (Zalo, phone) before they are handed off.
    pre = np.flatnonzero(~np.isnan(handoff) & (rng.random(n) < 0.03))
    via_zalo = rng.random(len(pre)) < 0.6
    parts.append(
        _activity_part(
            pre,
            _between(rng, created[pre], handoff[pre]),
            np.where(via_zalo, ZALO_MSG, CALL),
            1,
            np.where(via_zalo, REPLIED, CONNECTED),
            owner[pre],
        )
    )

    # Some leads that never became MQL get a call or a message anyway.
    missed = np.zeros(n, dtype=bool)
    missed[lead["missed"]] = True
    touch = np.flatnonzero(np.isnan(mql_at) & ~missed & (rng.random(n) < 0.04))
    inbound = rng.random(len(touch)) < 0.3
    miss = _pick(rng, [0.6, 0.15, 0.25], len(touch)) + NO_ANSWER
    parts.append(
        _activity_part(
            touch,
            created[touch] + np.clip(_lognormal(rng, 6 * HOUR, 1.2, len(touch)), MINUTE, 60 * DAY),
            np.where(inbound, ZALO_MSG, CALL),
            inbound.astype(np.int64),
            np.where(inbound, REPLIED, miss),
            _pick(rng, REP_WEIGHTS, len(touch)),
        )
    )

    # Rejected and never-MQL leads that bought: they call in, then a meeting.
    late = np.isin(deals["kind"], [FALSE_REJECTION, MISSED_LEAD])
    d_lead, d_created, d_closed = deals["lead"][late], deals["created"][late], deals["closed"][late]
    since = np.fmax(lead["rejected_at"][d_lead], created[d_lead])
    call_in = np.maximum(d_created - rng.uniform(1, 5, len(d_lead)) * DAY, since)
    parts.append(_activity_part(d_lead, call_in, CALL, 1, CONNECTED, owner[d_lead]))
    meet = _between(rng, d_created, np.minimum(d_created + 3 * DAY, d_closed))
    parts.append(_activity_part(d_lead, meet, MEETING, 0, COMPLETED, owner[d_lead]))

    # Further opportunities (deals_per_lead): a meeting, then touches while the deal runs.
    extra = deals["kind"] == EXTRA
    if extra.any():
        e_lead, e_created = deals["lead"][extra], deals["created"][extra]
        e_end = np.where(np.isnan(deals["closed"][extra]), end, deals["closed"][extra])
        parts.append(_activity_part(e_lead, e_created, MEETING, 0, COMPLETED, owner[e_lead]))
        e_counts = rng.poisson(FOLLOW_DEAL_PER_WEEK * (e_end - e_created) / (7 * DAY))
        at, _ = _segments(e_counts)
        k = len(at)
        e_type = _pick(rng, [0.35, 0.35, 0.2, 0.1], k)
        e_outcome = np.select(
            [e_type == CALL, e_type == MEETING, e_type == ZALO_MSG],
            [_pick(rng, [0.6, 0.3, 0.1], k), COMPLETED, REPLIED],
            SENT,
        )
        parts.append(
            _activity_part(
                e_lead[at],
                _between(rng, e_created[at], e_end[at]),
                e_type,
                0,
                e_outcome,
                owner[e_lead[at]],
            )
        )

    for p in parts:
        keep = p["t"] < end
        for key in p:
            p[key] = p[key][keep]
    fixed = sum(len(p["lead"]) for p in parts)

    # Follow-ups after the first connect, on leads sales keeps working.
    connect = lead["connect_at"]
    sql_at = lead["sql_at"]
    working = ~np.isnan(connect) & np.isnan(lead["rejected_at"]) & ~lead["one_done"]
    pipeline = deals["kind"] == PIPELINE
    deal_created = np.full(n, np.nan)
    deal_end = np.full(n, np.nan)
    deal_created[deals["lead"][pipeline]] = deals["created"][pipeline]
    deal_end[deals["lead"][pipeline]] = np.where(
        np.isnan(deals["closed"][pipeline]), end, deals["closed"][pipeline]
    )
    has_deal = ~np.isnan(deal_created)
    is_sql = ~np.isnan(sql_at)
    ws = connect
    we = np.select([has_deal, is_sql], [deal_end, sql_at + 30 * DAY], default=connect + 21 * DAY)
    lam = np.select(
        [has_deal, is_sql],
        [FOLLOW_SQL + FOLLOW_DEAL_PER_WEEK * (deal_end - deal_created) / (7 * DAY), FOLLOW_SQL],
        default=FOLLOW_WORKING,
    )
    full = np.maximum(we - ws, HOUR)
    we = np.minimum(we, end)
    lam = np.where(working & (we > ws), lam * np.clip((we - ws) / full, 0, 1), 0.0)
    scale = 1.0
    if per_lead is not None:
        scale = max(0.0, (per_lead * n - fixed) / lam.sum()) if lam.sum() > 0 else 0.0
    counts = rng.poisson(lam * scale)
    f_lead, _ = _segments(counts)
    t = _business_hours(rng, _between(rng, ws[f_lead], we[f_lead]))
    t = np.clip(t, ws[f_lead], np.nextafter(we[f_lead], -np.inf))
    k = len(f_lead)
    f_type = _pick(rng, [0.2, 0.35, 0.3, 0.15], k)
    inbound = (f_type != MEETING) & (rng.random(k) < 0.25)
    # Outbound calls: connected / no answer / voicemail (codes 0, 1, 2).
    call_outcome = np.where(inbound, CONNECTED, _pick(rng, [0.6, 0.3, 0.1], k))
    f_outcome = np.select(
        [f_type == CALL, f_type == MEETING, inbound],
        [call_outcome, COMPLETED, REPLIED],
        SENT,
    )
    parts.append(
        _activity_part(f_lead, t, f_type, inbound.astype(np.int64), f_outcome, owner[f_lead])
    )

    out = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    out["t"] = np.floor(out["t"])
    order = np.lexsort((np.arange(len(out["t"])), out["lead"], out["t"]))
    return {key: v[order] for key, v in out.items()}


# --------------------------------------------------------------------------- tables


def _status(lead: dict, deals: dict, end: float) -> np.ndarray:
    """Status codes (into STATUSES) as the CRM shows them at the end of the window."""
    status = np.where(lead["created"] > end - 30 * DAY, 0, 1)  # New, else Nurturing
    for code, col in (
        (2, "mql_at"),
        (3, "handed_off_at"),
        (4, "accepted_at"),
        (5, "rejected_at"),
        (6, "sql_at"),
    ):
        status = np.where(np.isnan(lead[col]), status, code)
    # A deal decides: any won -> Customer, else any open -> Opportunity, else Closed lost.
    linked = deals["lead"] >= 0
    for code, mask in (
        (8, deals["is_closed"] & ~deals["won"]),
        (7, ~deals["is_closed"]),
        (9, deals["won"]),
    ):
        status[deals["lead"][linked & mask]] = code
    return status


def _bant(rng: np.random.Generator, lead: dict) -> dict[str, pl.Series]:
    """BANT flags on leads sales worked (null elsewhere), consistent with the reasons."""
    n, z, reason = lead["n"], lead["z"], lead["reason"]
    worked = ~np.isnan(lead["first_touch"])
    worked[lead["missed"]] = True
    p = np.where(~np.isnan(lead["sql_at"]), 0.92, _sigmoid(0.2 + 1.0 * z))
    out = {}
    for name, contradicted_by in (
        ("bant_budget", NO_BUDGET),
        ("bant_authority", NOT_DM),
        ("bant_need", NO_NEED),
        ("bant_timeline", BAD_TIMING),
    ):
        value = (rng.random(n) < p) & (reason != contradicted_by)
        s = pl.Series(name, value)
        out[name] = pl.select(
            pl.when(pl.lit(pl.Series(worked))).then(s).otherwise(None).alias(name)
        ).to_series()
    return out


def _contact_hashes(rng: np.random.Generator, n: int) -> pl.DataFrame:
    """SHA-256 of a unique fake e-mail and phone per lead (the raw values are not kept)."""
    given = ("an", "binh", "chi", "dung", "giang", "ha", "hai", "hung", "lan", "linh")
    given += ("minh", "nam", "ngoc", "phuong", "quang", "son", "thao", "trang", "tuan", "vy")
    family = ("nguyen", "tran", "le", "pham", "hoang", "vu", "dang", "bui", "do", "ngo")
    domains = ("gmail.com", "yahoo.com", "outlook.com", "fpt.vn", "vnpt.vn", "viettel.vn")
    g = _pick(rng, np.ones(len(given)), n)
    f = _pick(rng, np.ones(len(family)), n)
    d = _pick(rng, [6, 2, 1, 1, 1, 1], n)
    prefix = np.array([3, 5, 7, 8, 9])[_pick(rng, [3, 1, 2, 2, 4], n)]
    offset = int(rng.integers(0, 10**8))
    number = (np.arange(n, dtype=np.int64) * 7_919 + offset) % 10**8  # distinct for n <= 1e8
    frame = pl.DataFrame(
        {
            "i": np.arange(n, dtype=np.int64),
            "g": _labels(g, given, "g"),
            "f": _labels(f, family, "f"),
            "d": _labels(d, domains, "d"),
            "prefix": prefix,
            "number": number,
        }
    ).select(
        "i",
        pl.concat_str(
            [
                pl.col("g"),
                pl.lit("."),
                pl.col("f"),
                pl.col("i").cast(pl.String),
                pl.lit("@"),
                pl.col("d"),
            ]
        ).alias("email"),
        pl.concat_str(
            [
                pl.lit("0"),
                pl.col("prefix").cast(pl.String),
                pl.col("number").cast(pl.String).str.zfill(8),
            ]
        ).alias("phone"),
    )
    con = duckdb.connect()
    try:
        con.register("contacts", frame)
        return con.sql(
            "SELECT sha256(email) AS email_hash, sha256(phone) AS phone_hash "
            "FROM contacts ORDER BY i"
        ).pl()
    finally:
        con.close()


def _leads_frame(rng: np.random.Generator, lead: dict, deals: dict, cal: _Calendar) -> pl.DataFrame:
    n = lead["n"]
    temperature = lead["score"] + 10.0 * rng.standard_normal(n)
    temperature_code = np.where(temperature >= 72, 2, np.where(temperature >= 45, 1, 0))
    bant = _bant(rng, lead)
    hashes = _contact_hashes(rng, n)
    return pl.DataFrame(
        [
            _ids("L", n, 6, "lead_id"),
            _timestamps(lead["created"], "created_at"),
            _labels(lead["source"], SOURCE_NAMES, "source"),
            _labels(lead["campaign"], lead["campaign_names"], "campaign"),
            _labels(lead["owner"], REPS, "owner"),
            pl.Series("lead_score", lead["score"], dtype=pl.Int64),
            _timestamps(lead["mql_at"], "mql_at"),
            _timestamps(lead["handed_off_at"], "handed_off_at"),
            _timestamps(lead["accepted_at"], "accepted_at"),
            _timestamps(lead["rejected_at"], "rejected_at"),
            _labels(lead["reason"], REASONS, "rejection_reason"),
            _timestamps(lead["sql_at"], "sql_at"),
            _labels(_status(lead, deals, cal.t1), STATUSES, "status"),
            _labels(temperature_code, TEMPERATURES, "temperature"),
            *bant.values(),
            _labels(lead["country"], COUNTRIES, "country"),
            _labels(lead["region"], REGIONS, "region"),
            _labels(lead["industry"], INDUSTRIES, "industry"),
            _labels(lead["size"], SIZES, "company_size"),
            pl.Series("converted_deal_id", [None] * n, dtype=pl.String),
            hashes["email_hash"],
            hashes["phone_hash"],
        ]
    )


def _deals_frame(deals: dict, lead_ids: pl.Series) -> pl.DataFrame:
    m = len(deals["lead"])
    lead_lut = pl.concat([lead_ids, pl.Series([None], dtype=pl.String)])
    lead_pos = np.where(deals["lead"] >= 0, deals["lead"], len(lead_ids))
    return pl.DataFrame(
        [
            _ids("D", m, 6, "deal_id"),
            _timestamps(deals["created"], "created_at"),
            lead_lut.gather(lead_pos).alias("lead_id"),
            _timestamps(deals["closed"], "closed_at"),
            _labels(deals["stage"], STAGES, "stage"),
            pl.Series("is_won", deals["won"], dtype=pl.Boolean),
            pl.Series("is_closed", deals["is_closed"], dtype=pl.Boolean),
            pl.Series("amount", deals["amount"], dtype=pl.Int64),
            pl.Series("currency", ["VND"] * m, dtype=pl.String),
            _labels(deals["owner"], REPS, "owner"),
            _labels(deals["source"], SOURCE_NAMES, "source"),
        ]
    )


def _activities_frame(acts: dict[str, np.ndarray], lead_ids: pl.Series) -> pl.DataFrame:
    k = len(acts["lead"])
    return pl.DataFrame(
        [
            _ids("A", k, 7, "activity_id"),
            lead_ids.gather(acts["lead"]).alias("lead_id"),
            _timestamps(acts["t"], "occurred_at"),
            _labels(acts["type"], TYPES, "type"),
            _labels(acts["direction"], DIRECTIONS, "direction"),
            _labels(acts["outcome"], OUTCOMES, "outcome"),
            _labels(acts["owner"], REPS, "owner"),
        ]
    )


def _spend_frame(rng: np.random.Generator, lead: dict, cal: _Calendar) -> pl.DataFrame:
    """Monthly spend per source and campaign, from the leads each one brought in."""
    groups = (
        pl.DataFrame(
            {"month": lead["month"], "source": lead["source"], "campaign": lead["campaign"]}
        )
        .group_by("month", "source", "campaign")
        .agg(pl.len().alias("leads"))
        .sort("month", "source", "campaign")
    )
    month = groups["month"].to_numpy()
    source = groups["source"].to_numpy()
    count = groups["leads"].to_numpy().astype(float)
    cpl = np.array([s.cost_per_lead for s in SOURCES])[source]
    tet = np.array([_tet_months(m) for m in cal.month_starts])[month]
    cpl = cpl * np.where(tet & np.isin(source, PAID_SOCIAL), 1.25, 1.0)
    amount = count * cpl * np.exp(0.15 * rng.standard_normal(len(count)))
    event = source == TRADE_SHOW
    amount = np.where(
        event, TRADE_SHOW_COST * np.exp(0.2 * rng.standard_normal(len(count))), amount
    )
    amount = (np.round(amount / 1000.0) * 1000.0).astype(np.int64)
    periods = pl.Series("period", list(cal.month_starts), dtype=pl.Date)
    return pl.DataFrame(
        [
            periods.gather(month),
            pl.Series("period_grain", ["month"] * len(month), dtype=pl.String),
            _labels(source, SOURCE_NAMES, "source"),
            _labels(groups["campaign"].to_numpy(), lead["campaign_names"], "campaign"),
            pl.Series("amount", amount, dtype=pl.Int64),
            pl.Series("currency", ["VND"] * len(month), dtype=pl.String),
        ]
    ).filter(pl.col("amount") > 0)


# --------------------------------------------------------------------------- public API


def generate(
    n_leads: int = 20_000,
    *,
    seed: int = 7,
    start: date = date(2025, 11, 1),
    months: int = 12,
    patterns: bool = True,
    activities_per_lead: float | None = None,
    deals_per_lead: float | None = None,
) -> dict[str, pl.DataFrame]:
    """Generate the demo CRM exports of a B2B software company selling in Vietnam.

    Args:
        n_leads: number of leads, created over ``months`` months from ``start``.
        seed: random seed; the same arguments always give identical frames.
        start: first day of the data window (timestamps are naive UTC).
        months: length of the window in calendar months.
        patterns: plant the review-meeting findings (see the module docstring); when False
            every source, score and rep behaves alike.
        activities_per_lead: average sales activities per lead (scales the follow-ups after
            the first connect; the attempts are kept). None gives the natural mix, about 4.5.
        deals_per_lead: average deals per lead. Extra opportunities (won or lost like
            pipeline deals, with their meetings and follow-ups) are added on handed-off
            leads that were not rejected until the total is about ``deals_per_lead *
            n_leads``; the planted findings keep their counts. None (or a value below the
            natural rate, about 0.08) gives the natural deals only.

    Returns:
        ``{"leads", "deals", "activities", "spend"}`` frames with canonical column names of
        :mod:`dashboard.schema` (stored columns only: e-mail and phone appear only as hashes).
    """
    if n_leads < 1:
        raise ValueError(f"n_leads must be at least 1, got {n_leads}")
    if months < 1:
        raise ValueError(f"months must be at least 1, got {months}")
    if activities_per_lead is not None and activities_per_lead < 0:
        raise ValueError(f"activities_per_lead must be >= 0, got {activities_per_lead}")
    if deals_per_lead is not None and deals_per_lead < 0:
        raise ValueError(f"deals_per_lead must be >= 0, got {deals_per_lead}")
    # One independent random stream per step, so that e.g. asking for more activities
    # changes the activities only.
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(6)]
    cal = _Calendar.make(start, months)
    lead = _make_leads(streams[0], n_leads, cal, patterns)
    attempts = _funnel(streams[1], lead, cal, patterns)
    extra_rng = None
    if deals_per_lead is not None:
        # a seventh stream (the first six are the same as spawn(6)'s), so the other deals
        # keep their draws
        extra_rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(7)[6])
    deals = _deals(streams[2], lead, cal, patterns, deals_per_lead, extra_rng)
    acts = _activities(streams[3], lead, attempts, deals, cal, activities_per_lead)
    leads = _leads_frame(streams[4], lead, deals, cal)
    return {
        "leads": leads,
        "deals": _deals_frame(deals, leads["lead_id"]),
        "activities": _activities_frame(acts, leads["lead_id"]),
        "spend": _spend_frame(streams[5], lead, cal),
    }


def _write_csv(frame: pl.DataFrame, path: Path) -> None:
    frame.write_csv(path, datetime_format=TIMESTAMP_FORMAT, date_format=DATE_FORMAT)


def write(out_dir: Path, frames: dict[str, pl.DataFrame], *, fmt: str = "csv") -> dict[str, Path]:
    """Write each frame to ``out_dir/<table>.<ext>``; return the paths by table name.

    Args:
        out_dir: directory to write to (created if missing).
        frames: tables as returned by :func:`generate`.
        fmt: "csv" (UTF-8, comma, header row, ``YYYY-MM-DD HH:MM:SS`` timestamps, empty
            cells for nulls), "csv.gz" (the same, gzip-compressed without a time stamp, so
            the bytes are reproducible) or "parquet".

    Writing CSV (or CSV.gz) removes the other CSV flavour of the same table from
    ``out_dir``, so a directory never holds both ``leads.csv`` and ``leads.csv.gz``.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for name, frame in frames.items():
        path = out_dir / f"{name}.{fmt}"
        if fmt == "parquet":
            frame.write_parquet(path)
        elif fmt == "csv":
            _write_csv(frame, path)
        else:
            plain = out_dir / f".{name}.csv.tmp"
            try:
                _write_csv(frame, plain)
                with (
                    plain.open("rb") as src,
                    path.open("wb") as raw,
                    gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz,
                ):
                    shutil.copyfileobj(src, gz, 1 << 20)
            finally:
                plain.unlink(missing_ok=True)
        if fmt != "parquet":
            other = out_dir / (f"{name}.csv.gz" if fmt == "csv" else f"{name}.csv")
            other.unlink(missing_ok=True)
        paths[name] = path
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: generate the data and write it; print row counts, sizes and time."""
    parser = argparse.ArgumentParser(
        prog="python -m sample_data.generate",
        description="Generate Handoff demo data (a B2B software company selling in Vietnam).",
    )
    parser.add_argument("--leads", type=int, default=20_000, help="number of leads (20000)")
    parser.add_argument(
        "--activities-per-lead",
        type=float,
        default=None,
        help="average activities per lead (default: the natural mix, about 4.5)",
    )
    parser.add_argument(
        "--deals-per-lead",
        type=float,
        default=None,
        help="average deals per lead (default: the natural rate, about 0.08)",
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed (7)")
    parser.add_argument(
        "--start", type=date.fromisoformat, default=date(2025, 11, 1), help="first day (2025-11-01)"
    )
    parser.add_argument("--months", type=int, default=12, help="months of data (12)")
    parser.add_argument(
        "--no-patterns", action="store_true", help="no planted review-meeting findings"
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_DIR, help="output directory (the committed demo)"
    )
    parser.add_argument("--format", choices=FORMATS, default="csv", help="file format (csv)")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    try:
        frames = generate(
            args.leads,
            seed=args.seed,
            start=args.start,
            months=args.months,
            patterns=not args.no_patterns,
            activities_per_lead=args.activities_per_lead,
            deals_per_lead=args.deals_per_lead,
        )
    except ValueError as exc:
        parser.error(str(exc))
    generated = time.perf_counter()
    paths = write(args.out, frames, fmt=args.format)
    done = time.perf_counter()
    for name, path in paths.items():
        size = path.stat().st_size / 1e6
        print(f"{name:<11} {frames[name].height:>12,} rows  {size:8.1f} MB  {path}")
    print(f"generated in {generated - began:.1f} s, written in {done - generated:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
