"""What the routers share: the service of the application, query parameters, error responses, and
how the case routes run: a plain endpoint reading its own parameters, its work in a worker thread."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, Optional

from fastapi import Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import TypeAdapter, ValidationError
from starlette.routing import request_response

from ..models import ErrorBody
from ..service import Service, query_day

AS_OF_SAID = "évaluer avec les règles de cette date (AAAA-MM-JJ) ; par défaut la date_demande du cas"
EXPLAIN_SAID = "joindre l'explication détaillée (si la version la fournit)"
AS_OF = Query(None, description=AS_OF_SAID)
EXPLAIN = Query(False, description=EXPLAIN_SAID)

# The same parameters, for the case routes (PlainRoute), described as FastAPI describes AS_OF and
# EXPLAIN (openapi.py then gives `as_of` its date format, as it does for every route).
AS_OF_PARAMETER = {"name": "as_of", "in": "query", "required": False, "schema": {}, "description": AS_OF_SAID}
EXPLAIN_PARAMETER = {
    "name": "explain",
    "in": "query",
    "required": False,
    "schema": {"type": "boolean", "description": EXPLAIN_SAID, "default": False, "title": "Explain"},
    "description": EXPLAIN_SAID,
}
_BOOLEAN = TypeAdapter(bool)  # what FastAPI does with a `bool` query parameter: true, 1, yes, on...

_SAID = {
    400: "requête refusée : JSON illisible, ou hôte non admis",
    401: "jeton manquant ou invalide",
    404: "introuvable",
    408: "corps reçu trop lentement",
    413: "corps trop gros (ou lot trop grand)",
    415: "contenu non déclaré JSON",
    422: "cas ou paramètre invalide",
    500: "erreur interne",
    503: "service occupé, ou règles non chargées",
}


def errors(*statuses: int) -> dict:
    return {s: {"model": ErrorBody, "description": _SAID[s]} for s in statuses}


def case_body(ref: str, *parameters: dict) -> dict:
    extra: dict[str, Any] = {
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": ref}}}}
    }
    if parameters:
        extra["parameters"] = [dict(p, schema=dict(p["schema"])) for p in parameters]
    return extra


def service(request: Request) -> Service:
    return request.app.state.service


class PlainRoute(APIRoute):
    """A route whose endpoint takes the request alone and reads its own query parameters
    (`query_as_of`, `evaluation_query`): called as Starlette calls an endpoint, without FastAPI's
    per-request dependency solving, about a fifth of the web layer's CPU on `/v1/evaluate`
    (bench/README.md, "Service"). FastAPI still matches it, documents it (its parameters given in
    `openapi_extra`) and answers another method with 405; errors go to the same handlers."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._plain = request_response(self.endpoint)

    async def handle(self, scope, receive, send) -> None:
        if scope["method"] not in (self.methods or ()):
            return await super().handle(scope, receive, send)  # FastAPI's 405, with Allow
        await self._plain(scope, receive, send)


def query_as_of(request: Request) -> Optional[dt.date]:
    """`as_of` of the query (the last one given, as FastAPI reads it), AAAA-MM-JJ, else None."""
    return as_of_in(request.query_params)


def as_of_in(params: Mapping[str, str]) -> Optional[dt.date]:
    """`as_of` of parsed query parameters (Starlette's QueryParams; the lean routes' too)."""
    return query_day(params.get("as_of"))


def explain_in(params: Mapping[str, str]) -> bool:
    """`explain` of parsed query parameters (Starlette's QueryParams; the lean routes' too), read as
    FastAPI reads a `bool` parameter and refused in the same words."""
    text = params.get("explain")
    if text is None:
        return False
    try:
        return _BOOLEAN.validate_python(text)
    except ValidationError as error:
        raise RequestValidationError([{**e, "loc": ("query", "explain")} for e in error.errors()]) from None


async def in_thread(request: Request, work: Callable[..., Any], *args: Any) -> Any:
    """`work(*args)` in the application's worker threads (`create_app`): the event loop keeps
    answering meanwhile (a probe during a slow evaluation). The loop's own executor hop, not
    anyio's: a third of the cost of `run_in_threadpool` per request, for the same bound (40)."""
    return await asyncio.get_running_loop().run_in_executor(request.app.state.workers, work, *args)
