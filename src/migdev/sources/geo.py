"""Natural Earth 1:110m country polygons, and one marker point for every project area.

Decisions:

* **File read**: ``countries_110m_iso3.geojson``, the mirror's compact copy of Natural Earth 4.1.0 admin-0 at 1:110m
  (177 features, same geometry as the published ``ne_110m_admin_0_countries.geojson``, registered but not read).
  No ``crs`` member, so WGS84 longitude/latitude (RFC 7946); a ``crs`` other than CRS84/EPSG:4326 is refused.
* **Key**: ``iso3_join``, not ``iso3``. Natural Earth draws Northern Cyprus and Somaliland as features of their own
  with no ISO code (``iso3`` empty); ``iso3_join`` gives them to their de-jure country (CYP, SOM), as the UN and the
  World Bank count them. Their polygons are merged into that country's, so ``area_geometry`` has one row per
  area (CYP and SOM become MultiPolygons) and a choropleth colours the whole island/country.
* **Not project areas**: Antarctica (ATA) and the French Southern and Antarctic Lands (ATF) have no permanent
  population and are in no list the project reads; they are said and left out (:data:`NOT_AREAS`).
* **Stored geometry**: ``geojson`` is the GeoJSON geometry object as compact text, coordinates rounded to
  :data:`DECIMALS` = 3 decimals (about 110 m at the equator, far below the detail of a 1:110m map, whose lines are
  generalised to several km); a position repeated by the rounding is dropped (a ring that would fall below four
  positions keeps them). This halves the text. ``n_vertices`` counts the stored positions, each ring's closing
  position included (the published file has 10,654). The bounding box comes from the stored coordinates; Natural
  Earth cuts shapes at the antimeridian, so Fiji and Russia span -180..180.
* **Points** (``area_point``): one marker point per area, for maps where a polygon is too small or missing.
  Three bases, one row per (iso3, basis), and ``rank`` says which to use first (:data:`POINT_RANK`):
  1 ``polygon`` (this module): the area-weighted centroid of the polygon, or of its largest part for a
  MultiPolygon (largest by planar area in degrees times the cosine of its latitude, i.e. nearly true area), so
  France's point is in metropolitan France, not between it and French Guiana (both are parts of NE's France);
  a centroid of a concave shape may lie outside it; it is a marker, not a capital.
  2 ``capital (CEPII)``: the GeoDist capital, filled by :mod:`migdev.sources.gravity`.
  3 ``capital, approximate (migdev table)``: :data:`CAPITALS`, for the 16 areas with neither a polygon nor a
  CEPII capital. Ten have no coordinate in any file of the mirror (BES, BLM, CHI, CUW, GGY, JEY, MAF, MYT, SXM,
  VAT); six more (ASM, GUM, IMN, LIE, MCO, VIR) have one only in the WDI country metadata, which the ``wdi``
  product registers and this product cannot read (one file, one registration); the real-data tests check the
  table against those WDI values.
* French Guiana, Réunion, Guadeloupe, Martinique and Mayotte have no polygon of their own (the first is a part of
  France's MultiPolygon, the others are absent at 1:110m); they get points.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pandera.pandas as pa

from migdev.errors import ParseError
from migdev.sources import spec
from migdev.sources.csv_tables import validate

if TYPE_CHECKING:  # harmonise imports migdev.sources: a runtime import here would be circular
    from migdev.harmonise import Harmoniser

RELEASES = spec.load(__file__)
SOURCE_ID = "ne110m_countries"
TABLE_SOURCE = "migdev_capitals"  # the CAPITALS table of this module: not a file, named so every point traces
DECIMALS = 3

BASIS_POLYGON = "polygon"
BASIS_CEPII = "capital (CEPII)"
BASIS_TABLE = "capital, approximate (migdev table)"
#: Which point of an area to use first: the lowest rank.
POINT_RANK = {BASIS_POLYGON: 1, BASIS_CEPII: 2, BASIS_TABLE: 3}

#: Codes of the file that are not areas of the project, and why (left out, said in the build log).
NOT_AREAS = {
    "ATA": "Antarctica: no permanent population, in no UN or World Bank country list",
    "ATF": "French Southern and Antarctic Lands: no permanent population, in no UN or World Bank country list",
}

#: Approximate capital (or main town) coordinates, (lat, lon, place), for the areas with neither a polygon nor a
#: CEPII capital; rounded to 0.001 degree, from general gazetteer knowledge (migdev, 2026).
CAPITALS: dict[str, tuple[float, float, str]] = {
    "ASM": (-14.279, -170.701, "Pago Pago"),
    "BES": (12.150, -68.268, "Kralendijk (Bonaire)"),
    "BLM": (17.896, -62.850, "Gustavia"),
    "CHI": (49.322, -2.322, "between St Peter Port and St Helier (no common capital)"),
    "CUW": (12.122, -68.882, "Willemstad"),
    "GGY": (49.456, -2.537, "St Peter Port"),
    "GUM": (13.476, 144.748, "Hagåtña"),
    "IMN": (54.150, -4.482, "Douglas"),
    "JEY": (49.187, -2.107, "St Helier"),
    "LIE": (47.141, 9.521, "Vaduz"),
    "MAF": (18.068, -63.083, "Marigot"),
    "MCO": (43.733, 7.417, "Monaco"),
    "MYT": (-12.781, 45.228, "Mamoudzou"),
    "SXM": (18.026, -63.046, "Philipsburg"),
    "VAT": (41.903, 12.453, "Vatican City"),
    "VIR": (18.342, -64.932, "Charlotte Amalie"),
}

_CRS = {"urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:EPSG::4326", "EPSG:4326"}
_PROPERTIES = ("iso3", "iso3_join", "name")
_CODE = r"^[A-Z]{3}$"

FEATURES = pa.DataFrameSchema(
    {
        "feature": pa.Column(int, pa.Check.ge(1)),
        "iso3": pa.Column(str, pa.Check.str_matches(_CODE), nullable=True),
        "iso3_join": pa.Column(str, pa.Check.str_matches(_CODE)),
        "name": pa.Column(str),
        "geometry_type": pa.Column(str, pa.Check.isin(["Polygon", "MultiPolygon"])),
        "polygons": pa.Column(object),
        "n_vertices": pa.Column(int, pa.Check.ge(4)),
        "min_lon": pa.Column(float, pa.Check.in_range(-180, 180)),
        "min_lat": pa.Column(float, pa.Check.in_range(-90, 90)),
        "max_lon": pa.Column(float, pa.Check.in_range(-180, 180)),
        "max_lat": pa.Column(float, pa.Check.in_range(-90, 90)),
    },
    name="Natural Earth countries",
    strict=True,
)

Polygon = list[list[list[float]]]


class _Object(dict):
    """A JSON object that remembers keys written twice (json keeps only the last; we refuse the file)."""

    duplicated: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, Any]]) -> _Object:
    out = _Object(pairs)
    keys = [k for k, _ in pairs]
    out.duplicated = tuple(k for i, k in enumerate(keys) if k in keys[:i])
    return out


def parse_countries(path: Path | str) -> pd.DataFrame:
    """One row per feature (``feature`` = its 1-based number in the collection), geometry as a list of polygons.

    Errors name the feature number as ``row`` and the property (or ``geometry``/``type``) as ``column``.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"), object_pairs_hook=_object, parse_constant=float)
    except UnicodeDecodeError as exc:
        raise ParseError(path, f"not a UTF-8 text file ({exc.reason})") from exc
    except json.JSONDecodeError as exc:
        raise ParseError(path, f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ParseError(path, "not a GeoJSON FeatureCollection", column="type")
    crs = data.get("crs")
    if crs is not None:
        name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
        if name not in _CRS:
            raise ParseError(path, f"coordinates must be WGS84 longitude/latitude; crs is {name!r}", column="crs")
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise ParseError(path, "the collection has no features", column="features")
    rows = [_feature(path, i, f) for i, f in enumerate(features, start=1)]
    df = pd.DataFrame(rows)
    coded = df[df["iso3"].notna()]
    dup = coded.duplicated("iso3")
    if dup.any():
        first = coded[dup].iloc[0]
        raise ParseError(path, f"duplicated key (iso3={first['iso3']})", row=int(first["feature"]), column="iso3")
    for col in ("min_lon", "min_lat", "max_lon", "max_lat"):
        df[col] = df[col].astype(float)
    df["iso3"] = df["iso3"].astype(object)
    return validate(df, FEATURES, path, first_row=1)


def _feature(path: Path, row: int, feature: Any) -> dict[str, Any]:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise ParseError(path, "not a GeoJSON Feature", row=row, column="type")
    props = feature.get("properties")
    if not isinstance(props, dict):
        raise ParseError(path, "the feature has no properties", row=row, column="properties")
    if getattr(props, "duplicated", ()):
        raise ParseError(path, "property given twice", row=row, column=props.duplicated[0])
    out: dict[str, Any] = {"feature": row}
    for key in _PROPERTIES:
        if key not in props:
            raise ParseError(path, "missing property", row=row, column=key)
        value = props[key]
        if value is not None and not isinstance(value, str):
            raise ParseError(path, f"{value!r} is not text", row=row, column=key)
        out[key] = value.strip() if value and value.strip() else None
    geometry = feature.get("geometry")
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind not in ("Polygon", "MultiPolygon"):
        raise ParseError(path, f"geometry type {kind!r} is not Polygon or MultiPolygon", row=row, column="geometry")
    coords = geometry.get("coordinates")
    polygons = [coords] if kind == "Polygon" else coords
    if not isinstance(polygons, list) or not polygons:
        raise ParseError(path, "no coordinates", row=row, column="geometry")
    checked = [_polygon(path, row, p, part) for part, p in enumerate(polygons, start=1)]
    positions = [pos for poly in checked for ring in poly for pos in ring]
    lons, lats = [p[0] for p in positions], [p[1] for p in positions]
    return {**out, "geometry_type": kind, "polygons": checked, "n_vertices": len(positions),
            "min_lon": min(lons), "min_lat": min(lats), "max_lon": max(lons), "max_lat": max(lats)}


def _polygon(path: Path, row: int, polygon: Any, part: int) -> Polygon:
    """A polygon's rings, each a closed list of at least four finite WGS84 positions, as [lon, lat] floats."""
    if not isinstance(polygon, list) or not polygon:
        raise ParseError(path, f"part {part} has no rings", row=row, column="geometry")
    rings = []
    for r, ring in enumerate(polygon, start=1):
        where = f"part {part}, ring {r}"
        if not isinstance(ring, list) or len(ring) < 4:
            raise ParseError(path, f"{where}: a ring needs at least 4 positions", row=row, column="geometry")
        positions = [_position(path, row, p, f"{where}, position {k}") for k, p in enumerate(ring, start=1)]
        if positions[0] != positions[-1]:
            raise ParseError(path, f"{where}: the ring is not closed", row=row, column="geometry")
        rings.append(positions)
    return rings


def _position(path: Path, row: int, position: Any, where: str) -> list[float]:
    if (not isinstance(position, list) or len(position) not in (2, 3)
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position)):
        raise ParseError(path, f"{where}: {position!r} is not a [lon, lat] position", row=row, column="geometry")
    lon, lat = float(position[0]), float(position[1])
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise ParseError(path, f"{where}: {position!r} is not a finite number", row=row, column="geometry")
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ParseError(path, f"{where}: {position!r} is outside WGS84 longitude/latitude", row=row,
                         column="geometry")
    return [lon, lat]


