"""Iterative proportional fitting, as in migest 2.0.5: ``ipf2``, ``ipf3`` and ``ipf3_qi``.

These are migest's own IPF primitives; ``ffs_demo`` uses ``mipfp::Ipfp`` instead (see
:mod:`migdev.flows.ipfp`), and Willekens' conditional maximisation (``cm2``, ``cm3``) is in
:mod:`migdev.flows.cm`. They are reproduced step for step (same update order, same stopping rule, same
iteration count) so that results match migest to machine precision, but every update is one whole-array
numpy operation rather than loops over regions.

Inputs may be numpy arrays, pandas objects or nested sequences; outputs are numpy arrays (labels stay with
the caller). Conventions: 2-d tables are ``[orig, dest]``; 3-d tables are ``[orig, dest, pob]`` (``i, j, k``). A scaling
factor ``target / current`` that is NaN or infinite (a zero current margin) is set to 0, as in migest, so
cells that cannot be fitted are emptied rather than blown up. The input coercions and that factor rule
(``_vec``, ``_mat``, ``_factor``) are shared with :mod:`migdev.flows.cm`.

References: Willekens (1999) "Modelling approaches to the indirect estimation of migration flows";
Abel (2013) "Estimating global migration flow tables using place of birth data", Demographic Research 28.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from migdev.errors import EstimationError

__all__ = ["IpfResult", "ipf2", "ipf3", "ipf3_qi"]

ArrayLike = Any  # numpy array, pandas DataFrame/Series, nested sequences


@dataclass(frozen=True)
class IpfResult:
    """Fitted table of an IPF run, with migest's diagnostics.

    ``mu`` is the fitted table, ``it`` the number of sweeps, ``tol`` the largest absolute margin
    discrepancy measured during the last sweep (migest's ``tol`` field: the achieved, not the requested,
    tolerance).
    """

    mu: np.ndarray
    it: int
    tol: float


# --------------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------------


def _vec(x: ArrayLike, name: str) -> np.ndarray:
    arr = np.asarray(x, dtype=float)
    if arr.ndim != 1:
        raise EstimationError(f"{name} must be one-dimensional, got shape {arr.shape}")
    return arr


def _mat(x: ArrayLike, name: str) -> np.ndarray:
    arr = np.asarray(x, dtype=float)
    if arr.ndim != 2:
        raise EstimationError(f"{name} must be a 2-d table, got shape {arr.shape}")
    return arr


def _factor(target: np.ndarray, current: np.ndarray) -> np.ndarray:
    """target / current with NaN and +-Inf set to 0, migest's rule for margins that cannot be fitted."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        f = target / current
    f[~np.isfinite(f)] = 0.0
    return f


def _r_round(x: np.ndarray | float) -> np.ndarray:
    """R's round(): half to even, like numpy's."""
    return np.round(x)


def _seed3(m: ArrayLike | None, r: int) -> np.ndarray:
    """A 3-d offset: ones, a 2-d offset recycled over pob (seed[i, j, k] = m[i, j]), or the array as given."""
    if m is None:
        return np.ones((r, r, r))
    arr = np.asarray(m, dtype=float)
    if arr.shape == (r, r):
        return np.repeat(arr[:, :, None], r, axis=2)
    if arr.shape == (r, r, r):
        return arr.copy()
    raise EstimationError(f"offset m must have shape ({r}, {r}) or ({r}, {r}, {r}), got {arr.shape}")


def _check_3way_totals(row_tot: np.ndarray, col_tot: np.ndarray) -> int:
    if row_tot.shape[0] != row_tot.shape[1] or row_tot.shape != col_tot.shape:
        raise EstimationError(
            f"row_tot {row_tot.shape} and col_tot {col_tot.shape} must be square tables of the same size"
        )
    by_pob_row = row_tot.sum(axis=0)  # colSums(row_tot): persons per pob, origin side
    by_pob_col = col_tot.sum(axis=1)  # rowSums(col_tot): persons per pob, destination side
    bad = np.flatnonzero(_r_round(by_pob_row) != _r_round(by_pob_col))
    if bad.size:
        detail = ", ".join(f"pob {k}: {by_pob_row[k]:g} vs {by_pob_col[k]:g}" for k in bad[:5])
        raise EstimationError(
            "row_tot and col_tot totals differ for one or more places of birth "
            f"(colSums(row_tot) != rowSums(col_tot); {detail})"
        )
    return row_tot.shape[0]


