"""The CLI's query commands, made from :data:`migdev.query.QUERIES`: one command per query, one option per filter.

Why generated: the CLI must offer everything the API has, and the query specs already say what each query takes
(filters with their help text) and which coded values it shows. A query added to ``QUERIES`` is a command here
with no further code; the shaping options (``--by --where --sort --top --lang --wide``) and the output options
(``--format --out --db``) are the same for all. ``emit`` is the one way an Answer reaches the terminal or a file:
rows on stdout, notes on stderr, a ``.meta.json`` sidecar beside every file written.
"""

from __future__ import annotations

import inspect
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from migdev.publish.answer import Answer
from migdev.query.spec import QuerySpec

console = Console(stderr=True)


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"
    excel = "excel"


_BY_EXTENSION = {".csv": "csv", ".json": "json", ".parquet": "parquet", ".xlsx": "excel", ".txt": "table"}

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="Database file (default: $MIGDEV_DB or ./migdev.duckdb).", show_default=False),
]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="table, csv, json, parquet or excel "
                                                                     "(parquet and excel need --out).")]
OutOption = Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file (format from --format or "
                                                                    "the extension), with FILE.meta.json beside "
                                                                    "it: sources, citation, codes.")]


def fail(message: str, code: int = 1) -> None:
    console.print(f"[red]error[/]: {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def emit(answer: Answer, fmt: Format, out: Path | None = None, title: str | None = None) -> None:
    """Rows to stdout (or ``out`` + sidecar), notes to stderr."""
    from migdev.publish import formats

    name = fmt.value
    if out is not None:
        if fmt is Format.table:
            name = _BY_EXTENSION.get(out.suffix.lower(), "csv")
        path, side = formats.write(answer, name, out)
        console.print(f"wrote {len(answer.frame):,} rows to {path} and its sources to {side.name}", highlight=False,
                      soft_wrap=True)
    elif formats.FORMATS[name].binary:
        fail(f"{name} is a binary format: give a file with --out (e.g. --out result.{formats.FORMATS[name].extension})",
             2)
    elif fmt is Format.table:
        typer.echo(formats.to_table(answer, title=title).decode(), nl=False)
    else:
        typer.echo(formats.FORMATS[name].render(answer).decode(), nl=False)
    for note in answer.notes:
        console.print(f"note: {note}", highlight=False, soft_wrap=True)


def run_query(db: Path | None, name: str, **kwargs: Any) -> Answer:
    """Open the database, answer one query, close it; a migdev error is one line with its class's exit code."""
    import migdev
    from migdev.errors import MigdevError
    from migdev.query import run

    try:
        with migdev.open(str(db) if db else None) as obs:
            return run(name, db=obs, **kwargs)
    except MigdevError as exc:
        fail(str(exc), exc.exit_code)
    raise AssertionError("unreachable")  # pragma: no cover - fail always exits


def _code_help(spec: QuerySpec) -> str:
    """The coded values the query's output carries, explained (from migdev.publish.codes)."""
    from migdev.publish.codes import CODES

    text = spec.source
    lines = [f"{c.column} {c.value}: {c.meaning}" for c in CODES
             if c.column in text and c.column not in ("sex", "iso3")]
    return ("\n\nCodes: " + "; ".join(lines) + ". More: `migdev explain CODE`.") if lines else ""


def _option(name: str, annotation: Any, default: Any, help: str, *flags: str) -> inspect.Parameter:
    decls = flags or (f"--{name.replace('_', '-')}",)
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default,
                             annotation=Annotated[annotation, typer.Option(*decls, help=help, show_default=False)])


def command(spec: QuerySpec, extra: dict[str, tuple[Any, Any, str]] | None = None) -> Any:
    """A Typer callback for ``spec``: its filters as repeatable options, then the shaping and output options.

    ``extra``: options of one command only (name -> (annotation, default, help)), passed to ``post``."""
    params = []
    for f in spec.filters:
        kind = list[int] | None if f.kind == "number" else list[str] | None
        params.append(_option(f.name, kind, None, f.help))
    params += [
        _option("by", list[str] | None, None, "Aggregate: keep these (origin, destination, sex...) or map places to "
                "region, subregion, sdg_region, wb_region, income (origin_region...); the rest is summed."),
        _option("where", list[str] | None, None, "Keep rows meeting COLUMN OP VALUE, e.g. 'emigrants > immigrants'."),
        _option("sort", list[str] | None, None, "Sort by this column, largest first (+COLUMN: smallest first)."),
        _option("top", int | None, None, "Only the first N rows (after --sort; default sort: the main value)."),
        _option("lang", str, "en", "Language of the name columns: en, fr, es, ru, zh or ar."),
        _option("wide", bool, False, "Wide matrix (e.g. origin x destination) of the main value.", "--wide"),
    ]
    for name, (annotation, default, help) in (extra or {}).items():
        params.append(_option(name, annotation, default, help, f"--{name.replace('_', '-')}"))
    params += [_option("db", Path | None, None, "Database file (default: $MIGDEV_DB or ./migdev.duckdb).", "--db"),
               _option("fmt", Format, Format.table, "table, csv, json, parquet or excel (parquet/excel need --out).",
                       "--format", "-f"),
               _option("out", Path | None, None, "Write to FILE (with FILE.meta.json: sources, citation, codes).",
                       "--out", "-o")]

    def callback(**kwargs: Any) -> None:
        db, fmt, out = kwargs.pop("db"), kwargs.pop("fmt"), kwargs.pop("out")
        extras = {k: kwargs.pop(k) for k in (extra or {})}
        given = {k: v for k, v in kwargs.items() if v not in (None, [], False)}
        answer = run_query(db, spec.name, **given)
        if extras and "per_year" in extras:
            drop = "flow" if extras["per_year"] else "flow_per_year"
            if drop in answer.frame.columns:
                answer = answer.with_frame(answer.frame.drop(columns=drop))
        emit(answer, fmt, out, title=spec.heading(answer.query.get("filters", {})))

    callback.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    callback.__annotations__ = {p.name: p.annotation for p in params} | {"return": None}
    callback.__doc__ = spec.help + "." + _code_help(spec)
    callback.__name__ = spec.name
    return callback


#: Options only one command has: flows' --per-year (an annual rate instead of the period's flow).
EXTRAS: dict[str, dict[str, tuple[Any, Any, str]]] = {
    "flows": {"per_year": (bool, False, "Annual rate: the flow divided by the period length (2020-2024: 4 years).")},
}


def register(app: typer.Typer) -> None:
    """One command per query (``flow_band`` is ``migdev flow-band``)."""
    from migdev.query import QUERIES

    for spec in QUERIES.values():
        app.command(spec.name.replace("_", "-"))(command(spec, EXTRAS.get(spec.name)))
