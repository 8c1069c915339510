"""index_intensity, index_impact, index_connectivity, index_distance against the migest 2.0.5 vectors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import migdev.flows as flows
from migdev.flows.distance import index_distance
from migdev.flows.indices import index_connectivity, index_impact, index_intensity
from migdev.flows.median import weighted_median
from tests.flows.migest_vectors import cases, load

D_MATRIX_CASE = "index_distance__gen10_od_matrix_d_matrix_error"


def _assert_index_frame(actual: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Same shape as migest's output (long: measure/value rows; wide: one row) and values to 1e-6."""
    assert list(actual.columns) == list(expected.columns)
    assert len(actual) == len(expected)
    if "measure" in expected.columns:
        assert list(actual["measure"]) == list(expected["measure"])
        act, exp = actual["value"].to_numpy(), expected["value"].to_numpy(dtype=float)
    else:
        act, exp = actual.iloc[0].to_numpy(dtype=float), expected.iloc[0].to_numpy(dtype=float)
    np.testing.assert_allclose(act, exp, rtol=1e-6)


def _run(case: str) -> pd.DataFrame:
    func = getattr(flows, case.split("__")[0])
    args: dict[str, Any] = dict(load(case)["args"])
    return func(**args)


INDEX_CASES = [
    c
    for c in cases("index_intensity__")
    + cases("index_impact__")
    + cases("index_connectivity__")
    + cases("index_distance__")
    if c != D_MATRIX_CASE
]


#: Vectors whose weighted median depends on the order matrixStats' unstable quicksort leaves tied distances in;
#: ours orders ties by weight (order-independent), so only the median differs, and only slightly.
TIE_ORDER_CASES = {"index_distance__korea2012"}


@pytest.mark.parametrize("case", [c for c in INDEX_CASES if c not in TIE_ORDER_CASES])
def test_index_matches_migest(case: str) -> None:
    _assert_index_frame(_run(case), load(case)["output"])


@pytest.mark.parametrize("case", sorted(TIE_ORDER_CASES))
def test_index_distance_tie_order_deviation(case: str) -> None:
    """Mean and decay equal migest's; the median differs by < 1e-3 relative (tie order, documented)."""
    actual = _run(case).iloc[0].astype(float)
    expected = load(case)["output"].iloc[0].astype(float)
    np.testing.assert_allclose(actual.drop("median"), expected.drop("median"), rtol=1e-6)
    assert actual["median"] == pytest.approx(expected["median"], rel=1e-3)
    assert actual["median"] != pytest.approx(expected["median"], rel=1e-6)


def test_index_distance_matrix_d_corrected() -> None:
    """migest 2.0.5 errors on a matrix d (dplyr::rename on a matrix); we accept it.

    Corrected expectation: the same distances given as a data frame (the gen10_od_matrix vector).
    """
    bad = load(D_MATRIX_CASE)
    assert "rename" in bad["error"]
    good = load("index_distance__gen10_od_matrix")
    d_long = good["args"]["d"]
    d_mat = bad["args"]["d"]
    # the two vectors hold the same distances
    pivot = d_long.pivot(index="orig", columns="dest", values="dist").loc[d_mat.index, d_mat.columns]
    np.testing.assert_array_equal(pivot.to_numpy(), d_mat.to_numpy())

    _assert_index_frame(index_distance(bad["args"]["m"], d_mat), good["output"])
    # an unlabelled array in m's region order works too
    _assert_index_frame(index_distance(bad["args"]["m"], d_mat.to_numpy()), good["output"])


def test_index_distance_d_without_flow_column() -> None:
    """migest requires (and ignores) a flow column in d; we do not."""
    good = load("index_distance__gen10_od_matrix")
    d = good["args"]["d"].drop(columns="flow")
    _assert_index_frame(index_distance(good["args"]["m"], d), good["output"])


def test_index_distance_missing_distance_is_an_error() -> None:
    good = load("index_distance__gen10_od_matrix")
    d = good["args"]["d"]
    d = d[~((d["orig"] == "R02") & (d["dest"] == "R05"))]
    with pytest.raises(ValueError, match="no distance"):
        index_distance(good["args"]["m"], d)


def test_index_distance_matrix_d_wrong_shape() -> None:
    good = load("index_distance__gen10_od_matrix")
    with pytest.raises(ValueError, match="10 x 10"):
        index_distance(good["args"]["m"], np.ones((3, 3)))


