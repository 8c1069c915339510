"""The factored engine of mipfp's loop: ``x[i, j, k] = a[i, k] * s[i, j] * b[j, k]``, fitted as factors.

A 2-d seed recycled over a third axis (which includes an ordinary matrix with ``K = 1``) keeps that form
under IPF on the margins ``(i, k)`` and ``(j, k)``, so each sweep is two matrix products instead of passes
over ``n^3`` cells, and the n^3 array is only built if a caller asks (:meth:`ScaledFit.dense`). The stopping
criterion is mipfp's (max absolute cell change ``< tol``, see :mod:`migdev.flows.ipfp`) and is decided
exactly: a cheap lower bound proves "not yet", a cheap upper bound proves "converged", and only in between
is the full cell change computed (in chunks). Iteration counts therefore equal those of the dense
:func:`~migdev.flows.ipfp.ipfp`; only the rounding differs (~1e-15 relative).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from migdev.flows.ipfp import _check_consistent, _check_non_negative

__all__ = ["fit_scaled"]


@dataclass(frozen=True)
class ScaledFit:
    """Result of :func:`fit_scaled`: the factors, so callers can build ``x`` only if they need it."""

    a: np.ndarray
    b: np.ndarray
    conv: bool
    iterations: int
    final_change: float
    error_margins: tuple[float, float]

    def dense(self, s: np.ndarray) -> np.ndarray:
        """The fitted array ``x[i, j, k] = a[i, k] s[i, j] b[j, k]`` (shape ``(n, m, K)``)."""
        return self.a[:, None, :] * s[:, :, None] * self.b[None, :, :]


def _exact_change(s, a0, b0, a1, b1, chunk_cells: int = 4_000_000) -> float:
    """max over i, j, k of s[i, j] |a1 b1 - a0 b0|, computed in k-chunks to bound memory."""
    n, m = s.shape
    k_total = a0.shape[1]
    step = max(1, chunk_cells // max(1, n * m))
    best = 0.0
    for k0 in range(0, k_total, step):
        sl = slice(k0, k0 + step)
        new = a1[:, None, sl] * b1[None, :, sl]
        new -= a0[:, None, sl] * b0[None, :, sl]
        np.abs(new, out=new)
        new *= s[:, :, None]
        if new.size:
            best = max(best, float(new.max()))
    return best


def _products(s: np.ndarray, st: np.ndarray, structure: str):
    """``s @ x`` and ``s.T @ x`` for the seed, with shortcuts for all-ones seeds (no n^3 product)."""
    if structure == "offdiag_ones":  # ones with a zero diagonal (the stayer fit)
        return (lambda x: x.sum(axis=0, keepdims=True) - x), (lambda x: x.sum(axis=0, keepdims=True) - x)
    if structure == "ones":

        def tot(x):
            return np.broadcast_to(x.sum(axis=0, keepdims=True), (s.shape[0], x.shape[1])).copy()

        def tot_t(x):
            return np.broadcast_to(x.sum(axis=0, keepdims=True), (s.shape[1], x.shape[1])).copy()

        return tot, tot_t
    return (lambda x: s @ x), (lambda x: st @ x)


def _loop_general(s, st, ta, tb, tol, max_iter, structure="dense"):
    """Factored mipfp loop for K > 1 (bounds per k, exact chunked change only when undecided)."""
    k_dim = ta.shape[1]
    smax = float(s.max()) if s.size else 0.0
    prod, prod_t = _products(s, st, structure)
    a = np.ones((s.shape[0], k_dim))
    b = np.ones((s.shape[1], k_dim))
    ta_pos = ta != 0
    tb_pos = tb != 0
    kk = np.arange(k_dim)
    conv = False
    crit = float("nan")
    it = 0
    u = prod(b)
    for it in range(1, max_iter + 1):  # noqa: B007
        a_new = np.zeros_like(a)
        np.divide(ta, u, out=a_new, where=ta_pos & (a * u != 0))
        v = prod_t(a_new)
        b_new = np.zeros_like(b)
        np.divide(tb, v, out=b_new, where=tb_pos & (b * v != 0))
        u = prod(b_new)
        da = np.abs(a_new - a)
        db = np.abs(b_new - b)
        i1 = da.argmax(axis=0)
        j1 = (s[i1, :] * b_new.T).argmax(axis=1)
        j2 = db.argmax(axis=0)
        i2 = (st[j2, :] * a.T).argmax(axis=1)
        lower = max(
            float(np.max(s[i1, j1] * np.abs(a_new[i1, kk] * b_new[j1, kk] - a[i1, kk] * b[j1, kk]))),
            float(np.max(s[i2, j2] * np.abs(a_new[i2, kk] * b_new[j2, kk] - a[i2, kk] * b[j2, kk]))),
        )
        if lower >= tol:
            crit = lower
        else:
            upper = smax * float(np.max(da.max(axis=0) * b_new.max(axis=0) + a.max(axis=0) * db.max(axis=0)))
            crit = upper if upper * (1 + 1e-12) < tol else _exact_change(s, a, b, a_new, b_new)
        a, b = a_new, b_new
        if crit < tol:
            conv = True
            break
    return a, b, conv, it, crit


def _step_full(s, st, ta, tb, a, b):
    """One mipfp sweep on a matrix in factored form, with the full 0-factor rule."""
    u = s @ b
    a_new = np.zeros_like(a)
    np.divide(ta, u, out=a_new, where=(ta != 0) & (a * u != 0))
    v = st @ a_new
    b_new = np.zeros_like(b)
    np.divide(tb, v, out=b_new, where=(tb != 0) & (b * v != 0))
    return a_new, b_new


def _exact_matrix(s, a0, b0, a1, b1) -> tuple[float, int, int]:
    change = np.abs(np.multiply.outer(a1, b1) - np.multiply.outer(a0, b0))
    change *= s
    flat = int(change.argmax()) if change.size else 0
    i, j = divmod(flat, max(1, s.shape[1]))
    return (float(change.flat[flat]) if change.size else 0.0), i, j


def _loop_matrix(s, st, ta, tb, tol, max_iter, batch: int = 64):
    """Factored mipfp loop for a matrix (rows then columns), run in batches of sweeps.

    Within a batch each sweep is two mat-vecs and two divisions (the 0-factor rule reduces to fixed
    masks once the zero pattern has settled, which is verified). Afterwards the stopping rule is decided
    sweep by sweep: the change at candidate cells (the largest cells of each row and column, plus every
    cell found to be the maximum before) is a lower bound; only sweeps where it falls below ``tol`` get
    the full ``n x m`` change. The returned state is the one of the first sweep with change < tol.
    """
    n, m = s.shape
    smax = float(s.max()) if s.size else 0.0
    a = np.ones(n)
    b = np.ones(m)
    it = 0
    crit = float("nan")
    extra_i: list[int] = []
    extra_j: list[int] = []
    full_steps = 2  # the zero pattern settles in the first sweeps; check them one by one
    while it < max_iter:
        if full_steps > 0:
            a1, b1 = _step_full(s, st, ta, tb, a, b)
            it += 1
            full_steps -= 1
            crit, ci, cj = _decide(s, smax, a, b, a1, b1, tol)
            a, b = a1, b1
            if crit < tol:
                return a, b, True, it, crit
            continue
        steps = min(batch, max_iter - it)
        live_a = a != 0
        live_b = b != 0
        hist_a = np.empty((steps + 1, n))
        hist_b = np.empty((steps + 1, m))
        hist_a[0] = a
        hist_b[0] = b
        ai = a.copy()
        bi = b.copy()
        u = np.empty(n)
        v = np.empty(m)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            for t in range(1, steps + 1):
                np.matmul(s, bi, out=u)
                np.divide(ta, u, out=ai, where=live_a)
                np.matmul(st, ai, out=v)
                np.divide(tb, v, out=bi, where=live_b)
                hist_a[t] = ai
                hist_b[t] = bi
        body_a = hist_a[1:, live_a]
        body_b = hist_b[1:, live_b]
        if not (np.isfinite(body_a).all() and np.isfinite(body_b).all() and (body_a > 0).all() and (body_b > 0).all()):
            full_steps = steps  # a margin emptied inside the batch: redo it sweep by sweep
            continue
        # candidate cells: the largest cell of each row and of each column, plus past maxima
        x_row = (s * b[None, :]).argmax(axis=1)
        x_col = (st * a[None, :]).argmax(axis=1)
        cand_i = np.concatenate([np.arange(n), x_col, np.asarray(extra_i, dtype=int)])
        cand_j = np.concatenate([x_row, np.arange(m), np.asarray(extra_j, dtype=int)])
        lower = _candidate_changes(s, hist_a, hist_b, cand_i, cand_j)
        for t in range(1, steps + 1):
            if lower[t - 1] >= tol:
                continue
            crit, ci, cj = _decide(s, smax, hist_a[t - 1], hist_b[t - 1], hist_a[t], hist_b[t], tol)
            if crit < tol:
                return hist_a[t].copy(), hist_b[t].copy(), True, it + t, crit
            if ci >= 0:
                extra_i.append(ci)
                extra_j.append(cj)
                more = _candidate_changes(s, hist_a, hist_b, np.array([ci]), np.array([cj]))
                lower = np.maximum(lower, more)
        crit = float(lower[-1])
        a = hist_a[-1].copy()
        b = hist_b[-1].copy()
        it += steps
    return a, b, False, it, crit


def _candidate_changes(s, hist_a, hist_b, ci, cj) -> np.ndarray:
    """Per sweep t, the largest |x_t - x_{t-1}| over the candidate cells (a lower bound of the criterion)."""
    vals = hist_a[:, ci] * hist_b[:, cj] * s[ci, cj]
    return np.abs(np.diff(vals, axis=0)).max(axis=1)


def _decide(s, smax, a0, b0, a1, b1, tol) -> tuple[float, int, int]:
    """The stopping criterion of one sweep, exact where it matters: returns (change, argmax cell or -1)."""
    da = np.abs(a1 - a0)
    db = np.abs(b1 - b0)
    if da.size and db.size:
        i1 = int(da.argmax())
        j1 = int((s[i1] * b1).argmax())
        lower = s[i1, j1] * abs(a1[i1] * b1[j1] - a0[i1] * b0[j1])
        if lower >= tol:
            return float(lower), -1, -1
        upper = smax * (float(da.max()) * float(b1.max()) + float(a0.max()) * float(db.max()))
        if upper * (1 + 1e-12) < tol:
            return float(upper), -1, -1
    return _exact_matrix(s, a0, b0, a1, b1)


def fit_scaled(
    s: np.ndarray,
    target_a: np.ndarray,
    target_b: np.ndarray,
    tol: float = 1e-3,
    max_iter: int = 100_000,
    tol_margins: float = 1e-3,
    *,
    names: tuple[str, str] = ("target 1", "target 2"),
    check: bool = True,
    structure: str = "dense",
) -> ScaledFit:
    """mipfp's two-margin loop for ``x[i, j, k] = a[i, k] s[i, j] b[j, k]``: margin (i, k) then (j, k).

    Iteration counts, the stopping rule and the 0-factor rule are those of :func:`~migdev.flows.ipfp.ipfp`
    on the dense array; only the rounding differs (~1e-15 relative). A matrix fit (rows then columns) is
    ``K = 1``.

    Parameters
    ----------
    s : array_like
        The ``(n, m)`` non-negative seed, recycled over the third axis.
    target_a : array_like
        ``(n, K)``: the (i, k) margin, sums over j.
    target_b : array_like
        ``(m, K)``: the (j, k) margin, sums over i.
    tol : float
        mipfp's stopping rule: stop at the first sweep whose largest absolute cell change is ``< tol``.
    max_iter : int
        Most sweeps.
    tol_margins : float
        Largest difference between the two targets' totals accepted.
    names : tuple of str
        How error messages name the two targets.
    check : bool
        Check non-negativity and consistent totals (callers that have checked already pass False).
    structure : {"dense", "ones", "offdiag_ones"}
        Declares ``s`` all ones (without/with a zero diagonal), so the products become column sums
        instead of matrix products.

    Returns
    -------
    ScaledFit
        The factors ``a`` and ``b`` (``dense(s)`` builds ``x``), ``conv``, ``iterations``, ``final_change``
        (mipfp's ``final_stp_crit``) and ``error_margins``.

    Raises
    ------
    EstimationError
        Negative or missing seed or target cells, or target totals that differ by more than ``tol_margins``.

    References
    ----------
    mipfp 3.2.1 ``Ipfp``, as migest 2.0.5 ``ffs_demo`` calls it; Barthelemy & Suesse (2018), Journal of
    Statistical Software 86 (Code Snippet 2).

    Examples
    --------
    The matrix of :func:`~migdev.flows.ipf.ipf2`'s example fitted to its row and column totals (``K = 1``):

    >>> s = np.array([[0, 30, 10, 20], [15, 0, 5, 10], [10, 20, 0, 30], [5, 10, 15, 0]])
    >>> fit = fit_scaled(s, [[60], [40], [50], [30]], [[40], [55], [35], [50]])
    >>> fit.dense(s)[:, :, 0].round(1)
    array([[ 0. , 29.9, 12.3, 17.8],
           [23. ,  0. ,  7. , 10.1],
           [11.3, 16.6,  0. , 22.2],
           [ 5.8,  8.5, 15.7,  0. ]])
    >>> fit.iterations, fit.conv
    (8, True)
    """
    s = np.asarray(s, dtype=float)
    ta = np.asarray(target_a, dtype=float)
    tb = np.asarray(target_b, dtype=float)
    if check:
        _check_non_negative(s, "seed")
        _check_non_negative(ta, names[0])
        _check_non_negative(tb, names[1])
        _check_consistent([float(ta.sum()), float(tb.sum())], tol_margins, names)
    k_dim = ta.shape[1]
    st = np.ascontiguousarray(s.T)
    if k_dim == 1 and structure == "dense":
        a1, b1, conv, it, crit = _loop_matrix(s, st, ta[:, 0], tb[:, 0], tol, max_iter)
        a, b = a1[:, None], b1[:, None]
    else:
        a, b, conv, it, crit = _loop_general(s, st, ta, tb, tol, max_iter, structure)
    prod, prod_t = _products(s, st, structure)
    err_a = float(np.abs(ta - a * prod(b)).max()) if ta.size else float("-inf")
    err_b = float(np.abs(tb - b * prod_t(a)).max()) if tb.size else float("-inf")
    return ScaledFit(a, b, conv, it, crit, (err_a, err_b))
