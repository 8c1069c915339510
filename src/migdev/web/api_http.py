"""HTTP around an :class:`~migdev.publish.answer.Answer`: format negotiation, paging, ETags, citation headers.

One function, :func:`table`, turns an Answer into the response of every list endpoint, so each format, page and
header is made in one place. Rendering goes through :data:`migdev.publish.formats.FORMATS` (the CLI's path).

ETags: the database is read-only, so a response is fixed by the database content hash, the address (path and
query) and the negotiated format. :func:`etag` computes it before any query runs, and :func:`not_modified`
answers ``If-None-Match`` with a 304 without touching DuckDB.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from migdev.publish.answer import Answer
from migdev.publish.formats import FORMATS
from migdev.web.api_models import TableFormat

#: Browsers and proxies may keep an answer ten minutes; after that they revalidate with the ETag (cheap: 304).
CACHE_CONTROL = "public, max-age=600"
_ACCEPT = {"text/csv": "csv", "application/vnd.apache.parquet": "parquet", "application/parquet": "parquet",
           "application/x-parquet": "parquet", "application/json": "json"}


def negotiate(request: Request, fmt: TableFormat | None) -> str:
    """``?format=`` if given, else the first type of ``Accept`` the API serves, else JSON."""
    if fmt is not None:
        return fmt.value
    for part in request.headers.get("accept", "").split(","):
        name = part.split(";")[0].strip().lower()
        if name in _ACCEPT:
            return _ACCEPT[name]
    return "json"


def etag(request: Request, content_hash: str, fmt: str) -> str:
    """The response's strong ETag: database content hash x path x sorted query x format."""
    query = sorted(request.query_params.multi_items())
    key = json.dumps([content_hash, request.url.path, query, fmt], ensure_ascii=True)
    return f'"{hashlib.blake2b(key.encode(), digest_size=16).hexdigest()}"'


def not_modified(request: Request, tag: str) -> Response | None:
    """A 304 if ``If-None-Match`` holds ``tag`` (or ``*``; weak forms compare equal), else None."""
    given = request.headers.get("if-none-match")
    if not given:
        return None
    tags = {t.strip().removeprefix("W/") for t in given.split(",")}
    if tag in tags or "*" in tags:
        return Response(status_code=304, headers={"ETag": tag, "Cache-Control": CACHE_CONTROL})
    return None


def ascii_header(text: str, limit: int = 2000) -> str:
    """Text fit for an HTTP header: accents folded (Département -> Departement), other non-ASCII as ``?``,
    lines joined with `` | ``, cut at ``limit`` characters."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    flat = " | ".join(line.strip() for line in folded.splitlines() if line.strip())
    return flat[:limit]


def cited(headers: dict[str, str], answer: Answer) -> dict[str, str]:
    """Headers carrying the citation: ``X-Citation`` (ASCII) and a ``Link`` to the sources endpoint."""
    headers["X-Citation"] = ascii_header(answer.citation()) or "migdev (no release file read)"
    ids = sorted({r.source_id for r in answer.sources})
    if ids:
        headers["Link"] = '</api/v1/sources>; rel="describedby"; title="' + ascii_header(
            "sources: " + ", ".join(ids), 500).replace('"', "'") + '"'
    return headers


def _page_url(request: Request, offset: int) -> str:
    return str(request.url.include_query_params(offset=offset))


def table(request: Request, answer: Answer, *, fmt: str, tag: str, limit: int, offset: int,
          name: str) -> Response:
    """One page of ``answer`` as ``fmt`` (json, csv, parquet), with paging, ETag, cache and citation headers."""
    total = len(answer.frame)
    page = answer.with_frame(answer.frame.iloc[offset:offset + limit].reset_index(drop=True))
    following = _page_url(request, offset + limit) if offset + limit < total else None
    headers = {"ETag": tag, "Cache-Control": CACHE_CONTROL, "X-Total-Count": str(total), "Vary": "Accept"}
    links = [f'<{following}>; rel="next"'] if following else []
    if offset > 0:
        links.append(f'<{_page_url(request, max(0, offset - limit))}>; rel="prev"')
    cited(headers, answer)
    if links:
        headers["Link"] = ", ".join([*links, headers["Link"]] if "Link" in headers else links)
    out = FORMATS[fmt]
    if fmt != "json":
        headers["Content-Disposition"] = f'attachment; filename="{name}.{out.extension}"'
        return Response(out.render(page), media_type=out.media_type, headers=headers)
    return Response(_json_page(page, answer, total=total, limit=limit, offset=offset, following=following),
                    media_type="application/json", headers=headers)


def _json_page(page: Answer, answer: Answer, **paging: Any) -> bytes:
    """The JSON format's object (query, sources, notes, columns, rows) plus citation and paging.

    Why not ``FORMATS["json"].render`` and a re-parse: for 100,000 rows, parsing and re-serialising the rows
    takes five times as long as writing them; here pandas writes the rows once and they are spliced in."""
    head = json.loads(FORMATS["json"].render(page.with_frame(page.frame.iloc[:0])))
    del head["rows"]
    head.update(citation=answer.citation(), total=paging["total"], limit=paging["limit"],
                offset=paging["offset"], next=paging["following"])
    rows = page.frame.to_json(orient="records", force_ascii=False, date_format="iso", double_precision=15)
    return (json.dumps(head, ensure_ascii=False)[:-1] + ', "rows": ' + rows + "}").encode()


def document(request: Request, body: Any, *, tag: str, answer: Answer | None = None) -> Response:
    """A single JSON object (a country, a group, a corridor) with ETag, cache and citation headers."""
    headers = {"ETag": tag, "Cache-Control": CACHE_CONTROL}
    if answer is not None:
        cited(headers, answer)
    return Response(json.dumps(body, ensure_ascii=False, default=_scalar).encode(), media_type="application/json",
                    headers=headers)


def _scalar(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
