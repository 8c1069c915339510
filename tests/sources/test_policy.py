"""Policy product: SDG 10.7 DDF datapoints, MIPEX, IMPIC and IOM Missing Migrants on generated files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from migdev.harmonise import Harmoniser
from migdev.sources import policy
from migdev.sources.policy_sdg import sdg_10_7_2_share
from tests.fixtures import policy as fx
from tests.sources.contract import SourceContract, _Log
from tests.sources.parse_helpers import expect_error


class TestPolicy(SourceContract):
    product = policy
    fixtures = fx


@pytest.fixture
def written(tmp_path: Path) -> dict[str, Path]:
    return fx.write(tmp_path)


@pytest.fixture
def stored(written: dict[str, Path], fixture_places) -> tuple[dict[str, pd.DataFrame], _Log]:
    log = _Log()
    frames = {sid: policy.parse(path) for sid, path in written.items()}
    return policy.to_store(frames, Harmoniser(fixture_places, log)), log


def test_ratings_keep_not_applicable_as_no_rating(written) -> None:
    df = policy.parse(written["sdg2023_sg_cpa_migrs"])
    assert list(df.columns) == ["m49", "year", "domain", "rating", "applicable"]
    assert set(df["domain"]) == set(policy.DOMAINS.values())
    chi = df[df.m49 == 830]
    assert len(chi) == 7 and chi["rating"].isna().all() and not chi["applicable"].any()
    usa = df[(df.m49 == 840) & (df.year == 2021)].set_index("domain")["rating"]
    assert usa["overall"] == 3 and usa["whole_of_government"] == 3


def test_share_uses_latest_rating_per_government(stored) -> None:
    tables, _ = stored
    ratings = tables["policy_rating"]
    assert sdg_10_7_2_share(ratings, 2019) == pytest.approx((2 / 3, 3))
    assert sdg_10_7_2_share(ratings, 2021) == (0.75, 4)  # MEX counts with its 2019 rating
    only_2021 = ratings[ratings.year == 2021]
    assert sdg_10_7_2_share(only_2021, 2021) == (2 / 3, 3)  # the rule that does not reproduce the UN
    assert sdg_10_7_2_share(ratings, 2019, "whole_of_government") == (1.0, 3)
    assert sdg_10_7_2_share(ratings, 2015) == (pytest.approx(float("nan"), nan_ok=True), 0)
    published = tables["area_group_value"]
    world = published[(published.group_id == "m49:900") & (published.measure == "sg_cpa_migrp:overall")]
    assert world.set_index("year")["value"].round(4).to_dict() == {2019: 0.6667, 2021: 0.75}


def test_outside_territories_are_said_not_unmatched(stored) -> None:
    tables, log = stored
    assert log.unmatched == []
    said = [m for _, m in log.lines if "Not applicable" in m]
    assert len(said) == 1 and "248 Åland Islands" in said[0] and "7 rows of 1 territories" in said[0]
    rating = tables["policy_rating"]
    assert "CHI" in set(rating.iso3) and rating.loc[rating.iso3 == "CHI", "rating"].isna().all()


def test_sdg_aggregates_recoded_to_desa_groups(stored) -> None:
    tables, log = stored
    groups = tables["area_group_value"]
    assert set(groups.group_id) == {"m49:900", "m49:1829", "m49:1830"}
    deaths = groups[groups.measure == "sm_dth_migr"].set_index("year")["value"].to_dict()
    assert deaths == {2021: 1080.0, 2022: 700.0}
    assert any("1 -> 900" in m for _, m in log.lines)
    assert (groups.loc[groups.measure.str.startswith("sg_cpa_migrp"), "value"] <= 1).all()  # fractions


def test_two_death_series_keyed_by_source(stored) -> None:
    deaths = stored[0]["migrant_deaths"]
    assert set(deaths.source_id) == {"sdg2023_sm_dth_migr", "mmp2025_country_year"}
    sdg = deaths[deaths.source_id == "sdg2023_sm_dth_migr"]
    assert sdg.loc[sdg.year == 2021, "dead_and_missing"].sum() == 1080 and sdg["incidents"].isna().all()
    iom = deaths[deaths.source_id == "mmp2025_country_year"].set_index("iso3")
    assert iom.at["USA", "missing_min"] == -1 and iom.at["USA", "dead_and_missing"] == 6


def test_indices_apart_with_their_scales(stored) -> None:
    tables, _ = stored
    index = tables["policy_index"]
    assert set(index["index"]) == {"mipex", "mipex_eu_update", "impic"}
    mipex = index[index["index"] == "mipex"]
    assert set(mipex.year) == {2018, 2019}  # FRA 2007 has no score: no rows, not zeros
    usa = mipex[mipex.iso3 == "USA"].set_index(["year", "dimension"])["value"]
    assert usa[(2019, "overall")] == 73.0 and (2018, "overall") not in usa.index
    assert usa[(2019, "labour_market_mobility")] == 71
    eu = index[index["index"] == "mipex_eu_update"]
    assert set(eu.year) == {2020, 2021} and set(eu.source_id) == {"mipex_eu2025_scores"}
    impic = index[index["index"] == "impic"].set_index(["iso3", "year", "dimension"])["value"]
    assert impic[("USA", 2009, "overall")] == 0.4 and ("MEX", 2010, "AvgS_Reg_D") not in impic.index
    assert not index.dimension.str.contains("R_adm_guide").any()
    scale = tables["policy_index_scale"].set_index("index")
    assert scale.at["impic", "higher_means"] == "more restrictive immigration policy"
    assert scale.at["mipex", "high"] == 100.0


def test_incidents_keep_every_record(stored) -> None:
    inc = stored[0]["migrant_incident"].set_index("record_id")
    assert len(inc) == len(fx.INCIDENTS)
    undated = inc.loc["2020.MMP01074"]
    assert pd.isna(undated["year"]) and pd.isna(undated["incident_date"]) and undated["year_from_id"] == 2020
    assert pd.isna(undated["dead"])  # empty = not reported, never 0
    assert inc.at["2021.MMP00002", "origin_iso3"] == "IND;MEX"
    assert inc.at["2021.MMP00003", "survivors"] == -2 and inc.at["2021.MMP00003", "missing_min"] == -1
    assert str(inc.at["2021.MMP00001", "incident_date"]) == "2021-01-06"


def test_unknown_origin_code_is_reported_not_dropped(written, fixture_places) -> None:
    fx.replace_cell(3, "iso3_origin", "IND;QQQ")(written["mmp2025_incidents"])
    log = _Log()
    frames = {sid: policy.parse(path) for sid, path in written.items()}
    tables = policy.to_store(frames, Harmoniser(fixture_places, log))
    assert len(tables["migrant_incident"]) == len(fx.INCIDENTS)
    unmatched = pd.concat(log.unmatched)
    assert set(unmatched.code) == {"QQQ"} and set(unmatched.field) == {"iso3_origin"}
    assert inc_origin(tables, "2021.MMP00002") == "IND;QQQ"


def inc_origin(tables: dict[str, pd.DataFrame], record: str) -> str:
    inc = tables["migrant_incident"]
    return inc.loc[inc.record_id == record, "origin_iso3"].item()


def test_errors_name_the_cell(tmp_path: Path) -> None:
    path = fx._csv(tmp_path / "r.csv", fx.RATINGS_HEADER, [])
    expect_error(policy.parse, path, row=1, column=None, text="header but no data rows")
    path = fx._csv(tmp_path / "m.csv", [*fx.MIPEX_HEADER, "strand_health"], [[*r, 1] for r in fx._wide(fx.MIPEX)])
    expect_error(policy.parse_mipex, path, row=1, column="strand_health", text="names column 'strand_health' twice")
    path = fx._csv(tmp_path / "x.csv", ["iso3", "country", "value"], [["USA", "x", 1]])
    expect_error(policy.parse, path, row=1, column=None, text="not a known migration policy")
    path = fx._csv(tmp_path / "i.csv", fx.INCIDENTS_HEADER, fx.INCIDENTS)
    fx.replace_cell(2, "year", "2020")(path)
    expect_error(policy.parse, path, row=2, column="year", text="not the year of incident_date")
    path = fx._csv(tmp_path / "i.csv", fx.INCIDENTS_HEADER, fx.INCIDENTS)
    fx.replace_cell(5, "year", "2020")(path)
    expect_error(policy.parse, path, row=5, column="year", text="a year exactly when it has a date")
    path = fx._csv(tmp_path / "d.csv", fx.DEATHS_HEADER, [[1, "n", "number", 2021, 5], [1, "g", "number", 2021, 6]])
    expect_error(policy.parse, path, row=3, column="geo_area", text="duplicated key (geo_area=1, year=2021)")
    path = fx._csv(tmp_path / "d.csv", fx.DEATHS_HEADER, [[1, "n", "number", 2021, 5.5]])
    expect_error(policy.parse, path, row=2, column="sm_dth_migr", text="not a whole number")


def test_layout_found_by_header_text(tmp_path: Path) -> None:
    columns = list(reversed(fx.COUNTRY_YEAR_HEADER))
    rows = [list(reversed(r)) for r in fx.COUNTRY_YEAR]
    df = policy.parse(fx._csv(tmp_path / "cy.csv", columns, rows))
    assert df.set_index("iso3").at["MEX", "dead_and_missing"] == 7


def test_incident_parse_of_many_rows(tmp_path: Path) -> None:
    """20,000 incidents parse whole (their speed on the real file: bench/parse_bench.py)."""
    rows = [fx._incident(f"2021.MMP{i:05d}", "2021-06-12", 1, 1, 2, "MEX", "Mexico", "India", "IND")
            for i in range(20_000)]
    path = fx._csv(tmp_path / "big.csv", fx.INCIDENTS_HEADER, rows)
    assert len(policy.parse(path)) == 20_000
