"""Optional bearer token: when set (FUNDRULES_API_TOKEN), every /v1 request must carry it.

Health checks and the API description stay open so that an orchestrator can probe the service.
"""

from __future__ import annotations

import hmac
from typing import Optional

from .errors import HttpError, error_response

TOKEN_ENV = "FUNDRULES_API_TOKEN"
PROTECTED_PREFIX = "/v1"


def _unauthorized(message: str):
    return error_response(HttpError(401, "unauthorized", message, headers={"WWW-Authenticate": "Bearer"}))


class BearerAuth:
    """ASGI middleware comparing `Authorization: Bearer <token>` in constant time."""

    def __init__(self, app, token: Optional[str]):
        self.app = app
        self.expected = ("Bearer " + token).encode() if token else None

    async def __call__(self, scope, receive, send):
        if (
            self.expected is None
            or scope["type"] != "http"
            or not (scope["path"] == PROTECTED_PREFIX or scope["path"].startswith(PROTECTED_PREFIX + "/"))
        ):
            return await self.app(scope, receive, send)
        given = next((v for k, v in scope.get("headers", ()) if k == b"authorization"), None)
        if given is None:
            return await _unauthorized("jeton manquant : envoyez l'en-tête « Authorization: Bearer <jeton> »")(
                scope, receive, send
            )
        if not hmac.compare_digest(given, self.expected):
            return await _unauthorized("jeton invalide")(scope, receive, send)
        await self.app(scope, receive, send)
