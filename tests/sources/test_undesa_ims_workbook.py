"""Tests for the official UN DESA IMS "by destination" workbook parser.

Unit tests build small workbooks in both official layouts (2020: one header row; 2019: two header rows,
heading rows, an ANNEX) with openpyxl; real-data tests read the official files from the mirror.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from migdev.errors import ParseError
from migdev.sources.undesa_ims_workbook import SCHEMA, parse
from migdev.sources.xlsx_tables import column_letter

openpyxl = pytest.importorskip("openpyxl")

# Three years per block: in the generated sheets the blocks start in columns F, I and L (2019 Table 2: E, H, K).
YEARS = (2010, 2015, 2020)
PERIODS = ("2010-2015", "2015-2020")
SEX_TITLES_2020 = ("both sexes combined", "males", "females")
SEX_TITLES_2019 = ("(both sexes)", "(male)", "(female)")

Sheets = dict[str, list[list[object]]]

# (sort order, name as the UN writes it, notes, code, type of data); a code of "" marks a heading row.
LOCATIONS_2020 = [
    (1, "WORLD", "", 900, ""),
    (2, "UN development groups", "", "", ""),
    (3, " AFRICA", "", 903, ""),
    (4, "   Burundi", "", 108, "B R "),
    (5, "   Mauritius*", 1, 480, "C"),
]
LOCATIONS_2019 = [
    (1, "WORLD", "", 900, ""),
    (2, "UN development groups", "", "", ""),
    (3, "Africa", "", 903, ""),
    (4, "Burundi", "", 108, "B R"),
    (5, "Mauritius", 1, 480, "CR"),
]
DATA_CODES = (900, 903, 108, 480)


# --- values the generated workbooks hold, as functions so tests can state the expected output --------------


def stock(k: int, sex: str, j: int) -> int:
    """Table 1 for the k-th data location, sex and j-th year; total = male + female."""
    male, female = 1000 * (k + 1) + 10 * j, 900 * (k + 1) + 7 * j
    return {"male": male, "female": female, "total": male + female}[sex]


def population_thousands(k: int, sex: str, j: int) -> float:
    return {"total": 2000.5, "male": 1000.25, "female": 1000.25}[sex] * (k + 1) + j + 0.0004


def share_pct(k: int, sex: str, j: int) -> float:
    return 2.5 + k + j * 0.1 + {"total": 0.0, "male": 0.01, "female": 0.02}[sex]


def female_pct(k: int, j: int) -> float:
    return 45.0 + k + j


def rate_pct(k: int, sex: str, p: int) -> float:
    return -1.5 + k + p + {"total": 0.0, "male": 0.3, "female": 0.6}[sex]


def refugees(k: int, j: int) -> int:
    return 100 * (k + 1) + j


def refugee_pct(k: int, j: int) -> float:
    return 5.0 + k + j * 0.5


# Cells that are ".." in the generated Table 1: Mauritius (k = 3) in 2010, all sexes.
def na_cell(k: int, j: int) -> bool:
    return k == 3 and j == 0


# --- workbook builders ----------------------------------------------------------------------------------------


def _blocks(sheet_no: int, layout: str) -> list[tuple[str, list[object], Callable[[int, int], object]]]:
    """(title, year-row labels, value(k, i)) per block of a table, in the official order."""
    sexes = ("total", "male", "female")
    titles = SEX_TITLES_2020 if layout == "2020" else SEX_TITLES_2019
    sep = ", " if layout == "2020" else " "
    years: list[object] = [float(y) for y in YEARS]

    def per_year(fn: Callable[[int, str, int], object], sex: str) -> Callable[[int, int], object]:
        return lambda k, j: fn(k, sex, j)

    if sheet_no == 1:

        def t1(sex: str) -> Callable[[int, int], object]:
            return lambda k, j: ".." if na_cell(k, j) else float(stock(k, sex, j))

        return [
            (f"International migrant stock at mid-year{sep}{t}", years, t1(s))
            for s, t in zip(sexes, titles, strict=True)
        ]
    if sheet_no == 2:
        if layout == "2020":
            names = [f"Total population at mid-year, {t} (thousands)" for t in titles]
        else:
            names = [
                "Total population of both sexes at mid-year (thousands)g",
                "Total male population at mid-year (thousands)",
                "Total female population at mid-year (thousands)",
            ]
        return [(n, years, per_year(population_thousands, s)) for s, n in zip(sexes, names, strict=True)]
    if sheet_no == 3:
        return [
            (
                f"International migrant stock as a percentage of the total population{sep}{t}",
                years,
                per_year(share_pct, s),
            )
            for s, t in zip(sexes, titles, strict=True)
        ]
    if sheet_no == 4:
        return [
            ("Female migrants as a percentage of the international migrant stock", years, lambda k, j: female_pct(k, j))
        ]
    if sheet_no == 5:
        return [
            (f"Annual rate of change of the migrant stock{sep}{t}", list(PERIODS), per_year(rate_pct, s))
            for s, t in zip(sexes, titles, strict=True)
        ]
    both = SEX_TITLES_2020[0] if layout == "2020" else "(both sexes)"
    return [
        (f"Refugee and asylum seekers at mid-year{sep}{both}", years, lambda k, j: float(refugees(k, j))),
        (
            "Refugee and asylum seekers as a percentage of the international migrant stock",
            years,
            lambda k, j: refugee_pct(k, j),
        ),
        ("Annual rate of change of the refugee and asylum seekers", list(PERIODS), lambda k, j: 3.0),
    ]


def _table(sheet_no: int, layout: str) -> list[list[object]]:
    blocks = _blocks(sheet_no, layout)
    locations = LOCATIONS_2020 if layout == "2020" else LOCATIONS_2019
    has_type = not (layout == "2019" and sheet_no == 2)  # the official 2019 Table 2 has no type column
    ident = 5 if has_type else 4
    width = ident + sum(len(labels) for _, labels, _ in blocks)
    title_row = [""] * width
    year_row = [""] * width
    c = ident
    for title, labels, _ in blocks:
        title_row[c] = title
        for i, label in enumerate(labels):
            year_row[c + i] = label
        c += len(labels)
    data: list[list[object]] = []
    k = 0
    for sort, name, notes, code, type_ in locations:
        row: list[object] = [float(sort), name, notes, float(code) if code != "" else ""]
        if has_type:
            row.append(type_)
        if code == "":
            row += [".."] * (width - ident)
        else:
            for _, labels, value in blocks:
                row += [value(k, j) for j in range(len(labels))]
            k += 1
        data.append(row)
    if layout == "2020":
        header = ["", "Region, development group, country or area", "Notes", "Location code", "Type of data"]
        header += year_row[ident:]
        return [
            ["International Migrant Stock 2020: Destination"],
            [f"Table {sheet_no}: International migrant stock ..."],
            ["POP/DB/MIG/Stock/Rev.2020"],
            [
                "Suggested citation: United Nations Department of Economic and Social Affairs, Population "
                "Division (2020). International Migrant Stock 2020."
            ],
            ["Copyright © 2020 by United Nations, made available under a Creative Commons license CC BY 3.0 IGO"],
            [],
            title_row,
            [],
            [],
            header,
            *data,
        ]
    header = ["Sort\norder", "Major area, region, country or area of destination", "Notes", "Code"]
    if has_type:
        header.append("Type of data (a)")
    header += title_row[ident:]
    return [
        [],
        [],
        [],
        [],  # the official 2019 sheets start on row 5
        ["Workbook: UN_MigrantStockTotal_2019.xlsx"],
        [f"Table {sheet_no} - International migrant stock ..."],
        [],
        ["Copyright © 2019 by United Nations, made available under a Creative Commons license CC BY 3.0 IGO"],
        [
            "Suggested citation: United Nations, Department of Economic and Social Affairs. Population Division "
            "(2019). International Migrant Stock 2019 (United Nations database, POP/DB/MIG/Stock/Rev.2019)."
        ],
        [],
        header,
        year_row,
        *data,
    ]


def _annex() -> list[list[object]]:
    rows: list[list[object]] = [
        [],
        [],
        [],
        [],
        ["Workbook: UN_MigrantStockTotal_2019.xlsx"],
        ["ANNEX. Classification of countries and areas by major area and region"],
        [],
    ]
    rows.append(
        [
            "Index",
            "Region, subregion, country or area",
            "Notes",
            "Code",
            "Type of data",
            "More Developed Regions",
            "Less Developed Regions",
            "Least developed countries",
        ]
    )
    for sort, name, notes, code, type_ in LOCATIONS_2019:
        country = code != "" and code < 900
        rows.append(
            [
                float(sort),
                name,
                notes,
                float(code) if code != "" else "",
                type_,
                "",
                "Y" if country else "",
                "Y" if code == 108 else "",
            ]
        )
    return rows


def sheets_2020() -> Sheets:
    sheets: Sheets = {"Table of contents": [["International Migrant Stock 2020: Destination"]]}
    for n in range(1, 7):
        sheets[f"Table {n}"] = _table(n, "2020")
    sheets["Notes"] = [["Notes"]]
    return sheets


def sheets_2019() -> Sheets:
    sheets: Sheets = {"CONTENTS": [["TABLE OF CONTENTS"]]}
    for n in range(1, 7):
        sheets[f"Table {n}"] = _table(n, "2019")
    sheets["ANNEX"] = _annex()
    sheets["NOTES"] = [["NOTES"]]
    return sheets


def write(path: Path, sheets: Sheets) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value != "" and value is not None:
                    ws.cell(row=r, column=c, value=value)
    wb.save(path)
    return path


def col_index(letter: str) -> int:
    n = 0
    for ch in letter:
        n = n * 26 + ord(ch) - 64
    return n - 1


def set_cell(sheets: Sheets, sheet: str, ref: str, value: object) -> None:
    """Set an Excel reference such as 'G12' in the row lists (1-based rows, letter columns)."""
    letters = "".join(ch for ch in ref if ch.isalpha())
    r, c = int(ref[len(letters) :]) - 1, col_index(letters)
    rows = sheets[sheet]
    while len(rows) <= r:
        rows.append([])
    row = rows[r]
    row.extend([""] * (c + 1 - len(row)))
    row[c] = value


def find_row(sheets: Sheets, sheet: str, code: int) -> int:
    """Excel row of a location code in the generated sheet."""
    for r, row in enumerate(sheets[sheet], start=1):
        if len(row) > 3 and row[3] == float(code):
            return r
    raise AssertionError(code)


LAYOUTS = {"2020": sheets_2020, "2019": sheets_2019}


@pytest.fixture(params=["2020", "2019"])
def layout(request: pytest.FixtureRequest) -> str:
    return request.param


def parse_sheets(tmp_path: Path, sheets: Sheets) -> pd.DataFrame:
    return parse(write(tmp_path / "ims.xlsx", sheets))


def get(df: pd.DataFrame, code: int, year: int, sex: str) -> pd.Series:
    rows = df[(df.m49 == code) & (df.year == year) & (df.sex == sex)]
    assert len(rows) == 1
    return rows.iloc[0]


# --- unit tests: values and units -------------------------------------------------------------------------------


def test_column_letter() -> None:
    assert [column_letter(i) for i in (0, 5, 25, 26, 27, 701, 702)] == ["A", "F", "Z", "AA", "AB", "ZZ", "AAA"]


def test_tidy_shape_and_identification(tmp_path: Path, layout: str) -> None:
    df = parse_sheets(tmp_path, LAYOUTS[layout]())
    assert list(df.columns) == list(SCHEMA.columns)
    assert df.revision.unique().tolist() == [int(layout)]
    # heading row "UN development groups" (no code) is skipped: 4 locations x 3 years x 3 sexes
    assert len(df) == 4 * 3 * 3
    assert sorted(df.m49.unique()) == sorted(DATA_CODES)
    assert set(df.sex) == {"total", "male", "female"}
    assert sorted(df.year.unique()) == list(YEARS)
    first = df.drop_duplicates("m49").set_index("m49")
    assert first.loc[480, "name"] == "Mauritius"  # indentation and '*' removed
    assert first.loc[903, "name"] == ("AFRICA" if layout == "2020" else "Africa")
    assert first.loc[480, "notes"] == "1"
    assert pd.isna(first.loc[108, "notes"])
    assert first.loc[108, "type_of_data"] == "B R"  # 'B R ' stripped
    assert first.loc[480, "type_of_data"] == ("C" if layout == "2020" else "C R")  # 2019 'CR' normalised
    assert pd.isna(first.loc[900, "type_of_data"])
    assert first.loc[108, "sort_order"] == 4
    assert first.loc[900, "is_aggregate"] and first.loc[903, "is_aggregate"]
    assert not first.loc[108, "is_aggregate"] and not first.loc[480, "is_aggregate"]


def test_values_and_units(tmp_path: Path, layout: str) -> None:
    df = parse_sheets(tmp_path, LAYOUTS[layout]())
    for k, code in enumerate(DATA_CODES):
        for j, year in enumerate(YEARS):
            for sex in ("total", "male", "female"):
                row = get(df, code, year, sex)
                if na_cell(k, j):
                    assert pd.isna(row.migrant_stock)  # '..' -> NA
                else:
                    assert row.migrant_stock == stock(k, sex, j)
                assert row.population == round(population_thousands(k, sex, j) * 1000)  # thousands -> persons
                assert row.migrant_share == pytest.approx(share_pct(k, sex, j) / 100)  # % -> fraction
                if j == 0:
                    assert pd.isna(row.stock_change_rate)  # no period ends in the first year
                else:
                    assert row.stock_change_rate == pytest.approx(rate_pct(k, sex, j - 1) / 100)  # end year
                if sex == "total":
                    assert row.female_share_of_migrants == pytest.approx(female_pct(k, j) / 100)
                    assert row.refugees == refugees(k, j)
                    assert row.refugees_share_of_migrants == pytest.approx(refugee_pct(k, j) / 100)
                else:
                    assert pd.isna(row.female_share_of_migrants)
                    assert pd.isna(row.refugees)
                    assert pd.isna(row.refugees_share_of_migrants)
    assert str(df.migrant_stock.dtype) == "Int64" and str(df.population.dtype) == "Int64"
    assert str(df.refugees.dtype) == "Int64"


def test_population_rounds_thousands_to_persons(tmp_path: Path) -> None:
    sheets = sheets_2020()
    r = find_row(sheets, "Table 2", 108)
    set_cell(sheets, "Table 2", f"F{r}", 5327231.041)
    df = parse_sheets(tmp_path, sheets)
    assert get(df, 108, 2010, "total").population == 5_327_231_041


def test_documented_markers_become_na(tmp_path: Path) -> None:
    """'~' (protected, fewer than five) and '—' (rounds to zero) are defined on the 2020 Notes sheet."""
    sheets = sheets_2020()
    r = find_row(sheets, "Table 6", 108)
    set_cell(sheets, "Table 6", f"F{r}", "~")
    set_cell(sheets, "Table 6", f"I{r}", "—")
    df = parse_sheets(tmp_path, sheets)
    row = get(df, 108, 2010, "total")
    assert pd.isna(row.refugees) and pd.isna(row.refugees_share_of_migrants)


def test_numbers_stored_as_text_are_read(tmp_path: Path) -> None:
    sheets = sheets_2020()
    r = find_row(sheets, "Table 1", 108)
    set_cell(sheets, "Table 1", f"F{r}", f" {stock(2, 'total', 0)} ")
    df = parse_sheets(tmp_path, sheets)
    assert get(df, 108, 2010, "total").migrant_stock == stock(2, "total", 0)


def test_identical_repeated_code_is_kept_once(tmp_path: Path) -> None:
    """The official 2020 workbook repeats 927 Australia and New Zealand with identical values."""
    sheets = sheets_2020()
    for n in range(1, 7):
        rows = sheets[f"Table {n}"]
        r = find_row(sheets, f"Table {n}", 108)
        again = list(rows[r - 1])
        again[0] = 99.0
        rows.append(again)
    df = parse_sheets(tmp_path, sheets)
    assert len(df) == 36
    assert get(df, 108, 2010, "total").sort_order == 4  # the first occurrence wins


def test_annex_decides_aggregates_in_2019(tmp_path: Path) -> None:
    sheets = sheets_2019()
    for row in sheets["ANNEX"]:
        if len(row) > 3 and row[3] == 903.0:
            row[6] = "Y"  # mark Africa as a (less developed) country: the annex, not the code, decides
    df = parse_sheets(tmp_path, sheets)
    assert not get(df, 903, 2010, "total").is_aggregate
    assert get(df, 900, 2010, "total").is_aggregate


def test_sheets_found_regardless_of_extra_preamble_rows(tmp_path: Path) -> None:
    sheets = sheets_2020()
    for n in range(1, 7):
        sheets[f"Table {n}"][0:0] = [["An extra line the UN might add"], []]
    df = parse_sheets(tmp_path, sheets)
    assert get(df, 108, 2015, "male").migrant_stock == stock(2, "male", 1)


# --- unit tests: errors ---------------------------------------------------------------------------------------


def raises(tmp_path: Path, sheets: Sheets) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse_sheets(tmp_path, sheets)
    err = info.value
    assert "ims.xlsx" in str(err)
    return err


def test_missing_sheet(tmp_path: Path, layout: str) -> None:
    sheets = LAYOUTS[layout]()
    del sheets["Table 3"]
    err = raises(tmp_path, sheets)
    assert err.sheet == "Table 3"
    assert "sheet 'Table 3'" in str(err) and "no sheet" in str(err)


def test_header_not_found(tmp_path: Path, layout: str) -> None:
    sheets = LAYOUTS[layout]()
    for row in sheets["Table 2"]:
        for i, v in enumerate(row):
            if v in ("Location code", "Code"):
                row[i] = "Identifier"
    err = raises(tmp_path, sheets)
    assert err.sheet == "Table 2"
    assert "no header row" in str(err)


@pytest.mark.parametrize(
    ("layout_name", "ref"),
    [("2020", "L7"), ("2020", "I7"), ("2019", "L11"), ("2019", "I11")],
)
def test_missing_sex_block_title(tmp_path: Path, layout_name: str, ref: str) -> None:
    """Without its title a block's years run on under the previous title; the error points at the gap."""
    sheets = LAYOUTS[layout_name]()
    set_cell(sheets, "Table 1", ref, "")
    err = raises(tmp_path, sheets)
    letters = ref.rstrip("0123456789")
    assert (err.sheet, err.row, err.column) == ("Table 1", int(ref[len(letters) :]), letters)
    assert "block title is missing" in str(err)
    assert ("female" if letters == "L" else "male") in str(err)


