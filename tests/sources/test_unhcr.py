"""UNHCR Refugee Data Finder tables: the contract, each layout quirk, each refusal, and the store rows."""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from migdev import countries
from migdev.harmonise import Harmoniser
from migdev.sources import unhcr, unhcr_flows
from migdev.sources.csv_tables import header_names
from tests.fixtures import unhcr as fx
from tests.sources.contract import SourceContract, _Log
from tests.sources.parse_helpers import expect_error

SCHEMA = Path(unhcr.__file__).parents[1] / "store" / "schema" / "unhcr.sql"


class TestUnhcr(SourceContract):
    product = unhcr
    fixtures = fx


def _without_palestine(places: countries.Registry) -> countries.Registry:
    """The fixture registry less Palestine (PSE, a WDI economy of the fixtures), the origin of every UNRWA row."""
    return countries.Registry(places.country[places.country["iso3"] != "PSE"], places.area_group,
                              places.area_group_member[places.area_group_member["iso3"] != "PSE"])


@pytest.fixture
def stored(tmp_path: Path, fixture_places) -> tuple[dict[str, pd.DataFrame], _Log]:
    written = fx.write(tmp_path)
    frames = {sid: unhcr.parse(path) for sid, path in written.items()}
    log = _Log()
    return unhcr.to_store(frames, Harmoniser(fixture_places, log)), log


def test_population(tmp_path: Path) -> None:
    df = unhcr.parse(fx.write(tmp_path)["unhcr2025_population"])
    assert list(df.columns) == fx.POPULATION_HEADER and len(df) == len(fx.POPULATION)
    assert df["oip"].isna().sum() == len(fx.POPULATION) - 1  # empty = not reported, never 0
    assert str(df["refugees"].dtype) == "Int64" and df["year"].dtype == "int64"
    assert df.loc[df["coa_iso"] == "FRA", "coa_name"].iloc[0] == "France, metropolitan and overseas"


def test_flows_keep_unhcr_codes_and_empty_names(tmp_path: Path) -> None:
    df = unhcr.parse(fx.write(tmp_path)["unhcr2025_flows"])
    assert {"UKN", "STA", "TIB"} <= set(df["coo_iso"])
    assert df.loc[df["coo_iso"] == "TIB", "coo_name"].isna().all()
    assert df["refugees"].isna().sum() == 4


def test_gzip_tables(tmp_path: Path) -> None:
    written = fx.write(tmp_path)
    apps = unhcr.parse(written["unhcr2025_asylum_applications"])
    assert (apps["dec_level"] == "NA").sum() == 1  # UNHCR's code "new applications", not a missing value
    decisions = unhcr.parse(written["unhcr2025_asylum_decisions"])
    assert list(decisions.columns) == fx.DECISIONS_HEADER
    demo = unhcr.parse(written["unhcr2025_demographics"])
    assert len(demo) == len(fx.DEMOGRAPHICS) and int(demo["total"].sum()) == 284_730


def test_idmc_and_unrwa_told_apart_by_name(tmp_path: Path) -> None:
    written = fx.write(tmp_path)
    assert set(unhcr.parse(written["unhcr2025_idmc"])["coo_iso"]) == {"UNK", "MEX", "IND", "AB9"}
    assert set(unhcr.parse(written["unhcr2025_unrwa"])["coo_iso"]) == {"PSE"}
    other = written["unhcr2025_unrwa"].with_name("totals.csv")
    written["unhcr2025_unrwa"].rename(other)
    expect_error(unhcr.parse, other, row=1, column=None, text="must say 'idmc' or 'unrwa'")


