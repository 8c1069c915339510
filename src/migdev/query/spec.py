"""What a query is, declared as data: its table, its filters and how each is checked, its measures and inputs.

A :class:`QuerySpec` names the SQL it reads (``source``, with ``{inner}`` where filters that do not change a
window's partition go, so shares are taken over the whole origin or destination before place filters narrow the
rows), its filters, the columns that carry places (named and grouped), additive ``measures`` (summed when ``by=``
aggregates), ``ratios`` recomputed after aggregation, the dimensions never summed over (``keep``: year, sex,
revision...), and its ``inputs``: which rows of the ``source`` table it reads, as ``source_id`` patterns, each
narrowed to the revisions a filter chose.

A :class:`Catalog` is one open database's shared, read-mostly state: the connection cursors are taken from, the
places, and what each table holds (distinct values, cached). Everything in it is guarded by one lock, and every
query runs on its own cursor, so one catalog serves any number of threads.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import duckdb
import pandas as pd

from migdev.errors import QueryError
from migdev.places import Places

FilterKind = Literal["place", "choice", "number"]


@dataclass(frozen=True)
class Filter:
    """One keyword of a query.

    ``kind``: ``place`` (codes or names of countries and groups, expanded to ISO3 members), ``choice`` (a value the
    table holds, compared case-insensitively; ``"all"`` lifts the filter), ``number`` (a year or period the table
    holds, given the choices of the filters named in ``within``). ``vocabulary``: the only values that exist at
    all (sexes), checked before what the table holds. ``default``: a value, or ``"latest"`` (the largest held).
    """

    name: str
    column: str
    kind: FilterKind
    help: str
    default: Any = None
    within: tuple[str, ...] = ()
    vocabulary: tuple[str, ...] | None = None
    inner: bool = False
    held_in: str | None = None  # the table whose values are valid, if not the spec's
    expand: bool = True         # place filters: match a group's member countries (False: the code itself)


@dataclass(frozen=True)
class QuerySpec:
    """A query: ``source`` SQL (may hold ``{inner}``), the ``table`` its values are checked against, filters."""

    name: str
    help: str
    table: str
    source: str
    filters: tuple[Filter, ...]
    order: tuple[str, ...]
    places: tuple[str, ...] = ()
    measures: Mapping[str, str] = field(default_factory=dict)   # column -> "sum" | "sum_once:<place column>"
    ratios: Mapping[str, tuple[str, str, float]] = field(default_factory=dict)  # name -> (numerator, denom, scale)
    keep: tuple[str, ...] = ()
    value: str | None = None
    wide: tuple[str, str] | None = None          # (row column, column column) of the wide matrix of ``value``
    inputs: tuple[tuple[str, str | None], ...] = ()
    source_column: str | None = None             # a result column naming source ids (the indicator table)
    empty_why: str = "no row of the table has these values together"
    notes: Callable[[pd.DataFrame], list[str]] | None = None
    requires: str | None = None                  # why, if ``table`` may be absent from a database
    title: str | None = None                     # the table format's title; {filter} is its chosen values

    def heading(self, echo: Mapping[str, Any]) -> str:
        """The title with the chosen values of the filters it names (``{revision}`` -> ``2024``)."""
        values = {k: "/".join(map(str, v)) if isinstance(v, list) else str(v) for k, v in echo.items()}
        try:
            return (self.title or self.help.split(",")[0]).format_map(values)
        except KeyError:
            return self.help.split(",")[0]

    def filter(self, name: str) -> Filter:
        return next(f for f in self.filters if f.name == name)


def describe(values: list[Any], limit: int = 40) -> str:
    """Values listed for a message: runs of consecutive years as ``1960-2024``, long lists cut with ``…``."""
    if values and all(isinstance(v, int) for v in values):
        runs, start, prev = [], values[0], values[0]
        for v in [*values[1:], None]:
            if v is not None and v == prev + 1:
                prev = v
                continue
            runs.append(str(start) if start == prev else f"{start}-{prev}")
            if v is not None:
                start = prev = v
        text = runs
    else:
        text = [str(v) for v in values]
    return ", ".join(text[:limit]) + (", …" if len(text) > limit else "")


class Catalog:
    """One open database's connection, places and held values, safe to share between threads."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self._lock = threading.RLock()
        self._places: Places | None = None
        self._held: dict[tuple[Any, ...], list[Any]] = {}
        self._tables: set[str] | None = None

    @contextlib.contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of its own for one query (DuckDB connections are not shared between threads; cursors are)."""
        with self._lock:
            cur = self.con.cursor()
        try:
            yield cur
        finally:
            cur.close()

    def places(self) -> Places:
        with self._lock:
            if self._places is None:
                with self.cursor() as cur:
                    self._places = Places.load(cur)
            return self._places

    def tables(self) -> set[str]:
        with self._lock:
            if self._tables is None:
                with self.cursor() as cur:
                    self._tables = {r[0] for r in cur.execute(
                        "SELECT table_name FROM information_schema.tables").fetchall()}
            return self._tables

    def held(self, table: str, column: str, where: tuple[tuple[str, tuple[Any, ...]], ...] = ()) -> list[Any]:
        """The distinct values of ``table.column`` where the given columns take the given values, sorted."""
        key = (table, column, where)
        with self._lock:
            if key not in self._held:
                clauses = [f"{c} IN ({', '.join('?' for _ in vs)})" for c, vs in where]
                sql = f"SELECT DISTINCT {column} AS v FROM {table}"
                if clauses:
                    sql += " WHERE " + " AND ".join(clauses)
                with self.cursor() as cur:
                    values = [r[0] for r in cur.execute(sql, [v for _, vs in where for v in vs]).fetchall()]
                self._held[key] = sorted((v for v in values if v is not None), key=lambda v: (str(type(v)), v))
            return self._held[key]


def as_list(value: Any) -> list[Any] | None:
    """One value or many, as a list; ``None`` (no filter) stays ``None``."""
    if value is None:
        return None
    if isinstance(value, str | int | float):
        return [value]
    values = list(value)
    return values or None


def check_choice(f: Filter, values: list[Any], held: list[Any], context: str) -> list[Any]:
    """The held values matching ``values`` case-insensitively (as stored, with their stored type), or a
    :class:`QueryError` naming what is held."""
    if f.vocabulary is not None:
        vocab = {v.casefold(): v for v in f.vocabulary}
        unknown = [v for v in values if str(v).casefold() not in vocab]
        if unknown:
            raise QueryError(f"unknown {f.name} {unknown[0]!r}; expected one of {', '.join(f.vocabulary)}")
    by_text = {str(h).casefold(): h for h in held}
    out = []
    for v in values:
        key = str(v).strip().casefold()
        if key not in by_text:
            if f.kind == "number" or f.vocabulary is not None:
                raise QueryError(f"{f.name} {v} not in {context}; it holds {describe(held)}")
            raise QueryError(f"unknown {f.name} {v!r}; expected one of {describe(held)} (what {context} holds)")
        h = by_text[key]
        out.append(h.item() if hasattr(h, "item") else h)
    return list(dict.fromkeys(out))
