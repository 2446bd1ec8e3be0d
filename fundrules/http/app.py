"""The FastAPI application: routes over one loaded Engine, JSON in and out, the library's models.

Evaluations run in worker threads (the durable backend serialises its calls behind a lock; the
event loop must keep answering meanwhile): `app.state.workers`, at most WORKER_THREADS, made on
demand. Nothing of a request is logged or kept.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Optional

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..errors import FundrulesError
from ..provenance import code_identity
from .auth import TOKEN_ENV, BearerAuth
from .errors import error_response, internal_error, on_fundrules_error, on_http_exception, on_validation_error
from .limits import BODY_TIMEOUT, MAX_BATCH, MAX_BODY_BYTES, MAX_IN_FLIGHT, BodyLimit, InFlightLimit
from .openapi import build_openapi
from .origin import OriginCheck
from .routes import ROUTERS
from .service import Service

log = logging.getLogger("fundrules.http")

RULESETS_ENV = "FUNDRULES_HTTP_RULESETS"  # how `fundrules serve --workers N` configures each worker
ENGINE_ENV = "FUNDRULES_HTTP_ENGINE"
BODY_TIMEOUT_ENV = "FUNDRULES_HTTP_BODY_TIMEOUT"
MAX_IN_FLIGHT_ENV = "FUNDRULES_HTTP_MAX_IN_FLIGHT"
VERSION_HEADER = "Fundrules-Version"
DIGESTS_HEADER = "Fundrules-Digests"
WORKER_THREADS = 40  # the bound of the thread pool the routes used before (anyio's default)
_UNSET: Any = object()


class IdentityHeaders:
    """ASGI middleware: every response, errors included, says which fundrules answered
    (`Fundrules-Version`) and with which code and rules (`Fundrules-Digests: code=…, rulesets=…`), so that
    a stored answer can be matched to both."""

    def __init__(self, app, engine):
        self.app = app
        rules = getattr(getattr(engine, "provenance", None), "rulesets_digest", "")
        self.headers = [
            (VERSION_HEADER.lower().encode(), __version__.encode()),
            (DIGESTS_HEADER.lower().encode(), f"code={code_identity()}, rulesets={rules}".encode()),
        ]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_identified(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), *self.headers]}
            await send(message)

        await self.app(scope, receive, send_identified)


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


def create_app(
    engine=None,
    *,
    rulesets=None,
    backend: str = "durable",
    token: Optional[str] = _UNSET,
    max_body: int = MAX_BODY_BYTES,
    max_batch: int = MAX_BATCH,
    body_timeout: float = BODY_TIMEOUT,
    max_in_flight: int = MAX_IN_FLIGHT,
    allowed_hosts: Optional[list[str]] = None,
) -> FastAPI:
    """The application over `engine` (by default one `Engine(rulesets, backend)` loaded now).

    `token`: the bearer token every request but the probes must carry; by default FUNDRULES_API_TOKEN
    (unset or empty: no token). `allowed_hosts`: Host names admitted besides the loopback ones; by
    default FUNDRULES_ALLOWED_HOSTS (see `origin.py`). The other bounds are described in `limits.py`."""
    if engine is None:
        from ..engine import Engine

        engine = Engine(rulesets, backend=backend)
    if token is _UNSET:
        token = os.environ.get(TOKEN_ENV) or None
    app = FastAPI(
        title="fundrules",
        version=__version__,
        description="Quels financeurs peuvent payer un projet de formation, et ce qui bloque les "
        "autres : évaluation, plans de financement et règles, en JSON.",
    )
    app.state.engine = engine
    app.state.service = Service(engine, max_batch)
    app.state.workers = ThreadPoolExecutor(WORKER_THREADS, thread_name_prefix="fundrules-http")

    app.add_exception_handler(FundrulesError, on_fundrules_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, on_http_exception)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_middleware(BodyLimit, limit=max_body, body_timeout=body_timeout)
    app.add_middleware(InFlightLimit, limit=max_in_flight)
    from ..web import FORM_PATHS, PAGE_PATHS, web_router  # the counsellors' page at / (fundrules/web/)

    app.add_middleware(BearerAuth, token=token, self_guarded=PAGE_PATHS)
    app.add_middleware(OriginCheck, allowed_hosts=allowed_hosts, form_paths=FORM_PATHS)
    app.add_middleware(CatchAll)
    app.add_middleware(IdentityHeaders, engine=engine)  # added last: outermost, so every answer carries them
    for router in ROUTERS:
        app.include_router(router)
    app.include_router(web_router(token))  # same token rule, checked by the page itself

    def openapi() -> dict:
        if not app.openapi_schema:
            app.openapi_schema = build_openapi(app, max_batch=max_batch, token=bool(token))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend the schema
    return app


def create_app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` and `fundrules serve --workers N`: one Engine per worker process."""
    from .connections import setting

    return create_app(
        rulesets=os.environ.get(RULESETS_ENV) or None,
        backend=os.environ.get(ENGINE_ENV) or "durable",
        body_timeout=setting(BODY_TIMEOUT_ENV, BODY_TIMEOUT),
        max_in_flight=int(setting(MAX_IN_FLIGHT_ENV, MAX_IN_FLIGHT)),
    )
