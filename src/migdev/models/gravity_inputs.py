"""The gravity models' model frames, read from the store (never from source files).

Decisions:

* **the pairs**: every ordered pair of distinct places the IMS revision reports as a destination (the places that
  publish their foreign-born by origin). A pair without a row of ``migrant_stock`` has a stock of 0: the UN
  publishes only corridors with migrants, and PPML needs the zeros. The unspecified origin (``XXX``) is no place.
* **covariates**: CEPII GeoDist (``gravity_pair``): distance between the most populated cities (``distance_km``,
  logged), contiguity, common official language, colonial tie ever. Pairs GeoDist has no distance for (within one
  old country, e.g. Serbia and Montenegro, or Sudan and South Sudan) are missing covariates, dropped and counted.
* **income**: GNI per capita, PPP (current international $), WDI ``NY.GNP.PCAP.PP.CD``, in the stock's year; the
  gap is ``log(GNI_d) - log(GNI_o)``. A pair-year without both is missing, dropped and counted.
* **flows**: the recommended method's estimates (total sex) on the latest stock revision and its latest WPP
  revision; the places are those of the estimate (origins and destinations with a flow), absent pairs are zero.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from migdev.estimates.flows_step import RECOMMENDED

INCOME = "NY.GNP.PCAP.PP.CD"


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> object:
    row = con.execute(sql, params or []).fetchone()
    return None if row is None else row[0]


def stock_revision(con: duckdb.DuckDBPyConnection) -> str | None:
    """The latest IMS revision of the bilateral stocks (``None``: no stocks)."""
    value = _one(con, "SELECT max(revision) FROM migrant_stock")
    return None if value is None else str(value)


def flow_basis(con: duckdb.DuckDBPyConnection) -> tuple[str, str] | None:
    """(stock revision, WPP revision) of the recommended flows the flow model reads (``None``: no flows)."""
    row = con.execute("SELECT stock_revision, max(vital_revision) FROM flow_estimate WHERE method = ? GROUP BY 1 "
                      "ORDER BY 1 DESC LIMIT 1", [RECOMMENDED]).fetchone()
    return None if row is None else (str(row[0]), str(row[1]))


def revisions(con: duckdb.DuckDBPyConnection, inputs: tuple[tuple[str, str | None], ...]) -> tuple[str, str]:
    """The source ids matching ``inputs`` ((SQL LIKE pattern, revision or None) pairs) and their revisions, as the
    text of ``model_fit.sources`` (comma-separated ids) and ``data_revisions`` (``id revision; ...``)."""
    found: dict[str, str] = {}
    for pattern, revision in inputs:
        sql = "SELECT source_id, revision FROM source WHERE source_id LIKE ?"
        sql += " AND revision = ?" if revision else ""
        found.update(dict(con.execute(sql, [pattern, *([revision] if revision else [])]).fetchall()))
    ids = sorted(found)
    return ", ".join(ids), "; ".join(f"{i} {found[i]}" for i in ids)


_PAIRS_SQL = """
WITH places AS (SELECT DISTINCT destination AS iso3 FROM migrant_stock WHERE revision = ? AND sex = 'total'),
     years AS (SELECT DISTINCT year FROM migrant_stock WHERE revision = ? AND sex = 'total')
SELECT y.year, o.iso3 AS origin, d.iso3 AS destination, coalesce(m.persons, 0)::DOUBLE AS stock,
       ln(g.distance_km) AS log_distance, g.contiguous::DOUBLE AS contiguous,
       g.common_language::DOUBLE AS common_language, g.colony::DOUBLE AS colony
FROM places o CROSS JOIN places d CROSS JOIN years y
LEFT JOIN gravity_pair g ON g.origin = o.iso3 AND g.destination = d.iso3
LEFT JOIN migrant_stock m ON m.revision = ? AND m.sex = 'total' AND m.year = y.year AND m.origin = o.iso3
     AND m.destination = d.iso3
