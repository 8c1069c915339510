"""KNOMAD bilateral remittances from the mirror's files: every name resolves, the published figures come out."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest

from migdev.harmonise import Harmoniser
from migdev.sources import knomad
from tests.sources.contract import _Log

pytestmark = pytest.mark.realdata

EDITIONS = (2016, 2017, 2018, 2021)


@pytest.fixture(scope="module")
def parsed(mirror: Path) -> tuple[dict[str, pd.DataFrame], float]:
    start = time.perf_counter()
    frames = {f.id: knomad.parse(mirror / f.path) for f in knomad.RELEASES.built}
    return frames, time.perf_counter() - start


@pytest.fixture(scope="module")
def stored(parsed, real_places) -> tuple[dict[str, pd.DataFrame], _Log]:
    log = _Log()
    return knomad.to_store(parsed[0], Harmoniser(real_places, log)), log


def test_parse_is_complete(parsed) -> None:
    """(Its speed: bench/parse_bench.py.)"""
    frames, _ = parsed
    assert sorted(int(f["edition"].iloc[0]) for f in frames.values()) == list(EDITIONS)
    for sid, frame in frames.items():
        inner = frame[(frame.sender.str.lower() != "world") & (frame.receiver.str.lower() != "world")]
        assert inner.sender.nunique() == inner.receiver.nunique() == 214, sid


def test_every_name_is_a_country(stored, real_places) -> None:
    tables, log = stored
    assert not log.unmatched, pd.concat(log.unmatched).to_string()
    known = set(real_places.country["iso3"])
    cells = tables["remittance_bilateral"]
    assert set(cells.sender) | set(cells.receiver) <= known
    # zeros are kept, so every sending row is there, except 2021's two rows without any estimate
    senders = cells.groupby("edition")["sender"].nunique().to_dict()
    assert senders == {2016: 214, 2017: 214, 2018: 214, 2021: 212}
    assert {"XKX", "MAF"} - set(cells.loc[cells.edition == 2021, "sender"]) == {"XKX", "MAF"}
    assert set(tables["remittance_bilateral_total"].iso3) <= known


def test_us_mexico_is_the_largest_corridor(stored) -> None:
    cells = stored[0]["remittance_bilateral"]
    top = cells.loc[cells.groupby("edition")["usd"].idxmax()].set_index("edition")
    assert list(top.index) == list(EDITIONS)
    assert set(zip(top.sender, top.receiver, strict=True)) == {("USA", "MEX")}
    assert round(top.at[2021, "usd"] / 1e9, 1) == 52.6
    assert round(top.at[2017, "usd"] / 1e9, 1) == 30.0


def test_positive_cells_and_world_totals(stored) -> None:
    tables, _ = stored
    cells = tables["remittance_bilateral"]
    positive = cells[cells.usd > 0].groupby("edition").size().to_dict()
    assert positive == {2016: 11_901, 2017: 11_901, 2018: 6_062, 2021: 10_227}  # PROVENANCE.md's counts
    world = tables["area_group_value"].set_index("year")["value"]
    assert {y: round(v / 1e9, 1) for y, v in world.items()} == {2016: 573.6, 2017: 613.5, 2021: 781.1}
    totals = tables["remittance_bilateral_total"].set_index(["edition", "iso3", "role"])["usd"]
    assert round(totals[(2021, "IND", "receiver")] / 1e9, 1) == 89.4  # the Migration and Development Brief figure
    assert round(totals[(2021, "USA", "sender")] / 1e9, 1) == 200.2
    # the published outflows equal the stored cells (every cell of a sender row holds a number or no estimate)
    sums = cells[cells.edition == 2021].groupby("sender")["usd"].sum()
    assert (sums - totals.xs((2021, "sender"), level=("edition", "role"))).abs().max() < 1_000.0
    counts = tables["remittance_bilateral_total"].groupby(["edition", "role"]).size().to_dict()
    assert counts[(2021, "receiver")] == 175  # the 39 empty WORLD cells are not stored


def test_no_estimate_and_exceptions_are_said(stored) -> None:
    said = [m for _, m in stored[1].lines]
    assert any(m.startswith("knomad2021_remittances: 35,567 cells empty") for m in said)
    assert any(m.startswith("knomad2021_remittances: 39 WORLD totals empty") for m in said)
    for sid, marker in (("knomad2016_remittances", "0*"), ("knomad2016_remittances", "N/A"),
                        ("knomad2017_remittances", "-"), ("knomad2018_remittances", "N/A")):
        assert any(m.startswith(f"{sid}: ") and f"marked {marker!r}" in m for m in said), (sid, marker)
    exceptions = sorted(m.split(":")[0] + " " + m.split("total of ")[1].split(" is")[0]
                        for m in said if "published receiver total of" in m)
    assert exceptions == ["knomad2016_remittances Israel", "knomad2016_remittances Lebanon",
                          "knomad2017_remittances Israel", "knomad2017_remittances Lebanon"]
