"""The dashboard pages (Jinja2 templates), on the same query path as the API.

URLs carry the language: ``/{lang}/`` (world map), ``/{lang}/country/{code}`` (countries and groups; any code or
name the profiles resolve redirects to the canonical ISO3 or group id), ``/{lang}/corridor/{origin}/{destination}``,
``/{lang}/flows``, ``/{lang}/methods``; ``/`` redirects to ``/en/``. Page data (the map's JSON, the flows fragment,
downloads of every table shown) live under ``/{lang}/data/``. An unknown language or place is an HTML 404 that
says what is valid. Every word goes through gettext, every number through :mod:`migdev.i18n`'s formatters.
"""

from __future__ import annotations

import io
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from markupsafe import Markup

from migdev.charts import series
from migdev.charts.chord import Node, chord_diagram
from migdev.charts.choropleth import CLASSES, MISSING, choropleth
from migdev.charts.sankey import sankey_diagram
from migdev.errors import QueryError
from migdev.estimates.flows_step import RECOMMENDED
from migdev.i18n import N_, translator
from migdev.publish.formats import FORMATS
from migdev.reports import html as report_html
from migdev.reports import profile as report_profile
from migdev.vocab import SEXES
from migdev.web import pages_data, pages_flows, pages_methods, pages_models
from migdev.web.app import database
from migdev.web.pages_render import PageNotFound, check_lang, render

router = APIRouter(include_in_schema=False)
DOWNLOADS = ("csv", "json", "parquet")
SEX = {"total": N_("Total"), "female": N_("Women"), "male": N_("Men")}


def _names(request: Request, lang: str) -> dict[str, str]:
    """Every country's name in the language (the country table, through the profiles' query-path read)."""
    countries = database(request).profiles.data.countries
    return dict(zip(countries["iso3"], countries[f"name_{lang}"].fillna(countries["name_en"]), strict=True))


def _resolve(request: Request, lang: str, code: str) -> str:
    try:
        return database(request).profiles.resolve(code)
    except QueryError as exc:
        raise PageNotFound(str(exc), lang) from exc


@router.get("/")
def root() -> RedirectResponse:
    return RedirectResponse("/en/", status_code=307)


@router.get("/{lang}")
def lang_root(lang: str) -> RedirectResponse:
    return RedirectResponse(f"/{check_lang(lang)}/", status_code=307)


# -- home ------------------------------------------------------------------------------------------------------
def _map(request: Request, lang: str, indicator: str) -> tuple[dict[str, Any], dict[str, str]]:
    db = database(request)
    world = db.profiles.world
    names = {c: n for c, n in _names(request, lang).items() if c in world.shapes or c in world.points}
    data = pages_data.map_data(db.obs, str(db.path), indicator, translator(lang), set(names))
    return data, names


@router.get("/{lang}/", response_class=HTMLResponse)
def home(request: Request, lang: str, indicator: str = pages_data.DEFAULT_INDICATOR, year: str | None = None):
    check_lang(lang)
    t = translator(lang)
    data, names = _map(request, lang, indicator)
    year = year if year in data["by_year"] else data["default_year"]
    now = data["by_year"].get(year, {"values": {}, "legend": []})
    values = {c: (k, text) for c, (k, text) in now["values"].items()}
    svg = choropleth(database(request).profiles.world, "map", f"{data['title']}, {year}",
                     t.gettext("World map: %(title)s in %(year)s; every country links to its page.")
                     % {"title": data["title"], "year": year}, values, names,
                     lambda code: f"/{lang}/country/{code}", data["missing"])
    return render(request, lang, "home.html.j2", path="/", map_svg=Markup(svg), data=data, year=year,
                  legend=list(zip(CLASSES, now["legend"], strict=False)), missing_colour=MISSING,
                  indicators={k: pages_data.indicator_title(t, k) for k in pages_data.MAP_INDICATORS},
                  indicator=indicator,
                  ranked=sorted(now["values"].items(), key=lambda kv: names.get(kv[0], kv[0])), names=names)


@router.get("/{lang}/data/map/{indicator}.json")
def map_json(request: Request, lang: str, indicator: str) -> JSONResponse:
    check_lang(lang)
    data, names = _map(request, lang, indicator)
    return JSONResponse({**data, "names": names})


