"""Remittance cost indicators (SDG 10.c.1) on toys: RPW's simple mean, years from quarters, the 3 % target."""

from __future__ import annotations

import pandas as pd

from migdev.indicators import costs
from migdev.indicators.tidy import aggregate

C = pd.DataFrame({
    "period": ["2024Q1", "2024Q1", "2024Q2", "2024Q1", "2023Q4"],
    "sender": ["X", "Y", "X", "X", "X"], "receiver": ["A", "A", "A", "B", "B"],
    "cost_pct_200": [2.0, 6.0, 4.0, None, 3.0], "source": "derived", "anomaly": None,
})


def test_average_gap_and_share() -> None:
    avg = costs.cost_corridor_average(remittance_cost=C).set_index(["iso3", "year"])["value"]
    assert avg[("A", 2024)] == 4.0 and avg[("B", 2023)] == 3.0 and ("B", 2024) not in avg.index  # missing: no row
    gap = costs.cost_gap_to_target(remittance_cost=C).set_index(["iso3", "year"])["value"]
    assert gap[("A", 2024)] == 1.0 and gap[("B", 2023)] == 0.0
    share = costs.cost_share_at_target(remittance_cost=C).set_index(["iso3", "year"])["value"]
    assert share[("A", 2024)] == 1 / 3 and share[("B", 2023)] == 1.0
    sent = costs.cost_corridor_average(remittance_cost=C, side="sender").set_index(["iso3", "year"])["value"]
    assert sent[("X", 2024)] == 3.0


def test_group_cost_is_mean_over_corridor_quarters() -> None:
    avg = costs.cost_corridor_average(remittance_cost=C.assign(period="2024Q1"))
    group = aggregate(avg, pd.DataFrame({"group_id": "G", "iso3": ["A", "B"]}), "ratio")
    assert group["value"].iloc[0] == (2 + 6 + 4 + 3) / 4
