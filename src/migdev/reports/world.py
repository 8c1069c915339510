"""The world and its regions as the global report and the dialogue pack read them, prepared once per database.

Why one object: both reports, in six languages and two formats, show the same figures. :func:`load` opens the
profile set (:func:`migdev.reports.open_profiles`: the indicator table and the queries, read once), evaluates the
key messages (:mod:`.messages`, one query each) and runs the few queries no profile holds (world flows by method,
the World Bank's low- and middle-income aggregates). Building a report in another language is then formatting only.

The regions are the eight SDG regions of UN M49 (the grouping SDG 10.7 is reported by); their names are message
ids here, since the database names groups in English only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from migdev import query, store
from migdev.errors import MigdevError
from migdev.publish.answer import Answer, SourceRef
from migdev.query.spec import Catalog
from migdev.reports import ProfileSet, open_profiles
from migdev.reports.messages import FDI, LMY, ODA, REMIT, WORLD, Filled, evaluate

#: The SDG regions the reports show, in the SDG Report's order; their names in each language are the group table's
#: (``area_group.name_<lang>``, declared in ``migdev/group_names.toml``), as in their profiles.
REGIONS: tuple[str, ...] = ("m49:947", "m49:1833", "m49:921", "m49:1832", "m49:1830", "m49:927", "m49:1835",
                            "m49:1829")
NAMES: tuple[str, ...] = (WORLD, *REGIONS)
#: Indicators the reports show that a profile does not read (roles in migration, largest corridors).
EXTRA_INDICATORS = ("role_origin", "role_transit", "role_destination", "stock_top_corridors")


@dataclass
class WorldData:
    """Everything the two reports show, read once: profiles of the world and regions, key messages, extras."""

    profiles: ProfileSet
    messages: list[Filled]
    answers: dict[str, Answer]  # name -> answer of the extra queries (flows, money, skilled, model_fit)
    indicators: dict[str, dict[str, Any]] = field(default_factory=dict)  # entity -> indicator -> its rows
    _built: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    @property
    def keys(self) -> list[str]:
        """The world and the regions the database holds a profile of."""
        held = set(self.profiles.groups())
        return [k for k in NAMES if k in held]

    def profile(self, key: str, lang: str) -> dict[str, Any]:
        if (key, lang) not in self._built:
            self._built[key, lang] = self.profiles.build(key, lang)
        return self._built[key, lang]

    def rows(self, key: str, indicator: str):
        """One entity's rows of an indicator (the ``indicator`` table: as the profiles read it, or the extra
        indicators read for the reports) or None."""
        found = self.profiles.tables.indicators.get(key, {}).get(indicator)
        if found is None and "indicators" in self.answers:
            if not self.indicators:
                frame = self.answers["indicators"].frame
                self.indicators = {str(k): {str(i): f for i, f in g.groupby("indicator")}
                                   for k, g in frame.groupby("iso3")}
            found = self.indicators.get(key, {}).get(indicator)
        return found

    def source(self, source_id: str) -> SourceRef | None:
        found = self.profiles.data.sources.get(source_id)
        if found is None:
            for a in self.answers.values():
                found = next((s for s in a.sources if s.source_id == source_id), found)
        return found


def _extras(cat: Catalog) -> dict[str, Answer]:
    out: dict[str, Answer] = {}
    wanted = {"indicators": ("indicators", {"iso3": list(NAMES), "indicator": list(EXTRA_INDICATORS)}),
              "flows": ("flows", {"method": "all", "sex": "total", "by": "method"}),
              "money": ("group_values", {"group": LMY, "measure": [REMIT, FDI, ODA]}),
              "skilled": ("group_values", {"group": "wb:WLD", "measure": ["skilled_emigration_rate_high",
                                                                          "skilled_emigration_rate_total"]})}
    # Hook for the gravity models (models branch): shown only where the query path offers their fits.
    if "model_fit" in query.QUERIES:
        wanted["model_fit"] = ("model_fit", {})
    for name, (q, filters) in wanted.items():
        try:
            out[name] = query.run(q, cat, **filters)
        except MigdevError:  # an optional part the database lacks (no flows step, no models) is left out
            continue
    return out


def load(db: Any, profiles: ProfileSet | None = None) -> WorldData:
    """Read a database (a path; a :class:`WorldData` is returned as it is) for the global report and the pack.

    ``profiles``: the database's profile set if the caller has it already (the web app), so it is not read twice."""
    if isinstance(db, WorldData):
        return db
    path = Path(db)
    profiles = profiles if profiles is not None else open_profiles(path)
    con = store.connect(path)
    try:
        cat = Catalog(con)
        return WorldData(profiles, evaluate(cat), _extras(cat))
    finally:
        con.close()
