"""Monte-Carlo uncertainty of the recommended flow estimate: perturb the stock tables by their data quality.

The UN stock tables are not equally good everywhere: a destination's bilateral stock comes from a census count of
the foreign-born, from a count of foreign citizens, or is imputed from neighbours, and UNHCR refugee figures are
added where censuses miss refugees (IMS ``type_of_data``: B, C, I, R; ``migrant_stock_total.type_of_data``). An
ensemble draws plausible alternative stock tables, re-estimates the flows of each with the recommended method
(:data:`METHOD`) and keeps the 5 %, 50 % and 95 % quantiles per corridor in ``flow_ensemble``.

Perturbation rule (one draw)
----------------------------
* Each destination's column of foreign-born (every place of birth but its own) is multiplied by one factor,
  lognormal with mean 1 and coefficient of variation (CV) set by the destination's ``type_of_data``:
  B (foreign-born counted) 5 %, C (foreign citizens counted) 10 %, I (imputed) 20 %, and R (refugees added)
  adds 5 points. A code with several basis letters ("C B R") takes the largest, since the parts cannot be told
  apart; a destination without a code takes 20 %, like an imputed one. Why these figures: census coverage of
  the foreign-born is typically within a few per cent (post-enumeration surveys), and the UN's interpolation
  to mid-year adds about as much, so 5 %; a count of citizens misses the naturalised foreign-born and counts
  foreign-citizen children born in the country, errors of the order of 10 % where the UN converts it; an
  imputed stock is a model of a neighbour's and can be off by a fifth; refugee registrations lag returns and
  onward moves and may overlap the census count, and are added linearly (not in quadrature) because their
  share of a destination's stock is not known here. They are judgement, documented here and in every
  ``flow_ensemble_run.rule``; change :data:`CV_BY_BASIS` / :data:`CV_REFUGEES` to test another rule.
* A column keeps its composition by place of birth (the factor scales the whole column): the UN's errors are
  mostly errors of a destination's count, not of its split by origin.
* The factors of the start and of the end table are correlated (:data:`CORRELATION` = 0.5 between their
  logarithms): successive UN estimates for one destination rest partly on the same censuses and the same
  definition (a C country stays C), so their errors are neither identical (which would move only the level)
  nor independent (which would turn a 5 % level error into spurious flows of 7 % of the stock).
* Populations and vital statistics are not perturbed: WPP's population is the frame of the accounts. The
  native-born cell of each destination absorbs the change (native-born = the account's population minus the
  perturbed foreign-born), so only the split between native- and foreign-born moves. Where a factor would
  give more foreign-born than residents (Qatar, the Emirates: ~88 % foreign-born) it is capped at
  :data:`CAP` of the population, i.e. the draw is truncated there rather than refused.
* Reproducible on any scheduler: draw ``i`` of seed ``s`` uses ``numpy.random.default_rng([s, i])`` and nothing
  else, and the quantiles are computed in draw order from all draws (numpy's linear interpolation), so a
  ``LocalCluster``, a remote cluster or no cluster give identical quantiles.

Dask: the account is scattered to every worker once; each task returns one origin x destination matrix (230 x 230
doubles, 0.4 MB), and the client gathers them in draw order (200 draws are 85 MB).

Where the quantiles go (:func:`write`): into ``flow_ensemble`` / ``flow_ensemble_run`` of the database itself, by
an atomic rewrite like a build's (copy beside it, insert, checkpoint, rename over it). Why not a separate output
file: every number a user reads then comes from one file through one API, its corridors are checked against the
same ``country`` table, and readers never see a half-written file (those holding the old one keep reading it).
A rebuild drops the ensembles, which is right: they are of the old stocks; and an ensemble refuses to write if
the database changed while it ran (a build or another ensemble renamed a file over it), instead of mixing bases.
The build itself runs no ensemble: 200 draws cost more than the whole build's time budget.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from migdev import store
from migdev.errors import BuildError, QueryError
from migdev.estimates.flows_step import RECOMMENDED

#: The recommended estimate (closed demographic accounting, pseudo-Bayesian blend), as the build names it.
METHOD = RECOMMENDED
#: CV of the multiplicative noise on a destination's foreign-born stock, by IMS basis letter.
CV_BY_BASIS = {"B": 0.05, "C": 0.10, "I": 0.20}
#: Added to the CV where refugees were added to the stock (letter R).
CV_REFUGEES = 0.05
#: CV where the release gives no type of data.
CV_UNKNOWN = 0.20
#: Correlation of the start and end factors' logarithms.
CORRELATION = 0.5
QUANTILES = (0.05, 0.5, 0.95)
#: Foreign-born are capped at this share of the population (Qatar's and the Emirates' stocks are ~88 % of it).
CAP = 0.999


def cv_of(type_of_data: str | None) -> float:
    """The CV of a destination with this IMS ``type_of_data`` code (see the module docstring).

    Examples
    --------
    >>> [cv_of(c) for c in ("B", "B R", "C", "C B R", "I", None)]
    [0.05, 0.1, 0.1, 0.15000000000000002, 0.2, 0.2]
    """
    letters = set(str(type_of_data or "").replace(" ", "").upper())
    bases = [CV_BY_BASIS[x] for x in letters if x in CV_BY_BASIS]
    return (max(bases) if bases else CV_UNKNOWN) + (CV_REFUGEES if "R" in letters else 0.0)


def rule(correlation: float = CORRELATION) -> str:
    """The perturbation rule in words, stored with each ensemble."""
    bases = ", ".join(f"{k} {v:.0%}" for k, v in CV_BY_BASIS.items())
    return (f"lognormal mean-1 factor per destination column of foreign-born, CV by IMS type_of_data: {bases}, "
            f"R +{CV_REFUGEES:.0%}, none {CV_UNKNOWN:.0%}; start/end log-correlation {correlation:g}; "
            "population and vital statistics fixed (native-born absorbs); rng = default_rng([seed, draw])")


@dataclass(frozen=True)
class Problem:
    """One account as plain arrays (what is sent to the workers once) and how to perturb it."""

    revision: str
    vital_revision: str
    sex: str
    period: tuple[int, int]
    labels: tuple[str, ...]
    stock_start: np.ndarray
    stock_end: np.ndarray
    vital: pd.DataFrame
    cv: np.ndarray  # per destination (column)
    method: str = METHOD
    correlation: float = CORRELATION
    notes: tuple[str, ...] = field(default=())


def problem(con: duckdb.DuckDBPyConnection, revision: str, period: int | tuple[int, int], sex: str = "total", *,
            vital_revision: str | None = None, method: str = METHOD,
            correlation: float = CORRELATION) -> Problem:
    """The account of stock ``revision`` on WPP ``vital_revision`` (default: the first basis of the build's
    ``BASES`` for that stock revision), ``period`` (its start year, or (start, end)) and ``sex``, with each
    destination's CV from its IMS ``type_of_data``; unknown choices are a :class:`QueryError` saying what is known."""
    from migdev.estimates.accounts import Accounts

    accounts = Accounts(con)
    bases = accounts.bases()
    mine = [b for b in bases if b.stock_revision == revision and vital_revision in (None, b.vital_revision)]
    if not mine:
        known = ", ".join(f"{b.stock_revision} (WPP {b.vital_revision})" for b in bases)
        raise QueryError(f"unknown revision {revision!r}" + (f" with WPP {vital_revision}" if vital_revision else "")
                         + f"; expected one of {known}")
    basis = mine[0]
    periods = accounts.periods(basis)
    start = period[0] if isinstance(period, tuple) else int(period)
    chosen = [p for p in periods if p[0] == start and (not isinstance(period, tuple) or p == tuple(period))]
    if not chosen:
        raise QueryError(f"no period starting {start} for IMS {revision}; expected one of "
                         f"{', '.join(str(a) for a, _ in periods)}")
    if sex not in ("total", "male", "female"):
        raise QueryError(f"unknown sex {sex!r}; expected one of total, male, female")
    if not 0.0 <= correlation <= 1.0:
        raise QueryError(f"correlation must be between 0 and 1, got {correlation}")
    acc = accounts.account(basis, chosen[0], sex)
    labels = tuple(acc.labels)
    types = con.execute("""
        SELECT iso3, arg_max(type_of_data, year) AS type_of_data FROM migrant_stock_total
        WHERE revision = ? AND sex = 'total' AND type_of_data IS NOT NULL GROUP BY iso3
    """, [revision]).df().set_index("iso3")["type_of_data"]
    cv = np.array([cv_of(types.get(code)) for code in labels])
    return Problem(revision, basis.vital_revision, sex, chosen[0], labels,
                   acc.stock_start.to_numpy(float, copy=True), acc.stock_end.to_numpy(float, copy=True),
                   acc.vital.copy(), cv, method, correlation, tuple(acc.notes))


