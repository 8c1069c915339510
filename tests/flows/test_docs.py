"""The flows documentation is pinned like its code: every example runs, every public function is documented.

Each public function of :mod:`migdev.flows` carries numpydoc sections (Parameters, Returns, References,
Examples) whose example is a toy input run here as a doctest, so an example cannot drift from what the code
does (datasette's ``test_docs.py``, pooch's doctested ``file_hash``).
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil

import numpy as np
import pytest

import migdev.flows as flows

MODULES = sorted(m.name for m in pkgutil.iter_modules(flows.__path__))
SECTIONS = ("Parameters", "Returns", "References", "Examples")


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name: str) -> None:
    module = importlib.import_module(f"migdev.flows.{name}")
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    result = doctest.testmod(module, extraglobs={"np": np}, optionflags=flags, report=True)
    assert result.failed == 0, f"{result.failed} of {result.attempted} doctest examples of {name} failed (above)"


@pytest.mark.parametrize("name", MODULES)
def test_exports_complete(name: str) -> None:
    """Every public name of a flows module is in the package's lazy export table, pointing at that module."""
    module = importlib.import_module(f"migdev.flows.{name}")
    missing = [n for n in getattr(module, "__all__", ()) if flows._EXPORTS.get(n) != name]
    assert not missing, f"migdev.flows._EXPORTS lacks {missing} of migdev.flows.{name}"


PUBLIC_FUNCTIONS = sorted(n for n in flows.__all__ if inspect.isfunction(getattr(flows, n)))


@pytest.mark.parametrize("name", PUBLIC_FUNCTIONS)
def test_public_functions_have_numpydoc_sections(name: str) -> None:
    doc = inspect.getdoc(getattr(flows, name)) or ""
    missing = [s for s in SECTIONS if f"\n{s}\n{'-' * len(s)}\n" not in doc]
    assert not missing, f"migdev.flows.{name}: docstring lacks the numpydoc section(s) {missing}"
    assert ">>> " in doc.split("\nExamples\n", 1)[1], f"migdev.flows.{name}: Examples has no doctest"
