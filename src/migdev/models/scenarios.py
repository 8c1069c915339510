"""Scenarios for resolution 58/208, para 7: what narrowing the income gap between countries is associated with.

From a stored gravity fit with the income-gap term (``stock_income_gap``: pair and destination-year effects,
:mod:`migdev.models.gravity`), the predicted change in emigrant stocks by corridor and in total if an origin's (or
each member of a region's) GNI per capita (PPP) grew by ``gni_growth`` relative to its destinations over
``years`` years. The gap ``log(GNI_d / GNI_o)`` of a corridor from a growing origin falls by ``log(1 + g)``, so its
stock is multiplied by ``(1 + g) ** -beta``; a corridor between two members of a growing region keeps its gap and
its stock. The baseline is the estimation sample's last year (IMS 2024): observed stocks, everything else held.

Decisions:

* **the band** (95 % by default): the linear index ``beta * dgap`` is normal with variance ``dgap' V dgap``
  (``V``: the stored pair-clustered covariance, ``model_vcov``), so a corridor's band is the exponential of the
  index's interval: exact given the estimator's normal approximation, no first-order delta step. The total is a
  sum of such terms; its band comes from 4,000 draws of ``beta`` from ``N(beta_hat, V)`` with a fixed seed
  (a parametric bootstrap, reproducible to the digit).
* **the horizon** ``years`` does not change the prediction (the model relates levels of stocks to levels of
  income; it has no dynamics): it says over how long the growth happens, and the support is checked for windows
  of that length.
* **support**: a scenario is refused when the growth lies outside what the panel saw — the smallest and largest
  growth of an origin's GNI per capita relative to the mean of the fit's origins over any window of ``years``
  years of 1990-2024 (``model_support``) — when ``years`` exceeds the panel's span, or when the origin has no
  income data or no corridor in the estimation sample.

Caveat, printed with every answer: an association estimated across countries and years, not a causal forecast.
Higher origin income goes with *more* emigration in this panel (a negative gap coefficient; the "migration hump"
of Clemens 2014 and Dao et al. 2018): richer origins can afford to send more migrants.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from migdev.errors import EstimationError, QueryError

DEFAULT_SPECIFICATION = "stock_income_gap"
TERM = "income_gap"
DRAWS, SEED = 4_000, 0
CAVEAT = ("an association estimated across countries and years (PPML with pair and destination-year effects), not "
          "a causal forecast: it holds destinations, populations, policies and everything else at their last "
          "observed values, and does not control how attractive the alternative destinations became")


def _refused(message: str, field: str, allowed: list[str] | None = None) -> EstimationError:
    """An :class:`EstimationError` naming the offending parameter and, for a range, its bounds (``allowed``: the
    smallest and largest value the data support), which the web API returns as ``field`` and ``allowed``."""
    exc = EstimationError(message)
    exc.field, exc.allowed = field, allowed  # type: ignore[attr-defined]
    return exc


@dataclass(frozen=True)
class Scenario:
    """A scenario's answer: ``frame`` (a total row, then one row per corridor), notes, the source ids read, and
    the request as understood."""

    frame: pd.DataFrame
    notes: tuple[str, ...]
    sources: tuple[str, ...]
    query: dict[str, Any]


def corridor_change(stock: np.ndarray, dgap: np.ndarray, beta: float, variance: float, level: float = 0.95,
                    draws: int = DRAWS, seed: int = SEED) -> tuple[pd.DataFrame, dict[str, float]]:
    """Predicted change of each corridor's stock when its income gap moves by ``dgap``, with bands.

    Parameters
    ----------
    stock : numpy.ndarray
        Baseline stocks of the corridors (persons).
    dgap : numpy.ndarray
        Change of each corridor's ``log(GNI_d / GNI_o)``: ``-log(1 + g)`` for a corridor from an origin whose
        income grows by ``g`` relative to its destinations.
    beta, variance : float
        The income-gap coefficient and its (clustered) variance.
    level : float
        Coverage of the bands.
    draws, seed : int
        The parametric bootstrap of the total (draws of ``beta`` from ``N(beta, variance)``).

    Returns
    -------
    tuple
        A frame ``factor, change, change_low, change_high`` per corridor, and the total's
        ``change, change_low, change_high``.

    Examples
    --------
    >>> rows, total = corridor_change(np.array([1000.0, 500.0]), np.array([-np.log(1.3), 0.0]), -0.2, 0.0)
    >>> rows["change"].round(1).tolist(), round(total["change"], 1)
    ([53.9, 0.0], 53.9)
    """
    z = NormalDist().inv_cdf(0.5 + level / 2)  # the standard library's: scipy.stats costs 0.4 s of import
    index = beta * dgap
    sd = np.abs(dgap) * np.sqrt(max(variance, 0.0))
    factor = np.exp(index)
    rows = pd.DataFrame({"factor": factor, "change": stock * (factor - 1),
                         "change_low": stock * np.expm1(index - z * sd),
                         "change_high": stock * np.expm1(index + z * sd)})
    betas = np.random.default_rng(seed).normal(beta, np.sqrt(max(variance, 0.0)), draws)
    totals = np.expm1(np.outer(betas, dgap)) @ stock
    low, high = np.quantile(totals, [0.5 - level / 2, 0.5 + level / 2])
    return rows, {"change": float(rows["change"].sum()), "change_low": float(low), "change_high": float(high)}


def _fit(con: duckdb.DuckDBPyConnection, specification: str) -> tuple[str, float, float, str]:
    held = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    if "model_fit" not in held:
        raise QueryError("this database has no gravity fits (table model_fit): rebuild it with `migdev build` "
                         "(its gravity step)")
    specs = [r[0] for r in con.execute("SELECT DISTINCT specification FROM model_spec WHERE scenario ORDER BY 1")
             .fetchall()]
    if not specs:
        raise QueryError("this database has no gravity fit with an income-gap term (the gravity step was skipped "
                         "or found no income data): rebuild it with `migdev build`")
    if specification not in specs:
        raise QueryError(f"unknown scenario specification {specification!r}; expected one of {', '.join(specs)}")
    row = con.execute("SELECT f.revision, f.estimate, v.value, f.sources FROM model_fit f JOIN model_vcov v USING "
                      "(specification, revision, year_start) WHERE f.specification = ? AND f.term = ? AND "
                      "v.term_a = ? AND v.term_b = ? ORDER BY f.revision DESC LIMIT 1",
                      [specification, TERM, TERM, TERM]).fetchone()
    if row is None:
        raise QueryError(f"{specification} has no stored {TERM} term in this database: rebuild it")
    return str(row[0]), float(row[1]), float(row[2]), str(row[3])


def _check_support(con: duckdb.DuckDBPyConnection, specification: str, revision: str, growth: float,
                   years: int) -> tuple[float, float, int, int]:
    support = con.execute("SELECT years, growth_min, growth_max, income_from, income_to FROM model_support WHERE "
                          "specification = ? AND revision = ? ORDER BY years", [specification, revision]).df()
    if support.empty:
        raise EstimationError(f"{specification} {revision} has no stored support: rebuild the database")
    first, last = int(support["income_from"].iloc[0]), int(support["income_to"].iloc[0])
    if years not in set(support["years"]):
        raise _refused(f"years must be between {support['years'].min()} and {support['years'].max()} "
                       f"(windows within the fit's income data, {first}-{last}); got {years}", "years",
                       [str(int(support["years"].min())), str(int(support["years"].max()))])
    row = support[support["years"] == years].iloc[0]
    low, high = float(row["growth_min"]), float(row["growth_max"])
    if not low <= growth <= high:
        raise _refused(
            f"a GNI per capita growth of {growth:+.1%} over {years} years relative to the other origins is outside "
            f"what the panel saw: from {low:+.1%} to {high:+.1%} over {years} years (GNI per capita PPP, "
            f"{first}-{last}); the model cannot say what happens beyond its data", "gni_growth",
            [f"{low:.4f}", f"{high:.4f}"])
    return low, high, first, last


def predict(con: duckdb.DuckDBPyConnection, places: Any, origin: str | list[str], gni_growth: float, years: int,
            *, specification: str = DEFAULT_SPECIFICATION, level: float = 0.95) -> Scenario:
    """The scenario ``origin`` (a country, name or group, as queries take) grows its GNI per capita by
    ``gni_growth`` (0.3 = 30 %) relative to its destinations over ``years`` years.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        A built database with the gravity step's tables.
    places : migdev.places.Places
        The database's places (resolves names and groups).
    origin : str or list of str
        ISO3 codes, names or groups (``"Eastern Africa"``): every member grows.
    gni_growth : float
        Growth relative to the destinations, as a fraction (> -1).
    years : int
        The horizon of the growth (checked against the panel's support; the prediction does not depend on it).
    specification : str
        A stored specification with the income-gap term.
    level : float
        Coverage of the bands (0 < level < 1).

    Returns
    -------
    Scenario
        The total and per-corridor baseline, predicted stock, change and band.

    Raises
    ------
    QueryError
        Unknown origin or specification, or no gravity fit in the database.
    EstimationError
        Outside the data's support: growth or horizon beyond the panel, origin without income data.

    Examples
    --------
    >>> import migdev  # doctest: +SKIP
    >>> with migdev.open() as obs:  # doctest: +SKIP
    ...     obs.scenario(origin="ETH", gni_growth=0.3, years=10)
    """
    if not 0 < level < 1:
        raise QueryError(f"level must be between 0 and 1 (e.g. 0.95); got {level}")
    if not np.isfinite(gni_growth) or gni_growth <= -1:
        raise _refused(f"gni_growth is a fraction above -1 (0.3 = +30 %); got {gni_growth}", "gni_growth")
    revision, beta, variance, sources = _fit(con, specification)
    low, high, first, last = _check_support(con, specification, revision, gni_growth, years)
    asked = [origin] if isinstance(origin, str) else list(origin)
    try:
        codes, found = places.expand(asked, "origin")
    except QueryError as exc:
        exc.field = "origin"  # type: ignore[attr-defined]
        raise
    corridors = con.execute("SELECT year, origin, destination, stock, fitted FROM model_corridor WHERE "
                            "specification = ? AND revision = ? ORDER BY origin, stock DESC",
                            [specification, revision]).df()
    covered = set(corridors["origin"])
    codes = sorted(covered) if codes is None else codes
    members = [c for c in codes if c in covered]
    label = ", ".join(f"{p.code} ({p.name})" for p in found)
    if not members:
        raise _refused(f"{label} has no income data (WDI GNI per capita PPP, NY.GNP.PCAP.PP.CD) or no corridor "
                       f"with a destination that has some, in {first}-{last}: the model has nothing to say "
                       "about it", "origin")
    rows = corridors[corridors["origin"].isin(members)].reset_index(drop=True)
    growing = set(members)
    dgap = np.where(rows["destination"].isin(growing), 0.0, -np.log1p(gni_growth))
    change, total = corridor_change(rows["stock"].to_numpy(float), dgap, beta, variance, level)
    change[["change_low", "change_high"]] += 0.0  # no "-0" where a corridor does not move
    rows = pd.concat([rows, change], axis=1).assign(level="corridor")
    base = float(rows["stock"].sum())
    total_row = pd.DataFrame([{"level": "total", "year": int(rows["year"].iloc[0]),
                               "origin": found[0].code if len(found) == 1 else ",".join(p.code for p in found),
                               "destination": "WLD", "stock": base, "fitted": float(rows["fitted"].sum()),
                               "factor": (base + total["change"]) / base if base else np.nan, **total}])
    frame = pd.concat([total_row, rows], ignore_index=True)
    frame["stock_scenario"] = frame["stock"] + frame["change"]
    frame["change_pct"] = np.where(frame["stock"] > 0, frame["change"] / frame["stock"], np.nan)
    frame["origin_name"] = _names(places, frame["origin"])
    frame["destination_name"] = _names(places, frame["destination"])
    frame = frame[["level", "year", "origin", "origin_name", "destination", "destination_name", "stock",
                   "stock_scenario", "change", "change_low", "change_high", "change_pct", "factor", "fitted"]]
    notes = [f"caveat: {CAVEAT}",
             f"{specification} (IMS {revision}): income_gap coefficient {beta:.3f} (pair-clustered s.e. "
             f"{np.sqrt(variance):.3f}); a {gni_growth:+.0%} relative growth multiplies a corridor's stock by "
             f"{(1 + gni_growth) ** -beta:.3f}; {level:.0%} band",
             f"{gni_growth:+.0%} over {years} years is {(1 + gni_growth) ** (1 / years) - 1:+.2%} a year faster than "
             f"the destinations; the panel saw {low:+.1%} to {high:+.1%} over {years} years ({first}-{last})"]
    held = con.execute("SELECT sum(persons) FROM migrant_stock WHERE revision = ? AND sex = 'total' AND year = ? "
                       "AND origin IN (SELECT unnest(?)) AND destination <> origin",
                       [revision, int(rows["year"].iloc[0]), members]).fetchone()[0]
    if held:
        notes.append(f"the corridors of the fit hold {base / float(held):.1%} of the {float(held):,.0f} emigrants "
                     f"IMS {revision} counts for {int(rows['year'].iloc[0])} (the rest live where income data or "
                     "covariates are missing, or of an unspecified place)")
    missing = [c for c in codes if c not in covered]
    if missing:
        notes.append(f"left out, without income data or corridors in the fit: {', '.join(missing)}")
    inside = int((dgap == 0).sum())
    if inside:
        notes.append(f"{inside} corridors between growing places keep their income gap and their stock")
    query = {"query": "scenario", "filters": {"origin": [{"asked": str(a), "code": p.code, "name": p.name,
                                                          "kind": p.kind} for a, p in zip(asked, found, strict=True)],
                                              "gni_growth": gni_growth, "years": years,
                                              "specification": specification, "revision": revision, "level": level}}
    return Scenario(frame, tuple(notes), tuple(s.strip() for s in sources.split(",") if s.strip()), query)


def _names(places: Any, codes: pd.Series) -> pd.Series:
    named = places.names(codes)
    fallback = codes.map(lambda c: places.place(c).name if c == "WLD" or c in places.groups.index else c)
    return named.fillna(fallback)
