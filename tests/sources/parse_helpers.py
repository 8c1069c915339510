"""Assertions shared by the parser tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from migdev.errors import ParseError


def expect_error(parse: Callable[[Path], object], path: Path, *, row: int | None, column: str | None,
                 text: str) -> ParseError:
    """``parse(path)`` raises a ParseError at ``row``/``column`` whose message names the file, row and column."""
    with pytest.raises(ParseError) as err:
        parse(path)
    exc = err.value
    message = str(exc)
    assert message.startswith(path.name), message
    assert text in message, message
    assert (exc.row, exc.column) == (row, column), message
    if row is not None:
        assert f"row {row}" in message
    if column is not None:
        assert f"column {column!r}" in message
    return exc
