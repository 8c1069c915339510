"""``migdev serve``: the dashboard and the API over a built database (:mod:`migdev.web`)."""

from __future__ import annotations

from typing import Annotated

import typer

from migdev.cli_query import DbOption, console
from migdev.cli_query import fail as _fail


def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on (127.0.0.1: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Server processes (each holds its own read-only "
                                                            "connection and profile cache).")] = 1,
) -> None:
    """Serve the dashboard and the API (/api/v1, docs at /api/docs) over the database, read-only, with uvicorn."""
    import os

    import uvicorn

    from migdev import store
    from migdev.config import Settings
    from migdev.errors import MigdevError

    path = Settings.from_env().with_(db=db).db.resolve()
    try:
        store.connect(path).close()  # a missing or broken database is one clear line now, not 503s later
    except MigdevError as exc:
        _fail(str(exc), exc.exit_code)
    os.environ["MIGDEV_DB"] = str(path)  # the workers' create_app reads the db setting from their environment
    shown = f"[{host}]" if ":" in host else host
    console.print(f"migdev: serving {path.name} at http://{shown}:{port}/ (API http://{shown}:{port}/api/v1, docs "
                  f"http://{shown}:{port}/api/docs); Ctrl+C stops", highlight=False, soft_wrap=True)
    uvicorn.run("migdev.web.app:serve_app", factory=True, host=host, port=port, workers=workers, http="httptools",
                loop="uvloop", log_level="warning", access_log=False)


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the app."""
    app.command()(serve)
