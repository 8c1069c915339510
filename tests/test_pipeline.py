"""The build on a generated mirror: tables, unmatched codes, and refusal of bad input that keeps the old database."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import migdev.sources
from migdev import pipeline, store
from migdev.errors import BuildError, HashMismatchError, ParseError
from migdev.estimates import flows_step
from migdev.pipeline import checks
from tests.fixtures import official as fx

REPO = Path(__file__).resolve().parents[1]


class Recorder:
    def __init__(self) -> None:
        self.steps: list[tuple[str, int]] = []
        self.advanced = 0
        self.lines: list[tuple[str, str]] = []

    def step(self, name: str, total: int) -> None:
        self.steps.append((name, total))

    def advance(self, detail: str = "") -> None:
        self.advanced += 1

    def log(self, level: str, message: str) -> None:
        self.lines.append((level, message))


def _query(db: Path) -> list[tuple]:
    with store.read(db) as con:
        return con.execute("SELECT revision, year, sex, origin, destination, persons FROM migrant_stock "
                           "ORDER BY ALL").fetchall()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _leftovers(db: Path) -> list[Path]:
    return sorted(db.parent.glob(f".{db.name}.building-*"))


# ------------------------------------------------------------------------------------------------------- success
def test_build_end_to_end(small_mirror, tmp_path: Path) -> None:
    _, sources = small_mirror
    reporter = Recorder()
    report = pipeline.build(tmp_path / "out" / "migdev.duckdb", sources=sources, reporter=reporter)
    assert report.db == tmp_path / "out" / "migdev.duckdb" and report.db.is_file()
    built = [f for f in migdev.sources.releases().values() if f.build]
    expected = {
        "source": len(built), "country": 10 + len(migdev.sources.documented_codes()), "area_group": 18,
        "area_group_member": 22,
        "migrant_stock": 48, "migrant_stock_total": 66, "migrant_stock_age": 30, "wdi_indicator": 2, "wdi": 7,
        "unmatched_code": 1,
    }
    assert {t: report.rows[t] for t in expected} == expected
    assert set(report.rows) == set(store.TABLES)
    assert [s for s, _ in reporter.steps][:4] == ["fetch and verify", "parse and validate", "harmonise codes", "load"]
    assert reporter.advanced >= 2 * len(built) + 1 + 10
    assert report.unmatched.to_dict("records") == [
        {"source_id": "ims2024_bilateral", "field": "origin", "code": str(fx.UNKNOWN_M49), "name": None, "rows": 3}]
    assert ("warning", f"ims2024_bilateral: origin code {fx.UNKNOWN_M49} (None) matches no country or aggregate; "
                       "3 rows not loaded (see table unmatched_code)") in reporter.lines
    assert [m for _, level, m in report.log if level == "warning" and "matches no" in m] == [
        f"ims2024_bilateral: origin code {fx.UNKNOWN_M49} (None) matches no country or aggregate; 3 rows not loaded "
        "(see table unmatched_code)"]
    assert not _leftovers(report.db)

    with store.read(report.db) as con:
        q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
        assert q("SELECT * FROM unmatched_code") == [("ims2024_bilateral", "origin", "998", None, 3)]
        assert q("SELECT persons FROM migrant_stock WHERE revision='2024' AND year=2024 AND sex='total' "
                 "AND origin='MEX' AND destination='USA'") == [(11_279_561,)]
        # the unspecified origin is kept as XXX; the aggregate destination (WORLD) is not a country
        assert q("SELECT count(*) FROM migrant_stock WHERE origin='XXX'") == [(9,)]
        assert q("SELECT count(*) FROM migrant_stock WHERE destination NOT IN (SELECT iso3 FROM country)") == [(0,)]
        assert q("SELECT sum(persons) FROM migrant_stock WHERE revision='2024' AND year=2024 AND sex='total'") == [
            (sum(v for (y, _, _), v in fx.BILATERAL_2024.items() if y == 2024),)]
        # aggregates go to area_group_value, never to the country tables
        assert q("SELECT value FROM area_group_value WHERE group_id='m49:900' AND source_id='ims_origin_totals' "
                 "AND revision='2024' AND year=2024 AND sex='total'") == [(304_021_813.0,)]
        assert q("SELECT count(*) FROM area_group_value WHERE group_id='wb:WLD' AND source_id = 'wdi_long'") == [(1,)]
        assert q("SELECT count(*) FROM wdi WHERE iso3='WLD'") == [(0,)]
        assert q("SELECT persons FROM population WHERE iso3='USA' AND year=2024 AND sex='total' "
                 "AND revision = '2024'") == [(345_426_571,)]
        assert q("SELECT emigrants, immigrants FROM migrant_stock_total WHERE iso3='XXX' AND revision='2024' "
                 "AND year=2024 AND sex='total'") == [(22_065_614, None)]
        assert q("SELECT immigrants, refugees FROM migrant_stock_total WHERE iso3='USA' AND revision='2020' "
                 "AND year=2020 AND sex='total'") == [(50_632_836, 1_189_312)]
        sources = con.execute("SELECT source_id, sha256, rows_read FROM source").df().set_index("source_id")
        assert sources.at["ims2024_bilateral", "sha256"] == sources_hash(small_mirror, "ims2024_bilateral")
        assert sources.at["ims2024_bilateral", "rows_read"] == 3 * (len(fx.BILATERAL_2024) + 2)
        # WPP 2024's rows as before; WPP 2022's (tests/fixtures/wpp2022.py) sit beside them under their revision
        for table, rows in (("population", 42), ("vital", 21), ("vital_annual", 14)):
            assert q(f"SELECT count(*) FROM {table} WHERE revision = '2024'") == [(rows,)], table
            assert q(f"SELECT count(*) FROM {table} WHERE revision = '2022'")[0][0] > 0, table
        levels = con.execute("SELECT step, level FROM build_log ORDER BY seq").fetchall()
        order = [step for step, _ in levels]
        steps = ["fetch", "parse", "harmonise", "load", "flows", "bands", "indicators", "gravity",
                 "remittance_estimate", "check"]
        assert order == sorted(order, key=steps.index)
        assert ("harmonise", "warning") in levels and levels[-1] == ("check", "info")


def sources_hash(small_mirror, source_id: str) -> str:
    return small_mirror[1][source_id].sha256


def test_build_default_path_and_quiet_reporter(small_mirror, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MIGDEV_DB", str(tmp_path / "env.duckdb"))
    report = pipeline.build(sources=small_mirror[1])
    assert report.db == tmp_path / "env.duckdb" and report.db.is_file()
    quiet = pipeline.QuietReporter()
    quiet.step("x", 1)
    quiet.advance()
    quiet.log("info", "m")
    assert quiet.lines == [("info", "m")]


def test_build_without_unmatched_codes(small_mirror, tmp_path: Path) -> None:
    root, sources = small_mirror
    rows = [r for r in fx.bilateral_rows() if r[5] != fx.UNKNOWN_M49]
    fx.write_bilateral(root / sources["ims2024_bilateral"].path, rows=rows)
    report = pipeline.build(tmp_path / "m.duckdb", sources=fx.sources_for(root))
    assert report.unmatched.empty and report.rows["unmatched_code"] == 0


def test_rebuild_replaces_the_database(small_mirror, small_db: Path, tmp_path: Path) -> None:
    root, sources = small_mirror
    db = tmp_path / "migdev.duckdb"
    shutil.copy(small_db, db)
    before = _query(db)
    rows = fx.bilateral_rows("2020")
    rows = [[*r[:7], r[7] * 2] for r in rows]
    fx.write_bilateral(root / sources["ims2020_bilateral"].path, "2020", rows=rows)
    pipeline.build(db, sources=fx.sources_for(root))
    after = _query(db)
    assert len(after) == len(before) and after != before
    assert not _leftovers(db)


# --------------------------------------------------------------------------------------------------- bad input
BAD_INPUTS = {
    "wrong-hash": ("ims2024_bilateral", None, HashMismatchError, "ims2024_bilateral_stock.csv: sha256 mismatch"),
    "truncated": ("wpp2024_annual", fx.truncate_mid_line, ParseError,
                  f"wpp2024_annual.csv, row {len(fx.wpp_annual_rows()) + 1}, column 'pop_jul1': 6 fields where the "
                  "header has 17"),
    "missing-column": ("ims_origin_totals", fx.drop_column("emigrant_stock"), ParseError,
                       "ims_origin_totals.csv, row 1, column 'emigrant_stock': missing column(s)"),
    "text-in-number": ("ims2020_bilateral", fx.set_cell(4, "persons", "n.a."), ParseError,
                       "ims2020_bilateral_stock.csv, row 6, column 'persons': 'n.a.' is not a number"),
    "duplicated-keys": ("wdi_long", fx.duplicate_row(0), ParseError,
                        f"wdi_long.csv, row {len(fx.WDI_VALUES) + 2}, column 'iso3': duplicated key (iso3=IND"),
    "unknown-sex": ("ims2020_age", fx.set_cell(0, "sex", "f"), ParseError,
                    "ims2020_stock_by_age_sex_destination.csv, row 2, column 'sex': unknown sex code 'f'"),
    "not-utf8": ("wdi_countries", fx.insert_bytes(3), ParseError, "wdi_country_metadata.csv, row 3, column 'iso3'"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_is_refused_and_the_database_kept(case: str, small_mirror, small_db: Path, tmp_path: Path) -> None:
    root, sources = small_mirror
    db = tmp_path / "migdev.duckdb"
    shutil.copy(small_db, db)
    digest, rows = _digest(db), _query(db)
    source_id, change, error, text = BAD_INPUTS[case]
    if change is None:  # the file changes but the registry keeps the old hash
        path = root / sources[source_id].path
        path.write_bytes(path.read_bytes() + b"2024,2024,total,840,USA,484,MEX,1\n")
    else:
        sources = fx.corrupt(root, sources, source_id, change)
    with pytest.raises(error) as err:
        pipeline.build(db, sources=sources)
    assert text in str(err.value)
    assert _digest(db) == digest
    assert _query(db) == rows
    assert not _leftovers(db)


def test_failure_while_loading_discards_the_staging_file(small_mirror, small_db: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "migdev.duckdb"
    shutil.copy(small_db, db)
    digest = _digest(db)
    seen: list[bool] = []

    def boom(ctx) -> None:
        seen.append(bool(_leftovers(db)))
        raise RuntimeError("check failed")

    monkeypatch.setattr(checks, "run", boom)
    with pytest.raises(RuntimeError, match="check failed"):
        pipeline.build(db, sources=small_mirror[1])
    assert seen == [True]  # the staging file existed while loading ...
    assert not _leftovers(db) and _digest(db) == digest  # ... and is gone, the old database untouched


def test_invariant_check_refuses_to_publish(small_mirror, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "migdev.duckdb"

    def break_sex_sum(con, ctx, methods=None) -> dict[str, int]:
        store.insert(con, "migrant_stock", pd.DataFrame({
            "revision": ["2024"] * 3, "year": [2030] * 3, "sex": ["total", "male", "female"],
            "origin": ["MEX"] * 3, "destination": ["USA"] * 3, "persons": [5, 1, 1]}))
        return {}

    monkeypatch.setattr(flows_step, "run", break_sex_sum)
    with pytest.raises(BuildError, match=r"male \+ female != total in 1 cells"):
        pipeline.build(db, sources=small_mirror[1])
    assert not db.exists() and not _leftovers(db)


# ------------------------------------------------------------------------------------------------- killed build
KILLED_BUILD = """
import sys
sys.path.insert(0, {repo!r})
from pathlib import Path
from migdev import pipeline
from tests.fixtures.official import sources_for

