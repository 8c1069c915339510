"""The High-level Dialogue briefing pack (resolution 58/208, paras 9-10): a key-facts sheet for the world and one
per SDG region for the round tables, and a chair's-summary annex of the figures.

Each sheet gives the region's roles (how many of its countries are mainly of origin, of transit, of destination:
the ``role_*`` indicators), its largest corridors, remittances and their cost, refugees, and women's share of
migrants. :func:`render` is what the CLI, the build and the web call.
"""

from __future__ import annotations

from typing import Any

from migdev.errors import QueryError
from migdev.i18n import N_
from migdev.reports import html, pdf
from migdev.reports.global_report import FORMATS, cite, fig
from migdev.reports.world import NAMES, WorldData, load

TOP_CORRIDORS = 5
ROLES = {"role_origin": N_("Countries mainly of origin"), "role_transit": N_("Countries of transit"),
         "role_destination": N_("Countries mainly of destination")}


def _latest_row(data: WorldData, key: str, indicator: str, unit: str) -> dict[str, Any]:
    rows = data.rows(key, indicator)
    if rows is not None:
        rows = rows[(rows["sex"] == "total") & rows["value"].notna() & rows["rank"].isna()]
    if rows is None or rows.empty:
        return fig(data, None, unit, None, data.profiles.tables.indicator_source.get(indicator))
    row = rows.loc[rows["year"].idxmax()]
    out = fig(data, row["value"], unit, int(row["year"]), row["source"])
    if row["members"] is not None and str(row["members"]) != "<NA>":
        out["members"] = int(row["members"])
    return out


def _corridors(data: WorldData, key: str, lang: str, year: int) -> dict[str, Any]:
    rows = data.rows(key, "stock_top_corridors")
    names = dict(zip(data.profiles.data.countries["iso3"], data.profiles.data.countries[f"name_{lang}"],
                     strict=True))
    if rows is None:
        return {"items": [], "figure": fig(data, None, "persons", year, None)}
    rows = rows[(rows["sex"] == "total") & (rows["year"] == year) & rows["rank"].notna()].sort_values("rank")
    items = []
    for partner, value in zip(rows["partner"].head(TOP_CORRIDORS), rows["value"].head(TOP_CORRIDORS), strict=True):
        origin, _sep, destination = str(partner).partition(">")
        items.append({"origin": names.get(origin, origin), "destination": names.get(destination, destination),
                      "persons": fig(data, value, "persons", year, None)})
    source = str(rows["source"].iloc[0]) if len(rows) else None
    return {"items": items, "figure": fig(data, len(items) or None, "count", year, source)}


def sheet(data: WorldData, key: str, lang: str) -> dict[str, Any]:
    """One key-facts sheet: the profile's figures plus roles and corridors."""
    prof = data.profile(key, lang)
    year = data.profiles.data.ims_last  # the newest year of the IMS revision the profiles read
    roles = {r: _latest_row(data, key, r, "count") for r in ROLES}
    return {"key": key, "name": prof["name"], "p": prof, "roles": roles,
            "corridors": _corridors(data, key, lang, year), "members": len(prof.get("members", []))}


def context(data: WorldData, lang: str, region: str | None = None) -> dict[str, Any]:
    keys = data.keys
    if region is not None:
        if region not in NAMES:
            raise QueryError(f"unknown region {region!r}; choose one of {', '.join(k for k in NAMES)}")
        keys = [k for k in keys if k == region]
    if not keys:
        raise QueryError("the database holds no profile of the world or its SDG regions: rebuild it")
    sheets = [sheet(data, k, lang) for k in keys]
    cited = {s["source_id"] for sh in sheets for s in sh["p"]["sources"]}
    return {"sheets": sheets, "roles": ROLES, "cite": cite,
            "sources": [data.source(s) for s in sorted(cited) if data.source(s) is not None]}


def render(db: Any, lang: str = "en", fmt: str = "html", region: str | None = None) -> str | bytes:
    """The briefing pack (every sheet, or one region's) as an HTML page (str) or a PDF (bytes)."""
    if fmt not in FORMATS:
        raise QueryError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")
    data = load(db)
    ctx = context(data, lang, region)
    page = html.environment(lang).get_template("dialogue.html.j2").render(
        **ctx, notes=pdf.Footnotes() if fmt == "pdf" else pdf.Inline(), built=data.profiles.data.loaded_at,
        ims_revision=data.profiles.data.ims_revision)
    return pdf.to_pdf(page) if fmt == "pdf" else page
