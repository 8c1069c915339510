"""Reading delimited official files into typed frames, with errors that point at the offending cell.

pandas does the reading; this module adds what pandas does not: locating the header by its text, naming the
first row/column that is not numeric, turning pandera failures into a :class:`ParseError`, and refusing, before
pandas allocates anything, the files pandas would misread or choke on. :func:`scan` streams the file once with
the csv module, lines read with a bounded ``readline``, so memory stays bounded whatever the file holds:

* an empty file, or a header with no data row (an empty table is never a valid release);
* text that is not UTF-8 (a BOM is allowed): Latin-1 or UTF-16 is refused at the row and column of the first
  bad byte, never guessed;
* a line over :data:`MAX_LINE` characters, a field over :data:`MAX_FIELD`, a header over :data:`MAX_COLUMNS`
  columns (one 1 MiB line of commas costs pandas gigabytes);
* a row with more or fewer fields than the header (pandas would fill the missing cells with NA or shift them);
  a blank line inside the table (pandas skips it and every later row number would be off by one; blank lines
  *after* the table are harmless and ignored);
* a last line without a line end: every release file ends its last row with one, so a file that stops mid-row
  was cut (a download or copy interrupted), even when the cut falls inside the last number;
* a header naming one column twice (pandas would silently rename the second ``x.1`` and read the first).

Number cells (:func:`read_csv` ``numeric``/``integer``) refuse ``inf``, ``1e400``, ``nan`` as text and the Excel
error texts (``#N/A``, ``#DIV/0!``...): only an empty cell is missing. Whole numbers past 2**53 (not exact as a
float) are refused too.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, NamedTuple

import numpy as np
import pandas as pd
import pandera.pandas as pa

from migdev.errors import ParseError
from migdev.vocab import SEXES

#: Longest line (characters) and field, and the most columns, a release file may have; the real files stay
#: under 2 KiB a line and 70 columns.
MAX_LINE = 1 << 20
MAX_FIELD = 64 << 10
MAX_COLUMNS = 10_000
#: Texts Excel writes into a cell whose formula failed; exported to CSV they are not numbers nor "missing".
EXCEL_ERRORS = frozenset({"#N/A", "#N/A N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!",
                          "#GETTING_DATA", "#SPILL!", "#CALC!"})
_MAX_EXACT = 2.0**53
_BOOLS = {"true": True, "false": False}


def find_header(path: Path, required: Iterable[str], *, max_lines: int = 50, encoding: str = "utf-8-sig") -> int:
    """0-based line number of the first line that holds every ``required`` column name.

    Official CSVs (the World Bank's among them) carry preamble lines above the header; we find the table by
    its header text, not by a fixed line count.
    """
    required = [r.strip().lower() for r in required]
    lines = None
    try:
        with open(path, encoding=encoding, newline="") as fh:
            lines = _BoundedLines(fh, Path(path))
            for lineno, row in enumerate(csv.reader(lines)):
                if lineno >= max_lines:
                    break
                cells = {c.strip().lower() for c in row}
                if all(r in cells for r in required):
                    return lineno
    except UnicodeDecodeError as exc:
        raise not_utf8(path, names=required) or ParseError(path, f"not a UTF-8 text file ({exc.reason})") from exc
    except csv.Error as exc:
        raise ParseError(path, f"cannot be read as CSV: {exc}", row=lines.lineno if lines else None) from exc
    missing = ", ".join(required)
    raise ParseError(path, f"no header line with the columns {missing} in the first {max_lines} lines")


def not_utf8(path: Path | str, header_line: int | None = None, names: Iterable[str] = ()) -> ParseError | None:
    """A ParseError at the row and column of the first byte that is not UTF-8, or ``None`` if the file decodes.

    Decoders report offsets within their buffer, not the file, so the file is scanned here. The column is named
    from the header: line ``header_line``, else the first line before the bad byte holding any of ``names``.
    """
    data = Path(path).read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        start = exc.start
    else:
        return None
    line_start = data.rfind(b"\n", 0, start) + 1
    lines = list(csv.reader(io.StringIO(data[:line_start].decode("utf-8-sig"))))
    wanted = {n.strip().lower() for n in names}
    if header_line is None and wanted:
        header_line = next((i for i, r in enumerate(lines) if wanted & {c.strip().lower() for c in r}), None)
    column = None
    if header_line is not None and header_line < len(lines):
        field = data.count(b",", line_start, start)
        header = lines[header_line]
        column = header[field].strip() if field < len(header) else None
    return ParseError(path, f"byte 0x{data[start]:02x} at offset {start} is not UTF-8 text",
                      row=data.count(b"\n", 0, start) + 1, column=column)


def require_utf8(path: Path | str, names: Iterable[str] = ()) -> None:
    """Refuse a file that is not UTF-8 text, naming the row (and column) of the first bad byte."""
    error = not_utf8(path, names=names)
    if error is not None:
        raise error


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


def _open_text(path: Path, compression: str | None) -> IO[str]:
    if compression == "gzip" or (compression == "infer" and path.suffix == ".gz"):
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def scan(path: Path | str, header_line: int = 0, *, compression: str | None = "infer") -> list[str]:
    """Check the whole file's shape in one bounded pass (see the module docstring) and return its header names.

    ``header_line`` is the 0-based record of the header; records above it (a preamble) are not checked.
    """
    path = Path(path)
    plain = compression in (None, "infer") and path.suffix != ".gz"
    if plain and path.stat().st_size == 0:
        raise ParseError(path, "the file is empty")
    header: list[str] | None = None
    data_rows = 0
    blank_at: int | None = None
    lines = None
    try:
        with _open_text(path, compression) as fh:
            lines = _BoundedLines(fh, path)
            for i, row in enumerate(csv.reader(lines)):
                record = i + 1
                if i < header_line:
                    continue
                if header is None:
                    header = _check_header(path, row, record)
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
                                     row=record, column=missing)
                if len(lines.last) > MAX_FIELD:
                    long = next((c for c, v in enumerate(row) if len(v) > MAX_FIELD), None)
                    if long is not None:
                        raise ParseError(path, f"a field of {len(row[long]):,} characters (at most {MAX_FIELD:,})",
                                         row=record, column=header[long] or None)
                data_rows += 1
    except UnicodeDecodeError as exc:
        located = not_utf8(path, header_line) if plain else None
        raise located or ParseError(path, f"not a UTF-8 text file ({exc.reason})") from exc
    except csv.Error as exc:
        raise ParseError(path, f"cannot be read as CSV: {exc}", row=lines.lineno if lines else None) from exc
    except (EOFError, OSError, gzip.BadGzipFile) as exc:
        raise ParseError(path, f"cannot be read: {exc}") from exc
    if header is None:
        raise ParseError(path, "no header line: the file is empty" if header_line == 0 else
                         f"the file ends before its header (line {header_line + 1})")
    if data_rows == 0:
        raise ParseError(path, "the table has a header but no data rows", row=header_line + 1)
    if lines is not None and not lines.last.endswith(("\n", "\r")):
        raise ParseError(path, f"the last row (row {lines.lineno}) has no line end: the file was cut inside it",
                         row=lines.lineno)
    return header


def _check_header(path: Path, row: list[str], record: int) -> list[str]:
    if len(row) > MAX_COLUMNS:
        raise ParseError(path, f"a header of {len(row):,} columns (at most {MAX_COLUMNS:,})", row=record)
    names = [c.strip() for c in row]
    seen: set[str] = set()
    for name in names:
        if name and name in seen:
            raise ParseError(path, f"the header names column {name!r} twice", row=record, column=name)
        seen.add(name)
    return names


def header_names(path: Path | str, header_line: int = 0) -> list[str]:
    """The column names of the header at record ``header_line``, the whole file checked by :func:`scan`."""
    return scan(path, header_line)


def read_csv(
    path: Path | str,
    columns: Sequence[str],
    *,
    numeric: Sequence[str] = (),
    integer: Sequence[str] = (),
    required: Sequence[str] = (),
    header_line: int | None = None,
    compression: str | None = "infer",
) -> pd.DataFrame:
    """Read ``columns`` of a CSV as text, then convert ``numeric``/``integer`` columns, failing on the first bad cell.

    The file is first checked whole by :func:`scan`. Empty cells stay missing. ``required`` columns may not be
    empty. Rows are reported 1-based counting the header as row 1 (plus any preamble), as a spreadsheet shows them.
    """
    path = Path(path)
    if header_line is None:
        header_line = 0
        if compression in (None, "infer") and path.suffix != ".gz":
            try:
                header_line = find_header(path, columns)
            except ParseError as exc:
                if exc.row is not None:  # not UTF-8 or not CSV: the error names the row
                    raise
                # no line holds every column: read the first line as the header and name what it lacks
    names = scan(path, header_line, compression=compression)
    missing = [c for c in columns if c not in names]
    if missing:
        raise ParseError(path, f"missing column(s) {', '.join(repr(m) for m in missing)}; found {names}",
                         row=header_line + 1, column=missing[0])
    try:
        df = pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skiprows=header_line,
            encoding="utf-8-sig",
            compression=compression,
            usecols=lambda c: str(c).strip() in columns,
        )
    except UnicodeDecodeError as exc:  # scan decodes first; kept for a file changed under our feet
        raise ParseError(path, f"not a UTF-8 text file ({exc.reason})") from exc
    except (pd.errors.ParserError, EOFError, OSError, ValueError) as exc:
        raise ParseError(path, f"cannot be read as CSV: {exc}") from exc
    df.columns = [str(c).strip() for c in df.columns]
    df = df[list(columns)].apply(lambda col: col.str.strip()).replace("", None)
    first_data_row = header_line + 2  # header is row header_line+1 (1-based)
    for col in required:
        empty = df[col].isna()
        if empty.any():
            i = int(empty.to_numpy().argmax())
            raise ParseError(path, "required value is empty", row=first_data_row + i, column=col)
    for col in (*numeric, *integer):
        df[col] = _numbers(df[col], path, first_data_row, integer=col in integer)
    return df


def _numbers(text: pd.Series, path: Path, first_row: int, *, integer: bool) -> pd.Series:
    """A text column as numbers: empty is NA; anything else that is not a finite number is named at its cell."""
    col = str(text.name)

    def fail(mask: pd.Series | np.ndarray, why: str) -> None:
        i = int(np.asarray(mask).argmax())
        raise ParseError(path, f"{text.iloc[i]!r} {why}", row=first_row + i, column=col)

    values = pd.to_numeric(text, errors="coerce")
    bad = values.isna() & text.notna()
    if bad.any():
        excel = text.isin(EXCEL_ERRORS) & bad
        fail(excel if excel.any() else bad,
             "is an Excel error value, not a number" if excel.any() else "is not a number")
    floats = values.to_numpy(dtype=float, na_value=np.nan)
    infinite = np.isinf(floats)
    if infinite.any():
        fail(infinite, "is not a finite number")
    if integer:
        frac = ~np.isnan(floats) & (floats != np.round(floats))
        if frac.any():
            fail(frac, "is not a whole number")
        huge = np.abs(np.nan_to_num(floats)) > _MAX_EXACT
        if huge.any():
            fail(huge, f"is out of range for a whole number (at most {_MAX_EXACT:.0f})")
        return values.astype("Int64")
    return values


def parse_bool(df: pd.DataFrame, column: str, path: Path | str, *, first_row: int = 2) -> pd.Series:
    """A True/False text column (any case) as booleans; anything else, empty included, is named at its cell."""
    text = df[column].astype("string").str.strip().str.lower()
    ok = text.isin(list(_BOOLS)).fillna(False).to_numpy(dtype=bool)
    if not ok.all():
        i = int((~ok).argmax())
        raise ParseError(path, f"{df[column].iloc[i]!r} is not True/False", row=first_row + i, column=column)
    return (text == "true").astype(bool)


def check_revisions(df: pd.DataFrame, path: Path | str, allowed: Iterable[int], *, one: bool = True,
                    column: str = "revision", first_row: int = 2) -> None:
    """A file holds the revisions it is declared to hold: each value among ``allowed`` and, if ``one``, a single
    value throughout (a second revision inside a file would be loaded as a release of its own)."""
    allowed = set(allowed)
    values = df[column]
    bad = ~values.isin(allowed)
    if bad.any():
        i = int(bad.to_numpy().argmax())
        raise ParseError(path, f"revision {values.iloc[i]} is not one this file holds "
                               f"({', '.join(map(str, sorted(allowed)))})", row=first_row + i, column=column)
    if one and len(values):
        other = (values != values.iloc[0]).to_numpy()
        if other.any():
            i = int(other.argmax())
            raise ParseError(path, f"a second revision {values.iloc[i]} in a file of revision {values.iloc[0]}",
                             row=first_row + i, column=column)


def check_sex_sum(df: pd.DataFrame, key: Sequence[str], value: str, path: Path | str, *, tolerance: float = 0.0,
                  first_row: int = 2, sex: str = "sex") -> None:
    """total = male + female (within ``tolerance``) wherever all three are published, on a long table with a
    ``sex`` column; a mismatch means a corrupted or mixed file. Named at the total's row."""
    rows = df.reset_index(drop=True)
    parts = {s: rows[rows[sex] == s].set_index(list(key))[value] for s in SEXES}
    if any(not p.index.is_unique for p in parts.values()):
        return  # duplicated keys are check_unique's to name
    both = pd.concat(parts, axis=1, join="inner").dropna()
    diff = (both["male"].astype(float) + both["female"].astype(float) - both["total"].astype(float)).abs()
    bad = diff > tolerance
    if bad.any():
        at = both.index[int(bad.to_numpy().argmax())]
        at = at if isinstance(at, tuple) else (at,)
        where = ", ".join(f"{k}={v}" for k, v in zip(key, at, strict=True))
        m, f, t = (both.loc[at if len(key) > 1 else at[0], s] for s in ("male", "female", "total"))
        mask = (rows[sex] == "total").to_numpy()
        for k, v in zip(key, at, strict=True):
            mask = mask & (rows[k] == v).to_numpy()
        raise ParseError(path, f"male + female != total at {where} ({m} + {f} != {t})",
                         row=first_row + int(mask.argmax()), column=value)


def check_wide_sex_sum(df: pd.DataFrame, path: Path | str, male: str, female: str, total: str, *,
                       tolerance: float = 0.0, first_row: int = 2) -> None:
    """total = male + female (within ``tolerance``) on a table with one column per sex; named at the total."""
    diff = (df[male].astype(float) + df[female].astype(float) - df[total].astype(float)).abs()
    bad = (diff > tolerance).fillna(False).to_numpy(dtype=bool)
    if bad.any():
        i = int(bad.argmax())
        raise ParseError(path, f"{male} + {female} != {total} ({df[male].iloc[i]} + {df[female].iloc[i]} != "
                               f"{df[total].iloc[i]})", row=first_row + i, column=total)


def check_sex(df: pd.DataFrame, path: Path | str, column: str = "sex", *, first_row: int = 2) -> None:
    """Refuse any sex code other than total/male/female: an unknown code would silently split a table."""
    bad = ~df[column].isin(SEXES)
    if bad.any():
        i = int(bad.to_numpy().argmax())
        raise ParseError(
            path,
            f"unknown sex code {df[column].iloc[i]!r} (expected one of {', '.join(SEXES)})",
            row=first_row + i,
            column=column,
        )


def check_unique(df: pd.DataFrame, key: Sequence[str], path: Path | str, *, first_row: int = 2) -> None:
    """Refuse duplicated keys: two values for one cell means the file is not what we think it is."""
    dup = df.duplicated(list(key), keep="first")
    if dup.any():
        i = int(dup.to_numpy().argmax())
        values = ", ".join(f"{k}={df[k].iloc[i]}" for k in key)
        raise ParseError(path, f"duplicated key ({values})", row=first_row + i, column=key[0])


class Origin(NamedTuple):
    """Where a value of a validated frame came from in its file, for an error to point at the cell."""

    sheet: str | None
    row: int | None
    column: str | None
    note: str = ""


def validate(df: pd.DataFrame, schema: pa.DataFrameSchema, path: Path | str, *, first_row: int = 2,
             names: Mapping[str, str] | None = None,
             origin: Callable[[int, str | None], Origin] | None = None) -> pd.DataFrame:
    """Validate with pandera and report the first failure as a ParseError at its row and column.

    By default the frame's rows are the file's rows from ``first_row`` on and its columns the file's, or renamed:
    ``names`` maps a frame column to the file's header name (``{"m49": "loc_code"}``). A frame
    reshaped from a workbook passes ``origin(position, column) -> Origin``: the sheet, row and column the failing
    value came from (and a note such as its key), so the error still names the cell.
    """
    try:
        return schema.validate(df, lazy=False)
    except (pa.errors.SchemaError, pa.errors.SchemaErrors) as raised:
        # pandera raises SchemaErrors (plural) for some failures (e.g. a column not in a strict schema) even when
        # not lazy: report its first error like a single one
        many = isinstance(raised, pa.errors.SchemaErrors) and raised.schema_errors
        exc = raised.schema_errors[0] if many else raised
        column = getattr(exc, "column_name", None) or None
        check_name = getattr(getattr(exc, "check", None), "name", None)
        if column is None and check_name in df.columns:
            column = check_name  # a frame-wide check named after the column it is about
        position = None
        failures = getattr(exc, "failure_cases", None)
        if isinstance(failures, pd.DataFrame) and "index" in failures and len(failures):
            idx = failures["index"].dropna()
            idx = idx.iloc[0] if len(idx) else None
            if idx is not None and idx in df.index:
                position = int(df.index.get_loc(idx))
        reason = str(exc).splitlines()[0].split(" failure cases:")[0]
        if isinstance(failures, pd.DataFrame) and "failure_case" in failures and len(failures):
            reason += f" (first failing value {failures['failure_case'].iloc[0]!r})"
        shown = (names or {}).get(column, column) if column is not None else None
        where = Origin(None, None if position is None else first_row + position, shown)
        if origin is not None and position is not None:
            where = origin(position, column)
        elif origin is not None:
            where = Origin(None, None, None)
        note = f" at {where.note}" if where.note else ""
        raise ParseError(path, f"does not pass the {schema.name or 'table'} schema{note}: {reason}",
                         sheet=where.sheet, row=where.row, column=where.column) from raised


def dispatch(
    path: Path | str, readers: Sequence[tuple[Iterable[str], Callable[[Path], pd.DataFrame]]], product: str
) -> pd.DataFrame:
    """Read a file with the first reader whose header columns it has (tables are known by their header text)."""
    path = Path(path)
    require_utf8(path, {c for columns, _ in readers for c in columns})  # else it would pass for an unknown header
    for columns, reader in readers:
        try:
            find_header(path, columns, max_lines=1)
        except ParseError:
            continue
        return reader(path)
    raise ParseError(path, f"not a known {product} table (header not recognised)", row=1)
