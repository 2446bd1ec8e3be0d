"""Every error the service returns has one shape, `FundrulesError.payload()`, and never a traceback.

Applications branch on `error.code`; `message` is the French sentence the CLI would print.
"""

from __future__ import annotations

import logging
import traceback
from typing import Optional

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

from ..errors import BackendError, EvaluationError, FundrulesError, InputError

log = logging.getLogger("fundrules.http")

BODY = "corps de la requête"  # the "file" of a case sent in a request


class HttpError(FundrulesError):
    """An error of the request itself (not of the case): its own code and HTTP status."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: Optional[str] = None,
        line: Optional[int] = None,
        file: Optional[str] = None,
        headers: Optional[dict] = None,
    ):
        self.status, self.code, self.field, self.line, self.file = status, code, field, line, file
        self.headers = headers
        super().__init__(message)


def status_of(error: FundrulesError) -> int:
    if isinstance(error, HttpError):
        return error.status
    if isinstance(error, (InputError, EvaluationError)):
        return 422
    if isinstance(error, BackendError):
        return 500
    return 500


def error_response(error: FundrulesError) -> JSONResponse:
    return JSONResponse(error.payload(), status_code=status_of(error), headers=getattr(error, "headers", None))


def internal_error(where: str, error: BaseException) -> JSONResponse:
    """A bug: logged as its type and code lines only (its message may quote the case), answered 500."""
    stack = "".join(traceback.format_tb(error.__traceback__))
    log.error("erreur interne (%s) sur %s\n%s", type(error).__name__, where, stack)
    return error_response(
        HttpError(
            500,
            "internal_error",
            "erreur interne du service ; elle est consignée (sans les données du cas) dans le journal du serveur",
        )
    )


def refusal_response(error: FundrulesError, path: str) -> JSONResponse:
    """The answer to an error of the library or of the request raised by a route at `path` (a
    failure of the rules engine is logged, as its type only)."""
    if isinstance(error, BackendError):
        log.error("échec du moteur de règles (%s) sur %s", type(error).__name__, path)
    return error_response(error)


def failure_response(error: Exception, scope) -> JSONResponse:
    """The last line of defence (app.py's CatchAll, lean.py): an exception no handler answered, as an
    error of the library in its own shape, else a 500 `internal_error` (logged without its message)."""
    if isinstance(error, FundrulesError):
        return error_response(error)
    return internal_error(f"{scope.get('method')} {scope.get('path')}", error)


def failed_after_start(error: Exception) -> None:
    """An exception once the answer has begun: too late to answer it, logged as its type only."""
    log.error("erreur interne (%s) après le début de la réponse", type(error).__name__)


async def on_fundrules_error(request, error: FundrulesError) -> JSONResponse:
    return refusal_response(error, request.url.path)


_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized", 413: "body_too_large"}


async def on_http_exception(request, error: StarletteHTTPException) -> JSONResponse:
    """Router errors (unknown route, wrong method) in the same shape as every other error."""
    status = error.status_code
    if status == 404:
        message = f"route inconnue « {request.url.path} » ; les routes sont décrites sur /docs et /openapi.json"
    elif status == 405:
        allowed = (error.headers or {}).get("Allow") or (error.headers or {}).get("allow")
        message = f"méthode {request.method} non admise sur {request.url.path}" + (
            f" ; admises : {allowed}" if allowed else ""
        )
    else:
        message = f"requête refusée (HTTP {status})"
    return error_response(
        HttpError(status, _HTTP_CODES.get(status, "http_error"), message, headers=dict(error.headers or {}))
    )


def _french(error: dict) -> str:
    try:  # the case module's French wording of pydantic errors, shared with the CLI
        from ..case import _french as case_french

        return case_french(error)
    except Exception:
        return f"valeur invalide ({error.get('msg')})"


async def on_validation_error(request, error) -> JSONResponse:
    """FastAPI's own parameter checks (query, path), said in French like a case error."""
    return validation_response(error)


def validation_response(error) -> JSONResponse:
    """A RequestValidationError (a query or path parameter refused) as a 422 in the common shape."""
    problems = error.errors()
    first = problems[0] if problems else {"loc": (), "msg": "requête invalide"}
    loc = [str(p) for p in first.get("loc", ()) if p not in ("query", "path", "body", "header")]
    field = ".".join(loc) or None
    message = _french(first)
    if field:
        message = f"{field} : {message}"
    if len(problems) > 1:
        message += f" (et {len(problems) - 1} autre(s) erreur(s))"
    return error_response(HttpError(422, "invalid_input", message, field=field))
