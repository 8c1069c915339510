"""Reading delimited official files into typed frames, with errors that point at the offending cell.

pandas does the reading; this module adds what pandas does not: locating the header by its text, naming the
first row/column that is not numeric, turning pandera failures into a :class:`ParseError`, and refusing, before
pandas allocates anything, the files pandas would misread or choke on: :func:`read_csv` first runs the bounded
shape scan of :mod:`migdev.sources.csv_scan` (empty or header-only file, text not UTF-8, oversized lines and
fields, ragged rows, blank lines inside the table, a cut last line, a header naming a column twice), whose names
are re-exported here so that a parser imports its CSV reading from one module.

Number cells (:func:`read_csv` ``numeric``/``integer``) refuse ``inf``, ``1e400``, ``nan`` as text and the Excel
error texts (``#N/A``, ``#DIV/0!``...): only an empty cell is missing. Whole numbers past 2**53 (not exact as a
float) are refused too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pandera.pandas as pa

from migdev.errors import ParseError
from migdev.sources.csv_scan import (
    MAX_COLUMNS,
    MAX_FIELD,
    MAX_LINE,
    find_header,
    header_names,
    locate_header,
    not_utf8,
    read_grid,
    require_utf8,
    scan,
)
from migdev.vocab import SEXES

__all__ = ["EXCEL_ERRORS", "MAX_COLUMNS", "MAX_FIELD", "MAX_LINE", "Origin", "check_revisions", "check_sex",
           "check_sex_sum", "check_unique", "check_wide_sex_sum", "dispatch", "find_header", "header_names",
           "locate_header", "not_utf8", "parse_bool", "read_csv", "read_grid", "refuse", "require_utf8", "scan",
           "validate"]

#: Texts Excel writes into a cell whose formula failed; exported to CSV they are not numbers nor "missing".
EXCEL_ERRORS = frozenset({"#N/A", "#N/A N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!",
                          "#GETTING_DATA", "#SPILL!", "#CALC!"})
_MAX_EXACT = 2.0**53
_BOOLS = {"true": True, "false": False}


def read_csv(
    path: Path | str,
    columns: Sequence[str],
    *,
    numeric: Sequence[str] = (),
    integer: Sequence[str] = (),
    required: Sequence[str] = (),
    header_line: int | None = None,
    compression: str | None = "infer",
    sep: str = ",",
) -> pd.DataFrame:
    """Read ``columns`` of a CSV as text, then convert ``numeric``/``integer`` columns, failing on the first bad cell.

    The file is first checked whole by :func:`scan`; ``sep`` is its delimiter. The header is the line holding every
    column (:func:`locate_header`) unless ``header_line`` (0-based) is given. Empty cells stay missing. ``required``
    columns may not be empty. Rows are reported 1-based counting the header as row 1 (plus any preamble), as a
    spreadsheet shows them.
    """
    path = Path(path)
    if header_line is None:
        header_line = locate_header(path, columns, sep=sep) if compression in (None, "infer") else 0
    names = scan(path, header_line, compression=compression, sep=sep)
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
            sep=sep,
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


def refuse(path: Path | str, bad: pd.Series | np.ndarray, values: pd.Series, column: str, why: str, *,
           first_row: int = 2) -> None:
    """Raise at the first row where ``bad`` holds: the message is that row's value of ``values`` then ``why``
    (``"'2020' is not the year of incident_date"``); rows count from ``first_row``, the file's first data row."""
    mask = np.asarray(pd.Series(bad).fillna(False), dtype=bool)  # NA (an empty cell) is not a failure
    if mask.any():
        i = int(mask.argmax())
        value = values.iloc[i]
        shown = repr(value.item() if hasattr(value, "item") else value)  # 'inf', not 'np.float64(inf)'
        raise ParseError(path, f"{shown} {why}", row=first_row + i, column=column)


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
