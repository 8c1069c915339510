"""Remittance indicators on hand-checked toys, with zero and missing inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd

from migdev.indicators import remittances as r
from migdev.indicators.tidy import aggregate


def _wdi(rows: list[tuple[str, int, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["iso3", "year", "indicator", "value"])


W = _wdi([("A", 2022, r.RECEIVED, 50.0), ("A", 2022, r.GDP, 100.0), ("A", 2022, r.FDI, -10.0),
          ("A", 2022, r.ODA, 0.0), ("A", 2022, r.EXPORTS, 200.0), ("B", 2022, r.RECEIVED, 0.0),
          ("B", 2022, r.GDP, 300.0), ("C", 2022, r.GDP, 10.0)])


def _v(frame: pd.DataFrame) -> dict[str, float]:
    return frame.set_index("iso3")["value"].to_dict()


def test_share_of_gdp_and_against_other_flows() -> None:
    share = _v(r.remit_share_of_gdp(wdi=W))
    assert share["A"] == 50.0 and share["B"] == 0.0 and np.isnan(share["C"])  # C: no remittances figure
    assert _v(r.remit_vs_fdi(wdi=W))["A"] == -5.0  # disinvestment kept, with its sign
    assert np.isnan(_v(r.remit_vs_oda(wdi=W))["A"])  # ODA of 0: undefined, not 0
    assert _v(r.remit_vs_exports(wdi=W))["A"] == 25.0
    group = aggregate(r.remit_share_of_gdp(wdi=W), pd.DataFrame({"group_id": "G", "iso3": ["A", "B", "C"]}),
                      "ratio", scale=100.0)
    assert group["value"].iloc[0] == 100 * 50 / 400 and group["members"].iloc[0] == 2


def test_per_emigrant_only_in_stock_years() -> None:
    t = pd.DataFrame({"iso3": ["A", "B"], "year": 2022, "sex": "total", "emigrants": [5, None]})
    out = _v(r.remit_per_emigrant(wdi=W, migrant_stock_total=t))
    assert out["A"] == 10.0 and np.isnan(out["B"])


def test_volatility_needs_a_full_window() -> None:
    years = list(range(2000, 2012))
    levels = [float(y - 2000) ** 2 for y in years]
    w = _wdi([("A", y, r.RECEIVED, v) for y, v in zip(years, levels, strict=True)]
             + [("B", y, r.RECEIVED, 1.0) for y in years if y != 2005])
    cv = r.remit_volatility(wdi=w)
    changes = np.diff(levels)
    first = changes[:10]
    assert cv[cv.iso3 == "A"]["year"].tolist() == [2010, 2011]
    assert cv[cv.iso3 == "A"]["value"].iloc[0] == np.std(first, ddof=1) / abs(first.mean())
    assert "B" not in set(cv["iso3"])  # a gap in the series: no window is complete
    flat = _wdi([("C", y, r.RECEIVED, 3.0) for y in years])
    assert r.remit_volatility(wdi=flat).empty  # no change at all: the coefficient is undefined
