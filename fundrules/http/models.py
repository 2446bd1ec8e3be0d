"""The service's own answers, as models, so that the OpenAPI document describes every response (the
routes still write their JSON directly; `tests/test_http_openapi.py` validates real answers against
these models, extra fields forbidden, so that they cannot drift apart)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

from ..results import Evaluation


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(_Model):
    code: str = Field(
        description="code stable : invalid_input, cannot_evaluate, backend_failure, invalid_json, "
        "body_too_large, batch_too_large, body_timeout, unsupported_media_type, host_not_allowed, "
        "unauthorized, not_found, method_not_allowed, busy, too_many_connections, headers_too_large, not_ready, "
        "internal_error"
    )
    message: str = Field(description="la phrase française, avec fichier, ligne et champ")
    file: Optional[str] = Field(None, description="« corps de la requête » pour un cas envoyé")
    line: Optional[int] = Field(None, description="ligne du champ dans le corps")
    field: Optional[str] = Field(None, description="chemin complet du champ (cases[1].date_demande)")


class ErrorBody(_Model):
    """Une erreur, de forme unique."""

    error: ErrorDetail


class BatchResult(_Model):
    """Les évaluations d'un lot, dans l'ordre des cas."""

    evaluations: list[Evaluation] = Field(description="une évaluation par cas, dans l'ordre des cas")


class Health(_Model):
    """Le service répond."""

    status: Literal["ok"]


class Ready(_Model):
    """Règles chargées, moteur nommé, code et règles identifiés."""

    status: Literal["ready"]
    backend: Literal["durable", "python"] = Field(description="moteur qui évalue")
    funders: list[str] = Field(description="identifiants des financeurs chargés")
    fundrules_version: str = Field(description="version de fundrules")
    code_digest: str = Field(description="empreinte du code de fundrules (ou révision Git d'une copie de travail)")
    rulesets_digest: str = Field(description="empreinte des fichiers de règles chargés")


class SourceRef(_Model):
    title: str = Field(description="titre de la source")
    url: Optional[str] = Field(None, description="adresse de la source")
    article: Optional[str] = Field(None, description="article cité")


class VersionHead(_Model):
    label: str = Field(description="nom de la version")
    valid_from: dt.date = Field(description="premier jour d'application")
    valid_to: Optional[dt.date] = Field(None, description="dernier jour d'application ; null : en vigueur")
    criteria: int = Field(description="nombre de critères")
    sources: int = Field(description="nombre de sources")
    file: str = Field(description="fichier de la version, relatif au dossier des règles")
    digest: Optional[str] = Field(None, description="« sha256: » et l'empreinte du fichier de la version")


class _Track(_Model):
    variant: Optional[str] = Field(None, description="identifiant de la variante ; null : financeur sans variante")
    variant_name: Optional[str] = Field(None, description="nom de la variante")
    illustrative: Optional[bool] = Field(None, description="variante donnée à titre d'exemple")


class ListedTrack(_Track):
    versions: list[VersionHead] = Field(description="versions (en vigueur à la date demandée, si elle est donnée)")


class _FunderHead(_Model):
    id: str = Field(description="identifiant du financeur")
    name: str = Field(description="nom du financeur")
    category: str = Field(description="catégorie")
    kind: str = Field(description="nature du financement")
    decided_by: str = Field(description="qui décide")
    mobilised_by: list[str] = Field(description="qui mobilise le financement")
    replaced_by: Optional[str] = Field(None, description="financeur qui le remplace")
    variant_by: Optional[str] = Field(None, description="fait qui choisit la variante")


class ListedFunder(_FunderHead):
    tracks: list[ListedTrack] = Field(description="variantes et leurs versions")


class RulesetList(_Model):
    """Financeurs, variantes et versions, avec le texte de `rulesets list`."""

    as_of: Optional[dt.date] = Field(None, description="date demandée ; null : toutes les versions")
    funders: list[ListedFunder] = Field(description="financeurs, par identifiant")
    text: str = Field(description="le texte de `fundrules rulesets list`")


class CriterionView(_Model):
    key: str = Field(description="clé du critère dans la version")
    id: str = Field(description="identifiant du critère")
    route: Optional[str] = Field(None, description="voie d'accès du critère")
    label: Optional[str] = Field(None, description="libellé")
    required: str = Field(description="ce qui est exigé, en français")
    condition: str = Field(description="la condition, dans la grammaire des règles")
    facts: list[str] = Field(description="faits lus")
    verified: bool = Field(description="relu dans la source")
    blocking: bool = Field(description="bloquant")
    gate: bool = Field(description="dit à qui s'adresse la voie")
    valid_from: Optional[dt.date] = Field(None, description="premier jour d'application du critère")
    valid_to: Optional[dt.date] = Field(None, description="dernier jour d'application du critère")
    unlock: Optional[str] = Field(None, description="ce qui lèverait le blocage")
    sources: list[SourceRef] = Field(description="sources")


class ParameterView(_Model):
    name: str = Field(description="nom du paramètre")
    value: Any = Field(description="valeur en vigueur")
    unit: Optional[str] = Field(None, description="unité")
    description: str = Field(description="description")


class RouteView(_Model):
    id: str = Field(description="identifiant de la voie")
    label: str = Field(description="libellé de la voie")


class VersionView(_Model):
    label: str = Field(description="nom de la version")
    valid_from: dt.date = Field(description="premier jour d'application")
    valid_to: Optional[dt.date] = Field(None, description="dernier jour d'application")
    decided_by: Optional[str] = Field(None, description="qui décide")
    summary: Optional[str] = Field(None, description="résumé")
    sources: list[SourceRef] = Field(description="sources de la version")
    parameters: list[ParameterView] = Field(description="paramètres en vigueur")
    routes: list[RouteView] = Field(description="voies d'accès")
    criteria: list[CriterionView] = Field(description="critères en vigueur")
    file: str = Field(description="fichier de la version, relatif au dossier des règles")
    digest: Optional[str] = Field(None, description="« sha256: » et l'empreinte du fichier de la version")


class ShownTrack(_Track):
    version: Optional[VersionView] = Field(None, description="version en vigueur ; null : aucune")


class RulesetShow(_FunderHead):
    """Les critères d'un financeur en vigueur à une date, avec le texte de `rulesets show`."""

    as_of: dt.date = Field(description="date des règles montrées")
    tracks: list[ShownTrack] = Field(description="variantes et version en vigueur de chacune")
    text: str = Field(description="le texte de `fundrules rulesets show`")


class JsonSchema(BaseModel):
    """Un schéma JSON (draft 2020-12)."""

    model_config = ConfigDict(extra="allow")
