"""Places people type: codes, names in six languages, aliases and groups resolve alike, ignoring case and accents;
text that matches nothing gets ranked suggestions."""

from __future__ import annotations

import pandas as pd
import pytest

from migdev.errors import QueryError
from migdev.places import ALIASES, CLASSIFICATIONS, Places, normalise


@pytest.fixture(scope="module")
def places(fixture_places) -> Places:
    return Places(fixture_places.country, fixture_places.area_group, fixture_places.area_group_member)


@pytest.mark.parametrize("text, code", [
    ("MEX", "MEX"), ("mex", "MEX"), ("Mexico", "MEX"), ("MEXICO", "MEX"), ("Mexique", "MEX"), ("484", "MEX"),
    ("MX", "MEX"), ("Мексика", "MEX"), ("墨西哥", "MEX"), ("US", "USA"), ("United States", "USA"), ("America", "USA"),
    ("  the United States  ", "USA"), ("WLD", "WLD"), ("world", "WLD"), ("m49:908", "m49:908"),
    ("Latin America and the Caribbean", "m49:904"), ("Europe", "m49:908"), ("HIGH INCOME", "wb:HIC"),
])
def test_resolves(places: Places, text: str, code: str) -> None:
    assert places.resolve(text).code == code


def test_a_name_shared_by_groups_goes_to_the_geographic_region(places: Places) -> None:
    # "Europe" is the IMS geographic region 908 and the SDG subregion 917
    assert places.resolve("europe").kind == "Geographic region"
    assert places.resolve("m49:917").kind == "SDG subregion"


def test_normalise() -> None:
    assert normalise("Côte d’Ivoire") == normalise("cote d'ivoire") == "cote d ivoire"
    assert normalise("Bosnia & Herzegovina") == "bosnia and herzegovina"
    assert normalise("The Gambia") == "gambia"


def test_unknown_text_is_refused_with_ranked_suggestions(places: Places) -> None:
    assert places.suggest("Mexco")[0].code == "MEX"
    assert places.suggest("Unted States")[0].code == "USA"
    assert places.suggest("Fran")[0].code == "FRA"  # a prefix ranks first
    with pytest.raises(QueryError, match=r"unknown origin code 'Mexco' .*did you mean MEX \(Mexico\)"):
        places.resolve("Mexco", "origin")
    assert places.suggest("") == []


def test_groups_expand_to_members(places: Places) -> None:
    codes, found = places.expand(["Europe", "Mexico"], "destination")
    assert set(codes) == {"FRA", "CHI", "MEX"} and [p.kind for p in found] == ["Geographic region", "country"]
    everything, _ = places.expand(["MEX", "WLD"])
    assert everything is None  # WLD lifts the filter
    assert set(places.place("wb:HIC").members) == {"CHI", "FRA", "USA"}  # World Bank income group by name


def test_classify_and_names(places: Places) -> None:
    codes = pd.Series(["MEX", "FRA", "XXX"])
    assert places.classify(codes, "region").tolist()[:2] == ["m49:904", "m49:908"]
    assert pd.isna(places.classify(codes, "region").iloc[2])
    assert places.classify(pd.Series(["USA"]), "income").tolist() == ["wb:HIC"]
    assert places.names(pd.Series(["MEX", "m49:908", "WLD"]), "es").tolist() == ["México", "Europa", "Mundo"]
    assert places.names(pd.Series(["m49:908", "WLD"]), "en").tolist() == ["Europe", "World"]
    with pytest.raises(QueryError, match="unknown grouping"):
        places.classify(codes, "continent")
    assert set(CLASSIFICATIONS) == {"region", "subregion", "sdg_region", "wb_region", "income"}


def test_aliases_point_at_iso3_codes() -> None:
    assert ALIASES["UK"] == "GBR" and ALIASES["Türkiye"] == "TUR" and ALIASES["DR Congo"] == "COD"
    assert all(len(v) == 3 and v.isupper() for v in ALIASES.values())


@pytest.mark.parametrize("lang, names", [
    ("fr", ["Afrique septentrionale", "Europe et Amérique du Nord", "Revenu élevé", "Monde"]),
    ("es", ["África Septentrional", "Europa y América del Norte", "Ingreso alto", "Mundo"]),
    ("ru", ["Северная Африка", "Европа и Северная Америка", "Высокий уровень дохода", "Мир"]),
    ("zh", ["北部非洲", "欧洲和北美洲", "高收入国家", "世界"]),
    ("ar", ["شمال أفريقيا", "أوروبا وأمريكا الشمالية", "الدخل المرتفع", "العالم"]),
    ("en", ["Northern Africa", "Europe and Northern America", "High income", "World"]),
])
def test_group_names_in_every_language(places: Places, lang: str, names: list[str]) -> None:
    assert places.names(pd.Series(["m49:912", "m49:1829", "wb:HIC", "WLD"]), lang).tolist() == names


@pytest.mark.parametrize("text, code", [
    ("Afrique septentrionale", "m49:912"), ("afrique septentrionale", "m49:912"), ("北部非洲", "m49:912"),
    ("Европа и Северная Америка", "m49:1829"), ("شمال أفريقيا", "m49:912"), ("America Latina y el Caribe", "m49:904"),
    ("Amérique latine et Caraïbes", "m49:904"), ("Revenu élevé", "wb:HIC"), ("高收入国家", "wb:HIC"),
    ("Pays à revenu élevé", "m49:1503"), ("Monde", "WLD"), ("世界", "WLD"), ("العالم", "WLD"),
    ("Europa", "m49:908"), ("Europe occidentale", "m49:926"), ("南亚", "m49:5501"),
])
def test_group_names_resolve_in_every_language(places: Places, text: str, code: str) -> None:
    place = places.resolve(text)
    assert place.code == code
    if code != "WLD":
        assert place.name == places.names(pd.Series([code]), "en").iloc[0]  # a Place's name stays English


def test_group_names_are_suggested_in_every_language(places: Places) -> None:
    assert places.suggest("Afrique sept")[0].code == "m49:912"
    assert places.suggest("Europe occidental")[0].code == "m49:926"
