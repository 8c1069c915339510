"""The application factory: one read-only database, the API and page routers, offline static assets.

Errors are mapped by class from :mod:`migdev.errors` (each class carries its HTTP status), so a
:class:`~migdev.errors.QueryError` is a 422 naming the field and the allowed values wherever it is raised, a
:class:`~migdev.errors.NotFoundError` a 404 and a :class:`~migdev.errors.NoDatabaseError` a 503. FastAPI's own
validation errors get the same body (``error``, ``detail``, ``field``, ``allowed``).

The database is opened read-only on first use and checked (one ``stat``) on every request: a file that disappears
is a 503, a file replaced by a rebuild (the build renames a new file into place) is reopened, and its new content
hash changes every ETag.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager
from functools import cached_property
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from migdev import __version__, store
from migdev.api import Observatory
from migdev.errors import MigdevError, NoDatabaseError
from migdev.publish.answer import Answer
from migdev.query import run

STATIC = Path(__file__).with_name("static")
SWAGGER = "/static/vendor/swagger-ui"
#: Answers a worker keeps for paging and repeated requests: at most this many, holding at most this many rows in
#: all (the largest answer, every indicator row, is 0.66 M rows and takes 6 s to make).
ANSWER_CACHE = 32
ANSWER_ROWS = 2_000_000
#: How many (place as asked, language) -> profile bytes a worker keeps (each about 30 kB): every place in six
#: languages fits, and a client asking for endless aliases cannot grow it without bound.
PROFILE_CACHE = 4096
#: How many rendered reports and profile PDFs (report, key, language, format) a worker keeps (a PDF is 0.1-2 MB).
REPORT_CACHE = 64


def _identity(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return st.st_ino, st.st_mtime_ns, st.st_size


class Database:
    """What every request reads: the Observatory (query path), its content hash, and on first use the profiles."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.identity = _identity(path) if path.exists() else (0, 0, 0)
        self.obs = Observatory(path)
        self.etag = self._content_hash()
        self._lock = threading.Lock()
        self._profiles: dict[tuple[str, str], tuple[bytes, str]] = {}
        self._answers: OrderedDict[Hashable, Answer] = OrderedDict()
        self._reports: OrderedDict[tuple[str, ...], bytes] = OrderedDict()
        self._report_lock = threading.Lock()  # one report at a time: WeasyPrint takes seconds and a core

    def _content_hash(self) -> str:
        """The database's content hash: every release file's sha256 with when the build loaded it, and the version
        of migdev serving it (which shapes every response). Computed once: the database is read-only."""
        frame = self.obs.sources()
        h = hashlib.sha256(f"migdev {__version__}\n".encode())
        for row in frame[["source_id", "revision", "sha256", "loaded_at"]].astype(str).itertuples(index=False):
            h.update("\t".join(row).encode() + b"\n")
        return h.hexdigest()[:32]

    @cached_property
    def profiles(self):  # a migdev.reports.ProfileSet, imported late: it reads the whole database (about 7 s)
        from migdev.reports import open_profiles

        return open_profiles(self.path)

    def answer(self, name: str, lang: str, **filters: Any) -> Answer:
        """``query.run(name, ...)`` on this database, kept (least recently used first out) so the pages of one
        answer and repeated requests run the query once; ``filters`` holds the filters and shaping options."""
        key = (name, lang, tuple(sorted((k, _hashable(v)) for k, v in filters.items())))
        with self._lock:
            hit = self._answers.get(key)
            if hit is not None:
                self._answers.move_to_end(key)
                return hit
        answer = run(name, self.obs, lang=lang, **filters)
        with self._lock:
            self._answers[key] = answer
            while len(self._answers) > ANSWER_CACHE or (
                    len(self._answers) > 1 and sum(len(a.frame) for a in self._answers.values()) > ANSWER_ROWS):
                self._answers.popitem(last=False)
        return answer

    def scenario(self, origin: str, gni_growth: float, years: int, level: float, lang: str) -> Answer:
        """:meth:`migdev.api.Observatory.scenario_answer` with the place names in ``lang``, kept like answers."""
        key = ("scenario", lang, origin, gni_growth, years, level)
        with self._lock:
            hit = self._answers.get(key)
        if hit is not None:
            return hit
        answer = self.obs.scenario_answer(origin, gni_growth, years, level=level)
        if lang != "en":
            frame = answer.frame.copy()
            places = self.obs.catalog.places()
            for col in ("origin", "destination"):
                frame[f"{col}_name"] = places.names(frame[col], lang).fillna(frame[f"{col}_name"])
            answer = answer.with_frame(frame)
        with self._lock:
            self._answers[key] = answer
            while len(self._answers) > ANSWER_CACHE:
                self._answers.popitem(last=False)
        return answer

    @cached_property
    def world(self):  # a migdev.reports.world.WorldData: the reports' queries, run once, on the profiles read
        from migdev.reports.world import load

        return load(self.path, self.profiles)

    def report_bytes(self, report: str, lang: str, fmt: str, region: str | None = None) -> bytes:
        """A report (``global``, ``dialogue``, or ``profile`` with ``region`` the profile key) rendered through
        :mod:`migdev.reports` in ``lang`` and ``fmt`` (html, pdf), built on first request and kept as bytes.

        Why lazily and kept: a PDF takes seconds; the database is read-only, so the bytes never go stale."""
        key = (report, lang, fmt, region or "")
        hit = self._reports.get(key)
        if hit is not None:
            return hit
        with self._report_lock:
            hit = self._reports.get(key)
            if hit is None:
                hit = self._render_report(report, lang, fmt, region)
                if len(self._reports) >= REPORT_CACHE:
                    self._reports.popitem(last=False)
                self._reports[key] = hit
        return hit

    def _render_report(self, report: str, lang: str, fmt: str, region: str | None) -> bytes:
        from migdev.reports import bundle

        if report == "profile":
            profiles = self.profiles
            out = profiles.render(profiles.build(str(region), lang), fmt)
        elif report == "dialogue":
            out = bundle.REPORTS[report](self.world, lang, fmt, region=region)
        else:
            out = bundle.REPORTS[report](self.world, lang, fmt)
        return out if isinstance(out, bytes) else out.encode()

    def cached_profile(self, place: str, lang: str) -> tuple[bytes, str] | None:
        """The profile bytes and ETag if this worker has built them (no lock: a dict read is atomic)."""
        return self._profiles.get((place, lang))

    def profile_bytes(self, place: str, lang: str) -> tuple[bytes, str]:
        """The profile JSON of ``place`` in ``lang`` as bytes with its ETag, built once per worker and kept.

        Why bytes: serialising a 30 kB profile costs more than the rest of the request; the cached bytes are
        the response body as they are."""
        import json

        hit = self._profiles.get((place, lang))
        if hit is not None:
            return hit
        with self._lock:
            profiles = self.profiles
            key = profiles.resolve(place)
            hit = self._profiles.get((key, lang))
            if hit is None:
                body = json.dumps(profiles.build(key, lang), ensure_ascii=False, separators=(",", ":")).encode()
                hit = (body, f'"{hashlib.sha256(self.etag.encode() + body).hexdigest()[:32]}"')
            if len(self._profiles) >= PROFILE_CACHE:
                self._profiles.clear()
            self._profiles[(key, lang)] = self._profiles[(place, lang)] = hit
        return hit

    def close(self) -> None:
        self.obs.close()