def test_missing_sex_block_entirely(tmp_path: Path) -> None:
    sheets = sheets_2020()
    rows = sheets["Table 3"]
    cut = col_index("L")  # drop the females' title, years and values
    sheets["Table 3"] = [row[:cut] for row in rows]
    err = raises(tmp_path, sheets)
    assert (err.sheet, err.row, err.column) == ("Table 3", 7, "L")
    assert "'female'" in str(err)


@pytest.mark.parametrize(
    ("layout_name", "sheet", "letter"),
    [("2020", "Table 2", "G"), ("2020", "Table 6", "J"), ("2019", "Table 5", "H"), ("2019", "Table 2", "F")],
)
def test_text_in_numeric_cell(tmp_path: Path, layout_name: str, sheet: str, letter: str) -> None:
    sheets = LAYOUTS[layout_name]()
    r = find_row(sheets, sheet, 108)
    set_cell(sheets, sheet, f"{letter}{r}", "n/a")
    err = raises(tmp_path, sheets)
    assert (err.sheet, err.row, err.column) == (sheet, r, letter)
    assert "'n/a' is not a number" in str(err)


def test_fractional_person_count(tmp_path: Path) -> None:
    sheets = sheets_2019()
    r = find_row(sheets, "Table 1", 480)
    set_cell(sheets, "Table 1", f"G{r}", 1234.5)
    err = raises(tmp_path, sheets)
    assert (err.sheet, err.row, err.column) == ("Table 1", r, "G")
    assert "whole number" in str(err)


