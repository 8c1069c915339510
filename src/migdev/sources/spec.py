"""Release metadata as data: each product's ``<stem>.toml`` beside its module lists its releases and files.

A product's facts (publisher, licence, official page), each release's revision and citation, and each file's path,
sha256 and official download address are declared once, in the TOML file of the product, and read here into
frozen dataclasses. A new vintage is a new ``[release.*]`` and new ``[[file]]`` entries, never an edit of code.

Layout of ``<stem>.toml``::

    [product]                      # defaults for every file of the product
    publisher = "..."; licence = "..."; url = "<official page>"; tables = ["<store tables it fills>"]
    [release.<key>]                # one per release (vintage)
    revision = "2024"; citation = "..."        # may override publisher, licence, url
    [[file]]                       # one per file
    id = "<source id>"; release = "<key>"; title = "..."; path = "<folder>/<file>"; sha256 = "<64 hex>"
    download_url = "..."           # optional: where these exact bytes can be downloaded
    derived_from = "..."           # optional: for a tidy rendering, the official file it renders and how
    build = false                  # optional (default true): registered and tested, but not read by the build
    parser = "parse_x"             # optional: the module function that reads it (default ``parse``, which
                                   # recognises the table by its header)
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_FILE_KEYS = {"id", "release", "title", "path", "sha256", "download_url", "derived_from", "build", "parser",
              "publisher",
              "licence", "url", "citation"}
_RELEASE_KEYS = {"revision", "citation", "publisher", "licence", "url", "title"}
_PRODUCT_KEYS = {"publisher", "licence", "url", "tables", "title"}


@dataclass(frozen=True)
class Source:
    """One file of one official release.

    ``url`` is the official page or file a user with internet would go to; ``download_url`` is the address the
    exact bytes can be downloaded from (``None`` when the file is a documented tidy rendering of the release
    that only a mirror carries; ``derived_from`` then says which official file it renders and how).
    """

    id: str
    publisher: str
    title: str
    revision: str
    licence: str
    citation: str
    url: str
    path: str
    sha256: str
    download_url: str | None = None
    derived_from: str | None = None
    product: str = ""
    build: bool = True
    parser: str | None = None

    @property
    def file_name(self) -> str:
        return Path(self.path).name


@dataclass(frozen=True)
class Product:
    """A product (one publisher's series, e.g. UN DESA International Migrant Stock) and its registered files."""

    name: str
    publisher: str
    licence: str
    url: str
    tables: tuple[str, ...]
    files: tuple[Source, ...] = field(default_factory=tuple)

    def get(self, source_id: str) -> Source:
        for f in self.files:
            if f.id == source_id:
                return f
        raise KeyError(f"{self.name} has no file {source_id!r}; it has {', '.join(f.id for f in self.files)}")

    @property
    def built(self) -> tuple[Source, ...]:
        """The files the build reads."""
        return tuple(f for f in self.files if f.build)


class SpecError(ValueError):
    """A product's TOML spec is malformed: a programming error of the project, named precisely."""


def load(module_file: str | Path) -> Product:
    """Read the ``.toml`` spec that sits beside ``module_file`` (call as ``spec.load(__file__)``)."""
    path = Path(module_file).with_suffix(".toml")
    return parse(path.read_text(encoding="utf-8"), name=path.stem, where=str(path))


def parse(text: str, *, name: str, where: str = "<spec>") -> Product:
    """A :class:`Product` from TOML text; every key is checked so a typo fails loudly, not silently."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{where}: not valid TOML: {exc}") from exc
    product = _table(data, "product", where)
    _keys(product, _PRODUCT_KEYS, f"{where} [product]")
    for key in ("publisher", "licence", "url"):
        if not isinstance(product.get(key), str) or not product[key]:
            raise SpecError(f"{where} [product]: {key!r} is required")
    releases = data.get("release", {})
    if not isinstance(releases, dict):
        raise SpecError(f"{where}: [release.<key>] tables expected")
    for key, rel in releases.items():
        _keys(rel, _RELEASE_KEYS, f"{where} [release.{key}]")
        if "revision" not in rel or "citation" not in rel:
            raise SpecError(f"{where} [release.{key}]: 'revision' and 'citation' are required")
    files = []
    seen: set[str] = set()
    for i, entry in enumerate(data.get("file", [])):
        label = f"{where} [[file]] #{i + 1} ({entry.get('id', '?')})"
        _keys(entry, _FILE_KEYS, label)
        for key in ("id", "release", "title", "path", "sha256"):
            if not isinstance(entry.get(key), str) or not entry[key]:
                raise SpecError(f"{label}: {key!r} is required")
        if entry["id"] in seen:
            raise SpecError(f"{label}: id {entry['id']!r} is declared twice")
        seen.add(entry["id"])
        if not _SHA256.match(entry["sha256"]):
            raise SpecError(f"{label}: sha256 must be 64 lowercase hex digits")
        rel = releases.get(entry["release"])
        if rel is None:
            raise SpecError(f"{label}: release {entry['release']!r} is not declared; declared: {', '.join(releases)}")

        def pick(key: str, entry: dict[str, Any] = entry, rel: dict[str, Any] = rel) -> Any:
            return entry.get(key, rel.get(key, product.get(key)))

        files.append(Source(
            id=entry["id"], publisher=pick("publisher"), title=entry["title"], revision=str(rel["revision"]),
            licence=pick("licence"), citation=pick("citation"), url=pick("url"), path=entry["path"],
            sha256=entry["sha256"], download_url=entry.get("download_url"), derived_from=entry.get("derived_from"),
            product=name, build=bool(entry.get("build", True)), parser=entry.get("parser"),
        ))
    tables = tuple(product.get("tables", ()))
    return Product(name, product["publisher"], product["licence"], product["url"], tables, tuple(files))


def _table(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise SpecError(f"{where}: a [{key}] table is required")
    return value


def _keys(entry: dict[str, Any], allowed: set[str], label: str) -> None:
    unknown = set(entry) - allowed
    if unknown:
        raise SpecError(f"{label}: unknown key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(allowed))}")
