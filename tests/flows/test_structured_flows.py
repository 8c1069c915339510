"""Flows kept in structured form: ``.od`` without the n^3 array, and the O(n^2) pseudo-Bayes estimate.

The build reads only ``.od``; these tests pin that the fast paths give what the dense arrays give: the
origin x destination matrix equals the sum over places of birth of ``.flow``, and ``da_pb_closed`` equals
the previous dense computation (kept here as the reference, ``_pb_reference``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from migdev.estimates.flows_step import _flow_order
from migdev.flows.demographic import ffs_demo
from migdev.flows.methods import METHODS, estimate
from migdev.flows.result import FactoredFlow, FlowResult

from . import migest_vectors as mv


def _random_account(n: int, seed: int):
    """A gravity-like stock pair with deaths, births and moves (as the generated migest inputs, smaller)."""
    rng = np.random.default_rng(seed)
    pop = rng.lognormal(np.log(5e6), 1.5, n)
    share = 1 / (1 + np.exp(-rng.normal(-2.3, 0.7, n)))
    w = rng.random((n, n)) * (rng.random((n, n)) > 0.3)
    np.fill_diagonal(w, 0)
    w /= np.maximum(w.sum(axis=0, keepdims=True), 1e-12)
    s1 = np.round(w * share * pop)
    np.fill_diagonal(s1, np.round((1 - share) * pop))
    dead = rng.binomial(s1.astype(np.int64), 0.04)
    alive = s1 - dead
    movers = rng.binomial(alive.astype(np.int64), 0.02)
    s2 = alive - movers
    for k in range(n):
        dest = rng.random(n)
        dest[k] *= 20
        s2[k] += rng.multinomial(int(movers[k].sum()), dest / dest.sum())
    births = rng.binomial(np.diag(s1).astype(np.int64), 0.06).astype(float)
    s2[np.arange(n), np.arange(n)] += births
    s1 = np.round(s1 * np.exp(rng.normal(0, 0.05, s1.shape)))  # the global imbalance of real data
    s2 = np.round(s2 * np.exp(rng.normal(0, 0.05, s2.shape)))
    labels = [f"R{i:02d}" for i in range(n)]
    frame = lambda a: pd.DataFrame(a, index=labels, columns=labels)  # noqa: E731
    vital = pd.DataFrame({"births": births, "deaths": dead.sum(axis=0).astype(float)}, index=labels)
    return (frame(s1), frame(s2)), vital


def _migest(case: str = "ffs_demo__gen10__stT_mgBefore_mbtRescale_bNative_dProp"):
    a = mv.load(case)["args"]
    return (a["stock_start"], a["stock_end"]), pd.DataFrame({"births": a["births"], "deaths": a["deaths"]})


ACCOUNTS = {
    "random8": lambda: _random_account(8, 1),
    "random25": lambda: _random_account(25, 2),
    "random40": lambda: _random_account(40, 3),
    "migest_gen10": _migest,
    "migest_doc_e5": lambda: _migest("ffs_demo__doc_e5_science_supp"),
}


def _dense_od(flow: np.ndarray) -> np.ndarray:
    od = flow.sum(axis=2)
    np.fill_diagonal(od, 0.0)
    return od


def _assert_close(got: np.ndarray, want: np.ndarray, rtol: float = 1e-12) -> None:
    scale = float(np.abs(want).max()) if want.size else 1.0
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * scale)


@pytest.mark.parametrize("account", sorted(ACCOUNTS))
@pytest.mark.parametrize("method", sorted(METHODS))
def test_fast_od_is_the_birthplace_sum_of_flow(method, account):
    stocks, vital = ACCOUNTS[account]()
    res = estimate(method, stocks, vital)
    assert res.structured is not None  # every method can give .od without the n^3 array
    fast = res.od.to_numpy()
    assert list(res.od.index) == list(stocks[0].index) == list(res.od.columns)
    flow = res.flow  # built from the structured form on first access, then kept
    assert flow is res.flow and flow.shape == (len(res.labels),) * 3
    _assert_close(fast, _dense_od(flow))
    assert (np.diag(fast) == 0).all() and fast.min() >= 0


@pytest.mark.parametrize("stayers", [True, False])
@pytest.mark.parametrize("seeded", [False, True])
def test_ffs_demo_fast_od_with_and_without_seed(stayers, seeded):
    (s1, s2), vital = _random_account(12, 7)
    seed = np.random.default_rng(0).uniform(0.5, 2.0, (12, 12)) if seeded else None
    res = ffs_demo(s1, s2, vital["births"], vital["deaths"], seed=seed, stayer_assumption=stayers)
    assert isinstance(res.structured, FactoredFlow)
    _assert_close(res.od.to_numpy(), _dense_od(res.flow))


def test_dense_flow_results_still_work():
    flow = np.random.default_rng(0).random((4, 4, 4))
    res = FlowResult(flow, list("ABCD"), method="given")
    assert res.flow is flow and res.structured is None
    _assert_close(res.od.to_numpy(), _dense_od(flow), rtol=0)
    with pytest.raises(ValueError, match="needs the flow"):
        FlowResult(None, list("ABCD"))


@pytest.mark.parametrize("seeded", [False, True])
@pytest.mark.parametrize("with_diag", [False, True])
def test_factored_sums_equal_dense_sums(seeded, with_diag):
    rng = np.random.default_rng(5)
    n = 9
    f = FactoredFlow(rng.random((n, n)), rng.random((n, n)), rng.random((n, n)) if seeded else None,
                     rng.random((n, n)) if with_diag else None)
    g = FactoredFlow(rng.random((n, n)), rng.random((n, n)), rng.random((n, n)) if not seeded else None)
    x, y = f.dense(), g.dense()
    off = ~np.eye(n, dtype=bool)[:, :, None]
    _assert_close(f.totals(), x.sum(axis=(0, 1)))
    _assert_close(f.off_cross(g), (x * y * off).sum(axis=(0, 1)))
    _assert_close(f.diagonal(), x[np.arange(n), np.arange(n), :])
    w = rng.random(n)
    _assert_close(f.scaled(w).dense(), x * w)
    _assert_close(f.od(), _dense_od(x))


# --------------------------------------------------------------------------------------------------
# da_pb_closed against the previous dense implementation
# --------------------------------------------------------------------------------------------------


def _pb_reference(stocks, vital, seed=None, weight=0.13):
    """da_pb_closed computed densely: two ffs_demo runs, n^3 arrays, the fixed-weight blend."""
    s1, s2 = stocks
    mm = ffs_demo(s1, s2, vital["births"], vital["deaths"], seed=seed, stayer_assumption=True)
    ind = ffs_demo(s1, s2, vital["births"], vital["deaths"], seed=seed, stayer_assumption=False)
    flow = np.maximum((1.0 - weight) * mm.flow + weight * ind.flow, 0.0)
    return flow, mm.ipfp_calls + ind.ipfp_calls


@pytest.mark.parametrize("account", sorted(ACCOUNTS))
def test_pseudo_bayes_fast_path_equals_dense_reference(account):
    stocks, vital = ACCOUNTS[account]()
    flow, calls = _pb_reference(stocks, vital)
    res = estimate("da_pb_closed", stocks, vital)
    _assert_close(res.od.to_numpy(), _dense_od(flow), rtol=1e-10)
    _assert_close(res.flow, flow, rtol=1e-10)
    assert [c.iterations for c in res.ipfp_calls] == [c.iterations for c in calls]
    assert [c.caller for c in res.ipfp_calls] == [c.caller for c in calls]


@pytest.mark.parametrize("dims", [2, 3])
def test_pseudo_bayes_with_seeds_equals_dense_reference(dims):
    stocks, vital = _random_account(10, 11)
    seed = np.random.default_rng(1).uniform(0.5, 2.0, (10,) * dims)
    flow, _ = _pb_reference(stocks, vital, seed=seed)
    res = estimate("da_pb_closed", stocks, vital, seed=seed)
    assert (res.structured is None) == (dims == 3)  # a 3-d seed has no factored form: blended densely
    _assert_close(res.flow, flow, rtol=1e-10)
    _assert_close(res.od.to_numpy(), _dense_od(flow), rtol=1e-10)


def test_pseudo_bayes_reuses_a_min_migration_result():
    stocks, vital = _random_account(20, 4)
    fresh = estimate("da_pb_closed", stocks, vital)
    closed = estimate("da_min_closed", stocks, vital)
    reused = estimate("da_pb_closed", stocks, vital, min_migration=closed)
    np.testing.assert_array_equal(reused.od.to_numpy(), fresh.od.to_numpy())
    assert [c.iterations for c in reused.ipfp_calls] == [c.iterations for c in fresh.ipfp_calls]
    assert reused.notes == fresh.notes and reused.options == fresh.options
    with pytest.raises(ValueError, match="other regions or options"):
        estimate("da_pb_closed", stocks, vital, min_migration=estimate("da_min_open", stocks, vital))
    with pytest.raises(ValueError, match="other regions or options"):
        estimate("da_pb_closed", stocks, vital, birth_method="proportion", min_migration=closed)
    independence = ffs_demo(*stocks, vital["births"], vital["deaths"], stayer_assumption=False)
    with pytest.raises(ValueError, match="stayer assumption"):
        estimate("da_pb_closed", stocks, vital, min_migration=independence)


def test_mig_rate_with_the_da_min_closed_total_equals_the_default():
    stocks, vital = _random_account(15, 6)
    total = float(estimate("da_min_closed", stocks, vital).od.to_numpy().sum())
    given = estimate("mig_rate", stocks, vital, global_flow=total)
    default = estimate("mig_rate", stocks, vital)
    np.testing.assert_array_equal(given.od.to_numpy(), default.od.to_numpy())
    assert default.options["global_flow"] == total


def test_build_runs_da_min_closed_first():
    names = tuple(METHODS)
    order = _flow_order(names)
    assert order[0] == "da_min_closed" and sorted(order) == sorted(names)
    assert _flow_order(("sd_drop_neg", "mig_rate")) == ["sd_drop_neg", "mig_rate"]