def test_duplicated_location_code(tmp_path: Path, layout: str) -> None:
    sheets = LAYOUTS[layout]()
    rows = sheets["Table 4"]
    r = find_row(sheets, "Table 4", 480)
    rows[r - 1][3] = 108.0  # Mauritius now claims Burundi's code, with different values
    err = raises(tmp_path, sheets)
    assert (err.sheet, err.row, err.column) == ("Table 4", r, "D")
    assert "location code 108 appears again" in str(err)


def test_values_without_location_code(tmp_path: Path) -> None:
    sheets = sheets_2020()
    r = find_row(sheets, "Table 1", 480)
    sheets["Table 1"][r - 1][3] = ""
    err = raises(tmp_path, sheets)
    assert (err.sheet, err.row, err.column) == ("Table 1", r, "D")


def test_location_code_not_a_number(tmp_path: Path) -> None:
    sheets = sheets_2019()
    r = find_row(sheets, "Table 1", 480)
    sheets["Table 1"][r - 1][3] = "MUS"
    err = raises(tmp_path, sheets)
    assert (err.sheet, err.row, err.column) == ("Table 1", r, "D")


def test_no_revision_text(tmp_path: Path, layout: str) -> None:
    sheets = LAYOUTS[layout]()
    for rows in sheets.values():
        for row in rows:
            for i, v in enumerate(row):
                if isinstance(v, str) and "POP/DB/MIG" in v:
                    row[i] = v.replace("POP/DB/MIG/Stock/Rev.", "")
    err = raises(tmp_path, sheets)
    assert "Rev." in str(err)


