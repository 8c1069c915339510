"""PPML gravity fits on generated data: against statsmodels' dummy-variable Poisson GLM, separation, dropped rows,
identification of the income gap, and the invariants of PPML with fixed effects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migdev.errors import EstimationError
from migdev.models.gravity import GRAVITY_TERMS, SPECIFICATIONS, Specification, fit_rows, ppml, specification

CROSS = specification("stock_gravity")


def pairs(n: int, seed: int, years: tuple[int, ...] = (2000,)) -> pd.DataFrame:
    """Every ordered pair of ``n`` places and year, with gravity covariates and a Poisson stock."""
    rng = np.random.default_rng(seed)
    codes = [f"C{i:02d}" for i in range(n)]
    frame = pd.DataFrame([(y, o, d) for y in years for o in codes for d in codes if o != d],
                         columns=["year", "origin", "destination"])
    frame["pair"] = frame["origin"] + ">" + frame["destination"]
    per_pair = frame.drop_duplicates("pair").set_index("pair")
    covariates = pd.DataFrame({"log_distance": rng.uniform(5, 9, len(per_pair)),
                               "contiguous": rng.binomial(1, 0.2, len(per_pair)).astype(float),
                               "common_language": rng.binomial(1, 0.3, len(per_pair)).astype(float),
                               "colony": rng.binomial(1, 0.15, len(per_pair)).astype(float)}, index=per_pair.index)
    frame = frame.join(covariates, on="pair")
    push = dict(zip(codes, rng.normal(0, 1, n), strict=True))
    pull = dict(zip(codes, rng.normal(0, 1, n), strict=True))
    eta = (9 - 1.1 * frame["log_distance"] + 0.8 * frame["contiguous"] + 0.5 * frame["common_language"]
           + 0.9 * frame["colony"] + frame["origin"].map(push) + frame["destination"].map(pull))
    frame["stock"] = rng.poisson(np.exp(eta)).astype(float)
    return frame


def glm_dummies(frame: pd.DataFrame, terms: tuple[str, ...]) -> pd.Series:
    """The same model as statsmodels' Poisson GLM, the fixed effects as dummies (the reference)."""
    dummies = pd.get_dummies(frame[["origin", "destination"]], drop_first=True, dtype=float)
    x = sm.add_constant(pd.concat([frame[list(terms)], dummies], axis=1))
    res = sm.GLM(frame["stock"], x, family=sm.families.Poisson()).fit(tol=1e-13, maxiter=200)
    return res.params[list(terms)]


def test_coefficients_match_a_dummy_variable_poisson_glm() -> None:
    frame = pairs(14, seed=3)
    fit = ppml(frame, CROSS)
    reference = glm_dummies(frame, GRAVITY_TERMS)
    ours = fit.terms.set_index("term")["estimate"]
    relative = ((ours - reference).abs() / reference.abs()).max()
    assert relative <= 1e-6, f"largest relative difference {relative:.2e}\n{ours}\n{reference}"
    assert fit.n_obs == len(frame) and fit.n_dropped == 0
    assert 0 < fit.pseudo_r2 < 1


def test_a_perfectly_separated_pair_is_dropped_and_counted() -> None:
    frame = pairs(10, seed=5, years=(1990, 2000, 2010))
    frame["income_gap"] = np.random.default_rng(0).normal(0, 1, len(frame))
    frame["stock"] += 1.0
    separated = frame["pair"] == "C01>C02"
    frame.loc[separated, "stock"] = 0.0  # zero in every year: its pair effect would run to minus infinity
    spec = Specification("panel", "panel", "stock", ("income_gap",), ("pair", "destination^year"), "test",
                         separation=("fe",))
    fit = ppml(frame, spec)
    assert fit.n_separated == separated.sum() == 3
    assert fit.n_obs == len(frame) - 3 and "C01>C02" not in set(fit.sample["pair"])
    without = ppml(frame[~separated], spec)
    assert np.isclose(fit.terms["estimate"].iloc[0], without.terms["estimate"].iloc[0], rtol=1e-9)
    assert without.n_separated == 0


def test_separation_by_a_regressor_is_found_by_the_iterative_rectifier() -> None:
    frame = pairs(12, seed=7)
    frame["stock"] += 1.0
    zero = frame.index[:3]
    frame["colony"] = 0.0
    frame.loc[zero, ["colony", "stock"]] = [1.0, 0.0]  # colony = 1 only where the stock is 0: separated
    fit = ppml(frame, CROSS)
    assert fit.n_separated == 3
    assert fit.absorbed == ("colony",)  # all zero once the separated rows are out
    assert np.isfinite(fit.terms["estimate"]).all()


