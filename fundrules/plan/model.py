"""The funding plan returned to counsellors and applications (JSON output of `fundrules plan`).

No `from __future__ import annotations`: pydantic reads the annotations as built with the classes,
instead of compiling and evaluating each one from a string at import (a cold `check` imports this).
"""

import datetime as dt
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

from ..results import Provenance

# The closed sets of values of a plan, as Literal types: JSON Schema `enum`, and type checkers
# (mypy, pyright) see the only values a client has to handle. Plain strings in JSON, so the
# contract's answers are unchanged.
StepStatus = Literal["eligible", "a_verifier"]  # a funder that is blocked or not in force is no step
IncomeStatus = Literal["eligible", "a_verifier", "aucune"]  # aucune: nothing applies (with why)


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class PlanStep(_Out):
    order: int = Field(description="rang du financeur dans le plan (1 : à solliciter en premier)")
    funder: str = Field(description="identifiant du financeur")
    funder_name: str = Field(description="nom du financeur, en français")
    status: StepStatus = Field(description="eligible, ou a_verifier quand des faits restent à recueillir")
    amount: Optional[float] = Field(description="euros covered; null when the funder decides the amount")
    amount_hours: Optional[float] = Field(None, description="heures couvertes ; null si inconnu")
    holder_share: Optional[float] = Field(None, description="euros left to the account holder (CPF flat participation)")
    holder_share_note: Optional[str] = Field(
        None,
        description="quand la part du titulaire n'est pas connue à cette date : « à confirmer : revalorisation du "
        "JJ/MM/AAAA non encodée » et le dernier montant encodé (montant du financeur et part : null)",
    )
    complement: bool = Field(False, description="true : financeur de complément (montant décidé par lui)")
    in_scope: Optional[bool] = Field(
        None, description="la personne est-elle du public du dispositif ; null : à vérifier"
    )
    scope_label: Optional[str] = Field(None, description="le public du dispositif, en quelques mots")
    decided_by: str = Field(description="qui décide du financement")
    next_step: Optional[str] = Field(None, description="première démarche auprès de ce financeur")


class IncomeEntry(_Out):
    """One link of the person's income over the course (issue 14), or `aucune` when nothing applies."""

    id: str = Field(description="identifiant du dispositif de rémunération (aref, cff, rff, rfpe…) ou aucune")
    name: str = Field(description="nom du dispositif, en français")
    status: IncomeStatus = Field(description="eligible, a_verifier ou aucune")
    payer: Optional[str] = Field(None, description="qui paie la personne")
    decided_by: Optional[str] = Field(None, description="à qui le demander")
    start: Optional[dt.date] = Field(
        None, description="à partir du (début de la formation, ou lendemain de la fin des droits ARE)"
    )
    end: Optional[dt.date] = Field(None, description="jusqu'au (fin de la formation, ou fin des droits ARE)")
    monthly: Optional[float] = Field(None, description="euros par mois quand les règles le fixent ; null : voir rule")
    daily: Optional[float] = Field(
        None, description="euros par jour pour une rémunération fondée sur l'ARE (plancher appliqué)"
    )
    rule: Optional[str] = Field(None, description="la règle du montant, en français")
    route: Optional[str] = Field(None, description="ligne du barème appliquée (tranche d'âge, de salaire…)")
    verified: bool = Field(True, description="false : montant ou règle qu'aucune source ne confirme (« à confirmer »)")
    next_step: Optional[str] = Field(None, description="démarche suivante, en français")
    reason: Optional[str] = Field(None, description="aucune : pourquoi rien ne s'applique")
    would_open: tuple[str, ...] = Field((), description="aucune : ce qui ouvrirait une ressource")
    to_check: tuple[str, ...] = Field((), description="aucune : dispositifs encore à vérifier (faits manquants)")


class FundingPlan(_Out):
    steps: tuple[PlanStep, ...] = Field(description="financeurs dans l'ordre où les solliciter")
    cost: Optional[float] = Field(description="coût pédagogique du projet (euros) ; null si inconnu")
    covered: float = Field(description="somme des montants connus")
    holder_pays: float = Field(description="somme des restes à charge connus du titulaire")
    remaining: Optional[float] = Field(description="coût - covered - holder_pays ; null si le coût est inconnu")
    covers_cost: Optional[bool] = Field(
        description="true when known amounts cover the cost, null when it depends on amounts decided by a funder"
    )
    income: tuple[IncomeEntry, ...] = Field((), description="the person's income over the course with this plan")


class Exclusion(_Out):
    funder: str = Field(description="financeur écarté du plan principal")
    funder_name: Optional[str] = Field(None, description="nom du financeur, en français")
    rule: str = Field(description="règle de plan qui l'écarte")
    message: str = Field(description="pourquoi, en français")


class Unlock(_Out):
    funder: str = Field(description="financeur bloqué par un seul critère")
    funder_name: Optional[str] = Field(None, description="nom du financeur, en français")
    criterion: Optional[str] = Field(description="ce critère")
    what: str = Field(description="l'accord ou le fait qui le débloquerait")


class Plan(_Out):
    """Funding plans for one case on one date (`Engine.plan`, `fundrules plan --format json`)."""

    as_of: dt.date = Field(description="date dont les règles ont été appliquées")
    ruleset_version: Optional[str] = Field(description="version des règles de plan appliquée ; null si aucune")
    plans: tuple[FundingPlan, ...] = Field(description="plans possibles, le premier étant le principal")
    excluded: tuple[Exclusion, ...] = Field((), description="financeurs écartés par une règle de plan")
    impasse: bool = Field(description="true : aucun plan ne couvre le coût")
    unlock: tuple[Unlock, ...] = Field((), description="ce qui débloquerait un financeur en cas d'impasse")
    message: Optional[str] = Field(None, description="explication de l'impasse, en français")
    provenance: Provenance = Field(description="ce qui a produit cette réponse")
    income: tuple[IncomeEntry, ...] = Field(
        (), description="ressources de la personne pendant la formation, quel que soit le plan"
    )
