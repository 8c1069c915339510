"""Migrant stocks, the family's second part: each area's top destinations, origins and corridors, and their change
since 1990 (see :mod:`migdev.indicators.stocks` for the decisions both parts follow).
"""

from __future__ import annotations

import pandas as pd

from migdev.indicators.tidy import KEYS
from migdev.vocab import UNSPECIFIED_ORIGIN

#: The UN's "Other" origin: no partner in a top list.
UNSPECIFIED = UNSPECIFIED_ORIGIN
TOP_N = 10


def _in_groups(frame: pd.DataFrame, members: pd.DataFrame | None) -> pd.DataFrame:
    """``frame`` with ``iso3`` replaced by each group the area belongs to (unchanged without ``members``)."""
    if members is None:
        return frame
    joined = frame.merge(members[["group_id", "iso3"]], on="iso3", how="inner")
    return joined.drop(columns="iso3").rename(columns={"group_id": "iso3"})


def _pairs(migrant_stock: pd.DataFrame, area: str, partner: str,
           members: pd.DataFrame | None = None) -> pd.DataFrame:
    rows = migrant_stock[migrant_stock["origin"] != UNSPECIFIED]
    pairs = pd.DataFrame({"iso3": rows[area].to_numpy(), "year": rows["year"].to_numpy(),
                          "sex": rows["sex"].to_numpy(), "partner": rows[partner].to_numpy(),
                          "value": pd.to_numeric(rows["persons"]).astype("float64").to_numpy()})
    if members is None:
        return pairs
    grouped = _in_groups(pairs, members).groupby([*KEYS, "partner"], sort=False)["value"].sum()
    return grouped.reset_index()


def _corridors(migrant_stock: pd.DataFrame) -> pd.DataFrame:
    rows = migrant_stock[migrant_stock["origin"] != UNSPECIFIED]
    label = rows["origin"].astype(str) + ">" + rows["destination"].astype(str)
    common = {"year": rows["year"].to_numpy(), "sex": rows["sex"].to_numpy(), "partner": label.to_numpy(),
              "value": pd.to_numeric(rows["persons"]).astype("float64").to_numpy()}
    both = pd.concat([pd.DataFrame({"iso3": rows["origin"].to_numpy(), **common}),
                      pd.DataFrame({"iso3": rows["destination"].to_numpy(), **common})], ignore_index=True)
    return both.drop_duplicates(["iso3", "year", "sex", "partner"])


def _top_corridors(corridors: pd.DataFrame, n: int, members: pd.DataFrame | None) -> pd.DataFrame:
    """Top corridors of each country, or of each group: a group's top ``n`` are among its members' top ``n``
    (a corridor ranked k in a group ranks at most k for the member it touches), so only those are ranked."""
    top = _top(corridors, n)
    if members is None:
        return top
    grouped = _in_groups(top.drop(columns="rank"), members).drop_duplicates(["iso3", "year", "sex", "partner"])
    return _top(grouped, n)


def _top(pairs: pd.DataFrame, n: int) -> pd.DataFrame:
    rows = pairs[pairs["value"].notna() & (pairs["value"] > 0)]
    rows = rows.sort_values([*KEYS, "value", "partner"], ascending=[True, True, True, False, True], kind="stable")
    rows = rows.assign(rank=rows.groupby(list(KEYS), sort=False).cumcount() + 1)
    rows = rows[rows["rank"] <= n]
    return rows[[*KEYS, "rank", "partner", "value"]].reset_index(drop=True).astype({"rank": "int64",
                                                                                     "year": "int64"})


def _change(top: pd.DataFrame, pairs: pd.DataFrame, since: int = 1990, on: tuple[str, ...] = ("iso3",)) -> pd.DataFrame:
    base = pairs[pairs["year"] == since][[*on, "sex", "partner", "value"]].drop_duplicates([*on, "sex", "partner"])
    out = top.merge(base.rename(columns={"value": "_base"}), on=[*on, "sex", "partner"], how="left")
    return out.assign(value=out["value"] - out["_base"]).drop(columns="_base")


