"""Step 9 of ``ffs_demo`` (migest 2.0.5 ``match_birthplace_tot``): make the place-of-birth totals agree.

Two stock tables can only be joined by flows if as many people born in ``k`` are counted at both dates (after
births and deaths are removed). A closed system (``rescale``) fits both tables to the mid-point of their row
totals; an open one (``open``, ``open-dr``) books the differences as moves to or from outside the system.
migest's ``open`` takes the outside moves from the other table's distribution and can make a stock negative; we
raise there instead (``open-dr``, the Demographic Research variant, cannot go negative). Impossible inputs
raise :class:`~migdev.errors.EstimationError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from migdev.errors import EstimationError
from migdev.flows._fits import TOL, _fit_rows, _fit_rows_cols
from migdev.flows._inputs import label as _label
from migdev.flows._inputs import matrix as _matrix
from migdev.flows.components import _clip_roundoff, _first_negative, _scale
from migdev.flows.ipfp import IpfpCall

__all__ = ["MATCH_METHODS", "MatchedStocks", "match_birthplace_tot"]

MATCH_METHODS = ("rescale", "open", "open-dr", "rescale-adjust-zero-fb")


@dataclass(frozen=True)
class MatchedStocks:
    """Output of :func:`match_birthplace_tot`: stocks whose place-of-birth totals agree, and the moves
    to/from outside the system (non-zero only for the open methods)."""

    stock_start: np.ndarray
    stock_end: np.ndarray
    in_mat: np.ndarray
    out_mat: np.ndarray
    ipfp_calls: tuple[IpfpCall, ...] = ()


def _check_match_method(method: str) -> None:
    if method == "rescale-adjust-zero-fb":
        raise EstimationError(
            "match_birthplace_tot_method='rescale-adjust-zero-fb' is not supported: migest 2.0.5's version "
            "is broken (it zeroes every stock or stops with an R error); use 'rescale'"
        )
    if method not in MATCH_METHODS:
        raise EstimationError(f"match_birthplace_tot_method must be one of {MATCH_METHODS}, not {method!r}")


def _match(s1, s2, method, calls, labels):
    n = s1.shape[0]
    _check_match_method(method)
    dd = s1.sum(axis=1) - s2.sum(axis=1)
    zero_call = IpfpCall(
        "match_birthplace_tot", 2, (0.0, 0.0), 1 if float(np.max(s1, initial=0.0)) < 1e-5 else 2, True, 0.0
    )
    if method == "rescale":
        total1, total2 = float(s1.sum()), float(s2.sum())
        if abs(total1 - total2) > TOL:
            raise EstimationError(
                "match_birthplace_tot_method='rescale' needs stocks with equal world totals, but stock_start "
                f"sums to {total1!r} and stock_end to {total2!r}; balance them first (match_global) - "
                "mipfp would silently return proportions"
            )
        mid = np.maximum(s1.sum(axis=1) - dd / 2, 0.0)
        mid2 = np.maximum(s2.sum(axis=1) + dd / 2, 0.0)
        r1 = _fit_rows_cols(
            s1,
            mid,
            s1.sum(axis=0),
            "match_birthplace_tot",
            calls,
            ("place-of-birth totals (mid-period)", "stock_start residence totals"),
        )
        r2 = _fit_rows_cols(
            s2,
            mid2,
            s2.sum(axis=0),
            "match_birthplace_tot",
            calls,
            ("place-of-birth totals (mid-period)", "stock_end residence totals"),
        )
        if calls is not None:
            calls.append(zero_call)
        return r1, r2, np.zeros((n, n)), np.zeros((n, n))
    if calls is not None:
        calls.append(zero_call)
    if method == "open":
        in_mat = _fit_rows(s1, np.maximum(-dd, 0.0), "match_birthplace_tot", calls, "stock_start")
        out_mat = _fit_rows(s2, np.maximum(dd, 0.0), "match_birthplace_tot", calls, "stock_end")
    else:  # open-dr
        in_mat = _fit_rows(s2, np.maximum(-dd, 0.0), "match_birthplace_tot", calls, "stock_end")
        out_mat = _fit_rows(s1, np.maximum(dd, 0.0), "match_birthplace_tot", calls, "stock_start")
    r1 = s1 - out_mat
    r2 = s2 - in_mat
    scale = _scale(s1, s2)
    r1 = _clip_roundoff(r1, scale)
    r2 = _clip_roundoff(r2, scale)
    for name, arr, took in (("stock_start", r1, out_mat), ("stock_end", r2, in_mat)):
        bad = _first_negative(arr)
        if bad is not None:
            k, i = bad
            raise EstimationError(
                f"match_birthplace_tot_method={method!r} made {name} negative for place of birth "
                f"{_label(labels, k)}, residence {_label(labels, i)} ({arr[k, i]:g}): it removes "
                f"{took[k, i]:g} there, distributed like the other stock table (migest 2.0.5 as coded); "
                "use 'open-dr', which distributes by the same table and cannot go negative"
            )
    return r1, r2, in_mat, out_mat


def match_birthplace_tot(stock_start: Any, stock_end: Any, method: str = "rescale") -> MatchedStocks:
    """Make the place-of-birth (row) totals of the two stock tables agree.

    Parameters
    ----------
    stock_start, stock_end : array_like or DataFrame
        Stocks, place of birth x residence, taken positionally (a DataFrame's labels name cells in errors).
    method : {"rescale", "open", "open-dr"}
        ``rescale`` (closed system): both tables are fitted to the mid-point of their row totals keeping their
        column totals; needs equal world totals (mipfp would silently return proportions: we raise).
        ``open``/``open-dr`` (open system): the row differences are moves to/from outside the system.
        ``rescale-adjust-zero-fb`` is refused (broken in migest 2.0.5).

    Returns
    -------
    MatchedStocks
        The matched stocks, ``in_mat``/``out_mat`` (arrivals from / leavers to outside, zero for ``rescale``)
        and the fits made.

    References
    ----------
    migest 2.0.5 ``match_birthplace_tot``; Abel (2013), Demographic Research 28:505 (``open-dr``).

    Examples
    --------
    >>> s1 = np.array([[100.0, 10.0], [5.0, 200.0]])
    >>> m = match_birthplace_tot(s1, np.array([[104.0, 12.0], [6.0, 193.0]]))
    >>> m.stock_start.sum(axis=1).round(1), m.stock_end.sum(axis=1).round(1)
    (array([113., 202.]), array([113., 202.]))
    """
    s1 = _matrix(stock_start, "stock_start")
    s2 = _matrix(stock_end, "stock_end")
    labels = list(stock_start.index) if isinstance(stock_start, pd.DataFrame) else None
    calls: list[IpfpCall] = []
    r1, r2, i_m, o_m = _match(s1, s2, method, calls, labels)
    return MatchedStocks(r1, r2, i_m, o_m, tuple(calls))
