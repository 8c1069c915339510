"""The profile on the small generated database: keys, figures against the base tables, missing as missing,
group sums, HTML validity without network references, JSON/CSV output and the CLI commands."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from migdev.cli import app
from migdev.errors import QueryError
from migdev.i18n import catalogue, message_ids, translator
from migdev.reports import open_profiles, profile
from tests.reports.pages import network_references, parse_strict

FIGURE_FIELDS = {"value", "unit", "year", "source", "revision", "note"}


@pytest.fixture(scope="module")
def profiles(small_db: Path):
    return open_profiles(small_db)


def _get(prof: dict, dotted: str) -> dict:
    section, name = dotted.split(".")
    return prof[section][name]


def _sql(db: Path, query: str, params: list | None = None):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(query, params or []).fetchone()


def test_every_profile_has_every_key(profiles):
    keys = [*profiles.countries(), *profiles.groups()]
    assert "MEX" in keys and "m49:900" in keys
    for key in keys:
        prof = profiles.build(key)
        assert prof["id"] == key and prof["name"]
        for dotted in profile.KEYS:
            fig = _get(prof, dotted)
            assert set(fig) >= FIGURE_FIELDS, (key, dotted)
            assert fig["source"], (key, dotted)
        for fig in prof["governance"]["sdg_10_7_2"].values():
            assert set(fig) >= FIGURE_FIELDS
        json.loads(profiles.render(prof, "json"))


def test_country_figures_match_the_base_tables(profiles, small_db):
    prof = profiles.build("USA")
    rev = prof["ims_revision"]
    year, imm, pop = _sql(small_db, "SELECT year, immigrants, population FROM migrant_stock_total WHERE revision = ? "
                                    "AND iso3 = 'USA' AND sex = 'total' ORDER BY year DESC LIMIT 1", [rev])
    fem = _sql(small_db, "SELECT immigrants FROM migrant_stock_total WHERE revision = ? AND iso3 = 'USA' "
                         "AND sex = 'female' AND year = ?", [rev, year])[0]
    stock = prof["immigrants"]["stock"]
    assert (stock["value"], stock["year"], stock["unit"]) == (imm, year, "persons")
    cited = _sql(small_db, "SELECT source FROM indicator WHERE indicator = 'stock_immigrants' AND iso3 = 'USA' "
                           "AND year = ? AND sex = 'total'", [year])[0]
    assert stock["source"] == cited and f"ims{rev}_destination" in cited.split(",") and stock["revision"] == rev
    assert prof["immigrants"]["share_of_population"]["value"] == pytest.approx(imm / pop)
    assert prof["immigrants"]["female_share"]["value"] == pytest.approx(fem / imm)
    top = prof["emigrants"]["top_destinations"]
    origin, persons = _sql(small_db, "SELECT destination, persons FROM migrant_stock WHERE revision = ? AND "
                                     "origin = 'MEX' AND sex = 'total' AND year = ? ORDER BY persons DESC LIMIT 1",
                           [rev, year])
    first = profiles.build("MEX")["emigrants"]["top_destinations"]["value"][0]
    assert (first["iso3"], first["persons"]) == (origin, persons)
    assert f"ims{rev}_bilateral" in top["source"].split(",")


def test_shares_are_fractions(profiles):
    for key in [*profiles.countries(), *profiles.groups()]:
        prof = profiles.build(key)
        for dotted in profile.KEYS:
            fig = _get(prof, dotted)
            if fig["unit"] == "fraction" and fig["value"] is not None:
                assert 0 <= fig["value"] <= 1, (key, dotted, fig)


def test_missing_is_missing_never_zero(profiles, small_db):
    """An area without a WDI row has no remittance figure (None), and its page says "not available"."""
    with duckdb.connect(str(small_db), read_only=True) as con:
        have = {r[0] for r in con.execute("SELECT DISTINCT iso3 FROM wdi WHERE indicator = 'BX.TRF.PWKR.CD.DT'")
                .fetchall()}
    without = [c for c in profiles.countries() if c not in have]
    assert without, "the small database should have an area without remittances"
    for code in without:
        prof = profiles.build(code)
        assert prof["remittances"]["received_usd"]["value"] is None
        assert prof["remittances"]["pct_gdp"]["value"] is None
        page = profiles.render(prof, "html")
        assert translator("en").missing() in page


def test_group_sums_are_sums_of_members(profiles):
    for gid in profiles.groups():
        prof = profiles.build(gid)
        members = [m["iso3"] for m in prof["members"]]
        stock = prof["immigrants"]["stock"]
        if not members or stock["value"] is None:
            continue
        parts = [profiles.build(m)["immigrants"]["stock"]["value"] for m in members]
        assert stock["value"] == sum(p for p in parts if p is not None)
        assert stock["members_reporting"] == sum(p is not None for p in parts)
        assert stock["members"] == len(members)


def test_pages_are_valid_html_without_network(profiles, tmp_path):
    keys = [*profiles.countries(), *profiles.groups()]
    files = profiles.write_all(tmp_path, keys)
    pages = [f for f in files if f.suffix == ".html"]
    assert len(pages) == len(keys) + 1  # + index.html
    for page in pages:
        text = page.read_text(encoding="utf-8")
        parse_strict(text)
        assert network_references(text) == [], page.name
    usa = (tmp_path / "USA.html").read_text(encoding="utf-8")
    for section in ("emigration", "immigration", "refugees", "remittances", "skilled", "governance", "development"):
        assert f'<section id="{section}">' in usa
    assert "<svg" in usa and "<title" in usa and 'role="img"' in usa


def test_validator_catches_a_broken_page():
    with pytest.raises(Exception, match=r"(?i)unexpected|expected"):
        parse_strict("<!DOCTYPE html><html><head><title>x</title></head><body><p>a</div></body></html>")
    assert network_references('<img src="https://x.org/a.png"><p style="background: url(a.png)">') != []
    assert network_references('<svg xmlns="http://www.w3.org/2000/svg"></svg><a href="#src-x">x</a>') == []


def test_csv_has_one_row_per_figure(profiles):
    frame = profile.flatten(profiles.build("MEX"))
    assert {"immigrants.stock", "emigrants.top_destinations", "governance.sdg_10_7_2.overall"} <= set(frame["key"])
    assert list(frame.columns) == ["id", "key", "value", "unit", "year", "source", "revision", "note"]


def test_resolve(profiles):
    assert profiles.resolve("mex") == "MEX"
    assert profiles.resolve("wld") == "m49:900"
    assert profiles.resolve("Mexico") == "MEX"
    with pytest.raises(QueryError, match=r"unknown place code 'MEXX'.*did you mean MEX \(Mexico\)"):
        profiles.resolve("MEXX")


def test_every_message_is_in_the_catalogue():
    used = catalogue.used_messages()
    assert "Emigration" in used and "not available" in used
    missing = sorted(set(used) - message_ids("en"))
    assert missing == [], "run python -m migdev.i18n.catalogue"


def test_notes_are_messages(profiles):
    ids = message_ids("en")
    for key in [*profiles.countries(), *profiles.groups()]:
        prof = profiles.build(key)
        for dotted in profile.KEYS:
            note = _get(prof, dotted)["note"]
            assert note is None or note in ids, note


def test_cli_profile_and_profiles(small_db, tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["profile", "mex", "--format", "json", "--db", str(small_db)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["iso3"] == "MEX"
    out = tmp_path / "mex.html"
    result = runner.invoke(app, ["profile", "MEX", "--out", str(out), "--db", str(small_db)])
    assert result.exit_code == 0 and out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    result = runner.invoke(app, ["profile", "XYZ", "--db", str(small_db)])
    assert result.exit_code == 2 and "unknown place code 'XYZ'" in result.output
    result = runner.invoke(app, ["profiles", "--all", "--out", str(tmp_path / "all"), "--db", str(small_db)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "all" / "MEX.json").is_file() and (tmp_path / "all" / "m49-900.html").is_file()
    result = runner.invoke(app, ["profiles", "--out", str(tmp_path / "none"), "--db", str(small_db)])
    assert result.exit_code == 2


def test_profile_names_resolve_like_every_query(small_db: Path) -> None:
    profiles = open_profiles(small_db)
    assert profiles.resolve("Mexico") == "MEX"
    assert profiles.resolve("mexique") == "MEX"  # French name, any case
    assert profiles.resolve("WLD") == "m49:900"


def test_group_names_in_the_profile_language(profiles):
    """A group's profile and a country's list of groups name the groups in the page's language."""
    assert profiles.build("m49:1829", "fr")["name"] == "Europe et Amérique du Nord"
    assert profiles.build("m49:900", "zh")["name"] == "世界"
    assert profiles.build("m49:900")["name"] == "World"  # IMS writes WORLD: shown as a name
    usa = {g["id"]: g["name"] for g in profiles.build("USA", "ar")["groups"]}
    assert usa["m49:1829"] == "أوروبا وأمريكا الشمالية"
    page = profiles.render(profiles.build("USA", "es"), "html")
    assert "Europa y América del Norte" in page and "Europe and Northern America" not in page
    assert profiles.resolve("Europe et Amérique du Nord") == "m49:1829"
