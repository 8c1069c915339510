"""The API against a real uvicorn server over the real database: every endpoint, format, filter kind, paging,
ETag/304, citations, and the error statuses (404, 422, 503)."""

from __future__ import annotations

import io
import json
import urllib.parse

import httpx
import pandas as pd
import pyarrow.parquet as pq
import pytest

from migdev.query import QUERIES
from migdev.web.api import HIDDEN, PATHS

pytestmark = pytest.mark.realdata

#: One request per query endpoint that matches rows in the real database (filters of every kind).
QUERY_CASES = {
    "stock": {"origin": "KEN", "destination": "UGA", "sex": "female", "year": 2024},
    "totals": {"iso3": "Kenya", "year": [2020, 2024]},
    "population": {"iso3": "KEN", "year": 2020},
    "vital": {"iso3": "KEN"},
    "wdi": {"iso3": "KEN", "indicator": "BX.TRF.PWKR.CD.DT"},
    "flows": {"origin": "MEX", "destination": "USA", "method": "all", "period": 2015},
    "flow_band": {"origin": "MEX", "destination": "USA"},
    "stock_age": {"iso3": "KEN", "sex": "male"},
    "refugees": {"origin": "SYR", "asylum": "TUR"},
    "remittances": {"sender": "USA", "receiver": "MEX"},
    "indicators": {"iso3": "KEN", "indicator": "stock_immigrant_share"},
    "remittance_costs": {"sender": "USA", "receiver": "MEX"},
    "migrant_deaths": {"iso3": "MEX"},
    "area_geometry": {"iso3": "KEN"},
    "area_points": {"iso3": "TUV"},
    "group_values": {"group": "m49:900"},
    "group_members": {"group": "m49:903"},
    "releases": {"product": "undesa_ims"},
    "model_fit": {"specification": "stock_gravity", "year": 2024},
    "remittance_estimates": {"sender": "USA", "receiver": "MEX", "year": 2024},
    "remittance_validation": {"edition": 2021},
}


def path_of(name: str) -> str:
    return "/api/v1" + PATHS.get(name, (f"/{name.replace('_', '-')}", ""))[0]


def test_every_query_has_an_endpoint_and_a_case(client: httpx.Client) -> None:
    served = {n for n in QUERIES if n not in HIDDEN}
    assert served == set(QUERY_CASES)
    paths = client.get("/openapi.json").json()["paths"]
    assert {path_of(n) for n in served} <= set(paths)


@pytest.mark.parametrize("name", sorted(QUERY_CASES))
def test_query_endpoint_json(client: httpx.Client, name: str) -> None:
    r = client.get(path_of(name), params=QUERY_CASES[name])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] >= len(body["rows"]) > 0
    assert body["columns"] == list(body["rows"][0])
    assert body["query"]["query"] == name
    assert r.headers["X-Total-Count"] == str(body["total"])
    if name not in ("indicators",):  # indicator rows cite what they name; all others read release files
        assert body["sources"] and body["citation"]
        assert all(s["sha256"] and s["licence"] for s in body["sources"])
    assert r.headers["X-Citation"].isascii() and r.headers["X-Citation"]
    assert r.headers["Cache-Control"].startswith("public")
    assert r.headers["ETag"].startswith('"')


def test_stock_filters_narrow_and_group_filters_expand(client: httpx.Client) -> None:
    one = client.get("/api/v1/stocks", params={"origin": "KEN", "destination": "UGA", "year": 2024,
                                               "sex": "total"}).json()
    assert one["total"] == 1 and one["rows"][0]["persons"] > 0
    assert one["rows"][0]["origin_name"] == "Kenya"
    group = client.get("/api/v1/stocks", params={"origin": "Eastern Africa", "destination": "UGA", "year": 2024,
                                                 "sex": "total", "limit": 1000}).json()
    assert group["total"] > 5 and "KEN" in {r["origin"] for r in group["rows"]}
    summed = client.get("/api/v1/stocks", params={"origin": "Eastern Africa", "destination": "UGA", "year": 2024,
                                                  "sex": "total", "by": "destination"}).json()
    assert summed["total"] == 1
    assert summed["rows"][0]["persons"] == sum(r["persons"] for r in group["rows"])
    regions = client.get("/api/v1/stocks", params={"origin": "KEN", "year": 2024, "sex": "total",
                                                   "by": "destination_region"}).json()
    assert {r["destination"] for r in regions["rows"]} >= {"m49:903"}
    assert all(r["origin"] == "KEN" for r in regions["rows"])


