"""The country (and group) profile as data: one dict with stable keys, rendered to HTML, JSON and CSV.

Why a dict first: the HTML page, the JSON file, the CSV and (later) the PDF and the web page show the same
figures, so they are computed once, here, and every renderer only formats them.

Every figure is a dict ``{"value", "unit", "year", "source", "revision", "note"}``: ``source`` is a
``source.source_id`` of the database and ``revision`` its revision. A missing figure keeps its key with
``value: null`` (and the source that would hold it), never 0. Units: ``persons``; ``fraction`` (0..1, shares and
rates); ``percent`` (0..100, where the publisher states percent: WDI's remittances % of GDP, RPW's cost of
sending 200 US$); ``usd`` (current US$); ``ratio``; ``per_100k``; ``rating`` (SDG 10.7.2, 1-4).

Stable keys (``KEYS`` lists every figure):

- ``kind`` (country | group), ``id``, ``iso3`` (null for groups), ``name``, ``lang``, ``groups`` (a country's
  groups: id, name, kind) or ``members`` (a group's: iso3, name), ``ims_revision``;
- ``immigrants``: stock, share_of_population, female_share, unspecified_origin, top_origins;
- ``emigrants``: stock, female_share, emigration_rate (emigrants / (residents born there + emigrants)),
  top_destinations (value: list of {iso3, name, persons});
- ``refugees``: hosted, originating (refugees + other people in need of international protection, UNRWA excluded),
  asylum_seekers_hosted, per_100k_origin (SDG 10.7.4), top_origins_hosted;
- ``remittances``: received_usd, paid_usd, pct_gdp (SDG 17.3.2), vs_fdi, vs_oda, vs_exports, cost_pct (SDG 10.c.1);
- ``skilled``: high_skill_emigration_rate, high_skill_emigration_rate_female, total_emigration_rate,
  brain_drain_ratio;
- ``governance``: sdg_10_7_2 (one figure per domain; a group's is the share of members meeting the target),
  migrant_deaths (newest year), migrant_deaths_total;
- ``development``: population, gdp_per_capita_usd, gni_per_capita_ppp, net_migration;
- ``map``: source of the locator map's polygons and points;
- ``series``: immigrants / emigrants by sex and year, remittances against FDI, ODA and exports by year;
- ``sources``: every source cited (source_id, revision, publisher, title, citation, licence, url).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from migdev.i18n import N_
from migdev.reports.profile_data import ProfileData
from migdev.reports.tables import EntityTables, refugee_total
from migdev.vocab import UNSPECIFIED_ORIGIN

KEYS: tuple[str, ...] = (
    "immigrants.stock", "immigrants.share_of_population", "immigrants.female_share", "immigrants.unspecified_origin",
    "immigrants.top_origins", "emigrants.stock", "emigrants.female_share", "emigrants.emigration_rate",
    "emigrants.top_destinations", "refugees.hosted", "refugees.originating", "refugees.asylum_seekers_hosted",
    "refugees.per_100k_origin", "refugees.top_origins_hosted", "remittances.received_usd", "remittances.paid_usd",
    "remittances.pct_gdp", "remittances.vs_fdi", "remittances.vs_oda", "remittances.vs_exports",
    "remittances.cost_pct", "skilled.high_skill_emigration_rate", "skilled.high_skill_emigration_rate_female",
    "skilled.total_emigration_rate", "skilled.brain_drain_ratio", "governance.migrant_deaths",
    "governance.migrant_deaths_total", "development.population", "development.gdp_per_capita_usd",
    "development.gni_per_capita_ppp", "development.net_migration",
)
DOMAINS = ("overall", "migrant_rights", "whole_of_government", "cooperation_partnerships",
           "socioeconomic_wellbeing", "mobility_dimensions_of_crises", "safe_orderly_regular_migration")
TOP = 10
#: A group's sum uses the newest year in which at least this share of its best-covered year's members report.
COVERAGE = 0.9


def _clean(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if hasattr(value, "item"):
        return _clean(value.item())
    return value


class _Cite:
    """Figures of one profile; remembers every source cited."""

    def __init__(self, data: ProfileData, size: int | None) -> None:
        self.data, self.size, self.cited = data, size, set()

    def fig(self, value: Any, unit: str, year: Any, source: str | None, note: str | None = None,
            n: Any = None, **extra: Any) -> dict[str, Any]:
        """A figure; ``note`` is a message id (translated on output); a group's sum records
        ``members_reporting`` of ``members``."""
        value = _clean(value)
        if unit == "persons" and isinstance(value, float):
            value = round(value)
        ids = [s for s in (source or "").split(",") if s]
        self.cited.update(ids)
        refs = [self.data.sources[s] for s in ids if s in self.data.sources]
        out = {"value": value, "unit": unit, "year": _clean(year), "source": source,
               "revision": ",".join(dict.fromkeys(r.revision for r in refs)) or None, "note": note}
        if n is not None and self.size is not None and value is not None:
            out["members_reporting"], out["members"] = int(n), self.size
        out.update({k: _clean(v) for k, v in extra.items()})
        return out


def build(data: ProfileData, tables: EntityTables, key: str, lang: str = "en") -> dict[str, Any]:
    """The profile of a country (ISO3) or a group (``area_group.group_id``)."""
    is_group = key in set(data.groups["group_id"])
    size = tables.group_size.get(key, 0) if is_group else None
    c = _Cite(data, size)
    out: dict[str, Any] = {"kind": "group" if is_group else "country", "id": key,
                           "iso3": None if is_group else key, "lang": lang, "ims_revision": data.ims_revision}
    out.update(_header(data, key, is_group, lang))
    totals = tables.get("totals", key)
    last = int(data.totals["year"].max())
    out["immigrants"] = _immigrants(c, data, tables, key, totals, last)
    out["emigrants"] = _emigrants(c, data, tables, key, totals, last)
    out["refugees"] = _refugees(c, data, tables, key)
    out["remittances"] = _remittances(c, data, tables, key, is_group)
    out["skilled"] = _skilled(c, data, tables, key, is_group)
    out["governance"] = _governance(c, tables, key, is_group)
    out["development"] = _development(c, data, tables, key, is_group, last)
    out["series"] = _series(data, tables, key, totals)
    codes = [m["iso3"] for m in out["members"]] if is_group else [key]
    geo = {*data.geometry.loc[data.geometry["iso3"].isin(codes), "source_id"],
           *data.points.loc[data.points["iso3"].isin(codes), "source_id"]}
    out["map"] = {"source": ",".join(sorted(geo)) or None}
    c.cited.update(geo)
    out["sources"] = [vars(data.sources[s]) for s in sorted(c.cited) if s in data.sources]
    return out


def _name(data: ProfileData, iso3: str, lang: str) -> str:
    names = data.extra.get(f"names_{lang}")
    if names is None:
        column = f"name_{lang}" if f"name_{lang}" in data.countries else "name_en"
        names = data.extra[f"names_{lang}"] = dict(zip(data.countries["iso3"], data.countries[column], strict=True))
    return str(names.get(iso3, iso3))


def _header(data: ProfileData, key: str, is_group: bool, lang: str) -> dict[str, Any]:
    m = data.members
    if is_group:
        g = data.groups.loc[data.groups["group_id"] == key].iloc[0]
        iso = sorted(m.loc[m["group_id"] == key, "iso3"].unique())
        return {"name": str(g["name"]), "group_kind": str(g["kind"]), "group_source": str(g["source"]),
                "members": [{"iso3": i, "name": _name(data, i, lang)} for i in iso]}
    ids = m.loc[m["iso3"] == key, "group_id"]
    groups = data.groups[data.groups["group_id"].isin(ids)]
    return {"name": _name(data, key, lang),
            "groups": [{"id": r.group_id, "name": r.name, "kind": r.kind} for r in groups.itertuples()]}


def _at(frame: pd.DataFrame | None, year: int, sex: str, column: str) -> tuple[Any, Any]:
    if frame is None:
        return None, None
    row = frame[(frame["year"] == year) & (frame["sex"] == sex)]
    if row.empty:
        return None, None
    return row.iloc[0][column], (row.iloc[0]["n"] if "n" in row.columns else None)


def _ratio(a: Any, b: Any) -> float | None:
    a, b = _clean(a), _clean(b)
    return None if a is None or b is None or b == 0 else a / b


def _top(frame: pd.DataFrame | None, column: str, data: ProfileData, drop: str | None = None) -> list[dict]:
    if frame is None or frame.empty:
        return []
    f = frame[frame[column] != drop] if drop else frame
    f = f[f["persons"] > 0].nlargest(TOP, "persons")
    return [{"iso3": code, "name": _name(data, code, "en"), "persons": int(n)}
            for code, n in zip(f[column], f["persons"], strict=True)]


def _immigrants(c: _Cite, data: ProfileData, t: EntityTables, key: str, totals: Any, last: int) -> dict:
    src, bil = data.ims_sources["destination"], data.ims_sources["bilateral"]
    imm, n = _at(totals, last, "total", "immigrants")
    fem, _ = _at(totals, last, "female", "immigrants")
    pop, _ = _at(totals, last, "total", "population")
    origins = t.get("origins", key)
    unspec = None
    if origins is not None:
        hit = origins.loc[origins["origin"] == UNSPECIFIED_ORIGIN, "persons"]
        unspec = hit.iloc[0] if len(hit) else None
    top = _top(origins, "origin", data, drop=UNSPECIFIED_ORIGIN)
    within = N_("persons born in another member count too") if c.size else None
    return {"stock": c.fig(imm, "persons", last, src, note=within, n=n),
            "share_of_population": c.fig(_ratio(imm, pop), "fraction", last, src),
            "female_share": c.fig(_ratio(fem, imm), "fraction", last, src),
            "unspecified_origin": c.fig(unspec, "persons", last, bil),
            "top_origins": c.fig(top or None, "persons", last, bil, note=N_("unspecified origin aside"))}


def _emigrants(c: _Cite, data: ProfileData, t: EntityTables, key: str, totals: Any, last: int) -> dict:
    src, bil = data.ims_sources["origin"], data.ims_sources["bilateral"]
    emi, n = _at(totals, last, "total", "emigrants")
    fem, _ = _at(totals, last, "female", "emigrants")
    imm, _ = _at(totals, last, "total", "immigrants")
    pop, _ = _at(totals, last, "total", "population")
    rate = None
    if all(_clean(v) is not None for v in (emi, imm, pop)):
        rate = _ratio(emi, pop - imm + emi)
    top = _top(t.get("destinations", key), "destination", data)
    within = N_("persons living in another member count too") if c.size else None
    return {"stock": c.fig(emi, "persons", last, src, note=within, n=n),
            "female_share": c.fig(_ratio(fem, emi), "fraction", last, src),
            "emigration_rate": c.fig(rate, "fraction", last, f"{src},{data.ims_sources['destination']}",
                                     note=N_("emigrants / (residents born there + emigrants)")),
            "top_destinations": c.fig(top or None, "persons", last, bil)}


def _refugees(c: _Cite, data: ProfileData, t: EntityTables, key: str) -> dict:
    year, src = data.refugee_year, data.unhcr_source
    hosted = refugee_total(t.get("ref_asylum", key), year)
    origin = refugee_total(t.get("ref_origin", key), year)
    seekers = refugee_total(t.get("ref_asylum", key), year, ("asylum_seekers",))
    pop = t.get("population", key)
    per = None
    if origin is not None and pop is not None:
        p = pop.loc[pop["year"] == year, "persons"]
        if len(p) and _clean(p.iloc[0]) is not None:
            per = origin / (float(p.iloc[0]) + origin) * 100_000
    top = _top(t.get("ref_hosted_from", key), "origin", data)
    both = f"{src},{data.population_source}" if data.population_source else src
    return {"hosted": c.fig(hosted, "persons", year, src,
                            note=N_("refugees and other people in need of international protection; UNRWA excluded")),
            "originating": c.fig(origin, "persons", year, src),
            "asylum_seekers_hosted": c.fig(seekers, "persons", year, src),
            "per_100k_origin": c.fig(per, "per_100k", year, both,
                                     note=N_("SDG 10.7.4, end-year refugees over WPP population")),
            "top_origins_hosted": c.fig(top or None, "persons", year, src)}


def _latest(frame: pd.DataFrame | None, indicator: str) -> tuple[Any, Any, Any]:
    """Newest (year, value, n) of a WDI series; for sums, the newest year with COVERAGE of the members."""
    if frame is None:
        return None, None, None
    rows = frame[(frame["indicator"] == indicator) & frame["value"].notna()]
    if rows.empty:
        return None, None, None
    if "n" in rows.columns:
        rows = rows[rows["n"] >= COVERAGE * rows["n"].max()]
    row = rows.loc[rows["year"].idxmax()]
    return int(row["year"]), row["value"], (row["n"] if "n" in rows.columns else None)


def _wdi(c: _Cite, data: ProfileData, t: EntityTables, key: str, code: str, unit: str, is_group: bool) -> dict:
    src = data.wdi_source
    if is_group:
        year, value, _ = _latest(t.get("wdi_published", key), code)
        if value is not None:
            return c.fig(value, unit, year, src, note=N_("published aggregate"))
    year, value, n = _latest(t.get("wdi", key), code)
    return c.fig(value, unit, year, src, n=n)


def _vs(c: _Cite, data: ProfileData, wide: pd.DataFrame | None, other: str) -> dict:
    """Remittances received / another WDI series, in the newest year both have."""
    year, value = _vs_pair(wide, "BX.TRF.PWKR.CD.DT", other)
    return c.fig(value, "ratio", year, data.wdi_source)


def _remittances(c: _Cite, data: ProfileData, t: EntityTables, key: str, is_group: bool) -> dict:
    w = t.get("wdi_wide", key)
    pct = _wdi(c, data, t, key, "BX.TRF.PWKR.DT.GD.ZS", "percent", is_group)
    if is_group and pct["value"] is None and w is not None:
        share = _vs(c, data, w, "NY.GDP.MKTP.CD")
        pct = c.fig(None if share["value"] is None else share["value"] * 100, "percent", share["year"],
                    data.wdi_source, note=N_("sum of members' remittances over the sum of their GDP"))
    cost = t.get("cost", key)
    every = ",".join(sorted({s for v in data.cost["source_id"].dropna() for s in str(v).split(",")}))
    cost_fig = c.fig(None, "percent", None, every or None)
    if cost is not None and len(cost):
        row = cost.loc[cost["year"].idxmax()]
        src = row["source_id"] if "source_id" in cost.columns and isinstance(row["source_id"], str) else every
        cost_fig = c.fig(row["cost_pct"], "percent", int(row["year"]), src,
                         note=N_("mean cost of sending 200 US$ to it over its corridors "
                                 "(SDG 10.c.1, target 3 per cent)"),
                         senders=int(row["corridors"]))
    return {"received_usd": _wdi(c, data, t, key, "BX.TRF.PWKR.CD.DT", "usd", is_group),
            "paid_usd": _wdi(c, data, t, key, "BM.TRF.PWKR.CD.DT", "usd", is_group),
            "pct_gdp": pct,
            "vs_fdi": _vs(c, data, w, "BX.KLT.DINV.CD.WD"),
            "vs_oda": _vs(c, data, w, "DT.ODA.ODAT.CD"),
            "vs_exports": _vs(c, data, w, "NE.EXP.GNFS.CD"),
            "cost_pct": cost_fig}


def _skilled(c: _Cite, data: ProfileData, t: EntityTables, key: str, is_group: bool) -> dict:
    src = data.skilled["source_id"].iloc[0] if len(data.skilled) else None
    out: dict[str, Any] = {}
    specs = {"high_skill_emigration_rate": ("total", "high"), "high_skill_emigration_rate_female": ("female", "high"),
             "total_emigration_rate": ("total", "total")}
    frame = t.get("skilled", key)
    published = t.get("group_published", key)
    for name, (sex, edu) in specs.items():
        value = year = None
        if frame is not None:
            rows = frame[(frame["sex"] == sex) & (frame["education"] == edu)]
            if len(rows):
                row = rows.loc[rows["year"].idxmax()]
                value, year = row["rate"], int(row["year"])
        elif is_group and published is not None:
            rows = published[(published["measure"] == f"skilled_emigration_rate_{edu}") & (published["sex"] == sex)]
            if len(rows):
                row = rows.loc[rows["year"].idxmax()]
                value, year, src = row["value"], int(row["year"]), row["source_id"]
        out[name] = c.fig(value, "fraction", year, src)
    hi, tot = out["high_skill_emigration_rate"], out["total_emigration_rate"]
    out["brain_drain_ratio"] = c.fig(_ratio(hi["value"], tot["value"]), "ratio", hi["year"], src,
                                     note=N_("high-skill over total emigration rate"))
    return out


def _governance(c: _Cite, t: EntityTables, key: str, is_group: bool) -> dict:
    ratings: dict[str, Any] = {}
    frame = t.get("policy_share" if is_group else "policy", key)
    for domain in DOMAINS:
        value = year = src = None
        if frame is not None:
            rows = frame[frame["domain"] == domain]
            if not is_group:
                rows = rows[rows["applicable"]]
            if len(rows):
                row = rows.loc[rows["year"].idxmax()]
                value = row["value"] if is_group else int(row["rating"])
                year, src = int(row["year"]), row["source_id"]
        ratings[domain] = c.fig(value, "fraction" if is_group else "rating", year, src or "sdg2023_sg_cpa_migrs",
                                note=N_("share of rated members meeting or fully meeting (latest rating)")
                                if is_group else None)
    deaths = t.get("deaths", key)
    latest = total = c.fig(None, "persons", None, "mmp2025_country_year")
    if deaths is not None and len(deaths):
        src = "mmp2025_country_year" if (deaths["source_id"] == "mmp2025_country_year").any() \
            else str(deaths["source_id"].iloc[0])
        d = deaths[deaths["source_id"] == src]
        row = d.loc[d["year"].idxmax()]
        latest = c.fig(row["dead_and_missing"], "persons", int(row["year"]), src,
                       note=N_("dead and missing, by country of incident"))
        total = c.fig(d["dead_and_missing"].sum(), "persons", f"{int(d['year'].min())}-{int(d['year'].max())}", src)
    return {"sdg_10_7_2": ratings, "migrant_deaths": latest, "migrant_deaths_total": total}


def _development(c: _Cite, data: ProfileData, t: EntityTables, key: str, is_group: bool, last: int) -> dict:
    pop = t.get("population", key)
    p, n = None, None
    if pop is not None:
        rows = pop[pop["year"] == last]
        if len(rows):
            p, n = rows.iloc[0]["persons"], rows.iloc[0]["n"] if "n" in rows.columns else None
    gdp_pc = _wdi(c, data, t, key, "NY.GDP.PCAP.CD", "usd", is_group)
    if is_group and gdp_pc["value"] is None:
        share = _vs_pair(t.get("wdi_wide", key), "NY.GDP.MKTP.CD", "SP.POP.TOTL")
        gdp_pc = c.fig(share[1], "usd", share[0], data.wdi_source,
                       note=N_("sum of members' GDP over their population"))
    gni = _wdi(c, data, t, key, "NY.GNP.PCAP.PP.CD", "usd", is_group) if not is_group else \
        _published_only(c, data, t, key, "NY.GNP.PCAP.PP.CD")
    return {"population": c.fig(p, "persons", last, data.population_source, n=n),
            "gdp_per_capita_usd": gdp_pc, "gni_per_capita_ppp": gni,
            "net_migration": _wdi(c, data, t, key, "SM.POP.NETM", "persons", is_group)}


def _vs_pair(wide: pd.DataFrame | None, a: str, b: str) -> tuple[Any, Any]:
    """Newest (year, a / b) of a year x indicator frame where both are present and b is not 0."""
    if wide is None or a not in wide.columns or b not in wide.columns:
        return None, None
    both = wide[[a, b]].dropna()
    both = both[both[b] != 0]
    if both.empty:
        return None, None
    year = int(both.index.max())
    return year, both.loc[year, a] / both.loc[year, b]


def _published_only(c: _Cite, data: ProfileData, t: EntityTables, key: str, code: str) -> dict:
    year, value, _ = _latest(t.get("wdi_published", key), code)
    note = N_("published aggregate") if value is not None else \
        N_("not additive: shown only where the World Bank publishes the aggregate")
    return c.fig(value, "usd", year, data.wdi_source, note=note)


def _series(data: ProfileData, t: EntityTables, key: str, totals: pd.DataFrame | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in ("immigrants", "emigrants"):
        if totals is None:
            out[column] = None
            continue
        wide = totals.pivot(index="year", columns="sex", values=column).sort_index()
        out[column] = {"years": [int(y) for y in wide.index],
                       **{s: [_clean(v) for v in wide[s]] if s in wide else [None] * len(wide)
                          for s in ("total", "female", "male")},
                       "source": data.ims_sources["destination" if column == "immigrants" else "origin"]}
    wide = t.get("wdi_wide", key)
    money = ("BX.TRF.PWKR.CD.DT", "BX.KLT.DINV.CD.WD", "DT.ODA.ODAT.CD", "NE.EXP.GNFS.CD")
    if wide is None:
        out["remittances"] = None
    else:
        out["remittances"] = {"years": [int(y) for y in wide.index],
                              **{m: [_clean(v) for v in wide[m]] if m in wide else [None] * len(wide) for m in money},
                              "source": data.wdi_source}
    return out


def flatten(profile: dict[str, Any]) -> pd.DataFrame:
    """One row per figure (CSV output): key, value, unit, year, source, revision, note."""
    rows = []
    for section in ("immigrants", "emigrants", "refugees", "remittances", "skilled", "governance", "development"):
        for name, fig in profile[section].items():
            items = fig.items() if name == "sdg_10_7_2" else [(None, fig)]
            for sub, f in items:
                key = f"{section}.{name}" + (f".{sub}" if sub else "")
                value = f["value"]
                if isinstance(value, list):
                    value = "; ".join(f"{d['iso3']} {d['persons']}" for d in value)
                rows.append({"id": profile["id"], "key": key, "value": value, "unit": f["unit"], "year": f["year"],
                             "source": f["source"], "revision": f["revision"], "note": f["note"]})
    return pd.DataFrame(rows)
