"""No database, a broken one, one that disappears while served: 503 with a clear message, never a traceback; and
``migdev serve`` refuses to start on them with one line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from migdev.cli import app as cli
from migdev.web import create_app


@pytest.mark.parametrize("content", [None, b"not a database at all"])
def test_no_database_is_503_naming_it(tmp_path: Path, content: bytes | None) -> None:
    db = tmp_path / "migdev.duckdb"
    if content is not None:
        db.write_bytes(content)
    with TestClient(create_app(db)) as client:
        for path in ("/api/v1/stocks", "/api/v1/profiles/KEN", "/api/v1/countries", "/api/v1/corridors/MEX/USA"):
            r = client.get(path)
            assert r.status_code == 503, (path, r.text)
            assert r.json()["error"] == "NoDatabaseError" and str(db) in r.json()["detail"]
        assert client.get("/openapi.json").status_code == 200  # the description does not need the data


def test_database_that_disappears_is_503_and_a_rebuilt_one_is_served(small_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "served.duckdb"
    shutil.copy(small_db, db)
    with TestClient(create_app(db)) as client:
        first = client.get("/api/v1/sources")
        assert first.status_code == 200
        db.unlink()
        gone = client.get("/api/v1/sources")
        assert gone.status_code == 503 and "missing or was removed" in gone.json()["detail"]
        shutil.copy(small_db, db)  # a rebuild renames a new file into place
        assert client.get("/api/v1/sources").status_code == 200


def test_serve_refuses_a_missing_database(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1
    assert "no migdev database" in result.output and "migdev build" in result.output
