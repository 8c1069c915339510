"""Refugee indicators: UNHCR's SDG 10.7.4 rule (refugees + oip, UNRWA excluded) on toys."""

from __future__ import annotations

import numpy as np
import pandas as pd

from migdev.indicators import refugees

R = pd.DataFrame({
    "year": 2022, "origin": ["A", "A", "A", "A", "B"], "asylum": ["C", "C", "D", "C", "C"],
    "population_type": ["refugees", "oip", "asylum_seekers", "unrwa_refugees", "refugees"],
    "persons": [100, 50, 999, 999, 0],
})
P = pd.DataFrame({"iso3": ["A", "C"], "year": 2022, "sex": "total", "persons": [99_850, 1000], "variant": "estimate"})


def _v(frame: pd.DataFrame) -> dict[str, float]:
    return frame.set_index("iso3")["value"].to_dict()


def test_hosted_and_originating_count_refugees_and_oip_only() -> None:
    assert _v(refugees.refugees_hosted(refugee=R)) == {"C": 150.0}
    assert _v(refugees.refugees_originating(refugee=R)) == {"A": 150.0, "B": 0.0}


def test_sdg_10_7_4() -> None:
    rate = _v(refugees.refugees_per_100k_origin(refugee=R, population=P))
    assert rate["A"] == 150 / (99_850 + 150) * 100_000
    assert np.isnan(rate["B"])  # no population for B
    assert _v(refugees.refugees_hosted_per_1000(refugee=R, population=P))["C"] == 150.0
