"""Properties on random tables: margins hold, flows are non-negative, relabelling permutes, scaling scales."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migdev.flows.demographic import ffs_demo
from migdev.flows.ipfp import ipfp
from migdev.flows.methods import estimate
from migdev.flows.scaled import fit_scaled

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def stock_tables(draw, min_n: int = 2, max_n: int = 6, consistent_rows: bool = False):
    """Two integer place-of-birth x residence tables with distinct native-born stocks, plus vitals."""
    n = draw(st.integers(min_n, max_n))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    natives = rng.permutation(np.arange(1, n + 1))[:n] * 10_000 + rng.integers(1000, 9000, n)
    s1 = rng.integers(0, 3000, (n, n)).astype(float)
    s1[rng.random((n, n)) < 0.3] = 0
    np.fill_diagonal(s1, natives)
    if consistent_rows:
        # same people per place of birth, living elsewhere: a redistribution within each row
        s2 = np.zeros_like(s1)
        for k in range(n):
            w = rng.random(n) * (s1[k] > 0) + 1e-3
            w[k] += 5
            s2[k] = rng.multinomial(int(s1[k].sum()), w / w.sum())
        births = np.zeros(n)
        deaths = np.zeros(n)
    else:
        s2 = np.maximum(s1 + rng.integers(-800, 800, (n, n)) * (s1 > 0), 0)
        np.fill_diagonal(s2, natives + rng.integers(-500, 500, n))
        births = rng.integers(0, 800, n).astype(float)
        deaths = rng.integers(0, 800, n).astype(float)
    labels = [f"R{i}" for i in range(n)]
    df = lambda a: pd.DataFrame(a, index=labels, columns=labels)  # noqa: E731
    return df(s1), df(s2), pd.Series(births, index=labels), pd.Series(deaths, index=labels)


def _margins_hold(res, atol: float) -> None:
    """Both margins hold up to the place-of-birth mismatch the matching step leaves (rescale cannot fix a
    birthplace living in one residence only); the margin fitted last (destinations without stayers)
    holds exactly."""
    s1 = res.steps["stock_start5"]
    s2 = res.steps["stock_end5"]
    allowed = np.abs(s1.sum(axis=1) - s2.sum(axis=1)) + atol + 1e-6 * s1.sum(axis=1)  # per birthplace
    for got, want in ((res.flow.sum(axis=1), s1.T), (res.flow.sum(axis=0), s2.T)):
        assert np.all(np.abs(got - want).sum(axis=0) <= allowed)
    if not res.options.get("stayer_assumption", True):
        np.testing.assert_allclose(res.flow.sum(axis=0), s2.T, atol=atol, rtol=1e-6)


@SETTINGS
@given(stock_tables(), st.booleans(), st.sampled_from(["rescale", "open-dr"]))
def test_margins_and_non_negative(tables, stayers, method):
    s1, s2, b, d = tables
    res = ffs_demo(s1, s2, b, d, stayer_assumption=stayers, match_birthplace_tot_method=method)
    assert res.flow.min() >= 0
    _margins_hold(res, atol=1.0)
    # the account adds up to the (matched) stocks plus births, deaths and moves outside
    n = len(res.labels)
    acc = res.account
    assert acc.min() >= 0
    np.testing.assert_allclose(acc[:, :n, :].sum(axis=0), res.flow.sum(axis=0) + acc[n:, :n, :].sum(axis=0))
    if method == "open-dr":  # no global rebalancing: the account reproduces the input stocks exactly
        np.testing.assert_allclose(acc[:n, :, :].sum(axis=1), s1.to_numpy().T, atol=1e-6)
        np.testing.assert_allclose(acc[:, :n, :].sum(axis=0), s2.to_numpy().T, atol=1e-6)


@SETTINGS
@given(stock_tables(), st.data())
def test_relabelling_permutes_the_result(tables, data):
    s1, s2, b, d = tables
    n = len(b)
    perm = data.draw(st.permutations(list(range(n))))
    order = [s1.index[p] for p in perm]
    ref = ffs_demo(s1, s2, b, d)
    res = ffs_demo(s1.loc[order, order], s2.loc[order, order], b[order], d[order])
    assert res.labels == order
    p = np.asarray(perm)
    expected = ref.flow[np.ix_(p, p, p)]
    np.testing.assert_allclose(res.flow, expected, rtol=1e-6, atol=1e-2)


@SETTINGS
@given(stock_tables(consistent_rows=True), st.sampled_from([0.5, 3.0, 1000.0]), st.booleans())
def test_scaling_stocks_scales_flows(tables, c, stayers):
    """Consistent tables make every fit closed form, so the estimate is scale-free."""
    s1, s2, b, d = tables
    ref = ffs_demo(s1, s2, b, d, stayer_assumption=stayers)
    res = ffs_demo(s1 * c, s2 * c, b * c, d * c, stayer_assumption=stayers)
    np.testing.assert_allclose(res.flow, c * ref.flow, rtol=1e-9, atol=1e-9 * c * ref.flow.max())


@SETTINGS
@given(stock_tables(), st.sampled_from([0.25, 4.0]))
def test_stock_differencing_is_scale_free_and_positive(tables, c):
    s1, s2, b, d = tables
    vital = pd.DataFrame({"births": b, "deaths": d})
    for method in ("sd_drop_neg", "sd_rev_neg"):
        a = estimate(method, (s1, s2), vital)
        z = estimate(method, (s1 * c, s2 * c), vital * c)
        np.testing.assert_allclose(z.flow, c * a.flow, rtol=1e-12)
        assert a.flow.min() >= 0
    y = (s2 - s1).to_numpy(copy=True)
    np.fill_diagonal(y, 0)
    assert estimate("sd_drop_neg", (s1, s2), vital).od.to_numpy().sum() == y[y > 0].sum()
    # reversing negatives moves every decrease into a return flow: totals add up to sum |y|
    assert estimate("sd_rev_neg", (s1, s2), vital).od.to_numpy().sum() == np.abs(y).sum()


@SETTINGS
@given(st.integers(2, 7), st.integers(2, 6), st.integers(0, 2**32 - 1))
def test_ipfp_margins_and_engines_agree(n, m, seed):
    rng = np.random.default_rng(seed)
    s = rng.uniform(0.1, 10, (n, m))  # positive seed: the margins are attainable
    rows = rng.uniform(1, 100, n)
    cols = rng.uniform(1, 100, m)
    cols *= rows.sum() / cols.sum()
    dense = ipfp(s, [(0,), (1,)], [rows, cols], tol=1e-9)
    assert dense.x.min() >= 0
    np.testing.assert_allclose(dense.x.sum(axis=0), cols, rtol=1e-9)
    if dense.conv:
        np.testing.assert_allclose(dense.x.sum(axis=1), rows, rtol=1e-5, atol=1e-6)
    fact = fit_scaled(s, rows[:, None], cols[:, None], tol=1e-9)
    assert fact.iterations == dense.iterations
    np.testing.assert_allclose(fact.dense(s)[:, :, 0], dense.x, rtol=1e-8, atol=1e-9)
