"""Issue 6's figures read back from the built database: every product loaded, every code a country, the
headline numbers of each new source as a user would query them."""

from __future__ import annotations

import pytest

from migdev.sources import PRODUCTS
from migdev.sources.policy_sdg import sdg_10_7_2_share
from migdev.sources.rpw import MEAN_LABEL, simple_mean_cost

pytestmark = pytest.mark.realdata


def test_every_product_and_table_is_loaded(observatory) -> None:
    loaded = set(observatory.sources()["product"])
    assert loaded == {p.RELEASES.name for p in PRODUCTS}
    counts = {t: observatory.sql(f"SELECT count(*) AS n FROM {t}")["n"].iloc[0]
              for p in PRODUCTS for t in p.RELEASES.tables}
    empty = sorted(t for t, n in counts.items() if n == 0)
    assert not empty, empty


def test_no_code_is_unmatched(observatory) -> None:
    assert observatory.unmatched().empty, observatory.unmatched()


def test_knomad_top_corridor_every_edition(observatory) -> None:
    top = observatory.sql("""SELECT edition, arg_max(sender || '->' || receiver, usd) AS corridor, max(usd) AS usd
                             FROM remittance_bilateral GROUP BY edition ORDER BY edition""")
    assert top["edition"].tolist() == [2016, 2017, 2018, 2021]
    assert set(top["corridor"]) == {"USA->MEX"}
    assert round(top["usd"].iloc[-1] / 1e9, 1) == 52.6


def test_tajikistan_remittances_share_of_gdp_is_derived(observatory) -> None:
    row = observatory.sql("""SELECT w.value, w.vintage, i.basis FROM wdi w JOIN wdi_indicator i USING (indicator)
                             WHERE iso3 = 'TJK' AND year = 2022 AND indicator = 'BX.TRF.PWKR.DT.GD.ZS'""")
    assert abs(row["value"].iloc[0] - 49.9) <= 0.5
    assert row["vintage"].iloc[0].startswith("derived_")
    assert row["basis"].iloc[0].startswith("derived, not the World Bank's published series")
    # the ratio is what the published series give
    parts = observatory.sql("""SELECT indicator, value FROM wdi WHERE iso3 = 'TJK' AND year = 2022
                               AND indicator IN ('BX.TRF.PWKR.CD.DT', 'NY.GDP.MKTP.CD')""").set_index("indicator")
    ratio = 100 * parts.at["BX.TRF.PWKR.CD.DT", "value"] / parts.at["NY.GDP.MKTP.CD", "value"]
    assert ratio == pytest.approx(row["value"].iloc[0], rel=1e-9)


def test_refugees_2022_top_three_origins(observatory) -> None:
    top = observatory.sql("""SELECT origin, sum(persons) AS persons FROM refugee
                             WHERE year = 2022 AND population_type = 'refugees'
                             GROUP BY origin ORDER BY persons DESC LIMIT 3""")
    assert top["origin"].tolist() == ["SYR", "UKR", "AFG"]


def test_guyana_high_skill_emigration_2010(observatory) -> None:
    rate = observatory.sql("""SELECT rate FROM skilled_emigration WHERE origin = 'GUY' AND year = 2010
                              AND sex = 'total' AND education = 'high'""")["rate"].iloc[0]
    assert rate == pytest.approx(0.995, abs=0.001)


def test_sdg_10_7_2_from_the_stored_ratings(observatory) -> None:
    ratings = observatory.sql("SELECT year, iso3, domain, rating FROM policy_rating")
    share, n = sdg_10_7_2_share(ratings, 2021)
    assert (round(100 * share, 1), n) == (62.3, 138)
    share, n = sdg_10_7_2_share(ratings, 2019)
    assert (round(100 * share, 1), n) == (54.1, 111)


def test_rpw_latest_quarter_simple_mean_is_labelled(observatory) -> None:
    cost = observatory.sql("SELECT * FROM remittance_cost")
    latest = max(cost["period"])
    mean = simple_mean_cost(cost, latest)
    assert latest == "2025Q1"
    assert mean["label"].iloc[0] == MEAN_LABEL and "not RPW's published Global Average" in MEAN_LABEL
    assert 0 < mean["mean_cost_pct_200"].iloc[0] < 30 and mean["corridors"].iloc[0] == 279
