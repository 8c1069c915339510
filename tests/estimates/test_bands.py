"""flow_band: the spread of flow_estimate across methods and stock bases (estimates/bands.py)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from migdev import store
from migdev.estimates import bands


def _db(tmp_path: Path, flows: list[tuple], runs: list[tuple]) -> duckdb.DuckDBPyConnection:
    """A fresh database with the whole schema and hand-written flow_estimate / flow_estimate_run rows."""
    con = store.create(tmp_path / "bands.duckdb")
    cols = ["stock_revision", "method", "sex", "period_start", "period_end", "origin", "destination", "flow"]
    store.insert(con, "flow_estimate", pd.DataFrame(flows, columns=cols).assign(vital_revision="2024"))
    run_cols = ["stock_revision", "method", "sex", "period_start", "period_end"]
    frame = pd.DataFrame(runs, columns=run_cols).assign(vital_revision="2024", regions=3, total_flow=1.0,
                                                        seconds=0.0)
    store.insert(con, "flow_estimate_run", frame)
    return con


def test_spread_ignores_estimates_that_do_not_cover_a_cell() -> None:
    v = np.array([[[0.0, 4.0]], [[np.nan, 2.0]], [[3.0, 6.0]], [[np.nan, np.nan]]])
    low, mid, high, count = bands.spread(v[:3])
    assert low.tolist() == [[0.0, 2.0]] and mid.tolist() == [[1.5, 4.0]] and high.tolist() == [[3.0, 6.0]]
    assert count.tolist() == [[2, 3]]
    low, _, _, count = bands.spread(v[3:])
    assert np.isnan(low).all() and count.tolist() == [[0, 0]]


def test_band_counts_missing_rows_as_zero_and_skips_uncovered_areas(tmp_path: Path) -> None:
    p = ("total", 2015, 2020)
    flows = [
        ("2024", "a", *p, "FRA", "USA", 10.0), ("2024", "a", *p, "USA", "MEX", 1.0),
        ("2024", "b", *p, "FRA", "USA", 30.0),                       # b stores nothing for USA -> MEX: 0
        ("2020", "a", *p, "FRA", "USA", 20.0), ("2020", "a", *p, "USA", "FRA", 5.0),  # 2020 has no MEX at all
        ("2024", "a", "male", 2015, 2020, "FRA", "USA", 4.0),
    ]
    runs = [("2024", "a", *p), ("2024", "b", *p), ("2020", "a", *p), ("2024", "a", "male", 2015, 2020)]
    con = _db(tmp_path, flows, runs)
    assert bands.run(con) == {"flow_band": 4}
    got = con.execute("SELECT sex, origin, destination, flow_min, flow_median, flow_max, estimates, methods, "
                      "stock_revisions FROM flow_band ORDER BY ALL").fetchall()
    both = "2020+WPP2024,2024+WPP2024"
    assert got == [
        ("male", "FRA", "USA", 4.0, 4.0, 4.0, 1, "a", "2024+WPP2024"),
        ("total", "FRA", "USA", 10.0, 20.0, 30.0, 3, "a,b", both),
        ("total", "USA", "FRA", 0.0, 0.0, 5.0, 3, "a,b", both),   # 2024 covers both areas: two zeros
        ("total", "USA", "MEX", 0.0, 0.5, 1.0, 2, "a,b", both),   # only the 2024 estimates cover MEX
    ]


def test_band_of_no_flows_is_empty(tmp_path: Path) -> None:
    con = _db(tmp_path, [], [])
    assert bands.run(con) == {"flow_band": 0}


def test_band_step_in_the_build_spans_every_stored_method(small_db: Path) -> None:
    with duckdb.connect(str(small_db), read_only=True) as con:
        methods = sorted(r[0] for r in con.execute("SELECT DISTINCT method FROM flow_estimate_run").fetchall())
        band = con.execute("SELECT * FROM flow_band").df()
        flows = con.execute("SELECT * FROM flow_estimate").df()
    assert len(band) > 0 and set(band["methods"]) == {",".join(methods)}
    keys = ["sex", "period_start", "period_end", "origin", "destination"]
    assert not band.duplicated(keys).any()
    extremes = flows.groupby(keys)["flow"].max().rename("max_stored")
    joined = band.join(extremes, on=keys, how="inner")
    assert len(joined) == len(band)  # a band only where some estimate stored a flow
    assert np.allclose(joined["flow_max"], joined["max_stored"])
    assert (band["flow_min"] <= band["flow_median"]).all() and (band["flow_median"] <= band["flow_max"]).all()


@pytest.mark.realdata
def test_real_bands_bracket_every_method(real_db: Path) -> None:
    with duckdb.connect(str(real_db), read_only=True) as con:
        got = con.execute("""
            SELECT b.flow_min, b.flow_max, e.flow, b.estimates FROM flow_band b JOIN flow_estimate e USING
              (sex, period_start, period_end, origin, destination)
            WHERE b.origin = 'SYR' AND b.destination = 'DEU' AND b.sex = 'total' AND b.period_start = 2015
        """).df()
        n_runs = con.execute("SELECT count(*) FROM flow_estimate_run WHERE sex = 'total' AND period_start = 2015 "
                             "AND period_end = 2020").fetchone()[0]
    assert len(got) > 0 and (got["estimates"] == n_runs).all()
    assert ((got["flow_min"] <= got["flow"]) & (got["flow"] <= got["flow_max"])).all()
    assert got["flow_max"].iloc[0] == got["flow"].max()
