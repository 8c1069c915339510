"""The layout every table of UNHCR's ``refugees`` package shares, read once for all of them.

Each data set is one row per year, country of origin and country of asylum, each country given three times
(``coo_name``, ``coo`` the UNHCR code, ``coo_iso``; the same with ``coa_`` for asylum), then whole counts of
persons. This module reads that layout with the checks the shared CSV reader does not make (a repeated header
name, a row with too many or too few fields, a file with no data rows, ``inf``, fractions and negative counts),
and resolves the two code columns to the country registry.

Codes: the ``*_iso`` columns are read, not UNHCR's own codes (``coo``/``coa``: ``ALG`` for Algeria, ``GAZ`` for
Palestine). They are ISO 3166-1 alpha-3 except UNHCR's pseudo-codes, recoded by :data:`ALIASES`.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pandera.pandas as pa

from migdev.errors import ParseError
from migdev.sources.csv_tables import check_unique, read_csv

if TYPE_CHECKING:  # the harmoniser imports the sources package: import it for type hints only
    from migdev.harmonise import Harmoniser

#: The place columns that open every table: the year, then origin and asylum, each by name, UNHCR code, ISO code.
PLACE = ("year", "coo_name", "coo", "coo_iso", "coa_name", "coa", "coa_iso")
REQUIRED = ("year", "coo", "coo_iso", "coa", "coa_iso")  # names may be empty (Tibetans in ``flows``)

CODE = pa.Column(str, pa.Check.str_matches(r"^[A-Z0-9]{3}$"))
#: The pandera columns of :data:`PLACE`, which every table's schema opens with.
PLACE_COLUMNS = {"year": pa.Column("int64", pa.Check.in_range(1950, 2100)), "coo_name": pa.Column(str, nullable=True),
                 "coo": CODE, "coo_iso": CODE, "coa_name": pa.Column(str, nullable=True), "coa": CODE,
                 "coa_iso": CODE}


#: More persons than the world holds in one cell is a corrupt value, not a count.
MAX_PERSONS = 10_000_000_000


def count(nullable: bool = True) -> pa.Column:
    """A count of persons: whole, not negative, not above :data:`MAX_PERSONS`, NA where not reported."""
    return pa.Column("Int64", pa.Check.in_range(0, MAX_PERSONS), nullable=nullable)

#: UNHCR's pseudo-codes in the ``*_iso`` columns, recoded to the registry's codes. ``UNK`` (UNHCR ``UKN``,
#: "Unknown") is an origin or asylum UNHCR does not know or that is not reported: the project's unspecified
#: origin ``XXX`` (the UN's "Other"; ICAO Doc 9303's unspecified nationality) means exactly that. ``flows`` writes
#: UNHCR's codes where the others write ISO-style ones: ``UKN`` for unknown, ``STA`` for stateless (elsewhere
#: ``XXA``, the ICAO 9303 code for a stateless person, kept as a documented code). ``TIB`` (Tibetans) and ``AB9``
#: (Abyei Area, in the IDMC table) are kept as they are, declared in ``unhcr.DOCUMENTED_CODES``.
ALIASES = {"UNK": "XXX", "UKN": "XXX", "STA": "XXA"}


def read_text(path: Path) -> str:
    """The file's text (gzip-compressed or not), refusing bytes that are not UTF-8 at their row and column."""
    try:
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise ParseError(path, f"cannot be read as a gzip file: {exc}") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = data.rfind(b"\n", 0, exc.start) + 1
        try:
            header = next(csv.reader([data[: data.find(b"\n")].decode("utf-8-sig", "replace")]), [])
        except csv.Error:  # not even a text header (a binary file): the byte's row is all there is to say
            header = []
        field = data.count(b",", start, exc.start)
        raise ParseError(path, f"byte 0x{data[exc.start]:02x} at offset {exc.start} is not UTF-8 text",
                         row=data.count(b"\n", 0, exc.start) + 1,
                         column=header[field].strip() if field < len(header) else None) from exc


