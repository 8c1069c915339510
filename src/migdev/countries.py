"""The registry of countries and areas: ISO3 keys, M49 codes, names in the six UN languages, groupings.

ISO 3166-1 alpha-3 is the key everywhere. Three areas have no ISO code and get documented ones:
``CHI`` Channel Islands (the UN's and the World Bank's own code, M49 830), ``XKX`` Kosovo (the code the
World Bank and the EU use; M49 412 in WPP) and ``XXX`` for the UN's unspecified origin "Other" (M49 2003;
ICAO Doc 9303 uses XXX for an unspecified nationality). Aggregates (regions, development and income groups)
are never countries: they go to ``area_group``, whose names in the six languages are declared in
``group_names.toml`` beside this module (:func:`group_translations`).
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from babel import Locale
from babel.core import get_global

from migdev.errors import BuildError
from migdev.vocab import LANGUAGES, UNSPECIFIED_ORIGIN, UNSPECIFIED_ORIGIN_M49

#: The translations of every group's name, keyed by ``area_group.group_id`` (see the file's header).
GROUP_NAMES_FILE = Path(__file__).with_name("group_names.toml")

#: Codes that are not ISO 3166-1 and why we use them.
DOCUMENTED_CODES = {
    "CHI": "Channel Islands (M49 830): the UN's and the World Bank's own code; WPP 2024 splits it into GGY and JEY",
    "XKX": "Kosovo (M49 412 in WPP): user-assigned code used by the World Bank and the EU; the UN IMS counts "
           "Kosovo within Serbia",
    "XXX": "Unspecified origin, the UN's 'Other' (M49 2003): origins not specified or not itemised by the "
           "reporting destination",
}

#: Names CLDR does not have (no CLDR territory), from the UN M49 names where the UN gives them.
_EXTRA_NAMES = {
    "CHI": {"en": "Channel Islands", "fr": "Îles Anglo-Normandes", "es": "Islas del Canal",
            "ru": "Нормандские острова", "zh": "海峡群岛", "ar": "جزر القنال"},
    "XXX": {"en": "Other (unspecified origin)", "fr": "Autre (origine non précisée)",
            "es": "Otro (origen no especificado)", "ru": "Другое (происхождение не указано)",
            "zh": "其他（原籍未具体说明）", "ar": "أخرى (منشأ غير محدد)"},
}

_ALPHA2_OVERRIDES = {"XKX": "XK"}


@dataclass(frozen=True)
class Registry:
    """The three tables the store keeps about places."""

    country: pd.DataFrame
    area_group: pd.DataFrame
    area_group_member: pd.DataFrame


def alpha2(iso3: str) -> str | None:
    """ISO alpha-2 for an alpha-3 code, from CLDR's territory aliases (plus Kosovo's user-assigned XK)."""
    if iso3 in _ALPHA2_OVERRIDES:
        return _ALPHA2_OVERRIDES[iso3]
    aliases = get_global("territory_aliases").get(iso3)
    return aliases[0] if aliases else None


def names(iso3: str, default_en: str | None = None) -> dict[str, str | None]:
    """Names in the six UN languages: CLDR (Babel) by territory, documented names for the non-ISO codes."""
    if iso3 in _EXTRA_NAMES:
        return {f"name_{lang}": _EXTRA_NAMES[iso3][lang] for lang in LANGUAGES}
    code = alpha2(iso3)
    out: dict[str, str | None] = {}
    for lang in LANGUAGES:
        territories = Locale.parse(lang).territories
        out[f"name_{lang}"] = territories.get(code) if code else None
    if default_en:
        out["name_en"] = default_en
    return out


def _clean(name: str) -> str:
    """UN names carry footnote asterisks; the name itself does not."""
    return name.rstrip("*").strip()


def _as_name(name: str) -> str:
    """IMS writes its geographic regions in capitals ("LATIN AMERICA AND THE CARIBBEAN"); show them as names."""
    if name != name.upper():
        return name
    small = {"and", "the", "of"}
    return " ".join(w.lower() if w.lower() in small and i else w.capitalize() for i, w in enumerate(name.split()))


@functools.cache
def group_translations() -> dict[str, dict[str, str]]:
    """``group_id -> {lang: name}`` from :data:`GROUP_NAMES_FILE`: data, not code, so a reviewer reads them as a
    list and a new source's groups are added in one place."""
    with GROUP_NAMES_FILE.open("rb") as f:
        return tomllib.load(f)


