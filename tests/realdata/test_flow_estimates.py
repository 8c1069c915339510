"""The flows step of the build on the real releases: completeness, non-negativity and the exact
stock-differencing identity."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.realdata

METHODS = {"sd_drop_neg", "sd_rev_neg", "mig_rate", "da_min_open", "da_min_closed", "da_pb_closed"}


def test_every_revision_period_sex_and_method_is_estimated(observatory) -> None:
    runs = observatory.flow_runs()
    assert set(runs["method"]) == METHODS
    periods = runs.groupby("stock_revision")["period_start"].unique()
    assert sorted(periods["2024"]) == [1990, 1995, 2000, 2005, 2010, 2015, 2020]
    assert sorted(periods["2020"]) == [1990, 1995, 2000, 2005, 2010, 2015]
    assert len(runs) == (7 + 6) * 3 * 6
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
        JOIN (SELECT stock_revision, method, sex, period_start, sum(flow) AS total FROM flow_estimate GROUP BY ALL) f
          USING (stock_revision, method, sex, period_start)""")
    assert len(joined) == (7 + 6) * 3 * 6  # every run has stored flows
    diff = joined[(joined["total_flow"] - joined["total"]).abs() > 1e-6 * joined["total_flow"]]
    assert diff.empty, diff.head()


def test_sd_drop_neg_is_the_sum_of_positive_stock_increases(observatory) -> None:
    """sd_drop_neg equals, exactly, the sum of positive increases of bilateral stocks between the two ends of
    each period, over the destinations published at both ends and excluding the unspecified origin."""
    check = observatory.sql("""
        WITH periods AS (
            SELECT DISTINCT stock_revision AS revision, sex, period_start, period_end FROM flow_estimate_run
        ), present AS (
            SELECT p.revision, p.sex, p.period_start, s.destination AS iso3
            FROM periods p JOIN migrant_stock s ON s.revision = p.revision AND s.sex = p.sex
                                           AND s.year IN (p.period_start, p.period_end)
            GROUP BY ALL HAVING count(DISTINCT s.year) = 2
        ), cells AS (
            SELECT p.revision, p.sex, p.period_start, s.origin, s.destination,
                   sum(CASE WHEN s.year = p.period_end THEN s.persons ELSE -s.persons END) AS change
            FROM periods p JOIN migrant_stock s ON s.revision = p.revision AND s.sex = p.sex
                                           AND s.year IN (p.period_start, p.period_end)
            WHERE s.origin <> 'XXX' AND s.origin <> s.destination
              AND (p.revision, p.sex, p.period_start, s.destination) IN (SELECT * FROM present)
              AND (p.revision, p.sex, p.period_start, s.origin) IN (SELECT * FROM present)
            GROUP BY ALL
        ), expected AS (
            SELECT revision, sex, period_start, sum(greatest(change, 0)) AS increase FROM cells GROUP BY ALL
        ), estimated AS (
            SELECT stock_revision AS revision, sex, period_start, sum(flow) AS flow FROM flow_estimate
            WHERE method = 'sd_drop_neg' AND origin <> 'XXX' GROUP BY ALL
        )
        SELECT e.*, f.flow FROM expected e JOIN estimated f USING (revision, sex, period_start)""")
    assert len(check) == (7 + 6) * 3
    assert (check["increase"].astype(float) == check["flow"]).all(), check[check["increase"] != check["flow"]]


def test_flows_api_filters(observatory) -> None:
    df = observatory.flows(revision="2020", method="da_min_closed", period=2015, sex="female", origin="MEX")
    assert len(df) > 0
    assert set(df["origin"]) == {"MEX"}
    assert set(df["period_end"]) == {2020}
    with pytest.raises(ValueError, match="unknown method"):
        observatory.flows(method="gravity")
