"""The evaluation returned to counsellors and applications: the JSON output contract.

Field names here are relied upon by embedding applications (see README, "Contrat JSON").
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["eligible", "blocked", "a_verifier", "not_in_force"]

STATUS_FR = {
    "eligible": "éligible",
    "blocked": "bloqué",
    "a_verifier": "à vérifier",
    "not_in_force": "pas en vigueur",
}


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class SourceRef(_Out):
    title: str
    url: Optional[str] = None
    article: Optional[str] = None


class Blocker(_Out):
    criterion: str = Field(description="identifiant du critère (voie.critère dans une voie)")
    route: Optional[str] = None
    message: str
    observed: dict[str, Any] = Field(description="valeurs vues des faits lus par le critère (null : inconnu)")
    required: str
    sources: list[SourceRef]
    verified: bool = Field(description="false : aucune source ne confirme ce critère (« à confirmer »)")
    unlock: Optional[str] = Field(None, description="l'accord ou le fait qui lèverait ce bloquant")


class PendingCheck(_Out):
    criterion: str
    route: Optional[str] = None
    missing_facts: list[str]
    verified: bool


class RouteResult(_Out):
    route: str
    label: str
    status: Literal["eligible", "blocked", "a_verifier"]
    in_scope: Optional[bool] = Field(None, description="la personne est-elle du public de cette voie (ses critères gate) ; "
                                                       "null : inconnu")


class FunderResult(_Out):
    funder: str
    funder_name: str
    category: Literal["droit_commun", "specifique"]
    kind: Literal["course", "income"]
    status: Status
    ruleset_version: Optional[str]
    valid_from: Optional[dt.date] = None
    valid_to: Optional[dt.date] = None
    message: Optional[str] = None
    blockers: list[Blocker] = []
    missing_facts: list[str] = []
    pending: list[PendingCheck] = []
    routes: list[RouteResult] = []
    unverified_criteria: list[str] = []
    notices: list[str] = []
    illustrative: bool = False
    next_steps: list[str] = []
    decided_by: str
    operator_can_mobilise: Optional[bool] = None
    in_scope: Optional[bool] = Field(None, description="la personne est-elle du public du dispositif (critères scope "
                                                       "du financeur, voies) ; false : « hors public » ; null : inconnu")
    scope_label: Optional[str] = Field(None, description="le public du dispositif, en quelques mots")

    def scoped_blockers(self) -> list[Blocker]:
        """The blockers that matter for this person: none when out of scope, and never the gates of
        routes that are not for this person."""
        if self.in_scope is False:
            return []
        outside = {r.route for r in self.routes if r.in_scope is False}
        return [b for b in self.blockers if b.route not in outside]


class DerivedValue(_Out):
    fact: str
    value: Any
    derived_from: list[str]
    explanation: str


class Evaluation(_Out):
    as_of: dt.date
    date_demande: Optional[dt.date]
    derived_facts: list[DerivedValue] = []
    results: list[FunderResult]

    def result(self, funder: str) -> FunderResult:
        for r in self.results:
            if r.funder == funder:
                return r
        raise KeyError(funder)
