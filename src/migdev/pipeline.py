"""``build``: fetch -> parse -> harmonise -> load every source into a new database, then swap it into place.

Each step reports to a :class:`Reporter` (the CLI shows it as a Rich progress display) and to the
``build_log`` table. Any error aborts the build and leaves the previous database file as it was.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd
import pyarrow as pa

from migdev import countries, store
from migdev.sources import registry, undesa_ims, wdi, wpp
from migdev.sources.registry import Source

#: What the build reads: source id -> parser.
PARSERS: dict[str, Callable[[Path], pd.DataFrame]] = {
    "ims_locations": undesa_ims.parse_locations,
    "ims2024_bilateral": undesa_ims.parse_bilateral,
    "ims2020_bilateral": undesa_ims.parse_bilateral,
    "ims2024_destination": undesa_ims.parse_destination_totals,
    "ims2020_destination": undesa_ims.parse_destination_totals,
    "ims_origin_totals": undesa_ims.parse_origin_totals,
    "ims2020_age": undesa_ims.parse_age,
    "wpp2024_locations": wpp.parse_locations,
    "wpp2024_annual": wpp.parse_annual,
    "wpp2024_periods": wpp.parse_periods,
    "wpp2024_population_by_sex": wpp.parse_population_by_sex,
    "wdi_countries": wdi.parse_countries,
    "wdi_indicators": wdi.parse_indicators,
    "wdi_long": wdi.parse_long,
}


class Reporter(Protocol):
    """Where a build says what it is doing (the CLI draws it; tests collect it)."""

    def step(self, name: str, total: int) -> None: ...
    def advance(self, detail: str = "") -> None: ...
    def log(self, level: str, message: str) -> None: ...


class QuietReporter:
    """A reporter that only keeps the log lines."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []

    def step(self, name: str, total: int) -> None:
        pass

    def advance(self, detail: str = "") -> None:
        pass

    def log(self, level: str, message: str) -> None:
        self.lines.append((level, message))


@dataclass
class BuildReport:
    """What a build did: where the database is, rows per table, unmatched codes and timing."""

    db: Path
    rows: dict[str, int] = field(default_factory=dict)
    unmatched: pd.DataFrame = field(default_factory=pd.DataFrame)
    seconds: float = 0.0
    log: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class _Context:
    reporter: Reporter
    log: list[tuple[str, str, str]] = field(default_factory=list)
    unmatched: list[pd.DataFrame] = field(default_factory=list)
    current: str = ""

    def say(self, level: str, message: str) -> None:
        self.log.append((self.current, level, message))
        self.reporter.log(level, message)


def build(
    db: Path | str | None = None,
    *,
    reporter: Reporter | None = None,
    sources: Mapping[str, Source] | None = None,
    flows: bool = True,
    flow_methods: tuple[str, ...] | None = None,
) -> BuildReport:
    """Build the database at ``db`` from the registered sources; replace the old file only on success."""
    started = time.perf_counter()
    target = Path(db) if db is not None else store.default_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    reg = dict(sources if sources is not None else registry.REGISTRY)
    ctx = _Context(reporter or QuietReporter())
    store.remove_stale_staging(target)
    staging = store.staging_path(target)

    ctx.current = "fetch"
    needed = [reg[i] if i in reg else registry.get(i) for i in PARSERS]
    ctx.reporter.step("fetch and verify", len(needed))
    paths: dict[str, Path] = {}
    for src in needed:
        paths[src.id] = registry.fetch(src)
        ctx.reporter.advance(src.file_name)

    ctx.current = "parse"
    ctx.reporter.step("parse and validate", len(needed))
    frames: dict[str, pd.DataFrame] = {}
    for src in needed:
        frames[src.id] = PARSERS[src.id](paths[src.id])
        ctx.reporter.advance(src.file_name)

    ctx.current = "harmonise"
    ctx.reporter.step("harmonise codes", 1)
    places = countries.build(frames["ims_locations"], frames["wpp2024_locations"], frames["wdi_countries"])
    tables = _harmonise(frames, places, ctx)
    ctx.reporter.advance()

    con = None
    try:
        ctx.current = "load"
        con = store.create(staging)
        loaded_at = datetime.now(UTC).replace(tzinfo=None)
        tables["source"] = pd.DataFrame(
            [{"source_id": s.id, "revision": s.revision, "publisher": s.publisher, "title": s.title,
              "file": s.path, "url": s.url, "sha256": s.sha256, "licence": s.licence, "citation": s.citation,
              "loaded_at": loaded_at, "rows_read": len(frames[s.id])} for s in needed]
        )
        order = [t for t in store.TABLES if t in tables]
        ctx.reporter.step("load", len(order))
        rows: dict[str, int] = {}
        for table in order:
            rows[table] = store.insert(con, table, tables[table])
            ctx.reporter.advance(table)
        if flows:
            ctx.current = "flows"
            rows.update(estimate_flows(con, ctx, methods=flow_methods))
        unmatched = (pd.concat(ctx.unmatched, ignore_index=True) if ctx.unmatched
                     else pd.DataFrame(columns=["source_id", "field", "code", "name", "rows"]))
        store.insert(con, "unmatched_code", unmatched)
        ctx.current = "check"
        _check(con, ctx)
        log = pd.DataFrame(ctx.log, columns=["step", "level", "message"])
        log.insert(0, "seq", range(1, len(log) + 1))
        store.insert(con, "build_log", log)
        for table in store.TABLES:
            rows[table] = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        store.commit(con, staging, target)
        con = None
    except BaseException:
        store.discard(con, staging)
        raise
    return BuildReport(target, rows, unmatched, time.perf_counter() - started, ctx.log)


