"""Input checks shared by every flow estimator: one rule per question, one message per failure.

The estimators take stock tables (place of birth x residence), flow tables (origin x destination), vectors of
births and deaths by region, as labelled pandas objects or bare arrays. Before this module each family had its
own near-copy of the square-table check (``rates``, ``methods``, ``indices``) with different holes: one refused
duplicated labels, one refused missing values, none both. The rules here:

* a labelled table (DataFrame) must be square, without duplicated labels, with the same places on both axes;
  its columns are put in the order of its rows; a bare array must be square and is taken as it is;
* two stock tables are aligned on the start table's places when both are labelled, positionally otherwise;
* missing values are refused (an estimate from a table with holes is not an estimate);
* negative counts are refused where a count cannot be negative, naming the cell by its labels.

Every refusal is an :class:`~migdev.errors.EstimationError` (a ``ValueError``), so the CLI and the web answer
422 with the message, which says which input, which cell, and why.

``ffs_demo``'s own helpers (:func:`matrix`, :func:`common_labels`, ...) keep migest's rules: its component
functions take DataFrames positionally (no reordering of columns), and ``ffs_demo`` orders the places as migest
does, by first appearance across births, deaths and both stock tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from migdev.errors import EstimationError


class Axes(NamedTuple):
    """How messages name the two axes of a square table."""

    square: str  # "a square <square> table"
    pair: str  # "<pair> must be the same places"


STOCK = Axes("place of birth x residence", "places of birth (rows) and of residence (columns)")
OD = Axes("origin x destination", "origins (rows) and destinations (columns)")


def label(labels: Sequence[Any] | None, i: int) -> Any:
    """The label of position ``i`` in messages (the position itself for unlabelled inputs)."""
    return labels[i] if labels is not None else i


def check_square(arr: np.ndarray, name: str, axes: Axes = STOCK) -> None:
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise EstimationError(f"{name} must be a square {axes.square} table, got shape {arr.shape}")


def check_complete(arr: np.ndarray, name: str) -> None:
    if np.isnan(arr).any():
        raise EstimationError(f"{name} has missing values")


# -- labelled tables (rates, methods, indices) --------------------------------------------------------------------


def labelled_square(x: Any, name: str, axes: Axes = STOCK) -> tuple[np.ndarray, pd.Index]:
    """A table as a new float array with one label set for rows and columns (columns put in row order)."""
    if isinstance(x, pd.DataFrame):
        if x.shape[0] != x.shape[1]:
            raise EstimationError(f"{name} must be a square {axes.square} table, got shape {x.shape}")
        rows, cols = pd.Index(x.index), pd.Index(x.columns)
        if rows.has_duplicates or cols.has_duplicates:
            raise EstimationError(f"{name} has duplicated place labels")
        if rows.equals(cols):  # the usual case, checked without building sets of labels
            arr = np.array(x.to_numpy(dtype=float))
        elif set(rows) != set(cols):
            raise EstimationError(
                f"{name}: {axes.pair} must be the same places; "
                f"only in rows: {sorted(map(str, rows.difference(cols)))}, "
                f"only in columns: {sorted(map(str, cols.difference(rows)))}"
            )
        else:
            arr = np.array(x.reindex(columns=rows).to_numpy(dtype=float))
    else:
        arr = np.array(x, dtype=float)
        check_square(arr, name, axes)
        rows = pd.RangeIndex(arr.shape[0])
    check_complete(arr, name)
    return arr, rows


def stock_pair(stock_start: Any, stock_end: Any) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """Both stocks in the start table's place order; mismatched place labels are an error, not NaNs."""
    s1, lab1 = labelled_square(stock_start, "stock_start")
    s2, lab2 = labelled_square(stock_end, "stock_end")
    if s1.shape != s2.shape:
        raise EstimationError(f"stock_start {s1.shape} and stock_end {s2.shape} must have the same shape")
    both_labelled = isinstance(stock_start, pd.DataFrame) and isinstance(stock_end, pd.DataFrame)
    if both_labelled and not lab1.equals(lab2):
        if set(lab1) != set(lab2):
            raise EstimationError(
                "stock_start and stock_end cover different places: "
                f"only in stock_start: {sorted(map(str, lab1.difference(lab2)))}, "
                f"only in stock_end: {sorted(map(str, lab2.difference(lab1)))}"
            )
        order = lab2.get_indexer(lab1)
        s2 = s2[np.ix_(order, order)]
    return s1, s2, lab1


