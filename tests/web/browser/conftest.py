"""A real uvicorn server on 127.0.0.1 (a free port) over the real database, and headless Chromium driving it.

Why here: the browser tests need the app really served (no TestClient) and a browser that may reach nothing but
loopback. Every request the page makes is recorded; anything not on 127.0.0.1 is aborted and fails the test.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "browser"


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = "Debian's chromium is not installed (/usr/bin/chromium): run scripts/debian-packages"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; in CI the browser tests are required")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


class Watch:
    """What a page did: every request URL, the ones aborted for leaving loopback, console errors."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.errors: list[str] = []

    def check(self) -> None:
        outside = [u for u in self.requests if urlsplit(u).hostname not in ("127.0.0.1",) and
                   not u.startswith(("data:", "about:"))]
        assert not outside, f"requests leaving 127.0.0.1: {outside}"
        assert not self.blocked, f"aborted non-loopback requests: {self.blocked}"
        assert not self.errors, f"console errors: {self.errors}"


@pytest.fixture
def page(browser):
    """A fresh page whose requests are recorded and, off loopback, aborted; ``page.watch.check()`` asserts."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    watch = Watch()

    def route(r):
        host = urlsplit(r.request.url).hostname
        if host == "127.0.0.1" or r.request.url.startswith("data:"):
            r.continue_()
        else:
            watch.blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    pg = context.new_page()
    pg.on("request", lambda req: watch.requests.append(req.url))
    pg.on("console", lambda msg: watch.errors.append(msg.text) if msg.type == "error" else None)
    pg.on("pageerror", lambda exc: watch.errors.append(str(exc)))
    pg.watch = watch
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield pg
    context.close()
