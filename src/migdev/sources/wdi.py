"""World Bank World Development Indicators: remittances and macro series, country metadata.

Two layouts are read: the long table of the mirror and the wide CSV that users download from the World Bank
(``API_<code>_DS2_...csv``: preamble lines, then one column per year). Both give the same tidy frame.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pandera.pandas as pa

from migdev.errors import ParseError
from migdev.sources import spec
from migdev.sources.csv_tables import (
    Origin,
    check_unique,
    dispatch,
    find_header,
    header_names,
    parse_bool,
    read_csv,
    require_utf8,
    validate,
)

if TYPE_CHECKING:
    from migdev.harmonise import Harmoniser

RELEASES = spec.load(__file__)

_CODE = pa.Column(str, pa.Check.str_matches(r"^[A-Z0-9]{3}$"))
_INDICATOR = pa.Column(str, pa.Check.str_matches(r"^[A-Z][A-Z0-9_.]+$"))

SERIES = pa.DataFrameSchema(
    {
        "iso3": _CODE,
        "year": pa.Column(int, pa.Check.in_range(1960, 2100)),
        "indicator": _INDICATOR,
        "value": pa.Column(float),
        "vintage": pa.Column(str),
    },
    name="WDI series",
    strict=True,
)

COUNTRIES = pa.DataFrameSchema(
    {
        "iso3": _CODE,
        "iso2": pa.Column(str, nullable=True),
        "name": pa.Column(str),
        "region": pa.Column(str, nullable=True),
        "income_group": pa.Column(str, nullable=True),
        "lending_type": pa.Column(str, nullable=True),
        "is_aggregate": pa.Column(bool),
    },
    name="WDI economies",
    strict=True,
)

INDICATORS = pa.DataFrameSchema(
    {"indicator": _INDICATOR, "title": pa.Column(str)}, name="WDI indicators", strict=True
)

_OFFICIAL_HEADER = ("Country Name", "Country Code", "Indicator Name", "Indicator Code")


def parse_long(path: Path | str) -> pd.DataFrame:
    """The mirror's long table: one value per (economy, year, indicator), with the vintage it comes from."""
    path = Path(path)
    cols = ("iso3", "year", "indicator", "value", "source")
    df = read_csv(path, cols, numeric=("value",), integer=("year",), required=cols)
    check_unique(df, ("iso3", "year", "indicator"), path)
    df = df.rename(columns={"source": "vintage"})
    df["year"] = df["year"].astype("int64")
    df["value"] = df["value"].astype(float)
    return validate(df, SERIES, path, names={"vintage": "source"})


def parse_official(path: Path | str) -> pd.DataFrame:
    """A World Bank download in its wide layout (preamble, then 'Country Name, Country Code, ..., 1960, ...')."""
    path = Path(path)
    header_line = find_header(path, _OFFICIAL_HEADER)
    years = [c for c in header_names(path, header_line) if c.isdigit()]
    if not years:
        raise ParseError(path, "no year columns after the header", row=header_line + 1)
    df = read_csv(path, ("Country Code", "Indicator Code", *years), numeric=years,
                  required=("Country Code", "Indicator Code"), header_line=header_line)
    first_row = header_line + 2
    check_unique(df, ("Country Code", "Indicator Code"), path, first_row=first_row)
    vintage = _last_updated(path, header_line)
    df["_row"] = range(first_row, first_row + len(df))
    long = df.melt(id_vars=["Country Code", "Indicator Code", "_row"], value_vars=years, var_name="year",
                   value_name="value")
    long = long.dropna(subset=["value"])  # the WB writes "" for years without data
    long = long.rename(columns={"Country Code": "iso3", "Indicator Code": "indicator"})
    long["year"] = long["year"].astype("int64")
    long["value"] = long["value"].astype(float)
    long["vintage"] = vintage
    long = long.reset_index(drop=True)
    rows, long = long["_row"].to_numpy(), long[list(SERIES.columns)]
    wide_column = {"iso3": "Country Code", "indicator": "Indicator Code"}

    def cell(i: int, column: str | None) -> Origin:  # a value of the long frame at its row of the wide file
        name = str(long["year"].iloc[i]) if column in ("year", "value") else wide_column.get(column or "")
        return Origin(None, int(rows[i]), name)

    return validate(long, SERIES, path, origin=cell)


def _last_updated(path: Path, header_line: int) -> str:
    """The 'Last Updated Date' of the preamble, as the vintage of every value in the file."""
    with open(path, encoding="utf-8-sig") as fh:
        for _, line in zip(range(header_line), fh, strict=False):
            if line.startswith('"Last Updated Date"'):
                return "wb_" + line.split(",")[1].strip().strip('"')
    return "wb_unknown"


