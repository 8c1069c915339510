"""Migration governance (SDG 10.7.2) and migrant deaths on routes touching the country (IOM, SDG 10.7.3).

Decisions:

* the SDG 10.7.2 rating is the UN's, by domain (``overall`` and the six domains of
  :data:`migdev.sources.policy_sdg.DOMAINS`): 1 "requires further progress", 2 "partially meets", 3 "meets",
  4 "fully meets", for the round's year; NA where the domain does not apply;
* a group's value is the share of its governments rated 3 or 4 with each government's latest rating up to the
  round, exactly the UN's rule, by :func:`migdev.sources.policy_sdg.sdg_10_7_2_share`;
* deaths in the country (SDG 10.7.3) are the SDG series' dead and missing by country of incident;
* deaths on routes touching the country are IOM Missing Migrants records (dead and missing) whose country of
  incident is the country, or whose migrants' country of origin is the country, or whose migration route names
  the country as an end (:data:`ROUTE_COUNTRIES`: "Afghanistan to Iran" touches AFG and IRN; a sea or regional
  route such as "Central Mediterranean" names no country, so it touches only the incident and origin
  countries). Each record counts once per country; a group counts a record once if it touches any member, so a
  group's value is not the sum of its members'.
"""

from __future__ import annotations

import pandas as pd

from migdev.indicators.tidy import tidy
from migdev.sources.policy_sdg import sdg_10_7_2_share

__all__ = ["ROUTE_COUNTRIES", "SDG_DEATHS", "policy_migrant_deaths", "policy_migrant_deaths_routes",
           "policy_sdg_10_7_2_rating", "policy_sdg_10_7_2_share_meeting"]

SDG_DEATHS = "sdg2023_sm_dth_migr"
#: Countries named as ends of IOM's migration routes (the route names of the 2025-05-05 export).
ROUTE_COUNTRIES: dict[str, tuple[str, ...]] = {
    "US-Mexico border crossing": ("USA", "MEX"), "Afghanistan to Iran": ("AFG", "IRN"),
    "Darien": ("COL", "PAN"), "English Channel to the UK": ("FRA", "GBR"),
    "Türkiye-Europe land route": ("TUR",), "Syria to Türkiye": ("SYR", "TUR"), "Iran to Türkiye": ("IRN", "TUR"),
    "Belarus-EU border": ("BLR",), "Caribbean to US": ("USA",), "Dominican Republic to Puerto Rico": ("DOM", "PRI"),
    "Italy to France": ("ITA", "FRA"), "Sea crossings to Mayotte": ("MYT",), "Ukraine to Europe": ("UKR",),
    "Haiti to Dominican Republic": ("HTI", "DOM"), "Venezuela to Caribbean": ("VEN",), "DRC to Uganda": ("COD", "UGA"),
    "Horn of Africa to Yemen crossing": ("YEM",),
}  # fmt: skip


def policy_sdg_10_7_2_rating(*, policy_rating: pd.DataFrame, domain: str = "overall") -> pd.DataFrame:
    """SDG 10.7.2: the government's migration-policy rating in one domain, 1 (further progress) to 4 (fully meets).

    Parameters
    ----------
    policy_rating : pandas.DataFrame
        Rows of ``policy_rating``: ``year, iso3, domain, rating``.
    domain : str
        ``overall`` or one of the six domains.

    Returns
    -------
    pandas.DataFrame
        ``iso3, year, sex`` ("total"), ``value`` (1..4; NA where not applicable).

    References
    ----------
    UN DESA and IOM, SDG indicator 10.7.2 "Number of countries with well-managed migration policies"
    (SDG: 10.7.2).

    Examples
    --------
    >>> r = pd.DataFrame({"year": 2021, "iso3": ["A", "B"], "domain": "overall", "rating": [4, None]})
    >>> policy_sdg_10_7_2_rating(policy_rating=r)
      iso3  year    sex  value
    0    A  2021  total    4.0
    1    B  2021  total    NaN
    """
    return tidy(policy_rating[policy_rating["domain"] == domain].assign(sex="total"), "rating")


def policy_sdg_10_7_2_share_meeting(*, policy_rating: pd.DataFrame, area_group_member: pd.DataFrame,
                                    domain: str = "overall") -> pd.DataFrame:
    """SDG 10.7.2 for groups: the share of member governments that meet or fully meet the criteria.

    Parameters
    ----------
    policy_rating : pandas.DataFrame
        Rows of ``policy_rating``.
    area_group_member : pandas.DataFrame
        ``group_id, iso3``.
    domain : str
        ``overall`` or one of the six domains.

    Returns
    -------
    pandas.DataFrame
        ``iso3`` (the group), ``year`` (each round), ``sex, value`` (fraction 0..1), ``members`` (governments
        counted); no row for a group none of whose governments answered.

    References
    ----------
    UN DESA and IOM, SDG indicator 10.7.2 metadata (SDG: 10.7.2).

    Examples
    --------
    >>> r = pd.DataFrame({"year": [2019, 2021], "iso3": ["A", "B"], "domain": "overall", "rating": [3, 1]})
    >>> m = pd.DataFrame({"group_id": "G", "iso3": ["A", "B"]})
    >>> policy_sdg_10_7_2_share_meeting(policy_rating=r, area_group_member=m)
      iso3  year    sex  value  members
    0    G  2019  total    1.0        1
    1    G  2021  total    0.5        2
    """
    rows = []
    rounds = sorted(policy_rating["year"].unique())
    for group, members in area_group_member.groupby("group_id", sort=True):
        mine = policy_rating[policy_rating["iso3"].isin(members["iso3"])]
        for year in rounds:
            share, n = sdg_10_7_2_share(mine, int(year), domain)
            if n:
                rows.append({"iso3": group, "year": int(year), "sex": "total", "value": share, "members": n})
    out = pd.DataFrame(rows, columns=["iso3", "year", "sex", "value", "members"])
    return out.astype({"year": "int64", "value": "float64", "members": "int64"})


