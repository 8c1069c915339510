"""Migrant stocks: immigrants and emigrants of each country, their shares, and the top partners and corridors.

Decisions:

* the inputs are the UN's International Migrant Stock of one revision (the build passes the latest):
  ``migrant_stock_total`` for each area's totals and ``migrant_stock`` for origin x destination pairs;
* the population of the immigrant share is the IMS release's own (WPP's, as the UN's Table 2 uses it) where the
  release gives it (both sexes), else WPP's 1 July population of that sex and year
  (:func:`~migdev.indicators.population.pop_population`);
* the emigration rate is emigrants / (residents born there + emigrants), residents born there being the
  population less the immigrants: the share of the people born in a country who live abroad;
* where the UN's immigrants exceed the population (Bonaire, Sint Eustatius and Saba in IMS 2024, by up to 0.02 %:
  the stock and WPP's population disagree) the inputs are inconsistent, so the share and the rate are NA (the
  member then takes no part in its groups' ratios) rather than a share above 1;
* the unspecified origin (``XXX``, the UN's "Other") is not a country: it is no partner in the top origins or
  corridors; its emigrants stay in ``stock_emigrants`` so the world's emigrants equal its immigrants;
* a top list ranks partners by persons (ties by code), 10 by default; its change since 1990 is the pair's
  persons less its 1990 persons in the same revision, NA where the revision has no 1990 row for the pair (an
  absent pair is "not itemised", not a measured 0);
* the top corridors of an area are the pairs with the area at either end (for a group: a member at either end,
  pairs within the group included); ``partner`` is written ``origin>destination``.
"""

from __future__ import annotations

import pandas as pd

from migdev.indicators.population import pop_population
from migdev.indicators.tidy import KEYS, ratio, tidy
from migdev.vocab import UNSPECIFIED_ORIGIN

__all__ = [
    "UNSPECIFIED", "stock_emigrants", "stock_emigration_rate", "stock_female_share_emigrants",
    "stock_female_share_immigrants", "stock_immigrant_share", "stock_immigrants", "stock_net_immigrants",
    "stock_top_corridors", "stock_top_corridors_change_1990", "stock_top_destinations",
    "stock_top_destinations_change_1990", "stock_top_origins", "stock_top_origins_change_1990",
]
# the top partners and corridors of the family live in stocks_top.py (one module, one job), re-exported here
from migdev.indicators.stocks_top import (
    stock_top_corridors,
    stock_top_corridors_change_1990,
    stock_top_destinations,
    stock_top_destinations_change_1990,
    stock_top_origins,
    stock_top_origins_change_1990,
)

#: The UN's "Other" origin (origins not specified by the reporting destination).
UNSPECIFIED = UNSPECIFIED_ORIGIN


def stock_immigrants(*, migrant_stock_total: pd.DataFrame) -> pd.DataFrame:
    """Immigrant stock: people living in the country who were born (or are citizens) elsewhere.

    Parameters
    ----------
    migrant_stock_total : pandas.DataFrame
        Rows of ``migrant_stock_total``: ``iso3, year, sex, immigrants``.

    Returns
    -------
    pandas.DataFrame
        ``iso3, year, sex, value`` (persons, mid-year); NA where the UN gives none.

    References
    ----------
    UN DESA, International Migrant Stock, Table 1 (SDG: none).

    Examples
    --------
    >>> t = pd.DataFrame({"iso3": ["A", "B"], "year": 2024, "sex": "total", "immigrants": [5, None]})
    >>> stock_immigrants(migrant_stock_total=t)
      iso3  year    sex  value
    0    A  2024  total    5.0
    1    B  2024  total    NaN
    """
    return tidy(migrant_stock_total, "immigrants")