def test_schema_failure_points_at_the_cell(tmp_path: Path, layout: str) -> None:
    sheets = LAYOUTS[layout]()
    r = find_row(sheets, "Table 1", 108)
    set_cell(sheets, "Table 1", f"J{r}", -5.0)  # males, second year
    err = raises(tmp_path, sheets)
    assert (err.sheet, err.row, err.column) == ("Table 1", r, "J")
    assert "'migrant_stock'" in str(err) and "m49 108, 2015, male" in str(err)


def test_share_above_100_percent_is_refused(tmp_path: Path) -> None:
    sheets = sheets_2020()
    r = find_row(sheets, "Table 3", 903)
    set_cell(sheets, "Table 3", f"H{r}", 100.5)
    err = raises(tmp_path, sheets)
    assert (err.sheet, err.row, err.column) == ("Table 3", r, "H")
    assert "'migrant_share'" in str(err)


def test_unknown_type_of_data_is_refused(tmp_path: Path) -> None:
    sheets = sheets_2020()
    r = find_row(sheets, "Table 1", 108)
    sheets["Table 1"][r - 1][4] = "X"
    err = raises(tmp_path, sheets)
    assert (err.sheet, err.row) == ("Table 1", r)
    assert "'type_of_data'" in str(err)


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "ims.xlsx"
    path.write_text("not a zip")
    with pytest.raises(ParseError, match="cannot be read as an Excel workbook"):
        parse(path)