def policy_migrant_deaths(*, migrant_deaths: pd.DataFrame) -> pd.DataFrame:
    """SDG 10.7.3: migrants recorded dead or missing in the country (by country of incident).

    Parameters
    ----------
    migrant_deaths : pandas.DataFrame
        Rows of ``migrant_deaths``: ``source_id, year, iso3, dead_and_missing`` (the SDG series is used).

    Returns
    -------
    pandas.DataFrame
        ``iso3, year, sex, value`` (persons).

    References
    ----------
    IOM Missing Migrants Project, SDG indicator 10.7.3 "Number of people who died or disappeared in the process
    of migration towards an international destination" (SDG: 10.7.3).

    Examples
    --------
    >>> d = pd.DataFrame({"source_id": SDG_DEATHS, "year": 2021, "iso3": ["A"], "dead_and_missing": [0]})
    >>> policy_migrant_deaths(migrant_deaths=d)
      iso3  year    sex  value
    0    A  2021  total    0.0
    """
    rows = migrant_deaths[migrant_deaths["source_id"] == SDG_DEATHS].assign(sex="total")
    return tidy(rows, "dead_and_missing")


def _touching(migrant_incident: pd.DataFrame) -> pd.DataFrame:
    """One row per (record, country it touches)."""
    base = migrant_incident[["record_id", "year", "dead_and_missing"]]
    parts = [base.assign(iso3=migrant_incident["iso3"]), base.assign(iso3=migrant_incident["origin_iso3"])]
    routes = migrant_incident["migration_route"].fillna("").str.split(",")
    exploded = base.assign(_route=routes).explode("_route")
    exploded["_route"] = exploded["_route"].str.strip()
    mapped = exploded.assign(iso3=exploded["_route"].map(ROUTE_COUNTRIES)).dropna(subset=["iso3"])
    parts.append(mapped.explode("iso3").drop(columns="_route"))
    out = pd.concat(parts, ignore_index=True).dropna(subset=["iso3"])
    return out.drop_duplicates(["record_id", "iso3"])


def policy_migrant_deaths_routes(*, migrant_incident: pd.DataFrame,
                                 area_group_member: pd.DataFrame | None = None) -> pd.DataFrame:
    """Migrants dead or missing on routes touching the country (IOM records; the rule is the module's).

    Parameters
    ----------
    migrant_incident : pandas.DataFrame
        Rows of ``migrant_incident``: ``record_id, year, iso3, origin_iso3, migration_route, dead_and_missing``.
    area_group_member : pandas.DataFrame, optional
        ``group_id, iso3``: when given, the values of the groups (each record once per group), not of countries.

    Returns
    -------
    pandas.DataFrame
        ``iso3, year, sex, value`` (persons).

    References
    ----------
    IOM Missing Migrants Project, incident records (SDG: 10.7.3, by route).

    Examples
    --------
    >>> i = pd.DataFrame({"record_id": ["r1", "r2"], "year": 2021, "iso3": ["MEX", "ITA"],
    ...                   "origin_iso3": [None, "TUN"], "migration_route": ["US-Mexico border crossing", None],
    ...                   "dead_and_missing": [2, 5]})
    >>> policy_migrant_deaths_routes(migrant_incident=i)
      iso3  year    sex  value
    0    ITA  2021  total    5.0
    1    MEX  2021  total    2.0
    2    TUN  2021  total    5.0
    3    USA  2021  total    2.0
    >>> m = pd.DataFrame({"group_id": "G", "iso3": ["MEX", "USA"]})
    >>> policy_migrant_deaths_routes(migrant_incident=i, area_group_member=m)
      iso3  year    sex  value
    0    G  2021  total    2.0
    """
    touch = _touching(migrant_incident)
    if area_group_member is not None:
        touch = touch.merge(area_group_member, on="iso3").drop(columns="iso3").rename(columns={"group_id": "iso3"})
        touch = touch.drop_duplicates(["record_id", "iso3"])
    total = touch.groupby(["iso3", "year"], sort=True)["dead_and_missing"].sum(min_count=1).reset_index()
    return tidy(total.assign(sex="total"), "dead_and_missing")
