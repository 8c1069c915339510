"""What every query, indicator and renderer hands on: the numbers together with where they come from.

An :class:`Answer` is a frame plus the rows of the ``source`` table it read (release, revision, licence, citation,
checksum) and the query that made it, echoed with its filters as they were understood (names resolved to codes,
"latest" to a revision). Renderers (:mod:`migdev.publish.formats`), the CLI, profiles and the web take an Answer,
so provenance cannot be lost between the database and the page. ``notes`` carry what a reader must know that the
frame cannot say: why a valid query matched nothing, that a ratio is derived by migdev, that a table was cut.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class SourceRef:
    """One row of the ``source`` table: a registered release file the database was built from."""

    source_id: str
    revision: str
    publisher: str
    title: str
    licence: str
    citation: str
    sha256: str
    url: str

    def as_dict(self) -> dict[str, str]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Answer:
    """A query's result: ``frame`` (tidy rows), ``sources`` (what it read) and ``query`` (what was asked)."""

    frame: pd.DataFrame
    sources: tuple[SourceRef, ...]
    query: Mapping[str, Any]
    notes: tuple[str, ...] = field(default=())

    def citation(self) -> str:
        """The text to paste under a figure: each distinct citation once, with its licence and file checksums."""
        by_citation: dict[str, list[SourceRef]] = {}
        for ref in self.sources:
            by_citation.setdefault(ref.citation, []).append(ref)
        parts = []
        for text, refs in by_citation.items():
            files = "; ".join(f"{r.source_id} (revision {r.revision}, sha256 {r.sha256})" for r in refs)
            parts.append(f"{text} Licence: {refs[0].licence}. Files: {files}.")
        return "\n".join(parts)

    def with_frame(self, frame: pd.DataFrame, *notes: str) -> Answer:
        """The same provenance over a changed frame (a cut table, a pivot), with any further notes."""
        return Answer(frame, self.sources, self.query, (*self.notes, *notes))

    def framed(self) -> pd.DataFrame:
        """The frame carrying its provenance in ``.attrs`` (``sources``, ``query``, ``notes``), as the API returns."""
        out = self.frame.copy()
        out.attrs["sources"] = [r.as_dict() for r in self.sources]
        out.attrs["query"] = dict(self.query)
        out.attrs["notes"] = list(self.notes)
        return out
