"""The accounts and the methods' new rules on small generated DuckDB tables (no real data).

Four areas A, B, C, D (D's stock is published only at the end: outside the period's set), the unspecified
origin XXX, a split (MNE from SRB) and two WPP revisions, so that each convention of
:class:`~migdev.estimates.basis.BasisOptions` shows in a number that can be computed by hand.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from migdev import flows
from migdev.estimates.accounts import Accounts
from migdev.estimates.basis import Basis, BasisOptions, year_weights
from migdev.flows import fit, prepare
from migdev.flows.methods import global_flow_from_net

AREAS = ["AAA", "BBB", "CCC", "SRB", "MNE"]
POP = {"AAA": 1000.0, "BBB": 2000.0, "CCC": 1500.0, "SRB": 800.0, "MNE": 200.0, "DDD": 300.0}


def _con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE TABLE migrant_stock (revision VARCHAR, year INTEGER, sex VARCHAR, origin VARCHAR, "
                "destination VARCHAR, persons BIGINT)")
    con.execute("CREATE TABLE migrant_stock_total (revision VARCHAR, year INTEGER, sex VARCHAR, iso3 VARCHAR, "
                "population BIGINT, immigrants BIGINT)")
    con.execute("CREATE TABLE vital_annual (revision VARCHAR, year INTEGER, iso3 VARCHAR, births BIGINT, "
                "deaths BIGINT, net_migration BIGINT)")
    con.execute("CREATE TABLE population (revision VARCHAR, year INTEGER, sex VARCHAR, iso3 VARCHAR, persons BIGINT)")
    stock = []
    for year, grow in ((2000, 0), (2005, 10)):
        for o, d, n in (("AAA", "BBB", 50), ("BBB", "AAA", 30), ("CCC", "AAA", 20), ("XXX", "BBB", 40),
                        ("MNE", "SRB", 25), ("SRB", "MNE", 5), ("AAA", "SRB", 10), ("DDD", "CCC", 15)):
            stock.append(("2020", year, "total", o, d, n + grow))
            stock.append(("2020", year, "female", o, d, (n + grow) // 2))
    stock += [("2020", 2005, sex, "AAA", "DDD", 12) for sex in ("total", "female")]  # DDD published as a destination only in 2005
    con.executemany("INSERT INTO migrant_stock VALUES (?, ?, ?, ?, ?, ?)", stock)
    for rev, scale in (("2024", 1.0), ("2022", 1.1)):
        for code, pop in POP.items():
            for year in range(2000, 2006):
                con.execute("INSERT INTO vital_annual VALUES (?, ?, ?, ?, ?, ?)",
                            [rev, year, code, round(10 * scale * (1 + year - 2000)), 4, 2 if code == "AAA" else -1])
            for year, g in ((2000, 0.0), (2005, 40.0)):
                con.execute("INSERT INTO population VALUES (?, ?, 'total', ?, ?)", [rev, year, code, pop * scale + g])
                for sex, share in (("male", 0.48), ("female", 0.52)):
                    con.execute("INSERT INTO population VALUES (?, ?, ?, ?, ?)",
                                [rev, year, sex, code, round((pop * scale + g) * share)])
    for code, pop in POP.items():
        for year in (2000, 2005):
            con.execute("INSERT INTO migrant_stock_total VALUES ('2020', ?, 'total', ?, ?, 0)", [year, code, pop / 2])
    return con


def test_default_convention_unplaced_are_native_born_and_areas_at_both_ends():
    acc = Accounts(_con()).account(Basis("2020", "2024"), (2000, 2005), "total")
    assert acc.labels == ["AAA", "BBB", "CCC", "SRB"]  # DDD only at one end; MNE merged into SRB before 2010
    s1 = acc.stock_start
    # XXX (40 in BBB) and DDD-born (15 in CCC) are native-born of their residence: pop - foreign from included
    assert s1.loc["BBB", "BBB"] == POP["BBB"] - 50 and s1.loc["CCC", "CCC"] == POP["CCC"]
    assert s1.loc["AAA", "AAA"] == POP["AAA"] - 30 - 20
    # MNE <-> SRB stocks become internal; SRB's population is SRB + MNE
    assert s1.loc["SRB", "SRB"] == POP["SRB"] + POP["MNE"] - 10
    assert s1.loc["AAA", "SRB"] == 10
    assert any("not published at both ends" in n and "DDD" in n for n in acc.notes)


def test_alternatives_keep_xxx_as_a_place_of_birth_and_split_countries_apart():
    acc = Accounts(_con(), options=BasisOptions(unplaced="unspecified", merge_splits=False)).account(
        Basis("2020", "2024"), (2000, 2005), "total")
    assert acc.labels == ["AAA", "BBB", "CCC", "MNE", "SRB", "XXX"]
    assert acc.stock_start.loc["XXX", "BBB"] == 40 and acc.stock_start.loc["XXX", "CCC"] == 15  # DDD-born too
    assert acc.stock_start.loc["MNE", "SRB"] == 25
    assert acc.stock_start.loc["XXX", "XXX"] == 0


def test_one_wpp_revision_and_mid_year_totals():
    con = _con()
    for rev, scale in (("2024", 1.0), ("2022", 1.1)):
        acc = Accounts(con).account(Basis("2020", rev), (2000, 2005), "total")
        births = sum(round(10 * scale * (1 + y - 2000)) * w for y, w in year_weights(2000, 2005, "mid_year").items())
        assert acc.vital.loc["AAA", "births"] == pytest.approx(births)
        assert acc.vital.loc["AAA", "pop_start"] == pytest.approx(POP["AAA"] * scale)
    assert year_weights(2000, 2005, "mid_year") == {2000: 0.5, 2001: 1, 2002: 1, 2003: 1, 2004: 1, 2005: 0.5}
    assert sum(year_weights(2020, 2024, "mid_year").values()) == 4
    ims = Accounts(con, options=BasisOptions(population="ims")).account(Basis("2020", "2024"), (2000, 2005), "total")
    assert ims.vital.loc["BBB", "pop_start"] == POP["BBB"] / 2


def test_sex_split_of_vital_statistics():
    acc = Accounts(_con()).account(Basis("2020", "2024"), (2000, 2005), "female")
    total = Accounts(_con()).account(Basis("2020", "2024"), (2000, 2005), "total")
    assert acc.vital.loc["AAA", "births"] == pytest.approx(total.vital.loc["AAA", "births"] * 100 / 205)
    assert acc.vital.loc["AAA", "pop_start"] == pytest.approx(round(POP["AAA"] * 0.52))


# -- the methods' rules ----------------------------------------------------------------------------------------


def _account(n: int = 6, seed: int = 3):
    rng = np.random.default_rng(seed)
    labels = [f"R{i}" for i in range(n)]
    s1 = rng.integers(10, 400, (n, n)).astype(float)
    np.fill_diagonal(s1, rng.integers(5000, 20000, n))
    s2 = s1 + rng.integers(-8, 40, (n, n))
    vital = pd.DataFrame({"births": rng.integers(300, 900, n), "deaths": rng.integers(200, 600, n)}, index=labels)
    return (pd.DataFrame(s1, labels, labels), pd.DataFrame(s2, labels, labels)), vital


def test_blend_with_weight_zero_and_one():
    stocks, vital = _account()
    closed = flows.estimate("da_min_closed", stocks, vital)
    ind = flows.ffs_demo(*stocks, vital["births"], vital["deaths"], stayer_assumption=False)
    zero = flows.estimate("da_pb_closed", stocks, vital, weight=0.0)
    one = flows.estimate("da_pb_closed", stocks, vital, weight=1.0, min_migration=closed)
    np.testing.assert_allclose(zero.flow, closed.flow, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(one.flow, ind.flow, rtol=1e-12, atol=1e-9)
    mid = flows.estimate("da_pb_closed", stocks, vital)
    np.testing.assert_allclose(mid.od.to_numpy(), 0.87 * closed.od.to_numpy() + 0.13 * ind.od.to_numpy(), rtol=1e-10)
    with pytest.raises(ValueError, match="weight"):
        flows.estimate("da_pb_closed", stocks, vital, weight=1.5)


def test_independence_fit_keeps_the_accounts_margins():
    stocks, vital = _account()
    state = prepare(*stocks, vital["births"], vital["deaths"])
    flow = fit(state, stayer_assumption=False).flow  # [origin, destination, pob]
    np.testing.assert_allclose(flow.sum(axis=1), state.stock_start.T, rtol=1e-6, atol=0.1)  # the IPF stops at a change of 1e-3 per sweep
    np.testing.assert_allclose(flow.sum(axis=0), state.stock_end.T, rtol=1e-6, atol=0.1)  # the IPF stops at a change of 1e-3 per sweep


def test_mig_rate_total_is_the_rescaled_sum_of_absolute_net_migration():
    stocks, vital = _account()
    net = np.array([120.0, -40.0, -30.0, 15.0, -50.0, 0.0])
    res = flows.estimate("mig_rate", stocks, vital, net_migration=net)
    pos, neg = 135.0, 120.0
    rescaled = np.where(net > 0, net * (pos + neg) / 2 / pos, net * (pos + neg) / 2 / neg)
    assert rescaled.sum() == pytest.approx(0.0, abs=1e-9)
    assert res.od.to_numpy().sum() == pytest.approx(np.abs(rescaled).sum())
    assert global_flow_from_net(net) == pytest.approx(np.abs(rescaled).sum())
    with pytest.raises(ValueError, match="non-finite"):
        global_flow_from_net([1.0, np.nan])
