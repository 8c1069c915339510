"""The six catalogues kept complete: extract every message id, merge it into each ``.po``, check, fill.

Why: a word shown by a template or a chart but missing from a catalogue would stay English in that language, and a
stale entry would keep a translation nobody reviews. So the message ids are always *extracted* (Babel's extractor,
:file:`babel.cfg` beside this module: every ``*.py``, ``*.j2`` and ``*.html`` under ``src/migdev``, keywords
``_ gettext ngettext pgettext ... N_``), never listed by hand, and the catalogues are derived from them.

Maintenance (see ``src/migdev/i18n/GLOSSARY.md`` for the terms)::

    python -m migdev.i18n.catalogue update            # extract, merge into ar zh en fr ru es; drop obsolete ids
    python -m migdev.i18n.catalogue check             # what is missing, empty, fuzzy, obsolete or mismatched
    python -m migdev.i18n.catalogue todo -o todo.json # the entries still to translate, as one JSON file
    python -m migdev.i18n.catalogue fill todo.json    # write the filled JSON back (placeholders checked first)

``update`` adds a new id with an empty ``msgstr`` (or Babel's guess from a similar old id, flagged ``fuzzy``:
fuzzy entries are not used at run time and the check fails on them until reviewed) to every language but English,
whose ``msgstr`` is the id itself (English is the source language). ``fill`` refuses a translation whose
placeholders (``%(name)s``, ``%%``, ``{name}``) differ from its id's, so a pass over the JSON cannot break a page.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import re
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from migdev.i18n import DOMAIN, catalogue_path
from migdev.vocab import LANGUAGES

PACKAGE = Path(__file__).resolve().parent.parent
CONFIG = Path(__file__).with_name("babel.cfg")
#: Babel's gettext names plus ``N_`` (mark now, translate later: labels declared in Python modules).
KEYWORDS: dict[str, Any] = {**DEFAULT_KEYWORDS, "N_": None}
COMMENT_TAGS = ("Translators:",)
#: Fixed dates in the headers, so ``update`` on unchanged sources rewrites the files byte for byte.
STAMP = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
#: A slot, or a lone "%" (Jinja formats every message with ``%``: a stray one would break the page).
PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]|%%|%[-#0 +]*\d*(?:\.\d+)?[sdifr]|\{[^{}\s]*\}|%")
HEADER = """Messages of migdev in LANGUAGE, written for the project.
Generated ids: python -m migdev.i18n.catalogue update (do not add ids by hand).
Terms: src/migdev/i18n/GLOSSARY.md."""


# -- extraction ------------------------------------------------------------------------------------------------
def template() -> Catalog:
    """Every message id the package uses (the ``.pot`` in memory), located by file (a fresh copy each call)."""
    return copy.deepcopy(_extract())


@cache
def _extract() -> Catalog:
    """Extract once per process (0.7 s over src/migdev): the maintenance commands and tests read it often."""
    with CONFIG.open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh, str(CONFIG))
    pot = Catalog(domain=DOMAIN, project="migdev", version="", creation_date=STAMP, revision_date=STAMP,
                  msgid_bugs_address="", charset="utf-8")
    for filename, _line, msgid, comments, context in extract_from_dir(
            PACKAGE, method_map, options_map, keywords=KEYWORDS, comment_tags=COMMENT_TAGS,
            strip_comment_tags=True):
        if not (msgid[0] if isinstance(msgid, tuple) else msgid):
            continue
        existing = pot.get(msgid[0] if isinstance(msgid, tuple) else msgid, context)
        if existing is not None:
            existing.locations = sorted({*existing.locations, (filename, None)})
            existing.auto_comments = sorted({*existing.auto_comments, *comments})
        else:
            pot.add(msgid, locations=[(filename, None)], auto_comments=comments, context=context)
    return pot


def used_messages() -> dict[str, list[str]]:
    """Every message id used (the singular of a plural), with the files that use it."""
    return {_key(m): [loc for loc, _ in m.locations] for m in template() if m.id}


def _key(message: Message) -> str:
    return str(message.id[0] if isinstance(message.id, tuple | list) else message.id)


# -- reading and writing the catalogues ------------------------------------------------------------------------
def load(lang: str) -> Catalog:
    """The catalogue of ``lang`` as Babel reads it (an empty one if the file does not exist yet)."""
    path = catalogue_path(lang)
    if not path.is_file():
        return Catalog(locale=lang, domain=DOMAIN, project="migdev", version="", creation_date=STAMP,
                       revision_date=STAMP, msgid_bugs_address="", header_comment=_header(lang))
    with path.open("rb") as fh:
        return read_po(fh, locale=lang, domain=DOMAIN)


def save(catalog: Catalog, lang: str) -> Path:
    catalog.revision_date = STAMP
    catalog.header_comment = _header(lang)
    catalog.version = "1"
    catalog.last_translator = catalog.language_team = "migdev project"
    catalog.msgid_bugs_address = ""
    catalog.fuzzy = False  # the header is written by update, not a guess
    path = catalogue_path(lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog, width=116, sort_output=True, include_lineno=False, ignore_obsolete=True)
    return path


def _header(lang: str) -> str:
    return "\n".join(f"# {line}" for line in HEADER.replace("LANGUAGE", lang).splitlines())


def update(langs: Iterable[str] = LANGUAGES) -> dict[str, dict[str, int]]:
    """Merge the extracted ids into each catalogue; drop ids no longer used. Returns counts per language."""
    counts = {}
    for lang in langs:
        catalog = load(lang)
        before = {_key(m) for m in catalog if m.id}
        # update() stores the template's own Message objects: each language gets its copy
        catalog.update(template(), no_fuzzy_matching=False, update_header_comment=False, update_creation_date=True)
        dropped = len(catalog.obsolete)
        catalog.obsolete.clear()
        if lang == "en":  # the source language: each id is its own translation, never fuzzy
            for m in catalog:
                if m.id:
                    m.string = m.id
                    m.flags.discard("fuzzy")
        save(catalog, lang)
        added = len({_key(m) for m in catalog if m.id} - before)
        counts[lang] = {"messages": sum(1 for m in catalog if m.id), "added": added, "removed": dropped,
                        "todo": sum(1 for m in catalog if m.id and (m.fuzzy or _blank(m.string)))}
    return counts


# -- checks ----------------------------------------------------------------------------------------------------
def placeholders(text: str) -> set[str]:
    """The substitution slots of a message: ``%(name)s``, ``%%``, ``%s``, ``{name}``."""
    return set(PLACEHOLDER.findall(text))


def _blank(string: object) -> bool:
    if isinstance(string, tuple | list):
        return any(not s for s in string)
    return not string


def _slots_match(message: Message, string: object) -> bool:
    ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
    forms = string if isinstance(string, tuple | list) else (string,)
    wanted = set().union(*(placeholders(i) for i in ids))
    if len(ids) == 1:
        return all(placeholders(f) == wanted for f in forms)
    found = [placeholders(f) for f in forms]  # a plural's form for one may drop the count
    return all(f <= wanted for f in found) and set().union(*found) == wanted


def problems(lang: str, pot: Catalog | None = None) -> dict[str, list[str]]:
    """What keeps the catalogue of ``lang`` from being complete, by kind (each a list of message ids)."""
    pot = pot if pot is not None else template()
    wanted = {_key(m): m for m in pot if m.id}
    if not catalogue_path(lang).is_file():
        return {"no catalogue": [str(catalogue_path(lang))]}
    catalog = load(lang)
    held = {_key(m): m for m in catalog if m.id}
    out: dict[str, list[str]] = {
        "missing": sorted(set(wanted) - set(held)),
        "obsolete": sorted(set(held) - set(wanted)) + sorted(_key(m) for m in catalog.obsolete.values()),
        "empty": sorted(k for k, m in held.items() if k in wanted and _blank(m.string)),
        "fuzzy": sorted(k for k, m in held.items() if k in wanted and m.fuzzy),
        "placeholders": sorted(k for k, m in held.items() if not _blank(m.string) and not _slots_match(m, m.string)),
        "plural forms": sorted(k for k, m in held.items() if isinstance(m.id, tuple | list)
                               and len(m.string) != catalog.num_plurals),
    }
    return {kind: ids for kind, ids in out.items() if ids}


def report(langs: Iterable[str] = LANGUAGES) -> str:
    """Every problem of every catalogue, one line per kind and language ('' when all are complete)."""
    pot = template()
    lines = []
    for lang in langs:
        for kind, ids in problems(lang, pot).items():
            lines.append(f"{lang}: {len(ids)} {kind}: " + "; ".join(repr(i) for i in ids))
    return "\n".join(lines)


# -- the translation pass: todo (out) and fill (back in) -------------------------------------------------------
def todo(langs: Iterable[str] = LANGUAGES) -> list[dict[str, Any]]:
    """The entries some language still lacks: id, where it is used, and the current (empty or fuzzy) texts."""
    pot = template()
    catalogs = {lang: load(lang) for lang in langs if lang != "en"}
    out = []
    for m in sorted((m for m in pot if m.id), key=_key):
        need = {}
        for lang, catalog in catalogs.items():
            held = catalog.get(_key(m), m.context)
            if held is None or held.fuzzy or _blank(held.string) or not _slots_match(held, held.string):
                string = held.string if held is not None else ("",) * catalog.num_plurals if m.pluralizable else ""
                need[lang] = list(string) if isinstance(string, tuple | list) else string
        if need:
            entry: dict[str, Any] = {"msgid": _key(m)}
            if m.pluralizable:
                entry["msgid_plural"] = m.id[1]
            entry["where"] = sorted({loc for loc, _ in m.locations})
            entry["translations"] = need
            out.append(entry)
    return out


def fill(entries: list[dict[str, Any]]) -> dict[str, int]:
    """Write translations (the :func:`todo` shape, filled) into the catalogues; nothing is written if any entry
    names an unknown id or language, is empty, or changes the placeholders (``ValueError`` listing them all)."""
    catalogs: dict[str, Catalog] = {}
    errors, writes = [], []
    for entry in entries:
        msgid = entry.get("msgid")
        for lang, string in entry.get("translations", {}).items():
            if lang not in LANGUAGES:
                errors.append(f"{msgid!r}: unknown language {lang!r} (one of {', '.join(LANGUAGES)})")
                continue
            catalog = catalogs.setdefault(lang, load(lang))
            held = catalog.get(msgid)
            value = tuple(string) if isinstance(string, list) else string
            if held is None:
                errors.append(f"{msgid!r}: not in the {lang} catalogue (run `update` first)")
            elif _blank(value):
                errors.append(f"{msgid!r} [{lang}]: empty translation")
            elif not _slots_match(held, value):
                errors.append(f"{msgid!r} [{lang}]: placeholders {sorted(placeholders(str(value)))} differ from "
                              f"the id's {sorted(placeholders(msgid))}")
            else:
                writes.append((lang, held, value))
    if errors:
        raise ValueError("not filled:\n" + "\n".join(errors))
    done: dict[str, int] = {}
    for lang, held, value in writes:
        held.string = value
        held.flags.discard("fuzzy")
        done[lang] = done.get(lang, 0) + 1
    for lang in done:
        save(catalogs[lang], lang)
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m migdev.i18n.catalogue", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("update", help="extract the ids and merge them into every catalogue (obsolete ones dropped)")
    sub.add_parser("check", help="list what is missing, empty, fuzzy, obsolete or has other placeholders")
    p = sub.add_parser("todo", help="the entries still to translate, as JSON")
    p.add_argument("-o", "--out", type=Path, help="write to this file (default: standard output)")
    p.add_argument("--lang", action="append", choices=LANGUAGES, help="only these languages (repeatable)")
    p = sub.add_parser("fill", help="write a filled todo JSON into the catalogues")
    p.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    if args.command == "update":
        for lang, c in update().items():
            print(f"{lang}: {c['messages']} messages, {c['added']} added, {c['removed']} removed, "
                  f"{c['todo']} to translate ({catalogue_path(lang)})")
        return 0
    if args.command == "check":
        text = report()
        print(text or f"all {len(LANGUAGES)} catalogues complete")
        return 1 if text else 0
    if args.command == "todo":
        text = json.dumps(todo(args.lang or LANGUAGES), ensure_ascii=False, indent=1) + "\n"
        if args.out:
            args.out.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        return 0
    try:
        done = fill(json.loads(args.file.read_text(encoding="utf-8")))
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(", ".join(f"{lang}: {n} filled" for lang, n in done.items()) or "nothing to fill")
    return 0


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    raise SystemExit(main())
