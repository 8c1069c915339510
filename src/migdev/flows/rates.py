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

__all__ = ["ffs_diff", "ffs_rates"]

StockLike = Any  # DataFrame (index = pob, columns = residence) or square array


def _labelled_square(x: StockLike, name: str) -> tuple[np.ndarray, pd.Index]:
    """A stock table as a float array with one label set for rows and columns (columns put in row order)."""
    if isinstance(x, pd.DataFrame):
        if x.shape[0] != x.shape[1]:
            raise ValueError(f"{name} must be square (places of birth x places of residence), got {x.shape}")
        rows, cols = pd.Index(x.index), pd.Index(x.columns)
        if rows.has_duplicates or cols.has_duplicates:
            raise ValueError(f"{name} has duplicated place labels")
        if set(rows) != set(cols):
            raise ValueError(
                f"{name}: places of birth (rows) and of residence (columns) must be the same places; "
                f"only in rows: {sorted(map(str, rows.difference(cols)))}, "
                f"only in columns: {sorted(map(str, cols.difference(rows)))}"
            )
        return x.reindex(columns=rows).to_numpy(dtype=float), rows
    arr = np.asarray(x, dtype=float)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise ValueError(f"{name} must be a square 2-d table, got shape {arr.shape}")
    return arr, pd.RangeIndex(arr.shape[0])


def _stock_pair(stock_start: StockLike, stock_end: StockLike) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """Both stocks in the start table's place order; mismatched place labels are an error, not NaNs."""
    s1, lab1 = _labelled_square(stock_start, "stock_start")
    s2, lab2 = _labelled_square(stock_end, "stock_end")
    if s1.shape != s2.shape:
        raise ValueError(f"stock_start {s1.shape} and stock_end {s2.shape} must have the same shape")
    both_labelled = isinstance(stock_start, pd.DataFrame) and isinstance(stock_end, pd.DataFrame)
    if both_labelled and not lab1.equals(lab2):
        if set(lab1) != set(lab2):
            raise ValueError(
                "stock_start and stock_end cover different places: "
                f"only in stock_start: {sorted(map(str, lab1.difference(lab2)))}, "
                f"only in stock_end: {sorted(map(str, lab2.difference(lab1)))}"
            )
        order = lab2.get_indexer(lab1)
        s2 = s2[np.ix_(order, order)]
    return s1, s2, lab1


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

    ``dennett``: a known global number of movers ``global_flow`` is shared out in proportion to the
    foreign-born stocks at the start (diagonal dropped), so ``flow[i, j] = global_flow * S1[i, j] / sum``.
    ``stock_end`` is not used. ``rogers-von-rabenau``: the transition matrix ``g`` solving ``S1 g = S2``
    times the start population of each place of birth, ``flow[i, j] = g[i, j] * colSums(S1)[i]``, diagonal
    set to 0; flows can be negative (a known weakness of the method).
    """
    if method == "dennett":
        if global_flow is None:
            raise ValueError("method='dennett' needs global_flow, the known global number of migrants")
        s1, labels = _labelled_square(stock_start, "stock_start")
        p = s1.copy()
        np.fill_diagonal(p, 0.0)
        total = p.sum()
        if total == 0:
            raise ValueError("method='dennett' needs some foreign-born stock in stock_start (all are zero)")
        return _od_frame(float(global_flow) * p / total, labels)
    if method == "rogers-von-rabenau":
        if stock_end is None:
            raise ValueError("method='rogers-von-rabenau' needs stock_end")
        s1, s2, labels = _stock_pair(stock_start, stock_end)
        try:
            g = np.linalg.solve(s1, s2)
        except np.linalg.LinAlgError as err:
            raise ValueError(f"method='rogers-von-rabenau' needs an invertible stock_start: {err}") from err
        flow = g * s1.sum(axis=0)[:, None]
        np.fill_diagonal(flow, 0.0)
        return _od_frame(flow, labels)
    raise ValueError(f"unknown method {method!r}; use 'dennett' or 'rogers-von-rabenau'")


def ffs_diff(
    stock_start: StockLike,
    stock_end: StockLike,
    decrease: Literal["zero", "return"] = "return",
    include_native_born: bool = False,
) -> pd.DataFrame:
    """Flows as the increase in each birthplace x residence stock (Abel 2018's stock-differencing baseline).

    ``y = S2 - S1`` (with both diagonals zeroed unless ``include_native_born``). Increases are read as moves
    from the place of birth to the residence. ``decrease='zero'`` ignores decreases; ``'return'`` also reads
    a decrease of the k-born in i as a return move from i back to k, i.e. adds ``max(-y, 0)`` transposed.
    """
    if decrease not in ("zero", "return"):
        raise ValueError(f"unknown decrease {decrease!r}; use 'zero' or 'return'")
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
