"""Fixtures of the web tests: a real uvicorn server on 127.0.0.1 (a random free port) over a real database.

:func:`serve` is the generic part (any database, any test: the browser tests use it too); ``server`` is the
session's server over the real database, ``client`` an httpx client bound to it.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest


@contextlib.contextmanager
def serve(db: Path, *, warm: bool = True) -> Iterator[str]:
    """Run the migdev app with uvicorn in a thread on a free loopback port; yields its base URL, stops it after.

    The socket is bound here (port 0: the kernel picks a free port) and handed to uvicorn, so no other process can
    take the port between choosing and listening."""
    import uvicorn

    from migdev.web import create_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(db, warm=warm), log_level="warning", access_log=False, lifespan="on",
                            http="httptools", loop="asyncio")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"uvicorn:{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"uvicorn did not start on 127.0.0.1:{port}")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


@pytest.fixture(scope="session")
def server(real_db: Path) -> Iterator[str]:
    """Base URL of a uvicorn server over the real database (profiles read at start-up, as ``migdev serve``)."""
    with serve(real_db) as url:
        yield url


@pytest.fixture(scope="session")
def client(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=60) as c:
        yield c


@pytest.fixture(scope="session")
def page_server(server: str) -> str:
    """The session's server with its home page asked once (the map's data read), for the page and browser tests:
    their timings then measure a page load, not the first read of the database."""
    with httpx.Client(base_url=server, timeout=120) as c:
        assert c.get("/en/").status_code == 200
    return server
