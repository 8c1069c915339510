"""Errors raised while fetching and reading official releases.

Every error names the file and, where it applies, the sheet, row and column of the first thing that could not be
read, so a user can open the file at that cell and see the problem.
"""

from __future__ import annotations

from pathlib import Path


class SourceError(ValueError):
    """Base class: an official release could not be fetched or read."""


class HashMismatchError(SourceError):
    """The file on disk is not the release the registry knows (corrupt, truncated or a different revision)."""

    def __init__(self, path: Path | str, expected: str, actual: str) -> None:
        self.path, self.expected, self.actual = Path(path), expected, actual
        super().__init__(
            f"{Path(path).name}: sha256 mismatch, expected {expected}, got {actual} "
            f"(file {path}); refusing to read a file that is not the registered release"
        )


class FetchError(SourceError):
    """The file could not be obtained from the mirror, the cache or the official URL."""


class ParseError(SourceError):
    """A file does not have the layout or content its parser expects.

    ``row`` is 1-based as a spreadsheet or text editor shows it (the header is row 1 of a CSV).
    """

    def __init__(
        self,
        path: Path | str,
        message: str,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.path, self.sheet, self.row, self.column, self.reason = Path(path), sheet, row, column, message
        where = [Path(path).name]
        if sheet is not None:
            where.append(f"sheet {sheet!r}")
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {message}")
