"""Évaluer un cas, un lot de cas, et les plans de financement d'un cas."""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from ...plan.model import Plan
from ...results import Evaluation
from ..limits import MAX_BATCH, read_body
from ..models import BatchResult
from ..service import query_day
from .common import AS_OF, EXPLAIN, case_body, errors, service

router = APIRouter(tags=["evaluation"])
_POST_ERRORS = errors(400, 401, 408, 413, 415, 422, 500, 503)


@router.post(
    "/v1/evaluate",
    operation_id="evaluate",
    summary="Évaluer un cas",
    description="Pour chaque financeur : éligible, bloqué (valeur vue, valeur exigée), à vérifier ou hors "
    "vigueur, avec qui décide et les prochaines étapes (la réponse de `fundrules check --format json`).",
    responses={200: {"model": Evaluation, "description": "l'évaluation"}, **_POST_ERRORS},
    openapi_extra=case_body("#/components/schemas/CaseInput"),
)
async def evaluate(request: Request, as_of: Optional[str] = AS_OF, explain: bool = EXPLAIN):
    work = service(request)
    day = query_day(as_of)
    work.check_explain(explain)
    raw = await read_body(request)
    return Response(await run_in_threadpool(work.evaluate, raw, day, explain), media_type="application/json")


@router.post(
    "/v1/evaluate/batch",
    operation_id="evaluate_batch",
    summary=f"Évaluer jusqu'à {MAX_BATCH} cas, dans l'ordre",
    description="Tous les cas sont validés (et doivent avoir une date) avant la réponse, puis la réponse "
    "est envoyée au fil des évaluations.",
    responses={200: {"model": BatchResult, "description": "une évaluation par cas"}, **_POST_ERRORS},
    openapi_extra=case_body("#/components/schemas/BatchRequest"),
)
async def evaluate_batch(request: Request, as_of: Optional[str] = AS_OF, explain: bool = EXPLAIN):
    work = service(request)
    day = query_day(as_of)
    work.check_explain(explain)
    raw = await read_body(request)
    parts = await run_in_threadpool(work.batch, raw, day, explain)
    return StreamingResponse(parts, media_type="application/json")


@router.post(
    "/v1/plan",
    operation_id="plan",
    summary="Plans de financement d'un cas",
    description="Les plans possibles, leurs étapes et la rémunération pendant la formation "
    "(la réponse de `fundrules plan --format json`).",
    responses={200: {"model": Plan, "description": "les plans"}, **_POST_ERRORS},
    openapi_extra=case_body("#/components/schemas/CaseInput"),
)
async def plan(request: Request, as_of: Optional[str] = AS_OF):
    work = service(request)
    day = query_day(as_of)
    raw = await read_body(request)
    return Response(await run_in_threadpool(work.plan, raw, day), media_type="application/json")
