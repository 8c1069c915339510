"""``migdev scenario``: the models' command (the fits themselves are a query: ``migdev model-fit``)."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
import typer

from migdev.cli_query import DbOption, Format, FormatOption, OutOption, emit
from migdev.cli_query import fail as _fail


def scenario(
    origin: Annotated[list[str], typer.Option(help="Origin whose income grows: ISO3 code, name or group "
                                                  "(\"Eastern Africa\"); repeatable.")],
    gni_growth: Annotated[float, typer.Option(help="Growth of GNI per capita (PPP) relative to the destinations, "
                                                    "as a fraction: 0.3 = +30 %.")],
    years: Annotated[int, typer.Option(help="Over how many years the growth happens (checked against the panel).")]
    = 10,
    specification: Annotated[str, typer.Option(help="Stored gravity specification with the income-gap term.")]
    = "stock_income_gap",
    level: Annotated[float, typer.Option(help="Coverage of the band (0.95: a 95 % band).")] = 0.95,
    top: Annotated[int | None, typer.Option(help="Only the N largest corridors (table format default: 15).")]
    = None,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
    out: OutOption = None,
) -> None:
    """What narrowing the income gap is associated with (resolution 58/208, para 7): the predicted emigrant stocks
    of an origin, in total and by corridor, if its GNI per capita grew by --gni-growth relative to its
    destinations, with a band, from the stored gravity fit. An association across countries, not a causal
    forecast; e.g. `migdev scenario --origin ETH --gni-growth 0.3 --years 10`."""
    import migdev
    from migdev.errors import MigdevError

    try:
        with migdev.open(str(db) if db else None) as obs:
            answer = obs.scenario_answer(origin, gni_growth, years, specification=specification, level=level)
    except MigdevError as exc:
        _fail(str(exc), exc.exit_code)
    shown = top if top is not None else (15 if fmt is Format.table and out is None else None)
    frame = answer.frame
    if shown is not None:
        frame = pd.concat([frame[frame["level"] == "total"],
                           frame[frame["level"] == "corridor"].nlargest(shown, "stock")], ignore_index=True)
    if fmt is Format.table and out is None:
        frame = frame.drop(columns=["fitted", "factor"])
    filters = answer.query["filters"]
    title = (f"Scenario: GNI per capita of {', '.join(o['name'] for o in filters['origin'])} "
             f"{gni_growth:+.0%} relative to destinations over {years} years ({specification}, IMS "
             f"{filters['revision']})")
    emit(answer.with_frame(frame), fmt, out, title)


def register(app: typer.Typer) -> None:
    """Add ``scenario`` to the app."""
    app.command()(scenario)
