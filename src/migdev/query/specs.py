"""The queries migdev answers, one :class:`~migdev.query.spec.QuerySpec` each: the only SQL readers use.

Adding a query is adding an entry here; the Python API, the CLI (one command per entry) and the web take it from
:data:`QUERIES`. Decisions:

- ``stock`` shares are taken over the whole table before place filters: ``share_of_origin`` is a corridor's part
  of all emigrants of its origin (the sum of its corridors, ``origin_total``), ``share_of_destination`` its part of
  all immigrants of the destination.
- ``totals`` adds what the release implies but does not print: ``native_born`` (population - immigrants),
  ``born_there`` (native-born + emigrants), ``net_stock`` (immigrants - emigrants), ``immigrant_share``
  (immigrants / population) and ``emigration_rate`` (emigrants / born_there). These are migdev's ratios.
- ``vital`` shows WPP's non-overlapping five-year periods unless ``span`` says otherwise (WPP 2024 also has
  2020-2024 and 2020-2025, which overlap); rates are per 1,000 person-years (mean of the end populations x years).
- ``flows`` defaults to the recommended method and marks it in ``recommended``; ``method="all"`` gives every one.
- ``group_members`` is the membership every group value uses: ``area_group_member``, plus, for groups the
  registry lists without members, the countries whose World Bank region or income group is the group's name, or
  whose UN 2020 income group + " countries" is (the rule of the indicators step, :mod:`migdev.indicators.step`).
- ``model_fit`` is the gravity step's table (:mod:`migdev.models.gravity`) joined to its specification's formula
  and identification; ``year`` filters the first year of a fit (a cross-section's year, a period's start).
- The reference tables the profiles read (``remittance_costs``, ``migrant_deaths``, ``area_geometry``,
  ``area_points``, ``group_values``, ``releases``) are plain reads: their figures are made by the indicators step
  or by the page, not here.
"""

from __future__ import annotations

import pandas as pd

from migdev.estimates.flows_step import RECOMMENDED, RECOMMENDED_WHY
from migdev.models.remittances import METHOD, VARIANTS
from migdev.query.spec import Filter, QuerySpec
from migdev.vocab import SEXES


def _revision(column: str = "revision", held_in: str | None = None, name: str = "revision",
              help: str = "release revision (default: the latest held)") -> Filter:
    return Filter(name, column, "choice", help, default="latest", inner=True, held_in=held_in)


def _year(within: tuple[str, ...] = ("revision",), column: str = "year", name: str = "year",
          held_in: str | None = None) -> Filter:
    return Filter(name, column, "number", f"{name} (repeatable)", within=within, inner=True, held_in=held_in)


def _sex(within: tuple[str, ...] = ("revision",), held_in: str | None = None) -> Filter:
    return Filter("sex", "sex", "choice", "total, male or female", within=within, vocabulary=SEXES, inner=True,
                  held_in=held_in)


def _place(name: str, column: str | None = None, help: str | None = None, expand: bool = True) -> Filter:
    what = help or {"origin": "place of birth (origin)", "destination": "place of residence (destination)"}.get(
        name, "country or area")
    return Filter(name, column or name, "place",
                  f"{what}: ISO3 code, name in a UN language, alias, or a group (UN region, SDG region, World Bank "
                  "region or income group, WLD); repeatable", expand=expand)


def _wdi_notes(frame: pd.DataFrame) -> list[str]:
    derived = frame[frame["vintage"].astype(str).str.startswith("derived")] if "vintage" in frame else frame.iloc[:0]
    return [f"{code} is derived by migdev, not a World Bank series: {basis}"
            for code, basis in derived.groupby("indicator")["basis"].first().items()]


def _flow_notes(frame: pd.DataFrame) -> list[str]:
    return [f"recommended method: {RECOMMENDED} ({RECOMMENDED_WHY})"]


def _remittance_estimate_notes(frame: pd.DataFrame) -> list[str]:
    return [f"migdev's estimate, not a published series: {VARIANTS.get(METHOD.variant)} (s = {METHOD.share:g}), "
            "each receiver's WDI inflow split across the countries its emigrants live in (Ratha & Shaw 2007); "
            "see the query remittance_validation for how it reproduces KNOMAD's matrices"]


def _totals_notes(frame: pd.DataFrame) -> list[str]:
    return ["immigrant_share (immigrants / population) and emigration_rate (emigrants / (residents born there + "
            "emigrants)) are ratios migdev derives from the release's totals"]


