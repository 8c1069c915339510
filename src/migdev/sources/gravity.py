"""CEPII GeoDist (2004 vintage): time-invariant gravity covariates of country pairs, and capitals as map points.

Decisions:

* **Files read**: the mirror's tidy copies ``geodist_pairs.csv`` (of ``dist_cepii.dta``) and
  ``geodist_countries.csv`` (of ``geo_cepii.dta``). The ``.dta`` originals are registered (not built); the
  real-data tests check that the CSVs carry exactly their data. Both CSVs are read with empty cells only as
  missing (``keep_default_na=False``): Namibia's ``iso2`` is the text ``NA``.
* **Codes**: the tidy copy already writes ISO 3166 codes for CEPII's old ones (:data:`TIDY_RECODES`, ROM -> ROU,
  ZAR -> COD, TMP -> TLS, PAL -> PSE), keeping the published code in ``cepii_o``/``cepii_d``; the parser refuses
  any other difference between the two, so no recode is hidden.
* **Proxies** (:data:`PROXIES`): GeoDist predates the splits of Serbia and Montenegro (and Kosovo), Sudan and the
  Netherlands Antilles. The old code's pairs stand for its successors: YUG for SRB, MNE and XKX; ANT for CUW, SXM
  and BES; SDN (pre-2011 Sudan) for SSD, while SDN keeps its own rows. ``proxy`` names the GeoDist pair whose
  values a row carries (``YUG-USA``); it is NULL where the pair is GeoDist's own. Distances are then those of the
  old country's main city or capital (Belgrade for XKX; Willemstad for SXM), an approximation users can filter.
* **Pairs within one proxy** (SRB-MNE, SRB-XKX, MNE-XKX, SDN-SSD, CUW-SXM, CUW-BES, SXM-BES): GeoDist has only the
  old country's own row. They are kept, with distances NULL (GeoDist has none), ``same_country`` 1 (they were one
  country), ``contiguous`` from :data:`INTRA_PROXY_CONTIGUOUS` (land borders: the three Balkan pairs and SDN-SSD;
  the islands have none) and the language and colonial dummies NULL (not in the source). SSD -> SDN is the largest
  IMS corridor GeoDist does not cover (1.5 m persons in 2024), so leaving these out would lose it.
* **Own-country rows** (origin = destination) are kept: CEPII's internal distances ((2/3)·sqrt(area/pi)), all
  dummies 0, for models with internal flows. A successor's own row is the old country's (``proxy`` YUG-YUG).
* **Not project areas**: CCK, CXR, NFK and PCN (Australian and British territories in no UN or World Bank list;
  :data:`NOT_AREAS`) and ATF (only in ``geo_cepii``): their rows are said and not loaded.
* ``same_country`` is CEPII's ``smctry`` as published, which is not symmetric in 33 pairs (CEPII's quirk; the
  tidy file's ``smctry_sym`` is not stored). ``distw``/``distwces`` are missing (NA, never 0) for the 2,215 rows of
  CCK, CXR, MAC, MSR and PCN, which have no city data.
* **Points**: each area's GeoDist capital becomes an ``area_point`` row (basis ``capital (CEPII)``, rank 2; see
  :mod:`migdev.sources.geo`). Proxy capitals are not given to successors (Belgrade is not Podgorica).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pandera.pandas as pa

from migdev.errors import ParseError
from migdev.sources import spec
from migdev.sources.csv_tables import check_unique, dispatch, read_csv, validate
from migdev.sources.geo import BASIS_CEPII, POINT_RANK

if TYPE_CHECKING:  # harmonise imports migdev.sources: a runtime import here would be circular
    from migdev.harmonise import Harmoniser

RELEASES = spec.load(__file__)
PAIRS_ID = "geodist_pairs"
COUNTRIES_ID = "geodist_countries"

#: CEPII's old codes that the mirror's tidy copy writes as ISO 3166 (the published code stays in ``cepii_*``).
TIDY_RECODES = {"ROM": "ROU", "ZAR": "COD", "TMP": "TLS", "PAL": "PSE"}

#: Old GeoDist code -> the successor areas its pairs stand for (GeoDist has no rows of its own for them).
PROXIES = {"YUG": ("SRB", "MNE", "XKX"), "ANT": ("CUW", "SXM", "BES"), "SDN": ("SSD",)}

#: Land border between two successors of one proxy (GeoDist has no such pair); unlisted pairs get NULL.
INTRA_PROXY_CONTIGUOUS = {frozenset(p): c for p, c in (
    (("SRB", "MNE"), 1), (("SRB", "XKX"), 1), (("MNE", "XKX"), 1), (("SDN", "SSD"), 1),
    (("CUW", "SXM"), 0), (("CUW", "BES"), 0), (("SXM", "BES"), 0))}

#: GeoDist codes that are not areas of the project, and why.
NOT_AREAS = {
    "CCK": "Cocos (Keeling) Islands, an Australian external territory in no UN or World Bank country list",
    "CXR": "Christmas Island, an Australian external territory in no UN or World Bank country list",
    "NFK": "Norfolk Island, an Australian external territory in no UN or World Bank country list",
    "PCN": "Pitcairn Islands, a British territory in no UN or World Bank country list",
    "ATF": "French Southern and Antarctic Lands: no permanent population",
}

DUMMIES = {"contig": "contiguous", "comlang_off": "common_language", "comlang_ethno": "common_ethnic_language",
           "colony": "colony", "comcol": "common_colonizer", "curcol": "current_colony", "col45": "colony_1945",
           "smctry": "same_country"}
DISTANCES = {"dist": "distance_km", "distcap": "distance_capital_km", "distw": "distance_weighted_km",
             "distwces": "distance_weighted_ces_km"}
PAIR_COLUMNS = ["origin", "destination", *DISTANCES.values(), *DUMMIES.values(), "proxy", "source_id"]

_CODE = pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$"))
_MAX_KM = 20_100  # half the Earth's circumference, with CEPII's radius of about 6,377 km: 20,034 km
_DUMMY = pa.Column(int, pa.Check.isin([0, 1]))

PAIRS = pa.DataFrameSchema(
    {
        "iso3_o": _CODE, "iso3_d": _CODE, "cepii_o": _CODE, "cepii_d": _CODE,
        **{c: _DUMMY for c in (*DUMMIES, "smctry_sym")},
        "dist": pa.Column(float, [pa.Check.gt(0), pa.Check.le(_MAX_KM)]),
        "distcap": pa.Column(float, [pa.Check.gt(0), pa.Check.le(_MAX_KM)]),
        "distw": pa.Column(float, pa.Check.in_range(0, _MAX_KM), nullable=True),
        "distwces": pa.Column(float, pa.Check.in_range(0, _MAX_KM), nullable=True),
    },
    name="GeoDist pairs",
    strict=True,
)

COUNTRIES = pa.DataFrameSchema(
    {
        "iso3": _CODE, "cepii_iso3": _CODE,
        "iso2": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{2}$"), nullable=True),
        "country": pa.Column(str), "capital_en": pa.Column(str),
        "capital_lat": pa.Column(float, pa.Check.in_range(-90, 90)),
        "capital_lon": pa.Column(float, pa.Check.in_range(-180, 180)),
    },
    name="GeoDist countries",
    strict=True,
)


def _check_recodes(df: pd.DataFrame, pairs: tuple[tuple[str, str], ...], path: Path) -> None:
    """Refuse an ISO code that differs from CEPII's published one other than by a documented recode."""
    for iso, cepii in pairs:
        differs = (df[iso] != df[cepii]) & (df[cepii].map(TIDY_RECODES) != df[iso])
        if differs.any():
            i = int(differs.to_numpy().argmax())
            raise ParseError(path, f"{df[iso].iloc[i]!r} differs from CEPII's {df[cepii].iloc[i]!r} by no "
                                   "documented recode", row=2 + i, column=iso)


