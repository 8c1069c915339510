"""Locator map: the area's polygon (or its members') in a regional frame, or a marked point for small states.

Why this way: Natural Earth's 1:110m polygons (table ``area_geometry``) are stored once as GeoJSON; every area is
turned into one SVG path in plain longitude/latitude (equirectangular: x = lon, y = -lat), once for all maps
(:class:`World`). A map is then only a ``viewBox`` around the area plus the paths whose boxes meet it, so 300
maps cost one projection. Areas without a polygon or too small to see at 1:110m (below ``SMALL`` square degrees)
get a ringed point from ``area_point_best``. Frames wider than half the world (Russia, the USA with the Aleutians,
groups spanning oceans) show the whole world.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from migdev.charts import esc, open_svg

WIDTH, HEIGHT = 320, 180
SMALL = 4.0  # square degrees
MIN_SPAN = 40.0  # degrees of longitude shown at least around an area
LAND, HIGHLIGHT, SEA = "#d9d9d9", "#D55E00", "#eef4f8"


@dataclass(frozen=True)
class Shape:
    path: str
    box: tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat

    @property
    def area(self) -> float:
        return (self.box[2] - self.box[0]) * (self.box[3] - self.box[1])


def _ring(coords: Iterable[Iterable[float]]) -> str:
    pts = [f"{lon:.2f} {-lat:.2f}" for lon, lat, *_ in coords]
    return "M" + "L".join(pts) + "Z"


def _path(geometry: dict) -> str:
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return "".join(_ring(ring) for polygon in polygons for ring in polygon)


class World:
    """Every area's path and box, and its marker point (from the database's geometry frames)."""

    def __init__(self, geometry: pd.DataFrame, points: pd.DataFrame) -> None:
        self.shapes = {r.iso3: Shape(_path(json.loads(r.geojson)), (r.min_lon, r.min_lat, r.max_lon, r.max_lat))
                       for r in geometry.itertuples()}
        self.points = {r.iso3: (float(r.lon), float(r.lat)) for r in points.itertuples()}
        self.sources = sorted(set(geometry["source_id"]) | set(points["source_id"]))

    def frame(self, codes: list[str]) -> tuple[float, float, float, float]:
        boxes = [self.shapes[c].box for c in codes if c in self.shapes]
        boxes += [(p[0], p[1], p[0], p[1]) for c in codes if c not in self.shapes and (p := self.points.get(c))]
        if not boxes:
            return -180.0, -90.0, 180.0, 90.0
        x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
        x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
        if x1 - x0 > 180:
            return -180.0, -90.0, 180.0, 90.0
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        span = max(MIN_SPAN, (x1 - x0) * 1.6, (y1 - y0) * 1.6 * WIDTH / HEIGHT)
        half_w, half_h = span / 2, span / 2 * HEIGHT / WIDTH
        cy = min(max(cy, -90 + half_h), 90 - half_h) if half_h < 90 else 0.0
        return cx - half_w, cy - half_h, cx + half_w, cy + half_h

    def locator(self, chart_id: str, title: str, desc: str, codes: list[str]) -> str:
        """The map of the areas ``codes`` (one country, or a group's members); ``""`` when none can be placed."""
        placed = [c for c in codes if c in self.shapes or c in self.points]
        if not placed:
            return ""
        x0, y0, x1, y1 = self.frame(placed)
        scale = (x1 - x0) / WIDTH  # degrees per pixel, for strokes and markers of constant size
        view = f"{x0:.2f} {-y1:.2f} {x1 - x0:.2f} {y1 - y0:.2f}"
        chosen = set(placed)
        parts = [open_svg(chart_id, WIDTH, HEIGHT, title, desc, view_box=view),
                 f'<rect x="{x0:.2f}" y="{-y1:.2f}" width="{x1 - x0:.2f}" height="{y1 - y0:.2f}" fill="{SEA}"/>',
                 f'<g stroke="#fff" stroke-width="{0.6 * scale:.3f}" stroke-linejoin="round">']
        for code, shape in self.shapes.items():
            b = shape.box
            if b[2] < x0 or b[0] > x1 or b[3] < y0 or b[1] > y1:
                continue
            fill = HIGHLIGHT if code in chosen else LAND
            parts.append(f'<path fill="{fill}" d="{shape.path}"><title>{esc(code)}</title></path>')
        parts.append("</g>")
        for code in placed:
            shape = self.shapes.get(code)
            if shape is not None and shape.area >= SMALL:
                continue
            lon, lat = self.points.get(code) or ((shape.box[0] + shape.box[2]) / 2, (shape.box[1] + shape.box[3]) / 2)
            parts.append(f'<circle cx="{lon:.2f}" cy="{-lat:.2f}" r="{5 * scale:.3f}" fill="none" '
                         f'stroke="{HIGHLIGHT}" stroke-width="{1.5 * scale:.3f}"/>'
                         f'<circle cx="{lon:.2f}" cy="{-lat:.2f}" r="{1.6 * scale:.3f}" fill="{HIGHLIGHT}"/>')
        parts.append("</svg>")
        return "".join(parts)
