"""Every page type of the site and every report in the six languages, over the real database: no message the
English page shows is left in English (and its translation is there), no number in another locale's format,
``<html lang dir>`` (``rtl`` for Arabic) and, on the site, a language switcher naming all six.

The pages are fetched once per language from a real uvicorn server (module-scoped); the reports are rendered once
per language from one :func:`migdev.reports.world.load`. A failure names the page, the language and the English
text found (or the number and the text around it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import httpx
import pytest
from starlette.routing import Match, Mount

from migdev import store
from migdev.i18n import translator
from migdev.vocab import LANGUAGES
from tests.i18n import page_checks as checks
from tests.reports import pdf_checks

pytestmark = pytest.mark.realdata


@dataclass(frozen=True)
class Page:
    """One page type of the site: the URL of an example (``{lang}`` filled in), its status, and whether it shows
    figures (then at least one large number must be found in the locale's format, so the check cannot pass
    vacuously)."""

    name: str
    url: str
    status: int = 200
    figures: bool = True


#: Every page type, once (a page another branch is adding is listed and skipped until its route exists).
PAGES = (
    Page("home", "/{lang}/"),
    Page("country", "/{lang}/country/MEX"),
    Page("group", "/{lang}/country/m49:900"),
    Page("corridor", "/{lang}/corridor/MEX/USA"),
    Page("flows", "/{lang}/flows"),
    Page("methods", "/{lang}/methods"),
    Page("not-found", "/{lang}/country/Narnia", status=404, figures=False),
    Page("models", "/{lang}/models"),
    Page("reports", "/{lang}/reports", figures=False),  # a list of the reports: their figures are in them
)
#: The reports of :mod:`migdev.reports` besides the profiles (the country page is the profile's HTML).
REPORTS = ("global", "dialogue")
#: The PDFs whose text layer is read, and the message each must show translated (its title).
PDFS = {"profile": "Migration and development profile",
        "global": "International migration and development: global data report"}


@cache
def _routed(url: str) -> bool:
    """The app has a route for this page."""
    from migdev.web import create_app

    scope = {"type": "http", "method": "GET", "path": url.format(lang="en"), "root_path": ""}
    return any(route.matches(scope)[0] == Match.FULL
               for route in create_app(Path("/nonexistent")).routes if not isinstance(route, Mount))


def _pages() -> list:
    return [pytest.param(p, id=p.name) for p in PAGES]


def test_every_declared_page_is_routed() -> None:
    """A page renamed or removed from the app fails here rather than leaving its language checks untested."""
    assert [p.url for p in PAGES if not _routed(p.url)] == []


@dataclass
class Fetched:
    """A page as served (or a report as rendered), with what the checks derive from it, derived once."""

    status: int
    html: str
    visible: checks.Visible
    _ids: list[str] | None = None
    _clean: dict[frozenset[str], checks.Visible] = field(default_factory=dict)

    def shown(self) -> list[str]:
        """The message ids this (English) page shows."""
        if self._ids is None:
            self._ids = checks.shown(self.visible)
        return self._ids

    def without(self, data: frozenset[str]) -> checks.Visible:
        if data not in self._clean:
            self._clean[data] = self.visible.without(data)
        return self._clean[data]


@pytest.fixture(scope="module")
def site(real_db: Path) -> Iterator[dict[tuple[str, str], Fetched]]:
    """(page name, language) -> the page as served, fetched on first use (once) from a real uvicorn server."""
    from tests.web.conftest import serve

    with serve(real_db) as base, httpx.Client(base_url=base, timeout=60) as client:
        fetched: dict[tuple[str, str], Fetched] = {}

        class Site(dict):
            def __missing__(self, key: tuple[str, str]) -> Fetched:
                page = next(p for p in PAGES if p.name == key[0])
                r = client.get(page.url.format(lang=key[1]))
                self[key] = Fetched(r.status_code, r.text, checks.visible(r.text))
                return self[key]

        yield Site(fetched)


@pytest.fixture(scope="module")
def world(real_db: Path):
    from migdev.reports import world

    return world.load(real_db)


@pytest.fixture(scope="module")
def reports(world) -> dict[tuple[str, str], Fetched]:
    from migdev.reports import dialogue, global_report

    render = {"global": global_report.render, "dialogue": dialogue.render}

    class Reports(dict):
        def __missing__(self, key: tuple[str, str]) -> Fetched:
            html = render[key[0]](world, key[1], "html")
            self[key] = Fetched(200, html, checks.visible(html))
            return self[key]

    return Reports()


@pytest.fixture(scope="module")
def data(real_db: Path) -> dict[str, frozenset[str]]:
    """Per language, the text the database writes into the pages the same in every language: source ids,
    revisions, titles, citations, licences and addresses, and the place names that are not translated (a
    country's name equal to its English one, a group's name where the table holds one name only)."""
    with store.read(real_db) as con:
        sources = {s for row in con.execute("SELECT source_id, revision, title, publisher, citation, licence, url "
                                            "FROM source").fetchall() for s in row}
        countries = con.execute("SELECT * FROM country").df()
        groups = con.execute("SELECT * FROM area_group").df()
    out = {}
    for lang in LANGUAGES:
        same = set(countries.loc[countries[f"name_{lang}"] == countries["name_en"], "name_en"])
        column = f"name_{lang}" if f"name_{lang}" in groups else "name"
        same |= set(groups.loc[groups[column] == groups["name"], "name"])
        out[lang] = frozenset(sources | same | set(groups["group_id"]) | set(countries["iso3"]))
    return out


# -- the checks, the same for a page and a report ---------------------------------------------------------------
def _lang_and_direction(name: str, lang: str, page: Fetched) -> None:
    want = {"lang": lang, "dir": "rtl" if lang == "ar" else "ltr"}
    got = {k: page.visible.html_attrs.get(k) for k in want}
    assert got == want, f"{name} [{lang}]: <html {got}>, expected {want}"
    assert translator(lang).direction == want["dir"]


def _messages(name: str, lang: str, english: Fetched, page: Fetched, data: frozenset[str], least: int) -> None:
    shown = english.shown()
    assert len(shown) >= least, f"{name}: only {len(shown)} message ids found on the English page: {shown}"
    left = checks.english_left(page.without(data), lang, shown)
    assert not left, f"{name} [{lang}]: {len(left)} message(s) left in English: " + "; ".join(
        f"{frag!r} (id {m!r})" for m, frag in left)
    missing = checks.translation_missing(page.visible, lang, shown)
    assert not missing, f"{name} [{lang}]: translation not on the page: " + "; ".join(
        f"{frag!r} (id {m!r})" for m, frag in missing)


def _numbers(name: str, lang: str, page: Fetched, data: frozenset[str], figures: bool) -> None:
    text = page.without(data)
    raw = checks.raw_numbers(text, lang)
    assert not raw, f"{name} [{lang}]: {len(raw)} number(s) not in the {lang} format: " + "; ".join(
        f"{n!r} in {block[:120]!r}" for n, block in raw[:12])
    if figures:
        fmt = checks.NumberFormat.of(lang)
        signed = [n for b in text.blocks for n in checks.numbers_in(b) if fmt.group in n or fmt.decimal in n]
        assert signed, f"{name} [{lang}]: no number with the locale's group or decimal sign"


# -- the site ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("page", _pages())
def test_page_language_direction_and_switcher(site, page, lang):
    got = site[page.name, lang]
    assert got.status == page.status, f"{page.url.format(lang=lang)}: HTTP {got.status}"
    _lang_and_direction(page.name, lang, got)
    nav = re.search(r'<nav class="languages"[^>]*>(.*?)</nav>', got.html, re.S)
    assert nav, f"{page.name} [{lang}]: no language switcher"
    links = re.findall(r'<a href="/(\w+)/[^"]*" lang="(\w+)" hreflang="(\w+)"', nav.group(1))
    assert [code for code, _l, _h in links] == list(LANGUAGES), (page.name, lang, links)
    assert all(code == lng == href for code, lng, href in links)


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
@pytest.mark.parametrize("page", _pages())
def test_page_messages_translated(site, data, page, lang):
    _messages(page.name, lang, site[page.name, "en"], site[page.name, lang], data[lang], 8)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("page", _pages())
def test_page_numbers_in_the_locale_format(site, data, page, lang):
    _numbers(page.name, lang, site[page.name, lang], data[lang], page.figures)


# -- the reports ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("report", REPORTS)
def test_report_language_and_numbers(reports, data, report, lang):
    _lang_and_direction(report, lang, reports[report, lang])
    _numbers(report, lang, reports[report, lang], data[lang], True)


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
@pytest.mark.parametrize("report", REPORTS)
def test_report_messages_translated(reports, data, report, lang):
    _messages(report, lang, reports[report, "en"], reports[report, lang], data[lang], 20)


@pytest.mark.parametrize("lang", ["ar", "zh"])
@pytest.mark.parametrize("kind", PDFS)
def test_pdf_text_layer_holds_the_translated_title(world, tmp_path, kind, lang):
    from migdev.reports import global_report

    profiles = world.profiles
    pdf = (profiles.render(profiles.build("MEX", lang), "pdf") if kind == "profile"
           else global_report.render(world, lang, "pdf"))
    path = tmp_path / f"{kind}.{lang}.pdf"
    path.write_bytes(pdf)
    layer = " ".join(pdf_checks.text(path, 1, 1).split())
    title = translator(lang).gettext(PDFS[kind])
    assert title != PDFS[kind], f"{kind} PDF [{lang}]: the title {PDFS[kind]!r} has no translation"
    assert " ".join(title.split()) in layer, f"{kind} PDF [{lang}]: {title!r} not in page 1: {layer[:300]!r}"
