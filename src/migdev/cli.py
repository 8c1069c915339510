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
    """Open the database, run one API call, close it; a migdev error is one line and its class's exit code (no
    database: 1; a bad request: 2)."""
    import migdev
    from migdev.errors import MigdevError

    try:
        with migdev.open(str(db) if db else None) as obs:
            return call(obs)
    except MigdevError as exc:
        _fail(str(exc), exc.exit_code)
    raise AssertionError("unreachable")  # pragma: no cover - _fail always exits


def main() -> None:
    """The console entry point: every migdev error is one line and its class's exit code, never a traceback."""
    from migdev.errors import MigdevError

    try:
        app()
    except MigdevError as exc:
        console.print(f"[red]error[/]: {exc}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        console.print("[yellow]interrupted[/]: stopped by the user")
        sys.exit(130)


def _write_error(exc: OSError, target: Path) -> str:
    """A build that cannot write says where and why in words (read-only folder, disk full), not errno."""
    import errno

    if exc.errno == errno.ENOSPC:
        why = "the disk is full"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        why = "the folder is not writable"
    else:
        why = exc.strerror or str(exc)
    return f"cannot write the database in {target.parent.resolve()}: {why} ({exc.filename or target})"


@app.command()
def build(
    db: DbOption = None,
    mirror: Annotated[Path | None, typer.Option(help="Folder with the official files (default: $MIGDEV_DATA_MIRROR).")]
    = None,
    skip: Annotated[list[str] | None, typer.Option(help="Leave out an optional step (see --list-steps); "
                                                        "repeatable, e.g. --skip flows.")] = None,
    list_steps: Annotated[bool, typer.Option("--list-steps", help="Print the build's steps and exit.")] = False,
) -> None:
    """Fetch, verify, parse and load every official release into a new database, then swap it into place.

    The previous database is replaced only when every step succeeded: a failed or interrupted build leaves it
    as it was.
    """
    import duckdb

    from migdev import pipeline
    from migdev.config import Settings
    from migdev.errors import BuildError, MigdevError
    from migdev.pipeline.steps import STEPS

    if list_steps:
        _emit(pd.DataFrame([{"step": s.name, "optional": s.optional, "what": s.help} for s in STEPS]),
              Format.table, title="Build steps, in order")
        return
    settings = Settings.from_env().with_(db=db, mirror=mirror)
    target = settings.db
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=False) as progress:
        try:
            reporter = RichReporter(progress)
            report = pipeline.build(target, reporter=reporter, settings=settings, skip=skip or ())
            reporter.step("done", 0)
        except KeyboardInterrupt:
            progress.stop()
            kept = f"the previous database at {target} is unchanged" if target.exists() else "no database was written"
            _fail(f"interrupted: the build was stopped and its partial file removed; {kept}", 130)
        except MigdevError as exc:
            progress.stop()
            _fail(f"build failed, the previous database (if any) is unchanged: {exc}", exc.exit_code)
        except OSError as exc:
            progress.stop()
            _fail(f"build failed, the previous database (if any) is unchanged: {_write_error(exc, target)}")
        except duckdb.Error as exc:
            progress.stop()
            text = str(exc).splitlines()[0]
            why = "the disk is full" if "space" in text.lower() else text
            _fail(f"build failed, the previous database (if any) is unchanged: {BuildError(why)}")
    console.print(f"[green]built[/] {report.db} in {report.seconds:.1f} s")
    if len(report.unmatched):
        console.print(f"[yellow]{len(report.unmatched)} unmatched codes[/]; see `migdev unmatched`")
    summary = pd.DataFrame(sorted(report.rows.items()), columns=["table", "rows"])
    _emit(summary, Format.table)


