"""The remittance allocation (models/remittances.py) and its validation metrics, on generated data."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migdev.models import remittance_validation as rv
from migdev.models import remittances as rm
from migdev.models.remittances import Method

CODES = ["AAA", "BBB", "CCC", "DDD", "EEE", "FFF"]
METHODS = [Method("stock"), Method("host"), Method("min"), Method("gain", 0.0), Method("gain", 0.075),
           Method("gain", 1.0)]


@st.composite
def worlds(draw):
    """Random corridors (some zero), inflows (some receivers without) and incomes (some unknown)."""
    pairs = [(s, r) for s in CODES for r in CODES if s != r]
    chosen = draw(st.lists(st.sampled_from(pairs), min_size=1, max_size=len(pairs), unique=True))
    stock = draw(st.lists(st.one_of(st.just(0.0), st.floats(1.0, 1e7)), min_size=len(chosen),
                          max_size=len(chosen)))
    corridors = pd.DataFrame({"sender": [p[0] for p in chosen], "receiver": [p[1] for p in chosen],
                              "stock": stock})
    receivers = sorted(set(corridors["receiver"]))
    has = draw(st.lists(st.booleans(), min_size=len(receivers), max_size=len(receivers)))
    amounts = draw(st.lists(st.floats(1e3, 1e11), min_size=len(receivers), max_size=len(receivers)))
    inflow = pd.Series({r: a for r, a, h in zip(receivers, amounts, has, strict=True) if h}, dtype=float)
    incomes = draw(st.lists(st.one_of(st.none(), st.floats(500.0, 150_000.0)), min_size=len(CODES),
                            max_size=len(CODES)))
    income = pd.Series({c: y for c, y in zip(CODES, incomes, strict=True) if y is not None}, dtype=float)
    return corridors, inflow, income, draw(st.sampled_from(METHODS))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_allocation_sums_to_each_inflow_and_is_never_negative(world) -> None:
    corridors, inflow, income, method = world
    out = rm.allocate(corridors, inflow, income, method)
    assert (out["usd"] > 0).all()
    sums = out.groupby("receiver")["usd"].sum()
    with_migrants = corridors[corridors["stock"] > 0]["receiver"].unique()
    expected = inflow[inflow.index.isin(with_migrants)]
    pd.testing.assert_series_equal(sums.sort_index(), expected.sort_index(), check_names=False, rtol=1e-9,
                                   check_index_type=False)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds(), st.permutations(CODES))
def test_relabelling_countries_relabels_the_allocation(world, perm) -> None:
    corridors, inflow, income, method = world
    rename = dict(zip(CODES, perm, strict=True))
    out = rm.allocate(corridors, inflow, income, method)
    moved = rm.allocate(corridors.assign(sender=corridors["sender"].map(rename),
                                         receiver=corridors["receiver"].map(rename)),
                        inflow.rename(index=rename), income.rename(index=rename), method)
    back = out.assign(sender=out["sender"].map(rename), receiver=out["receiver"].map(rename))
    key = ["sender", "receiver"]
    pd.testing.assert_frame_equal(back.sort_values(key).reset_index(drop=True),
                                  moved.sort_values(key).reset_index(drop=True), rtol=1e-12)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_a_corridor_without_migrants_gets_nothing(world) -> None:
    corridors, inflow, income, method = world
    out = rm.allocate(corridors, inflow, income, method)
    empty = corridors[corridors["stock"] == 0][["sender", "receiver"]]
    assert empty.merge(out, on=["sender", "receiver"]).empty
    assert set(out["receiver"]) <= set(inflow.index)


def test_gain_spans_the_stock_rule_and_the_max_income_rule() -> None:
    c = pd.DataFrame({"sender": ["USA", "GTM", "ESP"], "receiver": "MEX", "stock": [100.0, 20.0, 10.0]})
    inflow = pd.Series({"MEX": 1300.0})
    income = pd.Series({"USA": 60.0, "GTM": 10.0, "ESP": 40.0, "MEX": 20.0})
    stock = rm.allocate(c, inflow, income, Method("stock"))
    assert stock["usd"].tolist() == pytest.approx([1000.0, 200.0, 100.0])
    pd.testing.assert_frame_equal(rm.allocate(c, inflow, income, Method("gain", 0.0)), stock)
    top = rm.allocate(c, inflow, income, Method("gain", 1.0))  # weights 100*60, 20*20, 10*40
    assert top["usd"].tolist() == pytest.approx(1300.0 * np.array([6000, 400, 400]) / 6800)
    # s: each migrant in a richer host sends 1 + s (y_host / y_origin - 1) times what one in a poorer host sends
    half = rm.allocate(c, inflow, income, Method("gain", 0.5)).set_index("sender")["usd"]
    per = half / c.set_index("sender")["stock"]
    assert per["USA"] / per["GTM"] == pytest.approx(2.0) and per["ESP"] / per["GTM"] == pytest.approx(1.5)


def test_missing_incomes_fall_back_to_stock_shares() -> None:
    c = pd.DataFrame({"sender": ["USA", "CUB"], "receiver": "MEX", "stock": [30.0, 10.0]})
    out = rm.allocate(c, pd.Series({"MEX": 40.0}), pd.Series({"USA": 60.0}), Method("gain", 0.5))
    assert out["usd"].tolist() == pytest.approx([30.0, 10.0])  # no origin income: every factor is 1


def test_bad_variant_and_share_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown variant 'gap'; expected one of stock, host, min, gain"):
        rm.weights(np.ones(1), np.ones(1), np.ones(1), "gap")
    with pytest.raises(ValueError, match="share must be within"):
        rm.weights(np.ones(1), np.ones(1), np.ones(1), "gain", 1.5)


def test_stocks_are_interpolated_between_ims_years_only() -> None:
    s = pd.DataFrame({"year": [2015, 2020, 2020, 2024], "sender": ["USA", "USA", "CAN", "USA"],
                      "receiver": "MEX", "stock": [100.0, 200.0, 50.0, 280.0]})
    at = lambda y: rm.stocks_at(s, y).set_index("sender")["stock"].to_dict()  # noqa: E731
    assert at(2020) == {"CAN": 50.0, "USA": 200.0}
    assert at(2016) == {"CAN": 10.0, "USA": 120.0}
    assert at(2022) == {"CAN": 25.0, "USA": 240.0}  # CAN unpublished in 2024: 0 there
    with pytest.raises(ValueError, match="outside the stock years"):
        rm.stocks_at(s, 2025)


def test_compare_scores_volume_within_tolerance_and_log_correlation() -> None:
    pub = pd.DataFrame({"sender": list("ABCD"), "receiver": "X", "usd": [50.0, 30.0, 20.0, 0.0]})
    est = pd.DataFrame({"sender": list("ABD"), "receiver": "X", "usd": [60.0, 39.0, 5.0]})
    got = rv.compare(est, pub)
    assert got["corridors"] == 3 and got["matched"] == 2  # the published 0 is not scored; C is missed
    assert got["share_within_25"] == pytest.approx(0.5)  # A within 20 %, B 30 % off, C missing
    assert got["volume_estimated"] == pytest.approx(99.0) and np.isnan(got["corr_log"])
    exact = rv.compare(pub, pub)
    assert exact["share_within_25"] == 1.0 and exact["corr_log"] == pytest.approx(1.0)


def test_the_choice_is_made_on_the_training_editions_only() -> None:
    v = pd.DataFrame({"edition": [2016, 2016, 2021, 2021, 2016], "method_version": ["a", "b", "a", "b", "b"],
                      "inflows": ["wdi", "wdi", "wdi", "wdi", "published"], "basis": "edition",
                      "share_within_25": [0.6, 0.5, 0.1, 0.9, 1.0]})
    assert rv.best(v) == "a"
    assert rv.best(v, editions=(2021,)) == "b"


def test_the_method_version_names_the_rule_and_its_parameter() -> None:
    assert Method("gain", 0.075).version == "rs2007-gain-s0.075-v1"
    assert Method("stock").version == "rs2007-stock-v1"
    assert rm.METHOD in rv.CANDIDATES


def test_estimate_and_validate_on_a_small_database() -> None:
    """Every year a revision spans with inflows, none outside; validation rows per edition and candidate."""
    con = duckdb.connect()
    con.execute("CREATE TABLE migrant_stock AS SELECT * FROM (VALUES ('2020', 2015, 'total', 'MEX', 'USA', 100), "
                "('2020', 2020, 'total', 'MEX', 'USA', 200), ('2020', 2020, 'total', 'MEX', 'GTM', 50), "
                "('2020', 2020, 'male', 'MEX', 'GTM', 50)) t(revision, year, sex, origin, destination, persons)")
    con.execute("CREATE TABLE wdi AS SELECT * FROM (VALUES ('MEX', 2016, 'BX.TRF.PWKR.CD.DT', 1e9, 'v1'), "
                "('MEX', 2021, 'BX.TRF.PWKR.CD.DT', 2e9, 'v1'), ('USA', 2016, 'NY.GNP.PCAP.PP.CD', 60e3, 'v1'), "
                "('MEX', 2016, 'NY.GNP.PCAP.PP.CD', 20e3, 'v1'), ('GTM', 2016, 'NY.GNP.PCAP.PP.CD', 9e3, 'v1')) "
                "t(iso3, year, indicator, value, vintage)")
    con.execute("CREATE TABLE remittance_bilateral AS SELECT * FROM (VALUES (2016, 'USA', 'MEX', 9e8), "
                "(2016, 'GTM', 'MEX', 1e8)) t(edition, sender, receiver, usd)")
    data = rm.inputs(con)
    out = rm.estimate(data)
    assert out["year"].unique().tolist() == [2016]  # 2021 is past the revision's last IMS year
    assert out["usd"].sum() == pytest.approx(1e9) and set(out["method_version"]) == {rm.METHOD.version}
    row = out.set_index("sender").loc["GTM"]
    assert row["stock"] == pytest.approx(10.0) and row["wdi_vintage"] == "v1"
    val = rv.validate(con, data)
    assert len(val) == len(rv.CANDIDATES) * 2  # one edition x (wdi, published) inflows, on the 'latest' basis
    assert val["chosen"].sum() == 2 and (val["corridors"] == 2).all()
