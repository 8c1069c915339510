"""Reading official Excel workbooks as grids of cells, with errors that name the sheet, row and column.

python-calamine reads the cells (xlsx and xls alike); this module adds what every workbook parser needs: sheets
found by name ignoring case and trailing spaces, 0-based cell access that tolerates short rows, header rows found
by their text, number cells with the publishers' missing-value markers, and Excel column letters for errors.

It also guards what calamine does not (see :class:`Workbook`): calamine allocates the sheet's whole bounding box,
so one stray value at XFD1048576 asks for ~17 billion cells and aborts the process. Before calamine loads an xlsx
sheet, its XML is streamed once to find the farthest *valued* cell (style-only cells are not loaded by calamine
and are ignored) and the Excel error cells (``#N/A``, ``#DIV/0!``...), which calamine hands back as empty
strings, i.e. as "missing"; a sheet past :data:`MAX_ROWS` / :data:`MAX_COLUMNS` / :data:`MAX_CELLS` is refused
by name, and :meth:`Sheet.number` refuses an error cell instead of reading it as NA. Legacy ``.xls`` (BIFF) is not
scanned: its format caps a sheet at 65,536 x 256 cells, and calamine does not report its error cells either.
"""

from __future__ import annotations

import math
import posixpath
import re
import zipfile
from collections.abc import Callable, Collection
from pathlib import Path
from xml.etree import ElementTree

from python_calamine import CalamineWorkbook

from migdev.errors import ParseError

#: Value-cell texts that mean "no number here" in UN DESA workbooks ('..' not available, '~' fewer than five
#: persons, '—' rounds to zero); products pass their own markers where they differ.
NA_MARKERS = frozenset({"..", "~", "—"})

_NUMBER_RE = re.compile(r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$")
_INTEGER_TOLERANCE = 1e-6

#: Bounds of a sheet we agree to load (the official workbooks are a few hundred rows by < 300 columns). calamine
#: takes ~32 bytes a cell and ``to_python`` as much again, so MAX_CELLS keeps one sheet near 150 MB.
MAX_ROWS = 100_000
MAX_COLUMNS = 2_000
MAX_CELLS = 2_000_000

_CHUNK = 1 << 20
_CELL_TAG_RE = re.compile(rb"<(?:\w+:)?c\s([^>]*?)(/?)>")
_REF_RE = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,7})"')
_ERROR_TYPE_RE = re.compile(rb'\bt="e"')
_VALUE_RE = re.compile(rb"<(?:\w+:)?v>([^<]{0,64})<")
_CELL_END_RE = re.compile(rb"</(?:\w+:)?c>")
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


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


