"""World Population Prospects 2024 tables: thousands become persons, aggregates are flagged."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from migdev.sources import wpp
from tests.fixtures import official as fx
from tests.sources.parse_helpers import expect_error


def _spoil(path: Path, change) -> Path:
    path.write_bytes(change(path.read_bytes()))
    return path


def test_locations(tmp_path: Path) -> None:
    df = wpp.parse(fx.write_wpp_locations(tmp_path / "wpp2024_locations.csv"))
    assert list(df.columns) == list(wpp.LOCATIONS.columns)
    usa = df[df.m49 == 840].iloc[0]
    assert pd.isna(usa["reg_code"]) and usa["area_code"] == 905  # -1 means no parent
    assert df.loc[df.m49 == 412, "iso3"].tolist() == ["XKX"]
    assert set(df.loc[~df.is_country, "m49"]) == {900, 1829, 1503}


def test_annual_in_persons(tmp_path: Path) -> None:
    df = wpp.parse(fx.write_wpp_annual(tmp_path / "wpp2024_annual.csv"))
    assert list(df.columns) == list(wpp.ANNUAL.columns)
    usa = df[(df.m49 == 840) & (df.year == 2024)].iloc[0]
    assert usa["pop_jul1"] == 345_426_571  # 345426.571 thousand
    assert usa["variant"] == "medium"
    ind = df[(df.m49 == 356) & (df.year == 2024)].iloc[0]
    assert ind["pop_jul1"] == 1_450_935_791 and ind["net_migration"] < 0
    assert str(df["births"].dtype) == "Int64"


def test_half_persons_round(tmp_path: Path) -> None:
    rows = fx.wpp_annual_rows()[:1]
    rows[0][6] = "0.0005"  # half a person rounds to even
    rows[0][7] = "1.0015"
    df = wpp.parse_annual(fx.write_wpp_annual(tmp_path / "a.csv", rows=rows))
    assert df["pop_jul1"].tolist() == [0] and df["births"].tolist() == [1002]


def test_periods(tmp_path: Path) -> None:
    df = wpp.parse(fx.write_wpp_periods(tmp_path / "wpp2024_periods_midyear.csv"))
    assert list(df.columns) == list(wpp.PERIODS.columns)
    usa = df[(df.m49 == 840) & (df.period_start == 2020) & (df.period_end == 2025)].iloc[0]
    assert usa["pop_end"] == round(345426.571 * 1.01 * 1000)
    assert usa["variant"] == "estimate+medium"


def test_periods_missing_variant_is_an_estimate(tmp_path: Path) -> None:
    rows = fx.wpp_periods_rows()
    for r in rows:
        r[-1] = ""
    df = wpp.parse_periods(fx.write_wpp_periods(tmp_path / "p.csv", rows=rows))
    assert set(df["variant"]) == {"estimate"}


def test_periods_end_before_start(tmp_path: Path) -> None:
    path = _spoil(fx.write_wpp_periods(tmp_path / "p.csv"), fx.set_cell(0, "year_end", "1940"))
    with pytest.raises(Exception, match="period_end must follow period_start"):
        wpp.parse_periods(path)


def test_population_by_sex_long(tmp_path: Path) -> None:
    df = wpp.parse(fx.write_wpp_by_sex(tmp_path / "wpp2024_pop_jul1_5yr_by_sex.csv"))
    assert list(df.columns) == list(wpp.POPULATION_BY_SEX.columns)
    assert len(df) == 3 * len(fx.wpp_by_sex_rows())
    usa = df[(df.m49 == 840) & (df.year == 2025)].set_index("sex")["persons"]
    assert usa["male"] + usa["female"] == usa["total"]


@pytest.mark.parametrize(
    ("writer", "reader", "change", "row", "column", "text"),
    [
        (fx.write_wpp_annual, wpp.parse_annual, fx.drop_column("pop_jul1"), 1, "pop_jul1", "missing column"),
        (fx.write_wpp_annual, wpp.parse_annual, fx.set_cell(2, "births", "n/a"), 4, "births", "'n/a' is not a number"),
        (fx.write_wpp_annual, wpp.parse_annual, fx.set_cell(2, "year", "2023.5"), 4, "year", "not a whole number"),
        (fx.write_wpp_annual, wpp.parse_annual, fx.duplicate_row(1), len(fx.wpp_annual_rows()) + 2, "loc_code",
         "duplicated key (loc_code=900, year=2024)"),
        (fx.write_wpp_annual, wpp.parse_annual, fx.set_cell(0, "is_country", "1"), 2, "is_country",
         "'1' is not True/False"),
        (fx.write_wpp_annual, wpp.parse_annual, fx.set_cell(0, "variant", "high"), 2, "variant",
         "does not pass the WPP annual schema"),
        (fx.write_wpp_annual, wpp.parse_annual, fx.set_cell(0, "year", ""), 2, "year", "required value is empty"),
        (fx.write_wpp_annual, wpp.parse_annual, fx.truncate_mid_line, len(fx.wpp_annual_rows()) + 1, "pop_jul1",
         "6 fields where the header has 17"),
        (fx.write_wpp_annual, wpp.parse, fx.insert_bytes(3, b"\x80"), 3, "loc_code", "byte 0x80"),
        (fx.write_wpp_locations, wpp.parse_locations, fx.duplicate_row(0), len(fx.WPP_PLACES) + 2, "loc_code",
         "duplicated key (loc_code=900)"),
        (fx.write_wpp_periods, wpp.parse_periods, fx.set_cell(1, "deaths", "x"), 3, "deaths", "is not a number"),
        (fx.write_wpp_by_sex, wpp.parse_population_by_sex, fx.set_cell(1, "pop_male", "-1"), 3, "pop_male",
         "does not pass the WPP population by sex schema"),
    ],
    ids=["missing-column", "text-in-number", "fraction", "duplicate", "flag", "variant", "empty", "truncated",
         "not-utf8", "locations-duplicate", "periods-text", "negative"],
)
def test_errors(tmp_path: Path, writer, reader, change, row, column, text) -> None:
    path = _spoil(writer(tmp_path / "wpp.csv"), change)
    expect_error(reader, path, row=row, column=column, text=text)


def test_unknown_table(tmp_path: Path) -> None:
    path = fx.write_csv(tmp_path / "x.csv", ["loc_code", "value"], [[4, 1]])
    expect_error(wpp.parse, path, row=1, column=None, text="not a known World Population Prospects table")


def test_population_by_sex_must_add_up(tmp_path: Path) -> None:
    path = fx.write_wpp_by_sex(tmp_path / "wpp.csv")
    df = wpp.parse_population_by_sex(path)
    assert len(df)
    original = path.read_text().splitlines()[1].split(",")
    header = path.read_text().splitlines()[0].split(",")
    total = float(original[header.index("pop_total")])
    _spoil(path, fx.set_cell(0, "pop_total", f"{total + 0.01:.3f}"))  # within rounding: accepted
    wpp.parse_population_by_sex(path)
    _spoil(path, fx.set_cell(0, "pop_total", f"{total + 1:.3f}"))
    expect_error(wpp.parse_population_by_sex, path, row=2, column="pop_total",
                 text="pop_male + pop_female != pop_total")
