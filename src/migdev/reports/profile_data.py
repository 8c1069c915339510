"""What the profiles read from the database: the only module of ``reports/`` and ``charts/`` that knows SQL.

Why a seam of its own: the profiles were written before ``migdev.query`` (one query path returning an ``Answer``
with its sources) and the ``indicator`` table existed. Everything a profile needs is read here, once for all
profiles (each table is one ``SELECT`` for every country, so 233 countries and every group cost the same few
reads as one), on a read-only DuckDB connection, into plain pandas frames plus the ``source`` rows that say where
each figure comes from. ``profile.py`` computes the figures from these frames; to move the profiles onto
``query.run`` / the indicator table, replace the bodies of the ``_read_*`` functions below and keep
:class:`ProfileData`'s fields.

Decisions:

- The stock revision is the newest one in ``migrant_stock_total`` (never a hard-coded "2024"); its source ids are
  the IMS files of that revision: ``ims<rev>_destination`` (immigrants, population), ``ims_origin_totals``
  (emigrants), ``ims<rev>_bilateral`` (corridors). A missing one is an error naming it, not a silent blank.
- UNHCR: the newest revision; refugees hosted/originating are ``refugees`` + ``oip`` (other people in need of
  international protection), as SDG 10.7.4 counts them; UNRWA's Palestine refugees are read apart.
- Group membership is ``area_group_member`` plus what the ``country`` table's classifications imply for the
  World Bank's regions and income groups and the UN's 2020 income groups (matched on the group's name, one rule,
  :func:`_derived_members`). A group with no known members gets only its published values (``area_group_value``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from migdev.errors import NoDatabaseError
from migdev.vocab import UNSPECIFIED_ORIGIN

#: The WDI series a profile shows (codes of the ``wdi`` table).
WDI_SERIES: tuple[str, ...] = (
    "BX.TRF.PWKR.CD.DT", "BM.TRF.PWKR.CD.DT", "BX.TRF.PWKR.DT.GD.ZS", "BX.KLT.DINV.CD.WD", "DT.ODA.ODAT.CD",
    "NE.EXP.GNFS.CD", "NY.GDP.MKTP.CD", "NY.GDP.PCAP.CD", "NY.GNP.PCAP.PP.CD", "SM.POP.NETM", "SP.POP.TOTL",
)
#: UNHCR population types counted as refugees (SDG 10.7.4: refugees and other people in need of protection).
REFUGEE_TYPES: tuple[str, ...] = ("refugees", "oip")


@dataclass(frozen=True)
class SourceRef:
    """One row of the ``source`` table: what a figure cites."""

    source_id: str
    revision: str
    publisher: str
    title: str
    citation: str
    licence: str
    url: str


@dataclass
class ProfileData:
    """Every frame the profiles need, read once. Frames hold every country; ``profile.py`` selects."""

    ims_revision: str
    unhcr_revision: str | None
    loaded_at: dt.datetime | None
    sources: dict[str, SourceRef]
    ims_sources: dict[str, str]  # role ("destination", "origin", "bilateral") -> source_id
    unhcr_source: str | None
    countries: pd.DataFrame  # country table
    profile_areas: list[str]  # iso3 of every country/area profiled (IMS destinations)
    groups: pd.DataFrame  # group_id, source, code, name, kind
    members: pd.DataFrame  # group_id, iso3, basis ('declared' | 'derived')
    totals: pd.DataFrame  # iso3, year, sex, immigrants, emigrants, population (IMS revision)
    corridors: pd.DataFrame  # year, sex, origin, destination, persons (IMS revision)
    refugees_by_asylum: pd.DataFrame  # asylum, year, population_type, persons
    refugees_by_origin: pd.DataFrame  # origin, year, population_type, persons
    refugee_pairs: pd.DataFrame  # origin, asylum, persons (refugees + oip, newest year)
    refugee_year: int | None
    population: pd.DataFrame  # iso3, year, persons (WPP newest revision, both sexes)
    population_source: str | None
    wdi: pd.DataFrame  # iso3, year, indicator, value, vintage
    wdi_titles: dict[str, str]
    wdi_source: str | None
    cost: pd.DataFrame  # receiver, year, cost_pct, corridors, source_id
    skilled: pd.DataFrame  # origin, year, sex, education, rate, source_id, revision
    policy: pd.DataFrame  # iso3, year, domain, rating, applicable, source_id
    deaths: pd.DataFrame  # iso3, year, dead_and_missing, source_id
    geometry: pd.DataFrame  # iso3, geojson, min_lon, min_lat, max_lon, max_lat, source_id
    points: pd.DataFrame  # iso3, lat, lon, basis, source_id
    group_values: pd.DataFrame  # area_group_value rows
    extra: dict[str, object] = field(default_factory=dict)

    def source(self, source_id: str | None) -> SourceRef | None:
        return self.sources.get(source_id) if source_id else None


def connect(db: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection: the profiles never write the database."""
    if not Path(db).is_file():
        raise NoDatabaseError(f"no database at {db}: build it first with `migdev build`")
    return duckdb.connect(str(db), read_only=True)


