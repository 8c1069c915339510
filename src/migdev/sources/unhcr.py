"""UNHCR Refugee Data Finder (the official ``refugees`` R package): refugees and others of concern by origin and
asylum, UNRWA Palestine refugees, displacement flows, solutions, asylum applications and decisions, IDMC's IDPs
and the 2025 demographics.

The mirror's CSVs render the package's ``.rda`` data sets (fetched by the package from UNHCR's population API,
``api.unhcr.org/population/v1``) with values unchanged. Decisions:

* Units: whole persons; the asylum tables count persons or cases (``app_pc``/``dec_pc`` ``P``/``C``, stored as
  ``unit``: the United States, among others, report cases). UNHCR publishes no count from 1 to 4: such counts
  appear as 5 (disclosure control; the files hold no 1-4 and tens of thousands of 5s), so parts need not add up
  to the published totals (444 decision rows' parts do not sum to ``dec_total``) and nothing here checks that.
* Missing values: an empty cell is "not reported", NA, and is never stored as a row of a long table (``oip`` is
  empty before 2018 and in all but 15-24 rows a year after; ``flows`` and ``solutions`` leave every cell without
  a figure empty). ``population`` writes 0, not empty, for the other types of an origin-asylum pair that has some
  figure: no row of it is all zero, so its zeros only fill the wide layout. They are left out of ``refugee``
  (counted in the build log); every (year, origin, asylum) pair of the file keeps at least one row, so the file
  can be rebuilt exactly, a type without a row being 0 for a pair that has rows.
* ``refugee.population_type``: the ``population`` columns (``refugees``, ``asylum_seekers``,
  ``returned_refugees``, ``idps``, ``returned_idps``, ``stateless``, ``ooc`` -> ``others_of_concern``, ``oip``
  (other people in need of international protection), ``hst`` -> ``host_community``) plus ``unrwa_refugees``
  from the UNRWA table: Palestine refugees under UNRWA's mandate are not in ``population.refugees``, so adding
  the two never counts anyone twice (UNHCR's refugee totals, e.g. Global Trends' 29.4 M for 2022, exclude them).
  ``stateless`` is not exclusive of the other types: it also counts stateless people counted as refugees or
  IDPs (the Rohingya refugees in Bangladesh appear as MMR ``refugees`` and as XXA ``stateless``: 1.18 M in
  2025), so summing all types counts some people twice. The 2025 demographics count each person once: their
  totals equal this table's for every type but ``stateless`` (2.88 M against 4.48 M).
* Codes: the ``*_iso`` columns (see :mod:`migdev.sources.unhcr_layout`; UNHCR's own codes would mislead: its
  ``CHI`` is China, the project's ``CHI`` the Channel Islands). ``UNK`` (unknown) -> ``XXX``, the
  project's unspecified code, as origin and as asylum; stateless ``XXA`` and Tibetans ``TIB`` and IDMC's Abyei
  Area ``AB9`` are :data:`DOCUMENTED_CODES`. Kosovo is inside ``SRB`` (UNHCR names it "Serbia and Kosovo:
  S/RES/1244 (1999)"); ``XKX`` never appears. Before 2009 IDMC gives a world figure only, under "Unknown": it is
  stored as ``XXX``, so a year's sum over ``displacement`` is IDMC's world total in every year.
* Tables: ``refugee`` (population + UNRWA), ``refugee_flow`` (``flows`` arrivals and ``solutions``, one
  ``flow_type`` per column), ``asylum_application``, ``asylum_decision`` (their keys differ: applications carry
  an application type), ``displacement`` (IDMC) and ``refugee_demographic`` (see
  :mod:`migdev.sources.unhcr_flows`). Every row carries the package version as ``revision``.
* Not read: the UNHCR codes (``coo``/``coa``, checked present), the names (used only in reports of unknown codes),
  ``unhcr_countries.csv`` (registered, not built: every code it maps is ISO already), the demographics'
  location detail (summed over).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pandera.pandas as pa

from migdev.errors import ParseError
from migdev.sources import spec, unhcr_flows
from migdev.sources.csv_tables import dispatch, validate
from migdev.sources.unhcr_layout import ALIASES, PLACE, PLACE_COLUMNS, count, long_counts, places, read_table

if TYPE_CHECKING:  # the harmoniser imports the sources package: import it for type hints only
    from migdev.harmonise import Harmoniser

RELEASES = spec.load(__file__)

__all__ = ["ALIASES", "DOCUMENTED_CODES", "RELEASES", "parse", "to_store"]

#: Codes the UNHCR tables need that are not ISO 3166-1 (the country registry adds them).
DOCUMENTED_CODES = {
    "XXA": {"note": "Stateless persons as origin (UNHCR 'Stateless', code STA): ICAO Doc 9303 code for a "
                    "stateless person",
            "names": {"en": "Stateless", "fr": "Apatrides", "es": "Apátridas", "ru": "Лица без гражданства",
                      "zh": "无国籍者", "ar": "عديمو الجنسية"}},
    "TIB": {"note": "Tibetans: UNHCR's own origin code for Tibetan refugees (mostly in India and Nepal), kept as "
                    "UNHCR writes it; not an ISO 3166-1 code",
            "names": {"en": "Tibetans", "fr": "Tibétains", "es": "Tibetanos", "ru": "Тибетцы", "zh": "藏人",
                      "ar": "التبتيون"}},
    "AB9": {"note": "Abyei Area, whose final status between Sudan and South Sudan is not determined: the code of "
                    "IDMC and UNHCR, kept as they write it (a digit: no ISO 3166-1 alpha-3 code can clash)",
            "names": {"en": "Abyei Area", "fr": "Zone d'Abyei", "es": "Zona de Abyei", "ru": "Район Абьей",
                      "zh": "阿卜耶伊地区", "ar": "منطقة أبيي"}},
}

#: ``population`` columns -> ``refugee.population_type``.
POPULATION_TYPES = {"refugees": "refugees", "asylum_seekers": "asylum_seekers",
                    "returned_refugees": "returned_refugees", "idps": "idps", "returned_idps": "returned_idps",
                    "stateless": "stateless", "ooc": "others_of_concern", "oip": "oip", "hst": "host_community"}

POPULATION = pa.DataFrameSchema({**PLACE_COLUMNS, **{c: count() for c in POPULATION_TYPES}},
                                name="UNHCR population", strict=True)
TOTALS = pa.DataFrameSchema({**PLACE_COLUMNS, "total": count(nullable=False)}, name="UNHCR totals", strict=True)

_SOURCE = {"population": "unhcr2025_population", "unrwa": "unhcr2025_unrwa", "flows": "unhcr2025_flows",
           "solutions": "unhcr2025_solutions", "idmc": "unhcr2025_idmc",
           "applications": "unhcr2025_asylum_applications", "decisions": "unhcr2025_asylum_decisions",
           "demographics": "unhcr2025_demographics"}


def parse_population(path: Path | str) -> pd.DataFrame:
    """End-year stocks by origin and asylum, one column per population type."""
    path = Path(path)
    return validate(read_table(path, tuple(POPULATION_TYPES)), POPULATION, path)


def parse_unrwa(path: Path | str) -> pd.DataFrame:
    """Palestine refugees registered with UNRWA, by field (origin always Palestine)."""
    path = Path(path)
    return validate(read_table(path, ("total",)), TOTALS, path)


def parse_idmc(path: Path | str) -> pd.DataFrame:
    """IDMC's conflict IDPs: people displaced within their own country, so origin and asylum must agree."""
    path = Path(path)
    df = read_table(path, ("total",))
    differ = (df["coo_iso"] != df["coa_iso"]).to_numpy()
    if differ.any():
        i = int(differ.argmax())
        raise ParseError(path, f"origin {df['coo_iso'].iloc[i]} and asylum {df['coa_iso'].iloc[i]} differ: IDMC "
                               "counts people displaced within their own country", row=i + 2, column="coa_iso")
    return validate(df, TOTALS, path)


