"""Settings, read from the environment once and passed down; nothing else in migdev reads ``os.environ``.

Each setting is declared once in :data:`SETTINGS` with its variable and help text (the README's table and
``tests/test_docs.py`` are checked against it).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("db", "MIGDEV_DB", "the database file the CLI and `migdev.open()` read and `migdev build` writes "
                               "(default ./migdev.duckdb)"),
    Setting("mirror", "MIGDEV_DATA_MIRROR", "a folder holding the official release files at their registered paths; "
                                            "read before the cache and the official download addresses"),
    Setting("cache", "MIGDEV_CACHE", "where downloaded release files are kept (default: the user cache folder)"),
)


@dataclass(frozen=True)
class Settings:
    """Where migdev reads and writes. Frozen: derive a changed copy with :meth:`with_`, never mutate."""

    db: Path = Path("migdev.duckdb")
    mirror: Path | None = None
    cache: Path | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        values: dict[str, Path] = {}
        for s in SETTINGS:
            raw = env.get(s.env)
            if raw:
                values[s.name] = Path(raw).expanduser()
        return cls(**values)

    def with_(self, **changes: object) -> Settings:
        """A copy with some settings changed (``None`` values are ignored, so CLI options can be passed as they are)."""
        return replace(self, **{k: (Path(v) if isinstance(v, str) else v) for k, v in changes.items() if v is not None})

    @property
    def cache_root(self) -> Path:
        if self.cache is not None:
            return self.cache
        import pooch

        return Path(pooch.os_cache("migdev"))
