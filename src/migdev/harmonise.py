"""Harmonise parsed releases into the store's tables: ISO3 keys, aggregates kept apart, unknown codes reported.

Every code of every source becomes a country (ISO3), an aggregate (``area_group``) or a line in
``unmatched_code`` and the build log; nothing is dropped without being said.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import pandas as pd

from migdev import countries
from migdev.sources import wpp


class Log(Protocol):
    """Where harmonisation reports what it did (the build's context)."""

    unmatched: list[pd.DataFrame]

    def say(self, level: str, message: str) -> None: ...


class Harmoniser:
    """What a product's ``to_store`` needs to turn parsed frames into store tables: the country registry and a
    log. Every code becomes a country (ISO3), an aggregate (``area_group``) or a line in ``unmatched_code``.
    """

    def __init__(self, places: countries.Registry, log: Log) -> None:
        self.places = places
        self.log = log
        self._iso3 = set(places.country["iso3"])

    def say(self, level: str, message: str) -> None:
        self.log.say(level, message)

    def is_country(self, codes: pd.Series) -> pd.Series:
        """True where a code is a key of the country table."""
        return codes.isin(self._iso3)

    def recode(self, codes: pd.Series, aliases: Mapping[str, str], source_id: str, field_name: str) -> pd.Series:
        """Replace a publisher's own codes by the registry's (e.g. RPW's ``KSV`` by ``XKX``), saying which and how
        many rows; ``aliases`` is the product's documented table of such codes."""
        codes = codes.astype("string")
        hit = codes.isin(list(aliases))
        if hit.any():
            counts = codes[hit].value_counts()
            listed = ", ".join(f"{c} -> {aliases[c]} ({n:,} rows)" for c, n in counts.items())
            self.say("info", f"{source_id}: {field_name} codes of the publisher recoded: {listed}")
        return codes.replace(dict(aliases))

    def split(self, frame: pd.DataFrame, source_id: str, field_name: str, *, m49: str | None = None,
              iso3: str | None = None, name: str | None = None) -> tuple[pd.Series, pd.Series]:
        """Resolve a code column to country ISO3 (first series) or to an aggregate's group id (second series).

        ``m49`` and ``iso3`` name the frame's code columns; where both are given and disagree (an M49 code of one
        country with the ISO3 code of another), the row is unmatched rather than silently taken by either code.
        A code that is neither a country nor a group is reported to ``unmatched_code`` and the build log.
        """
        return _split(frame, source_id, field_name, m49, iso3, name, self.places, self.log)

    def not_loaded(self, group: pd.Series, source_id: str, why: str) -> None:
        """Say which aggregate rows a table does not load, and why, so that nothing is left out unsaid."""
        _aggregates_not_loaded(group, source_id, why, self.log)

    @staticmethod
    def group_values(source_id: str, revision: object, group: pd.Series, year: object, sex: object, measure: object,
                     value: pd.Series) -> pd.DataFrame:
        """Rows of ``area_group_value`` for the aggregate rows of a table (``group`` not NA, a value present)."""
        frame = pd.DataFrame({"source_id": source_id, "revision": revision, "group_id": group, "year": year,
                              "sex": sex, "measure": measure, "value": pd.Series(value).astype("Float64")})
        keep = group.notna() & frame["value"].notna()
        return frame[keep.to_numpy()].reset_index(drop=True)


def _split(frame: pd.DataFrame, source_id: str, field_name: str, m49: str | None, iso3: str | None,
           name: str | None, places: countries.Registry, ctx: Log) -> tuple[pd.Series, pd.Series]:
    """Resolve a code column to country ISO3 or to an aggregate's group id; report what is neither."""
    country_code = countries.resolve(frame[m49] if m49 else None, frame[iso3] if iso3 else None, places.country)
    group_ids = set(places.area_group["group_id"])
    group = pd.Series(pd.NA, index=frame.index, dtype="string")
    if m49:
        by_m49 = "m49:" + frame[m49].astype("Int64").astype("string")
        group = group.fillna(by_m49.where(by_m49.isin(group_ids)))
    if iso3:
        by_wb = "wb:" + frame[iso3].astype("string")
        group = group.fillna(by_wb.where(by_wb.isin(group_ids)))
    group = group.where(country_code.isna())
    lost = country_code.isna() & group.isna()
    if lost.any():
        key = frame.loc[lost, m49 if m49 else iso3].astype("string")
        names = frame.loc[lost, name] if name else pd.Series(pd.NA, index=key.index)
        summary = (pd.DataFrame({"code": key, "name": names}).groupby("code", dropna=False)
                   .agg(name=("name", "first"), rows=("name", "size")).reset_index())
        summary.insert(0, "field", field_name)
        summary.insert(0, "source_id", source_id)
        ctx.unmatched.append(summary)
        for row in summary.itertuples():
            ctx.say("warning", f"{source_id}: {field_name} code {row.code} ({row.name}) matches no country or "
                               f"aggregate; {row.rows} rows not loaded (see table unmatched_code)")
    return country_code, group


def _aggregates_not_loaded(group: pd.Series, source_id: str, why: str, ctx: Log) -> None:
    """Say which aggregate rows a table does not load, and why, so that nothing is left out unsaid."""
    if group.notna().any():
        codes = sorted(group.dropna().unique())
        shown = ", ".join(codes[:6]) + (", ..." if len(codes) > 6 else "")
        ctx.say("info", f"{source_id}: {int(group.notna().sum()):,} rows for {len(codes)} aggregates ({shown}) "
                        f"not loaded: {why}")


def _drop_unpublished(stock: pd.DataFrame, frames: dict[str, pd.DataFrame], places: countries.Registry,
                      ctx: Log) -> pd.DataFrame:
    """Remove bilateral rows that are all zero where the release publishes '..' (not available) as the total.

    The 2020 bilateral table carries explicit zeros for South Sudan, Montenegro, Curacao (1990-2005) and Sint
    Maarten (1990-2000), whose official Table 1 totals are '..': those zeros mean "no estimate", not "none".
    """
    official = frames["ims2020_destination"]
    missing = official[official["migrant_stock"].isna() & official["is_country"]]
    if missing.empty:
        return stock
    iso = countries.resolve(missing["m49"], missing["iso3"], places.country)
    keys = pd.DataFrame({"revision": missing["revision"].astype(str), "year": missing["year"],
                         "sex": missing["sex"], "destination": iso}).dropna()
    cells = stock.merge(keys, on=["revision", "year", "sex", "destination"])
    sums = cells.groupby(["revision", "year", "sex", "destination"])["persons"].sum()
    empty = sums[sums == 0].reset_index()[["revision", "year", "sex", "destination"]]
    if empty.empty:
        return stock
    merged = stock.merge(empty.assign(_drop=True), on=["revision", "year", "sex", "destination"], how="left")
    flag = merged["_drop"].notna().to_numpy()
    dropped = stock[flag]
    for dest, part in empty.groupby("destination"):
        years = sorted(part["year"].unique())
        ctx.say("warning", f"IMS {part['revision'].iloc[0]}: destination {dest} has '..' (not available) as its "
                           f"official total in {', '.join(map(str, years))} but zeros in the bilateral table; "
                           f"those zero rows are treated as missing, not loaded")
    ctx.say("info", f"{len(dropped):,} unpublished zero rows left out of migrant_stock")
    return stock[~flag].reset_index(drop=True)


def tables(frames: dict[str, pd.DataFrame], places: countries.Registry, ctx: Log) -> dict[str, pd.DataFrame]:
    """Turn parsed frames into the store's tables: ISO3 keys, aggregates apart, persons as integers."""
    out: dict[str, pd.DataFrame] = {"country": places.country, "area_group": places.area_group,
                                    "area_group_member": places.area_group_member}
    group_values: list[pd.DataFrame] = []

    stocks = []
    for sid in ("ims2024_bilateral", "ims2020_bilateral"):
        f = frames[sid]
        dest, dest_group = _split(f, sid, "destination", "dest_m49", "dest_iso3", None, places, ctx)
        orig, orig_group = _split(f, sid, "origin", "orig_m49", "orig_iso3", None, places, ctx)
        _aggregates_not_loaded(dest_group.fillna(orig_group), sid, "bilateral stocks are kept between countries "
                               "only", ctx)
        keep = dest.notna() & orig.notna()
        stocks.append(pd.DataFrame({"revision": f["revision"].astype(str), "year": f["year"], "sex": f["sex"],
                                    "origin": orig, "destination": dest, "persons": f["persons"]})[keep])
    out["migrant_stock"] = _drop_unpublished(pd.concat(stocks, ignore_index=True), frames, places, ctx)
    ctx.say("info", f"migrant_stock: {len(out['migrant_stock']):,} rows; the unspecified origin 'Other' (M49 2003) "
                    f"is kept as {countries.UNSPECIFIED_ORIGIN}")

    dest_parts = []
    for sid, source_label in (("ims2024_destination", "WPP 2024, as in the IMS 2024 release"),
                              ("ims2020_destination", "IMS 2020 Table 2")):
        f = frames[sid]
        iso, group = _split(f, sid, "destination", "m49", "iso3", "name", places, ctx)
        part = pd.DataFrame({"revision": f["revision"].astype(str), "year": f["year"], "sex": f["sex"], "iso3": iso,
                             "immigrants": f["migrant_stock"], "population": f["population"],
                             "refugees": f["refugees"], "type_of_data": f["type_of_data"],
                             "population_source": source_label})
        dest_parts.append(part[iso.notna()])
        for measure in ("migrant_stock", "population", "refugees"):
            g = pd.DataFrame({"source_id": sid, "revision": f["revision"].astype(str), "group_id": group,
                              "year": f["year"], "sex": f["sex"], "measure": measure,
                              "value": f[measure].astype("Float64")})[group.notna() & f[measure].notna()]
            group_values.append(g)
    dest = pd.concat(dest_parts, ignore_index=True)
    f = frames["ims_origin_totals"]
    iso, group = _split(f, "ims_origin_totals", "origin", "m49", "iso3", "name", places, ctx)
    orig = pd.DataFrame({"revision": f["revision"].astype(str), "year": f["year"], "sex": f["sex"], "iso3": iso,
                         "emigrants": f["emigrant_stock"]})[iso.notna()]
    group_values.append(pd.DataFrame({"source_id": "ims_origin_totals", "revision": f["revision"].astype(str),
                                      "group_id": group, "year": f["year"], "sex": f["sex"],
                                      "measure": "emigrant_stock", "value": f["emigrant_stock"].astype("Float64")}
                                     )[group.notna()])
    total = dest.merge(orig, on=["revision", "year", "sex", "iso3"], how="outer")
    out["migrant_stock_total"] = total[["revision", "year", "sex", "iso3", "immigrants", "emigrants", "population",
                                        "refugees", "type_of_data", "population_source"]]

    f = frames["ims2020_age"]
    iso, group = _split(f, "ims2020_age", "destination", "m49", "iso3", None, places, ctx)
    _aggregates_not_loaded(group, "ims2020_age", "age profiles are kept for countries only", ctx)
    out["migrant_stock_age"] = pd.DataFrame({"revision": f["revision"].astype(str), "year": f["year"],
                                             "sex": f["sex"], "iso3": iso, "age_group": f["age_group"],
                                             "persons": f["persons"]})[iso.notna()]

    annual = frames["wpp2024_annual"]
    iso, group = _split(annual, "wpp2024_annual", "location", "m49", "iso3", None, places, ctx)
    pop_total = pd.DataFrame({"revision": wpp.REVISION, "year": annual["year"], "sex": "total", "iso3": iso,
                              "persons": annual["pop_jul1"], "variant": annual["variant"]})[iso.notna()]
    out["vital_annual"] = pd.DataFrame({"revision": wpp.REVISION, "year": annual["year"], "iso3": iso,
                                        "pop_jan1": annual["pop_jan1"], "births": annual["births"],
                                        "deaths": annual["deaths"], "net_migration": annual["net_migration"],
                                        "variant": annual["variant"]})[iso.notna()]
    for measure in ("pop_jul1", "births", "deaths", "net_migration"):
        group_values.append(pd.DataFrame({"source_id": "wpp2024_annual", "revision": wpp.REVISION,
                                          "group_id": group, "year": annual["year"], "sex": "total",
                                          "measure": measure, "value": annual[measure].astype("Float64")}
                                         )[group.notna()])
    by_sex = frames["wpp2024_population_by_sex"]
    iso, group = _split(by_sex, "wpp2024_population_by_sex", "location", "m49", "iso3", None, places, ctx)
    group_values.append(pd.DataFrame({"source_id": "wpp2024_population_by_sex", "revision": wpp.REVISION,
                                      "group_id": group, "year": by_sex["year"], "sex": by_sex["sex"],
                                      "measure": "pop_jul1_by_sex", "value": by_sex["persons"].astype("Float64")}
                                     )[group.notna()])
    pop_sex = pd.DataFrame({"revision": wpp.REVISION, "year": by_sex["year"], "sex": by_sex["sex"], "iso3": iso,
                            "persons": by_sex["persons"], "variant": by_sex["variant"]})
    pop_sex = pop_sex[iso.notna() & (by_sex["sex"] != "total")]
    out["population"] = pd.concat([pop_total, pop_sex], ignore_index=True)

    per = frames["wpp2024_periods"]
    iso, group = _split(per, "wpp2024_periods", "location", "m49", "iso3", None, places, ctx)
    _aggregates_not_loaded(group, "wpp2024_periods", "period totals of aggregates are sums of their countries' "
                           "(the annual aggregate series are in area_group_value)", ctx)
    out["vital"] = pd.DataFrame({"revision": wpp.REVISION, "period_start": per["period_start"],
                                 "period_end": per["period_end"], "iso3": iso, "births": per["births"],
                                 "deaths": per["deaths"], "net_migration": per["net_migration"],
                                 "pop_start": per["pop_start"], "pop_end": per["pop_end"],
                                 "variant": per["variant"]})[iso.notna()]

    series = frames["wdi_long"]
    iso, group = _split(series, "wdi_long", "economy", None, "iso3", None, places, ctx)
    out["wdi"] = pd.DataFrame({"iso3": iso, "year": series["year"], "indicator": series["indicator"],
                               "value": series["value"], "vintage": series["vintage"]})[iso.notna()]
    group_values.append(pd.DataFrame({"source_id": "wdi_long", "revision": series["vintage"], "group_id": group,
                                      "year": series["year"], "sex": "total", "measure": series["indicator"],
                                      "value": series["value"]})[group.notna()])
    out["wdi_indicator"] = frames["wdi_indicators"]
    out["area_group_value"] = pd.concat(group_values, ignore_index=True)
    return out
