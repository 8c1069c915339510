"""Governance and deaths indicators on toys; the catalogue and the doctests of every module."""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil

import pandas as pd
import pytest

import migdev.indicators as indicators
from migdev.indicators import CATALOGUE, policy
from migdev.sources.policy_sdg import sdg_10_7_2_share


def test_ratings_and_group_share_follow_the_un_rule() -> None:
    r = pd.DataFrame({"year": [2019, 2019, 2021], "iso3": ["A", "B", "A"], "domain": "overall",
                      "rating": [2, 3, None]})
    rating = policy.policy_sdg_10_7_2_rating(policy_rating=r)
    assert rating["value"].isna().tolist() == [False, True, False]
    m = pd.DataFrame({"group_id": "G", "iso3": ["A", "B"]})
    share = policy.policy_sdg_10_7_2_share_meeting(policy_rating=r, area_group_member=m).set_index("year")
    assert share.loc[2021, "value"] == sdg_10_7_2_share(r, 2021)[0] == 0.5


def test_deaths_on_routes_count_each_record_once() -> None:
    i = pd.DataFrame({"record_id": ["r1", "r2", "r3"], "year": 2021, "iso3": ["MEX", "LBY", "TUR"],
                      "origin_iso3": ["MEX", None, "SYR"],
                      "migration_route": ["US-Mexico border crossing", "Central Mediterranean", "Syria to Türkiye"],
                      "dead_and_missing": [2, 0, 4]})
    out = policy.policy_migrant_deaths_routes(migrant_incident=i).set_index("iso3")["value"].to_dict()
    assert out == {"LBY": 0.0, "MEX": 2.0, "SYR": 4.0, "TUR": 4.0, "USA": 2.0}
    g = policy.policy_migrant_deaths_routes(migrant_incident=i, area_group_member=pd.DataFrame(
        {"group_id": "G", "iso3": ["SYR", "TUR"]}))
    assert g["value"].tolist() == [4.0]  # one record touching two members counts once


MODULES = sorted(m.name for m in pkgutil.iter_modules(indicators.__path__) if m.name != "step")


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name: str) -> None:
    module = importlib.import_module(f"migdev.indicators.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.failed == 0


def test_catalogue_is_complete_and_documented() -> None:
    assert len(CATALOGUE) >= 50
    for ind in CATALOGUE.values():
        fn = getattr(ind.fn, "func", ind.fn)
        doc = inspect.getdoc(fn) or ""
        assert all(s in doc for s in ("Parameters", "Returns", "References", "Examples")), ind.id
        # a family's module, or one of its parts (stocks_top.py is the stocks family's top lists)
        assert fn.__module__.rsplit(".", 1)[-1].split("_")[0] == ind.family, ind.id
        assert ind.id.split("_")[0] in {"stock", "pop", "netmig", "refugees", "remit", "cost", "skilled",
                                        "income", "role", "policy"}, ind.id
        params = inspect.signature(ind.fn).parameters
        assert all(params[name].kind is inspect.Parameter.KEYWORD_ONLY for name in ind.inputs), ind.id
        assert ind.title and ind.unit
    sdg = {i.sdg for i in CATALOGUE.values()} - {None}
    assert {"10.7.4", "17.3.2", "10.c.1", "10.7.2", "10.7.3"} <= sdg
    assert CATALOGUE["remit_share_of_gdp"].basis.startswith("derived")
