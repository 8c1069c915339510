"""IOM Missing Migrants Project: one row per recorded incident, and deaths by country of incident and year.

The mirror's CSVs render IOM's export ``Missing_Migrants_Global_Figures_allData.xlsx`` (2025-05-05) with snake_case
columns, ISO3 codes and split coordinates. Decisions:

* Every record is kept. 13 records (IDs 2020.MMP01074-01101) have no date, year or month: ``year`` is NA there
  (pandas reads it as float; it is stored as a nullable integer), and ``year_from_id`` (the year in the record ID)
  is kept beside it, so no reader mistakes "no date" for a year.
* Empty counts are "not reported" (NA), never 0: ``dead`` is empty in 756 records, ``missing_min`` in most.
  ``dead + missing_min = dead_and_missing`` holds in every record (NA as 0) and is checked. IOM's corrections are
  kept as published: 5 records have a negative ``missing_min`` and 5 a negative ``survivors``; dead, total and the
  counts by sex and of children may not be negative.
* ``iso3_origin`` lists one or more countries of origin separated by ``;`` (empty for Unknown / Mixed); the raw
  list is stored as text, each code is checked against the registry, and no record is dropped for its origin.
  Deaths are counted by **country of incident** (``iso3_incident``), not of origin.
* Not read: ``region_of_incident``/``unsd_grouping`` (derivable from the country), ``month`` (in the date).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from migdev.sources.csv_tables import check_unique, locate_header, read_csv, refuse, validate

_ISO3 = pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$"))
_YEAR = pa.Column("Int64", pa.Check.in_range(2014, 2100))
_COUNT = pa.Column("Int64", pa.Check.ge(0), nullable=True)
_SIGNED = pa.Column("Int64", nullable=True)

_TEXT = ("incident_type", "country_of_origin", "iso3_origin", "region_of_origin", "cause_of_death",
         "country_of_incident", "migration_route", "location", "information_source", "url", "source_quality")
_COUNTS = ("dead", "missing_min", "dead_and_missing", "survivors", "females", "males", "children")

INCIDENTS = pa.DataFrameSchema({
    "main_id": pa.Column(str, pa.Check.str_matches(r"^\d{4}\.MMP\d+$")),
    "incident_date": pa.Column(str, pa.Check.str_matches(r"^\d{4}-\d{2}-\d{2}$"), nullable=True),
    "year": pa.Column("Int64", pa.Check.in_range(2014, 2100), nullable=True), "year_from_id": _YEAR,
    "dead": _COUNT, "missing_min": _SIGNED, "dead_and_missing": pa.Column("Int64", pa.Check.ge(0)),
    "survivors": _SIGNED, "females": _COUNT, "males": _COUNT, "children": _COUNT,
    "iso3_incident": _ISO3,
    "iso3_origin": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}(;[A-Z]{3})*$"), nullable=True),
    "lat": pa.Column(float, pa.Check.in_range(-90, 90), nullable=True),
    "lon": pa.Column(float, pa.Check.in_range(-180, 180), nullable=True),
    **{c: pa.Column(str, nullable=c not in ("incident_type", "country_of_incident")) for c in _TEXT
       if c != "iso3_origin"},
}, name="IOM Missing Migrants incidents", strict=True)

COUNTRY_YEAR = pa.DataFrameSchema({
    "iso3": _ISO3, "country": pa.Column(str), "year": _YEAR, "incidents": pa.Column("Int64", pa.Check.ge(1)),
    "dead": pa.Column("Int64", pa.Check.ge(0)), "missing_min": pa.Column("Int64"),
    "dead_and_missing": pa.Column("Int64", pa.Check.ge(0)),
}, name="IOM Missing Migrants by country of incident and year", strict=True)


def parse_incidents(path: Path | str) -> pd.DataFrame:
    """``mmp_incidents.csv``: one row per IOM record (19,255 in the 2025-05-05 export), every record kept."""
    path = Path(path)
    cols = ("main_id", "incident_date", "year", "year_from_id", *_COUNTS, "iso3_incident", "lat", "lon", *_TEXT)
    line = locate_header(path, cols)
    first = line + 2
    df = read_csv(path, cols, numeric=("lat", "lon"), integer=("year", "year_from_id", *_COUNTS),
                  required=("main_id", "year_from_id", "dead_and_missing", "iso3_incident", "incident_type",
                            "country_of_incident"), header_line=line)
    check_unique(df, ("main_id",), path, first_row=first)
    for c in ("lat", "lon"):
        df[c] = df[c].astype(float)
    df = validate(df, INCIDENTS, path, first_row=first)
    date = pd.to_datetime(df["incident_date"], format="%Y-%m-%d", errors="coerce")
    refuse(path, date.isna() & df["incident_date"].notna(), df["incident_date"], "incident_date",
           "is not a calendar date", first_row=first)
    refuse(path, df["incident_date"].isna() != df["year"].isna(), df["year"], "year",
           "disagrees with incident_date: a record has a year exactly when it has a date", first_row=first)
    refuse(path, df["year"].notna() & (date.dt.year != df["year"]).fillna(True), df["year"], "year",
           "is not the year of incident_date", first_row=first)
    total = df["dead"].fillna(0) + df["missing_min"].fillna(0)
    refuse(path, total != df["dead_and_missing"], df["dead_and_missing"], "dead_and_missing",
           "is not dead + missing_min", first_row=first)
    df["incident_date"] = date.dt.date
    return df[list(cols)].reset_index(drop=True)


def parse_country_year(path: Path | str) -> pd.DataFrame:
    """``mmp_country_year.csv``: incidents, dead and missing by country of incident and year."""
    path = Path(path)
    cols = tuple(COUNTRY_YEAR.columns)
    line = locate_header(path, cols)
    df = read_csv(path, cols, integer=("year", "incidents", "dead", "missing_min", "dead_and_missing"),
                  required=cols, header_line=line)
    check_unique(df, ("iso3", "year"), path, first_row=line + 2)
    df = validate(df, COUNTRY_YEAR, path, first_row=line + 2)
    refuse(path, df["dead"] + df["missing_min"] != df["dead_and_missing"], df["dead_and_missing"],
           "dead_and_missing", "is not dead + missing_min", first_row=line + 2)
    return df