def parse(path: Path | str) -> pd.DataFrame:
    """Read the Natural Earth GeoJSON (the product's only file kind, known by its suffix)."""
    path = Path(path)
    if path.suffix.lower() not in (".geojson", ".json"):
        raise ParseError(path, "not a Natural Earth GeoJSON file (expected .geojson)")
    return parse_countries(path)


# ----------------------------------------------------------------------------------------------------- to_store
def _rounded(polygon: Polygon) -> Polygon:
    rings = []
    for ring in polygon:
        pos = [[round(x, DECIMALS), round(y, DECIMALS)] for x, y in ring]
        kept = [p for i, p in enumerate(pos) if i == 0 or p != pos[i - 1]]
        rings.append(kept if len(kept) >= 4 else pos)
    return rings


def centroid(polygon: Polygon) -> tuple[float, float, float]:
    """(lon, lat, planar area in square degrees) of a polygon: the exterior ring's area less its holes'."""
    area = mx = my = 0.0
    for i, ring in enumerate(polygon):
        a = cx = cy = 0.0
        for (x0, y0), (x1, y1) in pairwise(ring):
            cross = x0 * y1 - x1 * y0
            a += cross / 2
            cx += (x0 + x1) * cross / 6
            cy += (y0 + y1) * cross / 6
        sign = (1 if a >= 0 else -1) * (1 if i == 0 else -1)
        area, mx, my = area + sign * a, mx + sign * cx, my + sign * cy
    if area == 0:  # a degenerate sliver: the mean of its exterior positions
        ring = polygon[0][:-1]
        return sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring), 0.0
    return mx / area, my / area, abs(area)


