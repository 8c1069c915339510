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
* ``match_birthplace_tot_method="rescale-adjust-zero-fb"`` is refused with ``ValueError``: in 2.0.5 it
  either zeroes every stock or stops with an R error, and the paper gives no rule precise enough to
  re-implement it.
* Inconsistent margins never turn into proportions (mipfp's silent switch): ``ValueError`` instead.
* Any step that would make a stock or flow negative (births beyond the native-born end stock, deaths
  beyond the start stock, deaths by accounting below zero, the ``open`` method taking more than a cell
  holds) raises ``ValueError`` naming the input, region and cause. migest either stops with
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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

import numpy as np
import pandas as pd

from migdev.flows.ipfp import IpfpCall, fit_scaled, ipfp

__all__ = [
    "FactoredFlow",
    "FlowResult",
    "FlowSum",
    "MatchedStocks",
    "StructuredFlow",
    "birth_mat",
    "death_mat",
    "ffs_demo",
    "match_birthplace_tot",
    "nb_scale_global",
    "rescale_integer_sum",
    "sum_od",
]

TOL = 1e-3
MAX_ITER = 100_000
MATCH_METHODS = ("rescale", "open", "open-dr", "rescale-adjust-zero-fb")
MATCH_GLOBAL = ("before-demo-adjust", "after-demo-adjust", "none")
ROUNDOFF = 1e-9  # relative size of negatives treated as round-off (set to 0) rather than errors


# --------------------------------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------------------------------


class StructuredFlow(Protocol):
    """A flow array kept in a compact form: the ``(n, n, n)`` array and the origin x destination matrix on demand."""

    def dense(self) -> np.ndarray:
        """``flow[i, j, k]`` (origin, destination, place of birth)."""
        ...

    def od(self) -> np.ndarray:
        """``flow`` summed over places of birth, with a zero diagonal (stayers removed)."""
        ...


@dataclass(frozen=True)
class FactoredFlow:
    """``flow[i, j, k] = a[i, k] * seed[i, j] * b[j, k]`` off the diagonal; ``diag[i, k]`` on it if given.

    This is the form of every two-margin fit on (origin, pob) and (destination, pob) from a 2-d seed (``None``:
    all ones), i.e. of both final fits of ``ffs_demo`` (stayers on the diagonal for the stayer path). It takes
    O(n^2) memory where the dense array takes n^3 (97 MiB at n = 230), and the sums the estimators need are
    matrix products: ``od = seed * (a @ b.T)``, and per place of birth the total and the inner product of
    the off-diagonal cells with those of another factored flow.
    """

    a: np.ndarray  # (n, K)
    b: np.ndarray  # (n, K)
    seed: np.ndarray | None = None  # (n, n); None = all ones
    diag: np.ndarray | None = None  # (n, K): replaces the diagonal i == j

    def dense(self) -> np.ndarray:
        flow = self.a[:, None, :] * self.b[None, :, :]
        if self.seed is not None:
            flow *= self.seed[:, :, None]
        if self.diag is not None:
            idx = np.arange(flow.shape[0])
            flow[idx, idx, :] = self.diag
        return flow

    def od(self) -> np.ndarray:
        od = self.a @ self.b.T  # sum over k of a[i, k] b[j, k]: one BLAS call
        if self.seed is not None:
            od *= self.seed
        np.fill_diagonal(od, 0.0)
        return od

    def scaled(self, w: np.ndarray) -> FactoredFlow:
        """The flow with every place of birth ``k`` multiplied by ``w[k]``."""
        return FactoredFlow(self.a * w, self.b, self.seed, None if self.diag is None else self.diag * w)

    def diagonal(self) -> np.ndarray:
        """``flow[i, i, k]`` as ``[i, k]`` (the stayers)."""
        if self.diag is not None:
            return self.diag
        seed_diag = np.ones(self.a.shape[0]) if self.seed is None else np.diag(self.seed)
        return self.a * seed_diag[:, None] * self.b

    def off_cross(self, other: FactoredFlow) -> np.ndarray:
        """Per place of birth, ``sum over i != j of self[i, j, k] * other[i, j, k]``, by one matrix product.

        ``sum_i (a a')[i] sum_{j != i} (s s')[i, j] (b b')[j]``: the seed product with its diagonal zeroed
        gives the sums over j != i directly. Every term is >= 0, so nothing cancels (subtracting the
        diagonal from a full sum would lose digits where stayers dominate).
        """
        n = self.a.shape[0]
        s = np.ones((n, n))
        for seed in (self.seed, other.seed):
            if seed is not None:
                s = s * seed
        np.fill_diagonal(s, 0.0)
        return (self.a * other.a * (s @ (self.b * other.b))).sum(axis=0)

    def totals(self) -> np.ndarray:
        """Per place of birth, the sum over all (i, j) cells (stayers included)."""
        ones = FactoredFlow(np.ones_like(self.a), np.ones_like(self.b))
        return self.off_cross(ones) + self.diagonal().sum(axis=0)


@dataclass(frozen=True)
class FlowSum:
    """A sum of factored flows (the pseudo-Bayes blend of two fits)."""

    terms: tuple[FactoredFlow, ...]

    def dense(self) -> np.ndarray:
        flow = self.terms[0].dense()
        for t in self.terms[1:]:
            flow += t.dense()
        return flow

    def od(self) -> np.ndarray:
        od = self.terms[0].od()
        for t in self.terms[1:]:
            od += t.od()
        return od


@dataclass(init=False, eq=False)
class FlowResult:
    """A flow estimate: ``flow[i, j, k]`` (origin, destination, place of birth) plus diagnostics.

    ``ipfp_calls`` lists every fit in migest's order (compare with the reference ``ipfp_calls``);
    ``steps`` holds the intermediate stocks and matrices under migest's names (``stock_start1`` ...).

    The 3-d array is n^3 doubles (97 MiB at n = 230) while most users (the build) only need :attr:`od`. So an
    estimator may pass ``structured`` (anything with ``dense()`` and ``od()``, e.g. :class:`FactoredFlow`)
    instead of ``flow``: :attr:`od` then comes from the compact form and :attr:`flow` is built on first access.
    """

    labels: list[Any]
    method: str = "ffs_demo"
    iterations: int | None = None
    final_change: float | None = None
    ipfp_calls: list[IpfpCall] = field(default_factory=list)
    steps: dict[str, Any] = field(default_factory=dict, repr=False)
    notes: list[str] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)
    structured: StructuredFlow | None = field(default=None, repr=False)

    def __init__(
        self,
        flow: np.ndarray | None = None,
        labels: Sequence[Any] = (),
        method: str = "ffs_demo",
        iterations: int | None = None,
        final_change: float | None = None,
        ipfp_calls: list[IpfpCall] | None = None,
        steps: dict[str, Any] | None = None,
        notes: list[str] | None = None,
        options: dict[str, Any] | None = None,
        *,
        structured: StructuredFlow | None = None,
    ) -> None:
        if flow is None and structured is None:
            raise ValueError("FlowResult needs the flow array or its structured form")
        self._flow = flow
        self.labels = list(labels)
        self.method = method
        self.iterations = iterations
        self.final_change = final_change
        self.ipfp_calls = list(ipfp_calls) if ipfp_calls is not None else []
        self.steps = steps if steps is not None else {}
        self.notes = notes if notes is not None else []
        self.options = options if options is not None else {}
        self.structured = structured
        self._matched: _Matched | None = None  # set by ffs_demo: its state after step 9

    @property
    def flow(self) -> np.ndarray:
        """The ``(n, n, n)`` array ``flow[i, j, k]``, built from :attr:`structured` on first access."""
        if self._flow is None:
            self._flow = self.structured.dense()
        return self._flow

    @flow.setter
    def flow(self, value: np.ndarray) -> None:
        self._flow = value
        self.structured = None
        self.__dict__.pop("od", None)

    @cached_property
    def od(self) -> pd.DataFrame:
        """Origin x destination flows (place of birth summed, stayers removed)."""
        if self._flow is None:
            lab = self.labels
            return pd.DataFrame(
                self.structured.od(), index=pd.Index(lab, name="orig"), columns=pd.Index(lab, name="dest")
            )
        return sum_od(self._flow, zero_diag=True, add_margins=False, labels=self.labels)

    @cached_property
    def account(self) -> np.ndarray:
        """The ``(n+2) x (n+2) x n`` demographic account: origins + birth/outside, destinations + death/outside.

        ``account[:n, :n] = flow``; ``account[n, j, k] = b_mat[k, j]`` (births); ``account[i, n, k] =
        d_mat[k, i]`` (deaths); ``account[i, n+1, k] = out_mat[k, i]`` (leavers to outside);
        ``account[n+1, j, k] = in_mat[k, j]`` (arrivals from outside).
        """
        n = len(self.labels)
        y = np.zeros((n + 2, n + 2, n))
        y[:n, :n, :] = self.flow
        zeros = np.zeros((n, n))
        b_mat = self.steps.get("b_mat", zeros)
        d_mat = self.steps.get("d_mat", zeros)
        in_mat = self.steps.get("in_mat", zeros)
        out_mat = self.steps.get("out_mat", zeros)
        y[n, :n, :] = b_mat.T
        y[:n, n, :] = d_mat.T
        y[:n, n + 1, :] = out_mat.T
        y[n + 1, :n, :] = in_mat.T
        return y

    @property
    def account_labels(self) -> tuple[list[Any], list[Any], list[Any]]:
        """Axis labels of :attr:`account`: (origins, destinations, places of birth)."""
        lab = list(self.labels)
        return [*lab, "birth", "outside"], [*lab, "death", "outside"], lab

    def to_frame(self, drop_zero: bool = False) -> pd.DataFrame:
        """Tidy table with columns origin, destination, birthplace, flow (one row per cell)."""
        n = len(self.labels)
        lab = np.asarray(self.labels, dtype=object)
        i, j, k = np.meshgrid(np.arange(n), np.arange(n), np.arange(n), indexing="ij")
        df = pd.DataFrame(
            {
                "origin": lab[i.ravel()],
                "destination": lab[j.ravel()],
                "birthplace": lab[k.ravel()],
                "flow": self.flow.ravel(),
            }
        )
        if drop_zero:
            df = df[df["flow"] != 0].reset_index(drop=True)
        return df


