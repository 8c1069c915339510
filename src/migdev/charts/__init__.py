"""Charts made by the project as hand-written SVG strings: no network, no JavaScript, no plotting library.

Why hand-written: profiles must read offline and pass an HTML validator, and the six UN languages (Arabic right to
left) must come through unchanged. So a chart receives text already translated and numbers already formatted
(a formatter callable from :mod:`migdev.i18n`), escapes every piece of text, and carries a ``<title>`` and a
``<desc>`` (the data in words) referenced by ``aria-labelledby`` as its text alternative.

One module per kind: ``series`` (lines over years), ``bars`` (ranked horizontal bars), ``map`` (locator map).
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape as _escape

Formatter = Callable[[float], str]
#: Colours of the series, in order (colour-blind safe, Okabe-Ito).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
FONT = "font-family=\"sans-serif\" font-size=\"11\""


def esc(text: object) -> str:
    """Escape text for SVG/HTML content and attribute values (quotes included)."""
    return _escape(str(text), quote=True)


def open_svg(chart_id: str, width: float, height: float, title: str, desc: str, view_box: str | None = None) -> str:
    """The opening ``<svg>`` with its accessible name (title) and description.

    ``direction="ltr"``: the charts are laid out left to right (time and bars grow rightwards); on an Arabic page
    the inherited ``rtl`` would flip every ``text-anchor``, putting labels over the bars. Arabic text inside a
    label still reads right to left (the Unicode bidi algorithm), only the anchors keep their meaning."""
    vb = view_box or f"0 0 {width:g} {height:g}"
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{esc(chart_id)}" width="{width:g}" '
            f'height="{height:g}" viewBox="{vb}" direction="ltr" role="img" '
            f'aria-labelledby="{esc(chart_id)}-t {esc(chart_id)}-d">'
            f'<title id="{esc(chart_id)}-t">{esc(title)}</title><desc id="{esc(chart_id)}-d">{esc(desc)}</desc>')


def nice_max(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 2.5, 5 x 10^k)."""
    if value <= 0:
        return 1.0
    import math

    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power