# --------------------------------------------------------------------------------------------------
# two-way IPF
# --------------------------------------------------------------------------------------------------


def ipf2(
    row_tot: ArrayLike | None = None,
    col_tot: ArrayLike | None = None,
    m: ArrayLike | None = None,
    tol: float = 1e-5,
    maxit: int = 500,
) -> IpfResult:
    """Fit a 2-d table to known row and/or column totals by IPF (migest ``ipf2``).

    Each sweep scales columns first, then rows; the discrepancy of a margin is measured just before it is
    scaled, and the loop runs at least once and then while the largest discrepancy exceeds ``tol`` and
    fewer than ``maxit`` sweeps were done. Either margin may be ``None`` (one-margin proportional fit).

    Parameters
    ----------
    row_tot, col_tot : array_like, optional
        Target row (origin) and column (destination) totals; at least one is needed, and when both are
        given their sums must agree.
    m : array_like, optional
        The offset (seed) table, ``[orig, dest]``; default all ones (then both margins are needed to know
        the shape). Zero cells stay zero, which is how a zero diagonal keeps stayers out.
    tol : float
        Largest absolute margin discrepancy accepted.
    maxit : int
        Most sweeps.

    Returns
    -------
    IpfResult
        ``mu`` the fitted table, ``it`` the sweeps done, ``tol`` the discrepancy reached.

    Raises
    ------
    EstimationError
        No margin, margins of the wrong length, or totals that do not agree.

    Notes
    -----
    Deviation from migest: the total check is two-sided (migest only stops when ``sum(row) - sum(col) >
    tol``) and allows float rounding of ``1e-10`` relative to the totals.

    References
    ----------
    migest 2.0.5 ``ipf2``; Deming & Stephan (1940), Annals of Mathematical Statistics 11:427; Willekens
    (1999), Mathematical Population Studies 7:239.

    Examples
    --------
    >>> m = np.array([[0, 30, 10, 20], [15, 0, 5, 10], [10, 20, 0, 30], [5, 10, 15, 0]])
    >>> res = ipf2(row_tot=[60, 40, 50, 30], col_tot=[40, 55, 35, 50], m=m)
    >>> res.mu.round(1)
    array([[ 0. , 29.9, 12.3, 17.8],
           [23. ,  0. ,  7. , 10.1],
           [11.3, 16.6,  0. , 22.2],
           [ 5.8,  8.5, 15.7,  0. ]])
    >>> res.it, res.mu.sum(axis=0).round(3)
    (12, array([40., 55., 35., 50.]))
    """
    rows = None if row_tot is None else _vec(row_tot, "row_tot")
    cols = None if col_tot is None else _vec(col_tot, "col_tot")
    if rows is None and cols is None:
        raise EstimationError("ipf2 needs row_tot, col_tot or both")
    if m is None:
        if rows is None or cols is None:
            raise EstimationError("ipf2 with a single margin needs the offset m to give the table's shape")
        mu = np.ones((rows.size, cols.size))
    else:
        mu = _mat(m, "m").copy()
    if rows is not None and rows.size != mu.shape[0]:
        raise EstimationError(f"row_tot has {rows.size} entries but m has {mu.shape[0]} rows")
    if cols is not None and cols.size != mu.shape[1]:
        raise EstimationError(f"col_tot has {cols.size} entries but m has {mu.shape[1]} columns")
    if rows is not None and cols is not None:
        srow, scol = rows.sum(), cols.sum()
        if abs(srow - scol) > max(tol, 1e-10 * max(abs(srow), abs(scol))):
            raise EstimationError(
                f"row and column totals are not equal: sum(row_tot) = {srow:.10g}, sum(col_tot) = {scol:.10g}"
            )

    it = 0
    max_diff = 2 * tol
    while it == 0 or (max_diff > tol and it < maxit):
        diffs = []
        if cols is not None:
            cur = mu.sum(axis=0)
            diffs.append(np.abs(cols - cur))
            mu = mu * _factor(cols, cur)[None, :]
        if rows is not None:
            cur = mu.sum(axis=1)
            diffs.append(np.abs(rows - cur))
            mu = mu * _factor(rows, cur)[:, None]
        it += 1
        max_diff = float(max(d.max() for d in diffs))
    return IpfResult(mu=mu, it=it, tol=max_diff)


