"""How a page is rendered: the language of the URL, its Jinja2 environment, the common frame, the HTML 404.

Why here: every page shares the site header (language switcher, navigation), the ``<html lang dir>`` of its
language and the not-found page that says what is valid. The environment overlays the reports' environment
(:func:`migdev.reports.html.environment`), so the country page includes the profile's own sections and macros
with the same filters (``|fig``, ``|num``) and gettext, instead of copies of them.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from babel import Locale
from fastapi import Request
from fastapi.responses import HTMLResponse

from migdev.i18n import N_, translator
from migdev.reports import html as report_html
from migdev.vocab import LANGUAGES

TEMPLATES = Path(__file__).with_name("templates")

#: The site's sections, in the navigation's order: (path after /{lang}, label).
NAVIGATION = (("/", N_("World map")), ("/flows", N_("Flows between regions")), ("/methods", N_("Methods")),
              ("/models", N_("Models")), ("/reports", N_("Reports")))


class PageNotFound(Exception):
    """A page URL names a language or place that does not exist: answered with an HTML 404 saying what is valid."""

    def __init__(self, message: str, lang: str = "en") -> None:
        super().__init__(message)
        self.lang = lang if lang in LANGUAGES else "en"


def check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise PageNotFound(f"unknown language {lang!r}; the pages exist in {', '.join(LANGUAGES)} "
                           f"(e.g. /en/, /fr/country/KEN)")
    return lang


@cache
def language_names() -> tuple[tuple[str, str], ...]:
    """Each UN language in its own name (CLDR), for the switcher."""
    return tuple((code, Locale.parse(code).get_display_name(code)) for code in LANGUAGES)


@cache
def environment(lang: str) -> jinja2.Environment:
    base = report_html.environment(lang)
    env = base.overlay(loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(TEMPLATES), base.loader]))
    env.filters, env.globals = dict(base.filters), dict(base.globals)  # overlay shares them; keep the reports' own
    t = translator(lang)
    env.filters["pct"] = t.percent
    env.filters["compact"] = t.compact
    env.filters["usd"] = t.currency
    env.globals.update(languages=language_names(), navigation=NAVIGATION)
    return env


def render(request: Request, lang: str, template: str, *, status: int = 200, path: str = "/",
           **context: Any) -> HTMLResponse:
    """A page of the site in ``lang``; ``path`` (after ``/{lang}``) is where the language switcher points."""
    t = translator(lang)
    query = f"?{request.url.query}" if request.url.query else ""
    html = environment(lang).get_template(template).render(
        lang=lang, t=t, dir=t.direction, here=path, query=query, **context)
    return HTMLResponse(html, status_code=status)


def not_found(request: Request, exc: PageNotFound) -> HTMLResponse:
    """The HTML 404: what was asked, why it does not exist, and links to what does."""
    return render(request, exc.lang, "not_found.html.j2", status=404, message=str(exc))