def test_refugee_rows(stored) -> None:
    tables, log = stored
    refugee = tables["refugee"].set_index(["year", "origin", "asylum", "population_type"])["persons"]
    assert refugee[(2022, "MEX", "USA", "refugees")] == 120
    assert refugee[(2022, "XXX", "FRA", "refugees")] == 30_000  # UNK -> the unspecified code
    assert refugee[(2022, "XXA", "FRA", "stateless")] == 1_500
    assert refugee[(2022, "TIB", "IND", "refugees")] == 72_000
    assert refugee[(2023, "FRA", "XXX", "returned_refugees")] == 12_000
    assert refugee[(2022, "USA", "MEX", "others_of_concern")] == 10
    assert refugee[(2022, "USA", "MEX", "oip")] == 2_000
    assert refugee[(2022, "MEX", "MEX", "host_community")] == 40_000
    assert refugee[(2022, "PSE", "PSE", "unrwa_refugees")] == 2_400_000
    assert refugee[(2022, "PSE", "XXX", "unrwa_refugees")] == 500_000
    assert (tables["refugee"]["persons"] > 0).all()  # zeros fill the wide layout: no rows
    assert len(tables["refugee"]) == 16 + 2  # non-zero population cells, UNRWA rows
    # every (year, origin, asylum) pair of the file keeps a row: the file can be rebuilt
    pairs = tables["refugee"].query("population_type != 'unrwa_refugees'")[["year", "origin", "asylum"]]
    assert len(pairs.drop_duplicates()) == len(fx.POPULATION)
    assert set(tables["refugee"]["revision"]) == {"2025.12.1"}
    said = " ".join(m for _, m in log.lines)
    assert "zero cells not stored" in said and "Kosovo is counted within Serbia" not in said


def test_flow_and_solution_rows(stored) -> None:
    tables, _ = stored
    flow = tables["refugee_flow"].set_index(["year", "origin", "asylum", "flow_type"])["persons"]
    assert flow[(2022, "XXA", "FRA", "asylum_seekers")] == 200  # flows' STA -> XXA
    assert flow[(2022, "XXX", "USA", "asylum_seekers")] == 5_000  # flows' UKN -> XXX
    assert flow[(2022, "TIB", "IND", "refugees")] == 5
    assert flow[(2023, "MEX", "USA", "oip")] == 1_200
    assert flow[(2022, "IND", "USA", "resettlement")] == 800
    assert flow[(2022, "MEX", "MEX", "returned_idps")] == 25_000
    assert flow[(2022, "FRA", "XXX", "returned_refugees")] == 50
    assert len(flow) == 6 + 5  # one row per non-empty cell


def test_asylum_rows(stored) -> None:
    tables, _ = stored
    apps = tables["asylum_application"]
    assert len(apps) == len(fx.APPLICATIONS) and set(apps["unit"]) == {"persons", "cases"}
    usa = apps[(apps.origin == "MEX") & (apps.asylum == "USA")].set_index("unit")["applied"]
    assert usa.to_dict() == {"cases": 50_000, "persons": 120_000}  # never added together
    dec = tables["asylum_decision"].set_index(["origin", "asylum"])
    assert dec.loc[("XXA", "FRA"), ["recognized", "rejected", "total"]].tolist() == [5, 5, 10]
    assert list(dec.columns) == ["revision", "year", "procedure_type", "dec_level", "unit", "recognized", "other",
                                 "rejected", "closed", "total"]


def test_displacement_rows(stored) -> None:
    tables, log = stored
    idmc = tables["displacement"].set_index(["year", "iso3"])["persons"]
    assert idmc.to_dict() == {(2005, "XXX"): 24_000_000, (2022, "MEX"): 386_000, (2022, "IND"): 631_000,
                              (2022, "AB9"): 56_000}
    assert set(tables["displacement"]["source"]) == {"idmc"}
    assert any("only a world figure" in m for _, m in log.lines)


def test_demographic_rows(stored) -> None:
    tables, log = stored
    demo = tables["refugee_demographic"].set_index(["origin", "asylum", "population_type", "sex", "age_group"])
    persons = demo["persons"]
    # two locations summed
    assert persons[("MEX", "USA", "refugees", "total", "total")] == 250
    assert persons[("MEX", "USA", "refugees", "female", "total")] == 115
    assert persons[("MEX", "USA", "refugees", "male", "unknown")] == 5
    assert persons[("MEX", "USA", "refugees", "female", "0-4")] == 5
    # partly split: female + male < total
    assert persons[("IND", "FRA", "asylum_seekers", "total", "total")] == 400
    assert persons[("IND", "FRA", "asylum_seekers", "female", "total")] + \
        persons[("IND", "FRA", "asylum_seekers", "male", "total")] == 355
    # no breakdown at all: total only, the zeros are not values
    no_split = demo.sort_index().loc[("MEX", "USA", "asylum_seekers")]
    assert no_split.index.tolist() == [("total", "total")]
    assert persons[("XXA", "FRA", "stateless", "total", "total")] == 1_500
    assert persons[("XXX", "FRA", "refugees", "total", "total")] == 30_000
    assert len(demo) == 3 * 15 + 3  # three keys with a split (1 + 2 x 7 rows), three without
    assert any("give no sex/age breakdown" in m for _, m in log.lines)