# --- real data ------------------------------------------------------------------------------------------------

FILE_2020 = "undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx"
FILE_2019 = "undesa_pd_2019_migrant_stock_total_dataset.xlsx"

# Cells where the official 2020 Table 1 shows ".." but the bilateral table has rows for the destination
# (see PROVENANCE.md): zero rows where the destination did not yet exist separately (South Sudan,
# Montenegro, Curaçao 1990-2005, Sint Maarten 1990-2000), and a male/female split for Bonaire, Sint
# Eustatius and Saba that the destination workbook does not publish (its totals agree).
KNOWN_NA_IN_WORKBOOK = {
    **{
        (m49, y, s): 0 for m49 in (728, 499, 531) for y in (1990, 1995, 2000, 2005) for s in ("total", "male", "female")
    },
    **{(534, y, s): 0 for y in (1990, 1995, 2000) for s in ("total", "male", "female")},
    **{(535, y, s): None for y in (1990, 1995, 2000, 2005, 2010, 2015, 2020) for s in ("male", "female")},
}


@pytest.fixture(scope="module")
def ims_dir(mirror: Path) -> Path:
    folder = mirror / "undesa_ims"
    assert folder.is_dir(), f"{folder} is missing from the mirror"
    return folder


@pytest.fixture(scope="module")
def wb2020(ims_dir: Path) -> pd.DataFrame:
    return parse(ims_dir / "original" / FILE_2020)


