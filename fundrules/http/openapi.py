"""The OpenAPI document: FastAPI's, completed with what it cannot infer from the routes.

The case's schema is the library's (`CaseInput`, with `region` typed as accepted: a string or an
integer); the batch's request; the bearer scheme on every route but the probes when a token is
set; `as_of` a date; `{kind}` one of the schemas; every description in French (the library's models
describe themselves in English for developers: their model-level descriptions are replaced here).
"""

from __future__ import annotations

from typing import Any

from fastapi.openapi.utils import get_openapi

from ..case import CaseInput
from .auth import OPEN_PATHS
from .routes.schemas import KINDS

TAGS = [
    {"name": "evaluation", "description": "Évaluer des cas et construire leurs plans de financement"},
    {"name": "regles", "description": "Lire les règles chargées : financeurs, versions, critères, sources"},
    {"name": "schemas", "description": "Les schémas JSON des cas et des réponses"},
    {"name": "exploitation", "description": "Sondes pour l'orchestrateur (sans jeton)"},
]

DATE_FORMAT = {"format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}

# Model-level descriptions of the library's models (English docstrings for developers), said in French.
FRENCH_MODELS = {
    "Evaluation": "La réponse pour un cas à une date : un résultat par financeur, par identifiant.",
    "FunderResult": "Le résultat d'un financeur : statut, blocages, faits à recueillir, étapes.",
    "Blocker": "Un critère non rempli : valeur vue, valeur exigée, sources.",
    "Provenance": "Ce qui a produit la réponse : versions, moteur, empreintes du code et des règles.",
    "Plan": "Les plans de financement d'un cas à une date.",
    "FundingPlan": "Un plan de financement : ses étapes, son reste à charge, la rémunération.",
    "PlanStep": "Une étape d'un plan : un financeur et ce qu'il couvre.",
    "IncomeEntry": "Un maillon de la rémunération pendant la formation, ou « aucune ».",
    "TraceEntry": "Un critère ou une porte de voie tel qu'évalué : ce qui fonde son résultat.",
    "TraceRead": "Un fait ou un paramètre lu par un critère, sa valeur et son origine.",
    "Questions": "Les questions à poser ensuite pour un cas partiel, la plus décisive d'abord.",
    "Question": "Un fait à demander, sa question en français et ce que sa réponse peut décider.",
    "Choice": "Une valeur admise et son libellé en français.",
}
FRENCH_FIELDS = {
    ("FundingPlan", "covers_cost"): "true quand les montants connus couvrent le coût ; null quand ils dépendent "
    "de montants décidés par un financeur",
    ("FundingPlan", "income"): "la rémunération de la personne pendant la formation avec ce plan",
    ("PlanStep", "status"): "eligible, ou a_verifier quand des faits restent à recueillir",
    ("PlanStep", "amount"): "euros couverts ; null quand le financeur décide du montant",
    ("PlanStep", "holder_share"): "euros laissés au titulaire du compte (participation forfaitaire du CPF)",
}


def _security(spec: dict) -> None:
    spec["components"]["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "description": "le jeton FUNDRULES_API_TOKEN du service"}
    }
    for path, operations in spec["paths"].items():
        if path not in OPEN_PATHS:
            for operation in operations.values():
                operation["security"] = [{"bearer": []}]
                operation["responses"].setdefault(
                    "401",
                    {
                        "description": "jeton manquant ou invalide",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
                    },
                )


def _parameters(spec: dict) -> None:
    for operations in spec["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", ()):
                if parameter["name"] == "as_of":
                    parameter["schema"] = {"anyOf": [{"type": "string", **DATE_FORMAT}, {"type": "null"}]}
                elif parameter["name"] == "kind":
                    parameter["schema"] = {"type": "string", "enum": list(KINDS)}


def _french(components: dict) -> None:
    for name, text in FRENCH_MODELS.items():
        if name in components:
            components[name]["description"] = text
    for (name, field), text in FRENCH_FIELDS.items():
        prop = components.get(name, {}).get("properties", {}).get(field)
        if prop is not None:
            prop["description"] = text


def build_openapi(app, *, max_batch: int, token: bool) -> dict[str, Any]:
    spec = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes, tags=TAGS)
    case = CaseInput.model_json_schema(ref_template="#/components/schemas/{model}")
    components = spec.setdefault("components", {}).setdefault("schemas", {})
    for name, definition in case.pop("$defs", {}).items():
        components.setdefault(name, definition)
    region = case["properties"].get("region")
    if region is not None:
        region["anyOf"] = [{"type": "string"}, {"type": "integer"}, {"type": "null"}]
        region["description"] = "région de la formation : code INSEE (24 ou « 24 ») ou nom (Centre-Val de Loire)"
    components["CaseInput"] = case
    components["BatchRequest"] = {
        "type": "object",
        "description": "Un lot de cas.",
        "required": ["cases"],
        "additionalProperties": False,
        "properties": {
            "cases": {"type": "array", "maxItems": max_batch, "items": {"$ref": "#/components/schemas/CaseInput"}}
        },
    }
    _parameters(spec)
    _french(components)
    if token:
        _security(spec)
    return spec
