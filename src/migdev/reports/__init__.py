"""Country and group profiles (HTML, JSON, CSV) built from the database, for one place or all of them.

:func:`open_profiles` reads the database once (:mod:`.profile_data`), cuts it per country and group
(:mod:`.tables`) and prepares the map; :class:`ProfileSet` then builds any profile in milliseconds, which is what
lets ``migdev profiles --all`` write every country and group in seconds without a process pool.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from migdev import store
from migdev.charts.map import World
from migdev.errors import QueryError
from migdev.places import Places
from migdev.reports import html, profile, profile_data, tables

FORMATS = ("html", "json", "csv", "pdf")
#: The world's profile is the UN's world aggregate (``migdev profile WLD``).
ALIASES = {"WLD": "m49:900", "WORLD": "m49:900"}


@dataclass
class ProfileSet:
    data: profile_data.ProfileData
    tables: tables.EntityTables
    places: Places

    @cached_property
    def world(self) -> World:
        return World(self.data.geometry, self.data.points)

    def countries(self) -> list[str]:
        return list(self.data.profile_areas)

    def groups(self) -> list[str]:
        return list(self.data.groups["group_id"])

    def resolve(self, code: str) -> str:
        """A country or group in any of the forms :mod:`migdev.places` knows (codes, names in six languages,
        aliases such as "UK"), as the profile key; a ``QueryError`` with ranked suggestions otherwise."""
        up = code.strip().upper()
        if up in ALIASES:
            return ALIASES[up]
        place = self.places.resolve(code, "place")
        key = ALIASES.get(place.code, place.code)
        if key in set(self.data.profile_areas) or key in set(self.groups()):
            return key
        raise QueryError(f"no profile for {code!r} ({place.name}): give one of the {len(self.data.profile_areas)} "
                         f"countries/areas of IMS {self.data.ims_revision}, a group id (e.g. m49:900) or WLD")

    def build(self, key: str, lang: str = "en") -> dict[str, Any]:
        return profile.build(self.data, self.tables, key, lang)

    def render(self, prof: dict[str, Any], fmt: str, *, links: bool = False) -> str | bytes:
        """The profile as text (html, json, csv) or bytes (pdf: the HTML page through WeasyPrint)."""
        if fmt == "pdf":
            from migdev.reports import pdf

            return pdf.to_pdf(html.render(prof, self.world, built=self.data.loaded_at, pdf=True))
        if fmt == "html":
            return html.render(prof, self.world, links=links, built=self.data.loaded_at)
        if fmt == "json":
            return json.dumps(prof, ensure_ascii=False, indent=1) + "\n"
        if fmt == "csv":
            return profile.flatten(prof).to_csv(index=False)
        raise QueryError(f"unknown profile format {fmt!r}; choose one of {', '.join(FORMATS)}")

    def write_all(self, out: Path, keys: Iterable[str], formats: Iterable[str] = ("html", "json"),
                  advance: Callable[[str], None] | None = None, lang: str = "en") -> list[Path]:
        """Write every profile of ``keys`` into ``out`` (pages linked to each other) and an index page, in
        ``lang``."""
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for key in keys:
            prof = self.build(key, lang)
            for fmt in formats:
                path = out / f"{html.page_name(key)}.{fmt}"
                path.write_text(self.render(prof, fmt, links=True), encoding="utf-8")
                written.append(path)
            if advance is not None:
                advance(key)
        index = out / "index.html"
        index.write_text(html.render_index(self.data, self.countries(), self.groups(), lang), encoding="utf-8")
        return [*written, index]


def open_profiles(db: Path) -> ProfileSet:
    """Read the database once and prepare every profile."""
    data = profile_data.load(db)
    with store.read(db) as con:
        places = Places.load(con)
    return ProfileSet(data, tables.build(data), places)
