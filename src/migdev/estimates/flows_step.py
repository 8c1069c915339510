"""The build's flows step: bilateral flows for every IMS revision, period, sex and method, into ``flow_estimate``."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pyarrow as pa

from migdev import store
from migdev.errors import QueryError
from migdev.vocab import SEXES


def run(con, ctx, methods: tuple[str, ...] | None = None) -> dict[str, int]:
    """Bilateral flows for every IMS revision, period, sex and method, stored in ``flow_estimate``.

    Flows are stored origin x destination (place of birth summed, stayers excluded); a pair that is absent has
    an estimated flow of zero. Each run's total, iterations and adjustments go to ``flow_estimate_run``.

    ``da_min_closed`` runs first when it is asked for: ``mig_rate`` takes its total as the global flow (what
    ``mig_rate`` would otherwise recompute) and ``da_pb_closed`` reuses its matched stocks and fit, so each
    run's ``seconds`` is the work that run added. Only ``.od`` is read, so no n^3 flow array is built.
    """
    from migdev import flows
    from migdev.estimates.accounts import Accounts

    names = tuple(methods) if methods is not None else tuple(flows.METHODS)
    unknown = [m for m in names if m not in flows.METHODS]
    if unknown:
        raise QueryError(f"unknown flow method(s) {', '.join(unknown)}; known: {', '.join(flows.METHODS)}")
    accounts = Accounts(con, ctx.say)
    jobs = [(rev, period, sex) for rev in sorted(accounts.stock["revision"].unique(), reverse=True)
            for period in accounts.periods(rev) for sex in SEXES]
    ctx.reporter.step("estimate flows", len(jobs) * len(names))
    said: set[str] = set()
    count = runs = 0
    for rev, period, sex in jobs:
        acc = accounts.account(rev, period, sex)
        labels = pa.array(acc.labels, pa.string())
        for note in acc.notes:
            if note not in said:
                said.add(note)
                ctx.say("info", f"flows IMS {rev}: {note}")
        parts, run_rows = {}, []
        shared: dict[str, dict] = {}
        for name in _flow_order(names):
            started = time.perf_counter()
            result = flows.estimate(name, (acc.stock_start, acc.stock_end), acc.vital, **shared.get(name, {}))
            od = result.od.to_numpy()
            seconds = time.perf_counter() - started
            if name == "da_min_closed":
                shared = {"mig_rate": {"global_flow": float(od.sum())}, "da_pb_closed": {"min_migration": result}}
            o, d = np.nonzero(od > 0)
            parts[name] = pa.table({
                "stock_revision": pa.array([rev] * len(o)), "method": pa.array([name] * len(o)),
                "sex": pa.array([sex] * len(o)), "period_start": pa.array(np.full(len(o), period[0], np.int32)),
                "period_end": pa.array(np.full(len(o), period[1], np.int32)),
                "origin": labels.take(o), "destination": labels.take(d), "flow": pa.array(od[o, d]),
            })
            run_rows.append({"stock_revision": rev, "method": name, "sex": sex, "period_start": period[0],
                             "period_end": period[1], "regions": len(acc.labels), "total_flow": float(od.sum()),
                             "iterations": result.iterations, "seconds": seconds,
                             "notes": "; ".join(dict.fromkeys(result.notes)) or None})
            ctx.reporter.advance(f"{rev} {period[0]}-{period[1]} {sex} {name}")
        count += store.insert(con, "flow_estimate", pa.concat_tables([parts[name] for name in names]))
        run_rows.sort(key=lambda row: names.index(row["method"]))
        runs += store.insert(con, "flow_estimate_run", pd.DataFrame(run_rows))
    ctx.say("info", f"flow_estimate: {count:,} non-zero origin-destination flows from {runs} estimates")
    return {"flow_estimate": count, "flow_estimate_run": runs}


def _flow_order(names: tuple[str, ...]) -> list[str]:
    """``names`` with ``da_min_closed`` first, since ``mig_rate`` and ``da_pb_closed`` reuse its result."""
    return sorted(names, key=lambda name: name != "da_min_closed")


