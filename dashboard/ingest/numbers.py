"""Numbers and amounts: separators, currency symbols and codes, negatives.

The decimal separator is decided once per column; :func:`detect_currency` finds the
currency an amount column is written in.
"""

from __future__ import annotations

import re

import polars as pl

from dashboard import currencies
from dashboard.ingest.parsed import (
    MAX_AMBIGUOUS_EXAMPLES,
    AmbiguousFormat,
    Parsed,
    all_null,
    as_text,
    counted,
    finish,
    join_notes,
    minority_note,
    present_mask,
    stripped,
)

# Currency symbols and codes as written next to amounts, lower-cased, to ISO codes.
_CURRENCY_TOKENS: dict[str, str] = currencies.SYMBOLS

# Currencies without minor units: "1.500 ₫" can only mean one thousand five hundred.
_ZERO_DECIMAL = frozenset({"VND", "JPY", "KRW", "CLP"})

# Matched against lower-cased text: a case-insensitive alternation is several times slower.
_CUR = "|".join(re.escape(k) for k in sorted(_CURRENCY_TOKENS, key=len, reverse=True))
_SEP_CHARS = r"\s'’"  # always thousands separators: spaces, NBSP, apostrophes
_P_AMOUNT = (
    rf"^(?P<s1>[-+])?\s*(?P<open>\()?\s*(?P<s2>[-+])?\s*(?:(?P<c1>{_CUR})\s*)?(?P<s3>[-+])?\s*"
    rf"(?P<num>[0-9.,{_SEP_CHARS}]*[0-9][0-9.,{_SEP_CHARS}]*|[.,][0-9]+)"
    rf"\s*(?:(?P<c2>{_CUR}))?\s*(?P<close>\))?$"
)
_P_SCIENTIFIC = r"^[-+]?\d+(?:[.,]\d+)?[eE][-+]?\d{1,3}$"


_P_PLAIN_AMOUNT = r"^[-+]?[0-9][0-9.,]*$"
_AMOUNT_FIELDS = ("s1", "open", "s2", "c1", "s3", "num", "c2", "close")


def _amount_parts(t: pl.Series) -> pl.DataFrame:
    """The named parts of ``_P_AMOUNT`` for each trimmed value (nulls where no match).

    Plain values (digits and separators with an optional sign) are split directly;
    only the rest goes through the currency-aware regex, which is much slower.
    """
    w = pl.DataFrame({"t": t.str.replace_all("−", "-", literal=True)})
    w = w.with_columns(pl.col("t").str.contains(_P_PLAIN_AMOUNT).fill_null(False).alias("plain"))
    plain, text = pl.col("plain"), pl.col("t")
    w = w.with_columns(
        pl.when(~plain).then(text).str.to_lowercase().str.extract_groups(_P_AMOUNT).alias("full"),
        pl.when(plain & text.str.contains(r"^[-+]")).then(text.str.slice(0, 1)).alias("sign"),
        pl.when(plain).then(text.str.strip_chars_start("+-")).alias("digits"),
    )
    full = pl.col("full")
    return w.select(
        pl.coalesce(pl.col("sign"), full.struct.field("s1")).alias("s1"),
        pl.coalesce(pl.col("digits"), full.struct.field("num")).alias("num"),
        *[full.struct.field(f) for f in _AMOUNT_FIELDS if f not in ("s1", "num")],
    )


def _currencies(parts: pl.DataFrame) -> list[str]:
    tokens = pl.concat([parts.get_column("c1").drop_nulls(), parts.get_column("c2").drop_nulls()])
    codes = tokens.str.to_lowercase().replace_strict(
        _CURRENCY_TOKENS, default=None, return_dtype=pl.String
    )
    return sorted(codes.drop_nulls().unique().to_list())


def detect_currency(s: pl.Series) -> str | None:
    """The ISO 4217 code of the one currency written in the amount strings, if any.

    Recognises symbols and codes before or after the number (``₫``, ``đ``, ``VND``,
    ``$`` and ``US$`` -> USD, ``€`` -> EUR, ``¥`` -> JPY, ...). Returns None when no
    value carries a currency, when several currencies are mixed, or for non-text
    columns.
    """
    text = as_text(s)
    if text is None:
        return None
    found = _currencies(_amount_parts(stripped(text)))
    return found[0] if len(found) == 1 else None


