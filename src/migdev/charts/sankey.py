"""Two-column Sankey diagram of flows (origins on the left, destinations on the right): SVG by hand.

Why: the alternative to the chord diagram for readers who find circles hard. Direction is the reading direction of
the columns (headed "From" and "To", translated), each band is coloured by its origin and its width is the flow;
every band and bar has a ``<title>`` with the exact numbers. Layout: nodes stacked by size with a fixed gap, bands
ordered to avoid crossings at their ends (d3-sankey's idea for a single layer, without its iterative relaxation).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from migdev.charts import FONT, Formatter, esc, open_svg
from migdev.charts.chord import COLOURS, MIN_SHARE

WIDTH, HEIGHT = 640, 460
LABEL, BAR, GAP, TOP = 170, 12, 6, 24


def sankey_diagram(chart_id: str, title: str, labels: Sequence[str], matrix: np.ndarray, value: Formatter,
                   describe: Callable[[str, str, str], str], heads: tuple[str, str]) -> str:
    """The SVG Sankey of ``matrix`` (origin rows, destination columns); ``heads``: the translated column titles."""
    m = np.nan_to_num(np.asarray(matrix, dtype=float))
    total = m.sum()
    if total <= 0:
        return ""
    n = len(m)
    outs, ins = m.sum(axis=1), m.sum(axis=0)
    room = HEIGHT - TOP - 8 - GAP * (n - 1)
    k = room / total
    left_x, right_x = LABEL, WIDTH - LABEL - BAR

    def stack(sizes: np.ndarray) -> list[float]:
        y, tops = float(TOP), []
        for s in sizes:
            tops.append(y)
            y += s * k + GAP
        return tops

    ly, ry = stack(outs), stack(ins)
    desc = "; ".join(describe(labels[i], labels[j], value(m[i, j]))
                     for i, j in sorted(np.argwhere(m > 0).tolist(), key=lambda p: -m[p[0], p[1]])[:10])
    parts = [open_svg(chart_id, WIDTH, HEIGHT, title, desc), f'<g {FONT} fill="#222">',
             f'<text x="{left_x + BAR:.0f}" y="14" text-anchor="end" font-weight="bold">{esc(heads[0])}</text>',
             f'<text x="{right_x:.0f}" y="14" font-weight="bold">{esc(heads[1])}</text>',
             '<g class="bands" fill="none" stroke-opacity="0.55">']
    out_at, in_at = list(ly), list(ry)
    for i in range(n):
        for j in range(n):
            f = m[i, j]
            if f <= 0:
                continue
            w = f * k
            y0, y1 = out_at[i] + w / 2, in_at[j] + w / 2
            out_at[i] += w
            in_at[j] += w
            if f < MIN_SHARE * total:
                continue
            x0, x1 = left_x + BAR, right_x
            xm = (x0 + x1) / 2
            parts.append(f'<path class="band" d="M{x0} {y0:.2f}C{xm} {y0:.2f} {xm} {y1:.2f} {x1} {y1:.2f}" '
                         f'stroke="{COLOURS[i % len(COLOURS)]}" stroke-width="{max(w, 0.5):.2f}">'
                         f'<title>{esc(describe(labels[i], labels[j], value(f)))}</title></path>')
    parts.append("</g>")
    for i in range(n):
        colour = COLOURS[i % len(COLOURS)]
        for x, y, size, anchor, tx in ((left_x, ly[i], outs[i], "end", left_x - 4),
                                       (right_x, ry[i], ins[i], "start", right_x + BAR + 4)):
            h = max(size * k, 0.5)
            label = labels[i] if len(labels[i]) <= 26 else labels[i][:25] + "…"
            parts.append(f'<rect x="{x}" y="{y:.2f}" width="{BAR}" height="{h:.2f}" fill="{colour}">'
                         f'<title>{esc(labels[i])}: {esc(value(size))}</title></rect>')
            if h >= 7:
                parts.append(f'<text x="{tx}" y="{y + h / 2 + 4:.2f}" text-anchor="{anchor}">{esc(label)}</text>')
    parts.append("</g></svg>")
    return "".join(parts)
