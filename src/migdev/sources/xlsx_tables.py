"""Reading official Excel workbooks as grids of cells, with errors that name the sheet, row and column.

python-calamine reads the cells (xlsx and xls alike); this module adds what every workbook parser needs: sheets
found by name ignoring case and trailing spaces, 0-based cell access that tolerates short rows, header rows found
by their text, number cells with the publishers' missing-value markers, and Excel column letters for errors.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection
from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook

from migdev.errors import ParseError

#: Value-cell texts that mean "no number here" in UN DESA workbooks ('..' not available, '~' fewer than five
#: persons, '—' rounds to zero); products pass their own markers where they differ.
NA_MARKERS = frozenset({"..", "~", "—"})

_NUMBER_RE = re.compile(r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$")
_INTEGER_TOLERANCE = 1e-6


def column_letter(index: int) -> str:
    """Excel column letters for a 0-based column index (0 -> "A", 26 -> "AA")."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def text(value: object) -> str:
    """A cell as normalised text (whitespace collapsed), for matching header words."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class Sheet:
    """One worksheet as a list of rows, with 0-based access that tolerates short rows."""

    def __init__(self, name: str, rows: list[list[object]], path: Path | None = None) -> None:
        self.name = name
        self.rows = rows
        self.path = path

    def cell(self, r: int, c: int) -> object:
        if r < len(self.rows) and c < len(self.rows[r]):
            return self.rows[r][c]
        return ""

    def width(self, r: int) -> int:
        return len(self.rows[r]) if r < len(self.rows) else 0

    def error(self, message: str, r: int | None = None, c: int | None = None) -> ParseError:
        """A ParseError at 0-based (r, c) of this sheet, shown 1-based with the column letter."""
        return ParseError(self.path or Path(self.name), message, sheet=self.name,
                          row=None if r is None else r + 1, column=None if c is None else column_letter(c))

    def find_row(self, match: Callable[[list[str]], bool], *, max_rows: int = 60, what: str = "header") -> int:
        """0-based index of the first row (within ``max_rows``) whose normalised lower-case texts satisfy ``match``."""
        for r in range(min(len(self.rows), max_rows)):
            if match([text(v).lower() for v in self.rows[r]]):
                return r
        raise self.error(f"no {what} row in the first {max_rows} rows")

    def number(self, r: int, c: int, *, integer: bool = False, na: Collection[str] = NA_MARKERS,
               blank_is_na: bool = True) -> float:
        """A value cell as a float (NaN for a missing-value marker or, if ``blank_is_na``, an empty cell); any other
        text, a boolean or a non-finite number is an error naming the cell."""
        value = self.cell(r, c)
        if isinstance(value, bool):
            raise self.error(f"{value!r} is not a number", r, c)
        if isinstance(value, int | float):
            number = float(value)
        elif isinstance(value, str):
            stripped = value.strip()
            if (not stripped and blank_is_na) or stripped in na:
                return math.nan
            if not _NUMBER_RE.match(stripped):
                markers = ", ".join(repr(m) for m in sorted(na))
                raise self.error(f"{value!r} is not a number (nor a missing-value marker: {markers})", r, c)
            number = float(stripped)
        elif value is None and blank_is_na:
            return math.nan
        else:
            raise self.error(f"{value!r} is not a number", r, c)
        if not math.isfinite(number):
            raise self.error(f"{value!r} is not a finite number", r, c)
        if integer and abs(number - round(number)) > _INTEGER_TOLERANCE * max(1.0, abs(number)):
            raise self.error(f"{value!r} is not a whole number", r, c)
        return number

    def code(self, r: int, c: int, what: str = "location code") -> int:
        """A positive whole-number code cell (M49 and the like)."""
        value = self.cell(r, c)
        if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer() and value > 0:
            return int(value)
        if isinstance(value, str) and value.strip().isdigit() and int(value) > 0:
            return int(value)
        raise self.error(f"{what} {value!r} is not a positive whole number", r, c)


class Workbook:
    """An official workbook opened with calamine; sheets are read on demand."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        try:
            self._book = CalamineWorkbook.from_path(str(self.path))
        except (CalamineError, OSError, ValueError) as exc:
            raise ParseError(self.path, f"cannot be read as an Excel workbook: {exc}") from exc
        self.sheet_names: list[str] = list(self._book.sheet_names)
        self._by_key = {self._key(n): n for n in self.sheet_names}

    @staticmethod
    def _key(name: str) -> str:
        return " ".join(name.split()).lower()

    def has(self, name: str) -> bool:
        return self._key(name) in self._by_key

    def sheet(self, name: str) -> Sheet:
        """The sheet called ``name``, ignoring case and surrounding/multiple spaces (KNOMAD 2021's sheet name has a
        trailing space)."""
        actual = self._by_key.get(self._key(name))
        if actual is None:
            raise ParseError(self.path, f"no sheet named {name!r} (sheets: {', '.join(self.sheet_names)})", sheet=name)
        try:
            rows = self._book.get_sheet_by_name(actual).to_python(skip_empty_area=False)
        except (CalamineError, ValueError) as exc:
            raise ParseError(self.path, f"sheet cannot be read: {exc}", sheet=actual) from exc
        return Sheet(actual, rows, self.path)
