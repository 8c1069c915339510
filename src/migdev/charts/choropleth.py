"""World choropleth: every area of :class:`~migdev.charts.map.World` filled by its class of an indicator, small
states as points, each area a link to its page.

Why this shape: the home page recolours the map when the reader changes the indicator or the year without a
reload, so the SVG carries each area's code (``data-iso3``) and class, and a script only swaps fill classes and
titles from JSON. Areas are ``<a>`` elements: clickable, focusable with the keyboard, and named for screen readers
(``aria-label`` = name and value). Classes are quantiles of the year's values (five, colour-blind-safe viridis
steps); a missing value is grey, never the lowest class.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cache

from migdev.charts import esc, open_svg
from migdev.charts.map import SMALL, World

#: Five sequential classes (viridis), light to dark, and the colour of "not available".
CLASSES = ("#fde725", "#5ec962", "#21918c", "#3b528b", "#440154")
MISSING = "#d4d4d4"
WIDTH, HEIGHT = 960, 470


@cache
def _outline(path: str) -> str:
    """A locator path at 0.1 degree (a third of a pixel at the world map's width): a quarter less to parse."""
    return re.sub(r"(\d\.\d)\d", r"\1", path)


def choropleth(world: World, chart_id: str, title: str, desc: str, values: Mapping[str, tuple[int, str]],
               names: Mapping[str, str], href: Callable[[str], str], missing: str) -> str:
    """The world map; ``values[iso3] = (class 0..4, formatted value)``; ``names`` the areas' translated names."""
    parts = [open_svg(chart_id, WIDTH, HEIGHT, title, desc, view_box="-180 -84 360 176"),
             '<rect x="-180" y="-84" width="360" height="176" fill="#eef4f8"/>',
             '<g class="areas" stroke="#fff" stroke-width="0.25" stroke-linejoin="round">']

    def link(code: str, shape: str) -> str:
        cls, text = values.get(code, (-1, missing))
        fill = CLASSES[cls] if cls >= 0 else MISSING
        label = f"{names.get(code, code)}: {text}"
        return (f'<a href="{esc(href(code))}" aria-label="{esc(label)}" data-iso3="{esc(code)}">'
                f'<g class="area" fill="{fill}">{shape}<title>{esc(label)}</title></g></a>')

    for code, shape in world.shapes.items():
        if code in names:
            parts.append(link(code, f'<path d="{_outline(shape.path)}"/>'))
    parts.append("</g>")
    parts.append('<g class="points" stroke="#333" stroke-width="0.3">')
    for code, (lon, lat) in world.points.items():
        shape = world.shapes.get(code)
        if code in names and (shape is None or shape.area < SMALL):
            parts.append(link(code, f'<circle cx="{lon:.2f}" cy="{-lat:.2f}" r="1.6"/>'))
    parts.append("</g></svg>")
    return "".join(parts)
