"""Stock indicators on hand-checked toys (zero and missing included) and their laws."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from migdev.indicators import stocks
from migdev.indicators.population import netmig_rate, pop_population
from migdev.indicators.tidy import aggregate

TOTALS = pd.DataFrame({
    "iso3": ["A", "A", "A", "B", "B", "B", "C", "C", "C"], "year": 2024,
    "sex": ["total", "female", "male"] * 3,
    "immigrants": [20, 8, 12, 0, 0, 0, None, None, None],
    "emigrants": [10, 4, 6, 30, 20, 10, 5, 5, 0],
    "population": [100, None, None, 200, None, None, None, None, None],
})
WPP = pd.DataFrame({"iso3": ["A", "A", "B", "B"], "year": 2024, "sex": ["female", "male"] * 2,
                    "persons": [40, 60, 100, 100], "variant": "medium"})


def _by(frame: pd.DataFrame, sex: str = "total") -> dict[str, float]:
    return frame[frame["sex"] == sex].set_index("iso3")["value"].to_dict()


def test_immigrant_share_uses_release_population_then_wpp() -> None:
    share = stocks.stock_immigrant_share(migrant_stock_total=TOTALS, population=WPP)
    assert _by(share)["A"] == 0.2 and _by(share)["B"] == 0.0  # zero immigrants: a share of 0, not NA
    assert np.isnan(_by(share)["C"])  # no immigrants, no population: NA
    assert _by(share, "female")["A"] == 8 / 40


def test_emigration_rate_definition() -> None:
    rate = _by(stocks.stock_emigration_rate(migrant_stock_total=TOTALS, population=WPP))
    assert rate["A"] == 10 / (100 - 20 + 10)  # emigrants / (residents born there + emigrants)
    assert rate["B"] == 30 / (200 + 30)
    assert np.isnan(rate["C"])


def test_female_shares_and_net() -> None:
    f = _by(stocks.stock_female_share_immigrants(migrant_stock_total=TOTALS))
    assert f["A"] == 0.4 and np.isnan(f["B"]) and np.isnan(f["C"])  # B: no immigrants, undefined
    assert _by(stocks.stock_female_share_emigrants(migrant_stock_total=TOTALS))["C"] == 1.0
    net = _by(stocks.stock_net_immigrants(migrant_stock_total=TOTALS))
    assert net["A"] == 10 and net["B"] == -30 and np.isnan(net["C"])


BILATERAL = pd.DataFrame({
    "year": [1990, 1990, 2024, 2024, 2024, 2024, 2024], "sex": "total",
    "origin": ["A", "A", "A", "A", "B", "XXX", "C"], "destination": ["B", "C", "B", "C", "C", "C", "B"],
    "persons": [5, 1, 7, 9, 0, 50, 3],
})


def test_top_lists_skip_unspecified_origin_and_zero() -> None:
    dest = stocks.stock_top_destinations(migrant_stock=BILATERAL)
    a = dest[(dest.iso3 == "A") & (dest.year == 2024)]
    assert a[["rank", "partner", "value"]].values.tolist() == [[1, "C", 9.0], [2, "B", 7.0]]
    assert "B" not in set(dest[dest.year == 2024]["iso3"])  # B's only corridor is 0: no top list, not a 0 row
    orig = stocks.stock_top_origins(migrant_stock=BILATERAL)
    assert "XXX" not in set(orig["partner"])
    change = stocks.stock_top_destinations_change_1990(migrant_stock=BILATERAL)
    assert change[(change.iso3 == "A") & (change.year == 2024)].set_index("partner")["value"].to_dict() == {
        "C": 8.0, "B": 2.0}
    corr = stocks.stock_top_corridors(migrant_stock=BILATERAL)
    assert corr[(corr.iso3 == "C") & (corr.year == 2024)]["partner"].tolist() == ["A>C", "C>B"]


def test_group_top_lists_sum_members() -> None:
    members = pd.DataFrame({"group_id": "G", "iso3": ["A", "B"]})
    dest = stocks.stock_top_destinations(migrant_stock=BILATERAL, area_group_member=members)
    g = dest[(dest.iso3 == "G") & (dest.year == 2024)]
    assert g.set_index("partner")["value"].to_dict() == {"C": 9.0, "B": 7.0}  # B->C is 0 and drops out
    corr = stocks.stock_top_corridors(migrant_stock=BILATERAL, area_group_member=members)
    assert corr[(corr.iso3 == "G") & (corr.year == 2024)]["partner"].tolist() == ["A>C", "A>B", "C>B"]


def test_population_and_net_migration_rate() -> None:
    p = pd.DataFrame({"iso3": "A", "year": [2023, 2023], "sex": "total", "persons": [1000, 999],
                      "variant": ["medium", "estimate"]})
    assert pop_population(population=p)["value"].tolist() == [999.0]
    v = pd.DataFrame({"iso3": ["A", "B"], "year": 2023, "net_migration": [0, -5], "variant": "estimate"})
    rate = netmig_rate(vital_annual=v, population=p).set_index("iso3")["value"]
    assert rate["A"] == 0.0 and np.isnan(rate["B"])


rows = st.lists(st.tuples(st.integers(0, 10**7), st.integers(0, 10**7), st.integers(1, 10**8)), min_size=1,
                max_size=10)


@settings(max_examples=50, deadline=None)
@given(rows)
def test_shares_in_unit_interval_and_group_totals(data: list[tuple[int, int, int]]) -> None:
    n = len(data)
    codes = [f"K{i:02d}" for i in range(n)]
    imm = [min(a, p) for a, _, p in data]
    t = pd.DataFrame({"iso3": codes, "year": 2024, "sex": "total", "immigrants": imm,
                      "emigrants": [e for _, e, _ in data], "population": [p for _, _, p in data]})
    no_wpp = WPP.iloc[:0]
    for fn in (stocks.stock_immigrant_share, stocks.stock_emigration_rate):
        out = fn(migrant_stock_total=t, population=no_wpp)
        ok = out["value"].dropna()
        assert ((ok >= 0) & (ok <= 1)).all()
    members = pd.DataFrame({"group_id": "G", "iso3": codes})
    stock = stocks.stock_immigrants(migrant_stock_total=t.sample(frac=1.0, random_state=n))
    assert aggregate(stock, members, "sum")["value"].iloc[0] == float(sum(imm))


def test_more_immigrants_than_residents_is_inconsistent_not_a_share_above_one() -> None:
    t = pd.DataFrame({"iso3": ["Z"], "year": 2024, "sex": "total", "immigrants": [101], "emigrants": [5],
                      "population": [100]})
    assert np.isnan(_by(stocks.stock_immigrant_share(migrant_stock_total=t, population=WPP))["Z"])
    assert np.isnan(_by(stocks.stock_emigration_rate(migrant_stock_total=t, population=WPP))["Z"])
