"""Mutated copies of the real release files, each with the outcome a parser must give, and a runner that parses
each in a forked, memory-capped child process.

Every file of :func:`migdev.sources.releases` found in the mirror is mutated, so a product merged later is
covered without an edit here; its parser is ``migdev.sources.<product>.parse``. A CSV is cut to its header plus
the first :data:`PREFIX_ROWS` data rows (and the first row with a non-ASCII character, so a re-encoding has
something to break); the mutation is of the real file's layout and content. Workbooks are mutated whole, in their
XML, which keeps everything else of the real file byte for byte.

Expectations are stated from the mutation, never from what the parser does: a value that is not a finite
number, an Excel error, a negative count, a ragged or cut row, a duplicated header or key, a second revision, a
broken sex sum, text that is not UTF-8, an oversized line or field, a corrupt or unbounded workbook must be a
``ParseError`` (at the mutated row, column and sheet where one cell is at fault); a trailing blank line, CRLF
line ends, a BOM added or removed, spaces around a number, reordered columns and an extra column must be
accepted. Only which columns a parser *reads as numbers* is learned, by a probe: the whole column spoilt
(:func:`probes`); a column it does not read cannot carry a defect into the database. :data:`SIGNED` lists the
columns where a negative number is a value (net migration, WDI series, coordinates): anywhere else -1 must be
refused.
"""

from __future__ import annotations

import csv
import gc
import importlib
import io
import json
import os
import re
import resource
import select
import signal
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from migdev.errors import ParseError
from migdev.sources import releases
from migdev.sources.spec import Source

PREFIX_ROWS = 300
TARGET_ROW = 5  # 0-based data row the cell mutations hit
#: A negative number is a value here, not a defect (WPP reg/area code -1 means "no parent"; RPW's negative costs
#: are flagged as anomalies, not refused; IOM publishes some negative 'missing' and 'survivors' counts as they are).
SIGNED = frozenset({"value", "net_migration", "reg_code", "area_code", "longitude", "latitude", "lat", "lon",
                    "balance_residual", "growth_rate_pct", "cnmr", "pop_change", "capital_lat", "capital_lon",
                    "lat_capital", "lon_capital", "avg_cost_pct_200usd", "avg_cost_pct_500usd",
                    "avg_fx_margin_200usd", "avg_fx_margin_500usd", "missing_min", "survivors"})
