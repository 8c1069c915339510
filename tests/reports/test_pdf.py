"""PDFs on the small generated database: Arabic and Chinese fonts embedded, names in their script in the text
layer, page numbers, sources as footnotes, charts as vectors; the Arabic first page kept as a test artefact."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from migdev.reports import bundle, global_report, open_profiles, pdf, world
from tests.reports.pdf_checks import assert_scripts, country_name, first_page_png, text


@pytest.fixture(scope="module")
def data(small_db: Path):
    return world.load(small_db)


@pytest.mark.parametrize("lang", ["ar", "zh"])
def test_profile_pdf_embeds_fonts_and_names_the_country_in_its_script(small_db, tmp_path, lang):
    profiles = open_profiles(small_db)
    path = tmp_path / f"MEX.{lang}.pdf"
    path.write_bytes(profiles.render(profiles.build("MEX", lang), "pdf"))
    assert path.read_bytes().startswith(b"%PDF")
    assert_scripts(path)
    layer = text(path)
    name = country_name(small_db, "MEX", lang)
    assert name and name != country_name(small_db, "MEX", "en")
    assert name in layer
    total = len(PdfReader(path).pages)
    last = text(path, total, total)  # page numbers from the @page counters: "N / N" (order aside: RTL)
    assert re.search(rf"\b{total} ?/ ?{total}\b", last), last[-200:]
    if lang == "ar":
        assert first_page_png(path, "profile-MEX-ar-page1").stat().st_size > 1000


def test_global_report_pdf(data, tmp_path):
    path = tmp_path / "global.ar.pdf"
    path.write_bytes(global_report.render(data, "ar", "pdf"))
    assert_scripts(path)
    layer = text(path)
    assert "العربية" in layer and "中文" in layer
    # sources as footnotes: numbered notes at the foot of the page, the revision with each (pdftotext writes a
    # right-to-left line in visual order: "ims2024_bilateral )2024( .1")
    assert ("1. " in layer or " .1" in layer) and ("(20" in layer or ")20" in layer)
    assert first_page_png(path, "global-ar-page1").stat().st_size > 1000


def test_footnotes_number_once_per_source():
    notes = pdf.Footnotes()
    first, again, other = notes.mark("ims (2024)"), notes.mark("ims (2024)"), notes.mark("wdi (2026-07)")
    assert 'class="fn"' in first and 'class="fnref">1<' in again and 'class="fn"' in other
    assert pdf.Inline().mark("") == ""


def test_charts_stay_vectors(data):
    page = global_report.render(data, "en", "html")
    assert "<svg" in page and "<img" not in page


def test_bundle_writes_named_files(data, tmp_path):
    written = bundle.write_all(data, tmp_path, languages=("zh",), formats=("html", "pdf"), reports=("dialogue",))
    assert sorted(p.name for p in written) == ["dialogue.zh.html", "dialogue.zh.pdf"]
    assert_scripts(tmp_path / "dialogue.zh.pdf")
