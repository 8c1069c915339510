"""What a rendered page in one language must pass (shared by the profile and the page/report language tests): its
visible text, the message ids the English page shows, the English left in another language, and numbers written
in a format other than the locale's.

Why by hand over ``html.parser``: the checks need the text as a reader sees it (text nodes, ``title``/``alt``/
``aria-label``), split where the layout splits it (a table cell, an SVG label), which no library gives directly.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser

from babel import numbers

from migdev.i18n import catalogue, translator

#: A literal part of a message at least this long is looked for as a substring; a shorter message only as a whole
#: block of text (a heading, a cell, a label), so "Total" is not found inside "Total population".
LONG = 12
#: Elements that do not end a block of text: a message split by one of these is still one string.
INLINE = {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "i", "kbd", "mark", "q", "s",
          "samp", "small", "span", "strong", "time", "u", "var", "output", "label"}
#: Attributes a reader (or a screen reader) is shown.
SHOWN_ATTRIBUTES = ("title", "alt", "aria-label", "aria-valuetext", "placeholder")
HIDDEN = {"script", "style", "template"}


def collapse(text: str) -> str:
    """Runs of ASCII white space as one space (``str.split`` would also eat the no-break spaces of numbers)."""
    return SPACE.sub(" ", text).strip()


SPACE = re.compile(r"[ \t\n\r\f\v]+")


def fragments(message: str, minimum: int = 3) -> list[str]:
    """The literal parts of a message around its placeholders (what must show verbatim on the page)."""
    parts = catalogue.PLACEHOLDER.split(message.replace("%%", "%"))
    return [collapse(p) for p in parts if len(p.strip()) >= minimum]


def _pattern(message: str) -> re.Pattern[str]:
    """The whole message as a regular expression (each placeholder any text)."""
    parts = catalogue.PLACEHOLDER.split(collapse(message.replace("%%", "%")))
    return re.compile(".+?".join(re.escape(p) for p in parts))


@dataclass
class Visible:
    """A page's visible text: ``blocks`` (one per cell, paragraph, label; whitespace collapsed) and, apart,
    the values of the attributes shown to readers."""

    blocks: list[str] = field(default_factory=list)
    attributes: list[str] = field(default_factory=list)
    html_attrs: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n".join(self.blocks + self.attributes)

    def without(self, data: frozenset[str]) -> Visible:
        """The same text with every occurrence of ``data`` (names and citations from the database) blanked."""
        pattern = _alternatives(data)
        if pattern is None:
            return self

        def blank(items: list[str]) -> list[str]:
            return [collapse(pattern.sub(" \x00 ", s)) for s in items]

        return Visible(blank(self.blocks), blank(self.attributes), self.html_attrs)


@cache
def _alternatives(data: frozenset[str]) -> re.Pattern[str] | None:
    wanted = sorted({d for d in data if d and len(d) >= 3}, key=len, reverse=True)
    return re.compile("|".join(re.escape(d) for d in wanted)) if wanted else None


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Visible()
        self.hidden = 0
        self.current: list[str] = []

    def _end_block(self) -> None:
        text = collapse("".join(self.current))
        if text:
            self.page.blocks.append(text)
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.page.html_attrs = {k: v or "" for k, v in attrs}
        if tag in HIDDEN:
            self.hidden += 1
        if tag not in INLINE:
            self._end_block()
        for name, value in attrs:
            if name in SHOWN_ATTRIBUTES and value and value.strip():
                self.page.attributes.append(collapse(value))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in HIDDEN:
            self.hidden -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        if tag not in INLINE:
            self._end_block()

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.current.append(data)


def visible(page: str) -> Visible:
    reader = _Reader()
    reader.feed(page)
    reader.close()
    reader._end_block()
    return reader.page


# -- messages --------------------------------------------------------------------------------------------------
@cache
def message_ids() -> tuple[str, ...]:
    """Every message id the package uses (the extracted template: an id never merged into the catalogues is
    still looked for) or the English catalogue holds (a message turned back into a template literal, no longer
    extracted, is still looked for until ``update`` drops it)."""
    ids = {catalogue._key(m) for m in catalogue.template() if m.id} | {catalogue._key(m) for m in
                                                                         catalogue.load("en") if m.id}
    return tuple(sorted(ids))


def shown(english: Visible, ids: Iterable[str] = ()) -> list[str]:
    """The message ids the English page shows: every literal part of at least :data:`LONG` characters found in
    its text outside the longer messages shown (so "Average cost" is not found in "Average cost of sending ..."),
    or (a short message) the whole message as one block or attribute."""
    text = english.text
    whole = set(english.blocks) | set(english.attributes)
    candidates = [m for m in ids or message_ids() if fragments(m, LONG) and all(f in text for f in fragments(m, LONG))]
    out = []
    for m in candidates:
        longer = {f for other in candidates if other != m for f in fragments(other, LONG)}
        if all(f in _mask(text, [g for g in longer if f in g and g != f]) for f in fragments(m, LONG)):
            out.append(m)
    for m in ids or message_ids():
        if _short(m) and any(_pattern(m).fullmatch(b) for b in whole):
            out.append(m)
    return out


def _short(message: str) -> bool:
    """A message looked for as a whole block: no literal part of :data:`LONG` characters, and enough literal
    text (6 characters) that its pattern is not just placeholders around a word ("%(a)s to %(b)s" would match
    "Skip to content")."""
    return not fragments(message, LONG) and len("".join(fragments(message, 1))) >= min(6, len(message))


def _mask(text: str, parts: list[str]) -> str:
    for p in sorted(parts, key=len, reverse=True):
        text = text.replace(p, "\x00")
    return text


@cache
def _translated_texts(lang: str) -> str:
    """Every translation of the language's catalogue, one a line (what may legitimately show in its pages)."""
    return "\n".join(collapse(s) for s in _catalogue_strings(lang).values())


