"""The profile's inputs, cut once per country and aggregated once per group (vectorised, for every profile at once).

Why: ``migdev profiles --all`` writes 233 countries and every group in seconds. Instead of one query per page,
each frame of :class:`~migdev.reports.profile_data.ProfileData` is split here by country (``groupby``) and summed
over the members of every group (one merge with the membership table, one ``groupby``). A group's additive
figures are sums over its members; each summed row carries ``n``, the number of members reporting, so the page
says "sum of n of m members" and never passes an incomplete sum off as complete.

Non-additive figures (shares, rates, % of GDP, per capita) are recomputed from the summed parts in
``profile.py``; emigration rates by education and the SDG 10.7.2 ratings are not additive: a group shows the
published world rate (IAB) or the share of its members meeting the target (the UN's rule, SOURCES.md 1.5).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from migdev.reports.profile_data import REFUGEE_TYPES, ProfileData

#: WDI series that add up over countries (the others are recomputed from these for groups).
ADDITIVE_WDI = ("BX.TRF.PWKR.CD.DT", "BM.TRF.PWKR.CD.DT", "BX.KLT.DINV.CD.WD", "DT.ODA.ODAT.CD", "NE.EXP.GNFS.CD",
                "NY.GDP.MKTP.CD", "SM.POP.NETM", "SP.POP.TOTL")

Parts = dict[str, pd.DataFrame]


@dataclass
class EntityTables:
    """Per-entity frames: ``frames[name][key]``, key an ISO3 code or a group id."""

    frames: dict[str, Parts]
    group_size: dict[str, int]

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
    last = int(data.corridors["year"].max()) if len(data.corridors) else None

    totals = data.totals
    frames["totals"] = _split(totals, "iso3")
    g_totals = _sum_over_members(totals, "iso3", m, ["year", "sex"], ["immigrants", "emigrants", "population"])
    frames["totals"].update(_split(g_totals, "group_id"))

    newest = data.corridors[(data.corridors["year"] == last) & (data.corridors["sex"] == "total")]
    newest = newest[["origin", "destination", "persons"]]
    frames["destinations"] = _split(newest.drop(columns=[]), "origin")  # emigrants by destination
    frames["origins"] = _split(newest, "destination")  # immigrants by origin
    g_dest = _sum_over_members(newest, "origin", m, ["destination"], ["persons"]).drop(columns="n")
    g_orig = _sum_over_members(newest, "destination", m, ["origin"], ["persons"]).drop(columns="n")
    frames["destinations"].update(_split(g_dest, "group_id"))
    frames["origins"].update(_split(g_orig, "group_id"))

    for name, frame, key in (("ref_asylum", data.refugees_by_asylum, "asylum"),
                             ("ref_origin", data.refugees_by_origin, "origin")):
        frames[name] = _split(frame, key)
        frames[name].update(_split(_sum_over_members(frame, key, m, ["year", "population_type"], ["persons"]),
                                   "group_id"))
    pairs = data.refugee_pairs
    frames["ref_hosted_from"] = _split(pairs, "asylum")
    frames["ref_hosted_from"].update(
        _split(_sum_over_members(pairs, "asylum", m, ["origin"], ["persons"]).drop(columns="n"), "group_id"))

    pop = data.population
    frames["population"] = _split(pop, "iso3")
    frames["population"].update(_split(_sum_over_members(pop, "iso3", m, ["year"], ["persons"]), "group_id"))

    wdi = data.wdi[["iso3", "year", "indicator", "value"]]
    frames["wdi"] = _split(wdi, "iso3")
    additive = wdi[wdi["indicator"].isin(ADDITIVE_WDI)]
    frames["wdi"].update(_split(_sum_over_members(additive, "iso3", m, ["indicator", "year"], ["value"]),
                                "group_id"))
    frames["wdi_wide"] = {k: _wide(g) for k, g in frames["wdi"].items()}
    published = data.group_values[data.group_values["measure"].isin(data.wdi["indicator"].unique())]
    frames["wdi_published"] = _split(published.rename(columns={"measure": "indicator"})
                                     [["group_id", "year", "indicator", "value"]], "group_id")

    cost = data.cost.assign(weighted=data.cost["cost_pct"] * data.cost["corridors"])
    frames["cost"] = _split(cost.drop(columns="weighted"), "receiver")
    g_cost = _sum_over_members(cost, "receiver", m, ["year"], ["weighted", "corridors"])
    g_cost["cost_pct"] = g_cost["weighted"] / g_cost["corridors"]
    frames["cost"].update(_split(g_cost.drop(columns="weighted"), "group_id"))

    frames["skilled"] = _split(data.skilled, "origin")
    frames["policy"] = _split(data.policy, "iso3")
    frames["policy_share"] = _split(_policy_shares(data), "group_id")
    frames["deaths"] = _split(data.deaths, "iso3")
    frames["deaths"].update(_split(_sum_over_members(data.deaths, "iso3", m, ["source_id", "year"],
                                                     ["dead_and_missing"]), "group_id"))
    frames["group_published"] = _split(data.group_values, "group_id")
    size = m.groupby("group_id")["iso3"].nunique().to_dict()
    return EntityTables(frames, {str(k): int(v) for k, v in size.items()})


def _wide(frame: pd.DataFrame) -> pd.DataFrame:
    """year x indicator (one pivot per entity, done here once rather than per figure)."""
    return frame.pivot(index="year", columns="indicator", values="value").sort_index()


def _policy_shares(data: ProfileData) -> pd.DataFrame:
    """SDG 10.7.2 for groups, the UN's rule: each member's latest rating; the share rated >= 3 of those rated."""
    rated = data.policy[data.policy["applicable"]]
    if rated.empty:
        return pd.DataFrame(columns=["group_id", "domain", "year", "value", "n", "source_id"])
    latest = rated.sort_values("year").groupby(["iso3", "domain"], sort=False).tail(1)
    joined = latest.merge(data.members[["group_id", "iso3"]], on="iso3")
    joined = joined.assign(meets=joined["rating"] >= 3)
    out = joined.groupby(["group_id", "domain"]).agg(value=("meets", "mean"), n=("meets", "size"),
                                                     year=("year", "max"), source_id=("source_id", "first"))
    return out.reset_index()


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
