"""What protects the counsellors' page: a CSRF token on every form, the API's token rule, and the
headers that keep the page from being framed, sniffed, cached or fed by another site.

CSRF: double submit. The browser holds a random value in an HttpOnly, SameSite=Strict cookie; every
form carries the same value in a hidden field; a POST whose field differs from the cookie (or whose
Origin is another site) is refused. Nothing is kept on the server, so the check holds across the
workers of `fundrules serve --workers N`.

Token: when FUNDRULES_API_TOKEN is set, the page asks for it once (login form) and keeps in an
HttpOnly, SameSite=Strict cookie a keyed hash of it (never the token itself); an application may
instead send the same `Authorization: Bearer <jeton>` header as for the API."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Optional

CSRF_COOKIE = "fundrules_csrf"
SESSION_COOKIE = "fundrules_session"
CSRF_FIELD = "csrf"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # no address sent elsewhere; our own forms keep a real Origin
    "Cache-Control": "no-store",  # the pages hold the person's facts: never kept by a cache
    "Cross-Origin-Opener-Policy": "same-origin",
}


def new_csrf() -> str:
    return secrets.token_urlsafe(32)


def csrf_valid(cookie: Optional[str], given: Optional[str]) -> bool:
    """The form's value equals the cookie's (both present, of the length we issue)."""
    if not cookie or not given or len(cookie) > 100 or len(given) > 100:
        return False
    return hmac.compare_digest(cookie.encode(), given.encode())


def same_origin(origin: Optional[str], host: Optional[str], scheme: str) -> bool:
    """A browser's Origin header names this very site. Absent or "null" (an old browser, a script,
    a privacy setting): left to the CSRF token, which is the check that counts."""
    if origin is None or origin == "null":
        return True
    return host is not None and origin in (f"{scheme}://{host}", f"http://{host}", f"https://{host}")


def session_value(token: str) -> str:
    """What the login cookie holds: a keyed hash of the token (the token itself never leaves the form)."""
    return hmac.new(token.encode(), b"fundrules web session", hashlib.sha256).hexdigest()


def authorized(token: Optional[str], header: Optional[str], cookie: Optional[str]) -> bool:
    """No token configured, or the API's bearer header, or the login cookie."""
    if not token:
        return True
    if header is not None and hmac.compare_digest(header.encode(), ("Bearer " + token).encode()):
        return True
    return cookie is not None and hmac.compare_digest(cookie.encode(), session_value(token).encode())


def token_matches(token: str, given: str) -> bool:
    return hmac.compare_digest(given.encode(), token.encode())
