"""Ranked horizontal bars (top destinations, origins, corridors): one bar per item, its value written beside it."""

from __future__ import annotations

from collections.abc import Sequence

from migdev.charts import FONT, PALETTE, Formatter, esc, open_svg

WIDTH, ROW, LABEL, VALUE_SPACE = 520, 20, 170, 80


def bar_chart(chart_id: str, title: str, items: Sequence[tuple[str, float]], value: Formatter,
              colour: str = PALETTE[0]) -> str:
    """An SVG bar chart of (translated label, value) pairs, largest first; ``""`` when there is nothing to show."""
    items = [(label, v) for label, v in items if v is not None]
    if not items:
        return ""
    top = max(v for _, v in items) or 1
    height = ROW * len(items) + 8
    bar_room = WIDTH - LABEL - VALUE_SPACE
    desc = "; ".join(f"{label}: {value(v)}" for label, v in items)
    parts = [open_svg(chart_id, WIDTH, height, title, desc), f'<g {FONT} fill="#333">']
    for i, (label, v) in enumerate(items):
        yy = 4 + i * ROW
        w = max(v / top * bar_room, 1)
        short = label if len(label) <= 28 else label[:27] + "…"
        parts.append(f'<text x="{LABEL - 6}" y="{yy + 13}" text-anchor="end">{esc(short)}</text>'
                     f'<rect x="{LABEL}" y="{yy + 2}" width="{w:.1f}" height="{ROW - 6}" fill="{colour}">'
                     f'<title>{esc(label)}: {esc(value(v))}</title></rect>'
                     f'<text x="{LABEL + w + 4:.1f}" y="{yy + 13}">{esc(value(v))}</text>')
    parts.append("</g></svg>")
    return "".join(parts)