def _hashable(value: Any) -> Hashable:
    return tuple(_hashable(v) for v in value) if isinstance(value, list | tuple) else value


def create_app(db: Path | str | None = None, *, warm: bool = False) -> FastAPI:
    """The migdev web app over the database at ``db`` (default: the ``db`` setting).

    ``warm``: open the database and read the profiles at start-up (what ``migdev serve`` does, so the first
    visitor does not wait 7 s); otherwise both are opened by the first request that needs them."""
    from migdev.web import api, pages, pages_reports

    path = Path(db) if db is not None else store.default_path()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if warm:
            with contextlib.suppress(MigdevError):  # no database: requests answer 503 saying why
                database_of(app).profiles  # noqa: B018 (read for its side effect: the profiles are loaded)
        yield
        if app.state.database is not None:
            app.state.database.close()

    app = FastAPI(title="migdev", version=__version__, lifespan=lifespan,
                  summary="International migration and development: stocks, flows, indicators, profiles",
                  description="Read-only API over a migdev database. Every list pages (`limit`, `offset`, `total`) "
                              "and answers JSON, CSV or Parquet (`?format=` or `Accept`); every answer cites its "
                              "sources (`sources` and `citation` in JSON, `X-Citation` and `Link` headers). Places "
                              "are ISO3 codes, names in a UN language, aliases or groups (Africa, wb:HIC, WLD).",
                  docs_url=None, redoc_url=None)
    app.state.db_path = path
    app.state.database = None
    app.state.lock = threading.Lock()

    @app.exception_handler(MigdevError)
    async def _migdev_error(request: Request, exc: MigdevError) -> JSONResponse:
        body: dict[str, Any] = {"error": type(exc).__name__, "detail": str(exc)}
        for key in ("field", "allowed"):  # set by refusals that name their parameter (the scenarios' support)
            if getattr(exc, key, None) is not None:
                body[key] = getattr(exc, key)
        return JSONResponse(body, status_code=exc.http_status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(validation_body(exc.errors()), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse | HTMLResponse:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": "HTTPError", "detail": str(exc.detail)}, status_code=exc.status_code,
                                headers=getattr(exc, "headers", None))
        return HTMLResponse(f"<!doctype html><title>{exc.status_code}</title><h1>{exc.status_code}</h1>",
                            status_code=exc.status_code)

    @app.get("/api/docs", include_in_schema=False)
    async def _docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=app.openapi_url or "/openapi.json", title="migdev API",
                                   swagger_js_url=f"{SWAGGER}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{SWAGGER}/swagger-ui.css",
                                   swagger_favicon_url=f"{SWAGGER}/favicon-32x32.png")

    from migdev.web.pages_render import PageNotFound, not_found

    app.add_exception_handler(PageNotFound, not_found)  # an unknown language or place on a page: HTML 404
    app.include_router(api.router)
    app.include_router(pages_reports.router)  # before the pages: /{lang}/country/{code}.pdf is not a country code
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def serve_app() -> FastAPI:
    """The factory ``migdev serve`` hands uvicorn (an import string, so ``--workers`` can start several): the
    database of the ``db`` setting (``$MIGDEV_DB``), warmed at start-up."""
    return create_app(warm=True)


