"""The source contract (tests/sources/contract.py) for the first three products; each new product has its own
test module with a contract subclass."""

from __future__ import annotations

from migdev.sources import undesa_ims, wdi, wpp
from tests.fixtures import undesa_ims as fx_ims
from tests.fixtures import wdi as fx_wdi
from tests.fixtures import wpp as fx_wpp
from tests.sources.contract import SourceContract


class TestUndesaIms(SourceContract):
    product, fixtures = undesa_ims, fx_ims


class TestWpp(SourceContract):
    product, fixtures = wpp, fx_wpp


class TestWdi(SourceContract):
    product, fixtures = wdi, fx_wdi
