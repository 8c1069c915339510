"""The ratio and group rules every indicator shares: hand-checked toys and the laws they must keep."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from migdev.indicators.tidy import aggregate, ratio

MEMBERS = pd.DataFrame({"group_id": ["G", "G", "G", "H"], "iso3": ["A", "B", "C", "C"]})


def _frame(nums: list[float | None], dens: list[float | None]) -> pd.DataFrame:
    codes = [f"C{i:02d}" for i in range(len(nums))]
    return pd.DataFrame({"iso3": codes, "year": 2024, "sex": "total", "n": nums, "d": dens})


def test_ratio_zero_missing_and_undefined() -> None:
    out = ratio(_frame([0, None, 3, 2], [5, 5, 0, None]), "n", "d")
    assert out["value"].iloc[0] == 0.0  # a measured zero stays zero
    assert out["value"].iloc[1:].isna().all()  # missing input, zero denominator: NA, never 0


def test_aggregate_sums_and_recomputes_ratios() -> None:
    f = pd.DataFrame({"iso3": ["A", "B", "C"], "year": 2024, "sex": "total", "numerator": [1.0, 3.0, None],
                      "denominator": [4.0, 4.0, 2.0]})
    f["value"] = f["numerator"] / f["denominator"]
    r = aggregate(f, MEMBERS, "ratio").set_index("iso3")
    assert r.loc["G", "value"] == pytest.approx(0.5)  # (1 + 3) / (4 + 4), not mean(0.25, 0.75) of C-less
    assert r.loc["G", "members"] == 2 and np.isnan(r.loc["H", "value"]) and r.loc["H", "members"] == 0
    s = aggregate(f.assign(value=f["numerator"]), MEMBERS, "sum").set_index("iso3")
    assert s.loc["G", "value"] == 4.0 and np.isnan(s.loc["H", "value"])


def test_aggregate_keeps_key_columns_apart() -> None:
    f = pd.DataFrame({"iso3": ["A", "B", "A"], "year": 2024, "sex": "total", "partner": ["X", "X", "Y"],
                      "value": [1.0, 2.0, 5.0]})
    out = aggregate(f, MEMBERS, "sum", keys=("partner",))
    assert out[out.iso3 == "G"].set_index("partner")["value"].to_dict() == {"X": 3.0, "Y": 5.0}


def test_aggregate_refuses_unknown_rule() -> None:
    with pytest.raises(ValueError, match="how must be"):
        aggregate(_frame([1], [1]).assign(value=1.0), MEMBERS, "mean")  # type: ignore[arg-type]


counts = st.lists(st.one_of(st.none(), st.integers(0, 10**9)), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(counts, st.randoms(use_true_random=False))
def test_group_total_is_sum_of_members_in_any_row_order(values: list[int | None], rnd) -> None:
    f = _frame(values, values).assign(value=[np.nan if v is None else float(v) for v in values])
    members = pd.DataFrame({"group_id": "G", "iso3": f["iso3"]})
    shuffled = f.sample(frac=1.0, random_state=rnd.randint(0, 2**31))
    out = aggregate(shuffled, members, "sum")
    known = [v for v in values if v is not None]
    if known:
        assert out["value"].iloc[0] == float(sum(known)) and out["members"].iloc[0] == len(known)
    else:
        assert np.isnan(out["value"].iloc[0])
    assert aggregate(f, members, "sum").equals(out)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10**8), st.integers(0, 10**8)), min_size=1, max_size=12))
def test_shares_stay_in_unit_interval(pairs: list[tuple[int, int]]) -> None:
    part = [min(a, b) for a, b in pairs]
    whole = [max(a, b) for a, b in pairs]
    out = ratio(_frame(part, whole), "n", "d")
    ok = out["value"].dropna()
    assert ((ok >= 0) & (ok <= 1)).all()
    assert out["value"].isna().sum() == sum(w == 0 for w in whole)
    group = aggregate(out, pd.DataFrame({"group_id": "G", "iso3": out["iso3"]}), "ratio")["value"].dropna()
    assert ((group >= 0) & (group <= 1)).all()
