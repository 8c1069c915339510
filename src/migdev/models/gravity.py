"""Gravity models of international migration: Poisson pseudo-maximum likelihood with high-dimensional fixed effects.

PPML (Santos Silva & Tenreyro 2006) is the estimator of the migration-gravity literature (Beine, Bertoli &
Fernández-Huertas Moraga 2016, *The World Economy* 39:496): it keeps the zero corridors a log-linear OLS must drop,
and it is consistent under heteroskedasticity. The fits run through pyfixest's ``fepois`` (the ``ppmlhdfe``
algorithm of Correia, Guimarães & Zylkin 2020) rather than hand-written IRLS: it demeans the fixed effects instead
of building dummies, detects separation (``fe``: a fixed-effect group whose outcome is all zero; ``ir``: the
iterative rectifier of Correia, Guimarães & Zylkin 2021) and clusters standard errors.

The specifications (:data:`SPECIFICATIONS`), and what each identifies:

* ``stock_gravity`` (a) — bilateral stocks, one cross-section per year, origin and destination fixed effects,
  log distance, contiguity, common official language and colonial tie (CEPII GeoDist). The fixed effects take up
  everything that is the origin's or the destination's alone (population, income, multilateral resistance);
  the bilateral covariates are identified.
* ``stock_income_gap`` (b) — the stock panel (every year of the IMS revision) with pair and destination-year
  fixed effects and the income gap ``log(GNI_d / GNI_o)`` (GNI per capita, PPP). With origin-year *and*
  destination-year effects (the full multilateral-resistance set) the gap is not identified: it is the sum of a
  destination-year and an origin-year term, so both sets of effects absorb it. Dropping the origin-year effects
  identifies the gap from the origin's income over time, relative to the other origins sending to the same
  destination in the same year (the destination-year effects absorb every pull factor and the destination side of
  multilateral resistance; the pair effects absorb distance, language, colonial ties and networks fixed in time).
  This is the specification the scenarios need: they move an origin's income. The price, as Beine et al. (2016,
  sec. 3) warn, is that the origin side of multilateral resistance (how attractive the alternative destinations
  became) is not controlled; the estimate is an association, not the causal effect of growth.
* ``stock_income_gap_year`` (b, robustness) — the same panel with pair and year effects only: the gap is then
  identified from both the origin's and the destination's income over time, with no multilateral-resistance
  control; it shows how much the choice of effects matters.
* ``flow_gravity`` (c) — the recommended flow estimates (:data:`migdev.estimates.flows_step.RECOMMENDED`) per
  period, with the regressors and effects of (a).

Standard errors are clustered by pair (``origin>destination``). In a cross-section every pair is one observation,
so this is the heteroskedasticity-robust (sandwich) variance with the ``G/(G-1)`` correction; in the panel it
allows any correlation of a corridor's errors over time. Observations dropped are counted by reason: missing
covariates (dropped before the fit), separation, and singletons of a fixed effect (pyfixest's ``fixef_rm``).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from migdev.errors import EstimationError

Family = Literal["cross_section", "panel", "flows"]

#: The bilateral covariates of the cross-sections (columns of the model frame).
GRAVITY_TERMS = ("log_distance", "contiguous", "common_language", "colony")
#: IRLS and demeaning tolerances: tight enough that coefficients agree with a dummy-variable GLM to 1e-6.
IRLS_TOL = 1e-10
FIXEF_TOL = 1e-10


@dataclass(frozen=True)
class Specification:
    """One gravity specification: outcome, regressors, fixed effects (pyfixest syntax), clustering and what is
    identified (``identification``, stored beside the fit)."""

    name: str
    family: Family
    outcome: str
    regressors: tuple[str, ...]
    fixed_effects: tuple[str, ...]
    identification: str
    cluster: str = "pair"
    separation: tuple[str, ...] = ("fe", "ir")
    scenario: bool = False  # carries the income-gap term the scenarios move

    @property
    def formula(self) -> str:
        return f"{self.outcome} ~ {' + '.join(self.regressors)} | {' + '.join(self.fixed_effects)}"

    @property
    def columns(self) -> list[str]:
        """The model frame's columns this specification reads."""
        fe = {part for term in self.fixed_effects for part in term.split("^")}
        return [self.outcome, *self.regressors, *sorted(fe | {self.cluster})]


SPECIFICATIONS: tuple[Specification, ...] = (
    Specification("stock_gravity", "cross_section", "stock", GRAVITY_TERMS, ("origin", "destination"),
                  "bilateral covariates, identified across pairs given origin and destination effects (each year)"),
    # the panel runs the "fe" separation check only: on the 2024 build the iterative rectifier found no further
    # separated observation and took 27 s of the 60 s budget (bench/gravity_bench.py runs it)
    Specification("stock_income_gap", "panel", "stock", ("income_gap",), ("pair", "destination^year"),
                  "income gap identified by the origin's income over time, relative to the other origins of the "
                  "same destination-year; origin-side multilateral resistance not controlled",
                  separation=("fe",), scenario=True),
    Specification("stock_income_gap_year", "panel", "stock", ("income_gap",), ("pair", "year"),
                  "income gap identified by both sides' income over time; no multilateral-resistance control "
                  "(robustness of stock_income_gap)", separation=("fe",)),
    Specification("flow_gravity", "flows", "flow", GRAVITY_TERMS, ("origin", "destination"),
                  "bilateral covariates of the recommended flow estimates, each period, given origin and "
                  "destination effects"),
)


