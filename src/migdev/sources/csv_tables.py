"""Reading delimited official files into typed frames, with errors that point at the offending cell.

pandas does the reading; this module only adds what pandas does not: locating the header by its text,
naming the first row/column that is not numeric, and turning pandera failures into a :class:`ParseError`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from migdev.errors import ParseError

SEXES = ("total", "male", "female")


def find_header(path: Path, required: Iterable[str], *, max_lines: int = 50, encoding: str = "utf-8-sig") -> int:
    """0-based line number of the first line that holds every ``required`` column name.

    Official CSVs (the World Bank's among them) carry preamble lines above the header; we find the table by
    its header text, not by a fixed line count.
    """
    required = [r.strip().lower() for r in required]
    try:
        with open(path, encoding=encoding, newline="") as fh:
            for lineno, row in enumerate(csv.reader(fh)):
                if lineno >= max_lines:
                    break
                cells = {c.strip().lower() for c in row}
                if all(r in cells for r in required):
                    return lineno
    except UnicodeDecodeError as exc:
        raise not_utf8(path, names=required) or ParseError(path, f"not a UTF-8 text file ({exc.reason})") from exc
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

    Empty cells stay missing. ``required`` columns may not be empty. Rows are reported 1-based counting the
    header as row 1 (plus any preamble), as a spreadsheet shows them.
    """
    path = Path(path)
    if header_line is None:
        header_line = 0
        if compression in (None, "infer") and path.suffix != ".gz":
            try:
                header_line = find_header(path, columns)
            except ParseError as exc:
                if exc.row is not None:  # not UTF-8: the error names the bad byte's row
                    raise
                # no line holds every column: read the first line as the header and name what it lacks
    try:
        df = pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skiprows=header_line,
            encoding="utf-8-sig",
            compression=compression,
        )
    except UnicodeDecodeError as exc:
        located = not_utf8(path, header_line) if compression in (None, "infer") and path.suffix != ".gz" else None
        raise located or ParseError(path, f"not a UTF-8 text file ({exc.reason})") from exc
    except (pd.errors.ParserError, EOFError, OSError) as exc:
        raise ParseError(path, f"cannot be read as CSV: {exc}") from exc
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ParseError(path, f"missing column(s) {', '.join(repr(m) for m in missing)}; found {list(df.columns)}",
                         row=header_line + 1, column=missing[0])
    df = df[list(columns)].apply(lambda col: col.str.strip()).replace("", None)
    first_data_row = header_line + 2  # header is row header_line+1 (1-based)
    for col in required:
        empty = df[col].isna()
        if empty.any():
            i = int(empty.to_numpy().argmax())
            raise ParseError(path, "required value is empty", row=first_data_row + i, column=col)
    for col in (*numeric, *integer):
        values = pd.to_numeric(df[col], errors="coerce")
        bad = values.isna() & df[col].notna()
        if bad.any():
            i = int(bad.to_numpy().argmax())
            raise ParseError(
                path, f"{df[col].iloc[i]!r} is not a number", row=first_data_row + i, column=col
            )
        if col in integer:
            frac = values.notna() & (values != values.round())
            if frac.any():
                i = int(frac.to_numpy().argmax())
                raise ParseError(
                    path, f"{df[col].iloc[i]!r} is not a whole number", row=first_data_row + i, column=col
                )
            values = values.astype("Int64")
        df[col] = values
    return df


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


def validate(df: pd.DataFrame, schema: pa.DataFrameSchema, path: Path | str, *, first_row: int = 2) -> pd.DataFrame:
    """Validate with pandera and report the first failure as a ParseError at its row and column."""
    try:
        return schema.validate(df, lazy=False)
    except (pa.errors.SchemaError, pa.errors.SchemaErrors) as raised:
        # pandera raises SchemaErrors (plural) for some failures (e.g. a column not in a strict schema) even when
        # not lazy: report its first error like a single one
        many = isinstance(raised, pa.errors.SchemaErrors) and raised.schema_errors
        exc = raised.schema_errors[0] if many else raised
        row = None
        column = getattr(exc, "column_name", None) or None
        failures = getattr(exc, "failure_cases", None)
        if isinstance(failures, pd.DataFrame) and "index" in failures and len(failures):
            idx = failures["index"].iloc[0]
            if idx is not None and not pd.isna(idx) and idx in df.index:
                row = first_row + int(df.index.get_loc(idx))
        reason = str(exc).splitlines()[0].split(" failure cases:")[0]
        if isinstance(failures, pd.DataFrame) and "failure_case" in failures and len(failures):
            reason += f" (first failing value {failures['failure_case'].iloc[0]!r})"
        raise ParseError(path, f"does not pass the {schema.name or 'table'} schema: {reason}", row=row,
                         column=column) from raised


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
