"""The logged mipfp fits of ``ffs_demo``'s steps, shared by :mod:`~migdev.flows.components`,
:mod:`~migdev.flows.matching` and the final fit (:mod:`migdev.flows._final_fit`).

Every fit inside ``ffs_demo`` uses migest's tolerance and iteration limit (``TOL``, ``MAX_ITER``: mipfp's
``tol = 1e-3`` on cells and on margins) and is recorded as an :class:`~migdev.flows.ipfp.IpfpCall`, so a run
can be compared call by call with migest's ``ipfp_calls``. One-margin fits use the dense
:func:`~migdev.flows.ipfp.ipfp`; two-margin fits of a matrix use the factored
:func:`~migdev.flows.scaled.fit_scaled` (same iterations, no n^3 array).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from migdev.flows.ipfp import IpfpCall, ipfp
from migdev.flows.scaled import fit_scaled

TOL = 1e-3
MAX_ITER = 100_000


def _log(calls: list[IpfpCall] | None, caller: str, res: Any, targets: Sequence[np.ndarray]) -> None:
    if calls is not None:
        calls.append(
            IpfpCall(
                caller,
                len(targets),
                tuple(float(np.sum(t)) for t in targets),
                res.iterations,
                res.conv,
                res.final_change,
                tuple(res.error_margins),
            )
        )


def _fit_columns(seed: np.ndarray, col_target: np.ndarray, caller: str, calls, what: str) -> np.ndarray:
    """One-margin mipfp fit on columns: each column j scaled to col_target[j] (0 if either sum is 0)."""
    res = ipfp(seed, [(1,)], [col_target], TOL, MAX_ITER, TOL, seed_name=what, target_names=["column target"])
    _log(calls, caller, res, [col_target])
    return res.x


def _fit_rows(seed: np.ndarray, row_target: np.ndarray, caller: str, calls, what: str) -> np.ndarray:
    res = ipfp(seed, [(0,)], [row_target], TOL, MAX_ITER, TOL, seed_name=what, target_names=["row target"])
    _log(calls, caller, res, [row_target])
    return res.x


def _fit_rows_cols(seed, rows, cols, caller, calls, names) -> np.ndarray:
    """Two-margin mipfp fit (rows then columns) via the factored engine; consistent totals required."""
    fit = fit_scaled(seed, rows[:, None], cols[:, None], TOL, MAX_ITER, TOL, names=names)
    _log(calls, caller, fit, [rows, cols])
    return fit.dense(np.asarray(seed, dtype=float))[:, :, 0]
