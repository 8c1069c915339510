"""The build's flows step: bilateral flows for every basis, period, sex and method, into ``flow_estimate``.

A basis is an IMS stock revision with one WPP revision (:data:`~migdev.estimates.basis.BASES`: IMS 2024 + WPP
2024, IMS 2020 + WPP 2024, IMS 2020 + WPP 2022, the last being the basis of Abel & Cohen's published estimates).
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pyarrow as pa

from migdev import store
from migdev.errors import QueryError
from migdev.vocab import SEXES

#: The recommended estimate, the default of the CLI and the API: closed demographic accounting came closest to
#: reported flows in Abel & Cohen's validation (2019), and the pseudo-Bayesian blend corrects the minimum-migration
#: estimate's known undercount of movers (Azose & Raftery 2019).
RECOMMENDED = "da_pb_closed"
RECOMMENDED_WHY = ("closed demographic accounting came closest to reported flows in Abel & Cohen's validation "
                   "(Sci. Data 2019); the pseudo-Bayesian blend (weight 0.13 on the independence fit, Azose & "
                   "Raftery 2019) corrects the minimum-migration estimate's undercount of movers")


def run(con, ctx, methods: tuple[str, ...] | None = None) -> dict[str, int]:
    """Bilateral flows for every basis, period, sex and method, stored in ``flow_estimate``.

    Flows are stored origin x destination (place of birth summed, stayers excluded) as whole persons: a cell
    under 0.5 is zero and not stored, so an absent pair has an estimated flow of zero. Each run's total (of the
    stored values), iterations and adjustments go to ``flow_estimate_run``; the accounts' adjustments per place
    of birth to ``flow_adjustment`` and the corridor check of the recommended estimate to ``flow_diagnostic``.

    ``da_min_closed`` runs first: ``da_pb_closed`` reuses its matched stocks and fit (only the independence fit
    is added), and the diagnostics read its matched stocks, so each run's ``seconds`` is the work that run added.
    ``mig_rate`` takes its global total from WPP's net migration. Only ``.od`` is read: no n^3 array is built.
    """
    from migdev import flows
    from migdev.estimates import diagnostics
    from migdev.estimates.accounts import Accounts

    names = tuple(methods) if methods is not None else tuple(flows.METHODS)
    unknown = [m for m in names if m not in flows.METHODS]
    if unknown:
        raise QueryError(f"unknown flow method(s) {', '.join(unknown)}; known: {', '.join(flows.METHODS)}")
    order = _flow_order(names)
    accounts = Accounts(con, ctx.say)
    jobs = [(basis, period, sex) for basis in accounts.bases() for period in accounts.periods(basis) for sex in SEXES]
    ctx.reporter.step("estimate flows", len(jobs) * len(order))
    said: set[str] = set()
    count = runs = 0
    adjustments, checks = [], []
    for basis, period, sex in jobs:
        acc = accounts.account(basis, period, sex)
        labels = pa.array(acc.labels, pa.string())
        for note in acc.notes:
            if note not in said:
                said.add(note)
                ctx.say("info", f"flows {basis.label}: {note}")
        key = {"stock_revision": basis.stock_revision, "vital_revision": basis.vital_revision, "sex": sex,
               "period_start": period[0], "period_end": period[1]}
        parts, run_rows = {}, []
        closed = None
        for name in order:
            started = time.perf_counter()
            extra = {}
            if name == "da_pb_closed" and closed is not None:
                extra = {"min_migration": closed}
            elif name == "mig_rate":
                extra = {"net_migration": acc.vital["net_migration"]}
            result = flows.estimate(name, (acc.stock_start, acc.stock_end), acc.vital[["births", "deaths"]],
                                    **extra)
            od = np.rint(result.od.to_numpy())
            seconds = time.perf_counter() - started
            if name == "da_min_closed":
                closed = result
                adjusted = diagnostics.adjustments(acc, result)
                adjustments.append(adjusted.assign(**key))
            if name == RECOMMENDED and closed is not None:
                checks.append(diagnostics.corridors(acc, result, od, adjusted).assign(method=name, **key))
            o, d = np.nonzero(od > 0)
            n = len(o)
            parts[name] = pa.table({
                "stock_revision": pa.array([basis.stock_revision] * n), "vital_revision":
                    pa.array([basis.vital_revision] * n), "method": pa.array([name] * n), "sex": pa.array([sex] * n),
                "period_start": pa.array(np.full(n, period[0], np.int32)),
                "period_end": pa.array(np.full(n, period[1], np.int32)),
                "origin": labels.take(o), "destination": labels.take(d), "flow": pa.array(od[o, d].astype(np.int64)),
            })
            notes = list(dict.fromkeys(result.notes))
            if sex != "total":
                notes.append("births by sex: sex ratio at birth 105; deaths by population share (no WPP by sex)")
            run_rows.append({**key, "method": name, "regions": len(acc.labels), "total_flow": int(od.sum()),
                             "iterations": result.iterations, "seconds": seconds, "notes": "; ".join(notes) or None})
            ctx.reporter.advance(f"{basis.label} {period[0]}-{period[1]} {sex} {name}")
        count += store.insert(con, "flow_estimate", pa.concat_tables([parts[name] for name in order]))
        run_rows.sort(key=lambda row: order.index(row["method"]))
        runs += store.insert(con, "flow_estimate_run", pd.DataFrame(run_rows))
    rows = {"flow_estimate": count, "flow_estimate_run": runs}
    for table, frames in (("flow_adjustment", adjustments), ("flow_diagnostic", checks)):
        frames = [f for f in frames if len(f)]
        rows[table] = store.insert(con, table, pd.concat(frames, ignore_index=True)) if frames else 0
    ctx.say("info", f"flow_estimate: {count:,} non-zero origin-destination flows from {runs} estimates; "
                    f"{rows['flow_diagnostic']} corridors flagged by the check of {RECOMMENDED}")
    return rows


def _flow_order(names: tuple[str, ...]) -> list[str]:
    """``names`` with ``da_min_closed`` first, since ``da_pb_closed`` and the diagnostics reuse its result; the
    diagnostics need it, so it is estimated (and stored) whenever ``da_pb_closed`` is."""
    names = (*names, "da_min_closed") if "da_pb_closed" in names and "da_min_closed" not in names else names
    return sorted(names, key=lambda name: name != "da_min_closed")
