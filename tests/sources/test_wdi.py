"""World Development Indicators: the mirror's long table and the World Bank's wide download."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from migdev.sources import wdi
from tests.fixtures import official as fx
from tests.sources.parse_helpers import expect_error


def _spoil(path: Path, change) -> Path:
    path.write_bytes(change(path.read_bytes()))
    return path


def test_long(tmp_path: Path) -> None:
    df = wdi.parse(fx.write_wdi_long(tmp_path / "wdi_long.csv"))
    assert list(df.columns) == list(wdi.SERIES.columns)
    ind = df[(df.iso3 == "IND") & (df.year == 2023)].iloc[0]
    assert ind["value"] == 119_528_000_000.0 and ind["vintage"] == "iom_gdidata_2025"
    assert df["value"].dtype == float


def test_countries(tmp_path: Path) -> None:
    df = wdi.parse(fx.write_wdi_countries(tmp_path / "wdi_country_metadata.csv"))
    assert list(df.columns) == list(wdi.COUNTRIES.columns)
    assert set(df.loc[df.is_aggregate, "iso3"]) == {"WLD", "HIC"}
    assert df.set_index("iso3").at["XKX", "iso2"] == "XK"


def test_indicators(tmp_path: Path) -> None:
    df = wdi.parse(fx.write_wdi_indicators(tmp_path / "wdi_indicators.csv"))
    assert df.to_dict("list") == {"indicator": [fx.REMITTANCES_IN, fx.GDP],
                                  "title": ["Personal remittances, received (current US$)", "GDP (current US$)"]}


def test_official_wide_layout(tmp_path: Path) -> None:
    path = fx.write_wdi_official(tmp_path / "API_BM.TRF.PWKR.CD.DT_DS2_en_csv_v2_3012027.csv")
    text = path.read_text(encoding="utf-8")
    assert text.startswith('\ufeff"Data Source","World Development Indicators",\n\n"Last Updated Date"')
    df = wdi.parse(path)
    pd.testing.assert_frame_equal(df, wdi.parse_official(path))
    assert list(df.columns) == list(wdi.SERIES.columns)
    assert len(df) == sum(len(v) for v in fx.WDI_WIDE.values())  # blank years are dropped
    assert set(df["vintage"]) == {"wb_2021-09-15"}
    assert set(df["indicator"]) == {fx.REMITTANCES_OUT}
    mex = df[df.iso3 == "MEX"].set_index("year")["value"]
    assert mex.to_dict() == {2019: 1_100_000_000.0, 2020: 1_050_000_000.5}


def test_official_same_frame_as_long(tmp_path: Path) -> None:
    wide = wdi.parse(fx.write_wdi_official(tmp_path / "wide.csv", {("Mexico", "MEX"): {2022: 1.5, 2023: 2.5}},
                                           indicator=("x", fx.REMITTANCES_IN), years=range(2020, 2024)))
    rows = [["MEX", "Mexico", "False", 2022, fx.REMITTANCES_IN, 1.5, "wb_2021-09-15"],
            ["MEX", "Mexico", "False", 2023, fx.REMITTANCES_IN, 2.5, "wb_2021-09-15"]]
    long = wdi.parse(fx.write_wdi_long(tmp_path / "long.csv", rows=rows))
    pd.testing.assert_frame_equal(wide, long)


def test_official_without_last_updated(tmp_path: Path) -> None:
    path = fx.write_wdi_official(tmp_path / "w.csv")
    path.write_text(path.read_text(encoding="utf-8").replace("Last Updated Date", "Updated"), encoding="utf-8")
    assert set(wdi.parse_official(path)["vintage"]) == {"wb_unknown"}


def test_official_errors(tmp_path: Path) -> None:
    path = fx.write_wdi_official(tmp_path / "w.csv", {("Mexico", "MEX"): {2000: "1.2e9x"}})
    expect_error(wdi.parse, path, row=6, column="2000", text="'1.2e9x' is not a number")
    path = fx.write_wdi_official(tmp_path / "w.csv", {("Mexico", "MEX"): {2000: 1}, ("Mexico 2", "MEX"): {2000: 2}})
    expect_error(wdi.parse_official, path, row=7, column="Country Code",
                 text="duplicated key (Country Code=MEX, Indicator Code=BM.TRF.PWKR.CD.DT)")
    path = fx.write_wdi_official(tmp_path / "w.csv", {("Mexico", "MEXX"): {2000: 1}})
    expect_error(wdi.parse_official, path, row=6, column="Country Code", text="does not pass the WDI series schema")
    path = fx.write_wdi_official(tmp_path / "w.csv", {("Mexico", "MEX"): {}}, years=[])
    expect_error(wdi.parse_official, path, row=5, column=None, text="no year columns after the header")
    path = fx.write_wdi_official(tmp_path / "w.csv", {("Mexico", ""): {2000: 1}})
    expect_error(wdi.parse_official, path, row=6, column="Country Code", text="required value is empty")
    path = fx.write_wdi_official(tmp_path / "w.csv", {("M\u00e9xico", "MEX"): {2000: 1}})
    path.write_bytes(path.read_bytes().replace("\u00e9".encode(), b"\xe9"))
    expect_error(wdi.parse, path, row=6, column="Country Name", text="byte 0xe9")


@pytest.mark.parametrize(
    ("writer", "reader", "change", "row", "column", "text"),
    [
        (fx.write_wdi_long, wdi.parse_long, fx.drop_column("value"), 1, "value", "missing column(s) 'value'"),
        (fx.write_wdi_long, wdi.parse_long, fx.set_cell(1, "value", ".."), 3, "value", "'..' is not a number"),
        (fx.write_wdi_long, wdi.parse_long, fx.set_cell(1, "year", "2022.5"), 3, "year", "not a whole number"),
        (fx.write_wdi_long, wdi.parse_long, fx.duplicate_row(2), len(fx.WDI_VALUES) + 2, "iso3",
         "duplicated key (iso3=MEX, year=2022"),
        (fx.write_wdi_long, wdi.parse_long, fx.set_cell(1, "source", ""), 3, "source", "required value is empty"),
        (fx.write_wdi_long, wdi.parse_long, fx.set_cell(1, "iso3", "mex"), 3, "iso3", "WDI series schema"),
        (fx.write_wdi_long, wdi.parse_long, fx.truncate_mid_line, len(fx.WDI_VALUES) + 1, "indicator",
         "4 fields where the header has 7"),
        (fx.write_wdi_long, wdi.parse, fx.insert_bytes(2), 2, "iso3", "byte 0xff"),
        (fx.write_wdi_countries, wdi.parse_countries, fx.set_cell(0, "is_aggregate", "no"), 2, "is_aggregate",
         "'no' is not True/False"),
        (fx.write_wdi_countries, wdi.parse_countries, fx.duplicate_row(0), len(fx.WDI_ECONOMIES) + 2, "iso3",
         "duplicated key (iso3=USA)"),
        (fx.write_wdi_indicators, wdi.parse_indicators, fx.set_cell(0, "title", ""), 2, "title",
         "required value is empty"),
    ],
    ids=["missing-column", "text-in-number", "fraction", "duplicate", "empty", "schema", "truncated", "not-utf8",
         "flag", "countries-duplicate", "indicators-empty"],
)
def test_errors(tmp_path: Path, writer, reader, change, row, column, text) -> None:
    path = _spoil(writer(tmp_path / "wdi.csv"), change)
    expect_error(reader, path, row=row, column=column, text=text)


def test_unknown_file(tmp_path: Path) -> None:
    path = fx.write_csv(tmp_path / "x.csv", ["iso3", "year"], [["MEX", 2000]])
    expect_error(wdi.parse, path, row=1, column=None, text="not a known World Development Indicators table")
