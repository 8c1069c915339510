"""Parser for the official UN DESA International Migrant Stock workbooks "by destination" (Tables 1–6).

Two layouts are read, both located by their header *text* rather than fixed row numbers, so that a
re-issued workbook with an extra preamble line still parses:

* 2020 (``undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx``): one header row
  (``Region, development group, country or area | Notes | Location code | Type of data | 1990 …``) with
  the block titles ("…, both sexes combined", "…, males", "…, females") a few rows above it.
* 2019 (``UN_MigrantStockTotal_2019.xlsx``): a two-row header; the first row holds ``Sort order``, the name,
  ``Notes``, ``Code``, ``Type of data (a)`` and the block titles ("(both sexes)", "(male)", "(female)"),
  the second row the years. Rows such as "UN development groups" carry no code and only ".." values:
  they are headings and are skipped.

The result is tidy: one row per (m49, year, sex); see :data:`SCHEMA` for the columns and units. Decisions
worth knowing when using the output:

* Units: Table 2 is in thousands and becomes persons (× 1000, rounded); every percentage (Tables 3, 4, 5
  and the refugee share of Table 6) becomes a fraction (÷ 100).
* ``stock_change_rate`` (Table 5) is the UN's annual rate of change over a period ("2015-2020"); it is
  keyed by the period's **end** year, so the first year (1990) never has one.
* ``female_share_of_migrants``, ``refugees`` and ``refugees_share_of_migrants`` exist for both sexes only;
  they are NA on the male and female rows. Table 6's third block (annual rate of change of refugees) is
  not read.
* Missing-value markers: ".." (not available) and, as defined on the 2020 workbook's Notes sheet, "~"
  (suppressed for privacy, fewer than five persons) and "—" (not zero but rounds to zero) all become NA.
  Any other text in a value cell is an error.
* A location code listed twice with identical values (names compared ignoring case) is kept once, from
  its first row: the 2020 workbook lists "Australia and New Zealand" (927) both among the SDG regions and
  under Oceania, the 2019 workbook lists Oceania (909) as a geographic region and again as the SDG region
  "OCEANIA". A code repeated with *different* values is an error.
* ``sort_order`` is the workbook's "Sort order" column (2020: the unlabelled column left of the names),
  taken from Table 1 (the 2019 Table 6 numbers OCEANIA 199 where the other tables say 196).
* ``is_aggregate``: from the ANNEX sheet when the workbook has one (2019: a country or area is marked as
  belonging to the more or the less developed regions, aggregates are not); otherwise (2020) from the
  code: UN DESA numbers every aggregate (World 900, regions, development and income groups) 900 or
  above, and every country or area below 900.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
from python_calamine import CalamineError, CalamineWorkbook

from migdev.errors import ParseError

__all__ = ["SCHEMA", "SEXES", "parse"]

SEXES = ("total", "male", "female")

#: Value-cell texts that mean "no number here" (see the module docstring).
NA_MARKERS = frozenset({"..", "~", "—"})

_REVISION_RE = re.compile(r"POP/DB/MIG/Stock/Rev\.?\s*(\d{4})", re.IGNORECASE)
_YEAR_RE = re.compile(r"^\s*(\d{4})\s*$")
_PERIOD_RE = re.compile(r"^\s*(\d{4})\s*[-–]\s*(\d{4})\s*$")
_NUMBER_RE = re.compile(r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$")
_TRAILING_MARKS_RE = re.compile(r"[\s*†‡]+$")
_TYPE_LETTERS_RE = re.compile(r"^[BCIR](\s*[BCIR])*$")

_HEADER_SEARCH_ROWS = 60
_TITLE_ROWS_ABOVE = 5
_INTEGER_TOLERANCE = 1e-6


# --------------------------------------------------------------------------------------------------
# Schema
# --------------------------------------------------------------------------------------------------


def _only_on_total(column: str) -> pa.Check:
    return pa.Check(
        lambda df: df[column].isna() | (df["sex"] == "total"),
        name=f"{column}_only_on_total",
        error=f"{column} is given only for both sexes",
    )


_fraction = pa.Check.in_range(0.0, 1.0)
_count = pa.Check.ge(0)

SCHEMA = pa.DataFrameSchema(
    {
        "revision": pa.Column("int64", pa.Check.in_range(1990, 2100)),
        "year": pa.Column("int64", pa.Check.in_range(1950, 2100)),
        "sex": pa.Column(str, pa.Check.isin(SEXES)),
        "m49": pa.Column("int64", pa.Check.gt(0)),
        "name": pa.Column(str, pa.Check.str_length(min_value=1)),
        "sort_order": pa.Column("int64"),
        "notes": pa.Column(str, nullable=True),
        "type_of_data": pa.Column(str, pa.Check.str_matches(r"^[BCIR]( [BCIR])*$"), nullable=True),
        "migrant_stock": pa.Column("Int64", _count, nullable=True),
        "population": pa.Column("Int64", _count, nullable=True),
        # Table 3 peaks at exactly 100 % in the official workbooks (Holy See, Bonaire…), never above.
        "migrant_share": pa.Column("float64", _fraction, nullable=True),
        "female_share_of_migrants": pa.Column("float64", _fraction, nullable=True),
        # An annual exponential rate: negative when the stock shrinks, no natural bounds, but finite.
        "stock_change_rate": pa.Column(
            "float64", pa.Check(np.isfinite, element_wise=True, name="finite"), nullable=True
        ),
        "refugees": pa.Column("Int64", _count, nullable=True),
        "refugees_share_of_migrants": pa.Column("float64", _fraction, nullable=True),
        "is_aggregate": pa.Column("bool"),
    },
    checks=[
        _only_on_total("female_share_of_migrants"),
        _only_on_total("refugees"),
        _only_on_total("refugees_share_of_migrants"),
    ],
    unique=["m49", "year", "sex"],
    strict=True,
    ordered=True,
    name="undesa_ims_workbook",
)

COLUMNS = list(SCHEMA.columns)
_VALUE_COLUMNS = (
    "migrant_stock",
    "population",
    "migrant_share",
    "female_share_of_migrants",
    "stock_change_rate",
    "refugees",
    "refugees_share_of_migrants",
)
_INTEGER_COLUMNS = ("migrant_stock", "population", "refugees")
#: Columns the workbook gives in persons: a fractional value there is an error, not a rounding matter.
_PERSON_COLUMNS = ("migrant_stock", "refugees")
#: Workbook unit -> output unit: Table 2 is in thousands, every percentage becomes a fraction.
_UNIT_FACTOR = {
    "population": 1000.0,
    "migrant_share": 0.01,
    "female_share_of_migrants": 0.01,
    "stock_change_rate": 0.01,
    "refugees_share_of_migrants": 0.01,
}


# --------------------------------------------------------------------------------------------------
# Table specifications: how each sheet's block titles map to output columns
# --------------------------------------------------------------------------------------------------


_SEX_WORDS = {"total": "both sexes", "male": "males", "female": "females"}


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


_IGNORED = "_ignored"


def _table6(title: str) -> tuple[str, str] | None:
    t = title.lower()
    if "refugee" not in t:
        return None
    if "rate of change" in t:
        return (_IGNORED, "total")
    if "percentage" in t:
        return ("refugees_share_of_migrants", "total")
    return ("refugees", "total")


@dataclass(frozen=True)
class _TableSpec:
    sheet: str
    classify: Callable[[str], tuple[str, str] | None]
    required: tuple[tuple[str, str], ...]
    periods: bool = False  # value columns are headed "1990-1995" instead of a year


def _sexes(column: str) -> tuple[tuple[str, str], ...]:
    return tuple((column, s) for s in SEXES)


_TABLES = (
    _TableSpec("Table 1", _by_sex("migrant_stock"), _sexes("migrant_stock")),
    _TableSpec("Table 2", _by_sex("population"), _sexes("population")),
    _TableSpec("Table 3", _by_sex("migrant_share"), _sexes("migrant_share")),
    _TableSpec("Table 4", _table4, (("female_share_of_migrants", "total"),)),
    _TableSpec("Table 5", _by_sex("stock_change_rate"), _sexes("stock_change_rate"), periods=True),
    _TableSpec("Table 6", _table6, (("refugees", "total"), ("refugees_share_of_migrants", "total"))),
)


# --------------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------------


def column_letter(index: int) -> str:
    """Excel column letters for a 0-based column index (0 -> "A", 26 -> "AA")."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _text(value: object) -> str:
    """A cell as normalised text (whitespace collapsed), for matching header words."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean_name(value: object) -> str:
    """Drop the indentation the UN uses for hierarchy and trailing footnote marks such as '*'."""
    return _TRAILING_MARKS_RE.sub("", str(value)).strip()


def _clean_type(value: object) -> str | None:
    """'B R ' -> 'B R', 'CR' -> 'C R': one letter per data type, separated by single spaces."""
    text = "".join(str(value).split()).upper() if not _is_blank(value) else ""
    if not text:
        return None
    if _TYPE_LETTERS_RE.match(text):
        return " ".join(text)
    return " ".join(str(value).split())  # unknown code: keep it; the schema will name the cell


def _clean_note(value: object) -> str | None:
    return None if _is_blank(value) else _text(value)


class _Sheet:
    """One worksheet as a list of rows, with 0-based access that tolerates short rows."""

    def __init__(self, name: str, rows: list[list[object]]) -> None:
        self.name = name
        self.rows = rows

    def cell(self, r: int, c: int) -> object:
        if r < len(self.rows) and c < len(self.rows[r]):
            return self.rows[r][c]
        return ""

    def width(self, r: int) -> int:
        return len(self.rows[r]) if r < len(self.rows) else 0


@dataclass
class _Header:
    row: int  # 0-based index of the header row (name, code…)
    year_row: int  # 0-based index of the row holding the years/periods
    name: int
    code: int
    notes: int | None
    type_of_data: int | None
    sort_order: int | None
    first_value: int  # first column right of the identification columns


@dataclass
class _Block:
    column: str
    sex: str
    title_col: int
    cols: list[tuple[int, int]] = field(default_factory=list)  # (sheet column, year)


@dataclass
class _Location:
    code: int
    row: int  # 0-based
    sort_order: int | None
    name: str
    notes: str | None
    type_of_data: str | None
    values: dict[tuple[str, str, int], tuple[float, int]]  # (column, sex, year) -> (value, sheet column)


# --------------------------------------------------------------------------------------------------
# Reading one sheet
# --------------------------------------------------------------------------------------------------


def _find_header(path: Path, sheet: _Sheet) -> _Header:
    for r in range(min(len(sheet.rows), _HEADER_SEARCH_ROWS)):
        texts = [_text(v).lower() for v in sheet.rows[r]]
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
                if any(_year_key(sheet.cell(yr, c))[0] is not None for c in range(first_value, sheet.width(yr)))
            ),
            None,
        )
        if year_row is None:
            raise ParseError(
                path,
                "no row of years (e.g. 1990) or periods (e.g. 1990-1995) next to the header",
                sheet=sheet.name,
                row=r + 2,
                column=column_letter(first_value),
            )
        return _Header(r, year_row, name, code, notes, type_, sort, first_value)
    raise ParseError(
        path,
        "no header row with a 'country or area' name column and a 'Location code'/'Code' column "
        f"in the first {_HEADER_SEARCH_ROWS} rows",
        sheet=sheet.name,
    )


def _year_key(value: object) -> tuple[int | None, bool]:
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


def _find_blocks(path: Path, sheet: _Sheet, spec: _TableSpec, header: _Header) -> list[_Block]:
    """Find the titled blocks (e.g. both sexes / males / females) and the year columns under each."""
    first_title_row = max(0, header.row - _TITLE_ROWS_ABOVE)
    blocks: list[tuple[int, int, _Block]] = []  # (title row, title col, block)
    for r in range(first_title_row, header.row + 1):
        for c in range(header.first_value, sheet.width(r)):
            value = sheet.cell(r, c)
            if _is_blank(value) or not isinstance(value, str):
                continue
            found = spec.classify(_text(value))
            if found:
                blocks.append((r, c, _Block(found[0], found[1], c)))
    title_row = blocks[0][0] if blocks else header.row

    last_col = max(sheet.width(header.year_row), header.first_value)
    seen: dict[tuple[str, str], _Block] = {}
    for r, c, block in blocks:
        key = (block.column, block.sex)
        if key in seen and block.column != _IGNORED:
            raise ParseError(
                path,
                f"a second block titled for {block.column} ({block.sex})",
                sheet=sheet.name,
                row=r + 1,
                column=column_letter(c),
            )
        # The block runs until the next non-empty cell on its title row.
        end = next((cc for cc in range(c + 1, sheet.width(r)) if not _is_blank(sheet.cell(r, cc))), last_col)
        years: set[int] = set()
        for cc in range(c, end):
            cell = sheet.cell(header.year_row, cc)
            if _is_blank(cell):
                continue
            year, is_period = _year_key(cell)
            if year is None:
                raise ParseError(
                    path,
                    f"{cell!r} is not a year or a period such as 1990-1995",
                    sheet=sheet.name,
                    row=header.year_row + 1,
                    column=column_letter(cc),
                )
            if year in years:
                # Two runs of years under one title: the title of the second block is missing.
                titled = {(b.column, b.sex) for _, _, b in blocks}
                missing = [k for k in spec.required if k not in titled]
                what = f" (no block of {missing[0][0]} for sex {missing[0][1]!r})" if missing else ""
                raise ParseError(
                    path,
                    f"year {year} appears twice under the title of {block.column} "
                    f"({block.sex}): a block title is missing{what}",
                    sheet=sheet.name,
                    row=title_row + 1,
                    column=column_letter(cc),
                )
            years.add(year)
            if block.column == _IGNORED:
                continue
            if is_period != spec.periods:
                expected = "a period such as 1990-1995" if spec.periods else "a year"
                raise ParseError(
                    path,
                    f"{cell!r} is not {expected}",
                    sheet=sheet.name,
                    row=header.year_row + 1,
                    column=column_letter(cc),
                )
            block.cols.append((cc, year))
        seen[key] = block

    missing = [k for k in spec.required if k not in seen]
    if missing:
        column, sex = missing[0]
        after = max((cc for b in seen.values() for cc, _ in b.cols), default=header.first_value - 1) + 1
        raise ParseError(
            path,
            f"no block of {column} for sex {sex!r} (no title naming {_SEX_WORDS[sex]!r})",
            sheet=sheet.name,
            row=title_row + 1,
            column=column_letter(after),
        )
    empty = [b for b in seen.values() if not b.cols and b.column != _IGNORED]
    if empty:
        raise ParseError(
            path,
            f"the block of {empty[0].column} ({empty[0].sex}) has no year columns",
            sheet=sheet.name,
            row=header.year_row + 1,
            column=column_letter(empty[0].title_col),
        )
    return [b for b in seen.values() if b.column != _IGNORED]


def _number(path: Path, sheet: _Sheet, r: int, c: int, *, integer: bool) -> float:
    """A value cell as a float (NaN for the missing-value markers); anything else is an error."""
    value = sheet.cell(r, c)
    if isinstance(value, bool):
        raise ParseError(path, f"{value!r} is not a number", sheet=sheet.name, row=r + 1, column=column_letter(c))
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if not text or text in NA_MARKERS:
            return math.nan
        if not _NUMBER_RE.match(text):
            raise ParseError(
                path, f"{value!r} is not a number (nor '..')", sheet=sheet.name, row=r + 1, column=column_letter(c)
            )
        number = float(text)
    else:
        raise ParseError(path, f"{value!r} is not a number", sheet=sheet.name, row=r + 1, column=column_letter(c))
    if not math.isfinite(number):
        raise ParseError(
            path, f"{value!r} is not a finite number", sheet=sheet.name, row=r + 1, column=column_letter(c)
        )
    if integer and abs(number - round(number)) > _INTEGER_TOLERANCE * max(1.0, abs(number)):
        raise ParseError(
            path, f"{value!r} is not a whole number of persons", sheet=sheet.name, row=r + 1, column=column_letter(c)
        )
    return number


def _read_table(path: Path, sheet: _Sheet, spec: _TableSpec) -> list[_Location]:
    header = _find_header(path, sheet)
    blocks = _find_blocks(path, sheet, spec, header)
    locations: list[_Location] = []
    first: dict[int, _Location] = {}
    for r in range(header.year_row + 1, len(sheet.rows)):
        code_cell = sheet.cell(r, header.code)
        values: dict[tuple[str, str, int], tuple[float, int]] = {}
        for b in blocks:
            is_int = b.column in _PERSON_COLUMNS
            for c, year in b.cols:
                values[(b.column, b.sex, year)] = (_number(path, sheet, r, c, integer=is_int), c)
        if _is_blank(code_cell):
            filled = [c for _, (v, c) in values.items() if not math.isnan(v)]
            if filled and not _is_blank(sheet.cell(r, header.name)):
                raise ParseError(
                    path,
                    f"row {_text(sheet.cell(r, header.name))!r} has values but no location code",
                    sheet=sheet.name,
                    row=r + 1,
                    column=column_letter(header.code),
                )
            continue  # a heading ("UN development groups") or a blank/footnote line
        code = _code(path, sheet, r, header.code)
        sort_order = None
        if header.sort_order is not None:
            cell = sheet.cell(r, header.sort_order)
            if not (isinstance(cell, int | float) and not isinstance(cell, bool) and float(cell).is_integer()):
                raise ParseError(
                    path,
                    f"sort order {cell!r} is not a whole number",
                    sheet=sheet.name,
                    row=r + 1,
                    column=column_letter(header.sort_order),
                )
            sort_order = int(cell)
        loc = _Location(
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
                raise ParseError(
                    path,
                    f"location code {code} appears again (first at row {prev.row + 1}) with different values",
                    sheet=sheet.name,
                    row=r + 1,
                    column=column_letter(header.code),
                )
            continue  # an identical repeat (927 "Australia and New Zealand" in 2020): keep the first
        first[code] = loc
        locations.append(loc)
    if not locations:
        raise ParseError(path, "no location rows under the header", sheet=sheet.name, row=header.year_row + 2)
    return locations


def _same(a: _Location, b: _Location) -> bool:
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


def _code(path: Path, sheet: _Sheet, r: int, c: int) -> int:
    value = sheet.cell(r, c)
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer() and value > 0:
        return int(value)
    if isinstance(value, str) and value.strip().isdigit() and int(value) > 0:
        return int(value)
    raise ParseError(
        path,
        f"location code {value!r} is not a positive whole number",
        sheet=sheet.name,
        row=r + 1,
        column=column_letter(c),
    )


# --------------------------------------------------------------------------------------------------
# Workbook-level pieces: revision, annex
# --------------------------------------------------------------------------------------------------


def _revision(path: Path, sheets: Sequence[_Sheet]) -> int:
    """The revision from 'POP/DB/MIG/Stock/Rev.2020' (in 2019 it sits inside the citation sentence)."""
    for sheet in sheets:
        for row in sheet.rows[:_HEADER_SEARCH_ROWS]:
            for value in row:
                if isinstance(value, str) and (m := _REVISION_RE.search(value)):
                    return int(m.group(1))
    raise ParseError(
        path,
        "no 'POP/DB/MIG/Stock/Rev.<year>' text to read the revision from",
        sheet=sheets[0].name if sheets else None,
    )


def _annex_countries(path: Path, sheet: _Sheet) -> dict[int, bool]:
    """code -> is a country/area, from the ANNEX marks in the more/less developed regions columns."""
    header = None
    for r in range(min(len(sheet.rows), _HEADER_SEARCH_ROWS)):
        texts = [_text(v).lower() for v in sheet.rows[r]]
        if any("country or area" in t for t in texts) and any(t in ("code", "location code") for t in texts):
            header = r
            break
    if header is None:
        raise ParseError(path, "no header row with a 'country or area' and a 'Code' column", sheet=sheet.name)
    texts = [_text(v).lower() for v in sheet.rows[header]]
    code_col = next(c for c, t in enumerate(texts) if t in ("code", "location code"))
    dev_cols = [c for c, t in enumerate(texts) if t in ("more developed regions", "less developed regions")]
    if len(dev_cols) != 2:
        raise ParseError(
            path, "no 'More Developed Regions' and 'Less Developed Regions' columns", sheet=sheet.name, row=header + 1
        )
    result: dict[int, bool] = {}
    for r in range(header + 1, len(sheet.rows)):
        if _is_blank(sheet.cell(r, code_col)):
            continue
        code = _code(path, sheet, r, code_col)
        result[code] = any(not _is_blank(sheet.cell(r, c)) for c in dev_cols)
    return result


# --------------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------------


def parse(path: Path | str) -> pd.DataFrame:
    """Read Tables 1–6 of an official IMS "by destination" workbook (2019 or 2020 layout) into a tidy frame.

    One row per (m49, year, sex), aggregates included (``is_aggregate``); validated by :data:`SCHEMA`.
    Raises :class:`~migdev.errors.ParseError` naming the sheet, row and column of the first thing
    that cannot be read.
    """
    path = Path(path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise ParseError(path, f"cannot be read as an Excel workbook: {exc}") from exc
    names = workbook.sheet_names
    by_lower = {n.strip().lower(): n for n in names}

    def load(name: str) -> _Sheet:
        actual = by_lower.get(name.lower())
        if actual is None:
            raise ParseError(path, f"no sheet named {name!r} (sheets: {', '.join(names)})", sheet=name)
        return _Sheet(actual, workbook.get_sheet_by_name(actual).to_python(skip_empty_area=False))

    sheets = [load(spec.sheet) for spec in _TABLES]
    revision = _revision(path, sheets)
    tables = [_read_table(path, sheet, spec) for sheet, spec in zip(sheets, _TABLES, strict=True)]

    annex = _annex_countries(path, load("ANNEX")) if "annex" in by_lower else {}
    return _assemble(path, revision, sheets, tables, annex)


def _assemble(
    path: Path,
    revision: int,
    sheets: list[_Sheet],
    tables: list[list[_Location]],
    annex: dict[int, bool],
) -> pd.DataFrame:
    master = tables[0]
    index = {loc.code: i for i, loc in enumerate(master)}
    for sheet, locations in zip(sheets[1:], tables[1:], strict=True):
        for loc in locations:
            if loc.code not in index:
                raise ParseError(
                    path, f"location code {loc.code} is not in {sheets[0].name}", sheet=sheet.name, row=loc.row + 1
                )
    years = sorted({year for locations in tables for loc in locations for (_, _, year) in loc.values})
    n_loc, n_year, n_sex = len(master), len(years), len(SEXES)
    n = n_loc * n_year * n_sex
    year_pos = {y: i for i, y in enumerate(years)}
    sex_pos = {s: i for i, s in enumerate(SEXES)}

    values = {col: np.full(n, np.nan) for col in _VALUE_COLUMNS}
    # Where each output value came from, so a schema failure can point at the workbook cell.
    origin: dict[str, np.ndarray] = {col: np.full((n, 3), -1, dtype=np.int64) for col in _VALUE_COLUMNS}
    for t, locations in enumerate(tables):
        for loc in locations:
            base = index[loc.code] * n_year * n_sex
            for (col, sex, year), (value, c) in loc.values.items():
                i = base + year_pos[year] * n_sex + sex_pos[sex]
                values[col][i] = value
                origin[col][i] = (t, loc.row, c)
    for col, factor in _UNIT_FACTOR.items():
        values[col] = values[col] * factor

    sort_orders = [loc.sort_order if loc.sort_order is not None else i + 1 for i, loc in enumerate(master)]
    codes = np.array([loc.code for loc in master], dtype=np.int64)
    is_aggregate = np.array([not annex[c] if c in annex else c >= 900 for c in codes.tolist()], dtype=bool)
    per_row = n_year * n_sex

    frame = pd.DataFrame(
        {
            "revision": np.full(n, revision, dtype=np.int64),
            "year": np.tile(np.repeat(np.array(years, dtype=np.int64), n_sex), n_loc),
            "sex": np.tile(np.array(SEXES, dtype=object), n_loc * n_year),
            "m49": np.repeat(codes, per_row),
            "name": np.repeat(np.array([loc.name for loc in master], dtype=object), per_row),
            "sort_order": np.repeat(np.array(sort_orders, dtype=np.int64), per_row),
            "notes": np.repeat(np.array([loc.notes for loc in master], dtype=object), per_row),
            "type_of_data": np.repeat(np.array([loc.type_of_data for loc in master], dtype=object), per_row),
        }
    )
    for col in _VALUE_COLUMNS:
        if col in _INTEGER_COLUMNS:
            frame[col] = pd.array(np.round(values[col]), dtype="Float64").astype("Int64")
        else:
            frame[col] = values[col]
    frame["is_aggregate"] = np.repeat(is_aggregate, per_row)
    return _validate(path, frame, sheets, tables, origin)


def _validate(
    path: Path,
    frame: pd.DataFrame,
    sheets: list[_Sheet],
    tables: list[list[_Location]],
    origin: dict[str, np.ndarray],
) -> pd.DataFrame:
    """Run :data:`SCHEMA`; report its first failure at the workbook cell the bad value came from."""
    try:
        return SCHEMA.validate(frame, lazy=False)
    except pa.errors.SchemaError as exc:
        column = getattr(exc, "column_name", None)
        failures = getattr(exc, "failure_cases", None)
        idx = None
        value = None
        if isinstance(failures, pd.DataFrame) and "index" in failures and len(failures):
            raw = failures["index"].dropna()
            if len(raw):
                idx = int(raw.iloc[0])
                value = failures["failure_case"].iloc[0] if "failure_case" in failures else None
        check = getattr(exc, "check", None)
        check_name = getattr(check, "name", None) or str(check or "")
        if column is None and check_name.endswith("_only_on_total"):
            column = check_name.removesuffix("_only_on_total")
        sheet = row = letter = None
        if idx is not None:
            key = frame.iloc[idx]
            where = f" (m49 {key['m49']}, {key['year']}, {key['sex']})"
            if column in origin and origin[column][idx][0] >= 0:
                t, r, c = (int(v) for v in origin[column][idx])
                sheet, row, letter = sheets[t].name, r + 1, column_letter(c)
            else:  # identification columns come from Table 1
                loc = next(loc for loc in tables[0] if loc.code == key["m49"])
                sheet, row = sheets[0].name, loc.row + 1
        else:
            where = ""
        shown = f" value {value!r}" if value is not None else ""
        reason = str(exc).splitlines()[0]
        raise ParseError(
            path,
            f"column {column!r}{where}{shown} fails the {SCHEMA.name} schema: {reason}",
            sheet=sheet,
            row=row,
            column=letter,
        ) from exc
