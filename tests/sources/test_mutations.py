"""Bad input, for every parser: hundreds of mutated copies of the real files, each parsed in a forked child with
its address space capped; each must give its expected outcome (a ParseError at the mutated cell, or acceptance of
a harmless change), never another exception, a crash, a timeout or more than a few hundred MB.

The generator is tests/sources/mutations.py (bench/mutations_bench.py prints the same table on its own).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from migdev.sources import releases
from tests.sources import mutations

pytestmark = pytest.mark.realdata


def test_every_mutation_is_refused_by_name_or_accepted_as_harmless(mirror: Path, tmp_path: Path) -> None:
    cases = mutations.cases(mirror, tmp_path / "files")
    assert len(cases) >= 200, len(cases)
    results = mutations.run(cases, jobs=2)
    table = mutations.markdown(results)
    (tmp_path / "mutations.md").write_text(table + "\n", encoding="utf-8")
    print(table)
    # every registered file the mirror holds was mutated, in all of its classes
    covered = {r.case.source_id for r in results}
    assert covered == {s.id for s, _ in mutations.sources(mirror)} and covered
    assert {r.case.source_id for r in results if r.case.expect == "accept"} == covered  # its original parses
    failures = [r for r in results if not r.ok]
    assert not failures, "\n".join(
        f"{r.case.source_id} / {r.case.mutation}: expected {r.case.expect} {r.case.sheet or ''} {r.case.row} "
        f"{r.case.column}, got {r.outcome} {r.sheet or ''} {r.row} {r.column} ({r.growth_mib:.0f} MiB): {r.message}"
        for r in failures)


def test_the_registered_products_are_all_covered() -> None:
    """The generator iterates migdev.sources.releases(): a product added to PRODUCTS is mutated without an edit."""
    products = {s.product for s in releases().values()}
    assert {"undesa_ims", "wpp", "wdi"} <= products
