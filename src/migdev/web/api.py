"""The JSON/CSV/Parquet API under ``/api/v1``: one generated endpoint per query of :data:`migdev.query.QUERIES`.

Why generated: the query specs already declare each query's filters (kind, help text, vocabulary), so an endpoint
is one generic handler given an explicit signature made from its spec (as :mod:`migdev.cli_query` makes the CLI's
commands). Every filter is a documented, repeatable query parameter (``?origin=KEN&origin=UGA``); sexes, flow
methods, languages, formats and each query's ``by`` choices are enums in the OpenAPI schema. A query added to
``QUERIES`` gets an endpoint under the path :data:`PATHS` gives it (default ``/<name>``).

The endpoints that are not one query (countries, groups, the indicator catalogue, profiles, corridors) are in
:mod:`migdev.web.api_places` and :mod:`migdev.web.api_views`, on the same path and helpers.
"""

from __future__ import annotations

import inspect
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import Field

from migdev import flows
from migdev.places import CLASSIFICATIONS
from migdev.query import QUERIES
from migdev.query.spec import Filter, QuerySpec
from migdev.vocab import SEXES
from migdev.web import api_http
from migdev.web.api_models import ERRORS, FILES, Lang, Table, TableFormat
from migdev.web.app import database

router = APIRouter(prefix="/api/v1")

#: The longest text a parameter takes (a place name, a condition), and the most values one parameter takes.
MAX_TEXT = 200
MAX_VALUES = 50
MAX_LIMIT = 100_000
Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
Year = Annotated[int, Field(ge=0, le=9999)]
SexChoice = Literal[SEXES]  # type: ignore[valid-type]
MethodChoice = Literal[(*flows.METHODS, "all")]  # type: ignore[valid-type]

#: Where each query is served (under /api/v1) and its OpenAPI tag; queries not listed: ``/<name>``, tag "data".
PATHS: dict[str, tuple[str, str]] = {
    "stock": ("/stocks", "stocks"), "totals": ("/stocks/totals", "stocks"), "stock_age": ("/stocks/age", "stocks"),
    "flows": ("/flows", "flows"), "flow_band": ("/flows/band", "flows"),
    "indicators": ("/indicators", "indicators"), "population": ("/population", "development"),
    "vital": ("/vital", "development"), "wdi": ("/wdi", "development"),
    "refugees": ("/refugees", "refugees"), "remittances": ("/remittances", "remittances"),
    "remittance_costs": ("/remittances/costs", "remittances"), "migrant_deaths": ("/migrant-deaths", "refugees"),
    "releases": ("/sources", "sources"), "group_values": ("/groups/values", "places"),
    "group_members": ("/groups/members", "places"), "area_geometry": ("/geo/areas", "places"),
    "area_points": ("/geo/points", "places"),
}


def path_of(query: str) -> str:
    """Where the API serves ``query`` (under /api/v1): its :data:`PATHS` entry, else ``/<name>`` with dashes."""
    return PATHS.get(query, (f"/{query.replace('_', '-')}", "data"))[0]


#: Queries the API serves through another endpoint (``/groups`` lists the groups with their members).
HIDDEN = frozenset({"area_groups"})


def by_choices(spec: QuerySpec) -> tuple[str, ...]:
    """What ``by`` takes for a query: its kept dimensions, its place columns, and the classifications a place
    can be mapped to (``region``, or ``origin_region`` when the query has two place columns)."""
    if not spec.measures:
        return ()
    pairs = [f"{p}_{c}" for p in spec.places for c in CLASSIFICATIONS] if len(spec.places) > 1 else []
    return tuple(dict.fromkeys([*spec.keep, *spec.places, *(CLASSIFICATIONS if spec.places else ()), *pairs]))


def _filter_type(spec: QuerySpec, f: Filter) -> Any:
    if f.vocabulary is not None:
        return list[SexChoice] if tuple(f.vocabulary) == SEXES else list[Literal[tuple(f.vocabulary)]]
    if spec.name == "flows" and f.name == "method":
        return list[MethodChoice]
    if f.kind == "number":
        return list[Year]
    return list[Text]


def _param(name: str, annotation: Any, default: Any, **query: Any) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default,
                             annotation=Annotated[annotation, Query(**query)])


def parameters(spec: QuerySpec) -> list[inspect.Parameter]:
    """The endpoint's query parameters: each filter (repeatable), the shaping options, language, format, page."""
    params = [inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request)]
    for f in spec.filters:
        extra = "" if f.kind == "place" else (" ('all' lifts the default)" if f.default is not None else "")
        params.append(_param(f.name, _filter_type(spec, f) | None, None, description=f.help + extra,
                             max_length=MAX_VALUES))
    choices = by_choices(spec)
    if choices:
        params.append(_param("by", list[Literal[choices]] | None, None, max_length=MAX_VALUES,  # type: ignore
                             description="aggregate: keep these dimensions and places (or map places to a "
                                         "classification); the rest is summed and labelled with its filter"))
    params += [
        _param("where", list[Text] | None, None, max_length=10,
               description="keep rows meeting COLUMN OP VALUE, e.g. `emigrants > immigrants`"),
        _param("sort", list[Text] | None, None, max_length=10,
               description="sort by these columns, largest first (`+column`: smallest first)"),
        _param("lang", Lang, Lang.en, description="language of the name columns"),
        _param("format", TableFormat | None, None, description="json (default), csv or parquet; or send Accept"),
        _param("limit", int, 100, ge=1, le=MAX_LIMIT, description="rows per page"),
        _param("offset", int, 0, ge=0, le=100_000_000, description="rows to skip"),
    ]
    return params


def endpoint(spec: QuerySpec) -> Any:
    """The handler of one query: check the ETag, run the query off the event loop, answer one page."""
    names = [f.name for f in spec.filters]

    async def handler(request: Request, **kwargs: Any) -> Response:
        db = database(request)
        fmt = api_http.negotiate(request, kwargs.pop("format"))
        tag = api_http.etag(request, db.etag, fmt)
        cached = api_http.not_modified(request, tag)
        if cached is not None:
            return cached
        limit, offset, lang = kwargs.pop("limit"), kwargs.pop("offset"), kwargs.pop("lang")
        filters = {k: v for k, v in kwargs.items() if k in names and v is not None}
        shaping = {k: kwargs.get(k) for k in ("by", "where", "sort") if kwargs.get(k)}
        answer = await run_in_threadpool(db.answer, spec.name, lang.value, **shaping, **filters)
        return api_http.table(request, answer, fmt=fmt, tag=tag, limit=limit, offset=offset, name=spec.name)

    params = parameters(spec)
    handler.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    handler.__annotations__ = {p.name: p.annotation for p in params} | {"return": Response}
    handler.__name__ = f"query_{spec.name}"
    return handler


def _register() -> None:
    for spec in QUERIES.values():
        if spec.name in HIDDEN:
            continue
        path, tag = path_of(spec.name), PATHS.get(spec.name, ("", "data"))[1]
        router.add_api_route(path, endpoint(spec), methods=["GET"], response_model=Table, tags=[tag],
                             summary=spec.help.split(",")[0], description=spec.help + ".",
                             responses={200: {"content": FILES}, **ERRORS}, operation_id=f"query_{spec.name}")


def _include() -> None:
    """Routes with fixed paths first (``/groups/values``) so ``/groups/{group}`` does not take them."""
    from migdev.web import api_places, api_scenario, api_views

    _register()
    router.include_router(api_scenario.router)
    router.include_router(api_views.router)
    router.include_router(api_places.router)


_include()
