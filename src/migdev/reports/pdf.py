"""HTML pages to PDF with WeasyPrint: the same page, its inline SVG charts kept as vector graphics, A4 pages
numbered by CSS counters, sources as footnotes, and the Noto fonts embedded (subset) so Arabic and Chinese render.

Why WeasyPrint: it lays out the very HTML the web shows (one template per report, no second layout to keep in step)
and supports CSS Paged Media (``@page`` counters, ``float: footnote``). Footnotes are made by :class:`Footnotes`
while the template renders: the first citation of a source text becomes a footnote, later ones refer to its
number (a CSS footnote cannot be called twice), so a page of twenty figures from one release has one note.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from markupsafe import Markup, escape

PRINT_CSS = Path(__file__).with_name("templates") / "print.css"


class Inline:
    """Sources on screen: in small type beside the figure (the HTML pages)."""

    pdf = False

    def mark(self, text: str) -> Markup:
        return Markup('<span class="src">{}</span>').format(text) if text else Markup("")


class Footnotes:
    """Sources in print: the first citation of each text is a footnote (numbered in document order, as
    WeasyPrint numbers ``float: footnote`` elements), a repeat is a superscript reference to that number."""

    pdf = True

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}

    def mark(self, text: str) -> Markup:
        if not text:
            return Markup("")
        if text in self.numbers:
            return Markup('<sup class="fnref">{}</sup>').format(self.numbers[text])
        self.numbers[text] = len(self.numbers) + 1
        return Markup('<span class="fn">{}</span>').format(escape(text))


@cache
def _fonts():
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def to_pdf(html: str) -> bytes:
    """The PDF of a self-contained HTML page (no network is read: every asset is inline).

    The print layer is appended to the page's own ``<head>`` (author styles, after the page's): WeasyPrint's
    ``stylesheets=`` are user styles, which the page's ``font-family`` would override."""
    from weasyprint import HTML

    style = f"<style>{PRINT_CSS.read_text(encoding='utf-8')}</style>"
    at = html.find("</head>")
    page = html[:at] + style + html[at:] if at >= 0 else style + html
    return HTML(string=page, base_url=str(PRINT_CSS.parent)).write_pdf(font_config=_fonts())