WHERE o.iso3 <> d.iso3
ORDER BY y.year, origin, destination"""


def stock_frame(con: duckdb.DuckDBPyConnection, revision: str) -> pd.DataFrame:
    """Every pair-year of the revision: ``year, origin, destination, stock`` (0 where unpublished), the GeoDist
    covariates (NaN where GeoDist has none), ``income_gap`` (NaN without both incomes) and ``pair``."""
    frame = con.execute(_PAIRS_SQL, [revision, revision, revision]).df()
    frame = _with_gap(frame, income(con))
    frame["pair"] = frame["origin"] + ">" + frame["destination"]
    return frame


def flow_frame(con: duckdb.DuckDBPyConnection, stock_rev: str, vital_rev: str) -> pd.DataFrame:
    """Every pair-period of the recommended flows: ``year`` (period start), ``period_end``, ``flow`` (0 where
    none is stored), the GeoDist covariates and ``pair``."""
    frame = con.execute("""
        WITH f AS (SELECT period_start, period_end, origin, destination, flow FROM flow_estimate
                   WHERE method = ? AND stock_revision = ? AND vital_revision = ? AND sex = 'total'),
             periods AS (SELECT DISTINCT period_start, period_end FROM f),
             places AS (SELECT origin AS iso3 FROM f UNION SELECT destination FROM f)
        SELECT p.period_start AS year, p.period_end, o.iso3 AS origin, d.iso3 AS destination,
               coalesce(f.flow, 0)::DOUBLE AS flow, ln(g.distance_km) AS log_distance,
               g.contiguous::DOUBLE AS contiguous, g.common_language::DOUBLE AS common_language,
               g.colony::DOUBLE AS colony
        FROM places o CROSS JOIN places d CROSS JOIN periods p
        LEFT JOIN gravity_pair g ON g.origin = o.iso3 AND g.destination = d.iso3
        LEFT JOIN f ON f.period_start = p.period_start AND f.origin = o.iso3 AND f.destination = d.iso3
        WHERE o.iso3 <> d.iso3 ORDER BY year, origin, destination""", [RECOMMENDED, stock_rev, vital_rev]).df()
    frame["pair"] = frame["origin"] + ">" + frame["destination"]
    return frame


def income(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """``iso3, year, log_gni``: log GNI per capita, PPP (WDI), every country-year with a positive value."""
    return con.execute("SELECT iso3, year, ln(value) AS log_gni FROM wdi WHERE indicator = ? AND value > 0",
                       [INCOME]).df()


def _with_gap(frame: pd.DataFrame, gni: pd.DataFrame) -> pd.DataFrame:
    by = gni.set_index(["iso3", "year"])["log_gni"]
    o = by.reindex(pd.MultiIndex.from_arrays([frame["origin"], frame["year"]])).to_numpy()
    d = by.reindex(pd.MultiIndex.from_arrays([frame["destination"], frame["year"]])).to_numpy()
    return frame.assign(income_gap=d - o)


def relative_growth_support(gni: pd.DataFrame, origins: list[str], year_from: int, year_to: int) -> pd.DataFrame:
    """Per window length ``years``, the range of an origin's income growth relative to the mean of ``origins``.

    Parameters
    ----------
    gni : pandas.DataFrame
        ``iso3, year, log_gni`` (as :func:`income` returns).
    origins : list of str
        The origins of the fitted sample: the growth is each one's relative to their mean.
    year_from, year_to : int
        The years of income data the fit used (windows lie within them).

    Returns
    -------
    pandas.DataFrame
        ``years, growth_min, growth_max, windows, origins`` for ``years`` = 1 .. year_to - year_from; growth is
        ``exp(dlog GNI_o - mean_o' dlog GNI_o') - 1`` over windows of that length.

    Examples
    --------
    >>> gni = pd.DataFrame({"iso3": ["A", "A", "B", "B"], "year": [2000, 2001, 2000, 2001],
    ...                     "log_gni": [0.0, np.log(1.2), 0.0, 0.0]})
    >>> s = relative_growth_support(gni, ["A", "B"], 2000, 2001)
    >>> round(float(s["growth_max"].iloc[0]), 4), round(float(s["growth_min"].iloc[0]), 4)
    (0.0954, -0.0871)
    """
    wide = (gni[gni["iso3"].isin(origins) & gni["year"].between(year_from, year_to)]
            .pivot_table(index="year", columns="iso3", values="log_gni").reindex(range(year_from, year_to + 1)))
    rows = []
    for years in range(1, year_to - year_from + 1):
        change = wide.shift(-years) - wide
        relative = change.sub(change.mean(axis=1), axis=0).to_numpy()
        seen = relative[np.isfinite(relative)]
        if seen.size:
            rows.append({"years": years, "growth_min": float(np.expm1(seen.min())),
                         "growth_max": float(np.expm1(seen.max())), "windows": int(seen.size),
                         "origins": int(np.isfinite(relative).any(axis=0).sum())})
    return pd.DataFrame(rows, columns=["years", "growth_min", "growth_max", "windows", "origins"])
