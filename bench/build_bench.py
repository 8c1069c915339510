"""Benchmark: wall time and peak memory of `migdev build` on the real releases (target: <= 60 s on 2 cores).

Run: ``MIGDEV_DATA_MIRROR=../shared/data python bench/build_bench.py [--runs 3]``. Each run is a fresh
subprocess so peak RSS is the build's own. Results print as a Markdown table to paste into bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
from migdev import pipeline
t, c = time.perf_counter(), time.process_time()
report = pipeline.build(sys.argv[1])
elapsed, cpu = time.perf_counter() - t, time.process_time() - c
peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
out = {"seconds": elapsed, "cpu": cpu, "peak_mib": peak_mib, "rows": report.rows, "steps": report.step_seconds}
print(json.dumps(out))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not os.environ.get("MIGDEV_DATA_MIRROR"):
        sys.exit("set MIGDEV_DATA_MIRROR to the official-data mirror (e.g. ../shared/data)")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        for _ in range(args.runs):
            out = subprocess.run([sys.executable, "-c", CHILD, str(db)], check=True, capture_output=True, text=True)
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))
        size_mib = db.stat().st_size / 2**20
    secs = [r["seconds"] for r in results]
    peak = max(r["peak_mib"] for r in results)
    flows = results[-1]["rows"].get("flow_estimate", 0)
    print(f"| build | {platform.machine()}, {os.cpu_count()} cores | runs {len(secs)} | best {min(secs):.1f} s | "
          f"median {statistics.median(secs):.1f} s | peak RSS {peak:.0f} MiB | db {size_mib:.0f} MiB | "
          f"flow rows {flows:,} |")
    steps = results[-1]["steps"]
    print(f"cpu time (all threads) best {min(r['cpu'] for r in results):.1f} s; load average at the end "
          f"{os.getloadavg()[0]:.1f} (other processes share the 2 cores when it is above ~1)")
    print("steps (last run): " + ", ".join(f"{name} {secs:.1f} s" for name, secs in steps.items()))


if __name__ == "__main__":
    main()
