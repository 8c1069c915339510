"""The country registry built from generated annex, WPP and WDI frames."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from migdev import countries
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
    annex = pd.DataFrame({"iso3": ["AAA", None], "m49": [1, 901], "name": ["A", "Dev"], "is_country": [True, False],
                          "location_type": ["Country/Area", "Development group"], "in_901": ["True", "False"]})
    for col in ("sdg_region", "sdg_subregion", "subregion", "geographic_region", "wb_income_group_2020"):
        annex[col] = None
    locs = pd.DataFrame({"iso3": pd.Series([], dtype=str), "m49": [], "name": [], "reg_name": [], "is_country": []})
    econ = pd.DataFrame({"iso3": pd.Series([], dtype=str), "name": [], "region": [], "income_group": [],
                         "lending_type": [], "is_aggregate": pd.Series([], dtype=bool)})
    reg = countries.build(annex, locs.astype({"is_country": bool}), econ)
    pairs = set(map(tuple, reg.area_group_member.to_numpy()))
    assert ("m49:901", "AAA") in pairs  # membership from the annex's in_<code> flags
    assert reg.country["iso3"].tolist() == ["AAA", "XXX"]


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
