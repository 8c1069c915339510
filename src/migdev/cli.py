"""The ``migdev`` command line: every command is a thin call into the Python API or the pipeline."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

if TYPE_CHECKING:
    from migdev.api import Observatory

app = typer.Typer(
    name="migdev",
    help="migdev: an open observatory for international migration and development.\n\n"
         "Build the database from the official releases (`migdev build`), then query it "
         "(`migdev stock`, `migdev population`, ...). Set MIGDEV_DATA_MIRROR to a folder holding the release "
         "files to build without internet.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="Database file (default: $MIGDEV_DB or ./migdev.duckdb).", show_default=False),
]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output as a table, CSV or JSON.")]


class RichReporter:
    """Shows each build step as a progress bar, and warnings as they come."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: int | None = None

    def step(self, name: str, total: int) -> None:
        if self.task is not None:
            self.progress.update(self.task, description=f"[green]✓[/] {self.progress.tasks[self.task].description}")
        self.task = self.progress.add_task(name, total=total)

    def advance(self, detail: str = "") -> None:
        if self.task is not None:
            self.progress.advance(self.task)

    def log(self, level: str, message: str) -> None:
        if level != "info":
            self.progress.console.print(f"[yellow]{level}[/]: {message}")


def _fail(message: str, code: int = 1) -> None:
    console.print(f"[red]error[/]: {message}")
    raise typer.Exit(code)


def _emit(df: pd.DataFrame, fmt: Format, title: str | None = None) -> None:
    if fmt is Format.csv:
        df.to_csv(sys.stdout, index=False)
    elif fmt is Format.json:
        sys.stdout.write(df.to_json(orient="records", force_ascii=False, date_format="iso") + "\n")
    else:
        table = Table(title=title, show_lines=False)
        for col in df.columns:
            numeric = pd.api.types.is_numeric_dtype(df[col])
            table.add_column(str(col), justify="right" if numeric else "left")
        plain = [c in _PLAIN_COLUMNS or str(c).startswith("period") for c in df.columns]
        for row in df.itertuples(index=False):
            table.add_row(*[str(v) if p and not pd.isna(v) else _cell(v) for v, p in zip(row, plain, strict=True)])
        Console().print(table)
        if df.empty:
            console.print("no rows match these filters")


_PLAIN_COLUMNS = {"year", "m49", "revision", "seq"}


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
    return str(value)


def _query(db: Path | None, call: Callable[[Observatory], pd.DataFrame]) -> pd.DataFrame:
    """Open the database, run one API call, close it; a missing database exits 1, bad arguments exit 2."""
    import migdev

    try:
        obs = migdev.open(str(db) if db else None)
    except FileNotFoundError as exc:
        _fail(str(exc))
    try:
        return call(obs)
    except ValueError as exc:
        _fail(str(exc), 2)
    finally:
        obs.close()
    raise AssertionError("unreachable")  # pragma: no cover - _fail always exits


@app.command()
def build(
    db: DbOption = None,
    mirror: Annotated[Path | None, typer.Option(help="Folder with the official files (sets MIGDEV_DATA_MIRROR).")]
    = None,
) -> None:
    """Fetch, verify, parse and load every official release into a new database, then swap it into place.

    The previous database is replaced only when every step succeeded.
    """
    import os

    from migdev import pipeline, store
    from migdev.sources import SourceError

    if mirror is not None:
        os.environ["MIGDEV_DATA_MIRROR"] = str(mirror)
    target = db or store.default_path()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=False) as progress:
        try:
            reporter = RichReporter(progress)
            report = pipeline.build(target, reporter=reporter)
            reporter.step("done", 0)
        except (SourceError, ValueError, KeyError) as exc:
            progress.stop()
            _fail(f"build failed, the previous database (if any) is unchanged: {exc}")
            return
    console.print(f"[green]built[/] {report.db} in {report.seconds:.1f} s")
    if len(report.unmatched):
        console.print(f"[yellow]{len(report.unmatched)} unmatched codes[/]; see `migdev unmatched`")
    summary = pd.DataFrame(sorted(report.rows.items()), columns=["table", "rows"])
    _emit(summary, Format.table)


