"""The real Natural Earth and CEPII GeoDist files: coverage of the project's areas, proxies, and the .dta originals."""

from __future__ import annotations

import json
import math
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from migdev import sources
from migdev.harmonise import Harmoniser
from migdev.sources import geo, gravity
from migdev.vocab import UNSPECIFIED_ORIGIN
from tests.sources.contract import _Log

pytestmark = pytest.mark.realdata

SCHEMA = Path(geo.__file__).parents[1] / "store" / "schema"


def _path(mirror: Path, source_id: str) -> Path:
    return mirror / sources.get(source_id).path


@pytest.fixture(scope="module")
def frames(mirror: Path) -> dict[str, pd.DataFrame]:
    return {sid: mod.parse(_path(mirror, sid)) for mod in (geo, gravity) for sid in
            (f.id for f in mod.RELEASES.built)}


@pytest.fixture(scope="module")
def stored(frames, real_places) -> tuple[dict[str, pd.DataFrame], _Log]:
    log = _Log()
    h = Harmoniser(real_places, log)
    g = geo.to_store({geo.SOURCE_ID: frames[geo.SOURCE_ID]}, h)
    c = gravity.to_store({k: frames[k] for k in (gravity.PAIRS_ID, gravity.COUNTRIES_ID)}, h)
    tables = {"area_geometry": g["area_geometry"], "gravity_pair": c["gravity_pair"],
              "area_point": pd.concat([g["area_point"], c["area_point"]], ignore_index=True)}
    return tables, log


@pytest.fixture(scope="module")
def areas(real_places) -> set[str]:
    """The project's areas: the registry minus the unspecified origin and products' non-geographic codes."""
    return set(real_places.country["iso3"]) - {UNSPECIFIED_ORIGIN} - set(sources.documented_codes())


def _km(lat1, lon1, lat2, lon2) -> np.ndarray:
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(v, dtype=float)) for v in (lat1, lon1, lat2, lon2))
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371 * np.arcsin(np.sqrt(h))


def test_every_code_maps(stored) -> None:
    _, log = stored
    assert not log.unmatched, pd.concat(log.unmatched)


def test_natural_earth_file(frames) -> None:
    f = frames[geo.SOURCE_ID]
    assert len(f) == 177 and f["geometry_type"].value_counts().to_dict() == {"Polygon": 148, "MultiPolygon": 29}
    assert int(f["n_vertices"].sum()) == 10_654
    assert f["iso3"].isna().sum() == 2 and f["iso3_join"].notna().all()
    assert sorted(f.loc[f["iso3"].isna(), "iso3_join"]) == ["CYP", "SOM"]


def test_area_geometry(stored, areas) -> None:
    geometry = stored[0]["area_geometry"].set_index("iso3")
    assert len(geometry) == 173 and set(geometry.index) <= areas
    assert not {"ATA", "ATF"} & set(geometry.index)
    for code in ("CYP", "SOM"):  # N. Cyprus and Somaliland merged into their de-jure country
        assert geometry.at[code, "geometry_type"] == "MultiPolygon" and geometry.at[code, "n_parts"] >= 2
    for row in geometry.itertuples():
        shape = json.loads(row.geojson)
        assert shape["type"] == row.geometry_type
        text_decimals = max(len(t.split(".")[1]) for t in row.geojson.replace("]", ",").replace("[", ",")
                            .split(",") if "." in t)
        assert text_decimals <= geo.DECIMALS, row.Index
    assert 9_000 < int(geometry["n_vertices"].sum()) <= 10_654


def test_every_area_has_a_point_and_one_best(stored, areas) -> None:
    points = stored[0]["area_point"]
    assert not points.duplicated(["iso3", "basis"]).any()
    assert areas <= set(points["iso3"]), sorted(areas - set(points["iso3"]))
    counts = points["basis"].value_counts().to_dict()
    # ANT (Netherlands Antilles) is in the registry as RPW's documented historical code, so its CEPII capital loads
    assert counts == {geo.BASIS_POLYGON: 173, geo.BASIS_CEPII: 219, geo.BASIS_TABLE: 16}
    best = points.sort_values("rank").drop_duplicates("iso3")
    best = best[best["iso3"].isin(areas)]
    assert len(best) == len(areas) == 238
    assert (best["basis"] == geo.BASIS_POLYGON).sum() == 173


