"""IAB brain-drain data 1980-2010 (Brücker, Capuano & Marfouk 2013): skilled emigration rates and stocks by sex.

Two official files are read, both as published by the IAB:

* ``iabbd_8010_v1_emigration.dta`` (Stata 13): emigration rates by origin, gender, year (1980, 1985, ..., 2010)
  and education: total, low-, medium- and high-skill (high = tertiary). A rate is emigrants aged 25+ in the 20
  OECD destinations over (emigrants + residents) of the same education, as a **fraction 0..1** (checked). Columns
  are found by their Stata variable label ("High-skill emigration rates from origin"...) or, where the label is
  empty (gender, year), by their name, never by position. Gender strings ``Male and Female``/``Male``/``Female``
  become total/male/female. The rates are stored as float32; they are widened to float64 through their
  shortest float32 repr (``float(str(np.float32(x)))``), so 0.9954359 is stored as 0.9954359, not as
  0.995435893535614 (the float32's exact binary value, which no one published). Stata's missing value ``.``
  would be NA (no estimate), never 0; the v1 file has none. An error names the observation (1-based, as Stata's
  browser shows it) and the variable.
* ``iabbd_8010_v1_gender.xls``: total migrant stocks (all ages, **not by education**) in each of the 20
  destinations (one sheet each, named by ISO3 code) by origin, sex and year. A sheet's header row is found by
  its text (``Country of birth | Total | M-Total | F-Total ...``, repeated per year); the row above carries the
  years. The ``Total immigration stock`` row is checked against the sum of the origin rows and not loaded; the
  share row under it (male/female shares, derived) is not read; a row without an origin name that holds only
  blanks and zeros carries no stock and is skipped (SWE row 201 has a lone 0 under its 2000 total); one with
  any other number is an error. Male + female must equal the total in every cell triple. The ``Explanatory
  note`` sheet is text. Errors name sheet, row and Excel column.

Decisions and quirks:

* The ``.dta`` swaps the codes of Guinea and Guinea-Bissau (Guinea is ``GNB``); the names are right (see
  :data:`CODE_FIXES`), so both rows are corrected by name, with a warning.
* Origin codes are the IAB's own where they are not ISO 3166-1; :data:`ALIASES` maps them. ``SRB&MNE`` is
  Serbia and Montenegro as one unit over the whole period, including 2010 when Serbia, Montenegro (and Kosovo)
  were separate: its rate is not Serbia's, so it is kept as the documented ISO 3166-3 code ``SCG`` (withdrawn
  2006) rather than folded into ``SRB``. ``WLD`` (the world aggregate: 20 destinations over every origin) is the
  World Bank's World group and goes to ``area_group_value`` (measures ``skilled_emigration_rate_<education>``).
* The workbook names origins only (no codes); its names are exactly the ``.dta``'s, so each name is coded by the
  code the ``.dta`` gives it (after :data:`CODE_FIXES`), then through :data:`ALIASES`. ``Unknown`` (country of
  birth not known) is the unspecified origin ``XXX``, as for the UN's "Other" (:data:`STOCK_NAMES`). A name
  neither file codes goes to ``unmatched_code``.
* Germany's sheet is by **citizenship**, not country of birth (its header says ``Citizenship``): every stock row
  keeps the basis its sheet states (``origin_basis`` = birth / citizenship).
* A rate of exactly 1.0 (every tertiary-educated native abroad, none at home) is implausible: Lesotho and Papua
  New Guinea, female, 1980, high-skill. Such rows are kept, with ``flag = 'rate_is_one'``, and said in the log.
  Rates of 0 (FSM, PLW, MHL, VAT in 1980-1990) are published values and kept unflagged.
"""

from __future__ import annotations

import math
import re
import struct
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pandera.pandas as pa

from migdev.errors import ParseError
from migdev.sources import spec
from migdev.sources.csv_tables import SEXES, check_unique, validate
from migdev.sources.xlsx_tables import Sheet, Workbook, text
from migdev.vocab import UNSPECIFIED_ORIGIN

if TYPE_CHECKING:  # harmonise imports the sources package: a run-time import here would be circular
    from migdev.harmonise import Harmoniser

RELEASES = spec.load(__file__)