@dataclass(frozen=True)
class MatchedStocks:
    """Output of :func:`match_birthplace_tot`: stocks whose place-of-birth totals agree, and the moves
    to/from outside the system (non-zero only for the open methods)."""

    stock_start: np.ndarray
    stock_end: np.ndarray
    in_mat: np.ndarray
    out_mat: np.ndarray
    ipfp_calls: tuple[IpfpCall, ...] = ()


# --------------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------------


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


def _label(labels: Sequence[Any] | None, i: int) -> Any:
    return labels[i] if labels is not None else i


def _scale(*arrays: np.ndarray) -> float:
    return max([1.0] + [float(np.max(np.abs(a))) for a in arrays if a.size])


def _clip_roundoff(x: np.ndarray, scale: float) -> np.ndarray:
    """Set negatives within round-off to 0; leave real negatives for the caller to report."""
    x = np.array(x, dtype=float)
    x[(x < 0) & (x > -ROUNDOFF * scale)] = 0.0
    return x


def _first_negative(x: np.ndarray) -> tuple[int, int] | None:
    bad = np.argwhere(x < 0)
    return (int(bad[0][0]), int(bad[0][1])) if len(bad) else None


def _r_round(x: np.ndarray) -> np.ndarray:
    """R's round(): half to even, as numpy."""
    return np.round(x)


