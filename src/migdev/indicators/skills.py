"""Skilled emigration: high-skill and total emigration rates by sex and their ratio, the brain-drain intensity.

Decisions:

* the rates are the IAB brain-drain data's (Brücker, Capuano & Marfouk 2013): emigrants aged 25+ living in 20
  OECD destinations over emigrants plus residents of the same education, 1980-2010 in 5-year steps; ``high`` is
  tertiary education;
* the two rates of 1.0 the data hold (Lesotho and Papua New Guinea, women, 1980; flagged ``rate_is_one`` by the
  source module) are implausible and read as missing;
* brain-drain intensity is the high-skill rate over the total rate: above 1, the educated leave more than the
  rest (Docquier, Lowell & Marfouk 2009 call it the "selection" of emigration); NA where the total rate is 0;
* no group values: the data give rates, not the stocks by education a group's rate would be computed from.
"""

from __future__ import annotations

import pandas as pd

from migdev.indicators.tidy import KEYS, ratio, tidy

__all__ = ["skilled_brain_drain_intensity", "skilled_emigration_rate", "skilled_total_emigration_rate"]


def _rate(skilled_emigration: pd.DataFrame, education: str) -> pd.DataFrame:
    rows = skilled_emigration[skilled_emigration["education"] == education]
    rate = rows["rate"].where(rows["flag"].isna())
    return tidy(rows.assign(iso3=rows["origin"], _rate=rate), "_rate")


def skilled_emigration_rate(*, skilled_emigration: pd.DataFrame) -> pd.DataFrame:
    """High-skill emigration rate: tertiary-educated emigrants / (tertiary-educated emigrants + residents).

    Parameters
    ----------
    skilled_emigration : pandas.DataFrame
        Rows of ``skilled_emigration``: ``year, origin, sex, education, rate, flag``.

    Returns
    -------
    pandas.DataFrame
        ``iso3, year, sex, value`` (fraction 0..1); NA where the source flags the rate.

    References
    ----------
    Brücker, H., Capuano, S. and Marfouk, A. (2013), "Education, gender and international migration: insights
    from a panel-dataset 1980-2010", IAB brain-drain data (SDG: none).

    Examples
    --------
    >>> s = pd.DataFrame({"year": 2010, "origin": ["A", "A", "B"], "sex": "total",
    ...                   "education": ["high", "total", "high"], "rate": [0.4, 0.1, 1.0],
    ...                   "flag": [None, None, "rate_is_one"]})
    >>> skilled_emigration_rate(skilled_emigration=s)
      iso3  year    sex  value
    0    A  2010  total    0.4
    1    B  2010  total    NaN
    """
    return _rate(skilled_emigration, "high")


def skilled_total_emigration_rate(*, skilled_emigration: pd.DataFrame) -> pd.DataFrame:
    """Total emigration rate of the population aged 25+ (all education levels) to the 20 OECD destinations.

    Parameters
    ----------
    skilled_emigration : pandas.DataFrame
        Rows of ``skilled_emigration``.

    Returns
    -------
    pandas.DataFrame
        ``iso3, year, sex, value`` (fraction 0..1).

    References
    ----------
    Brücker, Capuano & Marfouk (2013), IAB brain-drain data (SDG: none).

    Examples
    --------
    >>> s = pd.DataFrame({"year": 2010, "origin": "A", "sex": "female", "education": "total", "rate": [0.0],
    ...                   "flag": None})
    >>> skilled_total_emigration_rate(skilled_emigration=s)
      iso3  year     sex  value
    0    A  2010  female    0.0
    """
    return _rate(skilled_emigration, "total")


def skilled_brain_drain_intensity(*, skilled_emigration: pd.DataFrame) -> pd.DataFrame:
    """Brain-drain intensity: the high-skill emigration rate over the total emigration rate.

    Parameters
    ----------
    skilled_emigration : pandas.DataFrame
        Rows of ``skilled_emigration``.

    Returns
    -------
    pandas.DataFrame
        ``iso3, year, sex, value`` (ratio; above 1 where the tertiary-educated emigrate more); NA where the total
        rate is 0 or either rate is missing.

    References
    ----------
    Docquier, F., Lowell, B. L. and Marfouk, A. (2009), "A gendered assessment of highly skilled emigration",
    Population and Development Review 35(2); IAB brain-drain data (SDG: none).

    Examples
    --------
    >>> s = pd.DataFrame({"year": 2010, "origin": ["A", "A", "B", "B"], "sex": "total",
    ...                   "education": ["high", "total"] * 2, "rate": [0.4, 0.1, 0.0, 0.0], "flag": None})
    >>> skilled_brain_drain_intensity(skilled_emigration=s)[["iso3", "value"]]
      iso3  value
    0    A    4.0
    1    B    NaN
    """
    high = skilled_emigration_rate(skilled_emigration=skilled_emigration)
    total = skilled_total_emigration_rate(skilled_emigration=skilled_emigration)
    both = high.merge(total, on=list(KEYS), how="inner", suffixes=("_h", "_t"))
    return ratio(both, "value_h", "value_t")[[*KEYS, "value"]]
