"""What a query does to its rows after SQL: aggregate to groups, derive ratios, keep rows by a condition, add
names, sort, cut to the top N, and pivot into a wide matrix. Each step is one function over a frame.

``by`` keeps the query's non-additive dimensions (revision, year, sex...: never summed over) and the place columns
it names, at country level (``origin``) or mapped to a classification (``region``, ``origin_region``,
``income``...; :data:`migdev.places.CLASSIFICATIONS`); a place column it does not name is summed over and labelled
with the filter that chose its rows ("m49:903" for Africa, "WLD" for everything). A measure marked
``sum_once:<place>`` (a total repeated on every row of its place, such as an origin's emigrants) is summed once per
place. Ratios are recomputed from the summed parts, never averaged.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from migdev.errors import QueryError
from migdev.places import CLASSIFICATIONS, Places
from migdev.query.spec import QuerySpec, as_list


def _by_terms(spec: QuerySpec, by: Any) -> dict[str, str | None]:
    """Each place column's level under ``by``: "country", a classification, or None (summed over)."""
    levels: dict[str, str | None] = dict.fromkeys(spec.places)
    choices = [*spec.keep, *spec.places, *CLASSIFICATIONS,
               *(f"{p}_{c}" for p in spec.places for c in CLASSIFICATIONS if len(spec.places) > 1)]
    for raw in as_list(by) or []:
        term = str(raw).strip().casefold()
        if term in spec.keep:
            continue
        if term in spec.places:
            levels[term] = "country"
        elif term in CLASSIFICATIONS:
            levels = dict.fromkeys(spec.places, term)
        elif any(term.startswith(f"{p}_") and term[len(p) + 1:] in CLASSIFICATIONS for p in spec.places):
            place = next(p for p in spec.places if term.startswith(f"{p}_") and term[len(p) + 1:] in CLASSIFICATIONS)
            levels[place] = term[len(place) + 1:]
        else:
            raise QueryError(f"unknown by {raw!r} for {spec.name}; expected one of {', '.join(choices)}")
    return levels


def _map_places(frame: pd.DataFrame, levels: Mapping[str, str | None], places: Places,
                labels: Mapping[str, str], notes: list[str]) -> pd.DataFrame:
    frame = frame.copy()
    for place, level in levels.items():
        frame[f"_{place}"] = frame[place]
        if level is None:
            frame[place] = labels.get(place, "WLD")
        elif level != "country":
            frame[place] = places.classify(frame[place], level)
            lost = frame[place].isna()
            if lost.any():
                codes = ", ".join(sorted(frame.loc[lost, f"_{place}"].astype(str).unique())[:8])
                notes.append(f"{int(lost.sum()):,} rows whose {place} is in no {level} group left out ({codes})")
                frame = frame[~lost]
    return frame


def aggregate(frame: pd.DataFrame, spec: QuerySpec, by: Any, places: Places, labels: Mapping[str, str],
              fetch: Callable[[str], pd.DataFrame]) -> tuple[pd.DataFrame, list[str]]:
    """Sum the measures over what ``by`` does not keep (see the module docstring); notes on rows left out.

    A ``sum_once:<place>`` total is summed over every place its group holds, not only those with a row among the
    filtered ones: ``fetch(place)`` gives the rows with only that place's filter, from which it is summed."""
    if not spec.measures:
        raise QueryError(f"{spec.name} has no additive measure to aggregate with by= (its values are rates or "
                         "codes); filter by a group instead")
    levels = _by_terms(spec, by)
    notes: list[str] = []
    frame = _map_places(frame, levels, places, labels, notes)
    keys = [k for k in (*spec.keep, *spec.places) if k in frame.columns]
    parts = [frame.groupby(keys, dropna=False, sort=True)[m].sum(min_count=1)
             for m, rule in spec.measures.items() if not rule.startswith("sum_once:")]
    out = pd.concat(parts, axis=1).reset_index()
    for measure, rule in spec.measures.items():
        if rule.startswith("sum_once:"):
            place = rule.split(":", 1)[1]
            others_filtered = any(p != place and p in labels for p in spec.places)
            whole = _map_places(fetch(place), levels, places, labels, []) if others_filtered else frame
            own = [k for k in spec.keep if k in whole.columns] + [place]
            totals = whole.drop_duplicates([*own, f"_{place}"]).groupby(own, dropna=False)[measure].sum(min_count=1)
            out = out.merge(totals.reset_index(), on=own, how="left")
    return out, notes


