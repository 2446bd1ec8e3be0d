"""Writes docs/facts.md, the fact vocabulary for people, from the fact table (fundrules/facts.py).

Like fundrules/case_model.py, the page is generated and committed; tests/test_self_contained.py checks
that it is byte for byte what this module renders from the current table. After editing the fact
table, run from the repository:

    python -m fundrules.facts_doc            # rewrites docs/facts.md
    python -m fundrules.facts_doc FICHIER    # writes the page elsewhere (`-`: standard output)
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

from .facts import FACTS, Fact
from .french import number_fr

TARGET = Path(__file__).resolve().parents[1] / "docs" / "facts.md"
COMMAND = "python -m fundrules.facts_doc"
SECTIONS = (("", "Demande"), ("beneficiaire", "Bénéficiaire"), ("projet", "Projet"))


def _values(fact: Fact) -> str:
    """Choices of an enum, or the bounds of a number ("0 à 130", "0 à 10 000 000")."""
    if fact.minimum is not None or fact.maximum is not None:
        low = "" if fact.minimum is None else number_fr(fact.minimum)
        high = "…" if fact.maximum is None else number_fr(fact.maximum)  # 10 000 000, not 1e+07
        return f"{low} à {high}"
    return ", ".join(f"`{choice}`" for choice in fact.choices)


def render() -> str:
    """The text of docs/facts.md for the current fact table."""
    lines = [
        "# Vocabulaire des faits",
        "",
        f"Généré depuis `fundrules/facts.py` par `{COMMAND}` (un test vérifie que ce fichier le suit).",
        "Tout fait est facultatif : un fait absent est inconnu, jamais faux. "
        "`fundrules schema` donne le même vocabulaire en JSON Schema.",
        "Chaque nombre a un maximum : une borne de saisie, bien au-delà de toute valeur réelle (une vie",
        "de travail, les heures que contient une période, dix ans de formation), pas un seuil du droit ;",
        "au-delà, le cas est refusé avec le nom du fait.",
        "",
    ]
    for section, title in SECTIONS:
        lines += [f"## {title}", "", "| fait | type | signification | valeurs |", "|---|---|---|---|"]
        lines += [
            f"| `{fact.path}` | {fact.kind} | {fact.label} | {_values(fact)} |"
            for fact in FACTS.values()
            if fact.section == section
        ]
        lines.append("")
    return "\n".join(lines)


def main(argv: Optional[list[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1:
        print(f"usage : {COMMAND} [FICHIER | -]", file=sys.stderr)
        return 2
    text = render()
    if args == ["-"]:
        sys.stdout.write(text)
        return 0
    target = Path(args[0]) if args else TARGET
    if not target.parent.is_dir():
        print(f"{target.parent} : dossier introuvable (lancer la commande depuis le dépôt)", file=sys.stderr)
        return 2
    target.write_text(text, encoding="utf-8")
    print(f"{target} écrit ({len(text.splitlines())} lignes).", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
