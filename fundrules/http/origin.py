"""What a web page must not be able to make the service do: a browser on the user's machine can send
a POST with any "simple" Content-Type (text/plain, a form, none at all) to http://127.0.0.1 without
asking, and a site whose name resolves to 127.0.0.1 (DNS rebinding) can read the answers. So a POST
must say `Content-Type: application/json` (a page can send that only after a CORS preflight, which
this service never grants), and a request arriving on a loopback address must name a loopback host
(`localhost`, `127.0.0.1`, `[::1]`) or one of the hosts allowed (`fundrules serve --allowed-host`,
FUNDRULES_ALLOWED_HOSTS, comma-separated; `*` allows any). Hosts allowed that way are then required
on every address.
"""

from __future__ import annotations

import functools
import ipaddress
import os
from collections.abc import Iterable
from typing import Optional

from .auth import route_path as _route_path
from .errors import HttpError, error_response

ALLOWED_HOSTS_ENV = "FUNDRULES_ALLOWED_HOSTS"
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def hosts_from_env() -> list[str]:
    return [h.strip() for h in os.environ.get(ALLOWED_HOSTS_ENV, "").split(",") if h.strip()]


def host_name(value: str) -> str:
    """The name of a Host header, without its port, in lower case (`[::1]:8000` → `::1`)."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    name, colon, port = value.rpartition(":")
    return name.rstrip(".") if colon and port.isdigit() else value.rstrip(".")


@functools.lru_cache(maxsize=64)  # the server's own addresses, a handful: parsed once each, not per request
def _is_loopback(address: Optional[str]) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return False


def is_json(content_type: bytes) -> bool:
    return content_type.split(b";")[0].strip().lower() == b"application/json"


class OriginGuard:
    """The rule of the module: which request it refuses (400 for a Host outside the allow-list, 415
    for a POST body not declared JSON), and with what; shared by OriginCheck and the lean case routes
    (lean.py)."""

    def __init__(self, allowed_hosts: Optional[Iterable[str]] = None, form_paths: frozenset[str] = frozenset()):
        """`form_paths`: exact paths of HTML forms (the counsellors' page), which may post a form or a
        file: each carries a CSRF token checked against its cookie and the same-origin rule."""
        self.form_paths = form_paths
        extra = {host_name(h) for h in (allowed_hosts if allowed_hosts is not None else hosts_from_env())}
        self.any_host = "*" in extra
        self.everywhere = bool(extra)  # hosts named by the operator apply to every address
        self.allowed = LOOPBACK_HOSTS | extra

    def refusal(self, scope) -> Optional[HttpError]:
        """The refusal of an http request, else None."""
        headers = scope.get("headers", ())
        if not self.any_host and (self.everywhere or _is_loopback((scope.get("server") or (None,))[0])):
            host = next((v for k, v in headers if k == b"host"), None)
            if host is not None and host_name(host.decode("latin-1")) not in self.allowed:
                return HttpError(
                    400,
                    "host_not_allowed",
                    "nom d'hôte non admis par ce service (en-tête Host) ; admis : "
                    + ", ".join(sorted(self.allowed))
                    + " (voir --allowed-host)",
                    field="Host",
                )
        if scope.get("method") in BODY_METHODS and _route_path(scope) not in self.form_paths:
            declared = next((v for k, v in headers if k == b"content-type"), None)
            if declared is None or not is_json(declared):
                said = declared.decode("latin-1")[:60] if declared is not None else "aucun"
                return HttpError(
                    415,
                    "unsupported_media_type",
                    f"type de contenu non admis ({said}) : envoyez du JSON avec « Content-Type: application/json »",
                    field="Content-Type",
                )
        return None


class OriginCheck:
    """ASGI middleware: OriginGuard's refusals, in the common error shape."""

    def __init__(
        self,
        app,
        allowed_hosts: Optional[Iterable[str]] = None,
        form_paths: frozenset[str] = frozenset(),
        guard: Optional[OriginGuard] = None,
    ):
        self.app = app
        self.guard = guard or OriginGuard(allowed_hosts, form_paths)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            refused = self.guard.refusal(scope)
            if refused is not None:
                return await error_response(refused)(scope, receive, send)
        await self.app(scope, receive, send)