def parse_pairs(path: Path | str) -> pd.DataFrame:
    """GeoDist ordered pairs: 8 dummies (0/1) and 4 distances in km (weighted ones NA where CEPII has none)."""
    path = Path(path)
    cols = ("iso3_o", "iso3_d", "cepii_o", "cepii_d", *DUMMIES, "smctry_sym", *DISTANCES)
    dummies = (*DUMMIES, "smctry_sym")
    df = read_csv(path, cols, numeric=tuple(DISTANCES), integer=dummies,
                  required=("iso3_o", "iso3_d", "cepii_o", "cepii_d", *dummies, "dist", "distcap"))
    if df.empty:
        raise ParseError(path, "no data rows under the header", row=2)
    check_unique(df, ("iso3_o", "iso3_d"), path)
    _check_recodes(df, (("iso3_o", "cepii_o"), ("iso3_d", "cepii_d")), path)
    df = df.astype({c: "int64" for c in dummies} | {c: float for c in DISTANCES})
    return validate(df, PAIRS, path)


def parse_countries(path: Path | str) -> pd.DataFrame:
    """GeoDist countries with their capital's name and coordinates (WGS84 degrees)."""
    path = Path(path)
    cols = ("iso3", "cepii_iso3", "iso2", "country", "capital_en", "capital_lat", "capital_lon")
    df = read_csv(path, cols, numeric=("capital_lat", "capital_lon"),
                  required=("iso3", "cepii_iso3", "country", "capital_en", "capital_lat", "capital_lon"))
    if df.empty:
        raise ParseError(path, "no data rows under the header", row=2)
    check_unique(df, ("iso3",), path)
    _check_recodes(df, (("iso3", "cepii_iso3"),), path)
    df = df.astype({"capital_lat": float, "capital_lon": float})
    return validate(df, COUNTRIES, path)


