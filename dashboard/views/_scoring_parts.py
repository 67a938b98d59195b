"""The Scoring & thresholds page's words and rows: AUC and information-value readings,
attribute labels, the lead filters behind a click, and the metric rows with the texts its
charts write.

A sibling of the page (not a page itself: dashboard/pages.py lists the pages by file); it
formats and orders what the metrics computed, and computes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import polars as pl

from dashboard import charts, ui
from dashboard.charts.scoring import IV_BANDS, SQL_COLOUR, WON_COLOUR
from dashboard.i18n import catalogue, fmt_int, fmt_money, fmt_number, fmt_pct
from dashboard.scoring import fmt_threshold

NOT_SET = "(not set)"

# the page's tables: their columns, in order, with the message keys of their headings
CALIBRATION_TABLE = (
    ("decile", "scoring.decile"),
    ("min_score", "scoring.min_score"),
    ("max_score", "scoring.max_score"),
    ("leads", "common.leads"),
    ("sqls", "common.sqls"),
    ("sql_rate", "scoring.sql_rate"),
    ("won", "scoring.won_leads"),
    ("win_rate", "scoring.win_rate"),
    ("won_revenue", "common.won_revenue"),
)
WHATIF_TABLE = (
    ("threshold", "scoring.threshold"),
    ("leads_sent", "scoring.leads_sent"),
    ("sqls_kept", "scoring.sqls_kept"),
    ("sql_share_kept", "scoring.sql_share_kept"),
    ("won_kept", "scoring.won_kept"),
    ("won_revenue_kept", "scoring.revenue_kept"),
    ("won_revenue_missed", "scoring.revenue_missed"),
    ("revenue_share_kept", "scoring.revenue_share_kept"),
    ("sqls_per_lead_sent", "scoring.sqls_per_lead_sent"),
    ("leads_per_rep_week", "scoring.workload"),
)
ATTRIBUTES_TABLE = (
    ("attribute_label", "scoring.attribute"),
    ("value_label", "scoring.value_column"),
    ("judged", "scoring.judged"),
    ("sqls", "common.sqls"),
    ("rejected", "common.rejected"),
    ("sql_rate", "scoring.sql_rate"),
    ("lift", "scoring.lift"),
    ("information_value", "scoring.information_value"),
    ("band", "scoring.separation"),
)

Keep = Callable[[pl.DataFrame], pl.DataFrame]


def pct(ctx: ui.Context, value: float | None, digits: int = 1) -> str:
    """A share as the page's language writes it."""
    return fmt_pct(value, ctx.lang, digits)


def score_text(ctx: ui.Context, value: float | None) -> str:
    """A score or threshold as the page's language writes it."""
    return fmt_threshold(value, ctx.lang)


def auc_reading(ctx: ui.Context, auc: float | None) -> str:
    """An AUC in plain words: how much better than chance the score ranks leads."""
    if auc is None:
        return "–"
    for bound, key in ((0.5, "worse"), (0.6, "chance"), (0.7, "weak"), (0.8, "useful")):
        if auc < bound:
            return ctx.t(f"scoring.auc_read_{key}")
    return ctx.t("scoring.auc_read_strong")


def iv_band(value: float | None) -> tuple[str, str]:
    """The band (message key suffix) and colour of an information value."""
    if value is None:
        return "none", charts.NEUTRAL
    for bound, key, colour in IV_BANDS:
        if value < bound:
            return key, colour
    return IV_BANDS[-1][1], IV_BANDS[-1][2]


def attribute_label(ctx: ui.Context, name: str) -> str:
    """A lead attribute's name in the page's language (segments by their column name)."""
    key = f"scoring.attr_{name}"
    if key in catalogue():
        return ctx.t(key)
    return name.removeprefix("segment_").replace("_", " ").capitalize()


def value_label(ctx: ui.Context, attribute: str, value: str) -> str:
    """An attribute value as shown: yes/no for flags, a readable label for no value."""
    T = ctx.t
    if value == NOT_SET:
        return T("scoring.not_set")
    if attribute.startswith("bant_") or value in ("true", "false"):
        return T("common.yes") if value == "true" else T("common.no") if value == "false" else value
    return value


def attribute_keep(ctx: ui.Context, attribute: str, value: str) -> dict[str, Any] | None:
    """lead_list's selection of the judged leads with this attribute value (None: not
    listable)."""
    if attribute in ("source", "campaign"):
        column = attribute
    elif attribute == "score_band":
        column = "score_band"  # lead_list's band, the one attribute_lift groups by
    elif attribute == ctx.filters.segment_column:
        column = "segment_value"
    else:
        return None
    return ui.pick("judged", **{column: None if value == NOT_SET else value})


def total_scored(frame: pl.DataFrame) -> int:
    """Scored leads in the filters, as score_calibration counts them."""
    return int(frame["scored_leads"][0] or 0) if frame.height else 0


