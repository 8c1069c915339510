"""ipf2, ipf3, ipf3_qi (flows.ipf) and cm2, cm3 (flows.cm) against the migest 2.0.5 vectors; properties of the fits."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from migdev.flows import cm, ipf
from tests.flows.migest_vectors import Array3, cases, load

RTOL = 1e-6


def _plain(value: Any) -> Any:
    """Decoded R value -> what our functions take (numpy arrays; scalars and None unchanged)."""
    if isinstance(value, Array3):
        return value.values
    if isinstance(value, pd.DataFrame | pd.Series):
        return value.to_numpy(dtype=float)
    return value


def _call_args(case: str) -> dict[str, Any]:
    args = {k: _plain(v) for k, v in load(case)["args"].items()}
    args.pop("verbose", None)
    return args


def _assert_table(actual: np.ndarray, expected: Any) -> None:
    exp = np.asarray(_plain(expected), dtype=float)
    assert actual.shape == exp.shape
    # atol only absorbs float noise where R has an exact 0 (relative error is undefined there)
    np.testing.assert_allclose(actual, exp, rtol=RTOL, atol=1e-12 * np.abs(exp).max())


def _assert_achieved_tol(actual: float, expected: float, scale: float) -> None:
    """The achieved discrepancy; below ~1e-9 it is float noise of sums of size ``scale``, not a result."""
    assert actual == pytest.approx(expected, rel=RTOL, abs=1e-14 * scale)


IPF_CASES = cases("ipf2__") + cases("ipf3__") + cases("ipf3_qi__")


@pytest.mark.parametrize("case", IPF_CASES)
def test_ipf_matches_migest(case: str) -> None:
    func = getattr(ipf, case.split("__")[0])
    out = load(case)["output"]
    result = func(**_call_args(case))
    _assert_table(result.mu, out["mu"])
    assert result.it == out["it"]
    _assert_achieved_tol(result.tol, out["tol"], scale=float(np.abs(result.mu).sum()))


CM_OK = [c for c in cases("cm2__") + cases("cm3__") if c != "cm3__doc_three_tables"]


@pytest.mark.parametrize("case", CM_OK)
def test_cm_matches_migest(case: str) -> None:
    func = getattr(cm, case.split("__")[0])
    out = load(case)["output"]
    result = func(**_call_args(case))
    _assert_table(result.n, out["n"])
    # theta's scale depends on the exact path, so matching it checks the update order and sweep count
    np.testing.assert_allclose(result.theta, out["theta"].to_numpy(), rtol=RTOL)
    assert list(out["theta"].index) == [f"alpha{i + 1}" for i in range(result.alpha.size)] + [
        f"beta{j + 1}" for j in range(result.beta.size)
    ]


def test_cm3_three_tables_totals_longer_than_offset_is_an_error() -> None:
    """migest silently uses the first 2 of 3 totals here; we refuse the mismatch."""
    with pytest.raises(ValueError, match=r"row_tot .*col_tot .*must match"):
        cm.cm3(**_call_args("cm3__doc_three_tables"))


def test_cm3_three_tables_sweeps_reproduce_migest_on_the_totals_it_used() -> None:
    """The kernel on the first 2 totals (what migest used) reproduces its n, theta and 499 sweeps."""
    args = _call_args("cm3__doc_three_tables")
    out = load("cm3__doc_three_tables")["output"]
    m = args["m"]
    alpha, beta, it = cm._cm_sweeps(args["row_tot"][:2], args["col_tot"][:2], m.sum(axis=2), 1e-6, 500)
    assert it == 500
    np.testing.assert_allclose(np.concatenate([alpha, beta]), out["theta"].to_numpy(), rtol=RTOL)
    _assert_table(alpha[:, None, None] * beta[None, :, None] * m, out["n"])


# --------------------------------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------------------------------


def test_ipf2_inconsistent_totals() -> None:
    with pytest.raises(ValueError, match=r"sum\(row_tot\) = 10.*sum\(col_tot\) = 12"):
        ipf.ipf2([4, 6], [5, 7])


def test_ipf2_inconsistent_totals_is_two_sided() -> None:
    """migest only checks sum(row) - sum(col) > tol; a larger column total is caught too."""
    with pytest.raises(ValueError, match="not equal"):
        ipf.ipf2([5, 6], [5, 7])


def test_ipf2_needs_a_margin_and_a_shape() -> None:
    with pytest.raises(ValueError, match="row_tot, col_tot or both"):
        ipf.ipf2()
    with pytest.raises(ValueError, match="offset m"):
        ipf.ipf2(row_tot=[1, 2])
    with pytest.raises(ValueError, match="3 entries but m has 2 rows"):
        ipf.ipf2([1, 2, 3], [3, 3], m=np.ones((2, 2)))


def test_ipf3_inconsistent_birthplace_totals() -> None:
    row_tot = np.array([[5.0, 1.0], [1.0, 5.0]])
    col_tot = np.array([[5.0, 1.0], [1.0, 9.0]])
    for func in (ipf.ipf3, ipf.ipf3_qi):
        with pytest.raises(ValueError, match=r"places of birth .*pob 1: 6 vs 10"):
            func(row_tot, col_tot)


def test_cm2_inconsistent_totals() -> None:
    with pytest.raises(ValueError, match=r"sum\(row_tot\) = 10.*sum\(col_tot\) = 12"):
        cm.cm2([4, 6], [5, 7])


def test_ipf3_qi_two_d_diag_count_equals_default() -> None:
    args = _call_args("ipf3_qi__doc_dis_offset")
    default = ipf.ipf3_qi(**args)
    n_ik, n_jk = args["row_tot"], args["col_tot"].T
    explicit = ipf.ipf3_qi(**args, diag_count=np.minimum(n_ik, n_jk))
    np.testing.assert_array_equal(default.mu, explicit.mu)


# --------------------------------------------------------------------------------------------------
# properties
# --------------------------------------------------------------------------------------------------

PROP = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def two_way(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A positive offset and consistent positive margins."""
    nr = draw(st.integers(2, 6))
    nc = draw(st.integers(2, 6))
    m = draw(arrays(float, (nr, nc), elements=st.floats(0.1, 10.0)))
    rows = draw(arrays(float, nr, elements=st.floats(1.0, 1000.0)))
    cols = draw(arrays(float, nc, elements=st.floats(1.0, 1000.0)))
    cols = cols * rows.sum() / cols.sum()
    return rows, cols, m


