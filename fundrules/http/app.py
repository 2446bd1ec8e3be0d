"""The FastAPI application: routes over one loaded Engine, JSON in and out, the library's models.

Evaluations run in worker threads (the durable backend serialises its calls behind a lock; the
event loop must keep answering meanwhile): `app.state.workers`, at most WORKER_THREADS, made on
demand. `POST /v1/evaluate` and `POST /v1/plan` are answered by a lean path in front of FastAPI
(lean.py: the same guards and answers, for less CPU). Nothing of a request is logged or kept.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Optional, Union

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..errors import FundrulesError, InputError
from ..provenance import code_identity
from .auth import TOKEN_ENV, BearerAuth, TokenGuard
from .errors import failed_after_start, failure_response, on_fundrules_error, on_http_exception, on_validation_error
from .lean import LeanCaseRoutes
from .limits import (
    BODY_TIMEOUT,
    MAX_BATCH,
    MAX_BODY_BYTES,
    MAX_IN_FLIGHT,
    BodyBounds,
    BodyLimit,
    InFlight,
    InFlightLimit,
)
from .openapi import build_openapi
from .origin import OriginCheck, OriginGuard
from .routes import ROUTERS
from .service import Service

log = logging.getLogger("fundrules.http")

RULESETS_ENV = "FUNDRULES_HTTP_RULESETS"  # how `fundrules serve --workers N` configures each worker
ENGINE_ENV = "FUNDRULES_HTTP_ENGINE"
BODY_TIMEOUT_ENV = "FUNDRULES_HTTP_BODY_TIMEOUT"
MAX_IN_FLIGHT_ENV = "FUNDRULES_HTTP_MAX_IN_FLIGHT"
CACHE_ENTRIES_ENV = "FUNDRULES_HTTP_CACHE_ENTRIES"  # the Engine's cache bound per worker; 0: no cache
VERSION_HEADER = "Fundrules-Version"
DIGESTS_HEADER = "Fundrules-Digests"
WORKER_THREADS = 40  # the bound of the thread pool the routes used before (anyio's default)
_UNSET: Any = object()


def identity_headers(engine) -> list[tuple[bytes, bytes]]:
    """`Fundrules-Version` and `Fundrules-Digests: code=…, rulesets=…`: which fundrules answered, with
    which code and rules, so that a stored answer can be matched to both."""
    rules = getattr(getattr(engine, "provenance", None), "rulesets_digest", "")
    return [
        (VERSION_HEADER.lower().encode(), __version__.encode()),
        (DIGESTS_HEADER.lower().encode(), f"code={code_identity()}, rulesets={rules}".encode()),
    ]


class IdentityHeaders:
    """ASGI middleware: every response, errors included, carries the identity headers (`identity_headers`)."""

    def __init__(self, app, engine=None, headers: Optional[list[tuple[bytes, bytes]]] = None):
        self.app = app
        self.headers = headers if headers is not None else identity_headers(engine)

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
                failed_after_start(error)
                return
            await failure_response(error, scope)(scope, receive, send)


class FundrulesAPI(FastAPI):
    """The FastAPI application, with the lean path of the case routes (lean.py) in front when
    `create_app(lean=True)`: a request it recognises is answered there, every other one by FastAPI."""

    lean: Optional[LeanCaseRoutes] = None

    async def __call__(self, scope, receive, send) -> None:
        lean = self.lean
        if lean is None or self.root_path:
            return await super().__call__(scope, receive, send)
        route = lean.route(scope)
        if route is None:
            return await super().__call__(scope, receive, send)
        await lean.answer(route, scope, receive, send)


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
    lean: bool = True,
    cache: Union[bool, int] = True,
) -> FastAPI:
    """The application over `engine` (by default one `Engine(rulesets, backend)` loaded now).

    `token`: the bearer token every request but the probes must carry; by default FUNDRULES_API_TOKEN
    (unset or empty: no token). `allowed_hosts`: Host names admitted besides the loopback ones; by
    default FUNDRULES_ALLOWED_HOSTS (see `origin.py`). The other bounds are described in `limits.py`.
    `lean`: answer `POST /v1/evaluate` and `POST /v1/plan` by the lean path (lean.py), the same answers
    for less CPU; `lean=False` sends them through FastAPI's routes like every other request. `cache`:
    the bound of the Engine's cache when one is loaded here (`Engine(cache=…)`; False: none)."""
    if engine is None:
        from ..engine import Engine

        engine = Engine(rulesets, backend=backend, cache=cache)
    if token is _UNSET:
        token = os.environ.get(TOKEN_ENV) or None
    app = FundrulesAPI(
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
    from ..web import FORM_PATHS, PAGE_PATHS, web_router  # the counsellors' page at / (fundrules/web/)

    # The guards, built once: the middlewares and the lean path (lean.py) share them (one in-flight count)
    bounds = BodyBounds(max_body, body_timeout)
    in_flight = InFlight(max_in_flight)
    token_guard = TokenGuard(token, PAGE_PATHS)
    origin_guard = OriginGuard(allowed_hosts, FORM_PATHS)
    identity = identity_headers(engine)
    app.add_middleware(BodyLimit, bounds=bounds)
    app.add_middleware(InFlightLimit, counter=in_flight)
    app.add_middleware(BearerAuth, guard=token_guard)
    app.add_middleware(OriginCheck, guard=origin_guard)
    app.add_middleware(CatchAll)
    app.add_middleware(IdentityHeaders, headers=identity)  # added last: outermost, so every answer carries them
    if lean:
        app.lean = LeanCaseRoutes(
            app.state.service, app.state.workers, identity, origin_guard, token_guard, in_flight, bounds
        )
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
        cache=cache_bound(os.environ.get(CACHE_ENTRIES_ENV)),
    )


def cache_bound(text: Optional[str]) -> Union[bool, int]:
    """The Engine's cache from FUNDRULES_HTTP_CACHE_ENTRIES (`fundrules serve --cache-entries` sets it):
    unset or empty, the default bound; a whole number of entries, that bound; 0, no cache. Anything
    else is refused in French (a worker must not start with a bound nobody asked for)."""
    if text is None or not text.strip():
        return True
    value = text.strip()
    if not value.isdigit() or len(value) > 9:
        raise InputError(
            f"nombre entier d'entrées attendu (0 : aucun cache), reçu « {value[:40]} »", field=CACHE_ENTRIES_ENV
        )
    entries = int(value)
    return entries if entries > 0 else False
