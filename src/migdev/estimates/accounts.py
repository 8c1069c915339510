"""Demographic accounts for flow estimation from the real releases: stock tables, populations, births, deaths.

This is where the releases' quirks meet the estimators in :mod:`migdev.flows` (which are pure and know no
data). Every adjustment is explicit and logged:

* the unspecified origin "Other" (``XXX``) is a place of birth with no residents, births or deaths;
* WPP has no Holy See: its births and deaths are taken as 0 and its population from the IMS tables;
* WPP splits the Channel Islands into Guernsey and Jersey: their births and deaths are summed into ``CHI``;
* the UN IMS counts Kosovo within Serbia: WPP's Kosovo births and deaths are added to Serbia's;
* a destination the release gives no stock for at one end of a period is left out of that period, and people
  born there are counted with the unspecified origin (so no stock is dropped);
* native-born = population - foreign-born, with the population published with the stock revision (IMS 2024:
  WPP 2024; IMS 2020: its Table 2, from WPP 2019), so both come from one basis; negatives are reported, set to 0;
* WPP gives population by sex only every five years: other years (2024) take the interpolated WPP sex share;
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

from migdev.vocab import UNSPECIFIED_ORIGIN

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
        # account() works on plain numpy columns and row positions per (revision, sex, year): selecting and
        # iterating pandas' Arrow-backed strings anew for each of the 39 accounts took ~5 s of a build.
        self._origin = self.stock["origin"].to_numpy(dtype=object)
        self._destination = self.stock["destination"].to_numpy(dtype=object)
        self._persons = self.stock["persons"].to_numpy(dtype=float)
        self._rows = {
            (str(rev), str(sex), int(year)): rows
            for (rev, sex, year), rows in self.stock.groupby(["revision", "sex", "year"], sort=False).indices.items()
        }
        self.vital = self._vital()
        self._populations: dict[str, pd.DataFrame] = {}

    def periods(self, revision: str) -> list[tuple[int, int]]:
        """Consecutive stock years of a revision that WPP has a mid-year period for (1990-1995 ... 2020-2024)."""
        years = sorted(self.stock.loc[self.stock["revision"] == revision, "year"].unique())
        known = set(zip(self.vital["period_start"], self.vital["period_end"], strict=True))
        return [(int(a), int(b)) for a, b in itertools.pairwise(years) if (a, b) in known]

    def population(self, revision: str) -> pd.DataFrame:
        """Population, years x (sex, iso3), as published with the stock revision (consistent with its stocks:
        IMS 2024 uses WPP 2024, IMS 2020 its Table 2), else with the other revision."""
        if revision not in self._populations:
            self._populations[revision] = self._population(revision)
        return self._populations[revision]

    def _population(self, revision: str) -> pd.DataFrame:
        pop = self.con.execute("""
            SELECT year, sex, iso3, population, revision FROM migrant_stock_total WHERE population IS NOT NULL
        """).df()
        pop["rank"] = (pop["revision"] != revision).astype(int)
        pop = pop.sort_values(["sex", "iso3", "year", "rank"]).drop_duplicates(["year", "sex", "iso3"])
        wide = pop.pivot(index="year", columns=["sex", "iso3"], values="population").astype(float).sort_index()
        return self._fill_sex_split(wide)

    def _fill_sex_split(self, wide: pd.DataFrame) -> pd.DataFrame:
        """Population by sex where only both sexes are published: the total times the female/male share.

        The share is WPP 2024's, interpolated linearly between its 5-yearly points (so 2024 lies between 2020
        and 2025); for areas WPP does not split (Holy See, Channel Islands) the share of their migrant stock.
        """
        wpp = self.con.execute("""
            SELECT year, sex, iso3, persons FROM population WHERE sex <> 'total' AND persons IS NOT NULL
            UNION ALL
            SELECT year, 'total', iso3, persons FROM population
            WHERE sex = 'total' AND year IN (SELECT DISTINCT year FROM population WHERE sex = 'male')
        """).df().pivot(index="year", columns=["sex", "iso3"], values="persons").astype(float)
        mig = self.con.execute("""
            SELECT year, sex, iso3, immigrants FROM migrant_stock_total WHERE revision = '2024'
        """).df().pivot(index="year", columns=["sex", "iso3"], values="immigrants").astype(float)
        years = wide.index
        columns = {}
        derived: dict[str, set[str]] = {"WPP": set(), "migrant stock": set()}
        for code in wide["total"].columns:
            total = wide[("total", code)]
            for sex in ("male", "female"):
                have = wide[(sex, code)] if (sex, code) in wide.columns else pd.Series(np.nan, index=years)
                gap = have.isna() & total.notna()
                if gap.any():
                    if (sex, code) in wpp.columns and ("total", code) in wpp.columns:
                        ratio = (wpp[(sex, code)] / wpp[("total", code)]).dropna()
                        share = pd.Series(np.interp(years, ratio.index, ratio.to_numpy()), index=years)
                        derived["WPP"].add(code)
                    elif (sex, code) in mig.columns:
                        share = (mig[(sex, code)] / mig[("total", code)]).reindex(years).ffill().bfill()
                        derived["migrant stock"].add(code)
                    else:
                        share = pd.Series(np.nan, index=years)
                    have = have.fillna(total * share)
                columns[(sex, code)] = have
            columns[("total", code)] = total
        for basis, codes in derived.items():
            if codes:
                self.say("info", f"flows: population by sex not published for some years of {len(codes)} areas "
                                 f"({', '.join(sorted(codes)[:8])}{', ...' if len(codes) > 8 else ''}); "
                                 f"split by the sex share of the {basis}")
        return pd.DataFrame(columns).sort_index(axis=1)


    def _vital(self) -> pd.DataFrame:
        """WPP period births and deaths, with Guernsey + Jersey summed to CHI and Kosovo added to Serbia."""
        v = self.con.execute("SELECT period_start, period_end, iso3, births, deaths FROM vital").df()
        for part, whole in WPP_PARTS.items():
            if (v["iso3"] == part).any():
                self.say("info", f"flows: WPP births and deaths of {part} are counted with {whole}, as the IMS "
                                 f"tables count {part} within {whole}")
        self.say("info", f"flows: the unspecified origin {UNSPECIFIED_ORIGIN} is a place of birth with no residents, "
                         "births or deaths; its migrants' moves between countries are estimated like any other")
        v["iso3"] = v["iso3"].replace(WPP_PARTS)
        return v.groupby(["period_start", "period_end", "iso3"], as_index=False)[["births", "deaths"]].sum()

    def account(self, revision: str, period: tuple[int, int], sex: str) -> Account:
        """The stock tables and vital statistics of one period, with every adjustment noted."""
        start, end = period
        notes: list[str] = []
        none = np.zeros(0, dtype=np.intp)
        s0, s1 = (self._rows.get((revision, sex, int(year)), none) for year in (start, end))
        present = sorted(set(self._destination[s0]) & set(self._destination[s1]))
        all_years = [rows for (r, s, _), rows in self._rows.items() if r == revision and s == sex]
        absent = sorted(set(self._destination[np.concatenate([none, *all_years])]) - set(present))
        if absent:
            notes.append(f"no stock published at one end of {start}-{end} for {', '.join(absent)}: left out of this "
                         f"period; people born there counted with the unspecified origin {UNSPECIFIED_ORIGIN}")
        labels = [*present, UNSPECIFIED_ORIGIN] if UNSPECIFIED_ORIGIN not in present else present
        tables = [self._table(s, labels) for s in (s0, s1)]

        pops = [self._pop(revision, year, sex, labels, notes) for year in (start, end)]
        births, deaths = self._births_deaths(revision, start, end, sex, labels, pops, notes)
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

    def _table(self, rows: np.ndarray, labels: list[str]) -> pd.DataFrame:
        """Place of birth x residence table of the stock rows at positions ``rows``; births outside ``labels`` go
        to the unspecified origin."""
        idx = pd.Index(labels)
        origin = idx.get_indexer(self._origin[rows])
        origin[origin < 0] = idx.get_loc(UNSPECIFIED_ORIGIN)
        dest = idx.get_indexer(self._destination[rows])
        keep = dest >= 0
        values = np.zeros((len(labels), len(labels)))
        np.add.at(values, (origin[keep], dest[keep]), self._persons[rows][keep])
        np.fill_diagonal(values, 0.0)  # the UN tables carry no native-born; filled from populations
        return pd.DataFrame(values, index=labels, columns=labels)

    def _pop(self, revision: str, year: int, sex: str, labels: list[str], notes: list[str]) -> pd.Series:
        """Population of each region in ``year``; where not published, the latest earlier figure (noted)."""
        wide = self.population(revision).loc[:year]
        wide = wide.reindex(columns=pd.MultiIndex.from_product([[sex], labels]))
        nothing = np.full(len(labels), np.nan)
        exact = wide.iloc[-1].to_numpy(float) if len(wide) and wide.index[-1] == year else nothing
        latest = wide.ffill().iloc[-1].to_numpy(float) if len(wide) else nothing
        last_year = wide.notna().mul(wide.index.to_numpy(), axis=0).max().to_numpy() if len(wide) else nothing
        out = pd.Series(np.where(np.isnan(exact), latest, exact), index=labels).fillna(0.0)
        out[UNSPECIFIED_ORIGIN] = 0.0
        substituted = [f"{labels[i]} (used {int(last_year[i])})" if not np.isnan(latest[i])
                       else f"{labels[i]} (none, taken as 0)"
                       for i in np.flatnonzero(np.isnan(exact)) if labels[i] != UNSPECIFIED_ORIGIN]
        if substituted:
            notes.append(f"population {year} {sex} not published for {', '.join(substituted)}")
        return out

    def _births_deaths(self, revision: str, start: int, end: int, sex: str, labels: list[str], pops: list[pd.Series],
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
            totals = [self._pop(revision, y, "total", labels, []) for y in (start, end)]
            this = (pops[0] + pops[1]) / 2
            both = (totals[0] + totals[1]) / 2
            share = (this / both.where(both > 0)).fillna(0.5)
            deaths = deaths * share
        return births, deaths

