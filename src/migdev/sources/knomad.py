"""KNOMAD/World Bank Bilateral Remittance Matrix: remittances from each sending to each receiving country.

The publisher's matrices (editions 2016, 2017 and 2021 as workbooks; 2018 as a third party's CSV export) have
the **sending** country down the rows and the **receiving** country across the columns, in current US$ millions.
They are analytical estimates (Ratha and Shaw 2007: migrant stocks and incomes), not reported flows.

Decisions:

* **Units.** The store holds US$ (``usd = published millions x 1e6``). The 2018 CSV shows whole millions (the
  third party exported the values as displayed), so its small corridors read 0.
* **No estimate is not zero.** An empty cell (2021 writes "no estimate" this way: 35,567 cells, 39 whole receiving
  columns such as the UAE, Venezuela or Iran) is NA and is not stored. The text cells of the politically excluded
  corridors are "set to zero by the publisher" and are read the same way: ``0*`` (India<->Pakistan, 2016: the
  footnote gives $116,000 and $329,000 from the State Bank of Pakistan), ``N/A`` (Israel<->Lebanon 2016, and all
  four cells in the 2018 CSV) and ``-`` (the same four cells in 2017); 2021 leaves them empty and says in its notes
  they "are assumed to be zero". Any other text is a ParseError.
* **A published 0 is stored as 0**: it is the publisher's estimate of none (2016/2017 and the 2018 CSV write 0
  for corridors without migrants, and in 2018 also for estimates below half a million). Every no-estimate cell and
  every zero is counted in the build log.
* **Names, not codes.** The matrices name countries in the World Bank's spelling. ``NAMES`` maps each name to
  ISO3: 207 of the 216 names are the names of the WDI economy table (``wdi/wdi_country_metadata.csv``), checked
  one by one; the other nine are older World Bank names of the same economies ("Czech Republic", "Faeroe
  Islands", "Korea, Dem. Rep.", "Macedonia, FYR", "Puerto Rico", "Somalia", "Swaziland", "Turkey", "Vietnam"); both
  "Swaziland"/"Eswatini" and "Macedonia, FYR"/"North Macedonia" occur across editions. Kosovo is ``XKX`` and the
  Channel Islands ``CHI``, as the World Bank codes them. A name not in the table goes to the harmoniser, which
  reports it in ``unmatched_code``; two names of one country in one matrix are a ParseError.
* **WORLD totals are checked, then kept.** The ``World`` (2016) / ``WORLD`` row holds each receiver's published
  receipts, the column each sender's outflows, the corner the world total. Every published total must equal the
  sum of its cells within ``SUM_TOLERANCE_M`` (they agree to 5e-11 US$ m), the corner the sum of the WORLD row
  within ``TOLERANCE_M`` (2 US$ m: 2016 differs by 0.38); a mismatch is a ParseError at the WORLD cell. The
  documented exceptions, ``WORLD_EXCEPTIONS``, may differ by up to ``TOLERANCE_M`` and are said in the build log:
  in 2016 and 2017 the receipts of Israel and Lebanon exceed their cells by 1.17/1.20 and 0.80/0.84 US$ m, the
  estimates for the Israel<->Lebanon cells the publisher masks as N/A or -. The totals go to
  ``remittance_bilateral_total`` (role ``receiver``: the WORLD row; ``sender``: the WORLD column) and the corner to
  ``area_group_value`` (``wb:WLD``); an empty total (2021's 39 empty columns) is not stored.
* **Found by text, not position.** The matrix sheet is the first whose A1 is the title "Bilateral Remittance
  Estimates for <year> ... (millions of US$)"; the edition is that year (the CSV has no title: the year comes from
  its file name, ``...matrix2018...``). The header row is the one whose first cell says "receiving (across)" and
  "sending (down)" (2016/2021: "Remittance-receiving country (across) - Remittance-sending country (down)" with
  runs of spaces; 2017: "receiving (across) / sending (down)"). The sheet names differ (2021's ends in a space).
* **Not read:** the notes below the WORLD row, 2021's stray ``=SUM(DF3:DF216)`` below it (DF218, a copy of
  Lebanon's receipts), and the sheets third parties added (``Sheet2``, ``remshare``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pandera.pandas as pa

from migdev.errors import ParseError
from migdev.sources import spec
from migdev.sources.csv_tables import read_grid, validate
from migdev.sources.xlsx_tables import Sheet, Workbook, is_blank, text

if TYPE_CHECKING:  # harmonise imports the sources package
    from migdev.harmonise import Harmoniser

RELEASES = spec.load(__file__)

#: World Bank country names of the matrices (all editions) -> ISO3; the aggregate row/column -> WDI's ``WLD``.
NAMES: dict[str, str] = {
    "Afghanistan": "AFG", "Albania": "ALB", "Algeria": "DZA", "American Samoa": "ASM", "Andorra": "AND",
    "Angola": "AGO", "Antigua and Barbuda": "ATG", "Argentina": "ARG", "Armenia": "ARM", "Aruba": "ABW",
    "Australia": "AUS", "Austria": "AUT", "Azerbaijan": "AZE", "Bahamas, The": "BHS", "Bahrain": "BHR",
    "Bangladesh": "BGD", "Barbados": "BRB", "Belarus": "BLR", "Belgium": "BEL", "Belize": "BLZ", "Benin": "BEN",
    "Bermuda": "BMU", "Bhutan": "BTN", "Bolivia": "BOL", "Bosnia and Herzegovina": "BIH", "Botswana": "BWA",
    "Brazil": "BRA", "Brunei Darussalam": "BRN", "Bulgaria": "BGR", "Burkina Faso": "BFA", "Burundi": "BDI",
    "Cabo Verde": "CPV", "Cambodia": "KHM", "Cameroon": "CMR", "Canada": "CAN", "Cayman Islands": "CYM",
    "Central African Republic": "CAF", "Chad": "TCD", "Channel Islands": "CHI", "Chile": "CHL", "China": "CHN",
    "Colombia": "COL", "Comoros": "COM", "Congo, Dem. Rep.": "COD", "Congo, Rep.": "COG", "Costa Rica": "CRI",
    "Cote d'Ivoire": "CIV", "Croatia": "HRV", "Cuba": "CUB", "Curacao": "CUW", "Cyprus": "CYP",
    "Czech Republic": "CZE", "Denmark": "DNK", "Djibouti": "DJI", "Dominica": "DMA", "Dominican Republic": "DOM",
    "Ecuador": "ECU", "Egypt, Arab Rep.": "EGY", "El Salvador": "SLV", "Equatorial Guinea": "GNQ", "Eritrea": "ERI",
    "Estonia": "EST", "Eswatini": "SWZ", "Ethiopia": "ETH", "Faeroe Islands": "FRO", "Fiji": "FJI", "Finland": "FIN",
    "France": "FRA", "French Polynesia": "PYF", "Gabon": "GAB", "Gambia, The": "GMB", "Georgia": "GEO",
    "Germany": "DEU", "Ghana": "GHA", "Greece": "GRC", "Greenland": "GRL", "Grenada": "GRD", "Guam": "GUM",
    "Guatemala": "GTM", "Guinea": "GIN", "Guinea-Bissau": "GNB", "Guyana": "GUY", "Haiti": "HTI", "Honduras": "HND",
    "Hong Kong SAR, China": "HKG", "Hungary": "HUN", "Iceland": "ISL", "India": "IND", "Indonesia": "IDN",
    "Iran, Islamic Rep.": "IRN", "Iraq": "IRQ", "Ireland": "IRL", "Isle of Man": "IMN", "Israel": "ISR",
    "Italy": "ITA", "Jamaica": "JAM", "Japan": "JPN", "Jordan": "JOR", "Kazakhstan": "KAZ", "Kenya": "KEN",
    "Kiribati": "KIR", "Korea, Dem. Rep.": "PRK", "Korea, Rep.": "KOR", "Kosovo": "XKX", "Kuwait": "KWT",
    "Kyrgyz Republic": "KGZ", "Lao PDR": "LAO", "Latvia": "LVA", "Lebanon": "LBN", "Lesotho": "LSO",
    "Liberia": "LBR", "Libya": "LBY", "Liechtenstein": "LIE", "Lithuania": "LTU", "Luxembourg": "LUX",
    "Macao SAR, China": "MAC", "Macedonia, FYR": "MKD", "Madagascar": "MDG", "Malawi": "MWI", "Malaysia": "MYS",
    "Maldives": "MDV", "Mali": "MLI", "Malta": "MLT", "Marshall Islands": "MHL", "Mauritania": "MRT",
    "Mauritius": "MUS", "Mexico": "MEX", "Micronesia, Fed. Sts.": "FSM", "Moldova": "MDA", "Monaco": "MCO",
    "Mongolia": "MNG", "Montenegro": "MNE", "Morocco": "MAR", "Mozambique": "MOZ", "Myanmar": "MMR",
    "Namibia": "NAM", "Nepal": "NPL", "Netherlands": "NLD", "New Caledonia": "NCL", "New Zealand": "NZL",
    "Nicaragua": "NIC", "Niger": "NER", "Nigeria": "NGA", "North Macedonia": "MKD",
    "Northern Mariana Islands": "MNP", "Norway": "NOR", "Oman": "OMN", "Pakistan": "PAK", "Palau": "PLW",
    "Panama": "PAN", "Papua New Guinea": "PNG", "Paraguay": "PRY", "Peru": "PER", "Philippines": "PHL",
    "Poland": "POL", "Portugal": "PRT", "Puerto Rico": "PRI", "Qatar": "QAT", "Romania": "ROU",
    "Russian Federation": "RUS", "Rwanda": "RWA", "Samoa": "WSM", "San Marino": "SMR",
    "Sao Tome and Principe": "STP", "Saudi Arabia": "SAU", "Senegal": "SEN", "Serbia": "SRB", "Seychelles": "SYC",
    "Sierra Leone": "SLE", "Singapore": "SGP", "Sint Maarten (Dutch part)": "SXM", "Slovak Republic": "SVK",
    "Slovenia": "SVN", "Solomon Islands": "SLB", "Somalia": "SOM", "South Africa": "ZAF", "South Sudan": "SSD",
    "Spain": "ESP", "Sri Lanka": "LKA", "St. Kitts and Nevis": "KNA", "St. Lucia": "LCA",
    "St. Martin (French part)": "MAF", "St. Vincent and the Grenadines": "VCT", "Sudan": "SDN", "Suriname": "SUR",
    "Swaziland": "SWZ", "Sweden": "SWE", "Switzerland": "CHE", "Syrian Arab Republic": "SYR", "Tajikistan": "TJK",
    "Tanzania": "TZA", "Thailand": "THA", "Timor-Leste": "TLS", "Togo": "TGO", "Tonga": "TON",
    "Trinidad and Tobago": "TTO", "Tunisia": "TUN", "Turkey": "TUR", "Turkmenistan": "TKM",
    "Turks and Caicos Islands": "TCA", "Tuvalu": "TUV", "Uganda": "UGA", "Ukraine": "UKR",
    "United Arab Emirates": "ARE", "United Kingdom": "GBR", "United States": "USA", "Uruguay": "URY",
    "Uzbekistan": "UZB", "Vanuatu": "VUT", "Venezuela, RB": "VEN", "Vietnam": "VNM", "Virgin Islands (U.S.)": "VIR",
    "West Bank and Gaza": "PSE", "Yemen, Rep.": "YEM", "Zambia": "ZMB", "Zimbabwe": "ZWE",
    "World": "WLD", "WORLD": "WLD",
}

#: Value-cell texts meaning "no estimate" (corridors the publisher set to zero or found not available).
NO_ESTIMATE = frozenset({"0*", "N/A", "-"})
_EMPTY = "empty"

#: Published totals and their cell sums agree to 5e-11 US$ m; 0.001 (a thousand dollars) leaves room for rounding.
SUM_TOLERANCE_M = 0.001
#: The corner (world total) against the sum of the WORLD row, and the documented exceptions below (US$ m).
TOLERANCE_M = 2.0
#: (edition, role, name) of published totals that differ from their cells, and why.
WORLD_EXCEPTIONS: dict[tuple[int, str, str], str] = {
    (edition, "receiver", name): f"the published receipts include the {other}->{name} estimate that the cell "
                                 f"shows as {marker}"
    for edition, marker in ((2016, "N/A"), (2017, "-"))
    for name, other in (("Israel", "Lebanon"), ("Lebanon", "Israel"))
}

_WORLD = "world"
_TITLE = re.compile(r"bilateral remittance estimates for (\d{4})\b", re.IGNORECASE)
_ORIENTATION = re.compile(r"receiving[^()]*\(across\).*sending[^()]*\(down\)", re.IGNORECASE)
_CSV_EDITION = re.compile(r"matrix[ _-]?(\d{4})", re.IGNORECASE)

MATRIX = pa.DataFrameSchema(
    {
        "edition": pa.Column(int, pa.Check.in_range(1990, 2100)),
        "sender": pa.Column(str),  # names are checked (not blank, not repeated) as the grid is read
        "receiver": pa.Column(str),
        "usd_m": pa.Column(float, pa.Check.ge(0), nullable=True),
        "no_estimate": pa.Column(str, pa.Check.isin([_EMPTY, *sorted(NO_ESTIMATE)]), nullable=True),
    },
    name="KNOMAD bilateral remittance matrix",
    strict=True,
)


class _CsvGrid(Sheet):
    """A CSV as a grid of cells; errors name the row as a text editor shows it and the column by its header."""

    def error(self, message: str, r: int | None = None, c: int | None = None) -> ParseError:
        header = self.rows[0] if self.rows else []
        column = header[c].strip() or None if c is not None and c < len(header) else None
        return ParseError(self.path or Path(self.name), message, row=None if r is None else r + 1, column=column)


def _is_world(name: str) -> bool:
    return name.lower() == _WORLD


def _world(names: pd.Series) -> pd.Series:
    """True where a name is the aggregate row/column (``World``, ``WORLD``), tested once per distinct name."""
    return names.isin([n for n in names.unique() if _is_world(n)])


def _names(sheet: Sheet, cells: list[tuple[int, int]], what: str) -> list[str]:
    """The country names at ``cells``, refusing a blank name, a repeated name and two names of one country."""
    names: list[str] = []
    seen: dict[str, str] = {}
    for r, c in cells:
        name = text(sheet.cell(r, c))
        if not name:
            raise sheet.error(f"empty {what} name", r, c)
        key = NAMES.get(name, name)
        if key in seen:
            same = "repeated" if seen[key] == name else f"the same country as {seen[key]!r}"
            raise sheet.error(f"{what} {name!r} is {same}", r, c)
        seen[key] = name
        names.append(name)
    return names


def _matrix(sheet: Sheet, header: int, edition: int, *, ends_with_world: bool) -> pd.DataFrame:
    """Every cell of the matrix below ``header`` (receivers across from column B, senders down column A) as one row
    per (sender, receiver), the WORLD row and column included; then the WORLD totals are checked."""
    width = sheet.width(header)
    last = max((c for c in range(1, width) if not is_blank(sheet.cell(header, c))), default=0)
    if last == 0:
        raise sheet.error("no receiving countries in the header row", header)
    receivers = _names(sheet, [(header, c) for c in range(1, last + 1)], "receiving country")
    rows: list[int] = []
    r = header + 1
    while r < len(sheet.rows):
        if ends_with_world and is_blank(sheet.cell(r, 0)):
            raise sheet.error("empty sending-country name (the matrix ends with a WORLD row)", r, 0)
        rows.append(r)
        if ends_with_world and _is_world(text(sheet.cell(r, 0))):
            break
        r += 1
    else:
        if ends_with_world:
            raise sheet.error("no WORLD row below the sending countries", r)
    if not rows or (ends_with_world and len(rows) < 2):
        raise sheet.error("no sending countries below the header row", header + 1)
    if ends_with_world and not any(_is_world(n) for n in receivers):
        raise sheet.error("no WORLD column after the receiving countries", header)
    senders = _names(sheet, [(r, 0) for r in rows], "sending country")
    columns = range(1, last + 1)
    values: list[float] = []
    notes: list[str | None] = []
    for r in rows:
        cells = sheet.rows[r]
        for c in columns:
            v = cells[c] if c < len(cells) else None
            if type(v) is float or type(v) is int:
                number: float = float(v)
                note = None
            elif is_blank(v) and (r, c) not in sheet.errors:  # calamine reads an error cell (#N/A) as ''
                number, note = math.nan, _EMPTY
            elif isinstance(v, str) and v.strip() in NO_ESTIMATE:
                number, note = math.nan, v.strip()
            else:
                number, note = sheet.number(r, c, na=NO_ESTIMATE), None
            if note is None and not math.isfinite(number):
                raise sheet.error(f"{v!r} is not a finite number", r, c)
            if number < 0:
                raise sheet.error(f"{v!r} is negative: remittances are at least 0", r, c)
            values.append(number)
            notes.append(note)
    n = len(receivers)
    frame = pd.DataFrame({
        "edition": edition, "sender": [s for s in senders for _ in range(n)], "receiver": receivers * len(senders),
        "usd_m": values, "no_estimate": pd.Series(notes, dtype=object),
    })
    frame = validate(frame, MATRIX, sheet.path or Path(sheet.name))
    world_r = next((r for r, name in zip(rows, senders, strict=True) if _is_world(name)), None)
    world_c = next((c for c, name in zip(columns, receivers, strict=True) if _is_world(name)), None)
    where = {**{("receiver", name): (world_r, c) for c, name in zip(columns, receivers, strict=True)},
             **{("sender", name): (r, world_c) for r, name in zip(rows, senders, strict=True)}}
    corner = (world_r, world_c)
    for gap in world_gaps(frame).itertuples():
        documented = (gap.edition, gap.role, gap.name) in WORLD_EXCEPTIONS
        allowed = TOLERANCE_M if documented or gap.role == _WORLD else SUM_TOLERANCE_M
        if gap.gap > allowed:
            r, c = corner if gap.role == _WORLD else where[(gap.role, gap.name)]
            what = {"receiver": f"receipts of {gap.name}", "sender": f"outflows of {gap.name}",
                    _WORLD: "world total"}[gap.role]
            shown = "(empty)" if pd.isna(gap.published) else f"{gap.published!r} (US$ m)"
            raise sheet.error(f"published {what} {shown} does not match the sum of its "
                              f"{'WORLD row' if gap.role == _WORLD else 'cells'}, {gap.cells!r} (tolerance "
                              f"{allowed} US$ m)", r, c)
    return frame


def world_gaps(frame: pd.DataFrame) -> pd.DataFrame:
    """Each published total of a parsed matrix against the sum of its cells: ``edition, role, name, published,
    cells, gap`` (US$ m). Role ``receiver`` is the WORLD row, ``sender`` the WORLD column and ``world`` the corner,
    compared with the sum of the WORLD row. Empty totals and empty cells count as 0 (2021 leaves both empty)."""
    world_s, world_r = _world(frame["sender"]), _world(frame["receiver"])
    inner = frame[~world_s & ~world_r]
    parts = []
    for role, own, is_total in (("receiver", "receiver", world_s & ~world_r), ("sender", "sender", world_r & ~world_s)):
        if is_total.any():
            published = frame[is_total].set_index(own)["usd_m"]
            cells = inner.groupby(own, sort=False)["usd_m"].sum().reindex(published.index).fillna(0.0)
            parts.append(pd.DataFrame({"role": role, "name": published.index, "published": published.to_numpy(),
                                       "cells": cells.to_numpy()}))
    corner = frame[world_s & world_r]
    if len(corner) and world_s.any():
        row_sum = frame.loc[world_s & ~world_r, "usd_m"].sum()
        parts.append(pd.DataFrame({"role": _WORLD, "name": "World", "published": corner["usd_m"].to_numpy(),
                                   "cells": [row_sum]}))
    if not parts:
        return pd.DataFrame(columns=["edition", "role", "name", "published", "cells", "gap"])
    out = pd.concat(parts, ignore_index=True)
    out.insert(0, "edition", int(frame["edition"].iloc[0]))
    out["gap"] = (out["published"].fillna(0.0) - out["cells"]).abs()
    return out


def parse_workbook(path: Path | str) -> pd.DataFrame:
    """An official KNOMAD workbook (2016, 2017, 2021 layouts): the matrix sheet, found by its title."""
    path = Path(path)
    book = Workbook(path)
    for name in book.sheet_names:
        sheet = book.sheet(name)
        title = _TITLE.search(text(sheet.cell(0, 0)))
        if title:
            break
    else:
        raise ParseError(path, "no sheet whose A1 reads 'Bilateral Remittance Estimates for <year> ...' "
                               f"(sheets: {', '.join(book.sheet_names)})", sheet=book.sheet_names[0])
    if "millions of us$" not in text(sheet.cell(0, 0)).lower():
        raise sheet.error("the title does not say the unit '(millions of US$)'", 0, 0)
    header = sheet.find_row(lambda cells: bool(cells) and "receiving" in cells[0] and "sending" in cells[0],
                            max_rows=10, what="'receiving (across) ... sending (down)' header")
    if not _ORIENTATION.search(text(sheet.cell(header, 0))):
        raise sheet.error("the header does not say 'receiving ... (across)' then 'sending ... (down)'", header, 0)
    return _matrix(sheet, header, int(title.group(1)), ends_with_world=True)


def parse_csv(path: Path | str) -> pd.DataFrame:
    """The 2018 matrix as a CSV: receivers in the header row after an empty first cell, senders down column 1.

    Read as a grid of text cells by the shared CSV reader, which checks its shape (UTF-8, one width, no blank or
    oversized line, no repeated receiver). The CSV has no title, so the edition is the year in its file name
    (``Bilateralremittancematrix2018Oct2019``).
    """
    path = Path(path)
    rows = read_grid(path, require_line_end=False)  # the real 2018 CSV ends its last row without a line end
    edition = _CSV_EDITION.search(path.name)
    if not edition:
        raise ParseError(path, "the edition year is not in the file name (expected '...matrix<year>...')")
    grid = _CsvGrid(path.name, rows, path)
    if rows[0][0].strip():
        raise grid.error(f"the first header cell should be empty (above the senders), not {rows[0][0]!r}", 0)
    return _matrix(grid, 0, int(edition.group(1)), ends_with_world=False)


def parse(path: Path | str) -> pd.DataFrame:
    """Any KNOMAD bilateral remittance matrix: a workbook (xlsx/xls) or the CSV layout, by file type."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xls", ".xlsm"):
        return parse_workbook(path)
    if path.suffix.lower() == ".csv":
        return parse_csv(path)
    raise ParseError(path, "not a KNOMAD matrix: expected an Excel workbook or a CSV file")


