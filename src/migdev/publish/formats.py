"""One format registry: an :class:`~migdev.publish.answer.Answer` rendered as a table, CSV, JSON, Parquet or Excel.

``FORMATS[name].render(answer) -> bytes`` is all a caller needs (the CLI writes it to stdout or a file, the web
answers with ``media_type``). Every file written through :func:`write` gets a ``<file>.meta.json`` sidecar beside
it: the query, the sources with their citations, licences and checksums, the explanation of every coded value it
holds, its columns and row count. Parquet also carries the sidecar in its schema metadata (key ``migdev``) and
Excel in a ``sources`` sheet, so a file that travels alone still says where it comes from.

The table format is for reading at a terminal: it shows at most :data:`TABLE_ROWS` rows and says how many it cut
(use CSV for all). JSON is one object: ``query``, ``sources``, ``notes``, ``columns``, ``rows`` (records).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from migdev.publish import codes
from migdev.publish.answer import Answer

TABLE_ROWS = 100
_PLAIN = {"year", "m49", "revision", "seq", "edition", "span", "years"}


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    extension: str
    render: Callable[[Answer], bytes]
    binary: bool = False


def meta(answer: Answer) -> dict[str, Any]:
    """The sidecar: what was asked, what was read (with the citation to paste), what the codes mean."""
    from migdev import __version__

    frame = answer.frame
    values = {c: [str(v) for v in frame[c].dropna().unique()[:50]] for c in frame.columns if c in codes.COLUMNS}
    return {"query": _plain(dict(answer.query)), "rows": len(frame), "columns": [str(c) for c in frame.columns],
            "sources": [r.as_dict() for r in answer.sources], "citation": answer.citation(),
            "codes": codes.present(list(frame.columns), values), "notes": list(answer.notes),
            "generated_by": f"migdev {__version__}", "generated_at": datetime.now(UTC).isoformat(timespec="seconds")}


def _plain(value: Any) -> Any:
    """JSON-ready: numpy scalars to Python, tuples to lists."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):
        return value.item()
    return value


def cell(value: object) -> str:
    """A number as a reader wants it: thousands separated, small values with 3 significant digits, NA blank."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) or (hasattr(value, "dtype") and str(getattr(value, "dtype", "")).startswith("int")):
        return f"{int(value):,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
    return str(value)


def to_table(answer: Answer, title: str | None = None, limit: int = TABLE_ROWS) -> bytes:
    from rich.console import Console
    from rich.table import Table

    frame = answer.frame
    shown = frame.head(limit)
    table = Table(title=title, show_lines=False)
    for col in frame.columns:
        table.add_column(str(col), justify="right" if pd.api.types.is_numeric_dtype(frame[col]) else "left")
    plain = [str(c) in _PLAIN or str(c).startswith("period") for c in frame.columns]
    for row in shown.itertuples(index=False):
        table.add_row(*[str(v) if p and not pd.isna(v) else cell(v) for v, p in zip(row, plain, strict=True)])
    buffer = io.StringIO()
    Console(file=buffer, width=200, force_terminal=False, color_system=None).print(table)
    text = buffer.getvalue()
    if len(frame) > limit:
        text += f"showing {limit} of {len(frame):,} rows; use --format csv (or --out FILE) for all of them\n"
    return text.encode()


def to_csv(answer: Answer) -> bytes:
    return answer.frame.to_csv(index=False).encode()


def to_json(answer: Answer) -> bytes:
    frame = answer.frame
    rows = json.loads(frame.to_json(orient="records", force_ascii=False, date_format="iso"))
    body = {"query": _plain(dict(answer.query)), "sources": [r.as_dict() for r in answer.sources],
            "notes": list(answer.notes), "columns": [str(c) for c in frame.columns], "rows": rows}
    return (json.dumps(body, ensure_ascii=False) + "\n").encode()


def to_parquet(answer: Answer) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(answer.frame, preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                           b"migdev": json.dumps(meta(answer), ensure_ascii=False).encode()})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def to_excel(answer: Answer) -> bytes:
    """Sheet ``data`` (the rows), sheet ``sources`` (one row per source, then the citation and the query)."""
    buffer = io.BytesIO()
    frame = answer.frame.copy()
    for col in frame.columns:  # Excel has no NA for integers: blanks
        if isinstance(frame[col].dtype, pd.api.extensions.ExtensionDtype):
            frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    info = meta(answer)
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name="data", index=False)
        sources = pd.DataFrame(info["sources"])
        sources.to_excel(writer, sheet_name="sources", index=False)
        extra = pd.DataFrame({"key": ["citation", "query", "notes"],
                              "value": [info["citation"], json.dumps(info["query"], ensure_ascii=False),
                                        "\n".join(info["notes"])]})
        extra.to_excel(writer, sheet_name="sources", index=False, startrow=len(sources) + 2)
    return buffer.getvalue()


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("table", "text/plain; charset=utf-8", "txt", to_table),
    Format("csv", "text/csv; charset=utf-8", "csv", to_csv),
    Format("json", "application/json", "json", to_json),
    Format("parquet", "application/vnd.apache.parquet", "parquet", to_parquet, binary=True),
    Format("excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", to_excel,
           binary=True),
)}


def sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".meta.json")


def write(answer: Answer, fmt: str, path: Path) -> tuple[Path, Path]:
    """Write ``answer`` as ``fmt`` to ``path`` and its ``.meta.json`` sidecar beside it; both paths returned."""
    body = FORMATS[fmt].render(answer)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    side = sidecar(path)
    side.write_text(json.dumps(meta(answer), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path, side