# --------------------------------------------------------------------------------------------------
# components
# --------------------------------------------------------------------------------------------------


def _ris(x: np.ndarray, total: float, index: int | None) -> tuple[np.ndarray, float, int | None]:
    x = np.asarray(x, dtype=float)
    xx = _r_round(x * total / x.sum())
    rem = float(total - xx.sum())
    used = None
    if rem != 0:
        used = int(np.argmax(np.abs(x))) if index is None else int(index)
        xx[used] += rem
    return xx, rem, used


def rescale_integer_sum(x: Any, total: float, index: int | None = None) -> np.ndarray:
    """Scale ``x`` to sum to ``total`` with integer cells (R rounding, half to even), remainder on one cell.

    Used to rebalance native-born stocks without introducing fractions. The remainder goes to ``index``
    if given, else to the first index of the largest ``|x|`` (migest picks one at random).
    """
    return _ris(np.asarray(x, dtype=float), float(total), index)[0]


def _nb_scale_global(s1, s2, b, d, remainder_index, ris_log=None):
    s1 = s1.copy()
    s2 = s2.copy()
    idx = list(remainder_index) if remainder_index is not None else []

    def ris(x, tot):
        pick = idx.pop(0) if idx else None
        out, rem, used = _ris(x, tot, pick)
        if ris_log is not None:
            ris_log.append({"x": x.copy(), "tot": tot, "result": out, "remainder": rem, "index": used})
        return out

    dd = float(np.sum(b - d) - np.sum(s2 - s1))
    tot1 = float(np.trace(s1))
    tot2 = float(np.trace(s2))
    r = dd - 2.0 * np.floor(dd / 2.0)  # R's floored %%
    if _r_round(r) == 0 and r != 0:
        np.fill_diagonal(s2, ris(np.diag(s2).copy(), tot2 + 1))
        dd = float(np.sum(b - d) - np.sum(s2 - s1))
        tot2 = float(np.trace(s2))
    if dd != 0:
        np.fill_diagonal(s1, ris(np.diag(s1).copy(), tot1 - dd / 2))
        np.fill_diagonal(s2, ris(np.diag(s2).copy(), tot2 + dd / 2))
    return s1, s2