def load(db: Path) -> ProfileData:
    """Read every table the profiles use, once."""
    con = connect(db)
    try:
        return _load(con)
    finally:
        con.close()


def _df(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> object:
    row = con.execute(sql, params or []).fetchone()
    return row[0] if row else None


def _load(con: duckdb.DuckDBPyConnection) -> ProfileData:
    src = _df(con, "SELECT source_id, revision, publisher, title, citation, licence, url, product, loaded_at "
                   "FROM source")
    sources = {r.source_id: SourceRef(r.source_id, r.revision, r.publisher, r.title, r.citation, r.licence, r.url)
               for r in src.itertuples()}
    ims = _scalar(con, "SELECT max(revision) FROM migrant_stock_total")
    if ims is None:
        raise NoDatabaseError("the database holds no International Migrant Stock rows: the profiles need them")
    ims = str(ims)
    ims_sources = {"destination": f"ims{ims}_destination", "origin": "ims_origin_totals",
                   "bilateral": f"ims{ims}_bilateral"}
    missing = [s for s in ims_sources.values() if s not in sources]
    if missing:
        raise NoDatabaseError(f"source rows missing for IMS {ims}: {', '.join(missing)}")
    unhcr_rev = _scalar(con, "SELECT max(revision) FROM refugee")
    unhcr_source = _first(src, "unhcr", unhcr_rev, "population")
    pop_rev = _scalar(con, "SELECT max(revision) FROM population")
    countries = _df(con, "SELECT * FROM country ORDER BY iso3")
    groups = _df(con, "SELECT group_id, source, code, name, kind FROM area_group ORDER BY group_id")
    declared = _df(con, "SELECT group_id, iso3, 'declared' AS basis FROM area_group_member")
    totals = _df(con, "SELECT iso3, year, sex, immigrants, emigrants, population FROM migrant_stock_total "
                      "WHERE revision = ? ORDER BY iso3, year, sex", [ims])
    areas = sorted(set(totals["iso3"]) - {UNSPECIFIED_ORIGIN})
    refugee_year = _scalar(con, "SELECT max(year) FROM refugee WHERE revision = ?", [unhcr_rev])
    loaded = src["loaded_at"].max() if len(src) else None
    wdi_titles = dict(con.execute("SELECT indicator, title FROM wdi_indicator").fetchall())
    return ProfileData(
        ims_revision=ims,
        unhcr_revision=None if unhcr_rev is None else str(unhcr_rev),
        loaded_at=None if loaded is None or pd.isna(loaded) else pd.Timestamp(loaded).to_pydatetime(),
        sources=sources,
        ims_sources=ims_sources,
        unhcr_source=unhcr_source,
        countries=countries,
        profile_areas=areas,
        groups=groups,
        members=pd.concat([declared, _derived_members(countries, groups, declared)], ignore_index=True),
        totals=totals,
        corridors=_df(con, "SELECT year, sex, origin, destination, persons FROM migrant_stock WHERE revision = ?",
                      [ims]),
        refugees_by_asylum=_df(con, "SELECT asylum, year, population_type, sum(persons) AS persons FROM refugee "
                                    "WHERE revision = ? GROUP BY ALL", [unhcr_rev]),
        refugees_by_origin=_df(con, "SELECT origin, year, population_type, sum(persons) AS persons FROM refugee "
                                    "WHERE revision = ? GROUP BY ALL", [unhcr_rev]),
        refugee_pairs=_df(con, "SELECT origin, asylum, sum(persons) AS persons FROM refugee WHERE revision = ? "
                               f"AND year = ? AND population_type IN {REFUGEE_TYPES} GROUP BY ALL",
                          [unhcr_rev, refugee_year]),
        refugee_year=None if refugee_year is None else int(refugee_year),
        population=_df(con, "SELECT iso3, year, persons FROM population WHERE revision = ? AND sex = 'total'",
                       [pop_rev]),
        population_source=_first(src, "wpp", pop_rev, "by sex"),
        wdi=_df(con, f"SELECT iso3, year, indicator, value, vintage FROM wdi WHERE indicator IN {WDI_SERIES}"),
        wdi_titles=wdi_titles,
        wdi_source="wdi_long" if "wdi_long" in sources else _first(src, "wdi", None, ""),
        cost=_df(con, "SELECT receiver, CAST(substr(period, 1, 4) AS INTEGER) AS year, avg(cost_pct_200) AS "
                      "cost_pct, count(DISTINCT sender) AS corridors, string_agg(DISTINCT source_id, ',') AS "
                      "source_id FROM remittance_cost GROUP BY ALL"),
        skilled=_df(con, "SELECT origin, year, sex, education, rate, source_id, revision FROM skilled_emigration "
                         "WHERE revision = (SELECT max(revision) FROM skilled_emigration)"),
        policy=_df(con, "SELECT iso3, year, domain, rating, applicable, source_id FROM policy_rating"),
        deaths=_df(con, "SELECT iso3, year, dead_and_missing, source_id FROM migrant_deaths"),
        geometry=_df(con, "SELECT iso3, geojson, min_lon, min_lat, max_lon, max_lat, source_id FROM area_geometry"),
        points=_df(con, "SELECT iso3, lat, lon, basis, source_id FROM area_point_best"),
        group_values=_df(con, "SELECT source_id, revision, group_id, year, sex, measure, value FROM "
                              "area_group_value WHERE value IS NOT NULL"),
    )


def _first(src: pd.DataFrame, product: str, revision: object, title_has: str) -> str | None:
    """The source id of a product's file whose title contains ``title_has`` (for tables without a source_id)."""
    rows = src[(src["product"] == product) & src["title"].str.contains(title_has, case=False, regex=False)]
    if revision is not None:
        rows = rows[rows["revision"] == str(revision)]
    return None if rows.empty else str(rows["source_id"].iloc[0])


def _derived_members(countries: pd.DataFrame, groups: pd.DataFrame, declared: pd.DataFrame) -> pd.DataFrame:
    """Members implied by the country table's classifications, for groups the annexes list without members.

    World Bank regions and income groups match ``wb_region`` / ``wb_income_group`` by the group's name; the UN's
    income groups match ``un_income_group_2020`` + " countries" (the annex's "High-income countries")."""
    has = set(declared["group_id"])
    rules = [("World Bank WDI", "wb_region", ""), ("World Bank WDI", "wb_income_group", ""),
             ("UN DESA IMS annex", "un_income_group_2020", " countries")]
    out = []
    for source, column, suffix in rules:
        named = groups[(groups["source"] == source) & ~groups["group_id"].isin(has)]
        by_name = dict(zip(named["name"], named["group_id"], strict=True))
        values = countries[["iso3", column]].dropna()
        gid = (values[column] + suffix).map(by_name)
        found = pd.DataFrame({"group_id": gid, "iso3": values["iso3"]}).dropna()
        out.append(found)
    derived = pd.concat(out, ignore_index=True).drop_duplicates()
    derived["basis"] = "derived"
    return derived
