"""Migration governance and migrant deaths: SDG 10.7.1-10.7.3, MIPEX, IMPIC and IOM's Missing Migrants Project.

Several publishers, one product: the parsers live with their publisher (:mod:`.policy_sdg`, :mod:`.policy_indices`,
:mod:`.policy_mmp`, whose docstrings record the decisions on units, missing values and quirks); this module holds the
spec, the dispatch by header and ``to_store``. Store tables (``store/schema/policy.sql``):

* ``policy_rating`` -- SDG 10.7.2 ratings by government, domain and round (``overall`` or one of six domains);
  :func:`sdg_10_7_2_share` reproduces the UN's published shares from them (latest rating per government).
* ``policy_index`` + ``policy_index_scale`` -- MIPEX core (``mipex``), the provisional MIPEX EU update
  (``mipex_eu_update``, a separate series) and IMPIC (``impic``: 0 open .. 1 restrictive, the opposite direction).
* ``migrant_deaths`` -- dead and missing by country of incident, two series keyed by ``source_id``: SDG 10.7.3 and
  IOM's country-year file (a later export, revised slightly upwards).
* ``migrant_incident`` -- one row per IOM record. ``recruitment_cost`` -- SDG 10.7.1.
* ``area_group_value`` -- the SDG aggregates: published 10.7.2 shares (fractions) and 10.7.3 regional totals.

Codes: SDG files use M49 (aggregates recoded to UN DESA's group codes, :data:`AGGREGATE_ALIASES`); the others ISO3.
Eleven areas the SDG file lists only as 'Not applicable' (non-self-governing territories such as the Åland Islands,
Pitcairn or Svalbard) are outside the project's country list: their rows carry no rating and are left out with a
line in the build log naming each, not reported as unmatched codes. No product-specific codes are needed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from migdev.sources import spec
from migdev.sources.csv_tables import dispatch
from migdev.sources.policy_indices import SCALES, parse_impic, parse_mipex
from migdev.sources.policy_mmp import parse_country_year, parse_incidents
from migdev.sources.policy_sdg import (
    AGGREGATE_ALIASES,
    DOMAINS,
    parse_areas,
    parse_costs,
    parse_deaths,
    parse_ratings,
    parse_shares,
    sdg_10_7_2_share,
)

if TYPE_CHECKING:  # harmonise imports the sources package: a runtime import here would be circular
    from migdev.harmonise import Harmoniser

RELEASES = spec.load(__file__)

__all__ = ["AGGREGATE_ALIASES", "DOMAINS", "INDEX_OF", "RELEASES", "parse", "sdg_10_7_2_share", "to_store"]

#: The policy index each built index file fills (a new edition of an index is a new source id here).
INDEX_OF = {"mipex2020_scores": "mipex", "mipex_eu2025_scores": "mipex_eu_update", "impic2016_country_year": "impic"}

_READERS = [
    (("geo_area", "policy_domains", "sg_cpa_migrs"), parse_ratings),
    (("geo_area", "policy_domains", "sg_cpa_migrp"), parse_shares),
    (("geo_area", "sm_dth_migr"), parse_deaths),
    (("geo_area", "sl_emp_rcost_mo"), parse_costs),
    (("geo_area", "name"), parse_areas),
    (("iso3", "year", "overall_with_health"), parse_mipex),
    (("iso3", "year", "AvgS_ImmPol"), parse_impic),
    (("main_id", "iso3_incident", "dead_and_missing"), parse_incidents),
    (("iso3", "year", "incidents", "dead_and_missing"), parse_country_year),
]


def parse(path: Path | str) -> pd.DataFrame:
    """Read any policy file of the mirror, recognised by its header line."""
    return dispatch(path, _READERS, "migration policy / Missing Migrants")


def _kind(frame: pd.DataFrame) -> str:
    """Which parser made a frame, by its columns (so ``to_store`` needs no list of release ids)."""
    cols = set(frame.columns)
    for kind, needed in (("ratings", {"rating", "applicable"}), ("shares", {"share", "domain"}),
                         ("costs", {"months_of_earnings"}), ("incidents", {"main_id"}),
                         ("country_year", {"incidents", "iso3"}), ("deaths", {"m49", "dead_and_missing"}),
                         ("index", {"dimension", "value"}), ("areas", {"m49", "name"})):
        if needed <= cols:
            return kind
    raise ValueError(f"not a frame of the policy parsers: columns {sorted(cols)}")


def to_store(frames: Mapping[str, pd.DataFrame], h: Harmoniser) -> dict[str, pd.DataFrame]:
    """Store tables from the parsed policy files: country keys via the harmoniser, aggregates apart."""
    by_kind: dict[str, list[str]] = {}
    for sid, frame in frames.items():
        by_kind.setdefault(_kind(frame), []).append(sid)
    names = pd.concat([frames[s] for s in by_kind.get("areas", [])] or [pd.DataFrame(columns=["m49", "name"])])
    names = names.drop_duplicates("m49").set_index("m49")["name"]
    out: dict[str, list[pd.DataFrame]] = {}
    groups: list[pd.DataFrame] = []
    for sid in by_kind.get("ratings", []):
        out.setdefault("policy_rating", []).append(_ratings(frames[sid], sid, names, h))
    for sid in by_kind.get("shares", []):
        f = frames[sid]
        iso, group = _m49(f, sid, "geo_area", names, h)
        _countries_not_loaded(iso, sid, "published shares are kept for aggregates only", h)
        groups.append(h.group_values(sid, _revision(sid), group, f["year"], "total",
                                     "sg_cpa_migrp:" + f["domain"], f["share"]))
    for sid in by_kind.get("deaths", []):
        f = frames[sid]
        iso, group = _m49(f, sid, "geo_area", names, h)
        groups.append(h.group_values(sid, _revision(sid), group, f["year"], "total", "sm_dth_migr",
                                     f["dead_and_missing"]))
        deaths = pd.DataFrame({"source_id": sid, "year": f["year"], "iso3": iso,
                               "dead_and_missing": f["dead_and_missing"]})
        out.setdefault("migrant_deaths", []).append(deaths[iso.notna()])
    for sid in by_kind.get("country_year", []):
        f = frames[sid]
        iso, group = h.split(f, sid, "iso3", iso3="iso3", name="country")
        h.not_loaded(group, sid, "deaths are kept by country of incident")
        part = pd.DataFrame({"source_id": sid, "year": f["year"], "iso3": iso, "dead_and_missing":
                             f["dead_and_missing"], "incidents": f["incidents"], "dead": f["dead"],
                             "missing_min": f["missing_min"]})
        out.setdefault("migrant_deaths", []).append(part[iso.notna()])
    for sid in by_kind.get("costs", []):
        f = frames[sid]
        iso, group = _m49(f, sid, "geo_area", names, h)
        h.not_loaded(group, sid, "recruitment costs are kept by country")
        part = pd.DataFrame({"source_id": sid, "year": f["year"], "iso3": iso, "sex": f["sex"],
                             "migratory_status": f["migratory_status"], "months_of_earnings": f["months_of_earnings"]})
        out.setdefault("recruitment_cost", []).append(part[iso.notna()])
    for sid in by_kind.get("index", []):
        out.setdefault("policy_index", []).append(_index(frames[sid], sid, h))
    for sid in by_kind.get("incidents", []):
        out.setdefault("migrant_incident", []).append(_incidents(frames[sid], sid, h))
    tables = {name: pd.concat(parts, ignore_index=True) for name, parts in out.items()}
    if "policy_index" in tables:
        present = tables["policy_index"].drop_duplicates("index")
        tables["policy_index_scale"] = pd.DataFrame(
            [{"index": i, "source_id": s, "low": SCALES[i][0], "high": SCALES[i][1], "higher_means": SCALES[i][2]}
             for i, s in zip(present["index"], present["source_id"], strict=True)])
    if groups:
        tables["area_group_value"] = pd.concat(groups, ignore_index=True)
    for name, table in tables.items():
        h.say("info", f"{name}: {len(table):,} rows")
    return tables


def _revision(source_id: str) -> str:
    return RELEASES.get(source_id).revision


def _m49(frame: pd.DataFrame, sid: str, field: str, names: pd.Series, h: Harmoniser) -> tuple[pd.Series, pd.Series]:
    """Split an SDG frame's M49 codes, with the database's standard aggregate codes recoded to UN DESA's."""
    codes = h.recode(frame["m49"].astype("Int64").astype("string"), AGGREGATE_ALIASES, sid, field)
    keyed = pd.DataFrame({"m49": codes, "name": frame["m49"].map(names)}, index=frame.index)
    return h.split(keyed, sid, field, m49="m49", name="name")


