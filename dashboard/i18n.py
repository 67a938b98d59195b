"""The message catalogue (English and Vietnamese) and number, money and date formatting.

All user-facing text of the dashboard and the review report comes from
``dashboard/messages/*.toml``: one catalogue split by page, where ``funnel.toml``'s table
``[title]`` is the message ``funnel.title`` with one string per language. A test checks
that every message has every language and that every key the code asks for exists.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from functools import cache
from pathlib import Path

LANGUAGES = ("en", "vi")
LANGUAGE_NAMES = {"en": "English", "vi": "Tiếng Việt"}
MESSAGES_DIR = Path(__file__).resolve().parent / "messages"

CURRENCY_SYMBOLS = {"VND": "₫", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}
# currencies written without decimals
NO_DECIMALS = {"VND", "JPY", "KRW", "IDR"}


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """Every message by key (``file.name``), each a mapping language → text."""
    out: dict[str, dict[str, str]] = {}
    for path in sorted(MESSAGES_DIR.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for name, texts in data.items():
            out[f"{path.stem}.{name}"] = dict(texts)
    return out


def t(key: str, lang: str = "en", /, **values: object) -> str:
    """The message ``key`` in ``lang`` with ``{name}`` placeholders filled in.

    Raises KeyError for an unknown key, so a typo fails a test instead of showing a key.
    """
    texts = catalogue()[key]
    text = texts.get(lang) or texts["en"]
    return text.format(**values) if values else text


def _group(digits: str, sep: str) -> str:
    out = []
    while len(digits) > 3:
        out.append(digits[-3:])
        digits = digits[:-3]
    out.append(digits)
    return sep.join(reversed(out))


def fmt_number(value: float | int | None, lang: str = "en", digits: int = 0) -> str:
    """A number with the language's separators: ``1,234.5`` (en) or ``1.234,5`` (vi)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    thousands, decimal = (".", ",") if lang == "vi" else (",", ".")
    text = f"{abs(value):.{digits}f}"
    whole, _, frac = text.partition(".")
    sign = "-" if value < 0 and float(text) != 0 else ""
    return sign + _group(whole, thousands) + (decimal + frac if frac else "")


def fmt_int(value: float | int | None, lang: str = "en") -> str:
    """A whole number with thousands separators."""
    return fmt_number(value, lang, 0)


def fmt_pct(value: float | None, lang: str = "en", digits: int = 1) -> str:
    """A share in 0..1 as a percentage: ``42.6%`` (en), ``42,6%`` (vi)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return fmt_number(value * 100, lang, digits) + "%"


def fmt_money(value: float | None, currency: str = "VND", lang: str = "en") -> str:
    """An amount in full: ``1.234.567 ₫`` (vi), ``₫1,234,567`` (en); VND has no decimals."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    digits = 0 if currency in NO_DECIMALS else 2
    number = fmt_number(value, lang, digits)
    symbol = CURRENCY_SYMBOLS.get(currency)
    if symbol is None:
        return f"{number} {currency}"
    if lang == "vi":
        return f"{number} {symbol}"
    return f"-{symbol}{number[1:]}" if number.startswith("-") else f"{symbol}{number}"


def fmt_money_short(value: float | None, currency: str = "VND", lang: str = "en") -> str:
    """A large amount rounded for a headline: ``1,8 tỷ ₫`` (vi), ``₫1.8B`` (en)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    units_vi = ((1e9, "tỷ"), (1e6, "triệu"), (1e3, "nghìn"))
    units_en = ((1e9, "B"), (1e6, "M"), (1e3, "k"))
    for (size, vi_unit), (_, en_unit) in zip(units_vi, units_en, strict=True):
        if abs(value) >= size:
            scaled = value / size
            digits = 1 if abs(scaled) < 100 else 0
            number = fmt_number(scaled, lang, digits)
            symbol = CURRENCY_SYMBOLS.get(currency, currency)
            if lang == "vi":
                return f"{number} {vi_unit} {symbol}"
            return f"{symbol}{number}{en_unit}"
    return fmt_money(value, currency, lang)


MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def fmt_date(value: dt.date | dt.datetime | None, lang: str = "en") -> str:
    """A date: ``23 Nov 2026`` (en), ``23/11/2026`` (vi)."""
    if value is None:
        return "–"
    if lang == "vi":
        return f"{value.day:02d}/{value.month:02d}/{value.year}"
    return f"{value.day} {MONTHS_EN[value.month - 1]} {value.year}"


def fmt_month(value: dt.date | dt.datetime | None, lang: str = "en") -> str:
    """A month: ``Nov 2026`` (en), ``11/2026`` (vi)."""
    if value is None:
        return "–"
    if lang == "vi":
        return f"{value.month:02d}/{value.year}"
    return f"{MONTHS_EN[value.month - 1]} {value.year}"


def fmt_duration_minutes(minutes: float | None, lang: str = "en") -> str:
    """A duration given in minutes, in the largest sensible unit: ``25.8 h``, ``3 min``."""
    if minutes is None or (isinstance(minutes, float) and math.isnan(minutes)):
        return "–"
    if minutes < 60:
        return f"{fmt_number(minutes, lang, 0)} {'phút' if lang == 'vi' else 'min'}"
    hours = minutes / 60
    if hours < 72:
        return f"{fmt_number(hours, lang, 1)} {'giờ' if lang == 'vi' else 'h'}"
    return f"{fmt_number(hours / 24, lang, 1)} {'ngày' if lang == 'vi' else 'days'}"


def d3_locale(lang: str) -> dict:
    """Vega/d3 number format locale, so chart axes and tooltips use the language's separators."""
    if lang == "vi":
        return {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " ₫"]}
    return {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["₫", ""]}
