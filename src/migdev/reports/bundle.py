"""Every report in every language and format, written into one folder: ``migdev reports --all`` and
``migdev build --reports DIR``.

Why one function: the CLI, the build and the benchmark write the same set the same way (the database is read once,
:func:`migdev.reports.world.load`; each file is then formatting and layout). Files are named
``<report>.<lang>.<format>`` (``global.ar.pdf``, ``dialogue.zh.html``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from migdev.reports import dialogue, global_report
from migdev.reports.world import load
from migdev.vocab import LANGUAGES

REPORTS: dict[str, Callable[..., str | bytes]] = {"global": global_report.render, "dialogue": dialogue.render}
FORMATS = global_report.FORMATS


def write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def write_all(db: Any, out: Path, languages: Iterable[str] = LANGUAGES, formats: Iterable[str] = FORMATS,
              reports: Iterable[str] = tuple(REPORTS), advance: Callable[[str], None] | None = None) -> list[Path]:
    """Write each report in each language and format into ``out`` (created); the paths written."""
    data = load(db)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in reports:
        for lang in languages:
            for fmt in formats:
                written.append(write(out / f"{name}.{lang}.{fmt}", REPORTS[name](data, lang, fmt)))
                if advance is not None:
                    advance(f"{name}.{lang}.{fmt}")
    return written