def test_index_impact_missing_population_is_an_error() -> None:
    args = load("index_impact__gen10_od_matrix")["args"]
    with pytest.raises(ValueError, match=r"no population for regions.*R10"):
        index_impact(args["m"], args["p"].iloc[:-1])


def test_index_impact_diagonal_of_matrix_is_ignored() -> None:
    """Deviation: a matrix m's diagonal is dropped, as migest does for a long data frame."""
    doc = load("index_impact__gen10_od_matrix")
    base = doc["args"]["m"]
    values = base.to_numpy(copy=True)
    np.fill_diagonal(values, 1e6)
    m = pd.DataFrame(values, index=base.index, columns=base.columns)
    _assert_index_frame(index_impact(m, doc["args"]["p"]), doc["output"])


def test_index_connectivity_uses_statsmodels_glm(monkeypatch: pytest.MonkeyPatch) -> None:
    """The independence fit (and the distance decay) comes from statsmodels' Poisson GLM."""
    calls: list[str] = []
    real = sm.GLM

    def spy(*a: Any, **k: Any) -> Any:
        calls.append(type(k["family"]).__name__)
        return real(*a, **k)

    monkeypatch.setattr(sm, "GLM", spy)
    _run("index_connectivity__gen10_od_matrix")
    _run("index_distance__gen10_od_matrix")
    assert calls == ["Poisson", "Poisson"]


def test_index_intensity_errors() -> None:
    with pytest.raises(ValueError, match="pop_total"):
        index_intensity(10, 0, 5)
    with pytest.raises(ValueError, match="n"):
        index_intensity(10, 100, 1)


def test_index_connectivity_needs_three_regions() -> None:
    with pytest.raises(ValueError, match="at least 3 regions"):
        index_connectivity(np.array([[0.0, 1.0], [2.0, 0.0]]))


def test_duplicated_pairs_in_long_flows_are_an_error() -> None:
    m = pd.DataFrame({"orig": ["a", "a", "b"], "dest": ["b", "b", "a"], "flow": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match="more than one flow"):
        index_connectivity(m)


# --------------------------------------------------------------------------------------------------
# weighted median (matrixStats::weightedMedian, interpolate = TRUE)
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "w", "expected"),
    [
        ([1.0, 2.0, 3.0], [1.0, 1.0, 1.0], 2.0),  # symmetric: the middle value
        ([1.0, 2.0, 3.0, 4.0], [1.0, 1.0, 1.0, 1.0], 2.5),  # even count: interpolated midpoint
        ([1.0, 2.0], [3.0, 1.0], 1.25),  # midpoints 0.375, 0.875: interpolated, not the lower value
        ([5.0, 1.0, 3.0], [0.0, 2.0, 2.0], 2.0),  # zero weights are dropped; order does not matter
        ([1.0, 2.0, 3.0], [1.0, 2.0, 1.0], 2.0),
        ([7.0], [2.0], 7.0),
    ],
)
def test_weighted_median_known_values(x: list[float], w: list[float], expected: float) -> None:
    assert weighted_median(np.array(x), np.array(w)) == pytest.approx(expected)


def test_weighted_median_interpolates_between_bar_midpoints() -> None:
    # shares 0.2, 0.5, 0.3 -> midpoints 0.1, 0.45, 0.85; 0.5 lies 1/8 of the way from 0.45 to 0.85
    assert weighted_median(np.array([10.0, 20.0, 30.0]), np.array([2.0, 5.0, 3.0])) == pytest.approx(21.25)


def test_weighted_median_without_ties_ignores_input_order() -> None:
    rng = np.random.default_rng(7)
    x = rng.permutation(200).astype(float) + 0.5
    w = rng.uniform(0.1, 5.0, 200)
    base = weighted_median(x, w)
    for _ in range(5):
        p = rng.permutation(200)
        assert weighted_median(x[p], w[p]) == pytest.approx(base, rel=1e-12)


def test_weighted_median_with_ties_ignores_input_order() -> None:
    """Tied values are ordered by weight, so permuting the input never changes the median."""
    doc = load("index_distance__korea2012")
    m = doc["args"]["m"]
    inter = m[m["orig"] != m["dest"]]
    x, w = inter["dist_cent"].to_numpy(), inter["flow"].to_numpy(dtype=float)
    assert np.unique(x).size < x.size  # the case has ties
    base = weighted_median(x, w)
    rng = np.random.default_rng(7)
    for _ in range(5):
        p = rng.permutation(x.size)
        assert weighted_median(x[p], w[p]) == base
