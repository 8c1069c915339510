"""The report languages: the six UN languages, each with its translator and its own name (endonym).

Why here: the reports render in all six languages while the catalogues are still being written. A language whose
catalogue is missing renders with English messages and that locale's number formats and direction (the gettext
fallback), rather than failing; once ``migdev.i18n`` holds all six catalogues this is plain ``translator(lang)``.
"""

from __future__ import annotations

from functools import cache

from babel import Locale
from babel.support import Translations

from migdev.errors import QueryError
from migdev.i18n import Translator, translator
from migdev.vocab import LANGUAGES


@cache
def translator_for(lang: str) -> Translator:
    """The translator of one of the six UN languages (English messages where its catalogue is missing)."""
    if lang not in LANGUAGES:
        raise QueryError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    try:
        return translator(lang)
    except ValueError:  # no catalogue yet: English message ids, the locale's formats and direction
        return Translator(lang, Translations())


def endonyms() -> list[tuple[str, str]]:
    """(code, the language's name in itself) for the six languages, e.g. ("ar", "العربية"), ("zh", "中文")."""
    return [(lang, Locale.parse(lang).get_display_name(lang)) for lang in LANGUAGES]
