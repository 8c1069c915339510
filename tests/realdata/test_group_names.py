"""Every group of the real build has its name in the six UN languages: translated (no English left in Arabic,
Chinese or Russian), resolvable in every language, and shown in the profiles' language."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from migdev.places import Places, normalise
from migdev.reports import open_profiles
from migdev.vocab import LANGUAGES

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def groups(real_db: Path) -> pd.DataFrame:
    with duckdb.connect(str(real_db), read_only=True) as con:
        return con.execute("SELECT * FROM area_group ORDER BY group_id").df().set_index("group_id", drop=False)


@pytest.fixture(scope="module")
def places(real_db: Path) -> Places:
    with duckdb.connect(str(real_db), read_only=True) as con:
        return Places.load(con)


def test_every_group_has_six_names(groups: pd.DataFrame) -> None:
    assert len(groups) >= 144
    for lang in LANGUAGES:
        column = groups[f"name_{lang}"]
        assert column.notna().all() and (column.str.strip().str.len() > 0).all(), lang
    for lang in ("ar", "zh", "ru"):  # Latin letters here would be an English name left untranslated
        latin = groups.loc[groups[f"name_{lang}"].str.contains(r"[A-Za-z]"), ["group_id", f"name_{lang}"]]
        assert latin.empty, latin.to_dict("records")
        assert not (groups[f"name_{lang}"] == groups["name_en"]).any(), lang
    # English is the publisher's name, with IMS capitals as a name
    assert groups.at["m49:903", "name"] == "AFRICA" and groups.at["m49:903", "name_en"] == "Africa"
    assert (groups["name_en"] == groups["name"].str.rstrip("*").str.strip()).sum() >= 130


@pytest.mark.parametrize("gid, lang, name", [
    ("m49:910", "fr", "Afrique orientale"), ("m49:910", "es", "África Oriental"), ("m49:910", "ru", "Восточная Африка"),
    ("m49:910", "zh", "东部非洲"), ("m49:910", "ar", "شرق أفريقيا"), ("m49:947", "fr", "Afrique subsaharienne"),
    ("m49:947", "zh", "撒哈拉以南非洲"), ("m49:941", "es", "Países menos adelantados"),
    ("m49:1637", "ru", "Малые островные развивающиеся государства (МОСРГ)"),
    ("wb:SSF", "es", "África al sur del Sahara"),
    ("wb:LMC", "fr", "Revenu intermédiaire, tranche inférieure"), ("wb:OED", "ru", "Члены ОЭСР"),
])
def test_official_names(groups: pd.DataFrame, gid: str, lang: str, name: str) -> None:
    assert groups.at[gid, f"name_{lang}"] == name


@pytest.mark.parametrize("text, code", [
    ("Afrique subsaharienne", "m49:947"), ("撒哈拉以南非洲", "m49:947"), ("Африка к югу от Сахары", "m49:947"),
    ("África Oriental", "m49:910"), ("شرق أفريقيا", "m49:910"), ("Pays les moins avancés", "m49:941"),
    ("Asie de l'Est et Pacifique", "wb:EAS"), ("Monde", "WLD"), ("Afrique", "m49:903"),
])
def test_group_names_resolve(places: Places, text: str, code: str) -> None:
    assert places.resolve(text).code == code


def test_every_group_name_resolves_to_a_group_of_that_name(places: Places, groups: pd.DataFrame) -> None:
    """A name may be shared ("Europe" is 908 and 917; UN "Asia Meridional" and World Bank "Asia meridional" are one
    name to :func:`normalise`), but it always leads to a group that has it (or to a country: "Micronesia")."""
    for lang in LANGUAGES:
        by_name = groups.groupby(groups[f"name_{lang}"].map(normalise))["group_id"].agg(set)
        for name, ids in by_name.items():
            code = places.resolve(name).code
            assert code in ids or (code == "WLD" and ids & {"m49:900", "wb:WLD"}) or code in places.country.index, \
                (lang, name, code)


def test_profiles_name_groups_in_their_language(real_db: Path) -> None:
    profiles = open_profiles(real_db)
    assert profiles.build("m49:900", "fr")["name"] == "Monde"
    assert profiles.build("m49:947", "zh")["name"] == "撒哈拉以南非洲"
    kenya = {g["id"]: g["name"] for g in profiles.build("KEN", "fr")["groups"]}
    assert kenya["m49:910"] == "Afrique orientale" and kenya["m49:947"] == "Afrique subsaharienne"
    page = profiles.render(profiles.build("KEN", "ru"), "html")
    assert "Восточная Африка" in page and "Eastern Africa" not in page