def stock_top_destinations(*, migrant_stock: pd.DataFrame, n: int = TOP_N,
                           area_group_member: pd.DataFrame | None = None) -> pd.DataFrame:
    """Top destinations of a country's emigrants: the ``n`` countries where most of them live.

    Parameters
    ----------
    migrant_stock : pandas.DataFrame
        Rows of ``migrant_stock``: ``year, sex, origin, destination, persons`` (origin may be a group id when
        the rows are a group's sums).
    area_group_member : pandas.DataFrame, optional
        ``group_id, iso3``: when given, the rows are the groups' (members' stocks summed; a corridor is a group's
        when a member is at either end).
    n : int
        How many destinations (10).

    Returns
    -------
    pandas.DataFrame
        ``iso3`` (the origin), ``year, sex, rank`` (1 = largest), ``partner`` (the destination), ``value``
        (persons).

    References
    ----------
    UN DESA, International Migrant Stock, Table 1 by origin (SDG: none).

    Examples
    --------
    >>> s = pd.DataFrame({"year": 2024, "sex": "total", "origin": ["A", "A", "A", "XXX"],
    ...                   "destination": ["B", "C", "D", "B"], "persons": [5, 9, 0, 100]})
    >>> stock_top_destinations(migrant_stock=s, n=2)
      iso3  year    sex  rank partner  value
    0    A  2024  total     1       C    9.0
    1    A  2024  total     2       B    5.0
    """
    return _top(_pairs(migrant_stock, "origin", "destination", area_group_member), n)


def stock_top_origins(*, migrant_stock: pd.DataFrame, n: int = TOP_N,
                      area_group_member: pd.DataFrame | None = None) -> pd.DataFrame:
    """Top origins of a country's immigrants (the unspecified origin aside).

    Parameters
    ----------
    migrant_stock : pandas.DataFrame
        Rows of ``migrant_stock``: ``year, sex, origin, destination, persons``.
    area_group_member : pandas.DataFrame, optional
        ``group_id, iso3``: when given, the rows are the groups' (members' stocks summed; a corridor is a group's
        when a member is at either end).
    n : int
        How many origins (10).

    Returns
    -------
    pandas.DataFrame
        ``iso3`` (the destination), ``year, sex, rank, partner`` (the origin), ``value`` (persons).

    References
    ----------
    UN DESA, International Migrant Stock, Table 1 (SDG: none).

    Examples
    --------
    >>> s = pd.DataFrame({"year": 2024, "sex": "total", "origin": ["A", "C", "XXX"],
    ...                   "destination": "B", "persons": [5, 9, 100]})
    >>> stock_top_origins(migrant_stock=s)[["iso3", "rank", "partner", "value"]]
      iso3  rank partner  value
    0    B     1       C    9.0
    1    B     2       A    5.0
    """
    return _top(_pairs(migrant_stock, "destination", "origin", area_group_member), n)


def stock_top_corridors(*, migrant_stock: pd.DataFrame, n: int = TOP_N,
                        area_group_member: pd.DataFrame | None = None) -> pd.DataFrame:
    """Top corridors touching an area: the origin-destination pairs with it at either end, by persons.

    Parameters
    ----------
    migrant_stock : pandas.DataFrame
        Rows of ``migrant_stock``: ``year, sex, origin, destination, persons``.
    area_group_member : pandas.DataFrame, optional
        ``group_id, iso3``: when given, the rows are the groups' (members' stocks summed; a corridor is a group's
        when a member is at either end).
    n : int
        How many corridors (10).

    Returns
    -------
    pandas.DataFrame
        ``iso3`` (the area), ``year, sex, rank``, ``partner`` (``origin>destination``), ``value`` (persons).

    References
    ----------
    UN DESA, International Migrant Stock (SDG: none).

    Examples
    --------
    >>> s = pd.DataFrame({"year": 2024, "sex": "total", "origin": ["A", "B"], "destination": ["B", "C"],
    ...                   "persons": [5, 9]})
    >>> stock_top_corridors(migrant_stock=s)[["iso3", "rank", "partner", "value"]]
      iso3  rank partner  value
    0    A     1     A>B    5.0
    1    B     1     B>C    9.0
    2    B     2     A>B    5.0
    3    C     1     B>C    9.0
    """
    return _top_corridors(_corridors(migrant_stock), n, area_group_member)


