"""Key messages: sentences whose every number is read from the database, never typed in.

Each :class:`KeyMessage` declares its sentence (an English message id with ``%(name)s`` placeholders), the query
and filters that give its figures (:func:`migdev.query.run`), how the figures are picked from the answer's frame,
and the unit each placeholder is formatted in. :func:`evaluate` runs the query once and keeps the answer's
sources; :meth:`Filled.sentence` formats the figures in a language (Babel) and fills the translated sentence. The
tests re-run each declared query and find the formatted figures in the built reports, so a message cannot drift
from its query.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from migdev import query
from migdev.errors import QueryError
from migdev.i18n import N_, Translator
from migdev.indicators.costs import TARGET_PCT
from migdev.publish.answer import SourceRef

WORLD = "m49:900"
#: The World Bank's aggregate of low- and middle-income countries (its remittances, FDI and ODA comparison).
LMY = "wb:LMY"
REMIT, FDI, ODA = "BX.TRF.PWKR.CD.DT", "BX.KLT.DINV.CD.WD", "DT.ODA.ODAT.CD"

Pick = Callable[[pd.DataFrame], dict[str, Any] | None]


@dataclass(frozen=True)
class KeyMessage:
    """One key message: its sentence, the query giving its figures, and each placeholder's unit."""

    id: str
    section: str
    sentence: str  # message id, %(name)s placeholders
    query: str
    filters: Mapping[str, Any]
    pick: Pick  # the answer's frame -> {placeholder: raw value}; None when a figure is missing
    units: Mapping[str, str]  # placeholder -> persons, fraction, percent, usd, ratio, year, count


@dataclass(frozen=True)
class Filled:
    """A key message with its figures read from the database, and the sources of the answer they came from."""

    message: KeyMessage
    values: dict[str, Any]
    sources: tuple[SourceRef, ...] = field(default=())

    def formatted(self, t: Translator) -> dict[str, str]:
        """Each placeholder's figure as the language writes it."""
        return {k: format_value(t, v, self.message.units[k]) for k, v in self.values.items()}

    def sentence(self, t: Translator) -> str:
        return t.gettext(self.message.sentence) % self.formatted(t)

    def source_text(self) -> str:
        """The sources cited (ids with their revisions), as a footnote or a note shows them."""
        revs: dict[str, list[str]] = {}
        for s in self.sources:
            revs.setdefault(s.revision, []).append(s.source_id)
        return "; ".join(f"{', '.join(ids)} ({rev})" for rev, ids in revs.items())


def format_value(t: Translator, value: Any, unit: str) -> str:
    """A figure in the language, by unit (years and counts as integers without grouping for years)."""
    if unit == "year":
        return str(int(value))
    if unit in ("persons", "count"):
        return t.number(value)
    if unit == "fraction":
        return t.percent(value)
    if unit == "percent":
        return t.percent_points(value)
    if unit == "usd":
        return t.compact_currency(value)
    if unit == "ratio":
        return t.number(value, 1)
    raise ValueError(f"unknown unit {unit!r}")


# -- picks: vectorised reads of an answer's frame ---------------------------------------------------------------
def _rows(frame: pd.DataFrame, column: str = "value", **equal: Any) -> pd.DataFrame:
    rows = frame[frame[column].notna()]
    for k, v in equal.items():
        rows = rows[rows[k] == v]
    return rows


def latest(column: str = "value", **equal: Any) -> Pick:
    """The newest year's value (``value``, ``year``)."""
    def pick(frame: pd.DataFrame) -> dict[str, Any] | None:
        rows = _rows(frame, column, **equal)
        if rows.empty:
            return None
        row = rows.loc[rows["year"].idxmax()]
        return {"value": float(row[column]), "year": int(row["year"])}
    return pick


def first_and_latest(column: str = "value", since: int | None = None, **equal: Any) -> Pick:
    """The newest year's value and the first year's, from ``since`` on (``start``, ``start_year``)."""
    def pick(frame: pd.DataFrame) -> dict[str, Any] | None:
        rows = _rows(frame, column, **equal)
        if since is not None:
            rows = rows[rows["year"] >= since]
        if rows.empty:
            return None
        first, last = rows.loc[rows["year"].idxmin()], rows.loc[rows["year"].idxmax()]
        return {"value": float(last[column]), "year": int(last["year"]), "start": float(first[column]),
                "start_year": int(first["year"])}
    return pick


def ratios_of(measure: str, over: Mapping[str, str]) -> Pick:
    """In the newest year with every measure, ``measure`` and its ratio to each of ``over`` (name -> measure)."""
    def pick(frame: pd.DataFrame) -> dict[str, Any] | None:
        rows = _rows(frame, sex="total") if "sex" in frame else _rows(frame)
        wide = rows.pivot_table(index="year", columns="measure", values="value", aggfunc="first")
        needed = [measure, *over.values()]
        if not set(needed) <= set(wide.columns):
            return None
        wide = wide[needed].dropna()
        if wide.empty:
            return None
        year = int(wide.index.max())
        row = wide.loc[year]
        return {"value": float(row[measure]), "year": year,
                **{name: float(row[measure] / row[m]) for name, m in over.items()}}
    return pick


def flow_band(frame: pd.DataFrame) -> dict[str, Any] | None:
    """The newest period's world flow by the recommended method and the lowest and highest over all methods."""
    if frame.empty:
        return None
    last = frame[frame["period_start"] == frame["period_start"].max()]
    rec = last[last["recommended"]]
    if rec.empty:
        return None
    return {"value": float(rec["flow"].iloc[0]), "low": float(last["flow"].min()), "high": float(last["flow"].max()),
            "start": int(last["period_start"].iloc[0]), "end": int(last["period_end"].iloc[0]),
            "methods": int(last["method"].nunique())}


