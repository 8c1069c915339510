"""Invariants every build must satisfy before it may replace the previous database."""

from __future__ import annotations

from typing import TYPE_CHECKING

from migdev.errors import BuildError

if TYPE_CHECKING:
    from migdev.pipeline.context import Context


def run(ctx: Context) -> None:
    """Each check raises :class:`BuildError`; the staging file is then discarded and the old database stays."""
    ctx.reporter.step("check invariants", 1)
    con = ctx.con
    bad = con.execute("""
        SELECT count(*) FROM (
          SELECT revision, year, origin, destination,
                 sum(persons) FILTER (sex = 'total') AS t,
                 sum(persons) FILTER (sex = 'male') AS m, sum(persons) FILTER (sex = 'female') AS f
          FROM migrant_stock GROUP BY ALL) WHERE m IS NOT NULL AND f IS NOT NULL AND t <> m + f
    """).fetchone()[0]
    if bad:
        raise BuildError(f"migrant_stock: male + female != total in {bad} cells; refusing to publish the build")
    duplicated = con.execute("""
        SELECT count(*) FROM (SELECT 1 FROM flow_estimate
          GROUP BY stock_revision, vital_revision, method, sex, period_start, period_end, origin, destination
          HAVING count(*) > 1)
    """).fetchone()[0]
    unknown = con.execute("""
        SELECT count(*) FROM flow_estimate f WHERE NOT EXISTS (SELECT 1 FROM country c WHERE c.iso3 = f.origin)
           OR NOT EXISTS (SELECT 1 FROM country c WHERE c.iso3 = f.destination)
    """).fetchone()[0]
    if duplicated or unknown:
        raise BuildError(f"flow_estimate: {duplicated} duplicated keys, {unknown} rows with unknown codes")
    for revision, year, world in con.execute(
        "SELECT revision, year, sum(persons) FROM migrant_stock WHERE sex = 'total' GROUP BY ALL ORDER BY ALL"
    ).fetchall():
        ctx.say("info", f"IMS {revision}: world migrant stock {year} = {world:,}")
    ctx.reporter.advance()
