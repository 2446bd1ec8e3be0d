"""Request bounds, so that no client can hold the service: the body's size (MAX_BODY_BYTES, the same
bound as a case file on the command line) and the time to send it, the number of requests in
progress, and the cases in a batch.

The connection-level bounds (header deadline, open connections, an answer left unread) are in
`connections.py`: the application is called only once the headers are in, and cannot drop a
connection whose client stopped reading.
"""

from __future__ import annotations

import asyncio
from typing import Optional

from ..source import MAX_FILE_BYTES
from .auth import OPEN_PATHS, route_path
from .errors import HttpError, error_response

MAX_BODY_BYTES = MAX_FILE_BYTES  # 1,000,000
MAX_BATCH = 1_000
BODY_TIMEOUT = 20.0  # seconds from the headers to the end of the body (1 MB at 50 KB/s)
MAX_IN_FLIGHT = 64  # requests in progress per worker (their bodies at most 64 MB), the probes apart


def too_large(size: int | None, limit: int) -> HttpError:
    """413 from a declared size (the server then discards the declared body as it comes, so that the
    client can read the answer), or from a chunked body that passed the limit: that one has no end
    to wait for, so the connection is closed."""
    said = f"{size} octets" if size is not None else f"plus de {limit} octets"
    return HttpError(
        413,
        "body_too_large",
        f"corps de la requête trop gros ({said}, au plus {limit})",
        headers=None if size is not None else {"Connection": "close"},
    )


def too_slow(seconds: float) -> HttpError:
    return HttpError(
        408,
        "body_timeout",
        f"corps de la requête reçu trop lentement (au plus {seconds:g} s pour l'envoyer en entier)",
        headers={"Connection": "close"},
    )


class BodyBounds:
    """The body's bounds (size, time to send it), shared by BodyLimit and the lean case routes
    (lean.py): a declared Content-Length over the limit is refused without reading a byte, a chunked
    body as soon as the bytes received pass the limit, a body not received in full within
    `body_timeout` seconds is refused (408)."""

    def __init__(self, limit: int = MAX_BODY_BYTES, body_timeout: float = BODY_TIMEOUT):
        self.limit, self.body_timeout = limit, body_timeout

    def declared_refusal(self, headers) -> Optional[HttpError]:
        """The refusal of a request by its Content-Length (unreadable: 400; over the limit: 413), else None."""
        for name, value in headers:
            if name == b"content-length":
                try:
                    size = int(value)
                except ValueError:
                    return HttpError(400, "invalid_request", "en-tête Content-Length invalide")
                if size > self.limit:
                    return too_large(size, self.limit)
        return None

    def receiver(self, receive):
        """`receive`, bounded: it raises the 408 past the deadline (counted from now) and the 413 once
        the bytes received pass the limit."""
        received = 0
        limit, timeout = self.limit, self.body_timeout
        deadline = asyncio.get_running_loop().time() + timeout
        complete = False

        async def bounded_receive():
            nonlocal received, complete
            if complete:  # after the body, only the disconnection is waited for: no deadline
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):  # no task per message, as wait_for made
                    message = await receive()
            except TimeoutError:
                raise too_slow(timeout) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise too_large(None, limit)
                complete = not message.get("more_body", False)
            return message

        return bounded_receive


class BodyLimit:
    """ASGI middleware: the bounds of BodyBounds on every http request."""

    def __init__(
        self,
        app,
        limit: int = MAX_BODY_BYTES,
        body_timeout: float = BODY_TIMEOUT,
        bounds: Optional[BodyBounds] = None,
    ):
        self.app = app
        self.bounds = bounds or BodyBounds(limit, body_timeout)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        refused = self.bounds.declared_refusal(scope.get("headers", ()))
        if refused is not None:
            return await error_response(refused)(scope, receive, send)
        await self.app(scope, self.bounds.receiver(receive), send)


class InFlight:
    """The count of requests in progress in one application, and its bound: shared by InFlightLimit and
    the lean case routes (lean.py), so that both count against the same `limit`."""

    def __init__(self, limit: int = MAX_IN_FLIGHT):
        self.limit, self.count = limit, 0

    def busy(self) -> Optional[HttpError]:
        """The 503 of a request beyond the bound, else None (the caller then counts itself in)."""
        if self.count < self.limit:
            return None
        return HttpError(
            503,
            "busy",
            f"service occupé ({self.limit} requêtes en cours) ; réessayez dans un instant",
            headers={"Retry-After": "1"},
        )


class InFlightLimit:
    """ASGI middleware: at most `limit` requests in progress (reading, working or answering); beyond,
    503 at once with Retry-After. The probes are not counted, so an orchestrator still sees the
    service alive while it is busy."""

    def __init__(self, app, limit: int = MAX_IN_FLIGHT, counter: Optional[InFlight] = None):
        self.app = app
        self.counter = counter or InFlight(limit)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or route_path(scope) in OPEN_PATHS:
            return await self.app(scope, receive, send)
        counter = self.counter
        busy = counter.busy()
        if busy is not None:
            return await error_response(busy)(scope, receive, send)
        counter.count += 1
        try:
            await self.app(scope, receive, send)
        finally:
            counter.count -= 1


async def read_body(request) -> bytes:
    """The whole body (already bounded by BodyLimit, which raises while it streams in)."""
    chunks = []
    async for chunk in request.stream():
        chunks.append(chunk)
    return b"".join(chunks)
