"""The few facts without which almost every answer stays "à vérifier" (issue 22): a counsellor who
sends a nearly empty case is told so in one line, before reading pages of facts to collect."""

from __future__ import annotations

from typing import Any

from .case import case_facts
from .french import fact_label

# status, registration at the employment service, project type, cost, hours, start date
TRIAGE_FACTS = (
    "beneficiaire.statut",
    "beneficiaire.inscrit_pole_emploi",
    "projet.type_action",
    "projet.cout_pedagogique",
    "projet.duree_heures",
    "projet.date_debut",
)


HALF = 3  # of the six: most answers then stay "à vérifier"
EMPLOYED = ("salarie", "agent_public", "independant")


def missing_triage(case: Any) -> list[str]:
    """The triage facts the case does not give, in the order above (registration at the employment
    service is not asked of someone in work)."""
    facts = case_facts(case)
    wanted = [
        p
        for p in TRIAGE_FACTS
        if not (p == "beneficiaire.inscrit_pole_emploi" and facts.get("beneficiaire.statut") in EMPLOYED)
    ]
    return [path for path in wanted if facts.get(path) is None]


def triage_line(case: Any) -> str | None:
    """ "Cas incomplet : manquent …" or None when every triage fact is given."""
    missing = missing_triage(case)
    if not missing:
        return None
    labels = ", ".join(fact_label(p) for p in missing)
    if len(missing) >= HALF:
        return f"Cas presque vide : à recueillir d'abord {labels} ; sans eux presque tout reste « à vérifier »."
    return f"Cas incomplet : à recueillir d'abord {labels}."
