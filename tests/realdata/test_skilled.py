"""The IAB brain-drain files of the mirror: every code maps, and the published figures come out of the parsers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from migdev.harmonise import Harmoniser
from migdev.sources import skilled
from tests.sources.contract import _Log

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def frames(mirror: Path) -> dict[str, pd.DataFrame]:
    return {f.id: skilled.parse(mirror / f.path) for f in skilled.RELEASES.built}


@pytest.fixture(scope="module")
def stored(frames, real_places) -> tuple[dict[str, pd.DataFrame], _Log]:
    log = _Log()
    return skilled.to_store(frames, Harmoniser(real_places, log)), log


def _rate(rates: pd.DataFrame, origin: str, year: int, education: str, sex: str = "total") -> float:
    row = rates[(rates.origin == origin) & (rates.year == year) & (rates.education == education) & (rates.sex == sex)]
    assert len(row) == 1, (origin, year, education, sex)
    return float(row["rate"].iloc[0])


def test_guyana_high_skill_rate_2010(stored) -> None:
    assert _rate(stored[0]["skilled_emigration"], "GUY", 2010, "high") == pytest.approx(0.995, abs=0.001)


def test_every_code_maps(stored) -> None:
    tables, log = stored
    assert not log.unmatched, pd.concat(log.unmatched).to_string()
    rates = tables["skilled_emigration"]
    assert rates["origin"].nunique() == 195  # 196 IAB origins less the world aggregate
    assert {"ROU", "COD", "TLS", "ARE", "PSE", "SGP", "AND", "NRU", "SCG"} <= set(rates["origin"])
    assert not {"ROM", "ZAR", "TMP", "SRB&MNE", "WLD"} & set(rates["origin"])
    stock = tables["skilled_stock"]
    assert stock["destination"].nunique() == 20 and stock["origin"].nunique() == 196  # with XXX for 'Unknown'


def test_guinea_and_guinea_bissau_codes_corrected(stored) -> None:
    """The .dta swaps GIN and GNB; after correction Guinea-Bissau has the higher rates, and its emigrants are
    mostly in Portugal."""
    tables, log = stored
    rates = tables["skilled_emigration"]
    assert _rate(rates, "GNB", 2010, "high") == pytest.approx(0.213, abs=0.001)
    assert _rate(rates, "GIN", 2010, "high") == pytest.approx(0.101, abs=0.001)
    stock = tables["skilled_stock"]
    top = stock[(stock.sex == "total") & (stock.year == 2010)].sort_values("persons").groupby("origin").last()
    assert top.at["GNB", "destination"] == "PRT" and top.at["GIN", "destination"] == "FRA"
    assert sum("corrected to" in m for _, m in log.lines) == 2


def test_rates_are_fractions_and_complete(stored) -> None:
    rates = stored[0]["skilled_emigration"]
    assert len(rates) == 195 * 7 * 3 * 4
    assert rates["rate"].between(0, 1).all()
    top = rates[(rates.year == 2010) & (rates.sex == "total") & (rates.education == "high")]
    assert list(top.nlargest(3, "rate")["origin"]) == ["GUY", "BRB", "ATG"]


def test_implausible_rates_of_one_are_kept_and_flagged(stored) -> None:
    tables, log = stored
    rates = tables["skilled_emigration"]
    flagged = rates[rates["flag"].notna()]
    assert sorted(zip(flagged.origin, flagged.sex, flagged.year, flagged.education, strict=True)) == [
        ("LSO", "female", 1980, "high"), ("PNG", "female", 1980, "high")]
    assert (flagged["rate"] == 1.0).all() and (rates.loc[rates["flag"].isna(), "rate"] < 1.0).all()
    assert sum("flagged rate_is_one" in m for _, m in log.lines) == 2


def test_world_rates_are_group_values(stored) -> None:
    world = stored[0]["area_group_value"]
    assert set(world["group_id"]) == {"wb:WLD"}
    value = world.set_index(["year", "sex", "measure"])["value"]
    assert value[(2010, "total", "skilled_emigration_rate_high")] == pytest.approx(0.053, abs=0.0005)
    assert value[(2010, "total", "skilled_emigration_rate_total")] == pytest.approx(0.019, abs=0.0005)


def test_rates_match_the_tidy_copy(frames, mirror: Path) -> None:
    """The mirror's tidy csv renders the same .dta (printed to 6 significant digits): the parse agrees with it."""
    tidy = pd.read_csv(mirror / "skilled/iab_emigration_rates_by_education_1980_2010.csv")
    parsed = frames["iab2013_emigration_rates"]
    both = parsed.merge(tidy, left_on=["origin_code", "sex", "year"],
                        right_on=["origin_code_iab", "gender", "year"], validate="1:1")
    assert len(both) == len(parsed) == len(tidy) == 4116
    for mine, theirs in (("total", "tot_rate"), ("low", "low_rate"), ("medium", "med_rate"), ("high", "high_rate")):
        assert np.allclose(both[mine], both[theirs], rtol=1e-5, atol=1e-9), mine


def test_stocks_match_the_tidy_copy_and_published_totals(stored, mirror: Path) -> None:
    stock = stored[0]["skilled_stock"]
    assert len(stock) == 82_320
    tidy = pd.read_csv(mirror / "skilled/iab_migrant_stocks_20_oecd_destinations_by_sex_1980_2010.csv",
                       keep_default_na=False, na_values=[""])
    # the tidy copy leaves 'Unknown' blank and writes Serbia and Montenegro's name where its code belongs
    tidy["origin"] = tidy["origin_iso3"].fillna("XXX").replace({"Serbia and Montenegro": "SCG"})
    both = stock.merge(tidy, left_on=["destination", "year", "origin", "sex"],
                       right_on=["destination_iso3", "year", "origin", "sex"], validate="1:1")
    assert len(both) == len(stock) and (both["persons"] == both["migrants"]).all()
    mex_usa = stock[(stock.origin == "MEX") & (stock.destination == "USA") & (stock.sex == "total")]
    assert mex_usa.set_index("year")["persons"][2010] == 11_468_807
    known = stock[(stock.origin != "XXX") & (stock.sex == "total")].groupby("year")["persons"].sum()
    assert round(known[1980] / 1e6, 1) == 35.8 and round(known[2010] / 1e6, 1) == 87.5
    assert set(stock.loc[stock.origin_basis == "citizenship", "destination"]) == {"DEU"}


def test_male_plus_female_is_total(stored) -> None:
    stock = stored[0]["skilled_stock"]
    wide = stock.pivot_table(index=["year", "origin", "destination"], columns="sex", values="persons",
                             aggfunc="sum")
    assert ((wide["male"] + wide["female"]) == wide["total"]).all()
