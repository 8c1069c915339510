"""``migdev sql`` and ``Observatory.sql`` read the database and nothing else: no writes, no file reads or writes,
no attaching, no settings changed back, and a time limit."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

import migdev
from migdev import cli, store
from migdev.errors import QueryError

runner = CliRunner()


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    secret = tmp_path / "secret.txt"
    secret.write_text("not for you\n")
    return secret


def refused(tmp_path: Path, outside: Path) -> list[str]:
    return [f"SELECT * FROM read_text('{outside}')", f"SELECT * FROM read_csv('{outside}')",
            f"COPY country TO '{tmp_path / 'out.csv'}'", f"EXPORT DATABASE '{tmp_path / 'dump'}'",
            f"ATTACH '{tmp_path / 'other.duckdb'}' AS other", "SET enable_external_access = true",
            "SET lock_configuration = false", "INSTALL httpfs", "DELETE FROM country",
            "CREATE TABLE t AS SELECT 1", f"SELECT * FROM glob('{tmp_path}/*')"]


def test_sql_refuses_files_and_writes(small_db: Path, tmp_path: Path, outside: Path) -> None:
    with migdev.open(small_db) as obs:
        assert obs.sql("SELECT count(*) AS n FROM country WHERE iso3 = ?", ["USA"])["n"].tolist() == [1]
        for statement in refused(tmp_path, outside):
            with pytest.raises(QueryError, match="SQL refused"):
                obs.sql(statement)
        assert obs.sql("SELECT count(*) AS n FROM country")["n"].iloc[0] > 0  # still usable afterwards
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "dump").exists()
    assert not (tmp_path / "other.duckdb").exists()


def test_cli_sql_refuses_with_exit_2(small_db: Path, tmp_path: Path, outside: Path) -> None:
    ok = runner.invoke(cli.app, ["sql", "SELECT iso3 FROM country ORDER BY iso3 LIMIT 1", "--db", str(small_db),
                                 "-f", "csv"], catch_exceptions=False)
    assert ok.exit_code == 0 and ok.stdout.splitlines()[0] == "iso3"
    for statement in (f"SELECT * FROM read_text('{outside}')", f"COPY country TO '{tmp_path / 'x.csv'}'"):
        result = runner.invoke(cli.app, ["sql", statement, "--db", str(small_db)], catch_exceptions=False)
        text = " ".join(result.output.split())
        assert result.exit_code == 2 and text.startswith("error: SQL refused") and "not for you" not in text
        assert "sandboxed" in text
    assert not (tmp_path / "x.csv").exists()


def test_time_limit_stops_a_long_query(small_db: Path) -> None:
    with migdev.open(small_db) as obs:
        with pytest.raises(QueryError, match=r"ran longer than 0.5 s"):
            obs.sql("SELECT count(*) FROM range(10000000000) a, range(1000) b", seconds=0.5)
        assert obs.sql("SELECT 1 AS one")["one"].tolist() == [1]


def test_sandbox_does_not_block_other_readers(small_db: Path) -> None:
    """The sandbox attaches the file in its own in-memory instance, so plain read-only connections coexist."""
    sandbox = store.connect_sandboxed(small_db)
    try:
        with duckdb.connect(str(small_db), read_only=True) as plain:
            assert plain.execute("SELECT count(*) FROM country").fetchone()[0] > 0
        cur = store.sandbox_cursor(sandbox)
        assert cur.execute("SELECT count(*) FROM country").fetchone()[0] > 0
    finally:
        sandbox.close()
