"""UN World Population Prospects 2024: locations, annual series, mid-year periods and population by sex.

The release counts in thousands; we store persons (x 1000, rounded to whole persons) so every table in the
database shares one unit. Aggregates (World, regions, income groups) are flagged ``is_country = False``.

Population by sex must add up: male + female = total within 0.015 thousand (15 persons), as the published
thousands (three decimals) round; the real file is off by at most 0.008. The location type is a positive code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pandera.pandas as pa

from migdev.sources import spec
from migdev.sources.csv_tables import check_unique, check_wide_sex_sum, dispatch, parse_bool, read_csv, validate

if TYPE_CHECKING:
    from migdev.harmonise import Harmoniser

RELEASES = spec.load(__file__)

REVISION = "2024"

#: male + female may differ from total by this much (thousands): each is rounded to three decimals on its own.
SEX_SUM_TOLERANCE = 0.015

_M49 = pa.Column(int, pa.Check.in_range(1, 9999))
_ISO3 = pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$"), nullable=True)
_COUNT = pa.Column("Int64", pa.Check.ge(0), nullable=True)

LOCATIONS = pa.DataFrameSchema(
    {
        "m49": _M49,
        "iso3": _ISO3,
        "name": pa.Column(str),
        "is_country": pa.Column(bool),
        "location_type": pa.Column(int, pa.Check.ge(0)),
        "reg_code": pa.Column("Int64", nullable=True),
        "reg_name": pa.Column(str, nullable=True),
        "area_code": pa.Column("Int64", nullable=True),
        "area_name": pa.Column(str, nullable=True),
    },
    name="WPP locations",
    strict=True,
)

ANNUAL = pa.DataFrameSchema(
    {
        "m49": _M49,
        "iso3": _ISO3,
        "is_country": pa.Column(bool),
        "year": pa.Column(int, pa.Check.in_range(1950, 2100)),
        "pop_jan1": _COUNT,
        "pop_jul1": _COUNT,
        "births": _COUNT,
        "deaths": _COUNT,
        "net_migration": pa.Column("Int64", nullable=True),
        "variant": pa.Column(str, pa.Check.isin(["estimate", "medium"])),
    },
    name="WPP annual",
    strict=True,
)

PERIODS = pa.DataFrameSchema(
    {
        "m49": _M49,
        "iso3": _ISO3,
        "is_country": pa.Column(bool),
        "period_start": pa.Column(int),
        "period_end": pa.Column(int),
        "pop_start": _COUNT,
        "pop_end": _COUNT,
        "births": _COUNT,
        "deaths": _COUNT,
        "net_migration": pa.Column("Int64", nullable=True),
        "variant": pa.Column(str),
    },
    name="WPP mid-year periods",
    strict=True,
    checks=pa.Check(lambda d: d["period_end"] > d["period_start"], error="period_end must follow period_start"),
)

POPULATION_BY_SEX = pa.DataFrameSchema(
    {
        "m49": _M49,
        "iso3": _ISO3,
        "is_country": pa.Column(bool),
        "year": pa.Column(int, pa.Check.in_range(1950, 2100)),
        "sex": pa.Column(str, pa.Check.isin(["total", "male", "female"])),
        "persons": _COUNT,
        "variant": pa.Column(str),
    },
    name="WPP population by sex",
    strict=True,
)

#: The by-sex file as published (wide, thousands), checked before it is reshaped, while a row is a file row.
_BY_SEX_WIDE = pa.DataFrameSchema(
    {
        **{c: POPULATION_BY_SEX.columns[c] for c in ("m49", "iso3", "is_country", "year", "variant")},
        **{c: pa.Column(float, pa.Check.ge(0), nullable=True) for c in ("pop_male", "pop_female", "pop_total")},
    },
    name="WPP population by sex",
    strict=True,
)
_FILE_NAMES = {"m49": "loc_code", "period_start": "year_start", "period_end": "year_end",
               "pop_start": "pop_start_jul1", "pop_end": "pop_end_jul1"}


def _persons(thousands: pd.Series) -> pd.Series:
    """Thousands (as published) to whole persons."""
    return pd.Series(np.round(thousands.to_numpy(dtype=float) * 1000.0), index=thousands.index).astype("Int64")


def parse_locations(path: Path | str) -> pd.DataFrame:
    """WPP location list: M49 code, ISO3, name, and the region/area parents."""
    path = Path(path)
    cols = ("loc_code", "iso3", "name", "is_country", "location_type", "reg_code", "reg_name", "area_code",
            "area_name")
    df = read_csv(path, cols, integer=("loc_code", "location_type", "reg_code", "area_code"),
                  required=("loc_code", "name", "is_country", "location_type"))
    check_unique(df, ("loc_code",), path)
    df["is_country"] = parse_bool(df, "is_country", path)
    df = df.rename(columns={"loc_code": "m49"})
    for c in ("m49", "location_type"):
        df[c] = df[c].astype("int64")
    for c in ("reg_code", "area_code"):
        df[c] = df[c].mask(df[c] < 0)  # -1 means "no parent"
    return validate(df, LOCATIONS, path, names=_FILE_NAMES)


def parse_annual(path: Path | str) -> pd.DataFrame:
    """Annual population (1 Jan, 1 July) and calendar-year births, deaths and net migration, in persons."""
    path = Path(path)
    counts = ("pop_jan1", "pop_jul1", "births", "deaths", "net_migration")
    cols = ("loc_code", "iso3", "is_country", "year", *counts, "variant")
    df = read_csv(path, cols, numeric=counts, integer=("loc_code", "year"),
                  required=("loc_code", "is_country", "year", "variant"))
    check_unique(df, ("loc_code", "year"), path)
    df["is_country"] = parse_bool(df, "is_country", path)
    df = df.rename(columns={"loc_code": "m49"})
    for c in ("m49", "year"):
        df[c] = df[c].astype("int64")
    for c in counts:
        df[c] = _persons(df[c])
    return validate(df, ANNUAL, path, names=_FILE_NAMES)


def parse_periods(path: Path | str) -> pd.DataFrame:
    """Mid-year to mid-year periods (1990-1995 ... 2015-2020, 2020-2024, 2020-2025): the inputs of flow estimation."""
    path = Path(path)
    counts = ("pop_start_jul1", "pop_end_jul1", "births", "deaths", "net_migration")
    cols = ("loc_code", "iso3", "is_country", "year_start", "year_end", *counts, "variant")
    df = read_csv(path, cols, numeric=counts, integer=("loc_code", "year_start", "year_end"),
                  required=("loc_code", "is_country", "year_start", "year_end"))
    check_unique(df, ("loc_code", "year_start", "year_end"), path)
    df["is_country"] = parse_bool(df, "is_country", path)
    df = df.rename(columns={"loc_code": "m49", "year_start": "period_start", "year_end": "period_end",
                            "pop_start_jul1": "pop_start", "pop_end_jul1": "pop_end"})
    for c in ("m49", "period_start", "period_end"):
        df[c] = df[c].astype("int64")
    for c in ("pop_start", "pop_end", "births", "deaths", "net_migration"):
        df[c] = _persons(df[c])
    df["variant"] = df["variant"].fillna("estimate")
    return validate(df, PERIODS, path, names=_FILE_NAMES)


def parse_population_by_sex(path: Path | str) -> pd.DataFrame:
    """1 July population by sex at 5-year points, long by sex, in persons."""
    path = Path(path)
    cols = ("loc_code", "iso3", "is_country", "year", "pop_male", "pop_female", "pop_total", "variant")
    df = read_csv(path, cols, numeric=("pop_male", "pop_female", "pop_total"), integer=("loc_code", "year"),
                  required=("loc_code", "is_country", "year"))
    check_unique(df, ("loc_code", "year"), path)
    df["is_country"] = parse_bool(df, "is_country", path)
    df = df.rename(columns={"loc_code": "m49"})
    df["m49"] = df["m49"].astype("int64")
    df["year"] = df["year"].astype("int64")
    # check before reshaping, while a failing value's position is still its row in the file
    df = validate(df[list(_BY_SEX_WIDE.columns)], _BY_SEX_WIDE, path, names=_FILE_NAMES)
    check_wide_sex_sum(df, path, "pop_male", "pop_female", "pop_total", tolerance=SEX_SUM_TOLERANCE)
    long = df.rename(columns={"pop_male": "male", "pop_female": "female", "pop_total": "total"})
    long = long.melt(id_vars=["m49", "iso3", "is_country", "year", "variant"], value_vars=["total", "male", "female"],
                     var_name="sex", value_name="thousands")
    long["persons"] = _persons(long.pop("thousands"))
    for c in ("m49", "year"):
        long[c] = long[c].astype("int64")
    long = long[list(POPULATION_BY_SEX.columns)]
    return validate(long, POPULATION_BY_SEX, path)


_READERS: dict[frozenset[str], Callable[[Path], pd.DataFrame]] = {
    frozenset({"loc_code", "pop_start_jul1", "year_start"}): parse_periods,
    frozenset({"loc_code", "pop_male", "pop_female"}): parse_population_by_sex,
    frozenset({"loc_code", "pop_jul1", "births", "year"}): parse_annual,
    frozenset({"loc_code", "location_type", "reg_code"}): parse_locations,
}


def parse(path: Path | str) -> pd.DataFrame:
    """Read any WPP 2024 table of the mirror, recognised by its header columns."""
    return dispatch(path, list(_READERS.items()), "World Population Prospects")


# --------------------------------------------------------------------------------------------------- to the store
#: Which file feeds the country registry (``countries.build``'s ``wpp_locations``).
PLACES = {"wpp_locations": "wpp2024_locations"}


def _kind(frame: pd.DataFrame) -> str:
    columns = set(frame.columns)
    for kind, needed in (("periods", {"period_start"}), ("by_sex", {"sex", "persons"}), ("annual", {"pop_jul1"}),
                         ("locations", {"location_type"})):
        if needed <= columns:
            return kind
    raise ValueError(f"not a WPP table: columns {sorted(columns)}")


def to_store(frames: Mapping[str, pd.DataFrame], h: Harmoniser) -> dict[str, pd.DataFrame]:
    """Population by sex and year, annual components and mid-year periods, in persons, keyed by ISO3."""
    populations, annual_rows, periods, group_values = [], [], [], []
    for sid, f in frames.items():
        kind = _kind(f)
        revision = RELEASES.get(sid).revision
        if kind == "annual":
            iso, group = h.split(f, sid, "location", m49="m49", iso3="iso3")
            populations.append(pd.DataFrame({"revision": revision, "year": f["year"], "sex": "total", "iso3": iso,
                                             "persons": f["pop_jul1"], "variant": f["variant"]})[iso.notna()])
            annual_rows.append(pd.DataFrame({"revision": revision, "year": f["year"], "iso3": iso,
                                             "pop_jan1": f["pop_jan1"], "births": f["births"], "deaths": f["deaths"],
                                             "net_migration": f["net_migration"], "variant": f["variant"]}
                                            )[iso.notna()])
            for measure in ("pop_jul1", "births", "deaths", "net_migration"):
                group_values.append(h.group_values(sid, revision, group, f["year"], "total", measure, f[measure]))
        elif kind == "by_sex":
            iso, group = h.split(f, sid, "location", m49="m49", iso3="iso3")
            group_values.append(h.group_values(sid, revision, group, f["year"], f["sex"], "pop_jul1_by_sex",
                                               f["persons"]))
            part = pd.DataFrame({"revision": revision, "year": f["year"], "sex": f["sex"], "iso3": iso,
                                 "persons": f["persons"], "variant": f["variant"]})
            populations.append(part[iso.notna() & (f["sex"] != "total")])  # the annual file has the totals
        elif kind == "periods":
            iso, group = h.split(f, sid, "location", m49="m49", iso3="iso3")
            h.not_loaded(group, sid, "period totals of aggregates are sums of their countries' (the annual "
                                     "aggregate series are in area_group_value)")
            periods.append(pd.DataFrame({"revision": revision, "period_start": f["period_start"],
                                         "period_end": f["period_end"], "iso3": iso, "births": f["births"],
                                         "deaths": f["deaths"], "net_migration": f["net_migration"],
                                         "pop_start": f["pop_start"], "pop_end": f["pop_end"],
                                         "variant": f["variant"]})[iso.notna()])
    out = {"population": pd.concat(populations, ignore_index=True),
           "vital_annual": pd.concat(annual_rows, ignore_index=True),
           "vital": pd.concat(periods, ignore_index=True),
           "area_group_value": pd.concat(group_values, ignore_index=True)}
    return out
