"""The Python API: a read-only view of a built database whose methods return pandas DataFrames.

Filters are keyword arguments; each takes one value or a list. Unknown country codes, sexes or revisions are
refused with a message that says what is known, instead of silently returning an empty frame.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from migdev import store
from migdev.errors import QueryError
from migdev.vocab import SEXES


def _as_list(value: Any) -> list[Any] | None:
    if value is None:
        return None
    if isinstance(value, str | int | float):
        return [value]
    return list(value)


class Observatory:
    """An open migdev database. Use as ``with migdev.open() as obs:`` or call ``close()`` when done."""

    def __init__(self, db: str | Path | None = None) -> None:
        self.path = Path(db) if db is not None else store.default_path()
        self._con: duckdb.DuckDBPyConnection = store.connect(self.path)
        self._codes: set[str] | None = None

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> Observatory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<migdev.Observatory {self.path}>"

    # -- plumbing -----------------------------------------------------------------------------------------
    def sql(self, query: str, params: Iterable[Any] | None = None) -> pd.DataFrame:
        """Run a read-only SQL query against the database (for what the methods below do not cover)."""
        return self._con.execute(query, list(params or [])).df()

    def _select(self, table: str, columns: str, filters: dict[str, Any], order: str) -> pd.DataFrame:
        clauses, params = [], []
        for column, value in filters.items():
            values = _as_list(value)
            if values is None:
                continue
            clauses.append(f"{column} IN ({', '.join('?' for _ in values)})")
            params.extend(values)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        return self.sql(f"SELECT {columns} FROM {table}{where} ORDER BY {order}", params)

    def _known_codes(self) -> set[str]:
        if self._codes is None:
            self._codes = set(self.sql("SELECT iso3 FROM country")["iso3"])
        return self._codes

    def _check_codes(self, field: str, value: Any) -> list[str] | None:
        codes = _as_list(value)
        if codes is None:
            return None
        codes = [str(c).upper() for c in codes]
        known = self._known_codes()
        for code in codes:
            if code not in known:
                hint = difflib.get_close_matches(code, sorted(known), n=3)
                names = self.sql("SELECT iso3, name_en FROM country")
                by_name = names[names["name_en"].str.lower().str.contains(code.lower(), regex=False)]
                suggestions = [*hint, *by_name["iso3"].head(3)]
                extra = f"; did you mean {', '.join(dict.fromkeys(suggestions))}?" if suggestions else ""
                raise QueryError(f"unknown {field} code {code!r}: use ISO 3166-1 alpha-3 codes as in "
                                 f"countries(){extra}")
        return codes

    def _check_choice(self, field: str, value: Any, allowed: Iterable[Any]) -> list[Any] | None:
        values = _as_list(value)
        if values is None:
            return None
        allowed_raw = list(allowed)
        allowed = [str(a) for a in allowed_raw]
        for v in values:
            if str(v) not in allowed:
                raise QueryError(f"unknown {field} {v!r}; expected one of {', '.join(allowed)}")
        # the stored value, with its stored type (a period given as "2015" matches the integer 2015)
        canonical = [allowed_raw[allowed.index(str(v))] for v in values]
        return [c.item() if hasattr(c, "item") else c for c in canonical]

    def _revisions(self, table: str, column: str = "revision") -> list[Any]:
        return list(self.sql(f"SELECT DISTINCT {column} FROM {table} ORDER BY 1")[column])

    def _revision_year_sex(self, table: str, revision: Any, year: Any, sex: Any) -> dict[str, Any]:
        """The filters every stock table shares, checked against what the table holds."""
        return {"revision": self._check_choice("revision", revision, self._revisions(table)), "year": year,
                "sex": self._check_choice("sex", sex, SEXES)}

    # -- places --------------------------------------------------------------------------------------------
    def countries(self, iso3: Any = None, sdg_region: Any = None, wb_income_group: Any = None) -> pd.DataFrame:
        """Countries and areas with M49 codes, names in the six UN languages and UN/World Bank groupings."""
        return self._select("country", "*", {"iso3": self._check_codes("country", iso3), "sdg_region": sdg_region,
                                             "wb_income_group": wb_income_group}, "iso3")

    def groups(self, kind: Any = None) -> pd.DataFrame:
        """Aggregates (regions, development and income groups) of each publisher, kept apart from countries."""
        return self._select("area_group", "*", {"kind": kind}, "group_id")

    # -- migrant stock -------------------------------------------------------------------------------------
    def stock(self, *, revision: Any = "2024", year: Any = None, sex: Any = None, origin: Any = None,
              destination: Any = None) -> pd.DataFrame:
        """Bilateral migrant stock (persons) by origin (place of birth) and destination (place of residence)."""
        filters = {
            **self._revision_year_sex("migrant_stock", revision, year, sex),
            "origin": self._check_codes("origin", origin),
            "destination": self._check_codes("destination", destination),
        }
        return self._select("migrant_stock", "revision, year, sex, origin, destination, persons", filters,
                            "revision, year, origin, destination, sex")

    def stock_totals(self, *, revision: Any = "2024", year: Any = None, sex: Any = None,
                     iso3: Any = None) -> pd.DataFrame:
        """Immigrant and emigrant stock, population and refugees by country, as the release publishes them."""
        filters = {
            **self._revision_year_sex("migrant_stock_total", revision, year, sex),
            "iso3": self._check_codes("country", iso3),
        }
        return self._select("migrant_stock_total", "*", filters, "revision, year, iso3, sex")

    def stock_by_age(self, *, revision: Any = "2020", year: Any = None, sex: Any = None,
                     iso3: Any = None) -> pd.DataFrame:
        """Migrant stock by destination, sex and five-year age group."""
        filters = {
            **self._revision_year_sex("migrant_stock_age", revision, year, sex),
            "iso3": self._check_codes("country", iso3),
        }
        return self._select("migrant_stock_age", "*", filters, "revision, year, iso3, sex, age_group")

    # -- flows ---------------------------------------------------------------------------------------------
    #: The flagged view of flow_estimate: each row carries the corridor check's cause, else the contradiction
    #: the accounts found for its origin (WPP's net migration against the stocks), else NULL.
    _FLOWS = """(SELECT f.stock_revision, f.vital_revision, f.method, f.sex, f.period_start, f.period_end,
                f.period_end - f.period_start AS years, f.origin, f.destination, f.flow,
                coalesce(d.cause, a.contradiction) AS flag
         FROM flow_estimate f
         LEFT JOIN flow_diagnostic d USING (stock_revision, vital_revision, method, sex, period_start, period_end,
                                            origin, destination)
         LEFT JOIN flow_adjustment a ON a.stock_revision = f.stock_revision AND a.vital_revision = f.vital_revision
              AND a.sex = f.sex AND a.period_start = f.period_start AND a.iso3 = f.origin) flows"""

    def flows(self, *, revision: Any = "2024", method: Any = None, period: Any = None, sex: Any = None,
              origin: Any = None, destination: Any = None, vital_revision: Any = None,
              per_year: bool = False) -> pd.DataFrame:
        """Estimated bilateral flows over each period (whole persons), origin x destination.

        ``period`` is the start year; ``method`` defaults to the recommended estimate, ``da_pb_closed``
        (:data:`migdev.estimates.flows_step.RECOMMENDED`: closed demographic accounting came closest to reported
        flows in Abel & Cohen's validation); ``vital_revision`` is the WPP revision of the basis (default: WPP
        2024; IMS 2020 + WPP 2022 is the basis of Abel & Cohen's published estimates). ``per_year`` divides by
        the period length (``years``: 2020-2024 is 4 years) into an annual rate. ``flag`` names the corridor
        check's cause or the contradiction between WPP and the stocks found for the origin. A pair that is
        absent has an estimated flow of zero (cells under 0.5 persons are not stored).
        """
        from migdev.estimates.flows_step import RECOMMENDED

        filters = {
            "stock_revision": self._check_choice("revision", revision, self._revisions("flow_estimate_run",
                                                                                         "stock_revision")),
            "vital_revision": self._check_choice("vital_revision", "2024" if vital_revision is None
                                                 else vital_revision,
                                                 self._revisions("flow_estimate_run", "vital_revision")),
            "method": self._check_choice("method", RECOMMENDED if method is None else method,
                                         self._revisions("flow_estimate_run", "method")),
            "period_start": self._check_choice("period", period, self._revisions("flow_estimate_run",
                                                                                 "period_start")),
            "sex": self._check_choice("sex", sex, SEXES),
            "origin": self._check_codes("origin", origin),
            "destination": self._check_codes("destination", destination),
        }
        value = "flow / years AS flow_per_year" if per_year else "flow"
        return self._select(self._FLOWS, "stock_revision AS revision, vital_revision, method, sex, period_start, "
                            f"period_end, years, origin, destination, {value}, flag", filters,
                            "revision, method, period_start, origin, destination, sex")

    def flow_runs(self, *, revision: Any = None, method: Any = None, vital_revision: Any = None) -> pd.DataFrame:
        """One row per flow estimate: regions, global total, iterations, seconds and the adjustments made."""
        return self._select("flow_estimate_run", "*", {"stock_revision": revision, "method": method,
                                                       "vital_revision": vital_revision},
                            "stock_revision, vital_revision, method, period_start, sex")

    def flow_diagnostics(self, *, revision: Any = None, vital_revision: Any = None, period: Any = None,
                         sex: Any = None, origin: Any = None, destination: Any = None,
                         adjustments: bool = False) -> pd.DataFrame:
        """The corridor check of the recommended estimate (``flow_diagnostic``): corridors whose stock rose by
        >= 100,000 but whose flow is < 10 % of the rise, with the cause; ``adjustments=True`` gives instead what
        the accounts did to each place of birth (``flow_adjustment``; ``origin`` filters its ``iso3``)."""
        filters: dict[str, Any] = {"stock_revision": revision, "vital_revision": vital_revision,
                                   "period_start": period, "sex": self._check_choice("sex", sex, SEXES)}
        if adjustments:
            filters["iso3"] = self._check_codes("origin", origin)
            return self._select("flow_adjustment", "*", filters, "stock_revision, vital_revision, period_start, "
                                "sex, iso3")
        filters |= {"origin": self._check_codes("origin", origin),
                    "destination": self._check_codes("destination", destination)}
        return self._select("flow_diagnostic", "*", filters, "stock_revision, vital_revision, period_start, sex, "
                            "origin, destination")

    def flow_band(self, *, period: Any = None, sex: Any = None, origin: Any = None,
                  destination: Any = None) -> pd.DataFrame:
        """The spread of the flow estimates per corridor: min, median and max over every method and stock basis the
        build estimated (``methods`` and ``stock_revisions`` name them; ``estimates`` counts them). A method that
        stores no flow for a corridor it covers counts as 0, so ``flow_min`` is often 0. ``period`` is its start year.
        """
        filters = {
            "period_start": self._check_choice("period", period, self._revisions("flow_band", "period_start")),
            "sex": self._check_choice("sex", sex, SEXES),
            "origin": self._check_codes("origin", origin),
            "destination": self._check_codes("destination", destination),
        }
        return self._select("flow_band", "*", filters, "period_start, origin, destination, sex")

    def flow_ensemble(self, *, revision: Any = None, method: Any = None, period: Any = None, sex: Any = None,
                      origin: Any = None, destination: Any = None, draws: Any = None,
                      seed: Any = None) -> pd.DataFrame:
        """Monte-Carlo quantiles (q05, q50, q95, whole persons) of the flows when the stocks are perturbed by their
        data quality, next to the unperturbed ``flow``; only ensembles someone ran with ``migdev flows-ensemble``
        (the build runs none). Each ensemble's rule, draws, seed and timing: ``flow_ensemble_runs()``."""
        if self.sql("SELECT count(*) AS n FROM flow_ensemble_run")["n"].iloc[0] == 0:
            raise QueryError("no flow ensemble in this database: run `migdev flows-ensemble` first")
        runs = "flow_ensemble_run"
        filters = {
            "stock_revision": self._check_choice("revision", revision, self._revisions(runs, "stock_revision")),
            "method": self._check_choice("method", method, self._revisions(runs, "method")),
            "period_start": self._check_choice("period", period, self._revisions(runs, "period_start")),
            "sex": self._check_choice("sex", sex, SEXES),
            "draws": self._check_choice("draws", draws, self._revisions(runs, "draws")),
            "seed": self._check_choice("seed", seed, self._revisions(runs, "seed")),
            "origin": self._check_codes("origin", origin),
            "destination": self._check_codes("destination", destination),
        }
        return self._select("flow_ensemble", "stock_revision AS revision, vital_revision, method, sex, period_start, "
                            "period_end, draws, seed, origin, destination, flow, q05, q50, q95", filters,
                            "revision, method, period_start, sex, draws, seed, origin, destination")

    def flow_ensemble_runs(self) -> pd.DataFrame:
        """One row per stored ensemble: its perturbation rule, draws, seed, world totals, scheduler and seconds."""
        return self.sql("SELECT * FROM flow_ensemble_run ORDER BY stock_revision, method, period_start, sex, "
                        "draws, seed")

    # -- population ----------------------------------------------------------------------------------------
    def _wpp_revision(self, table: str, revision: Any) -> list[Any]:
        """The WPP revision(s) asked for, checked against what ``table`` holds; default the latest."""
        held = self._revisions(table)
        return self._check_choice("WPP revision", held[-1:] if revision is None else revision, held)

    def population(self, *, iso3: Any = None, year: Any = None, sex: Any = None,
                   revision: Any = None) -> pd.DataFrame:
        """WPP population on 1 July, in persons (by sex at five-year points, total every year); ``revision`` is the
        WPP revision (default the latest held, 2024; 2022 is the basis of the published flow estimates)."""
        filters = {"revision": self._wpp_revision("population", revision),
                   "iso3": self._check_codes("country", iso3), "year": year,
                   "sex": self._check_choice("sex", sex, SEXES)}
        return self._select("population", "*", filters, "iso3, year, sex")

    def vital(self, *, iso3: Any = None, period_start: Any = None, revision: Any = None) -> pd.DataFrame:
        """WPP births, deaths and net migration over mid-year periods, with the populations at both ends;
        ``revision`` as for :meth:`population`."""
        filters = {"revision": self._wpp_revision("vital", revision), "iso3": self._check_codes("country", iso3),
                   "period_start": period_start}
        return self._select("vital", "*", filters, "iso3, period_start, period_end")

    # -- development -----------------------------------------------------------------------------------------
    def wdi(self, *, iso3: Any = None, indicator: Any = None, year: Any = None) -> pd.DataFrame:
        """World Development Indicators (current US$ unless the indicator says otherwise)."""
        known = self.sql("SELECT DISTINCT indicator FROM wdi ORDER BY 1")["indicator"]
        filters = {"iso3": self._check_codes("country", iso3),
                   "indicator": self._check_choice("indicator", indicator, known), "year": year}
        return self._select("wdi", "*", filters, "iso3, indicator, year")

    def indicators(self) -> pd.DataFrame:
        """WDI indicator codes and titles."""
        return self.sql("SELECT * FROM wdi_indicator ORDER BY indicator")

    # -- provenance ------------------------------------------------------------------------------------------
    def sources(self) -> pd.DataFrame:
        """The releases this database was built from, with revision, checksum, licence and citation."""
        return self.sql("SELECT * FROM source ORDER BY source_id")

    def build_log(self) -> pd.DataFrame:
        """What the build that wrote this database reported, in order."""
        return self.sql("SELECT * FROM build_log ORDER BY seq")

    def unmatched(self) -> pd.DataFrame:
        """Codes found in a source that match no country or aggregate (reported, not loaded)."""
        return self.sql("SELECT * FROM unmatched_code ORDER BY source_id, field, code")