def with_target(pick: Pick) -> Pick:
    """A pick plus the SDG 10.c.1 target (:data:`migdev.indicators.costs.TARGET_PCT`) as ``target``."""
    def wrapped(frame: pd.DataFrame) -> dict[str, Any] | None:
        out = pick(frame)
        return None if out is None else {**out, "target": TARGET_PCT}
    return wrapped


def _skilled_pick(frame: pd.DataFrame) -> dict[str, Any] | None:
    rows = _rows(frame, sex="total")
    wide = rows.pivot_table(index="year", columns="measure", values="value", aggfunc="first").dropna()
    if wide.empty or not {"skilled_emigration_rate_high", "skilled_emigration_rate_total"} <= set(wide.columns):
        return None
    year = int(wide.index.max())
    return {"value": float(wide.loc[year, "skilled_emigration_rate_high"]), "year": year,
            "total": float(wide.loc[year, "skilled_emigration_rate_total"])}


def _ind(indicator: str, sex: str = "total", iso3: str = WORLD) -> dict[str, Any]:
    return {"iso3": iso3, "indicator": indicator, "sex": sex}


P, Y, F = "persons", "year", "fraction"
MESSAGES: tuple[KeyMessage, ...] = (
    KeyMessage("stock_world", "stocks", N_(
        "In %(year)s, %(value)s people lived outside their country of birth, against %(start)s in %(start_year)s."),
        "indicators", _ind("stock_immigrants"), first_and_latest(),
        {"value": P, "year": Y, "start": P, "start_year": Y}),
    KeyMessage("stock_share", "stocks", N_(
        "International migrants made up %(value)s of the world's population in %(year)s."),
        "indicators", _ind("stock_immigrant_share"), latest(), {"value": F, "year": Y}),
    KeyMessage("stock_women", "stocks", N_("Women and girls were %(value)s of all international migrants in %(year)s."),
               "indicators", _ind("stock_female_share_immigrants"), latest(), {"value": F, "year": Y}),
    KeyMessage("flows_band", "flows", N_(
        "Between %(start)s and %(end)s, an estimated %(value)s people moved from one country to another (recommended "
        "method); the %(methods)s estimation methods give between %(low)s and %(high)s."),
        "flows", {"method": "all", "sex": "total", "by": "method"}, flow_band,
        {"value": P, "low": P, "high": P, "start": Y, "end": Y, "methods": "count"}),
    KeyMessage("remit_lmy", "remittances", N_(
        "In %(year)s, low- and middle-income countries received %(value)s in remittances: %(fdi)s times the foreign "
        "direct investment and %(oda)s times the official development assistance they received."),
        "group_values", {"group": LMY, "measure": [REMIT, FDI, ODA]}, ratios_of(REMIT, {"fdi": FDI, "oda": ODA}),
        {"value": "usd", "year": Y, "fdi": "ratio", "oda": "ratio"}),
    KeyMessage("cost_world", "costs", N_(
        "Sending 200 US dollars home cost on average %(value)s of the amount in %(year)s, against the SDG target "
        "of %(target)s."),
        "indicators", _ind("cost_receiving_average"), with_target(latest()),
        {"value": "percent", "year": Y, "target": "percent"}),
    KeyMessage("cost_at_target", "costs", N_(
        "In %(year)s, %(value)s of the corridors surveyed cost %(target)s or less."),
        "indicators", _ind("cost_receiving_share_at_target"), with_target(latest()),
        {"value": F, "year": Y, "target": "percent"}),
    KeyMessage("refugees_world", "refugees", N_(
        "At the end of %(year)s, %(value)s refugees and other people in need of international protection lived "
        "outside their country, against %(start)s at the end of %(start_year)s."),
        "indicators", _ind("refugees_hosted"), first_and_latest(since=1990),
        {"value": P, "year": Y, "start": P, "start_year": Y}),
    KeyMessage("skilled_world", "skilled", N_(
        "In %(year)s, %(value)s of the world's highly educated people lived in an OECD country other than their "
        "country of birth, against %(total)s of people of all levels of education."),
        "group_values", {"group": "wb:WLD", "measure": ["skilled_emigration_rate_high",
                                                        "skilled_emigration_rate_total"]},
        _skilled_pick, {"value": F, "year": Y, "total": F}),
    KeyMessage("policy_world", "governance", N_(
        "Of the governments rated in %(year)s, %(value)s met or fully met the SDG 10.7.2 criteria of well-managed "
        "migration policies."),
        "indicators", _ind("policy_sdg_10_7_2_overall_share_meeting"), latest(), {"value": F, "year": Y}),
    KeyMessage("deaths_world", "governance", N_(
        "%(value)s migrants were recorded dead or missing in %(year)s (SDG 10.7.3)."),
        "indicators", _ind("policy_migrant_deaths"), latest(), {"value": P, "year": Y}),
)


BY_ID = {m.id: m for m in MESSAGES}


def run(message: KeyMessage, db: Any) -> Any:
    """The answer of a message's declared query (what the tests re-run)."""
    options = {k: v for k, v in message.filters.items() if k == "by"}
    filters = {k: v for k, v in message.filters.items() if k != "by"}
    return query.run(message.query, db, **options, **filters)


def evaluate(db: Any, messages: tuple[KeyMessage, ...] = MESSAGES) -> list[Filled]:
    """Every message whose figures the database holds (one query each); a message missing a figure is left out."""
    out = []
    for m in messages:
        try:
            answer = run(m, db)
        except QueryError:
            continue  # the database lacks the table or value (e.g. no flows step): no sentence, not a wrong one
        values = m.pick(answer.frame)
        if values is not None:
            out.append(Filled(m, values, answer.sources))
    return out
