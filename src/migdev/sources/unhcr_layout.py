"""The layout every table of UNHCR's ``refugees`` package shares, read once for all of them.

Each data set is one row per year, country of origin and country of asylum, each country given three times
(``coo_name``, ``coo`` the UNHCR code, ``coo_iso``; the same with ``coa_`` for asylum), then whole counts of
persons. This module reads that layout with the shared CSV reader (which refuses a repeated header name, a row
with too many or too few fields, a file with no data rows, bytes that are not UTF-8, ``inf`` and fractions, in
plain and gzip files alike), adds the one check it cannot know (a count of persons is not negative), and resolves
the two code columns to the country registry.

Codes: the ``*_iso`` columns are read, not UNHCR's own codes (``coo``/``coa``: ``ALG`` for Algeria, ``GAZ`` for
Palestine). They are ISO 3166-1 alpha-3 except UNHCR's pseudo-codes, recoded by :data:`ALIASES`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pandera.pandas as pa

from migdev.sources.csv_tables import check_unique, read_csv, refuse

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


def read_table(path: Path, counts: Sequence[str], keys: Sequence[str] = ()) -> pd.DataFrame:
    """Read the place columns, ``keys`` (required text) and ``counts`` (whole persons, empty = NA) of a table.

    The key (``year``, origin, asylum, ``keys``) must be unique once the pseudo-codes are recoded: two rows for
    one key would be two values for one cell of the store, and no UNHCR file has any.
    """
    df = read_csv(path, (*PLACE, *keys, *counts), integer=("year", *counts), required=(*REQUIRED, *keys))
    for col in counts:
        refuse(path, df[col] < 0, df[col], col, "is negative: a count of persons cannot be")
    df["year"] = df["year"].astype("int64")
    key = ["year", "coo_iso", "coa_iso", *keys]
    normal = df[key].copy()
    for side in ("coo_iso", "coa_iso"):
        normal[side] = normal[side].replace(ALIASES)
    check_unique(normal, key, path)
    return df


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
