"""The message catalogue is complete in both languages, and numbers read right in each."""

from __future__ import annotations

import datetime as dt
import re
import string

from dashboard import i18n
from tests.conftest import REPO


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_exists_in_english_and_vietnamese() -> None:
    for key, texts in i18n.catalogue().items():
        for lang in i18n.LANGUAGES:
            assert texts.get(lang, "").strip(), f"{key} has no {lang} text"


def test_translations_fill_the_same_placeholders() -> None:
    for key, texts in i18n.catalogue().items():
        assert _placeholders(texts["en"]) == _placeholders(texts["vi"]), key


def test_every_message_the_code_asks_for_exists() -> None:
    keys = set(i18n.catalogue())
    pattern = re.compile(r"""\b(?:t|T|ctx\.t)\(\s*["']([a-z_]+\.[a-z0-9_]+)["']""")
    used = set()
    for path in (REPO / "dashboard").rglob("*.py"):
        used |= set(pattern.findall(path.read_text(encoding="utf-8")))
    assert used, "no message keys found in the code"
    missing = sorted(used - keys)
    assert not missing, f"messages used but not in the catalogue: {missing}"


def test_vietnamese_dong_has_dots_for_thousands_and_no_decimals() -> None:
    assert i18n.fmt_money(1234567, "VND", "vi") == "1.234.567 ₫"
    assert i18n.fmt_money(1234567.6, "VND", "vi") == "1.234.568 ₫"
    assert i18n.fmt_money(1234567, "VND", "en") == "₫1,234,567"
    assert i18n.fmt_money(1234.5, "USD", "en") == "$1,234.50"
    assert i18n.fmt_money(-5000, "VND", "vi") == "-5.000 ₫"


def test_short_amounts_use_ty_and_trieu_in_vietnamese() -> None:
    assert i18n.fmt_money_short(1_800_000_000, "VND", "vi") == "1,8 tỷ ₫"
    assert i18n.fmt_money_short(250_000_000, "VND", "vi") == "250 triệu ₫"
    assert i18n.fmt_money_short(1_800_000_000, "VND", "en") == "₫1.8B"
    assert i18n.fmt_money_short(999, "VND", "en") == "₫999"


def test_numbers_percentages_and_dates_follow_the_language() -> None:
    assert i18n.fmt_int(20000, "en") == "20,000"
    assert i18n.fmt_int(20000, "vi") == "20.000"
    assert i18n.fmt_pct(0.4258, "en") == "42.6%"
    assert i18n.fmt_pct(0.4258, "vi") == "42,6%"
    assert i18n.fmt_pct(None, "vi") == "–"
    assert i18n.fmt_date(dt.date(2026, 2, 17), "vi") == "17/02/2026"
    assert i18n.fmt_date(dt.date(2026, 2, 17), "en") == "17 Feb 2026"
    assert i18n.fmt_month(dt.date(2026, 2, 1), "vi") == "02/2026"
    assert i18n.fmt_duration_minutes(1548, "en") == "25.8 h"
    assert i18n.fmt_duration_minutes(3, "vi") == "3 phút"


def test_a_missing_translation_falls_back_to_english_and_unknown_keys_fail() -> None:
    import pytest

    with pytest.raises(KeyError):
        i18n.t("common.no_such_message", "en")
    assert i18n.t("common.leads", "vi") == "Lead"


def test_every_metric_has_its_question_in_both_languages() -> None:
    from dashboard import metrics

    # written once, in queries/NAME.toml
    for name, m in metrics.registry().items():
        for lang in i18n.LANGUAGES:
            assert m.questions.get(lang, "").strip(), (name, lang)
