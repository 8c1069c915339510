"""Remittances: received and paid, their weight in the economy (SDG 17.3.2) and against the other inflows.

Decisions:

* the series are the World Bank's (``wdi``): personal remittances received ``BX.TRF.PWKR.CD.DT`` and paid
  ``BM.TRF.PWKR.CD.DT``, GDP ``NY.GDP.MKTP.CD``, FDI net inflows ``BX.KLT.DINV.CD.WD``, net ODA received
  ``DT.ODA.ODAT.CD`` and exports of goods and services ``NE.EXP.GNFS.CD`` (current US$);
* remittances as a share of GDP (SDG 17.3.2) are **derived here**, 100 x received / GDP, both of the same
  vintage, as the World Bank defines ``BX.TRF.PWKR.DT.GD.ZS``; the build's ``wdi`` table holds no published
  copy of that series, so the result is labelled derived;
* the exports series is itself derived (national-accounts exports: ``NE.EXP.GNFS.ZS`` x GDP / 100; the
  balance-of-payments series is not in the mirror), so "remittances against exports" is a proxy;
* FDI net inflows can be negative (disinvestment): the ratio to FDI is then negative and says so, it is not
  dropped; a ratio to a 0 denominator is NA;
* volatility is the coefficient of variation of annual changes, sd(x_t - x_t-1) / |mean(x_t - x_t-1)|, over the
  10 changes ending in the year (11 consecutive annual levels, none missing), for remittances and FDI alike;
  the ratio of the two says how much steadier remittances are. A mean change near 0 makes a coefficient large,
  which is why both are shown, not only the ratio; it is not computed for groups (member coverage changes across
  years would appear as changes).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from migdev.indicators.tidy import KEYS, empty, ratio, tidy

__all__ = [
    "DERIVED_GDP_SHARE", "EXPORTS", "FDI", "GDP", "ODA", "PAID", "RECEIVED", "VOLATILITY_WINDOW",
    "fdi_volatility", "remit_paid", "remit_per_emigrant", "remit_received", "remit_share_of_gdp",
    "remit_volatility", "remit_volatility_vs_fdi", "remit_vs_exports", "remit_vs_fdi", "remit_vs_oda",
]

RECEIVED = "BX.TRF.PWKR.CD.DT"
PAID = "BM.TRF.PWKR.CD.DT"
GDP = "NY.GDP.MKTP.CD"
FDI = "BX.KLT.DINV.CD.WD"
ODA = "DT.ODA.ODAT.CD"
EXPORTS = "NE.EXP.GNFS.CD"
VOLATILITY_WINDOW = 10
#: What the indicator table says of remittances as a share of GDP.
DERIVED_GDP_SHARE = f"derived: 100 x {RECEIVED} / {GDP}"


def _series(wdi: pd.DataFrame, *codes: str) -> pd.DataFrame:
    """One column per WDI code, one row per (iso3, year) with any of them."""
    rows = wdi[wdi["indicator"].isin(codes)]
    wide = rows.pivot_table(index=["iso3", "year"], columns="indicator", values="value", aggfunc="first")
    wide = wide.reindex(columns=list(codes)).reset_index().assign(sex="total")
    wide.columns.name = None
    return wide


def remit_received(*, wdi: pd.DataFrame) -> pd.DataFrame:
    """Personal remittances received: personal transfers and compensation of employees (current US$).

    Parameters
    ----------
    wdi : pandas.DataFrame
        Rows of ``wdi``: ``iso3, year, indicator, value``.

    Returns
    -------
    pandas.DataFrame
        ``iso3, year, sex`` ("total"), ``value`` (current US$).

    References
    ----------
    World Bank, World Development Indicators, ``BX.TRF.PWKR.CD.DT`` (IMF balance of payments; SDG: none).

    Examples
    --------
    >>> w = pd.DataFrame({"iso3": "A", "year": [2021, 2022], "indicator": RECEIVED, "value": [1e9, 0.0]})
    >>> remit_received(wdi=w)
      iso3  year    sex         value
    0    A  2021  total  1.000000e+09
    1    A  2022  total  0.000000e+00
    """
    return tidy(_series(wdi, RECEIVED), RECEIVED)


def remit_paid(*, wdi: pd.DataFrame) -> pd.DataFrame:
    """Personal remittances paid (current US$).

    Parameters
    ----------
    wdi : pandas.DataFrame
        Rows of ``wdi``: ``iso3, year, indicator, value``.

    Returns
    -------
    pandas.DataFrame
        ``iso3, year, sex`` ("total"), ``value`` (current US$).

    References
    ----------
    World Bank, World Development Indicators, ``BM.TRF.PWKR.CD.DT`` (SDG: none).

    Examples
    --------
    >>> w = pd.DataFrame({"iso3": "A", "year": [2022], "indicator": PAID, "value": [5.0]})
    >>> remit_paid(wdi=w)
      iso3  year    sex  value
    0    A  2022  total    5.0
    """
    return tidy(_series(wdi, PAID), PAID)


def _against(wdi: pd.DataFrame, code: str, scale: float) -> pd.DataFrame:
    return ratio(_series(wdi, RECEIVED, code), RECEIVED, code, scale=scale)


def remit_share_of_gdp(*, wdi: pd.DataFrame) -> pd.DataFrame:
    """Remittances received as a share of GDP: 100 x received / GDP (derived, not the published series).

    Parameters
    ----------
    wdi : pandas.DataFrame
        Rows of ``wdi`` with ``BX.TRF.PWKR.CD.DT`` and ``NY.GDP.MKTP.CD``.

    Returns
    -------
    pandas.DataFrame
        ``iso3, year, sex, value`` (percent of GDP) with ``numerator`` and ``denominator``.

    References
    ----------
    World Bank, WDI ``BX.TRF.PWKR.DT.GD.ZS``, defined the same way; SDG 17.3.2 "Volume of remittances (in US
    dollars) as a proportion of total GDP" (SDG: 17.3.2).

    Examples
    --------
    >>> w = pd.DataFrame({"iso3": ["A", "A", "B"], "year": 2022, "indicator": [RECEIVED, GDP, RECEIVED],
    ...                   "value": [5.0, 10.0, 1.0]})
    >>> remit_share_of_gdp(wdi=w)[["iso3", "value"]]
      iso3  value
    0    A   50.0
    1    B    NaN
    """
    return _against(wdi, GDP, 100.0)


def remit_vs_fdi(*, wdi: pd.DataFrame) -> pd.DataFrame:
    """Remittances received per dollar of foreign direct investment, net inflows.

    Parameters
    ----------
    wdi : pandas.DataFrame
        Rows of ``wdi`` with ``BX.TRF.PWKR.CD.DT`` and ``BX.KLT.DINV.CD.WD``.

    Returns
    -------
    pandas.DataFrame
        ``iso3, year, sex, value`` (ratio; negative where FDI net inflows are negative) with ``numerator`` and
        ``denominator``.

    References
    ----------
    World Bank, WDI (SDG: none).

    Examples
    --------
    >>> w = pd.DataFrame({"iso3": "A", "year": [2022, 2022], "indicator": [RECEIVED, FDI], "value": [6.0, -3.0]})
    >>> remit_vs_fdi(wdi=w)[["iso3", "value"]]
      iso3  value
    0    A   -2.0
    """
    return _against(wdi, FDI, 1.0)


def remit_vs_oda(*, wdi: pd.DataFrame) -> pd.DataFrame:
    """Remittances received per dollar of net official development assistance received.

    Parameters
    ----------
    wdi : pandas.DataFrame
        Rows of ``wdi`` with ``BX.TRF.PWKR.CD.DT`` and ``DT.ODA.ODAT.CD``.

    Returns
    -------
    pandas.DataFrame
        ``iso3, year, sex, value`` (ratio) with ``numerator`` and ``denominator``; NA where no ODA is reported.

    References
    ----------
    World Bank, WDI; OECD DAC for ODA (SDG: none).

    Examples
    --------
    >>> w = pd.DataFrame({"iso3": "A", "year": [2022, 2022], "indicator": [RECEIVED, ODA], "value": [6.0, 2.0]})
    >>> remit_vs_oda(wdi=w)[["iso3", "value"]]
      iso3  value
    0    A    3.0
    """
    return _against(wdi, ODA, 1.0)


def remit_vs_exports(*, wdi: pd.DataFrame) -> pd.DataFrame:
    """Remittances received as a percent of exports of goods and services (the foreign-exchange weight).

    Parameters
    ----------
    wdi : pandas.DataFrame
        Rows of ``wdi`` with ``BX.TRF.PWKR.CD.DT`` and ``NE.EXP.GNFS.CD`` (a derived national-accounts proxy).

    Returns
    -------
    pandas.DataFrame
        ``iso3, year, sex, value`` (percent of exports) with ``numerator`` and ``denominator``.

    References
    ----------
    World Bank, WDI (SDG: none).

    Examples
    --------
    >>> w = pd.DataFrame({"iso3": "A", "year": [2022, 2022], "indicator": [RECEIVED, EXPORTS],
    ...                   "value": [1.0, 4.0]})
    >>> remit_vs_exports(wdi=w)[["iso3", "value"]]
      iso3  value
    0    A   25.0
    """
    return _against(wdi, EXPORTS, 100.0)


def remit_per_emigrant(*, wdi: pd.DataFrame, migrant_stock_total: pd.DataFrame) -> pd.DataFrame:
    """Remittances received per emigrant: received / the country's emigrant stock in the same year.

    Parameters
    ----------
    wdi : pandas.DataFrame
        Rows of ``wdi`` with ``BX.TRF.PWKR.CD.DT``.
    migrant_stock_total : pandas.DataFrame
        Rows of ``migrant_stock_total`` (``iso3, year, sex, emigrants``); only the release's years have a value.

    Returns
    -------
    pandas.DataFrame
        ``iso3, year, sex, value`` (current US$ per emigrant) with ``numerator`` and ``denominator``.

    References
    ----------
    World Bank, WDI; UN DESA, International Migrant Stock (SDG: none).

    Examples
    --------
    >>> w = pd.DataFrame({"iso3": "A", "year": [2020, 2021], "indicator": RECEIVED, "value": [100.0, 90.0]})
    >>> t = pd.DataFrame({"iso3": "A", "year": [2020], "sex": "total", "emigrants": [4]})
    >>> remit_per_emigrant(wdi=w, migrant_stock_total=t)[["iso3", "year", "value"]]
      iso3  year  value
    0    A  2020   25.0
    """
    received = _series(wdi, RECEIVED)
    totals = migrant_stock_total[migrant_stock_total["sex"] == "total"][[*KEYS, "emigrants"]]
    rows = received.merge(totals, on=list(KEYS), how="inner")
    return ratio(rows, RECEIVED, "emigrants")


def _cv_of_changes(levels: pd.DataFrame, code: str, window: int) -> pd.DataFrame:
    wide = levels.pivot_table(index="year", columns="iso3", values=code, aggfunc="first")
    if wide.empty:
        return empty()
    wide = wide.reindex(range(int(wide.index.min()), int(wide.index.max()) + 1))  # a missing year breaks a window
    change = wide.diff()
    sd = change.rolling(window, min_periods=window).std()
    mean = change.rolling(window, min_periods=window).mean().abs()
    cv = (sd / mean.where(mean > 0)).replace([np.inf, -np.inf], np.nan)
    long = cv.rename_axis(index="year", columns="iso3").stack().rename("value").reset_index()
    return tidy(long[long["value"].notna()].assign(sex="total"), "value")


def remit_volatility(*, wdi: pd.DataFrame, window: int = VOLATILITY_WINDOW) -> pd.DataFrame:
    """Volatility of remittances received: coefficient of variation of their annual changes.

    Parameters
    ----------
    wdi : pandas.DataFrame
        Rows of ``wdi`` with ``BX.TRF.PWKR.CD.DT``.
    window : int
        Annual changes per coefficient (10): the year's and the 9 before it, all present.

    Returns
    -------
    pandas.DataFrame
        ``iso3, year`` (the window's last year), ``sex, value`` (sd / |mean| of the changes, unitless).

    References
    ----------
    World Bank, WDI; the comparison of remittances' and FDI's volatility follows Ratha (2003), "Workers'
    remittances: an important and stable source of external development finance" (SDG: none).

    Examples
    --------
    >>> w = pd.DataFrame({"iso3": "A", "year": [2020, 2021, 2022, 2023], "indicator": RECEIVED,
    ...                   "value": [0.0, 1.0, 3.0, 4.0]})
    >>> remit_volatility(wdi=w, window=3).round(3)
      iso3  year    sex  value
    0    A  2023  total  0.433
    """
    return _cv_of_changes(_series(wdi, RECEIVED), RECEIVED, window)


def fdi_volatility(*, wdi: pd.DataFrame, window: int = VOLATILITY_WINDOW) -> pd.DataFrame:
    """Volatility of FDI net inflows: coefficient of variation of their annual changes.

    Parameters
    ----------
    wdi : pandas.DataFrame
        Rows of ``wdi`` with ``BX.KLT.DINV.CD.WD``.
    window : int
        Annual changes per coefficient (10).

    Returns
    -------
    pandas.DataFrame
        ``iso3, year, sex, value`` (unitless).

    References
    ----------
    World Bank, WDI (SDG: none).

    Examples
    --------
    >>> w = pd.DataFrame({"iso3": "A", "year": [2020, 2021, 2022], "indicator": FDI, "value": [0.0, 2.0, 2.0]})
    >>> fdi_volatility(wdi=w, window=2).round(3)
      iso3  year    sex  value
    0    A  2022  total  1.414
    """
    return _cv_of_changes(_series(wdi, FDI), FDI, window)


def remit_volatility_vs_fdi(*, wdi: pd.DataFrame, window: int = VOLATILITY_WINDOW) -> pd.DataFrame:
    """Remittances' volatility relative to FDI's: the ratio of their coefficients (below 1: steadier).

    Parameters
    ----------
    wdi : pandas.DataFrame
        Rows of ``wdi`` with ``BX.TRF.PWKR.CD.DT`` and ``BX.KLT.DINV.CD.WD``.
    window : int
        Annual changes per coefficient (10).

    Returns
    -------
    pandas.DataFrame
        ``iso3, year, sex, value`` (ratio); only where both coefficients exist.

    References
    ----------
    World Bank, WDI (SDG: none).

    Examples
    --------
    >>> w = pd.DataFrame({"iso3": "A", "year": [2020, 2021, 2022] * 2, "indicator": [RECEIVED] * 3 + [FDI] * 3,
    ...                   "value": [0.0, 1.0, 3.0, 0.0, 2.0, 2.0]})
    >>> remit_volatility_vs_fdi(wdi=w, window=2).round(3)[["iso3", "year", "value"]]
      iso3  year  value
    0    A  2022  0.333
    """
    remit = remit_volatility(wdi=wdi, window=window)
    fdi = fdi_volatility(wdi=wdi, window=window)
    both = remit.merge(fdi, on=list(KEYS), suffixes=("_r", "_f"))
    return ratio(both, "value_r", "value_f")[[*KEYS, "value"]]
