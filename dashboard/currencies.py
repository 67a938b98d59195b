"""ISO 4217 currency codes, kept as data (no network): what a ``currency`` may be.

``CODES`` holds the active alphabetic codes of the ISO 4217 list (amendments up to 2025,
including XCG and ZWG), with their English names. XTS (testing) and XXX (no currency)
are left out: neither can be the currency of an amount. A code that a country has
withdrawn since (BGN, when Bulgaria adopted the euro) stays, because older exports still
carry it.
"""

from __future__ import annotations

import difflib
import re

CODES: dict[str, str] = {
    "AED": "UAE dirham", "AFN": "Afghani", "ALL": "Lek", "AMD": "Armenian dram",
    "ANG": "Netherlands Antillean guilder", "AOA": "Kwanza", "ARS": "Argentine peso",
    "AUD": "Australian dollar", "AWG": "Aruban florin", "AZN": "Azerbaijan manat",
    "BAM": "Convertible mark", "BBD": "Barbados dollar", "BDT": "Taka",
    "BGN": "Bulgarian lev", "BHD": "Bahraini dinar", "BIF": "Burundi franc",
    "BMD": "Bermudian dollar", "BND": "Brunei dollar", "BOB": "Boliviano", "BOV": "Mvdol",
    "BRL": "Brazilian real", "BSD": "Bahamian dollar", "BTN": "Ngultrum", "BWP": "Pula",
    "BYN": "Belarusian ruble", "BZD": "Belize dollar", "CAD": "Canadian dollar",
    "CDF": "Congolese franc", "CHE": "WIR euro", "CHF": "Swiss franc", "CHW": "WIR franc",
    "CLF": "Unidad de Fomento", "CLP": "Chilean peso", "CNY": "Yuan renminbi",
    "COP": "Colombian peso", "COU": "Unidad de Valor Real", "CRC": "Costa Rican colon",
    "CUC": "Peso convertible", "CUP": "Cuban peso", "CVE": "Cabo Verde escudo",
    "CZK": "Czech koruna", "DJF": "Djibouti franc", "DKK": "Danish krone",
    "DOP": "Dominican peso", "DZD": "Algerian dinar", "EGP": "Egyptian pound",
    "ERN": "Nakfa", "ETB": "Ethiopian birr", "EUR": "Euro", "FJD": "Fiji dollar",
    "FKP": "Falkland Islands pound", "GBP": "Pound sterling", "GEL": "Lari",
    "GHS": "Ghana cedi", "GIP": "Gibraltar pound", "GMD": "Dalasi", "GNF": "Guinean franc",
    "GTQ": "Quetzal", "GYD": "Guyana dollar", "HKD": "Hong Kong dollar", "HNL": "Lempira",
    "HTG": "Gourde", "HUF": "Forint", "IDR": "Rupiah", "ILS": "New Israeli sheqel",
    "INR": "Indian rupee", "IQD": "Iraqi dinar", "IRR": "Iranian rial",
    "ISK": "Iceland krona", "JMD": "Jamaican dollar", "JOD": "Jordanian dinar",
    "JPY": "Yen", "KES": "Kenyan shilling", "KGS": "Som", "KHR": "Riel",
    "KMF": "Comorian franc", "KPW": "North Korean won", "KRW": "Won",
    "KWD": "Kuwaiti dinar", "KYD": "Cayman Islands dollar", "KZT": "Tenge",
    "LAK": "Lao kip", "LBP": "Lebanese pound", "LKR": "Sri Lanka rupee",
    "LRD": "Liberian dollar", "LSL": "Loti", "LYD": "Libyan dinar",
    "MAD": "Moroccan dirham", "MDL": "Moldovan leu", "MGA": "Malagasy ariary",
    "MKD": "Denar", "MMK": "Kyat", "MNT": "Tugrik", "MOP": "Pataca", "MRU": "Ouguiya",
    "MUR": "Mauritius rupee", "MVR": "Rufiyaa", "MWK": "Malawi kwacha",
    "MXN": "Mexican peso", "MXV": "Mexican Unidad de Inversion",
    "MYR": "Malaysian ringgit", "MZN": "Mozambique metical", "NAD": "Namibia dollar",
    "NGN": "Naira", "NIO": "Cordoba oro", "NOK": "Norwegian krone",
    "NPR": "Nepalese rupee", "NZD": "New Zealand dollar", "OMR": "Rial Omani",
    "PAB": "Balboa", "PEN": "Sol", "PGK": "Kina", "PHP": "Philippine peso",
    "PKR": "Pakistan rupee", "PLN": "Zloty", "PYG": "Guarani", "QAR": "Qatari rial",
    "RON": "Romanian leu", "RSD": "Serbian dinar", "RUB": "Russian ruble",
    "RWF": "Rwanda franc", "SAR": "Saudi riyal", "SBD": "Solomon Islands dollar",
    "SCR": "Seychelles rupee", "SDG": "Sudanese pound", "SEK": "Swedish krona",
    "SGD": "Singapore dollar", "SHP": "Saint Helena pound", "SLE": "Leone",
    "SOS": "Somali shilling", "SRD": "Surinam dollar", "SSP": "South Sudanese pound",
    "STN": "Dobra", "SVC": "El Salvador colon", "SYP": "Syrian pound", "SZL": "Lilangeni",
    "THB": "Baht", "TJS": "Somoni", "TMT": "Turkmenistan new manat",
    "TND": "Tunisian dinar", "TOP": "Pa'anga", "TRY": "Turkish lira",
    "TTD": "Trinidad and Tobago dollar", "TWD": "New Taiwan dollar",
    "TZS": "Tanzanian shilling", "UAH": "Hryvnia", "UGX": "Uganda shilling",
    "USD": "US dollar", "USN": "US dollar (next day)",
    "UYI": "Uruguay peso en Unidades Indexadas", "UYU": "Peso uruguayo",
    "UYW": "Unidad previsional", "UZS": "Uzbekistan sum", "VED": "Bolivar soberano",
    "VES": "Bolivar soberano", "VND": "Dong", "VUV": "Vatu", "WST": "Tala",
    "XAF": "CFA franc BEAC", "XAG": "Silver", "XAU": "Gold",
    "XBA": "European Composite Unit", "XBB": "European Monetary Unit",
    "XBC": "European Unit of Account 9", "XBD": "European Unit of Account 17",
    "XCD": "East Caribbean dollar", "XCG": "Caribbean guilder", "XDR": "SDR",
    "XOF": "CFA franc BCEAO", "XPD": "Palladium", "XPF": "CFP franc", "XPT": "Platinum",
    "XSU": "Sucre", "XUA": "ADB Unit of Account", "YER": "Yemeni rial", "ZAR": "Rand",
    "ZMW": "Zambian kwacha", "ZWG": "Zimbabwe Gold",
}  # fmt: skip