pipeline.build({db!r}, sources=sources_for(Path({root!r})))
"""


def _start_and_kill(code: str, root: Path, db: Path) -> Path | None:
    """Run a build in a subprocess, SIGKILL it as soon as its staging file appears; the staging path, or None
    if the build finished before it could be killed."""
    proc = subprocess.Popen([sys.executable, "-c", code], env={**os.environ, "MIGDEV_DATA_MIRROR": str(root)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    staging = db.with_name(f".{db.name}.building-{proc.pid}")
    try:
        deadline = time.monotonic() + 30
        while not staging.exists():
            if proc.poll() is not None:
                assert proc.returncode == 0, proc.stderr.read().decode() if proc.stderr else ""
                return None
            assert time.monotonic() < deadline, "the build never started loading"
            time.sleep(0.001)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()  # reap it: a zombie would still count as alive
        if proc.stderr:
            proc.stderr.close()
    if proc.returncode != -signal.SIGKILL:
        return None
    return staging


def test_killed_build_leaves_the_previous_database(small_mirror, small_db: Path, tmp_path: Path) -> None:
    root, sources = small_mirror
    db = tmp_path / "migdev.duckdb"
    code = KILLED_BUILD.format(repo=str(REPO), db=str(db), root=str(root))
    for _ in range(3):  # the load step lasts ~0.2 s; on a very busy machine the build may finish first: retry
        shutil.copy(small_db, db)
        digest, rows = _digest(db), _query(db)
        staging = _start_and_kill(code, root, db)
        if staging is not None:
            break
    else:
        pytest.fail("the build always finished before it could be killed")
    assert staging.exists()  # the killed build's half-written file is left behind ...
    assert _digest(db) == digest  # ... and the database users read is untouched
    with store.read(db) as con:
        assert con.execute("SELECT count(*) FROM migrant_stock").fetchone()[0] == len(rows)
    assert _query(db) == rows

    pipeline.build(db, sources=sources)  # the next build clears the dead build's staging file
    assert not staging.exists() and not _leftovers(db)
    assert _query(db) == rows
