"""SDG indicators 10.7.2, 10.7.3 and 10.7.1 from the UN Global SDG Indicators Database (DDF datapoint files).

The files are the database's series as Gapminder's open-numbers project stores them (one ``ddf--datapoints--<series>
--by--<dimensions>.csv`` per series, lower-case codes). Areas are M49 codes (``geo_area``); their names are in
``ddf--entities--geo_area.csv``. Decisions:

* **10.7.2** (``SG_CPA_MIGRS``): ratings 1 Requires further progress, 2 Partially meets, 3 Meets, 4 Fully meets, per
  domain; ``N`` (not applicable, 50 non-self-governing territories in 2019) is kept as a row without a rating
  (``applicable`` false), never as 0. ``policy_domains``: ``alldomains`` is the overall rating (which the UN derives
  from the ~30 underlying answers, not from the six domain ratings); ``domain1..6`` are named in :data:`DOMAINS`
  after the indicator's metadata (the DDF entity file only says ``DOMAIN1``..``DOMAIN6``).
* ``SG_CPA_MIGRP`` (the UN's published percentage of governments meeting the criteria) exists only for aggregates;
  it is stored as a fraction in ``area_group_value`` so that :func:`sdg_10_7_2_share` can be checked against it.
* **10.7.3** (``SM_DTH_MIGR``): deaths and disappearances by country of incident; aggregates go to
  ``area_group_value`` (the 2022 World total exceeds the sum of countries by 127 deaths not attributed to one).
* **10.7.1** (``SL_EMP_RCOST_MO``): recruitment cost in months of earnings (Bangladesh 2020, Cambodia 2019 only).
  ``bothsex`` is stored as ``total``.
* The SDG database writes aggregates with the standard M49 codes (1 World, 202 Sub-Saharan Africa, ...), while the
  country registry keeps UN DESA's own codes for the same groups (900, 947, ...): :data:`AGGREGATE_ALIASES`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from migdev.sources.csv_tables import check_unique, locate_header, read_csv, validate

#: SDG 10.7.2 policy domains (DDF code -> stored name), after the indicator's metadata (UN DESA and IOM, 2019):
#: domain 1 migrant rights, 2 whole-of-government / evidence-based policies, 3 cooperation and partnerships,
#: 4 socioeconomic well-being, 5 mobility dimensions of crises, 6 safe, orderly and regular migration.
DOMAINS = {"alldomains": "overall", "domain1": "migrant_rights", "domain2": "whole_of_government",
           "domain3": "cooperation_partnerships", "domain4": "socioeconomic_wellbeing",
           "domain5": "mobility_dimensions_of_crises", "domain6": "safe_orderly_regular_migration"}

#: Standard M49 aggregate codes of the SDG database -> UN DESA's codes for the same groups in the country registry
#: (the IMS annex and WPP 2024), so that aggregate values land in ``area_group_value``. Where DESA has two codes for
#: one set of countries (e.g. 419: SDG region 1830 and geographic region 904) the SDG grouping is taken.
AGGREGATE_ALIASES = {
    "1": "900", "2": "903", "5": "931", "9": "909", "11": "914", "13": "916", "14": "910", "15": "912",
    "17": "911", "18": "913", "19": "5505", "21": "905", "29": "915", "30": "906", "34": "5501", "35": "920",
    "39": "925", "53": "927", "54": "928", "57": "954", "61": "957", "62": "921", "142": "935", "143": "5500",
    "145": "922", "150": "908", "151": "923", "154": "924", "155": "926", "199": "941", "202": "947",
    "419": "1830", "432": "1636", "513": "1829", "514": "901", "515": "902", "543": "1835", "722": "1637",
    "747": "1833", "753": "1832",
}

_NATURE = pa.Check.isin(["c", "ca", "e", "g", "m", "n", "notspec"])
_M49 = pa.Column("Int64", pa.Check.in_range(1, 999))
_YEAR = pa.Column("Int64", pa.Check.in_range(1990, 2100))

RATINGS = pa.DataFrameSchema({
    "geo_area": _M49, "nature": pa.Column(str, _NATURE), "policy_domains": pa.Column(str, pa.Check.isin(list(DOMAINS))),
    "units": pa.Column(str, pa.Check.eq("number")), "year": _YEAR,
    "sg_cpa_migrs": pa.Column(str, pa.Check.isin(["1", "2", "3", "4", "N"])),
}, name="SDG 10.7.2 ratings (SG_CPA_MIGRS)", strict=True)

SHARES = pa.DataFrameSchema({
    "geo_area": _M49, "nature": pa.Column(str, _NATURE), "policy_domains": pa.Column(str, pa.Check.isin(list(DOMAINS))),
    "units": pa.Column(str, pa.Check.eq("percent")), "year": _YEAR,
    "sg_cpa_migrp": pa.Column(float, pa.Check.in_range(0, 100)),
}, name="SDG 10.7.2 published shares (SG_CPA_MIGRP)", strict=True)

DEATHS = pa.DataFrameSchema({
    "geo_area": _M49, "nature": pa.Column(str, _NATURE), "units": pa.Column(str, pa.Check.eq("number")),
    "year": _YEAR, "sm_dth_migr": pa.Column("Int64", pa.Check.ge(0)),
}, name="SDG 10.7.3 deaths (SM_DTH_MIGR)", strict=True)

COSTS = pa.DataFrameSchema({
    "geo_area": _M49, "migratory_status": pa.Column(str), "nature": pa.Column(str, _NATURE),
    "sex": pa.Column(str, pa.Check.isin(["bothsex", "female", "male"])),
    "units": pa.Column(str, pa.Check.eq("mo_earn")), "year": _YEAR,
    "sl_emp_rcost_mo": pa.Column(float, pa.Check.in_range(0, 1200)),
}, name="SDG 10.7.1 recruitment cost (SL_EMP_RCOST_MO)", strict=True)

AREAS = pa.DataFrameSchema({"geo_area": pa.Column("Int64", pa.Check.in_range(1, 99999)), "name": pa.Column(str)},
                           name="SDG geo areas", strict=True)


def _read(path: Path | str, schema: pa.DataFrameSchema, key: tuple[str, ...], numeric: tuple[str, ...] = (),
          integer: tuple[str, ...] = ()) -> tuple[Path, pd.DataFrame]:
    """Read the schema's columns (all required), refuse duplicated keys, validate; rows as the file numbers them."""
    path = Path(path)
    cols = tuple(schema.columns)
    line = locate_header(path, cols)
    keys = tuple(c for c in ("geo_area", "year") if c in cols)
    df = read_csv(path, cols, numeric=numeric, integer=(*keys, *integer), required=cols, header_line=line)
    check_unique(df, key, path, first_row=line + 2)
    return path, validate(df, schema, path, first_row=line + 2)


