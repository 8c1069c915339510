"""Checks every profile page must pass (shared by the unit and the real-data tests): a strict HTML5 parse and no
reference to a network resource."""

from __future__ import annotations

import re

import html5lib

#: src=, href=, xlink:href= or action= pointing at a scheme (http:, data:, ...) or a protocol-relative //host;
#: css url(...) and @import. xmlns="http://www.w3.org/2000/svg" is a namespace name, not a resource.
NETWORK = re.compile(
    r"""(?:\b(?:src|href|xlink:href|action|poster|srcset)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:|//))"""
    r"""|url\s*\(|@import""",
    re.IGNORECASE,
)


def parse_strict(text: str) -> None:
    """Raise html5lib's ParseError on the first HTML5 parse error (the page must be valid)."""
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)


def network_references(text: str) -> list[str]:
    return [m.group(0) for m in NETWORK.finditer(text)]
