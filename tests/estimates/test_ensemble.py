"""The flow ensemble (estimates/ensemble.py): perturbation rule, reproducibility on any Dask scheduler, storage."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import migdev
from migdev import cli
from migdev.errors import BuildError, QueryError
from migdev.estimates import ensemble

SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.fixture
def db(small_db: Path, tmp_path: Path) -> Path:
    """A writable copy of the small database (small_db itself is never written)."""
    target = tmp_path / "ens.duckdb"
    shutil.copyfile(small_db, target)
    return target


@pytest.fixture
def problem(small_db: Path) -> ensemble.Problem:
    with duckdb.connect(str(small_db), read_only=True) as con:
        return ensemble.problem(con, "2024", 2020, "total")


def test_cv_follows_the_type_of_data() -> None:
    assert ensemble.cv_of("B") < ensemble.cv_of("C") < ensemble.cv_of("I")
    assert ensemble.cv_of("B R") == pytest.approx(ensemble.cv_of("B") + ensemble.CV_REFUGEES)
    assert ensemble.cv_of("C B R") == ensemble.cv_of("C R")  # mixed bases: the weaker one
    assert ensemble.cv_of(None) == ensemble.CV_UNKNOWN


def test_factors_have_mean_one_the_stated_cv_and_correlation(problem: ensemble.Problem) -> None:
    p = ensemble.Problem(**{**problem.__dict__, "cv": np.full(len(problem.labels), 0.2), "correlation": 0.5})
    rng = np.random.default_rng(7)
    f = np.stack([ensemble.factors(p, rng) for _ in range(20_000)])  # draws x (start, end) x destination
    assert np.allclose(f.mean(axis=0), 1.0, atol=0.01)
    assert np.allclose(f.std(axis=0), 0.2, atol=0.01)
    r = np.corrcoef(np.log(f[:, 0, 0]), np.log(f[:, 1, 0]))[0, 1]
    assert r == pytest.approx(0.5, abs=0.03)


def test_scaled_moves_foreign_born_and_keeps_each_column_total() -> None:
    stock = np.array([[100.0, 5.0, 2.0], [10.0, 50.0, 0.0], [0.0, 3.0, 1.0]])
    out = ensemble.scaled(stock, np.array([2.0, 0.5, 3.0]))
    assert out[1, 0] == 20.0 and out[0, 1] == 2.5  # foreign-born scaled by their column
    assert np.allclose(out.sum(axis=0), stock.sum(axis=0))  # native-born absorbs the change
    assert out[0, 2] == pytest.approx(ensemble.CAP * 3.0)  # column 3: 2 foreign-born x 3 > 3 residents: capped
    assert (out >= 0).all()
    given = ensemble.scaled(stock, np.ones(3), population=np.array([200.0, 60.0, 3.0]))
    assert np.allclose(given.sum(axis=0), [200.0, 60.0, 3.0])  # the account's population, when it has one


def test_draws_depend_only_on_seed_and_index(problem: ensemble.Problem) -> None:
    a, b = ensemble.draw(problem, 3, 1), ensemble.draw(problem, 3, 1)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, ensemble.draw(problem, 3, 2))
    assert not np.array_equal(a, ensemble.draw(problem, 4, 1))
    serial = ensemble.run(problem, 4, 3)
    assert np.array_equal(serial[1], a) and serial.shape == (4, *a.shape)


def test_unknown_choices_are_refused(small_db: Path) -> None:
    with duckdb.connect(str(small_db), read_only=True) as con:
        with pytest.raises(QueryError, match="no period starting 1990 for IMS 2024; expected one of 2020"):
            ensemble.problem(con, "2024", 1990)
        with pytest.raises(QueryError, match="unknown revision '1999'"):
            ensemble.problem(con, "1999", 2020)
        with pytest.raises(QueryError, match="unknown sex"):
            ensemble.problem(con, "2024", 2020, "both")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dask_cluster(tmp_path: Path) -> Iterator[str]:
    """A real ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1 (random free ports), stopped after."""
    from distributed import Client

    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    dask = shutil.which("dask", path=str(Path(sys.executable).parent)) or "dask"  # the venv's `dask` command
    log = (tmp_path / "dask.log").open("w")
    procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard",
                               "--dashboard-address", ":0"],
                              env=env, stdout=log, stderr=subprocess.STDOUT)]
    try:
        for _ in range(2):
            procs.append(subprocess.Popen([dask, "worker", address, "--nthreads", "1",
                                           "--host", "127.0.0.1", "--no-dashboard"], env=env, stdout=log,
                                          stderr=subprocess.STDOUT))
        deadline = time.monotonic() + 60
        while True:
            try:
                with Client(address, timeout="5s") as c:
                    c.wait_for_workers(2, timeout=60)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        yield address
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()


def _cli(*args: str):
    return CliRunner().invoke(cli.app, ["flows-ensemble", *args], catch_exceptions=False)


@pytest.mark.slow
def test_scheduler_and_local_cluster_give_identical_quantiles(dask_cluster: str, db: Path, tmp_path: Path,
                                                              problem: ensemble.Problem) -> None:
    other = tmp_path / "local.duckdb"
    shutil.copyfile(db, other)
    args = ["--revision", "2024", "--period", "2020", "--sex", "total", "--draws", "12", "--seed", "11",
            "--format", "csv"]
    remote = _cli(*args, "--db", str(db), "--scheduler", dask_cluster)
    assert remote.exit_code == 0, remote.output
    assert dask_cluster in remote.output
    local = _cli(*args, "--db", str(other))
    assert local.exit_code == 0, local.output
    with migdev.open(db) as a, migdev.open(other) as b:
        qa, qb = a.flow_ensemble(draws=12, seed=11), b.flow_ensemble(draws=12, seed=11)
        ra, rb = a.flow_ensemble_runs(), b.flow_ensemble_runs()
    assert len(qa) > 0
    pd.testing.assert_frame_equal(qa, qb)
    totals = ["total_flow", "total_q05", "total_q50", "total_q95"]
    assert (ra[totals].to_numpy() == rb[totals].to_numpy()).all()  # unrounded: the draws are bit-identical
    assert ra["scheduler"].iloc[0] == dask_cluster and rb["scheduler"].iloc[0].startswith("LocalCluster")
    # and both equal the draws made in this process
    serial = ensemble.run(problem, 12, 11)
    assert np.quantile(serial.sum(axis=(1, 2)), 0.95) == ra["total_q95"].iloc[0]


@pytest.mark.slow
def test_ensemble_is_stored_and_replaced_by_an_atomic_rewrite(db: Path, problem: ensemble.Problem) -> None:
    result = ensemble.ensemble(problem, draws=6, seed=2, local=True)
    before = ensemble.identity(db)
    written = ensemble.write(db, result, before)
    assert written == len(result.corridors) > 0
    assert ensemble.identity(db) != before  # a new file was renamed into place
    again = ensemble.write(db, result, ensemble.identity(db))  # the same key: replaced, not duplicated
    with migdev.open(db) as obs:
        stored = obs.flow_ensemble()
        runs = obs.flow_ensemble_runs()
    assert again == written and len(stored) == written and len(runs) == 1
    assert (stored["q05"] <= stored["q50"]).all() and (stored["q50"] <= stored["q95"]).all()
    assert "type_of_data" in runs["rule"].iloc[0]
    with pytest.raises(BuildError, match="changed while the ensemble ran"):
        ensemble.write(db, result, before)


def test_database_without_ensemble_says_so(small_db: Path) -> None:
    with migdev.open(small_db) as obs, pytest.raises(QueryError, match="run `migdev flows-ensemble` first"):
        obs.flow_ensemble()


@pytest.mark.realdata
@pytest.mark.slow
def test_real_ensemble_brackets_the_point_estimate(real_db: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(real_db), read_only=True) as con:
        p = ensemble.problem(con, "2024", 2015, "total")
    assert len(p.labels) > 200 and set(np.round(p.cv, 2)) >= {0.05, 0.10, 0.20}
    result = ensemble.ensemble(p, draws=20, seed=0)
    rec = result.record
    assert rec["total_q05"] < rec["total_q50"] < rec["total_q95"]
    assert rec["total_q05"] <= rec["total_flow"] * 1.05 and rec["total_flow"] * 0.95 <= rec["total_q95"]
    target = tmp_path / "real.duckdb"
    shutil.copyfile(real_db, target)
    assert ensemble.write(target, result, ensemble.identity(target)) == len(result.corridors)