def stock_emigrants(*, migrant_stock_total: pd.DataFrame) -> pd.DataFrame:
    """Emigrant stock: people born in the country (or its citizens) living in another country.

    Parameters
    ----------
    migrant_stock_total : pandas.DataFrame
        Rows of ``migrant_stock_total``: ``iso3, year, sex, emigrants``.

    Returns
    -------
    pandas.DataFrame
        ``iso3, year, sex, value`` (persons); NA where the UN gives none.

    References
    ----------
    UN DESA, International Migrant Stock, origin totals of the destination-by-origin table (SDG: none).

    Examples
    --------
    >>> t = pd.DataFrame({"iso3": ["A"], "year": 2024, "sex": "male", "emigrants": [0]})
    >>> stock_emigrants(migrant_stock_total=t)
      iso3  year   sex  value
    0    A  2024  male    0.0
    """
    return tidy(migrant_stock_total, "emigrants")


def stock_net_immigrants(*, migrant_stock_total: pd.DataFrame) -> pd.DataFrame:
    """Net migrant stock: immigrants less emigrants (negative where more of a country's people live abroad).

    Parameters
    ----------
    migrant_stock_total : pandas.DataFrame
        Rows of ``migrant_stock_total``: ``iso3, year, sex, immigrants, emigrants``.

    Returns
    -------
    pandas.DataFrame
        ``iso3, year, sex, value`` (persons); NA where either stock is missing.

    References
    ----------
    UN DESA, International Migrant Stock (SDG: none).

    Examples
    --------
    >>> t = pd.DataFrame({"iso3": ["A", "B"], "year": 2024, "sex": "total", "immigrants": [5, 3],
    ...                   "emigrants": [7, None]})
    >>> stock_net_immigrants(migrant_stock_total=t)
      iso3  year    sex  value
    0    A  2024  total   -2.0
    1    B  2024  total    NaN
    """
    imm = pd.to_numeric(migrant_stock_total["immigrants"], errors="coerce").astype("float64")
    emi = pd.to_numeric(migrant_stock_total["emigrants"], errors="coerce").astype("float64")
    return tidy(migrant_stock_total.assign(_net=imm - emi), "_net")


