"""The models' documentation is pinned like its code: every example runs, every public function of the pure
modules carries numpydoc sections (Parameters, Returns, Examples with a toy input)."""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil

import numpy as np
import pandas as pd
import pytest

import migdev.models as models

MODULES = sorted(m.name for m in pkgutil.iter_modules(models.__path__))
#: The modules whose public functions are pure (frames in, frames out) and so have toy examples; ``step`` and
#: ``gravity_inputs`` read a database.
PURE = ("gravity", "scenarios")


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name: str) -> None:
    module = importlib.import_module(f"migdev.models.{name}")
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    result = doctest.testmod(module, extraglobs={"np": np, "pd": pd}, optionflags=flags, report=True)
    assert result.failed == 0, f"{result.failed} of {result.attempted} doctest examples of {name} failed (above)"


@pytest.mark.parametrize("name", PURE)
def test_public_functions_have_numpydoc_sections(name: str) -> None:
    module = importlib.import_module(f"migdev.models.{name}")
    for fname, fn in inspect.getmembers(module, inspect.isfunction):
        if fname.startswith("_") or fn.__module__ != module.__name__:
            continue
        doc = inspect.getdoc(fn) or ""
        for section in ("Parameters", "Returns", "Examples"):
            assert f"{section}\n---" in doc, f"{name}.{fname} has no {section} section"


def test_models_list_names_modules() -> None:
    for name in models.MODELS:
        importlib.import_module(f"migdev.models.{name}")
