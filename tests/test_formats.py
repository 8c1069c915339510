"""The format registry: every format renders an Answer, files get a ``.meta.json`` sidecar with sources and
citation, the table is cut with a note, and coded values are explained from one table."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from migdev.errors import QueryError
from migdev.publish import codes, formats
from migdev.publish.answer import Answer, SourceRef

REF = SourceRef("ims2024_bilateral", "2024", "UN DESA", "Bilateral stock", "CC BY 3.0 IGO",
                "United Nations (2024). International Migrant Stock 2024.", "a" * 64, "https://un.org")


def answer(rows: int = 3) -> Answer:
    frame = pd.DataFrame({"origin": ["MEX"] * rows, "year": range(2000, 2000 + rows),
                          "persons": pd.array(range(rows), dtype="Int64"), "type_of_data": ["B R"] * rows})
    return Answer(frame, (REF,), {"query": "stock", "filters": {"year": [2024]}}, ("a note",))


def test_registry() -> None:
    assert set(formats.FORMATS) == {"table", "csv", "json", "parquet", "excel"}
    assert formats.FORMATS["parquet"].binary and not formats.FORMATS["csv"].binary


def test_each_format_round_trips(tmp_path: Path) -> None:
    a = answer()
    assert pd.read_csv(io.BytesIO(formats.to_csv(a)))["persons"].tolist() == [0, 1, 2]
    body = json.loads(formats.to_json(a))
    assert body["rows"][2]["persons"] == 2 and body["sources"][0]["licence"] == "CC BY 3.0 IGO"
    assert body["query"]["filters"]["year"] == [2024] and body["notes"] == ["a note"]
    table = pq.read_table(io.BytesIO(formats.to_parquet(a)))
    assert table.num_rows == 3 and json.loads(table.schema.metadata[b"migdev"])["rows"] == 3
    sheets = pd.read_excel(io.BytesIO(formats.to_excel(a)), sheet_name=None, engine="calamine")
    assert sheets["data"]["persons"].tolist() == [0, 1, 2] and "ims2024_bilateral" in sheets["sources"].to_string()


def test_files_get_a_sidecar(tmp_path: Path) -> None:
    for name, fmt in formats.FORMATS.items():
        path, side = formats.write(answer(), name, tmp_path / f"out.{fmt.extension}")
        meta = json.loads(side.read_text())
        assert side.name == f"out.{fmt.extension}.meta.json" and path.stat().st_size > 0
        assert meta["sources"][0]["sha256"] == "a" * 64 and "International Migrant Stock 2024" in meta["citation"]
        assert {"column": "type_of_data", "value": "B R", "meaning": codes.CODES[0].meaning,
                "source": codes.CODES[0].source} in meta["codes"]


def test_table_is_cut_with_a_note() -> None:
    text = formats.to_table(answer(150), title="t").decode()
    assert "showing 100 of 150 rows; use --format csv" in text
    assert "showing" not in formats.to_table(answer(3)).decode()


def test_citation_once_per_text() -> None:
    twice = Answer(pd.DataFrame(), (REF, REF), {})
    assert twice.citation().count("International Migrant Stock 2024") == 1
    assert "CC BY 3.0 IGO" in twice.citation() and "a" * 64 in twice.citation()


def test_cell() -> None:
    assert formats.cell(1234567) == "1,234,567" and formats.cell(0.25) == "0.25" and formats.cell(None) == ""


def test_explain() -> None:
    assert [c.value for c in codes.explain("B R")] == ["B", "R"]
    assert codes.explain("derived_ratio_2026-07")[0].column == "vintage"
    assert codes.explain("MEDIUM")[0].column == "variant"
    with pytest.raises(QueryError, match="unknown code 'ZZ'; migdev explains"):
        codes.explain("ZZ")