# --------------------------------------------------------------------------------------------------
# three-way IPF
# --------------------------------------------------------------------------------------------------


def ipf3(
    row_tot: ArrayLike,
    col_tot: ArrayLike,
    m: ArrayLike | None = None,
    tol: float = 1e-5,
    maxit: int = 500,
) -> IpfResult:
    """Fit an origin x destination x birthplace table to two bilateral stock tables (migest ``ipf3``).

    The targets are ``n_ik = row_tot`` and ``n_jk = col_tot.T``. Each sweep scales the (i, k) margin then
    the (j, k) margin; the discrepancies are measured before each scaling and the loop runs while the
    largest exceeds ``tol`` and fewer than ``maxit`` sweeps were done.

    Parameters
    ----------
    row_tot : array_like
        ``row_tot[i, k]``: the number born in k living in i at the start (orig x pob), i.e. the start stock
        table transposed.
    col_tot : array_like
        ``col_tot[k, j]``: the number born in k living in j at the end (pob x dest). Its row sums must equal
        the column sums of ``row_tot`` (the same people by place of birth, after rounding).
    m : array_like, optional
        Offset, 2-d ``[i, j]`` (recycled over pob) or 3-d ``[i, j, k]``; default all ones.
    tol : float
        Largest absolute margin discrepancy accepted.
    maxit : int
        Most sweeps.

    Returns
    -------
    IpfResult
        ``mu[i, j, k]`` (stayers on ``i == j``), the sweeps done and the discrepancy reached.

    Raises
    ------
    EstimationError
        Tables that are not square and of one size, or whose totals by place of birth differ.

    References
    ----------
    migest 2.0.5 ``ipf3``; Abel (2013), Demographic Research 28:505.

    Examples
    --------
    Stocks by place of birth (rows) x residence (columns), five years apart:

    >>> s1 = np.array([[1000, 100, 10, 0], [55, 555, 50, 60], [80, 40, 800, 40], [20, 25, 20, 200]])
    >>> s2 = np.array([[950, 100, 60, 0], [80, 505, 75, 60], [90, 30, 800, 40], [40, 45, 0, 180]])
    >>> res = ipf3(row_tot=s1.T, col_tot=s2)
    >>> res.mu.sum(axis=2).round(1)
    array([[872.5, 134.6, 126.4,  21.5],
           [154.8, 403.8,  96.6,  64.9],
           [ 92.1,  64.4, 672.4,  51.1],
           [ 40.6,  77.3,  39.6, 142.5]])
    >>> res.it
    2
    """
    n_ik = _mat(row_tot, "row_tot")
    n_jk = _mat(col_tot, "col_tot").T
    r = _check_3way_totals(n_ik, n_jk.T)
    mu = _seed3(m, r)

    it = 0
    max_diff = 2 * tol
    while max_diff > tol and it < maxit:
        mu, d_ik, d_jk = _sweep_origin_destination(mu, n_ik, n_jk)
        it += 1
        max_diff = float(max(d_ik, d_jk))
    return IpfResult(mu=mu, it=it, tol=max_diff)


def _sweep_origin_destination(mu: np.ndarray, n_ik: np.ndarray, n_jk: np.ndarray) -> tuple[np.ndarray, float, float]:
    """One sweep over the (origin, birthplace) then (destination, birthplace) margins of a 3-way table, with
    each margin's largest discrepancy measured before its scaling (as migest's ``ipf3``/``ipf3_qi`` do)."""
    cur_ik = mu.sum(axis=1)
    d_ik = float(np.abs(n_ik - cur_ik).max())
    mu = mu * _factor(n_ik, cur_ik)[:, None, :]
    cur_jk = mu.sum(axis=0)
    d_jk = float(np.abs(n_jk - cur_jk).max())
    return mu * _factor(n_jk, cur_jk)[None, :, :], d_ik, d_jk


