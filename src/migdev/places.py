"""Places people use: any text a user types for a country or a group, resolved to the codes the tables hold.

A country is found by its ISO3 code, its alpha-2 code, its M49 number, its name in any of the six UN languages (the
``country`` table) or a common alias (:data:`ALIASES`); a group by its id (``m49:903``, ``wb:HIC``), its publisher's
code (``HIC``), its M49 number or its name in any of the six languages (``area_group.name_<lang>``: "Afrique
subsaharienne", "撒哈拉以南非洲"). Matching ignores case, accents and punctuation ("cote d'ivoire", "Côte d’Ivoire"
and "CIV" are one place). ``WLD`` / "World" (and "Monde", "世界", ...: the world aggregates' names) is everything, the
unspecified origin included.

Groups are the UN M49 geographic regions, subregions, SDG regions and SDG subregions of the IMS annex (members in
``area_group_member``), and the World Bank regions and income groups (members from the ``country`` table's
``wb_region`` / ``wb_income_group``, matched to the WDI aggregate of the same name). When one name belongs to
several groups (IMS "Europe" is both the geographic region 908 and the SDG subregion 917), the order of
:data:`KIND_RANK` decides: a country first, then a geographic region, then a subregion, SDG region, World Bank group.

Suggestions for text that matches nothing are ranked: a prefix of a name first, then a name containing the text,
then names that look alike (difflib), so "Untied Kingdom" suggests GBR first.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import duckdb
import pandas as pd

from migdev.errors import QueryError
from migdev.vocab import LANGUAGES

#: Common names and abbreviations that are neither a code nor a UN/CLDR name, mapped to ISO3 (or a group id).
#: Why each is here: users type them (news usage, sports codes, former names), and the UN names are formal.
ALIASES: dict[str, str] = {
    "UK": "GBR", "U.K.": "GBR", "Britain": "GBR", "Great Britain": "GBR", "England": "GBR",  # UK is not ISO (GB)
    "GER": "DEU", "Deutschland": "DEU",                          # GER: IOC/FIFA code
    "US": "USA", "U.S.": "USA", "U.S.A.": "USA", "America": "USA", "United States": "USA",
    "UAE": "ARE", "Emirates": "ARE",
    "Russia": "RUS", "Syria": "SYR", "Iran": "IRN", "Laos": "LAO", "Vietnam": "VNM", "Viet Nam": "VNM",
    "Bolivia": "BOL", "Venezuela": "VEN", "Tanzania": "TZA", "Moldova": "MDA", "Micronesia": "FSM",
    "Ivory Coast": "CIV", "Cote d'Ivoire": "CIV",
    "Turkey": "TUR", "Türkiye": "TUR", "Turkiye": "TUR",          # renamed at the UN in 2022
    "DR Congo": "COD", "DRC": "COD", "Congo-Kinshasa": "COD", "Democratic Republic of Congo": "COD",
    "Congo-Brazzaville": "COG", "Republic of Congo": "COG",
    "Korea": "KOR", "South Korea": "KOR", "North Korea": "PRK",
    "Czech Republic": "CZE", "Czechia": "CZE", "Holland": "NLD", "The Netherlands": "NLD",
    "Macedonia": "MKD", "North Macedonia": "MKD", "Swaziland": "SWZ", "Eswatini": "SWZ", "Burma": "MMR",
    "Cape Verde": "CPV", "East Timor": "TLS", "Palestine": "PSE", "Vatican": "VAT", "Holy See": "VAT",
    "Brunei": "BRN", "Hong Kong": "HKG", "Macau": "MAC", "Macao": "MAC", "Taiwan": "TWN", "KSA": "SAU",
    "Saudi": "SAU", "Kosovo": "XKX", "Gambia": "GMB", "Bahamas": "BHS", "St Lucia": "LCA",
    "Unspecified": "XXX", "Other": "XXX", "World": "WLD", "Global": "WLD",
}

#: Order among places that share a name (lower wins), by the group's ``kind`` in ``area_group``.
KIND_RANK: dict[str, int] = {
    "country": 0, "World": 1, "Geographic region": 2, "Subregion": 3, "SDG region": 4, "SDG subregion": 5,
    "World Bank region": 6, "World Bank income group": 7, "Income group": 8, "Development group": 9,
    "World Bank aggregate": 10, "WPP aggregate": 11,
}

#: The classifications ``by=`` aggregates to: option word -> group kind (UN M49 from the IMS annex, World Bank).
CLASSIFICATIONS: dict[str, str] = {
    "region": "Geographic region", "subregion": "Subregion", "sdg_region": "SDG region",
    "wb_region": "World Bank region", "income": "World Bank income group",
}

WORLD = "WLD"
#: The publishers' world aggregates: their ids and names all mean :data:`WORLD` (every area, XXX included).
_WORLD_IDS = ("m49:900", "wb:WLD")


def normalise(text: str) -> str:
    """The form names are compared in: no accents, case-folded, '&' as 'and', punctuation as spaces, no 'the'."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().replace("&", " and ")
    words = re.sub(r"[\W_]+", " ", plain).split()
    if words[:1] == ["the"]:
        words = words[1:]
    return " ".join(words)


