"""Optional bearer token: when set (FUNDRULES_API_TOKEN), every request needs it except the probes.

Deny by default: the check runs on the route path (the path the router matches, the root path
removed: `uvicorn --root-path /api`, or the application mounted in another), and only the paths of
OPEN_PATHS, compared exactly, pass without the token. A path the router would not match (`//v1/…`,
`/V1/…`, `/v1%2F…`) is therefore refused 401, never let through; the API description (`/openapi.json`,
`/docs`) needs the token too, since it names what the service can do. The scheme is compared without
regard to case (RFC 7235, section 2.1), the token in constant time.
"""

from __future__ import annotations

import hmac
from typing import Optional

from .errors import HttpError, error_response

TOKEN_ENV = "FUNDRULES_API_TOKEN"
OPEN_PATHS = frozenset({"/healthz", "/readyz"})  # an orchestrator probes them without the token


def route_path(scope) -> str:
    """The path the router matches: `scope["path"]` without the root path (Starlette's own rule)."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if not root or not path.startswith(root):
        return path
    if path == root:
        return ""
    return path[len(root) :] if path[len(root)] == "/" else path


def _unauthorized(message: str) -> HttpError:
    return HttpError(401, "unauthorized", message, headers={"WWW-Authenticate": "Bearer"})


def bearer_token(headers) -> Optional[bytes]:
    """The credentials of the first `Authorization: Bearer …` header (any case of `Bearer`), else None."""
    given = next((value for name, value in headers if name == b"authorization"), None)
    if given is None:
        return None
    scheme, _, credentials = given.strip().partition(b" ")
    if scheme.lower() != b"bearer":
        return None
    return credentials.strip(b" \t")


class TokenGuard:
    """The token rule (see the module): which request it refuses, and with what; shared by BearerAuth
    and the lean case routes (lean.py), so that both refuse the same requests in the same words."""

    def __init__(self, token: Optional[str], self_guarded: frozenset[str] = frozenset()):
        """`self_guarded`: exact paths whose routes check the same token themselves (the counsellors'
        page, which also takes it from its login cookie)."""
        self.expected = token.encode("utf-8") if token else None
        self.passing = OPEN_PATHS | self_guarded

    def refusal(self, scope) -> Optional[HttpError]:
        """The 401 of an http request without the token, else None."""
        if self.expected is None or route_path(scope) in self.passing:
            return None
        headers = scope.get("headers", ())
        if not any(name == b"authorization" for name, _ in headers):
            return _unauthorized("jeton manquant : envoyez l'en-tête « Authorization: Bearer <jeton> »")
        given = bearer_token(headers)
        if given is None or not hmac.compare_digest(given, self.expected):
            return _unauthorized("jeton invalide")
        return None


class BearerAuth:
    """ASGI middleware: without the token, only OPEN_PATHS answer."""

    def __init__(
        self,
        app,
        token: Optional[str] = None,
        self_guarded: frozenset[str] = frozenset(),
        guard: Optional[TokenGuard] = None,
    ):
        self.app = app
        self.guard = guard or TokenGuard(token, self_guarded)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            refused = self.guard.refusal(scope)
            if refused is not None:
                return await error_response(refused)(scope, receive, send)
        await self.app(scope, receive, send)
