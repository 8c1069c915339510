"""The reports from the real database: Egypt's Arabic profile and the Arabic global report as PDFs (an Arabic and
a CJK font embedded, Egypt's Arabic name in the text layer, first pages kept as artefacts), the Chinese ones with
the Chinese name, and every key message of the global report traced to its query."""

from __future__ import annotations

from pathlib import Path

import pytest

from migdev.reports import dialogue, global_report, messages, open_profiles, world
from tests.reports.pdf_checks import assert_scripts, country_name, first_page_png, text
from tests.reports.test_global_report import trace

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def data(real_db: Path):
    return world.load(real_db)


@pytest.mark.parametrize("lang", ["ar", "zh"])
def test_egypt_profile_pdf(real_db, tmp_path, lang):
    profiles = open_profiles(real_db)
    path = tmp_path / f"EGY.{lang}.pdf"
    path.write_bytes(profiles.render(profiles.build("EGY", lang), "pdf"))
    assert_scripts(path)
    name = country_name(real_db, "EGY", lang)
    assert name in {"مصر", "埃及"} and name in text(path, 1, 1)
    first_page_png(path, f"profile-EGY-{lang}-page1")


@pytest.mark.parametrize("lang", ["ar", "zh"])
def test_global_report_pdf(data, real_db, tmp_path, lang):
    path = tmp_path / f"global.{lang}.pdf"
    path.write_bytes(global_report.render(data, lang, "pdf"))
    assert_scripts(path)
    layer = text(path)
    # the global report names regions, not countries: the text layer holds the languages' names in their scripts
    assert "العربية" in layer and "中文" in layer
    first_page_png(path, f"global-{lang}-page1")


def test_dialogue_pdf_names_countries_in_arabic(data, real_db, tmp_path):
    path = tmp_path / "dialogue.ar.pdf"
    path.write_bytes(dialogue.render(data, "ar", "pdf"))
    assert_scripts(path)
    assert country_name(real_db, "MEX", "ar") in text(path)  # Mexico -> United States, the world's largest corridor
    first_page_png(path, "dialogue-ar-page1")


@pytest.mark.parametrize("lang", ["en", "ar", "zh", "fr", "ru", "es"])
def test_every_key_message_is_traced(data, real_db, lang):
    page = global_report.render(data, lang, "html")
    assert trace(real_db, page, lang) == len(messages.MESSAGES)
