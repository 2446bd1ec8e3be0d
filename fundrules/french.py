"""How values, dates and facts read in French for a counsellor."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping
from typing import Any

from .facts import FACTS

THIN_SPACE = "\u202f"  # narrow no-break space: the French thousands separator


def number_fr(value: float | int, decimals: int = 2) -> str:
    """10.001 → "10", 39.999 → "40", 7200 → "7 200", 1.5 → "1,5" (rounded to `decimals`)."""
    rounded = round(float(value), decimals)
    if rounded == 0:
        rounded = 0.0  # no "-0"
    whole, _, fraction = f"{abs(rounded):.{decimals}f}".partition(".")
    fraction = fraction.rstrip("0")
    groups: list[str] = []
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
    if isinstance(value, str):  # a case's text on one line: its newlines cannot forge a line of a report
        from .escape import escape_terminal

        return escape_terminal(choice_fr(path, value) if path is not None else value, keep_newlines=False)
    return str(value)


def date_fr(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "sans date de fin"


def period_fr(start: dt.date, end: dt.date | None) -> str:
    return f"du {date_fr(start)} au {date_fr(end)}" if end else f"depuis le {date_fr(start)}"


def fact_value_fr(path: str, value: Any) -> str:
    """ "label = value" for a fact, both in French."""
    return f"{fact_label(path)} = {value_fr(value, path)}"


def fact_label(path: str) -> str:
    fact = FACTS.get(path)
    return fact.label if fact else path


_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@functools.lru_cache(maxsize=4096)
def _split(template: str) -> tuple[str, ...]:
    """The template cut once into text, name, text, name, …, text (names at odd positions)."""
    return tuple(_PLACEHOLDER.split(template))


def fill(template: str, values: Mapping[str, str]) -> str:
    """Replace {name} by values[name] (a name without value stays as written); names were checked
    when the ruleset was loaded. Templates are split once: messages are filled on every answer."""
    parts = _split(template)
    if len(parts) == 1:
        return template
    out = list(parts)
    for i in range(1, len(parts), 2):
        out[i] = values.get(parts[i], "{" + parts[i] + "}")
    return "".join(out)


STATUT_FR = {
    "demandeur_emploi": "demandeur d'emploi",
    "salarie": "salarié",
    "independant": "travailleur indépendant",
    "agent_public": "agent public",
    "sans_activite": "sans activité",
}
ACTION_FR = {
    "certification_rncp": "certification RNCP",
    "certification_rs": "certification RS",
    "clea": "CléA",
    "vae": "VAE",
    "bilan_competences": "bilan de compétences",
    "permis": "permis de conduire",
    "creation_entreprise": "création d'entreprise",
    "non_certifiante": "formation non certifiante",
}
CONTRAT_FR = {
    "cdi": "CDI",
    "cdd": "CDD",
    "interim": "intérim",
    "apprentissage": "apprentissage",
    "professionnalisation": "contrat de professionnalisation",
    "contrat_aide": "contrat aidé",
    "aucun": "aucun",
}
OPERATEUR_FR = {
    "mission_locale": "Mission locale",
    "apec": "Apec",
    "cap_emploi": "Cap emploi",
    "pole_emploi": "Pôle emploi",
    "fongecif": "Fongecif",
    "opacif": "OPACIF",
    "autre": "autre opérateur",
}
MODALITE_FR = {"suivi": "suivi", "guide": "guidé", "renforce": "renforcé", "global": "global"}
CATEGORY_FR = {"droit_commun": "droit commun", "specifique": "spécifique"}
KIND_FR = {"course": "paie la formation", "income": "rémunère la personne"}
_CHOICES = {
    "beneficiaire.statut": STATUT_FR,
    "beneficiaire.contrat": CONTRAT_FR,
    "projet.type_action": ACTION_FR,
    "operateur": OPERATEUR_FR,
    "beneficiaire.modalite_accompagnement_pe": MODALITE_FR,
}


def choice_fr(path: str, code: str) -> str:
    """The French label of an enum code (`sans_activite` → "sans activité", `en_cours` → "en
    cours"): a counsellor never reads a code of the vocabulary; other text unchanged."""
    if path == "region":
        from .regions import region_label

        return region_label(code)
    label = _CHOICES.get(path, {}).get(code)
    if label is not None:
        return label
    fact = FACTS.get(path)
    if fact is not None and code in fact.choices:
        return _CODE_WORDS.get(code, code.replace("_", " "))
    return code


_CODE_WORDS = {"france_travail": "France Travail", "are": "ARE", "asp": "ASP (allocation du CSP)", "ati": "ATI"}
_PAY_WORDS = ("Rémunération", "Allocation", "Salaire")
_SMALL_WORDS = frozenset({"de", "du", "des", "d'un", "d'une", "la", "le", "les", "l'", "à", "au", "et"})


def short_name(name: str) -> str:
    """ "Aide individuelle à la formation (AIF) de Pôle emploi" → "AIF"; "Agefiph (aides …)" → "Agefiph"."""
    acronym = re.search(r"\(([A-Z][A-Za-z.\-]{1,11})\)", name)
    if acronym:
        words = name[: acronym.start()].split()
        scheme = [w for w in words[2:] if w.lower() not in _SMALL_WORDS]
        initials = "".join(w[0] for w in scheme).upper()
        if words and words[0] in _PAY_WORDS and initials == acronym.group(1).upper():
            # the pay of a scheme is not the scheme: "Rémunération du CIF", never "CIF" for both
            return f"{words[0]} {words[1]} {acronym.group(1)}"
        return acronym.group(1)
    return name.split(" (", 1)[0]


def humanize(identifier: str) -> str:
    """A criterion id read aloud when no label is at hand: `places_disponibles` → "places disponibles"."""
    return identifier.replace("_", " ").replace(".", " : ")


_YAML_PROBLEMS = [
    ("mapping values are not allowed", "« : » inattendu (une valeur qui contient « : » se met entre guillemets)"),
    ("did not find expected ',' or ']'", "liste entre crochets non fermée (« , » ou « ] » attendu)"),
    ("did not find expected ',' or '}'", "accolade non fermée (« , » ou « } » attendu)"),
    ("could not find expected ':'", "« : » attendu après la clé"),
    ("that cannot start any token", "caractère interdit en début de valeur (tabulation ? indenter avec des espaces)"),
    ("did not find expected key", "clé attendue : indentation incohérente"),
    ("did not find expected '-' indicator", "élément de liste attendu (« - ») : indentation incohérente"),
    ("expected <block end>", "indentation incohérente"),
    ("found unexpected end of stream", "fin de fichier inattendue (guillemet non fermé ?)"),
    ("found unknown escape character", "séquence d'échappement inconnue dans un texte entre guillemets"),
    ("found undefined alias", "alias YAML inconnu"),
    ("expected a single document", "un seul document YAML attendu (« --- » en trop)"),
    ("found duplicate anchor", "ancre YAML en double"),
    ("day is out of range for month", "date impossible : ce jour n'existe pas dans ce mois"),
    ("month must be in 1..12", "date impossible : le mois doit être entre 1 et 12"),
    ("year", "date impossible"),
]

_JSON_PROBLEMS = [
    ("Expecting property name enclosed in double quotes", "nom de clé entre guillemets doubles attendu"),
    ("Expecting value", "valeur attendue"),
    ("Expecting ',' delimiter", "virgule attendue"),
    ("Expecting ':' delimiter", "« : » attendu"),
    ("Extra data", "texte en trop après la fin du JSON"),
    ("Unterminated string", "texte entre guillemets non fermé"),
    ("Invalid control character", "caractère de contrôle interdit dans un texte"),
    ("Invalid \\escape", "séquence d'échappement invalide"),
]


def _problem_fr(problem: str, table: list[tuple[str, str]], generic: str) -> str:
    for english, french in table:
        if english in problem:
            return french
    return generic


def yaml_problem_fr(problem: str) -> str:
    """PyYAML's (English) reason, said in French; an unknown one gets a generic French sentence."""
    return _problem_fr(problem, _YAML_PROBLEMS, "syntaxe YAML invalide")


def json_problem_fr(problem: str) -> str:
    return _problem_fr(problem, _JSON_PROBLEMS, "syntaxe JSON invalide")


_DATE_TOKEN = re.compile(r"(?<![\d-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\d-])")


def find_bad_date(text: str) -> tuple[int, int] | None:
    """(line, column) of the first impossible date (2018-02-30) in a YAML text, both from 1."""
    for number, line in enumerate(text.splitlines(), 1):
        for match in _DATE_TOKEN.finditer(line):
            try:
                dt.date(*(int(g) for g in match.groups()))
            except ValueError:
                return number, match.start() + 1
    return None
