"""The profile page in the six languages: every message the English page shows is shown translated, no English
message text is left, numbers are in the locale's format, ``lang`` is set and Arabic is right-to-left."""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path

import pytest

from migdev.i18n import catalogue, translator
from migdev.reports import open_profiles
from migdev.reports.html import format_figure
from migdev.reports.profile import KEYS
from migdev.vocab import LANGUAGES
from tests.i18n.page_checks import LONG, collapse, fragments, visible
from tests.i18n.page_checks import shown as shown_on

PLACES = ("MEX", "m49:900")
#: Python modules of the global report and the dialogue pack (never writing into a profile).
OTHER_REPORTS = ("reports/world.py", "reports/messages.py", "reports/global_report.py", "reports/dialogue.py")
#: Raw (English-style) number formats that must not appear in a figure cell of the language.
RAW = {"fr": r"\d,\d{3}|\d\.\d", "es": r"\d,\d{3}\b", "ru": r"\d,\d{3}|\d\.\d", "en": r"\d[\u00a0\u202f ]\d{3}",
       "zh": r"\d[\u00a0\u202f ]\d{3}|\d,\d{1,2}\b", "ar": r"[\u0660-\u0669]|\d[\u00a0\u202f ]\d{3}"}


@pytest.fixture(scope="module")
def profiles(small_db: Path):
    return open_profiles(small_db)


@pytest.fixture(scope="module")
def pages(profiles):
    return {(lang, key): (profiles.build(key, lang), profiles.render(profiles.build(key, lang), "html"))
            for lang in LANGUAGES for key in PLACES}


def _text(page: str, *, data: bool = True) -> str:
    """Visible text (SVG titles and labels included); ``data=False`` drops what the database writes in English
    (citations, group and member names)."""
    page = re.sub(r"<style.*?</style>", " ", page, flags=re.S)
    if not data:
        page = re.sub(r'<section id="sources">.*?</section>|<ul class="(?:groups|members)">.*?</ul>', " ", page,
                      flags=re.S)
    return collapse(htmllib.unescape(re.sub(r"<[^>]+>", " ", page)))


@pytest.fixture(scope="module")
def messages():
    """The ids the profile page can show: used by the Python code of the reports and labels or by the profile's
    templates (``profile*.html.j2``; not the index), as the catalogue lists them (so text turned into a literal in a
    template is still looked for). The dashboard's modules (``web/``) never write into the profile: their ids
    ("Cost", "Asylum-seekers") would match inside longer profile texts and be looked for in the wrong place. Nor do
    the modules of the global report and the dialogue pack: their SDG region names ("Latin America and the
    Caribbean") are on the English profile only as the database's English group names, which no language translates."""
    def profile_side(where: str) -> bool:
        if where in OTHER_REPORTS:
            return False
        return (where.startswith(("i18n/", "reports/")) and where.endswith(".py")) or \
            where.startswith("reports/templates/profile")

    return {catalogue._key(m) for m in catalogue.load("en") if m.id and any(profile_side(w) for w, _ in m.locations)}


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
@pytest.mark.parametrize("key", PLACES)
def test_every_message_shown_is_translated(pages, messages, lang, key):
    english, page = _text(pages["en", key][1]), _text(pages[lang, key][1])
    without_data = _text(pages[lang, key][1], data=False)
    t = translator(lang)
    # the ids found outside longer ones (page_checks.shown), so "Average cost" is not looked for in "Average cost
    # of sending 200 US$", with the short ones the profile's text holds
    outside = set(shown_on(visible(pages["en", key][1]), messages))
    shown = [m for m in messages if fragments(m) and all(f in english for f in fragments(m))
             and (m in outside or not fragments(m, LONG))]
    assert len(shown) > 40
    for m in shown:
        for fragment in fragments(t.gettext(m)):
            assert fragment in page, (lang, key, m, fragment)
        if t.gettext(m) != m and not any(f in t.gettext(m) for f in fragments(m)):  # "Total" = "Total" in fr
            pattern = r"(?<!\w)" + r"\W+".join(re.escape(f) for f in fragments(m)) + r"(?!\w)"
            assert re.search(pattern, without_data) is None, (lang, key, m)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_lang_dir_and_numbers(pages, lang):
    prof, page = pages[lang, "MEX"]
    assert re.search(rf'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">', page)
    t = translator(lang)
    cells = [htmllib.unescape(c) for c in re.findall(r'<td class="value">(.*?)</td>', page)]
    assert len(cells) >= len(KEYS) - 10
    for cell in cells:
        assert re.search(RAW[lang], cell) is None, (lang, cell)
    for dotted in KEYS:
        fig = prof
        for part in dotted.split("."):
            fig = fig[part]
        if not isinstance(fig["value"], list):
            assert format_figure(t, fig) in cells, (lang, dotted)
    population = prof["development"]["population"]["value"]
    if population is not None and population >= 1000:
        assert t.number(population) in cells
        assert {"fr": "\u202f", "ru": "\u00a0", "es": ".", "en": ",", "zh": ",", "ar": ","}[lang] in \
            t.number(population)


def test_place_names_in_the_language(pages, small_db):
    from migdev import store

    with store.read(small_db) as con:
        names = dict(con.execute("SELECT iso3, name_ar FROM country").fetchall())
    prof, page = pages["ar", "MEX"]
    assert names["MEX"] in page and prof["name"] == names["MEX"]
    for d in prof["emigrants"]["top_destinations"]["value"] or []:
        assert d["name"] == names[d["iso3"]]


def test_arabic_layout_is_mirrored(pages):
    """Right-to-left by logical properties only: no physical left/right in the page's CSS."""
    page = pages["ar", "MEX"][1]
    css = " ".join(re.findall(r"<style>(.*?)</style>", page, flags=re.S))
    assert "inline-start" in css or "inline-end" in css
    assert re.search(r"(?:margin|padding|border)-(?:left|right)|text-align:\s*(?:left|right)|float:\s*(?:left|right)",
                     css) is None


def test_cli_lang(small_db, tmp_path):
    from typer.testing import CliRunner

    from migdev.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["profile", "MEX", "--lang", "ar", "--db", str(small_db)])
    assert result.exit_code == 0, result.output
    assert '<html lang="ar" dir="rtl">' in result.stdout and translator("ar").gettext("Emigration") in result.stdout
    result = runner.invoke(app, ["profiles", "MEX", "--lang", "zh", "--out", str(tmp_path), "--db", str(small_db)])
    assert result.exit_code == 0, result.output
    assert translator("zh").gettext("Countries and areas") in (tmp_path / "index.html").read_text(encoding="utf-8")
    result = runner.invoke(app, ["profile", "MEX", "--lang", "de", "--db", str(small_db)])
    assert result.exit_code == 2 and "'de' is not one of" in result.output
