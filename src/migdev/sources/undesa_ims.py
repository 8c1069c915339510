"""UN DESA International Migrant Stock (revisions 2024 and 2020): the tidy tables of the release.

Each table is recognised by its header text; ``parse(path)`` picks the right reader. Codes are kept as the
UN publishes them (M49 plus ISO3 where the UN gives one); harmonising them to the country registry happens in
the pipeline, so an unknown code is reported there rather than dropped here. The unspecified origin
("Other", M49 2003) is kept as its own row: it is 7% of the 2024 world total.

Consistency the files must keep (a file that breaks it is refused, not loaded): one revision per file, one of
the product's declared releases (the origin-totals file holds 2020 and 2024 by design, :data:`ORIGIN_REVISIONS`);
male + female = total wherever all three are published (bilateral, destination stock, origin; the 2024
destination file's WPP population within 10 persons, as WPP's thousands round); in the location annex, no ISO3
code on two locations. The official workbooks (xlsx) are read by :mod:`migdev.sources.undesa_ims_workbook`,
which :func:`parse` hands them to.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pandera.pandas as pa

from migdev.errors import ParseError
from migdev.sources import spec, undesa_ims_workbook
from migdev.sources.csv_tables import (
    check_revisions,
    check_sex,
    check_sex_sum,
    check_unique,
    dispatch,
    header_names,
    parse_bool,
    read_csv,
    validate,
)
from migdev.vocab import SEXES, UNSPECIFIED_ORIGIN, UNSPECIFIED_ORIGIN_M49

if TYPE_CHECKING:
    from migdev.harmonise import Harmoniser

RELEASES = spec.load(__file__)

#: The revisions of the product's releases (undesa_ims.toml): a file of any other revision is refused.
REVISIONS = frozenset(int(f.revision) for f in RELEASES.files)
#: The origin-totals file holds both the 2020 and the 2024 revision (the UN published both "by origin" tables).
ORIGIN_REVISIONS = frozenset({2020, 2024})


_YEAR = pa.Column(int, pa.Check.in_range(1950, 2100))
_SEX = pa.Column(str, pa.Check.isin(SEXES))
_M49 = pa.Column(int, pa.Check.in_range(1, 9999))
_ISO3 = pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$"), nullable=True)
_GROUP_M49 = pa.Column("Int64", pa.Check.in_range(1, 9999), nullable=True)
_PERSONS = pa.Column("Int64", pa.Check.ge(0))
_PERSONS_NULLABLE = pa.Column("Int64", pa.Check.ge(0), nullable=True)

#: The key of every table by one place: revision, year, sex and the place's codes.
_PLACE_YEAR = {"revision": pa.Column(int), "year": _YEAR, "sex": _SEX, "m49": _M49, "iso3": _ISO3}

BILATERAL = pa.DataFrameSchema(
    {
        "revision": pa.Column(int),
        "year": _YEAR,
        "sex": _SEX,
        "dest_m49": _M49,
        "dest_iso3": _ISO3,
        "orig_m49": _M49,
        "orig_iso3": _ISO3,
        "persons": _PERSONS,
    },
    name="IMS bilateral stock",
    strict=True,
)

DESTINATION = pa.DataFrameSchema(
    {
        **_PLACE_YEAR,
        "name": pa.Column(str),
        "is_country": pa.Column(bool),
        "type_of_data": pa.Column(str, nullable=True),
        "migrant_stock": _PERSONS_NULLABLE,
        "population": _PERSONS_NULLABLE,
        "refugees": _PERSONS_NULLABLE,
    },
    name="IMS destination totals",
    strict=True,
)

ORIGIN = pa.DataFrameSchema(
    {
        **_PLACE_YEAR,
        "name": pa.Column(str),
        "emigrant_stock": _PERSONS,
    },
    name="IMS origin totals",
    strict=True,
)

AGE = pa.DataFrameSchema(
    {
        **_PLACE_YEAR,
        "age_group": pa.Column(str, pa.Check.str_matches(r"^(\d{1,2}-\d{1,2}|\d{2}\+|total)$")),
        "persons": _PERSONS_NULLABLE,
    },
    name="IMS stock by age",
    strict=True,
)

LOCATIONS = pa.DataFrameSchema(
    {
        "m49": _M49,
        "name": pa.Column(str),
        "iso3": _ISO3,
        "location_type": pa.Column(str),
        "is_country": pa.Column(bool),
        "sdg_region_m49": _GROUP_M49,
        "sdg_region": pa.Column(str, nullable=True),
        "sdg_subregion_m49": _GROUP_M49,
        "sdg_subregion": pa.Column(str, nullable=True),
        "subregion_m49": _GROUP_M49,
        "subregion": pa.Column(str, nullable=True),
        "geographic_region_m49": _GROUP_M49,
        "geographic_region": pa.Column(str, nullable=True),
        "wb_income_group_2020": pa.Column(str, nullable=True),
        "iso3_note": pa.Column(str, nullable=True),
    },
    name="IMS location annex",
    strict=True,
)


def _ints(df: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    for c in columns:
        df[c] = df[c].astype("int64")
    return df


def parse_bilateral(path: Path | str) -> pd.DataFrame:
    """Bilateral stock, one row per (year, sex, destination, origin); ``total = male + female`` is checked."""
    path = Path(path)
    cols = ("revision", "year", "sex", "dest_m49", "dest_iso3", "orig_m49", "orig_iso3", "persons")
    df = read_csv(path, cols, integer=("revision", "year", "dest_m49", "orig_m49", "persons"),
                  required=("revision", "year", "sex", "dest_m49", "orig_m49", "persons"))
    check_sex(df, path)
    check_revisions(df, path, REVISIONS)
    check_unique(df, ("year", "sex", "dest_m49", "orig_m49"), path)
    df = _ints(df, ("revision", "year", "dest_m49", "orig_m49"))
    df = validate(df, BILATERAL, path)
    check_sex_sum(df, ("year", "dest_m49", "orig_m49"), "persons", path)
    return df


def parse_destination_totals(path: Path | str) -> pd.DataFrame:
    """Stock by destination: the 2024 totals file or the 2020 tidy rendering of the official Tables 1-6."""
    path = Path(path)
    official = "is_country" in header_names(path)
    if official:
        cols = ("revision", "year", "sex", "m49", "iso3", "name", "is_country", "type_of_data", "migrant_stock",
                "population", "refugees")
        integer = ("revision", "year", "m49", "migrant_stock", "population", "refugees")
    else:
        cols = ("revision", "year", "sex", "m49", "iso3", "name", "type_of_data", "migrant_stock",
                "population_wpp2024")
        integer = ("revision", "year", "m49", "migrant_stock", "population_wpp2024")
    df = read_csv(path, cols, integer=integer, required=("revision", "year", "sex", "m49", "name"))
    check_sex(df, path)
    check_revisions(df, path, REVISIONS)
    check_unique(df, ("year", "sex", "m49"), path)
    if official:
        df["is_country"] = parse_bool(df, "is_country", path)
    else:
        # the 2024 file lists 233 countries/areas and WORLD (900); UN aggregate codes are all >= 900 save 2003;
        # its population column is WPP 2024, which the release uses for the migrant share
        df["is_country"] = (df["m49"] < 900).astype(bool)
        df = df.rename(columns={"population_wpp2024": "population"})
        df["refugees"] = pd.array([pd.NA] * len(df), dtype="Int64")
    df = _ints(df, ("revision", "year", "m49"))
    df = df[list(DESTINATION.columns)]
    df = validate(df, DESTINATION, path, names=None if official else {"population": "population_wpp2024"})
    check_sex_sum(df, ("year", "m49"), "migrant_stock", path)
    # the 2024 file's population is WPP 2024's, published in thousands: its sexes add up within rounding
    check_sex_sum(df, ("year", "m49"), "population", path, tolerance=0 if official else 10)
    return df


def parse_origin_totals(path: Path | str) -> pd.DataFrame:
    """Emigrant stock by origin (the sum over destinations), both revisions in one file."""
    path = Path(path)
    cols = ("revision", "year", "sex", "m49", "iso3", "name", "emigrant_stock")
    df = read_csv(path, cols, integer=("revision", "year", "m49", "emigrant_stock"),
                  required=("revision", "year", "sex", "m49", "name", "emigrant_stock"))
    check_sex(df, path)
    check_revisions(df, path, ORIGIN_REVISIONS, one=False)
    check_unique(df, ("revision", "year", "sex", "m49"), path)
    df = validate(_ints(df, ("revision", "year", "m49")), ORIGIN, path)
    check_sex_sum(df, ("revision", "year", "m49"), "emigrant_stock", path)
    return df


def parse_age(path: Path | str) -> pd.DataFrame:
    """Stock by destination, sex and 5-year age group (plus the 'total' group the UN publishes).

    An empty value is an age breakdown the UN does not give ('..'); it stays missing, never zero. Male + female =
    total in every age group where all three are given.
    """
    path = Path(path)
    cols = ("revision", "year", "sex", "m49", "iso3", "age_group", "persons")
    df = read_csv(path, cols, integer=("revision", "year", "m49", "persons"),
                  required=("revision", "year", "sex", "m49", "age_group"))
    check_sex(df, path)
    check_revisions(df, path, REVISIONS)
    check_unique(df, ("year", "sex", "m49", "age_group"), path)
    df = validate(_ints(df, ("revision", "year", "m49")), AGE, path)
    check_sex_sum(df, ("year", "m49", "age_group"), "persons", path)
    return df


def parse_locations(path: Path | str) -> pd.DataFrame:
    """The UN location annex: every country/area and aggregate with its M49 and ISO3 codes and groupings."""
    path = Path(path)
    cols = tuple(LOCATIONS.columns)
    group_codes = ("sdg_region_m49", "sdg_subregion_m49", "subregion_m49", "geographic_region_m49")
    df = read_csv(path, cols, integer=("m49", *group_codes), required=("m49", "name", "location_type", "is_country"))
    check_unique(df, ("m49",), path)
    coded = df[df["iso3"].notna()]
    dup = coded["iso3"].duplicated().to_numpy()
    if dup.any():
        i = int(dup.argmax())
        first = int((coded["iso3"] == coded["iso3"].iloc[i]).to_numpy().argmax())
        raise ParseError(path, f"ISO3 code {coded['iso3'].iloc[i]} is given to two locations (first at row "
                               f"{2 + int(coded.index[first])})", row=2 + int(coded.index[i]), column="iso3")
    df["is_country"] = parse_bool(df, "is_country", path)
    df["m49"] = df["m49"].astype("int64")
    return validate(df, LOCATIONS, path)


_READERS: dict[frozenset[str], Callable[[Path], pd.DataFrame]] = {
    frozenset({"dest_m49", "orig_m49", "persons"}): parse_bilateral,
    frozenset({"m49", "age_group", "persons"}): parse_age,
    frozenset({"m49", "emigrant_stock"}): parse_origin_totals,
    frozenset({"m49", "migrant_stock", "type_of_data"}): parse_destination_totals,
    frozenset({"m49", "location_type", "is_country", "sdg_region"}): parse_locations,
}


def parse(path: Path | str) -> pd.DataFrame:
    """Read any IMS table of the release, recognised by its header columns (an official workbook by its type)."""
    if Path(path).suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        return undesa_ims_workbook.parse(path)
    return dispatch(path, list(_READERS.items()), "International Migrant Stock")


# --------------------------------------------------------------------------------------------------- to the store
#: Which file feeds the country registry (``countries.build``'s ``annex``).
PLACES = {"annex": "ims_locations"}


def _kind(frame: pd.DataFrame) -> str:
    """Which table of the release a parsed frame is (by its columns, so a new vintage needs no code)."""
    columns = set(frame.columns)
    for kind, needed in (("bilateral", {"dest_m49", "orig_m49"}), ("age", {"age_group"}),
                         ("origin", {"emigrant_stock"}), ("destination", {"migrant_stock", "is_country"}),
                         ("locations", {"location_type", "sdg_region"})):
        if needed <= columns:
            return kind
    raise ValueError(f"not an IMS table: columns {sorted(columns)}")


def to_store(frames: Mapping[str, pd.DataFrame], h: Harmoniser) -> dict[str, pd.DataFrame]:
    """Bilateral stocks, totals by place and ages, with ISO3 keys; aggregates kept in ``area_group_value``."""
    by_kind: dict[str, list[tuple[str, pd.DataFrame]]] = {}
    for sid, frame in frames.items():
        by_kind.setdefault(_kind(frame), []).append((sid, frame))
    group_values: list[pd.DataFrame] = []

    stocks = []
    for sid, f in by_kind.get("bilateral", []):
        dest, dest_group = h.split(f, sid, "destination", m49="dest_m49", iso3="dest_iso3")
        orig, orig_group = h.split(f, sid, "origin", m49="orig_m49", iso3="orig_iso3")
        h.not_loaded(dest_group.fillna(orig_group), sid, "bilateral stocks are kept between countries only")
        keep = dest.notna() & orig.notna()
        stocks.append(pd.DataFrame({"revision": f["revision"].astype(str), "year": f["year"], "sex": f["sex"],
                                    "origin": orig, "destination": dest, "persons": f["persons"]})[keep])
    stock = pd.concat(stocks, ignore_index=True)
    for _, official in by_kind.get("destination", []):
        stock = _drop_unpublished(stock, official, h)
    h.say("info", f"migrant_stock: {len(stock):,} rows; the unspecified origin 'Other' (M49 {UNSPECIFIED_ORIGIN_M49}) "
                  f"is kept as {UNSPECIFIED_ORIGIN}")

    dest_parts = []
    for sid, f in by_kind.get("destination", []):
        iso, group = h.split(f, sid, "destination", m49="m49", iso3="iso3", name="name")
        has_refugees = f["refugees"].notna().any()
        basis = "IMS 2020 Table 2" if has_refugees else f"WPP {RELEASES.get(sid).revision}, as in the IMS release"
        part = pd.DataFrame({"revision": f["revision"].astype(str), "year": f["year"], "sex": f["sex"], "iso3": iso,
                             "immigrants": f["migrant_stock"], "population": f["population"],
                             "refugees": f["refugees"], "type_of_data": f["type_of_data"],
                             "population_source": basis})
        dest_parts.append(part[iso.notna()])
        for measure in ("migrant_stock", "population", "refugees"):
            group_values.append(h.group_values(sid, f["revision"].astype(str), group, f["year"], f["sex"], measure,
                                               f[measure]))
    origin_parts = []
    for sid, f in by_kind.get("origin", []):
        iso, group = h.split(f, sid, "origin", m49="m49", iso3="iso3", name="name")
        origin_parts.append(pd.DataFrame({"revision": f["revision"].astype(str), "year": f["year"], "sex": f["sex"],
                                          "iso3": iso, "emigrants": f["emigrant_stock"]})[iso.notna()])
        group_values.append(h.group_values(sid, f["revision"].astype(str), group, f["year"], f["sex"],
                                           "emigrant_stock", f["emigrant_stock"]))
    total = pd.concat(dest_parts, ignore_index=True).merge(pd.concat(origin_parts, ignore_index=True),
                                                           on=["revision", "year", "sex", "iso3"], how="outer")
    out = {"migrant_stock": stock,
           "migrant_stock_total": total[["revision", "year", "sex", "iso3", "immigrants", "emigrants", "population",
                                         "refugees", "type_of_data", "population_source"]]}
    ages = []
    for sid, f in by_kind.get("age", []):
        iso, group = h.split(f, sid, "destination", m49="m49", iso3="iso3")
        h.not_loaded(group, sid, "age profiles are kept for countries only")
        ages.append(pd.DataFrame({"revision": f["revision"].astype(str), "year": f["year"], "sex": f["sex"],
                                  "iso3": iso, "age_group": f["age_group"], "persons": f["persons"]})[iso.notna()])
    if ages:
        out["migrant_stock_age"] = pd.concat(ages, ignore_index=True)
    out["area_group_value"] = pd.concat(group_values, ignore_index=True)
    return out


def _drop_unpublished(stock: pd.DataFrame, official: pd.DataFrame, h: Harmoniser) -> pd.DataFrame:
    """Remove bilateral rows that are all zero where the release publishes '..' (not available) as the total.

    The 2020 bilateral table carries explicit zeros for South Sudan, Montenegro, Curacao (1990-2005) and Sint
    Maarten (1990-2000), whose official Table 1 totals are '..': those zeros mean "no estimate", not "none".
    """
    missing = official[official["migrant_stock"].isna() & official["is_country"]]
    if missing.empty:
        return stock
    iso = h.resolve(missing["m49"], missing["iso3"])
    keys = pd.DataFrame({"revision": missing["revision"].astype(str), "year": missing["year"],
                         "sex": missing["sex"], "destination": iso}).dropna()
    cells = stock.merge(keys, on=["revision", "year", "sex", "destination"])
    sums = cells.groupby(["revision", "year", "sex", "destination"])["persons"].sum()
    empty = sums[sums == 0].reset_index()[["revision", "year", "sex", "destination"]]
    if empty.empty:
        return stock
    merged = stock.merge(empty.assign(_drop=True), on=["revision", "year", "sex", "destination"], how="left")
    flag = merged["_drop"].notna().to_numpy()
    for dest, part in empty.groupby("destination"):
        years = sorted(part["year"].unique())
        h.say("warning", f"IMS {part['revision'].iloc[0]}: destination {dest} has '..' (not available) as its "
                         f"official total in {', '.join(map(str, years))} but zeros in the bilateral table; "
                         f"those zero rows are treated as missing, not loaded")
    h.say("info", f"{int(flag.sum()):,} unpublished zero rows left out of migrant_stock")
    return stock[~flag].reset_index(drop=True)
