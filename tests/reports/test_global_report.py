"""The global report on the small generated database: every language renders (lang, dir, valid HTML, no network),
and every key message in it is traced to its declared query (re-run here, figures formatted and found)."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from migdev import query
from migdev.errors import QueryError
from migdev.reports import global_report, messages, world
from migdev.reports.lang import translator_for
from migdev.vocab import LANGUAGES
from tests.reports.pages import network_references, parse_strict


@pytest.fixture(scope="module")
def data(small_db: Path):
    return world.load(small_db)


def message_texts(page: str) -> dict[str, str]:
    """The text of each key message of a page, by id (tags removed, footnote calls and source spans too)."""
    out = {}
    for mid, body in re.findall(r'<li id="msg-[^"]+" data-message="([^"]+)">(.*?)</li>', page, re.S):
        body = re.sub(r'<span class="(?:src|fn)">.*?</span>|<sup class="fnref">.*?</sup>', "", body)
        out[mid] = re.sub(r"<[^>]+>", "", body).replace("&#39;", "'").replace("&amp;", "&").strip()
    return out


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_renders(data, lang):
    page = global_report.render(data, lang, "html")
    assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in page
    parse_strict(page)
    assert network_references(page) == []
    for section in ("key-messages", "stocks", "flows", "remittances", "costs", "refugees", "skilled", "governance",
                    "sources"):
        assert f'id="{section}"' in page


def trace(db, page: str, lang: str) -> int:
    """Re-run each key message's declared query and find its formatted figures in the page's sentence."""
    t = translator_for(lang)
    found = message_texts(page)
    traced = 0
    for m in messages.MESSAGES:
        options = {k: v for k, v in m.filters.items() if k == "by"}
        try:
            answer = query.run(m.query, db, **options, **{k: v for k, v in m.filters.items() if k != "by"})
        except QueryError:
            assert m.id not in found
            continue
        values = m.pick(answer.frame)
        if values is None:
            assert m.id not in found, m.id
            continue
        text = found[m.id]
        formatted = {k: messages.format_value(t, v, m.units[k]) for k, v in values.items()}
        assert text == t.gettext(m.sentence) % formatted, m.id
        for v in formatted.values():
            assert v in text
        traced += 1
    return traced


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_key_messages_trace_to_their_queries(data, small_db, lang):
    page = global_report.render(data, lang, "html")
    assert trace(small_db, page, lang) >= 3


def test_the_stock_message_equals_the_table(small_db, data):
    """Independent of the query path: the world's migrant stock in the sentence is the indicator table's row."""
    with duckdb.connect(str(small_db), read_only=True) as con:
        year, value = con.execute("SELECT year, value FROM indicator WHERE iso3 = 'm49:900' AND sex = 'total' AND "
                                  "indicator = 'stock_immigrants' ORDER BY year DESC LIMIT 1").fetchone()
    filled = {f.message.id: f for f in data.messages}["stock_world"]
    assert (filled.values["value"], filled.values["year"]) == (value, year)
    assert translator_for("en").number(value) in filled.sentence(translator_for("en"))


def test_every_message_declares_its_query():
    for m in messages.MESSAGES:
        assert m.query in query.QUERIES, m.id
        assert set(re.findall(r"%\((\w+)\)s", m.sentence)) == set(m.units), m.id


def test_bad_format_and_language_are_query_errors(data):
    with pytest.raises(QueryError, match="unknown report format"):
        global_report.render(data, "en", "docx")
    with pytest.raises(QueryError, match="unknown language"):
        global_report.render(data, "xx", "html")