def parse_countries(path: Path | str) -> pd.DataFrame:
    """Economies and aggregates with World Bank region, income group and lending type."""
    path = Path(path)
    cols = ("iso3", "iso2", "country_name", "region", "income_group", "lending_type", "is_aggregate")
    df = read_csv(path, cols, required=("iso3", "country_name", "is_aggregate"))
    check_unique(df, ("iso3",), path)
    df["is_aggregate"] = parse_bool(df, "is_aggregate", path)
    df = df.rename(columns={"country_name": "name"})
    return validate(df, COUNTRIES, path, names={"name": "country_name"})


def parse_indicators(path: Path | str) -> pd.DataFrame:
    """Indicator codes and their official titles."""
    path = Path(path)
    df = read_csv(path, ("indicator", "title"), required=("indicator", "title"))
    check_unique(df, ("indicator",), path)
    return validate(df, INDICATORS, path)


def parse(path: Path | str) -> pd.DataFrame:
    """Read any WDI file of the mirror or a World Bank wide download, recognised by its header."""
    path = Path(path)
    require_utf8(path, (*_OFFICIAL_HEADER, "iso3", "indicator"))
    try:
        find_header(path, _OFFICIAL_HEADER)
    except ParseError:
        return dispatch(path, [(("iso3", "indicator", "value", "source"), parse_long),
                               (("iso3", "iso2", "income_group"), parse_countries),
                               (("indicator", "title"), parse_indicators)], "World Development Indicators")
    return parse_official(path)


# --------------------------------------------------------------------------------------------------- to the store
#: Which file feeds the country registry (``countries.build``'s ``wdi_countries``).
PLACES = {"wdi_countries": "wdi_countries"}


#: Series of the mirror that are not the World Bank's published ones but derived from them (the vintage says so
#: with a ``derived_`` prefix; see the mirror's wdi/PROVENANCE.md). The basis travels with every value.
DERIVED = {
    "BX.TRF.PWKR.DT.GD.ZS": "derived, not the World Bank's published series: 100 x BX.TRF.PWKR.CD.DT / "
                            "NY.GDP.MKTP.CD, both of the same vintage (the World Bank defines its series the same way)",
    "NE.EXP.GNFS.CD": "derived, not the World Bank's published series: NE.EXP.GNFS.ZS x NY.GDP.MKTP.CD / 100 "
                      "(national-accounts exports; the balance-of-payments series BX.GSR.GNFS.CD is not in the mirror)",
}


def _basis(f: pd.DataFrame, series: list[pd.DataFrame], h: Harmoniser) -> pd.DataFrame:
    """The indicator table with each series' basis; a ``derived_`` vintage without a documented rule is an error."""
    vintages = pd.concat(series, ignore_index=True)[["indicator", "vintage"]].drop_duplicates() if series else None
    derived = set() if vintages is None else set(vintages.loc[vintages["vintage"].str.startswith("derived_"),
                                                              "indicator"])
    undocumented = derived - set(DERIVED)
    if undocumented:
        raise ValueError(f"WDI series {', '.join(sorted(undocumented))} are derived but wdi.DERIVED does not say how")
    for code in sorted(derived):
        h.say("info", f"wdi: {code} is {DERIVED[code]}")
    return f.assign(basis=[DERIVED[c] if c in derived else "published" for c in f["indicator"]])


def to_store(frames: Mapping[str, pd.DataFrame], h: Harmoniser) -> dict[str, pd.DataFrame]:
    """Series by economy and year (aggregates in ``area_group_value``) and the indicator titles with their basis."""
    out: dict[str, list[pd.DataFrame]] = {"wdi": [], "wdi_indicator": [], "area_group_value": []}
    for sid, f in frames.items():
        if {"indicator", "value", "vintage"} <= set(f.columns):
            iso, group = h.split(f, sid, "economy", iso3="iso3")
            out["wdi"].append(pd.DataFrame({"iso3": iso, "year": f["year"], "indicator": f["indicator"],
                                            "value": f["value"], "vintage": f["vintage"]})[iso.notna()])
            out["area_group_value"].append(h.group_values(sid, f["vintage"], group, f["year"], "total",
                                                          f["indicator"], f["value"]))
        elif set(f.columns) == {"indicator", "title"}:
            out["wdi_indicator"].append(f)
    out["wdi_indicator"] = [_basis(f, out["wdi"], h) for f in out["wdi_indicator"]]
    return {table: pd.concat(parts, ignore_index=True) for table, parts in out.items() if parts}
