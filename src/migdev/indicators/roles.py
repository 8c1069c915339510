"""Each country's role in migration: origin, destination, transit, from stocks and the recommended flows.

The rule (a proxy: no source measures transit migration directly):

* **origin** in a year: more of its people live abroad than immigrants live in it (emigrants > immigrants, IMS);
* **destination**: immigrants >= emigrants; the two are exclusive and together say on which side of the stock
  balance a country is; ``role_stock_balance`` = (immigrants - emigrants) / (immigrants + emigrants), from -1
  (only emigrants) to 1 (only immigrants), gives the degree;
* **transit** over the 5-year period ending in the year (4 years for 2020-2024): the recommended flow estimate
  (``da_pb_closed`` on the latest stock and WPP revisions, both sexes) has inflow and outflow of similar size,
  the smaller at least 70 % of the larger, and large, inflow plus outflow at least 1 % of the population at the
  end of the period: many pass through, in both directions, relative to the country's size; NA for a year that ends
  no estimated period (1990);
* stock-based flow estimates cannot see people passing through within a period, so the flag marks countries of
  high two-way turnover (Mexico, Türkiye, Morocco, Niger, Libya, Guatemala, Serbia in 2020-2024, and many small
  open economies), not measured transit; read it with the balance;
* the flags are 1 or 0 (NA where an input is missing); a group's value is the number of its members with the
  role.
"""

from __future__ import annotations

import pandas as pd

from migdev.indicators.population import pop_population
from migdev.indicators.tidy import KEYS, ratio, tidy

__all__ = ["TRANSIT_BALANCE", "TRANSIT_GROSS_SHARE", "role_destination", "role_origin", "role_stock_balance",
           "role_transit"]

TRANSIT_BALANCE = 0.7
TRANSIT_GROSS_SHARE = 0.01


def _stocks(migrant_stock_total: pd.DataFrame) -> pd.DataFrame:
    rows = migrant_stock_total[migrant_stock_total["sex"] == "total"]
    imm = pd.to_numeric(rows["immigrants"], errors="coerce").astype("float64")
    emi = pd.to_numeric(rows["emigrants"], errors="coerce").astype("float64")
    return rows[list(KEYS)].assign(_imm=imm.to_numpy(), _emi=emi.to_numpy())


def _flag(rows: pd.DataFrame, condition: pd.Series, known: pd.Series) -> pd.DataFrame:
    return tidy(rows.assign(_f=condition.astype("float64").where(known)), "_f")


def role_origin(*, migrant_stock_total: pd.DataFrame) -> pd.DataFrame:
    """Origin country: 1 where emigrants outnumber immigrants, else 0.

    Parameters
    ----------
    migrant_stock_total : pandas.DataFrame
        Rows of ``migrant_stock_total`` (``iso3, year, sex, immigrants, emigrants``; both sexes used).

    Returns
    -------
    pandas.DataFrame
        ``iso3, year, sex, value`` (1 or 0; NA where either stock is missing).

    References
    ----------
    UN DESA, International Migrant Stock; the rule of this module (SDG: none).

    Examples
    --------
    >>> t = pd.DataFrame({"iso3": ["A", "B", "C"], "year": 2024, "sex": "total", "immigrants": [1, 5, None],
    ...                   "emigrants": [3, 5, 2]})
    >>> role_origin(migrant_stock_total=t)
      iso3  year    sex  value
    0    A  2024  total    1.0
    1    B  2024  total    0.0
    2    C  2024  total    NaN
    """
    s = _stocks(migrant_stock_total)
    return _flag(s, s["_emi"] > s["_imm"], s["_emi"].notna() & s["_imm"].notna())


