"""migdev: an open, reproducible observatory for international migration and development.

The Python API starts at :func:`migdev.open`, which returns a read-only view of a built database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from migdev.api import Observatory

__all__ = ["__version__", "open"]


def open(db: str | None = None) -> Observatory:
    """Open a built migdev database (default ``$MIGDEV_DB`` or ``./migdev.duckdb``) for reading."""
    from migdev.api import Observatory

    return Observatory(db)


def __getattr__(name: str) -> Any:
    # keep ``import migdev`` light: subpackages load on first use
    if name in {"flows", "sources", "store", "countries"}:
        import importlib

        return importlib.import_module(f"migdev.{name}")
    raise AttributeError(f"module 'migdev' has no attribute {name!r}")