def parse_ratings(path: Path | str) -> pd.DataFrame:
    """SG_CPA_MIGRS: one rating per government, domain and round -> ``m49, year, domain, rating, applicable``."""
    path, df = _read(path, RATINGS, ("geo_area", "policy_domains", "year"))
    applicable = df["sg_cpa_migrs"] != "N"
    rating = pd.to_numeric(df["sg_cpa_migrs"].where(applicable), errors="coerce").astype("Int64")
    return pd.DataFrame({"m49": df["geo_area"], "year": df["year"], "domain": df["policy_domains"].map(DOMAINS),
                         "rating": rating, "applicable": applicable.astype(bool)})


def parse_shares(path: Path | str) -> pd.DataFrame:
    """SG_CPA_MIGRP: published % of governments meeting or fully meeting -> ``m49, year, domain, share`` (0..1)."""
    path, df = _read(path, SHARES, ("geo_area", "policy_domains", "year"), numeric=("sg_cpa_migrp",))
    return pd.DataFrame({"m49": df["geo_area"], "year": df["year"], "domain": df["policy_domains"].map(DOMAINS),
                         "share": df["sg_cpa_migrp"].astype(float) / 100.0, "nature": df["nature"]})


def parse_deaths(path: Path | str) -> pd.DataFrame:
    """SM_DTH_MIGR: dead and missing during migration by area of incident -> ``m49, year, dead_and_missing``."""
    path, df = _read(path, DEATHS, ("geo_area", "year"), integer=("sm_dth_migr",))
    return pd.DataFrame({"m49": df["geo_area"], "year": df["year"], "dead_and_missing": df["sm_dth_migr"]})


def parse_costs(path: Path | str) -> pd.DataFrame:
    """SL_EMP_RCOST_MO: recruitment cost in months of earnings -> ``m49, year, sex, months_of_earnings``."""
    path, df = _read(path, COSTS, ("geo_area", "migratory_status", "sex", "year"), numeric=("sl_emp_rcost_mo",))
    return pd.DataFrame({"m49": df["geo_area"], "year": df["year"],
                         "sex": df["sex"].replace({"bothsex": "total"}), "migratory_status": df["migratory_status"],
                         "months_of_earnings": df["sl_emp_rcost_mo"].astype(float)})


def parse_areas(path: Path | str) -> pd.DataFrame:
    """The database's geo areas (M49 code -> UN name), to name the codes the build reports."""
    path, df = _read(path, AREAS, ("geo_area",))
    return pd.DataFrame({"m49": df["geo_area"], "name": df["name"]})


def sdg_10_7_2_share(ratings: pd.DataFrame, year: int, domain: str = "overall") -> tuple[float, int]:
    """Share of governments whose migration policies meet or fully meet the SDG 10.7.2 criteria in a round.

    Parameters
    ----------
    ratings : rows of ``policy_rating`` (``year, iso3, domain, rating``; rating NA where not applicable).
    year : the round (2019, 2021, ...).
    domain : ``overall`` or one of the six domain names of :data:`DOMAINS`.

    Returns
    -------
    (share, n_governments): the fraction (0..1) of governments rated 3 (Meets) or 4 (Fully meets), and the number
    of governments counted. Each government counts once, with its **latest** rating up to ``year``: the UN's 2021
    figures combine the 89 governments that answered in 2021 with the 49 that answered only in 2019 (138).

    References
    ----------
    UN DESA and IOM, SDG indicator 10.7.2 metadata; the rule reproduces every published World share of the
    2019 and 2021 rounds (54.1 % of 111, 62.3 % of 138) and every domain share.

    Examples
    --------
    >>> r = pd.DataFrame({"year": [2019, 2019, 2021], "iso3": ["FRA", "MEX", "FRA"],
    ...                   "domain": "overall", "rating": [2, 3, 4]})
    >>> sdg_10_7_2_share(r, 2019)
    (0.5, 2)
    >>> sdg_10_7_2_share(r, 2021)
    (1.0, 2)
    """
    rows = ratings[(ratings["domain"] == domain) & (ratings["year"] <= year) & ratings["rating"].notna()]
    latest = rows.sort_values("year").drop_duplicates("iso3", keep="last")
    n = len(latest)
    if n == 0:
        return float("nan"), 0
    return float((latest["rating"] >= 3).sum()) / n, n
