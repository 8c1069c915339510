"""Skilled emigration, income gap and roles on hand-checked toys."""

from __future__ import annotations

import numpy as np
import pandas as pd

from migdev.indicators import income, roles, skills

S = pd.DataFrame({"year": 2010, "origin": ["A", "A", "B", "B", "C"], "sex": "total",
                  "education": ["high", "total", "high", "total", "high"], "rate": [0.3, 0.1, 0.0, 0.0, 1.0],
                  "flag": [None, None, None, None, "rate_is_one"]})


def _v(frame: pd.DataFrame) -> dict[str, float]:
    return frame.set_index("iso3")["value"].to_dict()


def test_rates_and_intensity() -> None:
    high = _v(skills.skilled_emigration_rate(skilled_emigration=S))
    assert high["A"] == 0.3 and high["B"] == 0.0 and np.isnan(high["C"])  # the flagged 1.0 is missing
    ratio = _v(skills.skilled_brain_drain_intensity(skilled_emigration=S))
    assert ratio["A"] == 0.3 / 0.1 and np.isnan(ratio["B"])


def test_income_gap() -> None:
    s = pd.DataFrame({"year": 2024, "sex": "total", "origin": ["A", "A", "B"], "destination": ["B", "C", "A"],
                      "persons": [1, 3, 2]})
    w = pd.DataFrame({"iso3": ["A", "B", "C"], "year": 2024, "indicator": income.GNI_PPP,
                      "value": [10.0, 20.0, None]})
    per = income.income_gap_destination(migrant_stock=s, wdi=w)
    assert per[per.iso3 == "A"].set_index("partner")["value"].fillna(-1).to_dict() == {"C": -1, "B": 2.0}
    top = _v(income.income_gap_top_destinations(migrant_stock=s, wdi=w))
    assert top["A"] == 2.0 and top["B"] == 0.5  # C has no GNI and takes no part


def test_roles() -> None:
    t = pd.DataFrame({"iso3": ["A", "B", "C"], "year": 2020, "sex": "total", "immigrants": [1, 9, None],
                      "emigrants": [5, 9, 1]})
    assert _v(roles.role_origin(migrant_stock_total=t))["A"] == 1.0
    dest = _v(roles.role_destination(migrant_stock_total=t))
    assert dest["B"] == 1.0 and np.isnan(dest["C"])
    assert _v(roles.role_stock_balance(migrant_stock_total=t))["A"] == (1 - 5) / 6
    f = pd.DataFrame({"sex": "total", "period_start": 2015, "period_end": 2020, "origin": ["A", "B", "A"],
                      "destination": ["B", "A", "C"], "flow": [100, 80, 0]})
    p = pd.DataFrame({"iso3": ["A", "B"], "year": 2020, "sex": "total", "persons": [1000, 100_000],
                      "variant": "estimate"})
    transit = _v(roles.role_transit(flow_estimate=f, population=p))
    assert transit["A"] == 1.0 and transit["B"] == 0.0 and np.isnan(transit["C"])