# Symbols and local spellings written next to amounts, lower-cased, to their codes
# (the amount parser reads these; a suggestion for a mistyped setting uses them too).
SYMBOLS: dict[str, str] = {
    "₫": "VND", "đ": "VND", "vnđ": "VND", "vnd": "VND",
    "us$": "USD", "usd": "USD", "$": "USD",
    "€": "EUR", "eur": "EUR",
    "£": "GBP", "gbp": "GBP",
    "¥": "JPY", "jpy": "JPY", "cn¥": "CNY", "rmb": "CNY", "cny": "CNY",
    "₩": "KRW", "krw": "KRW",
    "₹": "INR", "inr": "INR",
    "฿": "THB", "thb": "THB",
    "s$": "SGD", "sgd": "SGD",
    "a$": "AUD", "aud": "AUD",
    "c$": "CAD", "ca$": "CAD", "cad": "CAD",
    "hk$": "HKD", "hkd": "HKD",
    "nt$": "TWD", "twd": "TWD",
    "nz$": "NZD", "nzd": "NZD",
    "r$": "BRL", "brl": "BRL",
    "rp": "IDR", "idr": "IDR",
    "rm": "MYR", "myr": "MYR",
    "₱": "PHP", "php": "PHP",
    "chf": "CHF", "sek": "SEK", "nok": "NOK", "dkk": "DKK", "pln": "PLN", "zł": "PLN",
    "czk": "CZK", "huf": "HUF", "ron": "RON", "try": "TRY", "₺": "TRY",
    "rub": "RUB", "₽": "RUB", "ils": "ILS", "₪": "ILS", "aed": "AED", "sar": "SAR",
    "zar": "ZAR", "mxn": "MXN", "cop": "COP", "clp": "CLP", "ars": "ARS", "pen": "PEN",
    "khr": "KHR", "lak": "LAK", "mmk": "MMK", "bdt": "BDT", "pkr": "PKR",
}  # fmt: skip
assert set(SYMBOLS.values()) <= set(CODES)

FORM = "a three-letter ISO 4217 currency code such as VND, USD or EUR"


def normalise(value: object) -> str | None:
    """The ISO 4217 code ``value`` names (trimmed, any case), or None if it is not one."""
    code = str(value).strip().upper()
    return code if code in CODES else None


# Listed first among several matches: the currencies exports carry most often.
COMMON = ("USD", "EUR", "VND", "GBP", "JPY", "CNY", "SGD", "THB", "AUD", "CAD", "INR", "BRL")


def close_matches(value: object, limit: int = 3) -> list[str]:
    """Codes a person who typed ``value`` probably meant: its symbol, name or spelling.

    ``₫`` and ``đ`` suggest VND, ``euro`` EUR, ``dollar`` the dollars (USD first),
    ``VDN`` VND (letters in another order or one letter wrong); at most ``limit`` codes.
    """
    text = str(value).strip()
    lower, upper = text.lower(), text.upper()
    found: list[str] = []
    if lower in SYMBOLS:
        found.append(SYMBOLS[lower])
    if len(lower) >= 3:
        named = [c for c, name in CODES.items() if lower == name.lower()]
        named += [
            c for c, name in CODES.items() if re.search(rf"\b{re.escape(lower)}", name.lower())
        ]
        found.extend(sorted(named, key=lambda c: COMMON.index(c) if c in COMMON else len(COMMON)))
    if 0 < len(upper) < 3:
        found.extend(c for c in COMMON if c.startswith(upper))
    if len(upper) == 3:
        found.extend(c for c in CODES if sorted(c) == sorted(upper))
    found.extend(difflib.get_close_matches(upper, list(CODES), n=limit, cutoff=0.66))
    return list(dict.fromkeys(c for c in found if c != upper))[:limit]