@app.command()
def sources(
    db: DbOption = None,
    fmt: FormatOption = Format.table,
    files: Annotated[bool, typer.Option("--files", help="Only the files: present and verified, or where to get "
                                                         "them.")] = False,
) -> None:
    """What the database holds (release, revision, sha256, rows, citation) and, separately, whether each
    registered file is present locally, verified, or where to get it."""
    from migdev import sources as registry
    from migdev import store
    from migdev.config import Settings
    from migdev.errors import NoDatabaseError
    from migdev.sources import fetch

    settings = Settings.from_env().with_(db=db)
    if not files:
        try:
            with store.read(settings.db) as con:
                held = con.execute("SELECT source_id, product, revision, rows_read AS rows, sha256, licence, "
                                   "citation FROM source ORDER BY product, source_id").df()
            if fmt is not Format.table:
                _emit(held, fmt)
                return
            shown = held.assign(sha256=held["sha256"].str[:12] + "…")
            _emit(shown[["source_id", "revision", "rows", "sha256", "licence", "citation"]], fmt,
                  title=f"In the database {settings.db}")
        except NoDatabaseError as exc:
            console.print(f"no database to report on: {exc}", highlight=False, soft_wrap=True)
    rows = []
    for src in registry.releases().values():
        local = fetch.locate(src, settings)
        status = ("missing" if local is None else "verified" if fetch.sha256(local) == src.sha256
                  else "HASH MISMATCH")
        rows.append({"id": src.id, "product": src.product, "revision": src.revision, "file": src.path,
                     "status": status, "built": src.build, "licence": src.licence, "url": src.url,
                     "sha256": src.sha256, "get_it": "" if status == "verified" else fetch.where_to_get(src)})
    df = pd.DataFrame(rows)
    if fmt is Format.table:
        _emit(df[["id", "revision", "status", "file"]], fmt, title="Registered files (mirror or cache)")
        for row in df[df["status"] != "verified"].itertuples():
            console.print(f"[yellow]{row.status}[/] {row.id}: {row.get_it}", highlight=False, soft_wrap=True)
    else:
        _emit(df, fmt)


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
    method: Annotated[str | None, typer.Option(help="sd_drop_neg, sd_rev_neg, mig_rate, da_min_open, da_min_closed or "
                                                    "da_pb_closed (Abel & Cohen 2019); default: the recommended "
                                                    "estimate.")] = None,
    vital_revision: Annotated[str | None, typer.Option(help="WPP revision of the basis (default 2024; IMS 2020 + "
                                                            "WPP 2022 is Abel & Cohen's published basis).")] = None,
    period: Annotated[list[int] | None, typer.Option(help="Start year of the period, e.g. 2015 for 2015-2020.")]
    = None,
    sex: Annotated[str | None, typer.Option(help="total, male or female.")] = None,
    origin: Annotated[list[str] | None, typer.Option(help="Origin, ISO3 (repeatable).")] = None,
    destination: Annotated[list[str] | None, typer.Option(help="Destination, ISO3 (repeatable).")] = None,
    per_year: Annotated[bool, typer.Option("--per-year", help="Annual rate: the flow divided by the period length "
                                                              "(2020-2024 is 4 years).")] = False,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Estimated bilateral migration flows, e.g. `migdev flows --period 2015 --sex female --destination DEU`.

    The default method is the recommended estimate, da_pb_closed: closed demographic accounting came closest to
    reported flows in Abel & Cohen's validation (2019), and the pseudo-Bayesian blend corrects the
    minimum-migration estimate's undercount of movers. The `flag` column carries the plausibility diagnostic.
    """
    from migdev.estimates.flows_step import RECOMMENDED, RECOMMENDED_WHY

    chosen = method or RECOMMENDED
    df = _query(db, lambda obs: obs.flows(revision=revision, method=chosen, period=period, sex=sex, origin=origin,
                                          destination=destination, vital_revision=vital_revision,
                                          per_year=per_year))
    value = "flow_per_year" if per_year else "flow"
    basis = f"IMS {revision} + WPP {vital_revision or '2024'}"
    mark = " - recommended" if chosen == RECOMMENDED else ""
    if fmt is Format.table:
        console.print(f"{chosen}{mark}: " + (RECOMMENDED_WHY if mark else f"the recommended estimate is "
                                                                          f"{RECOMMENDED} ({RECOMMENDED_WHY})"))
        if per_year:
            console.print("annual rate: flow over the period divided by its length in years (2020-2024: 4)")
        if df["flag"].notna().any():
            console.print(f"{int(df['flag'].notna().sum()):,} rows carry a diagnostic flag (see the flag column, "
                          "or Observatory.flow_diagnostics)")
        if len(df) > 200:
            console.print(f"{len(df):,} flows; showing the 200 largest (use --format csv for all)")
            df = df.nlargest(200, value)
        df = df.drop(columns=["revision", "vital_revision", "method"])
    _emit(df, fmt, title=f"Estimated migration flows ({chosen}{mark}, {basis})")


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
    revision: Annotated[str | None, typer.Option(help="WPP revision, 2024 (default) or 2022.")] = None,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Population on 1 July (UN World Population Prospects), in persons."""
    df = _query(db, lambda obs: obs.population(iso3=iso3, year=year, sex=sex, revision=revision))
    shown = ", ".join(sorted(set(df["revision"].astype(str)))) if len(df) else revision or "latest"
    _emit(df, fmt, title=f"Population (WPP {shown})")


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


