"""``migdev.open``: read-only DataFrames filtered by keyword, with helpful refusals of unknown values."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import migdev
import migdev.sources
from migdev.api import Observatory
from tests.fixtures import official as fx


@pytest.fixture(scope="module")
def obs(small_db: Path) -> Iterator[Observatory]:
    with migdev.open(str(small_db)) as o:
        yield o


def test_open_and_repr(small_db: Path) -> None:
    o = migdev.open(str(small_db))
    assert repr(o) == f"<migdev.Observatory {small_db}>"
    o.close()


def test_open_default_path(small_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIGDEV_DB", str(small_db))
    with migdev.open() as o:
        assert o.path == small_db


def test_open_missing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="migdev build"):
        migdev.open(str(tmp_path / "none.duckdb"))


def test_lazy_submodules() -> None:
    assert migdev.store.default_path().name.endswith(".duckdb")
    assert migdev.countries.UNSPECIFIED_ORIGIN == "XXX"
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = migdev.nope


def test_stock_filters(obs: Observatory) -> None:
    df = obs.stock(year=2024, sex="female", origin="MEX", destination="USA")
    assert isinstance(df, pd.DataFrame)
    assert df["origin_name"].tolist() == ["Mexico"] and df.attrs["sources"][0]["source_id"] == "ims2024_bilateral"
    df = df[["revision", "year", "sex", "origin", "destination", "persons"]]
    assert df.to_dict("records") == [{"revision": "2024", "year": 2024, "sex": "female", "origin": "MEX",
                                      "destination": "USA", "persons": fx.female_share(11_279_561)}]
    both = obs.stock(year=[2020, 2024], sex=["male", "female"], origin=["mex", "IND"], destination="USA")
    assert len(both) == 2 * 2 * 2 and set(both["origin"]) == {"MEX", "IND"}  # codes are case-insensitive
    assert set(obs.stock()["revision"]) == {"2024"}  # default revision
    assert set(obs.stock(revision=2020)["revision"]) == {"2020"}
    assert len(obs.stock(revision=["2020", "2024"])) == 48
    assert obs.stock(origin="XXX", sex="total", year=2024)["persons"].tolist() == [1_600_000]


def test_unknown_values_are_refused(obs: Observatory) -> None:
    with pytest.raises(ValueError, match=r"unknown origin code 'MEXX'.*did you mean MEX"):
        obs.stock(origin="MEXX")
    with pytest.raises(ValueError, match=r"unknown destination code 'Frnace'.*did you mean FRA"):
        obs.stock(destination="Frnace")
    assert set(obs.stock(destination="france")["destination"]) == {"FRA"}  # names resolve
    with pytest.raises(ValueError, match=r"unknown country code 'QQ'"):
        obs.population(iso3="QQ")
    with pytest.raises(ValueError, match=r"unknown sex 'females'; expected one of total, male, female"):
        obs.stock(sex="females")
    with pytest.raises(ValueError, match=r"unknown revision '2019'; expected one of 2020, 2024"):
        obs.stock(revision="2019")
    with pytest.raises(ValueError, match=r"unknown indicator 'GDP'; expected one of"):
        obs.wdi(indicator="GDP")


def test_stock_totals_and_age(obs: Observatory) -> None:
    totals = obs.stock_totals(year=2024, sex="total", iso3=["USA", "XXX"])
    assert totals.set_index("iso3").at["XXX", "emigrants"] == 22_065_614
    assert totals.set_index("iso3").at["USA", "population"] == 345_426_571
    age = obs.stock_by_age(iso3="USA", sex="total")
    assert age.set_index("age_group").at["total", "persons"] == 455_633 * 10
    assert set(obs.stock_by_age()["revision"]) == {"2020"}


def test_places(obs: Observatory) -> None:
    c = obs.countries()
    assert len(c) == 10 + len(migdev.sources.documented_codes()) and c["iso3"].is_monotonic_increasing
    assert obs.countries(iso3="chi")["code_note"].iloc[0].startswith("Channel Islands")
    assert set(obs.countries(sdg_region="Europe and Northern America")["iso3"]) == {"USA", "FRA", "CHI", "GGY",
                                                                                   "JEY"}
    assert set(obs.countries(wb_income_group=["Lower middle income"])["iso3"]) == {"IND", "PSE"}
    assert "wb:WLD" in set(obs.groups()["group_id"])
    assert set(obs.groups(kind="SDG region")["code"]) == {"1829", "921", "1830"}


def test_population_vital_wdi(obs: Observatory) -> None:
    pop = obs.population(iso3="USA", year=2025)
    assert set(pop["sex"]) == {"male", "female"}
    assert obs.population(iso3="IND", year=2024, sex="total")["persons"].tolist() == [1_450_935_791]
    vital = obs.vital(iso3=["USA", "MEX"], period_start=2020, span="all")
    assert len(vital) == 4 and set(vital["period_end"]) == {2024, 2025}
    assert set(obs.vital(iso3=["USA", "MEX"], period_start=2020)["period_end"]) == {2025}  # non-overlapping
    w = obs.wdi(iso3="MEX", indicator=fx.REMITTANCES_IN)
    assert w.set_index("year")["value"].to_dict() == {2022: 61_098_000_000.0, 2023: 66_197_000_000.0}
    assert set(obs.wdi_indicators()["indicator"]) == {fx.REMITTANCES_IN, fx.GDP}


def test_provenance(obs: Observatory) -> None:
    sources = obs.sources()
    built = [f for f in migdev.sources.releases().values() if f.build]
    assert sorted(sources["source_id"]) == sorted(f.id for f in built)
    first = sources[sources["product"].isin(["undesa_ims", "wpp", "wdi"])]
    assert len(first) == 14 and first["licence"].str.startswith("CC BY").all()
    log = obs.build_log()
    assert log["seq"].tolist() == list(range(1, len(log) + 1))
    assert obs.unmatched()["code"].tolist() == [str(fx.UNKNOWN_M49)]
    assert obs.sql("SELECT count(*) AS n FROM country WHERE iso3 = ?", ["USA"])["n"].tolist() == [1]
    with pytest.raises(Exception, match="read-only"):
        obs.sql("DELETE FROM country")
