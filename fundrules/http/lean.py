"""The lean path of the case routes: `POST /v1/evaluate` and `POST /v1/plan` answered by one flat ASGI
callable placed before the FastAPI application, with the same guards, the same `Service` call and the
same answer, status, headers and body (tests/test_http_lean.py sends every success and refusal to an
application with and without it).

Why: the library answers a case in about 1 ms; the web layer around it (six middlewares each
wrapping `send`/`receive`, Starlette's and FastAPI's own, routing, the hop to a worker thread) cost
another 0.5–0.9 ms per request (bench/load.py). Here each guard is the middlewares' own object
(`OriginGuard`, `TokenGuard`, `InFlight`, `BodyBounds`, built once by `create_app` and shared with
the middlewares: one in-flight count for both paths), called in the middlewares' order, and each
refusal is answered by the same helpers (`error_response`, `refusal_response`, `validation_response`,
`internal_error`). Nothing of the evaluation is here: `Service.evaluate` / `Service.plan` do the work.

Only what is recognised exactly takes this path: an http POST on exactly one of these paths, no root
path. Everything else (another method, a trailing slash, `/v1/evaluate/batch`, `/v1/questions`, a
mounted application) goes to the FastAPI application unchanged, which also keeps the routes
registered there for the OpenAPI document.

Where the work runs: in the application's worker threads (`app.state.workers`), as the routes do,
so that a slow evaluation never holds the event loop (the durable backend also serialises its calls
behind a lock that a batch being streamed holds in its thread: the loop must never wait on it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any, Optional

from fastapi.exceptions import RequestValidationError
from starlette.datastructures import QueryParams
from starlette.requests import ClientDisconnect

from ..errors import FundrulesError
from .auth import TokenGuard
from .errors import error_response, failed_after_start, failure_response, refusal_response, validation_response
from .limits import BodyBounds, InFlight
from .origin import OriginGuard
from .routes.common import as_of_in
from .routes.evaluation import evaluation_query
from .service import Service

_JSON = (b"content-type", b"application/json")
_NO_QUERY: dict[str, str] = {}


class LeanCaseRoutes:
    """`POST /v1/evaluate` and `POST /v1/plan` without the web framework's layers (see the module)."""

    def __init__(
        self,
        service: Service,
        workers: Executor,
        identity: list[tuple[bytes, bytes]],
        origin: OriginGuard,
        token: TokenGuard,
        in_flight: InFlight,
        body: BodyBounds,
    ):
        self.service, self.workers, self.identity = service, workers, identity
        self.origin, self.token, self.in_flight, self.body = origin, token, in_flight, body
        self.routes: dict[str, Callable[[Any], tuple[Callable[..., bytes], tuple[Any, ...]]]] = {
            "/v1/evaluate": self._evaluate,
            "/v1/plan": self._plan,
        }

    def route(self, scope) -> Optional[Callable[[Any], tuple[Callable[..., bytes], tuple[Any, ...]]]]:
        """The route of a request this path answers exactly, else None (the FastAPI application answers)."""
        if scope["type"] != "http" or scope["method"] != "POST" or scope.get("root_path"):
            return None
        return self.routes.get(scope["path"])

    # What each route reads from its query, in its route's order (routes/evaluation.py): the query's
    # refusals come before the body is read. Each gives the Service method and its arguments after the body.
    def _evaluate(self, params) -> tuple[Callable[..., bytes], tuple[Any, ...]]:
        explain, day = evaluation_query(self.service, params)
        return self.service.evaluate, (day, explain)

    def _plan(self, params) -> tuple[Callable[..., bytes], tuple[Any, ...]]:
        return self.service.plan, (as_of_in(params),)

    async def answer(self, route, scope, receive, send) -> None:
        """The request through the middlewares' guards in their order, then its route; every refusal
        and failure answered as the FastAPI application answers it (app.py's CatchAll, the exception
        handlers of errors.py)."""
        started = False
        try:
            refused = self.origin.refusal(scope) or self.token.refusal(scope) or self.in_flight.busy()
            if refused is not None:
                response = error_response(refused)
            else:
                self.in_flight.count += 1
                try:
                    status, headers, body = await self._work(route, scope, receive)
                    started = True
                    await self._reply(send, status, headers, body)
                    return
                finally:
                    self.in_flight.count -= 1
        except Exception as error:  # noqa: BLE001 - CatchAll's rule: a 500 in the common shape, never a traceback
            if started:
                failed_after_start(error)
                return
            response = failure_response(error, scope)
        await self._reply(send, response.status_code, response.raw_headers, response.body)

    async def _work(self, route, scope, receive) -> tuple[int, list[tuple[bytes, bytes]], bytes | memoryview]:
        """(status, headers, body) of the route's answer or of its refusal (the routes' exception handlers)."""
        refused = self.body.declared_refusal(scope["headers"])
        if refused is not None:
            response = error_response(refused)
            return response.status_code, response.raw_headers, response.body
        bounded = self.body.receiver(receive)
        try:
            query = scope["query_string"]
            work, arguments = route(QueryParams(query) if query else _NO_QUERY)
            raw = await _read(bounded)
            answer = await asyncio.get_running_loop().run_in_executor(self.workers, work, raw, *arguments)
        except RequestValidationError as error:
            response = validation_response(error)
        except FundrulesError as error:
            response = refusal_response(error, scope["path"])
        else:  # what a Starlette Response(answer, media_type="application/json") sends
            return 200, [(b"content-length", str(len(answer)).encode("latin-1")), _JSON], answer
        return response.status_code, response.raw_headers, response.body

    async def _reply(self, send, status: int, headers: list[tuple[bytes, bytes]], body: bytes | memoryview) -> None:
        """The answer in two messages, the identity headers after the answer's own (IdentityHeaders' rule)."""
        await send({"type": "http.response.start", "status": status, "headers": [*headers, *self.identity]})
        await send({"type": "http.response.body", "body": body})


async def _read(receive) -> bytes:
    """The whole body from a bounded `receive` (BodyBounds.receiver), as Starlette's `Request.stream`
    reads it: a disconnection before its end raises ClientDisconnect."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.request":
            chunk = message.get("body", b"")
            if chunk:
                chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)
        elif message["type"] == "http.disconnect":
            raise ClientDisconnect()