# -- country and group -----------------------------------------------------------------------------------------
@router.get("/{lang}/country/{code}", response_class=HTMLResponse)
def country(request: Request, lang: str, code: str):
    check_lang(lang)
    key = _resolve(request, lang, code)
    if key != code:
        return RedirectResponse(f"/{lang}/country/{key}", status_code=307)
    profiles = database(request).profiles
    prof = profiles.build(key, lang)
    t = translator(lang)
    names = _names(request, lang)
    charts = report_html.charts(prof, profiles.world, t)

    def links(items: list[dict] | None, outward: bool) -> list[dict]:
        return [{"name": names.get(d["iso3"], d["name"]), "persons": d["persons"],
                 "href": f"/{lang}/corridor/{key}/{d['iso3']}" if outward else f"/{lang}/corridor/{d['iso3']}/{key}"}
                for d in items or []]

    corridors = {"out": links(prof["emigrants"]["top_destinations"]["value"], True),
                 "in": links(prof["immigrants"]["top_origins"]["value"], False)} if prof["kind"] == "country" \
        else {"out": [], "in": []}
    return render(request, lang, "country.html.j2", path=f"/country/{key}", p=prof, charts=charts,
                  built=profiles.data.loaded_at, domains=report_html.DOMAINS, corridors=corridors,
                  place_url=lambda c: f"/{lang}/country/{c}", downloads=DOWNLOADS)