def _places(names: pd.Series, h: Harmoniser, source_id: str, field: str) -> tuple[pd.Series, pd.Series]:
    """ISO3 (or aggregate group id) of each published name, through ``NAMES``; a name the table lacks is passed
    on as its own code, so the harmoniser reports it (with the name) in ``unmatched_code``."""
    frame = pd.DataFrame({"code": names.map(NAMES).fillna(names), "name": names})
    return h.split(frame, source_id, field, iso3="code", name="name")


def _say_cells(frame: pd.DataFrame, source_id: str, h: Harmoniser) -> None:
    """Count, in the build log, the cells without an estimate (not stored) and the published zeros (stored)."""
    world_s, world_r = _world(frame["sender"]), _world(frame["receiver"])
    inner, totals = frame[~world_s & ~world_r], frame[world_s ^ world_r]
    for what, part in (("cells", inner), ("WORLD totals", totals)):
        missing = part[part["usd_m"].isna()]
        for note, cells in missing.groupby("no_estimate"):
            shown = ", ".join(f"{s}->{r}" for s, r in zip(cells["sender"][:4], cells["receiver"][:4], strict=True))
            label = "empty" if note == _EMPTY else f"marked {note!r}"
            h.say("info", f"{source_id}: {len(cells):,} {what} {label} (no estimate; not stored, never 0), e.g. "
                          f"{shown}")
    zeros = int((inner["usd_m"] == 0).sum())
    if zeros:
        h.say("info", f"{source_id}: {zeros:,} cells published as 0 are stored as 0 US$ (the publisher's estimate "
                      f"of none, or below half the unit shown)")