#: Long tables by sex: the value column whose male + female must equal its total.
SEX_SUM = ("persons", "migrant_stock", "emigrant_stock")
#: Wide tables by sex: (male, female, total) columns.
WIDE_SEX_SUM = (("pop_male", "pop_female", "pop_total"),)
#: Wide files where every column after the identifiers is a period: an unknown column is refused by name, never
#: skipped (it could be a period the parser failed to read).
WIDE_BY_PERIOD = frozenset({"rpw_databank_corridors"})
#: Products whose workbooks hold only counts (a negative cell is a defect).
NON_NEGATIVE_WORKBOOKS = frozenset({"undesa_ims"})
BAD_NUMBERS = ("inf", "-inf", "1e400", "nan", "#N/A", "#DIV/0!", "abc")
MEMORY_CAP = 1 << 30  # address space a child may add to what it inherits (at least 1.5 GiB in all)
GROWTH_LIMIT_MIB = 512
_NUMBER = re.compile(r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$")


@dataclass(frozen=True)
class Case:
    mutation: str
    source_id: str
    product: str
    path: Path
    expect: str  # "accept" or "error"
    row: int | None = None
    column: str | None = None
    sheet: str | None = None


@dataclass
class Result:
    case: Case
    outcome: str  # accept, ParseError, an exception class name, crash, timeout
    row: int | None = None
    column: str | None = None
    sheet: str | None = None
    message: str = ""
    peak_mib: float = 0.0
    growth_mib: float = 0.0
    seconds: float = 0.0
    ok: bool = field(default=False)


# --------------------------------------------------------------------------------------------------------- CSV
@dataclass
class _Csv:
    """A real CSV cut to a prefix: its records as text lines, the header's index and field names."""

    src: Source
    real: Path
    lines: list[str]  # with line ends
    header_at: int
    header: list[str]
    bom: bool

    @property
    def data(self) -> range:
        return range(self.header_at + 1, len(self.lines))

    def fields(self, i: int) -> list[str]:
        return next(csv.reader([self.lines[i]]))

    def values(self, column: str) -> list[str]:
        j = self.header.index(column)
        return [f[j] if j < len(f) else "" for f in (self.fields(i) for i in self.data)]


def _line(fields: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(fields)
    return buf.getvalue()


def _load_prefix(src: Source, real: Path) -> _Csv:
    raw = real.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    lines = text.splitlines(keepends=True)
    counts = [len(r) for r in csv.reader(lines[:50])]
    header_at = counts.index(max(counts))
    keep = lines[: header_at + 1 + PREFIX_ROWS]
    later = next((ln for ln in lines[len(keep):] if not ln.isascii()), None)
    if later is not None and all(ln.isascii() for ln in keep):
        keep.append(later)
    header = [c.strip() for c in next(csv.reader([keep[header_at]]))]
    return _Csv(src, real, keep, header_at, header, bom)


def _write(out: Path, name: str, data: bytes) -> Path:
    path = out / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _encode(p: _Csv, lines: list[str], *, bom: bool | None = None) -> bytes:
    body = "".join(lines).encode()
    return (b"\xef\xbb\xbf" if (p.bom if bom is None else bom) else b"") + body


def _numeric_columns(p: _Csv) -> list[str]:
    out = []
    for c in p.header:
        vals = [v for v in p.values(c) if v.strip()] if c else []
        if vals and all(_NUMBER.match(v) for v in vals):
            out.append(c)
    return out[:6] + out[6:][-6:]


def _set_cell(p: _Csv, i: int, column: str, value: str) -> list[str]:
    lines = list(p.lines)
    f = p.fields(i)
    f[p.header.index(column)] = value
    lines[i] = _line(f)
    return lines


def probes(src: Source, real: Path, out: Path) -> list[tuple[str, Case]]:
    """(column, case): the prefix with every value of one number-like column spoilt, to learn which it reads."""
    p = _load_prefix(src, real)
    cases = []
    for c in _numeric_columns(p):
        lines = list(p.lines)
        for i in p.data:
            f = p.fields(i)
            f[p.header.index(c)] = "x!"
            lines[i] = _line(f)
        path = _write(out / "probe" / src.id / _slug(c), real.name, _encode(p, lines))
        cases.append((c, Case("probe", src.id, src.product, path, "error", column=c)))
    return cases


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_") or "col"


def csv_cases(src: Source, real: Path, out: Path, numeric: list[str]) -> Iterator[Case]:
    """Every CSV mutation of one real file; ``numeric`` are the columns its parser reads as numbers."""
    p = _load_prefix(src, real)
    folder = out / src.id
    n = 0

    def case(mutation: str, data: bytes, expect: str, row: int | None = None, column: str | None = None) -> Case:
        nonlocal n
        n += 1
        path = _write(folder / f"{n:03d}_{_slug(mutation)}", real.name, data)
        return Case(mutation, src.id, src.product, path, expect, row, column)

    t = p.data[min(TARGET_ROW, len(p.data) - 1)]  # the target's 0-based line; row t + 1 as an editor shows it
    last = len(p.lines) - 1
    yield case("original prefix", _encode(p, p.lines), "accept")
    yield case("empty file", b"", "error")
    yield case("header only", _encode(p, p.lines[: p.header_at + 1]), "error")
    cut = p.lines[last].rstrip("\r\n")
    yield case("cut mid last row", _encode(p, [*p.lines[:last], cut[: len(cut) // 2]]), "error", row=last + 1)
    if real.read_bytes().endswith((b"\n", b"\r")):
        yield case("cut inside last value", _encode(p, [*p.lines[:last], cut[:-1]]), "error", row=last + 1)
    else:
        # the real file has no final line end (KNOMAD 2018): a cut inside its last number leaves a well-formed
        # file that no shape check can tell from the real one; the registered sha256 is what refuses it
        yield case("cut inside last value", _encode(p, [*p.lines[:last], cut[:-1]]), "accept")
    f = p.fields(t)
    yield case("ragged: extra field", _encode(p, [*p.lines[:t], _line([*f, "x"]), *p.lines[t + 1:]]), "error",
               row=t + 1)
    yield case("ragged: missing field", _encode(p, [*p.lines[:t], _line(f[:-1]), *p.lines[t + 1:]]), "error",
               row=t + 1)
    head = next(csv.reader([p.lines[p.header_at]]))
    dup = [*head[:-1], next(h for h in head if h.strip())]  # a matrix's first header cell is empty
    yield case("duplicated header name", _encode(p, [*p.lines[: p.header_at], _line(dup), *p.lines[p.header_at + 1:]]),
               "error", row=p.header_at + 1)
    ended = [*p.lines[:-1], p.lines[-1] if p.lines[-1].endswith("\n") else p.lines[-1] + "\n"]
    yield case("duplicated key row", _encode(p, [*ended, p.lines[t]]), "error", row=len(p.lines) + 1)
    text = "".join(p.lines)
    first = next((i for i, ln in enumerate(p.lines) if not ln.isascii()), None)
    latin = text.encode("latin-1", errors="replace")
    if first is None:
        yield case("latin-1 (all ASCII)", latin, "accept")
    else:
        yield case("latin-1 re-encoded", latin, "error", row=first + 1)
    yield case("utf-16 re-encoded", text.encode("utf-16"), "error")
    yield case("1 MiB line of commas", _encode(p, [*p.lines[:t], "," * (1 << 20) + "\n", *p.lines[t:]]), "error",
               row=t + 1)
    target = next((c for c in p.header if c and c not in numeric), p.header[0])
    for size in (100 << 10, 300 << 10):
        yield case(f"{size >> 10} KiB field", _encode(p, _set_cell(p, t, target, "x" * size)), "error", row=t + 1)
    yield case("trailing blank lines", _encode(p, [*p.lines, "\n", "\n"]), "accept")
    yield case("CRLF line ends", _encode(p, [ln.rstrip("\r\n") + "\r\n" for ln in p.lines]), "accept")
    yield case("BOM added" if not p.bom else "BOM removed", _encode(p, p.lines, bom=not p.bom), "accept")

    def each(change: Callable[[list[str]], list[str]]) -> list[str]:
        return [*p.lines[: p.header_at], *(_line(change(p.fields(i))) for i in range(p.header_at, len(p.lines)))]

    if head[0].strip():
        yield case("columns reordered", _encode(p, each(lambda f: [f[1], f[0], *f[2:]])), "accept")
    else:  # a matrix: the first column holds the row labels; reorder two of the value columns
        yield case("columns reordered", _encode(p, each(lambda f: [f[0], f[2], f[1], *f[3:]])), "accept")
    yield case("extra unknown column", _encode(p, [*p.lines[: p.header_at], _line([*head, "zz_extra"]),
                                                   *(_line([*p.fields(i), "1"]) for i in p.data)]),
               "error" if src.id in WIDE_BY_PERIOD else "accept", row=p.header_at + 1 if src.id in WIDE_BY_PERIOD
               else None, column="zz_extra" if src.id in WIDE_BY_PERIOD else None)
    for col in dict.fromkeys([numeric[0], numeric[-1], *[c for c in numeric if c not in SIGNED][-1:]]
                             if numeric else []):
        value = p.fields(t)[p.header.index(col)]
        if value.strip():
            yield case(f"spaces around {col}", _encode(p, _set_cell(p, t, col, f"  {value} ")), "accept")
        for bad in BAD_NUMBERS:
            yield case(f"{bad} in {col}", _encode(p, _set_cell(p, t, col, bad)), "error", row=t + 1, column=col)
        signed = col in SIGNED or col.isdigit()
        yield case(f"-1 in {col}", _encode(p, _set_cell(p, t, col, "-1")), "accept" if signed else "error",
                   row=None if signed else t + 1, column=None if signed else col)
    yield from _consistency(p, case)


def _consistency(p: _Csv, case: Callable[..., Case]) -> Iterator[Case]:
    """Cross-field mutations: a broken sex sum, a second revision inside a file."""
    if "sex" in p.header:
        sexes = p.values("sex")
        for col in (c for c in SEX_SUM if c in p.header):
            vals = p.values(col)
            others = [c for c in p.header if c not in ("sex", col) and c in _key_columns(p)]
            key = {i: tuple(p.fields(i)[p.header.index(c)] for c in others) for i in p.data}
            totals = [i for i, s in zip(p.data, sexes, strict=True) if s == "total" and vals[i - p.data[0]].strip()]
            for i in totals:
                parts = [j for j in p.data if key[j] == key[i] and sexes[j - p.data[0]] in ("male", "female")
                         and vals[j - p.data[0]].strip()]
                if len(parts) == 2:
                    bumped = str(int(float(vals[i - p.data[0]])) + 1000)
                    yield case(f"male + female != total ({col})", _encode(p, _set_cell(p, i, col, bumped)), "error",
                               row=i + 1, column=col)
                    break
    for male, female, total in WIDE_SEX_SUM:
        if {male, female, total} <= set(p.header):
            t = p.data[min(TARGET_ROW, len(p.data) - 1)]
            value = float(p.fields(t)[p.header.index(total)]) + 1.0
            yield case(f"{male} + {female} != {total}", _encode(p, _set_cell(p, t, total, f"{value:.3f}")), "error",
                       row=t + 1, column=total)
    if "revision" in p.header:
        with open(p.real, encoding="utf-8-sig", newline="") as fh:  # the whole file's revisions, not the prefix's
            rows = csv.reader(fh)
            at = next(rows).index("revision") if p.header_at == 0 else p.header.index("revision")
            present = {r[at] for r in rows if len(r) > at}
        other = "2019" if {"2020", "2024"} <= present else ("2020" if "2020" not in present else "2024")
        t = p.data[min(TARGET_ROW, len(p.data) - 1)]
        yield case(f"second revision {other}", _encode(p, _set_cell(p, t, "revision", other)), "error", row=t + 1,
                   column="revision")


def _key_columns(p: _Csv) -> list[str]:
    """Identification columns of a long table: codes and years (not names or values)."""
    return [c for c in p.header if c in ("revision", "year", "m49", "dest_m49", "orig_m49", "age_group", "loc_code")]


# -------------------------------------------------------------------------------------------------------- xlsx
def _sheet_xml(path: Path, sheet: str) -> tuple[str, bytes]:
    from migdev.sources.xlsx_tables import Workbook

    member = Workbook(path).members[sheet]
    with zipfile.ZipFile(path) as z:
        return member, z.read(member)


def _rezip(real: Path, member: str, xml: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(real) as z, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as o:
        for info in z.infolist():
            o.writestr(info, xml if info.filename == member else z.read(info))
    return buf.getvalue()


def _put(xml: bytes, ref: str, cell: str) -> bytes:
    pattern = re.compile(rb'<c r="' + ref.encode() + rb'"[^>]*?(?:/>|>.*?</c>)', re.DOTALL)
    new, n = pattern.subn(cell.encode(), xml, count=1)
    if n != 1:
        raise ValueError(f"no cell {ref} to mutate")
    return new


def _value_cell(path: Path) -> tuple[str, int, int]:
    """(sheet, row, column), 0-based, of a number cell inside the first table of the workbook."""
    from migdev.sources.xlsx_tables import Workbook

    book = Workbook(path)
    for name in book.sheet_names:
        sheet = book.sheet(name)
        rows = [r for r, row in enumerate(sheet.rows)
                if sum(isinstance(v, float) and not isinstance(v, bool) for v in row) >= 3]
        if len(rows) >= 10:
            r = rows[len(rows) // 3]
            cols = [c for c, v in enumerate(sheet.rows[r]) if isinstance(v, float) and not isinstance(v, bool)]
            return name, r, cols[len(cols) * 2 // 3]
    raise ValueError(f"{path.name}: no sheet with a table of numbers")


def xlsx_cases(src: Source, real: Path, out: Path) -> Iterator[Case]:
    from migdev.sources.xlsx_tables import column_letter

    folder = out / src.id
    data = real.read_bytes()
    n = 0

    def case(mutation: str, body: bytes, expect: str, sheet: str | None = None, row: int | None = None,
             column: str | None = None) -> Case:
        nonlocal n
        n += 1
        path = _write(folder / f"{n:03d}_{_slug(mutation)}", real.name, body)
        return Case(mutation, src.id, src.product, path, expect, row, column, sheet)

    yield case("original", data, "accept")
    yield from _binary(case, data)
    sheet, r, c = _value_cell(real)
    member, xml = _sheet_xml(real, sheet)
    stray = xml.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')
    yield case("stray cell at XFD1048576", _rezip(real, member, stray), "error", sheet, 1048576, "XFD")
    ref = f"{column_letter(c)}{r + 1}"
    cells = {"#N/A error cell": f'<c r="{ref}" t="e"><v>#N/A</v></c>',
             "#DIV/0! error cell": f'<c r="{ref}" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
             "1e400 number": f'<c r="{ref}"><v>1e400</v></c>',
             "inf text": f'<c r="{ref}" t="inlineStr"><is><t>inf</t></is></c>',
             "abc text": f'<c r="{ref}" t="inlineStr"><is><t>abc</t></is></c>'}
    if src.product in NON_NEGATIVE_WORKBOOKS:
        cells["-1 number"] = f'<c r="{ref}"><v>-1</v></c>'
    for what, cell in cells.items():
        yield case(f"{what} at {sheet}!{ref}", _rezip(real, member, _put(xml, ref, cell)), "error", sheet, r + 1,
                   column_letter(c))
    if src.product == "undesa_ims":
        yield from _ims_workbook(real, case)


def _ims_workbook(real: Path, case: Callable[..., Case]) -> Iterator[Case]:
    """The IMS workbook's cross-table rules: years agree across tables, Table 1's sexes add up."""
    from migdev.sources.undesa_ims_workbook_tables import TABLES, find_blocks, find_header
    from migdev.sources.xlsx_tables import Workbook, column_letter

    book = Workbook(real)
    sheet = book.sheet("Table 2")
    header = find_header(sheet)
    c, year = find_blocks(sheet, TABLES[1], header)[-1].cols[-1]
    ref = f"{column_letter(c)}{header.year_row + 1}"
    member, xml = _sheet_xml(real, sheet.name)
    body = _rezip(real, member, _put(xml, ref, f'<c r="{ref}"><v>{year + 1}</v></c>'))
    yield case(f"Table 2 year {year} -> {year + 1}", body, "error", sheet.name, header.year_row + 1, column_letter(c))
    sheet = book.sheet("Table 1")
    header = find_header(sheet)
    total = next(b for b in find_blocks(sheet, TABLES[0], header) if b.sex == "total")
    c = total.cols[-1][0]
    r = next(r for r in range(header.year_row + 1, len(sheet.rows))
             if isinstance(sheet.cell(r, header.code), float) and isinstance(sheet.cell(r, c), float)
             and sheet.cell(r, header.code) < 900)
    ref = f"{column_letter(c)}{r + 1}"
    member, xml = _sheet_xml(real, sheet.name)
    body = _rezip(real, member, _put(xml, ref, f'<c r="{ref}"><v>{sheet.cell(r, c) + 1000:.0f}</v></c>'))
    yield case(f"Table 1 male + female != total at {ref}", body, "error", sheet.name, r + 1, column_letter(c))


def _binary(case: Callable[..., Case], data: bytes) -> Iterator[Case]:
    yield case("empty file", b"", "error")
    yield case("truncated to half", data[: len(data) // 2], "error")
    yield case("not the file type (text)", b"revision,year\n2024,2024\n", "error")


def other_cases(src: Source, real: Path, out: Path) -> Iterator[Case]:
    n = 0

    def case(mutation: str, body: bytes, expect: str) -> Case:
        nonlocal n
        n += 1
        return Case(mutation, src.id, src.product, _write(out / src.id / f"{n:03d}_{_slug(mutation)}", real.name,
                                                          body), expect)

    data = real.read_bytes()
    yield case("original", data, "accept")
    yield case("empty file", b"", "error")
    yield case("truncated to half", data[: len(data) // 2], "error")


# ------------------------------------------------------------------------------------------------------ driver
def sources(mirror: Path) -> list[tuple[Source, Path]]:
    """The real files to mutate: every file the build reads, and every registered file a product's parser reads
    (the official workbooks the build does not load); registered originals no parser reads (e.g. IMPIC's raw
    export, UNHCR's .rda files) have nothing to test."""
    import importlib

    from migdev.errors import ParseError

    out = []
    for s in releases().values():
        path = mirror / s.path
        if not path.is_file():
            continue
        if not s.build:
            module = importlib.import_module(f"migdev.sources.{s.product}")
            try:
                getattr(module, s.parser or "parse")(path)
            except ParseError:
                continue
        out.append((s, path))
    return out


def cases(mirror: Path, out: Path, *, jobs: int = 2) -> list[Case]:
    """Every mutation of every real file in the mirror; CSV columns read as numbers are probed first."""
    found = sources(mirror)
    probe = [(s, col, c) for s, real in found if real.suffix.lower() == ".csv" for col, c in probes(s, real, out)]
    outcome = run([c for _, _, c in probe], jobs=jobs)
    read = {s.id: [col for (s2, col, _), r in zip(probe, outcome, strict=True) if s2.id == s.id
                   and r.outcome == "ParseError" and r.column == col] for s, _ in found}
    result: list[Case] = []
    for s, real in found:
        kind = real.suffix.lower()
        if kind == ".csv":
            result.extend(csv_cases(s, real, out, read[s.id]))
        elif kind in (".xlsx", ".xlsm"):
            result.extend(xlsx_cases(s, real, out))
        else:
            result.extend(other_cases(s, real, out))
    return result


def _rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _vm_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _child(case: Case, limit: int) -> dict[str, object]:
    try:  # Arrow's own allocator reserves address space by the gigabyte: under a cap, use malloc
        import pyarrow

        pyarrow.set_memory_pool(pyarrow.system_memory_pool())
    except ImportError:
        pass
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    module = importlib.import_module(f"migdev.sources.{case.product}")
    base = _rss_mib()
    started = time.perf_counter()
    out: dict[str, object]
    try:
        module.parse(case.path)
        out = {"outcome": "accept"}
    except ParseError as exc:
        out = {"outcome": "ParseError", "row": exc.row, "column": exc.column, "sheet": exc.sheet,
               "message": str(exc)[:300]}
    except BaseException as exc:
        out = {"outcome": type(exc).__name__, "message": str(exc)[:300]}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.update(seconds=time.perf_counter() - started, peak_mib=peak, growth_mib=max(0.0, peak - base))
    return out


def run(items: Iterable[Case], *, jobs: int = 2, timeout: float = 30.0) -> list[Result]:
    """Parse each case in its own forked child (address space capped, ``timeout`` seconds), ``jobs`` at a time."""
    todo = list(enumerate(items))
    for product in {c.product for _, c in todo}:
        importlib.import_module(f"migdev.sources.{product}")  # import once, before forking
    limit = max(_vm_bytes() + MEMORY_CAP, 3 << 29)
    gc.collect()
    gc.freeze()  # children then neither scan nor copy the parent's objects
    try:
        return _run(todo, jobs, timeout, limit)
    finally:
        gc.unfreeze()


def _run(todo: list[tuple[int, Case]], jobs: int, timeout: float, limit: int) -> list[Result]:
    results: dict[int, Result] = {}
    running: dict[int, tuple[int, Case, int, float, bytearray]] = {}  # pid -> (index, case, fd, start, data)
    while todo or running:
        while todo and len(running) < jobs:
            i, case = todo.pop(0)
            rfd, wfd = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child
                os.close(rfd)
                try:
                    payload = json.dumps(_child(case, limit), default=str).encode()
                    os.write(wfd, payload)
                finally:
                    os._exit(0)
            os.close(wfd)
            running[pid] = (i, case, rfd, time.monotonic(), bytearray())
        ready, _, _ = select.select([v[2] for v in running.values()], [], [], 0.2)
        for pid, (i, case, fd, start, data) in list(running.items()):
            if fd in ready:
                chunk = os.read(fd, 1 << 16)
                if chunk:
                    data.extend(chunk)
                    continue
            done, status = os.waitpid(pid, os.WNOHANG)
            if not done and time.monotonic() - start > timeout:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                results[i] = _finish(Result(case, "timeout", seconds=timeout))
            elif done:
                data.extend(_drain(fd))
                if data:
                    results[i] = _finish(Result(case, **json.loads(data)))
                else:
                    why = f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"exit {status >> 8}"
                    results[i] = _finish(Result(case, "crash", message=why, seconds=time.monotonic() - start))
            else:
                continue
            os.close(fd)
            del running[pid]
    return [results[i] for i in sorted(results)]


def _drain(fd: int) -> bytes:
    out = bytearray()
    while chunk := os.read(fd, 1 << 16):
        out.extend(chunk)
    return bytes(out)


def _finish(result: Result) -> Result:
    c = result.case
    if c.expect == "accept":
        result.ok = result.outcome == "accept"
    else:
        result.ok = (result.outcome == "ParseError" and (c.row is None or result.row == c.row)
                     and (c.column is None or result.column == c.column)
                     and (c.sheet is None or result.sheet == c.sheet))
    result.ok = result.ok and result.growth_mib <= GROWTH_LIMIT_MIB
    return result


def markdown(results: list[Result]) -> str:
    """The results as a Markdown table, failures first, with the peak memory of every parse."""
    def where(sheet: str | None, row: int | None, column: str | None) -> str:
        return " ".join(x for x in (sheet and f"{sheet}!", row and f"r{row}", column and f"c{column}") if x) or "-"

    lines = ["| ok | mutation | source | expected | outcome | peak MiB | growth MiB | s |",
             "|---|---|---|---|---|---:|---:|---:|"]
    for r in sorted(results, key=lambda r: (r.ok, r.case.source_id)):
        c = r.case
        expected = "accept" if c.expect == "accept" else f"ParseError {where(c.sheet, c.row, c.column)}"
        got = r.outcome if r.outcome != "ParseError" else f"ParseError {where(r.sheet, r.row, r.column)}"
        if not r.ok and r.message:
            got += f": {r.message[:160]}".replace("|", "/").replace("\n", " ")
        lines.append(f"| {'yes' if r.ok else '**NO**'} | {c.mutation[:60]} | {c.source_id} | {expected} | {got} | "
                     f"{r.peak_mib:.0f} | {r.growth_mib:.0f} | {r.seconds:.2f} |")
    peak = max((r.peak_mib for r in results), default=0.0)
    growth = max((r.growth_mib for r in results), default=0.0)
    lines.append("")
    lines.append(f"{sum(r.ok for r in results)} of {len(results)} as expected; "
                 f"{sum(r.case.expect == 'error' for r in results)} refusals expected; "
                 f"largest peak {peak:.0f} MiB, largest growth in one parse {growth:.0f} MiB.")
    return "\n".join(lines)


def summary(results: list[Result]) -> dict[str, object]:
    return {"n": len(results), "ok": sum(r.ok for r in results),
            "failures": [asdict(r) | {"case": asdict(r.case)} for r in results if not r.ok]}