def header_of(path: Path) -> list[str]:
    """The names of the first line (the header), stripped; only that line is read unless it is not UTF-8."""
    try:
        with (gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")) as fh:
            first = fh.readline().decode("utf-8-sig")
    except UnicodeDecodeError:
        read_text(path)  # raises, naming the bad byte's row and column
        raise
    except (OSError, EOFError) as exc:
        raise ParseError(path, f"cannot be read: {exc}") from exc
    return [c.strip() for c in next(csv.reader([first.rstrip("\r\n")]), [])]


def check_layout(path: Path) -> None:
    """Refuse a repeated header name, a row whose field count is not the header's, and a file without data rows.

    pandas reads a short row with its missing fields as empty cells, which here would mean "not reported", and
    renames a repeated header ``x.1``: both would pass unseen. Commas are counted per line, and lines holding a
    quote (names such as "Congo, Dem. Rep.") are split by the csv module.
    """
    lines = read_text(path).replace("\r\n", "\n").split("\n")
    while lines and lines[-1].strip() == "":  # trailing blank lines are harmless, as csv_tables treats them
        lines.pop()
    header = [c.strip() for c in next(csv.reader(lines[:1]), [])]
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise ParseError(path, f"header name {name!r} appears twice", row=1, column=name)
        seen.add(name)
    if len(lines) < 2:
        raise ParseError(path, "the file has a header but no data rows", row=2)
    width = len(header)
    for i, line in enumerate(lines[1:]):
        fields = line.count(",") + 1
        if fields != width and '"' in line:
            fields = len(next(csv.reader([line])))
        if fields != width:
            raise ParseError(path, f"row has {fields} fields, the header has {width}", row=i + 2)


def read_table(path: Path, counts: Sequence[str], keys: Sequence[str] = ()) -> pd.DataFrame:
    """Read the place columns, ``keys`` (required text) and ``counts`` (whole persons, empty = NA) of a table.

    The key (``year``, origin, asylum, ``keys``) must be unique once the pseudo-codes are recoded: two rows for
    one key would be two values for one cell of the store, and no UNHCR file has any.
    """
    check_layout(path)
    df = read_csv(path, (*PLACE, *keys, *counts), required=(*REQUIRED, *keys))
    whole_counts(df, ("year", *counts), path)
    df["year"] = df["year"].astype("int64")
    key = ["year", "coo_iso", "coa_iso", *keys]
    normal = df[key].copy()
    for side in ("coo_iso", "coa_iso"):
        normal[side] = normal[side].replace(ALIASES)
    check_unique(normal, key, path)
    return df


def whole_counts(df: pd.DataFrame, columns: Sequence[str], path: Path, *, first_row: int = 2) -> None:
    """Turn text ``columns`` into nullable integers, refusing text, a non-finite number, a fraction or a negative
    count at its row and column (empty cells are NA)."""
    for col in columns:
        text = df[col]
        cells = text.to_numpy(dtype=object, na_value="nan")
        try:
            values = cells.astype("float64")
        except ValueError:  # some cell is not a number: let pandas find which
            values = pd.to_numeric(text, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        for bad, what in ((np.isnan(values) & text.notna().to_numpy(), "is not a number"),
                          (np.isinf(values), "is not a finite number"),
                          (np.isfinite(values) & (values != np.round(values)), "is not a whole number"),
                          (values < 0, "is negative: a count of persons cannot be")):
            if bad.any():
                i = int(bad.argmax())
                raise ParseError(path, f"{text.iloc[i]!r} {what}", row=first_row + i, column=col)
        missing = np.isnan(values)
        df[col] = pd.arrays.IntegerArray(np.where(missing, 0, values).astype("int64"), missing)


def places(frame: pd.DataFrame, source_id: str, h: Harmoniser) -> tuple[pd.Series, pd.Series]:
    """Origin and asylum ISO3 of each row (NA where a code is unknown: reported to ``unmatched_code``)."""
    coded = pd.DataFrame({"origin": h.recode(frame["coo_iso"], ALIASES, source_id, "origin"),
                          "origin_name": frame["coo_name"],
                          "asylum": h.recode(frame["coa_iso"], ALIASES, source_id, "asylum"),
                          "asylum_name": frame["coa_name"]})
    origin, origin_group = h.split(coded, source_id, "origin", iso3="origin", name="origin_name")
    asylum, asylum_group = h.split(coded, source_id, "asylum", iso3="asylum", name="asylum_name")
    h.not_loaded(origin_group.fillna(asylum_group), source_id, "UNHCR tables are kept between countries only")
    return origin, asylum


def long_counts(frame: pd.DataFrame, origin: pd.Series, asylum: pd.Series, columns: Mapping[str, str], *,
                revision: str, kind: str, drop_zero: bool = False) -> pd.DataFrame:
    """Wide count columns as long rows ``revision, year, origin, asylum, <kind>, persons``: one row per reported
    value (NA is not a row; zeros are left out too where ``drop_zero``), for rows whose places both resolved."""
    placed = (origin.notna() & asylum.notna()).to_numpy()
    parts = []
    for column, label in columns.items():
        values = frame[column]
        keep = placed & values.notna().to_numpy()
        if drop_zero:
            keep &= (values.fillna(0) != 0).to_numpy()
        parts.append(pd.DataFrame({"revision": revision, "year": frame["year"].to_numpy()[keep],
                                   "origin": origin.to_numpy()[keep], "asylum": asylum.to_numpy()[keep],
                                   kind: label, "persons": values.array[keep]}))
    out = pd.concat(parts, ignore_index=True)
    out["origin"] = out["origin"].astype("string")
    out["asylum"] = out["asylum"].astype("string")
    return out
