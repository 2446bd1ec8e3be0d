"""Facts computed from other facts, in one place, with the facts they came from.

Both rule backends see the same derived values, and explanations show them as derived.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import InputError


def whole_years_between(start: dt.date, end: dt.date) -> int:
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years


def whole_months_between(start: dt.date, end: dt.date) -> int:
    """Complete calendar months from start to end (negative when end is before start)."""
    if end < start:
        return -whole_months_between(end, start)
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return months


def days_between(start: dt.date, end: dt.date) -> int:
    return (end - start).days


@dataclass(frozen=True)
class DerivedFact:
    path: str
    inputs: tuple[str, ...]
    compute: Callable[..., Any]
    explanation: str
    applies_from: dt.date | None = None  # only derived when evaluating rules of this date or later
    check_consistency: bool = True  # False when a given value may legitimately differ (balances move)


def hours_to_euros(hours: float) -> float:
    """CPF (and DIF) hours held on 2018-12-31 convert at 15 EUR per hour (décret n° 2018-1153 of
    14 December 2018, in force 2019-01-01)."""
    return round(hours * 15, 2)


DERIVED: tuple[DerivedFact, ...] = (
    DerivedFact(
        "beneficiaire.age",
        ("beneficiaire.date_naissance", "date_demande"),
        whole_years_between,
        "âge en années révolues à la date de la demande",
    ),
    DerivedFact(
        "beneficiaire.solde_cpf_euros",
        ("beneficiaire.solde_cpf_heures",),
        hours_to_euros,
        "solde CPF en heures converti à 15 EUR/h au 01/01/2019 (décret n° 2018-1153 ; DIF non compté)",
        applies_from=dt.date(2019, 1, 1),
        check_consistency=False,
    ),
)


def add_derived(facts: dict[str, Any], as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """Fill derived facts that the case does not give; returns their provenance."""
    provenance = []
    for d in DERIVED:
        if d.path in facts or (d.applies_from and (as_of is None or as_of < d.applies_from)):
            continue
        if all(i in facts for i in d.inputs):
            value = d.compute(*(facts[i] for i in d.inputs))
            facts[d.path] = value
            provenance.append({"fact": d.path, "value": value, "from": list(d.inputs), "explanation": d.explanation})
    return provenance


def check_consistency(facts: Mapping[str, Any]) -> None:
    """Refuse a case (its facts, `case.case_facts`) that gives a derived fact and its inputs with
    different values."""
    for d in DERIVED:
        if d.check_consistency and d.path in facts and all(i in facts for i in d.inputs):
            computed = d.compute(*(facts[i] for i in d.inputs))
            if computed != facts[d.path]:
                shown = ", ".join(f"{i} = {facts[i]}" for i in d.inputs)
                raise InputError(
                    f"valeur {facts[d.path]} incohérente : {d.explanation} = {computed} ({shown})",
                    field=d.path,
                )
    _check_income_facts(facts)


# income during training (issue 14): facts that must agree with each other
_RUPTURE_FLAGS = {
    "licenciement_economique": "beneficiaire.licenciement_economique",
    "licenciement_inaptitude": "beneficiaire.licenciement_inaptitude",
}


def _check_income_facts(facts: Mapping[str, Any]) -> None:
    """A course ending before it starts, or a contract end that contradicts the dismissal flags."""
    start, end = facts.get("projet.date_debut"), facts.get("projet.date_fin")
    if start is not None and end is not None and end < start:
        raise InputError(
            f"date de fin de la formation ({end.isoformat()}) avant sa date de début ({start.isoformat()})",
            field="projet.date_fin",
        )
    rupture = facts.get("beneficiaire.rupture_contrat")
    if rupture is None:
        return
    for value, flag in _RUPTURE_FLAGS.items():
        if flag in facts and facts[flag] != (rupture == value):
            raise InputError(
                f"rupture_contrat = {rupture} contredit {flag} = {'oui' if facts[flag] else 'non'}",
                field="beneficiaire.rupture_contrat",
            )
