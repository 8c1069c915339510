"""The flows step of the build on the real releases: completeness, non-negativity and the exact
stock-differencing identity."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.realdata

METHODS = {"sd_drop_neg", "sd_rev_neg", "mig_rate", "da_min_open", "da_min_closed", "da_pb_closed"}


RUNS = (7 + 6 + 6) * 3 * 6  # bases IMS 2024 + WPP 2024, IMS 2020 + WPP 2024, IMS 2020 + WPP 2022


def test_every_basis_period_sex_and_method_is_estimated(observatory) -> None:
    runs = observatory.flow_runs()
    assert set(runs["method"]) == METHODS
    periods = runs.groupby(["stock_revision", "vital_revision"])["period_start"].unique()
    assert sorted(periods[("2024", "2024")]) == [1990, 1995, 2000, 2005, 2010, 2015, 2020]
    assert sorted(periods[("2020", "2024")]) == [1990, 1995, 2000, 2005, 2010, 2015]
    assert sorted(periods[("2020", "2022")]) == [1990, 1995, 2000, 2005, 2010, 2015]
    assert len(runs) == RUNS
    assert (runs["total_flow"] > 0).all()
    assert set(runs.loc[runs["period_start"] == 2020, "period_end"]) == {2024}


def test_flows_are_non_negative_and_known_codes(observatory) -> None:
    bad = observatory.sql("""SELECT count(*) AS n FROM flow_estimate f
        WHERE flow < 0 OR origin NOT IN (SELECT iso3 FROM country) OR destination NOT IN (SELECT iso3 FROM country)
           OR origin = destination""")
    assert int(bad["n"].iloc[0]) == 0


def test_stored_totals_equal_run_totals(observatory) -> None:
    joined = observatory.sql("""
        SELECT r.stock_revision, r.method, r.sex, r.period_start, r.total_flow, f.total FROM flow_estimate_run r
        JOIN (SELECT stock_revision, vital_revision, method, sex, period_start, sum(flow) AS total
              FROM flow_estimate GROUP BY ALL) f
          USING (stock_revision, vital_revision, method, sex, period_start)""")
    assert len(joined) == RUNS  # every run has stored flows
    diff = joined[joined["total_flow"] != joined["total"]]  # whole persons: the run total is the stored sum
    assert diff.empty, diff.head()


def test_sd_drop_neg_is_the_sum_of_positive_stock_increases(observatory) -> None:
    """sd_drop_neg equals, exactly, the sum of positive increases of bilateral stocks between the two ends of
    each period, over the account's areas (``flow_adjustment`` lists them: published at both ends, with a
    population) and excluding the unspecified origin; for the periods from 2010, before which the merged split
    countries sum cells."""
    check = observatory.sql("""
        WITH areas AS (
            SELECT DISTINCT stock_revision AS revision, vital_revision, sex, period_start, period_end, iso3
            FROM flow_adjustment WHERE period_start >= 2010
        ), cells AS (
            SELECT a.revision, a.vital_revision, a.sex, a.period_start, s.origin, s.destination,
                   sum(CASE WHEN s.year = a.period_end THEN s.persons ELSE -s.persons END) AS change
            FROM areas a JOIN migrant_stock s ON s.revision = a.revision AND s.sex = a.sex
                          AND s.year IN (a.period_start, a.period_end) AND s.destination = a.iso3
            WHERE s.origin <> s.destination AND (a.revision, a.vital_revision, a.sex, a.period_start, s.origin)
                  IN (SELECT revision, vital_revision, sex, period_start, iso3 FROM areas)
            GROUP BY ALL
        ), expected AS (
            SELECT revision, vital_revision, sex, period_start, sum(greatest(change, 0)) AS increase
            FROM cells GROUP BY ALL
        ), estimated AS (
            SELECT stock_revision AS revision, vital_revision, sex, period_start, sum(flow) AS flow
            FROM flow_estimate WHERE method = 'sd_drop_neg' AND period_start >= 2010 GROUP BY ALL
        )
        SELECT e.*, f.flow FROM expected e JOIN estimated f USING (revision, vital_revision, sex, period_start)""")
    assert len(check) == (3 + 2 + 2) * 3
    assert (check["increase"].astype(float) == check["flow"]).all(), check[check["increase"] != check["flow"]]


def test_flows_api_filters(observatory) -> None:
    df = observatory.flows(revision="2020", method="da_min_closed", period=2015, sex="female", origin="MEX")
    assert len(df) > 0
    assert set(df["origin"]) == {"MEX"}
    assert set(df["period_end"]) == {2020}
    assert set(df["vital_revision"]) == {"2024"}
    rates = observatory.flows(revision="2024", period=2020, sex="total", destination="DEU", per_year=True)
    whole = observatory.flows(revision="2024", period=2020, sex="total", destination="DEU")
    assert set(rates["years"]) == {4}
    assert (rates["flow_per_year"].to_numpy() == whole["flow"].to_numpy() / 4).all()
    assert set(whole["method"]) == {"da_pb_closed"}  # the recommended estimate by default
    with pytest.raises(ValueError, match="unknown method"):
        observatory.flows(method="gravity")
