"""The FastAPI application: routes over one loaded Engine, JSON in and out, the library's models.

Evaluations run in the thread pool (the durable backend serialises its calls behind a lock; the
event loop must keep answering meanwhile). Nothing of a request is logged or kept.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import json
import logging
import os
from typing import Any, Optional

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..case import CaseInput
from ..errors import EvaluationError, FundrulesError, InputError
from ..plan.model import Plan
from ..results import Evaluation
from . import body as bodies
from .auth import TOKEN_ENV, BearerAuth
from .errors import (
    HttpError,
    error_response,
    internal_error,
    on_fundrules_error,
    on_http_exception,
    on_validation_error,
)
from .limits import MAX_BATCH, MAX_BODY_BYTES, BodyLimit, read_body
from .questions import router as questions_router
from .rulesets import ruleset_show, rulesets_list

log = logging.getLogger("fundrules.http")

RULESETS_ENV = "FUNDRULES_HTTP_RULESETS"  # how `fundrules serve --workers N` configures each worker
ENGINE_ENV = "FUNDRULES_HTTP_ENGINE"
VERSION_HEADER = "Fundrules-Version"
_UNSET: Any = object()


class ErrorDetail(BaseModel):
    code: str = Field(
        description="invalid_input, cannot_evaluate, backend_failure, invalid_json, "
        "body_too_large, batch_too_large, unauthorized, not_found, "
        "method_not_allowed, internal_error"
    )
    message: str = Field(description="la phrase française, avec fichier, ligne et champ")
    file: Optional[str] = None
    line: Optional[int] = None
    field: Optional[str] = None


class ErrorBody(BaseModel):
    error: ErrorDetail


class BatchResult(BaseModel):
    evaluations: list[Evaluation] = Field(description="une évaluation par cas, dans l'ordre des cas")


def _errors(*statuses: int) -> dict:
    said = {
        400: "JSON illisible",
        401: "jeton manquant ou invalide",
        404: "introuvable",
        413: "corps trop gros (ou lot trop grand)",
        422: "cas ou paramètre invalide",
        500: "erreur interne",
    }
    return {s: {"model": ErrorBody, "description": said[s]} for s in statuses}


def _case_body(ref: str) -> dict:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": ref}}}}}


class VersionHeader:
    """ASGI middleware: every response, errors included, says which fundrules answered."""

    def __init__(self, app):
        self.app = app
        self.header = (VERSION_HEADER.lower().encode(), __version__.encode())

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_versioned(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), self.header]}
            await send(message)

        await self.app(scope, receive, send_versioned)


class CatchAll:
    """ASGI middleware: an unexpected exception becomes a 500 in the common shape, never a traceback
    (Starlette's own handler would re-raise it and let the server log its message, which may quote
    the case)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:  # noqa: BLE001 - the last line of defence
            if started:
                log.error("erreur interne (%s) après le début de la réponse", type(error).__name__)
                return
            if isinstance(error, FundrulesError):
                response = error_response(error)
            else:
                response = internal_error(f"{scope.get('method')} {scope.get('path')}", error)
            await response(scope, receive, send)


def _day(text: Optional[str], field: str = "as_of") -> Optional[dt.date]:
    """A query date, AAAA-MM-JJ only (Python would also take 20180312), refused like the CLI's --as-of."""
    if text is None or text == "":
        return None
    try:
        if len(text) != 10:
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"date attendue au format AAAA-MM-JJ, reçu « {text[:40]} »", field=field) from None


def _json(data: Any) -> Response:
    return Response(json.dumps(data, ensure_ascii=False, default=_plain), media_type="application/json")


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


