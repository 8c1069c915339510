"""The contract every product of ``migdev.sources.PRODUCTS`` keeps, as a base class with one subclass per product.

A subclass names the product module and its fixture module (``tests/fixtures/<product>.py``). The fixture module
provides ``write(root) -> dict[source_id, Path]``: every file the build reads, in the official layout, at its
registered path under ``root``; and ``BAD_CELLS``: ``(source_id, mutate, row, column, text)`` tuples, where
``mutate(path)`` spoils one cell of the written file and the parser must name that ``row``/``column`` (1-based row
as a spreadsheet shows it, column by header name or Excel letter) with ``text`` in its message.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType
from typing import ClassVar

import pandas as pd
import pytest

from migdev.errors import ParseError


class SourceContract:
    product: ClassVar[ModuleType]
    fixtures: ClassVar[ModuleType]

    def test_releases_complete(self) -> None:
        spec = self.product.RELEASES
        assert spec.files, "a product registers at least one file"
        for f in spec.files:
            assert re.fullmatch(r"[0-9a-f]{64}", f.sha256), f.id
            assert f.licence and f.citation and f.url.startswith("http"), f.id
            assert f.download_url or f.derived_from, f"{f.id}: an official address to download or what it renders"
        assert spec.tables, "a product names the store tables it fills"

    def test_parse_matches_schema(self, tmp_path: Path) -> None:
        written = self.fixtures.write(tmp_path)
        assert set(written) == {f.id for f in self.product.RELEASES.built}
        for source_id, path in written.items():
            frame = self.product.parse(path)
            assert isinstance(frame, pd.DataFrame) and len(frame), source_id

    def test_first_bad_cell_is_named(self, tmp_path: Path) -> None:
        assert self.fixtures.BAD_CELLS, "every product shows that a bad cell is named"
        for i, (source_id, mutate, row, column, text) in enumerate(self.fixtures.BAD_CELLS):
            written = self.fixtures.write(tmp_path / f"case{i}")
            path = written[source_id]
            mutate(path)
            with pytest.raises(ParseError) as err:
                self.product.parse(path)
            assert (err.value.row, err.value.column) == (row, column), str(err.value)
            assert text in str(err.value)

    def test_to_store_keys_are_countries(self, tmp_path: Path, fixture_places) -> None:
        from migdev.harmonise import Harmoniser

        written = self.fixtures.write(tmp_path)
        frames = {sid: self.product.parse(path) for sid, path in written.items()}
        log = _Log()
        tables = self.product.to_store(frames, Harmoniser(fixture_places, log))
        assert set(tables) <= {*self.product.RELEASES.tables, "area_group_value"}, set(tables)
        known = set(fixture_places.country["iso3"])
        for name, table in tables.items():
            for col in ("iso3", "origin", "destination", "sender", "receiver", "asylum"):
                if col in table.columns:
                    bad = set(table[col].dropna()) - known
                    assert not bad, f"{name}.{col}: {sorted(bad)[:5]} are not countries"


class _Log:
    def __init__(self) -> None:
        self.unmatched: list[pd.DataFrame] = []
        self.lines: list[tuple[str, str]] = []

    def say(self, level: str, message: str) -> None:
        self.lines.append((level, message))
