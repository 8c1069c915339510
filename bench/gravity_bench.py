"""Benchmark of the gravity models and the scenario command on a built database.

Run ``python bench/gravity_bench.py --db migdev.duckdb [--runs 3] [--ir]``. Times, best and median of ``--runs``:

* the panel specification (b), ``stock_income_gap`` and ``stock_income_gap_year``, on the whole IMS panel
  (every pair-year 1990-2024): reading the model frame from the store, then ``ppml`` (target <= 60 s for both the
  read and the fit); ``--ir`` also times (b) with the iterative-rectifier separation check the build leaves out;
* ``migdev scenario --origin ETH --gni-growth 0.3 --years 10`` in a fresh subprocess (interpreter start, imports,
  opening the database, reading the stored fit; target <= 2 s), and ``Observatory.scenario`` in process.

Prints Markdown rows for ``bench/README.md`` ("gravity").
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from migdev.models import gravity_inputs as inputs  # noqa: E402
from migdev.models.gravity import ppml, specification  # noqa: E402

TARGETS = {"panel": 60.0, "scenario": 2.0}


def timed(fn, runs: int) -> tuple[list[float], object]:
    times, out = [], None
    for _ in range(runs):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return times, out


def row(what: str, times: list[float], target: float, detail: str) -> str:
    return (f"| {what} | {platform.machine()}, {os.cpu_count()} cores | runs {len(times)} | best {min(times):.2f} s | "
            f"median {statistics.median(times):.2f} s | target {target:g} s | {detail} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, default=Path(os.environ.get("MIGDEV_DB", "migdev.duckdb")))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--ir", action="store_true", help="also time (b) with the iterative-rectifier check")
    args = parser.parse_args()
    con = duckdb.connect(str(args.db), read_only=True)
    revision = inputs.stock_revision(con)
    rows = []
    read_times, frame = timed(lambda: inputs.stock_frame(con, revision), args.runs)
    rows.append(row("read the stock panel", read_times, TARGETS["panel"], f"{len(frame):,} pair-years"))
    specs = [specification("stock_income_gap"), specification("stock_income_gap_year")]
    if args.ir:
        specs.append(replace(specs[0], name="stock_income_gap (fe + ir)", separation=("fe", "ir")))
    for spec in specs:
        times, fit = timed(lambda s=spec: ppml(frame, s), args.runs)
        t = fit.terms.iloc[0]
        rows.append(row(f"fit {spec.name}", times, TARGETS["panel"],
                        f"income_gap {t.estimate:.3f} (s.e. {t.std_error:.3f}), n {fit.n_obs:,}, separated "
                        f"{fit.n_separated:,}, singletons {fit.n_singleton:,}, missing {fit.n_missing:,}"))
    con.close()
    command = [sys.executable, "-c", "from migdev.cli import main; main()", "scenario", "--origin", "ETH",
               "--gni-growth", "0.3", "--years", "10", "--db", str(args.db)]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    times, done = timed(lambda: subprocess.run(command, env=env, capture_output=True, text=True, check=True),
                        max(args.runs, 5))
    rows.append(row("migdev scenario (subprocess)", times, TARGETS["scenario"], "--origin ETH --gni-growth 0.3 "
                    "--years 10"))
    import migdev

    with migdev.open(str(args.db)) as obs:
        obs.scenario("ETH", 0.3, 10)  # places and caches loaded once, as a server would
        times, _ = timed(lambda: obs.scenario("ETH", 0.3, 10), max(args.runs, 5))
    rows.append(row("Observatory.scenario (warm)", times, TARGETS["scenario"], "ETH, +30 %, 10 years"))
    print("\n".join(rows))
    print(done.stdout.splitlines()[2] if done.stdout else "")


if __name__ == "__main__":
    main()
