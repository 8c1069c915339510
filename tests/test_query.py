"""The one query path on the generated database: filters by name and group, aggregation, shares, conditions,
sorting, the wide matrix, provenance, and refusals that say what the table holds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import migdev
from migdev.api import Observatory
from migdev.errors import QueryError
from migdev.query import QUERIES, run


@pytest.fixture(scope="module")
def obs(small_db: Path) -> Iterator[Observatory]:
    with migdev.open(small_db) as o:
        yield o


def test_places_by_name_and_group(obs: Observatory) -> None:
    a = run("stock", obs, origin="Mexique", destination="Europe", year=2024, sex="total")
    assert a.frame[["origin", "destination", "persons"]].values.tolist() == [["MEX", "FRA", 13_900]]
    assert a.query["filters"]["destination"][0] == {"asked": "Europe", "code": "m49:908", "name": "Europe",
                                                    "kind": "Geographic region"}
    world = run("stock", obs, destination="WLD", year=2024, sex="total").frame
    assert len(world) == 6 and "XXX" in set(world["origin"])  # WLD is everything, the unspecified origin too


def test_shares_are_of_the_whole_origin(obs: Observatory) -> None:
    f = run("stock", obs, origin="MEX", destination="USA", year=2024, sex="total").frame
    assert f["origin_total"].tolist() == [11_279_561 + 13_900]
    assert f["share_of_origin"].iloc[0] == pytest.approx(11_279_561 / (11_279_561 + 13_900))
    usa = 11_279_561 + 3_186_999 + 1_600_000 + 215_000
    assert f["share_of_destination"].iloc[0] == pytest.approx(11_279_561 / usa)


def test_by_aggregates_and_keeps_totals_whole(obs: Observatory) -> None:
    f = run("stock", obs, origin=["MEX", "IND"], destination="USA", year=2024, by="sex").frame
    total = f.set_index("sex").loc["total"]
    assert total["persons"] == 11_279_561 + 3_186_999 and total["origin"] == "MEX,IND"
    assert total["origin_name"] == "Mexico + India"
    assert total["origin_total"] == 11_279_561 + 13_900 + 3_186_999 + 104_000  # all their emigrants, not only USA
    by_region = run("stock", obs, origin="MEX", year=2024, sex="total", by="destination_region").frame
    assert dict(zip(by_region["destination"], by_region["persons"], strict=True)) == {"m49:905": 11_279_561,
                                                                                      "m49:908": 13_900}
    with pytest.raises(QueryError, match="unknown by 'continent'"):
        run("stock", obs, year=2024, by="continent")
    with pytest.raises(QueryError, match="no additive measure"):
        run("wdi", obs, by="region")


def test_where_sort_top_wide(obs: Observatory) -> None:
    top = run("stock", obs, year=2024, sex="total", where="origin != XXX", sort="persons", top=2).frame
    assert top["persons"].tolist() == [11_279_561, 3_186_999]
    smallest = run("stock", obs, year=2024, sex="total", sort="+persons", top=1).frame
    assert smallest["persons"].tolist() == [13_900]
    more = run("totals", obs, year=2024, sex="total", where="emigrants > immigrants").frame
    every = run("totals", obs, year=2024, sex="total").frame
    expected = every[(every["emigrants"] > every["immigrants"]).fillna(False).astype(bool)]
    assert more["iso3"].tolist() == expected["iso3"].tolist() and 0 < len(more) < len(every)
    assert "XXX" not in set(more["iso3"])  # no immigrants: a missing side is not a match
    wide = run("stock", obs, year=2024, sex="total", origin=["MEX", "IND"], wide=True).frame
    assert wide.set_index("origin").loc["MEX", "USA"] == 11_279_561 and "origin_name" not in wide.columns
    with pytest.raises(QueryError, match="cannot read the condition"):
        run("stock", obs, where="persons >>> 3")
    with pytest.raises(QueryError, match="cannot sort by 'nope'"):
        run("stock", obs, sort="nope")


def test_names_in_other_languages(obs: Observatory) -> None:
    f = run("stock", obs, origin="MEX", destination="USA", year=2024, sex="total", lang="fr").frame
    assert f[["origin_name", "destination_name"]].values.tolist() == [["Mexique", "États-Unis"]]
    with pytest.raises(QueryError, match="unknown language 'xx'"):
        run("stock", obs, lang="xx")


def test_provenance_follows_the_revision(obs: Observatory) -> None:
    assert [s.source_id for s in run("stock", obs, year=2020).sources] == ["ims2024_bilateral"]
    assert [s.source_id for s in run("stock", obs, revision=2020).sources] == ["ims2020_bilateral"]
    a = obs.answer("totals", year=2024)
    assert {s.source_id for s in a.sources} >= {"ims2024_destination"}
    assert all(s.licence and s.citation and len(s.sha256) == 64 for s in a.sources)
    framed = obs.totals(year=2024)
    assert framed.attrs["query"]["filters"]["revision"] == ["2024"] and framed.attrs["sources"]


def test_refusals_name_what_is_held(obs: Observatory, small_db: Path) -> None:
    with pytest.raises(QueryError, match=r"year 2023 not in migrant_stock revision 2024; it holds 2020, 2024"):
        run("stock", obs, year=2023)
    with pytest.raises(QueryError, match=r"unknown filter 'colour' for stock; expected one of revision"):
        run("stock", obs, colour="red")
    with pytest.raises(QueryError, match=r"unknown query 'stocks'; expected one of stock"):
        run("stocks", obs)
    with pytest.raises(QueryError, match=r"indicator 'stock_nope'"):
        run("indicators", obs, indicator="stock_nope")
    shares = run("indicators", obs, indicator="stock_immigrant_share").frame  # the build's indicators step
    assert len(shares) and shares["value"].dropna().between(0, 1).all()
    empty = run("stock", small_db, origin="USA", destination="MEX")  # a path works as db, too
    assert empty.frame.empty and "an absent pair" not in empty.notes[0]
    assert empty.notes[0].startswith("no rows match these filters: the UN publishes only corridors")


def test_every_query_has_help_and_known_filters() -> None:
    for q in QUERIES.values():
        assert q.help and q.order and q.filters
        assert all(f.kind in ("place", "choice", "number") and f.help for f in q.filters)
        assert set(q.keep) | set(q.places) | set(q.measures) >= set(q.order) - {"indicator", "age_group", "asylum",
                                                                                "rank"}


def test_a_table_the_build_did_not_make_is_named(small_mirror, tmp_path: Path) -> None:
    from migdev import pipeline

    db = tmp_path / "no_indicators.duckdb"
    pipeline.build(db, sources=small_mirror[1], skip=("indicators",))
    with pytest.raises(QueryError, match="the build has no indicators step yet"):
        run("indicators", db)