def test_polygon_points_are_inside_their_box_and_near_the_capital(stored) -> None:
    tables = stored[0]
    box = tables["area_geometry"].set_index("iso3")
    points = tables["area_point"].pivot_table(index="iso3", columns="basis", values=["lat", "lon"])
    poly = points.dropna(subset=[("lat", geo.BASIS_POLYGON)])
    lat, lon = poly[("lat", geo.BASIS_POLYGON)], poly[("lon", geo.BASIS_POLYGON)]
    assert ((lat >= box.loc[lat.index, "min_lat"]) & (lat <= box.loc[lat.index, "max_lat"])).all()
    assert ((lon >= box.loc[lon.index, "min_lon"]) & (lon <= box.loc[lon.index, "max_lon"])).all()
    both = poly.dropna(subset=[("lat", geo.BASIS_CEPII)])
    km = pd.Series(_km(both[("lat", geo.BASIS_POLYGON)], both[("lon", geo.BASIS_POLYGON)],
                       both[("lat", geo.BASIS_CEPII)], both[("lon", geo.BASIS_CEPII)]), index=both.index)
    assert km.median() < 300 and km["FRA"] < 400  # France's point is in Europe, not between it and Guiana
    assert km.max() < 3_600  # Russia: the centroid of Siberia and Moscow


def test_table_is_minimal_and_agrees_with_wdi(stored, mirror: Path) -> None:
    points = stored[0]["area_point"]
    table = set(points.loc[points["basis"] == geo.BASIS_TABLE, "iso3"])
    others = set(points.loc[points["basis"] != geo.BASIS_TABLE, "iso3"])
    assert table == set(geo.CAPITALS) and not table & others
    wdi = pd.read_csv(_path(mirror, "wdi_countries"), keep_default_na=False, na_values=[""])
    wdi = wdi[wdi["iso3"].isin(table)].dropna(subset=["latitude", "longitude"]).set_index("iso3")
    assert sorted(wdi.index) == ["ASM", "GUM", "IMN", "LIE", "MCO", "VIR"]  # the other ten: no coordinate anywhere
    ours = pd.DataFrame(geo.CAPITALS, index=["lat", "lon", "place"]).T.loc[wdi.index]
    km = _km(ours["lat"], ours["lon"], wdi["latitude"], wdi["longitude"])
    assert km.max() < 10, dict(zip(wdi.index, km.round(1), strict=True))


def test_gravity_pairs(stored, areas) -> None:
    pairs = stored[0]["gravity_pair"]
    assert not pairs.duplicated(["origin", "destination"]).any()
    covered = set(pairs["origin"])
    # GeoDist's own ANT rows load too: ANT is a documented code of the registry (RPW's NLD -> ANT corridor)
    assert len(covered) == 226 and covered == set(pairs["destination"]) and covered <= areas | {"ANT"}
    assert len(pairs) == 226 * 226
    assert sorted(areas - covered) == ["ASM", "BLM", "CHI", "GGY", "GUM", "IMN", "JEY", "LIE", "MAF", "MCO", "MYT",
                                       "VAT", "VIR"]
    by = pairs.set_index(["origin", "destination"])
    usa_mex = by.loc[("USA", "MEX")]
    assert (usa_mex["contiguous"], round(usa_mex["distance_capital_km"]), round(usa_mex["distance_weighted_km"])) \
        == (1, 3_038, 2_468)
    assert by.at[("ESP", "MEX"), "common_language"] == 1 and by.at[("GBR", "IND"), "colony"] == 1
    # the 14 ordered pairs within YUG, ANT and SDN, and the 6 between ANT itself (a documented code) and its successors
    assert pairs["distance_km"].isna().sum() == 14 + 6
    # weighted distance missing: all rows of MAC and MSR (CCK, CXR, PCN are not loaded), plus those 14
    no_city = pairs["origin"].isin(["MAC", "MSR"]) | pairs["destination"].isin(["MAC", "MSR"])
    assert set(pairs.index[pairs["distance_weighted_km"].isna()]) == set(pairs.index[no_city | pairs[
        "distance_km"].isna()])


