"""The build's ``indicators`` step: every entry of :data:`~migdev.indicators.CATALOGUE` into ``indicator``.

Decisions:

* **which release**: each input table is read at its latest revision (IMS 2024, WPP 2024; the single UNHCR,
  IAB, SDG and IOM releases; every WDI vintage, one row per series and year); the flows are the recommended
  estimate (:data:`migdev.estimates.flows_step.RECOMMENDED`, ``da_pb_closed``) on the latest stock and WPP
  revisions. ``source`` names the source ids of the release read, ``revision`` the releases;
* **groups**: every group of ``area_group`` with members, and ``WLD`` (every area of the country table). Groups
  the registry lists without members (World Bank regions and income groups, UN income groups) take their members
  from the country table's classification where a group's name is the classification's value (``wb:LCN`` "Latin
  America & Caribbean" = the countries whose ``wb_region`` is that; ``m49:1503`` "High-income countries" = those
  whose ``un_income_group_2020`` is "High-income"); the others (development groups, WPP aggregates, most World
  Bank aggregates) have no member list in the database and no values;
* a group's value follows the indicator's rule (:class:`~migdev.indicators.Indicator` ``how``); its row says in
  ``members`` how many members contributed;
* the table's key (indicator, iso3, year, sex, rank, partner) is checked here; a duplicate is a bug, not data.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from migdev import store
from migdev.indicators import CATALOGUE, Indicator
from migdev.indicators.tidy import aggregate
from migdev.sources import PRODUCTS

if TYPE_CHECKING:
    from migdev.pipeline.context import Context

WORLD = "WLD"
RECOMMENDED = "da_pb_closed"  # the flows step's RECOMMENDED (migdev.estimates.flows_step); checked by a test
#: Membership from the country table for member-less groups: (group id prefix, country column, name suffix).
_CLASSIFICATIONS = (("wb:", "wb_region", ""), ("wb:", "wb_income_group", ""),
                    ("m49:", "un_income_group_2020", " countries"))
_COLUMNS = ["iso3", "year", "sex", "indicator", "rank", "partner", "value", "unit", "members", "basis", "source",
            "revision"]


def _latest(con: duckdb.DuckDBPyConnection, table: str, column: str = "revision", where: str = "") -> str | None:
    cond = f"WHERE {where}" if where else ""
    row = con.execute(f"SELECT max({column}) FROM {table} {cond}").fetchone()
    return None if row is None or row[0] is None else str(row[0])


def read_inputs(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, pd.DataFrame], dict[str, str | None]]:
    """The input frames of every catalogue entry (each at its latest revision) and the revision read per table."""
    rev = {t: _latest(con, t) for t in ("migrant_stock", "migrant_stock_total", "population", "vital_annual",
                                        "refugee", "skilled_emigration")}
    rev["flow_estimate"] = _latest(con, "flow_estimate", "stock_revision")
    vital = _latest(con, "flow_estimate", "vital_revision", f"stock_revision = '{rev['flow_estimate']}'")
    q = {
        "migrant_stock": "SELECT year, sex, origin, destination, persons FROM migrant_stock WHERE revision = ?",
        "migrant_stock_total": "SELECT * FROM migrant_stock_total WHERE revision = ?",
        "population": "SELECT iso3, year, sex, persons, variant FROM population WHERE revision = ?",
        "vital_annual": "SELECT iso3, year, net_migration, variant FROM vital_annual WHERE revision = ?",
        "refugee": "SELECT year, origin, asylum, population_type, persons FROM refugee WHERE revision = ?",
        "skilled_emigration": "SELECT * FROM skilled_emigration WHERE revision = ?",
    }
    frames = {t: con.execute(sql, [rev[t]]).df() for t, sql in q.items()}
    frames["flow_estimate"] = con.execute(
        "SELECT sex, period_start, period_end, origin, destination, flow FROM flow_estimate WHERE sex = 'total' "
        "AND method = ? AND stock_revision = ? AND vital_revision = ?", [RECOMMENDED, rev["flow_estimate"], vital]
    ).df()
    for t in ("wdi", "remittance_cost", "policy_rating", "migrant_deaths", "migrant_incident"):
        frames[t] = con.execute(f"SELECT * FROM {t}").df()
    frames["wdi"] = frames["wdi"].drop_duplicates(["iso3", "year", "indicator"])
    rev["flow_estimate"] = f"{rev['flow_estimate']}+WPP{vital} {RECOMMENDED}" if vital else None
    return frames, rev


def members(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """``group_id, iso3`` of every group with members (see the module docstring), and ``WLD``."""
    listed = con.execute("SELECT group_id, iso3 FROM area_group_member").df()
    groups = con.execute("SELECT group_id, name FROM area_group").df()
    country = con.execute("SELECT * FROM country").df()
    empty = groups[~groups["group_id"].isin(listed["group_id"])]
    parts = [listed]
    for prefix, column, suffix in _CLASSIFICATIONS:
        names = country[column].dropna().astype(str) + suffix
        mine = empty[empty["group_id"].str.startswith(prefix)]
        matched = mine.merge(pd.DataFrame({"name": names, "iso3": country.loc[names.index, "iso3"]}), on="name")
        parts.append(matched[["group_id", "iso3"]])
    parts.append(pd.DataFrame({"group_id": WORLD, "iso3": country["iso3"]}))
    return pd.concat(parts, ignore_index=True).drop_duplicates().reset_index(drop=True)


def _provenance(con: duckdb.DuckDBPyConnection, rev: dict[str, str | None]) -> dict[str, tuple[str, str]]:
    """Per input table: (source ids, revision label) of the release the step read."""
    src = con.execute("SELECT source_id, revision, product FROM source").df()
    owners: dict[str, list[str]] = {}
    for p in PRODUCTS:
        for t in p.RELEASES.tables:
            owners.setdefault(t, []).append(p.RELEASES.name)
    owners["flow_estimate"] = owners.get("migrant_stock", [])
    with_ids = {r[0] for r in con.execute("SELECT table_name FROM information_schema.columns "
                                          "WHERE column_name = 'source_id'").fetchall()}
    out = {}
    for table, products in owners.items():
        rows = src[src["product"].isin(products)]
        if table in with_ids:  # the table says which file each row came from: cite exactly those
            read = {r[0] for r in con.execute(f"SELECT DISTINCT source_id FROM {table}").fetchall()}
            rows = rows[rows["source_id"].isin(read)]
        wanted = rev.get("migrant_stock" if table == "flow_estimate" else table)
        if wanted is not None and (rows["revision"] == wanted).any():
            rows = rows[rows["revision"] == wanted]
        names = ", ".join(sorted(set(rows["product"])))
        label = wanted or ", ".join(sorted(set(rows["revision"])))
        out[table] = (",".join(sorted(rows["source_id"])), f"{names} {label}")
    if "flow_estimate" in out and "vital_annual" in out:
        ids = ",".join(sorted({*out["flow_estimate"][0].split(","), *out["vital_annual"][0].split(",")}))
        out["flow_estimate"] = (ids, f"flows {rev.get('flow_estimate')}")
    return out


def _groups(ind: Indicator, countries: pd.DataFrame, frames: dict[str, pd.DataFrame],
            groups: pd.DataFrame) -> pd.DataFrame | None:
    if ind.how in ("sum", "ratio"):
        return aggregate(countries, groups, ind.how, scale=ind.scale, keys=ind.keys)
    if ind.how == "groups":
        return ind.fn(**{name: frames[name] for name in ind.inputs}, area_group_member=groups)
    return None


def compute(con: duckdb.DuckDBPyConnection, say: Callable[[str, str], None] | None = None) -> pd.DataFrame:
    """Every catalogue entry for every country and group, as rows of ``indicator``."""
    say = say or (lambda level, message: None)
    frames, rev = read_inputs(con)
    groups = members(con)
    frames["area_group_member"] = groups
    prov = _provenance(con, rev)
    parts = []
    for ind in CATALOGUE.values():
        start = time.perf_counter()
        out = ind.compute(frames)
        rows = [out.assign(members=pd.NA, unit=ind.unit)] if "area_group_member" not in ind.inputs else []
        if "area_group_member" in ind.inputs:  # a groups-only indicator
            rows.append(out.assign(unit=ind.unit))
        else:
            grouped = _groups(ind, out, frames, groups)
            if grouped is not None:
                rows.append(grouped.assign(unit=ind.group_unit or ind.unit))
        tables = [t for t in ind.inputs if t in prov]
        one = pd.concat([r for r in rows if len(r)], ignore_index=True) if any(len(r) for r in rows) else None
        if one is None:
            say("warning", f"indicator {ind.id}: no rows (its inputs are empty)")
            continue
        one = one.assign(indicator=ind.id, basis=ind.basis,
                         source=",".join(dict.fromkeys(s for t in tables for s in prov[t][0].split(",") if s)),
                         revision="; ".join(prov[t][1] for t in tables))
        for key in ("rank", "partner"):
            if key not in one.columns:
                one[key] = None
        parts.append(one.reindex(columns=_COLUMNS))
        seconds = time.perf_counter() - start
        if seconds > 1:
            say("info", f"indicator {ind.id}: {len(one):,} rows in {seconds:.1f} s")
    table = pd.concat(parts, ignore_index=True)
    table = table.astype({"year": "int64", "value": "float64", "rank": "Int64", "members": "Int64"})
    key = ["indicator", "iso3", "year", "sex", "rank", "partner"]
    dup = table.duplicated(key, keep=False)
    if dup.any():
        raise RuntimeError(f"indicator: {int(dup.sum())} rows share a key, e.g.\n{table[dup].head()}")
    return table


def run(ctx: Context) -> dict[str, int]:
    """Compute the indicators on the staging database and insert them into ``indicator``."""
    ctx.reporter.step("indicators", 1)
    start = time.perf_counter()
    table = compute(ctx.con, ctx.say)
    rows = store.insert(ctx.con, "indicator", table)
    ctx.say("info", f"indicators: {rows:,} rows of {table['indicator'].nunique()} indicators for "
                    f"{table['iso3'].nunique()} areas in {time.perf_counter() - start:.1f} s")
    ctx.reporter.advance("indicator")
    return {"indicator": rows}
