"""Directional chord diagram of flows between places: SVG, drawn by hand like every chart of :mod:`migdev.charts`.

Why directional this way: the usual complaint about migration chord diagrams is that neither end says which is the
origin. Here each place's outer arc is split in two: its *out* part (full colour, emigrants leaving it) and its *in*
part (pale, immigrants arriving). A chord is coloured by its origin, starts on the origin's out part at full width
flush with the arc, and ends on the destination's in part as an arrowhead whose tip touches the arc. So direction
reads from colour, width and arrow, without a legend. Every chord and arc has a ``<title>`` with the exact numbers
(shown on hover) and the ``<desc>`` lists the largest flows in words; the page adds a table as the full fallback.

The layout is d3-chord's (angles proportional to each place's out + in totals, a fixed pad between places), written
out here so that the chart needs no JavaScript and renders identically in the PDF reports.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from migdev.charts import FONT, Formatter, esc, open_svg

#: Place colours: Okabe-Ito first (colour-blind safe), then darker and lighter companions for larger sets.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#8C564B", "#332288",
           "#117733", "#882255", "#44AA99", "#999933", "#AA4499", "#6699CC", "#AA4466", "#4477AA",
           "#228833", "#CCBB44", "#EE6677", "#66CCEE")
SIZE = 680
RADIUS = 185  # inner radius of the outer ring (the rest of SIZE holds the labels)
RING = 14  # ring thickness
ARROW = 12  # arrowhead length
PAD = 0.025  # radians between places
MIN_SHARE = 0.001  # chords below this share of all flows are left out of the drawing (never out of the table)


@dataclass(frozen=True)
class Node:
    label: str  # translated, shown
    href: str | None = None  # where clicking the place's arc leads (drill-down), or nothing


def _point(angle: float, r: float) -> tuple[float, float]:
    # angle 0 at the top, clockwise
    return SIZE / 2 + r * math.sin(angle), SIZE / 2 - r * math.cos(angle)


def _xy(angle: float, r: float) -> str:
    x, y = _point(angle, r)
    return f"{x:.2f} {y:.2f}"


def _arc(a0: float, a1: float, r: float) -> str:
    large = 1 if a1 - a0 > math.pi else 0
    return f"A{r} {r} 0 {large} 1 {_xy(a1, r)}"


def _ring_path(a0: float, a1: float, r0: float, r1: float) -> str:
    large = 1 if a1 - a0 > math.pi else 0
    return (f"M{_xy(a0, r1)}A{r1} {r1} 0 {large} 1 {_xy(a1, r1)}L{_xy(a1, r0)}"
            f"A{r0} {r0} 0 {large} 0 {_xy(a0, r0)}Z")


def layout(matrix: np.ndarray) -> tuple[list[tuple[float, float, float]], dict[tuple[int, int], tuple]]:
    """Angles of each place (start, end of out part, end) and of each chord (source and target sub-arcs).

    Parameters
    ----------
    matrix : square array, ``matrix[i, j]`` the flow from place i to place j (the diagonal: flows within i).

    Returns
    -------
    (places, chords): places[i] = (start, split, end) in radians, clockwise from the top; chords[(i, j)] =
    (s0, s1, t0, t1), the sub-arc on i's out part and on j's in part.

    Examples
    --------
    >>> places, chords = layout(np.array([[0.0, 3.0], [1.0, 0.0]]))
    >>> round(places[0][1] - places[0][0], 3) == round(places[1][2] - places[1][1], 3)  # 0's out = 1's in
    True
    """
    m = np.nan_to_num(np.asarray(matrix, dtype=float))
    n = len(m)
    total = m.sum() * 2
    if total <= 0:
        return [], {}
    k = (2 * math.pi - PAD * n) / total
    places, chords = [], {}
    start = 0.0
    for i in range(n):
        out, inn = m[i].sum() * k, m[:, i].sum() * k
        places.append((start, start + out, start + out + inn))
        start += out + inn + PAD
    for i in range(n):
        a = places[i][0]
        for j in sorted(range(n), key=lambda j: (j - i) % n):  # destinations clockwise from the origin
            w = m[i, j] * k
            chords[(i, j)] = [a, a + w]
            a += w
    for j in range(n):
        a = places[j][1]
        for i in sorted(range(n), key=lambda i: (j - i) % n):  # origins counter-clockwise from the destination
            w = m[i, j] * k
            chords[(i, j)] += [a, a + w]
            a += w
    return places, {key: tuple(v) for key, v in chords.items()}


def chord_diagram(chart_id: str, title: str, nodes: Sequence[Node], matrix: np.ndarray, value: Formatter,
                  describe: Callable[[str, str, str], str], place_text: Callable[[str, str, str], str]) -> str:
    """The SVG chord diagram of ``matrix`` (origin rows, destination columns) between ``nodes``.

    ``describe(origin, destination, flow)`` is the translated sentence of one chord (its tooltip);
    ``place_text(place, out, in)`` the tooltip of a place's arc. ``""`` when there is no flow at all.
    """
    m = np.nan_to_num(np.asarray(matrix, dtype=float))
    places, chords = layout(m)
    if not places:
        return ""
    total = m.sum()
    order = sorted(((m[i, j], i, j) for i in range(len(m)) for j in range(len(m)) if m[i, j] > 0), reverse=True)
    desc = "; ".join(describe(nodes[i].label, nodes[j].label, value(f)) for f, i, j in order[:10])
    parts = [open_svg(chart_id, SIZE, SIZE, title, desc), f'<g {FONT}>']
    inner = RADIUS - 2
    parts.append('<g class="chords" fill-opacity="0.72" stroke="#fff" stroke-width="0.4">')
    for f, i, j in reversed(order):  # largest drawn last, on top
        if f < MIN_SHARE * total:
            continue
        s0, s1, t0, t1 = chords[(i, j)]
        tip = (t0 + t1) / 2
        c = SIZE / 2
        d = (f"M{_xy(s0, inner)}{_arc(s0, s1, inner)}Q{c} {c} {_xy(t0, inner - ARROW)}"
             f"L{_xy(tip, inner)}L{_xy(t1, inner - ARROW)}Q{c} {c} {_xy(s0, inner)}Z")
        parts.append(f'<path class="chord" d="{d}" fill="{COLOURS[i % len(COLOURS)]}" data-o="{i}" data-d="{j}">'
                     f'<title>{esc(describe(nodes[i].label, nodes[j].label, value(f)))}</title></path>')
    parts.append("</g>")
    for i, (a0, split, a1) in enumerate(places):
        colour = COLOURS[i % len(COLOURS)]
        tip = place_text(nodes[i].label, value(m[i].sum()), value(m[:, i].sum()))
        body = (f'<path d="{_ring_path(a0, split, RADIUS, RADIUS + RING)}" fill="{colour}"/>'
                f'<path d="{_ring_path(split, a1, RADIUS, RADIUS + RING)}" fill="{colour}" fill-opacity="0.35" '
                f'stroke="{colour}" stroke-width="0.8"/>')
        mid = (a0 + a1) / 2
        x, y = _point(mid, RADIUS + RING + 6)
        anchor = "start" if math.sin(mid) >= 0 else "end"
        label = nodes[i].label if len(nodes[i].label) <= 26 else nodes[i].label[:25] + "…"
        text = (f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="{anchor}" fill="#222">{esc(label)}</text>'
                if a1 - a0 > 0.06 else "")
        group = f'<g class="place" data-i="{i}"><title>{esc(tip)}</title>{body}{text}</g>'
        if nodes[i].href:
            group = (f'<a href="{esc(nodes[i].href)}" class="place-link" aria-label="{esc(tip)}">{group}</a>')
        parts.append(group)
    parts.append("</g></svg>")
    return "".join(parts)
