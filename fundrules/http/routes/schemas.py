"""Les schémas JSON d'un cas, d'une évaluation, d'un plan."""

from __future__ import annotations

import functools

from fastapi import APIRouter

from ..errors import HttpError
from ..models import JsonSchema
from ..service import json_response
from .common import errors

router = APIRouter(tags=["schemas"])
KINDS = ("case", "evaluation", "plan")


@functools.cache
def _schema(kind: str) -> dict:
    """The same schemas as `fundrules schema --output` (one definition, in the library)."""
    from ...schemas import json_schema

    return json_schema(kind)


@router.get(
    "/v1/schema/{kind}",
    operation_id="get_schema",
    summary="Schéma JSON : case, evaluation ou plan",
    responses={200: {"model": JsonSchema, "description": "le schéma JSON"}, **errors(401, 404)},
)
async def schema(kind: str):
    if kind not in KINDS:
        raise HttpError(
            404, "not_found", f"schéma inconnu « {kind[:40]} » ; possibles : {', '.join(KINDS)}", field="kind"
        )
    return json_response(_schema(kind))