@pytest.fixture(scope="module")
def wb2019(ims_dir: Path) -> pd.DataFrame:
    return parse(ims_dir / "original" / FILE_2019)


@pytest.mark.realdata
def test_real_2020_headline(wb2020: pd.DataFrame) -> None:
    assert wb2020.revision.unique().tolist() == [2020]
    assert get(wb2020, 900, 2020, "total").migrant_stock == 280_598_105
    assert get(wb2020, 900, 1990, "total").migrant_stock == 152_986_157
    assert get(wb2020, 900, 2020, "total").refugees == 33_807_795
    assert get(wb2020, 900, 2020, "total").population == 7_794_798_729
    assert wb2020.m49.nunique() == 282  # 235 countries/areas + 47 aggregates, 927 listed twice, kept once
    assert len(wb2020) == 282 * 7 * 3


@pytest.mark.realdata
def test_real_2019_headline(wb2019: pd.DataFrame) -> None:
    assert wb2019.revision.unique().tolist() == [2019]
    assert get(wb2019, 900, 2019, "total").migrant_stock == 271_642_105
    assert get(wb2019, 900, 1990, "total").migrant_stock == 153_011_473
    assert sorted(wb2019.year.unique()) == [1990, 1995, 2000, 2005, 2010, 2015, 2019]
    assert get(wb2019, 900, 2019, "total").stock_change_rate == pytest.approx(0.021897428090307693)
    assert get(wb2019, 887, 2019, "total").type_of_data == "C R"  # 'CR' in the workbook
    assert "UN development groups" not in set(wb2019.name)  # heading rows are skipped
    agg = wb2019.drop_duplicates("m49").set_index("m49").is_aggregate
    assert (agg == (agg.index >= 900)).all()  # the ANNEX agrees with the code rule
    assert (~agg).sum() == 232


