"""Policy product on the real mirror: SDG 10.7.2 reproduced from the country ratings, and the published figures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from migdev.harmonise import Harmoniser
from migdev.sources import policy
from migdev.sources.policy_sdg import AGGREGATE_ALIASES, sdg_10_7_2_share
from tests.sources.contract import _Log

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def frames(mirror: Path) -> dict[str, pd.DataFrame]:
    return {f.id: policy.parse(mirror / f.path) for f in policy.RELEASES.built}


@pytest.fixture(scope="module")
def stored(frames, real_places) -> tuple[dict[str, pd.DataFrame], _Log]:
    log = _Log()
    return policy.to_store(frames, Harmoniser(real_places, log)), log


def test_every_code_is_a_country_or_said(stored) -> None:
    log = stored[1]
    assert log.unmatched == []
    said = [m for _, m in log.lines if "'Not applicable'" in m]
    assert len(said) == 1 and "77 rows of 11 territories" in said[0]
    for code in ("248 Åland Islands", "612 Pitcairn", "744 Svalbard and Jan Mayen Islands"):
        assert code in said[0]


def test_sdg_10_7_2_world_shares_reproduced(stored) -> None:
    ratings = stored[0]["policy_rating"]
    share_2021, n_2021 = sdg_10_7_2_share(ratings, 2021)
    share_2019, n_2019 = sdg_10_7_2_share(ratings, 2019)
    assert (round(100 * share_2021, 1), n_2021) == (62.3, 138)
    assert (round(100 * share_2019, 1), n_2019) == (54.1, 111)
    both = ratings[ratings.rating.notna() & (ratings.domain == "overall")].groupby("iso3")["year"].nunique()
    assert (both == 2).sum() == 62  # answered both rounds
    assert ratings[ratings.domain == "overall"].groupby("year")["applicable"].sum().to_dict() == {2019: 111, 2021: 89}


def test_every_published_domain_share_reproduced(stored, mirror: Path) -> None:
    ratings, groups = stored[0]["policy_rating"], stored[0]["area_group_value"]
    world = groups[(groups.group_id == "m49:900") & groups.measure.str.startswith("sg_cpa_migrp:")]
    assert len(world) == 14
    for row in world.itertuples():
        share, _ = sdg_10_7_2_share(ratings, row.year, row.measure.removeprefix("sg_cpa_migrp:"))
        assert share == pytest.approx(row.value, abs=0.0005), row
    # the tidy rendering says the same, domain by domain (codes 0-6 in the order of policy_sdg.DOMAINS)
    tidy = pd.read_csv(mirror / "policy/sdg_10_7/sdg_10_7_2_published_shares.csv")
    tidy = tidy[tidy.m49 == 1]
    domains = list(policy.DOMAINS.values())
    for row in tidy.itertuples():
        share, _ = sdg_10_7_2_share(ratings, row.year, domains[row.domain_code])
        assert 100 * share == pytest.approx(row.percent_meets_or_fully_meets, abs=0.05), row


def test_sdg_region_shares_reproduced(stored, real_places) -> None:
    ratings, groups = stored[0]["policy_rating"], stored[0]["area_group_value"]
    members = real_places.area_group_member
    regions = [f"m49:{AGGREGATE_ALIASES[c]}" for c in ("202", "747", "62", "753", "419", "543", "53", "513")]
    checked = 0
    for group_id in regions:
        iso3 = set(members.loc[members.group_id == group_id, "iso3"])
        published = groups[(groups.group_id == group_id) & (groups.measure == "sg_cpa_migrp:overall")]
        for row in published.itertuples():
            share, n = sdg_10_7_2_share(ratings[ratings.iso3.isin(iso3)], row.year)
            assert share == pytest.approx(row.value, abs=0.0005), (group_id, row.year, n)
            checked += 1
    assert checked == 16


def test_sdg_10_7_3_countries_add_to_world(stored) -> None:
    deaths, groups = stored[0]["migrant_deaths"], stored[0]["area_group_value"]
    sdg = deaths[deaths.source_id == "sdg2023_sm_dth_migr"].groupby("year")["dead_and_missing"].sum()
    world = groups[(groups.group_id == "m49:900") & (groups.measure == "sm_dth_migr")].set_index("year")["value"]
    assert world.astype(int).to_dict() == {2014: 5318, 2015: 6749, 2016: 8084, 2017: 6286, 2018: 5006, 2019: 5418,
                                           2020: 4300, 2021: 6069, 2022: 5935}
    assert (sdg[sdg.index <= 2021] == world[world.index <= 2021].astype(int)).all()
    assert (sdg[2022], int(world[2022])) == (5808, 5935)
    assert deaths[deaths.source_id == "sdg2023_sm_dth_migr"].iso3.nunique() == 137


def test_iom_incidents_and_country_years(stored, frames, mirror: Path) -> None:
    inc = stored[0]["migrant_incident"]
    assert len(inc) == 19_255 and inc.record_id.is_unique and inc.year.isna().sum() == 13
    by_year = inc.groupby("year")["dead_and_missing"].sum()  # the 13 undated records (13 dead) in no year
    assert by_year.to_dict() == {2014: 5441, 2015: 6961, 2016: 8249, 2017: 6400, 2018: 5016, 2019: 5430,
                                 2020: 4314, 2021: 6276, 2022: 7205, 2023: 8747, 2024: 9002, 2025: 1322}
    assert inc.dead_and_missing.sum() == 74_376 and inc.loc[inc.year.isna(), "dead_and_missing"].sum() == 13
    assert inc.iso3.nunique() == 148
    assert inc.origin_iso3.notna().sum() == 10_575
    dated = inc[inc.year.notna()].groupby(["iso3", "year"])["dead_and_missing"].sum()
    cy = stored[0]["migrant_deaths"]
    cy = cy[cy.source_id == "mmp2025_country_year"].set_index(["iso3", "year"])["dead_and_missing"]
    assert len(cy) == 798 and cy.sort_index().equals(dated.sort_index().astype(cy.dtype))
    top = inc.groupby("iso3")["dead_and_missing"].sum().nlargest(3)
    assert top.to_dict() == {"LBY": 21_224, "USA": 5_625, "IRN": 4_413}


def test_mipex_2019_published_ranking(stored) -> None:
    index = stored[0]["policy_index"]
    mipex = index[(index["index"] == "mipex") & (index.dimension == "overall") & (index.year == 2019)]
    scores = mipex.set_index("iso3")["value"].round().astype(int)
    assert len(scores) == 56 and set(index.loc[index["index"] == "mipex", "year"]) == set(range(2007, 2020))
    expected = {"SWE": 86, "FIN": 85, "PRT": 81, "CAN": 80, "NZL": 77, "USA": 73, "DEU": 58, "GBR": 56, "FRA": 56,
                "JPN": 47, "CHN": 32, "IND": 24, "SAU": 10}
    assert {k: scores[k] for k in expected} == expected and scores.idxmin() == "SAU"
    eu = index[index["index"] == "mipex_eu_update"]
    assert eu.iso3.nunique() == 28 and eu.year.min() == 2020  # a separate series, not spliced


def test_impic_mean_overall(stored) -> None:
    index = stored[0]["policy_index"]
    impic = index[(index["index"] == "impic") & (index.dimension == "overall")]
    assert impic.iso3.nunique() == 33 and len(impic) == 33 * 31
    means = impic.groupby("year")["value"].mean().round(3)
    assert (means[1980], means[2010]) == (0.506, 0.411)
    scale = stored[0]["policy_index_scale"].set_index("index")
    assert scale.at["impic", "higher_means"] == "more restrictive immigration policy"
