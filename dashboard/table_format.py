"""Tables as a reader sees them: every column formatted by its unit, in the page's language.

A metric's ``[units]`` (``queries/NAME.toml``) say what each column holds; this module
turns that into what a table shows (``20.000`` and ``42,6%`` in Vietnamese, ``20,000`` and
``42.6%`` in English, durations in minutes, hours or days, money with its symbol, times in
the display time zone), what a CSV download holds (the same text) and what an Excel
download holds (numbers kept numeric, with a number format).

Every column is formatted by vectorised Polars expressions: no Python callback ever runs
inside Polars on a page thread.

Streamlit's own number formats cannot write Vietnamese decimals whatever the browser's
locale ("localized" and "percent" follow the browser, printf always writes a ``.``
decimal point), so a Vietnamese number with decimals is shown as text. Such text is
padded on the left with figure spaces to the column's width: the grid then sorts it in
numeric order (for values of one sign) and its digits line up.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from dashboard.i18n import CURRENCY_SYMBOLS, NO_DECIMALS, t
from dashboard.safe import FORMULA_START

FIGURE_SPACE = "\u2007"
DURATION_MINUTES = {"minutes": 1.0, "hours": 60.0, "days": 1440.0}
# decimals shown per unit (money: by currency; counts: 0, or 1 for a mean count)
DIGITS = {"share": 1, "ratio": 2, "coefficient": 2, "score": 0, "order": 0}
NUMBER_UNITS = frozenset(("count", "share", "money", "ratio", "coefficient", "score", "order"))
NUMBER_UNITS |= frozenset(DURATION_MINUTES)


@dataclass(frozen=True)
class Style:
    """How a page writes values: its language, the reporting currency and the display
    time zone (an IANA name)."""

    lang: str = "en"
    currency: str = "VND"
    timezone: str = "UTC"


@dataclass(frozen=True)
class Plan:
    """How one column is shown: its header, unit, and for numbers the factor its values
    are multiplied by, the decimals and what is written before and after the number."""

    name: str
    header: str
    unit: str
    factor: float = 1.0
    digits: int = 0
    prefix: str = ""
    suffix: str = ""

    @property
    def numeric(self) -> bool:
        """True when the column is shown as a number."""
        return self.unit in NUMBER_UNITS


def infer_unit(dtype: pl.DataType) -> str:
    """The unit of a column no metric describes (a page's own label or flag column)."""
    if dtype == pl.Boolean:
        return "flag"
    if isinstance(dtype, pl.Datetime):
        return "timestamp"
    if dtype == pl.Date:
        return "date"
    if dtype.is_integer():
        return "count"
    if dtype.is_float():
        return "ratio"
    return "text"


def _duration_unit(values: pl.Series, minutes_per: float) -> str:
    """The unit a duration column reads best in: minutes when even its longest value is
    short, days when its typical (median) value is several days, else hours (so a rep at
    41 hours is not "2.460 min" and a rep at 12 minutes is not "0,0 days")."""
    if not values.len():
        return "hours"
    longest = float(values.abs().max()) * minutes_per
    typical = float(values.abs().median()) * minutes_per
    if longest < 90:
        return "minutes"
    if typical >= 72 * 60:
        return "days"
    return "hours"


def plan_column(frame: pl.DataFrame, name: str, header: str, unit: str, style: Style) -> Plan:
    """How column ``name`` (of ``unit``) is shown under ``header`` in ``style``."""
    dtype = frame.schema[name]
    lang = style.lang
    if unit in DURATION_MINUTES and dtype.is_numeric():
        shown = _duration_unit(frame.get_column(name).drop_nulls(), DURATION_MINUTES[unit])
        factor = DURATION_MINUTES[unit] / DURATION_MINUTES[shown]
        words = t(f"common.unit_{shown}", lang)
        return Plan(name, f"{header} ({words})", shown, factor, 0 if shown == "minutes" else 1)
    if unit == "timestamp" and isinstance(dtype, pl.Datetime):
        return Plan(name, f"{header} ({style.timezone})", unit)
    if not dtype.is_numeric():
        # a number unit on a text column (a page's own label): shown as it is
        return Plan(name, header, infer_unit(dtype) if unit in NUMBER_UNITS else unit)
    if unit == "share":
        return Plan(name, header, unit, 100.0, 1, suffix="%")
    if unit == "money":
        digits = 0 if style.currency in NO_DECIMALS else 2
        symbol = CURRENCY_SYMBOLS.get(style.currency)
        if symbol is None:
            return Plan(name, header, unit, 1.0, digits, suffix=f" {style.currency}")
        if lang == "vi":
            return Plan(name, header, unit, 1.0, digits, suffix=f" {symbol}")
        return Plan(name, header, unit, 1.0, digits, prefix=symbol)
    if unit == "count":
        return Plan(name, header, unit, 1.0, 0 if dtype.is_integer() else 1)
    return Plan(name, header, unit, 1.0, DIGITS.get(unit, 2))


def plans(
    frame: pl.DataFrame,
    headers: Mapping[str, str],
    units: Mapping[str, str],
    style: Style,
) -> list[Plan]:
    """A plan for every column of ``frame``: ``headers`` and ``units`` by column name
    (a column missing from ``headers`` keeps its name, from ``units`` its dtype's unit)."""
    return [
        plan_column(
            frame, name, headers.get(name, name), units.get(name) or infer_unit(dtype), style
        )
        for name, dtype in frame.schema.items()
    ]


# ----------------------------------------------------------------------------- numbers
def number_text(value: pl.Expr, lang: str, digits: int) -> pl.Expr:
    """``value`` as text with the language's separators (``1.234,5`` vi, ``1,234.5`` en),
    rounded to ``digits`` decimals; empty stays empty. Vectorised Polars only."""
    thousands, decimal = (".", ",") if lang == "vi" else (",", ".")
    scale = 10**digits
    scaled = (value.abs() * scale).round(0).cast(pl.Int64)
    whole = (scaled // scale).cast(pl.String)
    # thousands groups: reverse the digits, mark every third, reverse back
    grouped = (
        whole.str.reverse()
        .str.replace_all(r"(\d{3})", "${1}" + thousands)
        .str.strip_chars_end(thousands)
        .str.reverse()
    )
    text = grouped
    if digits:
        frac = (scaled % scale).cast(pl.String).str.zfill(digits)
        text = grouped + pl.lit(decimal) + frac
    sign = pl.when((value < 0) & (scaled > 0)).then(pl.lit("-")).otherwise(pl.lit(""))
    return pl.when(value.is_null() | value.is_nan()).then(None).otherwise(sign + text)


def _value(plan: Plan) -> pl.Expr:
    col = pl.col(plan.name).cast(pl.Float64)
    return col * plan.factor if plan.factor != 1.0 else col


def cell_text(plan: Plan, style: Style) -> pl.Expr:
    """Column ``plan.name`` as the text a reader sees (and a CSV download holds)."""
    col = pl.col(plan.name)
    lang = style.lang
    if plan.numeric:
        number = number_text(_value(plan), lang, plan.digits)
        return (pl.lit(plan.prefix) + number + pl.lit(plan.suffix)).alias(plan.header)
    if plan.unit == "flag":
        yes, no = t("common.yes", lang), t("common.no", lang)
        return pl.when(col).then(pl.lit(yes)).when(~col).then(pl.lit(no)).alias(plan.header)
    if plan.unit == "timestamp":
        pattern = "%d/%m/%Y %H:%M" if lang == "vi" else "%Y-%m-%d %H:%M"
        return local_time(col, style.timezone).dt.strftime(pattern).alias(plan.header)
    if plan.unit in ("month", "date"):
        pattern = (
            ("%m/%Y" if lang == "vi" else "%b %Y")
            if plan.unit == "month"
            else ("%d/%m/%Y" if lang == "vi" else "%Y-%m-%d")
        )
        return col.dt.strftime(pattern).alias(plan.header)
    return col.cast(pl.String).alias(plan.header)


def local_time(col: pl.Expr, timezone: str) -> pl.Expr:
    """A stored time (UTC; a column without a zone is UTC too) in ``timezone``."""
    return col.dt.replace_time_zone("UTC").dt.convert_time_zone(timezone)


def _printf(plan: Plan, lang: str) -> str:
    thousands = "%'.,d" if lang == "vi" else "%,d"
    body = thousands if plan.digits == 0 else f"%,.{plan.digits}f"
    return plan.prefix.replace("%", "%%") + body + plan.suffix.replace("%", "%%")


def _dtype_ok(frame: pl.DataFrame, plan: Plan) -> bool:
    dtype = frame.schema[plan.name]
    if plan.unit in ("month", "date"):
        return dtype in (pl.Date,) or isinstance(dtype, pl.Datetime)
    if plan.unit == "timestamp":
        return isinstance(dtype, pl.Datetime)
    if plan.unit == "flag":
        return dtype == pl.Boolean
    return True


def for_grid(
    frame: pl.DataFrame, column_plans: list[Plan], style: Style
) -> tuple[pl.DataFrame, dict[str, Any]]:
    """What ``st.dataframe`` shows, and its column configuration, keyed by header.

    Numbers Streamlit can write exactly in the page's language stay numbers (so they sort
    as numbers): every English number, and Vietnamese whole numbers (``%'.,d`` writes
    ``20.000``). A Vietnamese number with decimals becomes text padded with figure spaces.
    """
    import streamlit as st

    exprs: list[pl.Expr] = []
    config: dict[str, Any] = {}
    padded: list[str] = []
    for plan in column_plans:
        col = pl.col(plan.name)
        if not _dtype_ok(frame, plan):
            exprs.append(col.cast(pl.String).alias(plan.header))
            continue
        if plan.numeric and (style.lang == "en" or plan.digits == 0):
            exprs.append(_value(plan).round(plan.digits).alias(plan.header))
            config[plan.header] = st.column_config.NumberColumn(format=_printf(plan, style.lang))
        elif plan.numeric:
            exprs.append(cell_text(plan, style))
            padded.append(plan.header)
            config[plan.header] = st.column_config.TextColumn(alignment="right")
        elif plan.unit == "timestamp":
            exprs.append(local_time(col, style.timezone).alias(plan.header))
            moment = "DD/MM/YYYY HH:mm" if style.lang == "vi" else "YYYY-MM-DD HH:mm"
            config[plan.header] = st.column_config.DatetimeColumn(format=moment)
        elif plan.unit in ("month", "date"):
            exprs.append(col.alias(plan.header))
            if plan.unit == "month":
                moment = "MM/YYYY" if style.lang == "vi" else "MMM YYYY"
            else:
                moment = "DD/MM/YYYY" if style.lang == "vi" else "YYYY-MM-DD"
            config[plan.header] = st.column_config.DateColumn(format=moment)
        elif plan.unit == "flag":
            exprs.append(cell_text(plan, style))
        else:
            exprs.append(col.alias(plan.header))
    shown = frame.select(exprs)
    if padded:
        widths = shown.select(pl.col(padded).str.len_chars().max()).row(0, named=True)
        shown = shown.with_columns(
            pl.col(h).str.pad_start(int(widths[h] or 0), FIGURE_SPACE) for h in padded
        )
    return shown, config


def for_csv(frame: pl.DataFrame, column_plans: list[Plan], style: Style) -> pl.DataFrame:
    """Every cell as the page writes it (headers in its language, numbers with its
    separators, rates as percentages, times in the display time zone)."""
    return frame.select(
        cell_text(p, style)
        if _dtype_ok(frame, p)
        else pl.col(p.name).cast(pl.String).alias(p.header)
        for p in column_plans
    )


def excel_format(plan: Plan, lang: str = "en") -> str | None:
    """The Excel number format of a column (Excel writes it in the reader's own locale)."""
    if not plan.numeric:
        if plan.unit != "timestamp":
            return None
        return "dd/mm/yyyy hh:mm" if lang == "vi" else "yyyy-mm-dd hh:mm"
    body = "#,##0" + ("." + "0" * plan.digits if plan.digits else "")
    if plan.unit == "share":
        return body + "%"
    prefix = f'"{plan.prefix}"' if plan.prefix else ""
    suffix = f'"{plan.suffix}"' if plan.suffix else ""
    return prefix + body + suffix


def for_excel(
    frame: pl.DataFrame, column_plans: list[Plan], style: Style
) -> tuple[pl.DataFrame, dict[str, str]]:
    """The rows for an Excel sheet (numbers numeric: a share stays 0..1 under a percent
    format, durations in the unit the header names, times in the display time zone
    without a zone, which Excel cannot hold), and each column's number format."""
    exprs: list[pl.Expr] = []
    formats: dict[str, str] = {}
    for plan in column_plans:
        col = pl.col(plan.name)
        if not _dtype_ok(frame, plan):
            exprs.append(col.cast(pl.String).alias(plan.header))
            continue
        if plan.numeric:
            factor = 1.0 if plan.unit == "share" else plan.factor
            exprs.append((col.cast(pl.Float64) * factor).alias(plan.header))
        elif plan.unit == "timestamp":
            exprs.append(
                local_time(col, style.timezone).dt.replace_time_zone(None).alias(plan.header)
            )
        elif plan.unit == "flag":
            exprs.append(cell_text(plan, style))
        else:
            exprs.append(col.alias(plan.header))
        fmt = excel_format(plan, style.lang)
        if fmt:
            formats[plan.header] = fmt
    return frame.select(exprs), formats


def _neutral(value: str) -> str:
    """A user's value as a filter line may hold it: one line, never a formula's start."""
    one_line = re.sub(r"[\r\n\t]+", " ", value)
    return "'" + one_line if re.match(FORMULA_START, one_line) else one_line


def filter_line(parts: list[tuple[str, list[str]]]) -> str:
    """``# Period: …; Source: …``: the filters a download was made with, as one line.

    ``parts`` are (label, values) pairs; the values may be user data (a source or campaign
    name) and are written on one line, never starting like a formula."""
    return "# " + "; ".join(
        f"{label}: {', '.join(_neutral(v) for v in values)}" for label, values in parts
    )
