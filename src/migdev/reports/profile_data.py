"""What the profiles read: every frame through :func:`migdev.query.run`, once for all profiles.

Why: there is one way for data to flow, sources -> store -> indicators -> reports. The profiles read the
``indicator`` table (shares, rates, group values the build computed) and, for what no indicator holds, the same
queries the CLI and the API answer (:data:`migdev.query.QUERIES`), each an :class:`~migdev.publish.answer.Answer`
whose ``sources`` say which release files it read. So a profile cites what the query path says it read, never a
source id guessed from a file title. Each query reads every country at once (233 countries and every group cost
the same few reads as one), on one read-only connection.

Decisions:

- The IMS revision is the one the ``totals`` query chose (its default: the latest held); the stock corridors, the
  refugees (UNHCR) and the WDI series are the queries' defaults too (latest revision; every WDI vintage).
- Group membership is the ``group_members`` query (declared members plus those the country table's
  classifications imply, the indicators step's rule), so a group's member count matches its indicator rows.
- ``cites`` maps each query to the source ids of its answer: a figure read from a query cites those; a figure
  read from the indicator table cites the row's own ``source``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from migdev import query, store
from migdev.errors import NoDatabaseError
from migdev.publish.answer import Answer, SourceRef
from migdev.query.spec import Catalog
from migdev.vocab import LANGUAGES, UNSPECIFIED_ORIGIN

#: The WDI series a profile shows beside the indicators (codes of the ``wdi`` table).
WDI_SERIES: tuple[str, ...] = (
    "BX.TRF.PWKR.CD.DT", "BM.TRF.PWKR.CD.DT", "BX.TRF.PWKR.DT.GD.ZS", "BX.KLT.DINV.CD.WD", "DT.ODA.ODAT.CD",
    "NE.EXP.GNFS.CD", "NY.GDP.MKTP.CD", "NY.GDP.PCAP.CD", "NY.GNP.PCAP.PP.CD", "SM.POP.NETM", "SP.POP.TOTL",
)
#: UNHCR population types counted as refugees (SDG 10.7.4: refugees and other people in need of protection).
REFUGEE_TYPES: tuple[str, ...] = ("refugees", "oip")
#: The indicators a profile shows (ids of :data:`migdev.indicators.CATALOGUE`); the others are not read.
INDICATORS: tuple[str, ...] = (
    "stock_immigrants", "stock_immigrant_share", "stock_female_share_immigrants", "stock_top_origins",
    "stock_emigrants", "stock_female_share_emigrants", "stock_emigration_rate", "stock_top_destinations",
    "refugees_hosted", "refugees_originating", "refugees_per_100k_origin", "remit_received", "remit_paid",
    "remit_share_of_gdp", "remit_vs_fdi", "remit_vs_oda", "remit_vs_exports", "cost_receiving_average",
    "skilled_emigration_rate", "skilled_total_emigration_rate", "skilled_brain_drain_intensity", "pop_population",
    *(f"policy_sdg_10_7_2_{d}{s}" for d in ("overall", "migrant_rights", "whole_of_government",
                                            "cooperation_partnerships", "socioeconomic_wellbeing",
                                            "mobility_dimensions_of_crises", "safe_orderly_regular_migration")
      for s in ("", "_share_meeting")),
)


@dataclass
class ProfileData:
    """Every frame the profiles need, read once. Frames hold every country; ``profile.py`` selects."""

    ims_revision: str
    unhcr_revision: str | None
    loaded_at: dt.datetime | None
    sources: dict[str, SourceRef]
    cites: dict[str, str]  # query name -> comma-separated source ids of its answer
    countries: pd.DataFrame  # iso3, name_<lang> (the query path's places)
    profile_areas: list[str]  # iso3 of every country/area profiled (IMS destinations)
    groups: pd.DataFrame  # group_id, source, code, name (the publisher's), kind, name_en ... name_ar
    members: pd.DataFrame  # group_id, iso3, basis ('declared' | 'derived')
    indicators: pd.DataFrame  # rows of `indicator` for INDICATORS
    ims_last: int  # newest year of the IMS revision
    corridors: pd.DataFrame  # origin, destination, persons (IMS revision, newest year, both sexes)
    refugees_by_asylum: pd.DataFrame  # asylum, year, population_type, persons
    refugee_pairs: pd.DataFrame  # origin, asylum, persons (refugees + oip, newest year)
    refugee_year: int | None
    wdi: pd.DataFrame  # iso3, year, indicator, value, vintage
    cost: pd.DataFrame  # receiver, year, senders, source_id (corridors surveyed per receiver and year)
    deaths: pd.DataFrame  # iso3, year, dead_and_missing, source_id
    geometry: pd.DataFrame  # iso3, geojson, min_lon, min_lat, max_lon, max_lat, source_id
    points: pd.DataFrame  # iso3, lat, lon, basis, source_id
    group_values: pd.DataFrame  # area_group_value rows
    extra: dict[str, object] = field(default_factory=dict)

    def source(self, source_id: str | None) -> SourceRef | None:
        return self.sources.get(source_id) if source_id else None


def load(db: Path) -> ProfileData:
    """Read every frame the profiles use, once, through the query path."""
    if not Path(db).is_file():
        raise NoDatabaseError(f"no database at {db}: build it first with `migdev build`")
    con = store.connect(Path(db))
    try:
        return _load(Catalog(con))
    finally:
        con.close()


def _held(cat: Catalog, table: str, column: str, wanted: tuple[str, ...]) -> list[str]:
    """The codes of ``wanted`` the database holds: one it lacks has no value, shown missing (never an error)."""
    held = set(cat.held(table, column))
    return [w for w in wanted if w in held]


def _ids(answer: Answer) -> str:
    return ",".join(s.source_id for s in answer.sources)


def _load(cat: Catalog) -> ProfileData:
    answers: dict[str, Answer] = {}

    def run(name: str, **filters: object) -> pd.DataFrame:
        answers[name] = query.run(name, cat, **filters)
        return answers[name].frame

    totals = run("totals", sex="total")
    if totals.empty:
        raise NoDatabaseError("the database holds no International Migrant Stock rows: the profiles need them")
    ims = str(answers["totals"].query["filters"]["revision"][0])
    last = int(totals["year"].max())
    corridors = run("stock", revision=ims, year=last, sex="total")[["origin", "destination", "persons"]]
    indicators = run("indicators", indicator=_held(cat, "indicator", "indicator", INDICATORS))
    refugees = run("refugees") if cat.held("refugee", "revision") else \
        pd.DataFrame(columns=["year", "origin", "asylum", "population_type", "persons"])
    refugee_year = int(refugees["year"].max()) if len(refugees) else None
    newest = refugees[refugees["year"] == refugee_year]
    pairs = newest[newest["population_type"].isin(REFUGEE_TYPES)]
    wdi = run("wdi", indicator=_held(cat, "wdi_indicator", "indicator", WDI_SERIES))
    costs = run("remittance_costs")
    releases = run("releases")
    geometry, points = run("area_geometry"), run("area_points")
    deaths, group_values = run("migrant_deaths"), run("group_values")
    members = run("group_members")[["group_id", "iso3", "basis"]]
    groups = run("area_groups")[["group_id", "source", "code", "name", "kind",
                                 *(f"name_{lang}" for lang in LANGUAGES)]]
    sources: dict[str, SourceRef] = {}
    for answer in answers.values():
        sources.update({s.source_id: s for s in answer.sources})
    loaded = releases["loaded_at"].max() if len(releases) else None
    unhcr = answers["refugees"].query["filters"].get("revision") if "refugees" in answers else None
    return ProfileData(
        ims_revision=ims,
        unhcr_revision=str(unhcr[0]) if unhcr else None,
        loaded_at=None if loaded is None or pd.isna(loaded) else pd.Timestamp(loaded).to_pydatetime(),
        sources=sources,
        cites={"refugees": "", **{name: _ids(a) for name, a in answers.items()}},
        countries=cat.places().country.reset_index(drop=True),
        profile_areas=sorted(set(totals["iso3"]) - {UNSPECIFIED_ORIGIN}),
        groups=groups.reset_index(drop=True),
        members=members,
        indicators=indicators.drop(columns=["name"]),
        ims_last=last,
        corridors=corridors,
        refugees_by_asylum=refugees.groupby(["asylum", "year", "population_type"], as_index=False)["persons"].sum(),
        refugee_pairs=pairs.groupby(["origin", "asylum"], as_index=False)["persons"].sum(),
        refugee_year=refugee_year,
        wdi=wdi[["iso3", "year", "indicator", "value", "vintage"]],
        cost=costs[costs["cost_pct_200"].notna()].groupby(["receiver", "year"], as_index=False).agg(
            senders=("sender", "nunique"), source_id=("source_id", lambda s: ",".join(sorted(set(s))))),
        deaths=deaths[["iso3", "year", "dead_and_missing", "source_id"]],
        geometry=geometry[["iso3", "geojson", "min_lon", "min_lat", "max_lon", "max_lat", "source_id"]],
        points=points[["iso3", "lat", "lon", "basis", "source_id"]],
        group_values=group_values[["source_id", "revision", "group_id", "year", "sex", "measure", "value"]],
    )