def parse(path: Path | str) -> pd.DataFrame:
    """Read a GeoDist tidy file, known by its header."""
    return dispatch(path, [(("iso3_o", "iso3_d", "contig", "dist"), parse_pairs),
                           (("iso3", "cepii_iso3", "capital_lat"), parse_countries)], "CEPII GeoDist")


# ----------------------------------------------------------------------------------------------------- to_store
def _outside(codes: pd.Series, h: Harmoniser, source_id: str, what: str) -> pd.Series:
    """True for GeoDist codes that are not project areas (:data:`NOT_AREAS`); says which and why."""
    out = codes.isin(list(NOT_AREAS)) & ~h.is_country(codes)
    for code in sorted(codes[out].unique()):
        h.say("info", f"{source_id}: {code} not loaded ({what}): {NOT_AREAS[code]}")
    return out


def _areas(codes: pd.Series, h: Harmoniser, source_id: str) -> pd.DataFrame:
    """For each GeoDist code, the areas its rows stand for: itself, and for an old code its successors."""
    present = set(codes)
    rows: list[tuple[str, str, str | None]] = []
    for code in sorted(present):
        if code not in PROXIES:
            rows.append((code, code, None))
            continue
        if h.is_country(pd.Series([code])).iloc[0]:
            rows.append((code, code, None))  # SDN: pre-2011 Sudan keeps its rows and lends them to SSD
        successors = [s for s in PROXIES[code] if s not in present]
        known = pd.Series(successors, dtype="string")
        known = list(known[h.is_country(known)])
        lacking = sorted(set(successors) - set(known))
        h.say("info", f"{source_id}: {code} stands for {', '.join(known) or 'no area of the registry'}"
                      + (f" ({', '.join(lacking)} not in the country registry)" if lacking else ""))
        rows += [(code, s, code) for s in known]
    return pd.DataFrame(rows, columns=["code", "area", "proxy_of"])


