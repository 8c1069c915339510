"""The ``migdev`` command line: every command is a thin call into the Python API or the pipeline."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import pandas as pd
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from migdev import __version__, cli_models, cli_query, cli_reports, cli_web
from migdev.cli_query import DbOption, Format, FormatOption, OutOption, console, emit
from migdev.publish.answer import Answer

if TYPE_CHECKING:
    from migdev.api import Observatory

app = typer.Typer(
    name="migdev",
    help="migdev: an open observatory for international migration and development.\n\n"
         "Build the database from the official releases (`migdev build`), then query it "
         "(`migdev stock`, `migdev totals`, `migdev vital`, ...). Places are ISO3 codes, names in any UN language, "
         "aliases (UK) or groups (Africa, 'High income', WLD). Set MIGDEV_DATA_MIRROR to a folder holding the "
         "release files to build without internet.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"migdev {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Print the version and exit.")] = False) -> None:
    """migdev: an open observatory for international migration and development."""


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


_fail = cli_query.fail


def _emit(df: pd.DataFrame, fmt: Format, title: str | None = None, out: Path | None = None) -> None:
    """A frame that is not a query's answer (build summary, registry status) through the same formats."""
    emit(Answer(df, (), {}, ("no rows match these filters",) if df.empty else ()), fmt, out, title)


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
    reports: Annotated[Path | None, typer.Option("--reports", help="After the build, write every report (global, "
                                                                   "dialogue) in six languages, HTML and PDF, into "
                                                                   "this folder (about a minute; opt-in).")] = None,
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
    if reports is not None:
        cli_reports.reports(out=reports, all_=True, db=report.db)


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
def countries(
    iso3: Annotated[list[str] | None, typer.Option(help="ISO3 code (repeatable).")] = None,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Countries and areas with codes, names in the six UN languages and groupings; --iso3 takes names and groups
    too (`migdev countries --iso3 Africa`)."""
    df = _query(db, lambda obs: obs.countries(iso3=iso3))
    if fmt is Format.table:
        df = df[["iso3", "m49", "name_en", "name_fr", "name_zh", "sdg_region", "wb_income_group"]]
    _emit(df, fmt, title="Countries and areas")


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


@app.command()
def groups(
    kind: Annotated[list[str] | None, typer.Option(help="Geographic region, Subregion, SDG region, World Bank region, "
                                                        "World Bank income group, ... (repeatable).")] = None,
    member: Annotated[list[str] | None, typer.Option(help="Only groups holding this place (repeatable).")] = None,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
    out: OutOption = None,
) -> None:
    """Groups of places every place filter accepts: UN M49 regions and subregions, SDG regions, World Bank regions
    and income groups (and WLD, everything), with their members; e.g. `migdev groups --member KEN`."""
    df = _query(db, lambda obs: obs.groups(kind=kind, member=member))
    if fmt is Format.table and out is None:  # a terminal's width: the English name only
        df = df.drop(columns=["member_codes", *(c for c in df.columns if c.startswith("name_"))])
    _emit(df, fmt, "Groups of places", out)


def _pairs(pairs: list[str] | None) -> dict[str, object]:
    """``key=value`` arguments as query filters (a repeated key is a list)."""
    out: dict[str, object] = {}
    for pair in pairs or []:
        if "=" not in pair:
            _fail(f"cannot read {pair!r}: write FILTER=VALUE, e.g. year=2024", 2)
        key, value = pair.split("=", 1)
        key = key.strip().replace("-", "_")
        out[key] = [*out[key], value] if isinstance(out.get(key), list) else [out[key], value] if key in out else value
    return out


@app.command()
def cite(
    what: Annotated[str, typer.Argument(help="A query (stock, totals, flows, ...) or a source id / product.")],
    filters: Annotated[list[str] | None, typer.Argument(help="The query's filters as FILTER=VALUE, e.g. "
                                                             "year=2024 origin=MEX.")] = None,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """The citation of what a query read (releases, revisions, licences, file checksums), ready to paste:
    `migdev cite stock year=2024`, or of one source: `migdev cite ims2024_bilateral`."""
    from migdev.publish.formats import meta
    from migdev.query import QUERIES

    if what.replace("-", "_") in QUERIES:
        answer = cli_query.run_query(db, what.replace("-", "_"), **_pairs(filters))
    else:
        held = _query(db, lambda obs: obs.sources())
        rows = held[(held["source_id"] == what) | (held["product"] == what)]
        if rows.empty:
            _fail(f"unknown query or source {what!r}; queries: {', '.join(QUERIES)}; sources: "
                  f"{', '.join(held['source_id'])}", 2)
        from migdev.publish.answer import SourceRef

        fields = SourceRef.__dataclass_fields__
        answer = Answer(rows, tuple(SourceRef(**{k: str(r[k]) for k in fields}) for _, r in rows.iterrows()),
                        {"source": what})
    if fmt is Format.table:
        typer.echo(answer.citation())
    else:
        import json

        info = meta(answer)
        body = {k: info[k] for k in ("query", "sources", "citation")}
        typer.echo(json.dumps(body, ensure_ascii=False, indent=2) if fmt is Format.json else answer.citation())


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="One SQL statement (DuckDB dialect), read-only.")],
    seconds: Annotated[float, typer.Option(help="Stop the query after this many seconds.", min=0.1)] = 30.0,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
    out: OutOption = None,
) -> None:
    """Read-only SQL over the database in a sandbox: no writes, no file or network access (read_text, COPY,
    EXPORT DATABASE, ATTACH are refused), stopped after --seconds. Tables: `migdev sql "SHOW TABLES"`."""
    df = _query(db, lambda obs: obs.sql(query, seconds=seconds))
    _emit(df, fmt, None, out)


@app.command()
def explain(
    code: Annotated[str, typer.Argument(help="A coded value: B, 'B R', derived_ratio_2026-07, medium, "
                                             "da_pb_closed, XXX, ...")],
    column: Annotated[str | None, typer.Option(help="Only the meaning in this column (type_of_data, vintage, "
                                                    "variant, method, ...).")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """What a coded value in migdev's outputs means (IMS type_of_data, WDI vintages, WPP variants, flow methods)."""
    from migdev.errors import MigdevError
    from migdev.publish.codes import explain as lookup

    try:
        found = lookup(code, column)
    except MigdevError as exc:
        _fail(str(exc), exc.exit_code)
    _emit(pd.DataFrame([{"column": c.column, "value": c.value, "meaning": c.meaning, "source": c.source}
                        for c in found]), fmt, f"What {code} means")


cli_query.register(app)
cli_reports.register(app)
cli_models.register(app)
cli_web.register(app)
