"""The web face of migdev: a FastAPI app serving the API (``/api/v1``) and the dashboard pages.

Both read the database through :func:`migdev.query.run` (via :class:`migdev.api.Observatory`) and the profiles of
:mod:`migdev.reports`; no user-supplied SQL reaches DuckDB. :func:`create_app` is the one entry point.
"""

from migdev.web.app import create_app

__all__ = ["create_app"]