def _countries_not_loaded(iso: pd.Series, sid: str, why: str, h: Harmoniser) -> None:
    if iso.notna().any():
        h.say("info", f"{sid}: {int(iso.notna().sum()):,} country rows not loaded: {why}")


def _ratings(f: pd.DataFrame, sid: str, names: pd.Series, h: Harmoniser) -> pd.DataFrame:
    """SDG 10.7.2 ratings by country; territories rated only 'Not applicable' and outside the registry are said."""
    known = set(h.places.country["m49"].dropna().astype(int))
    only_na = f.groupby("m49")["applicable"].transform(lambda a: not a.any())
    outside = only_na & ~f["m49"].astype(int).isin(known)
    if outside.any():
        listed = ", ".join(f"{int(c)} {names.get(c, '?')}" for c in sorted(f.loc[outside, "m49"].unique()))
        h.say("info", f"{sid}: {int(outside.sum())} rows of {f.loc[outside, 'm49'].nunique()} territories rated only "
                      f"'Not applicable' (no 10.7.2 rating) are outside the project's country list and not loaded: "
                      f"{listed}")
    f = f[~outside]
    iso, group = _m49(f, sid, "geo_area", names, h)
    h.not_loaded(group, sid, "ratings are kept for governments only")
    part = pd.DataFrame({"source_id": sid, "year": f["year"], "iso3": iso, "domain": f["domain"],
                         "rating": f["rating"], "applicable": f["applicable"]})
    return part[iso.notna()]


