"""The pages over HTTP against the real server: language in the URL, redirects to canonical places, HTML 404s,
the map's JSON and the downloads of every table shown, and no resource from outside the app."""

from __future__ import annotations

import io
import json
import re

import httpx
import pandas as pd
import pytest

pytestmark = pytest.mark.realdata


def _get(base: str, path: str) -> httpx.Response:
    return httpx.get(base + path, timeout=60, follow_redirects=False)


@pytest.mark.parametrize("path, target", [("/", "/en/"), ("/fr", "/fr/"), ("/en/country/Egypt", "/en/country/EGY"),
                                          ("/en/country/WLD", "/en/country/m49:900"),
                                          ("/es/corridor/Mexico/usa", "/es/corridor/MEX/USA")])
def test_redirects_to_the_canonical_url(page_server, path, target) -> None:
    r = _get(page_server, path)
    assert r.status_code == 307 and r.headers["location"] == target


@pytest.mark.parametrize("path, says", [("/xx/", "en, fr, es, ru, zh, ar"), ("/en/country/Narnia", "unknown place"),
                                        ("/en/corridor/MEX/m49:900", "a corridor joins two countries")])
def test_unknown_language_or_place_is_an_html_404_saying_what_is_valid(page_server, path, says) -> None:
    r = _get(page_server, path)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert says.lower() in r.text.lower() and "/en/country/KEN" in r.text


@pytest.mark.parametrize("path", ["/en/", "/ar/country/EGY", "/zh/country/m49:900", "/ru/corridor/SYR/DEU",
                                  "/fr/flows", "/es/flows?region=m49:1829&period=2010&sex=female", "/en/methods"])
def test_every_page_is_self_contained_and_switches_language(page_server, path) -> None:
    r = _get(page_server, path)
    assert r.status_code == 200
    lang = path.split("/")[1]
    assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in r.text
    external = re.findall(r'(?:src|href)="(https?:)?//', r.text)
    assert not external
    for code, name in (("ar", "العربية"), ("zh", "中文"), ("fr", "français")):
        assert f'lang="{code}" hreflang="{code}"' in r.text and name in r.text


def test_map_json_classes_and_legend(page_server) -> None:
    d = _get(page_server, "/en/data/map/refugees_per_100k_origin.json").json()
    assert d["default_year"] in d["years"] and d["sources"]
    year = d["by_year"][d["default_year"]]
    classes = {v[0] for v in year["values"].values()}
    assert classes <= set(range(5)) and len(classes) == len(year["legend"]) == 5
    assert _get(page_server, "/en/data/map/gdp.json").status_code == 422


def test_downloads_of_the_country_and_corridor_tables(page_server) -> None:
    csv = _get(page_server, "/en/data/profile/KEN.csv").text
    assert csv.startswith("id,key,value") and "emigrants.stock" in csv
    assert json.loads(_get(page_server, "/en/data/profile/KEN.json").text)["iso3"] == "KEN"
    flat = pd.read_parquet(io.BytesIO(_get(page_server, "/en/data/profile/KEN.parquet").content))
    assert (flat["id"] == "KEN").all() and len(flat) > 30
    page = _get(page_server, "/en/corridor/MEX/USA").text
    links = {h.replace("&amp;", "&") for h in re.findall(r'href="(/api/v1/[^"]+)" download', page)}
    assert not re.search(r'href="/en/data/corridor/', page)  # the API answers every corridor table
    flows_csv = next(h for h in links if h.startswith("/api/v1/flows?") and h.endswith("format=csv"))
    flows = pd.read_csv(io.StringIO(_get(page_server, flows_csv).text))
    assert set(flows["method"]) >= {"da_pb_closed", "sd_drop_neg"} and (flows["flow"] > 0).all()
    stock_json = next(h for h in links if h.startswith("/api/v1/stocks?") and h.endswith("format=json"))
    body = _get(page_server, stock_json).json()
    assert body["sources"] and body["rows"] and body["total"] == len(body["rows"])
