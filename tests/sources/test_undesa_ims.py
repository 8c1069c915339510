"""UN DESA International Migrant Stock tables, on generated files in the release's layouts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from migdev.errors import ParseError
from migdev.sources import undesa_ims
from tests.fixtures import official as fx
from tests.sources.parse_helpers import expect_error


def _spoil(path: Path, change: Callable[[bytes], bytes]) -> Path:
    path.write_bytes(change(path.read_bytes()))
    return path


@pytest.fixture
def bilateral(tmp_path: Path) -> Path:
    return fx.write_bilateral(tmp_path / "ims2024_bilateral_stock.csv")


def test_bilateral_values(bilateral: Path) -> None:
    df = undesa_ims.parse_bilateral(bilateral)
    assert list(df.columns) == list(undesa_ims.BILATERAL.columns)
    assert len(df) == 3 * (len(fx.BILATERAL_2024) + 2)
    row = df[(df.year == 2024) & (df.dest_m49 == 840) & (df.orig_m49 == 484)].set_index("sex")["persons"]
    assert row.to_dict() == {"female": 5_414_189, "male": 5_865_372, "total": 11_279_561}
    other = df[df.orig_m49 == undesa_ims.UNSPECIFIED_ORIGIN_M49]
    assert len(other) == 6 and other["orig_iso3"].isna().all()  # 'Other' is kept, with no ISO3
    assert df["revision"].unique().tolist() == [2024]
    assert str(df["persons"].dtype) == "Int64" and df["year"].dtype == "int64"


def test_bilateral_dispatch(bilateral: Path) -> None:
    pd.testing.assert_frame_equal(undesa_ims.parse(bilateral), undesa_ims.parse_bilateral(bilateral))


@pytest.mark.parametrize(
    ("change", "row", "column", "text"),
    [
        (fx.drop_column("persons"), 1, "persons", "missing column(s) 'persons'"),
        (fx.set_cell(4, "persons", "1,234"), 6, "persons", "'1,234' is not a number"),
        (fx.set_cell(0, "dest_m49", "8 40"), 2, "dest_m49", "'8 40' is not a number"),
        (fx.set_cell(1, "persons", "4576.5"), 3, "persons", "'4576.5' is not a whole number"),
        (fx.duplicate_row(7), 3 * (len(fx.BILATERAL_2024) + 2) + 2, "year", "duplicated key (year=2020, sex=male"),
        (fx.set_cell(2, "sex", "both"), 4, "sex", "unknown sex code 'both'"),
        (fx.set_cell(2, "persons", "999"), 4, "persons", "male + female != total at year=2020, dest_m49=840, "
                                                         "orig_m49=484 (5643615 + 5209490 != 999)"),
        (fx.set_cell(5, "orig_m49", ""), 7, "orig_m49", "required value is empty"),
        (fx.set_cell(0, "persons", "-5"), 2, "persons", "does not pass the IMS bilateral stock schema"),
        (fx.set_cell(0, "year", "1900"), 2, "year", "does not pass the IMS bilateral stock schema"),
        (fx.truncate_mid_line, 3 * (len(fx.BILATERAL_2024) + 2) + 1, "dest_m49", "3 fields where the header has 8"),
        (fx.insert_bytes(5, b"\xe9"), 5, "revision", "byte 0xe9 at offset"),
    ],
    ids=["missing-column", "thousands-separator", "text-in-code", "fraction", "duplicate", "sex-code", "sex-sum",
         "empty", "negative", "year-range", "truncated", "not-utf8"],
)
@pytest.mark.parametrize("reader", [undesa_ims.parse_bilateral, undesa_ims.parse], ids=["direct", "dispatch"])
def test_bilateral_errors(bilateral: Path, reader, change, row, column, text) -> None:
    _spoil(bilateral, change)
    if reader is undesa_ims.parse and text.startswith("missing column"):
        expect_error(reader, bilateral, row=1, column=None, text="not a known International Migrant Stock table")
        return
    expect_error(reader, bilateral, row=row, column=column, text=text)


def test_truncated_inside_a_number(bilateral: Path) -> None:
    """A cut inside the last number leaves every field in place: the missing line end gives it away."""
    data = bilateral.read_bytes().rstrip(b"\n")
    bilateral.write_bytes(data[:-3])  # the last total loses its last digits
    expect_error(undesa_ims.parse_bilateral, bilateral, row=3 * (len(fx.BILATERAL_2024) + 2) + 1, column=None,
                 text="has no line end: the file was cut inside it")


def test_sex_sum_is_checked(bilateral: Path) -> None:
    lines = bilateral.read_text().splitlines(keepends=True)
    total = next(i for i, line in enumerate(lines) if ",total," in line)
    fields = lines[total].rstrip("\n").split(",")
    fields[-1] = str(int(fields[-1]) + 1)
    lines[total] = ",".join(fields) + "\n"
    bilateral.write_text("".join(lines))
    expect_error(undesa_ims.parse_bilateral, bilateral, row=total + 1, column="persons", text="male + female != total")


def test_destination_2024(tmp_path: Path) -> None:
    path = fx.write_destination_2024(tmp_path / "ims2024_destination_totals.csv")
    df = undesa_ims.parse(path)
    assert list(df.columns) == list(undesa_ims.DESTINATION.columns)
    usa = df[(df.m49 == 840) & (df.year == 2024) & (df.sex == "total")].iloc[0]
    assert usa["migrant_stock"] == 11_279_561 + 3_186_999 + 1_600_000 + 215_000
    assert usa["population"] == 345_426_571 and usa["is_country"]
    assert pd.isna(usa["refugees"])
    world = df[df.m49 == 900]
    assert not world["is_country"].any() and world["iso3"].isna().all()


def test_destination_2020_official(tmp_path: Path) -> None:
    path = fx.write_destination_2020(tmp_path / "ims2020_destination_official.csv")
    df = undesa_ims.parse(path)
    chi = df[(df.m49 == 830) & (df.year == 2020) & (df.sex == "total")].iloc[0]
    assert chi["name"] == "Channel Islands*" and chi["iso3"] == "CHI" and chi["is_country"]
    assert chi["migrant_stock"] == 84_087 and pd.isna(chi["refugees"])
    usa = df[(df.m49 == 840) & (df.year == 2020) & (df.sex == "total")].iloc[0]
    assert usa["refugees"] == 1_189_312 and usa["type_of_data"] == "B"
    assert df.loc[df.m49 == 900, "is_country"].eq(False).all()


def test_destination_errors(tmp_path: Path) -> None:
    path = fx.write_destination_2020(tmp_path / "d.csv")
    _spoil(path, fx.set_cell(3, "is_country", "yes"))
    expect_error(undesa_ims.parse_destination_totals, path, row=5, column="is_country", text="'yes' is not True/False")
    path = fx.write_destination_2024(tmp_path / "d24.csv")
    _spoil(path, fx.set_cell(3, "migrant_stock", "1"))
    expect_error(undesa_ims.parse_destination_totals, path, row=7, column="migrant_stock",
                 text="male + female != total at year=2020, m49=840")


def test_origin_totals(tmp_path: Path) -> None:
    path = fx.write_origin(tmp_path / "ims_origin_totals.csv")
    df = undesa_ims.parse(path)
    assert sorted(df["revision"].unique()) == [2020, 2024]
    other = df[(df.m49 == 2003) & (df.revision == 2024) & (df.year == 2024) & (df.sex == "total")]
    assert other["emigrant_stock"].tolist() == [22_065_614]
    _spoil(path, fx.duplicate_row(0))
    expect_error(undesa_ims.parse_origin_totals, path, row=len(fx.origin_rows()) + 2, column="revision",
                 text="duplicated key (revision=2020, year=2015, sex=female, m49=900)")


def test_age(tmp_path: Path) -> None:
    path = fx.write_age(tmp_path / "ims2020_stock_by_age_sex_destination.csv")
    df = undesa_ims.parse(path)
    usa = df[(df.m49 == 840) & (df.sex == "total")].set_index("age_group")["persons"]
    assert usa["0-4"] == 455_633 and usa["total"] == 455_633 * 10
    fra = df[(df.m49 == 250) & (df.sex == "female") & (df.age_group == "75+")]
    assert fra["persons"].isna().all()  # the UN's '..' stays missing, never zero
    _spoil(path, fx.set_cell(0, "age_group", "0 to 4"))
    expect_error(undesa_ims.parse_age, path, row=2, column="age_group", text="does not pass the IMS stock by age")


def test_locations(tmp_path: Path) -> None:
    path = fx.write_locations(tmp_path / "ims_locations.csv")
    df = undesa_ims.parse(path)
    assert list(df.columns) == list(undesa_ims.LOCATIONS.columns)
    chi = df[df.m49 == 830].iloc[0]
    assert chi["iso3"] == "CHI" and chi["iso3_note"].startswith("CHI is the UN's own code")
    assert df.loc[df.m49 == 912, "iso3"].isna().all()  # blank code in the annex
    assert df["is_country"].sum() == 5
    assert df.loc[df.m49 == 840, "sdg_region_m49"].tolist() == [1829]
    _spoil(path, fx.set_cell(0, "is_country", "maybe"))
    expect_error(undesa_ims.parse_locations, path, row=2, column="is_country", text="'maybe' is not True/False")


def test_unknown_table(tmp_path: Path) -> None:
    path = fx.write_csv(tmp_path / "other.csv", ["a", "b"], [[1, 2]])
    expect_error(undesa_ims.parse, path, row=1, column=None, text="not a known International Migrant Stock table")


def test_sex_sum_skipped_without_all_three_sexes(tmp_path: Path) -> None:
    rows = [r for r in fx.bilateral_rows() if r[2] != "male"]
    df = undesa_ims.parse_bilateral(fx.write_bilateral(tmp_path / "b.csv", rows=rows))
    assert set(df["sex"]) == {"female", "total"}


def test_parse_error_is_a_value_error() -> None:
    assert issubclass(ParseError, ValueError)


def test_a_second_revision_inside_a_file_is_refused(bilateral: Path) -> None:
    _spoil(bilateral, fx.set_cell(4, "revision", "2020"))
    expect_error(undesa_ims.parse, bilateral, row=6, column="revision", text="a second revision 2020")
    _spoil(bilateral, fx.set_cell(4, "revision", "2023"))
    expect_error(undesa_ims.parse, bilateral, row=6, column="revision", text="revision 2023 is not one this file holds")


def test_origin_totals_hold_two_revisions_but_no_other(tmp_path: Path) -> None:
    path = fx.write_origin(tmp_path / "ims_origin_totals.csv")
    assert set(undesa_ims.parse(path)["revision"]) <= undesa_ims.ORIGIN_REVISIONS
    _spoil(path, fx.set_cell(0, "revision", "2019"))
    expect_error(undesa_ims.parse, path, row=2, column="revision", text="revision 2019 is not one this file holds")


def test_location_annex_refuses_a_duplicated_iso3(tmp_path: Path) -> None:
    path = fx.write_locations(tmp_path / "ims_locations.csv")
    df = undesa_ims.parse(path)
    coded = df[df["iso3"].notna()].reset_index()
    first, second = coded["index"].iloc[0], coded["index"].iloc[1]
    _spoil(path, fx.set_cell(int(second), "iso3", coded["iso3"].iloc[0]))
    expect_error(undesa_ims.parse, path, row=int(second) + 2, column="iso3",
                 text=f"ISO3 code {coded['iso3'].iloc[0]} is given to two locations (first at row {int(first) + 2})")


def test_official_workbook_is_handed_to_the_workbook_parser(tmp_path: Path) -> None:
    path = tmp_path / "undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ParseError, match="cannot be read as an Excel workbook"):
        undesa_ims.parse(path)
