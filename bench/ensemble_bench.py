"""Benchmark of ``migdev flows-ensemble``: 200 draws of the recommended method for one revision, period and sex.

Run ``MIGDEV_DATA_MIRROR=../shared/data python bench/ensemble_bench.py [--db migdev.duckdb] [--draws 200]``.
Without ``--db`` a database is built first from the mirror without the flows step (the ensemble reads only the
stocks, populations and vital statistics), into a temporary folder. Timed: the whole ensemble on a new
``LocalCluster(n_workers=2, threads_per_worker=1)`` (cluster start, scatter, draws, gather, quantiles), the
unperturbed estimate included; not timed: reading the account and writing into the database. Target <= 60 s.
Prints a Markdown row for bench/README.md ("ensemble").
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np

from migdev.estimates import ensemble

TARGET_SECONDS = 60.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a built migdev database (default: build one without flows)")
    parser.add_argument("--revision", default="2024")
    parser.add_argument("--period", type=int, default=2015)
    parser.add_argument("--sex", default="total")
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            from migdev import pipeline

            db = Path(tmp) / "bench.duckdb"
            pipeline.build(db, flows=False, skip=("bands",))
        with duckdb.connect(str(db), read_only=True) as con:
            p = ensemble.problem(con, args.revision, args.period, args.sex)
        started = time.perf_counter()
        result = ensemble.ensemble(p, args.draws, args.seed, workers=2)
        seconds = time.perf_counter() - started
    rec = result.record
    per_draw = seconds / args.draws
    ok = "yes" if seconds <= TARGET_SECONDS else "NO"
    i, j = p.labels.index("MEX"), p.labels.index("USA")
    mex_usa = result.corridors.set_index(["origin", "destination"]).loc[(p.labels[i], p.labels[j])]
    print(f"| IMS {args.revision} {p.period[0]}-{p.period[1]} {args.sex}, {p.method} | {platform.machine()}, "
          f"2 workers x 1 thread | {len(p.labels)} | {args.draws} | {seconds:.1f} s | {per_draw * 1000:.0f} ms | "
          f"{rec['total_flow'] / 1e6:.2f} M [{rec['total_q05'] / 1e6:.2f}, {rec['total_q95'] / 1e6:.2f}] | "
          f"{mex_usa['flow']:,.0f} [{mex_usa['q05']:,.0f}, {mex_usa['q95']:,.0f}] | {ok} |")
    assert np.isfinite(rec["total_q95"])


if __name__ == "__main__":  # the LocalCluster's worker processes re-import this file: keep the work behind this
    main()
