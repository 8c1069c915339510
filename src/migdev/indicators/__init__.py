"""Indicators: one module per family, one function per indicator, and :data:`CATALOGUE` listing them all.

Every indicator function takes keyword-only tidy frames named after the store tables it reads (``wdi=``,
``migrant_stock_total=``...) and returns ``iso3, year, sex, value`` (plus ``rank, partner`` for top-N lists and
``numerator, denominator`` for ratios), NA where an input is missing, never 0. :class:`Indicator` says, for each
stable id, its family, unit, SDG code, inputs, title, whether it is published or derived, and how a group's value
is made (:func:`migdev.indicators.tidy.aggregate`): ``sum`` of members' values, ``ratio`` of summed numerators
and denominators, ``groups`` (the function computes groups itself from ``area_group_member``, e.g. a corridor or
a death record counted once per group) or ``none`` (no group value is meaningful).

The build's ``indicators`` step (:mod:`migdev.indicators.step`) computes every entry into the ``indicator``
table, for every country and every group.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Literal

import pandas as pd

from migdev.indicators import costs, income, policy, population, refugees, remittances, roles, skills, stocks
from migdev.indicators.tidy import aggregate, ratio, tidy
from migdev.sources.policy_sdg import DOMAINS

__all__ = ["CATALOGUE", "Indicator", "aggregate", "ratio", "tidy"]

Aggregation = Literal["sum", "ratio", "groups", "none"]


@dataclass(frozen=True)
class Indicator:
    """One indicator: what it is, what it reads, and how its group values are made."""

    id: str
    family: str
    unit: str
    sdg: str | None
    inputs: tuple[str, ...]
    fn: Callable[..., pd.DataFrame]
    title: str
    how: Aggregation = "none"
    scale: float = 1.0
    keys: tuple[str, ...] = ()
    basis: str = "derived"
    group_unit: str | None = None

    def compute(self, frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
        """The indicator of the countries, from the frames named by :attr:`inputs`."""
        return self.fn(**{name: frames[name] for name in self.inputs})


def _entries() -> list[Indicator]:
    I = Indicator  # noqa: E741 (a short name keeps the table below readable)
    t, p, ms = "migrant_stock_total", "population", "migrant_stock"
    top = ("rank", "partner")
    out = [
        I("stock_immigrants", "stocks", "persons", None, (t,), stocks.stock_immigrants, "Immigrant stock", "sum",
          basis="published"),
        I("stock_immigrant_share", "stocks", "fraction", None, (t, p), stocks.stock_immigrant_share,
          "Immigrants as a share of the population", "ratio"),
        I("stock_emigrants", "stocks", "persons", None, (t,), stocks.stock_emigrants, "Emigrant stock", "sum",
          basis="published"),
        I("stock_emigration_rate", "stocks", "fraction", None, (t, p), stocks.stock_emigration_rate,
          "Emigration rate: emigrants / (residents born there + emigrants)", "ratio"),
        I("stock_net_immigrants", "stocks", "persons", None, (t,), stocks.stock_net_immigrants,
          "Net migrant stock: immigrants less emigrants", "sum"),
        I("stock_female_share_immigrants", "stocks", "fraction", None, (t,), stocks.stock_female_share_immigrants,
          "Female share of immigrants", "ratio"),
        I("stock_female_share_emigrants", "stocks", "fraction", None, (t,), stocks.stock_female_share_emigrants,
          "Female share of emigrants", "ratio"),
        I("stock_top_destinations", "stocks", "persons", None, (ms,), stocks.stock_top_destinations,
          "Top destinations of emigrants", "groups", keys=top),
        I("stock_top_origins", "stocks", "persons", None, (ms,), stocks.stock_top_origins,
          "Top origins of immigrants", "groups", keys=top),
        I("stock_top_corridors", "stocks", "persons", None, (ms,), stocks.stock_top_corridors,
          "Top corridors touching the area (partner: origin>destination)", "groups", keys=top),
        I("stock_top_destinations_change_1990", "stocks", "persons", None, (ms,),
          stocks.stock_top_destinations_change_1990, "Change since 1990 of each top destination's stock", "groups",
          keys=top),
        I("stock_top_origins_change_1990", "stocks", "persons", None, (ms,), stocks.stock_top_origins_change_1990,
          "Change since 1990 of each top origin's stock", "groups", keys=top),
        I("stock_top_corridors_change_1990", "stocks", "persons", None, (ms,),
          stocks.stock_top_corridors_change_1990, "Change since 1990 of each top corridor's stock", "groups",
          keys=top),
        I("pop_population", "population", "persons", None, (p,), population.pop_population,
          "Population on 1 July (WPP)", "sum", basis="published"),
        I("netmig_annual", "population", "persons", None, ("vital_annual",), population.netmig_annual,
          "Net migration in the year (WPP)", "sum", basis="published"),
        I("netmig_rate", "population", "per 1,000 population", None, ("vital_annual", p), population.netmig_rate,
          "Net migration rate (WPP)", "ratio", scale=1000.0),
        I("refugees_hosted", "refugees", "persons", None, ("refugee",), refugees.refugees_hosted,
          "Refugees and other people in need of international protection hosted", "sum"),
        I("refugees_originating", "refugees", "persons", None, ("refugee",), refugees.refugees_originating,
          "Refugees and other people in need of international protection, by origin", "sum"),
        I("refugees_per_100k_origin", "refugees", "per 100,000 population", "10.7.4", ("refugee", p),
          refugees.refugees_per_100k_origin, "Refugees per 100,000 of the origin's population (SDG 10.7.4)",
          "ratio", scale=100_000.0),
        I("refugees_hosted_per_1000", "refugees", "per 1,000 population", None, ("refugee", p),
          refugees.refugees_hosted_per_1000, "Refugees hosted per 1,000 of the population", "ratio",
          scale=1000.0),
        I("remit_received", "remittances", "current US$", None, ("wdi",), remittances.remit_received,
          "Personal remittances received", "sum", basis="published"),
        I("remit_paid", "remittances", "current US$", None, ("wdi",), remittances.remit_paid,
          "Personal remittances paid", "sum", basis="published"),
        I("remit_share_of_gdp", "remittances", "percent of GDP", "17.3.2", ("wdi",),
          remittances.remit_share_of_gdp, "Remittances received as a share of GDP (SDG 17.3.2, derived)", "ratio",
          scale=100.0, basis=remittances.DERIVED_GDP_SHARE),
        I("remit_vs_fdi", "remittances", "ratio", None, ("wdi",), remittances.remit_vs_fdi,
          "Remittances received per dollar of FDI net inflows", "ratio"),
        I("remit_vs_oda", "remittances", "ratio", None, ("wdi",), remittances.remit_vs_oda,
          "Remittances received per dollar of net ODA received", "ratio"),
        I("remit_vs_exports", "remittances", "percent of exports", None, ("wdi",), remittances.remit_vs_exports,
          "Remittances received as a percent of exports of goods and services", "ratio", scale=100.0),
        I("remit_per_emigrant", "remittances", "current US$ per emigrant", None, ("wdi", t),
          remittances.remit_per_emigrant, "Remittances received per emigrant", "ratio"),
        I("remit_volatility", "remittances", "coefficient of variation", None, ("wdi",),
          remittances.remit_volatility, "Volatility of remittances received (CV of 10 annual changes)"),
        I("remit_fdi_volatility", "remittances", "coefficient of variation", None, ("wdi",),
          remittances.fdi_volatility, "Volatility of FDI net inflows (CV of 10 annual changes)"),
        I("remit_volatility_vs_fdi", "remittances", "ratio", None, ("wdi",), remittances.remit_volatility_vs_fdi,
          "Volatility of remittances relative to FDI's"),
    ]
    rc = "remittance_cost"
    for side, word in (("receiver", "receiving"), ("sender", "sending")):
        out += [
            I(f"cost_{word}_average", "costs", "percent of amount sent", "10.c.1", (rc,),
              partial(costs.cost_corridor_average, side=side),
              f"Average cost of sending US$200 ({word} corridors, SDG 10.c.1)", "ratio"),
            I(f"cost_{word}_gap_to_target", "costs", "percentage points", "10.c.1", (rc,),
              partial(costs.cost_gap_to_target, side=side),
              f"Average cost less the 3 % target ({word} corridors)", "ratio"),
            I(f"cost_{word}_share_at_target", "costs", "fraction", "10.c.1", (rc,),
              partial(costs.cost_share_at_target, side=side),
              f"Share of {word} corridor-quarters costing 3 % or less", "ratio"),
        ]
    se = "skilled_emigration"
    out += [
        I("skilled_emigration_rate", "skills", "fraction", None, (se,), skills.skilled_emigration_rate,
          "High-skill emigration rate (to 20 OECD countries, aged 25+)", basis="published"),
        I("skilled_total_emigration_rate", "skills", "fraction", None, (se,), skills.skilled_total_emigration_rate,
          "Total emigration rate (to 20 OECD countries, aged 25+)", basis="published"),
        I("skilled_brain_drain_intensity", "skills", "ratio", None, (se,), skills.skilled_brain_drain_intensity,
          "Brain-drain intensity: high-skill over total emigration rate"),
        I("income_gap_top_destinations", "income", "ratio", None, (ms, "wdi"), income.income_gap_top_destinations,
          "GNI per capita (PPP) of the top 5 destinations over the origin's (emigrant-weighted)"),
        I("income_gap_destination", "income", "ratio", None, (ms, "wdi"), income.income_gap_destination,
          "GNI per capita (PPP) of each top destination over the origin's", keys=top),
        I("role_origin", "roles", "flag (1 = origin)", None, (t,), roles.role_origin,
          "Origin country: emigrants outnumber immigrants", "sum", group_unit="countries"),
        I("role_destination", "roles", "flag (1 = destination)", None, (t,), roles.role_destination,
          "Destination country: immigrants at least as many as emigrants", "sum", group_unit="countries"),
        I("role_transit", "roles", "flag (1 = transit)", None, ("flow_estimate", p), roles.role_transit,
          "Transit country: large inflows and outflows of similar size (recommended flows)", "sum",
          group_unit="countries"),
        I("role_stock_balance", "roles", "index -1..1", None, (t,), roles.role_stock_balance,
          "Stock balance: (immigrants - emigrants) / (immigrants + emigrants)", "ratio"),
        I("policy_migrant_deaths", "policy", "persons", "10.7.3", ("migrant_deaths",),
          policy.policy_migrant_deaths, "Migrants dead or missing in the country (SDG 10.7.3)", "sum",
          basis="published"),
        I("policy_migrant_deaths_routes", "policy", "persons", "10.7.3", ("migrant_incident",),
          policy.policy_migrant_deaths_routes, "Migrants dead or missing on routes touching the country (IOM)",
          "groups"),
    ]
    for domain in DOMAINS.values():
        label = domain.replace("_", " ")
        out += [
            I(f"policy_sdg_10_7_2_{domain}", "policy", "rating 1-4", "10.7.2", ("policy_rating",),
              partial(policy.policy_sdg_10_7_2_rating, domain=domain), f"SDG 10.7.2 rating: {label}",
              basis="published"),
            I(f"policy_sdg_10_7_2_{domain}_share_meeting", "policy", "fraction", "10.7.2",
              ("policy_rating", "area_group_member"),
              partial(policy.policy_sdg_10_7_2_share_meeting, domain=domain),
              f"SDG 10.7.2: share of governments meeting the criteria ({label})", "none"),
        ]
    return out


#: Every indicator by its stable id.
CATALOGUE: dict[str, Indicator] = {i.id: i for i in _entries()}
