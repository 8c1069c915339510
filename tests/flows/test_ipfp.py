"""The mipfp loop: stopping rule, 0-factor rule, refusals, and the factored engine against the dense one."""

from __future__ import annotations

import numpy as np
import pytest

from migdev.flows.ipfp import ipfp
from migdev.flows.scaled import fit_scaled

from . import migest_vectors as mv


def test_single_margin_is_proportional_scaling_in_two_sweeps():
    seed = np.array([[1.0, 2.0], [3.0, 4.0]])
    res = ipfp(seed, [(1,)], [np.array([8.0, 3.0])])
    np.testing.assert_allclose(res.x, [[2.0, 1.0], [6.0, 2.0]])
    assert res.iterations == 2 and res.conv
    # a first change already below tol stops after one sweep
    res = ipfp(seed, [(1,)], [seed.sum(axis=0) * (1 + 1e-6)])
    assert res.iterations == 1


def test_zero_factor_rule():
    seed = np.array([[0.0, 2.0], [3.0, 4.0]])
    res = ipfp(seed, [(0,), (1,)], [np.array([0.0, 5.0]), np.array([3.0, 2.0])])
    assert np.all(res.x[0] == 0)  # target 0 -> factor 0
    np.testing.assert_allclose(res.x.sum(axis=1), [0.0, 5.0])
    # an empty margin with a positive target stays 0 (mipfp does not divide by zero)
    res = ipfp(np.array([[0.0, 0.0], [1.0, 1.0]]), [(0,)], [np.array([4.0, 2.0])])
    np.testing.assert_allclose(res.x, [[0.0, 0.0], [1.0, 1.0]])


def test_stopping_rule_is_absolute_cell_change_strict():
    rng = np.random.default_rng(3)
    seed = rng.uniform(1, 10, (6, 5))
    rows = rng.uniform(1, 10, 6)
    cols = rng.uniform(1, 10, 5)
    cols *= rows.sum() / cols.sum()
    res = ipfp(seed, [(0,), (1,)], [rows, cols], tol=1e-8)
    assert res.conv
    assert res.changes[-1] < 1e-8 <= res.changes[-2]
    assert res.final_change == res.changes[-1]
    # columns are fitted last: exact; rows approximately
    np.testing.assert_allclose(res.x.sum(axis=0), cols, rtol=1e-12)
    assert res.error_margins[1] < 1e-10
    # scaling everything by 1e6 needs more sweeps for the same absolute tolerance
    big = ipfp(seed * 1e6, [(0,), (1,)], [rows * 1e6, cols * 1e6], tol=1e-8)
    assert big.iterations > res.iterations


def test_max_iter_reports_no_convergence():
    seed = np.array([[1.0, 1.0], [1.0, 1e-9]])
    res = ipfp(seed, [(0,), (1,)], [np.array([1.0, 1.0]), np.array([1.0, 1.0])], tol=1e-15, max_iter=5)
    assert not res.conv and res.iterations == 5


def test_negative_inputs_are_named():
    with pytest.raises(ValueError, match=r"stock_start must be non-negative .* cell \(0, 1\)"):
        ipfp(np.array([[1.0, -1.0]]), [(1,)], [np.array([1.0, 1.0])], seed_name="stock_start")
    with pytest.raises(ValueError, match="deaths must be non-negative"):
        ipfp(np.ones((2, 2)), [(0,)], [np.array([1.0, -2.0])], target_names=["deaths"])
    with pytest.raises(ValueError, match="missing"):
        ipfp(np.array([[1.0, np.nan]]), [(1,)], [np.array([1.0, 1.0])])


def test_inconsistent_margins_raise_instead_of_proportions():
    with pytest.raises(ValueError, match=r"inconsistent margins: rows sums to 3.0 but cols sums to 4.0"):
        ipfp(np.ones((2, 2)), [(0,), (1,)], [np.array([1.0, 2.0]), np.array([2.0, 2.0])], target_names=["rows", "cols"])
    with pytest.raises(ValueError, match="inconsistent margins"):
        fit_scaled(np.ones((2, 2)), np.array([[1.0], [2.0]]), np.array([[2.0], [2.0]]))


def test_three_way_margins_and_axis_order():
    rng = np.random.default_rng(5)
    seed = rng.uniform(0.5, 2, (3, 4, 5))
    t_ik = rng.uniform(1, 5, (3, 5))
    t_jk = rng.uniform(1, 5, (4, 5))
    t_jk *= t_ik.sum(axis=0) / t_jk.sum(axis=0)
    res = ipfp(seed, [(0, 2), (1, 2)], [t_ik, t_jk], tol=1e-10)
    np.testing.assert_allclose(res.x.sum(axis=1), t_ik, rtol=1e-8)
    np.testing.assert_allclose(res.x.sum(axis=0), t_jk, rtol=1e-12)
    # targets may list their axes in any order
    alt = ipfp(seed, [(2, 0), (1, 2)], [t_ik.T, t_jk], tol=1e-10)
    np.testing.assert_allclose(alt.x, res.x)
    with pytest.raises(ValueError, match="shape"):
        ipfp(seed, [(0, 2)], [t_ik.T])