_STOCK_SQL = """SELECT revision, year, sex, origin, destination, persons,
    (sum(persons) OVER (PARTITION BY revision, year, sex, origin))::BIGINT AS origin_total,
    (sum(persons) OVER (PARTITION BY revision, year, sex, destination))::BIGINT AS destination_total
  FROM migrant_stock WHERE {inner}"""

_TOTALS_SQL = """SELECT revision, year, sex, iso3, immigrants, emigrants, population, refugees,
    population - immigrants AS native_born, population - immigrants + emigrants AS born_there,
    immigrants - emigrants AS net_stock, type_of_data, population_source
  FROM migrant_stock_total WHERE {inner}"""

_VITAL_SQL = """SELECT revision, period_start, period_end, period_end - period_start AS span, iso3, births, deaths,
    net_migration, pop_start, pop_end, (pop_start + pop_end) / 2.0 * (period_end - period_start) AS person_years,
    variant
  FROM vital WHERE {inner}"""

#: The flagged view of flow_estimate: each row carries the corridor check's cause, else the contradiction the
#: accounts found for its origin (WPP's net migration against the stocks), else NULL.
_FLOWS_SQL = f"""SELECT f.stock_revision AS revision, f.vital_revision, f.method,
    f.method = '{RECOMMENDED}' AS recommended, f.sex, f.period_start,
    f.period_end, f.period_end - f.period_start AS years, f.origin, f.destination, f.flow,
    coalesce(d.cause, a.contradiction) AS flag
  FROM flow_estimate f
  LEFT JOIN flow_diagnostic d USING (stock_revision, vital_revision, method, sex, period_start, period_end,
                                     origin, destination)
  LEFT JOIN flow_adjustment a ON a.stock_revision = f.stock_revision AND a.vital_revision = f.vital_revision
       AND a.sex = f.sex AND a.period_start = f.period_start AND a.iso3 = f.origin
  WHERE {{inner}}"""

#: Declared members, then members implied by the country table's classifications for member-less groups.
_MEMBERS_SQL = """SELECT group_id, iso3, 'declared' AS basis FROM area_group_member WHERE {inner}
  UNION ALL
  SELECT DISTINCT g.group_id, c.iso3, 'derived' AS basis FROM area_group g JOIN country c
    ON (g.source = 'World Bank WDI' AND (c.wb_region = g.name OR c.wb_income_group = g.name))
    OR (g.source = 'UN DESA IMS annex' AND c.un_income_group_2020 || ' countries' = g.name)
  WHERE g.group_id NOT IN (SELECT group_id FROM area_group_member) AND {inner}"""

_COST_SQL = """SELECT period, CAST(substr(period, 1, 4) AS INTEGER) AS year, sender, receiver, cost_pct_200,
    cost_pct_500, fx_margin_pct_200, providers, source, source_id, anomaly
  FROM remittance_cost WHERE {inner}"""

#: The gravity fits with their specification's formula and what it identifies (model_spec).
_MODEL_FIT_SQL = """SELECT f.specification, f.revision, f.year_start, f.year_end, f.term, f.estimate, f.std_error,
    f.p_value, f.ci_low, f.ci_high, f.n_obs, f.n_input, f.n_dropped, f.n_missing, f.n_separated, f.n_singleton,
    f.n_clusters, f.pseudo_r2, s.formula, f.fixed_effects, f.clustered_by, f.absorbed, s.identification, f.sources,
    f.data_revisions
  FROM model_fit f JOIN model_spec s USING (specification, revision) WHERE {inner}"""

#: The files that register groups and their members (UN M49 annexes, WPP locations, WDI's country metadata).
_GROUP_INPUTS = (("ims_locations", None), ("wpp*_locations", None), ("wdi_countries", None))

_RUNS = "flow_estimate_run"
_FLOW_FILTERS = (
    Filter("revision", "f.stock_revision", "choice", "IMS revision of the stocks (default: the latest)",
           default="latest", inner=True, held_in=_RUNS),
    Filter("vital_revision", "f.vital_revision", "choice", "WPP revision of the basis (default: the latest)",
           default="latest", within=("revision",), inner=True, held_in=_RUNS),
    Filter("method", "f.method", "choice", "estimation method (default: the recommended one; 'all' for every one)",
           default="recommended", within=("revision", "vital_revision"), inner=True, held_in=_RUNS),
    Filter("period", "f.period_start", "number", "start year of the period (2015 for 2015-2020)",
           within=("revision",), inner=True, held_in=_RUNS),
    Filter("sex", "f.sex", "choice", "total, male or female", vocabulary=SEXES, inner=True, held_in=_RUNS),
    _place("origin"), _place("destination"),
)

