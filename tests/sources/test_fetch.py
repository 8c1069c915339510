"""The registry of releases: mirror, cache and download, every path hash-verified."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from migdev.config import Settings
from migdev.errors import FetchError, HashMismatchError
from migdev.sources import fetch, get, releases
from migdev.sources.spec import Source

REGISTRY = releases()

CONTENT = b"revision,year\n2024,2024\n"
CONTENT_SHA = hashlib.sha256(CONTENT).hexdigest()


# -------------------------------------------------------------------------------------------------------- mirror
def test_fetch_from_mirror_is_verified(small_mirror) -> None:
    root, sources = small_mirror
    path = fetch.fetch(sources["ims2024_bilateral"])
    assert path == root / "undesa_ims" / "ims2024_bilateral_stock.csv"
    assert fetch.sha256(path) == sources["ims2024_bilateral"].sha256


def test_fetch_by_id_uses_the_registered_hash(small_mirror) -> None:
    # the generated file is not the real release: fetching by id checks it against the real hash and refuses it
    root, _ = small_mirror
    with pytest.raises(HashMismatchError) as err:
        fetch.fetch("wdi_indicators")
    assert err.value.expected == REGISTRY["wdi_indicators"].sha256
    assert err.value.path == root / "wdi" / "wdi_indicators.csv"


def test_mirror_file_with_wrong_content_is_refused(small_mirror) -> None:
    root, sources = small_mirror
    src = sources["wpp2024_annual"]
    path = root / src.path
    path.write_bytes(path.read_bytes().replace(b"2024", b"2025", 1))
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(HashMismatchError) as err:
        fetch.fetch(src)
    message = str(err.value)
    assert "wpp2024_annual.csv" in message
    assert src.sha256 in message
    assert actual in message
    assert (err.value.expected, err.value.actual) == (src.sha256, actual)


def test_unknown_id_lists_known_ids() -> None:
    with pytest.raises(KeyError) as err:
        fetch.fetch("ims2099_bilateral")
    message = str(err.value)
    assert "ims2099_bilateral" in message
    assert "ims2024_bilateral" in message and "wdi_long" in message


def test_no_mirror_and_no_download_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MIGDEV_DATA_MIRROR", raising=False)
    monkeypatch.setenv("MIGDEV_CACHE", str(tmp_path))
    with pytest.raises(FetchError, match=r"wdi_long\.csv \(wdi_long\).*MIGDEV_DATA_MIRROR is not set"):
        fetch.fetch("wdi_long")
    monkeypatch.setenv("MIGDEV_DATA_MIRROR", str(tmp_path / "empty"))
    with pytest.raises(FetchError, match="not in the mirror"):
        fetch.fetch("wdi_long")


def test_cache_copy_is_used_and_verified(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MIGDEV_DATA_MIRROR", raising=False)
    monkeypatch.setenv("MIGDEV_CACHE", str(tmp_path))
    src = dataclasses.replace(REGISTRY["wdi_indicators"], sha256=CONTENT_SHA)
    (tmp_path / "wdi").mkdir()
    (tmp_path / src.path).write_bytes(CONTENT)
    assert fetch.locate(src) == tmp_path / src.path
    assert fetch.fetch(src) == tmp_path / src.path


def test_cache_root_defaults_to_the_user_cache() -> None:
    assert Settings.from_env({}).cache_root.name == "migdev"
    assert Settings.from_env({"MIGDEV_CACHE": "~/somewhere"}).cache_root == Path("~/somewhere").expanduser()


def test_mirror_root() -> None:
    assert Settings.from_env({}).mirror is None
    assert Settings.from_env({"MIGDEV_DATA_MIRROR": "/data/mirror"}).mirror == Path("/data/mirror")


# ------------------------------------------------------------------------------------------------------ download
class _Handler(BaseHTTPRequestHandler):
    requests: Counter[str]
    delay: float = 2.0

    def do_GET(self) -> None:
        type(self).requests[self.path] += 1
        if self.path == "/slow":
            time.sleep(self.delay)
        if self.path in ("/ok", "/slow"):
            body = CONTENT
        elif self.path == "/bad":
            body = b"not the release\n"
        else:
            self.send_error(404, "Not Found")
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, Counter[str]]]:
    """A small HTTP server on 127.0.0.1 (ephemeral port) in a thread; yields its base URL and request counts."""
    handler = type("Handler", (_Handler,), {"requests": Counter()})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", handler.requests
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("MIGDEV_DATA_MIRROR", raising=False)
    monkeypatch.setenv("MIGDEV_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _remote(url: str) -> Source:
    return dataclasses.replace(REGISTRY["ims2020_workbook"], path="undesa_ims/original/test_release.csv",
                               sha256=CONTENT_SHA, download_url=url)


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_download_lands_in_cache_then_cache_is_used(server, cache: Path) -> None:
    base, requests = server
    src = _remote(f"{base}/ok")
    path = fetch.fetch(src, timeout=5)
    assert path == cache / src.path
    assert path.read_bytes() == CONTENT
    assert requests["/ok"] == 1
    assert fetch.fetch(src, timeout=5) == path
    assert requests["/ok"] == 1  # second fetch: from the cache, no request


def test_download_with_wrong_hash_keeps_nothing(server, cache: Path) -> None:
    base, _ = server
    src = _remote(f"{base}/bad")
    with pytest.raises(HashMismatchError) as err:
        fetch.fetch(src, timeout=5)
    assert err.value.expected == CONTENT_SHA
    assert err.value.actual == hashlib.sha256(b"not the release\n").hexdigest()
    assert f"{base}/bad" in str(err.value)
    assert _files(cache) == []


def test_download_404(server, cache: Path) -> None:
    base, _ = server
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch.fetch(_remote(f"{base}/missing"), timeout=5)
    assert _files(cache) == []


def test_download_timeout(server, cache: Path) -> None:
    base, _ = server
    started = time.perf_counter()
    with pytest.raises(FetchError, match=r"timed out after 0\.3 s"):
        fetch.fetch(_remote(f"{base}/slow"), timeout=0.3)
    assert time.perf_counter() - started < 1.9
    assert _files(cache) == []


def test_download_connection_refused(cache: Path) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(FetchError, match="failed"):
        fetch.fetch(_remote(f"http://127.0.0.1:{port}/ok"), timeout=2)


# -------------------------------------------------------------------------------------------------- the entries
@pytest.mark.parametrize("source", list(REGISTRY.values()), ids=list(REGISTRY))
def test_every_entry_is_complete(source: Source) -> None:
    assert re.fullmatch(r"[0-9a-f]{64}", source.sha256)
    assert source.url.startswith("https://")
    assert source.download_url is None or source.download_url.startswith("https://")
    assert source.licence  # each release states its licence (CC BY for the UN and World Bank files)
    assert source.citation and source.publisher and source.title and source.revision
    assert source.file_name == Path(source.path).name
    assert get(source.id) == source


def test_ids_and_paths_are_unique() -> None:
    assert len({s.path for s in REGISTRY.values()}) == len(REGISTRY)
    assert all(key == s.id for key, s in REGISTRY.items())


@pytest.mark.realdata
def test_every_entry_is_in_the_mirror_and_verifies(mirror: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIGDEV_DATA_MIRROR", str(mirror))
    for source in REGISTRY.values():
        assert (mirror / source.path).is_file(), source.path
        assert fetch.fetch(source) == mirror / source.path
