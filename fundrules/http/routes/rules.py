"""Lire les règles : financeurs et versions, critères en vigueur à une date."""

from __future__ import annotations

import datetime as dt
from typing import Optional

from fastapi import APIRouter, Query, Request

from ..models import RulesetList, RulesetShow
from ..rulesets import ruleset_show, rulesets_list
from ..service import json_response, query_day
from .common import errors, service

router = APIRouter(tags=["regles"])


@router.get(
    "/v1/rulesets",
    operation_id="list_rulesets",
    summary="Financeurs et versions (en vigueur à une date)",
    responses={200: {"model": RulesetList, "description": "financeurs et versions"}, **errors(401, 422)},
)
async def list_rulesets(
    request: Request,
    as_of: Optional[str] = Query(None, description="seulement les versions en vigueur à cette date (AAAA-MM-JJ)"),
):
    engine = service(request).engine
    return json_response(rulesets_list(engine.catalog, query_day(as_of), getattr(engine, "ruleset_files", {})))


@router.get(
    "/v1/rulesets/{funder}",
    operation_id="show_ruleset",
    summary="Les critères d'un financeur à une date",
    responses={200: {"model": RulesetShow, "description": "la version en vigueur"}, **errors(401, 404, 422)},
)
async def show_ruleset(
    request: Request,
    funder: str,
    as_of: Optional[str] = Query(None, description="date (AAAA-MM-JJ ; par défaut : aujourd'hui)"),
):
    engine = service(request).engine
    day = query_day(as_of) or dt.date.today()
    return json_response(ruleset_show(engine.catalog, funder, day, getattr(engine, "ruleset_files", {})))
