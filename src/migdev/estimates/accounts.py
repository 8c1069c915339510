"""Demographic accounts for flow estimation from the built database: stock tables, populations, births, deaths.

This is where the releases' quirks meet the estimators in :mod:`migdev.flows` (which are pure and know no
data). One account = one :class:`~migdev.estimates.basis.Basis` (IMS stock revision + WPP revision), period and
sex; the conventions are :class:`~migdev.estimates.basis.BasisOptions` (default: Abel & Cohen's). Every
adjustment is explicit and noted in the account:

* the areas of a period are those whose foreign-born stock is published at both ends (IMS 2020: Curaçao enters
  in 2010, Sint Maarten in 2005); they are the places of birth and of residence alike;
* the unspecified origin ``XXX`` and areas outside the period's set are not places of birth: their people count
  as native-born of the residence country (native-born = WPP 1 July population - the foreign-born from the
  included places of birth);
* Serbia + Montenegro and Sudan + South Sudan are merged for periods starting before 2010;
* WPP's Guernsey + Jersey are summed into ``CHI``, WPP's Kosovo into Serbia (the IMS counts it there); the Holy
  See has no WPP figures: population from the IMS tables, births and deaths 0;
* 5-year births, deaths and net migration are half of the first and last calendar years plus the years between;
* WPP 2024 gives population by sex every five years: other years (2024) take the interpolated WPP sex share;
  WPP 2022 (as mirrored) has no sex split: its population is split by the sex shares of the population published
  with the stock revision (IMS 2020), else of WPP 2024;
* the mirror has no births or deaths by sex: births are split with the sex ratio at birth 105 males per 100
  females, deaths and net migration in proportion to the population of each sex (named in the run notes).

What closes the gap to Abel & Cohen's published totals (IMS 2020 + WPP 2022, both sexes, millions of movers;
measured on the built database with :class:`~migdev.estimates.basis.BasisOptions` changed one at a time):

=================================  ==============================  ==============================
period                              1990-95 / 2005-10 / 2015-20      1990-95 / 2005-10 / 2015-20
                                    sd_drop_neg                     da_min_closed
=================================  ==============================  ==============================
published                           22.46 / 34.33 / 35.36           42.73 / 47.71 / 46.84
default (published convention)      22.46 / 34.34 / 35.36           42.57 / 47.75 / 46.80
``unplaced="unspecified"``          23.39 / 36.00 / 37.73           43.75 / 48.36 / 47.41
``merge_splits=False``              22.37 / 34.11 / 35.36           42.56 / 47.50 / 46.80
``population="ims"`` (WPP 2019)     22.46 / 34.34 / 35.36           38.31 / 48.42 / 52.72
``vital_years="calendar"``          22.46 / 34.34 / 35.36           45.69 / 48.98 / 47.06
=================================  ==============================  ==============================

So: the unspecified origin and the areas outside the period explain the stock-differencing excess (XXX's
"increases" are not moves between places); the mixed population basis (IMS 2020's WPP 2019 population with
WPP 2024/2022 births and deaths) explains most of the closed-accounting excess (up to +13 %), the calendar-year
totals up to +7 %; merging the split countries moves sd_drop_neg by 0.4-0.7 % before 2010. With all defaults
every period is within 0.4 % of the published figures for both methods (largest gap: da_min_closed 1990-1995,
-0.37 %), and ``da_pb_closed`` (weight 0.13) gives 72.62 (published 72.7) and 101.17 (101.2).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from migdev.estimates.basis import (
    BASES,
    FEMALE_SHARE_OF_BIRTHS,
    NO_WPP,
    WPP_PARTS,
    Basis,
    BasisOptions,
    year_weights,
)
from migdev.vocab import UNSPECIFIED_ORIGIN


@dataclass
class Account:
    """Inputs of one flow estimate: stock tables (place of birth x residence) and vital statistics."""

    basis: Basis
    sex: str
    period_start: int
    period_end: int
    stock_start: pd.DataFrame
    stock_end: pd.DataFrame
    vital: pd.DataFrame  # index = region; births, deaths, net_migration, pop_start, pop_end
    notes: list[str] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        return list(self.stock_start.index)

    @property
    def revision(self) -> str:
        return self.basis.stock_revision


class Accounts:
    """Reads a built database once and serves one :class:`Account` per (basis, period, sex)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, say: Callable[[str, str], None] | None = None,
                 options: BasisOptions | None = None) -> None:
        self.con = con
        self.say = say or (lambda level, message: None)
        self.options = options or BasisOptions()
        self.stock = con.execute("SELECT revision, year, sex, origin, destination, persons FROM migrant_stock").df()
        # account() works on plain numpy columns and row positions per (revision, sex, year): selecting and
        # iterating pandas' Arrow-backed strings anew for each account took ~5 s of a build.
        self._origin = self.stock["origin"].to_numpy(dtype=object)
        self._destination = self.stock["destination"].to_numpy(dtype=object)
        self._persons = self.stock["persons"].to_numpy(dtype=float)
        self._rows = {
            (str(rev), str(sex), int(year)): rows
            for (rev, sex, year), rows in self.stock.groupby(["revision", "sex", "year"], sort=False).indices.items()
        }
        annual = con.execute("SELECT revision, year, iso3, births, deaths, net_migration FROM vital_annual").df()
        annual["iso3"] = annual["iso3"].replace(WPP_PARTS)
        self.annual = annual.groupby(["revision", "year", "iso3"], as_index=False)[
            ["births", "deaths", "net_migration"]].sum(min_count=1)
        self._ims_pop = con.execute("""
            SELECT revision, year, sex, iso3, population FROM migrant_stock_total WHERE population IS NOT NULL
        """).df()
        self._wpp_pop = con.execute("SELECT revision, year, sex, iso3, persons FROM population "
                                    "WHERE persons IS NOT NULL").df()
        self._wpp_pop["iso3"] = self._wpp_pop["iso3"].replace(WPP_PARTS)
        self._wpp_pop = self._wpp_pop.groupby(["revision", "year", "sex", "iso3"], as_index=False)["persons"].sum()
        self._populations: dict[Basis, pd.DataFrame] = {}

    # -- what can be estimated ----------------------------------------------------------------------------------

    def bases(self) -> list[Basis]:
        """The bases of :data:`BASES` whose stock and WPP revisions are both in the database."""
        stock = set(self.stock["revision"].astype(str))
        wpp = set(self.annual["revision"].astype(str)) & set(self._wpp_pop["revision"].astype(str))
        return [b for b in BASES if b.stock_revision in stock and b.vital_revision in wpp]

    def periods(self, basis: Basis) -> list[tuple[int, int]]:
        """Consecutive stock years of the revision whose every calendar year WPP covers (1990-1995 ... 2020-2024)."""
        years = sorted(self.stock.loc[self.stock["revision"] == basis.stock_revision, "year"].unique())
        have = set(self.annual.loc[self.annual["revision"] == basis.vital_revision, "year"])
        pops = set(self.population(basis).index)
        return [(int(a), int(b)) for a, b in itertools.pairwise(years)
                if set(year_weights(int(a), int(b), self.options.vital_years)) <= have and {a, b} <= pops]

    # -- populations --------------------------------------------------------------------------------------------

    def population(self, basis: Basis) -> pd.DataFrame:
        """1 July population, years x (sex, iso3), of the basis (WPP of the vital revision, or with
        ``population="ims"`` the population published with the stock revision), parts summed, sexes filled."""
        if basis not in self._populations:
            self._populations[basis] = self._population(basis)
        return self._populations[basis]

    def _population(self, basis: Basis) -> pd.DataFrame:
        if self.options.population == "ims":
            pop = self._ims_pop[self._ims_pop["revision"] == basis.stock_revision].rename(
                columns={"population": "persons"})
        else:
            pop = self._wpp_pop[self._wpp_pop["revision"] == basis.vital_revision]
            ims = self._ims_pop[(self._ims_pop["revision"] == basis.stock_revision)
                                & self._ims_pop["iso3"].isin(NO_WPP)].rename(columns={"population": "persons"})
            if len(ims):
                self.say("info", f"flows {basis.label}: WPP has no {', '.join(NO_WPP)}: population from the IMS "
                                 f"{basis.stock_revision} tables, births and deaths taken as 0")
            pop = pd.concat([pop, ims])
        wide = pop.pivot_table(index="year", columns=["sex", "iso3"], values="persons", aggfunc="sum")
        return self._fill_sex_split(basis, wide.astype(float).sort_index())

    def _fill_sex_split(self, basis: Basis, wide: pd.DataFrame) -> pd.DataFrame:
        """Population by sex where only both sexes are published: the total times the sex share.

        The share, by preference: the WPP revision's own (interpolated linearly between its 5-yearly points, so
        2024 lies between 2020 and 2025); the population published with the stock revision (IMS 2020 Table 2:
        WPP 2019's shares, for WPP 2022, which is mirrored without sexes); WPP 2024's. Noted per source.
        """
        years = wide.index
        sources = [("WPP " + basis.vital_revision, self._wpp_pop[self._wpp_pop["revision"] == basis.vital_revision]),
                   ("IMS " + basis.stock_revision, self._ims_pop[self._ims_pop["revision"] == basis.stock_revision]
                    .rename(columns={"population": "persons"})),
                   ("WPP 2024", self._wpp_pop[self._wpp_pop["revision"] == "2024"])]
        shares = []
        for name, frame in sources:
            both = frame.pivot_table(index="year", columns=["sex", "iso3"], values="persons", aggfunc="sum")
            shares.append((name, both))
        columns: dict[tuple[str, str], pd.Series] = {}
        derived: dict[str, set[str]] = {}
        for code in wide["total"].columns:
            total = wide[("total", code)]
            columns[("total", code)] = total
            for sex in ("male", "female"):
                have = wide[(sex, code)] if (sex, code) in wide.columns else pd.Series(np.nan, index=years)
                gap = have.isna() & total.notna()
                for name, both in shares:
                    if not gap.any():
                        break
                    if (sex, code) not in both.columns or ("total", code) not in both.columns:
                        continue
                    ratio = (both[(sex, code)] / both[("total", code)]).dropna()
                    if ratio.empty:
                        continue
                    share = pd.Series(np.interp(years, ratio.index, ratio.to_numpy()), index=years)
                    have = have.where(~gap, total * share)
                    gap = have.isna() & total.notna()
                    derived.setdefault(name, set()).add(code)
                columns[(sex, code)] = have
        for name, codes in derived.items():
            self.say("info", f"flows {basis.label}: population by sex not published for some years of {len(codes)} "
                             f"areas ({', '.join(sorted(codes)[:8])}{', ...' if len(codes) > 8 else ''}); "
                             f"split by the sex share of {name}")
        return pd.DataFrame(columns).sort_index(axis=1)

    # -- one account --------------------------------------------------------------------------------------------

    def account(self, basis: Basis, period: tuple[int, int], sex: str) -> Account:
        """The stock tables and vital statistics of one period, with every adjustment noted."""
        start, end = period
        opt = self.options
        notes: list[str] = []
        merge = opt.merges(start)
        none = np.zeros(0, dtype=np.intp)
        rows = [self._rows.get((basis.stock_revision, sex, int(year)), none) for year in (start, end)]
        dests = [set(pd.Series(self._destination[r]).replace(merge)) for r in rows]
        present = dests[0] & dests[1]
        if merge:
            notes.append(f"{start}-{end}: " + ", ".join(f"{part} counted with {whole}" for part, whole in
                                                         merge.items()) + " (split after the period's start)")
        pop_wide = self.population(basis)
        lacking = sorted(c for c in present if ("total", c) not in pop_wide.columns)
        if lacking:
            notes.append(f"no population in the basis for {', '.join(lacking)}: left out of {start}-{end}")
        present -= set(lacking)
        present.discard(UNSPECIFIED_ORIGIN)
        all_dest = set(pd.Series(self._destination[np.concatenate([none, *rows])]).replace(merge))
        absent = sorted(all_dest - present - {UNSPECIFIED_ORIGIN} - set(lacking))
        if absent:
            notes.append(f"foreign-born stock not published at both ends of {start}-{end} for {', '.join(absent)}: "
                         "not a place of birth or residence in this period")
        labels = sorted(present)
        if opt.unplaced == "unspecified":
            labels.append(UNSPECIFIED_ORIGIN)
            notes.append(f"people born in {UNSPECIFIED_ORIGIN} or outside the period's areas: a place of birth "
                         f"{UNSPECIFIED_ORIGIN} with no residents, births or deaths")
        else:
            notes.append(f"people born in {UNSPECIFIED_ORIGIN} or outside the period's areas counted as native-born "
                         "of their residence")
        tables = [self._table(r, labels, merge) for r in rows]
        pops = [self._pop(basis, year, sex, labels, merge, notes) for year in (start, end)]
        vital = self._vital(basis, start, end, sex, labels, pops, merge, notes)
        filled = []
        for table, pop, year in zip(tables, pops, (start, end), strict=True):
            foreign = table.sum(axis=0)
            native = pop - foreign
            negative = native[(native < 0) & (native.index != UNSPECIFIED_ORIGIN)]
            if len(negative):
                listing = ", ".join(f"{k} ({int(v):,})" for k, v in negative.items())
                notes.append(f"{year} {sex}: foreign-born exceed population in {listing}; native-born set to 0")
            native = native.clip(lower=0)
            if UNSPECIFIED_ORIGIN in native.index:
                native[UNSPECIFIED_ORIGIN] = 0.0
            values = table.to_numpy(copy=True)
            np.fill_diagonal(values, native.reindex(labels).to_numpy())
            filled.append(pd.DataFrame(values, index=labels, columns=labels))
        vital["pop_start"], vital["pop_end"] = pops[0], pops[1]
        return Account(basis, sex, start, end, filled[0], filled[1], vital, notes)

    def _table(self, rows: np.ndarray, labels: list[str], merge: dict[str, str]) -> pd.DataFrame:
        """Place of birth x residence table of the stock rows at positions ``rows`` (diagonal 0): births outside
        ``labels`` are left out (native-born of the residence) or put on ``XXX`` when it is a label."""
        idx = pd.Index(labels)
        origins = pd.Series(self._origin[rows]).replace(merge).to_numpy(dtype=object)
        dests = pd.Series(self._destination[rows]).replace(merge).to_numpy(dtype=object)
        origin = idx.get_indexer(origins)
        if UNSPECIFIED_ORIGIN in idx:
            origin[origin < 0] = idx.get_loc(UNSPECIFIED_ORIGIN)
        dest = idx.get_indexer(dests)
        keep = (dest >= 0) & (origin >= 0) & (origin != dest)  # stocks between merged parts become internal
        values = np.zeros((len(labels), len(labels)))
        np.add.at(values, (origin[keep], dest[keep]), self._persons[rows][keep])
        return pd.DataFrame(values, index=labels, columns=labels)

    def _pop(self, basis: Basis, year: int, sex: str, labels: list[str], merge: dict[str, str],
             notes: list[str]) -> pd.Series:
        """Population of each area on 1 July of ``year`` (merged parts summed); missing ones noted, taken as 0."""
        wide = self.population(basis)
        row = wide.loc[year, sex] if year in wide.index else pd.Series(dtype=float)
        row = row.groupby(lambda code: merge.get(code, code)).sum(min_count=1)
        out = row.reindex(labels).astype(float)
        missing = [c for c in labels if c != UNSPECIFIED_ORIGIN and pd.isna(out[c])]
        if missing:
            notes.append(f"population {year} {sex} not in {basis.label} for {', '.join(missing)}: taken as 0")
        out = out.fillna(0.0)
        if UNSPECIFIED_ORIGIN in out.index:
            out[UNSPECIFIED_ORIGIN] = 0.0
        return out

    def _vital(self, basis: Basis, start: int, end: int, sex: str, labels: list[str], pops: list[pd.Series],
               merge: dict[str, str], notes: list[str]) -> pd.DataFrame:
        """Period births, deaths and net migration from the annual values of the WPP revision."""
        weights = year_weights(start, end, self.options.vital_years)
        a = self.annual[(self.annual["revision"] == basis.vital_revision) & self.annual["year"].isin(weights)]
        w = a["year"].map(weights).to_numpy()
        part = pd.DataFrame({c: a[c].to_numpy(dtype=float) * w for c in ("births", "deaths", "net_migration")})
        part["iso3"] = a["iso3"].replace(merge).to_numpy()
        v = part.groupby("iso3").sum(min_count=1).reindex(labels)
        lacking = [c for c in labels if c != UNSPECIFIED_ORIGIN and pd.isna(v.loc[c, "births"])]
        if lacking:
            notes.append(f"{basis.label} has no births/deaths for {', '.join(lacking)} in {start}-{end}: taken as 0")
        v = v.fillna(0.0)
        if sex != "total":
            v["births"] *= FEMALE_SHARE_OF_BIRTHS if sex == "female" else 1.0 - FEMALE_SHARE_OF_BIRTHS
            totals = [self._pop(basis, y, "total", labels, merge, []) for y in (start, end)]
            both = (totals[0] + totals[1]) / 2
            share = (((pops[0] + pops[1]) / 2) / both.where(both > 0)).fillna(0.5)
            v["deaths"] *= share
            v["net_migration"] *= share
            notes.append("no births or deaths by sex in the mirror: births split by the sex ratio at birth 105, "
                         "deaths and net migration by the population share of the sex")
        return v