def stock_top_destinations_change_1990(*, migrant_stock: pd.DataFrame, n: int = TOP_N,
                                       area_group_member: pd.DataFrame | None = None) -> pd.DataFrame:
    """Change since 1990 of each top destination's stock: persons in the year less persons in 1990.

    Parameters
    ----------
    migrant_stock : pandas.DataFrame
        Rows of ``migrant_stock`` of one revision, including 1990.
    area_group_member : pandas.DataFrame, optional
        ``group_id, iso3``: when given, the rows are the groups' (members' stocks summed; a corridor is a group's
        when a member is at either end).
    n : int
        How many destinations (10).

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`stock_top_destinations` with ``value`` the change (persons); NA where 1990 has no
        row for the pair.

    References
    ----------
    UN DESA, International Migrant Stock (SDG: none).

    Examples
    --------
    >>> s = pd.DataFrame({"year": [1990, 2024, 2024], "sex": "total", "origin": "A",
    ...                   "destination": ["B", "B", "C"], "persons": [2, 5, 9]})
    >>> stock_top_destinations_change_1990(migrant_stock=s)[["year", "partner", "value"]]
       year partner  value
    0  1990       B    0.0
    1  2024       C    NaN
    2  2024       B    3.0
    """
    return _change(_top(pairs := _pairs(migrant_stock, "origin", "destination", area_group_member), n), pairs)


def stock_top_origins_change_1990(*, migrant_stock: pd.DataFrame, n: int = TOP_N,
                                  area_group_member: pd.DataFrame | None = None) -> pd.DataFrame:
    """Change since 1990 of each top origin's stock: persons in the year less persons in 1990.

    Parameters
    ----------
    migrant_stock : pandas.DataFrame
        Rows of ``migrant_stock`` of one revision, including 1990.
    area_group_member : pandas.DataFrame, optional
        ``group_id, iso3``: when given, the rows are the groups' (members' stocks summed; a corridor is a group's
        when a member is at either end).
    n : int
        How many origins (10).

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`stock_top_origins` with ``value`` the change (persons); NA without a 1990 row.

    References
    ----------
    UN DESA, International Migrant Stock (SDG: none).

    Examples
    --------
    >>> s = pd.DataFrame({"year": [1990, 2024], "sex": "total", "origin": "A", "destination": "B",
    ...                   "persons": [7, 5]})
    >>> stock_top_origins_change_1990(migrant_stock=s)[["year", "partner", "value"]]
       year partner  value
    0  1990       A    0.0
    1  2024       A   -2.0
    """
    return _change(_top(pairs := _pairs(migrant_stock, "destination", "origin", area_group_member), n), pairs)


def stock_top_corridors_change_1990(*, migrant_stock: pd.DataFrame, n: int = TOP_N,
                                    area_group_member: pd.DataFrame | None = None) -> pd.DataFrame:
    """Change since 1990 of each top corridor's stock (persons in the year less persons in 1990).

    Parameters
    ----------
    migrant_stock : pandas.DataFrame
        Rows of ``migrant_stock`` of one revision, including 1990.
    area_group_member : pandas.DataFrame, optional
        ``group_id, iso3``: when given, the rows are the groups' (members' stocks summed; a corridor is a group's
        when a member is at either end).
    n : int
        How many corridors (10).

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`stock_top_corridors` with ``value`` the change (persons); NA without a 1990 row.

    References
    ----------
    UN DESA, International Migrant Stock (SDG: none).

    Examples
    --------
    >>> s = pd.DataFrame({"year": [1990, 2024], "sex": "total", "origin": "A", "destination": "B",
    ...                   "persons": [1, 5]})
    >>> stock_top_corridors_change_1990(migrant_stock=s)[["iso3", "year", "value"]]
      iso3  year  value
    0    A  1990    0.0
    1    A  2024    4.0
    2    B  1990    0.0
    3    B  2024    4.0
    """
    return _change(_top_corridors(c := _corridors(migrant_stock), n, area_group_member), c, on=())
