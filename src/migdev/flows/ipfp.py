"""Iterative proportional fitting with the exact loop of ``mipfp::Ipfp`` (mipfp 3.2.1), vectorised.

migest's ``ffs_demo`` fits every margin with ``mipfp::Ipfp``. Its stopping rule is an *absolute change of
cell values* between two sweeps (``max|x_t - x_{t-1}| < tol``, strict), margins are scaled in list order,
and a factor is 0 wherever the target or the current margin is 0. Copying that loop makes iteration counts
and (not fully converged) results equal to migest's.

Two engines share that loop:

* :func:`ipfp` (here) -- the general dense fit: one numpy reduction and one multiply per margin per sweep.
* :func:`~migdev.flows.scaled.fit_scaled` -- a factored fit for the structure ``x[i, j, k] = a[i, k] *
  s[i, j] * b[j, k]`` (:mod:`migdev.flows.scaled`), which shares this module's input checks.

Where mipfp is wrong we refuse instead of copying it: inconsistent target totals make mipfp silently
switch to proportions (the result then sums to 1); :func:`ipfp` raises ``EstimationError`` naming
the margins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from migdev.errors import EstimationError

__all__ = ["IpfpCall", "IpfpResult", "ipfp"]


@dataclass(frozen=True)
class IpfpResult:
    """Outcome of one fit: the fitted array and mipfp's diagnostics.

    ``final_change`` is mipfp's ``final_stp_crit`` (max absolute cell change in the last sweep);
    ``error_margins`` is ``max|target - margin(x)|`` per margin, in target order.
    """

    x: np.ndarray
    conv: bool
    iterations: int
    final_change: float
    error_margins: tuple[float, ...]
    changes: tuple[float, ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class IpfpCall:
    """Log entry of one fit made inside a larger estimator, comparable with migest's ``ipfp_calls``."""

    caller: str
    n_margins: int
    target_sums: tuple[float, ...]
    iterations: int
    conv: bool
    final_change: float
    error_margins: tuple[float, ...] = ()


def _check_non_negative(arr: np.ndarray, what: str) -> None:
    """mipfp stops on negative or missing cells; we do too, but say where."""
    bad = ~(arr >= 0)  # catches NaN as well
    if bad.any():
        idx = tuple(int(v) for v in np.argwhere(bad)[0])
        raise EstimationError(
            f"{what} must be non-negative and not missing: cell {idx} is {arr[idx]!r} ({int(bad.sum())} bad cell(s))"
        )


def _check_consistent(sums: Sequence[float], tol_margins: float, names: Sequence[str]) -> None:
    """mipfp switches to proportions when target totals differ; we raise instead (never return shares)."""
    for m in range(1, len(sums)):
        if abs(sums[m - 1] - sums[m]) > tol_margins:
            raise EstimationError(
                f"inconsistent margins: {names[m - 1]} sums to {sums[m - 1]!r} but {names[m]} sums to "
                f"{sums[m]!r} (difference {sums[m - 1] - sums[m]!r} > tol_margins={tol_margins}); "
                "mipfp would silently rescale everything to proportions, migdev refuses"
            )


def _factor(target: np.ndarray, current: np.ndarray) -> np.ndarray:
    """mipfp's update factor: target/current, and 0 wherever either is 0."""
    out = np.zeros(np.broadcast_shapes(target.shape, current.shape))
    np.divide(target, current, out=out, where=(target != 0) & (current != 0))
    return out


def ipfp(
    seed: np.ndarray,
    targets: Sequence[Sequence[int]],
    target_sums: Sequence[np.ndarray],
    tol: float = 1e-3,
    max_iter: int = 100_000,
    tol_margins: float = 1e-3,
    *,
    seed_name: str = "seed",
    target_names: Sequence[str] | None = None,
) -> IpfpResult:
    """Fit ``seed`` to the margins ``target_sums`` over the axes ``targets``, exactly as mipfp's loop does.

    ``targets[m]`` lists the (0-based) axes that margin ``m`` keeps; ``target_sums[m]`` is the margin array,
    its axes in the order of ``targets[m]``. Each sweep scales the margins in list order; the fit stops
    at the first sweep whose largest absolute cell change is ``< tol``. Negative or missing seed/targets
    and targets whose totals differ by more than ``tol_margins`` raise ``EstimationError``.
    """
    x = np.array(seed, dtype=float)
    names = list(target_names) if target_names is not None else [f"target {m + 1}" for m in range(len(targets))]
    _check_non_negative(x, seed_name)
    kept: list[tuple[int, ...]] = []
    tgts: list[np.ndarray] = []
    for m, (axes, t) in enumerate(zip(targets, target_sums, strict=True)):
        axes_t = tuple(int(a) for a in axes)
        t_arr = np.asarray(t, dtype=float)
        if t_arr.ndim == 0 and len(axes_t) == 0:
            t_arr = t_arr.reshape(())
        expected = tuple(x.shape[a] for a in axes_t)
        if t_arr.shape != expected:
            raise EstimationError(f"{names[m]} has shape {t_arr.shape}, expected {expected} for axes {axes_t}")
        _check_non_negative(t_arr, names[m])
        order = np.argsort(axes_t)
        sorted_axes = tuple(axes_t[i] for i in order)
        t_sorted = np.transpose(t_arr, order) if t_arr.ndim > 1 else t_arr
        shape = [1] * x.ndim
        for a in sorted_axes:
            shape[a] = x.shape[a]
        kept.append(sorted_axes)
        tgts.append(t_sorted.reshape(shape))
    if len(tgts) > 1:
        _check_consistent([float(t.sum()) for t in tgts], tol_margins, names)
    other = [tuple(a for a in range(x.ndim) if a not in k) for k in kept]

    prev = np.empty_like(x)
    diff = np.empty_like(x)
    changes: list[float] = []
    conv = False
    it = 0
    crit = float("nan")
    for it in range(1, max_iter + 1):  # noqa: B007 - the final value is the iteration count
        np.copyto(prev, x)
        for t, ax in zip(tgts, other, strict=True):
            cur = x.sum(axis=ax, keepdims=True)
            x *= _factor(t, cur)
        np.subtract(x, prev, out=diff)
        np.abs(diff, out=diff)
        crit = float(diff.max()) if diff.size else float("-inf")
        changes.append(crit)
        if crit < tol:
            conv = True
            break
    errors = tuple(
        float(np.abs(t - x.sum(axis=ax, keepdims=True)).max()) if x.size else float("-inf")
        for t, ax in zip(tgts, other, strict=True)
    )
    return IpfpResult(x, conv, it, crit, errors, tuple(changes))