class _Service:
    """The work of each route, run in a worker thread: parse, validate, evaluate, serialise."""

    def __init__(self, engine, max_batch: int):
        self.engine, self.max_batch = engine, max_batch
        try:
            self.explains = "explain" in inspect.signature(engine.evaluate).parameters
        except (TypeError, ValueError):
            self.explains = False

    @staticmethod
    def _case(raw: bytes):
        """The one case of a request body: strict JSON, validated, a refusal located by its line."""
        data, text = bodies.parse_json(raw)
        return bodies.case_from_body(data, text)

    @staticmethod
    def _engine_call(call, field: Optional[str] = None):
        """The engine's answer; its refusal (no date to evaluate at) located in the body."""
        try:
            return call()
        except EvaluationError as err:
            raise bodies.cannot_evaluate(err, field) from None

    def _evaluate(self, case, day, explain: bool, field: Optional[str] = None):
        if explain:
            return self._engine_call(lambda: self.engine.evaluate(case, day, explain=True), field)
        return self._engine_call(lambda: self.engine.evaluate(case, day), field)

    def check_explain(self, explain: bool) -> None:
        if explain and not self.explains:
            raise InputError(
                "l'explication détaillée n'est pas disponible dans cette version de fundrules", field="explain"
            )

    def evaluate(self, raw: bytes, day, explain: bool) -> bytes:
        return self._evaluate(self._case(raw), day, explain).model_dump_json()

    def plan(self, raw: bytes, day) -> bytes:
        case = self._case(raw)
        return self._engine_call(lambda: self.engine.plan(case, as_of=day)).model_dump_json()

    def batch(self, raw: bytes, day, explain: bool) -> bytes:
        data, text = bodies.parse_json(raw)
        cases = bodies.cases_from_batch(data, text, self.max_batch)
        parts = [self._evaluate(case, day, explain, f"cases[{i}]").model_dump_json() for i, case in enumerate(cases)]
        return b'{"evaluations":[' + ",".join(parts).encode() + b"]}"


@functools.cache
def _schema(kind: str) -> dict:
    """The same schemas as `fundrules schema --output` (one definition, in the library)."""
    from ..schemas import json_schema

    return json_schema(kind)


