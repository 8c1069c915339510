"""The six catalogues against the message ids extracted from the source tree (Babel, the same babel.cfg).

A failure names the ids and languages, and the fix is ``python -m migdev.i18n.catalogue update`` then a
translation pass (``todo`` / ``fill``)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from migdev.i18n import AVAILABLE, catalogue, catalogue_path, labels, translator
from migdev.places import KIND_RANK
from migdev.vocab import LANGUAGES


@pytest.fixture(scope="module")
def pot():
    return catalogue.template()


def test_extraction_sees_python_and_templates(pot):
    where = {loc for m in pot for loc, _ in m.locations}
    assert any(w.endswith(".py") for w in where) and any(w.endswith(".j2") for w in where)
    ids = {catalogue._key(m) for m in pot if m.id}
    assert {"Emigration", "not available", "Requires further progress", "SDG region"} <= ids  # _(), N_()


def test_six_catalogues_complete(pot):
    assert set(AVAILABLE) == set(LANGUAGES)
    failures = {lang: catalogue.problems(lang, pot) for lang in LANGUAGES}
    failures = {lang: kinds for lang, kinds in failures.items() if kinds}
    assert not failures, "\n" + catalogue.report() + "\nrun: python -m migdev.i18n.catalogue update, then todo/fill"


def test_placeholders_equal_in_every_language(pot):
    for lang in LANGUAGES:
        with catalogue_path(lang).open("rb") as fh:
            for m in read_po(fh, locale=lang):
                if m.id and m.string:
                    assert catalogue.placeholders(m.string) == catalogue.placeholders(m.id), (lang, m.id, m.string)


def test_compiled_catalogue_translates_every_id(pot):
    """What runs (the in-memory compiled catalogue) gives each id its reviewed msgstr, in every language."""
    for lang in LANGUAGES:
        t = translator(lang)
        held = {catalogue._key(m): m.string for m in catalogue.load(lang) if m.id}
        for m in pot:
            if m.id:
                assert t.gettext(m.id) == held[m.id], (lang, m.id)


def test_every_group_kind_has_a_label():
    assert set(KIND_RANK) - {"country"} == set(labels.GROUP_KINDS)


def test_check_names_missing_and_obsolete_ids(tmp_path, monkeypatch, pot):
    """A new id, an emptied translation and a stale entry are each reported by id and language; update adds the
    new id empty, drops the stale one; fill refuses a broken placeholder and then writes a good one."""
    import migdev.i18n as i18n

    locales = tmp_path / "locales"
    shutil.copytree(i18n.LOCALES_DIR, locales)
    monkeypatch.setattr(i18n, "LOCALES_DIR", locales)
    fr = catalogue.load("fr")
    fr.add("A stale message", "Un message périmé")
    fr.delete("Emigration")
    fr["Refugees"].string = ""
    catalogue.save(fr, "fr")
    found = catalogue.problems("fr", pot)
    assert found == {"missing": ["Emigration"], "obsolete": ["A stale message"], "empty": ["Refugees"]}
    assert "fr: 1 missing: 'Emigration'" in catalogue.report(["fr"])

    counts = catalogue.update(["fr"])
    assert counts["fr"]["added"] == 1 and counts["fr"]["removed"] == 1 and counts["fr"]["todo"] == 2
    assert set(catalogue.problems("fr", pot)) <= {"empty", "fuzzy"}
    todo = catalogue.todo(["fr"])
    assert {e["msgid"] for e in todo} == {"Emigration", "Refugees"}

    bad = [{"msgid": "Data loaded on %(date)s.", "translations": {"fr": "Données chargées le %(jour)s."}}]
    with pytest.raises(ValueError, match=r"placeholders \['%\(jour\)s'\] differ"):
        catalogue.fill(bad)
    for e in todo:
        e["translations"]["fr"] = {"Emigration": "Émigration", "Refugees": "Réfugiés"}[e["msgid"]]
    (tmp_path / "todo.json").write_text(json.dumps(todo), encoding="utf-8")
    assert catalogue.main(["fill", str(tmp_path / "todo.json")]) == 0
    assert catalogue.problems("fr", pot) == {}
    assert catalogue.main(["check"]) == 0


def test_update_is_stable(tmp_path, monkeypatch):
    """On an unchanged tree, update rewrites each catalogue byte for byte (no churn in review)."""
    import migdev.i18n as i18n

    tree = Path(i18n.__file__).with_name("locales")
    locales = tmp_path / "locales"
    shutil.copytree(tree, locales)
    monkeypatch.setattr(i18n, "LOCALES_DIR", locales)
    catalogue.update()
    for lang in LANGUAGES:
        rel = catalogue_path(lang).relative_to(locales)
        assert (locales / rel).read_bytes() == (tree / rel).read_bytes(), lang


@pytest.mark.parametrize("lang", LANGUAGES)
def test_numbers_typed_in_translations_follow_the_locale(lang):
    """A figure written into a translation ("per 1,000 population") is shown as is: it must be in the locale's
    format as Babel writes it (French U+202F groups, Arabic "1,000" not "000 1"), like every formatted number."""
    from tests.i18n.page_checks import Visible, raw_numbers

    raw = []
    for m in catalogue.load(lang):
        strings = m.string if isinstance(m.string, tuple | list) else (m.string,)
        if m.id and not m.fuzzy:
            raw += [(m.id, n) for s in strings if s
                    for n, _block in raw_numbers(Visible([" ".join(catalogue.PLACEHOLDER.split(s))]), lang)]
    assert not raw, f"{lang}: numbers not in the {lang} format in translations: {raw}"