QUERIES: dict[str, QuerySpec] = {q.name: q for q in (
    QuerySpec(
        "stock", "Bilateral international migrant stock (persons) by origin (place of birth) and destination, "
        "with each corridor's share of its origin's emigrants and of its destination's immigrants",
        "migrant_stock", _STOCK_SQL, (_revision(), _year(), _sex(), _place("origin"), _place("destination")),
        order=("revision", "year", "origin", "destination", "sex"), places=("origin", "destination"),
        measures={"persons": "sum", "origin_total": "sum_once:origin", "destination_total": "sum_once:destination"},
        ratios={"share_of_origin": ("persons", "origin_total", 1.0),
                "share_of_destination": ("persons", "destination_total", 1.0)},
        keep=("revision", "year", "sex"), value="persons", wide=("origin", "destination"),
        inputs=(("ims*_bilateral", "revision"),),
        empty_why="the UN publishes only corridors with migrants: a pair without a row has no published stock "
                  "(zero, or counted in the destination's unspecified origin XXX)",
        title="International migrant stock (UN DESA IMS {revision})"),
    QuerySpec(
        "totals", "Immigrants, emigrants, population and refugees by country as the IMS release publishes them, "
        "with immigrant shares, emigration rates and net stocks migdev derives",
        "migrant_stock_total", _TOTALS_SQL, (_revision(), _year(), _sex(), _place("iso3")),
        order=("revision", "year", "iso3", "sex"), places=("iso3",),
        measures={c: "sum" for c in ("immigrants", "emigrants", "population", "refugees", "native_born",
                                     "born_there", "net_stock")},
        ratios={"immigrant_share": ("immigrants", "population", 1.0),
                "emigration_rate": ("emigrants", "born_there", 1.0)},
        keep=("revision", "year", "sex"), value="immigrants", wide=("iso3", "year"),
        inputs=(("ims*_destination", "revision"), ("ims_origin_totals", "revision")), notes=_totals_notes,
        title="Migrant stock totals (UN DESA IMS {revision})"),
    QuerySpec(
        "population", "Population on 1 July (UN World Population Prospects), persons; by sex at five-year points",
        "population", "SELECT revision, year, sex, iso3, persons, variant FROM population WHERE {inner}",
        (_revision(help="WPP revision (default: the latest held)"), _place("iso3"), _year(), _sex()),
        order=("iso3", "year", "sex"), places=("iso3",), measures={"persons": "sum"},
        keep=("revision", "year", "sex", "variant"), value="persons", wide=("iso3", "year"),
        inputs=(("wpp*", "revision"),),
        title="Population (WPP {revision})"),
    QuerySpec(
        "vital", "WPP births, deaths and net migration over mid-year periods, with rates per 1,000 person-years",
        "vital", _VITAL_SQL,
        (_revision(help="WPP revision (default: the latest held)"), _place("iso3"),
         _year(column="period_start", name="period"),
         Filter("span", "period_end - period_start", "choice", "period length in years: 5 (default, WPP's "
                "non-overlapping periods), 4 (2020-2024) or all", default=5, within=("revision",), inner=True)),
        order=("iso3", "period_start", "period_end"), places=("iso3",),
        measures={c: "sum" for c in ("births", "deaths", "net_migration", "pop_start", "pop_end", "person_years")},
        ratios={"birth_rate": ("births", "person_years", 1000.0), "death_rate": ("deaths", "person_years", 1000.0),
                "net_migration_rate": ("net_migration", "person_years", 1000.0)},
        keep=("revision", "period_start", "period_end", "span", "variant"), value="net_migration",
        wide=("iso3", "period_start"), inputs=(("wpp*", "revision"),),
        title="Births, deaths and net migration (WPP {revision})"),
    QuerySpec(
        "wdi", "World Development Indicators (current US$ unless the indicator says otherwise)", "wdi",
        "SELECT w.iso3, w.year, w.indicator, i.title, w.value, w.vintage, i.basis FROM wdi w "
        "JOIN wdi_indicator i USING (indicator) WHERE {inner}",
        (_place("iso3"), Filter("indicator", "indicator", "choice", "WDI code, e.g. BX.TRF.PWKR.CD.DT", inner=True,
                                held_in="wdi_indicator"),
         _year(within=())),
        order=("iso3", "indicator", "year"), places=("iso3",), keep=("year",), value="value",
        wide=("iso3", "indicator"), inputs=(("wdi_*", None),), notes=_wdi_notes,
        title="World Development Indicators"),
    QuerySpec(
        "flows", "Estimated bilateral flows over each period (whole persons), origin x destination", "flow_estimate",
        _FLOWS_SQL, _FLOW_FILTERS, order=("revision", "method", "period_start", "origin", "destination", "sex"),
        places=("origin", "destination"), measures={"flow": "sum"}, ratios={"flow_per_year": ("flow", "years", 1.0)},
        keep=("revision", "vital_revision", "method", "recommended", "sex", "period_start", "period_end", "years"),
        value="flow",
        wide=("origin", "destination"), inputs=(("ims*_bilateral", "revision"), ("wpp*", "vital_revision")),
        empty_why="an absent flow pair is an estimated zero (cells under 0.5 persons are not stored)",
        notes=_flow_notes,
        title="Estimated migration flows ({method}, IMS {revision} + WPP {vital_revision})"),
    QuerySpec(
        "flow_band", "Spread (min, median, max) of the flow estimates per corridor over every method and basis",
        "flow_band", "SELECT * FROM flow_band WHERE {inner}",
        (_year(within=(), column="period_start", name="period"), _sex(within=()), _place("origin"),
         _place("destination")),
        order=("period_start", "origin", "destination", "sex"), places=("origin", "destination"),
        keep=("period_start", "period_end", "sex"), value="flow_median", wide=("origin", "destination"),
        inputs=(("ims*_bilateral", None), ("wpp*", None)),
        empty_why="an absent flow pair is an estimated zero by every method"),
    QuerySpec(
        "stock_age", "Migrant stock by destination, sex and five-year age group (IMS 2020)", "migrant_stock_age",
        "SELECT * FROM migrant_stock_age WHERE {inner}", (_revision(), _year(), _sex(), _place("iso3")),
        order=("revision", "year", "iso3", "sex", "age_group"), places=("iso3",), measures={"persons": "sum"},
        keep=("revision", "year", "sex", "age_group"), value="persons", inputs=(("ims*_age", "revision"),)),
    QuerySpec(
        "refugees", "Refugees and others under UNHCR's mandate at the end of each year, by origin and asylum",
        "refugee", "SELECT * FROM refugee WHERE {inner}",
        (_revision(), _year(), _place("origin"), _place("asylum", help="country of asylum"),
         Filter("population_type", "population_type", "choice", "refugees, asylum_seekers, idps, stateless, oip, "
                "unrwa_refugees, ...", within=("revision",), inner=True)),
        order=("year", "origin", "asylum", "population_type"), places=("origin", "asylum"),
        measures={"persons": "sum"}, keep=("revision", "year", "population_type"), value="persons",
        wide=("origin", "asylum"), inputs=(("unhcr*", "revision"),),
        empty_why="UNHCR publishes no zero cells: a pair or type without a row counts no one",
        title="Refugees and others of concern (UNHCR {revision})"),
    QuerySpec(
        "remittances", "Bilateral remittances (KNOMAD/World Bank matrix), current US$, sender -> receiver",
        "remittance_bilateral", "SELECT * FROM remittance_bilateral WHERE {inner}",
        (Filter("edition", "edition", "choice", "matrix edition (default: the latest)", default="latest",
                inner=True), _place("sender"), _place("receiver")),
        order=("edition", "sender", "receiver"), places=("sender", "receiver"), measures={"usd": "sum"},
        keep=("edition",), value="usd", wide=("sender", "receiver"), inputs=(("knomad*", "edition"),),
        empty_why="a corridor without an estimate has no row (a published 0 is a row)",
        title="Bilateral remittances (KNOMAD/World Bank {edition})"),
    QuerySpec(
        "remittance_estimates", "Bilateral remittances re-estimated by migdev (KNOMAD's allocation on WDI inflows "
        "and IMS stocks), current US$, sender (where migrants live) -> receiver (their origin), every year",
        "remittance_bilateral_estimate", "SELECT * FROM remittance_bilateral_estimate WHERE {inner}",
        (Filter("method_version", "method_version", "choice", "method version (default: the latest held)",
                default="latest", inner=True),
         _revision("stock_revision", help="IMS revision of the stocks (default: the latest held)"),
         _year(within=("method_version", "revision")), _place("sender"), _place("receiver")),
        order=("method_version", "stock_revision", "year", "sender", "receiver"), places=("sender", "receiver"),
        measures={"usd": "sum", "stock": "sum"}, ratios={"usd_per_migrant": ("usd", "stock", 1.0)},
        keep=("method_version", "stock_revision", "wdi_vintage", "year"), value="usd", wide=("sender", "receiver"),
        inputs=(("ims*_bilateral", "revision"), ("wdi_long", None)), notes=_remittance_estimate_notes,
        empty_why="a corridor without migrants in the IMS revision, or a receiver without a WDI inflow that year, "
                  "has no estimate",
        requires="the build has no remittance_estimate step yet (or it was skipped): this database has no "
                 "`remittance_bilateral_estimate` table; rebuild with `migdev build`",
        title="Bilateral remittances re-estimated ({method_version}, IMS {revision})"),
    QuerySpec(
        "remittance_validation", "How the remittance re-estimation reproduces each KNOMAD edition: share of the "
        "edition's volume within 25 %, correlation of log corridor values, per variant, inflows and stock basis",
        "remittance_estimate_validation", "SELECT * FROM remittance_estimate_validation WHERE {inner}",
        (Filter("edition", "edition", "choice", "KNOMAD edition (repeatable; default: all)", inner=True),
         Filter("inflows", "inflows", "choice", "wdi (the estimate's inputs) or published (the edition's own "
                "receipts)", inner=True),
         Filter("basis", "basis", "choice", "edition (the stock year the edition used) or latest", inner=True),
         Filter("method_version", "method_version", "choice", "variant's method version (default: all)",
                inner=True)),
        order=("edition", "inflows", "basis", "method_version"),
        keep=("edition", "method_version", "inflows", "basis"), value="share_within_25",
        inputs=(("knomad*", "edition"), ("ims*_bilateral", None), ("wdi_long", None)),
        requires="the build has no remittance_estimate step yet (or it was skipped): this database has no "
                 "`remittance_estimate_validation` table; rebuild with `migdev build`",
        title="Remittance re-estimation against KNOMAD"),
    QuerySpec(
        "indicators", "Indicators computed by the build (table `indicator`), per country or group, year and sex",
        "indicator", "SELECT iso3, year, sex, indicator, rank, partner, value, unit, members, basis, source, revision "
                     "FROM indicator WHERE {inner}",
        (_place("iso3", help="country or group", expand=False), _year(within=()), _sex(within=()),
         Filter("indicator", "indicator", "choice", "indicator code (see the catalogue)", inner=True)),
        order=("iso3", "indicator", "year", "sex", "rank"), places=("iso3",), keep=("year", "sex"), value="value",
        wide=("iso3", "indicator"), source_column="source",
        requires="the build has no indicators step yet (or it was skipped): this database has no `indicator` "
                 "table; rebuild with `migdev build`"),
    QuerySpec(
        "remittance_costs", "Cost of sending remittances (World Bank Remittance Prices Worldwide), percent of the "
        "amount sent, per corridor and quarter", "remittance_cost", _COST_SQL,
        (_year(within=(), held_in="remittance_cost", column="CAST(substr(period, 1, 4) AS INTEGER)"),
         _place("sender"), _place("receiver")),
        order=("period", "sender", "receiver", "source_id"), places=("sender", "receiver"),
        keep=("period", "year", "source_id"), value="cost_pct_200", wide=("sender", "receiver"),
        inputs=(("rpw*", None),), source_column="source_id",
        empty_why="RPW surveys a few hundred corridors: a pair without a row was not surveyed",
        title="Remittance prices (World Bank RPW)"),
    QuerySpec(
        "migrant_deaths", "Migrants dead and missing by country of incident and year (IOM Missing Migrants, SDG "
        "10.7.3 database)", "migrant_deaths", "SELECT * FROM migrant_deaths WHERE {inner}",
        (_place("iso3"), _year(within=()),
         Filter("source_id", "source_id", "choice", "release file (mmp2025_country_year, sdg2023_sm_dth_migr)",
                inner=True)),
        order=("source_id", "iso3", "year"), places=("iso3",), measures={"dead_and_missing": "sum"},
        keep=("source_id", "year"), value="dead_and_missing", wide=("iso3", "year"), source_column="source_id",
        empty_why="a country-year without a recorded death has no row",
        title="Dead and missing migrants"),
    QuerySpec(
        "area_geometry", "Simplified polygons of countries and areas (GeoJSON) for locator maps", "area_geometry",
        "SELECT * FROM area_geometry WHERE {inner}", (_place("iso3", expand=True),),
        order=("iso3",), places=("iso3",), keep=("source_id",), source_column="source_id",
        empty_why="small areas have no polygon: see area_points"),
    QuerySpec(
        "area_points", "One representative point per country or area (the best-ranked of its points)",
        "area_point_best", "SELECT * FROM area_point_best WHERE {inner}", (_place("iso3"),),
        order=("iso3",), places=("iso3",), keep=("source_id",), source_column="source_id"),
    QuerySpec(
        "group_values", "Values the publishers give for groups (regions, income groups, world), as published",
        "area_group_value", "SELECT * FROM area_group_value WHERE value IS NOT NULL AND {inner}",
        (Filter("group", "group_id", "choice", "group id (e.g. m49:900, wb:LCN)", inner=True),
         Filter("measure", "measure", "choice", "measure (a WDI code, skilled_emigration_rate_high, ...)",
                inner=True), _year(within=())),
        order=("group_id", "measure", "year", "sex"), keep=("group_id", "measure", "year", "sex", "source_id"),
        value="value", source_column="source_id", title="Published group values"),
    QuerySpec(
        "group_members", "Members of every group: declared by the registry, or derived from the country table's "
        "classification where the registry lists none", "area_group", _MEMBERS_SQL,
        (Filter("group", "group_id", "choice", "group id (e.g. m49:900, wb:LCN)"),),
        order=("group_id", "iso3"), places=("iso3",), keep=("group_id", "basis"),
        inputs=_GROUP_INPUTS),
    QuerySpec(
        "area_groups", "The groups of places (UN M49 and SDG regions, World Bank regions and income groups, ...) as "
        "the registries name them (`name`) and in the six UN languages (`name_en` ... `name_ar`)", "area_group",
        "SELECT group_id, source, code, name, kind, name_en, name_fr, name_es, name_ru, name_zh, name_ar "
        "FROM area_group WHERE {inner}",
        (Filter("kind", "kind", "choice", "kind of group (region, income, ...)", inner=True),),
        order=("group_id",), keep=("group_id", "source", "code", "kind"), inputs=_GROUP_INPUTS),
    QuerySpec(
        "model_fit", "Gravity models the build fitted (PPML with fixed effects, pair-clustered standard errors), one "
        "row per specification, year (or period, or panel) and term, with the observations used and dropped",
        "model_fit", _MODEL_FIT_SQL,
        (Filter("specification", "f.specification", "choice", "stock_gravity, stock_income_gap, "
                "stock_income_gap_year or flow_gravity (default: all)", inner=True),
         _revision(column="f.revision", help="IMS revision of the data fitted (default: the latest held)"),
         _year(column="f.year_start", within=("revision",)),
         Filter("term", "f.term", "choice", "log_distance, contiguous, common_language, colony or income_gap",
                inner=True)),
        order=("specification", "revision", "year_start", "term"),
        keep=("specification", "revision", "year_start", "year_end", "term"), value="estimate",
        source_column="sources",
        empty_why="a specification the data could not support was not fitted (see the build log)",
        requires="the build has no gravity step yet (or it was skipped): this database has no `model_fit` table; "
                 "rebuild with `migdev build`",
        title="Gravity models (PPML, IMS {revision})"),
    QuerySpec(
        "releases", "The release files the database was built from (rows of `source`), with when they were loaded",
        "source", "SELECT source_id, product, revision, publisher, title, citation, licence, url, sha256, "
                  "loaded_at FROM source WHERE {inner}",
        (Filter("product", "product", "choice", "product (undesa_ims, wpp, unhcr, wdi, ...)", inner=True),),
        order=("product", "source_id"), keep=("product", "source_id", "revision"), source_column="source_id"),
)}
