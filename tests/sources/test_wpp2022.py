"""WPP 2022's wide tab-separated tables: the header found by text, refused cells, the backward population account
and the mid-year periods."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from migdev.harmonise import Harmoniser
from migdev.sources import wpp2022
from tests.fixtures import wpp2022 as fx
from tests.sources.contract import SourceContract, _Log
from tests.sources.parse_helpers import expect_error


class TestWpp2022(SourceContract):
    product = wpp2022
    fixtures = fx


def _births(tmp_path: Path, text: str | None = None) -> Path:
    return fx.write_wide(tmp_path / "births.txt", "births", fx.ESTIMATES, text)


def _store(tmp_path: Path, places) -> tuple[dict[str, pd.DataFrame], _Log]:
    frames = {sid: wpp2022.parse(path) for sid, path in fx.write(tmp_path).items()}
    log = _Log()
    return wpp2022.to_store(frames, Harmoniser(places, log)), log


# ----------------------------------------------------------------------------------------------------- parsing
def test_wide_table_long_in_thousands(tmp_path: Path) -> None:
    df = wpp2022.parse(_births(tmp_path))
    assert list(df.columns) == list(wpp2022.COMPONENTS.columns)
    assert len(df) == len(fx.PLACES) * len(fx.ESTIMATES)
    ind = df[(df.country_code == 356) & (df.year == 1990)].iloc[0]
    assert ind["thousands"] == fx.model(356)["births"][1990] and ind["variant"] == "estimate"


def test_migration_variant_follows_the_year(tmp_path: Path) -> None:
    df = wpp2022.parse(fx.write_wide(tmp_path / "migration.txt", "net_migration", range(2019, 2025)))
    variants = df.drop_duplicates("year").set_index("year")["variant"]
    assert variants.to_dict() == {2019: "estimate", 2020: "estimate", 2021: "estimate", 2022: "medium",
                                  2023: "medium", 2024: "medium"}
    assert (df.loc[df.country_code == 356, "thousands"] < 0).all()  # net migration may be negative


def test_header_after_a_preamble_and_crlf(tmp_path: Path) -> None:
    text = "WPP 2022 births\n\n" + fx.wide_text("births", fx.ESTIMATES)
    path = _births(tmp_path, text.replace("\n", "\r\n"))
    df = wpp2022.parse_births(path)
    assert len(df) == len(fx.PLACES) * len(fx.ESTIMATES)
    expect_error(wpp2022.parse_births, _births(tmp_path, text.replace("\t1990\t", "\tx\t")), row=3, column="x",
                 text="header 'x' is not a year")


@pytest.mark.parametrize("marker", ["", "NA"])
def test_missing_cell_is_na_never_zero(tmp_path: Path, marker: str) -> None:
    path = _births(tmp_path)
    path.write_bytes(fx.set_cell(3, "2000", marker)(path.read_bytes()))
    df = wpp2022.parse(path)
    cell = df[(df.country_code == 840) & (df.year == 2000)]["thousands"]
    assert cell.isna().all() and df["thousands"].notna().sum() == len(df) - 1


def test_locations(tmp_path: Path) -> None:
    df = wpp2022.parse(fx.write_locations(tmp_path / "UNlocations.txt"))
    assert list(df.columns) == list(wpp2022.LOCATIONS.columns)
    assert set(df.loc[~df.is_country, "country_code"]) == {900, 1829, 1503}
    world = df[df.country_code == 900].iloc[0]
    assert pd.isna(world["reg_code"]) and pd.isna(world["area_code"])  # -1: no parent


def _spoiled(tmp_path: Path, change) -> Path:
    path = _births(tmp_path)
    path.write_bytes(change(path.read_bytes()))
    return path


def _edit(old: bytes, new: bytes):
    return lambda data: data.replace(old, new, 1)


def _drop_last_cell(data: bytes) -> bytes:
    lines = data.split(b"\n")
    lines[2] = lines[2].rsplit(b"\t", 1)[0]
    return b"\n".join(lines)


def _extra_cell(data: bytes) -> bytes:
    lines = data.split(b"\n")
    lines[2] += b"\t9"
    return b"\n".join(lines)


@pytest.mark.parametrize(
    ("change", "row", "column", "text"),
    [
        (fx.set_cell(1, "1960", "12,5"), 3, "1960", "'12,5' is not a number"),
        (fx.set_cell(4, "2021", "1e400"), 6, "2021", "is not a finite number"),
        (fx.set_cell(2, "1950", "-inf"), 4, "1950", "is not a finite number"),
        (fx.set_cell(3, "1970", "-1"), 5, "1970", "out of range (negative"),
        (fx.set_cell(3, "1970", "25000000"), 5, "1970", "out of range"),
        (fx.set_cell(0, "country_code", "9.5"), 2, "country_code", "not a whole number"),
        (fx.set_cell(0, "country_code", ""), 2, "country_code", "not a whole number"),
        (fx.set_cell(1, "country", ""), 3, "country", "required value is empty"),
        (fx.set_cell(2, "country_code", "840"), 5, "country_code", "duplicated key (country_code=840)"),
        (_drop_last_cell, 3, "2021", "73 fields where the header has 74"),
        (_extra_cell, 3, None, "75 fields where the header has 74"),
        (_edit(b"\t1953\t", b"\t1952\t"), 1, "1952", "the header names column '1952' twice"),
        (_edit(b"\t1953\t", b"\t2053\t"), 1, "2053", "year columns are not consecutive: 1952 then 2053"),
        (lambda data: data.split(b"\n")[0] + b"\n", 1, None, "the table has a header but no data rows"),
        (_edit(b"Mexico", b"M\xe9xico"), 6, "country", "byte 0xe9"),
        (_edit(b"country_code", b"code"), 1, "country_code", "missing column(s) 'country_code'"),
    ],
    ids=["text", "overflow", "minus-inf", "negative", "too-large", "fraction-code", "empty-code", "empty-name",
         "duplicate", "short-row", "long-row", "duplicate-header", "year-gap", "header-only", "not-utf8",
         "no-header"],
)
def test_errors(tmp_path: Path, change, row, column, text) -> None:
    expect_error(wpp2022.parse_births, _spoiled(tmp_path, change), row=row, column=column, text=text)


def test_unknown_wide_table(tmp_path: Path) -> None:
    path = fx.write_wide(tmp_path / "cbr.txt", "births", fx.ESTIMATES)
    expect_error(wpp2022.parse, path, row=1, column=None, text="not a known World Population Prospects 2022 table")


def test_locations_errors(tmp_path: Path) -> None:
    path = fx.write_locations(tmp_path / "UNlocations.txt")
    path.write_bytes(fx.set_cell(1, "country_code", "900")(path.read_bytes()))
    expect_error(wpp2022.parse, path, row=3, column="country_code", text="duplicated key (country_code=900)")


# ------------------------------------------------------------------------------------------------------ the store
def test_population_rebuilt_backwards(tmp_path: Path, fixture_places) -> None:
    """1 July = the mean of the adjacent 31 Decembers of the fixture's forward model, for years long before the
    one published population (31 Dec 2022) and after it."""
    tables, _ = _store(tmp_path, fixture_places)
    pop = tables["population"].set_index(["iso3", "year"])["persons"]
    jan1 = tables["vital_annual"].set_index(["iso3", "year"])["pop_jan1"]
    for iso3, code in (("IND", 356), ("MEX", 484), ("GGY", 831)):
        model = fx.dec31(code)
        for year in (1950, 1990, 2021, 2022, 2030):
            assert abs(pop[(iso3, year)] - (model[year - 1] + model[year]) / 2 * 1000) <= 1, (iso3, year)
            assert abs(jan1[(iso3, year)] - model[year - 1] * 1000) <= 1
    assert set(tables["population"]["year"]) == set(wpp2022.YEARS)
    assert set(tables["population"]["sex"]) == {"total"} and set(tables["population"]["revision"]) == {"2022"}
    variants = tables["population"].drop_duplicates("year").set_index("year")["variant"]
    assert variants[2021] == "estimate" and variants[2022] == "medium"


def test_components_in_persons(tmp_path: Path, fixture_places) -> None:
    tables, _ = _store(tmp_path, fixture_places)
    annual = tables["vital_annual"].set_index(["iso3", "year"])
    assert list(tables["vital_annual"].columns) == ["revision", "year", "iso3", "pop_jan1", "births", "deaths",
                                                    "net_migration", "variant"]
    assert annual.loc[("USA", 2000), "births"] == round(fx.model(840)["births"][2000] * 1000)
    assert annual.loc[("IND", 2025), "net_migration"] == round(fx.model(356)["net_migration"][2025] * 1000)
    assert annual.loc[("IND", 2025), "variant"] == "medium"


def test_aggregates_apart(tmp_path: Path, fixture_places) -> None:
    tables, log = _store(tmp_path, fixture_places)
    for name in ("population", "vital_annual", "vital"):
        assert set(tables[name]["iso3"]) == {"USA", "MEX", "IND", "FRA", "GGY", "JEY", "XKX"}, name
    values = tables["area_group_value"]
    world = values[(values.group_id == "m49:900") & (values.year == 2000)].set_index("measure")
    assert world.loc["births", "value"] == round(fx.model(900)["births"][2000] * 1000)
    assert world.loc["net_migration", "value"] == 0
    assert world.loc["births", "source_id"] == "wpp2022_births"
    assert world.loc["pop_jul1", "source_id"] == "wpp2022_population_medium"
    said = " ".join(message for _, message in log.lines)
    assert "Holy See (336) is a listed country with no WPP 2022 values" in said
    assert "period totals of aggregates" in said and not log.unmatched


def test_periods_half_the_end_years(tmp_path: Path, fixture_places) -> None:
    tables, _ = _store(tmp_path, fixture_places)
    vital = tables["vital"].set_index(["iso3", "period_start", "period_end"])
    assert sorted(set(vital.index.droplevel(0))) == list(wpp2022.PERIODS)
    births = fx.model(484)["births"]
    expected = births[2015] / 2 + sum(births[y] for y in range(2016, 2020)) + births[2020] / 2
    row = vital.loc[("MEX", 2015, 2020)]
    assert abs(row["births"] - expected * 1000) <= 1
    pop = tables["population"].set_index(["iso3", "year"])["persons"]
    assert (row["pop_start"], row["pop_end"]) == (pop[("MEX", 2015)], pop[("MEX", 2020)])
    assert row["variant"] == "estimate" and vital.loc[("MEX", 2020, 2025), "variant"] == "estimate+medium"


def test_midyear_periods_rule() -> None:
    annual = pd.DataFrame({"m49": 1, "year": [2000, 2001, 2002], "births": [2.0, 10.0, 4.0],
                           "deaths": [1.0, 1.0, np.nan], "net_migration": [-2.0, 0.0, 2.0],
                           "pop_jul1": [100.0, 105.0, 110.0], "variant": ["estimate", "estimate", "medium"]})
    out = wpp2022.midyear_periods(annual, [(2000, 2002), (2000, 2001)], key="m49").set_index("period_end")
    assert out.loc[2002, "births"] == 1 + 10 + 2 and out.loc[2002, "net_migration"] == 0
    assert pd.isna(out.loc[2002, "deaths"]) and out.loc[2001, "deaths"] == 1.0  # NA where a year is NA
    assert (out.loc[2002, "pop_start"], out.loc[2002, "pop_end"]) == (100.0, 110.0)
    assert out["variant"].to_dict() == {2002: "estimate+medium", 2001: "estimate"}
    with pytest.raises(ValueError, match="needs every year"):
        wpp2022.midyear_periods(annual, [(2000, 2005)], key="m49")


def test_dec31_backwards() -> None:
    change = pd.DataFrame({2020: [10.0, 1.0], 2021: [20.0, np.nan], 2022: [30.0, 3.0]}, index=[1, 2])
    projected = pd.DataFrame({2022: [1000.0, 50.0], 2023: [1040.0, 54.0]}, index=[1, 2])
    dec31 = wpp2022.dec31_population(change, projected)
    assert dec31.loc[1].to_dict() == {2019: 940.0, 2020: 950.0, 2021: 970.0, 2022: 1000.0, 2023: 1040.0}
    assert dec31.loc[2, 2021] == 47.0 and dec31.loc[2, [2019, 2020]].isna().all()  # NA goes back, not forward
    with pytest.raises(ValueError, match="cannot be rebuilt"):
        wpp2022.dec31_population(change[[2020, 2022]], projected)


def test_two_files_for_one_year(tmp_path: Path, fixture_places) -> None:
    frames = {sid: wpp2022.parse(path) for sid, path in fx.write(tmp_path).items()}
    frames["wpp2022_births_medium"] = pd.concat([frames["wpp2022_births_medium"],
                                                 frames["wpp2022_births"].tail(1)], ignore_index=True)
    with pytest.raises(ValueError, match="two files give births of 2021"):
        wpp2022.to_store(frames, Harmoniser(fixture_places, _Log()))
    del frames["wpp2022_population_medium"]
    with pytest.raises(ValueError, match=r"popprojMed\.txt"):
        wpp2022.to_store(frames, Harmoniser(fixture_places, _Log()))