def test_proxies(stored, frames) -> None:
    pairs = stored[0]["gravity_pair"].set_index(["origin", "destination"])
    src = frames[gravity.PAIRS_ID].set_index(["iso3_o", "iso3_d"])
    for successor, old in (("SRB", "YUG"), ("MNE", "YUG"), ("XKX", "YUG"), ("CUW", "ANT"), ("SSD", "SDN")):
        row = pairs.loc[(successor, "USA")]
        assert row["proxy"] == f"{old}-USA"
        assert row["distance_km"] == src.at[(old, "USA"), "dist"]
        assert row["colony"] == src.at[(old, "USA"), "colony"]
    ssd_sdn = pairs.loc[("SSD", "SDN")]
    assert (ssd_sdn["contiguous"], ssd_sdn["same_country"], ssd_sdn["proxy"]) == (1, 1, "SDN-SDN")
    assert pd.isna(ssd_sdn["distance_km"]) and pd.isna(pairs.at[("SDN", "USA"), "proxy"])
    assert pairs["proxy"].notna().sum() == 3_115  # 3,101 + the 14 pairs between ANT and its successors


def test_tidy_csvs_carry_the_dta_data(frames, mirror: Path) -> None:
    """geodist_pairs/countries are exact renderings of CEPII's dist_cepii.dta and geo_cepii.dta."""
    dta = pd.read_stata(_path(mirror, "geodist_dist_dta"))
    csv = frames[gravity.PAIRS_ID]
    assert len(dta) == len(csv) == 50_176
    merged = dta.merge(csv, left_on=["iso_o", "iso_d"], right_on=["cepii_o", "cepii_d"], validate="1:1")
    assert len(merged) == 50_176
    for col in gravity.DUMMIES:
        assert (merged[f"{col}_x"].astype(int) == merged[f"{col}_y"]).all(), col
    for col in ("dist", "distcap"):  # stored as 4-byte floats in the .dta
        assert (merged[f"{col}_x"] == merged[f"{col}_y"].astype("float32")).all(), col
    for col in ("distw", "distwces"):
        diff = (merged[f"{col}_x"] - merged[f"{col}_y"]).abs()
        assert (merged[f"{col}_x"].isna() == merged[f"{col}_y"].isna()).all() and diff.max() < 5e-4, col
    cities = pd.read_stata(_path(mirror, "geodist_geo_dta"))
    capitals = cities[cities["cap"] == 1].drop_duplicates("iso3").set_index("iso3")
    countries = frames[gravity.COUNTRIES_ID].set_index("cepii_iso3")
    assert len(countries) == 225 and set(countries.index) == set(cities["iso3"])
    both = countries.join(capitals[["lat", "lon", "city_en"]], how="inner")
    assert len(both) == len(capitals)
    assert np.allclose(both["capital_lat"], both["lat"], atol=1e-5) and np.allclose(both["capital_lon"],
                                                                                    both["lon"], atol=1e-5)


def test_tables_load_into_their_schema(stored, real_places) -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE country (iso3 VARCHAR PRIMARY KEY)")
    con.register("places", real_places.country[["iso3"]])
    con.execute("INSERT INTO country SELECT iso3 FROM places")
    for name in ("geo", "gravity"):
        con.execute((SCHEMA / f"{name}.sql").read_text(encoding="utf-8"))
    for table, frame in stored[0].items():
        con.register("frame", frame)
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM frame")
        con.unregister("frame")
    assert con.execute("SELECT count(*) FROM area_point_best").fetchone()[0] == 238 + 1  # + ANT
    best = dict(con.execute("SELECT basis, count(*) FROM area_point_best GROUP BY ALL").fetchall())
    assert best == {geo.BASIS_POLYGON: 173, geo.BASIS_CEPII: 49 + 1, geo.BASIS_TABLE: 16}  # + ANT
    assert math.isclose(con.execute("SELECT sum(n_vertices) FROM area_geometry").fetchone()[0],
                        stored[0]["area_geometry"]["n_vertices"].sum())
