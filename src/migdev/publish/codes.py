"""Every coded value an output carries, explained once: ``migdev explain CODE``, the ``--help`` and the meta sidecar
all read :data:`CODES`.

A value may be a glob pattern (``ds_wdi_*``: one entry for every vintage). The IMS ``type_of_data`` combines letters
("B R": foreign-born counts, with refugees added); :func:`explain` explains each letter.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from migdev.errors import QueryError


@dataclass(frozen=True)
class Code:
    column: str
    value: str
    meaning: str
    source: str


_IMS = "UN DESA, International Migrant Stock, documentation of the 'Type of data' column"
_WDI = "migdev.sources.wdi (the mirror's `source` column)"
_WPP = "UN DESA, World Population Prospects (estimates to 2023, projections after)"

CODES: tuple[Code, ...] = (
    Code("type_of_data", "B", "estimated from counts of the foreign-born population (place of birth)", _IMS),
    Code("type_of_data", "C", "estimated from counts of foreign citizens (citizenship, not birthplace)", _IMS),
    Code("type_of_data", "R", "refugees reported by UNHCR (and UNRWA) were added to the estimate", _IMS),
    Code("type_of_data", "I", "no data: the estimate is imputed from similar countries", _IMS),
    Code("population_source", "WPP 2024, as in the IMS release", "the population the IMS 2024 release prints "
         "(World Population Prospects 2024)", "migdev.sources.undesa_ims"),
    Code("population_source", "IMS 2020 Table 2", "the population of the IMS 2020 destination table "
         "(World Population Prospects 2019)", "migdev.sources.undesa_ims"),
    Code("vintage", "ds_wdi_*", "the World Bank's published WDI series, of the month the suffix names", _WDI),
    Code("vintage", "derived_ratio_*", "a ratio migdev derived from two published series of that vintage (e.g. "
         "remittances % of GDP = 100 x BX.TRF.PWKR.CD.DT / NY.GDP.MKTP.CD); not a World Bank series", _WDI),
    Code("vintage", "derived_product_*", "a product migdev derived from published series of that vintage (e.g. "
         "exports in US$ = exports % of GDP x GDP); not a World Bank series", _WDI),
    Code("vintage", "iom_gdidata_*", "an older World Bank vintage, as republished by IOM's Global Data Institute "
         "(remittances paid)", _WDI),
    Code("variant", "estimate", "WPP estimate (years to 2023)", _WPP),
    Code("variant", "medium", "WPP medium-variant projection (years from 2024)", _WPP),
    Code("variant", "estimate+medium", "a period spanning estimates and the medium-variant projection", _WPP),
    Code("sex", "total", "both sexes (as published, never a sum of a missing split)", "migdev.vocab"),
    Code("method", "sd_drop_neg", "stock differencing; negative differences dropped (Abel & Cohen 2019)",
         "migdev.flows.methods"),
    Code("method", "sd_rev_neg", "stock differencing; a negative difference counted as a flow the other way",
         "migdev.flows.methods"),
    Code("method", "mig_rate", "migration rates (Abel & Cohen 2019): flows from stock changes scaled by WPP rates",
         "migdev.flows.methods"),
    Code("method", "da_min_open", "demographic accounting, minimum migration, open system (Abel & Cohen 2019)",
         "migdev.flows.methods"),
    Code("method", "da_min_closed", "demographic accounting, minimum migration, closed system",
         "migdev.flows.methods"),
    Code("method", "da_pb_closed", "demographic accounting, closed, pseudo-Bayesian blend: the recommended estimate",
         "migdev.estimates.flows_step"),
    Code("kind", "un_products_disagree", "the corridor check's cause: the UN's stock and population products "
         "disagree", "migdev.estimates"),
    Code("kind", "accounting", "the corridor check's cause: the demographic account of the origin", "migdev.estimates"),
    Code("anomaly", "negative", "a negative cost in RPW's quotes, kept as published", "migdev.sources.rpw"),
    Code("anomaly", "above 30%", "a cost above 30 % in RPW's quotes, kept as published", "migdev.sources.rpw"),
    Code("population_type", "oip", "other people in need of international protection (UNHCR, from 2022)",
         "migdev.sources.unhcr"),
    Code("population_type", "unrwa_refugees", "Palestine refugees under UNRWA's mandate (not in UNHCR's refugees)",
         "migdev.sources.unhcr"),
    Code("iso3", "XXX", "the UN's unspecified origin 'Other' (M49 2003): origins not specified or not itemised",
         "migdev.countries"),
)

#: Columns whose values :func:`explain` knows, for the sidecar and ``--help``.
COLUMNS = tuple(dict.fromkeys(c.column for c in CODES))


def lookup(value: str, column: str | None = None) -> list[Code]:
    """The entries matching ``value`` (case-insensitive, patterns included), optionally of one column."""
    text = str(value).strip().casefold()
    return [c for c in CODES if (column is None or c.column == column)
            and fnmatch.fnmatchcase(text, c.value.casefold())]


def explain(value: str, column: str | None = None) -> list[Code]:
    """What a coded value means; an IMS letter combination ("B R") is explained letter by letter."""
    found = lookup(value, column)
    if not found and " " in str(value).strip():
        parts = [lookup(p, column or "type_of_data") for p in str(value).split()]
        if all(parts):
            found = [c for p in parts for c in p]
    if not found:
        known = ", ".join(f"{c.value} ({c.column})" for c in CODES)
        raise QueryError(f"unknown code {value!r}; migdev explains: {known}")
    return found


def present(frame_columns: list[str], values: dict[str, list[str]]) -> list[dict[str, str]]:
    """The explanations of the coded values an output holds (for the meta sidecar)."""
    out = []
    for column in frame_columns:
        if column not in COLUMNS:
            continue
        for value in values.get(column, []):
            try:
                found = explain(value, column)
            except QueryError:
                continue
            out.extend({"column": column, "value": str(value), "meaning": c.meaning, "source": c.source}
                       for c in found)
    return out
