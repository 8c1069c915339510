"""What every PDF must show (shared by the unit and the real-data tests), read with poppler-utils: the fonts it
embeds (``pdffonts``), its text layer (``pdftotext``), and its first page as a PNG (``pdftoppm``)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import duckdb

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def fonts(path: Path) -> list[tuple[str, bool]]:
    """(font name, embedded) of every font of the PDF."""
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        # name type... encoding emb sub uni object ID: emb is the 5th column from the end
        rows.append((parts[0], parts[-5] == "yes"))
    return rows


def text(path: Path, first: int | None = None, last: int | None = None) -> str:
    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    return subprocess.run(["pdftotext", *pages, str(path), "-"], check=True, capture_output=True, text=True).stdout


def first_page_png(path: Path, name: str) -> Path:
    """Render page 1 to ``test-artifacts/<name>.png`` (git-ignored) and return it."""
    ARTIFACTS.mkdir(exist_ok=True)
    stem = ARTIFACTS / name
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(path), str(stem)],
                   check=True)
    return stem.with_suffix(".png")


def assert_scripts(path: Path) -> None:
    """An embedded Arabic font and an embedded CJK font (the page names the six languages in their scripts)."""
    found = fonts(path)
    assert all(emb for _name, emb in found), found
    names = [n.split("+", 1)[-1] for n, _emb in found]
    assert any("Arabic" in n for n in names), names
    assert any("CJK" in n for n in names), names


def country_name(db: Path, iso3: str, lang: str) -> str:
    """A country's name in one of the six languages, as the database holds it (what a PDF's text must contain)."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(f"SELECT name_{lang} FROM country WHERE iso3 = ?", [iso3]).fetchone()[0]
