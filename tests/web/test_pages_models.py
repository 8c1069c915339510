"""The models page, the scenario endpoint, the reports and the corridor's re-estimated remittances, over HTTP
against the real server (uvicorn on 127.0.0.1 over the real database)."""

from __future__ import annotations

import io
import json
import re

import httpx
import pandas as pd
import pytest

from migdev.query import run

pytestmark = pytest.mark.realdata


def _get(base: str, path: str, timeout: float = 120) -> httpx.Response:
    return httpx.get(base + path, timeout=timeout, follow_redirects=False)


# -- models page ----------------------------------------------------------------------------------------------
def test_models_page_shows_every_fit_with_standard_errors_and_the_caveat(page_server, observatory) -> None:
    r = _get(page_server, "/en/models")
    assert r.status_code == 200
    html = r.text
    fits = run("model_fit", observatory).frame
    for spec in fits["specification"].unique():
        assert f'id="spec-{spec}"' in html
    assert "Association, not causation." in html
    assert '<a href="/en/models" aria-current="page">' in html  # in the site navigation
    # the 2024 cross-section's distance elasticity and its standard error, as the page writes them (3 digits)
    row = fits[(fits["specification"] == "stock_gravity") & (fits["year_start"] == 2024)
               & (fits["term"] == "log_distance")].iloc[0]
    assert row["estimate"] < 0
    assert f"{row['estimate']:.3f}" in html
    assert f"({row['std_error']:.3f})" in html
    assert '<svg' in html and 'id="chart-distance"' in html
    assert 'id="scenario-form"' in html and 'src="/static/models.js"' in html
    # the remittance validation: one row per KNOMAD edition and basis of the chosen variant
    valid = run("remittance_validation", observatory).frame
    chosen = valid[valid["chosen"]]
    table = html[html.index('id="validation"'):]
    table = table[:table.index("</table>")]
    assert table.count("<tr><th scope=\"row\">") == len(chosen)
    for edition in chosen["edition"].unique():
        assert f'<th scope="row">{edition}</th>' in table
    assert chosen["method_version"].iloc[0] in html


def test_models_page_in_arabic_is_right_to_left_and_french_numbers(page_server) -> None:
    ar = _get(page_server, "/ar/models").text
    assert re.search(r'<html lang="ar" dir="rtl">', ar)
    fr = _get(page_server, "/fr/models").text
    assert re.search(r"\d\u202f\d{3}|\d\u00a0\d{3}", fr)  # French thousands separator (narrow no-break space)


# -- scenario endpoint ----------------------------------------------------------------------------------------
def test_scenario_answers_total_and_corridors_with_band_and_citation(page_server, observatory) -> None:
    r = _get(page_server, "/api/v1/scenario?origin=ETH&gni_growth=0.3&years=10")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    body = r.json()
    total, corridors = body["rows"][0], body["rows"][1:]
    assert total["level"] == "total" and total["origin"] == "ETH" and corridors
    assert total["change_low"] < total["change"] < total["change_high"]
    assert total["stock"] == pytest.approx(sum(c["stock"] for c in corridors))
    assert {s["source_id"] for s in body["sources"]} >= {"ims2024_bilateral", "wdi_long"}
    assert "ims2024_bilateral" in r.headers["x-citation"] or "Migrant Stock" in r.headers["x-citation"]
    assert any("not a causal forecast" in n for n in body["notes"])
    same = observatory.scenario_answer("ETH", 0.3, 10).frame
    assert total["change"] == pytest.approx(float(same["change"].iloc[0]))
    fr = _get(page_server, "/api/v1/scenario?origin=Éthiopie&gni_growth=0.3&years=10&lang=fr").json()
    assert fr["rows"][0]["origin_name"] == "Éthiopie" and fr["rows"][0]["change"] == pytest.approx(total["change"])


def test_scenario_formats(page_server) -> None:
    q = "/api/v1/scenario?origin=Eastern%20Africa&gni_growth=0.2&years=5"
    csv = _get(page_server, q + "&format=csv")
    assert csv.headers["content-type"].startswith("text/csv")
    frame = pd.read_csv(io.StringIO(csv.text))
    assert frame["level"].iloc[0] == "total" and (frame["level"].iloc[1:] == "corridor").all()
    pq = _get(page_server, q + "&format=parquet")
    assert pq.content[:4] == b"PAR1"
    assert pd.read_parquet(io.BytesIO(pq.content))["change"].iloc[0] == pytest.approx(frame["change"].iloc[0])
    accept = httpx.get(page_server + q, headers={"Accept": "text/csv"}, timeout=60)
    assert accept.headers["content-type"].startswith("text/csv")
    tag = accept.headers["etag"]
    again = httpx.get(page_server + q, headers={"Accept": "text/csv", "If-None-Match": tag}, timeout=60)
    assert again.status_code == 304


