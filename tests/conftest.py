"""Shared fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def mirror() -> Path:
    """Root of the official-data mirror (``$MIGDEV_DATA_MIRROR``).

    Unset: the real-data tests skip locally but fail in CI (``$CI`` set), where the mirror must be present.
    """
    root = os.environ.get("MIGDEV_DATA_MIRROR")
    if not root or not Path(root).is_dir():
        reason = f"MIGDEV_DATA_MIRROR is {'not set' if not root else f'not a directory: {root}'}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; in CI the official-data mirror is required")
        pytest.skip(reason)
    return Path(root)


@pytest.fixture(scope="session")
def real_db(mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real database, built once per test session from the mirror.

    ``MIGDEV_TEST_REAL_DB`` names an already built one to reuse while iterating on readers (never set in CI, where
    the suite builds its own)."""
    from migdev import pipeline

    reuse = os.environ.get("MIGDEV_TEST_REAL_DB")
    if reuse and not os.environ.get("CI"):
        return Path(reuse)
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        db = tmp_path_factory.mktemp("realdb") / "migdev.duckdb"
        pipeline.build(db)
        return db
    # Under pytest-xdist the workers share one build: the first to arrive builds it, the others wait on the lock.
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp().parent / "realdb"
    shared.mkdir(exist_ok=True)
    db = shared / "migdev.duckdb"
    with FileLock(str(shared / "build.lock")):
        if not db.is_file():
            pipeline.build(db)
    return db


@pytest.fixture(scope="session")
def observatory(real_db: Path):
    """``migdev.open()`` on the real database."""
    import migdev

    with migdev.open(real_db) as obs:
        yield obs


# -- generated official files (tests/fixtures/official.py) ------------------------------------------------------
@pytest.fixture
def small_mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A complete small mirror in the official layouts: ``(root, sources)``; MIGDEV_DATA_MIRROR points at it and
    MIGDEV_CACHE at an empty folder, so nothing outside ``tmp_path`` is read."""
    from tests.fixtures.official import make_mirror

    root = tmp_path / "mirror"
    sources = make_mirror(root)
    monkeypatch.setenv("MIGDEV_DATA_MIRROR", str(root))
    monkeypatch.setenv("MIGDEV_CACHE", str(tmp_path / "cache"))
    return root, sources


@pytest.fixture(scope="session")
def small_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database built once per session from the generated mirror (read it, never write it)."""
    from migdev import pipeline
    from tests.fixtures.official import make_mirror

    base = tmp_path_factory.mktemp("smalldb")
    sources = make_mirror(base / "mirror")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MIGDEV_DATA_MIRROR", str(base / "mirror"))
        mp.setenv("MIGDEV_CACHE", str(base / "cache"))
        pipeline.build(base / "migdev.duckdb", sources=sources)
    return base / "migdev.duckdb"


@pytest.fixture(scope="session")
def fixture_places(tmp_path_factory: pytest.TempPathFactory):
    """The country registry of the generated mirror: USA, MEX, IND, FRA, the Channel Islands (CHI, GGY, JEY),
    Kosovo (XKX), the unspecified origin (XXX) and a few aggregates; product fixtures use these codes."""
    from migdev import countries
    from migdev.sources import undesa_ims, wdi, wpp
    from tests.fixtures import official

    base = tmp_path_factory.mktemp("places")
    annex = undesa_ims.parse_locations(official.write_locations(base / "ims_locations.csv"))
    wpp_locations = wpp.parse_locations(official.write_wpp_locations(base / "wpp_locations.csv"))
    economies = wdi.parse_countries(official.write_wdi_countries(base / "wdi_countries.csv"))
    from migdev.sources import documented_codes

    return countries.build(annex, wpp_locations, economies, documented_codes())


@pytest.fixture(scope="session")
def real_places(mirror: Path):
    """The country registry built from the real UN annex, WPP locations and WDI economies (plus the documented
    codes of every product), for real-data tests of a product's ``to_store`` without a whole build."""
    from migdev import countries
    from migdev.sources import documented_codes, undesa_ims, wdi, wpp

    annex = undesa_ims.parse_locations(mirror / "undesa_ims/ims_locations.csv")
    wpp_locations = wpp.parse_locations(mirror / "wpp/wpp2024_locations.csv")
    economies = wdi.parse_countries(mirror / "wdi/wdi_country_metadata.csv")
    return countries.build(annex, wpp_locations, economies, documented_codes())
