"""Official releases: the registry of known files, fetching with checksums, and one parser per product."""

from migdev.errors import FetchError, HashMismatchError, ParseError, SourceError

__all__ = ["FetchError", "HashMismatchError", "ParseError", "SourceError"]
