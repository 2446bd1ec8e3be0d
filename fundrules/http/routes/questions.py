"""The guided intake over HTTP: a partial case → the questions whose answers can change a funder's
answer, the most decisive first (fundrules.intake), so that an application builds a dynamic form
without duplicating any rule."""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ...intake import Questions
from ..limits import read_body
from ..service import query_day
from .common import case_body, errors, service

router = APIRouter(tags=["evaluation"])

MAX_LIMIT = 200


@router.post(
    "/v1/questions",
    operation_id="questions",
    summary="Les questions qui décident, la plus décisive d'abord",
    description="Pour un cas partiel : les faits à demander ensuite, chacun avec sa question en français, "
    "son type, ses valeurs possibles et les financeurs dont il peut changer la réponse.",
    responses={
        200: {"model": Questions, "description": "les questions"},
        **errors(400, 401, 408, 413, 415, 422, 500, 503),
    },
    openapi_extra=case_body("#/components/schemas/CaseInput"),
)
async def questions(
    request: Request,
    as_of: Optional[str] = Query(None, description="règles de cette date (AAAA-MM-JJ) ; par défaut la date_demande"),
    limit: Optional[int] = Query(None, ge=0, le=MAX_LIMIT, description="au plus ce nombre de questions"),
    skip: list[str] = Query([], description="faits restés sans réponse (« je ne sais pas ») : jamais redemandés"),
) -> Response:
    work = service(request)
    day = query_day(as_of)
    raw = await read_body(request)
    return Response(await run_in_threadpool(work.questions, raw, day, limit, skip), media_type="application/json")