def english_left(page: Visible, lang: str, ids: Iterable[str]) -> list[tuple[str, str]]:
    """(message id, English text) for each shown message whose English is still on the page in ``lang``.

    Not looked for: a message translated as itself, and an English part the language's own catalogue writes
    (a term kept in a translation, e.g. "SDG" ids in a Chinese sentence)."""
    t = translator(lang)
    mine = _translated_texts(lang)
    text = page.text
    whole = set(page.blocks) | set(page.attributes)
    left = []
    for m in ids:
        if t.gettext(m) == m and _catalogued(lang, m):
            continue
        long = [f for f in fragments(m, LONG) if f not in mine]
        if fragments(m, LONG):
            left += [(m, f) for f in long if f in text]
        elif _short(m) and any(_pattern(m).fullmatch(b) for b in whole) and not re.search(
                rf"(?m)^{_pattern(m).pattern}$", mine):
            left.append((m, m))
    return left


@cache
def _catalogue_strings(lang: str) -> dict[str, str]:
    return {catalogue._key(m): str(m.string) for m in catalogue.load(lang) if m.id and m.string and not m.fuzzy}


def _catalogued(lang: str, message: str) -> bool:
    """The language's catalogue holds a reviewed translation of ``message`` (not empty, not fuzzy)."""
    return message in _catalogue_strings(lang)


def translation_missing(page: Visible, lang: str, ids: Iterable[str]) -> list[tuple[str, str]]:
    """(message id, translated part) for each shown message whose translation is not on the page in ``lang``."""
    t = translator(lang)
    text = page.text
    return [(m, f) for m in ids for f in fragments(t.gettext(m), LONG) if f not in text]


# -- numbers ---------------------------------------------------------------------------------------------------
#: Any run of digits (any script) joined by one separator of any locale, or by a plain space before each group
#: of three after a lead of one to three digits (French typed as ``1 234,5``; in "1990 4,588,874", a year and a
#: figure, and "120 2024", a figure and its year, the numbers stay apart).
NUMBER = re.compile(r"(?<![0-9A-Za-z_.,])(?:\d{1,3}(?: \d{3}(?!\d))+(?:[.,]\d+)?|"
                    r"\d+(?:[.,\u00a0\u202f\u066b\u066c']\d+)*)")
