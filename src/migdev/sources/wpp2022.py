"""UN World Population Prospects 2022: the UN's wide tab-separated tables, rebuilt into WPP 2024's store tables.

Why this product: Abel & Cohen's published global flows ("version 6": IMS 2020 stocks with WPP 2022 vital data)
were made with this revision, so reproducing them needs its population, births, deaths and net migration. Rows go
into the tables of the ``wpp`` product (``population``, ``vital_annual``, ``vital``) with ``revision = '2022'``;
their primary keys include the revision, so 2022 and 2024 rows coexist and a query chooses its revision.

Decisions:

- **Layout.** One row per M49 location (``country_code``, ``country``), one column per calendar year. The header
  is found by its text (``country_code`` and ``country`` among the first 50 lines); every other header cell must be a
  year, the years consecutive. The wide tables do not say what they count: the file does (``births.txt``...), so
  each file kind has its parser (``parse_births``...) and :func:`parse` chooses by file name (the locations table is
  known by its header).
- **Units.** Thousands of persons, calendar-year components (1 January - 31 December), no sex split. Parsed frames
  keep the published thousands (floats) so that the backward accounting below runs on the published numbers;
  ``to_store`` converts once to whole persons (x 1000, rounded half to even), the unit of every stored table.
- **Missing values.** An empty cell (or R's ``NA``: these tables were supplied to an R package) is NA, never 0; it
  propagates into every figure computed from it. No cell of the real files is missing.
- **Refused cells.** Text, non-finite numbers (``inf``, ``1e400``), negative births, deaths or population, and
  magnitudes over 20 million thousand (more than twice the world's population), each a ``ParseError`` at the row
  and year column of the first such cell; also ragged rows, duplicated header names or location codes, a
  header-only file.
- **Variants.** Estimates run 1950-2021, the medium variant from 2022 (:data:`LAST_ESTIMATE_YEAR`);
  ``migration.txt`` carries both, so its rows take their variant from the year.
- **Population.** The mirror has no past population table (the UN's single-year ``popM``/``popF`` are too large),
  only ``popprojMed.txt``, whose year *t* is the population on 31 December *t* (the package's convention: its
  differences equal births - deaths + net migration of the next calendar year). Past populations follow from the
  components by the balancing equation, backwards from 31 December 2022:
  ``Dec31(t-1) = Dec31(t) - (births(t) - deaths(t) + net_migration(t))``; then ``pop_jan1(t) = Dec31(t-1)`` and
  ``pop_jul1(t) = (Dec31(t-1) + Dec31(t)) / 2``, the WPP 1 July definition the project used to rebuild WPP 2024's
  annual file. It reproduces WPP 2022's published 1 July 2022 figures (World 7,975,105 thousand, India 1,417,173)
  to within 0.2 thousand (``tests/realdata/test_wpp2022.py``). From 2022 on, ``popprojMed.txt`` is used directly.
- **Years and periods.** ``vital_annual`` and ``population`` hold 1950-2030 (as WPP 2024's annual file);
  ``vital`` holds the mid-year to mid-year periods of :data:`PERIODS` (the IMS 2020 periods and 2020-2025), each
  total half of the first and last calendar years plus the years between (:func:`midyear_periods`, the rule of
  WPP 2024's period file, which the real-data test reproduces from WPP 2024's annual file).
- **Aggregates** (World, regions, income groups): their annual series go to ``area_group_value`` (measures
  ``pop_jul1``, ``births``, ``deaths``, ``net_migration``, as for WPP 2024); their period totals are not loaded
  (sums of their countries'). The locations table is read to say which listed countries have no data (Holy See).
- **Not read:** the ``agcode_*`` membership columns and ``SortOrder`` of ``UNlocations.txt`` (the registry's groups
  come from WPP 2024's locations and the IMS annex).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pandera.pandas as pa

from migdev.errors import ParseError
from migdev.sources import spec
from migdev.sources.csv_tables import check_unique, header_names, locate_header, read_grid, validate

if TYPE_CHECKING:
    from migdev.harmonise import Harmoniser

RELEASES = spec.load(__file__)

LAST_ESTIMATE_YEAR = 2021
#: Years of ``vital_annual`` and ``population`` (as WPP 2024's annual file).
YEARS = range(1950, 2031)
#: Mid-year to mid-year periods of ``vital``: the periods of the IMS 2020 stocks and 2020-2025.
PERIODS: tuple[tuple[int, int], ...] = ((1990, 1995), (1995, 2000), (2000, 2005), (2005, 2010), (2010, 2015),
                                        (2015, 2020), (2020, 2025))
MEASURES = ("births", "deaths", "net_migration", "population_dec31")
_MISSING = {"", "NA"}
_LIMIT = 2e7  # thousands: more than twice the world's population

COMPONENTS = pa.DataFrameSchema(
    {
        "country_code": pa.Column(int, pa.Check.in_range(1, 9999)),
        "country": pa.Column(str),
        "measure": pa.Column(str, pa.Check.isin(MEASURES)),
        "variant": pa.Column(str, pa.Check.isin(["estimate", "medium"])),
        "year": pa.Column(int, pa.Check.in_range(1900, 2200)),
        "thousands": pa.Column(float, pa.Check.in_range(-_LIMIT, _LIMIT), nullable=True),
    },
    name="WPP 2022 annual values",
    strict=True,
    checks=pa.Check(lambda d: (d["measure"] == "net_migration") | ~(d["thousands"] < 0),
                    error="only net migration may be negative"),
)

LOCATIONS = pa.DataFrameSchema(
    {
        "country_code": pa.Column(int, pa.Check.in_range(1, 9999999)),
        "name": pa.Column(str),
        "location_type": pa.Column(int, pa.Check.ge(0)),
        "reg_code": pa.Column("Int64", nullable=True),
        "area_code": pa.Column("Int64", nullable=True),
        "is_country": pa.Column(bool),
    },
    name="WPP 2022 locations",
    strict=True,
)


# ------------------------------------------------------------------------------------------------- reading text
def read_tab(path: Path | str, names: Sequence[str]) -> tuple[pd.DataFrame, int]:
    """A tab-separated table as text cells (stripped; missing markers as None) and its first data row (1-based).

    The header is the first of 50 lines holding every ``names`` cell. The shared reader checks the file's shape
    (UTF-8, duplicated header names, ragged rows, blank lines inside the table, a header-only file, a last line
    cut), naming the row (and column).
    """
    path = Path(path)
    head = locate_header(path, names, sep="\t")
    rows = read_grid(path, head, sep="\t")
    header = [c.strip() for c in rows[0]]
    missing = [n for n in names if n not in header]
    if missing:
        raise ParseError(path, f"missing column(s) {', '.join(map(repr, missing))}", row=head + 1, column=missing[0])
    frame = pd.DataFrame(rows[1:], columns=header, dtype=str).apply(lambda col: col.str.strip())
    return frame.mask(frame.isin(_MISSING)), head + 2


def _integers(df: pd.DataFrame, columns: Sequence[str], path: Path, first: int, *, required: bool) -> None:
    """Convert ``columns`` to Int64, refusing text, fractions and (if ``required``) empty cells at row/column."""
    for col in columns:
        values = pd.to_numeric(df[col], errors="coerce")
        bad = (values.isna() & df[col].notna()) | (values.notna() & (values != values.round()))
        if required:
            bad |= df[col].isna()
        if bad.any():
            i = int(bad.to_numpy().argmax())
            raise ParseError(path, f"{df[col].iloc[i]!r} is not a whole number", row=first + i, column=col)
        df[col] = values.astype("Int64")


def _required(df: pd.DataFrame, column: str, path: Path, first: int) -> None:
    if df[column].isna().any():
        i = int(df[column].isna().to_numpy().argmax())
        raise ParseError(path, "required value is empty", row=first + i, column=column)


# ------------------------------------------------------------------------------------------------- wide tables
def parse_wide(path: Path | str, measure: str, variant: str | None) -> pd.DataFrame:
    """One wide WPP 2022 table, long: country_code, country, measure, variant, year, thousands.

    ``variant`` None takes it from the year (``migration.txt`` holds estimates and projections).
    """
    path = Path(path)
    df, first = read_tab(path, ("country_code", "country"))
    years = [c for c in df.columns if c not in ("country_code", "country")]
    for name in years:
        if not (len(name) == 4 and name.isdigit()):
            raise ParseError(path, f"header {name!r} is not a year", row=first - 1, column=name)
    if not years:
        raise ParseError(path, "no year columns", row=first - 1)
    numbers = [int(y) for y in years]
    gap = next((i for i, y in enumerate(numbers) if y != numbers[0] + i), None)
    if gap is not None:
        raise ParseError(path, f"year columns are not consecutive: {years[gap - 1]} then {years[gap]}",
                         row=first - 1, column=years[gap])
    _integers(df, ["country_code"], path, first, required=True)
    _required(df, "country", path, first)
    text = df[years]
    cells = pd.Series(text.to_numpy().reshape(-1))
    array = pd.to_numeric(cells, errors="coerce").to_numpy(dtype=float).reshape(text.shape)
    low = -_LIMIT if measure == "net_migration" else 0.0
    with np.errstate(invalid="ignore"):
        refused = ((np.isnan(array) & text.notna().to_numpy()), np.isinf(array), (array < low) | (array > _LIMIT))
    reasons = ("is not a number", "is not a finite number",
               f"is out of range ({'negative' if low == 0 else 'magnitude'} or over {_LIMIT:,.0f} thousand)")
    for bad, reason in zip(refused, reasons, strict=True):
        if bad.any():
            r, c = np.argwhere(bad)[0]
            raise ParseError(path, f"{text.iat[r, c]!r} {reason}", row=first + int(r), column=years[c])
    check_unique(df, ("country_code",), path, first_row=first)
    long = pd.DataFrame({
        "country_code": np.repeat(df["country_code"].to_numpy(dtype="int64"), len(years)),
        "country": np.repeat(df["country"].to_numpy(dtype=object), len(years)),
        "measure": measure,
        "year": np.tile(np.array(numbers, dtype="int64"), len(df)),
        "thousands": array.reshape(-1),
    })
    long.insert(3, "variant", variant or "")
    if variant is None:
        long["variant"] = np.where(long["year"] <= LAST_ESTIMATE_YEAR, "estimate", "medium")
    return validate(long, COMPONENTS, path)


def _reader(measure: str, variant: str | None, doc: str) -> Callable[[Path | str], pd.DataFrame]:
    def read(path: Path | str) -> pd.DataFrame:
        return parse_wide(path, measure, variant)

    read.__doc__ = doc
    return read


# one reader per UN file (the build calls the TOML's ``parser``; :func:`parse` picks them by file name)
parse_births = _reader("births", "estimate", "``births.txt``: annual births, estimates (1950-2021).")
parse_deaths = _reader("deaths", "estimate", "``deaths.txt``: annual deaths, estimates (1950-2021).")
parse_migration = _reader("net_migration", None, "``migration.txt``: annual net migration, estimates to 2021 and "
                                                 "the medium variant after (1950-2100).")
parse_births_medium = _reader("births", "medium", "``birthsprojMed.txt``: annual births, medium variant (2022-2100).")
parse_deaths_medium = _reader("deaths", "medium", "``deathsprojMed.txt``: annual deaths, medium variant (2022-2100).")
parse_population_medium = _reader("population_dec31", "medium", "``popprojMed.txt``: population on 31 December of "
                                                                "each year, medium variant (2022-2100).")


def parse_locations(path: Path | str) -> pd.DataFrame:
    """``UNlocations.txt``: M49 code, name, location type (4 = country or area) and parents (-1 = none)."""
    path = Path(path)
    cols = ["country_code", "name", "location_type", "reg_code", "area_code"]
    df, first = read_tab(path, ("name", "country_code", "location_type"))
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ParseError(path, f"missing column(s) {', '.join(map(repr, missing))}", row=first - 1,
                         column=missing[0])
    df = df[cols].copy()
    _integers(df, ["country_code", "location_type"], path, first, required=True)
    _integers(df, ["reg_code", "area_code"], path, first, required=False)
    _required(df, "name", path, first)
    check_unique(df, ("country_code",), path, first_row=first)
    for c in ("country_code", "location_type"):
        df[c] = df[c].astype("int64")
    for c in ("reg_code", "area_code"):
        df[c] = df[c].mask(df[c] < 0)  # -1 means "no parent"
    df["is_country"] = df["location_type"] == 4
    return validate(df, LOCATIONS, path, first_row=first)


_BY_NAME: dict[str, Callable[[Path], pd.DataFrame]] = {
    "births": parse_births, "deaths": parse_deaths, "migration": parse_migration,
    "birthsprojMed": parse_births_medium, "deathsprojMed": parse_deaths_medium,
    "popprojMed": parse_population_medium,
}


def parse(path: Path | str) -> pd.DataFrame:
    """Read any WPP 2022 table of the mirror: the locations by their header, a wide table by its UN file name."""
    path = Path(path)
    head = locate_header(path, ("country_code",), sep="\t")
    if "location_type" in header_names(path, head, sep="\t"):
        return parse_locations(path)
    reader = _BY_NAME.get(path.name.split(".")[0])
    if reader is None:
        raise ParseError(path, "not a known World Population Prospects 2022 table: a wide table says what it "
                               f"counts only by its UN file name ({', '.join(f'{n}.txt' for n in _BY_NAME)})",
                         row=head + 1)
    return reader(path)


# ------------------------------------------------------------------------------------------------ demographic sums
def dec31_population(change: pd.DataFrame, projected: pd.DataFrame) -> pd.DataFrame:
    """Population on 31 December of every year, by location (rows) and year (columns), in the units given.

    ``projected`` holds the published 31 December populations from its first year *A* on; ``change`` the calendar
    -year change ``births - deaths + net_migration`` of every year up to *A*. Before *A* the balancing equation runs
    backwards, ``Dec31(t-1) = Dec31(A) - sum(change(s), s = t..A)``, a reversed cumulative sum (no loop over
    years); an NA change makes every earlier year NA. Columns run from the year before ``change``'s first to the
    last projected year.
    """
    anchor = int(projected.columns.min())
    first = int(change.columns.min())
    span = list(range(first, anchor + 1))
    absent = sorted(set(span) - set(change.columns))
    if absent:
        raise ValueError(f"WPP 2022: no births, deaths or net migration for {absent[:5]}: the population before "
                         f"31 December {anchor} cannot be rebuilt")
    steps = change.reindex(index=projected.index, columns=span).to_numpy(dtype=float)
    after = np.cumsum(steps[:, ::-1], axis=1)[:, ::-1]  # after[:, j] = change of span[j] .. anchor
    earlier = projected[anchor].to_numpy(dtype=float)[:, None] - after
    back = pd.DataFrame(earlier, index=projected.index, columns=[y - 1 for y in span])
    return pd.concat([back, projected.astype(float)], axis=1)


def midyear_periods(annual: pd.DataFrame, periods: Sequence[tuple[int, int]], *,
                    key: str = "country_code") -> pd.DataFrame:
    """Totals over mid-year to mid-year periods from calendar-year values (the rule of WPP 2024's period file).

    A period runs from 1 July of ``start`` to 1 July of ``end``: it holds the second half of ``start``, the years
    between and the first half of ``end``, so each flow total is ``flow(start) / 2 + flow(start + 1) + ... +
    flow(end - 1) + flow(end) / 2`` (halves assume a flow spread evenly over its year, as the UN's legacy 5-year
    tables and the wpp R packages do).

    Parameters
    ----------
    annual : one row per ``key`` and ``year``: ``births``, ``deaths``, ``net_migration`` (calendar-year flows),
        ``pop_jul1`` and ``variant`` ("estimate" or "medium").
    periods : ``(start, end)`` years, ``end > start``; every year from start to end must be in ``annual``.
    key : the location column.

    Returns
    -------
    ``key, period_start, period_end, births, deaths, net_migration, pop_start, pop_end, variant``: floats in the
    units of ``annual`` (NA where a year needed is NA); pop_start/pop_end are the 1 July populations of start and
    end; variant "estimate", "medium", or "estimate+medium" where the years mix both.
    """
    wide = annual.pivot(index=key, columns="year")
    years = set(annual["year"])
    out = []
    for start, end in periods:
        if end <= start or not set(range(start, end + 1)) <= years:
            raise ValueError(f"period {start}-{end}: needs every year {start}..{end} in the annual values")
        span = list(range(start, end + 1))
        weights = np.ones(len(span))
        weights[[0, -1]] = 0.5
        part = pd.DataFrame({key: wide.index, "period_start": start, "period_end": end})
        for measure in ("births", "deaths", "net_migration"):
            part[measure] = wide[measure][span].to_numpy(dtype=float, na_value=np.nan) @ weights
        for column, year in (("pop_start", start), ("pop_end", end)):
            part[column] = wide["pop_jul1"][year].to_numpy(dtype=float, na_value=np.nan)
        variants = wide["variant"][span].to_numpy()
        has_estimate, has_medium = (variants == "estimate").any(axis=1), (variants == "medium").any(axis=1)
        part["variant"] = np.select([has_estimate & has_medium, has_medium], ["estimate+medium", "medium"],
                                    "estimate")
        out.append(part)
    return pd.concat(out, ignore_index=True)


# --------------------------------------------------------------------------------------------------- to the store
def _persons(thousands: pd.Series | np.ndarray) -> pd.arrays.IntegerArray:
    """Thousands (as published) to whole persons, rounded half to even as for WPP 2024."""
    return pd.array(np.round(np.asarray(thousands, dtype=float) * 1000.0), dtype="Int64")


def _annual(components: pd.DataFrame) -> pd.DataFrame:
    """One row per location and year of :data:`YEARS`: 1 January and 1 July populations and the components."""
    dup = components.duplicated(["country_code", "measure", "year"])
    if dup.any():
        row = components[dup].iloc[0]
        raise ValueError(f"WPP 2022: two files give {row['measure']} of {row['year']} for location "
                         f"{row['country_code']}")
    wide = {m: components[components["measure"] == m].pivot(index="country_code", columns="year", values="thousands")
            for m in MEASURES}
    codes = sorted(set(components["country_code"]))
    wide = {m: w.reindex(index=codes) for m, w in wide.items()}
    change = wide["births"] - wide["deaths"] + wide["net_migration"]
    dec31 = dec31_population(change, wide["population_dec31"])
    years = [y for y in YEARS if y - 1 in dec31.columns and y in dec31.columns]
    n = len(codes)

    def flat(w: pd.DataFrame, cols: Sequence[int]) -> np.ndarray:
        return w.reindex(columns=cols).to_numpy(dtype=float).reshape(-1)

    before = [y - 1 for y in years]
    return pd.DataFrame({
        "country_code": np.repeat(codes, len(years)), "year": np.tile(years, n),
        "pop_jan1": flat(dec31, before), "pop_jul1": (flat(dec31, before) + flat(dec31, years)) / 2,
        "births": flat(wide["births"], years), "deaths": flat(wide["deaths"], years),
        "net_migration": flat(wide["net_migration"], years),
        "variant": np.tile(np.where(np.array(years) <= LAST_ESTIMATE_YEAR, "estimate", "medium"), n),
    })


def _codes(parts: Mapping[str, pd.DataFrame], h: Harmoniser) -> tuple[dict[int, str], dict[int, str]]:
    """Each file's locations through ``h.split`` (one row per location, as in the file): ISO3 and group maps."""
    iso3: dict[int, str] = {}
    group: dict[int, str] = {}
    for sid, frame in parts.items():
        places = frame.drop_duplicates("country_code")[["country_code", "country"]].reset_index(drop=True)
        iso, grp = h.split(places, sid, "location", m49="country_code", name="country")
        iso3.update(dict(zip(places["country_code"][iso.notna()], iso.dropna(), strict=True)))
        group.update(dict(zip(places["country_code"][grp.notna()], grp.dropna(), strict=True)))
    return iso3, group


def _say_locations(locations: pd.DataFrame, codes: set[int], sid: str, h: Harmoniser) -> None:
    """Say which listed countries no table has values for, and which codes the location list lacks."""
    listed = locations[locations["is_country"] & ~locations["country_code"].isin(codes)]
    for row in listed.itertuples():
        h.say("info", f"{sid}: {row.name} ({row.country_code}) is a listed country with no WPP 2022 values; "
                      "not loaded")
    unknown = sorted(codes - set(locations["country_code"]))
    if unknown:
        h.say("warning", f"{sid}: location codes {unknown[:6]} of the WPP 2022 tables are not in the location list")


def to_store(frames: Mapping[str, pd.DataFrame], h: Harmoniser) -> dict[str, pd.DataFrame]:
    """``vital_annual``, ``population`` (1 July, sex total) and ``vital`` (mid-year periods) with revision 2022,
    in persons, for every country; the aggregates' annual series in ``area_group_value``."""
    parts = {sid: f for sid, f in frames.items() if "measure" in f.columns}
    if not parts:
        return {}
    components = pd.concat(parts.values(), ignore_index=True)
    source_of = {(m, v): sid for sid, f in parts.items()
                 for m, v in f[["measure", "variant"]].drop_duplicates().itertuples(index=False)}
    population_sid = source_of.get(("population_dec31", "medium"))
    if population_sid is None:
        raise ValueError("WPP 2022: the population table (popprojMed.txt) is needed to rebuild past populations")
    revision = RELEASES.get(population_sid).revision
    for sid, f in frames.items():
        if "location_type" in f.columns:
            _say_locations(f, set(components["country_code"]), sid, h)
    annual = _annual(components)
    iso3, group = _codes(parts, h)
    iso = annual["country_code"].map(iso3)
    grp = annual["country_code"].map(group).astype("string")
    country = iso.notna().to_numpy()
    persons = {c: _persons(annual[c]) for c in ("pop_jan1", "pop_jul1", "births", "deaths", "net_migration")}
    vital_annual = pd.DataFrame({"revision": revision, "year": annual["year"], "iso3": iso, **{
        c: persons[c] for c in ("pop_jan1", "births", "deaths", "net_migration")}, "variant": annual["variant"]})
    population = pd.DataFrame({"revision": revision, "year": annual["year"], "sex": "total", "iso3": iso,
                               "persons": persons["pop_jul1"], "variant": annual["variant"]})
    values = []
    for measure in ("pop_jul1", "births", "deaths", "net_migration"):
        for variant in ("estimate", "medium"):
            sid = population_sid if measure == "pop_jul1" else source_of.get((measure, variant))
            rows = (annual["variant"] == variant).to_numpy()
            if sid is not None and rows.any():
                values.append(h.group_values(sid, revision, grp[rows], annual["year"][rows], "total", measure,
                                             pd.Series(persons[measure][rows], index=grp.index[rows])))
    periods = midyear_periods(annual, PERIODS)
    period_iso = periods["country_code"].map(iso3)
    h.not_loaded(periods["country_code"].map(group).astype("string"), population_sid,
                 "period totals of aggregates are sums of their countries' (their annual series are in "
                 "area_group_value)")
    keep = period_iso.notna().to_numpy()
    vital = pd.DataFrame({"revision": revision, "period_start": periods["period_start"],
                          "period_end": periods["period_end"], "iso3": period_iso,
                          **{c: _persons(periods[c]) for c in ("births", "deaths", "net_migration", "pop_start",
                                                               "pop_end")},
                          "variant": periods["variant"]})[keep].reset_index(drop=True)
    return {"vital_annual": vital_annual[country].reset_index(drop=True),
            "population": population[country].reset_index(drop=True), "vital": vital,
            "area_group_value": pd.concat(values, ignore_index=True)}
