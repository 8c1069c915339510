"""Natural Earth 1:110m polygons: parsing, structural checks, merged features, rounding and marker points."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from migdev.harmonise import Harmoniser
from migdev.sources import geo
from tests.fixtures import geo as fx
from tests.sources.contract import SourceContract, _Log
from tests.sources.parse_helpers import expect_error


class TestGeo(SourceContract):
    product = geo
    fixtures = fx


def _written(tmp_path: Path, data: dict | None = None) -> Path:
    return fx.write_countries(tmp_path / "countries.geojson", data)


def _store(tmp_path: Path, places) -> tuple[dict, _Log]:
    log = _Log()
    tables = geo.to_store({geo.SOURCE_ID: geo.parse(_written(tmp_path))}, Harmoniser(places, log))
    return tables, log


def test_parse_one_row_per_feature(tmp_path: Path) -> None:
    df = geo.parse(_written(tmp_path))
    assert list(df.columns) == list(geo.FEATURES.columns)
    assert df["feature"].tolist() == list(range(1, len(fx.FEATURES) + 1))
    assert df["iso3"].isna().tolist() == [f[0] is None for f in fx.FEATURES]
    assert df.set_index("feature").at[6, "iso3_join"] == "IND"
    usa = df.iloc[0]
    assert usa["geometry_type"] == "MultiPolygon" and len(usa["polygons"]) == 2
    assert usa["n_vertices"] == 10
    assert (usa["min_lon"], usa["min_lat"], usa["max_lon"], usa["max_lat"]) == (-168.0, 25.0, -67.0, 71.0)


def test_to_store_merges_features_of_one_area_and_leaves_out_non_areas(tmp_path: Path, fixture_places) -> None:
    tables, log = _store(tmp_path, fixture_places)
    geometry = tables["area_geometry"].set_index("iso3")
    assert list(geometry.index) == ["FRA", "IND", "MEX", "USA", "XKX"]
    assert (geometry.at["IND", "geometry_type"], geometry.at["IND", "n_parts"]) == ("MultiPolygon", 2)
    assert (geometry.at["MEX", "geometry_type"], geometry.at["MEX", "n_parts"]) == ("Polygon", 1)
    assert not log.unmatched
    said = " ".join(m for _, m in log.lines)
    assert "ATA not loaded" in said and "2 features merged into IND" in said


def test_stored_geojson_is_rounded_to_three_decimals(tmp_path: Path, fixture_places) -> None:
    tables, _ = _store(tmp_path, fixture_places)
    geometry = tables["area_geometry"].set_index("iso3")
    mex = json.loads(geometry.at["MEX", "geojson"])
    assert mex == {"type": "Polygon", "coordinates": [[[-117.128, 32.535], [-86.71, 21.0], [-99.125, 15.0],
                                                       [-117.128, 32.535]]]}
    assert geometry.at["MEX", "n_vertices"] == 4
    assert (geometry.at["MEX", "min_lon"], geometry.at["MEX", "max_lat"]) == (-117.128, 32.535)
    ind = json.loads(geometry.at["IND", "geojson"])
    assert ind["type"] == "MultiPolygon" and len(ind["coordinates"][0]) == 2  # the hole is kept


def test_rounding_drops_repeated_positions_but_keeps_rings_whole() -> None:
    ring = [[0.0, 0.0], [0.0001, 0.0001], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]
    assert geo._rounded([ring]) == [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]]
    tiny = [[0.0, 0.0], [0.0001, 0.0], [0.0001, 0.0001], [0.0, 0.0]]
    assert len(geo._rounded([tiny])[0]) == 4


def test_centroid_of_polygon_with_hole_and_of_triangle() -> None:
    square = fx.box(0.0, 0.0, 4.0, 4.0)
    hole = [[0.0, 0.0], [0.0, 2.0], [2.0, 2.0], [2.0, 0.0], [0.0, 0.0]]
    lon, lat, area = geo.centroid([square, hole])
    assert area == pytest.approx(12.0)
    assert (lon, lat) == pytest.approx((7 / 3, 7 / 3))  # (16*2 - 4*1) / 12
    lon, lat, area = geo.centroid([[[0.0, 0.0], [3.0, 0.0], [0.0, 3.0], [0.0, 0.0]]])
    assert (lon, lat, area) == pytest.approx((1.0, 1.0, 4.5))


def test_point_of_a_multipolygon_is_its_largest_part(tmp_path: Path, fixture_places) -> None:
    tables, _ = _store(tmp_path, fixture_places)
    points = tables["area_point"].set_index(["iso3", "basis"])
    assert tuple(points.loc[("USA", "polygon"), ["lat", "lon"]]) == (37.0, -96.0)
    assert tuple(points.loc[("FRA", "polygon"), ["lat", "lon"]]) == (46.5, 1.5)  # Europe, not French Guiana


def test_table_points_for_the_areas_of_the_registry(tmp_path: Path, fixture_places) -> None:
    tables, log = _store(tmp_path, fixture_places)
    points = tables["area_point"]
    table = points[points["basis"] == geo.BASIS_TABLE]
    assert sorted(table["iso3"]) == ["CHI", "GGY", "JEY"]  # the fixture registry has no BES, VAT...
    assert set(table["rank"]) == {3} and set(points.loc[points["basis"] == "polygon", "rank"]) == {1}
    assert set(table["source_id"]) == {geo.TABLE_SOURCE}
    assert not points.duplicated(["iso3", "basis"]).any()
    assert any("VAT" in m and "not in the country registry" in m for _, m in log.lines)


def test_rank_orders_the_bases() -> None:
    assert sorted(geo.POINT_RANK, key=geo.POINT_RANK.get) == [geo.BASIS_POLYGON, geo.BASIS_CEPII, geo.BASIS_TABLE]
    assert all(-90 <= lat <= 90 and -180 <= lon <= 180 for lat, lon, _ in geo.CAPITALS.values())


# ------------------------------------------------------------------------------------------------------- errors
def _features(tmp_path: Path, change) -> Path:
    data = fx.collection()
    change(data)
    return _written(tmp_path, data)


def test_refuses_what_is_not_a_feature_collection(tmp_path: Path) -> None:
    path = _written(tmp_path, {"type": "Feature", "features": []})
    expect_error(geo.parse, path, row=None, column="type", text="not a GeoJSON FeatureCollection")
    path = _written(tmp_path, {"type": "FeatureCollection", "features": []})
    expect_error(geo.parse, path, row=None, column="features", text="no features")


def test_refuses_broken_json(tmp_path: Path) -> None:
    path = _written(tmp_path)
    path.write_text(path.read_text(encoding="utf-8")[:-5], encoding="utf-8")
    expect_error(geo.parse, path, row=None, column=None, text="not valid JSON")


def test_refuses_another_crs(tmp_path: Path) -> None:
    data = fx.collection()
    data["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}
    expect_error(geo.parse, _written(tmp_path, data), row=None, column="crs", text="WGS84")


def test_refuses_a_point_geometry(tmp_path: Path) -> None:
    def change(data):
        data["features"][3]["geometry"] = {"type": "Point", "coordinates": [2.0, 46.0]}
    expect_error(geo.parse, _features(tmp_path, change), row=4, column="geometry", text="'Point' is not Polygon")


def test_refuses_an_open_ring(tmp_path: Path) -> None:
    def change(data):
        data["features"][4]["geometry"]["coordinates"][0][-1] = [20.0, 42.5]
    expect_error(geo.parse, _features(tmp_path, change), row=5, column="geometry",
                 text="ring 1: the ring is not closed")


def test_refuses_a_short_ring_and_a_bad_position(tmp_path: Path) -> None:
    def short(data):
        data["features"][1]["geometry"]["coordinates"][0] = fx.MEX_RING[:3]
    expect_error(geo.parse, _features(tmp_path, short), row=2, column="geometry", text="at least 4 positions")

    def text(data):
        data["features"][0]["geometry"]["coordinates"][1][0][2] = ["a", 3]
    expect_error(geo.parse, _features(tmp_path / "b", text), row=1, column="geometry",
                 text="part 2, ring 1, position 3")


def test_refuses_nan_and_infinity(tmp_path: Path) -> None:
    path = _written(tmp_path)
    fx.replace_text("-86.71", "NaN")(path)
    expect_error(geo.parse, path, row=2, column="geometry", text="not a finite number")


def test_refuses_missing_duplicated_and_non_text_properties(tmp_path: Path) -> None:
    def missing(data):
        del data["features"][2]["properties"]["iso3_join"]
    expect_error(geo.parse, _features(tmp_path, missing), row=3, column="iso3_join", text="missing property")

    def number(data):
        data["features"][1]["properties"]["name"] = 5
    expect_error(geo.parse, _features(tmp_path / "n", number), row=2, column="name", text="is not text")

    path = _written(tmp_path / "d")
    fx.replace_text('"iso3_join":"XKX",', '"iso3_join":"XKX","iso3_join":"SRB",')(path)
    expect_error(geo.parse, path, row=5, column="iso3_join", text="property given twice")


def test_refuses_a_duplicated_iso3(tmp_path: Path) -> None:
    path = _features(tmp_path, fx._set(5, "iso3", "MEX"))
    expect_error(geo.parse, path, row=5, column="iso3", text="duplicated key (iso3=MEX)")


def test_refuses_a_malformed_code(tmp_path: Path) -> None:
    path = _features(tmp_path, fx._set(2, "iso3_join", "mex"))
    expect_error(geo.parse, path, row=2, column="iso3_join", text="Natural Earth countries schema")


def test_refuses_other_file_kinds(tmp_path: Path) -> None:
    path = tmp_path / "countries.csv"
    path.write_text("iso3\nUSA\n", encoding="utf-8")
    expect_error(geo.parse, path, row=None, column=None, text="not a Natural Earth GeoJSON file")
