"""Every profile from the real database: 233 countries/areas of IMS 2024 and every group, each page valid HTML5
with no network reference, each JSON with the documented keys; Mexico's top destination; missing never zero."""

from __future__ import annotations

import json
import time
from pathlib import Path

import duckdb
import pytest

from migdev.i18n import translator
from migdev.reports import open_profiles
from tests.reports.pages import network_references, parse_strict

pytestmark = pytest.mark.realdata

REQUIRED = ("immigrants.stock", "immigrants.share_of_population", "immigrants.female_share", "emigrants.stock",
            "emigrants.top_destinations", "refugees.hosted", "remittances.received_usd", "remittances.pct_gdp",
            "remittances.cost_pct", "skilled.high_skill_emigration_rate")


@pytest.fixture(scope="module")
def written(real_db: Path, tmp_path_factory: pytest.TempPathFactory):
    start = time.perf_counter()
    profiles = open_profiles(real_db)
    out = tmp_path_factory.mktemp("profiles")
    keys = [*profiles.countries(), *profiles.groups()]
    profiles.write_all(out, keys)
    return profiles, out, keys, time.perf_counter() - start


def test_every_country_and_group_is_written(written, real_db):
    profiles, out, keys, _ = written
    with duckdb.connect(str(real_db), read_only=True) as con:
        areas = {r[0] for r in con.execute("SELECT DISTINCT destination FROM migrant_stock WHERE revision = '2024'")
                 .fetchall()}
        groups = {r[0] for r in con.execute("SELECT group_id FROM area_group").fetchall()}
    assert len(areas) == 233 and set(profiles.countries()) == areas
    assert set(profiles.groups()) == groups
    for key in keys:
        stem = key.replace(":", "-")
        assert (out / f"{stem}.html").is_file() and (out / f"{stem}.json").is_file(), key


def test_every_page_is_valid_and_offline(written):
    _, out, _, _ = written
    pages = sorted(out.glob("*.html"))
    assert len(pages) > 233
    for page in pages:
        text = page.read_text(encoding="utf-8")
        parse_strict(text)
        assert network_references(text) == [], page.name


def test_json_keys(written):
    _, out, keys, _ = written
    for key in keys:
        prof = json.loads((out / f"{key.replace(':', '-')}.json").read_text(encoding="utf-8"))
        assert {"iso3", "name", "id"} <= set(prof)
        for dotted in REQUIRED:
            section, name = dotted.split(".")
            fig = prof[section][name]
            assert {"value", "year", "source", "revision", "unit"} <= set(fig), (key, dotted)
        top = prof["emigrants"]["top_destinations"]["value"] or []
        assert all(set(d) >= {"iso3", "persons"} for d in top)


def test_mexico_top_destination(written):
    _, out, _, _ = written
    mex = json.loads((out / "MEX.json").read_text(encoding="utf-8"))
    first = mex["emigrants"]["top_destinations"]
    assert first["year"] == 2024 and "ims2024_bilateral" in first["source"].split(",")
    assert (first["value"][0]["iso3"], first["value"][0]["persons"]) == ("USA", 11_279_561)
    assert "11,279,561" in (out / "MEX.html").read_text(encoding="utf-8")


def test_missing_is_shown_as_missing(written, real_db):
    """Areas with no WDI remittance row (e.g. territories) have null, not 0, and their page says so."""
    profiles, out, _, _ = written
    with duckdb.connect(str(real_db), read_only=True) as con:
        have = {r[0] for r in con.execute("SELECT DISTINCT iso3 FROM wdi WHERE indicator = 'BX.TRF.PWKR.CD.DT'")
                .fetchall()}
    without = [c for c in profiles.countries() if c not in have]
    assert without
    for code in without:
        prof = json.loads((out / f"{code}.json").read_text(encoding="utf-8"))
        assert prof["remittances"]["received_usd"]["value"] is None, code
        assert translator("en").missing() in (out / f"{code}.html").read_text(encoding="utf-8")