@st.composite
def three_way(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Margins of a positive (orig, dest, pob) table, so they are consistent, and a positive offset."""
    r = draw(st.integers(2, 5))
    table = draw(arrays(float, (r, r, r), elements=st.floats(0.5, 500.0)))
    m = draw(arrays(float, (r, r, r), elements=st.floats(0.1, 10.0)))
    return table.sum(axis=1), table.sum(axis=0).T, m


@PROP
@given(two_way())
def test_ipf2_margins_hold_and_fit_is_non_negative(data: tuple[np.ndarray, ...]) -> None:
    rows, cols, m = data
    res = ipf.ipf2(rows, cols, m, tol=1e-8, maxit=10_000)
    assert (res.mu >= 0).all()
    scale = rows.sum()
    np.testing.assert_allclose(res.mu.sum(axis=1), rows, atol=1e-7 * scale)
    np.testing.assert_allclose(res.mu.sum(axis=0), cols, atol=1e-7 * scale)


@PROP
@given(two_way(), st.randoms(use_true_random=False))
def test_ipf2_permuting_regions_permutes_the_fit(data: tuple[np.ndarray, ...], rnd: Any) -> None:
    rows, cols, m = data
    pr = np.array(rnd.sample(range(rows.size), rows.size))
    pc = np.array(rnd.sample(range(cols.size), cols.size))
    base = ipf.ipf2(rows, cols, m, tol=1e-9, maxit=10_000).mu
    perm = ipf.ipf2(rows[pr], cols[pc], m[np.ix_(pr, pc)], tol=1e-9, maxit=10_000).mu
    np.testing.assert_allclose(perm, base[np.ix_(pr, pc)], rtol=1e-6, atol=1e-9 * rows.sum())


@PROP
@given(two_way(), st.floats(0.01, 1000.0))
def test_ipf2_scaling_margins_scales_the_fit(data: tuple[np.ndarray, ...], c: float) -> None:
    rows, cols, m = data
    base = ipf.ipf2(rows, cols, m, tol=1e-9, maxit=10_000).mu
    scaled = ipf.ipf2(c * rows, c * cols, m, tol=1e-9 * c, maxit=10_000).mu
    np.testing.assert_allclose(scaled, c * base, rtol=1e-6, atol=1e-9 * c * rows.sum())


@PROP
@given(three_way())
def test_ipf3_margins_hold_and_fit_is_non_negative(data: tuple[np.ndarray, ...]) -> None:
    row_tot, col_tot, m = data
    res = ipf.ipf3(row_tot, col_tot, m, tol=1e-8, maxit=10_000)
    assert (res.mu >= 0).all()
    scale = row_tot.sum()
    np.testing.assert_allclose(res.mu.sum(axis=1), row_tot, atol=1e-7 * scale)
    np.testing.assert_allclose(res.mu.sum(axis=0), col_tot.T, atol=1e-7 * scale)


@PROP
@given(three_way(), st.randoms(use_true_random=False))
def test_ipf3_permuting_regions_permutes_the_fit(data: tuple[np.ndarray, ...], rnd: Any) -> None:
    row_tot, col_tot, m = data
    r = row_tot.shape[0]
    p = np.array(rnd.sample(range(r), r))
    base = ipf.ipf3(row_tot, col_tot, m, tol=1e-9, maxit=10_000).mu
    perm = ipf.ipf3(row_tot[np.ix_(p, p)], col_tot[np.ix_(p, p)], m[np.ix_(p, p, p)], tol=1e-9, maxit=10_000)
    np.testing.assert_allclose(perm.mu, base[np.ix_(p, p, p)], rtol=1e-6, atol=1e-9 * row_tot.sum())


@PROP
@given(three_way(), st.floats(0.01, 1000.0))
def test_ipf3_scaling_margins_scales_the_fit(data: tuple[np.ndarray, ...], c: float) -> None:
    row_tot, col_tot, m = data
    base = ipf.ipf3(row_tot, col_tot, m, tol=1e-9, maxit=10_000).mu
    scaled = ipf.ipf3(c * row_tot, c * col_tot, m, tol=1e-9 * c, maxit=10_000).mu
    np.testing.assert_allclose(scaled, c * base, rtol=1e-6, atol=1e-9 * c * row_tot.sum())
