"""One error tree for the whole project: every failure a user can cause or meet has a class here.

Each class carries the exit code the CLI uses and the HTTP status the web app answers with, so both map errors
by class, never by message. ``ValueError`` / ``FileNotFoundError`` stay as bases where they were, so callers that
caught those keep working.
"""

from __future__ import annotations

from pathlib import Path


class MigdevError(Exception):
    """Base class of every error migdev raises on purpose."""

    exit_code: int = 1
    http_status: int = 500


# -- sources -----------------------------------------------------------------------------------------------------
class SourceError(MigdevError, ValueError):
    """An official release could not be fetched or read."""


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


# -- queries and estimates ---------------------------------------------------------------------------------------
class QueryError(MigdevError, ValueError):
    """A request names something the database does not hold (unknown code, year, method...); says what it holds."""

    exit_code = 2
    http_status = 422


class NotFoundError(QueryError):
    """An address names a country, group or corridor the database does not hold (HTTP 404; exit code 2)."""

    http_status = 404


class EstimationError(MigdevError, ValueError):
    """Inputs an estimator cannot work with (negative cells, inconsistent margins, wrong shapes)."""

    exit_code = 2
    http_status = 422


# -- building and opening the database ---------------------------------------------------------------------------
class BuildError(MigdevError):
    """A build step or invariant failed; the previous database is unchanged."""


class NoDatabaseError(MigdevError, FileNotFoundError):
    """There is no usable migdev database at the path (missing, not DuckDB, truncated, wrong schema, locked)."""

    http_status = 503
