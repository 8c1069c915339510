"""The steps of ``ffs_demo`` (migest 2.0.5), one function each; the logged fits they make are in :mod:`._fits`.

migest gives each step its own file (``R/birth_mat.R``, ``R/nb_scale_global.R``, ...); here they are one
module in the order ``ffs_demo`` runs them, except the place-of-birth matching (:mod:`migdev.flows.matching`).
Each public function is the step on its own, on arrays or DataFrames (taken positionally); its private twin
(``_birth_mat`` ...) is what :mod:`migdev.flows.demographic` calls, logging every fit as an
:class:`~migdev.flows.ipfp.IpfpCall` and every adjustment as a note, in migest's order.

Stocks are ``S[k, i]``: people born in ``k`` (rows) living in ``i`` (columns). The deviations from migest
(deterministic remainders, refused broken options, errors instead of negative stocks) are listed in the
docstring of :mod:`migdev.flows.demographic`. Impossible inputs raise :class:`~migdev.errors.EstimationError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from migdev.errors import EstimationError
from migdev.flows._fits import MAX_ITER, TOL, _fit_columns, _log
from migdev.flows._inputs import label as _label
from migdev.flows._inputs import matrix as _matrix
from migdev.flows._inputs import vector as _vector
from migdev.flows.scaled import fit_scaled

__all__ = ["birth_mat", "death_mat", "nb_scale_global", "rescale_integer_sum", "sum_od"]

ROUNDOFF = 1e-9  # relative size of negatives treated as round-off (set to 0) rather than errors


# --------------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------------


def _scale(*arrays: np.ndarray) -> float:
    return max([1.0] + [float(np.max(np.abs(a))) for a in arrays if a.size])


def _clip_roundoff(x: np.ndarray, scale: float) -> np.ndarray:
    """Set negatives within round-off to 0; leave real negatives for the caller to report."""
    x = np.array(x, dtype=float)
    x[(x < 0) & (x > -ROUNDOFF * scale)] = 0.0
    return x


def _first_negative(x: np.ndarray) -> tuple[int, int] | None:
    bad = np.argwhere(x < 0)
    return (int(bad[0][0]), int(bad[0][1])) if len(bad) else None


def _r_round(x: np.ndarray) -> np.ndarray:
    """R's round(): half to even, as numpy."""
    return np.round(x)


# --------------------------------------------------------------------------------------------------
# components
# --------------------------------------------------------------------------------------------------


def _nb_non_zero(s: np.ndarray, what: str, notes: list[str], labels) -> np.ndarray:
    """migest's nb_non_zero: a negative native-born cell is set to 0, its column keeping its total."""
    neg = np.flatnonzero(np.diag(s) < 0)
    if not len(neg):
        return s
    s = s.copy()
    p = np.maximum(s, 0.0)
    for i in neg:
        s[:, i] = p[:, i] * s[:, i].sum() / p[:, i].sum()
        notes.append(f"{what}: negative native-born stock in {_label(labels, i)} set to 0, column total kept")
    return s


def _ris(x: np.ndarray, total: float, index: int | None) -> tuple[np.ndarray, float, int | None]:
    x = np.asarray(x, dtype=float)
    xx = _r_round(x * total / x.sum())
    rem = float(total - xx.sum())
    used = None
    if rem != 0:
        used = int(np.argmax(np.abs(x))) if index is None else int(index)
        xx[used] += rem
    return xx, rem, used


def rescale_integer_sum(x: Any, total: float, index: int | None = None) -> np.ndarray:
    """Scale ``x`` to sum to ``total`` with integer cells (R rounding, half to even), remainder on one cell.

    Used to rebalance native-born stocks without introducing fractions.

    Parameters
    ----------
    x : array_like
        Values to rescale (native-born stocks by region).
    total : float
        The sum the result must have.
    index : int, optional
        Cell that takes the rounding remainder; default the first index of the largest ``|x|`` (migest picks
        one at random, which makes its results irreproducible).

    Returns
    -------
    numpy.ndarray
        Integers (as floats) summing to ``total``.

    References
    ----------
    migest 2.0.5 ``rescale_integer_sum``; Abel (2018), International Migration Review 52:809.

    Examples
    --------
    >>> rescale_integer_sum([1.0, 2.0, 3.0], 10)
    array([2., 3., 5.])
    """
    return _ris(np.asarray(x, dtype=float), float(total), index)[0]


