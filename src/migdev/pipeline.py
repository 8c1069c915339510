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

from migdev import countries, harmonise, store
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
    tables = harmonise.tables(frames, places, ctx)
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
