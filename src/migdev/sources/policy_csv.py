"""What every policy CSV parser checks beyond :mod:`migdev.sources.csv_tables`: the header line itself.

The policy files are plain CSVs with one header line. ``csv_tables.read_csv`` reads the columns a parser names, so a
repeated header name would silently be read once (pandas renames the copy ``name.1``) and a header-only file would
give an empty table; and ``inf`` or ``1e400`` in a whole-number column would escape as a raw ``OverflowError``.
All are refused here, with the row and column a user can find in the file. (Candidates to
move into ``csv_tables`` once another product needs them.)
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from migdev.errors import ParseError
from migdev.sources.csv_tables import find_header, read_csv

#: pandera check refusing ``inf`` (and ``1e400``, which pandas reads as ``inf``): a count or score is finite.
FINITE = pa.Check(lambda s: np.isfinite(s.astype(float)), name="finite")


def header(path: Path, required: Sequence[str]) -> tuple[int, list[str]]:
    """The 0-based line of the header holding ``required`` and its cells; refuses repeated names and no data rows."""
    try:
        line = find_header(path, required)
    except ParseError as exc:
        if exc.row is not None:
            raise
        # no line holds every column: say so at the first line, naming a repeated name if that is the cause
        with open(path, encoding="utf-8-sig", newline="") as fh:
            first = [c.strip() for c in next(csv.reader(fh), [])]
        repeated = next((c for i, c in enumerate(first) if c and c in first[:i]), None)
        missing = [c for c in required if c not in first]
        if repeated is not None:
            raise ParseError(path, f"the column name {repeated!r} appears twice in the header", row=1,
                             column=repeated) from None
        raise ParseError(path, f"missing column(s) {', '.join(map(repr, missing))}", row=1,
                         column=missing[0] if missing else None) from None
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        cells: list[str] = []
        data_rows = 0
        for i, row in enumerate(reader):
            if i == line:
                cells = [c.strip() for c in row]
            elif i > line and any(c.strip() for c in row):
                data_rows += 1
                break
    seen: set[str] = set()
    for name in cells:
        if name and name in seen:
            raise ParseError(path, f"the column name {name!r} appears twice in the header", row=line + 1, column=name)
        seen.add(name)
    if not data_rows:
        raise ParseError(path, "the file has a header but no data rows", row=line + 2)
    return line, cells


def refuse(path: Path, bad: pd.Series, values: pd.Series, column: str, message: str, first_row: int) -> None:
    """Raise at the first row where ``bad`` holds, quoting that row's value of ``values``."""
    if bad.any():
        i = int(bad.to_numpy().argmax())
        value = values.iloc[i]
        shown = repr(value.item() if hasattr(value, "item") else value)  # 'inf', not 'np.float64(inf)'
        raise ParseError(path, f"{shown}: {message}", row=first_row + i, column=column)


def read(path: Path, columns: Sequence[str], *, header_line: int, numeric: Sequence[str] = (),
         integer: Sequence[str] = (), required: Sequence[str] = ()) -> pd.DataFrame:
    """``csv_tables.read_csv``, refusing non-finite numbers (``inf``, ``1e400``) at their cell before the whole-number
    columns become nullable integers."""
    df = read_csv(path, columns, numeric=(*numeric, *integer), required=required, header_line=header_line)
    first = header_line + 2
    for col in (*numeric, *integer):
        values = df[col].astype(float)
        refuse(path, values.notna() & ~np.isfinite(values), values, col, "is not a finite number", first)
        if col in integer:
            refuse(path, values.notna() & (values != values.round()), values, col, "is not a whole number", first)
            df[col] = values.astype("Int64")
    return df