#: The IAB's own origin codes that are not ISO 3166-1 alpha-3, and the registry's code for each.
ALIASES = {
    "ADO": "AND",  # Andorra
    "NAU": "NRU",  # Nauru
    "ROM": "ROU",  # Romania (the pre-2002 UN code)
    "SIN": "SGP",  # Singapore
    "TMP": "TLS",  # Timor-Leste (the pre-2002 code of East Timor)
    "UAE": "ARE",  # United Arab Emirates
    "WBG": "PSE",  # West Bank and Gaza (the World Bank's name for the State of Palestine)
    "ZAR": "COD",  # Congo, Dem. Rep. (Zaire)
    "SRB&MNE": "SCG",  # Serbia and Montenegro, one unit 1980-2010: see DOCUMENTED_CODES
}

#: Codes the v1 ``.dta`` gets wrong, by (origin name, code): it gives Guinea ``GNB`` and Guinea-Bissau ``GIN``. The
#: names are right and the codes swapped: the row named Guinea-Bissau has the higher rates (high-skill 21% in
#: 2010 against 10%, as Docquier-Marfouk find for Guinea-Bissau against Guinea) and they grow as the workbook's
#: stocks named Guinea-Bissau (mostly in Portugal) do. Keyed by name too, so a corrected file is left alone.
CODE_FIXES = {("Guinea", "GNB"): "GIN", ("Guinea-Bissau", "GIN"): "GNB"}

#: Non-ISO 3166-1 codes this product needs in the country table.
DOCUMENTED_CODES = {
    "SCG": {
        "note": "Serbia and Montenegro (ISO 3166-3 code, withdrawn 2006): the IAB brain-drain data (SRB&MNE) keep "
                "it as one origin for 1980-2010, including years after its split, so it is not Serbia",
        "names": {"en": "Serbia and Montenegro", "fr": "Serbie-et-Monténégro", "es": "Serbia y Montenegro",
                  "ru": "Сербия и Черногория", "zh": "塞尔维亚和黑山", "ar": "صربيا والجبل الأسود"},
    },
}

#: Origin names of the stock workbook that the rates file does not name, and their codes.
STOCK_NAMES = {"Unknown": UNSPECIFIED_ORIGIN}

EDUCATION = ("total", "low", "medium", "high")
FLAG_RATE_IS_ONE = "rate_is_one"

#: How each column of the rates file is found: (variable names, text its variable label contains).
_RATE_VARIABLES = {
    "origin_name": (("origin",), "country name"),
    "origin_code": (("ccode_origin",), "country code"),
    "gender": (("gender", "sex"), "gender"),
    "year": (("year",), "year"),
    "total": (("tot_rate",), "total emigration rate"),
    "low": (("low_rate",), "low-skill emigration rate"),
    "medium": (("med_rate",), "medium-skill emigration rate"),
    "high": (("high_rate",), "high-skill emigration rate"),
}
_GENDERS = {"male and female": "total", "male": "male", "female": "female"}
_FRACTION = pa.Column(float, pa.Check.in_range(0.0, 1.0), nullable=True)

RATES = pa.DataFrameSchema(
    {
        "origin_code": pa.Column(str, pa.Check.str_matches(r"^[A-Z][A-Z&]{2,}$")),
        "origin_name": pa.Column(str),
        "sex": pa.Column(str, pa.Check.isin(SEXES)),
        "year": pa.Column(int, pa.Check.in_range(1950, 2100)),
        **{education: _FRACTION for education in EDUCATION},
    },
    name="IAB emigration rates",
    strict=True,
)

STOCKS = pa.DataFrameSchema(
    {
        "destination": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$")),
        "origin_basis": pa.Column(str, pa.Check.isin(["birth", "citizenship"])),
        "origin_name": pa.Column(str),
        "year": pa.Column(int, pa.Check.in_range(1950, 2100)),
        "sex": pa.Column(str, pa.Check.isin(SEXES)),
        "persons": pa.Column("Int64", pa.Check.ge(0), nullable=True),
    },
    name="IAB migrant stocks by sex",
    strict=True,
)


