"""Demographic accounts for flow estimation from the real releases: stock tables, populations, births, deaths.

This is where the releases' quirks meet the estimators in :mod:`migdev.flows` (which are pure and know no
data). Every adjustment is explicit and logged:

* the unspecified origin "Other" (``XXX``) is a place of birth with no residents, births or deaths;
* WPP has no Holy See: its births and deaths are taken as 0 and its population from the IMS tables;
* WPP splits the Channel Islands into Guernsey and Jersey: their births and deaths are summed into ``CHI``;
* the UN IMS counts Kosovo within Serbia: WPP's Kosovo births and deaths are added to Serbia's;
* a destination the release gives no stock for at one end of a period is left out of that period, and people
  born there are counted with the unspecified origin (so no stock is dropped);
* native-born = population - foreign-born; where that is negative it is reported and set to 0;
* WPP's period births and deaths are for both sexes only: by sex, births are split with the sex ratio at
  birth 105 males per 100 females, and deaths in proportion to the population of each sex.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from migdev.countries import UNSPECIFIED_ORIGIN

SEXES = ("total", "male", "female")
FEMALE_SHARE_OF_BIRTHS = 100.0 / 205.0  # sex ratio at birth of 105 males per 100 females
#: WPP locations folded into the IMS area that contains them.
WPP_PARTS = {"GGY": "CHI", "JEY": "CHI", "XKX": "SRB"}


@dataclass
class Account:
    """Inputs of one flow estimate: stock tables (place of birth x residence) and vital statistics."""

    revision: str
    sex: str
    period_start: int
    period_end: int
    stock_start: pd.DataFrame
    stock_end: pd.DataFrame
    vital: pd.DataFrame  # index = region; births, deaths
    notes: list[str] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        return list(self.stock_start.index)


class Accounts:
    """Reads a built database once and serves one :class:`Account` per (revision, period, sex)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, say: Callable[[str, str], None] | None = None) -> None:
        self.con = con
        self.say = say or (lambda level, message: None)
        self.stock = con.execute("SELECT revision, year, sex, origin, destination, persons FROM migrant_stock").df()
        self.population = self._population()
        self.vital = self._vital()

    def periods(self, revision: str) -> list[tuple[int, int]]:
        """Consecutive stock years of a revision that WPP has a mid-year period for (1990-1995 ... 2020-2024)."""
        years = sorted(self.stock.loc[self.stock["revision"] == revision, "year"].unique())
        known = set(zip(self.vital["period_start"], self.vital["period_end"], strict=True))
        return [(int(a), int(b)) for a, b in itertools.pairwise(years) if (a, b) in known]

    def _population(self) -> dict[tuple[str, str], pd.Series]:
        """Population by (sex, iso3) -> Series over years: WPP 2024 as published with IMS 2024, else IMS 2020."""
        pop = self.con.execute("""
            SELECT year, sex, iso3, population, revision FROM migrant_stock_total WHERE population IS NOT NULL
        """).df()
        pop["rank"] = (pop["revision"] != "2024").astype(int)
        pop = pop.sort_values(["sex", "iso3", "year", "rank"]).drop_duplicates(["year", "sex", "iso3"])
        return {key: part.set_index("year")["population"].astype(float)
                for key, part in pop.groupby(["sex", "iso3"])}

    def _vital(self) -> pd.DataFrame:
        """WPP period births and deaths, with Guernsey + Jersey summed to CHI and Kosovo added to Serbia."""
        v = self.con.execute("SELECT period_start, period_end, iso3, births, deaths FROM vital").df()
        v["iso3"] = v["iso3"].replace(WPP_PARTS)
        return v.groupby(["period_start", "period_end", "iso3"], as_index=False)[["births", "deaths"]].sum()

    def account(self, revision: str, period: tuple[int, int], sex: str) -> Account:
        """The stock tables and vital statistics of one period, with every adjustment noted."""
        start, end = period
        notes: list[str] = []
        rev = self.stock[(self.stock["revision"] == revision) & (self.stock["sex"] == sex)]
        s0 = rev[rev["year"] == start]
        s1 = rev[rev["year"] == end]
        present = sorted(set(s0["destination"]) & set(s1["destination"]))
        absent = sorted((set(s0["destination"]) | set(s1["destination"])) - set(present))
        if absent:
            notes.append(f"no stock published at one end of {start}-{end} for {', '.join(absent)}: left out of this "
                         f"period; people born there counted with the unspecified origin {UNSPECIFIED_ORIGIN}")
        labels = [*present, UNSPECIFIED_ORIGIN] if UNSPECIFIED_ORIGIN not in present else present
        tables = [self._table(s, labels) for s in (s0, s1)]

        pops = [self._pop(year, sex, labels, notes) for year in (start, end)]
        births, deaths = self._births_deaths(start, end, sex, labels, pops, notes)
        filled = []
        for table, pop, year in zip(tables, pops, (start, end), strict=True):
            foreign = table.sum(axis=0) - np.diag(table.to_numpy())
            native = pop - foreign
            negative = native[(native < 0) & (native.index != UNSPECIFIED_ORIGIN)]
            if len(negative):
                listing = ", ".join(f"{k} ({int(v):,})" for k, v in negative.items())
                notes.append(f"{year} {sex}: foreign-born exceed population in {listing}; native-born set to 0")
            native = native.clip(lower=0)
            native[UNSPECIFIED_ORIGIN] = 0.0
            values = table.to_numpy(copy=True)
            np.fill_diagonal(values, native.reindex(labels).to_numpy())
            filled.append(pd.DataFrame(values, index=labels, columns=labels))
        vital = pd.DataFrame({"births": births, "deaths": deaths}, index=labels)
        return Account(revision, sex, start, end, filled[0], filled[1], vital, notes)

    @staticmethod
    def _table(rows: pd.DataFrame, labels: list[str]) -> pd.DataFrame:
        """Place of birth x residence table; births outside ``labels`` go to the unspecified origin."""
        origin = rows["origin"].where(rows["origin"].isin(labels), UNSPECIFIED_ORIGIN)
        dest = rows["destination"]
        keep = dest.isin(labels)
        idx = pd.Index(labels)
        values = np.zeros((len(labels), len(labels)))
        np.add.at(values, (idx.get_indexer(origin[keep]), idx.get_indexer(dest[keep])),
                  rows.loc[keep, "persons"].to_numpy(dtype=float))
        np.fill_diagonal(values, 0.0)  # the UN tables carry no native-born; filled from populations
        return pd.DataFrame(values, index=labels, columns=labels)

    def _pop(self, year: int, sex: str, labels: list[str], notes: list[str]) -> pd.Series:
        """Population of each region in ``year``; where not published, the latest earlier figure (noted)."""
        out = pd.Series(0.0, index=labels)
        substituted = []
        for code in labels:
            if code == UNSPECIFIED_ORIGIN:
                continue
            series = self.population.get((sex, code), pd.Series(dtype=float))
            series = series[series.index <= year]
            if len(series) and series.index[-1] == year:
                out[code] = series.iloc[-1]
            elif len(series):
                out[code] = series.iloc[-1]
                substituted.append(f"{code} (used {int(series.index[-1])})")
            else:
                substituted.append(f"{code} (none, taken as 0)")
        if substituted:
            notes.append(f"population {year} {sex} not published for {', '.join(substituted)}")
        return out

    def _births_deaths(self, start: int, end: int, sex: str, labels: list[str], pops: list[pd.Series],
                       notes: list[str]) -> tuple[pd.Series, pd.Series]:
        v = self.vital[(self.vital["period_start"] == start) & (self.vital["period_end"] == end)].set_index("iso3")
        births = v["births"].reindex(labels).astype(float)
        deaths = v["deaths"].reindex(labels).astype(float)
        lacking = [c for c in labels if c != UNSPECIFIED_ORIGIN and pd.isna(births.get(c))]
        if lacking:
            notes.append(f"WPP has no births/deaths for {', '.join(lacking)} in {start}-{end}: taken as 0")
        births, deaths = births.fillna(0.0), deaths.fillna(0.0)
        if sex != "total":
            share_births = FEMALE_SHARE_OF_BIRTHS if sex == "female" else 1.0 - FEMALE_SHARE_OF_BIRTHS
            births = births * share_births
            totals = [self._pop(y, "total", labels, []) for y in (start, end)]
            this = (pops[0] + pops[1]) / 2
            both = (totals[0] + totals[1]) / 2
            share = (this / both.where(both > 0)).fillna(0.5)
            deaths = deaths * share
        return births, deaths