def estimate_flows(con, ctx: _Context, methods: tuple[str, ...] | None = None) -> dict[str, int]:
    """Bilateral flows for every IMS revision, period, sex and method, stored in ``flow_estimate``.

    Flows are stored origin x destination (place of birth summed, stayers excluded); a pair that is absent has
    an estimated flow of zero. Each run's total, iterations and adjustments go to ``flow_estimate_run``.

    ``da_min_closed`` runs first when it is asked for: ``mig_rate`` takes its total as the global flow (what
    ``mig_rate`` would otherwise recompute) and ``da_pb_closed`` reuses its matched stocks and fit, so each
    run's ``seconds`` is the work that run added. Only ``.od`` is read, so no n^3 flow array is built.
    """
    from migdev import flows
    from migdev.flow_accounts import Accounts

    names = tuple(methods) if methods is not None else tuple(flows.METHODS)
    unknown = [m for m in names if m not in flows.METHODS]
    if unknown:
        raise ValueError(f"unknown flow method(s) {', '.join(unknown)}; known: {', '.join(flows.METHODS)}")
    accounts = Accounts(con, ctx.say)
    jobs = [(rev, period, sex) for rev in sorted(accounts.stock["revision"].unique(), reverse=True)
            for period in accounts.periods(rev) for sex in ("total", "male", "female")]
    ctx.reporter.step("estimate flows", len(jobs) * len(names))
    said: set[str] = set()
    count = runs = 0
    for rev, period, sex in jobs:
        acc = accounts.account(rev, period, sex)
        labels = pa.array(acc.labels, pa.string())
        for note in acc.notes:
            if note not in said:
                said.add(note)
                ctx.say("info", f"flows IMS {rev}: {note}")
        parts, run_rows = {}, []
        shared: dict[str, dict] = {}
        for name in _flow_order(names):
            started = time.perf_counter()
            result = flows.estimate(name, (acc.stock_start, acc.stock_end), acc.vital, **shared.get(name, {}))
            od = result.od.to_numpy()
            seconds = time.perf_counter() - started
            if name == "da_min_closed":
                shared = {"mig_rate": {"global_flow": float(od.sum())}, "da_pb_closed": {"min_migration": result}}
            o, d = np.nonzero(od > 0)
            parts[name] = pa.table({
                "stock_revision": pa.array([rev] * len(o)), "method": pa.array([name] * len(o)),
                "sex": pa.array([sex] * len(o)), "period_start": pa.array(np.full(len(o), period[0], np.int32)),
                "period_end": pa.array(np.full(len(o), period[1], np.int32)),
                "origin": labels.take(o), "destination": labels.take(d), "flow": pa.array(od[o, d]),
            })
            run_rows.append({"stock_revision": rev, "method": name, "sex": sex, "period_start": period[0],
                             "period_end": period[1], "regions": len(acc.labels), "total_flow": float(od.sum()),
                             "iterations": result.iterations, "seconds": seconds,
                             "notes": "; ".join(dict.fromkeys(result.notes)) or None})
            ctx.reporter.advance(f"{rev} {period[0]}-{period[1]} {sex} {name}")
        count += store.insert(con, "flow_estimate", pa.concat_tables([parts[name] for name in names]))
        run_rows.sort(key=lambda row: names.index(row["method"]))
        runs += store.insert(con, "flow_estimate_run", pd.DataFrame(run_rows))
    ctx.say("info", f"flow_estimate: {count:,} non-zero origin-destination flows from {runs} estimates")
    return {"flow_estimate": count, "flow_estimate_run": runs}