# ------------------------------------------------------------------------------------------------ rates (.dta)
def parse_rates(path: Path | str) -> pd.DataFrame:
    """The emigration rates file: one row per (origin, sex, year), rates by education as fractions."""
    path = Path(path)
    try:
        with pd.io.stata.StataReader(path) as reader:
            labels = reader.variable_labels()
            raw = reader.read()
    except (ValueError, OSError, EOFError, IndexError, KeyError, UnicodeDecodeError, struct.error) as exc:
        raise ParseError(path, f"cannot be read as a Stata file: {exc}") from exc
    found = _locate(path, list(raw.columns), labels)
    if raw.empty:
        raise ParseError(path, "no observations (a variable list without data)", row=1)
    df = pd.DataFrame(index=raw.index)
    for field in ("origin_code", "origin_name", "gender"):
        df[field] = _texts(path, raw[found[field]], found[field])
    bad = ~df["gender"].str.lower().isin(list(_GENDERS))
    if bad.any():
        i = int(bad.to_numpy().argmax())
        raise ParseError(path, f"unknown gender {df['gender'].iloc[i]!r} (expected Male and Female, Male or Female)",
                         row=i + 1, column=found["gender"])
    df["sex"] = df.pop("gender").str.lower().map(_GENDERS)
    df["year"] = _numbers(path, raw[found["year"]], found["year"], integer=True).astype("int64")
    for education in EDUCATION:
        df[education] = _numbers(path, raw[found[education]], found[education], fraction=True)
    df = df[list(RATES.columns)].reset_index(drop=True)
    try:
        check_unique(df, ("origin_code", "sex", "year"), path, first_row=1)
        return validate(df, RATES, path, first_row=1)
    except ParseError as exc:  # name the file's variable, not the frame's column
        variable = {**found, "sex": found["gender"]}.get(exc.column or "", exc.column)
        raise ParseError(path, exc.reason, row=exc.row, column=variable) from exc


def _locate(path: Path, variables: list[str], labels: Mapping[str, str]) -> dict[str, str]:
    """Each field's variable: the one whose label holds the field's text, else the one with the field's name."""
    found: dict[str, str] = {}
    for field, (names, label_text) in _RATE_VARIABLES.items():
        by_label = [v for v in variables if label_text in " ".join(str(labels.get(v, "")).split()).lower()]
        if len(by_label) > 1:
            raise ParseError(path, f"variables {', '.join(by_label)} are all labelled {label_text!r}",
                             row=1, column=by_label[1])
        by_name = [v for v in variables if v.lower() in names]
        chosen = by_label or by_name
        if not chosen:
            raise ParseError(path, f"no variable labelled {label_text!r} or named {' / '.join(names)}; "
                                   f"variables: {', '.join(variables)}", row=1)
        if chosen[0] in found.values():
            raise ParseError(path, f"variable {chosen[0]} is found for two fields", row=1, column=chosen[0])
        found[field] = chosen[0]
    return found


def _texts(path: Path, values: pd.Series, column: str) -> pd.Series:
    """A string variable, stripped; an empty value is an error at its observation."""
    out = values.astype(object).map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v))
                                    else " ".join(str(v).split())).astype(str)
    empty = out == ""
    if empty.any():
        raise ParseError(path, "required value is empty", row=int(empty.to_numpy().argmax()) + 1, column=column)
    return out


def _numbers(path: Path, values: pd.Series, column: str, *, integer: bool = False,
             fraction: bool = False) -> pd.Series:
    """A numeric variable as float64 (float32 via its shortest repr); the first bad value is named."""
    if values.dtype == np.float32:
        number = pd.Series([float(str(v)) for v in values.to_numpy()], index=values.index, dtype="float64")
    elif pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        number = values.astype("float64")
    else:
        number = pd.to_numeric(values, errors="coerce").astype("float64")
        bad = number.isna() & values.notna() & (values.astype(str).str.strip() != "")
        if bad.any():
            i = int(bad.to_numpy().argmax())
            raise ParseError(path, f"{values.iloc[i]!r} is not a number", row=i + 1, column=column)
    checks = [(np.isinf(number), "is not a finite number")]
    if integer:
        checks += [(number.isna(), "is missing"),
                   (number.notna() & (number != number.round()), "is not a whole number")]
    if fraction:
        checks.append(((number < 0) | (number > 1), "is not a fraction in 0..1"))
    for bad, why in checks:
        if bad.any():
            i = int(bad.to_numpy().argmax())
            raise ParseError(path, f"{values.iloc[i]!r} {why}", row=i + 1, column=column)
    return number


# ------------------------------------------------------------------------------------------------ stocks (.xls)
def parse_stocks(path: Path | str) -> pd.DataFrame:
    """The stock workbook: one row per (destination, origin, year, sex); every destination sheet is read."""
    book = Workbook(path)
    parts = []
    for name in book.sheet_names:
        if " ".join(name.split()).lower() == "explanatory note":
            continue
        if not re.fullmatch(r"[A-Z]{3}", name.strip()):
            raise ParseError(book.path, "a sheet that is neither a destination (ISO3 code) nor the note", sheet=name)
        parts.append(_sheet_stocks(book.sheet(name)))
    if not parts:
        raise ParseError(book.path, "no destination sheet")
    df = pd.concat(parts, ignore_index=True)
    return validate(df, STOCKS, book.path)


