"""The build's ``gravity`` step: every specification of :data:`migdev.models.gravity.SPECIFICATIONS` fitted on
the build's store, into ``model_spec``, ``model_fit``, ``model_vcov`` and, for the scenario specification,
``model_support`` and ``model_corridor``.

Decisions: the models are fitted on the latest IMS revision (and the recommended flows of the latest stock and
WPP revisions): a build publishes the fits of its own data, and the next revision's build refits them. A fit the
data cannot support (too few places, no variation: the small generated mirrors of the tests) is a warning in the
build log, not a failed build; the other fits are still stored.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pandas as pd

from migdev import store
from migdev.errors import EstimationError
from migdev.models import gravity_inputs as inputs
from migdev.models.gravity import SPECIFICATIONS, Fit, Specification, fit_rows, ppml

if TYPE_CHECKING:
    import duckdb

    from migdev.pipeline.context import Context

_STOCK_INPUTS = (("ims%bilateral", "REV"), ("geodist_pairs", None), ("wdi_long", None))


def _jobs(con: duckdb.DuckDBPyConnection, revision: str | None, basis: tuple[str, str] | None,
          stocks: pd.DataFrame) -> list[tuple[Specification, int | None]]:
    jobs: list[tuple[Specification, int | None]] = []
    for spec in SPECIFICATIONS:
        if spec.family == "cross_section" and revision is not None:
            jobs += [(spec, int(y)) for y in sorted(stocks["year"].unique())]
        elif spec.family == "panel" and revision is not None:
            jobs.append((spec, None))
        elif spec.family == "flows" and basis is not None:
            periods = con.execute("SELECT DISTINCT period_start FROM flow_estimate WHERE method = ? AND "
                                  "stock_revision = ? AND vital_revision = ? ORDER BY 1",
                                  [inputs.RECOMMENDED, *basis]).fetchall()
            jobs += [(spec, int(p[0])) for p in periods]
    return jobs


def run(ctx: Context) -> dict[str, int]:
    """Fit every specification on ``ctx.con`` and store the results; the rows written per table."""
    con = ctx.con
    started = time.perf_counter()
    revision = inputs.stock_revision(con)
    basis = inputs.flow_basis(con)
    stocks = inputs.stock_frame(con, revision) if revision is not None else pd.DataFrame()
    flows = inputs.flow_frame(con, *basis) if basis is not None else pd.DataFrame()
    jobs = _jobs(con, revision, basis, stocks)
    ctx.reporter.step("gravity models", max(len(jobs), 1))
    if not jobs:
        ctx.say("warning", "gravity: no bilateral stocks or flows in the store; no model fitted")
        return {}
    stock_ids = tuple((p, revision if r == "REV" else r) for p, r in _STOCK_INPUTS)
    stock_sources = inputs.revisions(con, stock_ids)
    flow_sources = inputs.revisions(con, (*stock_ids[:2], ("wpp%", basis[1] if basis else None))) if basis else None
    out: dict[str, list[pd.DataFrame]] = {t: [] for t in ("model_spec", "model_fit", "model_vcov", "model_support",
                                                            "model_corridor")}
    fitted: set[str] = set()
    for spec, year in jobs:
        frame = flows if spec.family == "flows" else stocks
        if year is not None:
            frame = frame[frame["year"] == year]
        sources = flow_sources if spec.family == "flows" else stock_sources
        rev = basis[0] if spec.family == "flows" and basis else str(revision)
        label = f"{spec.name} {year}" if year is not None else spec.name
        try:
            fit = ppml(frame, spec)
        except EstimationError as exc:
            ctx.say("warning", f"gravity: {label} not fitted: {exc}")
            ctx.reporter.advance(label)
            continue
        years = fit.sample["year"]
        end = int(frame["period_end"].iloc[0]) if spec.family == "flows" else int(years.max())
        start = int(years.min()) if year is None else year
        rows, vcov = fit_rows(fit, revision=rev, year_start=start, year_end=end, sources=sources[0],
                              data_revisions=sources[1])
        out["model_fit"].append(rows)
        out["model_vcov"].append(vcov)
        if spec.scenario:
            out["model_support"].append(_support(con, fit, rev))
            out["model_corridor"].append(_corridors(fit, rev))
        if spec.name not in fitted:
            fitted.add(spec.name)
            out["model_spec"].append(pd.DataFrame([{
                "specification": spec.name, "revision": rev, "family": spec.family, "outcome": spec.outcome,
                "formula": spec.formula, "fixed_effects": " + ".join(spec.fixed_effects), "clustered_by": spec.cluster,
                "separation_check": ", ".join(spec.separation), "identification": spec.identification,
                "scenario": spec.scenario, "sources": sources[0], "data_revisions": sources[1]}]))
        ctx.say("info", f"gravity: {label}: {_summary(fit)}")
        ctx.reporter.advance(label)
    written = {}
    for table, parts in out.items():
        if parts:
            written[table] = store.insert(con, table, pd.concat(parts, ignore_index=True))
    ctx.say("info", f"gravity: {len(out['model_fit'])} fits of {len(fitted)} specifications in "
                    f"{time.perf_counter() - started:.1f} s")
    return written


def _summary(fit: Fit) -> str:
    terms = ", ".join(f"{r.term} {r.estimate:.3f} ({r.std_error:.3f})" for r in fit.terms.itertuples())
    return (f"{terms}; n={fit.n_obs:,}, dropped {fit.n_dropped:,} (missing {fit.n_missing:,}, separated "
            f"{fit.n_separated:,}, singletons {fit.n_singleton:,}), pseudo R2 {fit.pseudo_r2:.3f}, "
            f"{fit.seconds:.1f} s")


def _support(con: duckdb.DuckDBPyConnection, fit: Fit, revision: str) -> pd.DataFrame:
    years = fit.sample["year"]
    first, last = int(years.min()), int(years.max())
    support = inputs.relative_growth_support(inputs.income(con), sorted(fit.sample["origin"].unique()), first, last)
    return support.assign(specification=fit.spec.name, revision=revision, income_from=first, income_to=last)


def _corridors(fit: Fit, revision: str) -> pd.DataFrame:
    sample = fit.sample
    last = sample[sample["year"] == sample["year"].max()]
    return pd.DataFrame({"specification": fit.spec.name, "revision": revision, "year": last["year"].astype(int),
                         "origin": last["origin"], "destination": last["destination"], "stock": last["stock"],
                         "fitted": last["fitted"], "income_gap": last["income_gap"]})
