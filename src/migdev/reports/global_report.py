"""The global data report (resolution 58/208, para 8): world and regional trends, key messages, tables by region.

Sections: key messages (:mod:`.messages`), migrant stocks by sex since 1990, estimated flows with their method band,
remittances against FDI and ODA, remittance costs against the SDG target, refugees, skilled emigration, SDG 10.7.x
status, governance ratings (SDG 10.7.2 by domain) and, where the database holds them, the gravity models' fits.
Every table cites the sources of its figures (a footnote in the PDF), every figure carries its year.

:func:`render` is what the CLI, the build and the web call: ``render(db_or_data, lang, fmt)`` gives the HTML page
(str) or the PDF (bytes).
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from migdev.charts import bars, series
from migdev.errors import QueryError
from migdev.i18n import N_, Translator
from migdev.indicators.costs import TARGET_PCT
from migdev.reports import html, pdf
from migdev.reports.figures import clean
from migdev.reports.lang import translator_for
from migdev.reports.messages import FDI, ODA, REMIT
from migdev.reports.world import WorldData, load

FORMATS = ("html", "pdf")
SINCE = 1990
MONEY = {REMIT: N_("Remittances received"), FDI: N_("Foreign direct investment"),
         ODA: N_("Net official development assistance")}
SECTIONS = {"stocks": N_("Migrant stocks"), "flows": N_("Migration flows"), "remittances": N_("Remittances"),
            "costs": N_("Remittance costs"), "refugees": N_("Refugees"), "skilled": N_("Skilled emigration"),
            "governance": N_("Governance and the SDG 10.7 targets")}
#: Column headings of the gravity models' fits (the ``model_fit`` query's columns); a column not listed shows its name.
MODEL_COLUMNS = {
    "specification": N_("Specification"), "revision": N_("Revision"), "year_start": N_("First year"),
    "year_end": N_("Last year"), "term": N_("Term"), "estimate": N_("Estimate"), "std_error": N_("Standard error"),
    "p_value": N_("p-value"), "ci_low": N_("Confidence interval, lower bound"),
    "ci_high": N_("Confidence interval, upper bound"), "n_obs": N_("Observations used"),
    "n_input": N_("Observations in the input"), "n_dropped": N_("Observations dropped"),
    "n_missing": N_("Dropped: missing values"), "n_separated": N_("Dropped: separated"),
    "n_singleton": N_("Dropped: singletons"), "n_clusters": N_("Clusters"), "pseudo_r2": N_("Pseudo R-squared"),
    "formula": N_("Formula"), "fixed_effects": N_("Fixed effects"), "clustered_by": N_("Clustered by"),
    "absorbed": N_("Absorbed terms"), "identification": N_("Identification"), "sources": N_("Sources"),
    "data_revisions": N_("Data revisions")}


def fig(data: WorldData, value: Any, unit: str, year: Any, source_ids: Any) -> dict[str, Any]:
    """A figure with its source ids and their revisions (as the profiles' figures are)."""
    ids = [s for s in (source_ids if isinstance(source_ids, list | tuple) else str(source_ids or "").split(","))
           if s]
    refs = [r for r in (data.source(s) for s in ids) if r is not None]
    return {"value": clean(value), "unit": unit, "year": clean(year), "source": ",".join(ids) or None,
            "revision": ",".join(dict.fromkeys(r.revision for r in refs)) or None, "note": None}


def cite(figs: list[dict[str, Any] | None]) -> str:
    """The sources of a table's figures: ids grouped by revision, in order of first use."""
    by_rev: dict[str, list[str]] = {}
    for f in figs:
        if not f or not f.get("source"):
            continue
        rev = f.get("revision") or ""
        for s in f["source"].split(","):
            ids = by_rev.setdefault(rev, [])
            if s not in ids:
                ids.append(s)
    return "; ".join(f"{', '.join(ids)}" + (f" ({rev})" if rev else "") for rev, ids in by_rev.items())


def _series_of(data: WorldData, key: str, indicator: str, sex: str = "total") -> tuple[list[int], list, str | None]:
    rows = data.rows(key, indicator)
    if rows is None:
        return [], [], None
    rows = rows[(rows["sex"] == sex) & rows["value"].notna() & (rows["year"] >= SINCE)].sort_values("year")
    return [int(y) for y in rows["year"]], [float(v) for v in rows["value"]], str(rows["source"].iloc[0]) \
        if len(rows) else None


def _flows(data: WorldData) -> list[dict[str, Any]]:
    answer = data.answers.get("flows")
    if answer is None or answer.frame.empty:
        return []
    ids = [s.source_id for s in answer.sources]
    out = []
    for (start, end), g in answer.frame.groupby(["period_start", "period_end"], sort=True):
        rec = g[g["recommended"]]
        out.append({"period": f"{int(start)}-{int(end)}", "start": int(start),
                    "recommended": fig(data, rec["flow"].iloc[0] if len(rec) else None, "persons", end, ids),
                    "low": fig(data, g["flow"].min(), "persons", end, ids),
                    "high": fig(data, g["flow"].max(), "persons", end, ids),
                    "methods": int(g["method"].nunique())})
    return out


def _money(data: WorldData) -> dict[str, Any] | None:
    answer = data.answers.get("money")
    if answer is None or answer.frame.empty:
        return None
    wide = answer.frame.pivot_table(index="year", columns="measure", values="value", aggfunc="first")
    wide = wide[wide.index >= SINCE].sort_index()
    return {"years": [int(y) for y in wide.index],
            **{m: [clean(v) for v in wide[m]] if m in wide else [None] * len(wide) for m in MONEY},
            "source": ",".join(s.source_id for s in answer.sources)}


def _skilled_world(data: WorldData) -> dict[str, Any]:
    answer = data.answers.get("skilled")
    out: dict[str, Any] = {}
    frame = answer.frame if answer is not None else None
    for sex in ("total", "female", "male"):
        for edu in ("high", "total"):
            rows = None if frame is None else frame[(frame["sex"] == sex) &
                                                     (frame["measure"] == f"skilled_emigration_rate_{edu}")]
            if rows is None or rows.empty:
                out[f"{edu}_{sex}"] = fig(data, None, "fraction", None, None)
                continue
            row = rows.loc[rows["year"].idxmax()]
            out[f"{edu}_{sex}"] = fig(data, row["value"], "fraction", int(row["year"]), row["source_id"])
    return out


def _charts(data: WorldData, ctx: dict[str, Any], t: Translator) -> dict[str, Markup]:
    _ = t.gettext
    out: dict[str, str] = {}
    world = ctx["world"]
    s = world["series"]["immigrants"]
    out["stocks"] = "" if s is None else series.line_chart(
        "chart-stocks", _("International migrants in the world, by sex"), s["years"],
        [series.Line(_(html.SEX[k]), s[k]) for k in ("total", "female", "male")], t.compact, t.number)
    items = [(name, prof["immigrants"]["stock"]["value"]) for _key, name, prof in ctx["regions"]]
    out["stocks_regions"] = bars.bar_chart("chart-stocks-regions", _("International migrants living in each region"),
                                           sorted(items, key=lambda kv: -(kv[1] or 0)), t.number)
    flows = ctx["flows"]
    out["flows"] = "" if not flows else series.line_chart(
        "chart-flows", _("Estimated migration flows in the world per period (start year)"),
        [f["start"] for f in flows],
        [series.Line(_("Recommended method"), [f["recommended"]["value"] for f in flows]),
         series.Line(_("Lowest estimate"), [f["low"]["value"] for f in flows]),
         series.Line(_("Highest estimate"), [f["high"]["value"] for f in flows])], t.compact, t.number)
    money = ctx["money"]
    out["money"] = "" if money is None else series.line_chart(
        "chart-money", _("Remittances, FDI and ODA received by low- and middle-income countries (current US$)"),
        money["years"], [series.Line(_(label), money[code]) for code, label in MONEY.items()],
        t.compact_currency, t.currency)
    years, costs, _src = _series_of(data, world["id"], "cost_receiving_average")
    out["costs"] = "" if not years else series.line_chart(
        "chart-costs", _("Average cost of sending 200 US$ (percent of the amount) and the SDG target"), years,
        [series.Line(_("Average cost"), costs), series.Line(_("SDG target"), [TARGET_PCT] * len(years))],
        lambda v: t.number(v, 1), lambda v: t.percent_points(v))
    years, hosted, _src = _series_of(data, world["id"], "refugees_hosted")
    out["refugees"] = "" if not years else series.line_chart(
        "chart-refugees", _("Refugees and other people in need of international protection (end of year)"), years,
        [series.Line(_("Refugees"), hosted)], t.compact, t.number)
    return {k: Markup(v) for k, v in out.items()}


def context(data: WorldData, lang: str) -> dict[str, Any]:
    """Everything the template shows, in one language (figures stay raw; the template formats them)."""
    t = translator_for(lang)
    keys = data.keys
    if not keys or keys[0] != "m49:900":
        raise QueryError("the database holds no world profile (group m49:900): rebuild it with `migdev build`")
    world = data.profile(keys[0], lang)
    regions = [(k, prof["name"], prof) for k in keys[1:] for prof in [data.profile(k, lang)]]
    for _k, _n, prof in [(keys[0], "", world), *regions]:
        imm = prof["series"]["immigrants"]
        start = None
        if imm is not None and imm["years"] and imm["years"][0] == SINCE:
            start = imm["total"][0]
        prof["stock_start"] = fig(data, start, "persons", SINCE, imm["source"] if imm else None)
    ctx = {"world": world, "regions": regions, "flows": _flows(data), "money": _money(data),
           "skilled_world": _skilled_world(data), "messages": data.messages, "sections": SECTIONS,
           "model_fit": data.answers.get("model_fit"), "cite": cite, "lang": lang, "target_pct": TARGET_PCT,
           "model_columns": MODEL_COLUMNS}
    ctx["charts"] = _charts(data, ctx, t)
    cited = {s for f in data.messages for s in (r.source_id for r in f.sources)}
    for prof in [world, *(p for _k, _n, p in regions)]:
        cited.update(s["source_id"] for s in prof["sources"])
    for a in data.answers.values():
        cited.update(s.source_id for s in a.sources)
    ctx["sources"] = [data.source(s) for s in sorted(cited) if data.source(s) is not None]
    return ctx


def render(db: Any, lang: str = "en", fmt: str = "html") -> str | bytes:
    """The global report of a database (a path or a prepared :class:`~migdev.reports.world.WorldData`) in a
    language, as an HTML page (str) or a PDF (bytes)."""
    if fmt not in FORMATS:
        raise QueryError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")
    data = load(db)
    ctx = context(data, lang)
    env = html.environment(lang)
    page = env.get_template("global.html.j2").render(
        **ctx, notes=pdf.Footnotes() if fmt == "pdf" else pdf.Inline(), built=data.profiles.data.loaded_at,
        ims_revision=data.profiles.data.ims_revision, domains=html.DOMAINS)
    return pdf.to_pdf(page) if fmt == "pdf" else page
