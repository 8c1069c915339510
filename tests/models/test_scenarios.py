"""The scenario arithmetic (:func:`migdev.models.scenarios.corridor_change`) on generated corridors."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from migdev.models.scenarios import corridor_change

stocks = arrays(np.float64, st.integers(1, 30), elements=st.floats(0, 1e7))


@settings(max_examples=40, deadline=None)
@given(stock=stocks, growth=st.floats(-0.7, 5), beta=st.floats(-2, 2), se=st.floats(0, 1))
def test_bands_hold_the_prediction_and_the_total_adds_up(stock, growth, beta, se) -> None:
    dgap = np.full(len(stock), -np.log1p(growth))
    rows, total = corridor_change(stock, dgap, beta, se**2)
    assert np.all(rows["change_low"] <= rows["change"] + 1e-6 * (1 + stock))
    assert np.all(rows["change"] <= rows["change_high"] + 1e-6 * (1 + stock))
    np.testing.assert_allclose(rows["change"], stock * ((1 + growth) ** -beta - 1), rtol=1e-9, atol=1e-6)
    assert np.isclose(total["change"], rows["change"].sum())
    if se == 0:
        assert np.isclose(total["change_low"], total["change"]) and np.isclose(total["change_high"], total["change"])


@given(stock=stocks, beta=st.floats(-2, 2), se=st.floats(0, 1))
def test_no_growth_changes_nothing(stock, beta, se) -> None:
    rows, total = corridor_change(stock, np.zeros(len(stock)), beta, se**2)
    assert (rows["change"] == 0).all() and (rows["change_low"] == 0).all() and total["change_high"] == 0


def test_a_wider_level_gives_a_wider_band_and_the_draws_are_reproducible() -> None:
    stock, dgap = np.array([1e5, 2e4]), np.full(2, -np.log(1.3))
    narrow = corridor_change(stock, dgap, -0.18, 0.05**2, level=0.5)[1]
    wide = corridor_change(stock, dgap, -0.18, 0.05**2, level=0.99)[1]
    assert wide["change_low"] < narrow["change_low"] < narrow["change"] < narrow["change_high"] < wide["change_high"]
    assert corridor_change(stock, dgap, -0.18, 0.05**2)[1] == corridor_change(stock, dgap, -0.18, 0.05**2)[1]