def factors(p: Problem, rng: np.random.Generator) -> np.ndarray:
    """2 x n lognormal factors with mean 1 (start, end) per destination, log-correlated by ``p.correlation``."""
    sigma = np.sqrt(np.log1p(p.cv**2))
    z = rng.standard_normal((2, len(p.labels)))
    z[1] = p.correlation * z[0] + np.sqrt(1.0 - p.correlation**2) * z[1]
    return np.exp(sigma * z - sigma**2 / 2.0)


def scaled(stock: np.ndarray, factor: np.ndarray, population: np.ndarray | None = None) -> np.ndarray:
    """``stock`` with each column's foreign-born times ``factor`` and the native-born absorbing the change, so each
    column keeps its ``population`` (default: its total); foreign-born are capped just under the population (the
    native-born then ~0), since no account can have more foreign-born residents than residents."""
    native = np.diag(stock).copy()
    foreign = stock.sum(axis=0) - native
    total = native + foreign if population is None else np.asarray(population, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        cap = np.where(foreign > 0, CAP * total / foreign, np.inf)
    factor = np.minimum(factor, np.maximum(cap, 0.0))
    out = stock * factor[None, :]
    np.fill_diagonal(out, np.maximum(total - foreign * factor, 0.0))
    return out


def _population(p: Problem, column: str) -> np.ndarray | None:
    """The account's population at one end (``pop_start``/``pop_end`` of its vital table), if it has one."""
    if column not in p.vital.columns:
        return None
    return p.vital[column].reindex(list(p.labels)).fillna(0.0).to_numpy(dtype=float)


def estimate(p: Problem, stock_start: np.ndarray, stock_end: np.ndarray) -> np.ndarray:
    """The origin x destination flows of ``p.method`` on these stock tables (through ``flows.estimate`` only)."""
    from migdev import flows

    labels = list(p.labels)
    frames = (pd.DataFrame(stock_start, index=labels, columns=labels),
              pd.DataFrame(stock_end, index=labels, columns=labels))
    return flows.estimate(p.method, frames, p.vital).od.to_numpy(dtype=float)


def draw(p: Problem, seed: int, index: int) -> np.ndarray:
    """Draw ``index`` of ensemble ``seed``: its perturbed stocks' flows. Depends on nothing but its arguments."""
    f = factors(p, np.random.default_rng([seed, index]))
    return estimate(p, scaled(p.stock_start, f[0], _population(p, "pop_start")),
                    scaled(p.stock_end, f[1], _population(p, "pop_end")))


@contextlib.contextmanager
def client(scheduler: str | None = None, workers: int = 2) -> Iterator[object]:
    """A Dask client: of the cluster at ``scheduler`` (``tcp://host:port``), else of a new
    ``LocalCluster(n_workers=workers, threads_per_worker=1, processes=True)`` closed on exit."""
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            c = Client(scheduler, timeout="20s")
        except OSError as exc:
            raise QueryError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        try:
            yield c
        finally:
            c.close()
        return
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as c:
        yield c


def run(p: Problem, draws: int, seed: int, dask_client: object | None = None,
        progress: Callable[[int], None] | None = None) -> np.ndarray:
    """``draws`` x n x n flows, in draw order: on ``dask_client`` (scatter once, one task per draw), or in this
    process when it is None. ``progress(done)`` is called as draws finish."""
    if draws < 1:
        raise QueryError(f"draws must be at least 1, got {draws}")
    if seed < 0:
        raise QueryError(f"seed must be a non-negative integer, got {seed}")
    n = len(p.labels)
    out = np.empty((draws, n, n))
    if dask_client is None:
        for i in range(draws):
            out[i] = draw(p, seed, i)
            if progress:
                progress(i + 1)
        return out
    from distributed import as_completed

    shared = dask_client.scatter(p, broadcast=True)
    futures = [dask_client.submit(draw, shared, seed, i, key=f"migdev-draw-{seed}-{i}-{id(p)}", pure=False)
               for i in range(draws)]
    index = {f.key: i for i, f in enumerate(futures)}
    for done, future in enumerate(as_completed(futures), start=1):
        out[index[future.key]] = future.result()
        future.release()
        if progress:
            progress(done)
    return out


def quantiles(p: Problem, ods: np.ndarray, point: np.ndarray) -> pd.DataFrame:
    """Per corridor: the unperturbed flow and the 5/50/95 % quantiles of the draws, in whole persons; corridors
    where both the flow and q95 are under half a person are left out (they are zero)."""
    q = np.rint(np.quantile(ods, QUANTILES, axis=0))
    flow = np.rint(point)
    keep = (np.maximum(q[2], flow) > 0) & ~np.eye(len(p.labels), dtype=bool)
    i, j = np.nonzero(keep)
    labels = np.array(p.labels, dtype=object)
    return pd.DataFrame({"origin": labels[i], "destination": labels[j], "flow": flow[i, j],
                         "q05": q[0][i, j], "q50": q[1][i, j], "q95": q[2][i, j]})


@dataclass
class Ensemble:
    """What :func:`ensemble` computed: the corridors' quantiles and the run's record."""

    problem: Problem
    corridors: pd.DataFrame
    record: dict


def ensemble(p: Problem, draws: int = 200, seed: int = 0, scheduler: str | None = None, workers: int = 2,
             progress: Callable[[int], None] | None = None, local: bool = False) -> Ensemble:
    """Run the ensemble of ``p`` on Dask (``scheduler`` or a new LocalCluster; ``local=True``: in this process)
    and summarise it; totals' quantiles are of the draws' world totals."""
    started = time.perf_counter()
    point = estimate(p, p.stock_start, p.stock_end)
    if local:
        ods, where, n_workers = run(p, draws, seed, None, progress), "in process", 1
    else:
        with client(scheduler, workers) as c:
            n_workers = len(c.scheduler_info()["workers"])
            where = scheduler or f"LocalCluster({workers} workers)"
            ods = run(p, draws, seed, c, progress)
    corridors = quantiles(p, ods, point)
    totals = np.quantile(ods.sum(axis=(1, 2)), QUANTILES)
    record = {"stock_revision": p.revision, "vital_revision": p.vital_revision, "method": p.method, "sex": p.sex,
              "period_start": p.period[0], "period_end": p.period[1], "draws": draws, "seed": seed,
              "regions": len(p.labels), "rule": rule(p.correlation), "total_flow": float(point.sum()),
              "total_q05": float(totals[0]), "total_q50": float(totals[1]), "total_q95": float(totals[2]),
              "scheduler": where, "workers": n_workers, "seconds": time.perf_counter() - started,
              "created_at": pd.Timestamp.now("UTC").tz_localize(None),
              "notes": "; ".join(p.notes) or None}
    return Ensemble(p, corridors, record)


def identity(db: Path | str) -> tuple[int, int, int]:
    """What tells one database file from the next: inode, size and modification time."""
    st = os.stat(db)
    return st.st_ino, st.st_size, st.st_mtime_ns


def write(db: Path | str, result: Ensemble, read_from: tuple[int, int, int]) -> int:
    """Add ``result`` to the database ``db`` by an atomic rewrite (rows of the same ensemble key are replaced);
    refuse if ``db`` is no longer the file the ensemble was read from (``read_from`` = :func:`identity`).

    Returns the number of corridors written.
    """
    target = Path(db)
    if identity(target) != read_from:
        raise BuildError(f"{target} changed while the ensemble ran (a build replaced it?); nothing was written, "
                         "run the ensemble again")
    store.remove_stale_staging(target)
    staging = store.staging_path(target)
    shutil.copyfile(target, staging)
    con = None
    try:
        con = duckdb.connect(str(staging))
        present = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if not {"flow_ensemble", "flow_ensemble_run"} <= present:
            raise BuildError(f"{target} was built before flow ensembles existed: run `migdev build` first")
        record = result.record
        names = ("stock_revision", "vital_revision", "method", "sex", "period_start", "period_end", "draws", "seed")
        where = " AND ".join(f"{k} = ?" for k in names)
        key = [record[k] for k in names]
        for table in ("flow_ensemble", "flow_ensemble_run"):
            con.execute(f"DELETE FROM {table} WHERE {where}", key)
        store.insert(con, "flow_ensemble_run", pd.DataFrame([record]))
        rows = result.corridors.assign(**{k: record[k] for k in names})
        count = store.insert(con, "flow_ensemble", rows)
        if identity(target) != read_from:
            raise BuildError(f"{target} changed while the ensemble was written; nothing was written")
        store.commit(con, staging, target)
        con = None
    except BaseException:
        store.discard(con, staging)
        raise
    return count
