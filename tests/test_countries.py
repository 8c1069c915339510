"""The country registry built from generated annex, WPP and WDI frames."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from migdev import countries
from migdev.errors import BuildError
from migdev.sources import undesa_ims, wdi, wpp
from tests.fixtures import official as fx


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> countries.Registry:
    d: Path = tmp_path_factory.mktemp("countries")
    annex = undesa_ims.parse_locations(fx.write_locations(d / "annex.csv"))
    locations = wpp.parse_locations(fx.write_wpp_locations(d / "wpp.csv"))
    economies = wdi.parse_countries(fx.write_wdi_countries(d / "wdi.csv"))
    return countries.build(annex, locations, economies)


def test_iso3_unique_and_complete(places: countries.Registry) -> None:
    c = places.country
    assert c["iso3"].is_unique
    assert sorted(c["iso3"]) == ["CHI", "FRA", "GGY", "IND", "JEY", "MEX", "PSE", "USA", "XKX", "XXX"]
    m49 = c.set_index("iso3")["m49"]
    assert pd.isna(m49["PSE"])  # a WDI economy that neither the UN annex nor WPP of the fixtures lists
    assert m49.drop("PSE").to_dict() == {"CHI": 830, "FRA": 250, "GGY": 831, "IND": 356, "JEY": 832,
                                                    "MEX": 484, "USA": 840, "XKX": 412, "XXX": 2003}


def test_six_names_for_every_row(places: countries.Registry) -> None:
    c = places.country.set_index("iso3")
    for lang in countries.LANGUAGES:
        assert c[f"name_{lang}"].notna().all(), lang
        assert (c[f"name_{lang}"].str.len() > 0).all(), lang
    assert c.at["USA", "name_en"] == "United States of America"  # the UN's own English name
    assert c.at["FRA", "name_en"] == "France"  # footnote asterisk removed
    assert c.at["FRA", "name_fr"] == "France" and c.at["MEX", "name_es"] == "México"
    assert c.at["IND", "name_zh"] == "印度" and c.at["USA", "name_ru"] == "Соединенные Штаты"
    assert c.at["XKX", "name_ar"] == countries.names("XKX")["name_ar"] and c.at["XKX", "name_en"].startswith("Kosovo")
    assert c.at["CHI", "name_zh"] == "海峡群岛" and c.at["XXX", "name_en"] == "Other (unspecified origin)"


def test_documented_codes(places: countries.Registry) -> None:
    c = places.country.set_index("iso3")
    for code in ("CHI", "XKX", "XXX"):
        assert c.at[code, "code_note"] == countries.DOCUMENTED_CODES[code]
    assert c.loc[["USA", "MEX", "IND", "FRA", "GGY"], "code_note"].isna().all()
    assert c.at["XXX", "in_ims"] and not c.at["XXX", "in_wpp"] and not c.at["XXX", "in_wdi"]
    assert c.at["CHI", "in_ims"] and c.at["CHI", "in_wdi"] and not c.at["CHI", "in_wpp"]


def test_groupings(places: countries.Registry) -> None:
    c = places.country.set_index("iso3")
    assert c.at["USA", "sdg_region"] == "Europe and Northern America"
    assert c.at["USA", "wb_income_group"] == "High income" and c.at["USA", "wb_region"] == "North America"
    assert c.at["IND", "un_income_group_2020"] == "Lower-middle-income"
    # areas the annex lacks take the UN groupings of the area that contains them
    assert c.at["GGY", "sdg_region"] == c.at["CHI", "sdg_region"] == "Europe and Northern America"
    assert pd.isna(c.at["XKX", "sdg_region"])  # Serbia is not in this annex


def test_aggregates_only_in_area_group(places: countries.Registry) -> None:
    groups, country = places.area_group, places.country
    assert groups["group_id"].is_unique
    assert {"m49:900", "m49:1829", "m49:1503", "wb:WLD", "wb:HIC", "m49:917", "m49:918"} <= set(groups["group_id"])
    assert not set(groups["code"]) & set(country["iso3"])
    assert not {900, 1829, 1503, 921} & set(country["m49"].dropna())
    assert not {"WLD", "HIC"} & set(country["iso3"])
    assert groups.set_index("group_id").at["m49:917", "kind"] == "SDG subregion"  # named only in the columns
    members = places.area_group_member
    assert set(members["iso3"]) <= set(country["iso3"])
    assert set(members["group_id"]) <= set(groups["group_id"])
    assert set(members.loc[members.group_id == "m49:1829", "iso3"]) == {"USA", "FRA", "CHI"}
    assert set(members.loc[members.group_id == "m49:900", "iso3"]) == {"USA", "MEX", "IND", "FRA", "CHI"}


def test_members_from_in_columns() -> None:
    reg = countries.build(*_tiny_inputs(901, "Developed regions"))
    pairs = set(map(tuple, reg.area_group_member.to_numpy()))
    assert ("m49:901", "AAA") in pairs  # membership from the annex's in_<code> flags
    assert reg.country["iso3"].tolist() == ["AAA", "XXX"]


def _tiny_inputs(m49: int, name: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """An annex of one country and one group (``m49``, ``name``), no WPP locations, no WDI economies."""
    annex = pd.DataFrame({"iso3": ["AAA", None], "m49": [1, m49], "name": ["A", name], "is_country": [True, False],
                          "location_type": ["Country/Area", "Development group"], f"in_{m49}": ["True", "False"],
                          "in_901": ["True", "False"]})
    for col in ("sdg_region", "sdg_subregion", "subregion", "geographic_region", "wb_income_group_2020"):
        annex[col] = None
    locs = pd.DataFrame({"iso3": pd.Series([], dtype=str), "m49": [], "name": [], "reg_name": [], "is_country": []})
    econ = pd.DataFrame({"iso3": pd.Series([], dtype=str), "name": [], "region": [], "income_group": [],
                         "lending_type": [], "is_aggregate": pd.Series([], dtype=bool)})
    return annex, locs.astype({"is_country": bool}), econ


def test_groups_have_six_names(places: countries.Registry) -> None:
    g = places.area_group.set_index("group_id")
    for lang in countries.LANGUAGES:
        assert g[f"name_{lang}"].str.strip().str.len().gt(0).all(), lang
    assert g.at["m49:900", "name"] == "WORLD" and g.at["m49:900", "name_en"] == "World"  # IMS capitals as a name
    assert g.at["m49:900", "name_fr"] == "Monde" and g.at["wb:WLD", "name_zh"] == "世界"
    assert g.at["m49:912", "name_fr"] == "Afrique septentrionale" and g.at["m49:912", "name_ar"] == "شمال أفريقيا"
    assert g.at["m49:1829", "name_es"] == "Europa y América del Norte"
    assert g.at["m49:1829", "name_ru"] == "Европа и Северная Америка"
    assert g.at["wb:HIC", "name"] == g.at["wb:HIC", "name_en"] == "High income"  # the key of wb_income_group
    assert g.at["wb:HIC", "name_fr"] == "Revenu élevé" and g.at["m49:1503", "name_fr"] == "Pays à revenu élevé"


def test_a_group_without_translations_fails_the_build() -> None:
    with pytest.raises(BuildError, match=r"m49:1999 \('Newly Invented Region'\): no entry"):
        countries.build(*_tiny_inputs(1999, "Newly Invented Region"))
    with pytest.raises(BuildError, match=r"m49:901: the source now names it 'More developed regions', the "
                                         r"translations are of 'Developed regions'"):
        countries.build(*_tiny_inputs(901, "More developed regions"))  # renamed by its publisher
    groups = pd.DataFrame({"group_id": ["m49:900"], "name": ["WORLD"]})
    with pytest.raises(BuildError, match=r"m49:900 \('World'\): no name in zh, ar"):
        countries.group_names(groups, {"m49:900": {"en": "World", "fr": "Monde", "es": "Mundo", "ru": "Мир",
                                                   "zh": " "}})
    assert countries.group_names(groups)["name_ru"].tolist() == ["Мир"]


def test_the_declared_translations_are_complete_and_translated() -> None:
    """Every entry of group_names.toml: six non-empty names, no stray spaces, and no Latin letter in Arabic, Chinese
    or Russian (one would be an English name left in; the UN writes acronyms in the script: ОЭСР, МОСРГ)."""
    table = countries.group_translations()
    assert len(table) >= 144
    for gid, entry in table.items():
        assert set(entry) == set(countries.LANGUAGES), gid
        for lang, name in entry.items():
            assert name and name == name.strip() and "  " not in name, (gid, lang)
        for lang in ("ar", "zh", "ru"):
            assert not re.search(r"[A-Za-z]", entry[lang]), (gid, lang, entry[lang])
        assert "(" not in entry["zh"] and ":" not in entry["zh"], gid  # full-width brackets and colon
        assert re.search(r"[^ ] :|^[^:]*$", entry["fr"]), gid  # French: a space before a colon


def test_resolve_by_m49_and_iso3(places: countries.Registry) -> None:
    m49 = pd.Series([840, 830, 2003, 999, None, 412], dtype="Int64")
    iso3 = pd.Series(["XXX", None, None, "ZZZ", "MEX", None])
    out = countries.resolve(m49, iso3, places.country)
    assert out.tolist()[:3] == ["USA", "CHI", "XXX"]  # M49 wins over the source's own ISO3
    assert pd.isna(out.iloc[3])  # unknown -> NA
    assert out.iloc[4] == "MEX"  # no M49: the source's ISO3
    assert out.iloc[5] == "XKX"
    by_iso = countries.resolve(None, pd.Series(["USA", "WLD", "CHI"]), places.country)
    assert by_iso.tolist()[0] == "USA" and pd.isna(by_iso.iloc[1]) and by_iso.iloc[2] == "CHI"
    by_m49 = countries.resolve(pd.Series([356, 900]), None, places.country)
    assert by_m49.iloc[0] == "IND" and pd.isna(by_m49.iloc[1])


def test_alpha2_and_names() -> None:
    assert countries.alpha2("FRA") == "FR" and countries.alpha2("XKX") == "XK"
    assert countries.alpha2("JJJ") is None
    assert set(countries.names("JJJ").values()) == {None}
    assert countries.names("FRA", "French Republic")["name_en"] == "French Republic"
