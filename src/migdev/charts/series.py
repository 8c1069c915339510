"""Lines over years (stocks by sex, remittances against FDI, ODA and exports).

A missing value breaks the line (never drawn as 0); a series with no value at all is left out of the chart and
its legend, and a chart with no series returns ``""`` so the page shows "not available" instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from migdev.charts import FONT, PALETTE, Formatter, esc, nice_max, open_svg

WIDTH, HEIGHT = 520, 240
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 34, 26


@dataclass(frozen=True)
class Line:
    label: str  # translated
    values: Sequence[float | None]


def line_chart(chart_id: str, title: str, years: Sequence[int], lines: Sequence[Line], axis: Formatter,
               value: Formatter) -> str:
    """An SVG line chart; ``axis`` formats tick labels (compact), ``value`` the numbers of the description."""
    lines = [ln for ln in lines if any(v is not None for v in ln.values)]
    if not lines or not years:
        return ""
    hi = max(v for ln in lines for v in ln.values if v is not None)
    lo = min(0.0, min(v for ln in lines for v in ln.values if v is not None))
    # a series below zero only (an elasticity) hangs from 0 down to a round minimum instead of up to a spare 1
    top, lo = (nice_max(hi), lo) if hi > 0 or lo == 0 else (0.0, -nice_max(-lo))
    x0, x1 = min(years), max(years)
    span = (x1 - x0) or 1
    pw, ph = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(year: float) -> float:
        return LEFT + (year - x0) / span * pw

    def y(v: float) -> float:
        return TOP + ph - (v - lo) / ((top - lo) or 1) * ph

    desc = "; ".join(f"{ln.label}: " + ", ".join(f"{yr} {value(v)}" for yr, v in zip(years, ln.values, strict=True)
                                                  if v is not None) for ln in lines)
    parts = [open_svg(chart_id, WIDTH, HEIGHT, title, desc), f'<g {FONT} fill="#333">']
    for i in range(5):
        tv = lo + (top - lo) * i / 4
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tv):.1f}" y2="{y(tv):.1f}" stroke="#ddd"/>'
                     f'<text x="{LEFT - 4}" y="{y(tv) + 4:.1f}" text-anchor="end">{esc(axis(tv))}</text>')
    step = max(1, len(years) // 8)
    for yr in list(years)[::step]:
        parts.append(f'<text x="{x(yr):.1f}" y="{HEIGHT - 8}" text-anchor="middle">{yr}</text>')
    for i, ln in enumerate(lines):
        colour = PALETTE[i % len(PALETTE)]
        segment: list[str] = []
        for yr, v in [*zip(years, ln.values, strict=True), (None, None)]:
            if v is None:
                if len(segment) > 1:
                    parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                                 f'points="{" ".join(segment)}"/>')
                elif segment:
                    cx, cy = segment[0].split(",")
                    parts.append(f'<circle cx="{cx}" cy="{cy}" r="2.5" fill="{colour}"/>')
                segment = []
                continue
            segment.append(f"{x(yr):.1f},{y(v):.1f}")
        lx = LEFT + i * (pw / max(len(lines), 1))
        parts.append(f'<rect x="{lx:.1f}" y="8" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{lx + 14:.1f}" y="17">{esc(ln.label)}</text>')
    parts.append("</g></svg>")
    return "".join(parts)