def ratios(frame: pd.DataFrame, spec: QuerySpec) -> pd.DataFrame:
    """Each ratio of the spec from its parts (NA where the denominator is missing or zero, never 0 or inf)."""
    frame = frame.copy()
    for name, (num, den, scale) in spec.ratios.items():
        if num in frame.columns and den in frame.columns:
            d = pd.to_numeric(frame[den], errors="coerce").astype("Float64")
            n = pd.to_numeric(frame[num], errors="coerce").astype("Float64")
            frame[name] = (n / d.where(d != 0)) * scale
    return frame


_OPS = {">": operator.gt, "<": operator.lt, ">=": operator.ge, "<=": operator.le, "=": operator.eq,
        "==": operator.eq, "!=": operator.ne}
_CONDITION = re.compile(r"""^\s*([A-Za-z_]\w*)\s*(>=|<=|!=|==|=|>|<)\s*([\w.+-]+|'[^']*'|"[^"]*")\s*$""")


def where(frame: pd.DataFrame, conditions: Any) -> pd.DataFrame:
    """Rows meeting every ``COLUMN OP VALUE`` condition (``emigrants > immigrants``, ``immigrant_share >= 0.5``,
    ``sex = female``); the right side is a column or a literal. Rows with a missing side are left out."""
    for text in as_list(conditions) or []:
        m = _CONDITION.match(str(text))
        if not m:
            raise QueryError(f"cannot read the condition {text!r}: write COLUMN OP VALUE with OP one of "
                             f"{' '.join(_OPS)}, e.g. 'emigrants > immigrants'")
        left, op, right = m.groups()
        if left not in frame.columns:
            raise QueryError(f"unknown column {left!r} in condition {text!r}; columns: {', '.join(frame.columns)}")
        if right in frame.columns:
            other: Any = frame[right]
        else:
            try:
                other = float(right)
            except ValueError:
                other = right.strip("'\"")
        try:
            mask = _OPS[op](frame[left], other)
        except TypeError:
            raise QueryError(f"cannot compare {left} ({frame[left].dtype}) with {right!r} in {text!r}") from None
        frame = frame[mask.fillna(False).astype(bool)]
    return frame


def name_column(place: str) -> str:
    return "name" if place in ("iso3",) else f"{place}_name"


def names(frame: pd.DataFrame, spec: QuerySpec, places: Places, lang: str) -> pd.DataFrame:
    """A name column after each place column, in ``lang``; a label of several codes gets their names joined."""
    frame = frame.copy()
    for place in spec.places:
        if place not in frame.columns:
            continue
        codes = pd.Series(frame[place].dropna().unique(), dtype="object")
        by_code = {}
        for code in codes:
            parts = str(code).split(",")
            named = places.names(pd.Series(parts), lang)
            by_code[code] = " + ".join(str(n) if not pd.isna(n) else p for n, p in zip(named, parts, strict=True))
        position = list(frame.columns).index(place) + 1
        frame.insert(position, name_column(place), frame[place].map(by_code))
    return frame


def sort_top(frame: pd.DataFrame, spec: QuerySpec, sort: Any, top: int | None) -> pd.DataFrame:
    """Sorted by the columns named, largest first (``+column``: smallest first), then the first ``top`` rows."""
    columns = as_list(sort) or ([spec.value] if top and spec.value in frame.columns else [])
    if columns:
        names_, ascending = [], []
        for c in columns:
            c = str(c)
            name = c.lstrip("+-")
            if name not in frame.columns:
                raise QueryError(f"cannot sort by {name!r}: not a column; columns: "
                                 f"{', '.join(map(str, frame.columns))}")
            names_.append(name)
            ascending.append(c.startswith("+"))
        frame = frame.sort_values(names_, ascending=ascending, na_position="last", kind="stable")
    if top is not None:
        if int(top) < 1:
            raise QueryError(f"top must be a positive number of rows, not {top}")
        frame = frame.head(int(top))
    return frame.reset_index(drop=True)


def widen(frame: pd.DataFrame, spec: QuerySpec, value: str | None) -> pd.DataFrame:
    """The wide matrix: one row per ``spec.wide[0]`` (and per varying dimension), one column per ``spec.wide[1]``."""
    if spec.wide is None:
        raise QueryError(f"{spec.name} has no wide layout")
    rows, cols = spec.wide
    value = value or spec.value
    if value not in frame.columns:
        raise QueryError(f"cannot widen on {value!r}: not a column; columns: {', '.join(frame.columns)}")
    index = [k for k in spec.keep if k in frame.columns and k != cols and frame[k].nunique(dropna=False) > 1]
    index.append(rows)
    if frame.duplicated([*index, cols]).any():
        raise QueryError(f"the rows are not one value per {rows} x {cols}: filter or aggregate first (by=...)")
    wide = frame.pivot(index=index, columns=cols, values=value)
    wide.columns = [str(c) for c in wide.columns]
    return wide.reset_index()