def decile_rows(ctx: ui.Context, frame: pl.DataFrame) -> pl.DataFrame:
    """``score_calibration``'s non-empty deciles with their labels and texts."""
    T = ctx.t
    n = partial(fmt_int, lang=ctx.lang)
    return frame.filter(pl.col("leads") > 0).pipe(
        ui.with_text,
        ui.text_col(
            ("decile", "min_score", "max_score"),
            lambda decile, low, high: T(
                "scoring.decile_label",
                decile=decile,
                low=score_text(ctx, low),
                high=score_text(ctx, high),
            ),
            "decile_label",
        ),
        ui.text_col("leads", n, "leads_text"),
        ui.text_col("sqls", n, "sqls_text"),
        ui.text_col("won", n, "won_text"),
        ui.text_col("won_revenue", lambda v: fmt_money(v, ctx.currency, ctx.lang), "revenue_text"),
    )


def calibration_series(ctx: ui.Context) -> dict[str, str]:
    """The calibration chart's two rates: column and name."""
    return {"sql_rate": ctx.t("scoring.sql_rate"), "win_rate": ctx.t("scoring.win_rate")}


def decile_rates(ctx: ui.Context, deciles: pl.DataFrame) -> pl.DataFrame:
    """One row per decile and rate, as the calibration chart draws them."""
    series = calibration_series(ctx)
    return deciles.unpivot(
        index=["decile", "decile_label", "leads_text", "sqls_text", "won_text", "revenue_text"],
        on=list(series),
        variable_name="series_key",
        value_name="rate",
    ).pipe(
        ui.with_text,
        pl.col("series_key").replace_strict(series, return_dtype=pl.String).alias("series"),
        ui.text_col("rate", lambda v: pct(ctx, v), "rate_text"),
    )


def whatif_curves(ctx: ui.Context, whatif: pl.DataFrame) -> tuple[pl.DataFrame, dict]:
    """One row per threshold and kept share, and each curve's name and colour."""
    curves = {
        "sql_share_kept": (ctx.t("scoring.sql_share_kept"), SQL_COLOUR),
        "revenue_share_kept": (ctx.t("scoring.revenue_share_kept"), WON_COLOUR),
    }
    long = (
        whatif.pipe(
            ui.with_text,
            ui.text_col("threshold", lambda v: score_text(ctx, v), "threshold_text"),
            ui.text_col("leads_sent", lambda v: fmt_int(v, ctx.lang), "sent_text"),
        )
        .unpivot(
            index=["threshold", "threshold_text", "sent_text"],
            on=list(curves),
            variable_name="curve_key",
            value_name="share",
        )
        .pipe(
            ui.with_text,
            pl.col("curve_key")
            .replace_strict({k: v[0] for k, v in curves.items()}, return_dtype=pl.String)
            .alias("curve"),
            ui.text_col("share", lambda v: pct(ctx, v), "share_text"),
        )
    )
    return long, curves


def threshold_marks(ctx: ui.Context, chosen: float, current: float) -> pl.DataFrame:
    """The what-if chart's two rules: the slider's threshold and the one in force."""
    return pl.DataFrame(
        {
            "threshold": [float(chosen), current],
            "label": [
                ctx.t("scoring.rule_chosen", threshold=score_text(ctx, chosen)),
                ctx.t("scoring.rule_current", threshold=score_text(ctx, current)),
            ],
            "kind": ["chosen", "current"],
        }
    )


def lift_rows(ctx: ui.Context, frame: pl.DataFrame) -> pl.DataFrame:
    """``attribute_lift`` with attribute and value labels and each attribute's band."""
    return frame.pipe(
        ui.with_text,
        ui.text_col("attribute", lambda a: attribute_label(ctx, a), "attribute_label"),
        ui.text_col(("attribute", "value"), lambda a, v: value_label(ctx, a, v), "value_label"),
        ui.text_col("information_value", lambda v: iv_band(v)[0], "band_key"),
    ).pipe(
        ui.with_text,
        ui.text_col("band_key", lambda k: ctx.t(f"scoring.iv_{k}"), "band"),
    )


def separating_attributes(ctx: ui.Context, lift: pl.DataFrame) -> pl.DataFrame:
    """The (up to ten) attributes with an information value, in the metric's order."""
    return (
        lift.group_by("attribute", "attribute_label", maintain_order=True)
        .agg(
            pl.col("information_value").first(),
            pl.col("band").first(),
            pl.col("band_key").first(),
        )
        .filter(pl.col("information_value").is_not_null())
        .head(10)
        .pipe(
            ui.with_text,
            ui.text_col("information_value", lambda v: fmt_number(v, ctx.lang, 2), "iv_text"),
        )
    )


def value_rows(ctx: ui.Context, lift: pl.DataFrame, attribute: str) -> pl.DataFrame:
    """One attribute's values from ``attribute_lift`` with their texts."""
    n = partial(fmt_int, lang=ctx.lang)
    return lift.filter(pl.col("attribute") == attribute).pipe(
        ui.with_text,
        ui.text_col("sql_rate", lambda v: pct(ctx, v), "rate_text"),
        ui.text_col("lift", lambda v: fmt_number(v, ctx.lang, 2), "lift_text"),
        ui.text_col("judged", n, "judged_text"),
        ui.text_col("sqls", n, "sqls_text"),
        ui.text_col("rejected", n, "rejected_text"),
        (pl.col("lift") >= 1).alias("is_better"),
    )