def _sheet_stocks(sheet: Sheet) -> pd.DataFrame:
    """One destination's stocks: years from the row above the header, one Total/M-Total/F-Total triple each."""
    h = sheet.find_row(lambda cells: bool(cells) and cells[0] in ("country of birth", "citizenship")
                       and "total" in cells[1:])
    basis = "citizenship" if text(sheet.cell(h, 0)).lower() == "citizenship" else "birth"
    if h == 0:
        raise sheet.error("no row of years above the header", 0, 0)
    triples: list[tuple[int, int]] = []  # (year, column of its Total)
    for c in range(1, sheet.width(h)):
        label = text(sheet.cell(h, c)).lower()
        if label == "total":
            for k, want in ((1, "M-Total"), (2, "F-Total")):
                if text(sheet.cell(h, c + k)).lower() != want.lower():
                    raise sheet.error(f"{want!r} expected after 'Total' in the header", h, c + k)
            year = sheet.number(h - 1, c, integer=True, na=(), blank_is_na=False)
            triples.append((int(year), c))
        elif label not in ("", "m-total", "f-total"):
            raise sheet.error(f"unexpected header {sheet.cell(h, c)!r}", h, c)
    if len({y for y, _ in triples}) < len(triples):
        raise sheet.error("a year is given twice", h - 1, triples[-1][1])
    totals_row, rows, seen = None, [], {}
    for r in range(h + 1, len(sheet.rows)):
        label = text(sheet.cell(r, 0))
        if label.lower() == "total immigration stock":
            totals_row = r
            continue
        if not label:
            if r == (totals_row or -9) + 1 or all(text(v) in ("", "0") for v in sheet.rows[r]):
                continue  # the share row under the totals (derived), or a row of blanks and zeros only
            raise sheet.error("values in a row without an origin name", r, 0)
        if label in seen:
            raise sheet.error(f"origin {label!r} is given twice (also row {seen[label] + 1})", r, 0)
        seen[label] = r
        for year, c in triples:
            t, m, f = (_persons(sheet, r, c + k) for k in range(3))
            if not (math.isnan(t) or math.isnan(m) or math.isnan(f)) and abs(m + f - t) > 0.5:
                raise sheet.error(f"male {m:,.0f} + female {f:,.0f} is not the total {t:,.0f}", r, c)
            rows += [(label, year, "total", t), (label, year, "male", m), (label, year, "female", f)]
    if not rows:
        raise sheet.error("no origin rows under the header", h + 1, 0)
    df = pd.DataFrame(rows, columns=["origin_name", "year", "sex", "persons"])
    if totals_row is not None:
        _check_totals(sheet, totals_row, triples, df)
    df.insert(0, "origin_basis", basis)
    df.insert(0, "destination", sheet.name.strip())
    df["persons"] = df["persons"].round().astype("Int64")
    return df


def _persons(sheet: Sheet, r: int, c: int) -> float:
    value = sheet.number(r, c, integer=True, na=())
    if value < 0:
        raise sheet.error(f"{value!r} persons is negative", r, c)
    return value


def _check_totals(sheet: Sheet, r: int, triples: list[tuple[int, int]], df: pd.DataFrame) -> None:
    """The sheet's 'Total immigration stock' must be the sum of its origins: else rows are missing or extra."""
    sums = df.groupby(["year", "sex"])["persons"].sum(min_count=1)
    for year, c in triples:
        for k, sex in enumerate(("total", "male", "female")):
            stated = sheet.number(r, c + k, integer=True, na=())
            if not math.isnan(stated) and abs(sums.get((year, sex), 0.0) - stated) > 0.5:
                raise sheet.error(f"total {stated:,.0f} is not the sum of the origins ({sums[(year, sex)]:,.0f})",
                                  r, c + k)


def parse(path: Path | str) -> pd.DataFrame:
    """Read an IAB brain-drain file: the Stata rates file or the stock workbook (recognised by file type)."""
    path = Path(path)
    if path.suffix.lower() == ".dta":
        return parse_rates(path)
    if path.suffix.lower() in (".xls", ".xlsx"):
        return parse_stocks(path)
    raise ParseError(path, "not an IAB brain-drain file (expected the .dta rates or the .xls stocks)")