def specification(name: str) -> Specification:
    """The specification called ``name``, or an :class:`EstimationError` listing them.

    Parameters
    ----------
    name : str
        A name of :data:`SPECIFICATIONS`.

    Returns
    -------
    Specification

    Examples
    --------
    >>> specification("stock_income_gap").formula
    'stock ~ income_gap | pair + destination^year'
    """
    for spec in SPECIFICATIONS:
        if spec.name == name:
            return spec
    raise EstimationError(f"unknown gravity specification {name!r}; expected one of "
                          f"{', '.join(s.name for s in SPECIFICATIONS)}")


@dataclass(frozen=True)
class Fit:
    """A fitted specification: the estimates, their covariance, what was dropped and why, and the sample."""

    spec: Specification
    terms: pd.DataFrame          # term, estimate, std_error, p_value, ci_low, ci_high
    vcov: pd.DataFrame           # term_a, term_b, value (clustered by spec.cluster)
    n_input: int
    n_missing: int               # dropped before the fit: a covariate or fixed-effect column missing
    n_separated: int             # dropped by the separation checks
    n_singleton: int             # dropped as singletons of a fixed effect
    n_obs: int
    n_clusters: int
    pseudo_r2: float
    deviance: float
    seconds: float
    absorbed: tuple[str, ...] = ()   # regressors collinear with the fixed effects (not estimated)
    sample: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)  # kept rows, with ``fitted``

    @property
    def n_dropped(self) -> int:
        return self.n_missing + self.n_separated + self.n_singleton


def ppml(frame: pd.DataFrame, spec: Specification) -> Fit:
    """Fit ``spec`` by PPML with its fixed effects, pair-clustered errors and separation checks.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per observation with the columns ``spec.columns`` (outcome >= 0; the cluster column, usually
        ``pair``). Rows with a missing value in any of them are dropped and counted (``n_missing``).
    spec : Specification
        What to fit (:data:`SPECIFICATIONS`, or one of your own).

    Returns
    -------
    Fit
        Estimates with clustered standard errors, p-values and 95 % intervals; their covariance; the counts of
        observations used and dropped (missing, separated, singletons); pseudo R2 (``1 - loglik/loglik_null``);
        the estimation sample with its ``fitted`` values.

    Raises
    ------
    EstimationError
        No observation left, a negative outcome, or no regressor identified.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> toy = pd.DataFrame([(o, d) for o in "ABCDEF" for d in "ABCDEF" if o != d], columns=["origin", "destination"])
    >>> toy["pair"] = toy["origin"] + ">" + toy["destination"]
    >>> toy["log_distance"] = rng.uniform(5, 9, len(toy))
    >>> toy["stock"] = rng.poisson(np.exp(12 - 1.2 * toy["log_distance"]))
    >>> spec = Specification("toy", "cross_section", "stock", ("log_distance",), ("origin", "destination"), "toy")
    >>> fit = ppml(toy, spec)
    >>> fit.n_obs, fit.terms["term"].tolist()
    (30, ['log_distance'])
    >>> bool(-2 < fit.terms["estimate"].iloc[0] < -0.5)
    True
    """
    import pyfixest as pf
    from pyfixest.demeaners import MapDemeaner

    started = time.perf_counter()
    missing_columns = [c for c in spec.columns if c not in frame.columns]
    if missing_columns:
        raise EstimationError(f"{spec.name}: the model frame has no column {', '.join(missing_columns)}")
    ids = [c for c in ("origin", "destination", "year") if c in frame.columns and c not in spec.columns]
    data = frame[[*spec.columns, *ids]].dropna(subset=spec.columns).reset_index(drop=True)
    n_input, n_missing = len(frame), len(frame) - len(data)
    if (data[spec.outcome] < 0).any():
        raise EstimationError(f"{spec.name}: {spec.outcome} is negative in {(data[spec.outcome] < 0).sum()} rows; "
                              "PPML needs counts or amounts >= 0")
    if data.empty or not (data[spec.outcome] > 0).any():
        raise EstimationError(f"{spec.name}: no observation with a positive {spec.outcome} after dropping "
                              f"{n_missing} rows with missing values")
    _check_degrees_of_freedom(data, spec)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyfixest warns of separated rows; they are counted, not printed
        try:
            fit = pf.fepois(spec.formula, data, vcov={"CRV1": spec.cluster}, separation_check=list(spec.separation),
                            fixef_rm="singleton", iwls_tol=IRLS_TOL, iwls_maxiter=100,
                            demeaner=MapDemeaner(fixef_tol=FIXEF_TOL, fixef_maxiter=100_000))
        except Exception as exc:  # pyfixest raises ValueError/RuntimeError (all collinear, no variation, ...)
            raise EstimationError(f"{spec.name}: pyfixest could not fit {spec.formula!r} on {len(data)} rows: "
                                  f"{exc}") from exc
    names = [str(c) for c in fit._coefnames]
    if not names:
        raise EstimationError(f"{spec.name}: every regressor is collinear with the fixed effects")
    tidy = fit.tidy()
    terms = pd.DataFrame({"term": names, "estimate": tidy["Estimate"].to_numpy(float),
                          "std_error": tidy["Std. Error"].to_numpy(float), "p_value": tidy["Pr(>|t|)"].to_numpy(float),
                          "ci_low": tidy["2.5%"].to_numpy(float), "ci_high": tidy["97.5%"].to_numpy(float)})
    v = np.asarray(fit._vcov, float)
    vcov = pd.DataFrame([(a, b, v[i, j]) for i, a in enumerate(names) for j, b in enumerate(names)],
                        columns=["term_a", "term_b", "value"])
    sample = fit._data.copy()
    sample["fitted"] = np.asarray(fit.predict(type="response"), float)
    n_separated = int(getattr(fit, "n_separation_na", 0) or 0)
    return Fit(spec=spec, terms=terms, vcov=vcov, n_input=n_input, n_missing=n_missing, n_separated=n_separated,
               n_singleton=len(data) - n_separated - int(fit._N), n_obs=int(fit._N),
               n_clusters=int(sample[spec.cluster].nunique()), pseudo_r2=float(fit._pseudo_r2),
               deviance=float(fit.deviance), seconds=time.perf_counter() - started,
               absorbed=tuple(r for r in spec.regressors if r not in names), sample=sample)


