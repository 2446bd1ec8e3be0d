"""Request bounds: a body over MAX_BODY_BYTES is refused (413) before it is read, and a batch
holds at most MAX_BATCH cases. Same bound as a case file on the command line."""

from __future__ import annotations

from ..source import MAX_FILE_BYTES
from .errors import HttpError, error_response

MAX_BODY_BYTES = MAX_FILE_BYTES  # 1,000,000
MAX_BATCH = 1_000


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


class BodyLimit:
    """ASGI middleware: refuses a declared Content-Length over the limit without reading a byte, and
    stops a chunked body as soon as the bytes received pass the limit."""

    def __init__(self, app, limit: int = MAX_BODY_BYTES):
        self.app, self.limit = app, limit

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
        limit = self.limit

        async def bounded_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise too_large(None, limit)
            return message

        await self.app(scope, bounded_receive, send)


async def read_body(request) -> bytes:
    """The whole body (already bounded by BodyLimit, which raises while it streams in)."""
    chunks = []
    async for chunk in request.stream():
        chunks.append(chunk)
    return b"".join(chunks)