# ------------------------------------------------------------------------------------------------ store
def to_store(frames: Mapping[str, pd.DataFrame], h: Harmoniser) -> dict[str, pd.DataFrame]:
    """Rates by education to ``skilled_emigration``, stocks to ``skilled_stock``, world rates as group values."""
    rates = {sid: f for sid, f in frames.items() if set(f.columns) == set(RATES.columns)}
    stocks = {sid: f for sid, f in frames.items() if set(f.columns) == set(STOCKS.columns)}
    rates = {sid: f.assign(origin_code=_fix_codes(f, sid, h)) for sid, f in rates.items()}
    names = {n: c for f in rates.values() for n, c in zip(f["origin_name"], f["origin_code"], strict=True)}
    emigration, groups = [], []
    for sid, f in rates.items():
        revision = RELEASES.get(sid).revision
        codes = f.assign(code=h.recode(f["origin_code"], ALIASES, sid, "origin"))
        iso, group = h.split(codes, sid, "origin", iso3="code", name="origin_name")
        long = f.melt(id_vars=["year", "sex"], value_vars=list(EDUCATION), var_name="education", value_name="rate",
                      ignore_index=False)
        for education in EDUCATION:
            groups.append(h.group_values(sid, revision, group, f["year"], f["sex"],
                                         f"skilled_emigration_rate_{education}", f[education]))
        h.not_loaded(group, sid, "aggregate rates are kept in area_group_value, not skilled_emigration")
        long["origin"] = iso.reindex(long.index).to_numpy()
        long = long[long["origin"].notna()]
        missing = long["rate"].isna()
        if missing.any():
            h.say("info", f"{sid}: {int(missing.sum()):,} rates missing in the file (no estimate), not loaded")
        long = long[~missing].reset_index(drop=True)
        long["flag"] = pd.Series(pd.NA, index=long.index, dtype="string").mask(long["rate"] == 1.0,
                                                                               FLAG_RATE_IS_ONE)
        for row in long[long["flag"].notna()].itertuples():
            h.say("warning", f"{sid}: {row.education}-skill rate {row.origin} {row.sex} {row.year} is 1.0 "
                             f"(implausible: no one of that education at home); kept, flagged {FLAG_RATE_IS_ONE}")
        emigration.append(long.assign(source_id=sid, revision=revision))
    stock_parts = []
    for sid, f in stocks.items():
        revision = RELEASES.get(sid).revision
        coded = f["origin_name"].map({**names, **STOCK_NAMES}).fillna(f["origin_name"])
        unknown = f["origin_name"].isin(list(STOCK_NAMES))
        if unknown.any():
            h.say("info", f"{sid}: origin 'Unknown' (country of birth not known, {int(unknown.sum()):,} rows) "
                          f"kept as the unspecified origin {UNSPECIFIED_ORIGIN}")
        codes = f.assign(code=h.recode(coded, ALIASES, sid, "origin"))
        origin, origin_group = h.split(codes, sid, "origin", iso3="code", name="origin_name")
        dest, dest_group = h.split(f, sid, "destination", iso3="destination")
        h.not_loaded(origin_group.fillna(dest_group), sid, "stocks are kept between countries only")
        keep = origin.notna() & dest.notna()
        missing = keep & f["persons"].isna()
        if missing.any():
            h.say("info", f"{sid}: {int(missing.sum()):,} blank stock cells (no estimate), not loaded")
        part = f.assign(origin=origin, destination=dest, source_id=sid, revision=revision)
        stock_parts.append(part[(keep & ~missing).to_numpy()])
        citizenship = sorted(f.loc[f["origin_basis"] == "citizenship", "destination"].unique())
        if citizenship:
            h.say("info", f"{sid}: destination(s) {', '.join(citizenship)} count migrants by citizenship, not "
                          f"country of birth (origin_basis = citizenship)")
    out = {
        "skilled_emigration": _frame(emigration, ["source_id", "revision", "year", "origin", "sex", "education",
                                                  "rate", "flag"]),
        "skilled_stock": _frame(stock_parts, ["source_id", "revision", "year", "origin", "destination", "sex",
                                              "persons", "origin_basis"]),
    }
    if groups:
        out["area_group_value"] = pd.concat(groups, ignore_index=True)
    return out


def _fix_codes(f: pd.DataFrame, source_id: str, h: Harmoniser) -> pd.Series:
    """The file's codes with :data:`CODE_FIXES` applied, saying which rows were corrected."""
    fixed = pd.Series([CODE_FIXES.get((n, c), c) for n, c in zip(f["origin_name"], f["origin_code"], strict=True)],
                      index=f.index, dtype=object).astype(f["origin_code"].dtype)
    changed = fixed != f["origin_code"]
    for (name, code), part in f[changed].groupby(["origin_name", "origin_code"]):
        h.say("warning", f"{source_id}: origin {name!r} has the code {code} in the file, which is another country's; "
                         f"corrected to {CODE_FIXES[(name, code)]} ({len(part):,} rows)")
    return fixed


def _frame(parts: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)[columns]
