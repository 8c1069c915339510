"""Mutated copies of the real release files through every parser, with the peak memory of each parse.

    MIGDEV_DATA_MIRROR=/path/to/mirror python bench/mutations_bench.py [--jobs 2] > bench/results/mutations.md

Prints a Markdown table (mutation, source, expected and actual outcome, peak and growth of resident memory per
parse, seconds) and exits non-zero if any outcome is not the expected one. Same generator as
tests/sources/test_mutations.py (tests/sources/mutations.py).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.sources import mutations


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--mirror", default=os.environ.get("MIGDEV_DATA_MIRROR"))
    args = parser.parse_args()
    if not args.mirror:
        parser.error("set MIGDEV_DATA_MIRROR or pass --mirror")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        results = mutations.run(mutations.cases(Path(args.mirror), Path(tmp), jobs=args.jobs), jobs=args.jobs)
    print(mutations.markdown(results))
    print(f"\n{len(results)} parses in {time.perf_counter() - started:.0f} s with {args.jobs} jobs.")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
