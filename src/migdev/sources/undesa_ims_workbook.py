"""Parser for the official UN DESA International Migrant Stock workbooks "by destination" (Tables 1–6).

The build does not read these workbooks: ``ims2020_workbook`` and ``ims2019_workbook`` are registered with
``build = false`` and the build loads the tidy rendering (``ims2020_destination``); the tests parse the workbook
and check that it reproduces that rendering value for value. :func:`migdev.sources.undesa_ims.parse` hands an
``.xlsx`` here. The grid (cells, numbers, bounded sheets, Excel error cells) is :mod:`~migdev.sources.xlsx_tables`;
the sheet layouts are :mod:`~migdev.sources.undesa_ims_workbook_tables`; this module assembles and checks.

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
* Consistency across tables: every table gives the years of Table 1 (Table 5 its periods ending in them); a year
  heading that differs is refused at its cell, as it would make rows no table fills. Table 1's male + female must
  equal its total to the person (the stock is whole persons; Table 2 is in rounded thousands and not checked).
  An Excel error cell (``#N/A``, ``#DIV/0!``) in a value column is refused, not read as "..".
* ``is_aggregate``: from the ANNEX sheet when the workbook has one (2019: a country or area is marked as
  belonging to the more or the less developed regions, aggregates are not); otherwise (2020) from the
  code: UN DESA numbers every aggregate (World 900, regions, development and income groups) 900 or
  above, and every country or area below 900.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from migdev.errors import ParseError
from migdev.sources.csv_tables import Origin, validate
from migdev.sources.undesa_ims_workbook_tables import TABLES, Table, annex_countries, read_table, revision_of
from migdev.sources.xlsx_tables import NA_MARKERS, Sheet, Workbook, column_letter
from migdev.vocab import SEXES

__all__ = ["NA_MARKERS", "SCHEMA", "SEXES", "parse"]


# --------------------------------------------------------------------------------------------------
# Schema
# --------------------------------------------------------------------------------------------------


def _only_on_total(column: str) -> pa.Check:
    # named after its column, so csv_tables.validate names that column when the check fails
    return pa.Check(lambda df: df[column].isna() | (df["sex"] == "total"), name=column,
                    error=f"{column} is given only for both sexes")

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
#: Workbook unit -> output unit: Table 2 is in thousands, every percentage becomes a fraction.
_UNIT_FACTOR = {
    "population": 1000.0,
    "migrant_share": 0.01,
    "female_share_of_migrants": 0.01,
    "stock_change_rate": 0.01,
    "refugees_share_of_migrants": 0.01,
}



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
    workbook = Workbook(path)
    sheets = [workbook.sheet(spec.sheet) for spec in TABLES]
    revision = revision_of(path, sheets)
    tables = [read_table(sheet, spec) for sheet, spec in zip(sheets, TABLES, strict=True)]
    _check_years(tables)
    annex = annex_countries(workbook.sheet("ANNEX")) if workbook.has("ANNEX") else {}
    frame, origin = _assemble(path, revision, tables, annex)
    frame = validate(frame, SCHEMA, path, origin=_locator(frame, tables, origin))
    _check_stock_sum(tables[0])
    return frame


def _check_years(tables: list[Table]) -> None:
    """Every block gives Table 1's years (Table 5: periods ending in them, the first year having none)."""
    master = tables[0]
    years = sorted({y for b in master.blocks for _, y in b.cols})
    for table in tables:
        for block in table.blocks:
            got = {y for _, y in block.cols}
            for c, y in block.cols:
                if y not in years:
                    raise table.sheet.error(f"year {y} is not a year of {master.sheet.name} "
                                            f"({', '.join(map(str, years))})", table.header.year_row, c)
            want = set(years[1:]) if table.spec.periods else set(years)
            lacking = sorted(want - got)
            if lacking:
                raise table.sheet.error(f"the block of {block.column} ({block.sex}) has no column for "
                                        f"{lacking[0]}, a year of {master.sheet.name}", table.header.year_row,
                                        block.title_col)


def _check_stock_sum(table: Table) -> None:
    """Table 1: male + female = total for every location and year where all three are given."""
    for loc in table.locations:
        for (column, sex, year), (total, c) in loc.values.items():
            if sex != "total":
                continue
            male, female = (loc.values.get((column, s, year), (math.nan, 0))[0] for s in ("male", "female"))
            # the 2019 cells hold unrounded estimates (20989.99...): equal once rounded to whole persons
            if not any(math.isnan(v) for v in (total, male, female)) and abs(male + female - total) > 0.5:
                raise table.sheet.error(f"male + female != total for {loc.name} ({loc.code}), {year}: "
                                        f"{male:.0f} + {female:.0f} != {total:.0f}", loc.row, c)


def _assemble(
    path: Path, revision: int, tables: list[Table], annex: dict[int, bool]
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The tidy frame, and for each value column where each value came from: (table, row, column), -1 if none."""
    master = tables[0].locations
    index = {loc.code: i for i, loc in enumerate(master)}
    for table in tables[1:]:
        for loc in table.locations:
            if loc.code not in index:
                raise ParseError(path, f"location code {loc.code} is not in {tables[0].sheet.name}",
                                 sheet=table.sheet.name, row=loc.row + 1)
    years = sorted({year for t in tables for loc in t.locations for (_, _, year) in loc.values})
    n_loc, n_year, n_sex = len(master), len(years), len(SEXES)
    n = n_loc * n_year * n_sex
    year_pos = {y: i for i, y in enumerate(years)}
    sex_pos = {s: i for i, s in enumerate(SEXES)}

    values = {col: np.full(n, np.nan) for col in _VALUE_COLUMNS}
    origin: dict[str, np.ndarray] = {col: np.full((n, 3), -1, dtype=np.int64) for col in _VALUE_COLUMNS}
    for t, table in enumerate(tables):
        for loc in table.locations:
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
    return frame, origin


def _locator(frame: pd.DataFrame, tables: list[Table], origin: dict[str, np.ndarray]):
    """For :func:`csv_tables.validate`: the workbook cell a failing value of ``frame`` came from."""
    sheets: list[Sheet] = [t.sheet for t in tables]

    def locate(position: int, column: str | None) -> Origin:
        key = frame.iloc[position]
        note = f"m49 {key['m49']}, {key['year']}, {key['sex']}, column {column!r}"
        if column in origin and origin[column][position][0] >= 0:
            t, r, c = (int(v) for v in origin[column][position])
            return Origin(sheets[t].name, r + 1, column_letter(c), note)
        loc = next(loc for loc in tables[0].locations if loc.code == key["m49"])  # identification: Table 1
        return Origin(sheets[0].name, loc.row + 1, None, note)

    return locate
