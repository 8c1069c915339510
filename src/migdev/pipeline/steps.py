"""The build's steps, declared once in :data:`STEPS`: each has a name (the log's and ``--skip``'s), a label (the
progress display's) and a function of the build :class:`Context`. ``migdev build --list-steps`` prints them.

The steps reach the products only through :data:`migdev.sources.PRODUCTS`; no step names a release id.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd

from migdev import countries, store
from migdev.harmonise import Harmoniser
from migdev.pipeline import checks
from migdev.pipeline.context import Context
from migdev.sources import PRODUCTS, documented_codes, fetch


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    run: Callable[[Context], None]
    optional: bool = False
    help: str = ""


def _built(ctx: Context) -> list:
    return [ctx.sources[f.id] for p in PRODUCTS for f in p.RELEASES.built if f.id in ctx.sources]


def fetch_all(ctx: Context) -> None:
    """Every file the products build from, verified against its registered sha256."""
    needed = _built(ctx)
    ctx.reporter.step("fetch and verify", len(needed))
    for src in needed:
        ctx.paths[src.id] = fetch.fetch(src, ctx.settings)
        ctx.reporter.advance(src.file_name)


def parse_all(ctx: Context) -> None:
    """Each file through its product's parser (validated by the product's schemas)."""
    needed = _built(ctx)
    ctx.reporter.step("parse and validate", len(needed))
    modules = {p.RELEASES.name: p for p in PRODUCTS}
    for src in needed:
        reader = getattr(modules[src.product], src.parser or "parse")
        ctx.frames[src.id] = reader(ctx.paths[src.id])
        ctx.reporter.advance(src.file_name)


def harmonise_all(ctx: Context) -> None:
    """The country registry from the products' place files, then each product's ``to_store``."""
    ctx.reporter.step("harmonise codes", len(PRODUCTS) + 1)
    inputs = {role: ctx.frames[sid] for p in PRODUCTS for role, sid in getattr(p, "PLACES", {}).items()}
    ctx.places = countries.build(**inputs, extra_codes=documented_codes())
    ctx.tables = {"country": ctx.places.country, "area_group": ctx.places.area_group,
                  "area_group_member": ctx.places.area_group_member}
    ctx.reporter.advance("countries")
    h = Harmoniser(ctx.places, ctx)
    parts: dict[str, list[pd.DataFrame]] = {}
    for product in PRODUCTS:
        mine = {f.id: ctx.frames[f.id] for f in product.RELEASES.built if f.id in ctx.frames}
        for table, frame in product.to_store(mine, h).items():
            parts.setdefault(table, []).append(frame)
        ctx.reporter.advance(product.RELEASES.name)
    for table, frames in parts.items():
        ctx.tables[table] = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def load_all(ctx: Context) -> None:
    """A fresh staging database with the whole schema, every table inserted, the provenance of every file."""
    ctx.con = store.create(ctx.staging)
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    ctx.tables["source"] = pd.DataFrame(
        [{"source_id": s.id, "revision": s.revision, "publisher": s.publisher, "title": s.title, "file": s.path,
          "url": s.url, "sha256": s.sha256, "licence": s.licence, "citation": s.citation, "product": s.product,
          "download_url": s.download_url, "derived_from": s.derived_from, "loaded_at": loaded_at,
          "rows_read": len(ctx.frames[s.id])} for s in _built(ctx)])
    order = [t for t in store.tables() if t in ctx.tables]
    ctx.reporter.step("load", len(order))
    for table in order:
        ctx.rows[table] = store.insert(ctx.con, table, ctx.tables[table])
        ctx.reporter.advance(table)


def flows(ctx: Context) -> None:
    """Bilateral flows estimated from the stock tables (six methods, every revision, period and sex)."""
    flows_step = importlib.import_module("migdev.estimates.flows_step")
    ctx.rows.update(flows_step.run(ctx.con, ctx, methods=ctx.options.get("flow_methods")))


def bands(ctx: Context) -> None:
    """The spread of the stored flows across methods and stock bases per corridor (``flow_band``)."""
    bands_step = importlib.import_module("migdev.estimates.bands")
    ctx.reporter.step("flow bands", 1)
    ctx.rows.update(bands_step.run(ctx.con, ctx.say))
    ctx.reporter.advance("flow_band")


def indicators(ctx: Context) -> None:
    """Every indicator of the catalogue for every country and group (``indicator``)."""
    indicators_step = importlib.import_module("migdev.indicators.step")
    ctx.rows.update(indicators_step.run(ctx))


def remittance_estimate(ctx: Context) -> None:
    """Bilateral remittances re-estimated for every year (``remittance_bilateral_estimate``), with their
    validation against KNOMAD's editions (``remittance_estimate_validation``)."""
    remittances = importlib.import_module("migdev.models.remittances")
    ctx.rows.update(remittances.run(ctx))


def gravity(ctx: Context) -> None:
    """The gravity models (PPML) of the stocks and the recommended flows (``model_fit``, :mod:`migdev.models`)."""
    gravity_step = importlib.import_module("migdev.models.step")
    ctx.rows.update(gravity_step.run(ctx))


def check(ctx: Context) -> None:
    """The build's invariants (:mod:`migdev.pipeline.checks`)."""
    checks.run(ctx)


STEPS: tuple[Step, ...] = (
    Step("fetch", "fetch and verify", fetch_all, help="find each file in the mirror, cache or official address"),
    Step("parse", "parse and validate", parse_all, help="read each file with its product's parser"),
    Step("harmonise", "harmonise codes", harmonise_all, help="country registry; codes to ISO3; aggregates apart"),
    Step("load", "load", load_all, help="write every table into a new staging database"),
    Step("flows", "estimate flows", flows, optional=True, help="bilateral flows from the stock tables"),
    Step("bands", "flow bands", bands, optional=True, help="min, median, max of the flows across methods and bases"),
    Step("indicators", "compute indicators", indicators, optional=True, help="the indicator table (migdev.indicators)"),
    Step("gravity", "gravity models", gravity, optional=True, help="PPML gravity models of stocks and flows "
         "(migdev.models)"),
    Step("remittance_estimate", "estimate bilateral remittances", remittance_estimate, optional=True,
         help="KNOMAD's allocation on WDI inflows and IMS stocks, every year; validated on KNOMAD's editions"),
    Step("check", "check invariants", check, help="refuse to publish a build that breaks an invariant"),
)


def names(optional_only: bool = False) -> list[str]:
    return [s.name for s in STEPS if s.optional or not optional_only]
