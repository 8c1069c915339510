"""The ``migdev`` command line, driven with Typer's CliRunner."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import migdev.sources
from migdev import cli
from tests.fixtures import official as fx

runner = CliRunner()


def run(*args: str):
    return runner.invoke(cli.app, list(args), catch_exceptions=False)


def _with(sources):
    real = migdev.sources.releases()
    return lambda: {**real, **sources}


def flat(text: str) -> str:
    """Output with Rich's line wrapping undone."""
    return " ".join(text.split())


def test_help() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for command in ("build", "sources", "stock", "countries", "population", "wdi", "unmatched"):
        assert command in result.output
    assert run().exit_code in (0, 2)  # no arguments: the help


def test_build(small_mirror, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, sources = small_mirror
    monkeypatch.setattr(migdev.sources, "releases", _with(sources))
    monkeypatch.delenv("MIGDEV_DATA_MIRROR")
    db = tmp_path / "cli.duckdb"
    result = run("build", "--db", str(db), "--mirror", str(root))
    assert result.exit_code == 0, result.output
    assert db.is_file()
    assert "built" in result.output and "1 unmatched codes" in result.output
    assert "migrant_stock" in result.output


def test_build_failure_keeps_database(small_mirror, small_db: Path, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    root, sources = small_mirror
    sources = fx.corrupt(root, sources, "ims2020_age", fx.set_cell(0, "sex", "f"))
    monkeypatch.setattr(migdev.sources, "releases", _with(sources))
    db = tmp_path / "cli.duckdb"
    db.write_bytes(small_db.read_bytes())
    result = run("build", "--db", str(db))
    assert result.exit_code == 1
    assert "build failed, the previous database (if any) is unchanged" in flat(result.output)
    assert "row 2, column 'sex': unknown sex code 'f'" in flat(result.output)
    assert db.read_bytes() == small_db.read_bytes()


def test_sources_statuses(small_mirror, monkeypatch: pytest.MonkeyPatch) -> None:
    root, sources = small_mirror
    (root / sources["wdi_long"].path).unlink()
    bad = root / sources["wpp2024_annual"].path
    bad.write_bytes(bad.read_bytes() + b"\n")
    monkeypatch.setattr(migdev.sources, "releases", lambda: dict(sources))
    result = run("sources", "--files", "--format", "csv")
    assert result.exit_code == 0
    status = pd.read_csv(io.StringIO(result.stdout)).set_index("id")["status"]
    assert status["wdi_long"] == "missing"
    assert status["wpp2024_annual"] == "HASH MISMATCH"
    assert status["ims2024_bilateral"] == "verified"
    table = run("sources", "--files")
    assert table.exit_code == 0 and "HASH MISMATCH" in table.output and "verified" in table.output


@pytest.fixture
def db(small_db: Path) -> str:
    return str(small_db)


def test_stock_formats(db: str) -> None:
    args = ("stock", "--origin", "MEX", "--destination", "USA", "--sex", "female", "--db", db)
    female = fx.female_share(11_279_561)
    table = run(*args)
    assert table.exit_code == 0
    assert f"{female:,}" in table.output and "International migrant stock (UN DESA IMS 2024)" in table.output
    csv_out = run(*args, "--format", "csv")
    df = pd.read_csv(io.StringIO(csv_out.stdout))
    assert df["origin_name"].tolist() == ["Mexico", "Mexico"]
    df = df[["revision", "year", "sex", "origin", "destination", "persons"]]
    assert df.to_dict("records") == [
        {"revision": 2024, "year": 2020, "sex": "female", "origin": "MEX", "destination": "USA",
         "persons": fx.female_share(10_853_105)},
        {"revision": 2024, "year": 2024, "sex": "female", "origin": "MEX", "destination": "USA", "persons": female}]
    body = json.loads(run(*args, "-f", "json", "--year", "2024").stdout)
    assert body["sources"][0]["source_id"] == "ims2024_bilateral" and body["query"]["filters"]["year"] == [2024]
    records = [{k: r[k] for k in ("revision", "year", "sex", "origin", "destination", "persons")}
               for r in body["rows"]]
    assert records == [{"revision": "2024", "year": 2024, "sex": "female", "origin": "MEX", "destination": "USA",
                        "persons": female}]


def test_stock_no_rows(db: str) -> None:
    result = run("stock", "--origin", "USA", "--destination", "MEX", "--db", db)
    assert result.exit_code == 0 and "no rows match these filters" in result.output
    assert "the UN publishes only corridors with migrants" in flat(result.output)  # and says why


def test_unknown_code_exit_2(db: str) -> None:
    result = run("stock", "--origin", "MEXX", "--db", db)
    assert result.exit_code == 2
    assert "unknown origin code 'MEXX'" in flat(result.output) and "did you mean MEX" in flat(result.output)
    for command in ("countries", "population", "wdi"):
        result = run(command, "--iso3", "ZZZ", "--db", db)
        assert result.exit_code == 2 and "unknown country code 'ZZZ'" in flat(result.output)


def test_missing_db_exit_1(tmp_path: Path) -> None:
    for command in ("stock", "countries", "population", "wdi", "unmatched"):
        result = run(command, "--db", str(tmp_path / "none.duckdb"))
        assert result.exit_code == 1, command
        assert "run `migdev build` first" in flat(result.output)


def test_other_queries(db: str) -> None:
    countries = run("countries", "--iso3", "XKX", "--db", db)
    assert countries.exit_code == 0 and "XKX" in countries.output
    full = json.loads(run("countries", "--iso3", "CHI", "--db", db, "-f", "json").stdout)["rows"]
    assert full[0]["code_note"].startswith("Channel Islands") and full[0]["name_zh"] == "海峡群岛"
    pop = pd.read_csv(io.StringIO(run("population", "--iso3", "USA", "--year", "2024", "--db", db,
                                      "-f", "csv").stdout))
    assert pop["persons"].tolist() == [345_426_571]
    assert "345,426,571" in run("population", "--iso3", "USA", "--year", "2024", "--db", db).output
    wdi = json.loads(run("wdi", "--iso3", "MEX", "--indicator", fx.GDP, "--db", db, "-f", "json").stdout)["rows"]
    assert wdi[0]["value"] == 1_789_114_000_000.5
    assert "1,789,114,000,000" in run("wdi", "--iso3", "MEX", "--indicator", fx.GDP, "--db", db).output
    unmatched = run("unmatched", "--db", db)
    assert unmatched.exit_code == 0 and str(fx.UNKNOWN_M49) in unmatched.output


def test_cell_formatting() -> None:
    from migdev.publish.formats import cell

    assert cell(None) == "" and cell(float("nan")) == "" and cell(pd.NA) == ""
    assert cell(1234567) == "1,234,567" and cell(True) == "True"
    assert cell(0.25) == "0.25" and cell(12_345_678.9) == "12,345,679"
    assert cell("x") == "x"


def test_flows(db: str) -> None:
    """The generated 2024 stocks (2020 and 2024) give one period, 2020-2024, estimated by every method."""
    result = run("flows", "--db", db, "--method", "da_min_closed", "--period", "2020", "--sex", "total",
                 "--format", "csv")
    assert result.exit_code == 0, result.output
    df = pd.read_csv(io.StringIO(result.stdout))
    assert len(df) > 0 and set(df["period_end"]) == {2024} and (df["flow"] > 0).all()
    assert set(df["method"]) == {"da_min_closed"}
    # only USA and France publish stocks here: other places of birth count with the unspecified origin
    table = run("flows", "--db", db, "--method", "sd_drop_neg", "--origin", "FRA")
    assert table.exit_code == 0 and "FRA" in table.output and "USA" in table.output
    bad = run("flows", "--db", db, "--method", "gravity")
    assert bad.exit_code == 2 and "unknown method 'gravity'" in flat(bad.output)
    no_period = run("flows", "--db", db, "--period", "1990")
    assert no_period.exit_code == 2 and "period 1990 not in flow_estimate_run" in flat(no_period.output)
    assert "it holds 2020" in flat(no_period.output)


def test_sources_reports_what_the_database_holds(small_db: Path, small_mirror, monkeypatch: pytest.MonkeyPatch
                                                 ) -> None:
    _, sources = small_mirror
    monkeypatch.setattr(migdev.sources, "releases", _with(sources))
    held = pd.read_csv(io.StringIO(run("sources", "--db", str(small_db), "-f", "csv").stdout)).set_index("source_id")
    assert held.at["ims2024_bilateral", "rows"] == 3 * (len(fx.BILATERAL_2024) + 2)
    assert held.at["ims2024_bilateral", "citation"].startswith("United Nations Department of Economic")
    assert len(held.at["wdi_long", "sha256"]) == 64
    table = flat(run("sources", "--db", str(small_db)).output)
    assert f"In the database {small_db}" in table and "Registered files" in table


def test_sources_names_where_to_get_a_missing_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIGDEV_DATA_MIRROR", str(tmp_path / "empty"))
    monkeypatch.setenv("MIGDEV_CACHE", str(tmp_path / "cache"))
    files = pd.read_csv(io.StringIO(run("sources", "--files", "-f", "csv").stdout)).set_index("id")
    assert (files["status"] == "missing").all()
    assert files.at["ims2020_workbook", "get_it"].startswith("download https://")
    assert "tidy rendering" in files.at["ims2024_bilateral", "get_it"]
    assert "Destination and origin" in files.at["ims2024_bilateral", "get_it"]