_QUOTED = re.compile(r"'([^']*)'")


def validation_body(errors: Any) -> dict[str, Any]:
    """FastAPI's validation errors as migdev's error body: the first offending field, what was wrong, and the
    allowed values where the schema lists them (enums), then every error."""
    items = []
    for e in errors:
        loc = [str(p) for p in e.get("loc", ()) if p not in ("query", "path", "header", "body")]
        field = ".".join(p for p in loc if not p.isdigit()) or "request"
        expected = (e.get("ctx") or {}).get("expected")
        allowed = _QUOTED.findall(str(expected)) if expected else None
        message = f"{field}: {e.get('msg', 'invalid')}"
        if "input" in e and not isinstance(e["input"], dict | list):
            message += f" (got {str(e['input'])[:80]!r})"
        items.append({"field": field, "message": message, "allowed": allowed or None})
    first = items[0] if items else {"field": "request", "message": "invalid request", "allowed": None}
    detail = first["message"] + (f"; allowed: {', '.join(first['allowed'])}" if first["allowed"] else "")
    return {"error": "ValidationError", "detail": detail, "field": first["field"], "allowed": first["allowed"],
            "errors": items}


def database_of(app: FastAPI) -> Database:
    """The app's open database: opened on first use, reopened when a rebuild replaced the file, and a
    :class:`NoDatabaseError` (503) while there is none."""
    path: Path = app.state.db_path
    current: Database | None = app.state.database
    try:
        identity = _identity(path)
    except OSError:
        raise NoDatabaseError(f"no migdev database at {path} (it is missing or was removed); run `migdev build` "
                              "and restart `migdev serve`, or pass --db") from None
    if current is not None and current.identity == identity:
        return current
    with app.state.lock:
        current = app.state.database
        if current is None or current.identity != identity:
            # the replaced one is not closed: requests in flight may still read it (it goes with its last user)
            current = app.state.database = Database(path)
    return current


def database(request: Request) -> Database:
    """The database of the request's app (see :func:`database_of`)."""
    return database_of(request.app)


__all__ = ["Database", "create_app", "database", "serve_app", "validation_body"]