def marker_point(polygons: list[Polygon]) -> tuple[float, float]:
    """(lat, lon) of the centroid of the largest part, largest by square degrees times cos(latitude)."""
    best = max((centroid(p) for p in polygons), key=lambda c: c[2] * math.cos(math.radians(c[1])))
    return round(best[1], DECIMALS), round(best[0], DECIMALS)


def _geometry_row(iso3: str, parts: pd.DataFrame) -> dict[str, Any]:
    polygons = [_rounded(p) for cell in parts["polygons"] for p in cell]
    kind = "Polygon" if len(polygons) == 1 else "MultiPolygon"
    coords: Any = polygons[0] if kind == "Polygon" else polygons
    positions = [pos for poly in polygons for ring in poly for pos in ring]
    return {"iso3": iso3, "source_id": SOURCE_ID, "geometry_type": kind, "n_parts": len(polygons),
            "n_vertices": len(positions), "min_lon": min(p[0] for p in positions),
            "min_lat": min(p[1] for p in positions), "max_lon": max(p[0] for p in positions),
            "max_lat": max(p[1] for p in positions),
            "geojson": json.dumps({"type": kind, "coordinates": coords}, separators=(",", ":"))}


def to_store(frames: Mapping[str, pd.DataFrame], h: Harmoniser) -> dict[str, pd.DataFrame]:
    """``area_geometry`` (one row per area) and the ``polygon`` and migdev-table rows of ``area_point``."""
    f = frames[SOURCE_ID]
    outside = f["iso3_join"].isin(list(NOT_AREAS)) & ~h.is_country(f["iso3_join"])
    for code in f.loc[outside, "iso3_join"]:
        h.say("info", f"{SOURCE_ID}: {code} not loaded: {NOT_AREAS[code]}")
    f = f[~outside]
    iso, group = h.split(f, SOURCE_ID, "iso3_join", iso3="iso3_join", name="name")
    h.not_loaded(group, SOURCE_ID, "polygons are kept for areas only")
    f = f.assign(area=iso)[iso.notna()]
    for code, part in f[f.duplicated("area", keep=False)].groupby("area"):
        h.say("info", f"{SOURCE_ID}: {len(part)} features merged into {code} "
                      f"({', '.join(part['name'])}): Natural Earth's own features, counted with their de-jure "
                      "country")
    geometry = pd.DataFrame([_geometry_row(code, part) for code, part in f.groupby("area", sort=True)],
                            columns=["iso3", "source_id", "geometry_type", "n_parts", "n_vertices", "min_lon",
                                     "min_lat", "max_lon", "max_lat", "geojson"])
    centres = [marker_point([p for cell in part["polygons"] for p in cell]) for _, part in
               f.groupby("area", sort=True)]
    polygon_points = pd.DataFrame({"iso3": geometry["iso3"], "basis": BASIS_POLYGON,
                                   "rank": POINT_RANK[BASIS_POLYGON], "lat": [c[0] for c in centres],
                                   "lon": [c[1] for c in centres], "place": None, "source_id": SOURCE_ID})
    h.say("info", f"{SOURCE_ID}: {len(geometry)} areas with a polygon ({int(geometry['n_vertices'].sum()):,} "
                  f"vertices after rounding to {DECIMALS} decimals)")
    return {"area_geometry": geometry, "area_point": pd.concat([polygon_points, table_points(h)],
                                                               ignore_index=True)}


def table_points(h: Harmoniser) -> pd.DataFrame:
    """Rows of ``area_point`` from :data:`CAPITALS`, for the areas of the registry it lists."""
    table = pd.DataFrame([(code, *v) for code, v in CAPITALS.items()], columns=["code", "lat", "lon", "place"])
    known = h.is_country(table["code"])
    if (~known).any():
        h.say("info", f"{TABLE_SOURCE}: {', '.join(table.loc[~known, 'code'])} not in the country registry; "
                      "their points are not loaded")
    table = table[known.to_numpy()]
    iso, _ = h.split(table, TABLE_SOURCE, "iso3", iso3="code")
    return pd.DataFrame({"iso3": iso, "basis": BASIS_TABLE, "rank": POINT_RANK[BASIS_TABLE], "lat": table["lat"],
                         "lon": table["lon"], "place": table["place"], "source_id": TABLE_SOURCE}
                        ).reset_index(drop=True)
