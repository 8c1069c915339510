"""The hand-written SVG charts: well-formed XML, accessible name and description, every text escaped, missing
values never drawn as zero, nothing drawn from nothing."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pandas as pd

from migdev.charts import bars, nice_max, series
from migdev.charts.map import World
from migdev.i18n import translator

SVG = "{http://www.w3.org/2000/svg}"
T = translator("en")


def _tree(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    ids = root.get("aria-labelledby").split()
    assert {el.get("id") for el in root if el.tag in (f"{SVG}title", f"{SVG}desc")} == set(ids)
    return root


def test_line_chart_escapes_and_describes():
    svg = series.line_chart("c1", 'Stocks <b>&</b> "flows"', [1990, 2000, 2010],
                            [series.Line("<script>x</script>", [1.0, 2.0, 3.0])], T.compact, T.number)
    root = _tree(svg)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert root.find(f"{SVG}title").text == 'Stocks <b>&</b> "flows"'
    assert "1990 1" in root.find(f"{SVG}desc").text


def test_missing_values_break_the_line():
    svg = series.line_chart("c2", "t", [1, 2, 3, 4, 5], [series.Line("a", [1.0, 2.0, None, 4.0, 5.0])],
                            T.compact, T.number)
    root = _tree(svg)
    lines = root.findall(f".//{SVG}polyline")
    assert len(lines) == 2 and all(len(p.get("points").split()) == 2 for p in lines)
    assert "3 " not in root.find(f"{SVG}desc").text.split(": ")[1]  # no value written for the missing year


def test_nothing_to_draw_is_empty():
    assert series.line_chart("c3", "t", [1, 2], [series.Line("a", [None, None])], T.compact, T.number) == ""
    assert bars.bar_chart("c4", "t", [], T.number) == ""
    assert bars.bar_chart("c5", "t", [("a", None)], T.number) == ""


def test_bars_rank_and_label():
    svg = bars.bar_chart("c6", "Top", [("United States of America", 11_279_561), ("Canada", 103_620)], T.number)
    root = _tree(svg)
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect")]
    assert widths[0] > widths[1] > 0
    assert "11,279,561" in svg


def test_nice_max():
    assert [nice_max(v) for v in (0, 0.7, 3, 240, 11_279_561)] == [1.0, 1.0, 5, 250, 20_000_000]


def _world() -> World:
    square = {"type": "Polygon", "coordinates": [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]]}
    tiny = {"type": "MultiPolygon", "coordinates": [[[[50, 5], [50.5, 5], [50.5, 5.5], [50, 5]]]]}
    geometry = pd.DataFrame([
        {"iso3": "AAA", "geojson": json.dumps(square), "min_lon": 0, "min_lat": 0, "max_lon": 10, "max_lat": 10,
         "source_id": "ne"},
        {"iso3": "TNY", "geojson": json.dumps(tiny), "min_lon": 50, "min_lat": 5, "max_lon": 50.5, "max_lat": 5.5,
         "source_id": "ne"}])
    points = pd.DataFrame([{"iso3": "PTS", "lat": 1.0, "lon": 100.0, "basis": "capital", "source_id": "cepii"},
                           {"iso3": "AAA", "lat": 5.0, "lon": 5.0, "basis": "polygon", "source_id": "ne"}])
    return World(geometry, points)


def test_locator_highlights_polygon_or_marks_a_point():
    world = _world()
    root = _tree(world.locator("m1", "Where <A>", "desc", ["AAA"]))
    fills = [p.get("fill") for p in root.iter(f"{SVG}path")]
    assert fills.count("#D55E00") == 1 and not root.findall(f".//{SVG}circle")
    x, y, w, _h = (float(v) for v in root.get("viewBox").split())
    assert x < 0 < 10 < x + w and -y > 10  # the frame contains the square (y is -latitude)
    small = _tree(world.locator("m2", "t", "d", ["TNY"]))
    assert small.findall(f".//{SVG}circle")  # too small to see: ringed point
    point = _tree(world.locator("m3", "t", "d", ["PTS"]))
    assert point.findall(f".//{SVG}circle") and not point.findall(f".//{SVG}path[@fill='#D55E00']")
    assert world.locator("m4", "t", "d", ["NOPE"]) == ""