def group_names(groups: pd.DataFrame, translations: Mapping[str, Mapping[str, str]] | None = None) -> pd.DataFrame:
    """``groups`` with ``name_<lang>`` for the six languages: English is the source's name (cleaned), the others
    come from ``translations`` (default :func:`group_translations`).

    A group without an entry, an entry missing a language, or an entry whose ``en`` is no longer the source's name
    (the publisher renamed the group: its translations need a look) is a :class:`BuildError` naming the groups, so
    no group is ever shown in English on a French page by accident.
    """
    table = group_translations() if translations is None else translations
    english = groups["name"].map(_clean).map(_as_name)
    problems = []
    for gid, en in zip(groups["group_id"], english, strict=True):
        entry = table.get(gid)
        if entry is None:
            problems.append(f"{gid} ({en!r}): no entry")
            continue
        missing = [lang for lang in LANGUAGES if not str(entry.get(lang) or "").strip()]
        if missing:
            problems.append(f"{gid} ({en!r}): no name in {', '.join(missing)}")
        elif entry["en"] != en:
            problems.append(f"{gid}: the source now names it {en!r}, the translations are of {entry['en']!r}")
    if problems:
        raise BuildError(f"{len(problems)} group(s) need their names in {', '.join(LANGUAGES)} declared in "
                         f"{GROUP_NAMES_FILE} (keyed by group id): " + "; ".join(problems))
    out = groups.copy()
    out["name_en"] = english
    for lang in (lang for lang in LANGUAGES if lang != "en"):
        out[f"name_{lang}"] = [table[g][lang] for g in groups["group_id"]]
    return out


def build(annex: pd.DataFrame, wpp_locations: pd.DataFrame, wdi_countries: pd.DataFrame,
          extra_codes: Mapping[str, Mapping[str, Any]] | None = None) -> Registry:
    """Union of the UN annex, WPP and WDI economies, keyed by ISO3, with groupings from each publisher.

    English names are the UN's own (annex, then WPP) where the UN gives them; other languages come from CLDR.
    ``extra_codes`` are the documented non-ISO codes products declare (``DOCUMENTED_CODES`` of a product module:
    code -> ``{"note": why, "names": {lang: name for the six languages}}``), e.g. UNHCR's stateless origin.
    """
    un = annex[annex["is_country"]].copy()
    un["name"] = un["name"].map(_clean)
    base = un[["iso3", "m49", "name", "sdg_region", "sdg_subregion", "subregion", "geographic_region",
               "wb_income_group_2020"]].rename(columns={"name": "un_name"})
    wpp = wpp_locations[wpp_locations["is_country"]][["iso3", "m49", "name", "reg_name"]]
    extra_wpp = wpp[~wpp["iso3"].isin(base["iso3"])].rename(columns={"name": "un_name", "reg_name": "subregion"})
    wdi = wdi_countries[~wdi_countries["is_aggregate"]]
    extra_wdi = wdi[~wdi["iso3"].isin(base["iso3"]) & ~wdi["iso3"].isin(extra_wpp["iso3"])][["iso3", "name"]]
    extra_wdi = extra_wdi.rename(columns={"name": "un_name"})
    unspecified = pd.DataFrame({"iso3": [UNSPECIFIED_ORIGIN], "m49": [UNSPECIFIED_ORIGIN_M49],
                                "un_name": [_EXTRA_NAMES["XXX"]["en"]]})
    documented = dict(extra_codes or {})
    for code, entry in documented.items():
        missing = set(LANGUAGES) - set(entry.get("names", {}))
        if missing or not entry.get("note"):
            raise ValueError(f"documented code {code}: a note and names in {', '.join(LANGUAGES)} are required")
    extra = pd.DataFrame({"iso3": list(documented), "m49": pd.array([None] * len(documented), dtype="Int64"),
                          "un_name": [e["names"]["en"] for e in documented.values()]})
    country = pd.concat([base, extra_wpp, extra_wdi, unspecified, extra], ignore_index=True)
    country = country.drop_duplicates("iso3", keep="first")
    # areas the annex lacks sit in the UN groupings of the area that contains them in the annex
    by_iso3 = base.set_index("iso3")
    for part, whole in (("GGY", "CHI"), ("JEY", "CHI"), ("XKX", "SRB")):
        if whole in by_iso3.index:
            for col in ("sdg_region", "sdg_subregion", "subregion", "geographic_region"):
                country.loc[country["iso3"] == part, col] = by_iso3.at[whole, col]
    wb = wdi.set_index("iso3")[["region", "income_group", "lending_type"]].rename(
        columns={"region": "wb_region", "income_group": "wb_income_group", "lending_type": "wb_lending_type"})
    country = country.join(wb, on="iso3")
    wpp_m49 = wpp.set_index("iso3")["m49"]
    country["m49"] = country["m49"].fillna(country["iso3"].map(wpp_m49)).astype("Int64")
    name_cols = pd.DataFrame([
        {f"name_{lang}": documented[i]["names"][lang] for lang in LANGUAGES} if i in documented else names(i, n)
        for i, n in zip(country["iso3"], country["un_name"], strict=True)])
    country = pd.concat([country.reset_index(drop=True), name_cols], axis=1)
    for lang in LANGUAGES:  # fall back to the English name only where CLDR has none, and say so
        missing = country[f"name_{lang}"].isna()
        country.loc[missing, f"name_{lang}"] = country.loc[missing, "name_en"]
    country["in_ims"] = country["iso3"].isin(un["iso3"]) | (country["iso3"] == UNSPECIFIED_ORIGIN)
    country["in_wpp"] = country["iso3"].isin(wpp["iso3"])
    country["in_wdi"] = country["iso3"].isin(wdi["iso3"])
    country["code_note"] = country["iso3"].map({**DOCUMENTED_CODES,
                                                **{c: e["note"] for c, e in documented.items()}})
    country = country.drop(columns=["un_name"]).sort_values("iso3").reset_index(drop=True)
    columns = ["iso3", "m49", *[f"name_{lang}" for lang in LANGUAGES], "sdg_region", "sdg_subregion", "subregion",
               "geographic_region", "wb_region", "wb_income_group", "wb_lending_type", "wb_income_group_2020",
               "in_ims", "in_wpp", "in_wdi", "code_note"]
    country = country[columns].rename(columns={"wb_income_group_2020": "un_income_group_2020"})
    groups, members = _groups(annex, wpp_locations, wdi_countries, country)
    return Registry(country, groups, members)


