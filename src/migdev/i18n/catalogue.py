"""The message ids the code and templates use, extracted with Babel, and the English catalogue written from them.

Why: a template or chart that shows a word missing from the catalogues would stay English in every language; the
tests compare :func:`used_messages` with each catalogue, and ``python -m migdev.i18n.catalogue`` rewrites
``locales/en/LC_MESSAGES/migdev.po`` (English ids are their own translations, so its msgstrs stay empty).
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from babel.messages.pofile import write_po
from jinja2.ext import babel_extract

from migdev.i18n import catalogue_path

PACKAGE = Path(__file__).resolve().parent.parent
#: Where user-visible text comes from: Python modules (``N_``/``_`` marks), the report and the web templates.
PYTHON = ("i18n/__init__.py", "reports/profile.py", "reports/html.py", "charts", "web")
TEMPLATES = ("reports/templates", "web/templates")
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}


def used_messages() -> dict[str, list[str]]:
    """Every message id used, with the files that use it."""
    found: dict[str, list[str]] = {}

    def add(msgid: object, where: Path) -> None:
        ids = msgid if isinstance(msgid, tuple) else (msgid,)
        for m in ids:
            if m:
                found.setdefault(str(m), []).append(str(where.relative_to(PACKAGE)))

    for entry in PYTHON:
        for path in sorted((PACKAGE / entry).rglob("*.py")) if (PACKAGE / entry).is_dir() else [PACKAGE / entry]:
            with path.open("rb") as fh:
                for _line, msgid, _comments, _context in extract("python", fh, keywords=KEYWORDS):
                    add(msgid, path)
    for entry in TEMPLATES:
        for path in sorted((PACKAGE / entry).glob("*.j2")):
            with path.open("rb") as fh:
                options = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}
                for _line, _func, msgid, _comments in babel_extract(fh, list(KEYWORDS), [], options):
                    add(msgid, path)
    return found


def write_english() -> Path:
    """Rewrite the English catalogue from the messages in use."""
    catalog = Catalog(locale="en", domain="migdev", project="migdev", msgid_bugs_address="")
    for msgid, where in sorted(used_messages().items()):
        catalog.add(msgid, "", locations=[(w, 0) for w in sorted(set(where))])
    path = catalogue_path("en")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog, omit_header=False, sort_output=True, include_lineno=False)
    return path


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    sys.stdout.write(f"wrote {write_english()}\n")
