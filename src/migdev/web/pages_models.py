"""The models page's content: the gravity fits, the distance elasticity over time, the scenario form's choices and
the bilateral remittance re-estimation's validation, each one query (:func:`migdev.query.run`) on the Observatory.

Why the specifications' words live here: ``model_fit`` carries each specification's formula, fixed effects and
identification as the build stored them (English, for programs); what a specification *estimates*, in a sentence a
reader can follow in six languages, is a message id of the page.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from babel import Locale

from migdev import query
from migdev.charts import series
from migdev.errors import QueryError
from migdev.i18n import N_, Translator
from migdev.models.remittances import METHOD, VARIANTS
from migdev.publish.answer import Answer

#: What each specification estimates (message ids; keys are the specifications of :mod:`migdev.models.gravity`).
ESTIMATES: dict[str, str] = {
    "stock_gravity": N_("Bilateral migrant stocks, one cross-section per year: how distance, a common border, a "
                        "common official language and a colonial tie go with the number of migrants of a "
                        "corridor, given everything that is the origin's or the destination's alone."),
    "stock_income_gap": N_("The stock panel 1990-2024: how a corridor's stock moves with the income gap between "
                           "destination and origin (log GNI per capita PPP, destination over origin), given the "
                           "corridor's own level and everything that happens at the destination each year. The "
                           "scenarios below use this fit."),
    "stock_income_gap_year": N_("The same panel with pair and year effects only: the income gap identified from "
                                "both sides' income over time, a robustness check of the previous one."),
    "flow_gravity": N_("The estimated flows of the recommended method, one fit per period, with the regressors "
                       "and effects of the cross-sections."),
}
TERMS: dict[str, str] = {"log_distance": N_("Distance (log)"), "contiguous": N_("Common border"),
                         "common_language": N_("Common official language"), "colony": N_("Colonial tie"),
                         "income_gap": N_("Income gap (log, destination over origin)")}
CAVEAT = N_("These are associations estimated across countries and years, not causal effects: a coefficient "
            "says how migration and a characteristic go together once the fixed effects are accounted for, not "
            "what would happen if one changed it. The scenarios hold everything else at its last observed value.")
#: Examples shown beside the scenario form's origin field (countries and a region; any name or code works).
EXAMPLES = ("ETH", "MEX", "PHL", "Eastern Africa", "Central America")


def _answer(obs: Any, name: str, **filters: Any) -> Answer | None:
    try:
        return query.run(name, obs, **filters)
    except QueryError:  # the build skipped the step: the page says the table is missing
        return None


def specifications(fits: pd.DataFrame) -> list[dict[str, Any]]:
    """One entry per specification: formula, effects, clustering, identification, the years fitted and its fits
    (one row per year or period, each term's estimate and standard error, the observations used and dropped)."""
    out = []
    for spec, rows in fits.groupby("specification", sort=False):
        first = rows.iloc[0]
        terms = list(dict.fromkeys(rows["term"]))
        fitted = []
        for (start, end), fit in rows.groupby(["year_start", "year_end"], sort=True):
            one = fit.iloc[0]
            fitted.append({"start": int(start), "end": int(end),
                           "terms": {r.term: (float(r.estimate), float(r.std_error)) for r in fit.itertuples()},
                           **{k: (None if pd.isna(one[k]) else one[k]) for k in (
                               "n_obs", "n_input", "n_dropped", "n_missing", "n_separated", "n_singleton",
                               "n_clusters", "pseudo_r2")}})
        out.append({"name": spec, "estimates": ESTIMATES.get(str(spec)), "formula": first["formula"],
                    "fixed_effects": first["fixed_effects"], "clustered_by": first["clustered_by"],
                    "identification": first["identification"], "revision": str(first["revision"]),
                    "terms": terms, "fits": fitted})
    order = list(ESTIMATES)
    return sorted(out, key=lambda s: order.index(s["name"]) if s["name"] in order else len(order))


def distance_chart(fits: pd.DataFrame, t: Translator) -> str:
    """The distance elasticity per year (stocks) and per period start (flows) as an SVG line chart."""
    rows = fits[(fits["term"] == "log_distance") & fits["specification"].isin(["stock_gravity", "flow_gravity"])]
    if rows.empty:
        return ""
    years = sorted(int(y) for y in rows["year_start"].unique())
    labels = {"stock_gravity": t.gettext("Migrant stocks (each year)"),
              "flow_gravity": t.gettext("Estimated flows (each period, at its start)")}
    lines = []
    for spec, label in labels.items():
        by = rows[rows["specification"] == spec].set_index("year_start")["estimate"]
        lines.append(series.Line(label, [float(by[y]) if y in by.index else None for y in years]))
    return series.line_chart("chart-distance", t.gettext("Distance elasticity of migration, by year"), years,
                             lines, lambda v: t.number(v, 1), lambda v: t.number(v, 2))


def validation(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The chosen variant's rows per KNOMAD edition, inflows and stock basis (the other variants are in the API)."""
    chosen = frame[frame["chosen"]] if "chosen" in frame else frame
    return chosen.sort_values(["edition", "inflows", "basis"]).to_dict("records")


def content(obs: Any, t: Translator) -> dict[str, Any]:
    """Everything the models page shows, with the answers whose sources it cites."""
    fit = _answer(obs, "model_fit")
    valid = _answer(obs, "remittance_validation")
    fits = fit.frame if fit is not None else pd.DataFrame()
    return {"fit": fit, "specs": specifications(fits) if len(fits) else [],
            "distance_chart": distance_chart(fits, t) if len(fits) else "", "estimates": ESTIMATES,
            "term_labels": TERMS, "caveat": CAVEAT, "examples": EXAMPLES, "valid": valid,
            "validation": validation(valid.frame) if valid is not None and len(valid.frame) else [],
            "method": {"version": METHOD.version, "variant": METHOD.variant, "share": METHOD.share,
                       "rule": VARIANTS.get(METHOD.variant, METHOD.variant)},
            "numbering": Locale.parse(t.lang).default_numbering_system}
