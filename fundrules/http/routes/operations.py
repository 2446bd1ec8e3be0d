"""Les sondes d'un orchestrateur : vivant, prêt (ouvertes sans jeton)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ... import __version__
from ...provenance import code_identity
from ..errors import HttpError
from ..models import Health, Ready
from ..service import json_response
from .common import errors, service

router = APIRouter(tags=["exploitation"])


@router.get(
    "/healthz",
    operation_id="healthz",
    summary="Le service répond",
    responses={200: {"model": Health, "description": "vivant"}},
)
async def healthz():
    return json_response({"status": "ok"})


@router.get(
    "/readyz",
    operation_id="readyz",
    summary="Règles chargées, moteur nommé",
    responses={200: {"model": Ready, "description": "prêt"}, **errors(503)},
)
async def readyz(request: Request):
    engine = service(request).engine
    catalog = getattr(engine, "catalog", None)
    if catalog is None or not catalog.funders:
        raise HttpError(503, "not_ready", "règles non chargées")
    return json_response(
        {
            "status": "ready",
            "backend": engine.backend,
            "funders": sorted(catalog.funders),
            "fundrules_version": __version__,
            "code_digest": code_identity(),
            "rulesets_digest": getattr(getattr(engine, "provenance", None), "rulesets_digest", ""),
        }
    )
