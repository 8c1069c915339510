"""Time the build's remittance_estimate step on a copy of a built database (its inputs), without the rest of a build.

    python bench/remittance_bench.py --db migdev.duckdb [--runs 3]

Each run copies the database to a temporary file, drops the step's two tables, recreates them from
``store/schema/models_remittances.sql`` and runs :func:`migdev.models.remittances.run` with a quiet context.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import duckdb

from migdev.models import remittances
from migdev.pipeline.context import QuietReporter
from migdev.store import SCHEMA_DIR


class _Ctx:
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con, self.reporter, self.log = con, QuietReporter(), []

    def say(self, level: str, message: str) -> None:
        self.log.append((level, message))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    seconds, rows = [], {}
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "bench.duckdb"
            shutil.copy(args.db, copy)
            con = duckdb.connect(str(copy))
            con.execute("DROP TABLE IF EXISTS remittance_bilateral_estimate; "
                        "DROP TABLE IF EXISTS remittance_estimate_validation")
            con.execute((SCHEMA_DIR / "models_remittances.sql").read_text(encoding="utf-8"))
            start = time.perf_counter()
            rows = remittances.run(_Ctx(con))
            seconds.append(time.perf_counter() - start)
            con.close()
    print(json.dumps({"best": min(seconds), "median": statistics.median(seconds), "rows": rows}))


if __name__ == "__main__":
    main()
