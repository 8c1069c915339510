"""UNHCR's annual flows and procedures: displacement flows, solutions, asylum applications and decisions, and the
2025 demographics; each parser and the rows it gives the store (the stocks are in :mod:`migdev.sources.unhcr`).

* ``refugee_flow.flow_type``: from ``flows`` (new arrivals in the year) ``refugees`` (refugee arrivals, prima
  facie and temporary protection included; refugee-like situations included from 2007), ``asylum_seekers`` (new
  asylum applications, repeat and appeal claims excluded), ``refugee_like``, ``oip`` (from 2018); from
  ``solutions`` ``returned_refugees``, ``resettlement`` (arrivals in the resettlement country, the "asylum"
  column), ``naturalisation``, ``returned_idps``. Both files leave a cell without a figure empty: no row.
* ``asylum_application`` / ``asylum_decision``: the key is the file's own (procedure type ``G`` government,
  ``J`` joint, ``U`` UNHCR; application type; decision level; unit), unique in both files, so nothing is summed.
  Decision level and application type ``NA`` are UNHCR codes ("new applications"), not missing values. ``unit``
  is ``persons`` or ``cases`` (``P``/``C``): the two are never added.
* ``refugee_demographic``: the 2025 file is by location (admin area, camp, "dispersed"), settlement type and
  accommodation type; these are summed to (year, origin, asylum, population type), the level of ``refugee``.
  ``total`` is everyone (sex ``total``, age ``total``). UNHCR writes 0 in every sex and age cell of a row without
  a breakdown (3,308 rows in 2025): those zeros are not reported values, so the female and male cells of the
  store sum only the rows that give a breakdown, and a key none of whose rows does has no female/male rows.
  ``female + male`` is thus at most ``total``; a female share is female / (female + male). Age ``unknown`` is
  UNHCR's ``*_other`` (sex known, age not).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pandera.pandas as pa

from migdev.sources.csv_tables import validate
from migdev.sources.unhcr_layout import PLACE_COLUMNS, count, read_table

if TYPE_CHECKING:  # the harmoniser imports the sources package: import it for type hints only
    from migdev.harmonise import Harmoniser

FLOW_TYPES = {"refugees": "refugees", "asylum_seekers": "asylum_seekers", "refugee_like": "refugee_like",
              "oip": "oip"}
SOLUTION_TYPES = {"returned_refugees": "returned_refugees", "resettlement": "resettlement",
                  "naturalisation": "naturalisation", "returned_idps": "returned_idps"}

#: ``demographics.pop_type`` -> ``refugee.population_type`` (the same words as the stock table).
POP_TYPES = {"REF": "refugees", "ASY": "asylum_seekers", "RET": "returned_refugees", "IDP": "idps",
             "RDP": "returned_idps", "STA": "stateless", "OOC": "others_of_concern", "OIP": "oip",
             "HST": "host_community"}
#: Age columns (suffix of ``f_``/``m_``) -> ``age_group``.
AGES = {"0_4": "0-4", "5_11": "5-11", "12_17": "12-17", "18_59": "18-59", "60": "60+", "other": "unknown",
        "total": "total"}
SEX_COLUMNS = tuple(f"{s}_{a}" for s in "fm" for a in AGES)
UNITS = {"P": "persons", "C": "cases"}

_PROCEDURE = pa.Column(str, pa.Check.isin(["G", "J", "U"]))
_LEVEL = pa.Column(str, pa.Check.str_matches(r"^[A-Z]{1,3}$"))
_UNIT = pa.Column(str, pa.Check.isin(list(UNITS)))

FLOWS = pa.DataFrameSchema({**PLACE_COLUMNS, **{c: count() for c in FLOW_TYPES}}, name="UNHCR flows", strict=True)
SOLUTIONS = pa.DataFrameSchema({**PLACE_COLUMNS, **{c: count() for c in SOLUTION_TYPES}}, name="UNHCR solutions",
                               strict=True)
_APP_KEYS = ("procedure_type", "app_type", "dec_level", "app_pc")
APPLICATIONS = pa.DataFrameSchema(
    {**PLACE_COLUMNS, "procedure_type": _PROCEDURE, "app_type": _LEVEL, "dec_level": _LEVEL, "app_pc": _UNIT,
     "applied": count(nullable=False)}, name="UNHCR asylum applications", strict=True)
_DEC_KEYS = ("procedure_type", "dec_level", "dec_pc")
DECISION_COUNTS = ("dec_recognized", "dec_other", "dec_rejected", "dec_closed", "dec_total")
DECISIONS = pa.DataFrameSchema(
    {**PLACE_COLUMNS, "procedure_type": _PROCEDURE, "dec_level": _LEVEL, "dec_pc": _UNIT,
     **{c: count(nullable=False) for c in DECISION_COUNTS}}, name="UNHCR asylum decisions", strict=True)
_DEMO_KEYS = ("pop_type", "location", "loc_type", "acc_type")
DEMOGRAPHICS = pa.DataFrameSchema(
    {**PLACE_COLUMNS, "pop_type": pa.Column(str, pa.Check.isin(list(POP_TYPES))), "location": pa.Column(str),
     "loc_type": pa.Column(str, pa.Check.str_matches(r"^[A-Z]$")),
     "acc_type": pa.Column(str, pa.Check.str_matches(r"^[A-Z]$")),
     **{c: count(nullable=False) for c in (*SEX_COLUMNS, "total")}},
    name="UNHCR demographics", strict=True)


def parse_flows(path: Path | str) -> pd.DataFrame:
    """New displacement in the year (arrivals, new asylum applications) by origin and asylum."""
    path = Path(path)
    return validate(read_table(path, tuple(FLOW_TYPES)), FLOWS, path)


def parse_solutions(path: Path | str) -> pd.DataFrame:
    """Durable solutions in the year: returns, resettlement, naturalisation."""
    path = Path(path)
    return validate(read_table(path, tuple(SOLUTION_TYPES)), SOLUTIONS, path)


def parse_applications(path: Path | str) -> pd.DataFrame:
    """Asylum claims lodged, by procedure, application type, decision level and unit (persons or cases)."""
    path = Path(path)
    return validate(read_table(path, ("applied",), _APP_KEYS), APPLICATIONS, path)


def parse_decisions(path: Path | str) -> pd.DataFrame:
    """Decisions on asylum claims by outcome, by procedure, decision level and unit."""
    path = Path(path)
    return validate(read_table(path, DECISION_COUNTS, _DEC_KEYS), DECISIONS, path)


def parse_demographics(path: Path | str) -> pd.DataFrame:
    """Populations by sex and age group, by location (2025)."""
    path = Path(path)
    return validate(read_table(path, (*SEX_COLUMNS, "total"), _DEMO_KEYS), DEMOGRAPHICS, path)


def _placed(origin: pd.Series, asylum: pd.Series) -> np.ndarray:
    return (origin.notna() & asylum.notna()).to_numpy()


def application_rows(frame: pd.DataFrame, origin: pd.Series, asylum: pd.Series, revision: str, source_id: str,
                     h: Harmoniser) -> pd.DataFrame:
    """``asylum_application`` rows: one per row of the file whose countries resolved."""
    keep = _placed(origin, asylum)
    return pd.DataFrame({"revision": revision, "year": frame["year"], "origin": origin, "asylum": asylum,
                         "procedure_type": frame["procedure_type"], "app_type": frame["app_type"],
                         "dec_level": frame["dec_level"], "unit": frame["app_pc"].map(UNITS),
                         "applied": frame["applied"]})[keep].reset_index(drop=True)


def decision_rows(frame: pd.DataFrame, origin: pd.Series, asylum: pd.Series, revision: str, source_id: str,
                  h: Harmoniser) -> pd.DataFrame:
    """``asylum_decision`` rows: one per row of the file whose countries resolved."""
    keep = _placed(origin, asylum)
    counts = {c.removeprefix("dec_"): frame[c] for c in DECISION_COUNTS}
    return pd.DataFrame({"revision": revision, "year": frame["year"], "origin": origin, "asylum": asylum,
                         "procedure_type": frame["procedure_type"], "dec_level": frame["dec_level"],
                         "unit": frame["dec_pc"].map(UNITS), **counts})[keep].reset_index(drop=True)


def demographic_rows(frame: pd.DataFrame, origin: pd.Series, asylum: pd.Series, revision: str, source_id: str,
                     h: Harmoniser) -> pd.DataFrame:
    """``refugee_demographic`` rows: locations summed; sex cells summed over the rows that give a breakdown."""
    keep = _placed(origin, asylum)
    split = (frame["f_total"] + frame["m_total"] > 0).to_numpy()
    cells = {"total|total": frame["total"].to_numpy(dtype="int64")}
    for column in SEX_COLUMNS:
        sex = "female" if column.startswith("f_") else "male"
        cells[f"{sex}|{AGES[column[2:]]}"] = np.where(split, frame[column].to_numpy(dtype="float64"), np.nan)
    keys = ["year", "origin", "asylum", "population_type"]
    wide = pd.DataFrame({"year": frame["year"].to_numpy(), "origin": origin.to_numpy(),
                         "asylum": asylum.to_numpy(), "population_type": frame["pop_type"].map(POP_TYPES).to_numpy(),
                         **cells})[keep]
    summed = wide.groupby(keys, sort=False).sum(min_count=1)
    summed.columns.name = "cell"
    long = summed.stack().rename("persons").reset_index().dropna(subset=["persons"])  # NA: keys without a split
    long[["sex", "age_group"]] = long.pop("cell").str.split("|", expand=True)
    unsplit = int((~split).sum())
    h.say("info", f"{source_id}: {int(keep.sum()):,} rows by location summed to {len(summed):,} (year, origin, "
                  f"asylum, population type) keys; {unsplit:,} rows give no sex/age breakdown (their zeros are "
                  f"not counted): {int(frame['total'][~split].sum()):,} persons in sex 'total' only")
    long.insert(0, "revision", revision)
    long["persons"] = long["persons"].round().astype("int64").astype("Int64")
    long["origin"] = long["origin"].astype("string")
    long["asylum"] = long["asylum"].astype("string")
    return long[["revision", *keys, "sex", "age_group", "persons"]]
