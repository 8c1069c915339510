"""The DuckDB database: its schema, atomic replacement of the file, and typed read queries.

A build writes a complete new file beside the old one and renames it into place only when every step
succeeded (``os.replace`` is atomic on one file system), so a failed or killed build never leaves a
half-written database where users read.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from migdev.config import Settings
from migdev.errors import NoDatabaseError

SCHEMA_DIR = Path(__file__).with_name("schema")
#: Schema files read before the products' own (``schema/<product>.sql``, in ``PRODUCTS`` order); after them come
#: the estimates' (``flows.sql``, then every ``flows_*.sql`` in name order), then ``indicators.sql``, then the
#: models' (every ``models_*.sql`` in name order).
_FIRST = ("core",)


def schema_files() -> list[Path]:
    """The schema files in load order: core, each product's in ``PRODUCTS`` order, then the estimates'.

    A product without a schema file, or a schema file of no product, is an error: one list says what exists."""
    from migdev.sources import PRODUCTS

    estimates = ["flows", *sorted(f.stem for f in SCHEMA_DIR.glob("flows_*.sql")), "indicators",
                 *sorted(f.stem for f in SCHEMA_DIR.glob("models_*.sql"))]
    names = [*_FIRST, *(p.RELEASES.name for p in PRODUCTS), *estimates]
    files = [SCHEMA_DIR / f"{name}.sql" for name in names]
    missing = [f.name for f in files if not f.is_file()]
    if missing:
        raise RuntimeError(f"schema file(s) missing: {', '.join(missing)} in {SCHEMA_DIR}")
    stray = sorted({f.stem for f in SCHEMA_DIR.glob("*.sql")} - set(names))
    if stray:
        raise RuntimeError(f"schema files of no product: {', '.join(stray)} (add the product to PRODUCTS)")
    return files


@functools.cache
def schema() -> str:
    """The whole schema, as one SQL script."""
    return "\n".join(f.read_text(encoding="utf-8") for f in schema_files())


@functools.cache
def tables() -> tuple[str, ...]:
    """Every table, in load order (referenced tables first), derived from the schema files."""
    return tuple(re.findall(r"^CREATE TABLE (\w+)", schema(), flags=re.MULTILINE))


def __getattr__(name: str) -> object:
    # TABLES and SCHEMA are derived from the schema files on first use (the product list must be importable)
    if name == "TABLES":
        return tables()
    if name == "SCHEMA":
        return schema()
    raise AttributeError(name)


def default_path() -> Path:
    """``$MIGDEV_DB`` or ``./migdev.duckdb`` (the ``db`` setting)."""
    return Settings.from_env().db


def staging_path(target: Path) -> Path:
    """The file a build writes before it is renamed over ``target`` (same folder, so the rename is atomic)."""
    return target.with_name(f".{target.name}.building-{os.getpid()}")


def remove_stale_staging(target: Path) -> list[Path]:
    """Delete staging files of builds that died (their process is gone); return what was removed."""
    removed = []
    for path in target.parent.glob(f".{target.name}.building-*"):
        pid_text = path.name.rsplit("-", 1)[-1].removesuffix(".wal")
        if pid_text.isdigit() and _alive(int(pid_text)):
            continue
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def create(path: Path) -> duckdb.DuckDBPyConnection:
    """A fresh database file with the full schema."""
    path.unlink(missing_ok=True)
    Path(f"{path}.wal").unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    con.execute(schema())
    return con


def insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame | pa.Table) -> int:
    """Append a frame (pandas or Arrow) to a table by column name; the schema's types, keys and checks reject
    bad rows."""
    if table not in tables():
        raise ValueError(f"unknown table {table!r}")
    if len(frame) == 0:
        return 0
    names = frame.column_names if isinstance(frame, pa.Table) else frame.columns
    cols = ", ".join(f'"{c}"' for c in names)
    con.register("_frame", frame)
    try:
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _frame")
    finally:
        con.unregister("_frame")
    return len(frame)


def commit(con: duckdb.DuckDBPyConnection, staging: Path, target: Path) -> None:
    """Checkpoint, close and atomically move the staging file over the target."""
    con.execute("CHECKPOINT")
    con.close()
    fd = os.open(staging, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(staging, target)
    Path(f"{staging}.wal").unlink(missing_ok=True)


def discard(con: duckdb.DuckDBPyConnection | None, staging: Path) -> None:
    """Throw away a failed build's staging file; the target is untouched."""
    if con is not None:
        with contextlib.suppress(duckdb.Error):
            con.close()
    staging.unlink(missing_ok=True)
    Path(f"{staging}.wal").unlink(missing_ok=True)


