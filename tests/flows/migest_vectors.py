"""Read the migest 2.0.5 reference vectors from ``../shared/testdata/migest`` (never copied into the repo).

The JSON encoding is described in that folder's README; this module turns it into numpy/pandas objects.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

_SPECIAL = {"NA": math.nan, "NaN": math.nan, "Inf": math.inf, "-Inf": -math.inf}


def testdata_dir() -> Path:
    """The reference folder: ``$MIGDEV_TESTDATA/migest`` or ``../shared/testdata/migest`` beside the repo."""
    root = os.environ.get("MIGDEV_TESTDATA")
    if root:
        return Path(root) / "migest"
    return Path(__file__).resolve().parents[2].parent / "shared" / "testdata" / "migest"


@dataclass(frozen=True)
class Array3:
    """A decoded R 3-d array: values[i, j, k] plus the dimnames (names and levels) when R had them."""

    values: np.ndarray
    names: list[str] | None
    levels: list[list[str]] | None


@dataclass(frozen=True)
class Summary3:
    """A summarised large R 3-d array (see README: sums over each dimension, stayers, sample cells)."""

    sum_over_dim3: np.ndarray
    sum_over_dim2: np.ndarray
    sum_over_dim1: np.ndarray
    diag_12: np.ndarray
    total: float
    sample_cells: pd.DataFrame
    levels: list[list[str]] | None


def _num(x: Any) -> Any:
    if isinstance(x, str) and x in _SPECIAL:
        return _SPECIAL[x]
    if isinstance(x, list):
        return [_num(v) for v in x]
    return x


def _array(data: Any) -> np.ndarray:
    arr = _num(data)
    try:
        return np.asarray(arr, dtype=float)
    except (TypeError, ValueError):
        return np.asarray(arr, dtype=object)


def _levels(dimnames: Any, ndim: int) -> tuple[list[str] | None, list[list[str]] | None]:
    if not dimnames:
        return None, None
    names = dimnames.get("names")
    levels = dimnames.get("levels")
    if isinstance(levels, dict):
        keys = names if names else list(levels.keys())
        return names, [levels[k] for k in keys]
    if isinstance(levels, list):
        return names, [lv for lv in levels] if len(levels) == ndim else None
    return names, None


def _summary_field(v: Any) -> np.ndarray:
    """A summary field is either a plain nested list or an encoded matrix; return the values."""
    if isinstance(v, dict) and "type" in v:
        return _array(v["data"]).reshape(v["dim"])
    return _array(v)


def decode(obj: Any) -> Any:
    """Turn one encoded R value into numpy/pandas: vector -> Series (named) or ndarray, matrix -> DataFrame, ..."""
    if not isinstance(obj, dict) or "type" not in obj:
        if isinstance(obj, list):
            return [decode(v) for v in obj]
        return _num(obj)
    kind = obj["type"]
    if kind == "vector":
        data = _array(obj["data"]) if obj["data"] is not None else np.array([])
        if obj.get("names"):
            return pd.Series(data, index=obj["names"])
        return data
    if kind == "matrix":
        dim = obj["dim"]
        data = _array(obj["data"]).reshape(dim)
        names, levels = _levels(obj.get("dimnames"), 2)
        df = pd.DataFrame(
            data,
            index=levels[0] if levels and levels[0] is not None else None,
            columns=levels[1] if levels and levels[1] is not None else None,
        )
        if names:
            df.index.name, df.columns.name = names[0], names[1]
        return df
    if kind == "array3":
        names, levels = _levels(obj.get("dimnames"), 3)
        if "summary" in obj:
            s = obj["summary"]
            cells = s["sample_cells"]
            cells = decode(cells) if isinstance(cells, dict) and "type" in cells else pd.DataFrame(cells)
            if isinstance(cells, pd.DataFrame) and "note" in cells.columns:
                cells = cells.drop(columns="note")
            return Summary3(
                sum_over_dim3=_summary_field(s["sum_over_dim3"]),
                sum_over_dim2=_summary_field(s["sum_over_dim2"]),
                sum_over_dim1=_summary_field(s["sum_over_dim1"]),
                diag_12=_summary_field(s["diag_12"]),
                total=float(_num(s["total"])),
                sample_cells=cells,
                levels=levels,
            )
        return Array3(_array(obj["data"]).reshape(obj["dim"]), names, levels)
    if kind == "data.frame":
        return pd.DataFrame({k: _num(v) for k, v in obj["columns"].items()})
    if kind == "list":
        return {k: decode(v) for k, v in obj["items"].items()}
    return obj


@cache
def raw(case: str) -> dict[str, Any]:
    """The undecoded JSON of one case (file name with or without ``.json``)."""
    name = case if case.endswith(".json") else case + ".json"
    with open(testdata_dir() / name, encoding="utf-8") as fh:
        return json.load(fh)


def load(case: str) -> dict[str, Any]:
    """One case with args, output, intermediates and derived decoded; logs (ipfp_calls, ...) left as JSON."""
    doc = dict(raw(case))
    doc["args"] = {k: decode(v) for k, v in doc.get("args", {}).items()}
    if "output" in doc:
        doc["output"] = decode(doc["output"])
    if "intermediates" in doc:
        doc["intermediates"] = {k: decode(v) for k, v in doc["intermediates"].items()}
    if "derived" in doc:
        doc["derived"] = {k: decode(v) for k, v in doc["derived"].items()}
    return doc


def cases(prefix: str = "") -> list[str]:
    """Names (without .json) of all cases whose file name starts with ``prefix``."""
    return sorted(p.stem for p in testdata_dir().glob(f"{prefix}*.json"))