def stocks_and_vital(
    stocks: Any, vital: pd.DataFrame | None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.Series]:
    """The inputs of the six named estimates: both stock tables and births/deaths on one label order.

    ``vital`` may carry ``pop_start``/``pop_end``: the native-born cells (diagonal) are then population minus
    foreign-born, as Abel & Cohen do for the UN tables, which carry no native-born counts.
    """
    try:
        stock_start, stock_end = stocks
    except (TypeError, ValueError):
        raise EstimationError(
            "stocks must be a pair (stock_start, stock_end) of place-of-birth x residence tables"
        ) from None
    a1, a2, index = stock_pair(stock_start, stock_end)
    labels = list(index)
    n = len(labels)
    if vital is None:
        vital = pd.DataFrame(index=labels)
    if not isinstance(vital, pd.DataFrame):
        raise EstimationError("vital must be a DataFrame indexed by region (births, deaths, pop_start, pop_end)")
    missing = [r for r in labels if r not in vital.index]
    if missing and len(vital.columns):
        raise EstimationError(f"vital lacks regions {missing[:5]}")
    v = vital.reindex(labels) if len(vital.columns) else vital
    births = pd.Series(v["births"].to_numpy(float) if "births" in v else np.zeros(n), index=labels)
    deaths = pd.Series(v["deaths"].to_numpy(float) if "deaths" in v else np.zeros(n), index=labels)
    for name, ser in (("births", births), ("deaths", deaths)):
        if ser.isna().any() or (ser < 0).any():
            raise EstimationError(f"vital[{name!r}] must be non-negative and complete")
    for col, arr, name in (("pop_start", a1, "stock_start"), ("pop_end", a2, "stock_end")):
        if col in v:
            pop = v[col].to_numpy(float)
            foreign = arr.sum(axis=0) - np.diag(arr)
            native = pop - foreign
            if (native < 0).any():
                k = int(np.flatnonzero(native < 0)[0])
                raise EstimationError(
                    f"vital[{col!r}] for {labels[k]} ({pop[k]:g}) is below the foreign-born stock in "
                    f"{name} ({foreign[k]:g}): cannot derive a native-born population"
                )
            np.fill_diagonal(arr, native)
    frame = lambda a: pd.DataFrame(a, index=labels, columns=labels)  # noqa: E731
    return frame(a1), frame(a2), births, deaths


def is_long(m: Any, orig: str, dest: str, flow: str) -> bool:
    """A long flow table: a DataFrame with origin, destination and flow columns."""
    return isinstance(m, pd.DataFrame) and {orig, dest, flow}.issubset(m.columns)


def od_matrix(m: Any, orig: str, dest: str, flow: str) -> tuple[np.ndarray, pd.Index]:
    """Flows (square table, array, or long frame with ``orig``, ``dest``, ``flow``) as a matrix, diagonal 0."""
    if is_long(m, orig, dest, flow):
        pairs = m[[orig, dest]]
        if pairs.duplicated().any():
            dup = pairs[pairs.duplicated()].iloc[0].tolist()
            raise EstimationError(f"m has more than one flow for the origin-destination pair {dup}")
        labels = pd.Index(pd.unique(pd.concat([m[orig], m[dest]], ignore_index=True)))
        wide = m.pivot(index=orig, columns=dest, values=flow).reindex(index=labels, columns=labels)
        mat = np.array(wide.to_numpy(dtype=float))
        mat[np.isnan(mat)] = 0.0
    else:
        mat, labels = labelled_square(m, "m", OD)
    np.fill_diagonal(mat, 0.0)
    return mat, labels


