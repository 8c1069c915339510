"""The Python API: a read-only view of a built database; every method is one :func:`migdev.query.run` call.

Methods return pandas DataFrames carrying their provenance in ``.attrs["sources"]`` (rows of the ``source``
table) and ``.attrs["query"]`` (the filters as understood); :meth:`Observatory.answer` returns the
:class:`~migdev.publish.answer.Answer` itself. Filters take one value or a list; places take ISO3 codes, names in
any UN language, common aliases ("UK") or groups ("Africa", "High income", "WLD"). Unknown values and years,
sexes or revisions a table does not hold raise :class:`~migdev.errors.QueryError` saying what it holds.

Threads: one Observatory serves any number of threads. Each call takes its own DuckDB cursor
(``con.cursor()``), and the shared caches (places, held values) are filled under a lock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal, TypedDict

import duckdb
import pandas as pd

from migdev import store
from migdev.errors import QueryError
from migdev.publish.answer import Answer
from migdev.query import run
from migdev.query.spec import Catalog
from migdev.vocab import LANGUAGES

Sex = Literal["total", "male", "female"]
Method = Literal["sd_drop_neg", "sd_rev_neg", "mig_rate", "da_min_open", "da_min_closed", "da_pb_closed", "all"]
Language = Literal["en", "fr", "es", "ru", "zh", "ar"]
#: An ISO3 code ("MEX"), a name in a UN language ("Mexique"), an alias ("UK") or a group ("Africa", "wb:HIC", "WLD")
Place = str
OneOrMany = Any  # a value or a sequence of values

#: How long :meth:`Observatory.sql` lets a query run (seconds) unless told otherwise.
SQL_SECONDS = 30.0


class Shape(TypedDict, total=False):
    """Options every query takes (see :mod:`migdev.query`)."""

    by: str | Sequence[str]
    where: str | Sequence[str]
    sort: str | Sequence[str]
    top: int
    lang: Language
    wide: bool | str


class Observatory:
    """An open migdev database. Use as ``with migdev.open() as obs:`` or call ``close()`` when done."""

    def __init__(self, db: str | Path | None = None) -> None:
        self.path = Path(db) if db is not None else store.default_path()
        self._con: duckdb.DuckDBPyConnection = store.connect(self.path)
        self.catalog = Catalog(self._con)
        self._sandbox: duckdb.DuckDBPyConnection | None = None
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            if self._sandbox is not None:
                self._sandbox.close()
                self._sandbox = None
        self._con.close()

    def __enter__(self) -> Observatory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<migdev.Observatory {self.path}>"

    # -- the query path ------------------------------------------------------------------------------------
    def answer(self, query: str, **filters: Any) -> Answer:
        """Any query of :data:`migdev.query.QUERIES` as an :class:`Answer` (frame, sources, query, notes)."""
        return run(query, db=self, **filters)

    def _frame(self, query: str, **filters: Any) -> pd.DataFrame:
        given = {k: v for k, v in filters.items() if v is not None}
        return self.answer(query, **given).framed()

    def sql(self, query: str, params: Iterable[Any] | None = None, *, seconds: float | None = SQL_SECONDS
            ) -> pd.DataFrame:
        """Run SQL in the sandbox: read-only, no file or network access, stopped after ``seconds``."""
        with self._lock:
            if self._sandbox is None:
                self._sandbox = store.connect_sandboxed(self.path)
            cur = store.sandbox_cursor(self._sandbox)
        try:
            with store.time_limit(cur, seconds):
                return cur.execute(query, list(params or [])).df()
        except duckdb.InterruptException:
            raise QueryError(f"the query ran longer than {seconds:g} s and was stopped") from None
        except duckdb.Error as exc:
            text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            if isinstance(exc, duckdb.PermissionException):
                text += " (migdev's SQL is sandboxed: it reads the database and nothing else)"
            raise QueryError(f"SQL refused: {text}") from None
        finally:
            cur.close()

    def _table(self, sql: str) -> pd.DataFrame:
        with self.catalog.cursor() as cur:
            return cur.execute(sql).df()

    # -- places --------------------------------------------------------------------------------------------
    def countries(self, iso3: OneOrMany = None, sdg_region: OneOrMany = None,
                  wb_income_group: OneOrMany = None) -> pd.DataFrame:
        """Countries and areas with M49 codes, names in the six UN languages and UN/World Bank groupings."""
        frame = self._table("SELECT * FROM country ORDER BY iso3")
        if iso3 is not None:
            codes, _ = self.catalog.places().expand([iso3] if isinstance(iso3, str) else iso3, "country")
            frame = frame if codes is None else frame[frame["iso3"].isin(codes)]
        for column, value in (("sdg_region", sdg_region), ("wb_income_group", wb_income_group)):
            if value is not None:
                frame = frame[frame[column].isin([value] if isinstance(value, str) else list(value))]
        return frame.reset_index(drop=True)

    def groups(self, kind: OneOrMany = None, member: Place | Sequence[Place] | None = None) -> pd.DataFrame:
        """Groups of places (UN M49 regions, SDG regions, World Bank regions and income groups, ...) with their
        English ``name``, names in the other UN languages (``name_fr`` ...), member count and members; ``member``
        keeps the groups holding that place."""
        places = self.catalog.places()
        others = [f"name_{lang}" for lang in LANGUAGES if lang != "en"]
        g = places.groups.reset_index(drop=True)[["group_id", "code", "name_en", "kind", *others]]
        g = g.rename(columns={"name_en": "name"})
        members = places.members.groupby("group_id")["iso3"].agg(lambda s: ",".join(sorted(s)))
        g = g.assign(members=g["group_id"].map(members.str.count(",") + 1).fillna(0).astype(int),
                     member_codes=g["group_id"].map(members))
        if kind is not None:
            kinds = [str(k).casefold() for k in ([kind] if isinstance(kind, str) else kind)]
            g = g[g["kind"].str.casefold().isin(kinds)]
        if member is not None:
            codes, _ = places.expand([member] if isinstance(member, str) else member, "member")
            ids = set(places.members.loc[places.members["iso3"].isin(codes or []), "group_id"])
            g = g[g["group_id"].isin(ids)]
        return g.sort_values("group_id").reset_index(drop=True)

    # -- migrant stock -------------------------------------------------------------------------------------
    def stock(self, *, revision: str | int | None = None, year: int | Sequence[int] | None = None,
              sex: Sex | Sequence[Sex] | None = None, origin: Place | Sequence[Place] | None = None,
              destination: Place | Sequence[Place] | None = None, **shape: Any) -> pd.DataFrame:
        """Bilateral migrant stock (persons) by origin (place of birth) and destination (place of residence), with
        ``share_of_origin`` / ``share_of_destination``; ``revision`` defaults to the latest."""
        return self._frame("stock", revision=revision, year=year, sex=sex, origin=origin, destination=destination,
                           **shape)

    def stock_totals(self, *, revision: str | int | None = None, year: int | Sequence[int] | None = None,
                     sex: Sex | Sequence[Sex] | None = None, iso3: Place | Sequence[Place] | None = None,
                     **shape: Any) -> pd.DataFrame:
        """Immigrant and emigrant stock, population and refugees by country, as the release publishes them, with
        ``immigrant_share``, ``emigration_rate`` and ``net_stock`` (see :mod:`migdev.query.specs`)."""
        return self._frame("totals", revision=revision, year=year, sex=sex, iso3=iso3, **shape)

    totals = stock_totals

    def stock_by_age(self, *, revision: str | int | None = None, year: int | Sequence[int] | None = None,
                     sex: Sex | Sequence[Sex] | None = None, iso3: Place | Sequence[Place] | None = None,
                     **shape: Any) -> pd.DataFrame:
        """Migrant stock by destination, sex and five-year age group."""
        return self._frame("stock_age", revision=revision, year=year, sex=sex, iso3=iso3, **shape)

    # -- flows ---------------------------------------------------------------------------------------------
    def flows(self, *, revision: str | int | None = None, method: Method | Sequence[Method] | None = None,
              period: int | Sequence[int] | None = None, sex: Sex | Sequence[Sex] | None = None,
              origin: Place | Sequence[Place] | None = None, destination: Place | Sequence[Place] | None = None,
              vital_revision: str | int | None = None, per_year: bool = False, **shape: Any) -> pd.DataFrame:
        """Estimated bilateral flows over each period (whole persons), origin x destination.

        ``period`` is the start year; ``method`` defaults to the recommended estimate, ``da_pb_closed``
        (:data:`migdev.estimates.flows_step.RECOMMENDED`: closed demographic accounting came closest to reported
        flows in Abel & Cohen's validation), ``"all"`` gives every method, and ``recommended`` marks the one to
        trust; ``vital_revision`` is the WPP revision of the basis (default: the latest; IMS 2020 + WPP 2022 is the
        basis of Abel & Cohen's published estimates). ``per_year`` gives ``flow_per_year`` (the flow divided by the
        period length: 2020-2024 is 4 years) instead of ``flow``. ``flag`` names the corridor check's cause or the
        contradiction between WPP and the stocks found for the origin. A pair that is absent has an estimated flow
        of zero (cells under 0.5 persons are not stored).
        """
        frame = self._frame("flows", revision=revision, method=method, period=period, sex=sex, origin=origin,
                            destination=destination, vital_revision=vital_revision, **shape)
        return _flow_columns(frame, per_year)

    def flow_runs(self, *, revision: str | None = None, method: Method | None = None,
                  vital_revision: str | None = None) -> pd.DataFrame:
        """One row per flow estimate: regions, global total, iterations, seconds and the adjustments made."""
        frame = self._table("SELECT * FROM flow_estimate_run ORDER BY stock_revision, vital_revision, method, "
                            "period_start, sex")
        return _match(frame, stock_revision=revision, method=method, vital_revision=vital_revision)

    def flow_diagnostics(self, *, revision: str | None = None, vital_revision: str | None = None,
                         period: int | None = None, sex: Sex | None = None, origin: Place | None = None,
                         destination: Place | None = None, adjustments: bool = False) -> pd.DataFrame:
        """The corridor check of the recommended estimate (``flow_diagnostic``): corridors whose stock rose by
        >= 100,000 but whose flow is < 10 % of the rise, with the cause; ``adjustments=True`` gives instead what
        the accounts did to each place of birth (``flow_adjustment``; ``origin`` filters its ``iso3``)."""
        places = self.catalog.places()
        codes = {k: (None if v is None else places.expand([v] if isinstance(v, str) else v, k)[0])
                 for k, v in (("origin", origin), ("destination", destination))}
        if sex is not None and str(sex).casefold() not in ("total", "male", "female"):
            raise QueryError(f"unknown sex {sex!r}; expected one of total, male, female")
        common = {"stock_revision": revision, "vital_revision": vital_revision, "period_start": period, "sex": sex}
        if adjustments:
            frame = self._table("SELECT * FROM flow_adjustment ORDER BY stock_revision, vital_revision, "
                                "period_start, sex, iso3")
            return _match(frame, **common, iso3=codes["origin"])
        frame = self._table("SELECT * FROM flow_diagnostic ORDER BY stock_revision, vital_revision, period_start, "
                            "sex, origin, destination")
        return _match(frame, **common, **codes)

    def flow_band(self, *, period: int | Sequence[int] | None = None, sex: Sex | Sequence[Sex] | None = None,
                  origin: Place | Sequence[Place] | None = None, destination: Place | Sequence[Place] | None = None,
                  **shape: Any) -> pd.DataFrame:
        """The spread of the flow estimates per corridor: min, median and max over every method and stock basis the
        build estimated (``methods`` and ``stock_revisions`` name them; ``estimates`` counts them). A method that
        stores no flow for a corridor it covers counts as 0, so ``flow_min`` is often 0. ``period`` is its start year.
        """
        return self._frame("flow_band", period=period, sex=sex, origin=origin, destination=destination, **shape)

    def flow_ensemble(self, *, revision: str | None = None, method: Method | None = None, period: int | None = None,
                      sex: Sex | None = None, origin: Place | None = None, destination: Place | None = None,
                      draws: int | None = None, seed: int | None = None) -> pd.DataFrame:
        """Monte-Carlo quantiles (q05, q50, q95, whole persons) of the flows when the stocks are perturbed by their
        data quality, next to the unperturbed ``flow``; only ensembles someone ran with ``migdev flows-ensemble``
        (the build runs none). Each ensemble's rule, draws, seed and timing: ``flow_ensemble_runs()``."""
        runs = self.flow_ensemble_runs()
        if runs.empty:
            raise QueryError("no flow ensemble in this database: run `migdev flows-ensemble` first")
        places = self.catalog.places()
        codes = {k: (None if v is None else places.expand([v] if isinstance(v, str) else v, k)[0])
                 for k, v in (("origin", origin), ("destination", destination))}
        frame = self._table("SELECT stock_revision AS revision, vital_revision, method, sex, period_start, period_end, "
                            "draws, seed, origin, destination, flow, q05, q50, q95 FROM flow_ensemble ORDER BY "
                            "revision, method, period_start, sex, draws, seed, origin, destination")
        return _match(frame, revision=revision, method=method, period_start=period, sex=sex, draws=draws, seed=seed,
                      **codes)

    def flow_ensemble_runs(self) -> pd.DataFrame:
        """One row per stored ensemble: its perturbation rule, draws, seed, world totals, scheduler and seconds."""
        return self._table("SELECT * FROM flow_ensemble_run ORDER BY stock_revision, method, period_start, sex, "
                           "draws, seed")

    # -- population ----------------------------------------------------------------------------------------
    def population(self, *, iso3: Place | Sequence[Place] | None = None, year: int | Sequence[int] | None = None,
                   sex: Sex | Sequence[Sex] | None = None, revision: str | int | None = None,
                   **shape: Any) -> pd.DataFrame:
        """WPP population on 1 July, in persons (by sex at five-year points, total every year); ``revision`` is the
        WPP revision (default the latest held, 2024; 2022 is the basis of the published flow estimates)."""
        return self._frame("population", iso3=iso3, year=year, sex=sex, revision=revision, **shape)

    def vital(self, *, iso3: Place | Sequence[Place] | None = None, period_start: int | Sequence[int] | None = None,
              revision: str | int | None = None, span: int | Literal["all"] | None = None,
              **shape: Any) -> pd.DataFrame:
        """WPP births, deaths and net migration over mid-year periods, with the populations at both ends and rates
        per 1,000 person-years; ``span`` 5 (default: the non-overlapping five-year periods), 4 or ``"all"``."""
        return self._frame("vital", iso3=iso3, period=period_start, revision=revision, span=span, **shape)

    # -- development -----------------------------------------------------------------------------------------
    def wdi(self, *, iso3: Place | Sequence[Place] | None = None, indicator: str | Sequence[str] | None = None,
            year: int | Sequence[int] | None = None, **shape: Any) -> pd.DataFrame:
        """World Development Indicators (current US$ unless the indicator says otherwise), with each series' basis
        (published, or derived by migdev) and vintage."""
        return self._frame("wdi", iso3=iso3, indicator=indicator, year=year, **shape)

    def wdi_indicators(self) -> pd.DataFrame:
        """WDI indicator codes, titles and basis."""
        return self._table("SELECT * FROM wdi_indicator ORDER BY indicator")

    def indicators(self, *, iso3: Place | Sequence[Place] | None = None, indicator: str | Sequence[str] | None = None,
                   year: int | Sequence[int] | None = None, sex: Sex | Sequence[Sex] | None = None,
                   **shape: Any) -> pd.DataFrame:
        """The indicators the build computed (table ``indicator``: iso3 or group, year, sex, indicator, value,
        unit, source)."""
        return self._frame("indicators", iso3=iso3, indicator=indicator, year=year, sex=sex, **shape)

    def refugees(self, *, revision: str | None = None, year: int | Sequence[int] | None = None,
                 origin: Place | Sequence[Place] | None = None, asylum: Place | Sequence[Place] | None = None,
                 population_type: str | Sequence[str] | None = None, **shape: Any) -> pd.DataFrame:
        """UNHCR end-year stocks by origin, asylum and population type (refugees, asylum seekers, ...)."""
        return self._frame("refugees", revision=revision, year=year, origin=origin, asylum=asylum,
                           population_type=population_type, **shape)

    def remittances(self, *, edition: int | None = None, sender: Place | Sequence[Place] | None = None,
                    receiver: Place | Sequence[Place] | None = None, **shape: Any) -> pd.DataFrame:
        """The KNOMAD/World Bank bilateral remittance matrix, current US$."""
        return self._frame("remittances", edition=edition, sender=sender, receiver=receiver, **shape)

    # -- models ----------------------------------------------------------------------------------------------
    def model_fit(self, *, specification: str | Sequence[str] | None = None, revision: str | None = None,
                  year: int | Sequence[int] | None = None, term: str | Sequence[str] | None = None,
                  **shape: Any) -> pd.DataFrame:
        """The stored gravity fits (PPML, :mod:`migdev.models.gravity`): one row per specification, year and term,
        with pair-clustered standard errors, observations used and dropped (missing, separated, singletons)."""
        return self._frame("model_fit", specification=specification, revision=revision, year=year, term=term,
                           **shape)

    def scenario_answer(self, origin: Place | Sequence[Place], gni_growth: float, years: int, *,
                        specification: str = "stock_income_gap", level: float = 0.95) -> Answer:
        """:meth:`scenario` as an :class:`Answer` (frame, sources of the fit, request, caveats in ``notes``)."""
        from migdev.models import scenarios
        from migdev.publish.answer import SourceRef

        with self.catalog.cursor() as cur:
            result = scenarios.predict(cur, self.catalog.places(), origin, gni_growth, years,
                                       specification=specification, level=level)
            rows = cur.execute("SELECT source_id, revision, publisher, title, licence, citation, sha256, url FROM "
                               "source ORDER BY source_id").df()
        refs = tuple(SourceRef(**{k: str(v) for k, v in r.items()})
                     for r in rows[rows["source_id"].isin(result.sources)].to_dict("records"))
        return Answer(result.frame, refs, result.query, result.notes)

    def scenario(self, origin: Place | Sequence[Place], gni_growth: float, years: int, *,
                 specification: str = "stock_income_gap", level: float = 0.95) -> pd.DataFrame:
        """Predicted emigrant stocks, in total and by corridor, if ``origin``'s GNI per capita (PPP) grew by
        ``gni_growth`` (0.3 = 30 %) relative to its destinations over ``years`` years, with a ``level`` band
        (:mod:`migdev.models.scenarios`). An association across countries, not a causal forecast; a scenario
        outside the data's support raises :class:`~migdev.errors.EstimationError`."""
        return self.scenario_answer(origin, gni_growth, years, specification=specification, level=level).framed()

    # -- provenance ------------------------------------------------------------------------------------------
    def sources(self) -> pd.DataFrame:
        """The releases this database was built from, with revision, checksum, licence and citation."""
        return self._table("SELECT * FROM source ORDER BY source_id")

    def build_log(self) -> pd.DataFrame:
        """What the build that wrote this database reported, in order."""
        return self._table("SELECT * FROM build_log ORDER BY seq")

    def unmatched(self) -> pd.DataFrame:
        """Codes found in a source that match no country or aggregate (reported, not loaded)."""
        return self._table("SELECT * FROM unmatched_code ORDER BY source_id, field, code")


def _match(frame: pd.DataFrame, **filters: Any) -> pd.DataFrame:
    """Rows whose columns take the given values (one or a list; compared as text, case-insensitively)."""
    for column, value in filters.items():
        if value is None:
            continue
        values = {str(v).casefold() for v in ([value] if isinstance(value, str | int) else value)}
        frame = frame[frame[column].astype(str).str.casefold().isin(values)]
    return frame.reset_index(drop=True)


def _flow_columns(frame: pd.DataFrame, per_year: bool) -> pd.DataFrame:
    """``flow`` or ``flow_per_year``, not both (as before the query path had both)."""
    attrs = dict(frame.attrs)
    drop = "flow" if per_year else "flow_per_year"
    frame = frame.drop(columns=[c for c in (drop,) if c in frame.columns])
    frame.attrs.update(attrs)
    return frame