@dataclass(frozen=True)
class Place:
    """A resolved place: ``code`` (ISO3, a group id or WLD), its kind, English name (``area_group.name_en`` for a
    group) and member ISO3 codes (``None`` for WLD: no filter at all)."""

    code: str
    kind: str
    name: str
    members: tuple[str, ...] | None

    @property
    def is_country(self) -> bool:
        return self.kind == "country"


class Places:
    """The places of one database: countries, groups, their names, and membership for filters and ``by=``."""

    def __init__(self, country: pd.DataFrame, area_group: pd.DataFrame, members: pd.DataFrame) -> None:
        self.country = country.set_index("iso3", drop=False)
        groups = area_group.assign(name=area_group["name_en"])  # the English name shown; names in name_<lang>
        wb, wb_members = _world_bank_groups(country, groups)
        groups = groups.merge(wb[["group_id", "kind"]], on="group_id", how="left", suffixes=("", "_wb"))
        groups["kind"] = groups["kind_wb"].fillna(groups["kind"])
        self.groups = groups.drop(columns="kind_wb").set_index("group_id", drop=False)
        self.members = pd.concat([members[["group_id", "iso3"]], wb_members], ignore_index=True).drop_duplicates()
        self._by_group = self.members.groupby("group_id")["iso3"].agg(lambda s: tuple(sorted(s))).to_dict()
        self._index: dict[str, tuple[int, str]] = {}
        self._build_index()

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection) -> Places:
        names = [f"name_{lang}" for lang in LANGUAGES]
        cols = ", ".join(["iso3", "m49", *names, "wb_region", "wb_income_group"])
        return cls(con.execute(f"SELECT {cols} FROM country ORDER BY iso3").df(),
                   con.execute(f"SELECT group_id, code, name, kind, {', '.join(names)} FROM area_group "
                               "ORDER BY group_id").df(),
                   con.execute("SELECT group_id, iso3 FROM area_group_member").df())

    # -- the index of every way to say a place --------------------------------------------------------------
    def _add(self, text: object, code: str, rank: int) -> None:
        if text is None or (isinstance(text, float) and pd.isna(text)) or text is pd.NA:
            return
        key = normalise(str(text))
        if key and (key not in self._index or rank < self._index[key][0]):
            self._index[key] = (rank, code)

    def _build_index(self) -> None:
        from migdev.countries import alpha2

        for row in self.country.itertuples(index=False):
            self._add(row.iso3, row.iso3, 0)
            for lang in LANGUAGES:
                self._add(getattr(row, f"name_{lang}"), row.iso3, 20)
            if not pd.isna(row.m49):
                self._add(str(int(row.m49)), row.iso3, 40)
            two = alpha2(row.iso3)
            if two:
                self._add(two, row.iso3, 60)
        for alias, code in ALIASES.items():  # only places this database has
            if code == WORLD or code in self.country.index or code in self.groups.index:
                self._add(alias, code, 10)
        for row in self.groups.itertuples(index=False):
            rank = KIND_RANK.get(row.kind, 12)
            self._add(row.group_id, row.group_id, 0)
            named = WORLD if row.group_id in _WORLD_IDS else row.group_id  # "Monde", "世界" are everything
            for lang in LANGUAGES:
                self._add(getattr(row, f"name_{lang}"), named, 20 + rank)
            self._add(row.code, row.group_id, 40 + rank)
        for text in ("WLD", *_WORLD_IDS, "900"):
            self._add(text, WORLD, 0)

    # -- resolution -------------------------------------------------------------------------------------------
    def place(self, code: str) -> Place:
        """The place of a code of the index (ISO3, group id or WLD)."""
        if code == WORLD:
            return Place(WORLD, "World", "World", None)
        if code in self.country.index:
            return Place(code, "country", str(self.country.at[code, "name_en"]), (code,))
        row = self.groups.loc[code]
        return Place(code, str(row["kind"]), str(row["name"]), self._by_group.get(code, ()))

    def resolve(self, text: object, field: str = "country") -> Place:
        """The place ``text`` names, or a :class:`QueryError` with ranked suggestions."""
        found = self._index.get(normalise(str(text)))
        if found is not None:
            return self.place(found[1])
        hints = ", ".join(f"{p.code} ({p.name})" for p in self.suggest(str(text)))
        extra = f"; did you mean {hints}?" if hints else ""
        raise QueryError(f"unknown {field} code {str(text)!r} (not a code or name of a country, area or group; "
                         f"see `migdev countries` and `migdev groups`){extra}")

    def suggest(self, text: str, n: int = 5) -> list[Place]:
        """Likely places for text that matched nothing, best first: prefix, then contained, then look-alike."""
        key = normalise(text)
        if not key:
            return []
        scored: dict[str, tuple[float, int]] = {}
        close = set(difflib.get_close_matches(key, list(self._index), n=12, cutoff=0.6))
        for name, (rank, code) in self._index.items():
            if name.startswith(key):
                score = 3.0 - len(name) / 1000
            elif key in name:
                score = 2.0 - len(name) / 1000
            elif name in close:
                score = 1.0 + difflib.SequenceMatcher(None, key, name).ratio()
            else:
                continue
            if code not in scored or (score, -rank) > (scored[code][0], -scored[code][1]):
                scored[code] = (score, rank)
        best = sorted(scored, key=lambda c: (-scored[c][0], scored[c][1], c))[:n]
        return [self.place(c) for c in best]

    def expand(self, values: Iterable[object], field: str = "country") -> tuple[list[str] | None, list[Place]]:
        """ISO3 codes of every place named (``None`` if one is WLD: no filter), and the places themselves."""
        places = [self.resolve(v, field) for v in values]
        if any(p.members is None for p in places):
            return None, places
        codes = dict.fromkeys(c for p in places for c in (p.members or ()))
        return list(codes), places

    # -- names and classifications ----------------------------------------------------------------------------
    def names(self, codes: pd.Series, lang: str = "en") -> pd.Series:
        """The name of each code (country, group or WLD) in ``lang``, from the country and group tables."""
        if lang not in LANGUAGES:
            raise QueryError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
        column = f"name_{lang}"
        world = next((self.groups.at[g, column] for g in _WORLD_IDS if g in self.groups.index), "World")
        by_code = {**self.groups[column].to_dict(), WORLD: world, **self.country[column].to_dict()}
        return codes.map(by_code)

    def classify(self, codes: pd.Series, classification: str) -> pd.Series:
        """The group of ``classification`` (:data:`CLASSIFICATIONS`) each ISO3 code belongs to; NA if none."""
        if classification not in CLASSIFICATIONS:
            raise QueryError(f"unknown grouping {classification!r}; expected one of {', '.join(CLASSIFICATIONS)}")
        kind = CLASSIFICATIONS[classification]
        ids = set(self.groups.index[self.groups["kind"] == kind])
        member = self.members[self.members["group_id"].isin(ids)].drop_duplicates("iso3").set_index("iso3")
        return codes.map(member["group_id"])


def _world_bank_groups(country: pd.DataFrame, groups: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The World Bank's regions and income groups as groups with members: WDI gives the aggregates' rows and each
    economy's region and income group by name, so an aggregate whose name is a region/income value gets those."""
    wb = groups[groups["kind"] == "World Bank aggregate"]
    by_name = dict(zip(wb["name"], wb["group_id"], strict=True))
    kinds, members = [], []
    for column, kind in (("wb_region", "World Bank region"), ("wb_income_group", "World Bank income group")):
        for value, sub in country.dropna(subset=[column]).groupby(column):
            if value in by_name:
                kinds.append({"group_id": by_name[value], "kind": kind})
                members.append(pd.DataFrame({"group_id": by_name[value], "iso3": sub["iso3"]}))
    frame = pd.DataFrame(kinds, columns=["group_id", "kind"])
    member = pd.concat(members, ignore_index=True) if members else pd.DataFrame(columns=["group_id", "iso3"])
    return frame, member


