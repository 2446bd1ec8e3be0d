"""How values, dates and facts read in French for a counsellor."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Mapping

from .facts import FACTS


def value_fr(value: Any) -> str:
    if value is None:
        return "inconnu"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return f"{value:.2f}".rstrip("0").replace(".", ",")
    if isinstance(value, str):  # a case's text on one line: its newlines cannot forge a line of a report
        from .escape import escape_terminal
        return escape_terminal(value, keep_newlines=False)
    return str(value)


def date_fr(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "sans fin"


def period_fr(start: dt.date, end: dt.date | None) -> str:
    return f"du {date_fr(start)} au {date_fr(end)}" if end else f"depuis le {date_fr(start)}"


def fact_label(path: str) -> str:
    fact = FACTS.get(path)
    return fact.label if fact else path


_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def fill(template: str, values: Mapping[str, str]) -> str:
    """Replace {name} by values[name]; names were checked when the ruleset was loaded."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


STATUT_FR = {"demandeur_emploi": "demandeur d'emploi", "salarie": "salarié", "independant": "travailleur indépendant",
             "agent_public": "agent public", "sans_activite": "sans activité"}
ACTION_FR = {"certification_rncp": "certification RNCP", "certification_rs": "certification RS", "clea": "CléA",
             "vae": "VAE", "bilan_competences": "bilan de compétences", "permis": "permis de conduire",
             "creation_entreprise": "création d'entreprise", "non_certifiante": "formation non certifiante"}
CONTRAT_FR = {"cdi": "CDI", "cdd": "CDD", "interim": "intérim", "apprentissage": "apprentissage",
              "professionnalisation": "contrat de professionnalisation", "contrat_aide": "contrat aidé", "aucun": "aucun"}
