"""Évaluer un cas, un lot de cas, et les plans de financement d'un cas.

The three routes are the service's hot path: plain endpoints (`PlainRoute`) that read their query
parameters and body themselves, the work in a worker thread, the answer's JSON written once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Optional

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from ...plan.model import Plan
from ...results import Evaluation
from ..limits import MAX_BATCH, read_body
from ..models import BatchResult
from ..service import Service
from .common import (
    AS_OF_PARAMETER,
    EXPLAIN_PARAMETER,
    PlainRoute,
    as_of_in,
    case_body,
    errors,
    explain_in,
    in_thread,
    query_as_of,
    service,
)

router = APIRouter(tags=["evaluation"])
_POST_ERRORS = errors(400, 401, 408, 413, 415, 422, 500, 503)


def _post(path: str, **documented):
    """Declare a POST route of this router as a PlainRoute."""

    def declare(endpoint):
        router.add_api_route(path, endpoint, methods=["POST"], route_class_override=PlainRoute, **documented)
        return endpoint

    return declare


def evaluation_query(work: Service, params: Mapping[str, str]) -> tuple[bool, Optional[dt.date]]:
    """`explain` and `as_of` of an evaluation route's query, read and checked in this order (the lean
    path, lean.py, reads them with this function too)."""
    explain = explain_in(params)
    day = as_of_in(params)
    work.check_explain(explain)
    return explain, day


async def _evaluation_request(request: Request):
    """The service, `explain`, `as_of` and the body of an evaluation route, read and checked in this
    order (the query's errors before the body is read), the same for one case and for a batch."""
    work = service(request)
    explain, day = evaluation_query(work, request.query_params)
    return work, explain, day, await read_body(request)


@_post(
    "/v1/evaluate",
    operation_id="evaluate",
    summary="Évaluer un cas",
    description="Pour chaque financeur : éligible, bloqué (valeur vue, valeur exigée), à vérifier ou hors "
    "vigueur, avec qui décide et les prochaines étapes (la réponse de `fundrules check --format json`).",
    responses={200: {"model": Evaluation, "description": "l'évaluation"}, **_POST_ERRORS},
    openapi_extra=case_body("#/components/schemas/CaseInput", AS_OF_PARAMETER, EXPLAIN_PARAMETER),
)
async def evaluate(request: Request) -> Response:
    work, explain, day, raw = await _evaluation_request(request)
    return Response(await in_thread(request, work.evaluate, raw, day, explain), media_type="application/json")


@_post(
    "/v1/evaluate/batch",
    operation_id="evaluate_batch",
    summary=f"Évaluer jusqu'à {MAX_BATCH} cas, dans l'ordre",
    description="Tous les cas sont validés (et doivent avoir une date) avant la réponse, puis la réponse "
    "est envoyée au fil des évaluations.",
    responses={200: {"model": BatchResult, "description": "une évaluation par cas"}, **_POST_ERRORS},
    openapi_extra=case_body("#/components/schemas/BatchRequest", AS_OF_PARAMETER, EXPLAIN_PARAMETER),
)
async def evaluate_batch(request: Request) -> Response:
    work, explain, day, raw = await _evaluation_request(request)
    parts = await in_thread(request, work.batch, raw, day, explain)
    return StreamingResponse(parts, media_type="application/json")


@_post(
    "/v1/plan",
    operation_id="plan",
    summary="Plans de financement d'un cas",
    description="Les plans possibles, leurs étapes et la rémunération pendant la formation "
    "(la réponse de `fundrules plan --format json`).",
    responses={200: {"model": Plan, "description": "les plans"}, **_POST_ERRORS},
    openapi_extra=case_body("#/components/schemas/CaseInput", AS_OF_PARAMETER),
)
async def plan(request: Request) -> Response:
    work = service(request)
    day = query_as_of(request)
    raw = await read_body(request)
    return Response(await in_thread(request, work.plan, raw, day), media_type="application/json")