def _groups(annex: pd.DataFrame, wpp_locations: pd.DataFrame, wdi_countries: pd.DataFrame,
            country: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Aggregates of each publisher as groups, with their member countries where the publisher says."""
    un = annex[~annex["is_country"]]
    g_un = pd.DataFrame({"group_id": "m49:" + un["m49"].astype(str), "source": "UN DESA IMS annex",
                         "code": un["m49"].astype(str), "name": un["name"].map(_clean),
                         "kind": un["location_type"]})
    wp = wpp_locations[~wpp_locations["is_country"]]
    g_wpp = pd.DataFrame({"group_id": "m49:" + wp["m49"].astype(str), "source": "UN WPP 2024",
                          "code": wp["m49"].astype(str), "name": wp["name"], "kind": "WPP aggregate"})
    g_wpp = g_wpp[~g_wpp["group_id"].isin(g_un["group_id"])]
    wb = wdi_countries[wdi_countries["is_aggregate"]]
    g_wb = pd.DataFrame({"group_id": "wb:" + wb["iso3"], "source": "World Bank WDI", "code": wb["iso3"],
                         "name": wb["name"], "kind": "World Bank aggregate"})
    groups = pd.concat([g_un, g_wpp, g_wb], ignore_index=True)

    members = []
    countries = annex[annex["is_country"]]
    for col in [c for c in annex.columns if c.startswith("in_")] if "in_901" in annex.columns else []:
        code = col.removeprefix("in_")
        iso = countries.loc[countries[col].astype(str).str.lower() == "true", "iso3"]
        members.append(pd.DataFrame({"group_id": f"m49:{code}", "iso3": iso}))
    for code_col in ("sdg_region_m49", "sdg_subregion_m49", "subregion_m49", "geographic_region_m49"):
        if code_col in countries.columns:
            sub = countries.dropna(subset=[code_col])
            members.append(pd.DataFrame({"group_id": "m49:" + sub[code_col].astype("int64").astype(str),
                                         "iso3": sub["iso3"]}))
    members.append(pd.DataFrame({"group_id": "m49:900", "iso3": countries["iso3"]}))
    member = pd.concat(members, ignore_index=True).drop_duplicates()
    member = member[member["iso3"].isin(country["iso3"])]
    # groupings the annex names only in its columns (not as rows), e.g. the SDG subregion "Europe" (917)
    named = []
    for code_col, name_col, kind in (("sdg_region_m49", "sdg_region", "SDG region"),
                                     ("sdg_subregion_m49", "sdg_subregion", "SDG subregion"),
                                     ("subregion_m49", "subregion", "Subregion"),
                                     ("geographic_region_m49", "geographic_region", "Geographic region")):
        if code_col in countries.columns:
            sub = countries.dropna(subset=[code_col]).drop_duplicates(code_col)
            named.append(pd.DataFrame({"group_id": "m49:" + sub[code_col].astype("int64").astype(str),
                                       "source": "UN DESA IMS annex", "code": sub[code_col].astype("int64").astype(str),
                                       "name": sub[name_col], "kind": kind}))
    extra = pd.concat(named, ignore_index=True) if named else groups.iloc[:0]
    groups = pd.concat([groups, extra[~extra["group_id"].isin(groups["group_id"])]], ignore_index=True)
    member = member[member["group_id"].isin(groups["group_id"])]
    return group_names(groups.reset_index(drop=True)), member.reset_index(drop=True)


def resolve(m49: pd.Series | None, iso3: pd.Series | None, country: pd.DataFrame) -> pd.Series:
    """The registry's ISO3 for each row: by M49 where given, else by the source's own ISO3; NA if unknown."""
    known = set(country["iso3"])
    out = pd.Series(pd.NA, index=(m49 if m49 is not None else iso3).index, dtype="string")
    if iso3 is not None:
        direct = iso3.astype("string")
        out = out.fillna(direct.where(direct.isin(known)))
    if m49 is not None:
        by_m49 = country.dropna(subset=["m49"]).drop_duplicates("m49").set_index("m49")["iso3"]
        mapped = m49.astype("Int64").map(by_m49).astype("string")
        out = mapped.fillna(out)
    return out
