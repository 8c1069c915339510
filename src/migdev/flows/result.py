"""What the flow estimators return: the result object and the compact forms that keep its n^3 array implicit.

A flow estimate is a 3-d array ``flow[i, j, k]`` (origin, destination, place of birth), n^3 doubles: 97 MiB at
n = 230, while the build needs only the origin x destination sums. So every estimator hands back its flows in a
structured form (anything with ``dense()`` and ``od()``, :class:`StructuredFlow`) and :class:`FlowResult` builds
the 3-d array only when ``.flow`` is read:

* :class:`FactoredFlow` -- ``a[i, k] seed[i, j] b[j, k]``: every two-margin fit of ``ffs_demo``;
* :class:`FlowSum` -- a sum of factored flows: the pseudo-Bayes blend of ``da_pb_closed``;
* :class:`BirthplaceFlow` -- each move on its own place of birth: stock differencing and the rate estimate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

from migdev.flows.components import sum_od
from migdev.flows.ipfp import IpfpCall

if TYPE_CHECKING:
    from migdev.flows.demographic import DemoState

__all__ = ["BirthplaceFlow", "FactoredFlow", "FlowResult", "FlowSum", "StructuredFlow"]


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

    ``state`` is set by :func:`migdev.flows.demographic.fit`: the prepared stocks the fit started from, so that
    another fit of the same inputs (the pseudo-Bayes blend) can start there without redoing steps 0-9.
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
    state: DemoState | None = field(default=None, repr=False)

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
        state: DemoState | None = None,
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
        self.state = state

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


def _on_birthplace(od: np.ndarray) -> np.ndarray:
    """Embed moves of people born in i (i -> j) into flow[i, j, k=i] so that od = flow.sum(axis=2)."""
    n = od.shape[0]
    flow = np.zeros((n, n, n))
    idx = np.arange(n)
    flow[idx, :, idx] = od
    return flow


@dataclass(frozen=True)
class BirthplaceFlow:
    """Moves put on one place of birth each: ``flow[i, j, i] = leave[i, j]`` and ``flow[j, i, i] += back[i, j]``.

    The stock-differencing and rate estimates know the origin x destination matrix directly; the 3-d array
    (n^3 doubles, almost all zero) is built only if asked for. ``back[i, j]`` is a return move of people born
    in ``i`` from ``j`` to ``i`` (``sd_rev_neg``).
    """

    leave: np.ndarray
    back: np.ndarray | None = None

    def dense(self) -> np.ndarray:
        flow = _on_birthplace(self.leave)
        if self.back is not None:
            idx = np.arange(flow.shape[0])
            flow[:, idx, idx] += self.back.T  # flow[j, i, i] += back[i, j]
        return flow

    def od(self) -> np.ndarray:
        # each (i, j) gets leave[i, j] (k = i) and back[j, i] (k = j): one addition, as in dense().sum(axis=2)
        return self.leave.copy() if self.back is None else self.leave + self.back.T
