"""``build``: the declared steps (:data:`migdev.pipeline.steps.STEPS`) into a new database, swapped into place.

Each step reports to a :class:`Reporter` (the CLI shows it as a Rich progress display) and to the ``build_log``
table. Any error aborts the build and leaves the previous database file as it was.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from migdev import sources as products
from migdev import store
from migdev.config import Settings
from migdev.errors import BuildError
from migdev.pipeline.context import Context, QuietReporter, Reporter
from migdev.sources.spec import Source

__all__ = ["BuildReport", "QuietReporter", "Reporter", "build"]


@dataclass
class BuildReport:
    """What a build did: where the database is, rows per table, unmatched codes and timing."""

    db: Path
    rows: dict[str, int] = field(default_factory=dict)
    unmatched: pd.DataFrame = field(default_factory=pd.DataFrame)
    seconds: float = 0.0
    log: list[tuple[str, str, str]] = field(default_factory=list)
    skipped: tuple[str, ...] = ()
    step_seconds: dict[str, float] = field(default_factory=dict)


def build(
    db: Path | str | None = None,
    *,
    reporter: Reporter | None = None,
    sources: Mapping[str, Source] | None = None,
    settings: Settings | None = None,
    skip: Iterable[str] = (),
    flows: bool = True,
    flow_methods: tuple[str, ...] | None = None,
) -> BuildReport:
    """Build the database at ``db`` from the registered sources; replace the old file only on success.

    ``sources`` overrides registered files by id (tests use generated files); ``skip`` names optional steps
    (``migdev build --list-steps``) to leave out.
    """
    from migdev.pipeline.steps import STEPS

    started = time.perf_counter()
    settings = settings or Settings.from_env()
    target = Path(db) if db is not None else settings.db
    skip = set(skip) | (set() if flows else {"flows"})
    optional = {s.name for s in STEPS if s.optional}
    wrong = skip - optional
    if wrong:
        raise BuildError(f"cannot skip {', '.join(sorted(wrong))}: only optional steps can be skipped "
                         f"({', '.join(sorted(optional))})")
    target.parent.mkdir(parents=True, exist_ok=True)
    store.remove_stale_staging(target)
    ctx = Context(settings=settings, target=target, staging=store.staging_path(target),
                  reporter=reporter or QuietReporter(), sources={**products.releases(), **(sources or {})},
                  options={"flow_methods": flow_methods})
    timing: dict[str, float] = {}
    try:
        for step in STEPS:
            if step.name in skip:
                ctx.say("info", f"step {step.name} skipped as asked")
                continue
            ctx.current = step.name
            begun = time.perf_counter()
            step.run(ctx)
            timing[step.name] = time.perf_counter() - begun
            ctx.say("info", f"step {step.name} took {timing[step.name]:.1f} s")
        unmatched = (pd.concat(ctx.unmatched, ignore_index=True) if ctx.unmatched
                     else pd.DataFrame(columns=["source_id", "field", "code", "name", "rows"]))
        store.insert(ctx.con, "unmatched_code", unmatched)
        log = pd.DataFrame(ctx.log, columns=["step", "level", "message"])
        log.insert(0, "seq", range(1, len(log) + 1))
        store.insert(ctx.con, "build_log", log)
        rows = {t: ctx.con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in store.tables()}
        store.commit(ctx.con, ctx.staging, target)
        ctx.con = None
    except BaseException:
        store.discard(ctx.con, ctx.staging)
        raise
    return BuildReport(target, rows, unmatched, time.perf_counter() - started, ctx.log, tuple(sorted(skip)), timing)
