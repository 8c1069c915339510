"""The report commands of the ``migdev`` CLI: ``profile`` (one country or group), ``profiles`` (a folder of them),
``report global|dialogue`` (the global data report and the High-level Dialogue pack) and ``reports --all``.

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
    pdf = "pdf"


class ReportFormat(StrEnum):
    html = "html"
    pdf = "pdf"


def _emit(content: str | bytes, out: Path | None) -> None:
    """Write a page (text) or a PDF (bytes) to ``out``, or to standard output."""
    if out is None:
        if isinstance(content, bytes):
            sys.stdout.buffer.write(content)
        else:
            sys.stdout.write(content)
        return
    try:
        if isinstance(content, bytes):
            out.write_bytes(content)
        else:
            out.write_text(content, encoding="utf-8")
    except OSError as exc:
        _fail(f"cannot write {out}: {exc.strerror or exc}")
    console.print(f"[green]wrote[/] {out}", highlight=False)


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
                                                                      "keys), CSV (one row per figure) or PDF.")]
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
    _emit(text, out)


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


report_app = typer.Typer(help="The reports resolution 58/208 asks for, from the database, in six languages.",
                         no_args_is_help=True)


def _report(name: str, lang: str, fmt: ReportFormat, out: Path | None, db: Path | None, **options: object) -> None:
    from migdev.config import Settings
    from migdev.errors import MigdevError
    from migdev.reports.bundle import REPORTS

    try:
        content = REPORTS[name](Settings.from_env().with_(db=db).db, lang, fmt.value, **options)
    except MigdevError as exc:
        _fail(str(exc), exc.exit_code)
    _emit(content, out)


FormatOption = Annotated[ReportFormat, typer.Option("--format", "-f", help="HTML page or PDF.")]
OutOption = Annotated[Path | None, typer.Option("--out", "-o", help="File to write (default: standard output).")]


@report_app.command("global")
def report_global(lang: LangOption = Lang.en, fmt: FormatOption = ReportFormat.html, out: OutOption = None,
                  db: DbOption = None) -> None:
    """The global data report (para 8): trends of stocks by sex since 1990, flows with their method band,
    remittances against FDI and ODA, costs against the SDG target, refugees, skilled emigration, SDG 10.7."""
    _report("global", lang.value, fmt, out, db)


@report_app.command("dialogue")
def report_dialogue(lang: LangOption = Lang.en, fmt: FormatOption = ReportFormat.html, out: OutOption = None,
                    region: Annotated[str | None, typer.Option(help="One SDG region's sheet only (group id, e.g. "
                                                                    "m49:947).")] = None,
                    db: DbOption = None) -> None:
    """The High-level Dialogue briefing pack: key facts for the world and each SDG region, and the annex of
    figures for the chair's summary."""
    _report("dialogue", lang.value, fmt, out, db, region=region)


def reports(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the reports into (created if needed).")]
    = Path("reports/out"),
    all_: Annotated[bool, typer.Option("--all", help="Every report in the six languages, HTML and PDF.")] = False,
    db: DbOption = None,
) -> None:
    """Write every report (global, dialogue) in all six languages and both formats into a folder."""
    import time

    from migdev.config import Settings
    from migdev.errors import MigdevError
    from migdev.reports import bundle

    if not all_:
        _fail("give --all (every report, language and format); one report is `migdev report global|dialogue`", 2)
    start = time.perf_counter()
    try:
        written = bundle.write_all(Settings.from_env().with_(db=db).db, out)
    except MigdevError as exc:
        _fail(str(exc), exc.exit_code)
    except OSError as exc:
        _fail(f"cannot write into {out}: {exc.strerror or exc}")
    console.print(f"[green]wrote[/] {len(written)} reports into {out} in {time.perf_counter() - start:.1f} s",
                  highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``profile``, ``profiles``, ``report`` and ``reports`` to the app."""
    app.command()(profile)
    app.command()(profiles)
    app.add_typer(report_app, name="report")
    app.command()(reports)
