"""Countries and groups: the lists (paged, JSON/CSV/Parquet) and one country or group by its address.

They read :class:`migdev.api.Observatory` (``countries``, ``groups``) and the places of its catalogue; their
provenance is that of the ``area_groups`` query (the UN annex, WPP locations and WDI country metadata).
"""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from migdev.errors import NotFoundError, QueryError
from migdev.places import Place, Places
from migdev.publish.answer import Answer
from migdev.query import run
from migdev.vocab import LANGUAGES
from migdev.web import api_http
from migdev.web.api import MAX_LIMIT, MAX_TEXT, MAX_VALUES, Text
from migdev.web.api_models import ERRORS, FILES, Country, Group, Lang, Table, TableFormat
from migdev.web.app import Database, database

router = APIRouter(tags=["places"])

Code = Annotated[str, Path(min_length=1, max_length=MAX_TEXT, openapi_examples={"code": {"value": "KEN"}},
                           description="ISO3 code, group id (m49:903, wb:HIC), or a name in a UN language")]
LangQ = Annotated[Lang, Query(description="language of the names")]
FormatQ = Annotated[TableFormat | None, Query(description="json (default), csv or parquet; or send Accept")]
LimitQ = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="rows per page")]
OffsetQ = Annotated[int, Query(ge=0, le=100_000_000, description="rows to skip")]


def provenance(db: Database) -> Answer:
    """The registry files countries and groups come from (the sources of the ``area_groups`` query)."""
    return run("area_groups", db.obs)


def resolve(places: Places, code: str, field: str) -> Place:
    """The place an address names, or a 404 saying what it could be."""
    try:
        return places.resolve(code, field)
    except QueryError as exc:
        raise NotFoundError(str(exc)) from None


def _group_refs(places: Places, ids: list[str], lang: str) -> list[dict[str, str]]:
    return [{"code": g, "kind": str(places.groups.at[g, "kind"]), "name": str(places.groups.at[g, f"name_{lang}"])}
            for g in ids if g in places.groups.index]


@router.get("/countries", response_model=Table, responses={200: {"content": FILES}, **ERRORS},
            summary="Countries and areas with M49 codes, names in six languages and groupings")
def countries(request: Request, iso3: Annotated[list[Text] | None, Query(
        max_length=MAX_VALUES, description="countries or groups (their members); repeatable")] = None,
              lang: LangQ = Lang.en, format: FormatQ = None, limit: LimitQ = 100, offset: OffsetQ = 0) -> Response:
    db = database(request)
    fmt = api_http.negotiate(request, format)
    tag = api_http.etag(request, db.etag, fmt)
    if (cached := api_http.not_modified(request, tag)) is not None:
        return cached
    frame = db.obs.countries(iso3=iso3)
    frame.insert(2, "name", frame[f"name_{lang.value}"])
    base = provenance(db)
    answer = Answer(frame, base.sources, {"query": "countries", "filters": {"iso3": iso3}, "lang": lang.value})
    return api_http.table(request, answer, fmt=fmt, tag=tag, limit=limit, offset=offset, name="countries")


@router.get("/countries/{code}", response_model=Country, responses=ERRORS,
            summary="One country or area: codes, names, groupings and the groups it belongs to")
def country(request: Request, code: Code, lang: LangQ = Lang.en) -> Response:
    db = database(request)
    tag = api_http.etag(request, db.etag, "json")
    if (cached := api_http.not_modified(request, tag)) is not None:
        return cached
    places = db.obs.catalog.places()
    place = resolve(places, code, "country")
    if not place.is_country:
        raise NotFoundError(f"{code!r} is the group {place.code} ({place.name}), not a country: see "
                            f"/api/v1/groups/{place.code}")
    row: dict[str, Any] = db.obs.countries(iso3=place.code).iloc[0].to_dict()
    names = {code_: row.pop(f"name_{code_}") for code_ in LANGUAGES}
    holding = sorted(places.members.loc[places.members["iso3"] == place.code, "group_id"].unique())
    base = provenance(db)
    body = {**{k: (None if pd.isna(v) else v) for k, v in row.items()}, "name": names[lang.value], "names": names,
            "groups": _group_refs(places, holding, lang.value), "sources": [s.as_dict() for s in base.sources]}
    return api_http.document(request, body, tag=tag, answer=base)


@router.get("/groups", response_model=Table, responses={200: {"content": FILES}, **ERRORS},
            summary="Groups of places (UN M49 and SDG regions, World Bank regions and income groups) with members")
async def groups(request: Request, kind: Annotated[list[Text] | None, Query(
        max_length=MAX_VALUES, description="kind of group (Geographic region, SDG region, World Bank income "
                                           "group, ...); repeatable")] = None,
                 member: Annotated[list[Text] | None, Query(
                     max_length=MAX_VALUES, description="only groups holding this place; repeatable")] = None,
                 format: FormatQ = None, limit: LimitQ = 100, offset: OffsetQ = 0) -> Response:
    db = database(request)
    fmt = api_http.negotiate(request, format)
    tag = api_http.etag(request, db.etag, fmt)
    if (cached := api_http.not_modified(request, tag)) is not None:
        return cached
    frame = await run_in_threadpool(db.obs.groups, kind=kind, member=member)
    base = provenance(db)
    answer = Answer(frame, base.sources, {"query": "groups", "filters": {"kind": kind, "member": member}})
    return api_http.table(request, answer, fmt=fmt, tag=tag, limit=limit, offset=offset, name="groups")


@router.get("/groups/{code}", response_model=Group, responses=ERRORS,
            summary="One group and its member countries")
def group(request: Request, code: Code, lang: LangQ = Lang.en) -> Response:
    db = database(request)
    tag = api_http.etag(request, db.etag, "json")
    if (cached := api_http.not_modified(request, tag)) is not None:
        return cached
    places = db.obs.catalog.places()
    place = resolve(places, code, "group")
    if place.is_country:
        raise NotFoundError(f"{code!r} is the country {place.code} ({place.name}), not a group: see "
                            f"/api/v1/countries/{place.code}")
    members = list(place.members) if place.members is not None else list(places.country.index)
    names = places.names(pd.Series(members, dtype=object), lang.value)
    row = places.groups.loc[place.code] if place.code in places.groups.index else None
    base = provenance(db)
    own = {c: str(places.names(pd.Series([place.code]), c).iloc[0]) for c in LANGUAGES}  # WLD's too
    body = {"group_id": place.code, "code": None if row is None else _text(row["code"]), "name": own[lang.value],
            "names": own, "kind": place.kind, "members": [{"code": c, "kind": "country", "name": str(n)}
                                            for c, n in zip(members, names, strict=True)],
            "sources": [s.as_dict() for s in base.sources]}
    return api_http.document(request, body, tag=tag, answer=base)


def _text(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else str(value)
