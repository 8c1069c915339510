"""KNOMAD bilateral remittance matrices: the three workbook layouts, the 2018 CSV, the WORLD check, to_store."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from migdev.harmonise import Harmoniser
from migdev.sources import knomad
from tests.fixtures import knomad as fx
from tests.sources.contract import SourceContract, _Log
from tests.sources.parse_helpers import expect_error


class TestKnomad(SourceContract):
    product = knomad
    fixtures = fx


def _cell(frame: pd.DataFrame, sender: str, receiver: str) -> pd.Series:
    row = frame[(frame.sender == sender) & (frame.receiver == receiver)]
    assert len(row) == 1, (sender, receiver)
    return row.iloc[0]


@pytest.mark.parametrize("edition", [2016, 2017, 2021])
def test_workbook_layouts(tmp_path: Path, edition: int) -> None:
    df = knomad.parse(fx.write_workbook(tmp_path / "m.xlsx", edition))
    assert list(df.columns) == list(knomad.MATRIX.columns)
    assert set(df.edition) == {edition}
    world = fx.LAYOUTS[edition]["world"]
    assert set(df.sender) == set(df.receiver) == {*fx.COUNTRIES, world}
    assert len(df) == (len(fx.COUNTRIES) + 1) ** 2  # the matrix with its WORLD row and column
    assert _cell(df, "United States", "Mexico")["usd_m"] == pytest.approx(28125.893 * fx.FACTORS[edition])
    marked = _cell(df, "India", "Mexico")
    assert math.isnan(marked["usd_m"])
    assert marked["no_estimate"] == (fx.MARKERS[edition] or "empty")
    receipts, outflows, corner = fx.totals(fx.cells(edition))
    assert _cell(df, world, "India")["usd_m"] == pytest.approx(receipts["India"])
    assert _cell(df, "France", world)["usd_m"] == pytest.approx(outflows["France"])
    assert _cell(df, world, world)["usd_m"] == pytest.approx(corner)


def test_2021_empty_cells_are_no_estimate(tmp_path: Path) -> None:
    df = knomad.parse(fx.write_workbook(tmp_path / "m.xlsx", 2021))
    kosovo = df[df.receiver == "Kosovo"]
    assert kosovo["usd_m"].isna().all() and set(kosovo["no_estimate"]) == {"empty"}  # its WORLD cell too
    zero = _cell(df, *fx.ZERO_2021)
    assert zero["usd_m"] == 0.0 and zero["no_estimate"] is None
    assert df["usd_m"].isna().sum() == (df["no_estimate"] == "empty").sum()


def test_2016_sheet_is_found_by_title_not_position(tmp_path: Path) -> None:
    """The committer's Sheet2 (no title) is not read; neither is 2021's stray number below the WORLD row."""
    df = knomad.parse(fx.write_workbook(tmp_path / "m.xlsx", 2016))
    assert "World" in set(df.sender) and len(df) == 49
    assert len(knomad.parse(fx.write_workbook(tmp_path / "n.xlsx", 2021))) == 49


def test_csv_2018(tmp_path: Path) -> None:
    path = fx.write_csv(tmp_path / "Bilateralremittancematrix2018Oct2019.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf,Channel Islands,")
    df = knomad.parse(path)
    assert set(df.edition) == {2018} and len(df) == len(fx.COUNTRIES) ** 2
    assert _cell(df, "United States", "Mexico")["usd_m"] == round(28125.893 * fx.FACTORS[2018])
    assert _cell(df, "Mexico", "India")["no_estimate"] == "N/A"
    assert knomad.world_gaps(df).empty  # no WORLD row or column: nothing to check


def _store(frames: dict[str, pd.DataFrame], places) -> tuple[dict[str, pd.DataFrame], _Log]:
    log = _Log()
    return knomad.to_store(frames, Harmoniser(places, log)), log


def test_to_store(tmp_path: Path, fixture_places) -> None:
    written = fx.write(tmp_path)
    tables, log = _store({sid: knomad.parse(p) for sid, p in written.items()}, fixture_places)
    assert not log.unmatched
    cells = tables["remittance_bilateral"]
    assert list(cells.columns) == ["edition", "sender", "receiver", "usd"]
    assert not cells.duplicated(["edition", "sender", "receiver"]).any()
    us_mx = cells.set_index(["edition", "sender", "receiver"])["usd"]
    assert us_mx[(2021, "USA", "MEX")] == pytest.approx(28125.893 * 1.87 * 1e6)  # US$, not millions
    assert us_mx[(2016, "FRA", "CHI")] == 0.0  # a published 0 is kept
    assert us_mx[(2021, "CHI", "MEX")] == 0.0
    assert (2021, "FRA", "CHI") not in us_mx.index  # an empty cell is no estimate, never 0
    assert (2016, "IND", "MEX") not in us_mx.index and (2018, "MEX", "IND") not in us_mx.index  # 0*, N/A
    assert cells.groupby("edition").size().to_dict() == {2016: 34, 2017: 34, 2018: 34, 2021: 10}
    totals = tables["remittance_bilateral_total"]
    assert list(totals.columns) == ["edition", "iso3", "role", "usd"]
    receipts, outflows, corner = fx.totals(fx.cells(2021))
    got = totals.set_index(["edition", "iso3", "role"])["usd"]
    assert got[(2021, "IND", "receiver")] == pytest.approx(receipts["India"] * 1e6)
    assert got[(2021, "FRA", "sender")] == pytest.approx(outflows["France"] * 1e6)
    assert (2021, "XKX", "receiver") not in got.index  # an empty WORLD cell is not stored
    assert set(totals.edition) == {2016, 2017, 2021}  # the 2018 CSV has no totals
    world = tables["area_group_value"]
    assert set(world.group_id) == {"wb:WLD"} and sorted(world.year) == [2016, 2017, 2021]
    assert world.set_index("year").at[2021, "value"] == pytest.approx(corner * 1e6)
    said = "\n".join(m for _, m in log.lines)
    assert "knomad2021_remittances: 26 cells empty (no estimate; not stored, never 0)" in said
    assert "knomad2016_remittances: 2 cells marked '0*'" in said
    assert "knomad2016_remittances: 23 cells published as 0 are stored as 0 US$" in said
    assert "knomad2021_remittances: 2 WORLD totals empty" in said  # Kosovo, Channel Islands


def test_unknown_name_is_reported_not_stored(tmp_path: Path, fixture_places) -> None:
    names = ["France", "Narnia, Rep.", "United States"]
    grid = {(s, r): 1.0 for s in names for r in names}
    frame = knomad.parse(fx.write_workbook(tmp_path / "m.xlsx", 2017, grid, names=names))
    tables, log = _store({"knomad2017_remittances": frame}, fixture_places)
    unmatched = pd.concat(log.unmatched)
    assert set(zip(unmatched.field, unmatched.code, unmatched.name, strict=True)) == {
        ("sender", "Narnia, Rep.", "Narnia, Rep."), ("receiver", "Narnia, Rep.", "Narnia, Rep.")}
    assert len(tables["remittance_bilateral"]) == 4
    assert set(tables["remittance_bilateral_total"].iso3) == {"FRA", "USA"}


def _israel_lebanon(path: Path, edition: int, gap: float, who: str = "Israel") -> Path:
    names = ["Israel", "Lebanon", "Mexico"]
    grid: fx.Grid = {(s, r): 10.0 for s in names for r in names}
    grid[("Israel", "Lebanon")] = grid[("Lebanon", "Israel")] = "N/A" if edition == 2016 else "-"
    receipts, _, _ = fx.totals(grid)
    return fx.write_workbook(path, edition, grid, names=names, receipts={who: receipts[who] + gap})


@pytest.mark.parametrize("edition", [2016, 2017])
def test_israel_lebanon_receipts_are_the_documented_exception(tmp_path: Path, fixture_places, edition) -> None:
    frame = knomad.parse(_israel_lebanon(tmp_path / "m.xlsx", edition, 1.17))
    _, log = _store({f"knomad{edition}_remittances": frame}, fixture_places)
    said = [m for _, m in log.lines if "published receiver total of Israel" in m]
    assert len(said) == 1 and "1.17 apart" in said[0] and "Lebanon->Israel" in said[0]


def test_world_mismatch_beyond_tolerance(tmp_path: Path) -> None:
    path = _israel_lebanon(tmp_path / "a.xlsx", 2016, 2.5)
    expect_error(knomad.parse, path, row=6, column="B", text="receipts of Israel 22.5 (US$ m) does not match the "
                 "sum of its cells, 20.0 (tolerance 2.0 US$ m)")
    path = _israel_lebanon(tmp_path / "b.xlsx", 2021, 1.17)  # the exception is 2016/2017 only
    expect_error(knomad.parse, path, row=6, column="B", text="tolerance 0.001")
    path = _israel_lebanon(tmp_path / "c.xlsx", 2017, 1.17, who="Mexico")
    expect_error(knomad.parse, path, row=6, column="D", text="receipts of Mexico")


def _spoiled(tmp_path: Path, edition: int, ref: str, value: object) -> Path:
    path = fx.write_workbook(tmp_path / f"m{edition}.xlsx", edition)
    fx.set_xlsx(ref, value)(path)
    return path


@pytest.mark.parametrize(
    ("edition", "ref", "value", "row", "column", "text"),
    [
        (2016, "A9", "Total", 10, "A", "empty sending-country name (the matrix ends with a WORLD row)"),
        (2017, "H2", "Total", 2, None, "no WORLD column"),
        (2017, "D2", "France", 2, "D", "receiving country 'France' is repeated"),
        (2021, "A4", "Channel Islands", 4, "A", "sending country 'Channel Islands' is repeated"),
        (2016, "A1", "Bilateral Remittance Estimates for 2016 (US$)", 1, "A", "does not say the unit"),
        (2017, "A2", "sending (across) / receiving (down)", 2, "A", "'receiving ... (across)' then 'sending"),
        (2017, "A2", "Remittances", None, None, "no 'receiving (across) ... sending (down)' header row"),
        (2021, "C5", True, 5, "C", "True is not a number"),
        (2021, "C5", "n.a.", 5, "C", "'n.a.' is not a number (nor a missing-value marker: '-', '0*', 'N/A')"),
        (2016, "H9", 5.0, 9, "H", "published world total 5.0 (US$ m) does not match the sum of its WORLD row"),
        (2016, "F9", None, 9, "F", "published receipts of Mexico (empty) does not match"),
        (2021, "E9", 3.0, 9, "E", "published receipts of Kosovo 3.0 (US$ m) does not match the sum of its cells, "
                                  "0.0"),
    ],
    ids=["no-world-row", "no-world-column", "dup-receiver", "dup-sender", "unit", "orientation", "no-header",
         "bool", "text", "corner", "empty-total", "total-of-empty-column"],
)
def test_workbook_errors(tmp_path: Path, edition, ref, value, row, column, text) -> None:
    expect_error(knomad.parse, _spoiled(tmp_path, edition, ref, value), row=row, column=column, text=text)


def test_two_names_of_one_country(tmp_path: Path) -> None:
    path = _spoiled(tmp_path, 2017, "C2", "Swaziland")
    fx.set_xlsx("D2", "Eswatini")(path)
    expect_error(knomad.parse, path, row=2, column="D", text="'Eswatini' is the same country as 'Swaziland'")


def test_no_title(tmp_path: Path) -> None:
    path = _spoiled(tmp_path, 2017, "A1", "Remittances")
    expect_error(knomad.parse, path, row=None, column=None, text="no sheet whose A1 reads 'Bilateral Remittance")


def _csv(tmp_path: Path, change=None, name: str = "Bilateralremittancematrix2018Oct2019.csv") -> Path:
    path = fx.write_csv(tmp_path / name)
    if change:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
        path.write_text("\ufeff" + "\n".join(change(lines)) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "row", "column", "text"),
    [
        (lambda lines: lines[:1], 1, None, "the table has a header but no data rows"),
        (lambda lines: [*lines[:3], lines[3] + ",7", *lines[4:]], 4, None, "8 fields where the header has 7"),
        (lambda lines: ["x" + lines[0], *lines[1:]], 1, None, "the first header cell should be empty"),
        (lambda lines: [*lines[:2], "," + lines[2].split(",", 1)[1], *lines[3:]], 3, None,
         "empty sending country name"),
        (lambda lines: [lines[0].replace(",France,", ",,"), *lines[1:]], 1, None, "empty receiving country name"),
        (lambda lines: [*lines[:5], lines[5].replace(",0,", ",-4,", 1), *lines[6:]], 6, "Channel Islands",
         "'-4' is negative"),
    ],
    ids=["header-only", "ragged", "first-cell", "no-sender", "no-receiver", "negative"],
)
def test_csv_errors(tmp_path: Path, change, row, column, text) -> None:
    expect_error(knomad.parse, _csv(tmp_path, change), row=row, column=column, text=text)


def test_csv_edition_from_file_name(tmp_path: Path) -> None:
    expect_error(knomad.parse, _csv(tmp_path, name="remittances.csv"), row=None, column=None,
                 text="the edition year is not in the file name")


def test_unknown_file_type(tmp_path: Path) -> None:
    path = tmp_path / "matrix2018.txt"
    path.write_text("x", encoding="utf-8")
    expect_error(knomad.parse, path, row=None, column=None, text="expected an Excel workbook or a CSV file")
