"""``GET /api/v1/scenario``: resolution 58/208 para 7's question answered by a stored gravity fit.

One call of :meth:`migdev.api.Observatory.scenario_answer` (:mod:`migdev.models.scenarios`): the predicted change
of an origin's (or a region's) emigrant stocks, in total and by corridor, if its GNI per capita grew by a share
relative to its destinations. It answers like the list endpoints (JSON, CSV or Parquet, paged, citation of the fit's
sources in the body and headers). A scenario outside the data's support is a 422 whose ``field`` names the parameter
and whose ``allowed`` gives the range the panel saw (:class:`~migdev.errors.EstimationError`).

The bounds in the schema are the parameters' domains (a growth above -100 %, a horizon of at least a year); the
data's support, narrower and revision-dependent, is checked by the model, not the schema.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from migdev.web import api_http
from migdev.web.api import MAX_LIMIT, Text
from migdev.web.api_models import ERRORS, FILES, Lang, Table, TableFormat
from migdev.web.app import database

router = APIRouter(tags=["models"])

#: The widest growth and horizon the endpoint passes to the model (the support check refuses most of this range).
MAX_GROWTH = 100.0
MAX_YEARS = 200


@router.get("/scenario", response_model=Table, responses={200: {"content": FILES}, **ERRORS},
            summary="Predicted emigrant stocks if an origin's GNI per capita grew relative to its destinations",
            description="From the gravity fit with the income-gap term (stock_income_gap: PPML with pair and "
                        "destination-year effects): a total row, then one row per corridor, with the baseline "
                        "stock (IMS, last year of the fit), the predicted stock and change, and a confidence band. "
                        "An association estimated across countries and years, not a causal forecast (see `notes`). "
                        "A growth or horizon outside what the panel saw, or an origin without income data, is a "
                        "422 naming the field and the allowed range.")
async def scenario(
        request: Request,
        origin: Annotated[Text, Query(description="country or region: ISO3 code, group id or a name in a UN "
                                                  "language (every member grows)",
                                      openapi_examples={"country": {"value": "ETH"}})],
        gni_growth: Annotated[float, Query(gt=-1, le=MAX_GROWTH, allow_inf_nan=False,
                                           description="growth of GNI per capita (PPP) relative to the "
                                                       "destinations, as a fraction (0.3 = +30 %)")],
        years: Annotated[int, Query(ge=1, le=MAX_YEARS, description="over how many years the growth happens")],
        level: Annotated[float, Query(ge=0.5, le=0.99, allow_inf_nan=False,
                                      description="coverage of the confidence band")] = 0.95,
        lang: Annotated[Lang, Query(description="language of the name columns")] = Lang.en,
        format: Annotated[TableFormat | None, Query(description="json (default), csv or parquet; or send "
                                                                "Accept")] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="rows per page")] = 1000,
        offset: Annotated[int, Query(ge=0, le=100_000_000, description="rows to skip")] = 0) -> Response:
    db = database(request)
    fmt = api_http.negotiate(request, format)
    tag = api_http.etag(request, db.etag, fmt)
    if (cached := api_http.not_modified(request, tag)) is not None:
        return cached
    answer = await run_in_threadpool(db.scenario, origin, gni_growth, years, level, lang.value)
    return api_http.table(request, answer, fmt=fmt, tag=tag, limit=limit, offset=offset, name="scenario")
