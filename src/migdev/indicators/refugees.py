"""Refugees hosted and originating, and SDG indicator 10.7.4 (refugees per 100,000 of the origin's population).

Decisions:

* "refugees" are UNHCR's refugees under its mandate plus "other people in need of international protection"
  (``oip``, UNHCR's category since 2018, mostly Venezuelans abroad): SDG 10.7.4's numerator. Palestine refugees
  under UNRWA's mandate (``unrwa_refugees``) are excluded, as the SDG metadata excludes them; asylum-seekers,
  IDPs, stateless people and returnees are not refugees here;
* UNHCR's figures are at the end of the year, WPP's population at 1 July; UNHCR publishes 10.7.4 on mid-year
  stocks, so small differences from the UN's figures are expected (SOURCES.md 1.3);
* an area with no UNHCR row in a year is missing (NA, no row), never 0; UNHCR's own origin codes (``UNK``,
  ``XXA`` stateless, ``TIB``) keep their rows, with no population and so no rate.
"""

from __future__ import annotations

import pandas as pd

from migdev.indicators.population import pop_population
from migdev.indicators.tidy import KEYS, ratio, tidy

__all__ = ["REFUGEE_TYPES", "refugees_hosted", "refugees_hosted_per_1000", "refugees_originating",
           "refugees_per_100k_origin"]

#: UNHCR population types counted as refugees (SDG 10.7.4): refugees and other people in need of protection.
REFUGEE_TYPES = ("refugees", "oip")


def _by(refugee: pd.DataFrame, side: str) -> pd.DataFrame:
    rows = refugee[refugee["population_type"].isin(REFUGEE_TYPES)]
    total = rows.groupby([side, "year"], sort=True)["persons"].sum(min_count=1).reset_index()
    return tidy(total.rename(columns={side: "iso3"}).assign(sex="total"), "persons")


def refugees_hosted(*, refugee: pd.DataFrame) -> pd.DataFrame:
    """Refugees hosted: refugees and other people in need of international protection in the country of asylum.

    Parameters
    ----------
    refugee : pandas.DataFrame
        Rows of ``refugee``: ``year, origin, asylum, population_type, persons``.

    Returns
    -------
    pandas.DataFrame
        ``iso3`` (the country of asylum), ``year, sex`` ("total"), ``value`` (persons at the end of the year).

    References
    ----------
    UNHCR Refugee Population Statistics Database (SDG: none; UNRWA's Palestine refugees excluded).

    Examples
    --------
    >>> r = pd.DataFrame({"year": 2022, "origin": ["A", "A", "A"], "asylum": ["B", "B", "C"],
    ...                   "population_type": ["refugees", "oip", "unrwa_refugees"], "persons": [5, 1, 9]})
    >>> refugees_hosted(refugee=r)
      iso3  year    sex  value
    0    B  2022  total    6.0
    """
    return _by(refugee, "asylum")


def refugees_originating(*, refugee: pd.DataFrame) -> pd.DataFrame:
    """Refugees originating from the country: refugees and other people in need of protection, by origin.

    Parameters
    ----------
    refugee : pandas.DataFrame
        Rows of ``refugee``: ``year, origin, asylum, population_type, persons``.

    Returns
    -------
    pandas.DataFrame
        ``iso3`` (the origin), ``year, sex`` ("total"), ``value`` (persons at the end of the year).

    References
    ----------
    UNHCR Refugee Population Statistics Database (SDG: 10.7.4's numerator).

    Examples
    --------
    >>> r = pd.DataFrame({"year": 2022, "origin": ["A", "A"], "asylum": ["B", "C"],
    ...                   "population_type": ["refugees", "asylum_seekers"], "persons": [0, 4]})
    >>> refugees_originating(refugee=r)
      iso3  year    sex  value
    0    A  2022  total    0.0
    """
    return _by(refugee, "origin")


def refugees_per_100k_origin(*, refugee: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """SDG 10.7.4: refugees by origin / (origin population + those refugees) x 100,000.

    Parameters
    ----------
    refugee : pandas.DataFrame
        Rows of ``refugee`` (UNRWA's rows are ignored).
    population : pandas.DataFrame
        Rows of ``population`` (WPP: ``iso3, year, sex, persons, variant``).

    Returns
    -------
    pandas.DataFrame
        ``iso3, year, sex, value`` (per 100,000 of the origin's population and its refugees) with
        ``numerator`` and ``denominator``; NA where the population is missing.

    References
    ----------
    UNHCR, SDG indicator 10.7.4 metadata, "Proportion of the population who are refugees, by country of origin"
    (SDG: 10.7.4).

    Examples
    --------
    >>> r = pd.DataFrame({"year": 2022, "origin": ["A", "B"], "asylum": "C", "population_type": "refugees",
    ...                   "persons": [100, 3]})
    >>> p = pd.DataFrame({"iso3": ["A"], "year": 2022, "sex": "total", "persons": [99_900], "variant": "estimate"})
    >>> refugees_per_100k_origin(refugee=r, population=p)[["iso3", "value"]]
      iso3  value
    0    A  100.0
    1    B    NaN
    """
    out = refugees_originating(refugee=refugee)
    pop = pop_population(population=population).rename(columns={"value": "_pop"})
    rows = out.merge(pop, on=list(KEYS), how="left")
    return ratio(rows.assign(_den=rows["_pop"] + rows["value"]), "value", "_den", scale=100_000.0)


def refugees_hosted_per_1000(*, refugee: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """Refugees hosted per 1,000 of the host country's population.

    Parameters
    ----------
    refugee : pandas.DataFrame
        Rows of ``refugee``.
    population : pandas.DataFrame
        Rows of ``population`` (WPP).

    Returns
    -------
    pandas.DataFrame
        ``iso3, year, sex, value`` (per 1,000 residents) with ``numerator`` and ``denominator``.

    References
    ----------
    UNHCR Refugee Population Statistics Database; UN DESA, World Population Prospects (SDG: none).

    Examples
    --------
    >>> r = pd.DataFrame({"year": 2022, "origin": "A", "asylum": "B", "population_type": "refugees",
    ...                   "persons": [20]})
    >>> p = pd.DataFrame({"iso3": ["B"], "year": 2022, "sex": "total", "persons": [1000], "variant": "estimate"})
    >>> refugees_hosted_per_1000(refugee=r, population=p)[["iso3", "value"]]
      iso3  value
    0    B   20.0
    """
    out = refugees_hosted(refugee=refugee)
    pop = pop_population(population=population).rename(columns={"value": "_pop"})
    return ratio(out.merge(pop, on=list(KEYS), how="left"), "value", "_pop", scale=1000.0)
