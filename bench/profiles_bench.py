"""Benchmark: `migdev profiles --all` — an HTML page and a JSON file for every country/area of the newest IMS revision
and every group (target: <= 60 s on 2 cores), in a fresh subprocess per run.

Run: ``python bench/profiles_bench.py --db PATH [--runs 3]`` on a built database (``migdev build``; the flows step is
not needed). Prints a Markdown row for bench/README.md: wall time of the whole command (start-up, reading the
database, building, rendering and writing), the profiles and files written, their size and the peak RSS.
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
from pathlib import Path
t = time.perf_counter()
from migdev.reports import open_profiles
ps = open_profiles(Path(sys.argv[1]))
read = time.perf_counter() - t
keys = [*ps.countries(), *ps.groups()]
files = ps.write_all(Path(sys.argv[2]), keys)
elapsed = time.perf_counter() - t
print(json.dumps({"seconds": elapsed, "read": read, "countries": len(ps.countries()), "groups": len(ps.groups()),
                  "files": len(files), "bytes": sum(f.stat().st_size for f in files),
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=Path(os.environ.get("MIGDEV_DB", "migdev.duckdb")))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not args.db.is_file():
        sys.exit(f"no database at {args.db}: build one with `migdev build --db {args.db}`")
    results = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            out = subprocess.run([sys.executable, "-c", CHILD, str(args.db), tmp], check=True, capture_output=True,
                                 text=True)
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    secs = [r["seconds"] for r in results]
    r = results[-1]
    print(f"| profiles --all | {platform.machine()}, {os.cpu_count()} cores | runs {len(secs)} | "
          f"best {min(secs):.1f} s | median {statistics.median(secs):.1f} s | "
          f"{r['countries']} countries + {r['groups']} groups | "
          f"{r['files']} files, {r['bytes'] / 2**20:.0f} MiB | read {r['read']:.1f} s | peak RSS "
          f"{max(x['peak_mib'] for x in results):.0f} MiB |")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
