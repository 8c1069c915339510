"""One observatory, eight threads, thirty seconds: every answer equals the single-threaded one, and none fails.

Before the query path, 8 threads sharing one ``migdev.open()`` got hundreds of silently wrong frames and thousands
of errors a minute (one DuckDB connection used from many threads). Now each call takes its own cursor and the
shared caches are filled under a lock. The calls mix every kind of query, names resolved the first time (so cache
filling races are exercised: the observatory is fresh), aggregation, and sandboxed SQL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import migdev

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

CALLS: list[tuple[str, Callable]] = [
    ("stock", lambda o: o.stock(origin="Mexico", year=2024, sex="total", sort="persons", top=5)),
    ("stock by", lambda o: o.stock(origin="Africa", destination="Europe", year=2024, by="sex")),
    ("totals", lambda o: o.totals(year=2024, sex="total", where="emigrants > immigrants")),
    ("totals region", lambda o: o.totals(year=[1990, 2024], sex="female", by="region")),
    ("flows", lambda o: o.flows(origin="SYR", destination="DEU", period=2015, method="all")),
    ("vital", lambda o: o.vital(iso3=["IND", "China"], period_start=[2010, 2015])),
    ("wdi", lambda o: o.wdi(iso3="Nepal", indicator="BX.TRF.PWKR.DT.GD.ZS")),
    ("population", lambda o: o.population(iso3="High income", year=2024, sex="total")),
    ("sql", lambda o: o.sql("SELECT origin, sum(persons) AS n FROM migrant_stock WHERE revision = '2024' AND "
                            "year = ? GROUP BY origin ORDER BY n DESC LIMIT 20", [2020])),
    ("groups", lambda o: o.groups(member="KEN")),
]


def test_eight_threads_thirty_seconds_zero_wrong(real_db: Path) -> None:
    with migdev.open(real_db) as single:
        reference = {name: call(single) for name, call in CALLS}
    wrong: list[str] = []
    errors: list[str] = []
    done = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + 30

    with migdev.open(real_db) as shared:
        def worker(offset: int) -> None:
            i = offset
            while time.monotonic() < deadline:
                name, call = CALLS[i % len(CALLS)]
                i += 1
                try:
                    got = call(shared)
                    pd.testing.assert_frame_equal(got, reference[name])
                except AssertionError as exc:
                    with lock:
                        wrong.append(f"{name}: {str(exc)[:200]}")
                except Exception as exc:
                    with lock:
                        errors.append(f"{name}: {type(exc).__name__}: {str(exc)[:200]}")
                with lock:
                    done[0] += 1

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert done[0] > 8 * len(CALLS), done[0]
    assert errors == [] and wrong == [], (len(errors), len(wrong), errors[:3], wrong[:3])
