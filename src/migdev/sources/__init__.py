"""Official releases: one module per product, each with its TOML spec, parsers and ``to_store``.

``PRODUCTS`` is the one list of what the build reads; the pipeline reaches products only through it and never
names a release id. A product module provides ``RELEASES`` (its spec), ``parse(path)`` and
``to_store(frames, harmoniser)``; optionally ``DOCUMENTED_CODES`` (non-ISO codes it needs in the country table)
and ``PLACES`` (which of its files feed the country registry).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from migdev.errors import FetchError, HashMismatchError, ParseError, SourceError
from migdev.sources import geo, gravity, knomad, policy, rpw, skilled, undesa_ims, unhcr, wdi, wpp, wpp2022
from migdev.sources.spec import Product, Source

#: Every product the build reads, in load order. Adding a source: its spec, module, schema file, fixture module and
#: contract test, and one entry here.
PRODUCTS = (undesa_ims, wpp, wpp2022, wdi, knomad, rpw, unhcr, skilled, policy, geo, gravity)

__all__ = ["PRODUCTS", "FetchError", "HashMismatchError", "ParseError", "Product", "Source", "SourceError",
           "documented_codes", "get", "releases"]


def releases() -> dict[str, Source]:
    """Every registered file of every product, by source id."""
    return {f.id: f for product in PRODUCTS for f in product.RELEASES.files}


def get(source_id: str) -> Source:
    """The registered file, or a KeyError that lists what is known."""
    known = releases()
    try:
        return known[source_id]
    except KeyError:
        raise KeyError(f"unknown source {source_id!r}; known sources: {', '.join(sorted(known))}") from None


def documented_codes() -> dict[str, Mapping[str, Any]]:
    """The non-ISO codes the products declare, merged (a code declared twice must say the same)."""
    out: dict[str, Mapping[str, Any]] = {}
    for product in PRODUCTS:
        for code, entry in getattr(product, "DOCUMENTED_CODES", {}).items():
            if code in out and out[code] != entry:
                raise ValueError(f"documented code {code} is declared differently by two products")
            out[code] = entry
    return out
