"""The API's composed views: the indicator catalogue, country and group profiles, and corridors.

A profile is the JSON ``migdev profile KEY --format json`` writes (:class:`migdev.reports.ProfileSet`), served
from bytes kept per worker (:meth:`migdev.web.app.Database.profile_bytes`): this is the API's hot path, an async
handler that touches no thread pool, no DuckDB and no serialiser once a profile is built. A corridor is every
query that has something to say about one origin -> destination pair, run through :func:`migdev.query.run`.
"""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from migdev.errors import NotFoundError, QueryError
from migdev.publish.answer import Answer
from migdev.query import QUERIES, run
from migdev.web import api_http
from migdev.web.api import MAX_LIMIT, MAX_TEXT
from migdev.web.api_models import ERRORS, FILES, Corridor, Lang, Profile, Table, TableFormat
from migdev.web.api_places import resolve
from migdev.web.app import database

router = APIRouter()

PlaceP = Annotated[str, Path(min_length=1, max_length=MAX_TEXT, openapi_examples={"country": {"value": "KEN"}},
                             description="ISO3 code, group id (m49:903, wb:HIC), WLD, or a name in a UN language")]


@router.get("/indicators/catalogue", response_model=Table, responses={200: {"content": FILES}, **ERRORS},
            tags=["indicators"], summary="What each indicator is: family, unit, SDG target, inputs, aggregation")
def catalogue(request: Request, format: Annotated[TableFormat | None, Query()] = None,
              limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
              offset: Annotated[int, Query(ge=0, le=100_000_000)] = 0) -> Response:
    from migdev.indicators import CATALOGUE

    db = database(request)
    fmt = api_http.negotiate(request, format)
    tag = api_http.etag(request, db.etag, fmt)
    if (cached := api_http.not_modified(request, tag)) is not None:
        return cached
    frame = pd.DataFrame([{"indicator": i.id, "title": i.title, "family": i.family, "unit": i.unit, "sdg": i.sdg,
                           "inputs": ",".join(i.inputs), "group_values": i.how, "basis": i.basis}
                          for i in CATALOGUE.values()])
    answer = Answer(frame, (), {"query": "indicator_catalogue"},
                    ("values: /api/v1/indicators?indicator=ID; each row there cites its own sources",))
    return api_http.table(request, answer, fmt=fmt, tag=tag, limit=limit, offset=offset, name="indicator_catalogue")


@router.get("/profiles/{place}", response_model=Profile, responses=ERRORS, tags=["profiles"],
            summary="The profile of a country or group: every figure with its year, unit and source")
async def profile(request: Request, place: PlaceP,
                  lang: Annotated[Lang, Query(description="language of the names")] = Lang.en) -> Response:
    db = database(request)
    hit = db.cached_profile(place, lang.value)
    if hit is None:
        try:
            hit = await run_in_threadpool(db.profile_bytes, place, lang.value)
        except QueryError as exc:
            raise NotFoundError(str(exc)) from None
    body, tag = hit
    headers = {"ETag": tag, "Cache-Control": api_http.CACHE_CONTROL}
    if (cached := api_http.not_modified(request, tag)) is not None:
        return cached
    return Response(body, media_type="application/json", headers=headers)


#: The corridor's tables: (section, query, filters from (origin, destination)). Money and refugees go the other
#: way round: migrants at the destination send to the origin; refugees from the origin are in asylum there.
SECTIONS: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("stocks", "stock", {"origin": "origin", "destination": "destination", "sex": "all", "year": "all"}),
    ("flows", "flows", {"origin": "origin", "destination": "destination", "method": "all", "sex": "all"}),
    ("flow_band", "flow_band", {"origin": "origin", "destination": "destination"}),
    ("remittances", "remittances", {"sender": "destination", "receiver": "origin", "edition": "all"}),
    ("remittance_costs", "remittance_costs", {"sender": "destination", "receiver": "origin"}),
    ("refugees", "refugees", {"origin": "origin", "asylum": "destination", "revision": "all"}),
)


def _section(db: Any, query: str, filters: dict[str, Any], grouped: bool, lang: str) -> Answer:
    spec = QUERIES[query]
    try:
        return run(query, db.obs, lang=lang, by=() if grouped and spec.measures else None, **filters)
    except QueryError as exc:  # a table this database lacks (an optional step skipped): say so, do not fail
        return Answer(pd.DataFrame(), (), {"query": query}, (str(exc),))


def corridor_body(db: Any, origin: str, destination: str, lang: str) -> dict[str, Any]:
    """Every section of the corridor, or a 404 if no section holds a row for it."""
    places = db.obs.catalog.places()
    ends = {"origin": resolve(places, origin, "origin"), "destination": resolve(places, destination, "destination")}
    grouped = not all(p.is_country for p in ends.values())
    sections, sources = {}, {}
    for name, query, wiring in SECTIONS:
        filters = {k: (ends[v].code if v in ends else v) for k, v in wiring.items()}
        answer = _section(db, query, filters, grouped, lang)
        frame = answer.frame
        rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
        sections[name] = {"columns": [str(c) for c in frame.columns], "rows": rows,
                          "sources": [s.as_dict() for s in answer.sources], "notes": list(answer.notes)}
        if len(frame):
            sources.update({s.source_id: s for s in answer.sources})
    if not any(s["rows"] for s in sections.values()):
        raise NotFoundError(f"no corridor {ends['origin'].code} -> {ends['destination'].code}: no table of this "
                            "database holds a row for the pair (no published stock, estimated flow, remittance, "
                            "price or refugee)")
    cited = Answer(pd.DataFrame(), tuple(sources[k] for k in sorted(sources)), {})
    return {"origin": _place(ends["origin"]), "destination": _place(ends["destination"]), "lang": lang,
            "sections": sections, "sources": [s.as_dict() for s in cited.sources], "citation": cited.citation(),
            "_answer": cited}


def _place(p: Any) -> dict[str, str]:
    return {"code": p.code, "kind": p.kind, "name": p.name}


@router.get("/corridors/{origin}/{destination}", response_model=Corridor, responses=ERRORS, tags=["corridors"],
            summary="Everything known about one origin -> destination pair: stocks by sex over time, flows by "
                    "method with their band, remittances and their cost, refugees")
async def corridor(request: Request, origin: PlaceP, destination: PlaceP,
                   lang: Annotated[Lang, Query(description="language of the names")] = Lang.en) -> Response:
    db = database(request)
    tag = api_http.etag(request, db.etag, "json")
    if (cached := api_http.not_modified(request, tag)) is not None:
        return cached
    body = await run_in_threadpool(corridor_body, db, origin, destination, lang.value)
    answer = body.pop("_answer")
    return api_http.document(request, body, tag=tag, answer=answer)