def _index(f: pd.DataFrame, sid: str, h: Harmoniser) -> pd.DataFrame:
    if sid not in INDEX_OF:
        raise ValueError(f"{sid}: no policy index named for this file in policy.INDEX_OF")
    iso, group = h.split(f, sid, "iso3", iso3="iso3")
    h.not_loaded(group, sid, "index scores are kept by country")
    part = pd.DataFrame({"source_id": sid, "index": INDEX_OF[sid], "year": f["year"], "iso3": iso,
                         "dimension": f["dimension"], "value": f["value"]})
    return part[iso.notna()]


def _incidents(f: pd.DataFrame, sid: str, h: Harmoniser) -> pd.DataFrame:
    """One row per IOM record; origin codes are checked one by one but kept as the published list."""
    iso, group = h.split(f, sid, "iso3_incident", iso3="iso3_incident", name="country_of_incident")
    h.not_loaded(group, sid, "incidents are kept by country of incident")
    origins = f["iso3_origin"].dropna().str.split(";").explode().str.strip()
    codes = pd.DataFrame({"code": origins.drop_duplicates().to_numpy()})
    h.split(codes, sid, "iso3_origin", iso3="code")  # unknown origins are reported; the records are all kept
    part = pd.DataFrame({
        "source_id": sid, "record_id": f["main_id"], "incident_type": f["incident_type"],
        "incident_date": f["incident_date"], "year": f["year"], "year_from_id": f["year_from_id"], "iso3": iso,
        "country_of_incident": f["country_of_incident"], "migration_route": f["migration_route"],
        "location": f["location"], "lat": f["lat"], "lon": f["lon"], "dead": f["dead"],
        "missing_min": f["missing_min"], "dead_and_missing": f["dead_and_missing"], "survivors": f["survivors"],
        "females": f["females"], "males": f["males"], "children": f["children"],
        "cause_of_death": f["cause_of_death"], "country_of_origin": f["country_of_origin"],
        "origin_iso3": f["iso3_origin"], "region_of_origin": f["region_of_origin"],
        "information_source": f["information_source"], "url": f["url"], "source_quality": f["source_quality"]})
    return part[iso.notna()].reset_index(drop=True)
