"""The ten everyday questions of ``../shared/questions.md``: one CLI command and one Python call each, on the real
build, asserting the published figures; plus the answers issue's headline checks and its bad requests."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from migdev import cli

pytestmark = pytest.mark.realdata
runner = CliRunner()


def cli_csv(real_db: Path, *args: str) -> pd.DataFrame:
    result = runner.invoke(cli.app, [*args, "--db", str(real_db), "--format", "csv"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return pd.read_csv(io.StringIO(result.stdout))


def test_q1_filipino_women_in_saudi_arabia(real_db: Path, observatory) -> None:
    expected = {1990: 189_079, 2024: 470_137}
    df = cli_csv(real_db, "stock", "--origin", "Philippines", "--destination", "Saudi Arabia", "--sex", "female",
                 "--year", "1990", "--year", "2024")
    assert dict(zip(df["year"], df["persons"], strict=True)) == expected
    api = observatory.stock(origin="Philippines", destination="Saudi Arabia", sex="female", year=[1990, 2024])
    assert dict(zip(api["year"], api["persons"], strict=True)) == expected


def test_q2_top_destinations_of_syrians_with_shares(real_db: Path, observatory) -> None:
    df = cli_csv(real_db, "stock", "--origin", "Syria", "--year", "2024", "--sex", "total", "--sort", "persons",
                 "--top", "10")
    api = observatory.stock(origin="Syria", year=2024, sex="total", sort="persons", top=10)
    for frame in (df, api):
        assert frame["destination"].tolist() == ["TUR", "JOR", "DEU", "LBN", "SAU", "IRQ", "SWE", "EGY", "NLD",
                                                 "CAN"]
        assert frame["persons"].tolist()[:3] == [3_563_983, 1_593_643, 860_697]
        assert [round(s * 100, 1) for s in frame["share_of_origin"][:3]] == [39.9, 17.9, 9.6]
        assert set(frame["origin_total"]) == {8_927_523}


def test_q3_immigrant_share_of_population(real_db: Path, observatory) -> None:
    expected = {"ARE": 74.0, "QAT": 76.7, "DEU": 19.8, "USA": 15.2}
    df = cli_csv(real_db, "totals", "--iso3", "UAE", "--iso3", "Qatar", "--iso3", "Germany", "--iso3", "USA",
                 "--year", "2024", "--sex", "total")
    api = observatory.totals(iso3=["UAE", "Qatar", "Germany", "USA"], year=2024, sex="total")
    for frame in (df, api):
        assert {r.iso3: round(r.immigrant_share * 100, 1) for r in frame.itertuples()} == expected


def test_q4_syria_germany_flows_by_every_method(real_db: Path, observatory) -> None:
    args = ("flows", "--origin", "Syria", "--destination", "Germany", "--period", "2015", "--sex", "total",
            "--method", "all")
    df = cli_csv(real_db, *args)
    api = observatory.flows(origin="Syria", destination="Germany", period=2015, sex="total", method="all")
    for frame in (df, api):
        assert frame["method"].is_unique and len(frame) >= 5
        assert frame.loc[frame["method"] == "sd_drop_neg", "flow"].item() == 483_436
        assert frame.loc[frame["recommended"].astype(bool), "method"].tolist() == ["da_pb_closed"]
    table = runner.invoke(cli.app, [*args, "--db", str(real_db)], catch_exceptions=False)
    assert "recommended method: da_pb_closed (closed demographic accounting came closest" in " ".join(
        table.output.split())


def test_q5_india_net_migration_2015_2020(real_db: Path, observatory) -> None:
    df = cli_csv(real_db, "vital", "--iso3", "India", "--period", "2015")
    api = observatory.vital(iso3="India", period_start=2015)
    for frame in (df, api):
        assert frame[["period_start", "period_end", "net_migration"]].values.tolist() == [[2015, 2020, -2_103_602]]


def test_q6_nepal_remittances_and_derived_share(real_db: Path, observatory) -> None:
    args = ("wdi", "--iso3", "Nepal", "--year", "2022", "--indicator", "BX.TRF.PWKR.CD.DT", "--indicator",
            "bx.trf.pwkr.dt.gd.zs")
    df = cli_csv(real_db, *args)
    api = observatory.wdi(iso3="Nepal", year=2022, indicator=["BX.TRF.PWKR.CD.DT", "BX.TRF.PWKR.DT.GD.ZS"])
    for frame in (df, api):
        value = frame.set_index("indicator")["value"]
        assert round(value["BX.TRF.PWKR.CD.DT"]) == 9_411_659_366
        assert round(value["BX.TRF.PWKR.DT.GD.ZS"], 2) == 22.85
        assert frame.set_index("indicator").at["BX.TRF.PWKR.DT.GD.ZS", "vintage"].startswith("derived_ratio")
    result = runner.invoke(cli.app, [*args, "--db", str(real_db)], catch_exceptions=False)
    assert "BX.TRF.PWKR.DT.GD.ZS is derived by migdev" in " ".join(result.output.split())


def test_q7_more_emigrants_than_immigrants(real_db: Path, observatory) -> None:
    df = cli_csv(real_db, "totals", "--year", "2024", "--sex", "total", "--where", "emigrants > immigrants")
    api = observatory.totals(year=2024, sex="total", where="emigrants > immigrants")
    everyone = observatory.totals(year=2024, sex="total", where="immigrants >= 0")
    assert len(df) == len(api) == 120 and len(everyone) == 233
    assert "XXX" not in set(api["iso3"])  # the unspecified origin is not a country: it has no immigrants


def test_q8_africa_born_in_europe_by_sex(real_db: Path, observatory) -> None:
    expected = {"total": 10_577_350, "female": 4_988_924, "male": 5_588_426}
    df = cli_csv(real_db, "stock", "--origin", "Africa", "--destination", "Europe", "--year", "2024", "--by", "sex")
    api = observatory.stock(origin="Africa", destination="Europe", year=2024, by="sex")
    for frame in (df, api):
        assert dict(zip(frame["sex"], frame["persons"], strict=True)) == expected
        assert set(frame["origin_name"]) == {"Africa"} and set(frame["destination_name"]) == {"Europe"}


def test_q9_whole_bilateral_table_as_files(real_db: Path, observatory, tmp_path: Path) -> None:
    for fmt, ext in (("csv", "csv"), ("parquet", "parquet"), ("excel", "xlsx")):
        out = tmp_path / f"stock.{ext}"
        result = runner.invoke(cli.app, ["stock", "--year", "2024", "--sex", "total", "--db", str(real_db),
                                         "--format", fmt, "--out", str(out)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        frame = {"csv": pd.read_csv, "parquet": pd.read_parquet,
                 "excel": lambda p: pd.read_excel(p, sheet_name="data", engine="calamine")}[fmt](out)
        assert len(frame) == 9_581
        meta = json.loads((tmp_path / f"stock.{ext}.meta.json").read_text())
        assert meta["rows"] == 9_581 and meta["sources"][0]["source_id"] == "ims2024_bilateral"
        assert "International Migrant Stock 2024" in meta["citation"]
    assert len(observatory.stock(year=2024, sex="total")) == 9_581


def test_q10_citation_to_paste(real_db: Path, observatory) -> None:
    result = runner.invoke(cli.app, ["cite", "stock", "year=2024", "--db", str(real_db)], catch_exceptions=False)
    sha = observatory.sources().set_index("source_id").at["ims2024_bilateral", "sha256"]
    text = " ".join(result.output.split())
    assert result.exit_code == 0
    assert "International Migrant Stock 2024" in text and "CC BY 3.0 IGO" in text and sha in text
    answer = observatory.answer("stock", year=2024)
    assert "CC BY 3.0 IGO" in answer.citation() and sha in answer.citation()


def test_headline_answers(observatory) -> None:
    top = observatory.stock(origin="Mexico", year=2024, sex="total", sort="persons", top=1)
    assert top[["destination", "persons"]].values.tolist() == [["USA", 11_279_561]]
    corridors = observatory.stock(year=2024, sex="total", where="origin != XXX", sort="persons", top=5)
    assert [f"{o}->{d}" for o, d in zip(corridors["origin"], corridors["destination"], strict=True)] == [
        "MEX->USA", "AFG->IRN", "SYR->TUR", "RUS->UKR", "IND->ARE"]
    africa = observatory.stock(origin="Africa", destination="Europe", year=2024, sex="total", by="sex")
    assert africa["persons"].tolist() == [10_577_350]


@pytest.mark.parametrize("args, expected", [
    (("stock", "--origin", "Atlantis"), "unknown origin code 'Atlantis'"),
    (("stock", "--year", "2023"), "year 2023 not in migrant_stock revision 2024; it holds 1990, 1995, 2000, 2005, "
                                  "2010, 2015, 2020, 2024"),
    (("stock", "--revision", "2019"), "unknown revision '2019'; expected one of 2020, 2024"),
    (("population", "--iso3", "IND", "--year", "2200"), "year 2200 not in population revision 2024; it holds"),
    (("flows", "--method", "gravity"), "unknown method 'gravity'; expected one of"),
    (("indicators", "--indicator", "stock_nope"), "unknown indicator 'stock_nope'; expected one of"),
    (("stock", "--sex", "females"), "unknown sex 'females'; expected one of total, male, female"),
    (("refugees", "--population-type", "tourists"), "unknown population_type 'tourists'; expected one of"),
])
def test_bad_requests_are_one_line_with_the_choices(real_db: Path, args: tuple[str, ...], expected: str) -> None:
    result = runner.invoke(cli.app, [*args, "--db", str(real_db)], catch_exceptions=False)
    text = " ".join(result.output.split())
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and text.startswith("error:") and expected in text
    assert len(result.output.strip().splitlines()) == 1, result.output


def test_uk_resolves_first(observatory) -> None:
    places = observatory.catalog.places()
    assert places.resolve("UK").code == "GBR" and places.suggest("Untied Kingdom")[0].code == "GBR"
    for text, code in (("GER", "DEU"), ("Russia", "RUS"), ("Ivory Coast", "CIV"), ("Türkiye", "TUR"),
                       ("turkey", "TUR"), ("DR Congo", "COD"), ("Korea", "KOR"), ("UAE", "ARE"),
                       ("Allemagne", "DEU"), ("Россия", "RUS"), ("中国", "CHN"), ("Europe", "m49:908"),
                       ("high income", "wb:HIC"), ("world", "WLD")):
        assert places.resolve(text).code == code, text