@router.get("/{lang}/data/profile/{code}.{fmt}")
def profile_download(request: Request, lang: str, code: str, fmt: str) -> Response:
    check_lang(lang)
    key = _resolve(request, lang, code)
    profiles = database(request).profiles
    prof = profiles.build(key, lang)
    name = report_html.page_name(key)
    if fmt == "parquet":
        buf = io.BytesIO()
        flat = report_profile.flatten(prof)
        for col in ("value", "year"):  # mixed columns (numbers and top lists, years and year ranges) as text
            flat[col] = flat[col].map(lambda v: None if v is None or v != v else str(v))
        flat.to_parquet(buf, index=False)
        body, media = buf.getvalue(), FORMATS["parquet"].media_type
    elif fmt in ("json", "csv"):
        body, media = profiles.render(prof, fmt), FORMATS[fmt].media_type
    else:
        raise QueryError(f"unknown download format {fmt!r}; choose one of {', '.join(DOWNLOADS)}")
    return Response(body, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="profile-{name}.{fmt}"'})


# -- corridor --------------------------------------------------------------------------------------------------
def _country(request: Request, lang: str, code: str) -> str:
    key = _resolve(request, lang, code)
    if key not in set(database(request).profiles.countries()):
        raise PageNotFound(f"{code!r} is a group: a corridor joins two countries or areas (ISO3 codes, e.g. "
                           f"/{lang}/corridor/MEX/USA)", lang)
    return key


@router.get("/{lang}/corridor/{origin}/{destination}", response_class=HTMLResponse)
def corridor(request: Request, lang: str, origin: str, destination: str):
    check_lang(lang)
    o, d = _country(request, lang, origin), _country(request, lang, destination)
    if (o, d) != (origin, destination):
        return RedirectResponse(f"/{lang}/corridor/{o}/{d}", status_code=307)
    t = translator(lang)
    _ = t.gettext
    names = _names(request, lang)
    c = pages_data.corridor(database(request).obs, o, d, lang)
    pair = {"origin": names.get(o, o), "destination": names.get(d, d)}
    charts: dict[str, str] = {}
    years, by_sex = pages_data.by_year(c.stock.frame, "year", "sex", "persons")
    charts["stock"] = series.line_chart(
        "chart-stock", _("Migrants born in %(origin)s living in %(destination)s, by sex") % pair, years,
        [series.Line(_(SEX[s]), by_sex[s]) for s in SEXES if s in by_sex], t.compact, t.number)
    band = c.band.frame.sort_values("period_start")
    flows = c.flows.frame
    rec = flows[flows["method"] == RECOMMENDED].set_index("period_start")["flow"]
    periods = [int(p) for p in band["period_start"]]
    charts["flows"] = series.line_chart(
        "chart-flows", _("Estimated flows %(origin)s to %(destination)s per period, with the spread of all methods")
        % pair, periods,
        [series.Line(_("Highest estimate"), [float(v) for v in band["flow_max"]]),
         series.Line(_("Recommended (%(method)s)") % {"method": RECOMMENDED},
                     [float(rec[p]) if p in rec.index else None for p in periods]),
         series.Line(_("Lowest estimate"), [float(v) for v in band["flow_min"]])], t.compact, t.number)
    method_years, by_method = pages_data.by_year(flows, "period_start", "method", "flow")
    cost = c.costs.frame
    cost_years, cost_series = pages_data.by_year(cost.groupby(["year"], as_index=False)["cost_pct_200"].mean()
                                                 .assign(k="cost"), "year", "k", "cost_pct_200")
    charts["costs"] = series.line_chart(
        "chart-costs", _("Average cost of sending 200 US$ from %(destination)s to %(origin)s, %% of the amount")
        % pair, cost_years, [series.Line(_("Cost"), cost_series.get("cost", []))],
        lambda v: t.number(v, 1), lambda v: t.percent_points(v))
    years_money, money = remittance_series(c, t)
    charts["remittances"] = series.line_chart(
        "chart-remittances", _("Remittances sent from %(destination)s to %(origin)s, current US$") % pair,
        years_money, money, t.compact, t.currency)
    ref = c.refugees.frame
    ref_years, ref_series = pages_data.by_year(ref, "year", "population_type", "persons")
    labels = {"refugees": _("Refugees"), "asylum_seekers": _("Asylum-seekers")}
    charts["refugees"] = series.line_chart(
        "chart-refugees", _("Refugees from %(origin)s in %(destination)s (end of year)") % pair, ref_years,
        [series.Line(labels[k], v) for k, v in ref_series.items()], t.compact, t.number)
    return render(request, lang, "corridor.html.j2", path=f"/corridor/{o}/{d}", o=o, d=d, pair=pair,
                  c=c, charts={k: Markup(v) for k, v in charts.items()}, method_years=method_years,
                  by_method=by_method, recommended=RECOMMENDED, band=band, cost_years=cost_years,
                  cost_series=cost_series.get("cost", []), ref_years=ref_years, ref_series=ref_series,
                  ref_labels=labels, stock_years=years, by_sex=by_sex, sex_labels=SEX, downloads=DOWNLOADS,
                  tables=pages_data.CORRIDOR_TABLES, money_years=years_money, money=money,
                  links=pages_data.corridor_downloads(o, d, lang, DOWNLOADS),
                  method_version=_method_version(c.estimates))


def remittance_series(c: pages_data.Corridor, t: Any) -> tuple[list[int], list[series.Line]]:
    """KNOMAD's published corridor value per edition and migdev's re-estimate per year, on one axis of years."""
    pub = c.remittances.frame
    est = c.estimates.frame
    published = {int(r.edition): float(r.usd) for r in pub.itertuples()} if len(pub) else {}
    estimated = {int(r.year): float(r.usd) for r in est.itertuples()} if len(est) else {}
    years = sorted(set(published) | set(estimated))
    return years, [series.Line(t.gettext("KNOMAD (published)"), [published.get(y) for y in years]),
                   series.Line(t.gettext("migdev (estimate)"), [estimated.get(y) for y in years])]


def _method_version(answer: Any) -> str | None:
    frame = answer.frame
    return str(frame["method_version"].iloc[0]) if len(frame) and "method_version" in frame else None


# -- flows -----------------------------------------------------------------------------------------------------
def _flows_context(request: Request, lang: str, period: int | None, sex: str, method: str | None,
                   region: str | None) -> dict[str, Any]:
    obs = database(request).obs
    t = translator(lang)
    _ = t.gettext
    held = pages_flows.choices(obs, lang)
    period = period if period is not None else held["periods"][-2 if len(held["periods"]) > 1 else -1]
    method = method or RECOMMENDED
    region = region or None
    fm = pages_flows.matrix(obs, t, period=period, sex=sex, method=method, region=region)
    span = {"start": fm.period[0], "end": fm.period[1]}
    where = held["regions"][region] if region else _("SDG regions")
    title = _("Migration flows between %(where)s, %(start)s-%(end)s") % {"where": where, **span}

    def describe(o: str, d: str, v: str) -> str:
        return _("%(origin)s to %(destination)s: %(flow)s persons") % {"origin": o, "destination": d, "flow": v}

    def place(p: str, out: str, inn: str) -> str:
        return _("%(place)s: %(out)s left, %(in)s arrived") % {"place": p, "out": out, "in": inn}

    base = f"/{lang}/flows?period={period}&sex={sex}&method={method}"

    def download_url(fmt: str) -> str:
        """The region matrix is one API query; a region's drill-down (three queries) is a page-data route."""
        if region:
            return f"/{lang}/data/flows.{fmt}?period={period}&sex={sex}&method={method}&region={region}"
        by = [f"origin_{pages_flows.REGION}", f"destination_{pages_flows.REGION}"]
        return pages_data.api_url("flows", {"period": period, "sex": sex, "method": method, "by": by}, fmt, lang)
    nodes = [Node(label, f"{base}&region={code}" if drill else None)
             for code, label, drill in zip(fm.codes, fm.labels, fm.drillable, strict=True)]
    chord = chord_diagram("chart-chord", title, nodes, fm.matrix, t.number, describe, place)
    sankey = sankey_diagram("chart-sankey", title, fm.labels, fm.matrix, t.number, describe,
                            (_("From (origin)"), _("To (destination)")))
    return {"held": held, "period": period, "sex": sex, "method": method, "region": region, "title": title,
            "chord": Markup(chord), "sankey": Markup(sankey), "rows": pages_flows.table_rows(fm), "fm": fm,
            "sex_labels": SEX, "years": fm.period[1] - fm.period[0], "base": base,
            "download_url": download_url}


@router.get("/{lang}/flows", response_class=HTMLResponse)
def flows(request: Request, lang: str, period: int | None = None, sex: str = "total", method: str | None = None,
          region: str | None = Query(None)):
    check_lang(lang)
    ctx = _flows_context(request, lang, period, sex, method, region)
    return render(request, lang, "flows.html.j2", path="/flows", **ctx)


@router.get("/{lang}/data/flows", response_class=HTMLResponse)
def flows_fragment(request: Request, lang: str, period: int | None = None, sex: str = "total",
                   method: str | None = None, region: str | None = Query(None)):
    """The chart, Sankey and table part of the flows page, swapped in by ``flows.js`` without a reload."""
    check_lang(lang)
    ctx = _flows_context(request, lang, period, sex, method, region)
    return render(request, lang, "flows_fragment.html.j2", path="/flows", **ctx)


@router.get("/{lang}/data/flows.{fmt}")
def flows_download(request: Request, lang: str, fmt: str, period: int, sex: str = "total",
                   method: str = RECOMMENDED, region: str | None = None) -> Response:
    check_lang(lang)
    if fmt not in DOWNLOADS:
        raise QueryError(f"unknown download format {fmt!r}; choose one of {', '.join(DOWNLOADS)}")
    fm = pages_flows.matrix(database(request).obs, translator(lang), period=period, sex=sex, method=method,
                            region=region or None)
    f = FORMATS[fmt]
    return Response(f.render(fm.answers[0]) if len(fm.answers) == 1 else _concat(fm, f), media_type=f.media_type,
                    headers={"Content-Disposition": f'attachment; filename="flows-{period}-{sex}.{fmt}"'})


def _concat(fm: pages_flows.FlowMatrix, f: Any) -> bytes:
    import pandas as pd

    from migdev.publish.answer import Answer

    first = fm.answers[0]
    frame = pd.concat([a.frame for a in fm.answers], ignore_index=True)
    sources = tuple({s.source_id: s for a in fm.answers for s in a.sources}.values())
    return f.render(Answer(frame, sources, first.query, first.notes))


# -- methods ---------------------------------------------------------------------------------------------------
@router.get("/{lang}/methods", response_class=HTMLResponse)
def methods(request: Request, lang: str):
    check_lang(lang)
    return render(request, lang, "methods.html.j2", path="/methods",
                  m=pages_methods.content(database(request).obs))


# -- models ----------------------------------------------------------------------------------------------------
@router.get("/{lang}/models", response_class=HTMLResponse)
def models(request: Request, lang: str):
    check_lang(lang)
    m = pages_models.content(database(request).obs, translator(lang))
    m["distance_chart"] = Markup(m["distance_chart"])
    return render(request, lang, "models.html.j2", path="/models", m=m, downloads=DOWNLOADS)
