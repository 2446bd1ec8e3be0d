"""What the intake returns for each question to ask: the library's answer, the HTTP response model."""

from __future__ import annotations

import datetime as dt
from typing import Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class Choice(_Out):
    value: Union[bool, str] = Field(description="la valeur à mettre dans le cas (code ou booléen)")
    label: str = Field(description="son libellé en français")


class Question(_Out):
    """One fact to ask, with what its answer can decide."""

    fact: str = Field(description="chemin du fait (beneficiaire.statut)")
    question: str = Field(description="la question en français")
    type: Literal["bool", "enum", "int", "number", "date", "string"] = Field(
        description="bool (oui/non), enum (une des valeurs de choices), int, number, date (AAAA-MM-JJ), string"
    )
    choices: list[Choice] = Field([], description="valeurs admises et leurs libellés (bool et enum)")
    unit: Optional[str] = Field(None, description="unité d'un nombre (mois, heures, euros…)")
    minimum: Optional[float] = Field(None, description="plus petite valeur admise d'un nombre")
    maximum: Optional[float] = Field(None, description="plus grande valeur admise d'un nombre")
    funders: list[str] = Field(
        description="financeurs encore à vérifier que la réponse peut faire avancer (changer leur réponse ou "
        "trancher un de leurs critères)"
    )
    moves: list[str] = Field(
        [], description="parmi eux, ceux dont le statut ou le public peut changer dès cette réponse (selon la valeur)"
    )
    triage: bool = Field(
        description="question de tri (situation, inscription, action, coût, durée, début, "
        "région, opérateur) : posée d'abord tant qu'elle est sans réponse"
    )
    jointly: bool = Field(
        description="true : ce fait seul ne tranche rien, il tranche avec d'autres faits encore inconnus "
        "des mêmes critères"
    )
    reason: str = Field(description="pourquoi la question est à ce rang, en français")


class Questions(_Out):
    """The ranked questions for a partial case (POST /v1/questions)."""

    as_of: Optional[dt.date] = Field(description="date dont les règles ont été appliquées (null : aucune date)")
    questions: list[Question] = Field(
        description="les questions, la plus décisive d'abord ; vide : plus rien à demander qui change une réponse"
    )
    open_funders: list[str] = Field(
        description="financeurs encore à vérifier pour une personne de leur public (ou de public inconnu)"
    )
