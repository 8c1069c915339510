"""Iterative proportional fitting and conditional maximisation, as in migest 2.0.5.

These are migest's own fitting primitives (``ipf2``, ``ipf3``, ``ipf3_qi``, ``cm2``, ``cm3``); ``ffs_demo``
uses ``mipfp::Ipfp`` instead (see :mod:`migdev.flows.ipfp`). They are reproduced step for step (same update
order, same stopping rule, same iteration count) so that results match migest to machine precision, but
every update is one whole-array numpy operation rather than loops over regions.

Inputs may be numpy arrays, pandas objects or nested sequences; outputs are numpy arrays (labels stay with
the caller). Conventions: 2-d tables are ``[orig, dest]``; 3-d tables are ``[orig, dest, pob]`` (``i, j, k``). A scaling
factor ``target / current`` that is NaN or infinite (a zero current margin) is set to 0, as in migest, so
cells that cannot be fitted are emptied rather than blown up.

References: Willekens (1999) "Modelling approaches to the indirect estimation of migration flows";
Abel (2013) "Estimating global migration flow tables using place of birth data", Demographic Research 28.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from migdev.errors import EstimationError

__all__ = ["CmResult", "IpfResult", "cm2", "cm3", "ipf2", "ipf3", "ipf3_qi"]

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

    Deviation from migest: the total check is two-sided (migest only stops when ``sum(row) - sum(col) >
    tol``) and allows float rounding of ``1e-10`` relative to the totals.
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

    ``row_tot[i, k]`` is the number born in k living in i at the start (orig x pob), ``col_tot[k, j]`` the
    number born in k living in j at the end (pob x dest), i.e. the targets are ``n_ik = row_tot`` and
    ``n_jk = col_tot.T``. ``m`` is an optional offset, 2-d (recycled over pob) or 3-d. Each sweep scales the
    (i, k) margin then the (j, k) margin; the discrepancies are measured before each scaling and the loop
    runs while the largest exceeds ``tol`` and fewer than ``maxit`` sweeps were done.
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

    Margins as in :func:`ipf3`. ``diag_count`` gives the stayers; by default ``min(n_ik[i, k], n_jk[i, k])``,
    the most people born in k who could have stayed in i. With ``speed=True`` the stayers are removed from
    both margins and the diagonal is fitted to 0 (then overwritten with the stayers at the end); with
    ``speed=False`` the diagonal is fitted as a third margin. Each sweep scales (i, k), then (j, k), then the
    diagonal, measuring each discrepancy before its scaling.

    Deviation from migest: ``diag_count`` may be a 2-d ``[i, k]`` table of stayers or a 3-d array of which
    only the ``[i, i, k]`` cells are read. migest subtracts ``sum_j dc[i, j, k] - (R - 1)`` from the
    margins, which equals the stayers only when every off-diagonal cell of ``dc`` is 1 (true for its
    default); we subtract the stayers themselves.
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


# --------------------------------------------------------------------------------------------------
# conditional maximisation
# --------------------------------------------------------------------------------------------------


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

    Deviation from migest: totals whose length does not match the offset raise ``EstimationError``; migest
    silently uses the first entries (its ``three_tables`` example).
    """
    rows = _vec(row_tot, "row_tot")
    cols = _vec(col_tot, "col_tot")
    m3 = np.asarray(m, dtype=float)
    if m3.ndim != 3:
        raise EstimationError(f"cm3 needs a 3-d offset m, got shape {m3.shape}")
    _cm_check(rows, cols, m3.shape)
    alpha, beta, it = _cm_sweeps(rows, cols, m3.sum(axis=2), tol, maxit)
    return CmResult(n=alpha[:, None, None] * beta[None, :, None] * m3, theta=np.concatenate([alpha, beta]), it=it)
