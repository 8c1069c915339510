"""The shared workbook reader: bounded sheets, Excel error cells, corrupt files, all as ParseErrors naming the cell."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from migdev.errors import ParseError
from migdev.sources.xlsx_tables import MAX_CELLS, Workbook, column_index, column_letter

openpyxl = pytest.importorskip("openpyxl")


def _book(tmp_path: Path, extra_xml: str = "", replace: tuple[str, str] | None = None) -> Path:
    """A small workbook (sheet 'Data': a header and two rows of numbers), its sheet XML edited as given."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    for row in (["code", "value"], [1, 10], [2, 20]):
        ws.append(row)
    plain = tmp_path / "plain.xlsx"
    wb.save(plain)
    out = tmp_path / "book.xlsx"
    with zipfile.ZipFile(plain) as z, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as o:
        for info in z.infolist():
            data = z.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                if replace:
                    assert replace[0] in text, text
                    text = text.replace(*replace)
                data = text.replace("</sheetData>", extra_xml + "</sheetData>").encode()
            o.writestr(info, data)
    return out


def test_column_letters_round_trip() -> None:
    for i in (0, 25, 26, 701, 702, 16383):
        assert column_index(column_letter(i)) == i
    assert column_letter(16383) == "XFD"


def test_reads_a_sheet(tmp_path: Path) -> None:
    sheet = Workbook(_book(tmp_path)).sheet(" data ")
    assert sheet.name == "Data" and sheet.number(2, 1) == 20.0 and sheet.code(1, 0) == 1


def test_a_stray_cell_far_away_is_refused_before_loading(tmp_path: Path) -> None:
    path = _book(tmp_path, '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>')
    with pytest.raises(ParseError) as err:
        Workbook(path).sheet("Data")
    assert (err.value.sheet, err.value.row, err.value.column) == ("Data", 1048576, "XFD")
    assert "reaches cell XFD1048576" in str(err.value)


def test_many_cells_within_row_and_column_bounds_are_refused(tmp_path: Path) -> None:
    row = MAX_CELLS // 1000 + 1
    path = _book(tmp_path, f'<row r="{row}"><c r="ALL{row}"><v>1</v></c></row>')  # ALL: column 1000
    with pytest.raises(ParseError, match="more than this reader loads"):
        Workbook(path).sheet("Data")


def test_formatting_far_away_is_harmless(tmp_path: Path) -> None:
    path = _book(tmp_path, '<row r="1048576"><c r="XFD1048576" s="0"/></row>')
    assert Workbook(path).sheet("Data").number(1, 1) == 10.0


@pytest.mark.parametrize("error", ["#N/A", "#DIV/0!", "#VALUE!", "#REF!"])
def test_excel_error_cells_are_not_missing(tmp_path: Path, error: str) -> None:
    path = _book(tmp_path, replace=('<c r="B3" t="n"><v>20</v></c>', f'<c r="B3" t="e"><f>X</f><v>{error}</v></c>'))
    sheet = Workbook(path).sheet("Data")
    assert sheet.cell(2, 1) == ""  # calamine hands the error back as an empty string...
    with pytest.raises(ParseError) as err:
        sheet.number(2, 1)  # ... which would read as "missing"
    assert (err.value.row, err.value.column) == (3, "B") and error in str(err.value)


@pytest.mark.parametrize("value", ["inf", "1e400", "-1e999"])
def test_non_finite_numbers_are_refused(tmp_path: Path, value: str) -> None:
    path = _book(tmp_path, replace=('<c r="B3" t="n"><v>20</v></c>', f'<c r="B3"><v>{value}</v></c>'))
    with pytest.raises(ParseError, match="not a finite number"):
        Workbook(path).sheet("Data").number(2, 1)


@pytest.mark.parametrize("cut", [0, 100, 0.5, -22], ids=["empty", "head", "half", "no-end-record"])
def test_corrupt_workbooks_are_parse_errors(tmp_path: Path, cut: float) -> None:
    data = _book(tmp_path).read_bytes()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(data[: int(len(data) * cut) if isinstance(cut, float) else cut])
    with pytest.raises(ParseError, match="cannot be read as an Excel workbook"):
        Workbook(bad).sheet("Data")


def test_broken_sheet_xml_is_a_parse_error(tmp_path: Path) -> None:
    path = _book(tmp_path, replace=("</sheetData>", "<sheetData><oops>"))
    with pytest.raises(ParseError) as err:
        Workbook(path).sheet("Data")
    assert err.value.sheet == "Data"


def test_unknown_sheet(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match=r"no sheet named 'Table 9' \(sheets: Data\)"):
        Workbook(_book(tmp_path)).sheet("Table 9")
