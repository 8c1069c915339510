"""The DuckDB store: schema, atomic replacement, stale staging files, read-only access."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from migdev import store


def test_connect_missing_file_says_build_first(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"no migdev database at .*nope\.duckdb: run `migdev build` first"):
        store.connect(tmp_path / "nope.duckdb")


def test_default_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MIGDEV_DB", raising=False)
    assert store.default_path() == Path("migdev.duckdb")
    monkeypatch.setenv("MIGDEV_DB", "/x/y.duckdb")
    assert store.default_path() == Path("/x/y.duckdb")


def test_staging_path_is_beside_the_target(tmp_path: Path) -> None:
    assert store.staging_path(tmp_path / "m.duckdb") == tmp_path / f".m.duckdb.building-{os.getpid()}"


def test_create_insert_commit_read(tmp_path: Path) -> None:
    target, staging = tmp_path / "m.duckdb", store.staging_path(tmp_path / "m.duckdb")
    staging.write_bytes(b"left over")  # create() starts from scratch
    con = store.create(staging)
    one = pd.DataFrame({"indicator": ["A.B"], "title": ["t"], "basis": ["published"]})
    assert store.insert(con, "wdi_indicator", one) == 1
    assert store.insert(con, "wdi_indicator", pd.DataFrame({"indicator": [], "title": []})) == 0
    with pytest.raises(ValueError, match="unknown table 'nope'"):
        store.insert(con, "nope", pd.DataFrame({"a": [1]}))
    with pytest.raises(duckdb.ConstraintException):
        store.insert(con, "wdi_indicator", pd.DataFrame({"indicator": ["A.B"], "title": ["again"]}))
    store.commit(con, staging, target)
    assert target.is_file() and not staging.exists()
    with store.read(target) as ro:
        assert ro.execute("SELECT title FROM wdi_indicator").fetchall() == [("t",)]
        with pytest.raises(duckdb.Error):
            ro.execute("INSERT INTO wdi_indicator VALUES ('C', 'd')")
    tables = {r[0] for r in duckdb.connect(str(target), read_only=True).execute(
        "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'").fetchall()}
    assert tables == set(store.TABLES)


def test_schema_checks_reject_bad_rows(tmp_path: Path) -> None:
    con = store.create(tmp_path / "s.duckdb")
    store.insert(con, "country", pd.DataFrame({"iso3": ["USA"], **{f"name_{x}": ["n"] for x in
                                                                       ("en", "fr", "es", "ru", "zh", "ar")},
                                               "in_ims": [True], "in_wpp": [True], "in_wdi": [True]}))
    row = {"revision": ["2024"], "year": [2024], "sex": ["both"], "origin": ["USA"], "destination": ["USA"],
           "persons": [1]}
    with pytest.raises(duckdb.ConstraintException):
        store.insert(con, "migrant_stock", pd.DataFrame(row))
    with pytest.raises(duckdb.ConstraintException):  # foreign key: origin must be a country
        store.insert(con, "migrant_stock", pd.DataFrame(row | {"sex": ["total"], "origin": ["WLD"]}))
    store.discard(con, tmp_path / "s.duckdb")
    assert not (tmp_path / "s.duckdb").exists()


def test_discard_without_connection(tmp_path: Path) -> None:
    staging = tmp_path / ".x.building-1"
    staging.write_bytes(b"x")
    Path(f"{staging}.wal").write_bytes(b"w")
    store.discard(None, staging)
    assert list(tmp_path.iterdir()) == []


def test_remove_stale_staging(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    target = tmp_path / "m.duckdb"
    stale = [tmp_path / f".m.duckdb.building-{dead.pid}", tmp_path / f".m.duckdb.building-{dead.pid}.wal",
             tmp_path / ".m.duckdb.building-garbage"]
    live = tmp_path / f".m.duckdb.building-{os.getpid()}"
    other = tmp_path / ".other.duckdb.building-1"
    for p in (*stale, live, other):
        p.write_bytes(b"")
    assert sorted(store.remove_stale_staging(target)) == sorted(stale)
    assert sorted(tmp_path.iterdir()) == sorted([live, other])


def test_alive() -> None:
    assert store._alive(os.getpid())
    assert store._alive(1)  # init: alive (PermissionError when not root)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    assert not store._alive(dead.pid)