def create_app(
    engine=None,
    *,
    rulesets=None,
    backend: str = "durable",
    token: Optional[str] = _UNSET,
    max_body: int = MAX_BODY_BYTES,
    max_batch: int = MAX_BATCH,
) -> FastAPI:
    """The application over `engine` (by default one `Engine(rulesets, backend)` loaded now).

    `token`: the bearer token every /v1 request must carry; by default FUNDRULES_API_TOKEN (unset or
    empty: no token)."""
    if engine is None:
        from ..engine import Engine

        engine = Engine(rulesets, backend=backend)
    if token is _UNSET:
        token = os.environ.get(TOKEN_ENV) or None
    service = _Service(engine, max_batch)
    app = FastAPI(
        title="fundrules",
        version=__version__,
        description="Quels financeurs peuvent payer un projet de formation, et ce qui bloque les "
        "autres : évaluation, plans de financement et règles, en JSON.",
    )
    app.state.engine = engine

    app.add_exception_handler(FundrulesError, on_fundrules_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, on_http_exception)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_middleware(BodyLimit, limit=max_body)
    app.add_middleware(BearerAuth, token=token)
    app.add_middleware(CatchAll)
    app.add_middleware(VersionHeader)  # added last: outermost, so every answer carries it

    app.include_router(questions_router)  # POST /v1/questions (fundrules/http/questions.py)
    from ..web import web_router  # the counsellors' page at / (fundrules/web/), same token rule

    app.include_router(web_router(token))
    as_of_query = Query(
        None, description="évaluer avec les règles de cette date (AAAA-MM-JJ) ; par défaut la date_demande du cas"
    )
    explain_query = Query(False, description="joindre l'explication détaillée (si la version la fournit)")

    async def answer(request: Request, as_of: Optional[str], work, explain: Optional[bool] = None) -> Response:
        """What the evaluate, batch and plan routes share: the date checked, then `explain`, then the body read
        (bounded), the work done in a worker thread, its JSON returned."""
        day = _day(as_of)
        options: tuple = ()
        if explain is not None:
            service.check_explain(explain)
            options = (explain,)
        raw = await read_body(request)
        return Response(await run_in_threadpool(work, raw, day, *options), media_type="application/json")

    @app.post(
        "/v1/evaluate",
        tags=["évaluation"],
        summary="Évaluer un cas",
        responses={200: {"model": Evaluation}, **_errors(400, 401, 413, 422, 500)},
        openapi_extra=_case_body("#/components/schemas/CaseInput"),
    )
    async def evaluate(request: Request, as_of: Optional[str] = as_of_query, explain: bool = explain_query):
        return await answer(request, as_of, service.evaluate, explain)

    @app.post(
        "/v1/evaluate/batch",
        tags=["évaluation"],
        summary=f"Évaluer jusqu'à {max_batch} cas, dans l'ordre",
        responses={200: {"model": BatchResult}, **_errors(400, 401, 413, 422, 500)},
        openapi_extra=_case_body("#/components/schemas/BatchRequest"),
    )
    async def evaluate_batch(request: Request, as_of: Optional[str] = as_of_query, explain: bool = explain_query):
        return await answer(request, as_of, service.batch, explain)

    @app.post(
        "/v1/plan",
        tags=["évaluation"],
        summary="Plans de financement d'un cas",
        responses={200: {"model": Plan}, **_errors(400, 401, 413, 422, 500)},
        openapi_extra=_case_body("#/components/schemas/CaseInput"),
    )
    async def plan(request: Request, as_of: Optional[str] = as_of_query):
        return await answer(request, as_of, service.plan)

    @app.get(
        "/v1/rulesets",
        tags=["règles"],
        summary="Financeurs et versions (en vigueur à une date)",
        responses=_errors(401, 422),
    )
    async def list_funders(
        as_of: Optional[str] = Query(None, description="seulement les versions en vigueur à cette date"),
    ):
        return _json(rulesets_list(engine.catalog, _day(as_of)))

    @app.get(
        "/v1/rulesets/{funder}",
        tags=["règles"],
        summary="Les critères d'un financeur à une date",
        responses=_errors(401, 404, 422),
    )
    async def show_funder(
        funder: str, as_of: Optional[str] = Query(None, description="date (par défaut : aujourd'hui)")
    ):
        return _json(ruleset_show(engine.catalog, funder, _day(as_of) or dt.date.today()))

    @app.get(
        "/v1/schema/{kind}",
        tags=["schémas"],
        summary="Schéma JSON : case, evaluation ou plan",
        responses=_errors(401, 404),
    )
    async def schema(kind: str):
        if kind not in ("case", "evaluation", "plan"):
            raise HttpError(
                404, "not_found", f"schéma inconnu « {kind[:40]} » ; possibles : case, evaluation, plan", field="kind"
            )
        return _json(_schema(kind))

    @app.get("/healthz", tags=["exploitation"], summary="Le service répond")
    async def healthz():
        return _json({"status": "ok"})

    @app.get("/readyz", tags=["exploitation"], summary="Règles chargées, moteur nommé")
    async def readyz():
        catalog = getattr(engine, "catalog", None)
        if catalog is None or not catalog.funders:
            raise HttpError(503, "not_ready", "règles non chargées")
        return _json(
            {
                "status": "ready",
                "backend": engine.backend,
                "funders": sorted(catalog.funders),
                "fundrules_version": __version__,
            }
        )

    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        spec = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        case = CaseInput.model_json_schema(ref_template="#/components/schemas/{model}")
        components = spec.setdefault("components", {}).setdefault("schemas", {})
        for name, definition in case.pop("$defs", {}).items():
            components.setdefault(name, definition)
        components["CaseInput"] = case
        components["BatchRequest"] = {
            "type": "object",
            "required": ["cases"],
            "additionalProperties": False,
            "properties": {
                "cases": {"type": "array", "maxItems": max_batch, "items": {"$ref": "#/components/schemas/CaseInput"}}
            },
        }
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend the schema
    return app


def create_app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` and `fundrules serve --workers N`: one Engine per worker process."""
    return create_app(rulesets=os.environ.get(RULESETS_ENV) or None, backend=os.environ.get(ENGINE_ENV) or "durable")
