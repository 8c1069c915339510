"""CEPII GeoDist: pairs and capitals, the tidy copy's recodes, the old codes as proxies, and bad cells."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from migdev.countries import Registry
from migdev.harmonise import Harmoniser
from migdev.sources import gravity
from tests.fixtures import gravity as fx
from tests.sources.contract import SourceContract, _Log
from tests.sources.parse_helpers import expect_error


class TestGravity(SourceContract):
    product = gravity
    fixtures = fx


def _frames(tmp_path: Path, pairs=None, countries=None) -> dict[str, pd.DataFrame]:
    return {"geodist_pairs": gravity.parse(fx.write_pairs(tmp_path / "geodist_pairs.csv", pairs)),
            "geodist_countries": gravity.parse(fx.write_countries(tmp_path / "geodist_countries.csv", countries))}


def _with(places: Registry, *codes: str) -> Registry:
    """The fixture registry plus a few areas (successors of GeoDist's old codes)."""
    country = pd.concat([places.country, pd.DataFrame({"iso3": list(codes)})], ignore_index=True)
    return Registry(country, places.area_group, places.area_group_member)


def _store(frames, places) -> tuple[dict[str, pd.DataFrame], _Log]:
    log = _Log()
    return gravity.to_store(frames, Harmoniser(places, log)), log


def test_parse_pairs(tmp_path: Path) -> None:
    df = _frames(tmp_path)["geodist_pairs"]
    assert list(df.columns) == list(gravity.PAIRS.columns)
    assert len(df) == 36
    cck = df[(df.iso3_o == "CCK") | (df.iso3_d == "CCK")]
    assert cck["distw"].isna().all() and cck["distwces"].isna().all()  # no city data: missing, not 0
    assert df["distw"].notna().sum() == 25
    usa_mex = df[(df.iso3_o == "USA") & (df.iso3_d == "MEX")].iloc[0]
    assert (usa_mex["contig"], usa_mex["comlang_off"], usa_mex["dist"]) == (1, 0, fx.great_circle("USA", "MEX"))


def test_namibia_iso2_is_text_not_missing(tmp_path: Path) -> None:
    rows = fx.countries_rows()
    rows[0][:3] = ["NAM", "NAM", "NA"]
    df = gravity.parse(fx.write_countries(tmp_path / "c.csv", rows))
    assert df.iloc[0]["iso2"] == "NA"


def test_documented_recodes_of_the_tidy_copy(tmp_path: Path) -> None:
    rows = fx.pairs_rows()
    rows[0][0], rows[0][2] = "ROU", "ROM"
    assert gravity.parse(fx.write_pairs(tmp_path / "p.csv", rows)).iloc[0]["cepii_o"] == "ROM"
    rows[0][0], rows[0][2] = "SRB", "YUG"
    expect_error(gravity.parse, fx.write_pairs(tmp_path / "q.csv", rows), row=2, column="iso3_o",
                 text="by no documented recode")


def test_to_store_proxy_and_non_areas(tmp_path: Path, fixture_places) -> None:
    tables, log = _store(_frames(tmp_path), fixture_places)
    pairs = tables["gravity_pair"]
    assert not log.unmatched
    assert sorted(set(pairs["origin"])) == ["FRA", "IND", "MEX", "USA", "XKX"]  # YUG stands for XKX; CCK not loaded
    assert len(pairs) == 25 and list(pairs.columns) == gravity.PAIR_COLUMNS
    by_pair = pairs.set_index(["origin", "destination"])
    assert by_pair.at[("XKX", "USA"), "proxy"] == "YUG-USA"
    assert by_pair.at[("XKX", "USA"), "distance_km"] == fx.great_circle("YUG", "USA")
    assert by_pair.at[("XKX", "XKX"), "proxy"] == "YUG-YUG"
    assert by_pair.at[("XKX", "XKX"), "distance_km"] == fx.PLACES["YUG"][5]
    assert pd.isna(by_pair.at[("USA", "MEX"), "proxy"]) and by_pair.at[("USA", "MEX"), "contiguous"] == 1
    assert by_pair.at[("USA", "IND"), "common_language"] == 1 and by_pair.at[("MEX", "FRA"),
                                                                              "common_ethnic_language"] == 1
    assert by_pair.at[("USA", "FRA"), "distance_weighted_km"] == round(fx.great_circle("USA", "FRA") * 0.92, 3)
    said = " ".join(m for _, m in log.lines)
    assert "CCK not loaded" in said and "YUG stands for XKX (MNE, SRB not in the country registry)" in said


def test_capitals_are_points_but_not_lent_to_successors(tmp_path: Path, fixture_places) -> None:
    tables, log = _store(_frames(tmp_path), fixture_places)
    points = tables["area_point"]
    assert sorted(points["iso3"]) == ["FRA", "IND", "MEX", "USA"]
    assert set(points["basis"]) == {"capital (CEPII)"} and set(points["rank"]) == {2}
    assert points.set_index("iso3").at["FRA", "place"] == "Paris"
    assert any("capital of YUG (Belgrade) is not a point" in m for _, m in log.lines)


def test_pairs_within_one_old_country(tmp_path: Path, fixture_places) -> None:
    tables, log = _store(_frames(tmp_path), _with(fixture_places, "SRB", "MNE"))
    assert not log.unmatched
    by_pair = tables["gravity_pair"].set_index(["origin", "destination"])
    assert len(by_pair) == 7 * 7
    srb_mne = by_pair.loc[("SRB", "MNE")]
    assert srb_mne["proxy"] == "YUG-YUG" and pd.isna(srb_mne["distance_km"])
    assert (srb_mne["contiguous"], srb_mne["same_country"]) == (1, 1) and pd.isna(srb_mne["common_language"])
    assert by_pair.at[("MNE", "MNE"), "distance_km"] == fx.PLACES["YUG"][5]  # the old country's own row
    assert by_pair.at[("SRB", "FRA"), "distance_capital_km"] == fx.great_circle("YUG", "FRA")


def test_sudan_keeps_its_rows_and_lends_them_to_south_sudan(tmp_path: Path, fixture_places) -> None:
    rows = [[c.replace("YUG", "SDN") if isinstance(c, str) else c for c in r] for r in fx.pairs_rows()]
    tables, _ = _store(_frames(tmp_path, pairs=rows), _with(fixture_places, "SDN", "SSD"))
    by_pair = tables["gravity_pair"].set_index(["origin", "destination"])
    assert pd.isna(by_pair.at[("SDN", "USA"), "proxy"]) and by_pair.at[("SSD", "USA"), "proxy"] == "SDN-USA"
    assert by_pair.at[("SSD", "USA"), "distance_km"] == by_pair.at[("SDN", "USA"), "distance_km"]
    assert by_pair.at[("SSD", "SDN"), "contiguous"] == 1 and pd.isna(by_pair.at[("SSD", "SDN"), "distance_km"])
    assert pd.isna(by_pair.at[("SDN", "SDN"), "proxy"])


# ------------------------------------------------------------------------------------------------------- errors
def test_refuses_a_duplicated_pair(tmp_path: Path) -> None:
    rows = fx.pairs_rows()
    rows.insert(3, list(rows[1]))
    expect_error(gravity.parse, fx.write_pairs(tmp_path / "p.csv", rows), row=5, column="iso3_o",
                 text="duplicated key (iso3_o=USA, iso3_d=MEX)")


def test_refuses_a_header_only_file_and_missing_columns(tmp_path: Path) -> None:
    expect_error(gravity.parse, fx.write_pairs(tmp_path / "p.csv", []), row=1, column=None, text="no data rows")
    path = tmp_path / "q.csv"
    path.write_text(fx.write_pairs(tmp_path / "q.csv").read_text().replace(",distwces", ",other"))
    expect_error(gravity.parse, path, row=1, column="distwces", text="missing column")


def test_refuses_empty_and_huge_values(tmp_path: Path) -> None:
    path = fx.write_pairs(tmp_path / "p.csv")
    fx.set_cell(7, "colony", "")(path)
    expect_error(gravity.parse, path, row=7, column="colony", text="required value is empty")
    path = fx.write_pairs(tmp_path / "q.csv")
    fx.set_cell(8, "distcap", "1e400")(path)
    expect_error(gravity.parse, path, row=8, column="distcap", text="is not a finite number")
    path = fx.write_pairs(tmp_path / "r.csv")
    fx.set_cell(9, "dist", "-3")(path)
    expect_error(gravity.parse, path, row=9, column="dist", text="GeoDist pairs schema")


def test_refuses_a_short_row(tmp_path: Path) -> None:
    path = fx.write_pairs(tmp_path / "p.csv")
    lines = path.read_text().splitlines()
    lines[3] = ",".join(lines[3].split(",")[:10])
    path.write_text("\n".join(lines) + "\n")
    expect_error(gravity.parse, path, row=4, column="col45", text="10 fields where the header has 17")


def test_refuses_unknown_tables(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("iso3,value\nUSA,1\n")
    expect_error(gravity.parse, path, row=1, column=None, text="not a known CEPII GeoDist table")
