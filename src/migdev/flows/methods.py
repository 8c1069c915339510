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

__all__ = ["METHODS", "PB_WEIGHT", "estimate", "global_flow_from_net"]


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
    stocks: Any,
    vital: pd.DataFrame | None = None,
    *,
    global_flow: float | None = None,
    net_migration: Any = None,
    **options: Any,
) -> FlowResult:
    """Migration rates (Dennett 2016, Applied Spatial Analysis and Policy 9:263; Abel & Cohen 2019).

    Assumes the global number of movers ``global_flow`` is known and that movers are distributed like the
    start-of-period foreign-born stock: flow[i -> j] = M * S1[i, j] / sum(S1 off-diagonal) (migest
    ``ffs_rates(method="dennett")``). Abel & Cohen take M from WPP: the sum of |net migration| over the areas
    after the net figures are rescaled to sum to zero (:func:`global_flow_from_net`); pass ``net_migration``
    (by region) for that, or ``global_flow`` directly. With neither, the ``da_min_closed`` total of these inputs
    is used (the earlier convention, which makes the two totals equal by construction).
    """
    s1, s2, b, d = _prepare(stocks, vital)
    p = s1.to_numpy(copy=True)
    np.fill_diagonal(p, 0.0)
    if global_flow is None and net_migration is not None:
        global_flow = global_flow_from_net(net_migration)
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


def global_flow_from_net(net_migration: Any) -> float:
    """The world's movers implied by net migration: sum of |net| once the figures are rescaled to sum to zero.

    Over a set of areas WPP's net migration does not sum exactly to zero (the world's is zero by construction,
    but areas are missing or merged). The immigration side (sum of positives, P) and the emigration side (sum of
    |negatives|, N) are each rescaled to their mean (P + N) / 2, so the figures sum to zero without changing
    anyone's sign; the global flow is then the sum of |net|, P + N. A sign-preserving multiplicative rescaling
    keeps countries with a net of zero at zero (a shift by the mean would not).

    Parameters
    ----------
    net_migration : array_like
        Net migration by region over the period (persons; positive = net immigration).

    Returns
    -------
    float
        The global number of movers, ``P + N``; 0 when one side is empty.

    References
    ----------
    Abel & Cohen (2019), Scientific Data 6:82 (the ``mig_rate`` estimate).

    Examples
    --------
    >>> global_flow_from_net([300.0, -100.0, -100.0])
    500.0
    """
    net = np.asarray(net_migration, dtype=float)
    if not np.isfinite(net).all():
        raise EstimationError("net_migration has missing or non-finite values")
    pos, neg = net[net > 0].sum(), -net[net < 0].sum()
    if pos == 0 or neg == 0:
        return 0.0
    mean = (pos + neg) / 2.0
    rescaled = np.where(net > 0, net * mean / pos, net * mean / neg)
    return float(np.abs(rescaled).sum())


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


#: Weight of the independence fit in ``da_pb_closed`` (Abel & Cohen 2019, after Azose & Raftery 2019).
PB_WEIGHT = 0.13


def da_pb_closed(
    stocks: Any,
    vital: pd.DataFrame | None = None,
    *,
    seed: Any = None,
    min_migration: FlowResult | None = None,
    weight: float = PB_WEIGHT,
    **options: Any,
) -> FlowResult:
    """Demographic accounting, pseudo-Bayesian, closed system (Azose & Raftery 2019, PNAS 116:116).

    ``(1 - w) * da_min_closed + w * independence``, cell by cell on the (origin, destination, place of birth)
    tables, as Abel & Cohen (2019) computed it: ``da_min_closed`` assumes as many stayers as possible (the
    fewest movers the stocks allow); ``independence`` is the demographic-accounting fit of the same matched
    stocks without the stayer rule (``ffs_demo(..., stayer_assumption=False)``), which moves far too many.
    Both fits have the same (origin, place of birth) and (destination, place of birth) margins, so any blend
    keeps them.

    ``w`` is one fixed weight, a calibration constant, not estimated from the tables: Azose & Raftery chose it
    so that the blended estimates best matched the flows reported by countries with good registers (their
    validation against reported flows, 1990-2015), and Abel & Cohen used the same value, 0.13, for all periods.
    With it the global totals on IMS 2020 + WPP 2022 come out about 1.7-2.2 times ``da_min_closed``
    (published: 72.7 M for 1990-1995, 101.2 M for 2015-2020). An earlier reading of the method as the
    Bishop-Fienberg-Holland pseudo-Bayes estimator with weight K/(N + K) per place of birth gave weights of
    order 1e-6 on national tables and was dropped.

    Both fits start from the same matched stocks (``ffs_demo`` steps 0-9), which are computed once; a caller
    holding the ``da_min_closed`` result for the same stocks, vital statistics, seed and options passes it as
    ``min_migration`` and only the independence fit is added. Each fit is a product of (n, n) factors
    (:class:`~migdev.flows.result.FactoredFlow`), so the blend stays factored (its ``od`` is two matrix
    products); a 3-d seed has no such structure and is blended densely.
    """
    if not 0.0 <= weight <= 1.0:
        raise EstimationError(f"weight must be between 0 and 1, got {weight}")
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
    n = len(mm.labels)
    if isinstance(mm.structured, FactoredFlow) and isinstance(ind.structured, FactoredFlow):
        blend = FlowSum((mm.structured.scaled(np.full(n, 1.0 - weight)), ind.structured.scaled(np.full(n, weight))))
        flow = None
    else:
        flow = np.maximum((1.0 - weight) * mm.flow + weight * ind.flow, 0.0)
        blend = None
    return FlowResult(
        flow,
        mm.labels,
        method="da_pb_closed",
        iterations=mm.iterations,
        final_change=mm.final_change,
        ipfp_calls=mm.ipfp_calls + ind.ipfp_calls,
        steps={"weight_independence": weight, "independence_total": float(ind.od.to_numpy().sum()), **mm.steps},
        notes=mm.notes + ind.notes,
        options=mm.options | {"pseudo_bayes": True, "weight": weight},
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
    net_migration: Any = None,
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
        The world total of movers for ``mig_rate``.
    net_migration : array_like, optional
        Net migration by region, from which ``mig_rate`` takes its global total (:func:`global_flow_from_net`);
        with neither, the ``da_min_closed`` total.
    **options
        Passed to ``ffs_demo`` (see :class:`~migdev.flows.demographic.DemoOptions`), or ``min_migration`` and
        ``weight`` for ``da_pb_closed``.

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
        return fn(stocks, vital, global_flow=global_flow, net_migration=net_migration, **options)
    if method.startswith("sd_"):
        return fn(stocks, vital)
    return fn(stocks, vital, seed=seed, **options)
