"""Remittance Prices Worldwide: the DataBank export, the third-party quote means, their union and the simple mean."""

from __future__ import annotations

import doctest
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from migdev.errors import QueryError
from migdev.harmonise import Harmoniser
from migdev.sources import rpw
from tests.fixtures import rpw as fx
from tests.sources.contract import SourceContract, _Log
from tests.sources.parse_helpers import expect_error

SCHEMA = Path(rpw.__file__).parents[1] / "store" / "schema" / "rpw.sql"


class TestRpw(SourceContract):
    product = rpw
    fixtures = fx


# ------------------------------------------------------------------------------------------------ the export
def test_databank_layout(tmp_path: Path) -> None:
    path = fx.write_databank(tmp_path / "export.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbfSending Countries Name")
    df = rpw.parse(path)
    assert list(df.columns) == list(rpw.DATABANK.columns)
    assert len(df) == sum(len(v) for v in fx.DATABANK_VALUES.values())  # '..' is no estimate, not a row of 0
    usa_mex = df[(df.sender == "USA") & (df.receiver == "MEX")].set_index("period")["cost_pct_200"]
    assert usa_mex.to_dict() == {"2011Q1": 5.0099, "2011Q3": 4.9, "2016Q2": 5.6, "2020Q3": 4.18}
    assert set(df["receiver"]) == {"MEX", "IND", "FRA", "KSV", "ANT"}  # recoding is to_store's job
    assert df.set_index(["sender", "receiver"]).loc[("FRA", "ANT"), "receiver_name"] == "Netherlands-Antilles"


def test_databank_header_spacing_and_footer_are_not_required(tmp_path: Path) -> None:
    official = rpw.parse(fx.write_databank(tmp_path / "a.csv"))
    single = [" ".join(c.split()) for c in fx.DATABANK_IDS]
    pd.testing.assert_frame_equal(official, rpw.parse(fx.write_databank(tmp_path / "b.csv", ids=single)))
    pd.testing.assert_frame_equal(official, rpw.parse(fx.write_databank(tmp_path / "c.csv", footer=False)))


def test_databank_footer(tmp_path: Path) -> None:
    path = fx.write_databank(tmp_path / "e.csv")
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("United States of America,USA,x,ATCR.CORR,Mexico,MEX" + ",.." * len(fx.PERIODS) + "\n")
    expect_error(rpw.parse, path, row=17, column=None, text="a data row after the end of the table (row 12)")
    path = fx.write_databank(tmp_path / "e.csv", {})
    text = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text(text[0] + "".join(text[11:]), encoding="utf-8")  # the header and the footer only
    expect_error(rpw.parse, path, row=2, column=None, text="the table has no data rows")


@pytest.mark.parametrize(("values", "row", "column", "text"), [
    ({("USA", "MEX"): {"2020Q3": 2000}}, 5, "2020Q3 [YR2020Q3]", "is outside [-100, 1000]"),
    ({("USA", "MEX"): {"2020Q3": "inf"}}, 5, "2020Q3 [YR2020Q3]", "is not a finite number"),
    ({("FRA", "FRA"): {"2011Q3": 3.0}}, 7, "2011Q3 [YR2011Q3]", "sends to itself"),
])
def test_databank_values(tmp_path: Path, values, row, column, text) -> None:
    expect_error(rpw.parse, fx.write_databank(tmp_path / "e.csv", values), row=row, column=column, text=text)


