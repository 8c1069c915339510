"""The six named estimates of Abel & Cohen (2019)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from migdev.flows.demographic import ffs_demo
from migdev.flows.methods import METHODS, estimate

from . import migest_vectors as mv

NAMES = ["sd_drop_neg", "sd_rev_neg", "mig_rate", "da_min_open", "da_min_closed", "da_pb_closed"]


def _gen10():
    doc = mv.load("ffs_demo__gen10__stT_mgBefore_mbtRescale_bNative_dProp")
    a = doc["args"]
    vital = pd.DataFrame({"births": a["births"], "deaths": a["deaths"]})
    return (a["stock_start"], a["stock_end"]), vital


def _doc_e5():
    a = mv.load("ffs_demo__doc_e5_science_supp")["args"]
    return (a["stock_start"], a["stock_end"]), pd.DataFrame({"births": a["births"], "deaths": a["deaths"]})


def test_registry():
    assert sorted(METHODS) == sorted(NAMES)
    for name, fn in METHODS.items():
        assert fn.__doc__ and ("19" in fn.__doc__ or "20" in fn.__doc__), name  # cites a paper (year)
    with pytest.raises(ValueError, match="unknown method"):
        estimate("sd_guess", *_doc_e5())


@pytest.mark.parametrize("method", NAMES)
def test_all_methods_non_negative_with_labels(method):
    stocks, vital = _gen10()
    res = estimate(method, stocks, vital)
    n = stocks[0].shape[0]
    assert res.flow.shape == (n, n, n)
    assert res.flow.min() >= 0
    assert res.labels == list(stocks[0].index)
    assert res.method == method
    od = res.od
    assert (np.diag(od.to_numpy()) == 0).all() and od.to_numpy().min() >= 0


def test_sd_drop_neg_is_sum_of_positive_bilateral_increases():
    stocks, vital = _gen10()
    res = estimate("sd_drop_neg", stocks, vital)
    y = stocks[1].to_numpy() - stocks[0].to_numpy()
    np.fill_diagonal(y, 0)
    assert res.od.to_numpy().sum() == y[y > 0].sum()
    assert res.flow.sum() == y[y > 0].sum()


@pytest.mark.parametrize("case", [c for c in mv.cases("ffs_diff__") if c.endswith("nbF")])
def test_stock_differencing_equals_ffs_diff(case):
    doc = mv.load(case)
    a = doc["args"]
    method = "sd_drop_neg" if a["decrease"] == "zero" else "sd_rev_neg"
    res = estimate(method, (a["stock_start"], a["stock_end"]), None)
    np.testing.assert_allclose(res.od.to_numpy(), doc["output"].to_numpy(), rtol=1e-12)


def test_sd_rev_neg_puts_returns_on_birthplace():
    idx = ["A", "B"]
    s1 = pd.DataFrame([[100.0, 10.0], [0.0, 50.0]], index=idx, columns=idx)
    s2 = pd.DataFrame([[100.0, 4.0], [3.0, 50.0]], index=idx, columns=idx)
    res = estimate("sd_rev_neg", (s1, s2), None)
    # born A living in B fell by 6: a return B -> A of people born in A
    assert res.flow[1, 0, 0] == 6.0
    # born B living in A rose by 3: a move B -> A of people born in B
    assert res.flow[1, 0, 1] == 3.0
    assert res.od.loc["B", "A"] == 9.0 and res.od.loc["A", "B"] == 0.0


@pytest.mark.parametrize("case", [c for c in mv.cases("ffs_rates__") if "dennett" in c])
def test_mig_rate_equals_dennett(case):
    doc = mv.load(case)
    a = doc["args"]
    s1 = a["stock_start"]
    res = estimate("mig_rate", (s1, s1), None, global_flow=float(a["M"]))
    np.testing.assert_allclose(res.od.to_numpy(), doc["output"].to_numpy(), rtol=1e-12)
    assert res.od.to_numpy().sum() == pytest.approx(float(a["M"]))


def test_mig_rate_default_total_is_da_min_closed():
    stocks, vital = _doc_e5()
    closed = estimate("da_min_closed", stocks, vital)
    rate = estimate("mig_rate", stocks, vital)
    assert rate.od.to_numpy().sum() == pytest.approx(closed.od.to_numpy().sum())


def test_demographic_methods_are_ffs_demo_variants():
    stocks, vital = _doc_e5()
    closed = estimate("da_min_closed", stocks, vital)
    ref = ffs_demo(stocks[0], stocks[1], vital["births"], vital["deaths"])
    np.testing.assert_array_equal(closed.flow, ref.flow)
    opened = estimate("da_min_open", stocks, vital)
    ref = ffs_demo(stocks[0], stocks[1], vital["births"], vital["deaths"], match_birthplace_tot_method="open-dr")
    np.testing.assert_array_equal(opened.flow, ref.flow)
    # options reach ffs_demo
    prop = estimate("da_min_closed", stocks, vital, birth_method="proportion")
    assert prop.options["birth_method"] == "proportion"


def test_pseudo_bayes_blends_and_keeps_margins():
    stocks, vital = _gen10()
    pb = estimate("da_pb_closed", stocks, vital)
    mm = ffs_demo(stocks[0], stocks[1], vital["births"], vital["deaths"])
    ind = ffs_demo(stocks[0], stocks[1], vital["births"], vital["deaths"], stayer_assumption=False)
    # margins shared by both inputs hold for the blend
    np.testing.assert_allclose(pb.flow.sum(axis=1), mm.flow.sum(axis=1), rtol=1e-6, atol=1.0)
    np.testing.assert_allclose(pb.flow.sum(axis=0), mm.flow.sum(axis=0), rtol=1e-6, atol=1.0)
    movers = [f.od.to_numpy().sum() for f in (mm, pb, ind)]
    assert movers[0] <= movers[1] <= movers[2]
    # one fixed weight, cell by cell (Abel & Cohen 2019 after Azose & Raftery 2019)
    np.testing.assert_allclose(pb.flow, 0.87 * mm.flow + 0.13 * ind.flow, rtol=1e-9, atol=1e-6)
    assert pb.steps["weight_independence"] == 0.13


def test_populations_fill_native_born():
    stocks, vital = _doc_e5()
    s1, s2 = stocks
    v = vital.copy()
    v["pop_start"] = s1.sum(axis=0) + 100
    v["pop_end"] = s2.sum(axis=0) + 100
    res = estimate("da_min_closed", stocks, v)
    moved = ffs_demo(*(s.copy() for s in stocks), vital["births"], vital["deaths"])
    assert not np.allclose(res.flow, moved.flow)
    bad = vital.copy()
    bad["pop_start"] = 1.0
    with pytest.raises(ValueError, match="below the foreign-born stock"):
        estimate("da_min_closed", stocks, bad)


def test_scale_free_methods():
    stocks, vital = _gen10()
    c = 3.0
    scaled = (stocks[0] * c, stocks[1] * c)
    for method in ("sd_drop_neg", "sd_rev_neg"):
        a = estimate(method, stocks, vital)
        b = estimate(method, scaled, vital * c)
        np.testing.assert_allclose(b.flow, c * a.flow, rtol=1e-12)
    a = estimate("mig_rate", stocks, vital, global_flow=1e5)
    b = estimate("mig_rate", scaled, vital * c, global_flow=c * 1e5)
    np.testing.assert_allclose(b.flow, c * a.flow, rtol=1e-12)


@pytest.mark.realdata
def test_real_2015_2020_sd_drop_neg_and_closed(mirror: Path):
    ims = pd.read_csv(mirror / "undesa_ims" / "ims2020_bilateral_stock.csv")
    ims = ims[(ims["sex"] == "total") & ims["orig_iso3"].notna() & ims["year"].isin([2015, 2020])]
    tabs = {
        y: g.pivot_table(index="orig_iso3", columns="dest_iso3", values="persons", aggfunc="sum")
        for y, g in ims.groupby("year")
    }
    codes = sorted(set(tabs[2015].index) | set(tabs[2015].columns) | set(tabs[2020].index) | set(tabs[2020].columns))
    s1, s2 = (tabs[y].reindex(index=codes, columns=codes).fillna(0.0) for y in (2015, 2020))
    res = estimate("sd_drop_neg", (s1, s2), None)
    y = s2.to_numpy() - s1.to_numpy()
    np.fill_diagonal(y, 0)
    assert res.od.to_numpy().sum() == y[y > 0].sum()