@app.command("flows-ensemble")
def flows_ensemble(
    revision: Annotated[str, typer.Option(help="IMS revision the stocks come from.")] = "2024",
    period: Annotated[int, typer.Option(help="Start year of the period, e.g. 2015 for 2015-2020.")] = 2015,
    sex: Annotated[str, typer.Option(help="total, male or female.")] = "total",
    draws: Annotated[int, typer.Option(help="Number of perturbed draws.", min=1)] = 200,
    seed: Annotated[int, typer.Option(help="Seed: draw i uses numpy.random.default_rng([seed, i]).", min=0)] = 0,
    scheduler: Annotated[str | None, typer.Option(help="Address of a running Dask scheduler, e.g. "
                                                       "tcp://127.0.0.1:8786 (default: a new LocalCluster).")]
    = None,
    workers: Annotated[int, typer.Option(help="Workers of the LocalCluster (ignored with --scheduler).", min=1)] = 2,
    vital_revision: Annotated[str | None, typer.Option(help="WPP revision of the accounts (default: the build's "
                                                            "first basis for --revision).")] = None,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Monte-Carlo uncertainty of the recommended flows (da_pb_closed): perturb the stock tables by their data
    quality (IMS type of data), re-estimate each draw on Dask, and store the 5/50/95 % quantiles per corridor in
    the database's `flow_ensemble` (an atomic rewrite, like a build). Prints the largest corridors."""
    from migdev import store
    from migdev.config import Settings
    from migdev.errors import MigdevError
    from migdev.estimates import ensemble

    target = Settings.from_env().with_(db=db).db
    try:
        read_from = ensemble.identity(target) if target.is_file() else None
        with store.read(target) as con:
            problem = ensemble.problem(con, revision, period, sex, vital_revision=vital_revision)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, transient=False) as progress:
            task = progress.add_task(f"{problem.method} IMS {revision} + WPP {problem.vital_revision} "
                                     f"{problem.period[0]}-{problem.period[1]} {sex}: draws", total=draws)
            result = ensemble.ensemble(problem, draws, seed, scheduler, workers,
                                       progress=lambda done: progress.update(task, completed=done))
        written = ensemble.write(target, result, read_from)
    except MigdevError as exc:
        _fail(str(exc), exc.exit_code)
    rec = result.record
    console.print(f"[green]stored[/] {written:,} corridors of {draws} draws (seed {seed}) in {target}, "
                  f"{rec['seconds']:.1f} s on {rec['scheduler']}; world total {rec['total_flow']:,.0f} "
                  f"(90 % range {rec['total_q05']:,.0f} - {rec['total_q95']:,.0f})", highlight=False)
    shown = result.corridors.sort_values("flow", ascending=False, kind="stable")
    if fmt is Format.table:
        shown = shown.head(20)
    _emit(shown.reset_index(drop=True), fmt, title=f"Flow ensemble ({problem.method}, IMS {revision}, "
                                                   f"{problem.period[0]}-{problem.period[1]}, {sex})")


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


@app.command()
def profile(
    place: Annotated[str, typer.Argument(help="ISO3 code (KEN), group id (m49:900, wb:SSF) or WLD.")],
    fmt: Annotated[ProfileFormat, typer.Option("--format", "-f", help="A self-contained HTML page, JSON (stable "
                                                                      "keys) or CSV (one row per figure).")]
    = ProfileFormat.html,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File to write (default: standard output).")]
    = None,
    db: DbOption = None,
) -> None:
    """The migration and development profile of a country or group: emigration, immigration, refugees,
    remittances, skilled emigration, governance and development context, every figure with its year and source."""
    from migdev.errors import MigdevError

    profiles = _profiles(db)
    try:
        key = profiles.resolve(place)
        text = profiles.render(profiles.build(key), fmt.value)
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


@app.command()
def profiles(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the pages into (created if needed).")],
    all_: Annotated[bool, typer.Option("--all", help="Every country/area of the newest IMS revision and every "
                                                     "group.")] = False,
    place: Annotated[list[str] | None, typer.Argument(help="Codes or group ids (instead of --all).")] = None,
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
            written = profile_set.write_all(out, keys, advance=lambda key: progress.advance(task))
        except OSError as exc:
            _fail(f"cannot write into {out}: {exc.strerror or exc}")
    console.print(f"[green]wrote[/] {len(keys)} profiles ({len(written)} files) into {out} in "
                  f"{time.perf_counter() - start:.1f} s", highlight=False)
