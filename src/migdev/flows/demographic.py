"""Flows from two place-of-birth stock tables by demographic accounting (``ffs_demo`` of migest 2.0.5).

Stocks are ``S[k, i]``: people born in ``k`` (rows) living in ``i`` (columns). The estimate is a 3-d array
``flow[i, j, k]``: people born in ``k`` who lived in ``i`` at the start and in ``j`` at the end (stayers on
``i == j``). Sources: Abel (2013) Demographic Research 28:505; Abel & Sander (2014) Science 343:1520;
Abel (2018) International Migration Review 52:809; Azose & Raftery (2019) PNAS 116:116 (independence fit).

The steps follow migest 2.0.5 exactly (see the reference README): nb_non_zero, nb_scale_global, births and
deaths matrices, optional global balancing, matching the place-of-birth totals, and the final fit with
``mipfp``'s loop (:mod:`migdev.flows.ipfp`), so results and iteration counts equal migest's.

Deviations from migest 2.0.5, each deliberate (migest is wrong or random there):

* ``rescale_integer_sum`` puts the remainder on a deterministic index: the first index of the largest
  ``|x|`` (migest samples it at random); ``remainder_index`` can inject another index.
* ``match_birthplace_tot_method="rescale-adjust-zero-fb"`` is refused (``EstimationError``): in 2.0.5 it
  either zeroes every stock or stops with an R error, and the paper gives no rule precise enough to
  re-implement it.
* Inconsistent margins never turn into proportions (mipfp's silent switch): ``EstimationError`` instead.
* Any step that would make a stock or flow negative (births beyond the native-born end stock, deaths
  beyond the start stock, deaths by accounting below zero, the ``open`` method taking more than a cell
  holds) raises ``EstimationError`` naming the input, region and cause. migest either stops with
  "Target and Seed cells must be non-negative!" or, with ``stayer_assumption=True`` and ``open``,
  returns negative stayers; we raise in both cases (use ``open-dr``, which cannot go negative).
  Negatives within round-off (``1e-9`` of the largest stock) are set to 0.
* With ``stayer_assumption=True`` the user ``seed`` is used (migest ignores it): the stayer fit is
  quasi-independence with that seed and a zero diagonal. With the default seed the results are migest's.
* ``account`` holds the births row transposed correctly (``account[birth, j, k] = b_mat[k, j]``, births
  in residence j attributed to birthplace k; migest stores ``b_mat[j, k]``) and the ``outside`` row/column
  follow the flow direction: leavers to outside (``out_mat``) in the ``outside`` column, arrivals from
  outside (``in_mat``) in the ``outside`` row, so every row and column of the account adds up to the
  stocks. ``od`` has no margins (migest's classic ``od_flow`` has them twice).
* With the stayer assumption, a place of birth with no end movers keeps only a matching residual as start
  movers; it is dropped (its flows are 0 in migest too) so the final fit's margins stay consistent, where
  mipfp would switch to proportions if the residual exceeded 1e-3.

Layout: :func:`ffs_demo` is :func:`prepare` (steps 0-9: checks, native-born, global balance, births, deaths,
matching; :mod:`migdev.flows.components`, :mod:`migdev.flows.matching`) followed by :func:`fit` (step 10, with
or without the stayer assumption; its two fits are in :mod:`migdev.flows._final_fit`). The pseudo-Bayes estimate
(``da_pb_closed``) prepares once and fits twice. The result types are in :mod:`migdev.flows.result`, the input
checks in :mod:`migdev.flows._inputs`, the logged mipfp fits of every step in :mod:`migdev.flows._fits`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from migdev.errors import EstimationError
from migdev.flows import _inputs
from migdev.flows._final_fit import _independence_flows, _stayer_flows
from migdev.flows.components import (
    _birth_mat,
    _clip_roundoff,
    _death_mat,
    _first_negative,
    _nb_non_zero,
    _nb_scale_global,
    _scale,
)
from migdev.flows.ipfp import IpfpCall
from migdev.flows.matching import _check_match_method, _match
from migdev.flows.result import FlowResult

__all__ = ["DemoOptions", "DemoState", "ffs_demo", "fit", "prepare"]

MATCH_GLOBAL = ("before-demo-adjust", "after-demo-adjust", "none")


@dataclass(frozen=True)
class DemoOptions:
    """How ``ffs_demo`` prepares the stocks: the five choices of migest's ``ffs_demo`` besides the stayer rule.

    One frozen value, so that the choices are checked once (here), recorded in ``FlowResult.options`` and
    compared by ``==`` when a second fit reuses the prepared stocks of a first (``da_pb_closed``). The inputs
    themselves (stocks, births, deaths, seed, labels, remainder cells) are arguments of :func:`prepare`: they
    are data, not choices, and arrays do not compare with ``==``.

    Attributes
    ----------
    match_global : {"before-demo-adjust", "after-demo-adjust", "none"}
        When the native-born stocks are rebalanced so that world growth = births - deaths (closed system only).
    match_birthplace_tot_method : {"rescale", "open", "open-dr"}
        How the place-of-birth totals of both tables are made to agree (:func:`~migdev.flows.matching.\
match_birthplace_tot`).
    birth_method : {"native", "proportion"}
        How births are put on places of birth (:func:`~migdev.flows.components.birth_mat`).
    birth_non_negative : bool
        Spread births that exceed the native-born end stock over all places of birth.
    death_method : {"proportion", "accounting"}
        How deaths are put on places of birth (:func:`~migdev.flows.components.death_mat`).
    """

    match_global: str = "before-demo-adjust"
    match_birthplace_tot_method: str = "rescale"
    birth_method: str = "native"
    birth_non_negative: bool = True
    death_method: str = "proportion"

    def __post_init__(self) -> None:
        if self.match_global not in MATCH_GLOBAL:
            raise EstimationError(f"match_global must be one of {MATCH_GLOBAL}, not {self.match_global!r}")
        _check_match_method(self.match_birthplace_tot_method)
        if self.birth_method not in ("native", "proportion"):
            raise EstimationError(f"birth_method must be 'native' or 'proportion', not {self.birth_method!r}")
        if self.death_method not in ("proportion", "accounting"):
            raise EstimationError(f"death_method must be 'proportion' or 'accounting', not {self.death_method!r}")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class DemoState:
    """``ffs_demo`` after step 9: the matched stocks and what steps 0-9 logged, the start of every final fit."""

    stock_start: np.ndarray  # matched, [pob, por]
    stock_end: np.ndarray
    seed: np.ndarray | None
    labels: list[Any]
    ipfp_calls: tuple[IpfpCall, ...]
    steps: dict[str, Any]
    notes: tuple[str, ...]
    options: DemoOptions


def prepare(
    stock_start: Any,
    stock_end: Any,
    births: Any = None,
    deaths: Any = None,
    seed: Any = None,
    options: DemoOptions | None = None,
    *,
    labels: Sequence[Any] | None = None,
    remainder_index: Sequence[int | None] | int | None = None,
) -> DemoState:
    """Steps 0-9 of ``ffs_demo``: checks, native-born, global balance, births, deaths, matching.

    Parameters
    ----------
    stock_start, stock_end, births, deaths, seed, labels, remainder_index
        As for :func:`ffs_demo`.
    options : DemoOptions, optional
        The preparation choices (default ``DemoOptions()``, migest's defaults).

    Returns
    -------
    DemoState
        Matched stocks whose place-of-birth totals agree, ready for :func:`fit`.

    References
    ----------
    Abel (2013), Demographic Research 28:505; Abel & Sander (2014), Science 343:1520.

    Examples
    --------
    >>> s1 = np.array([[100.0, 10.0], [5.0, 200.0]])
    >>> s2 = np.array([[104.0, 12.0], [6.0, 205.0]])
    >>> state = prepare(s1, s2, births=[8, 10], deaths=[3, 4])
    >>> bool(np.allclose(state.stock_start.sum(axis=1), state.stock_end.sum(axis=1), atol=0.01))
    True
    """
    opt = options if options is not None else DemoOptions()
    # 0-1: common labels and arrays
    lab = _inputs.common_labels(stock_start, stock_end, births, deaths, labels)
    s1 = _inputs.reindex_matrix(stock_start, lab, "stock_start")
    n = s1.shape[0]
    s2 = _inputs.reindex_matrix(stock_end, lab, "stock_end")
    if s2.shape != s1.shape:
        raise EstimationError(f"stock_start is {s1.shape} but stock_end is {s2.shape}")
    if lab is None:
        lab = list(range(n))
    if len(lab) != n:
        raise EstimationError(f"{len(lab)} labels for {n} regions")
    b = _inputs.reindex_vector(births, lab, n, "births")
    d = _inputs.reindex_vector(deaths, lab, n, "deaths")
    _inputs.check_non_negative(s1, "stock_start", lab, off_diagonal_only=True)
    _inputs.check_non_negative(s2, "stock_end", lab, off_diagonal_only=True)
    _inputs.check_non_negative(b, "births", lab)
    _inputs.check_non_negative(d, "deaths", lab)
    seed_arr = _inputs.seed_array(seed, lab, n)
    if isinstance(remainder_index, int | np.integer):
        remainder_index = [int(remainder_index)]

    notes: list[str] = []
    calls: list[IpfpCall] = []
    steps: dict[str, Any] = {"r": list(lab)}
    rescaling = opt.match_birthplace_tot_method in ("rescale", "rescale-adjust-zero-fb")

    # 3: negative native-born
    s1 = _nb_non_zero(s1, "stock_start", notes, lab)
    s2 = _nb_non_zero(s2, "stock_end", notes, lab)
    steps["stock_start1"], steps["stock_end1"] = s1, s2
    # 4: global balance before the demographic adjustment
    if opt.match_global == "before-demo-adjust" and rescaling:
        ris_log: list[dict[str, Any]] = []
        s1, s2 = _nb_scale_global(s1, s2, b, d, remainder_index, ris_log)
        steps["rescale_integer_sum"] = ris_log
    steps["stock_start2"], steps["stock_end2"] = s1, s2
    # 5-6: births and deaths by place of birth x residence
    b_mat = _birth_mat(b, s2, opt.birth_method, opt.birth_non_negative, calls, notes, lab)
    d_mat = _death_mat(d, s1, opt.death_method, s2, b, calls, lab)
    steps["b_mat"], steps["d_mat"] = b_mat, d_mat
    # 7: remove them
    scale = _scale(s1, s2)
    s1 = _clip_roundoff(s1 - d_mat, scale)
    s2 = _clip_roundoff(s2 - b_mat, scale)
    bad = _first_negative(s2)
    if bad is not None:
        k, j = bad
        if opt.birth_method == "native" and k == j:
            why = (
                f"births in region {lab[j]} ({b[j]:g}) exceed the native-born end stock there "
                f"({s2[j, j] + b_mat[j, j]:g}); use birth_non_negative=True to spread them"
            )
        else:
            why = (
                f"births in region {lab[j]} ({b[j]:g}) allocated to those born in {lab[k]} "
                f"({b_mat[k, j]:g}) exceed that end stock ({s2[k, j] + b_mat[k, j]:g})"
            )
        raise EstimationError(f"stock_end minus births is negative: {why}")
    bad = _first_negative(s1)
    if bad is not None:
        k, i = bad
        kind = "deaths by accounting" if opt.death_method == "accounting" else "deaths"
        raise EstimationError(
            f"stock_start minus deaths is negative: {kind} exceed the stock for place of birth {lab[k]} "
            f"living in {lab[i]} ({d_mat[k, i]:g} deaths for a stock of {s1[k, i] + d_mat[k, i]:g})"
        )
    steps["stock_start3"], steps["stock_end3"] = s1, s2
    # 8: global balance after the demographic adjustment (no rounding)
    if opt.match_global == "after-demo-adjust" and rescaling:
        gap = float(s2.sum() - s1.sum())
        s1 = s1.copy()
        s2 = s2.copy()
        d1 = np.diag(s1)
        d2 = np.diag(s2)
        np.fill_diagonal(s1, d1 + 0.5 * gap * d1 / d1.sum())
        np.fill_diagonal(s2, d2 - 0.5 * gap * d2 / d2.sum())
        if (np.diag(s1) < 0).any() or (np.diag(s2) < 0).any():
            raise EstimationError("after-demo-adjust global balancing made a native-born stock negative")
    steps["stock_start4"], steps["stock_end4"] = s1, s2
    # 9: match place-of-birth totals
    s1, s2, in_mat, out_mat = _match(s1, s2, opt.match_birthplace_tot_method, calls, lab)
    steps["stock_start5"], steps["stock_end5"] = s1, s2
    steps["in_mat"], steps["out_mat"] = in_mat, out_mat
    return DemoState(s1, s2, seed_arr, list(lab), tuple(calls), steps, tuple(notes), opt)


def fit(state: DemoState, stayer_assumption: bool = True) -> FlowResult:
    """Step 10 of ``ffs_demo`` on prepared stocks: the final fit, with or without the stayer assumption.

    Parameters
    ----------
    state : DemoState
        The output of :func:`prepare`; it is not changed, so one state can be fitted both ways.
    stayer_assumption : bool
        As for :func:`ffs_demo`.

    Returns
    -------
    FlowResult
        The estimate, with ``state`` attached (``FlowResult.state``).

    References
    ----------
    Abel & Sander (2014), Science 343:1520 (stayers); Azose & Raftery (2019), PNAS 116:116 (independence).

    Examples
    --------
    >>> s1 = np.array([[100.0, 10.0], [5.0, 200.0]])
    >>> s2 = np.array([[104.0, 12.0], [6.0, 205.0]])
    >>> state = prepare(s1, s2, births=[8, 10], deaths=[3, 4])
    >>> fit(state).od.round(3)
    dest      0      1
    orig
    0     0.000  1.487
    1     1.496  0.000
    >>> float(fit(state, stayer_assumption=False).od.to_numpy().sum().round(3))
    30.191
    """
    calls = list(state.ipfp_calls)
    steps = dict(state.steps)
    if stayer_assumption:
        flow, main = _stayer_flows(state.stock_start, state.stock_end, state.seed, calls, steps)
    else:
        flow, main = _independence_flows(state.stock_start, state.stock_end, state.seed, calls)
    lazy = not isinstance(flow, np.ndarray)
    return FlowResult(
        flow=None if lazy else flow,
        labels=list(state.labels),
        method="ffs_demo",
        iterations=main.iterations,
        final_change=main.final_change,
        ipfp_calls=calls,
        steps=steps,
        notes=list(state.notes),
        options={"stayer_assumption": stayer_assumption, **state.options.as_dict()},
        structured=flow if lazy else None,
        state=state,
    )


def ffs_demo(
    stock_start: Any,
    stock_end: Any,
    births: Any = None,
    deaths: Any = None,
    seed: Any = None,
    stayer_assumption: bool = True,
    match_global: str = "before-demo-adjust",
    match_birthplace_tot_method: str = "rescale",
    birth_method: str = "native",
    birth_non_negative: bool = True,
    death_method: str = "proportion",
    labels: Sequence[Any] | None = None,
    remainder_index: Sequence[int | None] | int | None = None,
) -> FlowResult:
    """Bilateral flows by place of birth from two stock tables, births and deaths (migest ``ffs_demo``).

    ``prepare(...)`` then ``fit(state, stayer_assumption)``; the 3-d ``flow`` of the result is built on first
    access (:class:`~migdev.flows.result.FactoredFlow`), ``od`` alone never forms the n^3 array.

    Parameters
    ----------
    stock_start, stock_end : DataFrame or array_like
        Stocks, place of birth (rows) x place of residence (columns). DataFrames with the same labels are put
        in a common order as migest does; arrays take ``labels``.
    births, deaths : Series or array_like, optional
        Period totals by region of residence (default zeros); Series are aligned by label.
    seed : array_like, optional
        ``(n, n)`` or ``(n, n, n)`` seed of the final fit (default: all ones).
    stayer_assumption : bool
        True: stayers are ``min(start, end)`` and movers follow quasi-independence (Abel & Sander 2014), in
        closed form per place of birth. False: all cells are fitted by independence (Azose & Raftery 2019)
        or towards ``seed``.
    match_global, match_birthplace_tot_method, birth_method, birth_non_negative, death_method
        The preparation choices, see :class:`DemoOptions`.
    labels : sequence, optional
        Region labels for array inputs, or an order for DataFrames with the same labels.
    remainder_index : int or sequence of int, optional
        The cells that take the rounding remainders of ``nb_scale_global`` (to reproduce a migest run).

    Returns
    -------
    FlowResult
        ``flow[i, j, k]`` (origin, destination, place of birth), ``od``, ``account`` and diagnostics.

    Raises
    ------
    EstimationError
        Inconsistent or impossible inputs (negative stocks, births beyond the stocks, unknown options).

    References
    ----------
    Abel (2013), Demographic Research 28:505; Abel & Sander (2014), Science 343:1520; Abel (2018),
    International Migration Review 52:809; Azose & Raftery (2019), PNAS 116:116; migest 2.0.5 ``ffs_demo``.

    Examples
    --------
    >>> import pandas as pd
    >>> r = ["A", "B", "C"]
    >>> s1 = pd.DataFrame([[1000, 100, 10], [10, 500, 50], [30, 20, 800]], index=r, columns=r)
    >>> s2 = pd.DataFrame([[950, 150, 20], [10, 520, 40], [25, 20, 830]], index=r, columns=r)
    >>> res = ffs_demo(s1, s2)
    >>> res.od.round(1)
    dest    A     B     C
    orig
    A     0.0  54.5  19.5
    B     0.0   0.0   1.5
    C     0.0   7.1   0.0
    """
    options = DemoOptions(match_global, match_birthplace_tot_method, birth_method, birth_non_negative, death_method)
    state = prepare(
        stock_start, stock_end, births, deaths, seed, options, labels=labels, remainder_index=remainder_index
    )
    return fit(state, stayer_assumption)
