"""The real WPP 2022 tables: every code maps, the rebuilt populations meet WPP 2022's published figures, the
31-December reading of popprojMed and the mid-year period rule are proved on the files, and the rows load beside
WPP 2024's under the store's keys."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from migdev import sources, store
from migdev.harmonise import Harmoniser
from migdev.sources import wpp, wpp2022
from tests.sources.contract import _Log

pytestmark = pytest.mark.realdata

#: WPP 2022's published 1 July populations (persons; the WPP 2022 key findings and data portal), for figures the
#: mirror does not carry as such: it has no past population table, they are rebuilt from the components.
PUBLISHED_JUL1 = {("m49:900", 2022): 7_975_105_156, ("IND", 2022): 1_417_173_173, ("CHN", 2022): 1_425_887_337,
                  ("USA", 2022): 338_289_857, ("IND", 2021): 1_407_563_842}


def _path(mirror: Path, source_id: str) -> Path:
    return mirror / sources.get(source_id).path


@pytest.fixture(scope="module")
def built(mirror: Path, real_places):
    started = time.perf_counter()
    frames = {f.id: getattr(wpp2022, f.parser)(_path(mirror, f.id)) for f in wpp2022.RELEASES.built}
    log = _Log()
    tables = wpp2022.to_store(frames, Harmoniser(real_places, log))
    return frames, tables, log, time.perf_counter() - started


def test_parse_dispatches_by_file(mirror: Path, built) -> None:
    frames = built[0]
    for f in wpp2022.RELEASES.built:
        assert wpp2022.parse(_path(mirror, f.id)).equals(frames[f.id]), f.id


def test_every_code_maps(built) -> None:
    _, tables, log, _ = built
    assert not log.unmatched, pd.concat(log.unmatched)
    said = [m for _, m in log.lines if "listed country with no WPP 2022 values" in m]
    assert said == ["wpp2022_locations: Holy See (336) is a listed country with no WPP 2022 values; not loaded"]
    assert tables["population"]["iso3"].nunique() == 236
    assert tables["population"].groupby("year")["iso3"].count().eq(236).all()
    assert tables["population"]["persons"].notna().all() and tables["vital"].notna().all().all()


def _jul1(tables) -> pd.Series:
    countries = tables["population"].set_index(["iso3", "year"])["persons"]
    values = tables["area_group_value"]
    groups = values[values["measure"] == "pop_jul1"].set_index(["group_id", "year"])["value"]
    return pd.concat([countries.astype(float), groups.astype(float)])


def test_rebuilt_populations_meet_published_figures(built) -> None:
    """The backward account from 31 Dec 2022 gives WPP 2022's published 1 July figures to within 1 in 10^6."""
    jul1 = _jul1(built[1])
    for key, published in PUBLISHED_JUL1.items():
        assert jul1[key] == pytest.approx(published, rel=1e-6), key


def test_countries_add_up_to_the_world(built) -> None:
    tables = built[1]
    jul1 = _jul1(tables)
    world = jul1.loc["m49:900"]
    countries = tables["population"].groupby("year")["persons"].sum().astype(float)
    assert ((countries - world).abs() / world).max() < 2e-5  # rounding of 236 countries' components, 72 years
    migration = built[0]["wpp2022_migration"]
    assert (migration.loc[migration["country_code"] == 900, "thousands"] == 0).all()  # the world's row is 0
    net = tables["vital_annual"].groupby("year")["net_migration"].sum()
    assert net.abs().max() < 1_000  # countries' net migration sums to (almost) 0 every year


def test_popprojmed_year_is_31_december(built) -> None:
    """Differences of popprojMed equal the components of the *next* calendar year (31 Dec t - 31 Dec t-1 = change
    in t), within rounding; read as 1 January they would be a year off by hundreds of thousands."""
    frames = built[0]
    pop = frames["wpp2022_population_medium"].pivot(index="country_code", columns="year", values="thousands")
    parts = pd.concat([frames[s] for s in ("wpp2022_births_medium", "wpp2022_deaths_medium", "wpp2022_migration")])
    wide = {m: parts[parts["measure"] == m].pivot(index="country_code", columns="year", values="thousands")
            for m in ("births", "deaths", "net_migration")}
    change = (wide["births"] - wide["deaths"] + wide["net_migration"]).reindex(index=pop.index)
    locations = frames["wpp2022_locations"]
    codes = pop.index.intersection(locations.loc[locations["is_country"], "country_code"])
    years = list(range(2023, 2101))
    as_dec31 = (pop.diff(axis=1)[years] - change[years]).loc[codes].abs().to_numpy().max()
    as_jan1 = (pop.diff(axis=1)[years[:-1]] - change[years[1:]].to_numpy()).loc[codes].abs().to_numpy().max()
    assert len(codes) == 236 and as_dec31 < 0.1 and as_jan1 > 100


