"""The indicator table of the real build: the issue's figures, every country and group present, group laws."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from migdev.estimates.flows_step import RECOMMENDED
from migdev.indicators import CATALOGUE, step

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def con(real_db: Path):
    c = duckdb.connect(str(real_db), read_only=True)
    yield c
    c.close()


def _one(con, indicator: str, iso3: str, year: int, sex: str = "total") -> pd.Series:
    rows = con.execute("SELECT * FROM indicator WHERE indicator = ? AND iso3 = ? AND year = ? AND sex = ? "
                       "AND rank IS NULL", [indicator, iso3, year, sex]).df()
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_tajikistan_remittances_share_of_gdp_is_derived(con) -> None:
    row = _one(con, "remit_share_of_gdp", "TJK", 2022)
    assert abs(row["value"] - 49.9) <= 0.5
    assert row["basis"].startswith("derived") and "BX.TRF.PWKR.CD.DT" in row["basis"]
    assert "wdi_long" in row["source"].split(",")
    assert round(_one(con, "remit_share_of_gdp", "NPL", 2022)["value"], 2) == 22.85  # question 6


def test_immigrant_shares_2024(con) -> None:
    got = {c: round(100 * _one(con, "stock_immigrant_share", c, 2024)["value"], 1)
           for c in ("ARE", "QAT", "DEU", "USA")}
    assert got == {"ARE": 74.0, "QAT": 76.7, "DEU": 19.8, "USA": 15.2}
    assert _one(con, "stock_immigrant_share", "ARE", 2024)["revision"].startswith("undesa_ims 2024")


def test_emigration_rate_of_guyana_is_among_the_highest(con) -> None:
    rates = con.execute("SELECT iso3, value FROM indicator WHERE indicator = 'stock_emigration_rate' AND year = 2024 "
                        "AND sex = 'total' AND members IS NULL AND value IS NOT NULL ORDER BY value DESC").df()
    guy = rates.set_index("iso3")["value"]["GUY"]
    assert guy > 0.35 and rates["iso3"].head(15).str.contains("GUY").any()
    assert rates["value"].between(0, 1).all()


def test_120_countries_had_more_emigrants_than_immigrants(con) -> None:
    net = con.execute("SELECT iso3, value FROM indicator WHERE indicator = 'stock_net_immigrants' AND year = 2024 "
                      "AND sex = 'total' AND members IS NULL AND iso3 <> 'XXX'").df()
    assert len(net) == 233 and int((net["value"] < 0).sum()) == 120
    origin = con.execute("SELECT sum(value) FROM indicator WHERE indicator = 'role_origin' AND year = 2024 "
                         "AND iso3 = 'WLD'").fetchone()[0]
    assert origin == 120  # the group value of a flag counts its members with the role


def test_every_ims_area_and_every_group_has_rows(con) -> None:
    ims = set(con.execute("SELECT DISTINCT iso3 FROM migrant_stock_total WHERE revision = '2024' "
                          "AND iso3 <> 'XXX'").df()["iso3"])
    assert len(ims) == 233
    have = set(con.execute("SELECT DISTINCT iso3 FROM indicator").df()["iso3"])
    assert ims <= have
    groups = set(step.members(con)["group_id"])
    assert {"WLD", "m49:900", "wb:HIC", "m49:1503"} <= groups and groups <= have
    ids = set(con.execute("SELECT DISTINCT indicator FROM indicator").df()["indicator"])
    assert ids == set(CATALOGUE)


def test_group_totals_are_sums_and_ratios_recomputed(con) -> None:
    world = _one(con, "stock_immigrants", "WLD", 2024)
    countries = con.execute("SELECT sum(value) FROM indicator WHERE indicator = 'stock_immigrants' AND year = 2024 "
                            "AND sex = 'total' AND members IS NULL").fetchone()[0]
    assert world["value"] == countries == con.execute(
        "SELECT sum(immigrants) FROM migrant_stock_total WHERE revision = '2024' AND year = 2024 "
        "AND sex = 'total'").fetchone()[0]
    europe = _one(con, "stock_immigrant_share", "m49:908", 2024)
    assert europe["value"] == pytest.approx(europe["value"])  # a value, not NA
    shares = con.execute("SELECT value FROM indicator WHERE unit = 'fraction' AND value IS NOT NULL").df()["value"]
    assert shares.between(0, 1).all()


def test_top_destination_and_corridors(con) -> None:
    mex = con.execute("SELECT partner, value FROM indicator WHERE indicator = 'stock_top_destinations' "
                      "AND iso3 = 'MEX' AND year = 2024 AND sex = 'total' AND rank = 1").fetchone()
    assert mex == ("USA", 11_279_561.0)
    top = con.execute("SELECT partner FROM indicator WHERE indicator = 'stock_top_corridors' AND iso3 = 'WLD' "
                      "AND year = 2024 AND sex = 'total' ORDER BY rank LIMIT 5").df()["partner"].tolist()
    assert top == ["MEX>USA", "AFG>IRN", "SYR>TUR", "RUS>UKR", "IND>ARE"]


def test_roles_use_the_recommended_flows(con) -> None:
    assert step.RECOMMENDED == RECOMMENDED
    row = _one(con, "role_transit", "MEX", 2024)
    assert RECOMMENDED in row["revision"] and row["value"] in (0.0, 1.0)
