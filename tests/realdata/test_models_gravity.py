"""The gravity models of the real build: spec (a) 2024 has the literature's signs, every fit counts its dropped
rows, the fits reach readers through the query path, and scenarios answer or refuse outside the data's support."""

from __future__ import annotations

import pytest

from migdev.errors import EstimationError, QueryError
from migdev.query import run

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def fits(observatory):
    return run("model_fit", db=observatory, specification="all").frame


def test_stock_gravity_2024_has_the_literature_signs(observatory) -> None:
    frame = run("model_fit", db=observatory, specification="stock_gravity", year=2024).frame.set_index("term")
    assert frame.loc["log_distance", "estimate"] < 0
    assert frame.loc["contiguous", "estimate"] > 0 and frame.loc["common_language", "estimate"] > 0
    for term in ("log_distance", "contiguous", "common_language"):  # each clearly away from zero
        assert abs(frame.loc[term, "estimate"]) > 2 * frame.loc[term, "std_error"] > 0
    assert (frame["n_obs"] > 40_000).all() and (frame["clustered_by"] == "pair").all()
    assert frame["identification"].str.contains("bilateral").all()


def test_every_fit_counts_what_it_dropped(fits) -> None:
    assert set(fits["specification"]) == {"stock_gravity", "stock_income_gap", "stock_income_gap_year",
                                          "flow_gravity"}
    assert (fits["n_input"] == fits["n_obs"] + fits["n_dropped"]).all()
    assert (fits["n_dropped"] == fits["n_missing"] + fits["n_separated"] + fits["n_singleton"]).all()
    panel = fits[fits["specification"] == "stock_income_gap"].iloc[0]
    assert (panel["year_start"], panel["year_end"]) == (1990, 2024)
    assert panel["n_separated"] > 0  # pairs with no migrant in any year
    assert len(fits[fits["specification"] == "stock_gravity"]) == 8 * 4  # 8 IMS years x 4 terms


def test_the_fits_carry_their_sources(observatory) -> None:
    answer = run("model_fit", db=observatory, specification="stock_income_gap")
    ids = {s.source_id for s in answer.sources}
    assert {"ims2024_bilateral", "wdi_long", "geodist_pairs"} <= ids


def test_ethiopia_scenario_answers_with_a_band(observatory) -> None:
    answer = observatory.scenario_answer("ETH", 0.3, 10)
    total = answer.frame[answer.frame["level"] == "total"].iloc[0]
    assert total["change_low"] <= total["change"] <= total["change_high"]
    assert total["stock"] > 500_000
    corridors = answer.frame[answer.frame["level"] == "corridor"]
    assert abs(corridors["change"].sum() - total["change"]) < 1e-6 * total["stock"]
    assert any("not a causal forecast" in n for n in answer.notes)
    assert {"ims2024_bilateral", "wdi_long"} <= {s.source_id for s in answer.sources}


def test_a_region_grows_as_one(observatory) -> None:
    frame = observatory.scenario("Eastern Africa", 0.3, 10)
    corridors = frame[frame["level"] == "corridor"]
    assert corridors["origin"].nunique() > 5
    inside = corridors[corridors["destination"].isin(set(corridors["origin"]))]
    assert len(inside) and (inside["change"] == 0).all()  # a corridor within the region keeps its gap


@pytest.mark.parametrize(("origin", "growth", "years", "error", "says"), [
    ("VEN", 0.3, 10, EstimationError, "no income data"),
    ("ETH", 9.0, 10, EstimationError, "outside what the panel saw"),
    ("ETH", 0.3, 50, EstimationError, "between 1 and 34"),
    ("ETH", -1.5, 10, EstimationError, "above -1"),
    ("Atlantis", 0.3, 10, QueryError, "unknown origin"),
])
def test_scenarios_outside_the_support_are_refused(observatory, origin, growth, years, error, says) -> None:
    with pytest.raises(error, match=says):
        observatory.scenario(origin, growth, years)
