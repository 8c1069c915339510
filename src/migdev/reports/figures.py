"""A figure (a value with its unit, year, source and revision) and one entity's rows of the indicator table.

Why apart from ``profile.py``: every figure of a profile is made by :class:`Cite` (which also remembers what the
page cites), and most are read from the ``indicator`` table by :class:`Indicators`, which picks the row of a year
(or the newest with a value) and cites the row's own ``source``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from migdev.reports.profile_data import ProfileData
from migdev.reports.tables import EntityTables

#: A group's sum uses the newest year in which at least this share of its best-covered year's members report.
COVERAGE = 0.9


def clean(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if hasattr(value, "item"):
        return clean(value.item())
    return value


class Cite:
    """Figures of one profile; remembers every source cited."""

    def __init__(self, data: ProfileData, size: int | None) -> None:
        self.data, self.size, self.cited = data, size, set()

    def fig(self, value: Any, unit: str, year: Any, source: str | None, note: str | None = None,
            n: Any = None, **extra: Any) -> dict[str, Any]:
        """A figure; ``note`` is a message id (translated on output); a group's sum records
        ``members_reporting`` of ``members``."""
        value = clean(value)
        if unit == "persons" and isinstance(value, float):
            value = round(value)
        ids = [s for s in (source or "").split(",") if s]
        self.cited.update(ids)
        refs = [self.data.sources[s] for s in ids if s in self.data.sources]
        out = {"value": value, "unit": unit, "year": clean(year), "source": source,
               "revision": ",".join(dict.fromkeys(r.revision for r in refs)) or None, "note": note}
        if n is not None and self.size is not None and value is not None:
            out["members_reporting"], out["members"] = int(n), self.size
        out.update({k: clean(v) for k, v in extra.items()})
        return out


#: Where an indicator the database lacks would come from: the query of its inputs, by id prefix.
_INPUTS = {"stock": "totals", "refugees": "refugees", "remit": "wdi", "cost": "remittance_costs",
           "pop": "indicators", "skilled": "indicators", "policy": "indicators"}


class Indicators:
    """One entity's rows of the ``indicator`` table, by indicator id."""

    def __init__(self, data: ProfileData, tables: EntityTables, key: str) -> None:
        self.rows = tables.indicators.get(key, {})
        self.key, self.values = key, tables.values
        self.default = tables.indicator_source
        self.cites = data.cites

    def frame(self, indicator: str) -> pd.DataFrame | None:
        return self.rows.get(indicator)

    def source(self, indicator: str) -> str | None:
        rows = self.rows.get(indicator)
        if rows is not None and len(rows):
            return str(rows["source"].iloc[0])
        return self.default.get(indicator) or self.cites.get(_INPUTS[indicator.split("_")[0]]) or None

    def pick(self, indicator: str, *, year: int | None = None, sex: str = "total",
             coverage: bool = False) -> tuple[Any, Any, Any]:
        """(value, year, members) of the row of ``year``, else of the newest year with a value; for a group's
        value with ``coverage``, the newest year in which COVERAGE of its best-covered year's members report."""
        v = self.values
        idx = v.at.get((self.key, indicator, sex))
        if idx is None:
            return None, year, None
        if year is not None:
            idx = idx[v.year[idx] == year]
        elif coverage and not np.isnan(v.members[idx]).all():
            idx = idx[v.members[idx] >= COVERAGE * np.nanmax(v.members[idx])]
        if not len(idx):
            return None, year, None
        j = idx[np.argmax(v.year[idx])]
        members = v.members[j]
        return float(v.value[j]), int(v.year[j]), None if np.isnan(members) else int(members)

    def fig(self, c: Cite, indicator: str, unit: str, *, year: int | None = None, sex: str = "total",
            coverage: bool = False, scale: float = 1.0, note: str | None = None) -> dict[str, Any]:
        value, at, n = self.pick(indicator, year=year, sex=sex, coverage=coverage)
        value = None if value is None else value / scale
        return c.fig(value, unit, at if at is not None else year, self.source(indicator), note=note, n=n)

    def top(self, indicator: str, year: int, n: int) -> list[tuple[str, int]]:
        """(partner, persons) of the first ``n`` ranks of a top list in ``year`` (both sexes)."""
        rows = self.rows.get(indicator)
        if rows is None:
            return []
        rows = rows[(rows["sex"] == "total") & (rows["year"] == year) & rows["rank"].notna()].sort_values("rank")
        return [(str(p), int(v)) for p, v in zip(rows["partner"], rows["value"], strict=True)][:n]


