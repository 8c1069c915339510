"""Flow bands: how far the published methods and stock bases disagree on each corridor, into ``flow_band``.

No single flow estimate is "the" flow: Abel & Cohen (2019) publish six methods, and the same method gives
different flows on another stock revision. ``flow_band`` says, for every corridor, period and sex, the minimum,
median and maximum over every estimate the build stored in ``flow_estimate`` (each method on each stock basis),
which is the honest range a user should quote next to the recommended estimate. Decisions:

* an *estimate* is one (basis, method) run of ``flow_estimate_run``; a basis is the stock revision, or the stock
  revision with its WPP revision once ``flow_estimate`` names a ``vital_revision`` (IMS 2020 on WPP 2024 and on
  WPP 2022 are two bases);
* a corridor absent from an estimate whose accounts include both areas is a zero flow of that estimate (the
  build stores no zeros), so the minimum is often 0: stock differencing puts no flow where a stock fell;
* a corridor whose origin or destination is outside an estimate's area set (an area that enters a period only
  when its stock is published at both ends) is not estimated there and takes no part in its band; the area set
  of a basis is every code in any of its methods' flows, since all methods of a basis share its accounts;
* the median of an even number of estimates is the mean of the middle two (numpy's ``nanmedian``);
* rows are kept where the maximum is positive; ``estimates`` says how many estimates the row spans and
  ``methods`` / ``stock_revisions`` name them.

The work is numpy on dense arrays, one (sex, period) at a time: at most 18 estimates x 235 x 235 cells.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from migdev import store


def _basis_sql(con: duckdb.DuckDBPyConnection, table: str, alias: str = "") -> str:
    """SQL for the basis label of a row of ``table``: the stock revision, with the WPP revision if stored."""
    columns = {row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()}
    prefix = f"{alias}." if alias else ""
    if "vital_revision" in columns:
        return f"{prefix}stock_revision || '+WPP' || {prefix}vital_revision"
    return f"{prefix}stock_revision"


def spread(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Minimum, median, maximum and count over axis 0 of ``values`` (estimates x origin x destination), NaN
    meaning "not estimated"; cells no estimate covers come back NaN with count 0.

    Examples
    --------
    >>> v = np.array([[[0.0, 4.0]], [[np.nan, 2.0]], [[3.0, 6.0]]])
    >>> [a.tolist() for a in spread(v)]
    [[[0.0, 2.0]], [[1.5, 4.0]], [[3.0, 6.0]], [[2, 3]]]
    """
    count = np.sum(~np.isnan(values), axis=0)
    with warnings.catch_warnings():  # "All-NaN slice": a cell no estimate covers is NaN, as documented
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmin(values, axis=0), np.nanmedian(values, axis=0), np.nanmax(values, axis=0), count


def values(estimate: np.ndarray, origin: np.ndarray, destination: np.ndarray, flow: np.ndarray,
           basis: np.ndarray, n: int) -> np.ndarray:
    """Estimates x origin x destination array of one (sex, period): the stored (non-zero) ``flow`` of each row,
    0 where the estimate's basis covers both areas but stores nothing, NaN where it does not cover them and on
    the diagonal (stayers are not flows).

    ``estimate``, ``origin``, ``destination`` are 0-based positions per stored row; ``basis[k]`` is the basis id
    of estimate ``k``; its area set is every area of any row of the estimates sharing that basis.
    """
    out = np.full((len(basis), n, n), np.nan)
    row_basis = basis[estimate]
    for b in np.unique(basis):
        mine = row_basis == b
        areas = np.zeros(n, dtype=bool)
        areas[origin[mine]] = True
        areas[destination[mine]] = True
        out[np.ix_(np.flatnonzero(basis == b), areas, areas)] = 0.0
    out[estimate, origin, destination] = flow
    out[:, np.arange(n), np.arange(n)] = np.nan
    return out


