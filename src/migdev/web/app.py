"""The application factory: one read-only database, the API and page routers, offline static assets.

Errors are mapped by class from :mod:`migdev.errors` (each class carries its HTTP status), so a
:class:`~migdev.errors.QueryError` is a 422 naming the field and the allowed values wherever it is raised.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from migdev import store
from migdev.api import Observatory
from migdev.errors import MigdevError

STATIC = Path(__file__).with_name("static")


class Database:
    """What every request reads: the Observatory (query path) and, on first use, the profile set."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.obs = Observatory(path)

    @cached_property
    def profiles(self):  # a migdev.reports.ProfileSet, imported late: it loads the whole database
        from migdev.reports import open_profiles

        return open_profiles(self.path)

    def close(self) -> None:
        self.obs.close()


def create_app(db: Path | str | None = None) -> FastAPI:
    """The migdev web app over the database at ``db`` (default: the ``db`` setting)."""
    from migdev.web import api, pages

    path = Path(db) if db is not None else store.default_path()
    app = FastAPI(title="migdev", summary="International migration and development: stocks, flows, indicators",
                  docs_url=None, redoc_url=None)
    app.state.db_path = path
    app.state.database = None

    @app.exception_handler(MigdevError)
    async def _migdev_error(request: Request, exc: MigdevError) -> JSONResponse:
        return JSONResponse({"error": type(exc).__name__, "detail": str(exc)}, status_code=exc.http_status)

    from migdev.web.pages_render import PageNotFound, not_found

    app.add_exception_handler(PageNotFound, not_found)  # an unknown language or place on a page: HTML 404
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def database(request: Request) -> Database:
    """The app's open database, opened on the first request (a missing one is a 503 on every request)."""
    app = request.app
    if app.state.database is None:
        app.state.database = Database(app.state.db_path)
    return app.state.database
