"""Language of every page: gettext messages and Babel number, percent, currency and date formats, per locale.

Why this module: the profiles, the PDF and the web pages are written once for the six UN languages. No template or
chart holds user-visible English; it holds message ids (``_("Emigration")``) and calls the formatters below.
``catalogue.py`` keeps the six ``locales/<lang>/LC_MESSAGES/migdev.po`` complete; ``GLOSSARY.md`` the terms.

Compilation: each ``.po`` is compiled in memory at first use (Babel's ``read_po`` + ``write_mo`` into
``Translations``, under 0.1 s a language, once per process). This meets "compiled at build or install" in what
matters: no uncompiled text is looked up per message, and there is nothing to forget. A hatch build hook writing
``.mo`` files would not run for an editable install (``pip install -e``, the way CI and development run), so a
stale or absent ``.mo`` would silently show English; here the ``.po`` in the tree is the only artefact and what
the tests check is exactly what runs. Fuzzy entries are skipped (``write_mo``'s default): an unreviewed guess
shows the English id, never a wrong term.

Formats follow each locale's own CLDR patterns (grouping, decimal sign, the space before ``%`` in French,
the currency symbol's side) with the fraction digits fixed by the caller, and the locale's *default numbering
system*. For Arabic CLDR (46, Babel 2.19) gives ``latn``: Western digits 0-9, as the United Nations' Arabic
documents print figures (resolution 58/208 in Arabic: "2003", "58/208"); ``arab`` digits (٠-٩) would follow
automatically if CLDR changed its default, and a test pins the choice. Currency uses CLDR's symbol for US$ in
each language ("$" in English, which the UN Editorial Manual reads as United States dollars; "$US" in French,
"US$" in Spanish, Chinese and Arabic) except Russian, where CLDR's bare "$" is ambiguous and UN Russian texts
write "долл. США" (:data:`CURRENCY_WORDS`). A message missing from a catalogue falls back to its id (English), as
gettext does. ``rtl`` tells templates to set ``dir="rtl"`` (Arabic), from CLDR's character order.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale, numbers
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import NumberPattern
from babel.support import Translations

from migdev.vocab import LANGUAGES

LOCALES_DIR = Path(__file__).with_name("locales")
DOMAIN = "migdev"
#: Languages with a catalogue (the six UN languages, :data:`migdev.vocab.LANGUAGES`).
AVAILABLE: tuple[str, ...] = tuple(sorted(p.parent.parent.name for p in LOCALES_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")))


#: Where the United Nations' usage replaces CLDR's currency symbol: language -> code -> word.
CURRENCY_WORDS: dict[str, dict[str, str]] = {"ru": {"USD": "долл. США"}}


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
    def _pattern(self, kind: str, digits: int) -> NumberPattern:
        """The locale's own pattern of ``kind`` (decimal, percent, currency) with exactly ``digits`` decimals."""
        return _pattern(self.lang, kind, digits)

    def number(self, value: float | int | None, digits: int = 0) -> str:
        if _absent(value):
            return self.missing()
        return numbers.format_decimal(value, format=self._pattern("decimal", digits), locale=self.lang,
                                      numbering_system="default")

    def percent(self, fraction: float | None, digits: int = 1) -> str:
        """A fraction 0..1 as a percentage (stored shares are fractions; percentages exist only at output)."""
        if _absent(fraction):
            return self.missing()
        return numbers.format_percent(fraction, format=self._pattern("percent", digits), locale=self.lang,
                                      numbering_system="default")

    def percent_points(self, percent: float | None, digits: int = 1) -> str:
        """A value already in percent (0..100), as WDI's % of GDP and RPW's costs are published."""
        return self.percent(None if _absent(percent) else percent / 100, digits)

    def currency(self, value: float | None, code: str = "USD") -> str:
        """Whole units of ``code`` (US$ by default) in the locale's currency pattern and symbol."""
        if _absent(value):
            return self.missing()
        pattern = self._pattern("currency", 0)
        word = CURRENCY_WORDS.get(self.lang, {}).get(code)
        if word is not None:
            pattern = copy.copy(pattern)
            pattern.prefix = tuple(p.replace("¤", word) for p in pattern.prefix)
            pattern.suffix = tuple(p.replace("¤", word) for p in pattern.suffix)
        return numbers.format_currency(value, code, format=pattern, locale=self.lang, currency_digits=False,
                                       numbering_system="default")

    def compact(self, value: float | None) -> str:
        """Short form for chart axes (1.2M, 350K), in the language's own abbreviations."""
        if _absent(value):
            return self.missing()
        return numbers.format_compact_decimal(value, format_type="short", fraction_digits=1, locale=self.lang,
                                              numbering_system="default")

    def compact_currency(self, value: float | None, code: str = "USD") -> str:
        """Short form ("598,7 Md $US"); the currency written as :data:`CURRENCY_WORDS` say, as :meth:`currency`."""
        if _absent(value):
            return self.missing()
        out = numbers.format_compact_currency(value, code, format_type="short", fraction_digits=1,
                                              locale=self.lang, numbering_system="default")
        word = CURRENCY_WORDS.get(self.lang, {}).get(code)
        return out if word is None else out.replace(numbers.get_currency_symbol(code, locale=self.lang), word)

    def date(self, value: dt.date | dt.datetime | None) -> str:
        if value is None:
            return self.missing()
        return format_date(value, format="long", locale=self.lang)


@cache
def _pattern(lang: str, kind: str, digits: int) -> NumberPattern:
    locale = Locale.parse(lang)
    table = {"decimal": locale.decimal_formats, "percent": locale.percent_formats,
             "currency": locale.currency_formats}[kind]
    pattern = copy.copy(table["standard" if kind == "currency" else None])
    pattern.frac_prec = (digits, digits)
    return pattern


def endonym(lang: str) -> str:
    """A language's name in itself ("français", "العربية"), for language switchers (CLDR, no message id)."""
    name = Locale.parse(lang).get_display_name(lang) or lang
    return name[:1].upper() + name[1:] if lang not in ("zh", "ar") else name


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
