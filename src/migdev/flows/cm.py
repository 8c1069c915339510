"""Conditional maximisation of Willekens' log-linear model, as in migest 2.0.5: ``cm2`` and ``cm3``.

``n_ij = alpha_i beta_j m_ij``: the fitted table of IPF, but with the row and column parameters themselves,
which is what a user of Willekens (1999) wants to read. migest gives the family its own files (``R/cm2.R``,
``R/cm3.R``); here it has its own module beside :mod:`migdev.flows.ipf`, whose input coercions and
zero-margin rule (a NaN or infinite factor is 0) it shares, so the two families cannot drift apart.

References: Willekens (1999) "Modelling approaches to the indirect estimation of migration flows: from
entropy to EM", Mathematical Population Studies 7:239-278.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from migdev.errors import EstimationError
from migdev.flows.ipf import ArrayLike, _factor, _mat, _r_round, _vec

__all__ = ["CmResult", "cm2", "cm3"]


@dataclass(frozen=True)
class CmResult:
    """Fitted table of a conditional-maximisation run (Willekens' log-linear parameters).

    ``n`` is the fitted table, ``theta`` the concatenated parameters ``(alpha_1.., beta_1..)`` exactly as
    migest returns them (their common scale depends on the iteration path), ``it`` the value of migest's
    internal counter when the loop stopped (it starts at 1, so ``it - 1`` sweeps were done).
    """

    n: np.ndarray
    theta: np.ndarray
    it: int

    @property
    def alpha(self) -> np.ndarray:
        """Origin (row) parameters."""
        return self.theta[: self.n.shape[0]]

    @property
    def beta(self) -> np.ndarray:
        """Destination (column) parameters."""
        return self.theta[self.n.shape[0] :]


def _cm_check(rows: np.ndarray, cols: np.ndarray, shape: Sequence[int]) -> None:
    if rows.size != shape[0] or cols.size != shape[1]:
        raise EstimationError(
            f"row_tot ({rows.size} entries) and col_tot ({cols.size} entries) must match the offset's "
            f"{shape[0]} origins and {shape[1]} destinations"
        )
    if _r_round(rows.sum()) != _r_round(cols.sum()):
        raise EstimationError(
            f"row and column totals are not equal: sum(row_tot) = {rows.sum():.10g}, sum(col_tot) = {cols.sum():.10g}"
        )


def _cm_sweeps(
    rows: np.ndarray, cols: np.ndarray, m2: np.ndarray, tol: float, maxit: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """Willekens' conditional maximisation on a 2-d offset; returns alpha, beta and migest's counter.

    The counter starts at 1, so at most ``maxit - 1`` sweeps run (as in migest).
    """
    alpha = np.ones(rows.size)
    beta = np.ones(cols.size)
    it = 1
    max_diff = 2 * tol
    while max_diff > tol and it < maxit:
        new_alpha = _factor(rows, m2 @ beta)
        new_beta = _factor(cols, new_alpha @ m2)
        max_diff = float(max(np.abs(new_alpha - alpha).max(), np.abs(new_beta - beta).max()))
        alpha, beta = new_alpha, new_beta
        it += 1
    return alpha, beta, it


def cm2(
    row_tot: ArrayLike,
    col_tot: ArrayLike,
    m: ArrayLike | None = None,
    tol: float = 1e-6,
    maxit: int = 500,
) -> CmResult:
    """Fit ``n_ij = alpha_i beta_j m_ij`` to row and column totals by conditional maximisation (``cm2``).

    Each sweep updates every alpha from the previous betas, then every beta from the new alphas; the loop
    stops when no parameter moved by more than ``tol`` (or at ``maxit``, counting from 1). Equivalent to IPF
    at convergence, but it also returns the log-linear parameters ``theta``.

    Parameters
    ----------
    row_tot, col_tot : array_like
        Target origin and destination totals; their sums must agree (after rounding).
    m : array_like, optional
        Offset ``[orig, dest]`` (default all ones).
    tol : float
        Largest change of a parameter between sweeps accepted.
    maxit : int
        migest's counter limit: at most ``maxit - 1`` sweeps.

    Returns
    -------
    CmResult
        ``n`` the fitted table, ``theta`` = (alpha, beta) (also as ``alpha`` and ``beta``), ``it`` the counter.

    Raises
    ------
    EstimationError
        Totals whose lengths do not match ``m``, or whose sums differ.

    References
    ----------
    migest 2.0.5 ``cm2``; Willekens (1999), Mathematical Population Studies 7:239.

    Examples
    --------
    The table of :func:`~migdev.flows.ipf.ipf2`'s example, and its parameters:

    >>> m = np.array([[0, 30, 10, 20], [15, 0, 5, 10], [10, 20, 0, 30], [5, 10, 15, 0]])
    >>> res = cm2(row_tot=[60, 40, 50, 30], col_tot=[40, 55, 35, 50], m=m)
    >>> res.n.round(1)
    array([[ 0. , 29.9, 12.3, 17.8],
           [23. ,  0. ,  7. , 10.1],
           [11.3, 16.6,  0. , 22.2],
           [ 5.8,  8.5, 15.7,  0. ]])
    >>> res.alpha.round(3), res.beta.round(3), res.it
    (array([1.068, 1.208, 0.888, 0.91 ]), array([1.268, 0.934, 1.152, 0.832]), 13)
    """
    rows = _vec(row_tot, "row_tot")
    cols = _vec(col_tot, "col_tot")
    m2 = np.ones((rows.size, cols.size)) if m is None else _mat(m, "m")
    _cm_check(rows, cols, m2.shape)
    alpha, beta, it = _cm_sweeps(rows, cols, m2, tol, maxit)
    return CmResult(n=alpha[:, None] * beta[None, :] * m2, theta=np.concatenate([alpha, beta]), it=it)


def cm3(
    row_tot: ArrayLike,
    col_tot: ArrayLike,
    m: ArrayLike,
    tol: float = 1e-6,
    maxit: int = 500,
) -> CmResult:
    """Conditional maximisation of ``n_ijk = alpha_i beta_j m_ijk`` given origin and destination totals.

    migest ``cm3``: the same as :func:`cm2` on the offset summed over its third dimension; the fitted
    table keeps the third dimension's pattern within every (i, j) cell.

    Parameters
    ----------
    row_tot, col_tot : array_like
        Target origin and destination totals; their sums must agree (after rounding).
    m : array_like
        The 3-d offset ``[orig, dest, k]``.
    tol, maxit
        As for :func:`cm2`.

    Returns
    -------
    CmResult
        ``n[i, j, k]``, ``theta`` = (alpha, beta) and migest's counter ``it``.

    Raises
    ------
    EstimationError
        A 2-d ``m``, totals whose lengths do not match ``m``, or whose sums differ.

    Notes
    -----
    Deviation from migest: totals whose length does not match the offset raise ``EstimationError``; migest
    silently uses the first entries (its ``three_tables`` example).

    References
    ----------
    migest 2.0.5 ``cm3``; Willekens (1999), Mathematical Population Studies 7:239.

    Examples
    --------
    >>> m = np.ones((3, 3, 2))
    >>> m[:, :, 0] = [[5, 1, 2], [1, 4, 1], [2, 3, 6]]
    >>> res = cm3(row_tot=[30, 20, 40], col_tot=[25, 35, 30], m=m)
    >>> res.n.sum(axis=2).round(1)
    array([[14.5,  7.5,  8. ],
           [ 3.4, 12.9,  3.7],
           [ 7.1, 14.6, 18.3]])
    >>> res.n[0, 0].round(2), res.it
    (array([12.11,  2.42]), 9)
    """
    rows = _vec(row_tot, "row_tot")
    cols = _vec(col_tot, "col_tot")
    m3 = np.asarray(m, dtype=float)
    if m3.ndim != 3:
        raise EstimationError(f"cm3 needs a 3-d offset m, got shape {m3.shape}")
    _cm_check(rows, cols, m3.shape)
    alpha, beta, it = _cm_sweeps(rows, cols, m3.sum(axis=2), tol, maxit)
    return CmResult(n=alpha[:, None, None] * beta[None, :, None] * m3, theta=np.concatenate([alpha, beta]), it=it)