def _check_degrees_of_freedom(data: pd.DataFrame, spec: Specification) -> None:
    """Refuse a sample with no more positive observations than fixed-effect levels and regressors among them.

    Why before pyfixest: on such samples (the tiny generated mirrors) separation and singleton removal leave
    nothing, and pyfixest's compiled demeaner aborts the process instead of raising."""
    positive = data[data[spec.outcome] > 0]
    levels = sum(len(positive[term.split("^")].drop_duplicates()) for term in spec.fixed_effects)
    if len(positive) <= levels + len(spec.regressors):
        raise EstimationError(f"{spec.name}: {len(positive)} positive observations cannot identify {levels} "
                              f"fixed-effect levels and {len(spec.regressors)} regressors")


def fit_rows(fit: Fit, *, revision: str, year_start: int, year_end: int, sources: str,
             data_revisions: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows of ``model_fit`` and ``model_vcov`` for one fit.

    Parameters
    ----------
    fit : Fit
        A result of :func:`ppml`.
    revision : str
        The revision of the outcome's data (IMS revision of the stocks).
    year_start, year_end : int
        The cross-section's year (both), the flow period, or the panel's first and last year.
    sources, data_revisions : str
        Source ids read (comma-separated) and their revisions, as text for the reader.

    Returns
    -------
    tuple of pandas.DataFrame
        ``model_fit`` rows (one per term) and ``model_vcov`` rows (one per pair of terms).

    Examples
    --------
    >>> spec = Specification("toy", "cross_section", "stock", ("x",), ("origin",), "toy")
    >>> fit = Fit(spec, pd.DataFrame({"term": ["x"], "estimate": [0.5], "std_error": [0.1], "p_value": [0.0],
    ...           "ci_low": [0.3], "ci_high": [0.7]}), pd.DataFrame({"term_a": ["x"], "term_b": ["x"],
    ...           "value": [0.01]}), 10, 1, 0, 0, 9, 9, 0.4, 3.0, 0.1)
    >>> rows, vcov = fit_rows(fit, revision="2024", year_start=2024, year_end=2024, sources="s", data_revisions="r")
    >>> int(rows.loc[0, "n_dropped"]), float(vcov.loc[0, "value"])
    (1, 0.01)
    """
    spec = fit.spec
    key = {"specification": spec.name, "revision": revision, "year_start": year_start, "year_end": year_end}
    rows = fit.terms.assign(**key, n_obs=fit.n_obs, n_input=fit.n_input, n_dropped=fit.n_dropped,
                            n_missing=fit.n_missing, n_separated=fit.n_separated, n_singleton=fit.n_singleton,
                            n_clusters=fit.n_clusters, pseudo_r2=fit.pseudo_r2, deviance=fit.deviance,
                            fixed_effects=" + ".join(spec.fixed_effects), clustered_by=spec.cluster,
                            absorbed=", ".join(fit.absorbed) or None, seconds=fit.seconds, sources=sources,
                            data_revisions=data_revisions)
    return rows, fit.vcov.assign(**key)
