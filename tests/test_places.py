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
    assert places.names(pd.Series(["MEX", "m49:908", "WLD"]), "es").tolist() == ["México", "Europe", "World"]
    with pytest.raises(QueryError, match="unknown grouping"):
        places.classify(codes, "continent")
    assert set(CLASSIFICATIONS) == {"region", "subregion", "sdg_region", "wb_region", "income"}


def test_aliases_point_at_iso3_codes() -> None:
    assert ALIASES["UK"] == "GBR" and ALIASES["Türkiye"] == "TUR" and ALIASES["DR Congo"] == "COD"
    assert all(len(v) == 3 and v.isupper() for v in ALIASES.values())