# -- ffs_demo and its components (migest's rules) ---------------------------------------------------------------


def matrix(x: Any, what: str) -> np.ndarray:
    """A square float table, taken positionally (a DataFrame's labels are not used)."""
    arr = np.array(x.to_numpy() if isinstance(x, pd.DataFrame) else x, dtype=float)
    check_square(arr, what)
    check_complete(arr, what)
    return arr


def vector(x: Any, n: int, what: str) -> np.ndarray:
    """``n`` values by region (None: zeros; a single value is recycled, as in R)."""
    if x is None:
        return np.zeros(n)
    arr = np.array(x.to_numpy() if isinstance(x, pd.Series) else x, dtype=float).reshape(-1)
    if arr.shape == (1,):
        arr = np.full(n, arr[0])
    if arr.shape != (n,):
        raise EstimationError(f"{what} must have {n} values, got {arr.shape[0]}")
    check_complete(arr, what)
    return arr


def common_labels(stock_start, stock_end, births, deaths, labels):
    """migest step 1: labels in order of first appearance across births, deaths and both stock tables."""
    sources: list[tuple[str, list[Any]]] = []
    for name, obj in (("births", births), ("deaths", deaths)):
        if isinstance(obj, pd.Series):
            sources.append((name, list(obj.index)))
    for name, obj in (("stock_start", stock_start), ("stock_end", stock_end)):
        if isinstance(obj, pd.DataFrame):
            sources.append((f"{name} rows", list(obj.index)))
            sources.append((f"{name} columns", list(obj.columns)))
    if not sources:
        return list(labels) if labels is not None else None
    order: list[Any] = []
    seen: set[Any] = set()
    for _, lab in sources:
        for v in lab:
            if v not in seen:
                seen.add(v)
                order.append(v)
    for name, lab in sources:
        if len(lab) != len(order) or set(lab) != seen:
            missing = [v for v in order if v not in set(lab)]
            raise EstimationError(f"{name} do not cover the same regions as the other inputs (missing {missing[:5]})")
    if labels is not None and list(labels) != order and set(labels) == seen:
        order = list(labels)
    return order


def reindex_matrix(x: Any, labels, what: str) -> np.ndarray:
    if isinstance(x, pd.DataFrame) and labels is not None:
        x = x.reindex(index=labels, columns=labels)
    return matrix(x, what)


def reindex_vector(x: Any, labels, n: int, what: str) -> np.ndarray:
    if isinstance(x, pd.Series) and labels is not None:
        x = x.reindex(labels)
    return vector(x, n, what)


def check_non_negative(arr: np.ndarray, what: str, labels, off_diagonal_only: bool = False) -> None:
    """Refuse a negative count, naming the first such cell by its labels."""
    bad = arr < 0
    if arr.ndim == 2 and off_diagonal_only:
        bad = bad & ~np.eye(arr.shape[0], dtype=bool)
    if bad.any():
        pos = tuple(int(v) for v in np.argwhere(bad)[0])
        where = ", ".join(str(label(labels, p)) for p in pos)
        raise EstimationError(f"{what} must be non-negative: {what}[{where}] = {arr[pos]:g}")


def seed_array(seed: Any, labels, n: int) -> np.ndarray | None:
    """The user's seed for the final fit: (n, n) or (n, n, n), non-negative; None stays None."""
    if seed is None:
        return None
    is_frame = isinstance(seed, pd.DataFrame)
    arr = reindex_matrix(seed, labels, "seed") if is_frame else np.array(seed, dtype=float)
    if arr.ndim not in (2, 3) or arr.shape[:2] != (n, n) or (arr.ndim == 3 and arr.shape[2] != n):
        raise EstimationError(f"seed must be (n, n) or (n, n, n) with n = {n}, got {arr.shape}")
    check_non_negative(arr, "seed", None)
    return arr