def _decide_decimal(
    raw: pl.Series, num: pl.Series, decimal: str | None, currencies: list[str]
) -> tuple[str, str | None]:
    """Which of '.' and ',' is the decimal separator in this column, and a note."""
    core = num.str.replace_all(rf"[{_SEP_CHARS}]", "")
    n_dot = core.str.count_matches(".", literal=True)
    n_comma = core.str.count_matches(",", literal=True)
    last = core.str.extract(r"([.,])\d*$", 1)
    tail = core.str.extract(r"[.,](\d*)$", 1).str.len_chars()
    lead = core.str.extract(r"^(\d*)", 1)
    single_is_decimal = (tail != 3) | (lead == "0") | (lead == "") | (lead.str.len_chars() > 3)
    frame = pl.DataFrame(
        {"dot": n_dot, "comma": n_comma, "last": last, "single_dec": single_is_decimal}
    )
    dot, comma, lst, sd = pl.col("dot"), pl.col("comma"), pl.col("last"), pl.col("single_dec")
    flags = frame.select(
        (
            ((dot == 1) & (comma >= 1) & (lst == "."))
            | ((comma >= 2) & (dot <= 1))
            | ((dot == 1) & (comma == 0) & sd)
        )
        .fill_null(False)
        .alias("dot_ev"),
        (
            ((comma == 1) & (dot >= 1) & (lst == ","))
            | ((dot >= 2) & (comma <= 1))
            | ((comma == 1) & (dot == 0) & sd)
        )
        .fill_null(False)
        .alias("comma_ev"),
        ((dot + comma == 1) & ~sd).fill_null(False).alias("ambiguous"),
        (pl.when(dot == 1).then(pl.lit(".")).when(comma == 1).then(pl.lit(","))).alias("single"),
    )
    has_sep = bool(((n_dot + n_comma) > 0).any())
    if decimal is not None:
        return decimal, (_decimal_note(decimal) + ", as set") if has_sep else None
    dot_ev = int(flags.get_column("dot_ev").sum())
    comma_ev = int(flags.get_column("comma_ev").sum())
    if dot_ev and not comma_ev:
        return ".", _decimal_note(".")
    if comma_ev and not dot_ev:
        return ",", _decimal_note(",")
    if dot_ev and comma_ev:
        if dot_ev == comma_ev:
            first_dot = int(flags.get_column("dot_ev").arg_true()[0])
            first_comma = int(flags.get_column("comma_ev").arg_true()[0])
            raise AmbiguousFormat(
                f"the column has {counted(dot_ev, 'amount')} with '.' as the decimal separator "
                f"and {comma_ev} with ','",
                "set the decimal separator of this column to '.' or ','",
                [(p, raw[p]) for p in sorted((first_dot, first_comma))],
            )
        chosen = "." if dot_ev > comma_ev else ","
        minority = min(dot_ev, comma_ev)
        return chosen, (
            f"{_decimal_note(chosen)} (most values); {minority_note(minority, 'the other way')}"
        )
    ambiguous = flags.get_column("ambiguous")
    if not bool(ambiguous.any()):
        return ".", None
    zero_decimal = [c for c in currencies if c in _ZERO_DECIMAL]
    if zero_decimal and len(currencies) == 1:
        singles = flags.get_column("single").filter(ambiguous)
        thousands = "." if int((singles == ".").sum()) >= int((singles == ",").sum()) else ","
        chosen = "," if thousands == "." else "."
        return chosen, (
            f"'{thousands}' read as the thousands separator ({currencies[0]} amounts have "
            "no decimals)"
        )
    positions = ambiguous.arg_true().head(MAX_AMBIGUOUS_EXAMPLES).to_list()
    raise AmbiguousFormat(
        "every separated amount has one separator followed by exactly three digits "
        "(like 1.500), which reads as a thousands separator or as decimals",
        "set the decimal separator of this column to '.' or ','",
        [(int(p), raw[int(p)]) for p in positions],
    )


def _decimal_note(decimal: str) -> str:
    if decimal == ",":
        return "amounts use '.' for thousands and ',' for decimals"
    return "amounts use ',' for thousands and '.' for decimals"


