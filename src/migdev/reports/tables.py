"""The profile's inputs, cut once per country and group (vectorised, for every profile at once).

Why: ``migdev profiles --all`` writes 233 countries and every group in seconds. Instead of one query per page,
each frame of :class:`~migdev.reports.profile_data.ProfileData` is split here by country or group (``groupby``).
The ``indicator`` table already holds every group's value of every indicator (sums, ratios of summed parts,
group-level top lists, the SDG 10.7.2 share meeting the target), so it is only split. What no indicator holds is
summed here over each group's members (one merge with the membership table, one ``groupby``), each summed row
carrying ``n``, the number of members reporting, so the page says "sum of n of m members": the unspecified
origin of immigrants, asylum-seekers hosted, the top origins of refugees hosted, the WDI series shown beside the
indicators (FDI, ODA, exports, GDP, population for the charts and GDP per capita), the corridors a cost is
averaged over and the dead and missing by country of incident.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from migdev.reports.profile_data import REFUGEE_TYPES, ProfileData
from migdev.vocab import UNSPECIFIED_ORIGIN

#: WDI series that add up over countries (GDP per capita of a group is made of two of them).
ADDITIVE_WDI = ("BX.TRF.PWKR.CD.DT", "BM.TRF.PWKR.CD.DT", "BX.KLT.DINV.CD.WD", "DT.ODA.ODAT.CD", "NE.EXP.GNFS.CD",
                "NY.GDP.MKTP.CD", "SM.POP.NETM", "SP.POP.TOTL")

Parts = dict[str, pd.DataFrame]


@dataclass
class Values:
    """The indicator table's unranked values as arrays, with the positions of each (entity, indicator, sex):
    a profile reads some 30 figures, and picking them from arrays is what keeps 377 profiles in seconds."""

    year: np.ndarray
    value: np.ndarray
    members: np.ndarray  # NaN for a country
    at: dict[tuple[str, str, str], np.ndarray]

    @classmethod
    def of(cls, indicators: pd.DataFrame) -> Values:
        plain = indicators[indicators["rank"].isna() & indicators["value"].notna()].reset_index(drop=True)
        at = plain.groupby(["iso3", "indicator", "sex"], sort=False).indices
        return cls(plain["year"].to_numpy(dtype="int64"), plain["value"].to_numpy(dtype="float64"),
                   plain["members"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan),
                   {k: np.asarray(v) for k, v in at.items()})


@dataclass
class EntityTables:
    """Per-entity frames: ``frames[name][key]``, key an ISO3 code or a group id."""

    frames: dict[str, Parts]
    group_size: dict[str, int]
    indicator_source: dict[str, str]  # indicator -> its source ids (cited where an entity has no value)
    indicators: dict[str, dict[str, pd.DataFrame]]  # entity -> indicator id -> its rows of `indicator`
    values: Values

    def get(self, name: str, key: str) -> pd.DataFrame | None:
        return self.frames[name].get(key)


def _split(frame: pd.DataFrame, key: str) -> Parts:
    return {k: g.drop(columns=key).reset_index(drop=True) for k, g in frame.groupby(key, sort=False)}


def _sum_over_members(frame: pd.DataFrame, key: str, members: pd.DataFrame, by: list[str],
                      values: list[str]) -> pd.DataFrame:
    """Sum ``values`` over each group's members by ``by``; ``n`` counts members with a value (of the first)."""
    joined = frame.merge(members[["group_id", "iso3"]], left_on=key, right_on="iso3", how="inner")
    grouped = joined.groupby(["group_id", *by], sort=False)
    out = grouped[values].sum(min_count=1)
    out["n"] = grouped[values[0]].count()
    return out.reset_index()


def build(data: ProfileData) -> EntityTables:
    m = data.members
    frames: dict[str, Parts] = {}

    ind = data.indicators
    by_entity: dict[str, dict[str, pd.DataFrame]] = {
        str(k): {str(i): f for i, f in g.groupby("indicator", sort=False)} for k, g in ind.groupby("iso3", sort=False)}

    unspec = data.corridors[data.corridors["origin"] == UNSPECIFIED_ORIGIN][["destination", "persons"]]
    frames["unspecified"] = _split(unspec, "destination")
    frames["unspecified"].update(_split(_sum_over_members(unspec, "destination", m, [], ["persons"])
                                        if len(unspec) else unspec.iloc[:0], "group_id"))

    seekers = data.refugees_by_asylum
    frames["ref_asylum"] = _split(seekers, "asylum")
    frames["ref_asylum"].update(_split(_sum_over_members(seekers, "asylum", m, ["year", "population_type"],
                                                         ["persons"]), "group_id"))
    pairs = data.refugee_pairs
    frames["ref_hosted_from"] = _split(pairs, "asylum")
    frames["ref_hosted_from"].update(
        _split(_sum_over_members(pairs, "asylum", m, ["origin"], ["persons"]).drop(columns="n"), "group_id"))

    wdi = data.wdi[["iso3", "year", "indicator", "value"]]
    frames["wdi"] = _split(wdi, "iso3")
    additive = wdi[wdi["indicator"].isin(ADDITIVE_WDI)]
    frames["wdi"].update(_split(_sum_over_members(additive, "iso3", m, ["indicator", "year"], ["value"]),
                                "group_id"))
    frames["wdi_wide"] = {k: _wide(g) for k, g in frames["wdi"].items()}
    published = data.group_values[data.group_values["measure"].isin(data.wdi["indicator"].unique())]
    frames["wdi_published"] = _split(published.rename(columns={"measure": "indicator"})
                                     [["group_id", "year", "indicator", "value"]], "group_id")

    cost = data.cost
    frames["cost"] = _split(cost, "receiver")
    frames["cost"].update(_split(_sum_over_members(cost, "receiver", m, ["year"], ["senders"]), "group_id"))

    frames["deaths"] = _split(data.deaths, "iso3")
    frames["deaths"].update(_split(_sum_over_members(data.deaths, "iso3", m, ["source_id", "year"],
                                                     ["dead_and_missing"]), "group_id"))
    frames["group_published"] = _split(data.group_values, "group_id")
    size = m.groupby("group_id")["iso3"].nunique().to_dict()
    sources = ind.groupby("indicator")["source"].first().to_dict()
    return EntityTables(frames, {str(k): int(v) for k, v in size.items()}, sources, by_entity, Values.of(ind))


def _wide(frame: pd.DataFrame) -> pd.DataFrame:
    """year x indicator (one pivot per entity, done here once rather than per figure)."""
    return frame.pivot(index="year", columns="indicator", values="value").sort_index()


def refugee_total(frame: pd.DataFrame | None, year: int | None,
                  types: tuple[str, ...] = REFUGEE_TYPES) -> float | None:
    """Persons of the given population types in ``year`` of a ``ref_*`` frame.

    None where the entity has no UNHCR row at all that year (missing, not zero); 0 where it has rows but none of
    these types (the release stores no zero cells: a type without a row is 0 for a place that has rows)."""
    if frame is None or year is None:
        return None
    rows = frame[frame["year"] == year]
    if rows.empty:
        return None
    return float(rows.loc[rows["population_type"].isin(types), "persons"].sum())
