"""The flows page's data: flows between SDG regions, or a region's countries against the other regions.

Why these queries: the region matrix is one ``flows`` query aggregated ``by`` origin and destination SDG region;
a drill-down into region R is three (R's countries among themselves, R's countries to the other regions, the other
regions to R's countries), from which the largest ``TOP`` countries are kept and the rest of R summed as one place.
All are :func:`migdev.query.run` answers, so the table below the chart and its downloads cite their sources.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from migdev import query
from migdev.errors import QueryError
from migdev.estimates.flows_step import RECOMMENDED
from migdev.i18n import N_, Translator
from migdev.publish.answer import Answer

TOP = 10
REGION = "sdg_region"
OTHER = N_("Other countries of %(region)s")


@dataclass
class FlowMatrix:
    codes: list[str]
    labels: list[str]
    matrix: np.ndarray  # origin rows, destination columns, persons over the period
    answers: list[Answer]
    period: tuple[int, int]
    drillable: list[bool]  # which places are regions one can open


def choices(obs: Any, lang: str = "en") -> dict[str, Any]:
    """The periods, methods and regions (id -> name in ``lang``) the database holds for the latest stock revision."""
    runs = obs.flow_runs()
    latest = runs["stock_revision"].max()
    runs = runs[runs["stock_revision"] == latest]
    regions = query.run("area_groups", obs, kind="SDG region").frame
    return {"periods": sorted(int(p) for p in runs["period_start"].unique()),
            "methods": sorted(runs["method"].unique(), key=lambda m: (m != RECOMMENDED, m)),
            "regions": dict(zip(regions["group_id"], regions[f"name_{lang}"], strict=True)), "revision": str(latest)}


def _frame(answers: list[Answer]) -> pd.DataFrame:
    return pd.concat([a.frame for a in answers], ignore_index=True)


def matrix(obs: Any, t: Translator, *, period: int, sex: str, method: str, region: str | None) -> FlowMatrix:
    base = {"period": period, "sex": sex, "method": method, "lang": t.lang}
    held = choices(obs)
    if region is None:
        a = query.run("flows", obs, by=[f"origin_{REGION}", f"destination_{REGION}"], **base)
        f, answers = a.frame, [a]
        drill = set(held["regions"])
    else:
        if region not in held["regions"]:
            raise QueryError(f"unknown region {region!r}; choose one of {', '.join(held['regions'])}")
        answers = [query.run("flows", obs, origin=region, destination=region, **base),
                   query.run("flows", obs, origin=region, by=["origin", f"destination_{REGION}"], **base),
                   query.run("flows", obs, destination=region, by=[f"origin_{REGION}", "destination"], **base)]
        f = _frame(answers)
        f = f[~((f["origin"] == region) | (f["destination"] == region))]  # R itself is split into its countries
        inside = set(answers[0].frame["origin"]) | set(answers[0].frame["destination"]) | \
            set(answers[1].frame["origin"]) | set(answers[2].frame["destination"])
        size = (f.groupby("origin")["flow"].sum().add(f.groupby("destination")["flow"].sum(), fill_value=0))
        top = set(size[size.index.isin(inside)].sort_values(ascending=False).index[:TOP])
        other = f"other:{region}"
        name = t.gettext(OTHER) % {"region": held["regions"][region]}
        for col in ("origin", "destination"):
            lump = f[col].isin(inside - top)
            f.loc[lump, col], f.loc[lump, f"{col}_name"] = other, name
        drill = set(held["regions"])
    if f.empty:
        return FlowMatrix([], [], np.zeros((0, 0)), answers, (period, period), [])
    f = f.groupby(["origin", "origin_name", "destination", "destination_name"], as_index=False)["flow"].sum()
    names = {**dict(zip(f["origin"], f["origin_name"], strict=True)),
             **dict(zip(f["destination"], f["destination_name"], strict=True))}
    size = f.groupby("origin")["flow"].sum().add(f.groupby("destination")["flow"].sum(), fill_value=0)
    codes = [c for c in size.sort_values(ascending=False).index if not str(c).startswith("other:")]
    codes += [c for c in size.index if str(c).startswith("other:")]
    wide = f.pivot_table(index="origin", columns="destination", values="flow", aggfunc="sum")
    m = wide.reindex(index=codes, columns=codes).fillna(0).to_numpy()
    end = int(answers[0].frame["period_end"].iloc[0]) if len(answers[0].frame) else period
    return FlowMatrix(codes, [str(names[c]) for c in codes], m, answers, (period, end),
                      [c in drill and c != region for c in codes])


def table_rows(fm: FlowMatrix) -> list[tuple[str, str, float]]:
    """Every non-zero flow of the matrix, largest first (the accessible table)."""
    rows = [(fm.labels[i], fm.labels[j], float(fm.matrix[i, j])) for i, j in np.argwhere(fm.matrix > 0)]
    return sorted(rows, key=lambda r: -r[2])
