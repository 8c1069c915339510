"""Fetching release files: the mirror first, then the user cache, then the official address (pooch).

``fetch(source)`` returns a local, verified path: ``$MIGDEV_DATA_MIRROR/<path>`` if present, else the cache copy,
else a download into the cache. Every path it returns has the registered sha256; a file that does not is refused
with a message naming the file, the expected and the actual hash (a bad download is deleted, never kept).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from migdev.config import Settings
from migdev.errors import FetchError, HashMismatchError
from migdev.sources.spec import Source


def sha256(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(source: Source, path: Path) -> Path:
    """Return ``path`` if its sha256 is the registered one, else raise :class:`HashMismatchError`."""
    actual = sha256(path)
    if actual != source.sha256:
        raise HashMismatchError(path, source.sha256, actual)
    return path


def locate(source: Source, settings: Settings | None = None) -> Path | None:
    """The mirror or cache copy of a source if one exists (unverified), without downloading."""
    settings = settings or Settings.from_env()
    if settings.mirror is not None and (settings.mirror / source.path).is_file():
        return settings.mirror / source.path
    cached = settings.cache_root / source.path
    return cached if cached.is_file() else None


def where_to_get(source: Source) -> str:
    """How a user without the file obtains it: its download address, or the official file it renders and how."""
    if source.download_url:
        return f"download {source.download_url} (official page {source.url})"
    rendering = f"; it renders {source.derived_from}" if source.derived_from else ""
    return (f"no direct download: it is a tidy rendering of {source.title} ({source.url}){rendering}; put it in a "
            f"mirror folder at {source.path} (see the README, 'Assembling a mirror')")


def fetch(source: Source | str, settings: Settings | None = None, *, timeout: float = 60.0) -> Path:
    """A verified local path for a source: mirror, else cache, else download (pooch), hash checked every time."""
    if isinstance(source, str):
        from migdev.sources import get

        source = get(source)
    settings = settings or Settings.from_env()
    local = locate(source, settings)
    if local is not None:
        return verify(source, local)
    if source.download_url is None:
        where = settings.mirror
        raise FetchError(
            f"{source.file_name} ({source.id}) is not in the mirror "
            f"({where / source.path if where else 'MIGDEV_DATA_MIRROR is not set'}) nor in the cache; "
            f"{where_to_get(source)}"
        )
    return _download(source, settings, timeout=timeout)


def _download(source: Source, settings: Settings, *, timeout: float) -> Path:
    """Download with pooch into the cache, then verify with our own check (and delete the file on a mismatch)."""
    import pooch
    import requests

    target = settings.cache_root / source.path
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        fname = pooch.retrieve(
            source.download_url,
            known_hash=None,
            fname=target.name,
            path=target.parent,
            downloader=pooch.HTTPDownloader(timeout=timeout, progressbar=False),
        )
    except requests.exceptions.Timeout as exc:
        raise FetchError(
            f"{source.file_name}: download from {source.download_url} timed out after {timeout} s"
        ) from exc
    except requests.exceptions.HTTPError as exc:
        status = exc.response.status_code if exc.response is not None else "?"
        raise FetchError(f"{source.file_name}: download from {source.download_url} failed with HTTP {status}") from exc
    except requests.exceptions.RequestException as exc:
        raise FetchError(f"{source.file_name}: download from {source.download_url} failed: {exc}") from exc
    path = Path(fname)
    try:
        return verify(source, path)
    except HashMismatchError as exc:
        path.unlink(missing_ok=True)
        raise HashMismatchError(source.download_url or source.path, exc.expected, exc.actual) from None