def _flow_order(names: tuple[str, ...]) -> list[str]:
    """``names`` with ``da_min_closed`` first, since ``mig_rate`` and ``da_pb_closed`` reuse its result."""
    return sorted(names, key=lambda name: name != "da_min_closed")


def _split(frame: pd.DataFrame, source_id: str, field_name: str, m49: str | None, iso3: str | None,
           name: str | None, places: countries.Registry, ctx: _Context) -> tuple[pd.Series, pd.Series]:
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


def _drop_unpublished(stock: pd.DataFrame, frames: dict[str, pd.DataFrame], places: countries.Registry,
                      ctx: _Context) -> pd.DataFrame:
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


def _harmonise(frames: dict[str, pd.DataFrame], places: countries.Registry, ctx: _Context) -> dict[str, pd.DataFrame]:
    """Turn parsed frames into the store's tables: ISO3 keys, aggregates apart, persons as integers."""
    out: dict[str, pd.DataFrame] = {"country": places.country, "area_group": places.area_group,
                                    "area_group_member": places.area_group_member}
    group_values: list[pd.DataFrame] = []

    stocks = []
    for sid in ("ims2024_bilateral", "ims2020_bilateral"):
        f = frames[sid]
        dest, _ = _split(f, sid, "destination", "dest_m49", "dest_iso3", None, places, ctx)
        orig, _ = _split(f, sid, "origin", "orig_m49", "orig_iso3", None, places, ctx)
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
    iso, _ = _split(f, "ims2020_age", "destination", "m49", "iso3", None, places, ctx)
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
    iso, _ = _split(by_sex, "wpp2024_population_by_sex", "location", "m49", "iso3", None, places, ctx)
    pop_sex = pd.DataFrame({"revision": wpp.REVISION, "year": by_sex["year"], "sex": by_sex["sex"], "iso3": iso,
                            "persons": by_sex["persons"], "variant": by_sex["variant"]})
    pop_sex = pop_sex[iso.notna() & (by_sex["sex"] != "total")]
    out["population"] = pd.concat([pop_total, pop_sex], ignore_index=True)

    per = frames["wpp2024_periods"]
    iso, _ = _split(per, "wpp2024_periods", "location", "m49", "iso3", None, places, ctx)
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


def _check(con, ctx: _Context) -> None:
    """Invariants every build must satisfy before it may replace the previous database."""
    bad = con.execute("""
        SELECT count(*) FROM (
          SELECT revision, year, origin, destination,
                 sum(persons) FILTER (sex = 'total') AS t,
                 sum(persons) FILTER (sex = 'male') AS m, sum(persons) FILTER (sex = 'female') AS f
          FROM migrant_stock GROUP BY ALL) WHERE m IS NOT NULL AND f IS NOT NULL AND t <> m + f
    """).fetchone()[0]
    if bad:
        raise ValueError(f"migrant_stock: male + female != total in {bad} cells; refusing to publish the build")
    duplicated = con.execute("""
        SELECT count(*) FROM (SELECT 1 FROM flow_estimate
          GROUP BY stock_revision, method, sex, period_start, period_end, origin, destination HAVING count(*) > 1)
    """).fetchone()[0]
    unknown = con.execute("""
        SELECT count(*) FROM flow_estimate f WHERE NOT EXISTS (SELECT 1 FROM country c WHERE c.iso3 = f.origin)
           OR NOT EXISTS (SELECT 1 FROM country c WHERE c.iso3 = f.destination)
    """).fetchone()[0]
    if duplicated or unknown:
        raise ValueError(f"flow_estimate: {duplicated} duplicated keys, {unknown} rows with unknown codes")
    for revision, year, world in con.execute(
        "SELECT revision, year, sum(persons) FROM migrant_stock WHERE sex = 'total' GROUP BY ALL ORDER BY ALL"
    ).fetchall():
        ctx.say("info", f"IMS {revision}: world migrant stock {year} = {world:,}")