#: Years standing alone (an ungrouped four-digit number in every locale).
YEAR = re.compile(r"(?:19[5-9]\d|20\d\d|2100)")
#: Not figures: SDG indicator codes (10.7.2, 10.c.1, 10.7.x), M49 and ISO codes, series codes (ATCR.CORR,
#: SM_DTH_MIGR), addresses and DOIs, resolution numbers (58/208).
CODE = re.compile(r"(?<![\d.])\d{1,2}\.(?:\d{1,2}\.[\dx]|[a-c]\.\d)(?!\d)|m49:\d+|ISO\s?\d+|\b[A-Z]{2,}[\w-]*\d[\w.-]*|"
                  r"\S*/\S*")


@dataclass(frozen=True)
class NumberFormat:
    """The digits, grouping and decimal signs of a locale and its short (compact) forms, all from Babel (CLDR)."""

    lang: str
    digits: frozenset[str]
    group: str
    decimal: str
    #: (suffix, most integer digits) of the compact forms: CLDR writes "1000万" and "1616,5 M", ungrouped.
    compact: tuple[tuple[str, int], ...]

    @classmethod
    @cache
    def of(cls, lang: str) -> NumberFormat:
        sample = numbers.format_decimal(1234567890, format="0", locale=lang, numbering_system="default")
        locale = numbers.Locale.parse(lang)
        compact: dict[str, int] = {}
        for table in (locale.compact_decimal_formats["short"], locale.compact_currency_formats["short"]):
            for forms in table.values():
                for pattern in forms.values():
                    text = pattern.pattern.replace("'", "")
                    zeros = re.search(r"0+", text)
                    suffix = text[zeros.end():].replace("¤", "").strip("\u00a0 ") if zeros else ""
                    if zeros and suffix:
                        compact[suffix] = max(compact.get(suffix, 0), len(zeros.group(0)))
        return cls(lang, frozenset(sample), numbers.get_group_symbol(lang, numbering_system="default"),
                   numbers.get_decimal_symbol(lang, numbering_system="default"),
                   tuple(sorted(compact.items(), key=lambda kv: -len(kv[0]))))

    def well_formed(self, token: str, after: str = "") -> bool:
        """The locale writes numbers this way: its digits, groups of three joined by its group sign after a lead
        of one to three digits, its decimal sign; an ungrouped integer part only up to three digits, a year, or in
        a compact form ("1000万") as many digits as its CLDR pattern has. ``after``: the text that follows."""
        if any(unicodedata.category(c) == "Nd" and c not in self.digits for c in token):
            return False
        whole, _, frac = token.partition(self.decimal) if self.decimal in token else (token, "", "")
        if frac and not frac.isdigit():
            return False
        if whole[:1] == "0" and len(whole) > 1:  # "000 1": a number typed backwards, or a code
            return False
        if whole.isdigit():
            rest = after.lstrip("\u00a0")
            longest = next((n for suffix, n in self.compact if rest.startswith(suffix)), 3)
            return len(whole) <= max(3, longest) or (not frac and YEAR.fullmatch(whole) is not None)
        groups = whole.split(self.group)
        return (all(g.isdigit() for g in groups) and 1 <= len(groups[0]) <= 3
                and all(len(g) == 3 for g in groups[1:]))


@cache
def codes_in_ids() -> frozenset[str]:
    """Dotted numbers the English message ids themselves write ("the SDG 10.7 targets"): codes, the same in every
    language, not figures to format."""
    return frozenset(t for m in message_ids() for t in re.findall(r"(?<![\d.])\d{1,2}\.[\da-z]{1,2}(?![\d.])",
                                                                      " ".join(catalogue.PLACEHOLDER.split(m))))


def raw_numbers(page: Visible, lang: str) -> list[tuple[str, str]]:
    """(number, its block) for every number of the visible text not in the locale's format (codes excluded)."""
    fmt = NumberFormat.of(lang)
    bad = []
    for block in page.blocks:
        text = CODE.sub(" ", block)
        bad += [(m.group(0), block) for m in NUMBER.finditer(text) if m.group(0) not in codes_in_ids()
                and not fmt.well_formed(m.group(0), text[m.end():m.end() + 8])]
    return bad


def numbers_in(text: str) -> list[str]:
    """Every number of a text (codes excluded), for checks of what the locale's format must find."""
    return [m.group(0) for m in NUMBER.finditer(CODE.sub(" ", text))]