def test_missing_covariates_are_dropped_and_counted() -> None:
    frame = pairs(8, seed=1)
    frame.loc[:4, "log_distance"] = np.nan
    fit = ppml(frame, CROSS)
    assert (fit.n_missing, fit.n_obs, fit.n_input) == (5, len(frame) - 5, len(frame))
    rows, vcov = fit_rows(fit, revision="2024", year_start=2000, year_end=2000, sources="s", data_revisions="r")
    assert (rows["n_input"] == rows["n_obs"] + rows["n_dropped"]).all()
    assert len(vcov) == len(GRAVITY_TERMS) ** 2


def test_the_income_gap_is_absorbed_by_origin_year_and_destination_year_effects() -> None:
    """Why stock_income_gap has no origin-year effects: log(GNI_d/GNI_o) is a destination-year term minus an
    origin-year term, so the full multilateral-resistance set of effects leaves nothing to identify it."""
    years = (1990, 2000, 2010)
    frame = pairs(9, seed=2, years=years)
    rng = np.random.default_rng(4)
    gni = {(c, y): rng.normal(9, 1) for c in frame["origin"].unique() for y in years}
    frame["income_gap"] = [gni[(d, y)] - gni[(o, y)] for o, d, y in
                           frame[["origin", "destination", "year"]].itertuples(index=False)]
    full = Specification("mr", "panel", "stock", ("income_gap",), ("pair", "origin^year", "destination^year"), "x",
                         separation=("fe",))
    with pytest.raises(EstimationError):
        ppml(frame, full)
    identified = ppml(frame, specification("stock_income_gap"))
    assert identified.terms["term"].tolist() == ["income_gap"]


def test_negative_outcomes_and_empty_frames_are_refused() -> None:
    frame = pairs(6, seed=0)
    with pytest.raises(EstimationError, match="negative"):
        ppml(frame.assign(stock=-frame["stock"]), CROSS)
    with pytest.raises(EstimationError, match="positive"):
        ppml(frame.assign(stock=0.0), CROSS)
    with pytest.raises(EstimationError, match="no column"):
        ppml(frame.drop(columns="colony"), CROSS)
    with pytest.raises(EstimationError, match="expected one of"):
        specification("ols")


def test_every_specification_names_its_identification() -> None:
    assert {s.family for s in SPECIFICATIONS} == {"cross_section", "panel", "flows"}
    assert [s.name for s in SPECIFICATIONS if s.scenario] == ["stock_income_gap"]
    assert all(s.identification and s.cluster == "pair" for s in SPECIFICATIONS)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(6, 11), seed=st.integers(0, 10_000), scale=st.floats(0.01, 100))
def test_ppml_keeps_every_fixed_effect_total_and_ignores_the_outcome_scale(n: int, seed: int, scale: float) -> None:
    """PPML's first-order conditions: with origin and destination effects, the fitted values add up to the
    observed totals of every origin and destination (Fally 2015); scaling the outcome moves only the effects."""
    frame = pairs(n, seed)
    frame["stock"] += 1.0
    fit = ppml(frame, CROSS)
    sample = fit.sample
    for side in ("origin", "destination"):
        sums = sample.groupby(side)[["stock", "fitted"]].sum()
        np.testing.assert_allclose(sums["fitted"], sums["stock"], rtol=1e-6)
    scaled = ppml(frame.assign(stock=frame["stock"] * scale), CROSS)
    np.testing.assert_allclose(scaled.terms["estimate"], fit.terms["estimate"], rtol=1e-6, atol=1e-8)


def test_a_sample_too_small_for_its_fixed_effects_is_refused_not_aborted() -> None:
    """The generated mirror's two corridors: pyfixest's compiled demeaner would abort the process."""
    tiny = pd.DataFrame({"origin": ["FRA", "USA"], "destination": ["USA", "FRA"], "pair": ["FRA>USA", "USA>FRA"],
                         "stock": [210_000.0, 0.0], "log_distance": [8.7, 8.7], "contiguous": 0.0,
                         "common_language": 0.0, "colony": 0.0})
    with pytest.raises(EstimationError, match="cannot identify"):
        ppml(tiny, CROSS)
