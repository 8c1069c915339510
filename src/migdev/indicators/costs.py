"""Remittance costs of a country's corridors (SDG 10.c.1) against the SDG target of 3 %.

Decisions:

* the cost is the World Bank's Remittance Prices Worldwide total cost of sending US$200 (fee plus exchange-rate
  margin), in percent of the amount sent (``remittance_cost.cost_pct_200``);
* a country's cost in a quarter is the simple (unweighted) mean over its corridors, as RPW's own averages are
  simple means: :func:`migdev.sources.rpw.simple_mean_cost` applied to the corridors received (or sent) by the
  country; anomalous rows are included as RPW includes them;
* a year's value is the mean over the year's corridor-quarters (each quarter's mean weighted by its corridors),
  kept as numerator (sum of costs) and denominator (corridor-quarters) so that a group's value is the mean over
  its members' corridor-quarters, never a mean of country means;
* the target gap is the mean less 3 percentage points (SDG target 10.c: reduce to less than 3 % the transaction
  costs of migrant remittances); the share at target counts the corridor-quarters costing 3 % or less.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

from migdev.indicators.tidy import ratio
from migdev.sources.rpw import simple_mean_cost

__all__ = ["TARGET_PCT", "cost_corridor_average", "cost_gap_to_target", "cost_share_at_target"]

#: SDG target 10.c: transaction costs of migrant remittances below 3 %.
TARGET_PCT = 3.0
Side = Literal["receiver", "sender"]


def _quarters(remittance_cost: pd.DataFrame, side: Side) -> pd.DataFrame:
    """Per country and quarter: corridors with a cost and their simple mean (RPW's rule), in one call of
    :func:`simple_mean_cost` whose "period" is the pair (country, quarter)."""
    rows = remittance_cost[remittance_cost["cost_pct_200"].notna()]
    if rows.empty:
        return pd.DataFrame({"iso3": pd.Series(dtype=str), "period": pd.Series(dtype=str),
                             "corridors": pd.Series(dtype="int64"), "mean_cost_pct_200": pd.Series(dtype=float)})
    keyed = rows.assign(period=rows[side].astype(str) + "|" + rows["period"].astype(str))
    means = simple_mean_cost(keyed)
    parts = means["period"].str.split("|", n=1, expand=True)
    return means.assign(iso3=parts[0], period=parts[1])


def _year(period: pd.Series) -> pd.Series:
    return period.astype(str).str[:4].astype("int64")


def cost_corridor_average(*, remittance_cost: pd.DataFrame, side: Side = "receiver") -> pd.DataFrame:
    """SDG 10.c.1: average cost of sending US$200 along the country's corridors, percent of the amount sent.

    Parameters
    ----------
    remittance_cost : pandas.DataFrame
        Rows of ``remittance_cost``: ``period`` (``2025Q1``), ``sender, receiver, cost_pct_200, source,
        anomaly``.
    side : {"receiver", "sender"}
        The corridors the country receives by (default) or sends from.

    Returns
    -------
    pandas.DataFrame
        ``iso3, year, sex`` ("total"), ``value`` (percent) with ``numerator`` (sum of corridor-quarter costs)
        and ``denominator`` (corridor-quarters).

    References
    ----------
    World Bank, Remittance Prices Worldwide; SDG 10.c.1 "Remittance costs as a proportion of the amount
    remitted" (SDG: 10.c.1).

    Examples
    --------
    >>> c = pd.DataFrame({"period": ["2024Q1", "2024Q1", "2024Q2"], "sender": ["X", "Y", "X"], "receiver": "A",
    ...                   "cost_pct_200": [4.0, 6.0, 2.0], "source": "derived", "anomaly": None})
    >>> cost_corridor_average(remittance_cost=c)
      iso3  year    sex  value  numerator  denominator
    0    A  2024  total    4.0       12.0          3.0
    """
    q = _quarters(remittance_cost, side)
    q = q.assign(year=_year(q["period"]), _sum=q["mean_cost_pct_200"] * q["corridors"])
    year = q.groupby(["iso3", "year"], sort=True)[["_sum", "corridors"]].sum().reset_index().assign(sex="total")
    return ratio(year, "_sum", "corridors")


def cost_gap_to_target(*, remittance_cost: pd.DataFrame, side: Side = "receiver") -> pd.DataFrame:
    """Average corridor cost less the SDG target of 3 % (percentage points; below 0: the target is met).

    Parameters
    ----------
    remittance_cost : pandas.DataFrame
        Rows of ``remittance_cost``.
    side : {"receiver", "sender"}
        The corridors the country receives by (default) or sends from.

    Returns
    -------
    pandas.DataFrame
        ``iso3, year, sex, value`` (percentage points) with ``numerator`` (sum of cost - 3 over the
        corridor-quarters) and ``denominator`` (corridor-quarters).

    References
    ----------
    World Bank, Remittance Prices Worldwide; SDG target 10.c (SDG: 10.c.1).

    Examples
    --------
    >>> c = pd.DataFrame({"period": ["2024Q1", "2024Q1"], "sender": ["X", "Y"], "receiver": "A",
    ...                   "cost_pct_200": [4.0, 6.0], "source": "derived", "anomaly": None})
    >>> cost_gap_to_target(remittance_cost=c)[["iso3", "year", "value"]]
      iso3  year  value
    0    A  2024    2.0
    """
    avg = cost_corridor_average(remittance_cost=remittance_cost, side=side)
    gap = avg.assign(numerator=avg["numerator"] - TARGET_PCT * avg["denominator"])
    return ratio(gap, "numerator", "denominator")


def cost_share_at_target(*, remittance_cost: pd.DataFrame, side: Side = "receiver") -> pd.DataFrame:
    """Share of the country's corridor-quarters costing 3 % or less of US$200 sent.

    Parameters
    ----------
    remittance_cost : pandas.DataFrame
        Rows of ``remittance_cost``.
    side : {"receiver", "sender"}
        The corridors the country receives by (default) or sends from.

    Returns
    -------
    pandas.DataFrame
        ``iso3, year, sex, value`` (fraction 0..1) with ``numerator`` and ``denominator``.

    References
    ----------
    World Bank, Remittance Prices Worldwide; SDG target 10.c (SDG: 10.c.1).

    Examples
    --------
    >>> c = pd.DataFrame({"period": ["2024Q1", "2024Q2", "2024Q2"], "sender": "X", "receiver": "A",
    ...                   "cost_pct_200": [3.0, 6.0, None], "source": "derived", "anomaly": None})
    >>> cost_share_at_target(remittance_cost=c)[["iso3", "value"]]
      iso3  value
    0    A    0.5
    """
    rows = remittance_cost[remittance_cost["cost_pct_200"].notna()]
    rows = rows.assign(iso3=rows[side], year=_year(rows["period"]), _at=(rows["cost_pct_200"] <= TARGET_PCT),
                       _n=1)
    year = rows.groupby(["iso3", "year"], sort=True)[["_at", "_n"]].sum().reset_index().assign(sex="total")
    return ratio(year, "_at", "_n")
