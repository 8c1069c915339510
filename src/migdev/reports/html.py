"""Render a profile dict to one self-contained HTML page (Jinja2, one template for every language and kind).

Why: the page must read with no network (inline CSS and SVG only; sources are cited as text, never linked),
validate as HTML5, and be translatable without touching the template: every word comes from the gettext
catalogue (``_()`` in the template, ``N_`` marks in Python) and every number from :mod:`migdev.i18n`'s Babel
formatters, chosen by each figure's unit. The environment is compiled once per language and reused for all pages.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from migdev.charts import bars, series
from migdev.charts.map import World
from migdev.i18n import N_, Translator
from migdev.reports.lang import endonyms, translator_for
from migdev.reports.pdf import Footnotes, Inline

TEMPLATES = Path(__file__).with_name("templates")

RATINGS = {1: N_("Requires further progress"), 2: N_("Partially meets"), 3: N_("Meets"), 4: N_("Fully meets")}
DOMAINS = {
    "overall": N_("Overall"), "migrant_rights": N_("Migrant rights"),
    "whole_of_government": N_("Whole-of-government and evidence-based policies"),
    "cooperation_partnerships": N_("Cooperation and partnerships"),
    "socioeconomic_wellbeing": N_("Socioeconomic well-being"),
    "mobility_dimensions_of_crises": N_("Mobility dimensions of crises"),
    "safe_orderly_regular_migration": N_("Safe, orderly and regular migration"),
}
MONEY = {"BX.TRF.PWKR.CD.DT": N_("Remittances received"), "BX.KLT.DINV.CD.WD": N_("Foreign direct investment"),
         "DT.ODA.ODAT.CD": N_("Net official development assistance"),
         "NE.EXP.GNFS.CD": N_("Exports of goods and services")}
SEX = {"total": N_("Total"), "female": N_("Women"), "male": N_("Men")}


def format_figure(t: Translator, fig: dict[str, Any] | None, compact: bool = False) -> str:
    """A figure's value in the language, by its unit; a missing value is the language's "not available".
    ``compact``: money in the short form (US$ 52.2B) for tables of many columns."""
    if fig is None or fig.get("value") is None:
        return t.missing()
    v, unit = fig["value"], fig["unit"]
    if compact and unit == "usd":
        return t.compact_currency(v)
    if unit in ("persons", "count"):
        return t.number(v)
    if unit == "fraction":
        return t.percent(v)
    if unit == "percent":
        return t.percent_points(v)
    if unit == "usd":
        return t.currency(v)
    if unit == "ratio":
        return t.number(v, 2)
    if unit == "per_100k":
        return t.number(v, 1)
    if unit == "rating":
        return t.gettext(RATINGS[int(v)])
    return t.number(v, 2)


@cache
def environment(lang: str) -> jinja2.Environment:
    t = translator_for(lang)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    env.install_gettext_translations(t.translations, newstyle=True)  # type: ignore[attr-defined]
    env.filters["fig"] = lambda fig: format_figure(t, fig)
    env.filters["figc"] = lambda fig: format_figure(t, fig, compact=True)
    env.filters["num"] = t.number
    env.filters["rating_domain"] = lambda d: t.gettext(DOMAINS[d])
    env.globals["t"] = t
    env.globals["languages"] = endonyms()
    return env


def charts(profile: dict[str, Any], world: World | None, t: Translator) -> dict[str, str]:
    _ = t.gettext
    out: dict[str, str] = {}
    s = profile["series"]
    for key, title in (("immigrants", N_("International migrants living in %(name)s, by sex")),
                       ("emigrants", N_("Emigrants born in %(name)s, by sex"))):
        d = s.get(key)
        out[key] = "" if d is None else series.line_chart(
            f"chart-{key}", _(title) % {"name": profile["name"]}, d["years"],
            [series.Line(_(SEX[sex]), d[sex]) for sex in ("total", "female", "male")], t.compact, t.number)
    r = s.get("remittances")
    out["remittances"] = "" if r is None else series.line_chart(
        "chart-remittances", _("Remittances against FDI, ODA and exports (current US$)"), r["years"],
        [series.Line(_(label), r[code]) for code, label in MONEY.items()], t.compact_currency, t.currency)
    for key, section, title in (("destinations", "emigrants", N_("Top destinations of emigrants")),
                                ("origins", "immigrants", N_("Top origins of immigrants"))):
        fig = profile[section]["top_" + key]
        items = [(d["name"], d["persons"]) for d in fig["value"] or []]
        out[key] = bars.bar_chart(f"chart-{key}", _(title), items, t.number)
    if world is None:
        out["map"] = ""
    else:
        codes = [profile["iso3"]] if profile["iso3"] else [m["iso3"] for m in profile["members"]]
        out["map"] = world.locator("chart-map", _("Location of %(name)s") % {"name": profile["name"]},
                                   _("Map of %(name)s in its region") % {"name": profile["name"]}, codes)
    return {k: Markup(v) for k, v in out.items()}  # charts/ escapes every text it writes


def render(profile: dict[str, Any], world: World | None, *, links: bool = False, built: Any = None,
           pdf: bool = False) -> str:
    """The HTML page of a profile. ``links``: link groups and members to their pages in the same folder (the
    ``profiles --all`` set); a single page links nowhere. ``built``: when the database was loaded (footer).
    ``pdf``: the page for :func:`migdev.reports.pdf.to_pdf` (sources as footnotes instead of a column)."""
    lang = profile["lang"]
    env = environment(lang)
    t = translator_for(lang)
    return env.get_template("profile.html.j2").render(
        p=profile, charts=charts(profile, world, t), built=built, domains=DOMAINS,
        place_url=(lambda code: f"{page_name(code)}.html") if links else None,
        notes=Footnotes() if pdf else Inline())


def page_name(key: str) -> str:
    """The file stem of a profile in a folder: ISO3 for countries, the group id with ':' as '-' for groups."""
    return key.replace(":", "-")


def render_index(data: Any, countries: list[str], groups: list[str], lang: str = "en") -> str:
    """The index page of a folder of profiles: every country and group, linked."""
    names = dict(zip(data.countries["iso3"], data.countries[f"name_{lang}"], strict=True))
    group_names = dict(zip(data.groups["group_id"], data.groups[f"name_{lang}"], strict=True))
    return environment(lang).get_template("index.html.j2").render(
        countries=[(c, names.get(c, c)) for c in countries], groups=[(g, group_names[g]) for g in groups],
        page_name=page_name, ims_revision=data.ims_revision)
