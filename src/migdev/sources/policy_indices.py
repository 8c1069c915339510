"""Policy indices by country and year: MIPEX (integration policies) and IMPIC (immigration policies).

Both are wide tables (one row per country-year, one column per score) that are stored long in ``policy_index``
(``index, year, iso3, dimension, value``); an empty cell is "not scored that year" and gives no row, never 0.

* **MIPEX** (Migration Policy Group and CIDOB), scale 0 (least favourable to integration) to 100 (most
  favourable). The mirror's scores CSVs render the publisher's workbooks (one sheet per country). Dimensions:
  ``overall`` is MIPEX 2020's headline score ``overall_with_health`` (only 2014 and 2019, when health was scored);
  ``overall_without_health`` and ``overall_without_health_education`` (the longest comparable series) keep their
  names; the eight strands drop the ``strand_`` prefix. The core edition (2007-2019) is index ``mipex``; the EU
  update (2020-2024, provisional, 28 countries) is index ``mipex_eu_update`` and is never spliced onto it: its
  2020 scores differ from the core 2019 ones by up to 3.7 points. Indicator-level scores are not read.
* **IMPIC** 2016 (WZB), scale 0 (most open) to 1 (most restrictive): the opposite direction to MIPEX.
  ``AvgS_ImmPol`` is ``overall``; every other ``AvgS_*`` column (field regulations A-D, control, their external and
  internal parts, the item scores) is a dimension under its codebook name. ``R_adm_guide`` (whether administrative
  guidelines were coded) is a flag, not a score, and is not read; nor is the EU-level file (EU Directives /
  Regulations are not countries).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from migdev.errors import ParseError
from migdev.sources.csv_tables import check_unique, header_names, locate_header, read_csv, validate

#: MIPEX score columns -> stored dimension.
MIPEX_DIMENSIONS = {
    "overall_with_health": "overall", "overall_without_health": "overall_without_health",
    "overall_without_health_education": "overall_without_health_education",
    **{f"strand_{s}": s for s in ("antidiscrimination", "citizenship", "education", "family_reunification",
                                   "health", "labour_market_mobility", "permanent_residence",
                                   "political_participation")},
}
IMPIC_OVERALL = "AvgS_ImmPol"

#: Each index's scale, stored in ``policy_index_scale`` so that no reader has to guess the direction.
SCALES = {
    "mipex": (0.0, 100.0, "more favourable to the integration of immigrants"),
    "mipex_eu_update": (0.0, 100.0, "more favourable to the integration of immigrants"),
    "impic": (0.0, 1.0, "more restrictive immigration policy"),
}

_KEY = {"iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$")), "country": pa.Column(str),
        "year": pa.Column("Int64", pa.Check.in_range(1945, 2100))}

LONG = pa.DataFrameSchema({
    "iso3": _KEY["iso3"], "year": pa.Column("int64"), "dimension": pa.Column(str), "value": pa.Column(float),
}, name="policy index (long)", strict=True)


def _wide(path: Path, score_columns: list[str], low: float, high: float, name: str) -> pd.DataFrame:
    """Read a country-year table of scores, validate it cell by cell, and melt it to one row per score."""
    cols = ("iso3", "country", "year", *score_columns)
    line = locate_header(path, cols)
    df = read_csv(path, cols, numeric=score_columns, integer=("year",), required=("iso3", "country", "year"),
                  header_line=line)
    check_unique(df, ("iso3", "year"), path, first_row=line + 2)
    for c in score_columns:
        df[c] = df[c].astype(float)
    schema = pa.DataFrameSchema(
        {**_KEY, **{c: pa.Column(float, pa.Check.in_range(low, high), nullable=True)
                    for c in score_columns}}, name=name, strict=True)
    df = validate(df, schema, path, first_row=line + 2)
    long = df.melt(id_vars=["iso3", "year"], value_vars=score_columns, var_name="dimension", value_name="value")
    long = long.dropna(subset=["value"]).reset_index(drop=True)
    long["year"] = long["year"].astype("int64")
    return validate(long, LONG, path)


def parse_mipex(path: Path | str) -> pd.DataFrame:
    """A MIPEX ``*_scores.csv`` (core 2007-2019 or EU update): -> ``iso3, year, dimension, value`` (0..100)."""
    path = Path(path)
    long = _wide(path, list(MIPEX_DIMENSIONS), 0.0, 100.0, "MIPEX scores")
    long["dimension"] = long["dimension"].map(MIPEX_DIMENSIONS)
    return long


def parse_impic(path: Path | str) -> pd.DataFrame:
    """IMPIC 2016: each ``AvgS_*`` index -> ``iso3, year, dimension, value`` (0 open .. 1 restrictive)."""
    path = Path(path)
    cells = header_names(path, locate_header(path, ("iso3", "country", "year", IMPIC_OVERALL)))
    scores = [c for c in cells if c.startswith("AvgS_")]
    if IMPIC_OVERALL not in scores:
        scores.append(IMPIC_OVERALL)  # for read_csv to name it as missing
    long = _wide(path, scores, 0.0, 1.0, "IMPIC country-year indices")
    if long.empty:
        raise ParseError(path, f"no {IMPIC_OVERALL} or other AvgS_ score in any row", column=IMPIC_OVERALL)
    long["dimension"] = long["dimension"].replace({IMPIC_OVERALL: "overall"})
    return long
