"""A real uvicorn server on 127.0.0.1 (a free port) over the real database, for the page tests (HTTP and browser).

Until the API branch's server fixture lands in tests/web/conftest.py, the page tests start their own: the app served
by uvicorn in a thread, waited for, and warmed up (the profiles and the home map are read once).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from migdev.web.app import create_app


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def page_server(real_db: Path) -> Iterator[str]:
    """The base URL of the app served by uvicorn in a thread, warmed up (profiles and the map loaded once)."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(real_db), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/en/", timeout=60).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    else:  # pragma: no cover
        raise RuntimeError("the page server did not answer within 60 s")
    yield base
    server.should_exit = True
    thread.join(timeout=10)