def role_destination(*, migrant_stock_total: pd.DataFrame) -> pd.DataFrame:
    """Destination country: 1 where immigrants are at least as many as emigrants, else 0.

    Parameters
    ----------
    migrant_stock_total : pandas.DataFrame
        Rows of ``migrant_stock_total``.

    Returns
    -------
    pandas.DataFrame
        ``iso3, year, sex, value`` (1 or 0; NA where either stock is missing).

    References
    ----------
    UN DESA, International Migrant Stock; the rule of this module (SDG: none).

    Examples
    --------
    >>> t = pd.DataFrame({"iso3": ["A", "B"], "year": 2024, "sex": "total", "immigrants": [1, 0],
    ...                   "emigrants": [3, 0]})
    >>> role_destination(migrant_stock_total=t)
      iso3  year    sex  value
    0    A  2024  total    0.0
    1    B  2024  total    1.0
    """
    s = _stocks(migrant_stock_total)
    return _flag(s, s["_imm"] >= s["_emi"], s["_emi"].notna() & s["_imm"].notna())


def role_stock_balance(*, migrant_stock_total: pd.DataFrame) -> pd.DataFrame:
    """Stock balance: (immigrants - emigrants) / (immigrants + emigrants), from -1 to 1.

    Parameters
    ----------
    migrant_stock_total : pandas.DataFrame
        Rows of ``migrant_stock_total``.

    Returns
    -------
    pandas.DataFrame
        ``iso3, year, sex, value`` (-1..1) with ``numerator`` and ``denominator``; NA without migrants.

    References
    ----------
    UN DESA, International Migrant Stock (SDG: none).

    Examples
    --------
    >>> t = pd.DataFrame({"iso3": ["A", "B"], "year": 2024, "sex": "total", "immigrants": [1, 0],
    ...                   "emigrants": [3, 0]})
    >>> role_stock_balance(migrant_stock_total=t)[["iso3", "value"]]
      iso3  value
    0    A   -0.5
    1    B    NaN
    """
    s = _stocks(migrant_stock_total)
    return ratio(s.assign(_n=s["_imm"] - s["_emi"], _d=s["_imm"] + s["_emi"]), "_n", "_d")


def role_transit(*, flow_estimate: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """Transit country over the period ending in the year: large inflows and outflows of similar size.

    Parameters
    ----------
    flow_estimate : pandas.DataFrame
        Rows of the recommended estimate of ``flow_estimate`` (``sex, period_start, period_end, origin,
        destination, flow``; both sexes used).
    population : pandas.DataFrame
        Rows of ``population`` (WPP), for the population at the end of each period.

    Returns
    -------
    pandas.DataFrame
        ``iso3, year`` (the period's end), ``sex, value`` (1 or 0; NA without population).

    References
    ----------
    Abel, G. J. and Cohen, J. E. (2019), "Bilateral international migration flow estimates for 200 countries",
    Scientific Data 6 (the flows); the rule of this module (SDG: none).

    Examples
    --------
    >>> f = pd.DataFrame({"sex": "total", "period_start": 2015, "period_end": 2020,
    ...                   "origin": ["A", "B", "A", "C"], "destination": ["B", "A", "C", "A"],
    ...                   "flow": [30, 25, 1, 1]})
    >>> p = pd.DataFrame({"iso3": ["A", "B", "C"], "year": 2020, "sex": "total", "persons": [1000, 1000, 1000],
    ...                   "variant": "estimate"})
    >>> role_transit(flow_estimate=f, population=p)
      iso3  year    sex  value
    0    A  2020  total    1.0
    1    B  2020  total    1.0
    2    C  2020  total    0.0
    """
    rows = flow_estimate[flow_estimate["sex"] == "total"]
    out = rows.groupby(["origin", "period_end"])["flow"].sum().rename_axis(["iso3", "year"]).rename("_out")
    inn = rows.groupby(["destination", "period_end"])["flow"].sum().rename_axis(["iso3", "year"]).rename("_in")
    both = pd.concat([out, inn], axis=1).fillna(0.0).reset_index().assign(sex="total")
    pop = pop_population(population=population).rename(columns={"value": "_pop"})
    both = both.merge(pop, on=list(KEYS), how="left")
    small, large = both[["_in", "_out"]].min(axis=1), both[["_in", "_out"]].max(axis=1)
    condition = (large > 0) & (small >= TRANSIT_BALANCE * large) & (
        both["_in"] + both["_out"] >= TRANSIT_GROSS_SHARE * both["_pop"])
    return _flag(both, condition, both["_pop"].notna())
