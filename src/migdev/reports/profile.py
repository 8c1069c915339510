"""The country (and group) profile as data: one dict with stable keys, rendered to HTML, JSON and CSV.

Why a dict first: the HTML page, the JSON file, the CSV and (later) the PDF and the web page show the same
figures, so they are gathered once, here, and every renderer only formats them.

Where the figures come from: every share, rate, top list and group value that the ``indicator`` table holds is
taken from it (:mod:`migdev.indicators` owns their definitions and the group rule: sums of members, ratios of
summed numerators and denominators over the members that have both), with the row's ``source`` and ``members``:
immigrant and emigrant stocks, shares, female shares, the emigration rate and the top origins/destinations
(``stock_*``); refugees hosted, originating and SDG 10.7.4 (``refugees_*``); remittances received, paid, % of
GDP and against FDI, ODA and exports (``remit_*``; ``remit_vs_exports`` is percent there, shown here as a
ratio); the cost of the corridors received by (``cost_receiving_average``); the skilled emigration rates and
brain-drain ratio of countries (``skilled_*``); SDG 10.7.2 ratings and groups' shares meeting the target
(``policy_sdg_10_7_2_*``); the population (``pop_population``). A group's sum of money is shown for the newest
year in which ``COVERAGE`` of its best-covered year's members report.

Computed here, because no indicator provides them: a group's published aggregate is preferred where the
World Bank or IAB publish one (``area_group_value``); the unspecified origin of immigrants, asylum-seekers
hosted and the top origins of refugees hosted (sums over a group's members); the senders a cost is averaged
over; GDP per capita, GNI per capita (PPP) and net migration (WDI; a group's GDP per capita is the sum of its
members' GDP over their population); migrants dead and missing by country of incident (IOM's MMP country-year
file, which no indicator reads: ``policy_migrant_deaths`` is the SDG database's series) and their total over
the years; the brain-drain ratio of a group (its published high-skill over total rate); and the series of the
remittance chart (FDI, ODA and exports summed over members). Figures read from a query cite that query's
``Answer.sources``.

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

from typing import Any

import pandas as pd

from migdev.i18n import N_
from migdev.reports.figures import COVERAGE, Cite, Indicators, clean
from migdev.reports.profile_data import ProfileData
from migdev.reports.tables import EntityTables, refugee_total

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


def build(data: ProfileData, tables: EntityTables, key: str, lang: str = "en") -> dict[str, Any]:
    """The profile of a country (ISO3) or a group (``area_group.group_id``)."""
    is_group = key in set(data.groups["group_id"])
    size = tables.group_size.get(key, 0) if is_group else None
    c = Cite(data, size)
    out: dict[str, Any] = {"kind": "group" if is_group else "country", "id": key,
                           "iso3": None if is_group else key, "lang": lang, "ims_revision": data.ims_revision}
    out.update(_header(data, key, is_group, lang))
    ind = Indicators(data, tables, key)
    last = data.ims_last
    out["immigrants"] = _immigrants(c, data, tables, ind, key, last)
    out["emigrants"] = _emigrants(c, data, ind, last)
    out["refugees"] = _refugees(c, data, tables, ind, key)
    out["remittances"] = _remittances(c, data, tables, ind, key, is_group)
    out["skilled"] = _skilled(c, tables, ind, key, is_group)
    out["governance"] = _governance(c, tables, ind, key, is_group)
    out["development"] = _development(c, data, tables, ind, key, is_group, last)
    out["series"] = _series(data, tables, ind, key)
    for fig in (out["immigrants"]["top_origins"], out["emigrants"]["top_destinations"],
                out["refugees"]["top_origins_hosted"]):  # the lists' names in the profile's language
        for d in fig["value"] or []:
            d["name"] = _name(data, d["iso3"], lang)
    codes = [m["iso3"] for m in out["members"]] if is_group else [key]
    geo = {*data.geometry.loc[data.geometry["iso3"].isin(codes), "source_id"],
           *data.points.loc[data.points["iso3"].isin(codes), "source_id"]}
    out["map"] = {"source": ",".join(sorted(geo)) or None}
    c.cited.update(geo)
    out["sources"] = [data.sources[s].as_dict() for s in sorted(c.cited) if s in data.sources]
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
        return {"name": str(g[f"name_{lang}"]), "group_kind": str(g["kind"]), "group_source": str(g["source"]),
                "members": [{"iso3": i, "name": _name(data, i, lang)} for i in iso]}
    ids = m.loc[m["iso3"] == key, "group_id"]
    groups = data.groups[data.groups["group_id"].isin(ids)]
    return {"name": _name(data, key, lang),
            "groups": [{"id": gid, "name": name, "kind": kind}
                       for gid, name, kind in zip(groups["group_id"], groups[f"name_{lang}"], groups["kind"],
                                                  strict=True)]}


def _named(data: ProfileData, pairs: list[tuple[str, int]]) -> list[dict]:
    return [{"iso3": code, "name": _name(data, code, "en"), "persons": n} for code, n in pairs]


def _ratio(a: Any, b: Any) -> float | None:
    a, b = clean(a), clean(b)
    return None if a is None or b is None or b == 0 else a / b


def _top(frame: pd.DataFrame | None, column: str, data: ProfileData) -> list[dict]:
    if frame is None or frame.empty:
        return []
    f = frame[frame["persons"] > 0].sort_values(["persons", column], ascending=[False, True]).head(TOP)
    return [{"iso3": code, "name": _name(data, code, "en"), "persons": int(n)}
            for code, n in zip(f[column], f["persons"], strict=True)]


def _immigrants(c: Cite, data: ProfileData, t: EntityTables, ind: Indicators, key: str, last: int) -> dict:
    unspec = t.get("unspecified", key)
    value = unspec["persons"].iloc[0] if unspec is not None and len(unspec) else None
    within = N_("persons born in another member count too") if c.size else None
    return {"stock": ind.fig(c, "stock_immigrants", "persons", year=last, note=within),
            "share_of_population": ind.fig(c, "stock_immigrant_share", "fraction", year=last),
            "female_share": ind.fig(c, "stock_female_share_immigrants", "fraction", year=last),
            "unspecified_origin": c.fig(value, "persons", last, data.cites["stock"]),
            "top_origins": c.fig(_named(data, ind.top("stock_top_origins", last, TOP)) or None, "persons", last,
                                 ind.source("stock_top_origins"), note=N_("unspecified origin aside"))}


def _emigrants(c: Cite, data: ProfileData, ind: Indicators, last: int) -> dict:
    within = N_("persons living in another member count too") if c.size else None
    return {"stock": ind.fig(c, "stock_emigrants", "persons", year=last, note=within),
            "female_share": ind.fig(c, "stock_female_share_emigrants", "fraction", year=last),
            "emigration_rate": ind.fig(c, "stock_emigration_rate", "fraction", year=last,
                                       note=N_("emigrants / (residents born there + emigrants)")),
            "top_destinations": c.fig(_named(data, ind.top("stock_top_destinations", last, TOP)) or None,
                                      "persons", last, ind.source("stock_top_destinations"))}


def _refugees(c: Cite, data: ProfileData, t: EntityTables, ind: Indicators, key: str) -> dict:
    year, src = data.refugee_year, data.cites["refugees"]
    seekers = refugee_total(t.get("ref_asylum", key), year, ("asylum_seekers",))
    top = _top(t.get("ref_hosted_from", key), "origin", data)
    return {"hosted": ind.fig(c, "refugees_hosted", "persons", year=year,
                              note=N_("refugees and other people in need of international protection; "
                                      "UNRWA excluded")),
            "originating": ind.fig(c, "refugees_originating", "persons", year=year),
            "asylum_seekers_hosted": c.fig(seekers, "persons", year, src),
            "per_100k_origin": ind.fig(c, "refugees_per_100k_origin", "per_100k", year=year,
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


def _wdi(c: Cite, data: ProfileData, t: EntityTables, key: str, code: str, unit: str, is_group: bool) -> dict:
    src = data.cites["wdi"]
    if is_group:
        year, value, _ = _latest(t.get("wdi_published", key), code)
        if value is not None:
            return c.fig(value, unit, year, src, note=N_("published aggregate"))
    year, value, n = _latest(t.get("wdi", key), code)
    return c.fig(value, unit, year, src, n=n)


def _published_or(c: Cite, data: ProfileData, t: EntityTables, ind: Indicators, key: str, is_group: bool,
                  code: str, indicator: str, unit: str, note: str | None = None, scale: float = 1.0) -> dict:
    """A group's published aggregate of WDI series ``code`` where the World Bank gives one, else the indicator
    (a group's: the sum, or the ratio of sums, over its members, in the newest well-covered year)."""
    if is_group:
        year, value, _ = _latest(t.get("wdi_published", key), code)
        if value is not None:
            return c.fig(value, unit, year, data.cites["wdi"], note=N_("published aggregate"))
    fig = ind.fig(c, indicator, unit, coverage=is_group and unit == "usd", scale=scale)
    fig["note"] = note if is_group and fig["value"] is not None else None
    return fig


def _remittances(c: Cite, data: ProfileData, t: EntityTables, ind: Indicators, key: str, is_group: bool) -> dict:
    value, year, _ = ind.pick("cost_receiving_average")
    cost = t.get("cost", key)
    extra: dict[str, Any] = {}
    if value is not None and cost is not None:
        senders = cost.loc[cost["year"] == year, "senders"]
        extra["senders"] = int(senders.iloc[0]) if len(senders) else None
    cost_fig = ind.fig(c, "cost_receiving_average", "percent",
                       note=N_("mean cost of sending 200 US$ to it over its corridors "
                               "(SDG 10.c.1, target 3 per cent)") if value is not None else None)
    cost_fig.update(extra)
    ratio = N_("sum of members' remittances over the sum of their GDP")
    return {"received_usd": _published_or(c, data, t, ind, key, is_group, "BX.TRF.PWKR.CD.DT", "remit_received",
                                          "usd"),
            "paid_usd": _published_or(c, data, t, ind, key, is_group, "BM.TRF.PWKR.CD.DT", "remit_paid", "usd"),
            "pct_gdp": _published_or(c, data, t, ind, key, is_group, "BX.TRF.PWKR.DT.GD.ZS", "remit_share_of_gdp",
                                     "percent", note=ratio),
            "vs_fdi": ind.fig(c, "remit_vs_fdi", "ratio"),
            "vs_oda": ind.fig(c, "remit_vs_oda", "ratio"),
            "vs_exports": ind.fig(c, "remit_vs_exports", "ratio", scale=100.0),
            "cost_pct": cost_fig}


def _skilled(c: Cite, t: EntityTables, ind: Indicators, key: str, is_group: bool) -> dict:
    specs = {"high_skill_emigration_rate": ("skilled_emigration_rate", "total", "high"),
             "high_skill_emigration_rate_female": ("skilled_emigration_rate", "female", "high"),
             "total_emigration_rate": ("skilled_total_emigration_rate", "total", "total")}
    published = t.get("group_published", key)
    out: dict[str, Any] = {}
    for name, (indicator, sex, edu) in specs.items():
        rows = None if published is None or not is_group else \
            published[(published["measure"] == f"skilled_emigration_rate_{edu}") & (published["sex"] == sex)]
        if rows is not None and len(rows):
            row = rows.loc[rows["year"].idxmax()]
            out[name] = c.fig(row["value"], "fraction", int(row["year"]), row["source_id"])
        else:
            out[name] = ind.fig(c, indicator, "fraction", sex=sex)
    hi, tot = out["high_skill_emigration_rate"], out["total_emigration_rate"]
    note = N_("high-skill over total emigration rate")
    if is_group:
        out["brain_drain_ratio"] = c.fig(_ratio(hi["value"], tot["value"]), "ratio", hi["year"], hi["source"],
                                         note=note)
    else:
        out["brain_drain_ratio"] = ind.fig(c, "skilled_brain_drain_intensity", "ratio", note=note)
    return out


def _governance(c: Cite, t: EntityTables, ind: Indicators, key: str, is_group: bool) -> dict:
    ratings: dict[str, Any] = {}
    for domain in DOMAINS:
        if is_group:
            ratings[domain] = ind.fig(c, f"policy_sdg_10_7_2_{domain}_share_meeting", "fraction",
                                      note=N_("share of rated members meeting or fully meeting (latest rating)"))
            ratings[domain].pop("members_reporting", None)
            ratings[domain].pop("members", None)
        else:
            fig = ind.fig(c, f"policy_sdg_10_7_2_{domain}", "rating")
            fig["value"] = None if fig["value"] is None else int(fig["value"])
            ratings[domain] = fig
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


def _development(c: Cite, data: ProfileData, t: EntityTables, ind: Indicators, key: str, is_group: bool,
                 last: int) -> dict:
    gdp_pc = _wdi(c, data, t, key, "NY.GDP.PCAP.CD", "usd", is_group)
    if is_group and gdp_pc["value"] is None:
        share = _vs_pair(t.get("wdi_wide", key), "NY.GDP.MKTP.CD", "SP.POP.TOTL")
        gdp_pc = c.fig(share[1], "usd", share[0], data.cites["wdi"],
                       note=N_("sum of members' GDP over their population"))
    gni = _wdi(c, data, t, key, "NY.GNP.PCAP.PP.CD", "usd", is_group) if not is_group else \
        _published_only(c, data, t, key, "NY.GNP.PCAP.PP.CD")
    return {"population": ind.fig(c, "pop_population", "persons", year=last),
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


def _published_only(c: Cite, data: ProfileData, t: EntityTables, key: str, code: str) -> dict:
    year, value, _ = _latest(t.get("wdi_published", key), code)
    note = N_("published aggregate") if value is not None else \
        N_("not additive: shown only where the World Bank publishes the aggregate")
    return c.fig(value, "usd", year, data.cites["wdi"], note=note)


def _series(data: ProfileData, t: EntityTables, ind: Indicators, key: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column, indicator in (("immigrants", "stock_immigrants"), ("emigrants", "stock_emigrants")):
        rows = ind.frame(indicator)
        if rows is None:
            out[column] = None
            continue
        wide = rows.pivot(index="year", columns="sex", values="value").sort_index()
        out[column] = {"years": [int(y) for y in wide.index],
                       **{s: [clean(v) for v in wide[s]] if s in wide else [None] * len(wide)
                          for s in ("total", "female", "male")},
                       "source": ind.source(indicator)}
    wide = t.get("wdi_wide", key)
    money = ("BX.TRF.PWKR.CD.DT", "BX.KLT.DINV.CD.WD", "DT.ODA.ODAT.CD", "NE.EXP.GNFS.CD")
    if wide is None:
        out["remittances"] = None
    else:
        out["remittances"] = {"years": [int(y) for y in wide.index],
                              **{m: [clean(v) for v in wide[m]] if m in wide else [None] * len(wide) for m in money},
                              "source": data.cites["wdi"]}
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
