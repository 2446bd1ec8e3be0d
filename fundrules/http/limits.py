"""Request bounds, so that no client can hold the service: the body's size (MAX_BODY_BYTES, the same
bound as a case file on the command line) and the time to send it, the number of requests in
progress, and the cases in a batch.

The connection-level bounds (header deadline, open connections, an answer left unread) are in
`connections.py`: the application is called only once the headers are in, and cannot drop a
connection whose client stopped reading.
"""

from __future__ import annotations

import asyncio

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


class BodyLimit:
    """ASGI middleware: refuses a declared Content-Length over the limit without reading a byte, stops
    a chunked body as soon as the bytes received pass the limit, refuses (408) a body not received in
    full within `body_timeout` seconds."""

    def __init__(self, app, limit: int = MAX_BODY_BYTES, body_timeout: float = BODY_TIMEOUT):
        self.app, self.limit, self.body_timeout = app, limit, body_timeout

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    size = int(value)
                except ValueError:
                    return await error_response(HttpError(400, "invalid_request", "en-tête Content-Length invalide"))(
                        scope, receive, send
                    )
                if size > self.limit:
                    return await error_response(too_large(size, self.limit))(scope, receive, send)
        received = 0
        limit, timeout = self.limit, self.body_timeout
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
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

        await self.app(scope, bounded_receive, send)


class InFlightLimit:
    """ASGI middleware: at most `limit` requests in progress (reading, working or answering); beyond,
    503 at once with Retry-After. The probes are not counted, so an orchestrator still sees the
    service alive while it is busy."""

    def __init__(self, app, limit: int = MAX_IN_FLIGHT):
        self.app, self.limit, self.count = app, limit, 0

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or route_path(scope) in OPEN_PATHS:
            return await self.app(scope, receive, send)
        if self.count >= self.limit:
            busy = HttpError(
                503,
                "busy",
                f"service occupé ({self.limit} requêtes en cours) ; réessayez dans un instant",
                headers={"Retry-After": "1"},
            )
            return await error_response(busy)(scope, receive, send)
        self.count += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.count -= 1


async def read_body(request) -> bytes:
    """The whole body (already bounded by BodyLimit, which raises while it streams in)."""
    chunks = []
    async for chunk in request.stream():
        chunks.append(chunk)
    return b"".join(chunks)
