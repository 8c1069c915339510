"""Population and net migration from the UN World Population Prospects (``population``, ``vital_annual``).

Decisions:

* the population of a year is WPP's 1 July figure: the estimate where WPP has one, else the medium variant (WPP
  2024's estimates end in 2023, so 2024 is the medium variant, as the IMS 2024 release uses it);
* net migration is WPP's annual net number of migrants (immigrants minus emigrants, persons, estimates only: the
  projections' net migration is an assumption, not a measurement); its rate is per 1,000 of the 1 July population,
  the definition of WPP's crude net migration rate;
* the frames passed in are of one WPP revision (the build passes the latest); the functions do not choose one.
"""

from __future__ import annotations

import pandas as pd

from migdev.indicators.tidy import KEYS, ratio, tidy

__all__ = ["netmig_annual", "netmig_rate", "pop_population"]


def pop_population(*, population: pd.DataFrame) -> pd.DataFrame:
    """Population on 1 July, by sex: WPP's estimate, else its medium variant.

    Parameters
    ----------
    population : pandas.DataFrame
        Rows of ``population`` of one revision: ``iso3, year, sex, persons, variant``.

    Returns
    -------
    pandas.DataFrame
        ``iso3, year, sex, value`` (persons).

    References
    ----------
    UN DESA Population Division, World Population Prospects (unit: persons; SDG: none).

    Examples
    --------
    >>> p = pd.DataFrame({"iso3": "A", "year": [2023, 2023, 2024], "sex": "total", "persons": [10, 11, 12],
    ...                   "variant": ["estimate", "medium", "medium"]})
    >>> pop_population(population=p)
      iso3  year    sex  value
    0    A  2023  total   10.0
    1    A  2024  total   12.0
    """
    rows = population.assign(_rank=(population["variant"] != "estimate").astype(int))
    rows = rows.sort_values([*KEYS, "_rank"], kind="stable").drop_duplicates(list(KEYS), keep="first")
    return tidy(rows, "persons")


def netmig_annual(*, vital_annual: pd.DataFrame) -> pd.DataFrame:
    """Net migration: immigrants minus emigrants in the calendar year (WPP estimates).

    Parameters
    ----------
    vital_annual : pandas.DataFrame
        Rows of ``vital_annual`` of one revision: ``iso3, year, net_migration, variant``.

    Returns
    -------
    pandas.DataFrame
        ``iso3, year, sex`` ("total"), ``value`` (persons; negative where more left than arrived, NA where WPP
        gives none).

    References
    ----------
    UN DESA Population Division, World Population Prospects, "Net number of migrants" (SDG: none).

    Examples
    --------
    >>> v = pd.DataFrame({"iso3": ["A", "A", "B"], "year": [2023, 2030, 2023], "net_migration": [-5, 1, 0],
    ...                   "variant": ["estimate", "medium", "estimate"]})
    >>> netmig_annual(vital_annual=v)
      iso3  year    sex  value
    0    A  2023  total   -5.0
    1    B  2023  total    0.0
    """
    rows = vital_annual[vital_annual["variant"] == "estimate"].assign(sex="total")
    return tidy(rows, "net_migration")


def netmig_rate(*, vital_annual: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """Crude net migration rate: net migrants in the year per 1,000 of the 1 July population.

    Parameters
    ----------
    vital_annual : pandas.DataFrame
        Rows of ``vital_annual`` (``iso3, year, net_migration, variant``).
    population : pandas.DataFrame
        Rows of ``population`` of the same revision (``iso3, year, sex, persons, variant``).

    Returns
    -------
    pandas.DataFrame
        ``iso3, year, sex, value`` (per 1,000 population) with ``numerator`` and ``denominator``; NA where the
        population is missing or 0.

    References
    ----------
    UN DESA Population Division, World Population Prospects, "Net migration rate (per 1,000 population)"
    (SDG: none).

    Examples
    --------
    >>> v = pd.DataFrame({"iso3": ["A", "B"], "year": 2023, "net_migration": [-5, 3], "variant": "estimate"})
    >>> p = pd.DataFrame({"iso3": ["A"], "year": 2023, "sex": "total", "persons": [1000], "variant": "estimate"})
    >>> netmig_rate(vital_annual=v, population=p)[["iso3", "value"]]
      iso3  value
    0    A   -5.0
    1    B    NaN
    """
    net = netmig_annual(vital_annual=vital_annual)
    pop = pop_population(population=population)
    both = net.merge(pop, on=list(KEYS), how="left", suffixes=("_n", "_d"))
    return ratio(both, "value_n", "value_d", scale=1000.0)
