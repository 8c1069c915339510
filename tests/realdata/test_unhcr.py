"""The real UNHCR files (refugees R package 2025.12.1): every code maps, the published headline figures come out,
and the store rows load into the schema."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from migdev.harmonise import Harmoniser
from migdev.sources import unhcr
from tests.sources.contract import _Log

pytestmark = pytest.mark.realdata

SCHEMA = Path(unhcr.__file__).parents[1] / "store" / "schema" / "unhcr.sql"


@pytest.fixture(scope="module")
def built(mirror: Path, real_places):
    start = time.perf_counter()
    frames = {f.id: unhcr.parse(mirror / f.path) for f in unhcr.RELEASES.built}
    log = _Log()
    tables = unhcr.to_store(frames, Harmoniser(real_places, log))
    return frames, tables, log, time.perf_counter() - start


def _refugees(tables, year: int) -> pd.Series:
    r = tables["refugee"]
    return r[(r.year == year) & (r.population_type == "refugees")].groupby("origin")["persons"].sum()


def test_every_code_maps(built, real_places) -> None:
    frames, tables, log, _ = built
    assert log.unmatched == [], pd.concat(log.unmatched).to_string()
    raw = {c for f in frames.values() for side in ("coo_iso", "coa_iso") for c in f[side].unique()}
    known = set(real_places.country["iso3"])
    assert {unhcr.ALIASES.get(c, c) for c in raw} <= known
    assert raw - known == set(unhcr.ALIASES)  # only the recoded pseudo-codes are not registry codes as written
    assert set(unhcr.DOCUMENTED_CODES) <= raw  # and every documented code is used
    for name, table in tables.items():
        for col in ("origin", "asylum", "iso3"):
            if col in table:
                assert table[col].notna().all(), f"{name}.{col}"
    used = set(tables["refugee"]["origin"]) | set(tables["refugee"]["asylum"])
    assert {"XXX", "XXA", "TIB"} <= used  # UNK, stateless, Tibetans
    assert "AB9" in set(tables["displacement"]["iso3"])
    # UNHCR's own code CHI is China: the ISO columns are read, so the Channel Islands never appear
    assert "CHN" in used and "CHI" not in used
    assert "XKX" not in used and "SRB" in used  # Kosovo is counted within Serbia


def test_2022_refugees_top_origins(built) -> None:
    frames, tables, _, _ = built
    by_origin = _refugees(tables, 2022)
    assert by_origin.nlargest(3).index.tolist() == ["SYR", "UKR", "AFG"]
    assert round(by_origin.sum() / 1e6, 1) == 29.4  # Global Trends 2022: 29.4 million refugees under UNHCR's mandate
    pop = frames["unhcr2025_population"]
    assert by_origin.sum() == pop.loc[pop.year == 2022, "refugees"].sum()


def test_2023_figures(built) -> None:
    _, tables, _, _ = built
    assert round(_refugees(tables, 2023).sum() / 1e6, 1) == 31.6  # Global Trends 2023
    r = tables["refugee"]
    hosts = r[(r.year == 2023) & (r.population_type == "refugees")].groupby("asylum")["persons"].sum()
    assert hosts.nlargest(3).index.tolist() == ["IRN", "TUR", "DEU"]


def test_oip_and_unrwa(built) -> None:
    frames, tables, _, _ = built
    r = tables["refugee"]
    oip = r[r.population_type == "oip"]
    assert oip["year"].min() == 2018
    assert oip.loc[oip.year == 2022].groupby("origin")["persons"].sum().idxmax() == "VEN"
    unrwa = r[(r.population_type == "unrwa_refugees") & (r.year == 2022)]
    assert set(unrwa["origin"]) == {"PSE"}
    assert unrwa["persons"].sum() == frames["unhcr2025_unrwa"].query("year == 2022")["total"].sum()
    assert round(unrwa["persons"].sum() / 1e6, 2) == 5.89


def test_population_rebuilds_exactly(built) -> None:
    """Zeros are not stored, yet every row of the file keeps a row and every non-zero cell is kept."""
    frames, tables, _, _ = built
    pop = frames["unhcr2025_population"]
    stocks = tables["refugee"][tables["refugee"].population_type != "unrwa_refugees"]
    assert len(stocks[["year", "origin", "asylum"]].drop_duplicates()) == len(pop)
    cells = pop[list(unhcr.POPULATION_TYPES)]
    assert len(stocks) == int((cells.fillna(0) > 0).sum().sum())
    assert stocks["persons"].sum() == cells.sum().sum()


def test_demographics_match_stocks(built) -> None:
    """2025 totals by sex and age add up to the population table's, type by type, except ``stateless``: the
    population table also counts stateless people counted under another type (Rohingya refugees in Bangladesh,
    origin XXA), the demographics count everyone once."""
    _, tables, _, _ = built
    d = tables["refugee_demographic"]
    r = tables["refugee"]
    demo = d[d.sex == "total"].groupby("population_type")["persons"].sum()
    stock = r[r.year == 2025].groupby("population_type")["persons"].sum().reindex(demo.index)
    assert (demo == stock).drop("stateless").all(), pd.concat([demo, stock], axis=1)
    assert demo["stateless"] < stock["stateless"]
    split = d[d.sex != "total"].groupby(["origin", "asylum", "population_type", "age_group"])["persons"].sum()
    totals = d[d.sex == "total"].set_index(["origin", "asylum", "population_type"])["persons"]
    by_key = split.xs("total", level="age_group")
    assert (by_key <= totals.reindex(by_key.index)).all()


def test_idmc_world_then_countries(built) -> None:
    _, tables, _, _ = built
    idmc = tables["displacement"]
    early = idmc[idmc.year < 2009]
    assert set(early["iso3"]) == {"XXX"} and early["year"].nunique() == 2009 - 1990
    assert idmc[idmc.year == 2025]["iso3"].nunique() > 40


def test_asylum_keys_are_the_files(built) -> None:
    frames, tables, _, _ = built
    assert len(tables["asylum_application"]) == len(frames["unhcr2025_asylum_applications"])
    assert len(tables["asylum_decision"]) == len(frames["unhcr2025_asylum_decisions"])
    assert set(tables["asylum_application"]["unit"]) == {"persons", "cases"}


def test_loads_into_schema(built, real_places) -> None:
    _, tables, _, _ = built
    con = duckdb.connect()
    con.execute("CREATE TABLE country (iso3 VARCHAR PRIMARY KEY)").fetchall()
    con.register("codes", real_places.country[["iso3"]])
    con.execute("INSERT INTO country SELECT iso3 FROM codes").fetchall()
    con.execute(SCHEMA.read_text(encoding="utf-8")).fetchall()
    for name, table in tables.items():
        con.register("frame", table)
        con.execute(f"INSERT INTO {name} ({', '.join(table.columns)}) SELECT * FROM frame").fetchall()
        con.unregister("frame")
    assert con.execute("SELECT count(*) FROM refugee").fetchall() == [(len(tables["refugee"]),)]