def run(con: duckdb.DuckDBPyConnection, say: Callable[[str, str], None] | None = None) -> dict[str, int]:
    """``flow_band`` for every (sex, period) of ``flow_estimate_run``, computed from ``flow_estimate``.

    One query maps every stored flow to integer positions (estimate, origin, destination); the bands are then
    numpy over each (sex, period)'s dense array (:func:`values`, :func:`spread`).
    """
    say = say or (lambda level, message: None)
    runs = con.execute(f"SELECT DISTINCT sex, period_start, period_end, {_basis_sql(con, 'flow_estimate_run')} "
                       "AS basis, method FROM flow_estimate_run ORDER BY ALL").df()
    if runs.empty:
        return {"flow_band": 0}
    runs["k"] = np.arange(len(runs), dtype=np.int64)
    runs["basis_id"] = pd.factorize(runs["basis"], sort=True)[0]
    codes = con.execute("SELECT origin AS code FROM flow_estimate UNION SELECT destination FROM flow_estimate "
                        "ORDER BY 1").fetchnumpy()["code"]
    con.register("_band_codes", pa.table({"code": pa.array(codes, pa.string()),
                                          "idx": np.arange(len(codes), dtype=np.int64)}))
    con.register("_band_runs", pa.Table.from_pandas(runs, preserve_index=False))
    try:
        rows = con.sql(f"""
            SELECT r.k::INTEGER AS k, o.idx::SMALLINT AS o, d.idx::SMALLINT AS d, f.flow FROM flow_estimate f
            JOIN _band_runs r ON r.sex = f.sex AND r.period_start = f.period_start AND r.period_end = f.period_end
                 AND r.method = f.method AND r.basis = {_basis_sql(con, 'flow_estimate', 'f')}
            JOIN _band_codes o ON o.code = f.origin JOIN _band_codes d ON d.code = f.destination
            WHERE f.flow > 0""").fetchnumpy()
    finally:
        con.unregister("_band_codes")
        con.unregister("_band_runs")
    order = np.argsort(rows["k"])  # rows of one estimate together (cheaper here than ORDER BY in DuckDB)
    k, o, d, flow = (np.asarray(rows[c])[order] for c in ("k", "o", "d", "flow"))
    o, d = o.astype(np.intp), d.astype(np.intp)
    labels = pa.array(codes, pa.string())
    n = len(codes)
    parts = []
    for (sex, start, end), group in runs.groupby(["sex", "period_start", "period_end"], sort=True):
        first, last = int(group["k"].min()), int(group["k"].max()) + 1
        lo, hi = np.searchsorted(k, [first, last])
        low, mid, high, covering = spread(values(k[lo:hi] - first, o[lo:hi], d[lo:hi], flow[lo:hi],
                                                 group["basis_id"].to_numpy(), n))
        i, j = np.nonzero(np.nan_to_num(high) > 0)
        repeat = np.zeros(len(i), dtype=np.int32)  # one dictionary entry for the whole group

        def same(text: str, repeat: np.ndarray = repeat) -> pa.DictionaryArray:
            return pa.DictionaryArray.from_arrays(repeat, pa.array([text], pa.string()))

        parts.append(pa.table({
            "sex": same(sex),
            "period_start": np.full(len(i), start, np.int32), "period_end": np.full(len(i), end, np.int32),
            "origin": labels.take(i), "destination": labels.take(j),
            "flow_min": low[i, j], "flow_median": mid[i, j], "flow_max": high[i, j],
            "estimates": covering[i, j].astype(np.int32),
            "methods": same(",".join(sorted(set(group["method"])))),
            "stock_revisions": same(",".join(sorted(set(group["basis"])))),
        }))
    count = store.insert(con, "flow_band", pa.concat_tables(parts))
    zero_min = con.execute("SELECT count(*) FROM flow_band WHERE flow_min = 0").fetchone()[0]
    say("info", f"flow_band: {count:,} corridor-period-sex bands across {runs['method'].nunique()} methods and "
                f"{runs['basis'].nunique()} stock bases; {zero_min:,} have a zero minimum (some method puts no "
                "flow there)")
    return {"flow_band": count}
