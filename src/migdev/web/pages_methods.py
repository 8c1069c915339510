"""The methods page's content: what each flow method assumes, the recommended one and why, the validation.

Why these figures: the validation compares migdev's global flow totals on Abel & Cohen's own basis (IMS 2020 +
WPP 2022) with the totals they published; migdev's side is read from ``flow_estimate_run`` (the Observatory's
``flow_runs``), the published side is the citation's table, declared once here as published targets.
"""

from __future__ import annotations

from typing import Any

from migdev.estimates.flows_step import RECOMMENDED
from migdev.flows.methods import METHODS, PB_WEIGHT
from migdev.i18n import N_

#: What each method assumes, in words (message ids). Keys are :data:`migdev.flows.methods.METHODS`.
ASSUMES: dict[str, str] = {
    "sd_drop_neg": N_("Stock differencing: an increase of a bilateral stock between two years is a flow; "
                      "decreases are dropped. Ignores deaths, births and return migration."),
    "sd_rev_neg": N_("Stock differencing: increases are flows, decreases become return flows to the place of "
                     "birth."),
    "mig_rate": N_("A global number of movers (the sum of net migration without sign) distributed over the "
                   "corridors like the stock at the start of the period."),
    "da_min_open": N_("Demographic accounting, open system: stocks change by births, deaths and migration; the "
                      "fewest moves that match both stock tables, with movers allowed to and from outside."),
    "da_min_closed": N_("Demographic accounting, closed system: as the open system, but the world's stocks must "
                        "balance, so every emigrant is an immigrant somewhere; the fewest moves consistent "
                        "with the accounts."),
    "da_pb_closed": N_("Pseudo-Bayesian closed accounting: the minimum-migration estimate blended with the "
                       "independence fit (no stayer rule), which corrects its undercount of movers."),
}
#: Why the recommended method (the words of ``flows_step.RECOMMENDED_WHY``, as a message id; %(weight)s is PB_WEIGHT).
WHY = N_("Closed demographic accounting came closest to reported flows in Abel & Cohen's validation (Scientific "
         "Data, 2019); the pseudo-Bayesian blend (weight %(weight)s on the independence fit, Azose & Raftery 2019) "
         "corrects the minimum-migration estimate's undercount of movers.")
#: Abel & Cohen's published global totals (millions of movers per period, both sexes, IMS 2020 + WPP 2022).
PUBLISHED_CITATION = ("Abel, G. J. & Cohen, J. E. (2019). Bilateral international migration flow estimates for "
                      "200 countries. Scientific Data 6:82, doi:10.1038/s41597-019-0089-3 (version 6, WPP 2022)")
PUBLISHED: dict[str, dict[int, float]] = {
    "sd_drop_neg": {1990: 22.46, 1995: 21.66, 2000: 26.89, 2005: 34.33, 2010: 31.41, 2015: 35.36},
    "da_min_closed": {1990: 42.73, 1995: 38.12, 2000: 39.62, 2005: 47.71, 2010: 49.92, 2015: 46.84},
    "da_pb_closed": {1990: 72.7, 2015: 101.2},
}
BASIS = ("2020", "2022")


def content(obs: Any) -> dict[str, Any]:
    """Methods, the recommendation, the validation rows and the totals of every method on the latest basis."""
    runs = obs.flow_runs()
    runs = runs[runs["sex"] == "total"]
    ours = runs[(runs["stock_revision"] == BASIS[0]) & (runs["vital_revision"] == BASIS[1])]
    ours = {(r.method, int(r.period_start)): float(r.total_flow) / 1e6 for r in ours.itertuples()}
    validation = []
    for method, periods in PUBLISHED.items():
        for period, published in periods.items():
            mine = ours.get((method, period))
            validation.append({"method": method, "period": period, "published": published, "migdev": mine,
                               "difference": None if mine is None else mine / published - 1})
    latest = runs["stock_revision"].max()
    cur = runs[(runs["stock_revision"] == latest)]
    cur = cur[cur["vital_revision"] == cur["vital_revision"].max()]
    periods = sorted(int(p) for p in cur["period_start"].unique())
    totals = {m: {int(r.period_start): float(r.total_flow) for r in cur[cur["method"] == m].itertuples()}
              for m in METHODS}
    return {"methods": list(METHODS), "assumes": ASSUMES, "recommended": RECOMMENDED, "why": WHY,
            "pb_weight": PB_WEIGHT, "validation": validation, "citation": PUBLISHED_CITATION, "basis": BASIS,
            "latest": (str(latest), str(cur["vital_revision"].max())), "periods": periods, "totals": totals}
