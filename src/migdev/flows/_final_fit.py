"""Step 10 of ``ffs_demo``: the final fit of the matched stocks, with or without the stayer assumption.

:func:`migdev.flows.demographic.fit` chooses between the two: quasi-independence with stayers fixed at
``min(start, end)`` (Abel & Sander 2014) or independence within each place of birth (Azose & Raftery 2019).
Both keep the factored form ``a[i, k] seed[i, j] b[j, k]`` whenever the seed is absent or 2-d, so they return a
:class:`~migdev.flows.result.FactoredFlow` and the n^3 array is built only on request; a 3-d seed needs the
dense :func:`~migdev.flows.ipfp.ipfp`. Every fit is logged like migest's ``ipfp_calls``
(:mod:`migdev.flows._fits`).
"""

from __future__ import annotations

import numpy as np

from migdev.flows._fits import MAX_ITER, TOL, _fit_columns, _log
from migdev.flows.ipfp import ipfp
from migdev.flows.result import FactoredFlow
from migdev.flows.scaled import fit_scaled


def _stayer_flows(s1, s2, seed, calls, steps):
    """Quasi-independence: stayers = min(start, end) per (residence, pob); movers fitted off the diagonal.

    Each (i, k) has at most one of x0 (leavers) and x1 (arrivals) positive, so with a uniform seed the fit
    is closed form, ``f[i, j, k] = x0[i, k] x1[j, k] / sum_i x0[i, k]``, reached by mipfp in 2 sweeps; the
    factored engine runs those sweeps on (n, n) factors and returns them as a :class:`FactoredFlow` (stayers
    on its diagonal), so n^3 cells are touched only if someone asks for the 3-d array. A 3-d seed needs
    the dense fit.
    """
    n = s1.shape[0]
    stay = np.minimum(s1, s2).T  # [i, k]
    x0 = s1.T - stay
    x1 = s2.T - stay
    steps["stayers"] = stay
    steps["x0"] = x0
    x1 = _fit_columns(x1, x0.sum(axis=0), "ffs_demo", calls, "end movers (x1)")
    steps["x1"] = x1
    # A place of birth whose end movers are all 0 keeps only the matching residual (< the fit tolerance) as
    # start movers; mipfp's fit gives it zero flows anyway, but the leftover would unbalance the two margins
    # (mipfp would then switch to proportions). Drop it so both margins add up.
    dead = (x1.sum(axis=0) == 0) & (x0.sum(axis=0) > 0)
    if dead.any():
        x0 = x0.copy()
        x0[:, dead] = 0.0
    idx = np.arange(n)
    if seed is None or seed.ndim == 2:
        s = np.ones((n, n)) if seed is None else np.array(seed, dtype=float)
        s[idx, idx] = 0.0
        structure = "offdiag_ones" if seed is None else "dense"
        names = ("start movers (x0)", "end movers (x1)")
        fit = fit_scaled(s, x0, x1, TOL, MAX_ITER, TOL, names=names, structure=structure)
        _log(calls, "ffs_demo", fit, [x0, x1])
        flow = FactoredFlow(fit.a, fit.b, None if seed is None else s, stay)
        main = fit
    else:
        s3 = np.array(seed, dtype=float)
        s3[idx, idx, :] = 0.0
        main = ipfp(
            s3, [(0, 2), (1, 2)], [x0, x1], TOL, MAX_ITER, TOL, target_names=["start movers (x0)", "end movers (x1)"]
        )
        _log(calls, "ffs_demo", main, [x0, x1])
        flow = main.x
        flow[idx, idx, :] = stay
    steps["main_ipf"] = {"iterations": main.iterations, "conv": main.conv, "final_stp_crit": main.final_change}
    return flow, main


def _independence_flows(s1, s2, seed, calls):
    """Independence within each place of birth (Azose & Raftery 2019): all cells fitted, no stayer rule.

    With no seed or a 2-d one the fit keeps the form ``a[i, k] seed[i, j] b[j, k]`` (a :class:`FactoredFlow`).
    """
    n = s1.shape[0]
    names = ("stock_start (origin x pob)", "stock_end (destination x pob)")
    if seed is None or seed.ndim == 2:
        s = np.ones((n, n)) if seed is None else np.array(seed, dtype=float)
        structure = "ones" if seed is None else "dense"
        fit = fit_scaled(s, s1.T, s2.T, TOL, MAX_ITER, TOL, names=names, structure=structure)
        _log(calls, "ffs_demo", fit, [s1.T, s2.T])
        return FactoredFlow(fit.a, fit.b, None if seed is None else s), fit
    main = ipfp(seed, [(0, 2), (1, 2)], [s1.T, s2.T], TOL, MAX_ITER, TOL, target_names=list(names))
    _log(calls, "ffs_demo", main, [s1.T, s2.T])
    return main.x, main
