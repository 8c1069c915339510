"""The six named flow estimates of Abel & Cohen (2019), selected by name.

Abel, G. J. & Cohen, J. E. (2019). Bilateral international migration flow estimates for 200 countries.
Scientific Data 6:82, doi:10.1038/s41597-019-0089-3. Every estimate turns two place-of-birth stock tables
(rows = place of birth, columns = place of residence) into flows for the period between them:

========================  =====================================================================
``sd_drop_neg``           stock differencing, decreases dropped
``sd_rev_neg``            stock differencing, decreases reversed into return flows
``mig_rate``              a global flow total distributed like the migrant stock (Dennett)
``da_min_open``           demographic accounting, minimum migration, open system
``da_min_closed``         demographic accounting, minimum migration, closed system
``da_pb_closed``          demographic accounting, pseudo-Bayesian, closed system
========================  =====================================================================

Each result is a :class:`~migdev.flows.result.FlowResult` with ``flow[i, j, k]`` (origin,
destination, place of birth). The stock-differencing and rate estimates know no stayers and put every
move of people born in ``k`` on that place of birth. All results are non-negative. Every estimate keeps
its flows in a structured form (:class:`~migdev.flows.result.BirthplaceFlow`,
:class:`~migdev.flows.result.FactoredFlow`), so ``.od`` costs O(n^2) memory and the n^3 ``.flow`` array
(97 MiB at n = 230) is built only when read.

``vital`` is a DataFrame indexed by region with ``births`` and ``deaths`` (period totals) and optionally
``pop_start``/``pop_end``. With populations the native-born cells (diagonal) are set to population minus
foreign-born, as Abel & Cohen do for the UN tables, which carry no native-born counts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from migdev.errors import EstimationError
from migdev.flows._inputs import stocks_and_vital as _prepare
from migdev.flows.demographic import DemoOptions, DemoState, ffs_demo, fit, prepare
from migdev.flows.result import BirthplaceFlow, FactoredFlow, FlowResult, FlowSum

__all__ = ["METHODS", "estimate"]


def _differences(s1: pd.DataFrame, s2: pd.DataFrame) -> np.ndarray:
    y = s2.to_numpy() - s1.to_numpy()
    np.fill_diagonal(y, 0.0)
    return y


# --------------------------------------------------------------------------------------------------
# the six estimates
# --------------------------------------------------------------------------------------------------


def sd_drop_neg(stocks: Any, vital: pd.DataFrame | None = None, **_: Any) -> FlowResult:
    """Stock differencing, negatives dropped (Beine, Bertoli & Fernández-Huertas Moraga 2016; Abel & Cohen 2019).

    Assumes every increase of a bilateral foreign-born stock (born i, living j) is a move i -> j during the
    period and that decreases are deaths or onward moves, i.e. not flows: flow = max(S2 - S1, 0) off the
    diagonal (migest ``ffs_diff(decrease="zero")``). Ignores births, deaths, native-born and return moves.
    """
    s1, s2, _, _ = _prepare(stocks, vital)
    od = np.maximum(_differences(s1, s2), 0.0)
    return FlowResult(None, list(s1.index), method="sd_drop_neg", structured=BirthplaceFlow(od))


def sd_rev_neg(stocks: Any, vital: pd.DataFrame | None = None, **_: Any) -> FlowResult:
    """Stock differencing, negatives reversed (Beine & Parsons 2015; Abel & Cohen 2019).

    As ``sd_drop_neg`` for increases; a decrease of the stock born in i living in j is taken as a return
    move j -> i of those people (migest ``ffs_diff(decrease="return")``). Ignores births and deaths.
    """
    s1, s2, _, _ = _prepare(stocks, vital)
    y = _differences(s1, s2)
    pos = np.maximum(y, 0.0)
    neg = np.maximum(-y, 0.0)  # born i living j decreased -> return j -> i, place of birth i
    return FlowResult(None, list(s1.index), method="sd_rev_neg", structured=BirthplaceFlow(pos, neg))


def mig_rate(
    stocks: Any, vital: pd.DataFrame | None = None, *, global_flow: float | None = None, **options: Any
) -> FlowResult:
    """Migration rates (Dennett 2016, Applied Spatial Analysis and Policy 9:263; Abel & Cohen 2019).

    Assumes the global number of movers ``global_flow`` is known and that movers are distributed like the
    start-of-period foreign-born stock: flow[i -> j] = M * S1[i, j] / sum(S1 off-diagonal) (migest
    ``ffs_rates(method="dennett")``). Dennett took M from earlier demographic-accounting estimates; when
    ``global_flow`` is None we do the same with the ``da_min_closed`` total for these inputs. A caller that
    has run ``da_min_closed`` already passes its total as ``global_flow`` (the build does) and saves a run.
    """
    s1, s2, b, d = _prepare(stocks, vital)
    p = s1.to_numpy(copy=True)
    np.fill_diagonal(p, 0.0)
    if global_flow is None:
        ref = da_min_closed((s1, s2), _vital(b, d), **options)
        global_flow = float(ref.od.to_numpy().sum())
    if global_flow < 0:
        raise EstimationError(f"global_flow must be non-negative, got {global_flow}")
    total = p.sum()
    od = global_flow * p / total if total > 0 else np.zeros_like(p)
    res = FlowResult(None, list(s1.index), method="mig_rate", structured=BirthplaceFlow(od))
    res.options["global_flow"] = global_flow
    return res


def _vital(b: pd.Series, d: pd.Series) -> pd.DataFrame:
    return pd.DataFrame({"births": b, "deaths": d})


def _demo(s1, s2, b, d, seed, name, **kwargs) -> FlowResult:
    res = ffs_demo(s1, s2, b, d, seed=seed, **kwargs)
    res.method = name
    return res


def da_min_open(stocks: Any, vital: pd.DataFrame | None = None, *, seed: Any = None, **options: Any) -> FlowResult:
    """Demographic accounting, minimum migration, open system (Abel 2013, Demographic Research 28:505).

    Assumes stayers are as many as possible (min of start and end stock per place of birth and residence),
    movers follow quasi-independence, and differences in place-of-birth totals not explained by births and
    deaths are moves to/from outside the system. ``ffs_demo`` with ``match_birthplace_tot_method="open-dr"``
    (the Demographic Research variant; migest's ``open`` can make stocks negative, see ``ffs_demo``).
    """
    s1, s2, b, d = _prepare(stocks, vital)
    kw = {"stayer_assumption": True, "match_birthplace_tot_method": "open-dr"} | options
    return _demo(s1, s2, b, d, seed, "da_min_open", **kw)


def da_min_closed(stocks: Any, vital: pd.DataFrame | None = None, *, seed: Any = None, **options: Any) -> FlowResult:
    """Demographic accounting, minimum migration, closed system (Abel & Sander 2014, Science 343:1520; Abel 2018).

    Assumes a closed world: stocks are rebalanced so that global growth equals births minus deaths and both
    tables are rescaled to common place-of-birth totals; then stayers are maximal and movers follow
    quasi-independence. ``ffs_demo`` with its defaults.
    """
    s1, s2, b, d = _prepare(stocks, vital)
    kw = {"stayer_assumption": True, "match_birthplace_tot_method": "rescale"} | options
    return _demo(s1, s2, b, d, seed, "da_min_closed", **kw)


def da_pb_closed(
    stocks: Any,
    vital: pd.DataFrame | None = None,
    *,
    seed: Any = None,
    min_migration: FlowResult | None = None,
    **options: Any,
) -> FlowResult:
    """Demographic accounting, pseudo-Bayesian, closed system (Azose & Raftery 2019, PNAS 116:116).

    The minimum-migration estimate (``da_min_closed``) assumes as few movers as possible. Azose & Raftery
    shrink it towards the independence fit (no stayer rule, ``stayer_assumption=False``), which has no
    structural zeros, with the pseudo-Bayes estimator of Bishop, Fienberg & Holland (1975, ch. 12):
    within each place of birth with N people, p = min/N, lambda = indep/N and
    ``K = (1 - sum p^2) / sum (lambda - p)^2``; estimate = N (N p + K lambda) / (N + K). Both tables share
    the (origin, birthplace) and (destination, birthplace) margins, so the blend keeps them.

    Provisional: with N the whole population born in each place, K is of order 10-1000 and the weight of the
    independence fit is tiny on national tables (median 5e-6 on UN IMS 2024), so the totals stay within 0.01% of
    ``da_min_closed``, far below Azose & Raftery's published 1.1-1.3% of the world population per 5 years. Our
    reading of their N and K is not confirmed; check against the paper before relying on this method.

    Both fits start from the same matched stocks (``ffs_demo`` steps 0-9), which are computed once; a
    caller holding the ``da_min_closed`` result for the same stocks, vital statistics, seed and options
    passes it as ``min_migration`` and only the independence fit is added. Each fit is a product of (n, n) factors
    (:class:`~migdev.flows.result.FactoredFlow`, rank 1 per place of birth without a seed), so N,
    sum p^2, sum lambda^2 and sum p lambda, hence K, come from matrix products in O(n^2) memory, and the blend
    ``(1 - w) min + w (N_min / N_indep) indep`` (``w = K / (N + K)``) stays factored: its ``od`` is two
    matrix products and the n^3 array is built only on access to ``flow``. A 3-d seed has no such
    structure and is blended densely.
    """
    s1, s2, b, d = _prepare(stocks, vital)
    base = {"match_birthplace_tot_method": "rescale"} | options
    base.pop("stayer_assumption", None)
    inputs = {k: base.pop(k) for k in ("labels", "remainder_index") if k in base}
    opts = DemoOptions(**base)
    if min_migration is None:
        state = prepare(s1, s2, b, d, seed, opts, **inputs)
        mm = fit(state, True)
    else:
        mm = min_migration
        state = _check_min_migration(mm, list(s1.index), opts)
    ind = fit(state, False)
    if isinstance(mm.structured, FactoredFlow) and isinstance(ind.structured, FactoredFlow):
        k_hat, w, blend = _pseudo_bayes_factored(mm.structured, ind.structured)
        flow = None
    else:
        k_hat, w, flow = _pseudo_bayes_dense(mm.flow, ind.flow)
        blend = None
    return FlowResult(
        flow,
        mm.labels,
        method="da_pb_closed",
        iterations=mm.iterations,
        final_change=mm.final_change,
        ipfp_calls=mm.ipfp_calls + ind.ipfp_calls,
        steps={"pseudo_bayes_K": k_hat, "weight_independence": w, **mm.steps},
        notes=mm.notes + ind.notes,
        options=mm.options | {"pseudo_bayes": True},
        structured=blend,
    )


def _check_min_migration(mm: FlowResult, labels: list[Any], options: DemoOptions) -> DemoState:
    """The prepared stocks of a ``da_min_closed`` result, if it was made with these regions and options."""
    state = mm.state
    if state is None or mm.options.get("stayer_assumption") is not True:
        raise EstimationError("min_migration must be a da_min_closed (ffs_demo with the stayer assumption) result")
    if state.options != options or list(state.labels) != labels:
        raise EstimationError(
            f"min_migration was estimated for other regions or options ({state.options.as_dict()}) than this "
            f"estimate ({options.as_dict()})"
        )
    return state


def _pseudo_bayes_factored(mm: FactoredFlow, ind: FactoredFlow):
    """K, w and the pseudo-Bayes blend of two factored fits, in O(n^2) memory (no n^3 array).

    With p = mm / N and lambda = ind / N_ind per place of birth, ``sum (lambda - p)^2`` is the sum over the
    diagonal (stayers, taken cell by cell) plus, off the diagonal, ``sum p^2 - 2 sum p lambda + sum lambda^2``
    from :meth:`FactoredFlow.off_cross`. Keeping the diagonal apart matters: the stayers are most of p and
    lambda and nearly equal, and expanding them too would cancel most digits of K.
    The blend ``N ((1 - w) p + w lambda)`` is ``(1 - w) mm + (w N / N_ind) ind``: again factored. ``1 - sum p^2``
    is never negative (p >= 0 sums to 1), so a round-off below 0 is taken as 0 and the blend stays >= 0.
    """
    n_mm = mm.totals()
    n_in = ind.totals()
    with np.errstate(invalid="ignore", divide="ignore"):
        inv_mm = np.where(n_mm > 0, 1.0 / n_mm, 0.0)
        inv_in = np.where(n_in > 0, 1.0 / n_in, 0.0)
        d_p = mm.diagonal() * inv_mm
        d_lam = ind.diagonal() * inv_in
        off_p2 = mm.off_cross(mm) * inv_mm**2
        spread = (
            off_p2
            - 2.0 * mm.off_cross(ind) * inv_mm * inv_in
            + ind.off_cross(ind) * inv_in**2
            + ((d_lam - d_p) ** 2).sum(axis=0)
        )
        sum_p2 = off_p2 + (d_p**2).sum(axis=0)
        k_hat = np.where(spread > 0, np.maximum(1.0 - sum_p2, 0.0) / spread, 0.0)
        w = np.where(n_mm + k_hat > 0, k_hat / (n_mm + k_hat), 0.0)
    return k_hat, w, FlowSum((mm.scaled(1.0 - w), ind.scaled(w * n_mm * inv_in)))


def _pseudo_bayes_dense(f_mm: np.ndarray, f_in: np.ndarray):
    """K, w and the pseudo-Bayes blend on dense arrays (fits from 3-d seeds, which are not factored)."""
    n_mm = f_mm.sum(axis=(0, 1))
    n_in = f_in.sum(axis=(0, 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(n_mm > 0, f_mm / n_mm, 0.0)
        lam = np.where(n_in > 0, f_in / n_in, 0.0)
        spread = ((lam - p) ** 2).sum(axis=(0, 1))
        k_hat = np.where(spread > 0, (1.0 - (p**2).sum(axis=(0, 1))) / spread, 0.0)
        w = np.where(n_mm + k_hat > 0, k_hat / (n_mm + k_hat), 0.0)
    flow = n_mm * ((1.0 - w) * p + w * lam)
    return k_hat, w, np.maximum(flow, 0.0)


METHODS: dict[str, Callable[..., FlowResult]] = {
    "sd_drop_neg": sd_drop_neg,
    "sd_rev_neg": sd_rev_neg,
    "mig_rate": mig_rate,
    "da_min_open": da_min_open,
    "da_min_closed": da_min_closed,
    "da_pb_closed": da_pb_closed,
}


def estimate(
    method: str,
    stocks: Any,
    vital: pd.DataFrame | None = None,
    *,
    seed: Any = None,
    global_flow: float | None = None,
    **options: Any,
) -> FlowResult:
    """Run one of the six Abel & Cohen (2019) estimates by name (see :data:`METHODS`).

    Parameters
    ----------
    method : str
        A key of :data:`METHODS` (``sd_drop_neg``, ``sd_rev_neg``, ``mig_rate``, ``da_min_open``,
        ``da_min_closed``, ``da_pb_closed``).
    stocks : tuple of DataFrame or array_like
        ``(stock_start, stock_end)``, place of birth (rows) x residence (columns).
    vital : DataFrame, optional
        By region: ``births``, ``deaths`` (period totals) and optionally ``pop_start``/``pop_end``, from which
        the native-born cells are derived.
    seed : array_like, optional
        Seed of the final fit of the demographic-accounting estimates.
    global_flow : float, optional
        The world total of movers for ``mig_rate`` (default: the ``da_min_closed`` total).
    **options
        Passed to ``ffs_demo`` (see :class:`~migdev.flows.demographic.DemoOptions`), or ``min_migration`` for
        ``da_pb_closed``.

    Returns
    -------
    FlowResult
        ``flow[i, j, k]`` in a structured form, ``od`` and diagnostics; ``method`` names the estimate.

    References
    ----------
    Abel & Cohen (2019), Scientific Data 6:82, doi:10.1038/s41597-019-0089-3.

    Examples
    --------
    >>> r = ["A", "B", "C"]
    >>> s1 = pd.DataFrame([[1000, 100, 10], [10, 500, 50], [30, 20, 800]], index=r, columns=r)
    >>> s2 = pd.DataFrame([[950, 150, 20], [10, 520, 40], [25, 20, 830]], index=r, columns=r)
    >>> vital = pd.DataFrame({"births": [30, 20, 25], "deaths": [20, 15, 10]}, index=r)
    >>> estimate("da_min_closed", (s1, s2), vital).od.round(1)
    dest    A     B     C
    orig
    A     0.0  53.6  16.5
    B     0.0   0.0   0.3
    C     0.1   7.7   0.0
    >>> {m: float(estimate(m, (s1, s2), vital).od.to_numpy().sum().round(1)) for m in ("sd_drop_neg", "mig_rate")}
    {'sd_drop_neg': 60.0, 'mig_rate': 78.2}
    """
    fn = METHODS.get(method)
    if fn is None:
        raise EstimationError(f"unknown method {method!r}; choose one of {sorted(METHODS)}")
    if method == "mig_rate":
        return fn(stocks, vital, global_flow=global_flow, **options)
    if method.startswith("sd_"):
        return fn(stocks, vital)
    return fn(stocks, vital, seed=seed, **options)
