"""Simple flow-from-stock estimators: stock differences and rate models (migest ``ffs_diff``, ``ffs_rates``).

Stock tables have rows = place of birth and columns = place of residence. Outputs are origin x
destination DataFrames (index name ``orig``, columns name ``dest``). These methods ignore births and
deaths; they are baselines against which the demographic-accounting estimates are judged.

References: Abel (2018) "Estimates of global bilateral migration flows by gender between 1960 and 2015",
International Migration Review 52(3) (stock differences); Dennett (2016) "Estimating an annual time series
of global migration flows", Population, Space and Place 22(6); Rogers & von Rabenau (1971) "Estimation of
interregional migration streams from place-of-birth-by-residence data", Demography 8(2).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from migdev.errors import EstimationError
from migdev.flows._inputs import labelled_square as _labelled_square
from migdev.flows._inputs import stock_pair as _stock_pair

__all__ = ["ffs_diff", "ffs_rates"]

StockLike = Any  # DataFrame (index = pob, columns = residence) or square array


def _od_frame(values: np.ndarray, labels: pd.Index) -> pd.DataFrame:
    return pd.DataFrame(
        values,
        index=pd.Index(labels, name="orig"),
        columns=pd.Index(labels, name="dest"),
    )


def ffs_rates(
    stock_start: StockLike,
    stock_end: StockLike | None = None,
    method: Literal["dennett", "rogers-von-rabenau"] = "dennett",
    global_flow: float | None = None,
) -> pd.DataFrame:
    """Flows from stocks by a rate model.

    Parameters
    ----------
    stock_start : DataFrame or array_like
        Start-of-period stocks, place of birth (rows) x residence (columns).
    stock_end : DataFrame or array_like, optional
        End-of-period stocks; needed by ``rogers-von-rabenau`` only.
    method : {"dennett", "rogers-von-rabenau"}
        ``dennett``: a known global number of movers ``global_flow`` is shared out in proportion to the
        foreign-born stocks at the start (diagonal dropped), ``flow[i, j] = global_flow * S1[i, j] / sum``.
        ``rogers-von-rabenau``: the transition matrix ``g`` solving ``S1 g = S2`` times the start population
        of each place of birth, ``flow[i, j] = g[i, j] * colSums(S1)[i]``, diagonal 0; flows can be negative
        (a known weakness of the method).
    global_flow : float, optional
        The world total of movers (``dennett``).

    Returns
    -------
    pandas.DataFrame
        Origin x destination flows (index ``orig``, columns ``dest``).

    References
    ----------
    Dennett (2016), Population, Space and Place 22(6); Rogers & von Rabenau (1971), Demography 8(2);
    migest 2.0.5 ``ffs_rates``.

    Examples
    --------
    >>> r = ["A", "B", "C"]
    >>> s1 = pd.DataFrame([[1000, 100, 10], [10, 500, 50], [30, 20, 800]], index=r, columns=r)
    >>> ffs_rates(s1, global_flow=100).round(1)
    dest     A     B     C
    orig
    A      0.0  45.5   4.5
    B      4.5   0.0  22.7
    C     13.6   9.1   0.0
    """
    if method == "dennett":
        if global_flow is None:
            raise EstimationError("method='dennett' needs global_flow, the known global number of migrants")
        s1, labels = _labelled_square(stock_start, "stock_start")
        p = s1.copy()
        np.fill_diagonal(p, 0.0)
        total = p.sum()
        if total == 0:
            raise EstimationError("method='dennett' needs some foreign-born stock in stock_start (all are zero)")
        return _od_frame(float(global_flow) * p / total, labels)
    if method == "rogers-von-rabenau":
        if stock_end is None:
            raise EstimationError("method='rogers-von-rabenau' needs stock_end")
        s1, s2, labels = _stock_pair(stock_start, stock_end)
        try:
            g = np.linalg.solve(s1, s2)
        except np.linalg.LinAlgError as err:
            raise EstimationError(f"method='rogers-von-rabenau' needs an invertible stock_start: {err}") from err
        flow = g * s1.sum(axis=0)[:, None]
        np.fill_diagonal(flow, 0.0)
        return _od_frame(flow, labels)
    raise EstimationError(f"unknown method {method!r}; use 'dennett' or 'rogers-von-rabenau'")


def ffs_diff(
    stock_start: StockLike,
    stock_end: StockLike,
    decrease: Literal["zero", "return"] = "return",
    include_native_born: bool = False,
) -> pd.DataFrame:
    """Flows as the increase in each birthplace x residence stock (Abel 2018's stock-differencing baseline).

    Parameters
    ----------
    stock_start, stock_end : DataFrame or array_like
        Stocks, place of birth (rows) x residence (columns); labelled tables are aligned by label.
    decrease : {"zero", "return"}
        Increases of ``y = S2 - S1`` are moves from the place of birth to the residence. ``zero`` ignores
        decreases; ``return`` also reads a decrease of the k-born in i as a return move from i back to k
        (adds ``max(-y, 0)`` transposed).
    include_native_born : bool
        Keep the diagonals (native-born) in ``y`` (default: both zeroed).

    Returns
    -------
    pandas.DataFrame
        Origin x destination flows (index ``orig``, columns ``dest``).

    References
    ----------
    Abel (2018), International Migration Review 52(3); Beine & Parsons (2015); migest 2.0.5 ``ffs_diff``.

    Examples
    --------
    >>> r = ["A", "B", "C"]
    >>> s1 = pd.DataFrame([[1000, 100, 10], [10, 500, 50], [30, 20, 800]], index=r, columns=r)
    >>> s2 = pd.DataFrame([[950, 150, 20], [10, 520, 40], [25, 20, 830]], index=r, columns=r)
    >>> ffs_diff(s1, s2)
    dest    A     B     C
    orig
    A     0.0  50.0  15.0
    B     0.0   0.0   0.0
    C     0.0  10.0   0.0
    """
    if decrease not in ("zero", "return"):
        raise EstimationError(f"unknown decrease {decrease!r}; use 'zero' or 'return'")
    s1, s2, labels = _stock_pair(stock_start, stock_end)
    if not include_native_born:
        s1 = s1.copy()
        s2 = s2.copy()
        np.fill_diagonal(s1, 0.0)
        np.fill_diagonal(s2, 0.0)
    y0 = s2 - s1
    flow = np.maximum(y0, 0.0)
    if decrease == "return":
        flow = flow + np.maximum(-y0.T, 0.0)
    return _od_frame(flow, labels)
