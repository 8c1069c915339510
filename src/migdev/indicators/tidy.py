"""The tidy frame every indicator returns, the ratio rule, and group values computed from member values.

An indicator is a frame with ``iso3, year, sex, value`` (plus key columns such as ``partner`` and ``rank`` for
top-N rows). A ratio also carries its ``numerator`` and ``denominator``, because a group's ratio is recomputed
from the members' summed numerators and denominators and is never an average of member ratios: the share of
immigrants in Europe is Europe's immigrants over Europe's population, not the mean of 48 shares.

Missing data stay missing. A ratio is NA when its numerator or denominator is missing or the denominator is 0
(undefined), never 0; a numerator of 0 over a positive denominator is a genuine 0. A group value uses the members
that have the inputs (for a ratio, both of them) and says how many in ``members``; a group none of whose members
has data is NA.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

KEYS = ("iso3", "year", "sex")
COLUMNS = (*KEYS, "value")


def empty(keys: Sequence[str] = ()) -> pd.DataFrame:
    """An indicator without rows, typed as one with rows (so that merges and concatenations keep their types).

    Examples
    --------
    >>> empty().dtypes.tolist()
    [dtype('O'), dtype('int64'), dtype('O'), dtype('float64')]
    """
    cols = {"iso3": object, "year": "int64", "sex": object, **dict.fromkeys(keys, object), "value": "float64"}
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in cols.items()})


def tidy(frame: pd.DataFrame, value: str, *, keys: Sequence[str] = ()) -> pd.DataFrame:
    """``iso3, year, sex, *keys, value`` from ``frame``'s column ``value``, as float (NA kept), sorted by key.

    Examples
    --------
    >>> tidy(pd.DataFrame({"iso3": ["B", "A"], "year": 2024, "sex": "total", "n": [2, None]}), "n")
      iso3  year    sex  value
    0    A  2024  total    NaN
    1    B  2024  total    2.0
    """
    cols = [*KEYS, *keys]
    out = frame[cols].copy()
    out["value"] = pd.to_numeric(frame[value], errors="coerce").astype("float64").to_numpy()
    out["year"] = out["year"].astype("int64")
    return out.sort_values(cols, kind="stable").reset_index(drop=True)


def ratio(frame: pd.DataFrame, numerator: str, denominator: str, *, scale: float = 1.0,
          keys: Sequence[str] = ()) -> pd.DataFrame:
    """``scale x numerator / denominator`` per row, with the numerator and denominator kept for group values.

    NA where either input is missing or the denominator is 0 (the ratio is undefined), never 0.

    Examples
    --------
    >>> f = pd.DataFrame({"iso3": ["A", "B", "C", "D"], "year": 2024, "sex": "total",
    ...                   "n": [1, 0, None, 5], "d": [4, 10, 10, 0]})
    >>> ratio(f, "n", "d")
      iso3  year    sex  value  numerator  denominator
    0    A  2024  total   0.25        1.0          4.0
    1    B  2024  total   0.00        0.0         10.0
    2    C  2024  total    NaN        NaN         10.0
    3    D  2024  total    NaN        5.0          0.0
    """
    out = tidy(frame.assign(_n=frame[numerator]), "_n", keys=keys)
    num = pd.to_numeric(frame[numerator], errors="coerce").astype("float64")
    den = pd.to_numeric(frame[denominator], errors="coerce").astype("float64")
    order = frame[[*KEYS, *keys]].assign(_n=num, _d=den).sort_values([*KEYS, *keys], kind="stable")
    out["numerator"] = order["_n"].to_numpy()
    out["denominator"] = order["_d"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        value = scale * out["numerator"] / out["denominator"]
    out["value"] = value.where(out["denominator"] != 0)
    return out


def aggregate(frame: pd.DataFrame, members: pd.DataFrame, how: Literal["sum", "ratio"], *, scale: float = 1.0,
              keys: Sequence[str] = ()) -> pd.DataFrame:
    """Group values from member values: sums for counts, ratios recomputed from summed numerators/denominators.

    Parameters
    ----------
    frame : pandas.DataFrame
        An indicator of countries: ``iso3, year, sex, *keys, value`` (and ``numerator, denominator`` for
        ``how="ratio"``).
    members : pandas.DataFrame
        ``group_id, iso3``: which countries make each group (rows of ``area_group_member``).
    how : {"sum", "ratio"}
        ``sum``: the sum of the members' values; ``ratio``: ``scale x sum(numerators) / sum(denominators)`` over
        the members that have both.
    scale : float
        The ratio's multiplier (100 for a percent, 100,000 for a rate per 100,000).
    keys : sequence of str
        Further key columns kept apart (e.g. ``partner`` for values by partner country).

    Returns
    -------
    pandas.DataFrame
        ``iso3`` (the group id), ``year, sex, *keys, value``, ``members`` (how many members contributed) and,
        for a ratio, ``numerator`` and ``denominator``; NA where no member has data.

    References
    ----------
    The rule of the UN's regional totals of the International Migrant Stock (sums of countries) and of the World
    Bank's regional ratios (aggregate numerators over aggregate denominators).

    Examples
    --------
    >>> f = pd.DataFrame({"iso3": ["A", "B", "C"], "year": 2024, "sex": "total", "value": [0.5, 0.1, None],
    ...                   "numerator": [1.0, 1.0, None], "denominator": [2.0, 10.0, 5.0]})
    >>> m = pd.DataFrame({"group_id": ["G", "G", "G", "H"], "iso3": ["A", "B", "C", "C"]})
    >>> aggregate(f, m, "ratio")[["iso3", "value", "members"]]
      iso3     value  members
    0    G  0.166667        2
    1    H       NaN        0
    >>> aggregate(f, m, "sum")[["iso3", "value", "members"]]
      iso3  value  members
    0    G    0.6        2
    1    H    NaN        0
    """
    cols = [*KEYS[1:], *keys]
    joined = members[["group_id", "iso3"]].merge(frame, on="iso3", how="inner")
    if how == "ratio":
        ok = joined["numerator"].notna() & joined["denominator"].notna()
        joined = joined.assign(numerator=joined["numerator"].where(ok), denominator=joined["denominator"].where(ok),
                               _ok=ok)
        g = joined.groupby(["group_id", *cols], sort=True, dropna=False)
        out = g[["numerator", "denominator"]].sum(min_count=1).join(g["_ok"].sum().rename("members")).reset_index()
        with np.errstate(divide="ignore", invalid="ignore"):
            out["value"] = (scale * out["numerator"] / out["denominator"]).where(out["denominator"] != 0)
    elif how == "sum":
        joined = joined.assign(_ok=joined["value"].notna())
        g = joined.groupby(["group_id", *cols], sort=True, dropna=False)
        out = g[["value"]].sum(min_count=1).join(g["_ok"].sum().rename("members")).reset_index()
    else:
        raise ValueError(f"how must be 'sum' or 'ratio', not {how!r}")
    out = out.rename(columns={"group_id": "iso3"})
    out["members"] = out["members"].astype("int64")
    first = [*KEYS, *keys, "value"]
    return out[[*first, *(c for c in out.columns if c not in first)]].reset_index(drop=True)
