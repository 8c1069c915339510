"""The data behind the pages, read only through the query path (:func:`migdev.query.run` on the Observatory).

Why one module: the home map, the corridor page and the page-data routes (JSON of the map, downloads of every
table shown) need the same frames; each is one query, so a download is exactly what the page shows, with the
query's sources. Map data are cached per database, indicator and language (the database is read-only).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from migdev import query
from migdev.i18n import N_, Translator
from migdev.indicators import CATALOGUE
from migdev.publish.answer import Answer

#: The home map's indicators (ids of the CATALOGUE) and their titles (message ids, :func:`indicator_title`).
MAP_INDICATORS: dict[str, str] = {
    "stock_immigrant_share": N_("International migrants, share of the population"),
    "stock_emigration_rate": N_("Emigration rate"),
    "remit_share_of_gdp": N_("Remittances received, %% of GDP"),
    "netmig_rate": N_("Net migration rate, per 1,000 population"),
    "refugees_per_100k_origin": N_("Refugees per 100,000 of the population of origin"),
    "cost_receiving_average": N_("Average cost of sending 200 US$ to the country, %%"),
}
DEFAULT_INDICATOR = "stock_immigrant_share"
MAP_FROM = 1990  # annual series (WPP, WDI) start in 1950/1970; the map shows the IMS era
COVERED = 0.5  # the default year: the newest in which half the mapped areas have a value
_CACHE: dict[tuple[str, str, str], dict[str, Any]] = {}


def indicator_title(t: Translator, indicator: str) -> str:
    """A map indicator's title in ``t``'s language, formatted as Jinja's ``_()`` formats every message.

    Why the ``% {}``: message ids are %-format strings everywhere (a literal percent sign is ``%%``, as in the
    profile's "Remittances received, %% of GDP"), so one id serves both the templates and these labels.
    """
    return t.gettext(MAP_INDICATORS[indicator]) % {}


def formatter(t: Translator, indicator: str):
    """How an indicator's values are written, from its catalogue unit."""
    unit = CATALOGUE[indicator].unit
    if unit == "fraction":
        return t.percent
    if unit.startswith("percent"):
        return t.percent_points
    return lambda v: t.number(v, 1)


def citation(answer: Answer) -> list[dict[str, str]]:
    return [{"source_id": s.source_id, "revision": str(s.revision), "citation": s.citation} for s in answer.sources]


def map_data(obs: Any, key: str, indicator: str, t: Translator, areas: set[str]) -> dict[str, Any]:
    """Per year: each mapped area's quantile class (0..4) and formatted value, the class breaks and the sources.

    ``areas``: the codes the map draws (groups of the indicator table are left out).
    """
    cached = _CACHE.get((key, indicator, t.lang))
    if cached is not None:
        return cached
    if indicator not in MAP_INDICATORS:
        from migdev.errors import QueryError

        raise QueryError(f"unknown map indicator {indicator!r}; choose one of {', '.join(MAP_INDICATORS)}")
    answer = query.run("indicators", obs, indicator=indicator, sex="total")
    f = answer.frame
    f = f[f["iso3"].isin(areas) & f["value"].notna() & (f["year"] >= MAP_FROM)]
    fmt = formatter(t, indicator)
    years: dict[str, Any] = {}
    for year, rows in f.groupby("year"):
        values = rows["value"].to_numpy(dtype=float)
        breaks = np.unique(np.quantile(values, [0.2, 0.4, 0.6, 0.8]))
        classes = np.searchsorted(breaks, values, side="right")
        edges = [values.min(), *breaks, values.max()]
        years[str(int(year))] = {
            "values": {c: [int(k), fmt(v)] for c, k, v in zip(rows["iso3"], classes, values, strict=True)},
            "legend": [f"{fmt(a)} – {fmt(b)}" for a, b in itertools.pairwise(edges)],
            "count": len(rows)}
    order = sorted(years, key=int)
    covered = [y for y in order if years[y]["count"] >= COVERED * len(areas)]
    out = {"indicator": indicator, "title": indicator_title(t, indicator), "years": order,
           "default_year": (covered or order or [None])[-1], "by_year": years, "sources": citation(answer),
           "missing": t.missing()}
    _CACHE[(key, indicator, t.lang)] = out
    return out


# -- corridor -------------------------------------------------------------------------------------------------
@dataclass
class Corridor:
    """Every answer the corridor page shows, one query each (the page's downloads are the same query in the API)."""

    stock: Answer
    flows: Answer
    band: Answer
    remittances: Answer
    estimates: Answer
    costs: Answer
    refugees: Answer


#: Each corridor table: its query and filters from (origin, destination). Money goes the other way: migrants at
#: the destination send to the origin. Lists are repeated parameters in the API's address.
CORRIDOR_QUERIES: dict[str, tuple[str, Any]] = {
    "stock": ("stock", lambda o, d: {"origin": o, "destination": d}),
    "flows": ("flows", lambda o, d: {"origin": o, "destination": d, "method": "all", "sex": "total"}),
    "band": ("flow_band", lambda o, d: {"origin": o, "destination": d, "sex": "total"}),
    "remittances": ("remittances", lambda o, d: {"sender": d, "receiver": o, "edition": "all"}),
    "estimates": ("remittance_estimates", lambda o, d: {"sender": d, "receiver": o}),
    "costs": ("remittance_costs", lambda o, d: {"sender": d, "receiver": o}),
    "refugees": ("refugees", lambda o, d: {"origin": o, "asylum": d,
                                           "population_type": ["refugees", "asylum_seekers"]}),
}
CORRIDOR_TABLES = tuple(CORRIDOR_QUERIES)
#: Tables an optional build step makes: a database without them shows the corridor without that table.
OPTIONAL = frozenset({"estimates"})


def corridor_answer(obs: Any, table: str, origin: str, destination: str, lang: str) -> Answer:
    """One table of the corridor origin -> destination (remittances and their cost go the other way)."""
    from migdev.errors import QueryError

    if table not in CORRIDOR_QUERIES:
        raise QueryError(f"unknown corridor table {table!r}; choose one of {', '.join(CORRIDOR_TABLES)}")
    name, filters = CORRIDOR_QUERIES[table]
    try:
        return query.run(name, obs, lang=lang, **filters(origin, destination))
    except QueryError as exc:
        if table not in OPTIONAL:
            raise
        return Answer(pd.DataFrame(), (), {"query": name}, (str(exc),))


def corridor(obs: Any, origin: str, destination: str, lang: str) -> Corridor:
    return Corridor(**{name: corridor_answer(obs, name, origin, destination, lang) for name in CORRIDOR_TABLES})


def api_url(query_name: str, filters: dict[str, Any], fmt: str, lang: str) -> str:
    """The API address answering ``query_name`` with ``filters`` in ``fmt``, every row on one page."""
    from urllib.parse import urlencode

    from migdev.web.api import MAX_LIMIT, path_of

    params = [(k, x) for k, v in filters.items() for x in (v if isinstance(v, list | tuple) else [v])]
    params += [("lang", lang), ("limit", MAX_LIMIT), ("format", fmt)]
    return f"/api/v1{path_of(query_name)}?{urlencode(params)}"


def corridor_downloads(origin: str, destination: str, lang: str, formats: tuple[str, ...]) -> dict[str, dict]:
    """Each corridor table's download addresses, per format: the API endpoint of its query."""
    return {table: {fmt: api_url(name, filters(origin, destination), fmt, lang) for fmt in formats}
            for table, (name, filters) in CORRIDOR_QUERIES.items()}


def by_year(frame: pd.DataFrame, index: str, columns: str, values: str) -> tuple[list[int], dict[str, list]]:
    """A tidy frame as chart series: the sorted years and one list per column value (None where absent)."""
    if frame.empty:
        return [], {}
    wide = frame.pivot_table(index=index, columns=columns, values=values, aggfunc="sum").sort_index()
    return [int(y) for y in wide.index], {str(c): [None if pd.isna(v) else float(v) for v in wide[c]]
                                          for c in wide.columns}
