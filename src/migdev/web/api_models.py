"""The API's response schemas: what ``/openapi.json`` promises, so a schema check of the answers means something.

Rows are records whose columns depend on the query (``columns`` lists them), so a row is an object of scalars;
everything around the rows (paging, provenance, the query as understood) is fixed here.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from migdev.vocab import LANGUAGES

Scalar = str | int | float | bool | None

Lang = StrEnum("Lang", {code: code for code in LANGUAGES})  # type: ignore[misc]
Lang.__doc__ = "The six official UN languages (names of countries in the answers)."


class TableFormat(StrEnum):
    """The formats a list answers in (``?format=`` or the ``Accept`` header; JSON by default)."""

    json = "json"
    csv = "csv"
    parquet = "parquet"


class Source(BaseModel):
    """A release file the numbers come from (a row of the database's ``source`` table)."""

    source_id: str
    revision: str
    publisher: str
    title: str
    licence: str
    citation: str
    sha256: str
    url: str


class Table(BaseModel):
    """One page of a list: rows with their provenance and the query as the database understood it."""

    query: dict[str, Any] = Field(description="the request as understood: names resolved to codes, defaults chosen")
    sources: list[Source]
    citation: str = Field(description="the text to cite: each distinct citation once, with licence and checksums")
    notes: list[str]
    columns: list[str]
    rows: list[dict[str, Scalar]]
    total: int = Field(ge=0, description="rows of the whole answer (all pages)")
    limit: int = Field(ge=1)
    offset: int = Field(ge=0)
    next: str | None = Field(description="the address of the next page, if any")


class Error(BaseModel):
    """Every error the API answers: the class of the problem and a message naming it and the valid choices."""

    error: str
    detail: str
    field: str | None = None
    allowed: list[str] | None = None
    errors: list[dict[str, Any]] | None = None


class Place(BaseModel):
    code: str
    kind: str
    name: str


class Country(BaseModel):
    """One country or area: codes, names in the six UN languages, groupings and the groups holding it."""

    model_config = ConfigDict(extra="allow")
    iso3: str
    m49: int | None
    name: str
    names: dict[str, str | None]
    groups: list[Place]
    sources: list[Source]


class Group(BaseModel):
    """One group of places (a UN or SDG region, a World Bank region or income group...) and its members."""

    group_id: str
    code: str | None
    name: str
    names: dict[str, str]
    kind: str
    members: list[Place]
    sources: list[Source]


class Profile(BaseModel):
    """A country or group profile as the reports build it (the keys of ``migdev profile KEY --format json``)."""

    model_config = ConfigDict(extra="allow")
    kind: str
    id: str
    lang: str
    name: str
    sources: list[dict[str, Any]]


class Section(BaseModel):
    """One table of a corridor (stocks, flows, remittances...): its rows, provenance and notes."""

    columns: list[str]
    rows: list[dict[str, Scalar]]
    sources: list[Source]
    notes: list[str]


class Corridor(BaseModel):
    """Everything the database knows about one origin -> destination pair."""

    origin: Place
    destination: Place
    lang: str
    sections: dict[str, Section]
    sources: list[Source]
    citation: str


ERRORS: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the ETag given in If-None-Match is current"},
    404: {"model": Error, "description": "Unknown country, group or corridor"},
    422: {"model": Error, "description": "A parameter names something the database does not hold, or is invalid: "
                                         "`field` names it, `allowed` lists the valid values where they are few"},
    503: {"model": Error, "description": "No usable database"},
}

FILES: dict[str, Any] = {
    "text/csv": {"schema": {"type": "string"}},
    "application/vnd.apache.parquet": {"schema": {"type": "string", "format": "binary"}},
}