def _totals(path: Path) -> pd.DataFrame:
    """UNRWA and IDMC share one header (places, ``total``): the file name tells them apart, as the R package's
    data set names do."""
    name = path.name.lower()
    if "idmc" in name:
        return parse_idmc(path)
    if "unrwa" in name:
        return parse_unrwa(path)
    raise ParseError(path, "a UNHCR 'total' table: the file name must say 'idmc' or 'unrwa' (both share one "
                           "header)", row=1)


_READERS = (
    (("hst", "ooc", "stateless"), parse_population),
    (("refugee_like",), unhcr_flows.parse_flows),
    (("resettlement", "naturalisation"), unhcr_flows.parse_solutions),
    (("app_type", "applied"), unhcr_flows.parse_applications),
    (("dec_recognized", "dec_total"), unhcr_flows.parse_decisions),
    (("pop_type", "f_total", "m_total"), unhcr_flows.parse_demographics),
    (("total",), _totals),
)


def parse(path: Path | str) -> pd.DataFrame:
    """Read any UNHCR table of the mirror (plain or gzip CSV), recognised by its header."""
    return dispatch(path, [((*PLACE, *columns), reader) for columns, reader in _READERS], "UNHCR Refugee Data Finder")


def _revision(source_id: str) -> str:
    return RELEASES.get(source_id).revision


