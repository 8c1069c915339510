"""Impossible inputs to any flow estimator raise ``EstimationError``, so the CLI and the web can map them by class.

``EstimationError`` is a ``ValueError``: the message tests elsewhere keep holding. One case per family here, plus
the rules of the one input validator set (:mod:`migdev.flows._inputs`) that the families now share.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from migdev import flows
from migdev.errors import EstimationError
from migdev.flows.demographic import DemoOptions
from migdev.flows.ipfp import ipfp  # flows.ipfp is the module once migdev.flows.ipfp is imported

R = ["A", "B", "C"]
S1 = pd.DataFrame([[1000, 100, 10], [10, 500, 50], [30, 20, 800]], index=R, columns=R, dtype=float)
S2 = pd.DataFrame([[950, 150, 20], [10, 520, 40], [25, 20, 830]], index=R, columns=R, dtype=float)
NEG = S1.copy()
NEG.loc["A", "B"] = -1.0

CASES = {
    "ffs_demo negative stock": (lambda: flows.ffs_demo(NEG, S2), r"stock_start\[A, B\]"),
    "DemoOptions unknown": (lambda: DemoOptions(death_method="guess"), "death_method"),
    "match zero-fb": (lambda: flows.match_birthplace_tot(S1, S2, "rescale-adjust-zero-fb"), "not supported"),
    "estimate unknown": (lambda: flows.estimate("nope", (S1, S2)), "unknown method"),
    "ffs_diff decrease": (lambda: flows.ffs_diff(S1, S2, decrease="up"), "unknown decrease"),
    "index_intensity": (lambda: flows.index_intensity(10, 0, 3), "pop_total"),
    "ipf2 no margins": (lambda: flows.ipf2(), "row_tot, col_tot or both"),
    "ipfp margins": (
        lambda: ipfp(np.ones((2, 2)), [(0,), (1,)], [np.array([1.0, 2.0]), np.array([2.0, 2.0])]),
        "inconsistent margins",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_impossible_inputs_raise_estimation_error(case: str) -> None:
    call, match = CASES[case]
    with pytest.raises(EstimationError, match=match):
        call()


def test_duplicated_labels_refused_by_every_family() -> None:
    dup = pd.DataFrame(np.eye(3), index=["A", "A", "B"], columns=["A", "A", "B"])
    for call in (
        lambda: flows.ffs_diff(dup, dup),
        lambda: flows.estimate("sd_drop_neg", (dup, dup)),
        lambda: flows.index_connectivity(dup),
    ):
        with pytest.raises(EstimationError, match="duplicated place labels"):
            call()


def test_missing_values_refused_by_every_family() -> None:
    holed = S1.copy()
    holed.loc["B", "C"] = np.nan
    for call, name in (
        (lambda: flows.ffs_diff(holed, S2), "stock_start"),
        (lambda: flows.estimate("sd_rev_neg", (S1, holed)), "stock_end"),
        (lambda: flows.index_impact(holed, pd.Series(1e4, index=R)), "m"),
        (lambda: flows.ffs_demo(holed, S2), "stock_start"),
    ):
        with pytest.raises(EstimationError, match=f"{name} has missing values"):
            call()


def test_columns_follow_rows_in_every_family() -> None:
    """A table whose columns are in another order than its rows gives the same flows as the ordered one."""
    shuffled = S2[["C", "A", "B"]]
    assert flows.ffs_diff(S1, shuffled).equals(flows.ffs_diff(S1, S2))
    got = flows.estimate("sd_rev_neg", (S1, shuffled)).od
    assert got.equals(flows.estimate("sd_rev_neg", (S1, S2)).od)
    assert flows.index_impact(shuffled, pd.Series(2e3, index=R)).equals(flows.index_impact(S2, pd.Series(2e3, index=R)))
