"""Formatting through Babel and the catalogue: missing is "not available", fractions become percentages only at
output, and the right-to-left hook follows the locale."""

from __future__ import annotations

import datetime as dt
import math
import re

import pytest

from migdev.i18n import AVAILABLE, Translator, _translations, endonym, translator


def test_english_formats():
    t = translator("en")
    assert t.number(11_279_561) == "11,279,561"
    assert t.percent(0.4987) == "49.9%"
    assert t.percent_points(49.87) == "49.9%"
    assert t.currency(4_999_830_479.4) == "$4,999,830,479"
    assert t.compact(1_250_000) == "1.2M"
    assert t.gettext("Emigration") == "Emigration"


@pytest.mark.parametrize("value", [None, math.nan, float("nan")])
def test_missing_is_not_zero(value):
    t = translator("en")
    for fmt in (t.number, t.percent, t.percent_points, t.currency, t.compact):
        assert fmt(value) == "not available"
    assert t.number(0) == "0"


def test_rtl_hook_and_languages():
    assert "en" in AVAILABLE and translator("en").direction == "ltr"
    arabic = Translator("ar", _translations("en"))  # formats and direction come from the locale
    assert arabic.rtl and arabic.direction == "rtl"
    with pytest.raises(ValueError, match="no message catalogue for language 'xx'"):
        translator("xx")


SAMPLE = 1234.5


@pytest.mark.parametrize(("lang", "number", "percent", "currency"), [
    ("en", "1,234.5", "49.9%", "$4,999,830,479"),
    ("fr", "1\u202f234,5", "49,9\u00a0%", "4\u202f999\u202f830\u202f479\u00a0$US"),
    ("es", "1.234,5", "49,9\u00a0%", "4.999.830.479\u00a0US$"),
    ("ru", "1\u00a0234,5", "49,9\u00a0%", "4\u00a0999\u00a0830\u00a0479\u00a0долл. США"),
    ("zh", "1,234.5", "49.9%", "US$4,999,830,479"),
    ("ar", "1,234.5", "49.9%", "\u200f4,999,830,479\u00a0US$"),
])
def test_locale_formats(lang, number, percent, currency):
    """CLDR's own pattern per locale (French narrow no-break space, Spanish '.', Russian 'долл. США')."""
    t = translator(lang)
    assert t.number(SAMPLE, 1) == number
    assert t.percent(0.4987) == percent
    assert t.currency(4_999_830_479.4) == currency
    if lang == "ru":  # the short form writes the currency as the long one does
        assert t.compact_currency(598.7e9) == "598,7\u00a0млрд\u00a0долл. США"
    assert t.missing() != "not available" or lang == "en"


def test_arabic_digits_follow_cldr_default_latn():
    """The choice for Arabic: CLDR's default numbering system for ``ar`` (``latn``, Western digits, as UN Arabic
    documents print figures). If CLDR moves ``ar`` to ``arab`` this fails and the choice must be made again."""
    from babel import Locale

    assert Locale.parse("ar").default_numbering_system == "latn"
    t = translator("ar")
    text = t.number(11_279_561) + t.percent(0.5) + t.currency(12.0) + t.compact(1_250_000) + t.date(dt.date(2024, 7, 1))
    assert re.search("[\u0660-\u0669\u06f0-\u06f9]", text) is None and "11,279,561" in text
    assert t.rtl and t.direction == "rtl" and "يوليو" in t.date(dt.date(2024, 7, 1))


def test_endonyms():
    assert [endonym(lang) for lang in ("en", "fr", "es", "ru", "zh", "ar")] == [
        "English", "Français", "Español", "Русский", "中文", "العربية"]