def nb_scale_global(
    stock_start: Any,
    stock_end: Any,
    births: Any = None,
    deaths: Any = None,
    remainder_index: Sequence[int | None] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Rebalance the native-born (diagonal) stocks so that the world adds up: growth = births - deaths.

    Half of the global discrepancy ``dd = sum(b - d) - sum(S2 - S1)`` is taken from the start natives and
    half added to the end natives (integer rescaling, :func:`rescale_integer_sum`). ``remainder_index``
    gives, in call order, the cell receiving each rounding remainder (None: our deterministic rule).
    """
    s1 = _matrix(stock_start, "stock_start")
    s2 = _matrix(stock_end, "stock_end")
    b = _vector(births, s1.shape[0], "births")
    d = _vector(deaths, s1.shape[0], "deaths")
    return _nb_scale_global(s1, s2, b, d, remainder_index)


def _birth_mat(b, s2, method, non_negative, calls, notes, labels):
    if method == "native":
        bm = np.diag(b).astype(float)
        if non_negative:
            over = np.diag(s2) - b < 0
            if over.any():
                seed = bm.copy()
                seed[:, over] = s2[:, over]
                bm = _fit_columns(seed, b, "birth_mat", calls, "stock_end")
                for j in np.flatnonzero(over):
                    notes.append(
                        f"births in region {_label(labels, j)} ({b[j]:g}) exceed the native-born end stock "
                        f"({s2[j, j]:g}); spread over all places of birth in proportion to stock_end"
                    )
        return bm
    if method == "proportion":
        return _fit_columns(s2, b, "birth_mat", calls, "stock_end")
    raise ValueError(f"birth_method must be 'native' or 'proportion', not {method!r}")


def birth_mat(births: Any, stock_end: Any, method: str = "native", non_negative: bool = True) -> np.ndarray:
    """Births by place of birth x residence ``[pob, por]`` for the regional birth counts.

    ``native``: all births are native-born (diagonal); with ``non_negative`` a region whose births exceed
    its native-born end stock has them spread over the column of ``stock_end`` instead.
    ``proportion``: births spread over every column of ``stock_end`` in proportion.
    """
    s2 = _matrix(stock_end, "stock_end")
    b = _vector(births, s2.shape[0], "births")
    return _birth_mat(b, s2, method, non_negative, None, [], None)


def _death_mat(d, s1, method, s2, b, calls, labels):
    if method == "proportion":
        return _fit_columns(s1, d, "death_mat", calls, "stock_start")
    if method == "accounting":
        d_pob = s1.sum(axis=1) + b - s2.sum(axis=1)
        neg = np.flatnonzero(d_pob < 0)
        if len(neg):
            k = int(neg[0])
            raise ValueError(
                f"death_method='accounting': deaths by place of birth are negative for "
                f"{_label(labels, k)} ({d_pob[k]:g}): the end stock born there ({s2[k].sum():g}) exceeds "
                f"the start stock ({s1[k].sum():g}) plus the births used as births by place of birth "
                f"({b[k]:g}); use death_method='proportion'"
            )
        try:
            fit = fit_scaled(
                s1,
                d_pob[:, None],
                d[:, None],
                TOL,
                MAX_ITER,
                TOL,
                names=("deaths by place of birth (accounting)", "deaths by residence"),
            )
        except ValueError as exc:
            raise ValueError(
                f"death_method='accounting' needs stocks consistent with births and deaths: {exc}"
            ) from None
        _log(calls, "death_mat", fit, [d_pob, d])
        return fit.dense(s1)[:, :, 0]
    raise ValueError(f"death_method must be 'proportion' or 'accounting', not {method!r}")


def death_mat(
    deaths: Any,
    stock_start: Any,
    method: str = "proportion",
    stock_end: Any = None,
    births: Any = None,
) -> np.ndarray:
    """Deaths by place of birth x residence ``[pob, por]`` for the regional death counts.

    ``proportion``: each region's deaths spread over its start stock. ``accounting``: deaths by place of
    birth are implied by the stocks (start + births - end) and fitted jointly with deaths by residence.
    """
    s1 = _matrix(stock_start, "stock_start")
    n = s1.shape[0]
    d = _vector(deaths, n, "deaths")
    s2 = _matrix(stock_end, "stock_end") if stock_end is not None else np.zeros_like(s1)
    b = _vector(births, n, "births")
    return _death_mat(d, s1, method, s2, b, None, None)


def _match(s1, s2, method, calls, labels):
    n = s1.shape[0]
    if method == "rescale-adjust-zero-fb":
        raise ValueError(
            "match_birthplace_tot_method='rescale-adjust-zero-fb' is not supported: migest 2.0.5's version "
            "is broken (it zeroes every stock or stops with an R error); use 'rescale'"
        )
    if method not in MATCH_METHODS:
        raise ValueError(f"match_birthplace_tot_method must be one of {MATCH_METHODS}, not {method!r}")
    dd = s1.sum(axis=1) - s2.sum(axis=1)
    zero_call = IpfpCall(
        "match_birthplace_tot", 2, (0.0, 0.0), 1 if float(np.max(s1, initial=0.0)) < 1e-5 else 2, True, 0.0
    )
    if method == "rescale":
        total1, total2 = float(s1.sum()), float(s2.sum())
        if abs(total1 - total2) > TOL:
            raise ValueError(
                "match_birthplace_tot_method='rescale' needs stocks with equal world totals, but stock_start "
                f"sums to {total1!r} and stock_end to {total2!r}; balance them first (match_global) - "
                "mipfp would silently return proportions"
            )
        mid = np.maximum(s1.sum(axis=1) - dd / 2, 0.0)
        mid2 = np.maximum(s2.sum(axis=1) + dd / 2, 0.0)
        r1 = _fit_rows_cols(
            s1,
            mid,
            s1.sum(axis=0),
            "match_birthplace_tot",
            calls,
            ("place-of-birth totals (mid-period)", "stock_start residence totals"),
        )
        r2 = _fit_rows_cols(
            s2,
            mid2,
            s2.sum(axis=0),
            "match_birthplace_tot",
            calls,
            ("place-of-birth totals (mid-period)", "stock_end residence totals"),
        )
        if calls is not None:
            calls.append(zero_call)
        return r1, r2, np.zeros((n, n)), np.zeros((n, n))
    if calls is not None:
        calls.append(zero_call)
    if method == "open":
        in_mat = _fit_rows(s1, np.maximum(-dd, 0.0), "match_birthplace_tot", calls, "stock_start")
        out_mat = _fit_rows(s2, np.maximum(dd, 0.0), "match_birthplace_tot", calls, "stock_end")
    else:  # open-dr
        in_mat = _fit_rows(s2, np.maximum(-dd, 0.0), "match_birthplace_tot", calls, "stock_end")
        out_mat = _fit_rows(s1, np.maximum(dd, 0.0), "match_birthplace_tot", calls, "stock_start")
    r1 = s1 - out_mat
    r2 = s2 - in_mat
    scale = _scale(s1, s2)
    r1 = _clip_roundoff(r1, scale)
    r2 = _clip_roundoff(r2, scale)
    for name, arr, took in (("stock_start", r1, out_mat), ("stock_end", r2, in_mat)):
        bad = _first_negative(arr)
        if bad is not None:
            k, i = bad
            raise ValueError(
                f"match_birthplace_tot_method={method!r} made {name} negative for place of birth "
                f"{_label(labels, k)}, residence {_label(labels, i)} ({arr[k, i]:g}): it removes "
                f"{took[k, i]:g} there, distributed like the other stock table (migest 2.0.5 as coded); "
                "use 'open-dr', which distributes by the same table and cannot go negative"
            )
    return r1, r2, in_mat, out_mat


def match_birthplace_tot(stock_start: Any, stock_end: Any, method: str = "rescale") -> MatchedStocks:
    """Make the place-of-birth (row) totals of the two stock tables agree.

    ``rescale`` (closed system): both tables are fitted to the mid-point of their row totals keeping their
    column totals; requires equal world totals (raises otherwise; mipfp would return proportions).
    ``open``/``open-dr`` (open system): the row differences are moves to/from outside the system,
    ``in_mat``/``out_mat``. ``rescale-adjust-zero-fb`` is refused (broken in migest 2.0.5).
    """
    s1 = _matrix(stock_start, "stock_start")
    s2 = _matrix(stock_end, "stock_end")
    labels = list(stock_start.index) if isinstance(stock_start, pd.DataFrame) else None
    calls: list[IpfpCall] = []
    r1, r2, i_m, o_m = _match(s1, s2, method, calls, labels)
    return MatchedStocks(r1, r2, i_m, o_m, tuple(calls))


def sum_od(
    flow: Any,
    zero_diag: bool = True,
    add_margins: bool = True,
    labels: Sequence[Any] | None = None,
) -> pd.DataFrame:
    """Origin x destination table from a 3-d ``flow[i, j, k]`` (summed over places of birth).

    ``add_margins`` appends one ``Sum`` row and column (migest's classic ``od_flow`` has two).
    """
    x = np.asarray(flow, dtype=float)
    od = x.sum(axis=2)
    if zero_diag:
        np.fill_diagonal(od, 0.0)
    lab = list(labels) if labels is not None else list(range(x.shape[0]))
    df = pd.DataFrame(od, index=pd.Index(lab, name="orig"), columns=pd.Index(lab, name="dest"))
    if add_margins:
        df["Sum"] = df.sum(axis=1)
        df.loc["Sum"] = df.sum(axis=0)
    return df


# --------------------------------------------------------------------------------------------------
# input handling
# --------------------------------------------------------------------------------------------------


def _matrix(x: Any, what: str) -> np.ndarray:
    arr = np.array(x.to_numpy() if isinstance(x, pd.DataFrame) else x, dtype=float)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise ValueError(f"{what} must be a square matrix (place of birth x residence), got shape {arr.shape}")
    if np.isnan(arr).any():
        raise ValueError(f"{what} has missing values")
    return arr


def _vector(x: Any, n: int, what: str) -> np.ndarray:
    if x is None:
        return np.zeros(n)
    arr = np.array(x.to_numpy() if isinstance(x, pd.Series) else x, dtype=float).reshape(-1)
    if arr.shape == (1,):  # a scalar is recycled, as in R
        arr = np.full(n, arr[0])
    if arr.shape != (n,):
        raise ValueError(f"{what} must have {n} values, got {arr.shape[0]}")
    if np.isnan(arr).any():
        raise ValueError(f"{what} has missing values")
    return arr


def _common_labels(stock_start, stock_end, births, deaths, labels):
    """migest step 1: labels in order of first appearance across births, deaths and both stock tables."""
    sources: list[tuple[str, list[Any]]] = []
    for name, obj in (("births", births), ("deaths", deaths)):
        if isinstance(obj, pd.Series):
            sources.append((name, list(obj.index)))
    for name, obj in (("stock_start", stock_start), ("stock_end", stock_end)):
        if isinstance(obj, pd.DataFrame):
            sources.append((f"{name} rows", list(obj.index)))
            sources.append((f"{name} columns", list(obj.columns)))
    if not sources:
        return list(labels) if labels is not None else None
    order: list[Any] = []
    seen: set[Any] = set()
    for _, lab in sources:
        for v in lab:
            if v not in seen:
                seen.add(v)
                order.append(v)
    for name, lab in sources:
        if len(lab) != len(order) or set(lab) != seen:
            missing = [v for v in order if v not in set(lab)]
            raise ValueError(f"{name} do not cover the same regions as the other inputs (missing {missing[:5]})")
    if labels is not None and list(labels) != order and set(labels) == seen:
        order = list(labels)
    return order


def _reindex_matrix(x: Any, labels, what: str) -> np.ndarray:
    if isinstance(x, pd.DataFrame) and labels is not None:
        x = x.reindex(index=labels, columns=labels)
    return _matrix(x, what)


def _reindex_vector(x: Any, labels, n: int, what: str) -> np.ndarray:
    if isinstance(x, pd.Series) and labels is not None:
        x = x.reindex(labels)
    return _vector(x, n, what)


def _check_input(arr: np.ndarray, what: str, labels, off_diagonal_only: bool = False) -> None:
    bad = arr < 0
    if arr.ndim == 2 and off_diagonal_only:
        bad = bad & ~np.eye(arr.shape[0], dtype=bool)
    if bad.any():
        pos = tuple(int(v) for v in np.argwhere(bad)[0])
        where = ", ".join(str(_label(labels, p)) for p in pos)
        raise ValueError(f"{what} must be non-negative: {what}[{where}] = {arr[pos]:g}")


def _nb_non_zero(s: np.ndarray, what: str, notes: list[str], labels) -> np.ndarray:
    """migest's nb_non_zero: a negative native-born cell is set to 0, its column keeping its total."""
    neg = np.flatnonzero(np.diag(s) < 0)
    if not len(neg):
        return s
    s = s.copy()
    p = np.maximum(s, 0.0)
    for i in neg:
        s[:, i] = p[:, i] * s[:, i].sum() / p[:, i].sum()
        notes.append(f"{what}: negative native-born stock in {_label(labels, i)} set to 0, column total kept")
    return s


def _seed_array(seed: Any, labels, n: int) -> np.ndarray | None:
    if seed is None:
        return None
    is_frame = isinstance(seed, pd.DataFrame)
    arr = _reindex_matrix(seed, labels, "seed") if is_frame else np.array(seed, dtype=float)
    if arr.ndim not in (2, 3) or arr.shape[:2] != (n, n) or (arr.ndim == 3 and arr.shape[2] != n):
        raise ValueError(f"seed must be (n, n) or (n, n, n) with n = {n}, got {arr.shape}")
    _check_input(arr, "seed", None)
    return arr


# --------------------------------------------------------------------------------------------------
# ffs_demo
# --------------------------------------------------------------------------------------------------


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

    Stocks are place of birth (rows) x place of residence (columns), as DataFrames with the same labels
    (reordered to a common order as migest does) or arrays with ``labels``; births/deaths are Series by
    label or arrays (None: zeros). ``stayer_assumption=True`` fixes stayers at ``min(start, end)`` and fits
    movers by quasi-independence (Abel & Sander 2014), computed in closed form per place of birth;
    ``False`` fits all cells by independence (Azose & Raftery 2019) or towards ``seed``.
    ``remainder_index`` injects the cells that receive the rounding remainders of ``nb_scale_global``.
    Returns a :class:`FlowResult`; inconsistent or impossible inputs raise ``ValueError``. Its 3-d ``flow``
    is built on first access (:class:`FactoredFlow`); ``od`` alone never forms the n^3 array.
    """
    matched = _demo_matched(
        stock_start,
        stock_end,
        births,
        deaths,
        seed,
        match_global,
        match_birthplace_tot_method,
        birth_method,
        birth_non_negative,
        death_method,
        labels,
        remainder_index,
    )
    return _demo_flows(matched, stayer_assumption)


@dataclass(frozen=True)
class _Matched:
    """``ffs_demo`` after step 9: the matched stocks, and what steps 0-9 logged. Both final fits (with and
    without the stayer assumption) start from here, so the pseudo-Bayes estimate runs steps 0-9 once."""

    s1: np.ndarray
    s2: np.ndarray
    seed: np.ndarray | None
    labels: list[Any]
    calls: tuple[IpfpCall, ...]
    steps: dict[str, Any]
    notes: tuple[str, ...]
    options: dict[str, Any]


def _demo_matched(
    stock_start: Any,
    stock_end: Any,
    births: Any = None,
    deaths: Any = None,
    seed: Any = None,
    match_global: str = "before-demo-adjust",
    match_birthplace_tot_method: str = "rescale",
    birth_method: str = "native",
    birth_non_negative: bool = True,
    death_method: str = "proportion",
    labels: Sequence[Any] | None = None,
    remainder_index: Sequence[int | None] | int | None = None,
) -> _Matched:
    """Steps 0-9 of ``ffs_demo``: checks, native-born, global balance, births, deaths, matching."""
    if match_global not in MATCH_GLOBAL:
        raise ValueError(f"match_global must be one of {MATCH_GLOBAL}, not {match_global!r}")
    if match_birthplace_tot_method == "rescale-adjust-zero-fb":
        _match(np.zeros((1, 1)), np.zeros((1, 1)), match_birthplace_tot_method, None, None)
    if match_birthplace_tot_method not in MATCH_METHODS:
        raise ValueError(f"match_birthplace_tot_method must be one of {MATCH_METHODS}")
    if birth_method not in ("native", "proportion"):
        raise ValueError(f"birth_method must be 'native' or 'proportion', not {birth_method!r}")
    if death_method not in ("proportion", "accounting"):
        raise ValueError(f"death_method must be 'proportion' or 'accounting', not {death_method!r}")

    # 0-1: common labels and arrays
    lab = _common_labels(stock_start, stock_end, births, deaths, labels)
    s1 = _reindex_matrix(stock_start, lab, "stock_start")
    n = s1.shape[0]
    s2 = _reindex_matrix(stock_end, lab, "stock_end")
    if s2.shape != s1.shape:
        raise ValueError(f"stock_start is {s1.shape} but stock_end is {s2.shape}")
    if lab is None:
        lab = list(range(n))
    if len(lab) != n:
        raise ValueError(f"{len(lab)} labels for {n} regions")
    b = _reindex_vector(births, lab, n, "births")
    d = _reindex_vector(deaths, lab, n, "deaths")
    _check_input(s1, "stock_start", lab, off_diagonal_only=True)
    _check_input(s2, "stock_end", lab, off_diagonal_only=True)
    _check_input(b, "births", lab)
    _check_input(d, "deaths", lab)
    seed_arr = _seed_array(seed, lab, n)
    if isinstance(remainder_index, int | np.integer):
        remainder_index = [int(remainder_index)]

    notes: list[str] = []
    calls: list[IpfpCall] = []
    steps: dict[str, Any] = {"r": list(lab)}
    rescaling = match_birthplace_tot_method in ("rescale", "rescale-adjust-zero-fb")

    # 3: negative native-born
    s1 = _nb_non_zero(s1, "stock_start", notes, lab)
    s2 = _nb_non_zero(s2, "stock_end", notes, lab)
    steps["stock_start1"], steps["stock_end1"] = s1, s2
    # 4: global balance before the demographic adjustment
    if match_global == "before-demo-adjust" and rescaling:
        ris_log: list[dict[str, Any]] = []
        s1, s2 = _nb_scale_global(s1, s2, b, d, remainder_index, ris_log)
        steps["rescale_integer_sum"] = ris_log
    steps["stock_start2"], steps["stock_end2"] = s1, s2
    # 5-6: births and deaths by place of birth x residence
    b_mat = _birth_mat(b, s2, birth_method, birth_non_negative, calls, notes, lab)
    d_mat = _death_mat(d, s1, death_method, s2, b, calls, lab)
    steps["b_mat"], steps["d_mat"] = b_mat, d_mat
    # 7: remove them
    scale = _scale(s1, s2)
    s1 = _clip_roundoff(s1 - d_mat, scale)
    s2 = _clip_roundoff(s2 - b_mat, scale)
    bad = _first_negative(s2)
    if bad is not None:
        k, j = bad
        if birth_method == "native" and k == j:
            why = (
                f"births in region {lab[j]} ({b[j]:g}) exceed the native-born end stock there "
                f"({s2[j, j] + b_mat[j, j]:g}); use birth_non_negative=True to spread them"
            )
        else:
            why = (
                f"births in region {lab[j]} ({b[j]:g}) allocated to those born in {lab[k]} "
                f"({b_mat[k, j]:g}) exceed that end stock ({s2[k, j] + b_mat[k, j]:g})"
            )
        raise ValueError(f"stock_end minus births is negative: {why}")
    bad = _first_negative(s1)
    if bad is not None:
        k, i = bad
        kind = "deaths by accounting" if death_method == "accounting" else "deaths"
        raise ValueError(
            f"stock_start minus deaths is negative: {kind} exceed the stock for place of birth {lab[k]} "
            f"living in {lab[i]} ({d_mat[k, i]:g} deaths for a stock of {s1[k, i] + d_mat[k, i]:g})"
        )
    steps["stock_start3"], steps["stock_end3"] = s1, s2
    # 8: global balance after the demographic adjustment (no rounding)
    if match_global == "after-demo-adjust" and rescaling:
        gap = float(s2.sum() - s1.sum())
        s1 = s1.copy()
        s2 = s2.copy()
        d1 = np.diag(s1)
        d2 = np.diag(s2)
        np.fill_diagonal(s1, d1 + 0.5 * gap * d1 / d1.sum())
        np.fill_diagonal(s2, d2 - 0.5 * gap * d2 / d2.sum())
        if (np.diag(s1) < 0).any() or (np.diag(s2) < 0).any():
            raise ValueError("after-demo-adjust global balancing made a native-born stock negative")
    steps["stock_start4"], steps["stock_end4"] = s1, s2
    # 9: match place-of-birth totals
    s1, s2, in_mat, out_mat = _match(s1, s2, match_birthplace_tot_method, calls, lab)
    steps["stock_start5"], steps["stock_end5"] = s1, s2
    steps["in_mat"], steps["out_mat"] = in_mat, out_mat

    options = {
        "match_global": match_global,
        "match_birthplace_tot_method": match_birthplace_tot_method,
        "birth_method": birth_method,
        "birth_non_negative": birth_non_negative,
        "death_method": death_method,
    }
    return _Matched(s1, s2, seed_arr, list(lab), tuple(calls), steps, tuple(notes), options)


def _demo_flows(matched: _Matched, stayer_assumption: bool) -> FlowResult:
    """Step 10 of ``ffs_demo`` on matched stocks: the final fit, with or without the stayer assumption."""
    calls = list(matched.calls)
    steps = dict(matched.steps)
    if stayer_assumption:
        flow, main = _stayer_flows(matched.s1, matched.s2, matched.seed, calls, steps)
    else:
        flow, main = _independence_flows(matched.s1, matched.s2, matched.seed, calls)
    lazy = not isinstance(flow, np.ndarray)
    res = FlowResult(
        flow=None if lazy else flow,
        labels=list(matched.labels),
        method="ffs_demo",
        iterations=main.iterations,
        final_change=main.final_change,
        ipfp_calls=calls,
        steps=steps,
        notes=list(matched.notes),
        options={"stayer_assumption": stayer_assumption, **matched.options},
        structured=flow if lazy else None,
    )
    res._matched = matched  # lets da_pb_closed reuse steps 0-9 of a da_min_closed result
    return res


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
