"""The built database reproduces the releases' published headline figures exactly."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.realdata


def world(obs, revision: str, year: int, sex: str = "total") -> int:
    return int(obs.sql("SELECT sum(persons) FROM migrant_stock WHERE revision = ? AND year = ? AND sex = ?",
                       [revision, year, sex]).iloc[0, 0])


def test_world_migrants_2024_revision_2024(observatory) -> None:
    assert world(observatory, "2024", 2024) == 304_021_813


def test_world_migrants_2020_revision_2020(observatory) -> None:
    assert world(observatory, "2020", 2020) == 280_598_105


def test_unspecified_origin_is_kept(observatory) -> None:
    other = observatory.stock(revision="2024", year=2024, sex="total", origin="XXX")["persons"].sum()
    share = other / world(observatory, "2024", 2024)
    assert 0.07 <= share <= 0.075  # 22.1 m, 7.3% of the 2024 world total


def test_male_plus_female_equals_total_in_every_row(observatory) -> None:
    mismatches = observatory.sql("""
        SELECT count(*) AS n, count(*) FILTER (t IS NULL OR m IS NULL OR f IS NULL) AS incomplete FROM (
          SELECT revision, year, origin, destination,
                 max(persons) FILTER (sex = 'total') AS t, max(persons) FILTER (sex = 'male') AS m,
                 max(persons) FILTER (sex = 'female') AS f
          FROM migrant_stock GROUP BY ALL) WHERE t IS DISTINCT FROM m + f""")
    assert int(mismatches["n"].iloc[0]) == 0


def test_top_destination_and_origin_2024(observatory) -> None:
    top = observatory.sql("""
        SELECT (SELECT destination FROM migrant_stock WHERE revision='2024' AND year=2024 AND sex='total'
                GROUP BY destination ORDER BY sum(persons) DESC LIMIT 1) AS dest,
               (SELECT origin FROM migrant_stock WHERE revision='2024' AND year=2024 AND sex='total'
                AND origin <> 'XXX' GROUP BY origin ORDER BY sum(persons) DESC LIMIT 1) AS orig""")
    assert top["dest"].iloc[0] == "USA"
    assert top["orig"].iloc[0] == "IND"
    usa = observatory.stock(year=2024, sex="total", destination="USA")["persons"].sum()
    ind = observatory.stock(year=2024, sex="total", origin="IND")["persons"].sum()
    assert usa == 52_375_047
    assert ind == 18_533_845


def test_largest_corridor_2024(observatory) -> None:
    mex_usa = observatory.stock(year=2024, sex="total", origin="MEX", destination="USA")["persons"].iloc[0]
    assert mex_usa == 11_279_561


def test_wpp_india_population_2024(observatory) -> None:
    india = observatory.population(iso3="IND", year=2024, sex="total")["persons"].iloc[0]
    assert abs(india - 1_450_935_791) <= 1_000


def test_wdi_india_remittances_received_2022(observatory) -> None:
    value = observatory.wdi(iso3="IND", indicator="BX.TRF.PWKR.CD.DT", year=2022)["value"].iloc[0]
    assert value == pytest.approx(111.2e9, rel=0.01)


@pytest.mark.parametrize(("total", "side"), [("immigrants", "destination"), ("emigrants", "origin")])
def test_published_totals_equal_bilateral_sums(observatory, total: str, side: str) -> None:
    """Destination totals (immigrants) and origin totals (emigrants) equal the sums of the bilateral table."""
    joined = observatory.sql(f"""
        SELECT t.revision, t.year, t.sex, t.iso3, t.{total}, b.persons FROM migrant_stock_total t
        JOIN (SELECT revision, year, sex, {side}, sum(persons) AS persons FROM migrant_stock GROUP BY ALL) b
          ON b.revision = t.revision AND b.year = t.year AND b.sex = t.sex AND b.{side} = t.iso3
        WHERE t.{total} IS NOT NULL""")
    assert len(joined) > 10_000  # the comparison covers the tables, not an empty join
    diff = joined[joined[total] != joined["persons"]]
    assert diff.empty, diff.head()


def test_every_country_has_six_names(observatory) -> None:
    countries = observatory.countries()
    for lang in ("en", "fr", "es", "ru", "zh", "ar"):
        assert countries[f"name_{lang}"].notna().all()
        assert (countries[f"name_{lang}"].str.len() > 0).all()
    # CLDR gives real translations, not English copies, for all but a handful
    assert (countries["name_zh"] != countries["name_en"]).mean() > 0.98
    assert (countries["name_ar"] != countries["name_en"]).mean() > 0.98


def test_no_code_is_silently_dropped(observatory, mirror) -> None:
    """Every code of every source is a country, an aggregate, or reported as unmatched."""
    from migdev.sources import undesa_ims, wdi

    countries = set(observatory.countries()["iso3"])
    m49 = set(observatory.countries()["m49"].dropna().astype(int))
    groups = set(observatory.groups()["group_id"])
    unmatched = observatory.unmatched()
    reported = set(unmatched["code"].astype(str))
    bilateral = undesa_ims.parse_bilateral(mirror / "undesa_ims/ims2024_bilateral_stock.csv")
    for code in set(bilateral["orig_m49"]) | set(bilateral["dest_m49"]):
        assert code in m49 or f"m49:{code}" in groups or str(code) in reported, code
    series = wdi.parse_long(mirror / "wdi/wdi_long.csv")
    for code in set(series["iso3"]):
        assert code in countries or f"wb:{code}" in groups or code in reported, code
    loaded = observatory.sql("SELECT sum(rows_read) AS n FROM source WHERE source_id = 'ims2024_bilateral'")
    assert int(loaded["n"].iloc[0]) == len(bilateral)
    in_db = observatory.sql("SELECT count(*) AS n FROM migrant_stock WHERE revision = '2024'")
    assert int(in_db["n"].iloc[0]) == len(bilateral) - int(unmatched["rows"].sum() if len(unmatched) else 0)


def test_documented_codes(observatory) -> None:
    c = observatory.countries(iso3=["CHI", "XKX", "XXX"]).set_index("iso3")
    assert c.loc["CHI", "m49"] == 830
    assert c.loc["XXX", "m49"] == 2003
    assert c["code_note"].notna().all()


def test_aggregates_are_not_countries(observatory) -> None:
    countries = set(observatory.countries()["iso3"])
    assert not {"WLD", "AFE", "EAS", "HIC"} & countries
    world = observatory.sql("SELECT value FROM area_group_value WHERE source_id = 'ims2024_destination' "
                            "AND group_id = 'm49:900' AND year = 2024 AND sex = 'total' AND measure = 'migrant_stock'")
    assert int(world["value"].iloc[0]) == 304_021_813