def test_databank_errors(tmp_path: Path) -> None:
    path = fx.write_databank(tmp_path / "e.csv")
    fx.set_cell(path, 4, "Series Code", "ATCR.CORR.500")
    expect_error(rpw.parse, path, row=4, column="Series Code", text="is not the series ATCR.CORR")
    path = fx.write_databank(tmp_path / "e.csv")
    fx.set_cell(path, 4, "Receiving Countries  Code", "MEX")
    expect_error(rpw.parse, path, row=5, column="Sending Countries Code",
                 text="duplicated key (Sending Countries Code=USA, Receiving Countries  Code=MEX)")
    path = fx.write_databank(tmp_path / "e.csv")
    fx.set_cell(path, 9, "Sending Countries Code", "")
    expect_error(rpw.parse, path, row=9, column="Sending Countries Code", text="is empty: a required value")
    path = fx.write_databank(tmp_path / "e.csv", periods=["2011Q1", "2011H2"])
    expect_error(rpw.parse, path, row=1, column="2011H2 [YR2011H2]", text="not a period column like")
    path = fx.write_databank(tmp_path / "e.csv", periods=["2011Q1", "2011Q1"])
    expect_error(rpw.parse, path, row=1, column="2011Q1 [YR2011Q1]",
                 text="the header names column '2011Q1 [YR2011Q1]' twice")
    path = fx.write_databank(tmp_path / "e.csv")
    path.write_text(path.read_text(encoding="utf-8").replace("Series Name", "Receiving Countries Name", 1),
                    encoding="utf-8")  # the same name as 'Receiving Countries  Name' once spaces are collapsed
    expect_error(rpw.parse, path, row=1, column="Receiving Countries  Name", text="names column")
    path = fx.write_databank(tmp_path / "e.csv", periods=[])
    expect_error(rpw.parse, path, row=1, column=None, text="no period columns after the header")
    path = fx.write_databank(tmp_path / "e.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] += ",7.5"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    expect_error(rpw.parse, path, row=4, column=None, text="11 fields where the header has 10")


def test_not_utf8(tmp_path: Path) -> None:
    path = fx.write_databank(tmp_path / "e.csv")
    path.write_bytes(path.read_bytes().replace(b"Netherlands-Antilles", b"Antill\xe9es", 1))
    expect_error(rpw.parse, path, row=6, column="Receiving Countries  Name", text="is not UTF-8 text")


# ------------------------------------------------------------------------------------------- the quote means
def test_quotes_layout(tmp_path: Path) -> None:
    df = rpw.parse(fx.write_quotes(tmp_path / "q.csv"))
    assert list(df.columns) == list(rpw.QUOTES.columns)
    assert list(df["period"].unique()) == ["2016Q2", "2020Q3", "2025Q1"]
    assert str(df["providers"].dtype) == "Int64" and df["providers"].min() == 1
    assert df.loc[df.corridor == "FRAXKX", "receiver"].item() == "KSV"  # the label may spell Kosovo XKX


@pytest.mark.parametrize(("cell", "column", "text"), [
    ("USAIND", "corridor", "does not name the sender and destination codes"),
    ("USA", "destination_code", "is also the sender"),
    ("US", "source_code", "is not a three-letter country code"),
    ("inf", "avg_cost_pct_200usd", "is not a finite number"),
    ("-150", "avg_fx_margin_200usd", "is outside [-100, 1000]"),
    ("2.5", "num_providers", "'2.5' is not a whole number"),
    ("", "avg_cost_pct_200usd", "required value is empty"),
    ("2016_5Q", "period", "is not a quarter"),
])
def test_quotes_cells(tmp_path: Path, cell: str, column: str, text: str) -> None:
    path = fx.write_quotes(tmp_path / "q.csv")
    fx.set_cell(path, 2, column, cell)
    expect_error(rpw.parse, path, row=2, column=column, text=text)


def test_quotes_errors(tmp_path: Path) -> None:
    rows = [*fx.QUOTES_ROWS, fx.QUOTES_ROWS[0]]
    expect_error(rpw.parse, fx.write_quotes(tmp_path / "q.csv", rows), row=len(rows) + 1, column="period",
                 text="duplicated key (period=2016Q2, source_code=USA, destination_code=MEX)")
    expect_error(rpw.parse, fx.write_quotes(tmp_path / "q.csv", []), row=1, column=None,
                 text="the table has a header but no data rows")
    path = fx.write_quotes(tmp_path / "q.csv", header=[c.replace("num_providers", "n") for c in fx.QUOTES_HEADER])
    expect_error(rpw.parse, path, row=1, column="num_providers", text="missing column(s) 'num_providers'")
    path = fx.write_quotes(tmp_path / "q.csv", header=[c.replace("period", "quarter") for c in fx.QUOTES_HEADER])
    expect_error(rpw.parse, path, row=1, column=None, text="not a known Remittance Prices Worldwide table")


# ------------------------------------------------------------------------------------------------- the store
@pytest.fixture
def stored(tmp_path: Path, fixture_places) -> tuple[pd.DataFrame, _Log]:
    frames = {sid: rpw.parse(p) for sid, p in fx.write(tmp_path).items()}
    log = _Log()
    table = rpw.to_store(frames, Harmoniser(fixture_places, log))["remittance_cost"]
    return table, log


def _said(log: _Log, text: str) -> list[str]:
    return [m for _, m in log.lines if text in m]


def test_union_prefers_official(stored) -> None:
    table, log = stored
    assert list(table.columns) == list(rpw.COLUMNS)
    cell = table.set_index(["period", "sender", "receiver"])
    assert cell.loc[("2016Q2", "USA", "MEX"), ["cost_pct_200", "source"]].tolist() == [5.6, "official"]
    assert cell.loc[("2016Q2", "FRA", "XKX"), "source"] == "official"
    assert cell.loc[("2016Q2", "FRA", "IND"), ["cost_pct_200", "providers", "source"]].tolist() == [
        7.25, 9, "derived"]
    assert cell.loc[("2025Q1", "FRA", "XKX"), "source_id"] == "rpw_quotes_jonsmirl"
    assert len(table) == 9 + 8 - 2 and not table.duplicated(["period", "sender", "receiver"]).any()
    assert _said(log, "2 derived corridor-quarters not loaded where the official export gives the same")
    assert _said(log, "corridor label FRAXKX on 1 rows (2025Q1) for FRA->KSV")
    assert _said(log, "receiver codes of the publisher recoded: KSV -> XKX")
    assert "KSV" not in set(table["receiver"]) and "ANT" in set(table["receiver"])  # ANT is a documented code
    assert not log.unmatched
    official = table[table.source == "official"]
    assert official[["cost_pct_500", "fx_margin_pct_200", "providers"]].isna().all().all()


def test_anomalies_are_flagged_not_hidden(stored) -> None:
    table, log = stored
    flags = table.set_index(["period", "sender", "receiver"])["anomaly"].dropna().to_dict()
    assert flags == {("2011Q1", "FRA", "ANT"): "above 30%", ("2020Q3", "USA", "FRA"): "negative",
                     ("2020Q3", "FRA", "MEX"): "fewer than 3 providers",
                     ("2025Q1", "USA", "IND"): "negative; fewer than 3 providers",
                     ("2025Q1", "FRA", "MEX"): "above 30%"}
    assert _said(log, "1 derived rows flagged 'negative; fewer than 3 providers' (kept, not altered)")


def test_twice_after_recoding_keeps_most_quotes(tmp_path: Path, fixture_places) -> None:
    rows = [["2025_1Q", "FRA", "France", "KSV", "Kosovo", "FRAKSV", 5.0, 3.0, 1.0, 1.0, 4],
            ["2025_1Q", "FRA", "France", "XKX", "Kosovo", "FRAXKX", 6.0, 3.0, 1.0, 1.0, 9]]
    log = _Log()
    frames = {"rpw_quotes_jonsmirl": rpw.parse(fx.write_quotes(tmp_path / "q.csv", rows))}
    table = rpw.to_store(frames, Harmoniser(fixture_places, log))["remittance_cost"]
    assert table[["receiver", "cost_pct_200", "providers"]].values.tolist() == [["XKX", 6.0, 9]]
    assert _said(log, "1 derived corridor-quarters given twice after recoding codes (2025Q1 FRA->XKX)")


def test_unknown_codes_and_aggregates_are_said(tmp_path: Path, fixture_places) -> None:
    values = {("USA", "MEX"): {"2020Q3": 4.0}, ("USA", "ZZZ"): {"2020Q3": 6.0}, ("USA", "WLD"): {"2020Q3": 6.5}}
    log = _Log()
    frames = {"rpw_databank_corridors": rpw.parse(fx.write_databank(tmp_path / "e.csv", values))}
    table = rpw.to_store(frames, Harmoniser(fixture_places, log))["remittance_cost"]
    assert table[["receiver", "cost_pct_200"]].values.tolist() == [["MEX", 4.0]]
    assert pd.concat(log.unmatched)[["field", "code", "rows"]].values.tolist() == [["receiver", "ZZZ", 1]]
    assert _said(log, "1 rows for 1 aggregates (wb:WLD) not loaded: corridor costs are kept between countries")


def test_schema_takes_the_table(stored, fixture_places) -> None:
    table, _ = stored
    con = duckdb.connect()
    con.execute("CREATE TABLE country (iso3 VARCHAR PRIMARY KEY)")
    con.executemany("INSERT INTO country VALUES (?)", [[c] for c in fixture_places.country["iso3"]])
    con.execute(SCHEMA.read_text(encoding="utf-8"))
    con.register("frame", table)
    con.execute("INSERT INTO remittance_cost SELECT * FROM frame")
    assert con.execute("SELECT count(*) FROM remittance_cost").fetchone() == (len(table),)
    with pytest.raises(duckdb.ConstraintException):
        con.execute("INSERT INTO remittance_cost SELECT * FROM frame LIMIT 1")  # one row per corridor-quarter


# ------------------------------------------------------------------------------------------ the simple mean
def test_simple_mean_cost(stored) -> None:
    table, _ = stored
    means = rpw.simple_mean_cost(table)
    assert means["period"].tolist() == ["2011Q1", "2011Q3", "2016Q2", "2020Q3", "2025Q1"]
    latest = means.iloc[-1]
    assert latest["corridors"] == 4 and latest["anomalies"] == 2 and latest["sources"] == "derived"
    assert latest["mean_cost_pct_200"] == pytest.approx((4.98 + 5.7 - 19.855 + 43.35) / 4)
    assert set(means["label"]) == {"simple mean of corridor averages in the file (not RPW's published Global Average)"}
    assert means.loc[means.period == "2016Q2", "sources"].item() == "derived, official"
    one = rpw.simple_mean_cost(table, "2016Q2")
    assert one[["corridors", "mean_cost_pct_200"]].values.tolist() == [[4, pytest.approx((5.6 + 4.2 + 6.5 + 7.25) / 4)]]
    with pytest.raises(QueryError, match="no corridor cost for period '2016Q1'; periods held: 2011Q1-2025Q1"):
        rpw.simple_mean_cost(table, "2016Q1")


def test_docstring_examples() -> None:
    result = doctest.testmod(rpw, extraglobs={"pd": pd})
    assert result.attempted and not result.failed
