"""The report commands of the ``migdev`` CLI: ``profile`` (one country or group) and ``profiles`` (a folder of them).

Kept apart from ``cli.py`` so each CLI module has one job; :func:`register` adds them to the app.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from migdev.cli_query import DbOption, console
from migdev.cli_query import fail as _fail
from migdev.vocab import LANGUAGES

#: The six UN languages as a choice (Typer names the valid ones for anything else).
Lang = StrEnum("Lang", {lang: lang for lang in LANGUAGES})  # type: ignore[misc]
LangOption = Annotated[Lang, typer.Option("--lang", "-l", help="Language of the page: en, fr, es, ru, zh or ar "
                                                               "(words, numbers, dates and place names).")]


class ProfileFormat(StrEnum):
    html = "html"
    json = "json"
    csv = "csv"


def _profiles(db: Path | None):
    """Open the profile set of the database (read once); a migdev error is one line and its exit code."""
    from migdev.config import Settings
    from migdev.errors import MigdevError
    from migdev.reports import open_profiles

    try:
        return open_profiles(Settings.from_env().with_(db=db).db)
    except MigdevError as exc:
        _fail(str(exc), exc.exit_code)


def profile(
    place: Annotated[str, typer.Argument(help="ISO3 code (KEN), group id (m49:900, wb:SSF) or WLD.")],
    fmt: Annotated[ProfileFormat, typer.Option("--format", "-f", help="A self-contained HTML page, JSON (stable "
                                                                      "keys) or CSV (one row per figure).")]
    = ProfileFormat.html,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File to write (default: standard output).")]
    = None,
    lang: LangOption = Lang.en,
    db: DbOption = None,
) -> None:
    """The migration and development profile of a country or group: emigration, immigration, refugees,
    remittances, skilled emigration, governance and development context, every figure with its year and source."""
    from migdev.errors import MigdevError

    profiles = _profiles(db)
    try:
        key = profiles.resolve(place)
        text = profiles.render(profiles.build(key, lang.value), fmt.value)
    except MigdevError as exc:
        _fail(str(exc), exc.exit_code)
    if out is None:
        sys.stdout.write(text)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"cannot write {out}: {exc.strerror or exc}")
    console.print(f"[green]wrote[/] {out}", highlight=False)


def profiles(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the pages into (created if needed).")],
    all_: Annotated[bool, typer.Option("--all", help="Every country/area of the newest IMS revision and every "
                                                     "group.")] = False,
    place: Annotated[list[str] | None, typer.Argument(help="Codes or group ids (instead of --all).")] = None,
    lang: LangOption = Lang.en,
    db: DbOption = None,
) -> None:
    """Write an HTML page and a JSON file per profile into a folder, with an index page linking them."""
    import time

    from migdev.errors import MigdevError

    if not all_ and not place:
        _fail("name the places to profile or give --all", 2)
    profile_set = _profiles(db)
    try:
        keys = [*profile_set.countries(), *profile_set.groups()] if all_ else [profile_set.resolve(p) for p in place]
    except MigdevError as exc:
        _fail(str(exc), exc.exit_code)
    start = time.perf_counter()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=False) as progress:
        task = progress.add_task("profiles", total=len(keys))
        try:
            written = profile_set.write_all(out, keys, advance=lambda key: progress.advance(task),
                                          lang=lang.value)
        except OSError as exc:
            _fail(f"cannot write into {out}: {exc.strerror or exc}")
    console.print(f"[green]wrote[/] {len(keys)} profiles ({len(written)} files) into {out} in "
                  f"{time.perf_counter() - start:.1f} s", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``profile`` and ``profiles`` to the app."""
    app.command()(profile)
    app.command()(profiles)
