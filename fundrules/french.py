"""How values, dates and facts read in French for a counsellor."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Mapping

from .facts import FACTS


THIN_SPACE = "\u202f"  # narrow no-break space: the French thousands separator


def number_fr(value: float | int, decimals: int = 2) -> str:
    """10.001 → "10", 39.999 → "40", 7200 → "7 200", 1.5 → "1,5" (rounded to `decimals`)."""
    rounded = round(float(value), decimals)
    if rounded == 0:
        rounded = 0.0  # no "-0"
    whole, _, fraction = f"{abs(rounded):.{decimals}f}".partition(".")
    fraction = fraction.rstrip("0")
    groups = []
    while len(whole) > 3:
        whole, groups = whole[:-3], [whole[-3:]] + groups
    text = THIN_SPACE.join([whole] + groups) + (f",{fraction}" if fraction else "")
    return ("-" if rounded < 0 else "") + text


def value_fr(value: Any, path: str | None = None) -> str:
    """A value as a counsellor reads it; with the fact's `path`, codes become their French label."""
    if value is None:
        return "inconnu"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, (int, float)):
        return number_fr(value)
    if isinstance(value, str) and path is not None:
        return choice_fr(path, value)
    return str(value)


def date_fr(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "sans date de fin"


def period_fr(start: dt.date, end: dt.date | None) -> str:
    return f"du {date_fr(start)} au {date_fr(end)}" if end else f"depuis le {date_fr(start)}"


def fact_value_fr(path: str, value: Any) -> str:
    """"label = value" for a fact, both in French."""
    return f"{fact_label(path)} = {value_fr(value, path)}"


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
OPERATEUR_FR = {"mission_locale": "Mission locale", "apec": "Apec", "cap_emploi": "Cap emploi",
                "pole_emploi": "Pôle emploi", "fongecif": "Fongecif", "opacif": "OPACIF", "autre": "autre opérateur"}
MODALITE_FR = {"suivi": "suivi", "guide": "guidé", "renforce": "renforcé", "global": "global"}
CATEGORY_FR = {"droit_commun": "droit commun", "specifique": "spécifique"}
KIND_FR = {"course": "paie la formation", "income": "rémunère la personne"}
_CHOICES = {"beneficiaire.statut": STATUT_FR, "beneficiaire.contrat": CONTRAT_FR, "projet.type_action": ACTION_FR,
            "operateur": OPERATEUR_FR, "beneficiaire.modalite_accompagnement_pe": MODALITE_FR}


def choice_fr(path: str, code: str) -> str:
    """The French label of an enum code (`sans_activite` → "sans activité"); other text unchanged."""
    if path == "region":
        from .regions import region_label
        return region_label(code)
    return _CHOICES.get(path, {}).get(code, code)


def short_name(name: str) -> str:
    """"Aide individuelle à la formation (AIF) de Pôle emploi" → "AIF"; "Agefiph (aides …)" → "Agefiph"."""
    acronym = re.search(r"\(([A-Z][A-Za-z.\-]{1,11})\)", name)
    if acronym:
        return acronym.group(1)
    return name.split(" (", 1)[0]


def humanize(identifier: str) -> str:
    """A criterion id read aloud when no label is at hand: `places_disponibles` → "places disponibles"."""
    return identifier.replace("_", " ").replace(".", " : ")
