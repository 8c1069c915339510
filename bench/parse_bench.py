"""Benchmark: each product's parsers and ``to_store`` on the real files of the mirror, with the targets that the
real-data tests once asserted as timings (timings belong here, not in tests: they fail on a busy machine).

Run: ``MIGDEV_DATA_MIRROR=../shared/data python bench/parse_bench.py [--runs 3] [--product knomad ...]``. Prints a
Markdown table for bench/README.md: per product, the files, rows parsed, the best and median wall time of parsing
every built file and of ``to_store``, the target and whether the best run meets it.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.sources.contract import _Log

from migdev import countries
from migdev.harmonise import Harmoniser
from migdev.sources import PRODUCTS, documented_codes, undesa_ims, wdi, wpp

#: Seconds for parse + to_store of a product's built files on an idle 2-core machine (from the sources issue).
TARGETS = {"knomad": 3.0, "unhcr": 12.0, "wpp2022": 2.0, "policy": 2.0}


def _places(mirror: Path):
    annex = undesa_ims.parse_locations(mirror / "undesa_ims/ims_locations.csv")
    locations = wpp.parse_locations(mirror / "wpp/wpp2024_locations.csv")
    economies = wdi.parse_countries(mirror / "wdi/wdi_country_metadata.csv")
    return countries.build(annex, locations, economies, documented_codes())


def _once(product, mirror: Path, places) -> tuple[float, float, int]:
    start = time.perf_counter()
    frames = {f.id: getattr(product, f.parser or "parse")(mirror / f.path) for f in product.RELEASES.built}
    parsed = time.perf_counter()
    product.to_store(frames, Harmoniser(places, _Log()))
    return parsed - start, time.perf_counter() - parsed, sum(len(f) for f in frames.values())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--product", action="append", help="only these products (default: all)")
    args = ap.parse_args()
    mirror = Path(os.environ.get("MIGDEV_DATA_MIRROR", "../shared/data"))
    places = _places(mirror)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")
    print("| product | files | rows | parse best | parse median | to_store best | total best | target | met |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for product in PRODUCTS:
        name = product.RELEASES.name
        if args.product and name not in args.product:
            continue
        runs = [_once(product, mirror, places) for _ in range(args.runs)]
        totals = [p + s for p, s, _ in runs]
        best = min(range(len(runs)), key=totals.__getitem__)
        target = TARGETS.get(name)
        met = "" if target is None else ("yes" if totals[best] <= target else "NO")
        print(f"| {name} | {len(product.RELEASES.built)} | {runs[0][2]:,} | {min(p for p, _, _ in runs):.2f} s | "
              f"{statistics.median(p for p, _, _ in runs):.2f} s | {min(s for _, s, _ in runs):.2f} s | "
              f"{totals[best]:.2f} s | {f'{target:.0f} s' if target else '-'} | {met} |")
    print(f"(load average after: {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
