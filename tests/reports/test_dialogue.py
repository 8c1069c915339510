"""The High-level Dialogue pack on the small generated database: six languages, one sheet per entity held, the
annex, one region on request, and a clear error for an unknown region."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from migdev.cli import app
from migdev.errors import QueryError
from migdev.reports import dialogue, world
from migdev.vocab import LANGUAGES
from tests.reports.pages import network_references, parse_strict


@pytest.fixture(scope="module")
def data(small_db: Path):
    return world.load(small_db)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_renders(data, lang):
    page = dialogue.render(data, lang, "html")
    assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in page
    parse_strict(page)
    assert network_references(page) == []
    assert page.count('<section class="sheet" id="sheet-') == len(data.keys) >= 1
    assert 'id="annex"' in page


def test_one_region_and_unknown_region(data):
    key = data.keys[-1]
    page = dialogue.render(data, "en", "html", region=key)
    assert page.count('<section class="sheet" id="sheet-') == 1
    with pytest.raises(QueryError, match="unknown region"):
        dialogue.render(data, "en", "html", region="m49:999999")


def test_cli_writes_every_report(small_db, tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["report", "dialogue", "--lang", "ru", "--db", str(small_db),
                                 "--out", str(tmp_path / "d.html")])
    assert result.exit_code == 0, result.output
    assert '<html lang="ru"' in (tmp_path / "d.html").read_text(encoding="utf-8")
    result = runner.invoke(app, ["report", "global", "--lang", "xx", "--db", str(small_db)])
    assert result.exit_code == 2 and "'xx' is not one of" in " ".join(result.output.split())