def _with_population(migrant_stock_total: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """The totals with ``_pop``: the release's population, else WPP's of that sex and year."""
    wpp = pop_population(population=population).rename(columns={"value": "_wpp"})
    out = migrant_stock_total.merge(wpp, on=list(KEYS), how="left")
    own = pd.to_numeric(out["population"], errors="coerce").astype("float64")
    return out.assign(_pop=own.fillna(out["_wpp"]))


def stock_immigrant_share(*, migrant_stock_total: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """Immigrant share of the population: immigrants / population.

    Parameters
    ----------
    migrant_stock_total : pandas.DataFrame
        Rows of ``migrant_stock_total``: ``iso3, year, sex, immigrants, population``.
    population : pandas.DataFrame
        Rows of ``population`` (WPP: ``iso3, year, sex, persons, variant``), for the sexes and years the release
        gives no population.

    Returns
    -------
    pandas.DataFrame
        ``iso3, year, sex, value`` (fraction 0..1) with ``numerator`` and ``denominator``; NA where the
        immigrants or the population are missing.

    References
    ----------
    UN DESA, International Migrant Stock, "International migrants as a share of total population" (SDG: none).

    Examples
    --------
    >>> t = pd.DataFrame({"iso3": ["A", "A", "B"], "year": 2024, "sex": ["total", "female", "total"],
    ...                   "immigrants": [25, 10, 11], "population": [100, None, 10]})
    >>> p = pd.DataFrame({"iso3": ["A"], "year": 2024, "sex": "female", "persons": [40], "variant": "medium"})
    >>> stock_immigrant_share(migrant_stock_total=t, population=p)[["iso3", "sex", "value"]]
      iso3     sex  value
    0    A  female   0.25
    1    A   total   0.25
    2    B   total    NaN
    """
    rows = _with_population(migrant_stock_total, population)
    imm = pd.to_numeric(rows["immigrants"], errors="coerce").astype("float64")
    return ratio(rows.assign(_pop=rows["_pop"].where(~(imm > rows["_pop"]))), "immigrants", "_pop")


def stock_emigration_rate(*, migrant_stock_total: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """Emigration rate: emigrants / (residents born there + emigrants).

    Parameters
    ----------
    migrant_stock_total : pandas.DataFrame
        Rows of ``migrant_stock_total``: ``iso3, year, sex, immigrants, emigrants, population``.
    population : pandas.DataFrame
        Rows of ``population`` (WPP), for the sexes and years the release gives no population.

    Returns
    -------
    pandas.DataFrame
        ``iso3, year, sex, value`` (fraction 0..1 of the people born there) with ``numerator`` and
        ``denominator``; NA where the UN gives no population, immigrants or emigrants, never 0.

    References
    ----------
    Docquier & Marfouk (2006), "International migration by educational attainment, 1990-2000" (the emigration
    rate's definition), on the UN's stocks (SDG: none).

    Examples
    --------
    >>> t = pd.DataFrame({"iso3": ["A", "B"], "year": 2024, "sex": "total", "immigrants": [10, 0],
    ...                   "emigrants": [30, 5], "population": [100, None]})
    >>> stock_emigration_rate(migrant_stock_total=t, population=t.iloc[:0].assign(persons=0, variant="x"))
      iso3  year    sex  value  numerator  denominator
    0    A  2024  total    0.25       30.0        120.0
    1    B  2024  total     NaN        5.0          NaN
    """
    rows = _with_population(migrant_stock_total, population)
    imm = pd.to_numeric(rows["immigrants"], errors="coerce").astype("float64")
    emi = pd.to_numeric(rows["emigrants"], errors="coerce").astype("float64")
    born_here = (rows["_pop"] - imm).where(lambda x: x >= 0)  # more immigrants than residents: inconsistent
    return ratio(rows.assign(_den=born_here + emi), "emigrants", "_den")


def _female_share(totals: pd.DataFrame, column: str) -> pd.DataFrame:
    wide = totals.pivot_table(index=["iso3", "year"], columns="sex", values=column, aggfunc="first", dropna=False)
    wide = wide.reindex(columns=["total", "female"]).reset_index().assign(sex="total")
    wide.columns.name = None
    return ratio(wide, "female", "total")


def stock_female_share_immigrants(*, migrant_stock_total: pd.DataFrame) -> pd.DataFrame:
    """Female share of immigrants: female immigrants / all immigrants.

    Parameters
    ----------
    migrant_stock_total : pandas.DataFrame
        Rows of ``migrant_stock_total``: ``iso3, year, sex, immigrants`` for the sexes total and female.

    Returns
    -------
    pandas.DataFrame
        ``iso3, year, sex`` ("total": of all immigrants), ``value`` (fraction 0..1), ``numerator`` and
        ``denominator``; NA where either count is missing or there are no immigrants.

    References
    ----------
    UN DESA, International Migrant Stock, "Female migrants as a percentage of all international migrants"
    (SDG: none).

    Examples
    --------
    >>> t = pd.DataFrame({"iso3": ["A", "A", "B", "B"], "year": 2024, "sex": ["total", "female"] * 2,
    ...                   "immigrants": [10, 4, 0, 0]})
    >>> stock_female_share_immigrants(migrant_stock_total=t)[["iso3", "value"]]
      iso3  value
    0    A    0.4
    1    B    NaN
    """
    return _female_share(migrant_stock_total, "immigrants")


def stock_female_share_emigrants(*, migrant_stock_total: pd.DataFrame) -> pd.DataFrame:
    """Female share of emigrants: female emigrants / all emigrants.

    Parameters
    ----------
    migrant_stock_total : pandas.DataFrame
        Rows of ``migrant_stock_total``: ``iso3, year, sex, emigrants`` for the sexes total and female.

    Returns
    -------
    pandas.DataFrame
        ``iso3, year, sex`` ("total"), ``value`` (fraction 0..1), ``numerator`` and ``denominator``.

    References
    ----------
    UN DESA, International Migrant Stock (SDG: none).

    Examples
    --------
    >>> t = pd.DataFrame({"iso3": ["A", "A"], "year": 2024, "sex": ["total", "female"], "emigrants": [8, 2]})
    >>> stock_female_share_emigrants(migrant_stock_total=t)[["iso3", "value"]]
      iso3  value
    0    A   0.25
    """
    return _female_share(migrant_stock_total, "emigrants")


# --------------------------------------------------------------------------------------------------
# top partners and corridors
# --------------------------------------------------------------------------------------------------
