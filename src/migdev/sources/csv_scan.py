"""The bounded shape scan of a delimited text file, before anything else reads it.

:func:`scan` streams the file once with the csv module, lines read with a bounded ``readline``, so memory stays
bounded whatever the file holds, and refuses the files pandas would misread or choke on:

* an empty file, or a header with no data row (an empty table is never a valid release);
* text that is not UTF-8 (a BOM is allowed): Latin-1 or UTF-16 is refused at the row and column of the first
  bad byte, never guessed (gzip-compressed files too);
* a line over :data:`MAX_LINE` characters, a field over :data:`MAX_FIELD`, a header over :data:`MAX_COLUMNS`
  columns (one 1 MiB line of commas costs pandas gigabytes);
* a row with more or fewer fields than the header (pandas would fill the missing cells with NA or shift them);
  a blank line inside the table (pandas skips it and every later row number would be off by one; blank lines
  *after* the table are harmless and ignored);
* a last line without a line end: release files end their last row with one, so a file that stops mid-row was
  cut (a download or copy interrupted), even when the cut falls inside the last number. A file published without
  a final line end (KNOMAD's 2018 CSV) passes ``require_line_end=False``: a cut is then still caught where it
  leaves a short row, and its registered sha256 catches the rest;
* a header naming one column twice (pandas would silently rename the second ``x.1`` and read the first); a
  ``normalise`` function compares names after it (RPW's DataBank export writes ``Receiving Countries  Code``
  with two spaces: collapsing runs of spaces makes ``Receiving Countries Code`` the same name).

The same pass serves every layout: ``sep`` names the delimiter (``"\\t"`` for the UN's tab-separated tables), and
:func:`read_grid` keeps the checked rows as text cells for matrix layouts that are not column tables (KNOMAD's
sender x receiver matrix). :mod:`migdev.sources.csv_tables` reads typed columns on top of this module.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

from migdev.errors import ParseError

#: Longest line (characters) and field, and the most columns, a release file may have; the real files stay
#: under 2 KiB a line and 70 columns (KNOMAD's matrix: 217).
MAX_LINE = 1 << 20
MAX_FIELD = 64 << 10
MAX_COLUMNS = 10_000


class _BoundedLines:
    """Lines of a text file, each read with a bounded ``readline``: a line past MAX_LINE is refused, not loaded."""

    def __init__(self, fh: IO[str], path: Path) -> None:
        self.fh, self.path, self.lineno, self.last = fh, path, 0, ""

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = self.fh.readline(MAX_LINE + 1)
        if not line:
            raise StopIteration
        self.lineno += 1
        if len(line) > MAX_LINE:
            raise ParseError(self.path, f"line longer than {MAX_LINE:,} characters", row=self.lineno)
        self.last = line
        return line


def _gzipped(path: Path, compression: str | None = "infer") -> bool:
    return compression == "gzip" or (compression == "infer" and path.suffix == ".gz")


def _open_text(path: Path, compression: str | None = "infer") -> IO[str]:
    if _gzipped(path, compression):
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def find_header(path: Path | str, required: Iterable[str], *, max_lines: int = 50, sep: str = ",") -> int:
    """0-based line number of the first line that holds every ``required`` column name.

    Official CSVs (the World Bank's among them) carry preamble lines above the header; we find the table by
    its header text, not by a fixed line count.
    """
    path = Path(path)
    required = [r.strip().lower() for r in required]
    lines = None
    try:
        with _open_text(path) as fh:
            lines = _BoundedLines(fh, path)
            for lineno, row in enumerate(csv.reader(lines, delimiter=sep)):
                if lineno >= max_lines:
                    break
                cells = {c.strip().lower() for c in row}
                if all(r in cells for r in required):
                    return lineno
    except UnicodeDecodeError as exc:
        raise (not_utf8(path, names=required, sep=sep)
               or ParseError(path, f"not a UTF-8 text file ({exc.reason})")) from exc
    except csv.Error as exc:
        raise ParseError(path, f"cannot be read as CSV: {exc}", row=lines.lineno if lines else None) from exc
    except (EOFError, OSError) as exc:
        raise ParseError(path, f"cannot be read: {exc}") from exc
    missing = ", ".join(required)
    raise ParseError(path, f"no header line with the columns {missing} in the first {max_lines} lines")


def locate_header(path: Path | str, columns: Iterable[str], *, sep: str = ",") -> int:
    """The header line of :func:`find_header`, or 0 when no line holds every column, so that the reader then
    names, at row 1, the first column the header lacks (a file that is not UTF-8 or not CSV is refused here)."""
    try:
        return find_header(path, columns, sep=sep)
    except ParseError as exc:
        if exc.row is not None:
            raise
        return 0


def not_utf8(path: Path | str, header_line: int | None = None, names: Iterable[str] = (), *,
             sep: str = ",") -> ParseError | None:
    """A ParseError at the row and column of the first byte that is not UTF-8, or ``None`` if the file decodes.

    Decoders report offsets within their buffer, not the file, so the file (decompressed if gzip) is scanned
    here. The column is named from the header: line ``header_line``, else the first line before the bad byte
    holding any of ``names``.
    """
    path = Path(path)
    try:
        data = gzip.decompress(path.read_bytes()) if _gzipped(path) else path.read_bytes()
    except (EOFError, OSError) as exc:
        return ParseError(path, f"cannot be read: {exc}")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        start = exc.start
    else:
        return None
    line_start = data.rfind(b"\n", 0, start) + 1
    try:
        lines = list(csv.reader(io.StringIO(data[:line_start].decode("utf-8-sig")), delimiter=sep))
    except csv.Error:  # not even text before the bad byte (a binary file): its row is all there is to say
        lines = []
    wanted = {n.strip().lower() for n in names}
    if header_line is None and wanted:
        header_line = next((i for i, r in enumerate(lines) if wanted & {c.strip().lower() for c in r}), None)
    column = None
    if header_line is not None and header_line < len(lines):
        field = data.count(sep.encode(), line_start, start)
        header = lines[header_line]
        column = (header[field].strip() or None) if field < len(header) else None
    return ParseError(path, f"byte 0x{data[start]:02x} at offset {start} is not UTF-8 text",
                      row=data.count(b"\n", 0, start) + 1, column=column)


def require_utf8(path: Path | str, names: Iterable[str] = (), *, sep: str = ",") -> None:
    """Refuse a file that is not UTF-8 text, naming the row (and column) of the first bad byte."""
    error = not_utf8(path, names=names, sep=sep)
    if error is not None:
        raise error


def scan(path: Path | str, header_line: int = 0, *, compression: str | None = "infer", sep: str = ",",
         normalise: Callable[[str], str] | None = None, require_line_end: bool = True) -> list[str]:
    """Check the whole file's shape in one bounded pass (see the module docstring) and return its header names
    (stripped, as the file spells them).

    ``header_line`` is the 0-based record of the header; records above it (a preamble) are not checked.
    """
    return _scan(Path(path), header_line, compression, sep, normalise, require_line_end, None)


def read_grid(path: Path | str, header_line: int = 0, *, sep: str = ",", require_line_end: bool = True,
              normalise: Callable[[str], str] | None = None) -> list[list[str]]:
    """The header and data rows as text cells (as in the file, not stripped), after the checks of :func:`scan`:
    for layouts that are a grid rather than named columns (a matrix with names down its first column). Blank
    lines after the table are not rows."""
    rows: list[list[str]] = []
    _scan(Path(path), header_line, "infer", sep, normalise, require_line_end, rows)
    return rows


def _scan(path: Path, header_line: int, compression: str | None, sep: str,
          normalise: Callable[[str], str] | None, require_line_end: bool,
          keep: list[list[str]] | None) -> list[str]:
    if not _gzipped(path, compression) and path.stat().st_size == 0:
        raise ParseError(path, "the file is empty")
    header: list[str] | None = None
    data_rows = 0
    blank_at: int | None = None
    lines = None
    try:
        with _open_text(path, compression) as fh:
            lines = _BoundedLines(fh, path)
            for i, row in enumerate(csv.reader(lines, delimiter=sep)):
                record = i + 1
                if i < header_line:
                    continue
                if header is None:
                    header = _check_header(path, row, record, normalise)
                    if keep is not None:
                        keep.append(row)
                    continue
                if not row or (len(row) == 1 and not row[0].strip()):
                    blank_at = blank_at or record
                    continue
                if blank_at is not None:
                    raise ParseError(path, "blank line inside the table", row=blank_at)
                if len(row) != len(header):
                    missing = header[len(row)] if len(row) < len(header) else None
                    raise ParseError(path, f"{len(row):,} fields where the header has {len(header):,}"
                                     + (" (a ragged row, or the file was cut)" if missing else ""),
                                     row=record, column=missing or None)
                if len(lines.last) > MAX_FIELD:
                    long = next((c for c, v in enumerate(row) if len(v) > MAX_FIELD), None)
                    if long is not None:
                        raise ParseError(path, f"a field of {len(row[long]):,} characters (at most {MAX_FIELD:,})",
                                         row=record, column=header[long] or None)
                data_rows += 1
                if keep is not None:
                    keep.append(row)
    except UnicodeDecodeError as exc:
        raise (not_utf8(path, header_line, sep=sep)
               or ParseError(path, f"not a UTF-8 text file ({exc.reason})")) from exc
    except csv.Error as exc:
        raise ParseError(path, f"cannot be read as CSV: {exc}", row=lines.lineno if lines else None) from exc
    except (EOFError, OSError) as exc:  # gzip.BadGzipFile is an OSError
        raise ParseError(path, f"cannot be read: {exc}") from exc
    if header is None:
        raise ParseError(path, "no header line: the file is empty" if header_line == 0 else
                         f"the file ends before its header (line {header_line + 1})")
    if data_rows == 0:
        raise ParseError(path, "the table has a header but no data rows", row=header_line + 1)
    if require_line_end and lines is not None and not lines.last.endswith(("\n", "\r")):
        raise ParseError(path, f"the last row (row {lines.lineno}) has no line end: the file was cut inside it",
                         row=lines.lineno)
    return header


def _check_header(path: Path, row: list[str], record: int, normalise: Callable[[str], str] | None) -> list[str]:
    if len(row) > MAX_COLUMNS:
        raise ParseError(path, f"a header of {len(row):,} columns (at most {MAX_COLUMNS:,})", row=record)
    names = [c.strip() for c in row]
    seen: set[str] = set()
    for name in names:
        key = normalise(name) if normalise else name
        if key and key in seen:
            raise ParseError(path, f"the header names column {name!r} twice", row=record, column=name)
        seen.add(key)
    return names


def header_names(path: Path | str, header_line: int = 0, *, sep: str = ",") -> list[str]:
    """The column names of the header at record ``header_line``, the whole file checked by :func:`scan`."""
    return scan(path, header_line, sep=sep)