@pytest.mark.parametrize("n,k", [(2, 1), (7, 1), (40, 1), (6, 4), (15, 15)])
def test_factored_engine_equals_dense(n, k):
    rng = np.random.default_rng(n * 100 + k)
    s = rng.lognormal(3, 2, (n, n))
    s[rng.random((n, n)) < 0.3] = 0
    ta = (s.sum(axis=1)[:, None] * rng.uniform(0.7, 1.3, (n, k))) * 10
    tb = np.repeat(s.sum(axis=0)[:, None], k, axis=1) * 10
    tb *= ta.sum(axis=0) / np.where(tb.sum(axis=0) > 0, tb.sum(axis=0), 1)
    seed3 = np.repeat(s[:, :, None], k, axis=2)
    dense = ipfp(seed3, [(0, 2), (1, 2)], [ta, tb])
    fact = fit_scaled(s, ta, tb)
    assert fact.iterations == dense.iterations
    np.testing.assert_allclose(fact.dense(s), dense.x, rtol=1e-9, atol=1e-9 * dense.x.max())
    np.testing.assert_allclose(fact.error_margins, dense.error_margins, rtol=1e-6, atol=1e-9)


def test_structured_seeds_equal_dense_seeds():
    rng = np.random.default_rng(11)
    n = 9
    x0 = rng.uniform(0, 100, (n, n))
    x1 = rng.uniform(0, 100, (n, n))
    x1 *= x0.sum(axis=0) / x1.sum(axis=0)
    ones = np.ones((n, n))
    off = ones - np.eye(n)
    for s, structure in ((ones, "ones"), (off, "offdiag_ones")):
        a = fit_scaled(s, x0, x1)
        b = fit_scaled(s, x0, x1, structure=structure)
        assert a.iterations == b.iterations
        np.testing.assert_allclose(a.dense(s), b.dense(s), rtol=1e-12, atol=1e-9)


def test_factored_engine_handles_emptied_margins():
    """Rows whose seed support dies mid-fit must follow the 0-factor rule in the batched loop too."""
    s = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0], [0.0, 1.0, 1.0]])
    rows = np.array([2.0, 3.0, 4.0])
    cols = np.array([0.0, 5.0, 4.0])
    rows *= cols.sum() / rows.sum()
    dense = ipfp(s, [(0,), (1,)], [rows, cols])
    fact = fit_scaled(s, rows[:, None], cols[:, None])
    assert fact.iterations == dense.iterations
    np.testing.assert_allclose(fact.dense(s)[:, :, 0], dense.x, atol=1e-12)


def test_long_fit_matches_dense_iteration_count():
    """Hundreds of sweeps (large stocks): batched decisions give the same first sweep below tol."""
    rng = np.random.default_rng(2024)
    n = 60
    s = np.round(rng.lognormal(9, 2.5, (n, n)))
    s[rng.random((n, n)) < 0.3] = 0
    np.fill_diagonal(s, rng.lognormal(15, 1, n))
    rows = s.sum(axis=1) * rng.uniform(0.97, 1.03, n)
    cols = s.sum(axis=0)
    rows *= cols.sum() / rows.sum()
    dense = ipfp(s, [(0,), (1,)], [rows, cols])
    fact = fit_scaled(s, rows[:, None], cols[:, None])
    assert dense.iterations > 64
    assert fact.iterations == dense.iterations
    np.testing.assert_allclose(fact.dense(s)[:, :, 0], dense.x, rtol=1e-9, atol=1e-6)
    assert fact.final_change < 1e-3


def test_death_mat_accounting_fit_matches_migest_call():
    """A logged two-margin mipfp call replayed with its own seed and targets: 91 sweeps."""
    doc = mv.load("death_mat__gen10__accounting")
    a = doc["args"]
    m1 = a["m1"].to_numpy()
    m2 = a["m2"].to_numpy()
    d_pob = m1.sum(axis=1) + a["b_por"].to_numpy() - m2.sum(axis=1)
    call = doc["ipfp_calls"][0]
    res = ipfp(m1, [(0,), (1,)], [d_pob, a["d_por"].to_numpy()])
    assert res.iterations == call["iterations"] == 91
    assert res.final_change == pytest.approx(call["final_stp_crit"], rel=1e-6)
    np.testing.assert_allclose(res.error_margins, call["error_margins"], rtol=1e-4, atol=1e-9)
    np.testing.assert_allclose(res.x, doc["output"].to_numpy(), rtol=1e-9, atol=1e-6)
    fact = fit_scaled(m1, d_pob[:, None], a["d_por"].to_numpy()[:, None])
    assert fact.iterations == 91


def test_every_public_name_resolves() -> None:
    """Each name ``migdev.flows`` lists is importable from it (the exports are resolved lazily)."""
    import migdev.flows as flows

    for name in flows.__all__:
        assert getattr(flows, name) is not None, name
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        flows.nonexistent  # noqa: B018
