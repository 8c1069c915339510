"""Harmonising codes: what each product's ``to_store`` uses to key its tables by the country registry.

Every code of every source becomes a country (ISO3), an aggregate (``area_group``) or a line in
``unmatched_code`` and the build log; nothing is dropped without being said. The products' own ``to_store``
(``migdev.sources.<product>``) decide what goes in which table; this module only resolves and reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import pandas as pd

from migdev import countries


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

    def resolve(self, m49: pd.Series | None, iso3: pd.Series | None) -> pd.Series:
        """The registry's ISO3 for each row (NA where unknown), without reporting: for lookups, not for loading."""
        return countries.resolve(m49, iso3, self.places.country)

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
    if m49 and iso3:
        # an M49 code of one country beside the ISO3 code of another: neither is trusted, the row is reported
        by_m49 = countries.resolve(frame[m49], None, places.country)
        given = frame[iso3].astype("string")
        clash = by_m49.notna() & given.notna() & given.isin(set(places.country["iso3"])) & (by_m49 != given)
        if clash.any():
            pairs = (pd.DataFrame({"m49": frame.loc[clash, m49], "iso3": given[clash], "means": by_m49[clash]})
                     .value_counts().reset_index())
            for row in pairs.itertuples():
                ctx.say("warning", f"{source_id}: {field_name} M49 {row.m49} is {row.means} but its ISO3 code is "
                                   f"{row.iso3}; {row.count} rows not loaded (see table unmatched_code)")
            country_code = country_code.mask(clash)
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