def pairs_to_store(f: pd.DataFrame, h: Harmoniser) -> pd.DataFrame:
    """``gravity_pair`` rows: proxies expanded, non-areas said and left out, codes through the harmoniser."""
    outside = _outside(f["iso3_o"], h, PAIRS_ID, "origin") | _outside(f["iso3_d"], h, PAIRS_ID, "destination")
    if outside.any():
        h.say("info", f"{PAIRS_ID}: {int(outside.sum()):,} pairs with a code that is not a project area not loaded")
    f = f[~outside.to_numpy()]
    areas = _areas(pd.concat([f["iso3_o"], f["iso3_d"]]), h, PAIRS_ID)
    x = (f.merge(areas.rename(columns={"code": "iso3_o", "area": "origin", "proxy_of": "proxy_o"}), on="iso3_o")
         .merge(areas.rename(columns={"code": "iso3_d", "area": "destination", "proxy_of": "proxy_d"}), on="iso3_d"))
    proxied = x["proxy_o"].notna() | x["proxy_d"].notna()
    intra = (x["iso3_o"] == x["iso3_d"]) & (x["origin"] != x["destination"])
    out = pd.DataFrame({"origin": x["origin"], "destination": x["destination"]})
    for src, col in DISTANCES.items():
        out[col] = x[src].astype("Float64").mask(intra)
    for src, col in DUMMIES.items():
        out[col] = x[src].astype("Int64").mask(intra)
    contiguous = [INTRA_PROXY_CONTIGUOUS.get(frozenset((o, d))) for o, d in zip(x["origin"], x["destination"],
                                                                                 strict=True)]
    out.loc[intra, "contiguous"] = pd.array(contiguous, dtype="Int64")[intra.to_numpy()]
    out.loc[intra, "same_country"] = 1
    out["proxy"] = (x["iso3_o"] + "-" + x["iso3_d"]).where(proxied)
    out["source_id"] = PAIRS_ID
    if proxied.any():
        h.say("info", f"{PAIRS_ID}: {int(proxied.sum()):,} pairs carry the values of an old code's pair "
                      f"({int(intra.sum())} within one old country: distances NULL, same_country 1)")
    origin, group_o = h.split(out, PAIRS_ID, "origin", iso3="origin")
    destination, group_d = h.split(out, PAIRS_ID, "destination", iso3="destination")
    h.not_loaded(group_o.fillna(group_d), PAIRS_ID, "gravity covariates are kept between areas only")
    keep = (origin.notna() & destination.notna()).to_numpy()
    out = out.assign(origin=origin, destination=destination)[keep]
    return out[PAIR_COLUMNS].sort_values(["origin", "destination"]).reset_index(drop=True)


def points_to_store(f: pd.DataFrame, h: Harmoniser) -> pd.DataFrame:
    """``area_point`` rows from the GeoDist capitals (old codes' capitals are not lent to successors)."""
    drop = _outside(f["iso3"], h, COUNTRIES_ID, "capital")
    old = f["iso3"].isin(list(PROXIES)) & ~h.is_country(f["iso3"])
    for code in f.loc[old, "iso3"]:
        h.say("info", f"{COUNTRIES_ID}: the capital of {code} ({f.loc[f['iso3'] == code, 'capital_en'].iloc[0]}) "
                      "is not a point of its successors; not loaded")
    f = f[~(drop | old).to_numpy()]
    iso, group = h.split(f, COUNTRIES_ID, "iso3", iso3="iso3", name="country")
    h.not_loaded(group, COUNTRIES_ID, "capitals are kept for areas only")
    keep = iso.notna().to_numpy()
    return pd.DataFrame({"iso3": iso, "basis": BASIS_CEPII, "rank": POINT_RANK[BASIS_CEPII],
                         "lat": f["capital_lat"], "lon": f["capital_lon"], "place": f["capital_en"],
                         "source_id": COUNTRIES_ID})[keep].reset_index(drop=True)


def to_store(frames: Mapping[str, pd.DataFrame], h: Harmoniser) -> dict[str, pd.DataFrame]:
    """``gravity_pair`` from the pairs file and the ``capital (CEPII)`` rows of ``area_point``."""
    return {"gravity_pair": pairs_to_store(frames[PAIRS_ID], h),
            "area_point": points_to_store(frames[COUNTRIES_ID], h)}
