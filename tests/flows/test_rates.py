"""ffs_rates and ffs_diff against the migest 2.0.5 vectors, plus properties of stock differencing."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from migdev.flows.rates import ffs_diff, ffs_rates
from tests.flows.migest_vectors import cases, load


def _assert_od(actual: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert actual.index.name == "orig"
    assert actual.columns.name == "dest"
    assert list(actual.index) == list(expected.index)
    assert list(actual.columns) == list(expected.columns)
    exp = expected.to_numpy(dtype=float)
    np.testing.assert_allclose(actual.to_numpy(), exp, rtol=1e-6, atol=1e-9 * np.abs(exp).max())


@pytest.mark.parametrize("case", cases("ffs_rates__"))
def test_ffs_rates_matches_migest(case: str) -> None:
    doc = load(case)
    args: dict[str, Any] = dict(doc["args"])
    if "M" in args:
        args["global_flow"] = args.pop("M")
    _assert_od(ffs_rates(**args), doc["output"])


@pytest.mark.parametrize("case", cases("ffs_diff__"))
def test_ffs_diff_matches_migest(case: str) -> None:
    doc = load(case)
    _assert_od(ffs_diff(**doc["args"]), doc["output"])


# --------------------------------------------------------------------------------------------------
# errors and input handling
# --------------------------------------------------------------------------------------------------


def _doc_stocks() -> tuple[pd.DataFrame, pd.DataFrame]:
    args = load("ffs_diff__doc__zero_nbF")["args"]
    return args["stock_start"], args["stock_end"]


def test_dennett_needs_global_flow() -> None:
    s1, _ = _doc_stocks()
    with pytest.raises(ValueError, match=r"dennett.*global_flow"):
        ffs_rates(s1, method="dennett")


def test_rogers_von_rabenau_needs_stock_end() -> None:
    s1, _ = _doc_stocks()
    with pytest.raises(ValueError, match="stock_end"):
        ffs_rates(s1, method="rogers-von-rabenau")


def test_unknown_options() -> None:
    s1, s2 = _doc_stocks()
    with pytest.raises(ValueError, match="unknown method"):
        ffs_rates(s1, s2, method="gravity")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown decrease"):
        ffs_diff(s1, s2, decrease="negative")  # type: ignore[arg-type]


def test_mismatched_place_labels_are_an_error() -> None:
    s1, s2 = _doc_stocks()
    renamed = s2.rename(index={"D": "E"}, columns={"D": "E"})
    for call in (
        lambda: ffs_diff(s1, renamed),
        lambda: ffs_rates(s1, renamed, method="rogers-von-rabenau"),
    ):
        with pytest.raises(ValueError, match=r"different places.*only in stock_start: \['D'\]"):
            call()


def test_rows_and_columns_must_be_the_same_places() -> None:
    s1, s2 = _doc_stocks()
    bad = s2.rename(columns={"D": "E"})
    with pytest.raises(ValueError, match=r"stock_end: places of birth .*residence"):
        ffs_diff(s1, bad)


def test_reordered_end_stock_is_aligned_by_label() -> None:
    s1, s2 = _doc_stocks()
    shuffled = s2.loc[["C", "A", "D", "B"], ["B", "D", "A", "C"]]
    pd.testing.assert_frame_equal(ffs_diff(s1, shuffled, "return"), ffs_diff(s1, s2, "return"))


def test_arrays_are_accepted() -> None:
    s1, s2 = _doc_stocks()
    out = ffs_diff(s1.to_numpy(), s2.to_numpy(), "return")
    np.testing.assert_array_equal(out.to_numpy(), ffs_diff(s1, s2, "return").to_numpy())
    assert (out.index.name, out.columns.name) == ("orig", "dest")


# --------------------------------------------------------------------------------------------------
# properties
# --------------------------------------------------------------------------------------------------


@st.composite
def stock_pair(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = draw(st.integers(2, 7))
    s1 = draw(arrays(float, (n, n), elements=st.integers(0, 10_000).map(float)))
    s2 = draw(arrays(float, (n, n), elements=st.integers(0, 10_000).map(float)))
    labels = [f"P{i}" for i in range(n)]
    return (
        pd.DataFrame(s1, index=labels, columns=labels),
        pd.DataFrame(s2, index=labels, columns=labels),
    )


PROP = settings(max_examples=60, deadline=None)


@PROP
@given(stock_pair(), st.sampled_from(["zero", "return"]), st.booleans())
def test_ffs_diff_is_non_negative(stocks: tuple[pd.DataFrame, pd.DataFrame], decrease: str, native: bool) -> None:
    out = ffs_diff(*stocks, decrease=decrease, include_native_born=native)  # type: ignore[arg-type]
    assert (out.to_numpy() >= 0).all()


@PROP
@given(stock_pair(), st.sampled_from(["zero", "return"]), st.booleans(), st.randoms(use_true_random=False))
def test_ffs_diff_is_relabelling_invariant(
    stocks: tuple[pd.DataFrame, pd.DataFrame], decrease: str, native: bool, rnd: Any
) -> None:
    s1, s2 = stocks
    labels = list(s1.index)
    order = rnd.sample(labels, len(labels))
    codes = rnd.sample(range(len(labels)), len(labels))
    names = {lab: f"Q{code}" for lab, code in zip(labels, codes, strict=True)}  # new names, a new order
    t1 = s1.loc[order, order].rename(index=names, columns=names)
    t2 = s2.loc[order, order].rename(index=names, columns=names)
    base = ffs_diff(s1, s2, decrease, native)  # type: ignore[arg-type]
    moved = ffs_diff(t1, t2, decrease, native)  # type: ignore[arg-type]
    back = {v: k for k, v in names.items()}
    restored = moved.rename(index=back, columns=back).loc[labels, labels]
    np.testing.assert_array_equal(restored.to_numpy(), base.to_numpy())


def test_ffs_diff_default_reverses_decreases() -> None:
    """The default reads decreases as returns to the place of birth (the issue's and Abel & Cohen's sd_rev_neg)."""
    s1 = pd.DataFrame([[100.0, 10.0], [5.0, 50.0]], index=["A", "B"], columns=["A", "B"])
    s2 = pd.DataFrame([[100.0, 4.0], [9.0, 50.0]], index=["A", "B"], columns=["A", "B"])
    out = ffs_diff(s1, s2)
    # A-born in B fell by 6 (return B -> A); B-born in A rose by 4 (move B -> A)
    assert out.loc["B", "A"] == 4.0 + 6.0 and out.loc["A", "B"] == 0.0
    pd.testing.assert_frame_equal(out, ffs_diff(s1, s2, decrease="return"))
