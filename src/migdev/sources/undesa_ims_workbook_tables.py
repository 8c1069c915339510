"""The sheets of the official IMS "by destination" workbook: which block titles mean what, and reading one table.

:mod:`migdev.sources.undesa_ims_workbook` assembles the six tables into one tidy frame; this module reads each
sheet into :class:`Location` records (one per location row, with its values keyed by column, sex and year and
the sheet column each came from). The grid itself (cells, numbers, codes, errors naming the cell) is
:mod:`migdev.sources.xlsx_tables`'; what is here is the UN layout: header and block titles found by their text
(see the workbook module's docstring for the two layouts).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from migdev.errors import ParseError
from migdev.sources.xlsx_tables import Sheet, column_letter, is_blank, text
from migdev.vocab import SEXES

_REVISION_RE = re.compile(r"POP/DB/MIG/Stock/Rev\.?\s*(\d{4})", re.IGNORECASE)
_YEAR_RE = re.compile(r"^\s*(\d{4})\s*$")
_PERIOD_RE = re.compile(r"^\s*(\d{4})\s*[-–]\s*(\d{4})\s*$")
_TRAILING_MARKS_RE = re.compile(r"[\s*†‡]+$")
_TYPE_LETTERS_RE = re.compile(r"^[BCIR](\s*[BCIR])*$")

HEADER_SEARCH_ROWS = 60
_TITLE_ROWS_ABOVE = 5

#: Columns the workbook gives in persons: a fractional value there is an error, not a rounding matter.
PERSON_COLUMNS = ("migrant_stock", "refugees")

# --------------------------------------------------------------------------------------------------
# Table specifications: how each sheet's block titles map to output columns
# --------------------------------------------------------------------------------------------------

SEX_WORDS = {"total": "both sexes", "male": "males", "female": "females"}


def _sex_of(title: str) -> str | None:
    t = title.lower()
    if "both sexes" in t:
        return "total"
    if re.search(r"\bfemales?\b", t):
        return "female"
    if re.search(r"\bmales?\b", t):
        return "male"
    return None


def _by_sex(column: str) -> Callable[[str], tuple[str, str] | None]:
    def classify(title: str) -> tuple[str, str] | None:
        sex = _sex_of(title)
        return (column, sex) if sex else None

    return classify


def _table4(title: str) -> tuple[str, str] | None:
    t = title.lower()
    if "female" in t and "percentage" in t:
        return ("female_share_of_migrants", "total")
    return None


IGNORED = "_ignored"


def _table6(title: str) -> tuple[str, str] | None:
    t = title.lower()
    if "refugee" not in t:
        return None
    if "rate of change" in t:
        return (IGNORED, "total")
    if "percentage" in t:
        return ("refugees_share_of_migrants", "total")
    return ("refugees", "total")


@dataclass(frozen=True)
class TableSpec:
    sheet: str
    classify: Callable[[str], tuple[str, str] | None]
    required: tuple[tuple[str, str], ...]
    periods: bool = False  # value columns are headed "1990-1995" instead of a year


def _sexes(column: str) -> tuple[tuple[str, str], ...]:
    return tuple((column, s) for s in SEXES)


TABLES = (
    TableSpec("Table 1", _by_sex("migrant_stock"), _sexes("migrant_stock")),
    TableSpec("Table 2", _by_sex("population"), _sexes("population")),
    TableSpec("Table 3", _by_sex("migrant_share"), _sexes("migrant_share")),
    TableSpec("Table 4", _table4, (("female_share_of_migrants", "total"),)),
    TableSpec("Table 5", _by_sex("stock_change_rate"), _sexes("stock_change_rate"), periods=True),
    TableSpec("Table 6", _table6, (("refugees", "total"), ("refugees_share_of_migrants", "total"))),
)


# --------------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------------


def _clean_name(value: object) -> str:
    """Drop the indentation the UN uses for hierarchy and trailing footnote marks such as '*'."""
    return _TRAILING_MARKS_RE.sub("", str(value)).strip()


def _clean_type(value: object) -> str | None:
    """'B R ' -> 'B R', 'CR' -> 'C R': one letter per data type, separated by single spaces."""
    letters = "".join(str(value).split()).upper() if not is_blank(value) else ""
    if not letters:
        return None
    if _TYPE_LETTERS_RE.match(letters):
        return " ".join(letters)
    return " ".join(str(value).split())  # unknown code: keep it; the schema will name the cell


def _clean_note(value: object) -> str | None:
    return None if is_blank(value) else text(value)


@dataclass
class Header:
    row: int  # 0-based index of the header row (name, code…)
    year_row: int  # 0-based index of the row holding the years/periods
    name: int
    code: int
    notes: int | None
    type_of_data: int | None
    sort_order: int | None
    first_value: int  # first column right of the identification columns


@dataclass
class Block:
    column: str
    sex: str
    title_col: int
    cols: list[tuple[int, int]] = field(default_factory=list)  # (sheet column, year)


@dataclass
class Location:
    code: int
    row: int  # 0-based
    sort_order: int | None
    name: str
    notes: str | None
    type_of_data: str | None
    values: dict[tuple[str, str, int], tuple[float, int]]  # (column, sex, year) -> (value, sheet column)


@dataclass
class Table:
    """One sheet read: its location rows, and its blocks with the header row of their years."""

    sheet: Sheet
    spec: TableSpec
    header: Header
    blocks: list[Block]
    locations: list[Location]


# --------------------------------------------------------------------------------------------------
# Reading one sheet
# --------------------------------------------------------------------------------------------------


def find_header(sheet: Sheet) -> Header:
    for r in range(min(len(sheet.rows), HEADER_SEARCH_ROWS)):
        texts = [text(v).lower() for v in sheet.rows[r]]
        name = next((c for c, t in enumerate(texts) if "country or area" in t), None)
        code = next((c for c, t in enumerate(texts) if t in ("location code", "code")), None)
        if name is None or code is None:
            continue
        notes = next((c for c, t in enumerate(texts) if t == "notes"), None)
        type_ = next((c for c, t in enumerate(texts) if t.startswith("type of data")), None)
        sort = next((c for c, t in enumerate(texts) if t == "sort order"), None)
        if sort is None and name > 0 and not texts[name - 1]:
            sort = name - 1  # 2020: the sort-order column has no header text
        ident = [c for c in (name, code, notes, type_, sort) if c is not None]
        first_value = max(ident) + 1
        year_row = next(
            (
                yr
                for yr in (r, r + 1)
                if any(year_key(sheet.cell(yr, c))[0] is not None for c in range(first_value, sheet.width(yr)))
            ),
            None,
        )
        if year_row is None:
            raise sheet.error("no row of years (e.g. 1990) or periods (e.g. 1990-1995) next to the header",
                              r + 1, first_value)
        return Header(r, year_row, name, code, notes, type_, sort, first_value)
    raise sheet.error("no header row with a 'country or area' name column and a 'Location code'/'Code' column "
                      f"in the first {HEADER_SEARCH_ROWS} rows")


def year_key(value: object) -> tuple[int | None, bool]:
    """(year, is_period) for a year-row cell: 1990 -> (1990, False), '1990-1995' -> (1995, True)."""
    if isinstance(value, bool):
        return None, False
    if isinstance(value, int | float):
        if float(value).is_integer() and 1900 <= value <= 2100:
            return int(value), False
        return None, False
    if isinstance(value, str):
        if m := _YEAR_RE.match(value):
            return int(m.group(1)), False
        if m := _PERIOD_RE.match(value):
            return int(m.group(2)), True
    return None, False


def find_blocks(sheet: Sheet, spec: TableSpec, header: Header) -> list[Block]:
    """Find the titled blocks (e.g. both sexes / males / females) and the year columns under each."""
    first_title_row = max(0, header.row - _TITLE_ROWS_ABOVE)
    blocks: list[tuple[int, int, Block]] = []  # (title row, title col, block)
    for r in range(first_title_row, header.row + 1):
        for c in range(header.first_value, sheet.width(r)):
            value = sheet.cell(r, c)
            if is_blank(value) or not isinstance(value, str):
                continue
            found = spec.classify(text(value))
            if found:
                blocks.append((r, c, Block(found[0], found[1], c)))
    title_row = blocks[0][0] if blocks else header.row

    last_col = max(sheet.width(header.year_row), header.first_value)
    seen: dict[tuple[str, str], Block] = {}
    for r, c, block in blocks:
        key = (block.column, block.sex)
        if key in seen and block.column != IGNORED:
            raise sheet.error(f"a second block titled for {block.column} ({block.sex})", r, c)
        # The block runs until the next non-empty cell on its title row.
        end = next((cc for cc in range(c + 1, sheet.width(r)) if not is_blank(sheet.cell(r, cc))), last_col)
        years: set[int] = set()
        for cc in range(c, end):
            cell = sheet.cell(header.year_row, cc)
            if is_blank(cell):
                continue
            year, is_period = year_key(cell)
            if year is None:
                raise sheet.error(f"{cell!r} is not a year or a period such as 1990-1995", header.year_row, cc)
            if year in years:
                # Two runs of years under one title: the title of the second block is missing.
                titled = {(b.column, b.sex) for _, _, b in blocks}
                missing = [k for k in spec.required if k not in titled]
                what = f" (no block of {missing[0][0]} for sex {missing[0][1]!r})" if missing else ""
                raise sheet.error(f"year {year} appears twice under the title of {block.column} "
                                  f"({block.sex}): a block title is missing{what}", title_row, cc)
            years.add(year)
            if block.column == IGNORED:
                continue
            if is_period != spec.periods:
                expected = "a period such as 1990-1995" if spec.periods else "a year"
                raise sheet.error(f"{cell!r} is not {expected}", header.year_row, cc)
            block.cols.append((cc, year))
        seen[key] = block

    missing = [k for k in spec.required if k not in seen]
    if missing:
        column, sex = missing[0]
        after = max((cc for b in seen.values() for cc, _ in b.cols), default=header.first_value - 1) + 1
        raise sheet.error(f"no block of {column} for sex {sex!r} (no title naming {SEX_WORDS[sex]!r})",
                          title_row, after)
    empty = [b for b in seen.values() if not b.cols and b.column != IGNORED]
    if empty:
        raise sheet.error(f"the block of {empty[0].column} ({empty[0].sex}) has no year columns",
                          header.year_row, empty[0].title_col)
    return [b for b in seen.values() if b.column != IGNORED]


def read_table(sheet: Sheet, spec: TableSpec) -> Table:
    header = find_header(sheet)
    blocks = find_blocks(sheet, spec, header)
    locations: list[Location] = []
    first: dict[int, Location] = {}
    for r in range(header.year_row + 1, len(sheet.rows)):
        code_cell = sheet.cell(r, header.code)
        values: dict[tuple[str, str, int], tuple[float, int]] = {}
        for b in blocks:
            is_int = b.column in PERSON_COLUMNS
            for c, year in b.cols:
                values[(b.column, b.sex, year)] = (sheet.number(r, c, integer=is_int), c)
        if is_blank(code_cell):
            filled = [c for _, (v, c) in values.items() if not math.isnan(v)]
            if filled and not is_blank(sheet.cell(r, header.name)):
                raise sheet.error(f"row {text(sheet.cell(r, header.name))!r} has values but no location code",
                                  r, header.code)
            continue  # a heading ("UN development groups") or a blank/footnote line
        code = sheet.code(r, header.code)
        sort_order = None
        if header.sort_order is not None:
            cell = sheet.cell(r, header.sort_order)
            if not (isinstance(cell, int | float) and not isinstance(cell, bool) and float(cell).is_integer()):
                raise sheet.error(f"sort order {cell!r} is not a whole number", r, header.sort_order)
            sort_order = int(cell)
        loc = Location(
            code=code,
            row=r,
            sort_order=sort_order,
            name=_clean_name(sheet.cell(r, header.name)),
            notes=_clean_note(sheet.cell(r, header.notes)) if header.notes is not None else None,
            type_of_data=_clean_type(sheet.cell(r, header.type_of_data)) if header.type_of_data is not None else None,
            values=values,
        )
        if code in first:
            prev = first[code]
            if not _same(prev, loc):
                raise sheet.error(f"location code {code} appears again (first at row {prev.row + 1}) with different "
                                  "values", r, header.code)
            continue  # an identical repeat (927 "Australia and New Zealand" in 2020): keep the first
        first[code] = loc
        locations.append(loc)
    if not locations:
        raise sheet.error("no location rows under the header", header.year_row + 1)
    return Table(sheet, spec, header, blocks, locations)


def _same(a: Location, b: Location) -> bool:
    # Names are compared ignoring case: 2019 lists 909 as "Oceania" and again as the SDG region "OCEANIA".
    if (a.name.casefold(), a.notes, a.type_of_data) != (b.name.casefold(), b.notes, b.type_of_data):
        return False
    if a.values.keys() != b.values.keys():
        return False
    for key, (va, _) in a.values.items():
        vb = b.values[key][0]
        if not (va == vb or (math.isnan(va) and math.isnan(vb))):
            return False
    return True


# --------------------------------------------------------------------------------------------------
# Workbook-level pieces: revision, annex
# --------------------------------------------------------------------------------------------------


def revision_of(path: Path, sheets: Sequence[Sheet]) -> int:
    """The revision from 'POP/DB/MIG/Stock/Rev.2020' (in 2019 it sits inside the citation sentence)."""
    for sheet in sheets:
        for row in sheet.rows[:HEADER_SEARCH_ROWS]:
            for value in row:
                if isinstance(value, str) and (m := _REVISION_RE.search(value)):
                    return int(m.group(1))
    raise ParseError(path, "no 'POP/DB/MIG/Stock/Rev.<year>' text to read the revision from",
                     sheet=sheets[0].name if sheets else None)


def annex_countries(sheet: Sheet) -> dict[int, bool]:
    """code -> is a country/area, from the ANNEX marks in the more/less developed regions columns."""
    header = None
    for r in range(min(len(sheet.rows), HEADER_SEARCH_ROWS)):
        texts = [text(v).lower() for v in sheet.rows[r]]
        if any("country or area" in t for t in texts) and any(t in ("code", "location code") for t in texts):
            header = r
            break
    if header is None:
        raise sheet.error("no header row with a 'country or area' and a 'Code' column")
    texts = [text(v).lower() for v in sheet.rows[header]]
    code_col = next(c for c, t in enumerate(texts) if t in ("code", "location code"))
    dev_cols = [c for c, t in enumerate(texts) if t in ("more developed regions", "less developed regions")]
    if len(dev_cols) != 2:
        raise sheet.error("no 'More Developed Regions' and 'Less Developed Regions' columns", header)
    result: dict[int, bool] = {}
    for r in range(header + 1, len(sheet.rows)):
        if is_blank(sheet.cell(r, code_col)):
            continue
        result[sheet.code(r, code_col)] = any(not is_blank(sheet.cell(r, c)) for c in dev_cols)
    return result


__all__ = ["IGNORED", "PERSON_COLUMNS", "TABLES", "Block", "Header", "Location", "Table", "TableSpec",
           "annex_countries", "column_letter", "find_blocks", "find_header", "read_table", "revision_of", "year_key"]
