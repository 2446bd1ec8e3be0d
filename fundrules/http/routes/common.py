"""What the routers share: the service of the application, query parameters, error responses."""

from __future__ import annotations

from fastapi import Query, Request

from ..models import ErrorBody
from ..service import Service

AS_OF = Query(
    None,
    description="évaluer avec les règles de cette date (AAAA-MM-JJ) ; par défaut la date_demande du cas",
)
EXPLAIN = Query(False, description="joindre l'explication détaillée (si la version la fournit)")

_SAID = {
    400: "requête refusée : JSON illisible, ou hôte non admis",
    401: "jeton manquant ou invalide",
    404: "introuvable",
    408: "corps reçu trop lentement",
    413: "corps trop gros (ou lot trop grand)",
    415: "contenu non déclaré JSON",
    422: "cas ou paramètre invalide",
    500: "erreur interne",
    503: "service occupé, ou règles non chargées",
}


def errors(*statuses: int) -> dict:
    return {s: {"model": ErrorBody, "description": _SAID[s]} for s in statuses}


def case_body(ref: str) -> dict:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": ref}}}}}


def service(request: Request) -> Service:
    return request.app.state.service
