"""A commented case file to fill in, with every fact of the vocabulary in French, so a counsellor
never needs the JSON Schema (`fundrules case template`)."""

from __future__ import annotations

import textwrap

from ..facts import BOOL, DATE, INT, NUMBER, SECTIONS, Fact, facts_in
from ..french import _CHOICES, number_fr
from ..regions import REGIONS

WIDTH = 79

SECTION_FR = {"beneficiaire": "La personne", "projet": "Le projet de formation"}


def _kind(fact: Fact) -> str:
    if fact.path == "region":
        return "code INSEE de la région (24) ou son nom (Centre-Val de Loire)"
    if fact.kind == DATE:
        return "date AAAA-MM-JJ"
    if fact.kind == BOOL:
        return "true (oui) ou false (non)"
    if fact.kind in (INT, NUMBER):
        kind = "nombre entier" if fact.kind == INT else "nombre"
        if fact.minimum is not None and fact.maximum is not None:
            kind += f" de {number_fr(fact.minimum)} à {number_fr(fact.maximum)}"
        elif fact.minimum is not None:
            kind += f", au moins {number_fr(fact.minimum)}"
        return kind
    if fact.kind == "enum":
        return "une des valeurs ci-dessous"
    return "texte"


def _comment(fact: Fact, indent: str) -> list[str]:
    text = f"{fact.label[:1].upper()}{fact.label[1:]} — {_kind(fact)}"
    lines = textwrap.wrap(
        text, WIDTH, initial_indent=f"{indent}# ", subsequent_indent=f"{indent}#   ", break_on_hyphens=False
    )
    if fact.kind == "enum":
        labels = _CHOICES.get(fact.path, {})
        for code in fact.choices:
            label = labels.get(code)
            lines.append(f"{indent}#   {code}" + (f" : {label}" if label and label != code else ""))
    if fact.path == "region":
        entries = [f"{code} {name}" for code, name in REGIONS.items()]
        for start in range(0, len(entries), 3):
            lines.append(f"{indent}#   " + ", ".join(entries[start : start + 3]))
    return lines


def case_template() -> str:
    lines = [
        "# Cas de financement à remplir (modèle écrit par « fundrules case template »).",
        "# Un fait laissé vide (~) est inconnu, jamais faux : une réponse qui en",
        "# dépend sera « à vérifier » et nommera le fait à recueillir.",
        "# Remplacez ~ par la valeur connue.",
        "# Dates au format AAAA-MM-JJ ; oui / non s'écrivent true / false ;",
        "# nombres sans guillemets. Pas de nom, d'adresse, de téléphone ni de numéro",
        "# de sécurité sociale dans ce fichier.",
        "",
    ]
    for fact in facts_in("").values():
        lines += _comment(fact, "") + [f"{fact.name}: ~", ""]
    for section in SECTIONS:
        lines += [f"# {SECTION_FR.get(section, section)}", f"{section}:"]
        for fact in facts_in(section).values():
            lines += _comment(fact, "  ") + [f"  {fact.name}: ~"]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