def test_store_rows_load_into_the_schema(stored, fixture_places) -> None:
    tables, _ = stored
    con = duckdb.connect()
    codes = pd.DataFrame({"iso3": list(fixture_places.country["iso3"])})
    con.execute("CREATE TABLE country (iso3 VARCHAR PRIMARY KEY)").fetchall()
    con.register("codes", codes)
    con.execute("INSERT INTO country SELECT iso3 FROM codes").fetchall()
    con.unregister("codes")
    con.execute(SCHEMA.read_text(encoding="utf-8")).fetchall()
    assert set(tables) == set(unhcr.RELEASES.tables)
    for name, table in tables.items():
        con.register("frame", table)
        con.execute(f"INSERT INTO {name} ({', '.join(table.columns)}) SELECT * FROM frame").fetchall()
        con.unregister("frame")
        assert con.execute(f"SELECT count(*) FROM {name}").fetchall() == [(len(table),)]


def test_unknown_code_is_reported(tmp_path: Path, fixture_places) -> None:
    written = fx.write(tmp_path)
    frames = {sid: unhcr.parse(path) for sid, path in written.items()}
    log = _Log()
    tables = unhcr.to_store(frames, Harmoniser(_without_palestine(fixture_places), log))
    assert "unrwa_refugees" not in set(tables["refugee"]["population_type"])
    unmatched = pd.concat(log.unmatched)
    assert unmatched.query("code == 'PSE'")[["source_id", "field", "rows"]].values.tolist() == [
        ["unhcr2025_unrwa", "origin", 2], ["unhcr2025_unrwa", "asylum", 1]]


def test_documented_codes_have_six_names() -> None:
    for code, entry in unhcr.DOCUMENTED_CODES.items():
        assert set(entry["names"]) == {"en", "fr", "es", "ru", "zh", "ar"} and entry["note"], code
    assert set(unhcr.ALIASES.values()) <= {"XXX", *unhcr.DOCUMENTED_CODES}


# ------------------------------------------------------------------------------------------------- refusals
def _write(tmp_path: Path, sid: str, name: str | None = None) -> Path:
    rel, header, rows = fx.FILES[sid]
    return fx.write_table(tmp_path / (name or Path(rel).name), header, rows)


@pytest.mark.parametrize(
    ("sid", "change", "row", "column", "text"),
    [
        ("unhcr2025_population", fx.set_cell(3, "hst", "1e400"), 5, "hst", "is not a finite number"),
        ("unhcr2025_population", fx.set_cell(3, "hst", "nan"), 5, "hst", "'nan' is not a number"),
        ("unhcr2025_population", fx.set_cell(3, "idps", "9e12"), 5, "idps", "UNHCR population schema"),
        ("unhcr2025_population", fx.set_cell(0, "year", "1850"), 2, "year", "UNHCR population schema"),
        ("unhcr2025_population", fx.set_cell(0, "coo_iso", "mex"), 2, "coo_iso", "UNHCR population schema"),
        ("unhcr2025_flows", fx.set_cell(3, "asylum_seekers", "5.0e3x"), 5, "asylum_seekers", "is not a number"),
        ("unhcr2025_asylum_applications", fx.set_cell(1, "applied", "-1"), 3, "applied", "is negative"),
        ("unhcr2025_asylum_applications", fx.set_cell(0, "procedure_type", "Z"), 2, "procedure_type",
         "UNHCR asylum applications schema"),
        ("unhcr2025_demographics", fx.set_cell(2, "f_60", "2.5"), 4, "f_60", "not a whole number"),
        ("unhcr2025_solutions", fx.duplicate_row(2), len(fx.SOLUTIONS) + 2, "year", "duplicated key"),
    ],
    ids=["overflow", "nan-text", "too-many", "year-range", "lowercase-code", "text", "negative", "procedure",
         "fraction", "duplicate"],
)
def test_bad_cells(tmp_path: Path, sid, change, row, column, text) -> None:
    path = _write(tmp_path, sid)
    change(path)
    expect_error(unhcr.parse, path, row=row, column=column, text=text)