def to_store(frames: Mapping[str, pd.DataFrame], h: Harmoniser) -> dict[str, pd.DataFrame]:
    """The store tables of every UNHCR file, keyed by ISO3 (and the documented codes)."""
    out: dict[str, pd.DataFrame] = {}
    sid = _SOURCE["population"]
    pop = frames[sid]
    origin, asylum = places(pop, sid, h)
    stocks = long_counts(pop, origin, asylum, POPULATION_TYPES, revision=_revision(sid), kind="population_type",
                         drop_zero=True)
    zeros = int((pop[list(POPULATION_TYPES)] == 0).sum().sum())
    h.say("info", f"{sid}: {zeros:,} zero cells not stored in refugee (the wide layout's fill: no row is all "
                  f"zero); {int(pop['oip'].isna().sum()):,} empty oip cells are not reported (oip starts in 2018)")
    if (pop["coa_iso"] == "SRB").any() or (pop["coo_iso"] == "SRB").any():
        h.say("info", f"{sid}: SRB is 'Serbia and Kosovo: S/RES/1244 (1999)': Kosovo is counted within Serbia")
    sid = _SOURCE["unrwa"]
    unrwa = frames[sid]
    origin, asylum = places(unrwa, sid, h)
    palestine = long_counts(unrwa, origin, asylum, {"total": "unrwa_refugees"}, revision=_revision(sid),
                            kind="population_type")
    out["refugee"] = pd.concat([stocks, palestine], ignore_index=True)

    flows = []
    for key, columns in (("flows", unhcr_flows.FLOW_TYPES), ("solutions", unhcr_flows.SOLUTION_TYPES)):
        sid = _SOURCE[key]
        origin, asylum = places(frames[sid], sid, h)
        flows.append(long_counts(frames[sid], origin, asylum, columns, revision=_revision(sid), kind="flow_type"))
    out["refugee_flow"] = pd.concat(flows, ignore_index=True)

    for key, table, build in (("applications", "asylum_application", unhcr_flows.application_rows),
                              ("decisions", "asylum_decision", unhcr_flows.decision_rows),
                              ("demographics", "refugee_demographic", unhcr_flows.demographic_rows)):
        sid = _SOURCE[key]
        origin, asylum = places(frames[sid], sid, h)
        out[table] = build(frames[sid], origin, asylum, _revision(sid), sid, h)

    sid = _SOURCE["idmc"]
    idmc = frames[sid]
    iso3, _ = places(idmc, sid, h)
    keep = iso3.notna()
    out["displacement"] = pd.DataFrame({"revision": _revision(sid), "year": idmc["year"], "iso3": iso3,
                                        "source": "idmc", "persons": idmc["total"]})[keep].reset_index(drop=True)
    early = idmc.loc[idmc["coo_iso"].eq("UNK") & idmc["year"].lt(2009), "year"]
    if len(early):
        h.say("info", f"{sid}: {early.min()}-{early.max()} IDMC gives only a world figure ('Unknown'), stored "
                      "as XXX")
    for name, table in out.items():
        h.say("info", f"{name}: {len(table):,} rows from UNHCR revision {_revision(_SOURCE['population'])}")
    return out
