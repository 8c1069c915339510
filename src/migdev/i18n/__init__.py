"""Language of every page: gettext messages and Babel number, percent, currency and date formats, per locale.

Why this module: the profiles, and later the PDF and the web pages, are written once for the six UN languages.
No template or chart holds user-visible English; it holds message ids (``_("Emigration")``) and calls the
formatters below, so adding French is a new ``locales/fr/LC_MESSAGES/migdev.po`` and nothing else.

The catalogues are plain ``.po`` files compiled in memory at first use (Babel's ``read_po`` + ``write_mo`` into
``Translations``), so an installed package needs no build step and no ``.mo`` files are committed. A message
missing from a catalogue falls back to its id (English), as gettext does. ``rtl`` tells templates to set
``dir="rtl"`` (Arabic), from CLDR's character order of the locale.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale, numbers
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from migdev.vocab import LANGUAGES

LOCALES_DIR = Path(__file__).with_name("locales")
DOMAIN = "migdev"
#: Languages with a catalogue; the six UN languages join as their catalogues are written.
AVAILABLE: tuple[str, ...] = tuple(sorted(p.parent.parent.name for p in LOCALES_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")))


def N_(message: str) -> str:  # the gettext name for "mark for translation, translate later"
    """Mark a message id for extraction without translating it here (labels declared in Python modules)."""
    return message


#: The text shown for a missing value, never a zero (a message id, translated per language).
MISSING = N_("not available")


def catalogue_path(lang: str) -> Path:
    return LOCALES_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def _translations(lang: str) -> Translations:
    path = catalogue_path(lang)
    if not path.is_file() and lang in LANGUAGES:  # a UN language whose catalogue is not written yet: English ids
        return Translations()
    if not path.is_file():
        raise ValueError(f"no message catalogue for language {lang!r}; available: {', '.join(AVAILABLE)}")
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf, domain=DOMAIN)


def message_ids(lang: str = "en") -> set[str]:
    """Every message id of a language's catalogue (tests check that templates and labels use only these)."""
    with catalogue_path(lang).open("rb") as fh:
        return {m.id for m in read_po(fh, locale=lang) if m.id and isinstance(m.id, str)}


@dataclass(frozen=True)
class Translator:
    """Messages and formats of one language; templates and charts receive one and format nothing themselves."""

    lang: str
    translations: Translations

    @property
    def locale(self) -> Locale:
        return Locale.parse(self.lang)

    @property
    def rtl(self) -> bool:
        """True for right-to-left scripts (Arabic): templates set ``dir="rtl"``."""
        return self.locale.character_order == "right-to-left"

    @property
    def direction(self) -> str:
        return "rtl" if self.rtl else "ltr"

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)

    def missing(self) -> str:
        return self.gettext(MISSING)

    # -- numbers: a None/NaN is "not available", never 0 ------------------------------------------------------
    def number(self, value: float | int | None, digits: int = 0) -> str:
        if _absent(value):
            return self.missing()
        fmt = "#,##0" if digits == 0 else "#,##0." + "0" * digits
        return numbers.format_decimal(value, format=fmt, locale=self.lang)

    def percent(self, fraction: float | None, digits: int = 1) -> str:
        """A fraction 0..1 as a percentage (stored shares are fractions; percentages exist only at output)."""
        if _absent(fraction):
            return self.missing()
        return numbers.format_percent(fraction, format="#,##0." + "0" * digits + "%", locale=self.lang)

    def percent_points(self, percent: float | None, digits: int = 1) -> str:
        """A value already in percent (0..100), as WDI's % of GDP and RPW's costs are published."""
        return self.percent(None if _absent(percent) else percent / 100, digits)

    def currency(self, value: float | None, code: str = "USD") -> str:
        if _absent(value):
            return self.missing()
        return numbers.format_currency(value, code, format="¤#,##0", locale=self.lang, currency_digits=False)

    def compact(self, value: float | None) -> str:
        """Short form for chart axes (1.2M, 350K), in the language's own abbreviations."""
        if _absent(value):
            return self.missing()
        return numbers.format_compact_decimal(value, format_type="short", fraction_digits=1, locale=self.lang)

    def compact_currency(self, value: float | None, code: str = "USD") -> str:
        if _absent(value):
            return self.missing()
        return numbers.format_compact_currency(value, code, format_type="short", fraction_digits=1,
                                               locale=self.lang)

    def date(self, value: dt.date | dt.datetime | None) -> str:
        if value is None:
            return self.missing()
        return format_date(value, format="long", locale=self.lang)


def _absent(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN
    except TypeError:  # pd.NA: comparisons are ambiguous
        return True


@cache
def translator(lang: str = "en") -> Translator:
    """The translator of a language with a catalogue (``ValueError`` naming the available ones otherwise)."""
    return Translator(lang, _translations(lang))
