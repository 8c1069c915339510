"""Income gap: GNI per capita (PPP) of a country's top destinations relative to its own.

Decisions:

* GNI per capita in purchasing-power parity, current international $ (``NY.GNP.PCAP.PP.CD``), of the stock's
  year; the destinations are the country's top 5 by emigrant stock (both sexes,
  :func:`~migdev.indicators.stocks.stock_top_destinations`);
* per destination, the gap is the destination's GNI per capita over the origin's (2: twice as rich); the
  summary is the emigrant-weighted mean GNI per capita of those destinations that have one, over the origin's;
* NA where the origin's GNI is missing; a destination without GNI takes no part in the summary;
* no group values: a group has no single origin income to compare with.
"""

from __future__ import annotations

import pandas as pd

from migdev.indicators.stocks import stock_top_destinations
from migdev.indicators.tidy import KEYS, ratio

__all__ = ["GNI_PPP", "INCOME_TOP_N", "income_gap_destination", "income_gap_top_destinations"]

GNI_PPP = "NY.GNP.PCAP.PP.CD"
INCOME_TOP_N = 5


def _gaps(migrant_stock: pd.DataFrame, wdi: pd.DataFrame) -> pd.DataFrame:
    top = stock_top_destinations(migrant_stock=migrant_stock[migrant_stock["sex"] == "total"], n=INCOME_TOP_N)
    gni = wdi[wdi["indicator"] == GNI_PPP][["iso3", "year", "value"]]
    out = top.merge(gni.rename(columns={"value": "_own"}), on=["iso3", "year"], how="left")
    return out.merge(gni.rename(columns={"iso3": "partner", "value": "_dest"}), on=["partner", "year"], how="left")


def income_gap_destination(*, migrant_stock: pd.DataFrame, wdi: pd.DataFrame) -> pd.DataFrame:
    """Income gap with each top destination: its GNI per capita (PPP) over the origin's.

    Parameters
    ----------
    migrant_stock : pandas.DataFrame
        Rows of ``migrant_stock`` (``year, sex, origin, destination, persons``).
    wdi : pandas.DataFrame
        Rows of ``wdi`` with ``NY.GNP.PCAP.PP.CD``.

    Returns
    -------
    pandas.DataFrame
        ``iso3, year, sex, rank, partner, value`` (ratio) with ``numerator`` and ``denominator``.

    References
    ----------
    World Bank, WDI ``NY.GNP.PCAP.PP.CD``; UN DESA, International Migrant Stock (SDG: none).

    Examples
    --------
    >>> s = pd.DataFrame({"year": 2024, "sex": "total", "origin": "A", "destination": ["B", "C"],
    ...                   "persons": [9, 1]})
    >>> w = pd.DataFrame({"iso3": ["A", "B"], "year": 2024, "indicator": GNI_PPP, "value": [10.0, 40.0]})
    >>> income_gap_destination(migrant_stock=s, wdi=w)[["iso3", "rank", "partner", "value"]]
      iso3  rank partner  value
    0    A     1       B    4.0
    1    A     2       C    NaN
    """
    return ratio(_gaps(migrant_stock, wdi), "_dest", "_own", keys=("rank", "partner"))


def income_gap_top_destinations(*, migrant_stock: pd.DataFrame, wdi: pd.DataFrame) -> pd.DataFrame:
    """Income gap with the top destinations: their emigrant-weighted GNI per capita (PPP) over the origin's.

    Parameters
    ----------
    migrant_stock : pandas.DataFrame
        Rows of ``migrant_stock``.
    wdi : pandas.DataFrame
        Rows of ``wdi`` with ``NY.GNP.PCAP.PP.CD``.

    Returns
    -------
    pandas.DataFrame
        ``iso3, year, sex, value`` (ratio); NA where the origin or all its top destinations lack a GNI.

    References
    ----------
    World Bank, WDI ``NY.GNP.PCAP.PP.CD``; UN DESA, International Migrant Stock (SDG: none).

    Examples
    --------
    >>> s = pd.DataFrame({"year": 2024, "sex": "total", "origin": "A", "destination": ["B", "C", "D"],
    ...                   "persons": [3, 1, 1]})
    >>> w = pd.DataFrame({"iso3": ["A", "B", "C"], "year": 2024, "indicator": GNI_PPP,
    ...                   "value": [10.0, 40.0, 80.0]})
    >>> income_gap_top_destinations(migrant_stock=s, wdi=w)[["iso3", "value"]]
      iso3  value
    0    A    5.0
    """
    g = _gaps(migrant_stock, wdi)
    has = g["_dest"].notna()
    g = g.assign(_w=(g["value"] * g["_dest"]).where(has), _p=g["value"].where(has))
    s = g.groupby(list(KEYS), sort=True).agg(_w=("_w", lambda x: x.sum(min_count=1)), _p=("_p", "sum"),
                                               _own=("_own", "first")).reset_index()
    s = s.assign(_mean=s["_w"] / s["_p"].where(s["_p"] > 0))
    return ratio(s, "_mean", "_own")[[*KEYS, "value"]]
