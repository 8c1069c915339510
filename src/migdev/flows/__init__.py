"""Bilateral migration flows from stock tables: pure numpy estimators, no I/O.

Functions are named by family, as in migest: ``ffs_*`` flows from stocks, ``ipf*``/``cm*`` fitting,
``index_*`` summary indices; ``estimate(method, ...)`` runs one of the six named estimates of
Abel & Cohen (2019). Names resolve lazily (PEP 562) so importing one family does not load the others.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    # demographic accounting (Abel 2013; Abel & Sander 2014; Abel 2018; Azose & Raftery 2019)
    "ffs_demo": "demographic",
    "prepare": "demographic",  # ffs_demo = prepare (steps 0-9) + fit (step 10)
    "fit": "demographic",
    "DemoOptions": "demographic",
    "DemoState": "demographic",
    # its steps, one function each (migest's R/<step>.R files)
    "birth_mat": "components",
    "death_mat": "components",
    "nb_scale_global": "components",
    "rescale_integer_sum": "components",
    "sum_od": "components",
    "match_birthplace_tot": "matching",
    "MatchedStocks": "matching",
    "MATCH_METHODS": "matching",
    # what estimators return
    "FlowResult": "result",
    "StructuredFlow": "result",
    "FactoredFlow": "result",
    "FlowSum": "result",
    "BirthplaceFlow": "result",
    # mipfp's loop: the dense fit and the factored engine
    "ipfp": "ipfp",
    "IpfpResult": "ipfp",
    "IpfpCall": "ipfp",
    "fit_scaled": "scaled",
    # the six named estimates of Abel & Cohen (2019)
    "estimate": "methods",
    "METHODS": "methods",
    "PB_WEIGHT": "methods",
    "global_flow_from_net": "methods",
    # migest's fitting primitives: IPF and conditional maximisation
    "ipf2": "ipf",
    "ipf3": "ipf",
    "ipf3_qi": "ipf",
    "IpfResult": "ipf",
    "cm2": "cm",
    "cm3": "cm",
    "CmResult": "cm",
    # simpler estimators
    "ffs_rates": "rates",
    "ffs_diff": "rates",
    # indices (index_distance with its weighted median in their own modules)
    "index_intensity": "indices",
    "index_impact": "indices",
    "index_connectivity": "indices",
    "index_distance": "distance",
    "weighted_median": "median",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'migdev.flows' has no attribute {name!r}")
    return getattr(importlib.import_module(f"migdev.flows.{module}"), name)


def __dir__() -> list[str]:
    return __all__
