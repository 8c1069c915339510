"""One query path: every read of the database by the API, the CLI, profiles and the web goes through :func:`run`.

Stable interface (other modules rely on it)::

    from migdev.query import run, QUERIES
    answer = run("stock", db=obs, origin="Philippines", destination="Saudi Arabia", sex="female", year=[1990, 2024])
    answer.frame      # pandas DataFrame: the rows, with a name column after every place column
    answer.sources    # tuple of SourceRef: the rows of the `source` table the query read (revision, licence, ...)
    answer.query      # the request as understood: filters resolved (names -> codes, "latest" -> a revision)
    answer.notes      # what the frame cannot say: why nothing matched, derived ratios, left-out rows

``db`` is an :class:`~migdev.api.Observatory` (its connection and caches are reused; safe from many threads), a
:class:`~migdev.query.spec.Catalog`, or a database path (``None``: ``$MIGDEV_DB``), opened for this one call.
Filters are the spec's (:data:`QUERIES`; ``migdev <query> --help`` lists them); each takes one value or a list.
Shaping options, common to all queries: ``by`` (aggregate: ``"sex"``, ``"origin"``, ``"region"``,
``"destination_income"``...), ``where`` (``"emigrants > immigrants"``), ``sort`` (columns, largest first; ``+col``
smallest first), ``top`` (first N rows), ``lang`` (names in en, fr, es, ru, zh or ar), ``wide`` (``True`` or a
value column: the origin x destination matrix, or the query's own wide layout).

A request the database cannot answer raises :class:`~migdev.errors.QueryError` (exit code 2 in the CLI) naming
what is held; a valid request that matches nothing returns an empty frame with a note saying why.
"""

from __future__ import annotations

import contextlib
import fnmatch
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from migdev.errors import QueryError
from migdev.publish.answer import Answer, SourceRef
from migdev.query import shape
from migdev.query.spec import Catalog, Filter, QuerySpec, as_list, check_choice
from migdev.query.specs import QUERIES

__all__ = ["QUERIES", "Catalog", "QuerySpec", "run"]

OPTIONS = ("by", "where", "sort", "top", "lang", "wide")


@contextlib.contextmanager
def _catalog(db: Any) -> Iterator[Catalog]:
    if isinstance(db, Catalog):
        yield db
    elif hasattr(db, "catalog"):
        yield db.catalog
    else:
        from migdev import store

        con = store.connect(Path(db) if db is not None else None)
        try:
            yield Catalog(con)
        finally:
            con.close()


def _held_column(f: Filter) -> str:
    return f.column.split(".")[-1]


def spec(name: str) -> QuerySpec:
    """The spec of a query by name (``-`` and ``_`` alike), or a QueryError listing the queries."""
    key = str(name).replace("-", "_").casefold()
    if key not in QUERIES:
        raise QueryError(f"unknown query {name!r}; expected one of {', '.join(QUERIES)}")
    return QUERIES[key]


def _resolve(q: QuerySpec, cat: Catalog, filters: dict[str, Any]) -> tuple[dict[str, list[Any] | None],
                                                                           dict[str, Any], dict[str, str]]:
    """Each filter's values as the table stores them (None: no filter), the echo, and labels of place filters."""
    chosen: dict[str, list[Any] | None] = {}
    echo: dict[str, Any] = {}
    labels: dict[str, str] = {}
    table = q.table
    for f in q.filters:
        values = as_list(filters.get(f.name))
        if f.kind == "place":
            if values is None:
                chosen[f.name] = None
                continue
            places = cat.places()
            field = "country" if f.name == "iso3" else f.name
            if f.expand:
                codes, found = places.expand(values, field)
            else:
                found = [places.resolve(v, field) for v in values]
                codes = [p.code for p in found]
                if any(p.code == "WLD" for p in found):
                    codes += ["m49:900", "wb:WLD"]
            chosen[f.name] = codes
            echo[f.name] = [{"asked": str(v), "code": p.code, "name": p.name, "kind": p.kind}
                            for v, p in zip(values, found, strict=True)]
            labels[f.name] = ",".join(p.code for p in found)
            continue
        if values is not None and len(values) == 1 and str(values[0]).strip().casefold() == "all":
            chosen[f.name] = None
            echo[f.name] = "all"
            continue
        source = f.held_in or table
        within = tuple((_held_column(q.filter(w)), tuple(chosen[w])) for w in f.within if chosen.get(w))
        held = cat.held(source, _held_column(f), within)
        context = source + "".join(f" {w} {'/'.join(map(str, vs))}" for w, vs in
                                   ((w, chosen[w]) for w in f.within if chosen.get(w)))
        if values is None:
            if f.default is None:
                chosen[f.name] = None
                continue
            if not held:
                raise QueryError(f"{context} holds no rows in this database: nothing to choose {f.name} from")
            if f.default == "latest":
                values = held[-1:]
            elif f.default == "recommended":
                from migdev.estimates.flows_step import RECOMMENDED

                values = [RECOMMENDED]
            else:
                values = [f.default]
        chosen[f.name] = check_choice(f, values, held, context)
        echo[f.name] = chosen[f.name]
    return chosen, echo, labels