def column_index(letters: str) -> int:
    """0-based column index of Excel column letters ("A" -> 0, "AA" -> 26); the inverse of :func:`column_letter`."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


class Sheet:
    """One worksheet as a list of rows, with 0-based access that tolerates short rows."""

    def __init__(self, name: str, rows: list[list[object]], path: Path | None = None,
                 errors: dict[tuple[int, int], str] | None = None) -> None:
        self.name = name
        self.rows = rows
        self.path = path
        #: (row, column) -> Excel error text (``#N/A``...) of the cells calamine returned as empty strings
        self.errors = errors or {}

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
        if (r, c) in self.errors:
            raise self.error(f"Excel error value {self.errors[(r, c)]!r} where a number is expected", r, c)
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
    """An official workbook opened with calamine; sheets are read on demand, each bounded before it is loaded.

    Every failure to read (a truncated or corrupt zip, broken XML, a password, a Rust panic inside calamine) is a
    :class:`ParseError` naming the file and, once a sheet is asked for, the sheet.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        #: sheet name -> its XML member in the zip (xlsx only; empty for xls)
        self.members: dict[str, str] = {}
        if zipfile.is_zipfile(self.path):
            self.members = self._guard(self._sheet_members, None)
        self._book = self._guard(lambda: CalamineWorkbook.from_path(str(self.path)), None)
        self.sheet_names: list[str] = list(self._book.sheet_names)
        self._by_key = {self._key(n): n for n in self.sheet_names}

    def _guard(self, read: Callable[[], object], sheet: str | None):
        """``read()``, with any failure of the zip, XML or calamine layer turned into a ParseError."""
        try:
            return read()
        except ParseError:
            raise
        except (KeyboardInterrupt, SystemExit, MemoryError):
            raise
        except BaseException as exc:
            what = "sheet cannot be read" if sheet else "cannot be read as an Excel workbook"
            raise ParseError(self.path, f"{what}: {type(exc).__name__}: {exc}", sheet=sheet) from exc

    def _sheet_members(self) -> dict[str, str]:
        """Sheet name -> its XML member in the xlsx zip (from xl/workbook.xml and its relationships)."""
        with zipfile.ZipFile(self.path) as z:
            names = set(z.namelist())
            if "xl/workbook.xml" not in names:
                return {}
            book = ElementTree.fromstring(z.read("xl/workbook.xml"))
            rels_name = "xl/_rels/workbook.xml.rels"
            rels = ElementTree.fromstring(z.read(rels_name)) if rels_name in names else None
        targets = {r.get("Id"): r.get("Target", "") for r in (rels if rels is not None else []) if r.tag == _PKG_REL}
        out = {}
        for sheet in book.iter(f"{_MAIN_NS}sheet"):
            target = targets.get(sheet.get(_REL_ID), "")
            member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            out[sheet.get("name", "")] = member
        return out

    def _scan(self, name: str) -> dict[tuple[int, int], str]:
        """Stream a sheet's XML once: refuse a valued cell past the bounds; return the Excel error cells."""
        member = self.members.get(name)
        if member is None:
            return {}
        max_r = max_c = -1
        errors: dict[tuple[int, int], str] = {}
        with zipfile.ZipFile(self.path) as z, z.open(member) as fh:
            carry = b""
            while True:
                chunk = fh.read(_CHUNK)
                buf = carry + chunk
                cut = len(buf) if not chunk else buf.rfind(b"</row>")
                if chunk and cut < 0:
                    cut = buf.rfind(b"<")
                part, carry = buf[:cut], buf[cut:]
                for m in _CELL_TAG_RE.finditer(part):
                    if m.group(2):  # <c r="A1" s="3"/>: formatting only, calamine loads no cell
                        continue
                    ref = _REF_RE.search(m.group(1))
                    if ref is None:
                        continue
                    r, c = int(ref.group(2)) - 1, column_index(ref.group(1).decode())
                    max_r, max_c = max(max_r, r), max(max_c, c)
                    if _ERROR_TYPE_RE.search(m.group(1)):
                        close = _CELL_END_RE.search(part, m.end())
                        v = _VALUE_RE.search(part, m.end(), close.start() if close else len(part))
                        errors[(r, c)] = v.group(1).decode(errors="replace") if v else "#error"
                    if max_r >= MAX_ROWS or max_c >= MAX_COLUMNS or (max_r + 1) * (max_c + 1) > MAX_CELLS:
                        cell = f"{ref.group(1).decode()}{int(ref.group(2))}"
                        raise ParseError(
                            self.path,
                            f"the sheet reaches cell {cell}: {max_r + 1:,} rows x {max_c + 1:,} columns is more than "
                            f"this reader loads ({MAX_ROWS:,} rows, {MAX_COLUMNS:,} columns, {MAX_CELLS:,} cells); "
                            "a stray value far from the table?",
                            sheet=name, row=r + 1, column=ref.group(1).decode())
                if not chunk:
                    break
        return errors

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
        errors = self._guard(lambda: self._scan(actual), actual) if self.members else {}
        rows = self._guard(lambda: self._book.get_sheet_by_name(actual).to_python(skip_empty_area=False), actual)
        return Sheet(actual, rows, self.path, errors)