def to_store(frames: Mapping[str, pd.DataFrame], h: Harmoniser) -> dict[str, pd.DataFrame]:
    """``remittance_bilateral`` (US$ between countries), ``remittance_bilateral_total`` (the published WORLD row
    and column) and the world totals as ``area_group_value`` rows, from the parsed matrices."""
    bilateral, totals, groups = [], [], []
    for source_id, frame in frames.items():
        edition = int(frame["edition"].iloc[0])
        _say_cells(frame, source_id, h)
        for gap in world_gaps(frame).itertuples():
            why = WORLD_EXCEPTIONS.get((gap.edition, gap.role, gap.name))
            if why and gap.gap > SUM_TOLERANCE_M:
                h.say("info", f"{source_id}: published {gap.role} total of {gap.name} is {gap.published:,.3f} "
                              f"US$ m, its cells sum to {gap.cells:,.3f} ({gap.gap:.2f} apart, within "
                              f"{TOLERANCE_M}): {why}; stored as published")
        sender, sender_group = _places(frame["sender"], h, source_id, "sender")
        receiver, receiver_group = _places(frame["receiver"], h, source_id, "receiver")
        usd = frame["usd_m"] * 1_000_000.0
        has = usd.notna()
        world_s, world_r = sender_group.eq("wb:WLD").fillna(False), receiver_group.eq("wb:WLD").fillna(False)
        keep = has & sender.notna() & receiver.notna()
        bilateral.append(pd.DataFrame({"edition": edition, "sender": sender, "receiver": receiver,
                                       "usd": usd})[keep])
        for role, iso3, is_total in (("receiver", receiver, world_s & receiver.notna()),
                                     ("sender", sender, world_r & sender.notna())):
            totals.append(pd.DataFrame({"edition": edition, "iso3": iso3, "role": role, "usd": usd})[is_total & has])
        corner = world_s & world_r & has
        groups.append(h.group_values(source_id, str(edition), sender_group[corner], edition, "total",
                                     "remittance_bilateral_usd", usd[corner]))
        other = sender_group.where(~world_s).fillna(receiver_group.where(~world_r))
        h.not_loaded(other, source_id, "of the aggregates, only the WORLD row and column are kept (as totals)")
    out = {
        "remittance_bilateral": pd.concat(bilateral, ignore_index=True),
        "remittance_bilateral_total": pd.concat(totals, ignore_index=True),
        "area_group_value": pd.concat(groups, ignore_index=True),
    }
    for name, table in out.items():
        h.say("info", f"{name}: {len(table):,} rows from {len(frames)} KNOMAD matrices")
    return out
