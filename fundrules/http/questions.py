"""POST /v1/questions: a partial case → the questions whose answers can change a funder's answer,
the most decisive first (fundrules.intake), so an application builds a dynamic form without
duplicating any rule. The engine is the application's (`app.state.engine`)."""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ..errors import EvaluationError, InputError
from ..intake import Questions, next_questions
from . import body as bodies
from .limits import read_body

router = APIRouter()

MAX_LIMIT = 200


def _day(text: Optional[str]):
    """AAAA-MM-JJ only, as the other routes' as_of."""
    import datetime as dt

    if not text:
        return None
    try:
        if len(text) != 10:
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"date attendue au format AAAA-MM-JJ, reçu « {text[:40]} »", field="as_of") from None


def _answer(engine, raw: bytes, day, limit: Optional[int], skip: list[str]) -> bytes:
    data, text = bodies.parse_json(raw)
    case = bodies.case_from_body(data, text)
    try:
        return next_questions(engine, case, day, limit, skip).model_dump_json().encode()
    except EvaluationError as err:  # pragma: no cover - next_questions asks for the date instead
        raise bodies.cannot_evaluate(err) from None


@router.post(
    "/v1/questions",
    tags=["évaluation"],
    summary="Les questions qui décident, la plus décisive d'abord",
    response_model=Questions,
    responses={
        400: {"description": "JSON illisible"},
        401: {"description": "jeton manquant ou invalide"},
        413: {"description": "corps trop gros"},
        422: {"description": "cas ou paramètre invalide"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CaseInput"}}},
        }
    },
)
async def questions(
    request: Request,
    as_of: Optional[str] = Query(None, description="règles de cette date (AAAA-MM-JJ) ; par défaut la date_demande"),
    limit: Optional[int] = Query(None, ge=0, le=MAX_LIMIT, description="au plus ce nombre de questions"),
    skip: list[str] = Query([], description="faits restés sans réponse (« je ne sais pas ») : jamais redemandés"),
) -> Response:
    day = _day(as_of)
    raw = await read_body(request)
    engine = request.app.state.engine
    answer = await run_in_threadpool(_answer, engine, raw, day, limit, skip)
    return Response(answer, media_type="application/json")