def test_flows_method_sex_period_and_band(client: httpx.Client) -> None:
    every = client.get("/api/v1/flows", params={"origin": "MEX", "destination": "USA", "method": "all",
                                                "period": 2015, "sex": "total"}).json()
    methods = {r["method"] for r in every["rows"]}
    assert len(methods) >= 3 and "da_pb_closed" in methods
    assert sum(r["recommended"] for r in every["rows"]) == 1
    female = client.get("/api/v1/flows", params={"origin": "MEX", "destination": "USA", "sex": "female",
                                                 "period": 2015}).json()
    assert {r["sex"] for r in female["rows"]} == {"female"}
    band = client.get("/api/v1/flows/band", params={"origin": "MEX", "destination": "USA", "period": 2015,
                                                    "sex": "total"}).json()["rows"][0]
    assert band["flow_min"] <= band["flow_median"] <= band["flow_max"]
    flows = [r["flow"] for r in every["rows"]]
    assert band["flow_max"] >= max(flows) * 0.999
    regions = client.get("/api/v1/flows", params={"origin": "Africa", "by": "destination_region", "period": 2015,
                                                  "sex": "total"}).json()
    assert regions["total"] >= 5


def test_lang_chooses_names(client: httpx.Client) -> None:
    names = {}
    for lang in ("en", "fr", "es", "ru", "zh", "ar"):
        r = client.get("/api/v1/stocks", params={"origin": "DEU", "destination": "USA", "year": 2024,
                                                 "sex": "total", "lang": lang}).json()
        names[lang] = r["rows"][0]["origin_name"]
    assert names["en"] == "Germany" and names["fr"] == "Allemagne"
    assert names["zh"] == "德国" and "ألمانيا" in names["ar"]
    countries = client.get("/api/v1/countries", params={"iso3": "DEU", "lang": "ru"}).json()
    assert countries["rows"][0]["name"] == "Германия"


def test_paging_is_consistent(client: httpx.Client) -> None:
    params = {"origin": "KEN", "year": 2024, "sex": "total", "sort": "+destination"}
    whole = client.get("/api/v1/stocks", params={**params, "limit": 1000}).json()
    total = whole["total"]
    assert total > 20
    pages, offset = [], 0
    while True:
        r = client.get("/api/v1/stocks", params={**params, "limit": 7, "offset": offset})
        body = r.json()
        assert body["total"] == total and body["limit"] == 7 and body["offset"] == offset
        pages += body["rows"]
        if body["next"] is None:
            assert 'rel="next"' not in r.headers.get("Link", "")
            break
        assert 'rel="next"' in r.headers["Link"]
        offset += 7
    assert pages == whole["rows"]
    beyond = client.get("/api/v1/stocks", params={**params, "offset": total + 5}).json()
    assert beyond["rows"] == [] and beyond["total"] == total


def test_csv_and_parquet_by_parameter_and_accept(client: httpx.Client) -> None:
    params = {"origin": "KEN", "year": 2024, "sex": "total", "limit": 10}
    ref = client.get("/api/v1/stocks", params=params).json()
    for how in ({"params": {**params, "format": "csv"}}, {"params": params, "headers": {"Accept": "text/csv"}}):
        r = client.get("/api/v1/stocks", **how)
        assert r.headers["content-type"].startswith("text/csv")
        assert "attachment" in r.headers["Content-Disposition"]
        frame = pd.read_csv(io.StringIO(r.text))
        assert list(frame.columns) == ref["columns"]
        assert frame["persons"].tolist() == [row["persons"] for row in ref["rows"]]
    for how in ({"params": {**params, "format": "parquet"}},
                {"params": params, "headers": {"Accept": "application/vnd.apache.parquet"}}):
        r = client.get("/api/v1/stocks", **how)
        assert r.headers["content-type"] == "application/vnd.apache.parquet"
        table = pq.read_table(io.BytesIO(r.content))
        assert table.column("persons").to_pylist() == [row["persons"] for row in ref["rows"]]
        meta = json.loads(table.schema.metadata[b"migdev"])
        assert meta["sources"][0]["source_id"] == "ims2024_bilateral"
    csv_tag = client.get("/api/v1/stocks", params={**params, "format": "csv"}).headers["ETag"]
    assert csv_tag != client.get("/api/v1/stocks", params=params).headers["ETag"]


