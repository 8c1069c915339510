"""Plausibility diagnostics of a flow estimate: what the accounts did, and corridors the estimate cannot show.

No published flow set says where its accounts bent the data. Two tables do here, per estimate:

``flow_adjustment`` (one row per place of birth): the people born there living in another area at both ends,
before and after the closed-system matching of place-of-birth totals (``match_birthplace_tot``), how much the
matching moved (``match_shift``: persons added to the start table, taken from the end table), WPP's births,
deaths and net migration, ``home_leavers`` (the k-born leaving k in the minimum-migration fit) and
``contradiction`` where WPP and the stocks disagree: the k-born abroad grew by at least :data:`MIN_RISE`, WPP's
net migration of k less the change of its foreign-born residents (roughly the net move of its natives) explains
less than 10 % of that growth, and the accounts find fewer home leavers than 10 % of it: closed demographic
accounting can then show the growth abroad only as moves of k-born living elsewhere.

``flow_diagnostic`` (the corridor check of the recommended estimate): every corridor whose bilateral stock rose by
>= :data:`MIN_RISE` over the period but whose flow is < :data:`SHARE` of that rise, with the cause the accounts
show: ``un_products_disagree`` where the origin's WPP net migration contradicts its stocks (a disagreement
between UN products, shown, not hidden); ``accounting`` otherwise, naming where the accounts place the
origin-born who arrived (the minimum-migration rule routes moves through the residences where that stock fell).

Found on the real data: Syria -> Germany 2015-2020 (stock rise 483,436 on IMS 2024) collapses because WPP 2024
(and 2022) give Syria a positive net migration for mid-2015 to mid-2020 (+324,300; returns from 2018 on) while
the Syria-born abroad grew by 2.67 M; with IMS 2020's own population (WPP 2019, where Syria's population falls)
the same corridor is 440,000. Not a defect of the accounts: a disagreement of WPP and IMS.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from migdev.estimates.accounts import Account
from migdev.flows.result import FactoredFlow, FlowResult, FlowSum

MIN_RISE = 100_000
SHARE = 0.10


def adjustments(acc: Account, closed: FlowResult) -> pd.DataFrame:
    """The ``flow_adjustment`` rows of one account, from the ``da_min_closed`` fit (its matched stocks)."""
    labels = acc.labels
    s1, s2 = acc.stock_start.to_numpy(), acc.stock_end.to_numpy()
    state = closed.state
    m1, m2 = state.stock_start, state.stock_end
    before = state.steps["stock_start4"]
    native1, native2 = np.diag(s1), np.diag(s2)
    abroad1, abroad2 = s1.sum(axis=1) - native1, s2.sum(axis=1) - native2
    v = acc.vital.reindex(labels)
    immigrants = (s2.sum(axis=0) - native2) - (s1.sum(axis=0) - native1)  # foreign-born residents' change
    natives_net = v["net_migration"].to_numpy() - immigrants
    rise = abroad2 - abroad1
    leavers = np.diag(closed.steps["x0"])  # k-born leaving home under the stayer rule ([residence, pob])
    period = f"{acc.period_start}-{acc.period_end}"
    contradiction = [
        (f"WPP {acc.basis.vital_revision} net migration of {k} {period} is {net:+,.0f} (its foreign-born residents "
         f"changed by {imm:+,.0f}) while the {k}-born abroad grew by {_persons(r)}")
        if r >= MIN_RISE and nn > -SHARE * r and x < SHARE * r else None
        for k, net, imm, nn, r, x in zip(labels, v["net_migration"], immigrants, natives_net, rise, leavers,
                                         strict=True)
    ]
    frame = pd.DataFrame({
        "iso3": labels, "abroad_start": abroad1, "abroad_end": abroad2,
        "matched_abroad_start": m1.sum(axis=1) - np.diag(m1), "matched_abroad_end": m2.sum(axis=1) - np.diag(m2),
        "native_start": native1, "native_end": native2, "births": v["births"].to_numpy(),
        "deaths": v["deaths"].to_numpy(), "net_migration": v["net_migration"].to_numpy(),
        "match_shift": m1.sum(axis=1) - before.sum(axis=1), "home_leavers": leavers, "contradiction": contradiction,
    })
    for column in frame.columns[1:-1]:
        frame[column] = frame[column].round().astype("int64")
    return frame


def corridors(acc: Account, result: FlowResult, od: np.ndarray, adjusted: pd.DataFrame) -> pd.DataFrame:
    """The ``flow_diagnostic`` rows: corridors with a stock rise >= MIN_RISE and a flow < SHARE of it."""
    labels = acc.labels
    rise = acc.stock_end.to_numpy() - acc.stock_start.to_numpy()
    np.fill_diagonal(rise, 0.0)
    o, d = np.nonzero((rise >= MIN_RISE) & (od < SHARE * rise))
    said = dict(zip(adjusted["iso3"], adjusted["contradiction"], strict=True))
    rows = []
    for i, j in zip(o, d, strict=True):
        k, dest = labels[i], labels[j]
        via = _arrivals_by_origin(result, j, i, labels)
        routed = (f"the accounts estimate the {k}-born arriving in {dest} to come from "
                  + ", ".join(f"{src} ({_persons(x)})" for src, x in via))
        if said.get(k):
            kind, cause = "un_products_disagree", f"{said[k]}; {routed}"
        else:
            kind = "accounting"
            cause = (f"the {k}-born at home did not decrease once births and deaths are removed "
                     f"(minimum migration moves none from {k}); {routed}")
        rows.append({"origin": k, "destination": dest, "stock_rise": round(rise[i, j]), "flow": round(od[i, j]),
                     "kind": kind, "cause": cause})
    return pd.DataFrame(rows, columns=["origin", "destination", "stock_rise", "flow", "kind", "cause"])


def _arrivals_by_origin(result: FlowResult, j: int, k: int, labels: list[str], top: int = 3) -> list[tuple]:
    """The largest origins of people born in ``k`` who moved to ``j``: ``flow[:, j, k]`` from the factors."""
    terms = result.structured.terms if isinstance(result.structured, FlowSum) else (result.structured,)
    column = np.zeros(len(labels))
    for t in terms:
        if isinstance(t, FactoredFlow):
            part = t.a[:, k] * t.b[j, k] * (1.0 if t.seed is None else t.seed[:, j])
        else:  # dense or birthplace-only results: no route
            return []
        column += part
    column[j] = 0.0
    order = np.argsort(column)[::-1][:top]
    return [(labels[i], column[i]) for i in order if column[i] >= 0.5]


def _persons(x: float) -> str:
    return f"{x / 1e6:.2f} M" if abs(x) >= 1e6 else f"{x:,.0f}"