@pytest.mark.parametrize("query, field", [
    ("origin=ETH&gni_growth=20&years=10", "gni_growth"),  # a growth the panel never saw over 10 years
    ("origin=ETH&gni_growth=0.3&years=150", "years"),  # longer than the panel
    ("origin=Atlantis&gni_growth=0.3&years=10", "origin"),  # no such place
    ("origin=ETH&gni_growth=-1.5&years=10", "gni_growth"),  # outside the parameter's domain (schema)
    ("origin=ETH&years=10", "gni_growth"),  # missing
])
def test_scenario_refuses_outside_the_support_naming_the_field(page_server, query, field) -> None:
    r = _get(page_server, "/api/v1/scenario?" + query)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["field"] == field and body["detail"]


def test_scenario_refusal_gives_the_range_the_panel_saw(page_server) -> None:
    body = _get(page_server, "/api/v1/scenario?origin=ETH&gni_growth=20&years=10").json()
    low, high = (float(v) for v in body["allowed"])
    assert low < 0 < high < 20 and "outside what the panel saw" in body["detail"]
    assert _get(page_server, f"/api/v1/scenario?origin=ETH&gni_growth={high * 0.99}&years=10").status_code == 200


def test_scenario_is_in_the_openapi_schema_with_its_response_model(page_server) -> None:
    schema = _get(page_server, "/openapi.json").json()
    op = schema["paths"]["/api/v1/scenario"]["get"]
    assert op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Table")
    assert {p["name"] for p in op["parameters"]} >= {"origin", "gni_growth", "years", "format"}


# -- reports --------------------------------------------------------------------------------------------------
def test_reports_list_and_pages(page_server) -> None:
    index = _get(page_server, "/fr/reports").text
    for href in ("/fr/reports/global", "/fr/reports/global.pdf", "/fr/reports/dialogue",
                 "/fr/reports/dialogue.pdf", "/fr/reports/dialogue?region=m49:947"):
        assert f'href="{href}"' in index
    page = _get(page_server, "/fr/reports/global")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert 'id="key-messages"' in html and 'class="languages"' in html and html.count("<main") == 1
    assert 'href="/fr/reports/global.pdf"' in html
    sheet = _get(page_server, "/en/reports/dialogue?region=m49:947").text
    assert "Sub-Saharan Africa" in sheet and "Europe and Northern America" not in sheet.split('id="report"')[1]
    assert _get(page_server, "/en/reports/dialogue?region=nowhere").status_code == 404
    assert _get(page_server, "/en/reports/annual").status_code == 404


@pytest.mark.parametrize("path, filename", [
    ("/en/reports/global.pdf", "migdev-global.en.pdf"),
    ("/ar/reports/dialogue.pdf?region=m49:1833", "migdev-dialogue-m491833.ar.pdf"),
    ("/en/country/KEN.pdf", "profile-KEN.en.pdf"),
])
def test_pdfs_are_served_inline_as_pdf(page_server, path, filename) -> None:
    r = _get(page_server, path, timeout=300)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == f'inline; filename="{filename}"'
    assert r.content.startswith(b"%PDF")
    assert _get(page_server, path).content == r.content  # kept: the second answer is the same bytes


def test_country_page_links_its_pdf_and_aliases_redirect(page_server) -> None:
    html = _get(page_server, "/en/country/KEN").text
    assert 'href="/en/country/KEN.pdf"' in html and 'href="/api/v1/profiles/KEN?lang=en"' in html
    r = _get(page_server, "/en/country/Kenya.pdf")
    assert r.status_code == 307 and r.headers["location"] == "/en/country/KEN.pdf"


# -- corridor -------------------------------------------------------------------------------------------------
def test_corridor_shows_migdev_remittance_estimates_next_to_knomad(page_server, observatory) -> None:
    html = _get(page_server, "/en/corridor/MEX/USA").text
    est = run("remittance_estimates", observatory, sender="USA", receiver="MEX").frame
    pub = run("remittances", observatory, sender="USA", receiver="MEX", edition="all").frame
    version = str(est["method_version"].iloc[0])
    table = html[html.index('id="remittance-table"'):]
    table = table[:table.index("</table>")]
    assert f"Estimated by migdev ({version})" in table and "Published by KNOMAD/World Bank (edition)" in table
    years = {int(y) for y in re.findall(r'<th scope="row">(\d{4})</th>', table)}
    assert years == set(est["year"].astype(int)) | set(pub["edition"].astype(int))
    assert max(years) > 2021  # the estimates go past KNOMAD's last edition
    assert 'id="chart-remittances"' in html and "not published figures" in html
    link = re.search(r'href="(/api/v1/remittance-estimates\?[^"]+format=json)"', html).group(1).replace("&amp;", "&")
    body = _get(page_server, link).json()
    assert body["total"] == len(est) and json.dumps(body["notes"]).count("not a published series")