@app.command()
def sources(fmt: FormatOption = Format.table) -> None:
    """List the releases migdev knows: where each comes from, whether a local copy is present and verified."""
    from migdev.sources import registry

    rows = []
    for src in registry.REGISTRY.values():
        local = registry.locate(src)
        status = "missing" if local is None else "verified" if registry.sha256(local) == src.sha256 else "HASH MISMATCH"
        rows.append({"id": src.id, "publisher": src.publisher, "revision": src.revision, "file": src.path,
                     "status": status, "licence": src.licence, "url": src.url, "sha256": src.sha256})
    df = pd.DataFrame(rows)
    if fmt is Format.table:
        df = df[["id", "revision", "status", "licence", "file"]]
    _emit(df, fmt, title="Official releases")


@app.command()
def stock(
    origin: Annotated[list[str] | None, typer.Option(help="Place of birth, ISO3 (repeatable).")] = None,
    destination: Annotated[list[str] | None, typer.Option(help="Place of residence, ISO3 (repeatable).")] = None,
    sex: Annotated[str | None, typer.Option(help="total, male or female.")] = None,
    year: Annotated[list[int] | None, typer.Option(help="Year (repeatable).")] = None,
    revision: Annotated[str, typer.Option(help="IMS revision.")] = "2024",
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Bilateral international migrant stock, e.g. `migdev stock --origin MEX --destination USA --sex female`."""
    df = _query(db, lambda obs: obs.stock(revision=revision, year=year, sex=sex, origin=origin,
                                          destination=destination))
    _emit(df, fmt, title=f"International migrant stock (UN DESA IMS {revision})")


@app.command()
def flows(
    revision: Annotated[str, typer.Option(help="IMS revision the stocks come from.")] = "2024",
    method: Annotated[str, typer.Option(help="sd_drop_neg, sd_rev_neg, mig_rate, da_min_open, da_min_closed or "
                                             "da_pb_closed (Abel & Cohen 2019).")] = "da_pb_closed",
    period: Annotated[list[int] | None, typer.Option(help="Start year of the period, e.g. 2015 for 2015-2020.")]
    = None,
    sex: Annotated[str | None, typer.Option(help="total, male or female.")] = None,
    origin: Annotated[list[str] | None, typer.Option(help="Origin, ISO3 (repeatable).")] = None,
    destination: Annotated[list[str] | None, typer.Option(help="Destination, ISO3 (repeatable).")] = None,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Estimated bilateral migration flows, e.g. `migdev flows --method da_pb_closed --period 2015 --sex female`."""
    df = _query(db, lambda obs: obs.flows(revision=revision, method=method, period=period, sex=sex, origin=origin,
                                          destination=destination))
    if fmt is Format.table:
        if len(df) > 200:
            console.print(f"{len(df):,} flows; showing the 200 largest (use --format csv for all)")
            df = df.nlargest(200, "flow")
        df = df.drop(columns=["revision", "method"])
    _emit(df, fmt, title=f"Estimated migration flows ({method}, IMS {revision} stocks)")


@app.command()
def countries(
    iso3: Annotated[list[str] | None, typer.Option(help="ISO3 code (repeatable).")] = None,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Countries and areas with codes, names in the six UN languages and groupings."""
    df = _query(db, lambda obs: obs.countries(iso3=iso3))
    if fmt is Format.table:
        df = df[["iso3", "m49", "name_en", "name_fr", "name_zh", "sdg_region", "wb_income_group"]]
    _emit(df, fmt, title="Countries and areas")


@app.command()
def population(
    iso3: Annotated[list[str] | None, typer.Option(help="ISO3 code (repeatable).")] = None,
    year: Annotated[list[int] | None, typer.Option(help="Year (repeatable).")] = None,
    sex: Annotated[str | None, typer.Option(help="total, male or female.")] = None,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Population on 1 July (UN World Population Prospects 2024), in persons."""
    df = _query(db, lambda obs: obs.population(iso3=iso3, year=year, sex=sex))
    _emit(df, fmt, title="Population (WPP 2024)")


@app.command()
def wdi(
    iso3: Annotated[list[str] | None, typer.Option(help="ISO3 code (repeatable).")] = None,
    indicator: Annotated[list[str] | None, typer.Option(help="WDI code, e.g. BX.TRF.PWKR.CD.DT.")] = None,
    year: Annotated[list[int] | None, typer.Option(help="Year (repeatable).")] = None,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """World Development Indicators: remittances, GDP, FDI, ODA, exports, income, population."""
    df = _query(db, lambda obs: obs.wdi(iso3=iso3, indicator=indicator, year=year))
    _emit(df, fmt, title="World Development Indicators")


@app.command()
def unmatched(db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """Codes found in a source that match no country or aggregate (reported by the build, not loaded)."""
    df = _query(db, lambda obs: obs.unmatched())
    _emit(df, fmt, title="Unmatched codes")
