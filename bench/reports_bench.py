"""Benchmark: `migdev reports --all` — the global report and the High-level Dialogue pack in the six languages, HTML
and PDF (24 files; target: <= 120 s together on 2 cores), in a fresh subprocess per run.

Run: ``python bench/reports_bench.py --db PATH [--runs 1]`` on a built database. Prints a Markdown row for
bench/README.md: wall time of the whole command (start-up, reading the database once, the key messages' queries,
rendering the pages and laying out the PDFs with WeasyPrint), time per part, the files and their size, the peak RSS
and the load average (other jobs share the cores).
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
from migdev.reports import bundle, world
data = world.load(Path(sys.argv[1]))
read = time.perf_counter() - t
parts = {}
def advance(name):
    parts[name] = time.perf_counter()
files = bundle.write_all(data, Path(sys.argv[2]), advance=advance)
elapsed = time.perf_counter() - t
stamps = [read + 0.0] + [v - t for v in parts.values()]
spans = dict(zip(parts, (b - a for a, b in zip(stamps, stamps[1:]))))
print(json.dumps({"seconds": elapsed, "read": read, "files": len(files),
                  "bytes": sum(f.stat().st_size for f in files),
                  "html": sum(v for k, v in spans.items() if k.endswith(".html")),
                  "pdf": sum(v for k, v in spans.items() if k.endswith(".pdf")),
                  "slowest": max(spans.items(), key=lambda kv: kv[1]),
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=Path(os.environ.get("MIGDEV_DB", "migdev.duckdb")))
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    if not args.db.is_file():
        sys.exit(f"no database at {args.db}: build one with `migdev build --db {args.db}`")
    results = []
    before = os.getloadavg()[0]
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            out = subprocess.run([sys.executable, "-c", CHILD, str(args.db), tmp], check=True, capture_output=True,
                                 text=True)
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    secs = [r["seconds"] for r in results]
    r = results[-1]
    print(f"| reports --all | {platform.machine()}, {os.cpu_count()} cores | runs {len(secs)} | "
          f"best {min(secs):.1f} s | median {statistics.median(secs):.1f} s | {r['files']} files, "
          f"{r['bytes'] / 2**20:.1f} MiB | read {r['read']:.1f} s | html {r['html']:.1f} s | pdf {r['pdf']:.1f} s | "
          f"slowest {r['slowest'][0]} {r['slowest'][1]:.1f} s | peak RSS "
          f"{max(x['peak_mib'] for x in results):.0f} MiB |")
    print(f"load average before {before:.1f}, after {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
