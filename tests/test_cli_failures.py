"""The CLI facing what users bring it: files that are not a database, a build that cannot write, Ctrl-C.

Each case must end in one clear line on stderr and a non-zero exit code, never a traceback, and a build that
fails or is interrupted leaves the previous database byte for byte as it was.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from migdev import cli

runner = CliRunner()


def run(*args: str):
    return runner.invoke(cli.app, list(args), catch_exceptions=False)


def one_line_error(output: str) -> str:
    text = " ".join(output.split())
    assert "Traceback" not in output
    assert text.startswith("error:"), output
    return text


def _not_duckdb(p: Path) -> None:
    p.write_text("iso3,year\nMEX,2024\n")


def _empty(p: Path) -> None:
    p.write_bytes(b"")


def _truncated(p: Path, small_db: Path) -> None:
    p.write_bytes(small_db.read_bytes()[:5000])


def _wrong_schema(p: Path) -> None:
    con = duckdb.connect(str(p))
    con.execute("CREATE TABLE t (x INTEGER)")
    con.close()


@pytest.mark.parametrize("case, expected", [
    ("not_duckdb", "is not a readable DuckDB database"),
    ("empty", "is empty (0 bytes)"),
    ("truncated", "is not a readable DuckDB database"),
    ("wrong_schema", "is a DuckDB file but not a migdev database"),
    ("folder", "is a folder, not a migdev database file"),
])
def test_unusable_db_is_one_line(case: str, expected: str, tmp_path: Path, small_db: Path) -> None:
    path = tmp_path / "bad.duckdb"
    if case == "not_duckdb":
        _not_duckdb(path)
    elif case == "empty":
        _empty(path)
    elif case == "truncated":
        _truncated(path, small_db)
    elif case == "wrong_schema":
        _wrong_schema(path)
    else:
        path.mkdir()
    for command in ("stock", "countries", "unmatched"):
        result = run(command, "--db", str(path))
        assert result.exit_code == 1, (case, command, result.output)
        assert expected in one_line_error(result.output)


def test_locked_db_is_one_line(tmp_path: Path, small_db: Path) -> None:
    path = tmp_path / "locked.duckdb"
    path.write_bytes(small_db.read_bytes())
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('ready', flush=True); time.sleep(60)", str(path)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        result = run("countries", "--db", str(path))
        assert result.exit_code == 1
        assert "is locked by another process" in one_line_error(result.output)
    finally:
        holder.kill()
        holder.wait()


def test_build_into_read_only_folder(small_mirror, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if os.geteuid() == 0:
        # root ignores permission bits: a read-only bind is not available either, so use a path under a file
        target = tmp_path / "a_file"
        target.write_text("x")
        db = target / "migdev.duckdb"
    else:  # pragma: no cover - CI and developers run as root
        folder = tmp_path / "ro"
        folder.mkdir(mode=0o500)
        db = folder / "migdev.duckdb"
    _root, sources = small_mirror
    import migdev.sources

    real = migdev.sources.releases()
    monkeypatch.setattr(migdev.sources, "releases", lambda: {**real, **sources})
    result = run("build", "--db", str(db), "--skip", "flows")
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert "build failed, the previous database (if any) is unchanged" in text
    assert "cannot write the database in" in text


def test_build_on_a_full_disk(small_mirror, small_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mnt = tmp_path / "full"
    mnt.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {made.stderr.decode().strip()}")
    try:
        db = mnt / "migdev.duckdb"
        _root, sources = small_mirror
        import migdev.sources

        real = migdev.sources.releases()
        monkeypatch.setattr(migdev.sources, "releases", lambda: {**real, **sources})
        result = run("build", "--db", str(db), "--skip", "flows")
        assert result.exit_code == 1, result.output
        text = " ".join(result.output.split())
        assert "Traceback" not in result.output
        assert "the disk is full" in text
        assert not list(mnt.glob(".migdev.duckdb.building-*"))
    finally:
        subprocess.run(["umount", str(mnt)], check=False)


def test_ctrl_c_says_what_was_kept(small_mirror, small_db: Path, tmp_path: Path) -> None:
    root, _sources = small_mirror
    db = tmp_path / "migdev.duckdb"
    db.write_bytes(small_db.read_bytes())
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    # a build of the real registry against the generated mirror would fail on hashes: run the CLI in a child with
    # the generated registry entries, slowed in its load step so that the interrupt lands mid-build
    script = (
        "import sys, time, dataclasses\n"
        "import migdev.sources as s\n"
        "from tests.fixtures.official import sources_for\n"
        "from pathlib import Path\n"
        "gen = sources_for(Path(sys.argv[1]))\n"
        "real = s.releases()\n"
        "s.releases = lambda: {**real, **gen}\n"
        "from migdev import store\n"
        "orig = store.insert\n"
        "def slow(*a, **k):\n"
        "    print('loading', flush=True); time.sleep(0.5); return orig(*a, **k)\n"
        "store.insert = slow\n"
        "from migdev import cli\n"
        "sys.argv = ['migdev', 'build', '--db', sys.argv[2]]\n"
        "cli.main()\n"
    )
    env = {**os.environ, "MIGDEV_DATA_MIRROR": str(root)}
    child = subprocess.Popen([sys.executable, "-c", script, str(root), str(db)], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, env=env, cwd=Path(__file__).parents[1])
    line = ""
    deadline = time.monotonic() + 60
    while "loading" not in line and time.monotonic() < deadline:
        line = child.stdout.readline()
    child.send_signal(signal.SIGINT)
    output = child.communicate(timeout=60)[0]
    assert child.returncode == 130, output
    text = " ".join(output.split())
    assert "Traceback" not in output
    assert "interrupted: the build was stopped and its partial file removed" in text
    assert f"the previous database at {db} is unchanged" in text
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert not list(tmp_path.glob(".migdev.duckdb.building-*"))