def ipf3_qi(
    row_tot: ArrayLike,
    col_tot: ArrayLike,
    m: ArrayLike | None = None,
    diag_count: ArrayLike | None = None,
    tol: float = 1e-5,
    maxit: int = 500,
    speed: bool = True,
) -> IpfResult:
    """Quasi-independence 3-way IPF: stayers ``mu[i, i, k]`` fixed, movers fitted (migest ``ipf3_qi``).

    With ``speed=True`` the stayers are removed from both margins and the diagonal is fitted to 0 (then
    overwritten with the stayers at the end); with ``speed=False`` the diagonal is fitted as a third
    margin. Each sweep scales (i, k), then (j, k), then the diagonal, measuring each discrepancy before
    its scaling.

    Parameters
    ----------
    row_tot, col_tot, m, tol, maxit
        As for :func:`ipf3`.
    diag_count : array_like, optional
        The stayers: a 2-d ``[i, k]`` table, or a 3-d array of which only the ``[i, i, k]`` cells are read.
        By default ``min(n_ik[i, k], n_jk[i, k])``, the most people born in k who could have stayed in i.
    speed : bool
        Fit the movers alone (True) or the diagonal as a third margin (False); both give the same table.

    Returns
    -------
    IpfResult
        ``mu[i, j, k]`` with the stayers on ``i == j``, the sweeps done and the discrepancy reached.

    Raises
    ------
    EstimationError
        As for :func:`ipf3`, and a ``diag_count`` of the wrong shape.

    Notes
    -----
    Deviation from migest: migest subtracts ``sum_j dc[i, j, k] - (R - 1)`` from the margins, which equals
    the stayers only when every off-diagonal cell of ``dc`` is 1 (true for its default); we subtract the
    stayers themselves.

    References
    ----------
    migest 2.0.5 ``ipf3_qi``; Abel (2013), Demographic Research 28:505.

    Examples
    --------
    The stocks of :func:`ipf3`; with stayers fixed, far fewer people move:

    >>> s1 = np.array([[1000, 100, 10, 0], [55, 555, 50, 60], [80, 40, 800, 40], [20, 25, 20, 200]])
    >>> s2 = np.array([[950, 100, 60, 0], [80, 505, 75, 60], [90, 30, 800, 40], [40, 45, 0, 180]])
    >>> res = ipf3_qi(row_tot=s1.T, col_tot=s2)
    >>> res.mu.sum(axis=2).round(1)
    array([[1105.,    0.,   50.,    0.],
           [  35.,  660.,   25.,    0.],
           [  10.,   10.,  860.,    0.],
           [  10.,   10.,    0.,  280.]])
    """
    n_ik = _mat(row_tot, "row_tot")
    n_jk = _mat(col_tot, "col_tot").T
    r = _check_3way_totals(n_ik, n_jk.T)
    mu = _seed3(m, r)
    idx = np.arange(r)

    if diag_count is None:
        stay = np.minimum(n_ik, n_jk)  # stay[i, k]
    else:
        dc = np.asarray(diag_count, dtype=float)
        if dc.shape == (r, r):
            stay = dc.copy()
        elif dc.shape == (r, r, r):
            stay = dc[idx, idx, :]
        else:
            raise EstimationError(f"diag_count must have shape ({r}, {r}) or ({r}, {r}, {r}), got {dc.shape}")

    if speed:
        n_ik = n_ik - stay
        n_jk = n_jk - stay
        n_diag = np.zeros((r, r))
    else:
        n_diag = stay

    it = 0
    max_diff = 2 * tol
    while max_diff > tol and it < maxit:
        mu, d_ik, d_jk = _sweep_origin_destination(mu, n_ik, n_jk)
        cur_diag = mu[idx, idx, :]
        d_diag = np.abs(n_diag - cur_diag).max()
        mu[idx, idx, :] = cur_diag * _factor(n_diag, cur_diag)
        it += 1
        max_diff = float(max(d_ik, d_jk, d_diag))
    mu[idx, idx, :] = stay
    return IpfResult(mu=mu, it=it, tol=max_diff)
