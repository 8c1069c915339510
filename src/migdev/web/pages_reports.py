"""The reports served by the web app: the global data report, the High-level Dialogue pack, profile PDFs.

URLs: ``/{lang}/reports`` (the list), ``/{lang}/reports/global`` and ``/{lang}/reports/dialogue`` (HTML inside the
site's frame), ``.pdf`` of each (``?region=`` picks one sheet of the pack), ``/{lang}/country/{code}.pdf`` (the
profile as PDF). Everything is rendered by :mod:`migdev.reports` (``bundle.REPORTS``, ``ProfileSet.render``) and
kept as bytes per worker (:meth:`migdev.web.app.Database.report_bytes`): a PDF takes seconds the first time.

Why the HTML report is cut out of its page: the report templates make whole documents (the same HTML WeasyPrint
lays out); on the site the report's body goes inside the site's frame (navigation, language switcher, ``dir``), and
its own stylesheet, written for a standalone page, is left out for the site's.
"""

from __future__ import annotations

import re

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from migdev.errors import QueryError
from migdev.i18n import N_
from migdev.reports import html as report_html
from migdev.reports.world import NAMES
from migdev.web.app import database
from migdev.web.pages_render import PageNotFound, check_lang, render

router = APIRouter(include_in_schema=False)

#: The reports the site lists: (name, title message id, what it is).
REPORTS = (
    ("global", N_("International migration and development: global data report"),
     N_("The data report General Assembly resolution 58/208 (paragraph 8) asks for: world and regional trends "
        "of migrant stocks by sex since 1990, estimated flows, remittances against FDI and ODA, their cost against "
        "the SDG target, refugees, skilled emigration, SDG 10.7 and the gravity models; key messages computed "
        "from the data.")),
    ("dialogue", N_("High-level Dialogue briefing pack"),
     N_("One key-facts sheet for the world and one per SDG region for the round tables (origin, transit and "
        "destination roles, top corridors, remittances and their cost, refugees, gender), and a chair's-summary "
        "annex of the figures.")),
)
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S)


def _region(lang: str, region: str | None) -> str | None:
    if region in (None, ""):
        return None
    if region not in NAMES:
        raise PageNotFound(f"unknown region {region!r}; the briefing pack has sheets for {', '.join(NAMES)}", lang)
    return region


def _pdf(body: bytes, filename: str) -> Response:
    return Response(body, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"',
                             "Cache-Control": "public, max-age=600"})


def embed(page: str) -> Markup:
    """The body of a report page, its ``<main>`` made a ``<div>`` (the site's frame has the page's ``main``)."""
    found = _BODY.search(page)
    inner = found.group(1) if found else page
    inner = re.sub(r"<main(\s[^>]*)?>", '<div class="report-main">', inner).replace("</main>", "</div>")
    return Markup(inner)  # rendered by migdev's own autoescaped templates


@router.get("/{lang}/reports", response_class=HTMLResponse)
def reports(request: Request, lang: str):
    check_lang(lang)
    # The sheets' names in ``lang`` as the group table holds them (the catalogues do not: see reports.world).
    names = database(request).obs.catalog.places().names(pd.Series(NAMES), lang)
    return render(request, lang, "reports.html.j2", path="/reports", reports=REPORTS,
                  regions=dict(zip(NAMES, names, strict=True)))


@router.get("/{lang}/reports/{report}.pdf")
async def report_pdf(request: Request, lang: str, report: str, region: str | None = Query(None)) -> Response:
    check_lang(lang)
    if report not in dict((r[0], r) for r in REPORTS):
        raise PageNotFound(f"unknown report {report!r}; the reports are {', '.join(r[0] for r in REPORTS)}", lang)
    region = _region(lang, region) if report == "dialogue" else None
    body = await run_in_threadpool(database(request).report_bytes, report, lang, "pdf", region)
    suffix = f"-{region.replace(':', '')}" if region else ""
    return _pdf(body, f"migdev-{report}{suffix}.{lang}.pdf")


@router.get("/{lang}/reports/{report}", response_class=HTMLResponse)
async def report_page(request: Request, lang: str, report: str, region: str | None = Query(None)):
    check_lang(lang)
    titles = {r[0]: r[1] for r in REPORTS}
    if report not in titles:
        raise PageNotFound(f"unknown report {report!r}; the reports are {', '.join(titles)}", lang)
    region = _region(lang, region) if report == "dialogue" else None
    page = await run_in_threadpool(database(request).report_bytes, report, lang, "html", region)
    pdf = f"/{lang}/reports/{report}.pdf" + (f"?region={region}" if region else "")
    return render(request, lang, "report_page.html.j2", path=f"/reports/{report}", title=titles[report],
                  body=embed(page.decode()), pdf=pdf, report=report, region=region, regions=NAMES)


@router.get("/{lang}/country/{code}.pdf")
async def profile_pdf(request: Request, lang: str, code: str) -> Response:
    check_lang(lang)
    db = database(request)
    try:
        key = db.profiles.resolve(code)
    except QueryError as exc:
        raise PageNotFound(str(exc), lang) from exc
    if key != code:
        return RedirectResponse(f"/{lang}/country/{key}.pdf", status_code=307)
    body = await run_in_threadpool(db.report_bytes, "profile", lang, "pdf", key)
    return _pdf(body, f"profile-{report_html.page_name(key)}.{lang}.pdf")