@contextlib.contextmanager
def read(path: Path | str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to a built database."""
    con = connect(path)
    try:
        yield con
    finally:
        con.close()


#: Tables whose absence means a file is not a migdev database (the rest are checked by the build).
_REQUIRED = ("source", "country", "build_log")


#: The settings of a sandboxed connection: no file or network access beyond the attached database (no
#: ``read_text('/etc/passwd')``, ``COPY ... TO``, ``EXPORT DATABASE``, ``ATTACH``, extensions), locked so a query
#: cannot ``SET`` them back.
SANDBOX = (("enable_external_access", "false"), ("lock_configuration", "true"))
SANDBOX_CATALOG = "migdev"


def connect_sandboxed(path: Path | str | None = None) -> duckdb.DuckDBPyConnection:
    """The database read-only in a sandbox: what user SQL (``migdev sql``, ``Observatory.sql``) runs on.

    An in-memory DuckDB attaches the file ``READ_ONLY`` as catalog ``migdev``, then turns external access off and
    locks its configuration (:data:`SANDBOX`). Why not ``duckdb.connect(path, config=...)``: DuckDB keeps one
    instance per file and process and refuses a second connection with another configuration, so a sandbox opened
    that way would break every other reader of the file in the process. Take cursors with :func:`sandbox_cursor`
    (a new cursor starts in the in-memory catalog) and bound a query's time with :func:`time_limit`.
    """
    path = Path(path) if path is not None else default_path()
    connect(path).close()  # the checks that it is a readable migdev database, each one line
    con = duckdb.connect(":memory:")
    try:
        escaped = str(path.resolve()).replace("'", "''")
        con.execute(f"ATTACH '{escaped}' AS {SANDBOX_CATALOG} (READ_ONLY)")
        for name, value in SANDBOX:
            con.execute(f"SET {name} = {value}")
    except duckdb.Error as exc:
        con.close()
        raise NoDatabaseError(f"{path} cannot be opened read-only in a sandbox: {str(exc).splitlines()[0]}") from None
    return con


def sandbox_cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor of a sandboxed connection, reading the attached database by default."""
    cur = con.cursor()
    cur.execute(f"USE {SANDBOX_CATALOG}")
    return cur


@contextlib.contextmanager
def time_limit(con: duckdb.DuckDBPyConnection, seconds: float | None) -> Iterator[None]:
    """Interrupt what ``con`` runs once ``seconds`` have passed (a timer calls ``con.interrupt()``); the query then
    raises ``duckdb.InterruptException``. ``None``: no limit."""
    if seconds is None:
        yield
        return
    import threading

    timer = threading.Timer(seconds, con.interrupt)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def connect(path: Path | str | None = None) -> duckdb.DuckDBPyConnection:
    """Open a built database read-only; anything that is not one is a :class:`NoDatabaseError` saying what it is
    (missing, empty, not DuckDB or truncated, locked by a writer, another schema), never a DuckDB traceback."""
    path = Path(path) if path is not None else default_path()
    hint = "run `migdev build` first (or pass --db / set MIGDEV_DB)"
    if path.is_dir():
        raise NoDatabaseError(f"{path} is a folder, not a migdev database file; {hint}")
    if not path.is_file():
        raise NoDatabaseError(f"no migdev database at {path}: {hint}")
    if path.stat().st_size == 0:
        raise NoDatabaseError(f"{path} is empty (0 bytes), not a migdev database: {hint}")
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        text = str(exc)
        if "lock" in text.lower():
            raise NoDatabaseError(f"{path} is locked by another process (a build or program writing it); "
                                  "try again when it has finished") from None
        first = text.splitlines()[0] if text else type(exc).__name__
        raise NoDatabaseError(f"{path} is not a readable DuckDB database (not DuckDB, truncated or corrupt: "
                              f"{first}); {hint}") from None
    try:
        present = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    except duckdb.Error as exc:
        con.close()
        raise NoDatabaseError(f"{path} cannot be read as a migdev database ({exc}); {hint}") from None
    missing = [t for t in _REQUIRED if t not in present]
    if missing:
        con.close()
        raise NoDatabaseError(f"{path} is a DuckDB file but not a migdev database (no table "
                              f"{', '.join(missing)}); {hint}")
    return con
