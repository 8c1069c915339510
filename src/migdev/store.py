"""The DuckDB database: its schema, atomic replacement of the file, and typed read queries.

A build writes a complete new file beside the old one and renames it into place only when every step
succeeded (``os.replace`` is atomic on one file system), so a failed or killed build never leaves a
half-written database where users read.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

DEFAULT_DB = "migdev.duckdb"

SCHEMA = """
CREATE TABLE source (
    source_id VARCHAR PRIMARY KEY, revision VARCHAR NOT NULL, publisher VARCHAR NOT NULL, title VARCHAR NOT NULL,
    file VARCHAR NOT NULL, url VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, licence VARCHAR NOT NULL,
    citation VARCHAR NOT NULL, loaded_at TIMESTAMP NOT NULL, rows_read BIGINT NOT NULL
);
CREATE TABLE country (
    iso3 VARCHAR PRIMARY KEY, m49 INTEGER,
    name_en VARCHAR NOT NULL, name_fr VARCHAR NOT NULL, name_es VARCHAR NOT NULL,
    name_ru VARCHAR NOT NULL, name_zh VARCHAR NOT NULL, name_ar VARCHAR NOT NULL,
    sdg_region VARCHAR, sdg_subregion VARCHAR, subregion VARCHAR, geographic_region VARCHAR,
    wb_region VARCHAR, wb_income_group VARCHAR, wb_lending_type VARCHAR, un_income_group_2020 VARCHAR,
    in_ims BOOLEAN NOT NULL, in_wpp BOOLEAN NOT NULL, in_wdi BOOLEAN NOT NULL, code_note VARCHAR
);
CREATE TABLE area_group (
    group_id VARCHAR PRIMARY KEY, source VARCHAR NOT NULL, code VARCHAR NOT NULL, name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL
);
CREATE TABLE area_group_member (
    group_id VARCHAR NOT NULL REFERENCES area_group (group_id), iso3 VARCHAR NOT NULL REFERENCES country (iso3),
    PRIMARY KEY (group_id, iso3)
);
CREATE TABLE area_group_value (
    source_id VARCHAR NOT NULL, revision VARCHAR NOT NULL, group_id VARCHAR NOT NULL,
    year INTEGER NOT NULL, sex VARCHAR NOT NULL, measure VARCHAR NOT NULL, value DOUBLE,
    PRIMARY KEY (source_id, revision, group_id, year, sex, measure)
);
CREATE TABLE migrant_stock (
    revision VARCHAR NOT NULL, year INTEGER NOT NULL, sex VARCHAR NOT NULL CHECK (sex IN ('total', 'male', 'female')),
    origin VARCHAR NOT NULL REFERENCES country (iso3), destination VARCHAR NOT NULL REFERENCES country (iso3),
    persons BIGINT NOT NULL CHECK (persons >= 0),
    PRIMARY KEY (revision, year, sex, origin, destination)
);
CREATE TABLE migrant_stock_total (
    revision VARCHAR NOT NULL, year INTEGER NOT NULL, sex VARCHAR NOT NULL CHECK (sex IN ('total', 'male', 'female')),
    iso3 VARCHAR NOT NULL REFERENCES country (iso3),
    immigrants BIGINT, emigrants BIGINT, population BIGINT, refugees BIGINT, type_of_data VARCHAR,
    population_source VARCHAR,
    PRIMARY KEY (revision, year, sex, iso3)
);
CREATE TABLE migrant_stock_age (
    revision VARCHAR NOT NULL, year INTEGER NOT NULL, sex VARCHAR NOT NULL CHECK (sex IN ('total', 'male', 'female')),
    iso3 VARCHAR NOT NULL REFERENCES country (iso3), age_group VARCHAR NOT NULL, persons BIGINT,
    PRIMARY KEY (revision, year, sex, iso3, age_group)
);
CREATE TABLE population (
    revision VARCHAR NOT NULL, year INTEGER NOT NULL, sex VARCHAR NOT NULL CHECK (sex IN ('total', 'male', 'female')),
    iso3 VARCHAR NOT NULL REFERENCES country (iso3), persons BIGINT, variant VARCHAR NOT NULL,
    PRIMARY KEY (revision, year, sex, iso3)
);
CREATE TABLE vital (
    revision VARCHAR NOT NULL, period_start INTEGER NOT NULL, period_end INTEGER NOT NULL,
    iso3 VARCHAR NOT NULL REFERENCES country (iso3),
    births BIGINT, deaths BIGINT, net_migration BIGINT, pop_start BIGINT, pop_end BIGINT, variant VARCHAR NOT NULL,
    PRIMARY KEY (revision, period_start, period_end, iso3)
);
CREATE TABLE vital_annual (
    revision VARCHAR NOT NULL, year INTEGER NOT NULL, iso3 VARCHAR NOT NULL REFERENCES country (iso3),
    pop_jan1 BIGINT, births BIGINT, deaths BIGINT, net_migration BIGINT, variant VARCHAR NOT NULL,
    PRIMARY KEY (revision, year, iso3)
);
CREATE TABLE wdi_indicator (indicator VARCHAR PRIMARY KEY, title VARCHAR NOT NULL);
CREATE TABLE wdi (
    iso3 VARCHAR NOT NULL REFERENCES country (iso3), year INTEGER NOT NULL, indicator VARCHAR NOT NULL,
    value DOUBLE NOT NULL, vintage VARCHAR NOT NULL,
    PRIMARY KEY (iso3, year, indicator)
);
-- millions of rows: keys and references are checked once after loading (pipeline._check), not per insert
CREATE TABLE flow_estimate (
    stock_revision VARCHAR NOT NULL, method VARCHAR NOT NULL, sex VARCHAR NOT NULL,
    period_start INTEGER NOT NULL, period_end INTEGER NOT NULL,
    origin VARCHAR NOT NULL, destination VARCHAR NOT NULL, flow DOUBLE NOT NULL CHECK (flow >= 0)
);
CREATE TABLE flow_estimate_run (
    stock_revision VARCHAR NOT NULL, method VARCHAR NOT NULL, sex VARCHAR NOT NULL,
    period_start INTEGER NOT NULL, period_end INTEGER NOT NULL, regions INTEGER NOT NULL,
    total_flow DOUBLE NOT NULL, iterations INTEGER, seconds DOUBLE NOT NULL, notes VARCHAR,
    PRIMARY KEY (stock_revision, method, sex, period_start, period_end)
);
CREATE TABLE build_log (
    seq INTEGER PRIMARY KEY, step VARCHAR NOT NULL, level VARCHAR NOT NULL, message VARCHAR NOT NULL
);
CREATE TABLE unmatched_code (
    source_id VARCHAR NOT NULL, field VARCHAR NOT NULL, code VARCHAR NOT NULL, name VARCHAR, rows BIGINT NOT NULL,
    PRIMARY KEY (source_id, field, code)
);
"""

#: Tables in load order (referenced tables first).
TABLES = (
    "source", "country", "area_group", "area_group_member", "area_group_value", "migrant_stock",
    "migrant_stock_total", "migrant_stock_age", "population", "vital", "vital_annual", "wdi_indicator", "wdi",
    "flow_estimate", "flow_estimate_run", "build_log", "unmatched_code",
)


def default_path() -> Path:
    """``$MIGDEV_DB`` or ``./migdev.duckdb``."""
    return Path(os.environ.get("MIGDEV_DB", DEFAULT_DB))


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
    con.execute(SCHEMA)
    return con


def insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame | pa.Table) -> int:
    """Append a frame (pandas or Arrow) to a table by column name; the schema's types, keys and checks reject
    bad rows."""
    if table not in TABLES:
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


def connect(path: Path | str | None = None) -> duckdb.DuckDBPyConnection:
    """Open a built database read-only, with a clear error if there is none yet."""
    path = Path(path) if path is not None else default_path()
    if not path.is_file():
        raise FileNotFoundError(
            f"no migdev database at {path}: run `migdev build` first (or pass --db / set MIGDEV_DB)"
        )
    return duckdb.connect(str(path), read_only=True)