def test_unknown_and_unspecified_on_one_key_are_duplicates(tmp_path: Path) -> None:
    """UNK and UKN both become XXX: two rows for one store key are refused, not summed."""
    rows = [fx._row(2022, fx.UNK, fx.USA, None, 5, None, None), fx._row(2022, fx.FLOW_UNK, fx.USA, None, 7, None, None)]
    path = fx.write_table(tmp_path / "unhcr_flows.csv", fx.FLOWS_HEADER, rows)
    expect_error(unhcr.parse, path, row=3, column="year", text="duplicated key (year=2022, coo_iso=XXX")


def test_layout_refusals(tmp_path: Path) -> None:
    path = _write(tmp_path, "unhcr2025_population")
    lines = path.read_text(encoding="utf-8").split("\n")
    path.write_text("\n".join([*lines[:3], lines[3].rsplit(",", 1)[0], *lines[4:]]), encoding="utf-8")
    expect_error(unhcr.parse, path, row=4, column="hst", text="15 fields where the header has 16")
    path.write_text("\n".join([*lines[:2], lines[2] + ",7", *lines[3:]]), encoding="utf-8")
    expect_error(unhcr.parse, path, row=3, column=None, text="17 fields where the header has 16")
    path.write_text("\n".join([*lines[:2], "", *lines[2:]]), encoding="utf-8")
    expect_error(unhcr.parse, path, row=3, column=None, text="blank line inside the table")
    path.write_text(lines[0].replace("returned_idps", "idps") + "\n" + "\n".join(lines[1:]), encoding="utf-8")
    expect_error(unhcr.parse, path, row=1, column="idps", text="the header names column 'idps' twice")
    path.write_text(lines[0] + "\n", encoding="utf-8")
    expect_error(unhcr.parse, path, row=1, column=None, text="header but no data rows")
    gz = fx.write_table(tmp_path / "unhcr_demographics.csv.gz", fx.DEMOGRAPHICS_HEADER, [])
    expect_error(unhcr.parse, gz, row=1, column=None, text="header but no data rows")


def test_not_utf8(tmp_path: Path) -> None:
    path = _write(tmp_path, "unhcr2025_population")
    path.write_bytes(path.read_bytes().replace(b"Mexico", b"M\xe9xico", 1))
    expect_error(unhcr.parse, path, row=2, column="coo_name", text="byte 0xe9")
    gz = _write(tmp_path, "unhcr2025_asylum_decisions")
    fx.rewrite_bytes(lambda b: b.replace(b"India", b"\xffIndia", 1))(gz)
    expect_error(unhcr.parse, gz, row=2, column="coo_name", text="byte 0xff")
    gz.write_bytes(gzip.compress(b"year,coo")[:-6])
    expect_error(unhcr.parse, gz, row=None, column=None, text="cannot be read")


def test_unknown_table(tmp_path: Path) -> None:
    path = fx.write_table(tmp_path / "x.csv", [*fx.PLACE, "persons"], [fx._row(2022, fx.MEX, fx.USA, 5)])
    expect_error(unhcr.parse, path, row=1, column=None, text="not a known UNHCR Refugee Data Finder table")
    path = fx.write_table(tmp_path / "y.csv", ["iso3", "refugees"], [["MEX", 5]])
    expect_error(unhcr.parse, path, row=1, column=None, text="not a known UNHCR")


def test_idmc_rows_must_stay_in_country(tmp_path: Path) -> None:
    rows = [fx._row(2022, fx.MEX, fx.MEX, 5), fx._row(2022, fx.IND, fx.FRA, 5)]
    path = fx.write_table(tmp_path / "unhcr_idmc.csv", fx.TOTAL_HEADER, rows)
    expect_error(unhcr.parse_idmc, path, row=3, column="coa_iso", text="origin IND and asylum FRA differ")


def test_readers_are_reachable_directly(tmp_path: Path) -> None:
    written = fx.write(tmp_path)
    pd.testing.assert_frame_equal(unhcr_flows.parse_flows(written["unhcr2025_flows"]),
                                  unhcr.parse(written["unhcr2025_flows"]))
    assert header_names(written["unhcr2025_demographics"]) == fx.DEMOGRAPHICS_HEADER