@pytest.mark.parametrize("path", ["/api/v1/stocks?origin=KEN&year=2024", "/api/v1/profiles/KEN",
                                  "/api/v1/countries/KEN", "/api/v1/corridors/MEX/USA", "/api/v1/groups",
                                  "/api/v1/indicators/catalogue"])
def test_etag_gives_304(client: httpx.Client, path: str) -> None:
    first = client.get(path)
    assert first.status_code == 200
    tag = first.headers["ETag"]
    again = client.get(path, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == tag
    assert client.get(path, headers={"If-None-Match": f'W/{tag}, "other"'}).status_code == 304
    assert client.get(path, headers={"If-None-Match": '"stale"'}).status_code == 200


def test_countries_and_one_country(client: httpx.Client) -> None:
    every = client.get("/api/v1/countries", params={"limit": 1000}).json()
    assert every["total"] >= 230 and {"KEN", "CHI", "XKX"} <= {r["iso3"] for r in every["rows"]}
    africa = client.get("/api/v1/countries", params={"iso3": "Africa", "limit": 1000}).json()
    assert 50 <= africa["total"] <= 62
    ken = client.get("/api/v1/countries/Kenia").json()  # Spanish name
    assert ken["iso3"] == "KEN" and ken["names"]["zh"] == "肯尼亚" and ken["m49"] == 404
    assert "m49:903" in {g["code"] for g in ken["groups"]}
    assert client.get("/api/v1/countries/KEN", params={"lang": "fr"}).json()["name"] == "Kenya"
    assert client.get("/api/v1/countries/m49:903").status_code == 404


def test_groups_and_one_group(client: httpx.Client) -> None:
    income = client.get("/api/v1/groups", params={"member": "KEN", "limit": 500}).json()
    assert "m49:903" in {r["group_id"] for r in income["rows"]}
    africa = client.get("/api/v1/groups/Africa", params={"lang": "fr"}).json()
    assert africa["group_id"] == "m49:903" and len(africa["members"]) >= 50
    assert "Kenya" in {m["name"] for m in africa["members"]} and africa["sources"]
    assert africa["name"] == "Afrique" and africa["names"]["zh"] == "非洲"  # the group's name in the language
    ken = client.get("/api/v1/countries/KEN", params={"lang": "es"}).json()
    assert {g["code"]: g["name"] for g in ken["groups"]}["m49:910"] == "África Oriental"
    assert client.get("/api/v1/groups/KEN").status_code == 404


def test_indicator_catalogue_names_what_the_values_hold(client: httpx.Client) -> None:
    from migdev.indicators import CATALOGUE

    cat = client.get("/api/v1/indicators/catalogue", params={"limit": 1000}).json()
    assert [r["indicator"] for r in cat["rows"]] == list(CATALOGUE)
    held = client.get("/api/v1/indicators", params={"iso3": "KEN", "limit": 100_000}).json()
    assert {r["indicator"] for r in held["rows"]} <= set(CATALOGUE)


def test_profile_is_the_report_json(client: httpx.Client, real_db) -> None:
    from migdev.reports import open_profiles  # noqa: F401 (the web serves what the reports build)

    r = client.get("/api/v1/profiles/KEN")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    prof = r.json()
    assert prof["id"] == "KEN" and prof["immigrants"]["stock"]["value"] > 0 and prof["sources"]
    assert client.get("/api/v1/profiles/Kenya").content == r.content
    zh = client.get("/api/v1/profiles/KEN", params={"lang": "zh"}).json()
    assert zh["lang"] == "zh" and zh["name"] == "肯尼亚"
    world = client.get("/api/v1/profiles/WLD").json()
    assert world["kind"] == "group" and world["id"] == "m49:900"
    assert client.get("/api/v1/profiles/Atlantis").status_code == 404


def test_corridor_has_every_section(client: httpx.Client) -> None:
    body = client.get("/api/v1/corridors/MEX/USA").json()
    assert body["origin"]["code"] == "MEX" and body["destination"]["code"] == "USA"
    s = body["sections"]
    assert {r["sex"] for r in s["stocks"]["rows"]} == {"total", "male", "female"}
    assert len({r["year"] for r in s["stocks"]["rows"]}) >= 7
    assert len({r["method"] for r in s["flows"]["rows"]}) >= 3
    assert s["flow_band"]["rows"] and s["remittances"]["rows"] and s["remittance_costs"]["rows"]
    assert all(r["sender"] == "USA" and r["receiver"] == "MEX" for r in s["remittances"]["rows"])
    refugees = client.get("/api/v1/corridors/SYR/TUR").json()["sections"]["refugees"]["rows"]
    assert refugees and all(r["asylum"] == "TUR" for r in refugees)
    assert body["citation"] and {x["source_id"] for x in body["sources"]} >= {"ims2024_bilateral"}
    grouped = client.get("/api/v1/corridors/Africa/Europe").json()["sections"]["stocks"]["rows"]
    assert grouped and {r["origin"] for r in grouped} == {"m49:903"}
    assert client.get("/api/v1/corridors/MEX/Atlantis").status_code == 404
    assert client.get("/api/v1/corridors/VAT/TUV").status_code == 404  # nothing known about the pair


def test_sources_cite_every_release(client: httpx.Client, observatory) -> None:
    body = client.get("/api/v1/sources", params={"limit": 1000}).json()
    assert {r["source_id"] for r in body["rows"]} == set(observatory.sources()["source_id"])
    assert all(r["citation"] and r["licence"] and len(r["sha256"]) == 64 for r in body["rows"])


def test_docs_page_is_served_locally(client: httpx.Client) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert "http" not in page.text.split("<body>")[0].replace("http-equiv", "")
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE"):
        assert client.get(f"/static/vendor/swagger-ui/{asset}").status_code == 200
    schema = client.get("/openapi.json").json()
    sex = next(p for p in schema["paths"]["/api/v1/stocks"]["get"]["parameters"] if p["name"] == "sex")
    assert "total" in json.dumps(sex["schema"]) and "female" in json.dumps(sex["schema"])


@pytest.mark.parametrize(("path", "status", "field"), [
    ("/api/v1/stocks?sex=both", 422, "sex"),
    ("/api/v1/flows?method=guess", 422, "method"),
    ("/api/v1/stocks?lang=de", 422, "lang"),
    ("/api/v1/stocks?format=xml", 422, "format"),
    ("/api/v1/stocks?limit=0", 422, "limit"),
    ("/api/v1/stocks?limit=100000000", 422, "limit"),
    ("/api/v1/stocks?offset=-1", 422, "offset"),
    ("/api/v1/stocks?by=planet", 422, "by"),
    ("/api/v1/stocks?origin=" + "x" * 5000, 422, "origin"),
    ("/api/v1/stocks?year=abc", 422, "year"),
])
def test_invalid_parameters_name_the_field(client: httpx.Client, path: str, status: int, field: str) -> None:
    r = client.get(path)
    assert r.status_code == status
    body = r.json()
    assert body["field"] == field and field in body["detail"]
    if field in ("sex", "lang", "format", "method"):
        assert body["allowed"] and all(a in body["detail"] for a in body["allowed"])


@pytest.mark.parametrize(("path", "says"), [
    ("/api/v1/stocks?origin=Atlantis", "did you mean"),
    ("/api/v1/stocks?year=1066", "1990"),
    ("/api/v1/stocks?revision=1999", "2024"),
    ("/api/v1/stocks?where=persons%20%3E%3E%201", "COLUMN OP VALUE"),
    ("/api/v1/stocks?sort=nothing&origin=KEN", "not a column"),
    ("/api/v1/wdi?indicator=NOPE", "expected one of"),
])
def test_query_errors_are_422_with_choices(client: httpx.Client, path: str, says: str) -> None:
    r = client.get(path)
    assert r.status_code == 422 and r.json()["error"] == "QueryError" and says in r.json()["detail"]


@pytest.mark.parametrize("value", ["\x00", "\u202e\u0645\u0635\u0631", "💥" * 50, "'; DROP TABLE source; --",
                                   "%00", "\ud7ff\ufffe", " ", "Ｋｅｎｙａ"])
def test_hostile_strings_are_4xx_never_5xx(client: httpx.Client, value: str) -> None:
    for path, params in (("/api/v1/stocks", {"origin": value}), ("/api/v1/indicators", {"indicator": value}),
                         ("/api/v1/stocks", {"where": value}), ("/api/v1/groups", {"kind": value})):
        r = client.get(path, params=params)
        assert r.status_code < 500, (path, value, r.text)
    quoted = urllib.parse.quote(value, safe="")
    for path in (f"/api/v1/profiles/{quoted}", f"/api/v1/countries/{quoted}", f"/api/v1/corridors/{quoted}/USA"):
        r = client.get(path)
        assert r.status_code < 500, (path, r.text)