def _nb_scale_global(s1, s2, b, d, remainder_index, ris_log=None):
    s1 = s1.copy()
    s2 = s2.copy()
    idx = list(remainder_index) if remainder_index is not None else []

    def ris(x, tot):
        pick = idx.pop(0) if idx else None
        out, rem, used = _ris(x, tot, pick)
        if ris_log is not None:
            ris_log.append({"x": x.copy(), "tot": tot, "result": out, "remainder": rem, "index": used})
        return out

    dd = float(np.sum(b - d) - np.sum(s2 - s1))
    tot1 = float(np.trace(s1))
    tot2 = float(np.trace(s2))
    r = dd - 2.0 * np.floor(dd / 2.0)  # R's floored %%
    if _r_round(r) == 0 and r != 0:
        np.fill_diagonal(s2, ris(np.diag(s2).copy(), tot2 + 1))
        dd = float(np.sum(b - d) - np.sum(s2 - s1))
        tot2 = float(np.trace(s2))
    if dd != 0:
        np.fill_diagonal(s1, ris(np.diag(s1).copy(), tot1 - dd / 2))
        np.fill_diagonal(s2, ris(np.diag(s2).copy(), tot2 + dd / 2))
    return s1, s2


def nb_scale_global(
    stock_start: Any,
    stock_end: Any,
    births: Any = None,
    deaths: Any = None,
    remainder_index: Sequence[int | None] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Rebalance the native-born (diagonal) stocks so that the world adds up: growth = births - deaths.

    Half of the global discrepancy ``dd = sum(b - d) - sum(S2 - S1)`` is taken from the start natives and
    half added to the end natives (integer rescaling, :func:`rescale_integer_sum`).

    Parameters
    ----------
    stock_start, stock_end : array_like or DataFrame
        Square stock tables, place of birth (rows) x residence (columns), taken positionally.
    births, deaths : array_like or Series, optional
        Period totals by region of residence (default zeros).
    remainder_index : sequence of int or None, optional
        In call order, the cell receiving each rounding remainder (None: the rule of
        :func:`rescale_integer_sum`).

    Returns
    -------
    tuple of numpy.ndarray
        ``(stock_start, stock_end)`` with rebalanced diagonals.

    References
    ----------
    migest 2.0.5 ``nb_scale_global``; Abel & Sander (2014), Science 343:1520.

    Examples
    --------
    >>> s1 = np.array([[100.0, 10.0], [5.0, 200.0]])
    >>> s2 = np.array([[104.0, 12.0], [6.0, 205.0]])
    >>> start, end = nb_scale_global(s1, s2, births=[8, 10], deaths=[3, 4])
    >>> float(end.sum() - start.sum()), (8 + 10) - (3 + 4)
    (11.0, 11)
    """
    s1 = _matrix(stock_start, "stock_start")
    s2 = _matrix(stock_end, "stock_end")
    b = _vector(births, s1.shape[0], "births")
    d = _vector(deaths, s1.shape[0], "deaths")
    return _nb_scale_global(s1, s2, b, d, remainder_index)


def _birth_mat(b, s2, method, non_negative, calls, notes, labels):
    if method == "native":
        bm = np.diag(b).astype(float)
        if non_negative:
            over = np.diag(s2) - b < 0
            if over.any():
                seed = bm.copy()
                seed[:, over] = s2[:, over]
                bm = _fit_columns(seed, b, "birth_mat", calls, "stock_end")
                for j in np.flatnonzero(over):
                    notes.append(
                        f"births in region {_label(labels, j)} ({b[j]:g}) exceed the native-born end stock "
                        f"({s2[j, j]:g}); spread over all places of birth in proportion to stock_end"
                    )
        return bm
    if method == "proportion":
        return _fit_columns(s2, b, "birth_mat", calls, "stock_end")
    raise EstimationError(f"birth_method must be 'native' or 'proportion', not {method!r}")


def birth_mat(births: Any, stock_end: Any, method: str = "native", non_negative: bool = True) -> np.ndarray:
    """Births by place of birth x residence ``[pob, por]`` for the regional birth counts.

    Parameters
    ----------
    births : array_like or Series
        Births in the period by region of residence.
    stock_end : array_like or DataFrame
        End-of-period stocks, place of birth x residence, taken positionally.
    method : {"native", "proportion"}
        ``native``: every birth is native-born (diagonal); ``proportion``: births are spread over each column
        of ``stock_end`` in proportion (children born to foreign-born residents keep their place of birth).
    non_negative : bool
        With ``native``, a region whose births exceed its native-born end stock has them spread over its
        column of ``stock_end`` instead (else the native-born stock minus births would go negative).

    Returns
    -------
    numpy.ndarray
        ``b_mat[pob, por]``, whose columns sum to ``births``.

    References
    ----------
    migest 2.0.5 ``birth_mat``; Abel (2013), Demographic Research 28:505.

    Examples
    --------
    >>> s2 = np.array([[104.0, 12.0], [6.0, 205.0]])
    >>> birth_mat([8.0, 10.0], s2)
    array([[ 8.,  0.],
           [ 0., 10.]])
    >>> birth_mat([8.0, 10.0], s2, method="proportion").round(2)
    array([[7.56, 0.55],
           [0.44, 9.45]])
    """
    s2 = _matrix(stock_end, "stock_end")
    b = _vector(births, s2.shape[0], "births")
    return _birth_mat(b, s2, method, non_negative, None, [], None)


def _death_mat(d, s1, method, s2, b, calls, labels):
    if method == "proportion":
        return _fit_columns(s1, d, "death_mat", calls, "stock_start")
    if method == "accounting":
        d_pob = s1.sum(axis=1) + b - s2.sum(axis=1)
        neg = np.flatnonzero(d_pob < 0)
        if len(neg):
            k = int(neg[0])
            raise EstimationError(
                f"death_method='accounting': deaths by place of birth are negative for "
                f"{_label(labels, k)} ({d_pob[k]:g}): the end stock born there ({s2[k].sum():g}) exceeds "
                f"the start stock ({s1[k].sum():g}) plus the births used as births by place of birth "
                f"({b[k]:g}); use death_method='proportion'"
            )
        try:
            fit = fit_scaled(
                s1,
                d_pob[:, None],
                d[:, None],
                TOL,
                MAX_ITER,
                TOL,
                names=("deaths by place of birth (accounting)", "deaths by residence"),
            )
        except ValueError as exc:
            raise EstimationError(
                f"death_method='accounting' needs stocks consistent with births and deaths: {exc}"
            ) from None
        _log(calls, "death_mat", fit, [d_pob, d])
        return fit.dense(s1)[:, :, 0]
    raise EstimationError(f"death_method must be 'proportion' or 'accounting', not {method!r}")


def death_mat(
    deaths: Any,
    stock_start: Any,
    method: str = "proportion",
    stock_end: Any = None,
    births: Any = None,
) -> np.ndarray:
    """Deaths by place of birth x residence ``[pob, por]`` for the regional death counts.

    Parameters
    ----------
    deaths : array_like or Series
        Deaths in the period by region of residence.
    stock_start : array_like or DataFrame
        Start-of-period stocks, place of birth x residence, taken positionally.
    method : {"proportion", "accounting"}
        ``proportion``: each region's deaths are spread over its start stock. ``accounting``: deaths by place
        of birth are implied by the stocks (start + births - end) and fitted jointly with deaths by residence.
    stock_end, births : optional
        Needed by ``accounting`` only.

    Returns
    -------
    numpy.ndarray
        ``d_mat[pob, por]``, whose columns sum to ``deaths``.

    References
    ----------
    migest 2.0.5 ``death_mat``; Abel (2013), Demographic Research 28:505.

    Examples
    --------
    >>> s1 = np.array([[100.0, 10.0], [5.0, 200.0]])
    >>> death_mat([3.0, 4.0], s1).round(3)
    array([[2.857, 0.19 ],
           [0.143, 3.81 ]])
    """
    s1 = _matrix(stock_start, "stock_start")
    n = s1.shape[0]
    d = _vector(deaths, n, "deaths")
    s2 = _matrix(stock_end, "stock_end") if stock_end is not None else np.zeros_like(s1)
    b = _vector(births, n, "births")
    return _death_mat(d, s1, method, s2, b, None, None)


def sum_od(
    flow: Any,
    zero_diag: bool = True,
    add_margins: bool = True,
    labels: Sequence[Any] | None = None,
) -> pd.DataFrame:
    """Origin x destination table from a 3-d ``flow[i, j, k]`` (summed over places of birth).

    Parameters
    ----------
    flow : array_like
        ``flow[i, j, k]``: origin, destination, place of birth.
    zero_diag : bool
        Set the stayers (``i == j``) to 0.
    add_margins : bool
        Append one ``Sum`` row and column (migest's classic ``od_flow`` has two).
    labels : sequence, optional
        Region labels (default ``0 .. n-1``).

    Returns
    -------
    pandas.DataFrame
        Index ``orig``, columns ``dest``.

    References
    ----------
    migest 2.0.5 ``sum_od``.

    Examples
    --------
    >>> f = np.zeros((2, 2, 2))
    >>> f[0, 1, 0], f[1, 0, 1], f[0, 0, 0] = 3.0, 2.0, 90.0
    >>> sum_od(f, labels=["A", "B"])
    dest    A    B  Sum
    orig
    A     0.0  3.0  3.0
    B     2.0  0.0  2.0
    Sum   2.0  3.0  5.0
    """
    x = np.asarray(flow, dtype=float)
    od = x.sum(axis=2)
    if zero_diag:
        np.fill_diagonal(od, 0.0)
    lab = list(labels) if labels is not None else list(range(x.shape[0]))
    df = pd.DataFrame(od, index=pd.Index(lab, name="orig"), columns=pd.Index(lab, name="dest"))
    if add_margins:
        df["Sum"] = df.sum(axis=1)
        df.loc["Sum"] = df.sum(axis=0)
    return df