def _sql(q: QuerySpec, chosen: dict[str, list[Any] | None]) -> tuple[str, list[Any]]:
    inner, inner_params, outer, outer_params = [], [], [], []
    for f in q.filters:
        values = chosen.get(f.name)
        if values is None:
            continue
        clause = f"{f.column} IN ({', '.join('?' for _ in values)})" if values else "FALSE"
        if f.inner and f.kind != "place":
            inner.append(clause)
            inner_params.extend(values)
        else:
            outer.append(clause)
            outer_params.extend(values)
    source = q.source.format(inner=" AND ".join(inner) or "TRUE")
    sql = f"SELECT * FROM ({source}) q WHERE {' AND '.join(outer) or 'TRUE'} ORDER BY {', '.join(q.order)}"
    return sql, inner_params + outer_params


def _sources(q: QuerySpec, cat: Catalog, chosen: dict[str, list[Any] | None], frame: pd.DataFrame
             ) -> tuple[SourceRef, ...]:
    with cat.cursor() as cur:
        rows = cur.execute("SELECT source_id, revision, publisher, title, licence, citation, sha256, url, product "
                           "FROM source ORDER BY source_id").df()
    keep = pd.Series(False, index=rows.index)
    for pattern, by_filter in q.inputs:
        hit = rows["source_id"].map(lambda s, p=pattern: fnmatch.fnmatch(s, p))
        revisions = chosen.get(by_filter) if by_filter else None
        if revisions is not None:
            hit &= rows["revision"].isin([str(r) for r in revisions])
        keep |= hit
    if q.source_column and q.source_column in frame.columns:
        named = {s.strip() for v in frame[q.source_column].dropna().unique()
                 for s in str(v).replace(";", ",").split(",")}
        keep |= rows["source_id"].isin(named) | rows["product"].isin(named)
    return tuple(SourceRef(**{k: str(v) for k, v in r.items() if k != "product"})
                 for r in rows[keep].to_dict("records"))


def run(name: str, /, db: Any = None, *, by: Any = None, where: Any = None, sort: Any = None, top: int | None = None,
        lang: str = "en", wide: bool | str = False, **filters: Any) -> Answer:
    """Run query ``name`` (a key of :data:`QUERIES`) with ``filters``; see the module docstring."""
    q = spec(name)
    unknown = sorted(set(filters) - {f.name for f in q.filters})
    if unknown:
        raise QueryError(f"unknown filter {unknown[0]!r} for {q.name}; expected one of "
                         f"{', '.join(f.name for f in q.filters)} (and {', '.join(OPTIONS)})")
    with _catalog(db) as cat:
        if q.table not in cat.tables():
            raise QueryError(q.requires or f"this database has no table {q.table}: rebuild it with `migdev build`")
        if q.requires:  # a table an optional build step fills: empty when that step was skipped
            with cat.cursor() as cur:
                if cur.execute(f"SELECT 1 FROM {q.table} LIMIT 1").fetchone() is None:
                    raise QueryError(q.requires.replace("this database has no", "this database has an empty"))
        chosen, echo, labels = _resolve(q, cat, filters)
        sql, params = _sql(q, chosen)
        with cat.cursor() as cur:
            frame = cur.execute(sql, params).df()
        places = cat.places()
        notes: list[str] = []
        if by is not None and len(frame):
            def fetch(place: str) -> pd.DataFrame:
                only = {k: v for k, v in chosen.items() if k == place or k not in q.places}
                with cat.cursor() as c:
                    return c.execute(*_sql(q, only)).df()

            frame, notes = shape.aggregate(frame, q, by, places, labels, fetch)
        frame = shape.ratios(frame, q)
        frame = shape.where(frame, where)
        if q.places:
            frame = shape.names(frame, q, places, lang)
        frame = shape.sort_top(frame, q, sort, top)
        sources = _sources(q, cat, chosen, frame)
    if frame.empty:
        notes.insert(0, f"no rows match these filters: {q.empty_why}")
    elif q.notes is not None:
        notes.extend(q.notes(frame))
    if wide:
        frame = shape.widen(frame, q, wide if isinstance(wide, str) else None)
    options = {k: v for k, v in (("by", by), ("where", where), ("sort", sort), ("top", top), ("wide", wide))
               if v not in (None, False)}
    query = {"query": q.name, "filters": echo, **options, "lang": lang}
    return Answer(frame, sources, query, tuple(notes))
