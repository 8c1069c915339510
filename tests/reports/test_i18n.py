"""Formatting through Babel and the catalogue: missing is "not available", fractions become percentages only at
output, and the right-to-left hook follows the locale."""

from __future__ import annotations

import math

import pytest

from migdev.i18n import AVAILABLE, Translator, _translations, translator


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