def test_periods_balance(built) -> None:
    """pop_end - pop_start = births - deaths + net migration: exact (to rounding) where the populations come from
    the backward account, within popprojMed's rounding for 2020-2025."""
    vital = built[1]["vital"]
    residual = (vital["pop_end"] - vital["pop_start"] - vital["births"] + vital["deaths"]
                - vital["net_migration"]).abs()
    assert residual[vital["period_end"] <= 2020].max() <= 3
    assert residual[vital["period_end"] == 2025].max() <= 100
    assert len(vital) == 236 * len(wpp2022.PERIODS)


def test_period_rule_reproduces_wpp2024_period_file(mirror: Path) -> None:
    """midyear_periods on WPP 2024's annual file gives the project's WPP 2024 period file (every location and
    period, 1950-1955 ... 2020-2024, 2020-2025), to the rounding of persons."""
    annual = wpp.parse_annual(_path(mirror, "wpp2024_annual"))
    published = wpp.parse_periods(_path(mirror, "wpp2024_periods"))
    spans = sorted(set(zip(published["period_start"], published["period_end"], strict=True)))
    ours = wpp2022.midyear_periods(annual[["m49", "year", "births", "deaths", "net_migration", "pop_jul1",
                                           "variant"]], spans, key="m49")
    both = published.merge(ours, on=["m49", "period_start", "period_end"], suffixes=("", "_ours"), validate="1:1")
    assert len(both) == len(published) == len(ours)
    for c in ("births", "deaths", "net_migration", "pop_start", "pop_end"):
        gap = (both[c].astype(float) - both[f"{c}_ours"]).abs()
        assert gap.max() <= 1, c  # each annual value was rounded to whole persons before the sum
    assert (both["variant"] == both["variant_ours"]).all()


def test_rows_load_beside_wpp2024(mirror: Path, built, real_places) -> None:
    """The whole schema, the country rows, WPP 2024's and WPP 2022's tables: every key holds, revisions apart."""
    h = Harmoniser(real_places, _Log())
    wpp_frames = {f.id: getattr(wpp, f.parser)(_path(mirror, f.id)) for f in wpp.RELEASES.built}
    con = duckdb.connect()
    con.execute(store.schema())
    con.register("places", real_places.country)
    con.execute("INSERT INTO country BY NAME SELECT * FROM places")
    for tables in (wpp.to_store(wpp_frames, h), built[1]):
        for name, frame in tables.items():
            con.register("frame", frame)
            con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM frame")
            con.unregister("frame")
    counts = dict(con.execute("SELECT revision, count(*) FROM vital_annual GROUP BY ALL").fetchall())
    assert counts["2022"] == len(built[1]["vital_annual"]) and counts["2024"] > 0
    periods = con.execute("SELECT count(*) FROM vital WHERE revision = '2022' AND period_start = 2015 "
                          "AND period_end = 2020").fetchone()[0]
    assert periods == 236
    shared = con.execute("""SELECT count(*) FROM population a JOIN population b USING (year, sex, iso3)
                            WHERE a.revision = '2022' AND b.revision = '2024' AND year = 2020""").fetchone()[0]
    assert shared >= 230
    ratio = con.execute("""SELECT max(abs(a.persons / b.persons - 1)) FROM population a
                           JOIN population b USING (year, sex, iso3)
                           WHERE a.revision = '2022' AND b.revision = '2024' AND year = 2020 AND iso3 = 'USA'
                        """).fetchone()[0]
    assert np.isfinite(ratio) and ratio < 0.02  # two revisions of one country's population: close, not equal