def parse_number(
    s: pl.Series, *, decimal: str | None = None, max_abs: float | None = None
) -> Parsed:
    """Parse numbers and amounts into ``pl.Float64``.

    Accepts plain and scientific numbers (``1.5E+06``), thousands separators in either
    convention (``1,234,567.89``, ``1.234.567,89``) and as spaces, non-breaking spaces
    or apostrophes, currency symbols or codes before or after the number, and negatives
    written with ``-`` or parentheses. Percentages and anything else are bad values.
    The decimal separator is decided once for the column (a separator followed by
    other than three digits, or the last of two different separators, is decimal; a
    repeated one is thousands); ``decimal`` ('.' or ',') overrides that. Raises
    :class:`AmbiguousFormat` when every separated value looks like ``1.500`` and
    the data cannot tell (a zero-decimal currency such as VND in the values settles it
    as thousands). Native numbers are cast; NaN is treated as empty. A number that is not
    finite (``1e309`` overflows to infinity, a native inf) or whose size is above
    ``max_abs`` is out of range (see :class:`Parsed`), never stored.
    """
    if decimal is not None and decimal not in (".", ","):
        raise ValueError(f"decimal must be '.' or ',', not {decimal!r}")
    present = present_mask(s)
    out = pl.Float64()
    dtype = s.dtype
    if dtype.is_numeric():
        values = s.cast(out)
        return finish(s, values, present, None, _number_in_range(values, max_abs))
    text = as_text(s)
    if text is None:
        return finish(s, all_null(s, out), present, None)

    t = stripped(text)
    scientific = t.str.contains(_P_SCIENTIFIC).fill_null(False)
    sci_values = pl.select(
        pl.when(pl.lit(scientific)).then(
            pl.lit(t).str.replace(",", ".", literal=True).cast(out, strict=False)
        )
    ).to_series()
    plain_text = pl.select(pl.when(~pl.lit(scientific)).then(pl.lit(t))).to_series()
    parts = _amount_parts(plain_text)
    num = parts.get_column("num").str.strip_chars()
    currencies = _currencies(parts)
    chosen, decimal_note = _decide_decimal(s, num, decimal, currencies)

    plain_values = _plain_amounts(parts, num, chosen)
    result = pl.select(pl.coalesce(pl.lit(sci_values), pl.lit(plain_values))).to_series()

    notes = [decimal_note] if decimal_note else []
    notes += _currency_notes(currencies)
    return finish(s, result, present, join_notes(notes), _number_in_range(result, max_abs))


def _plain_amounts(parts: pl.DataFrame, num: pl.Series, chosen: str) -> pl.Series:
    """The amounts of the well-formed values (sign, brackets, separators); others null."""
    out = pl.Float64()
    thousands = "," if chosen == "." else "."
    escaped_dec = re.escape(chosen)
    escaped_th = re.escape(thousands)
    valid_pattern = (
        rf"^(?:\d{{1,3}}(?:[{escaped_th}{_SEP_CHARS}]\d{{3}})+|\d+)(?:{escaped_dec}\d*)?$"
        rf"|^{escaped_dec}\d+$"
    )
    signs = [parts.get_column(c) for c in ("s1", "s2", "s3")]
    frame = pl.DataFrame(
        {
            "num": num,
            "s1": signs[0],
            "s2": signs[1],
            "s3": signs[2],
            "open": parts.get_column("open"),
            "close": parts.get_column("close"),
            "c1": parts.get_column("c1"),
            "c2": parts.get_column("c2"),
        }
    )
    n_signs = pl.sum_horizontal(
        [pl.col(c).is_not_null().cast(pl.Int32) for c in ("s1", "s2", "s3")]
    )
    parens = pl.col("open").is_not_null()
    negative = (
        pl.col("s1").eq("-").fill_null(False)
        | pl.col("s2").eq("-").fill_null(False)
        | pl.col("s3").eq("-").fill_null(False)
        | parens
    )
    well_formed = (
        pl.col("num").str.contains(valid_pattern).fill_null(False)
        & (n_signs + parens.cast(pl.Int32) <= 1)
        & (parens == pl.col("close").is_not_null())
        & ~(pl.col("c1").is_not_null() & pl.col("c2").is_not_null())
    )
    magnitude = (
        pl.col("num")
        .str.replace_all(rf"[{escaped_th}{_SEP_CHARS}]", "")
        .str.replace(chosen, ".", literal=True)
        .cast(out, strict=False)
    )
    plain_values = frame.select(
        pl.when(well_formed).then(pl.when(negative).then(-magnitude).otherwise(magnitude))
    ).to_series()
    return plain_values


def _currency_notes(currencies: list[str]) -> list[str]:
    """What a load says about the currencies written in an amount column."""
    if len(currencies) == 1:
        return [f"currency {currencies[0]} found in the values"]
    if len(currencies) > 1:
        return [
            f"several currencies found in the values ({', '.join(currencies)}); "
            "amounts are not converted"
        ]
    return []


def _number_in_range(values: pl.Series, max_abs: float | None) -> pl.Series:
    """True for finite numbers whose size is at most ``max_abs`` (when given)."""
    ok = values.is_finite()
    if max_abs is not None:
        ok = ok & (values.abs() <= max_abs)
    return ok