@pytest.mark.realdata
@pytest.mark.parametrize("which", ["wb2020", "wb2019"])
def test_real_male_plus_female_is_total(which: str, request: pytest.FixtureRequest) -> None:
    df = request.getfixturevalue(which)
    wide = df.pivot(index=["m49", "year"], columns="sex", values="migrant_stock").dropna()
    assert len(wide) > 1500
    bad = wide[wide.male + wide.female != wide.total]
    assert bad.empty, bad


@pytest.mark.realdata
def test_real_2020_aggregates_match_location_annex(wb2020: pd.DataFrame, ims_dir: Path) -> None:
    locations = pd.read_csv(ims_dir / "ims_locations.csv", usecols=["m49", "is_country"])
    ours = wb2020.drop_duplicates("m49").merge(locations, on="m49", how="left", validate="1:1")
    assert ours.is_country.notna().all()
    assert (ours.is_aggregate == ~ours.is_country.astype(bool)).all()


@pytest.mark.realdata
def test_real_2020_matches_bilateral_sums(wb2020: pd.DataFrame, ims_dir: Path) -> None:
    """Table 1 equals the sum over origins of the bilateral table for every country, year and sex."""
    bilateral = pd.read_csv(ims_dir / "ims2020_bilateral_stock.csv", usecols=["year", "sex", "dest_m49", "persons"])
    sums = (
        bilateral.groupby(["dest_m49", "year", "sex"])["persons"]
        .sum(min_count=1)
        .rename("bilateral")
        .reset_index()
        .rename(columns={"dest_m49": "m49"})
    )
    ours = wb2020[wb2020.m49.isin(sums.m49.unique())][["m49", "year", "sex", "migrant_stock"]]
    both = ours.merge(sums, on=["m49", "year", "sex"], how="outer", validate="1:1", indicator=True)
    assert (both["_merge"] == "both").all()
    assert both.m49.nunique() == 232
    has_value = both.migrant_stock.notna()
    differ = both[has_value & (both.migrant_stock.astype("float64") != both.bilateral)]
    assert differ.empty, differ
    assert int(has_value.sum()) == 4813
    na_here = both[~has_value & both.bilateral.notna()]
    found = {(r.m49, r.year, r.sex): r.bilateral for r in na_here.itertuples()}
    assert set(found) == set(KNOWN_NA_IN_WORKBOOK)
    assert all(found[k] == v for k, v in KNOWN_NA_IN_WORKBOOK.items() if v is not None)
    # Bonaire: the bilateral male + female add up to the workbook's total.
    for year in (1990, 1995, 2000, 2005, 2010, 2015, 2020):
        assert (
            found[(535, year, "male")] + found[(535, year, "female")] == get(wb2020, 535, year, "total").migrant_stock
        )


@pytest.mark.realdata
def test_real_2020_matches_tidy_official_csv(wb2020: pd.DataFrame, ims_dir: Path) -> None:
    """The mirror's tidy rendering of the same workbook agrees value for value."""
    tidy = pd.read_csv(ims_dir / "ims2020_destination_official.csv")
    both = wb2020.merge(tidy, on=["m49", "year", "sex"], suffixes=("", "_tidy"), validate="1:1")
    assert len(both) == len(tidy) == len(wb2020)
    for col in ("migrant_stock", "population", "refugees"):
        a, b = both[col].astype("float64"), both[f"{col}_tidy"].astype("float64")
        assert ((a == b) | (a.isna() & b.isna())).all(), col
    for col in ("migrant_share", "female_share_of_migrants", "refugees_share_of_migrants"):
        assert np.allclose(both[col], both[f"{col}_tidy"], rtol=1e-12, atol=0, equal_nan=True), col
    assert (both.is_aggregate == ~both.is_country).all()
